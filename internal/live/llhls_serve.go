package live

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/kinema/kinema/internal/manifest"
)

// LL-HLS names served from memory (see llhls.go).
const llMasterName = "llhls.m3u8"

var (
	llMediaRe = regexp.MustCompile(`^llhls_([0-9]{1,3})\.m3u8$`)
	llPartRe  = regexp.MustCompile(`^part_([0-9]{1,3})_([0-9]{1,9})_([0-9]{1,4})\.m4s$`)
	// ffmpeg's media playlist names in its multivariant playlist.
	regularMediaRe = regexp.MustCompile(`media_([0-9]{1,3})\.m3u8`)
	regularSegRe   = regexp.MustCompile(`^seg_([0-9]{1,3})_([0-9]{1,9})\.m4s$`)
)

// llHoldTargets is how many target durations a blocking request is held
// before 503 (the spec suggests three).
const llHoldTargets = 3

// serveLL answers the LL-HLS names: the multivariant playlist, media
// playlists (with blocking reload) and parts. It reports false for any
// other name, with the name to serve instead: the same, or on a node
// without the broadcast's LL-HLS state (another node behind the load
// balancer, or the ingest node after a restart) the regular playlist an
// LL-HLS name stands for, so a player handed ll_hls still plays, as
// regular HLS. The request is already authorized; token goes into every URI.
func (s *Service) serveLL(w http.ResponseWriter, r *http.Request, id, name, token string) (bool, string) {
	var serve func(w http.ResponseWriter, r *http.Request, l *llStream, query string)
	var rep, msn, idx int
	switch {
	case name == llMasterName:
		serve = func(w http.ResponseWriter, r *http.Request, l *llStream, query string) {
			s.serveLLMaster(w, r, id, query)
		}
	case llMediaRe.MatchString(name):
		rep, _ = strconv.Atoi(llMediaRe.FindStringSubmatch(name)[1])
		serve = func(w http.ResponseWriter, r *http.Request, l *llStream, query string) {
			l.servePlaylist(w, r, rep, query)
		}
	case llPartRe.MatchString(name):
		m := llPartRe.FindStringSubmatch(name)
		rep, _ = strconv.Atoi(m[1])
		msn, _ = strconv.Atoi(m[2])
		idx, _ = strconv.Atoi(m[3])
		serve = func(w http.ResponseWriter, r *http.Request, l *llStream, _ string) {
			l.servePart(w, r, rep, msn, idx)
		}
	default:
		return false, name
	}
	l := s.ll.get(id)
	if l == nil {
		switch {
		case name == llMasterName:
			return false, masterName
		case llMediaRe.MatchString(name):
			return false, fmt.Sprintf("media_%d.m3u8", rep)
		}
		fail(w, http.StatusNotFound) // a part: only the ingest node has them
		return true, name
	}
	serve(w, r, l, "token="+url.QueryEscape(token))
	return true, name
}

// serveLLMaster serves ffmpeg's multivariant playlist with the media
// playlists swapped for their LL-HLS twins.
func (s *Service) serveLLMaster(w http.ResponseWriter, r *http.Request, id, query string) {
	src, err := os.ReadFile(filepath.Join(s.cfg.Dir, "out", id, masterName))
	if err != nil || len(src) > maxManifestSize {
		fail(w, http.StatusNotFound) // not written before the first segment
		return
	}
	src = regularMediaRe.ReplaceAll(src, []byte("llhls_$1.m3u8"))
	writePlaylist(w, r, manifest.RewriteHLS(src, query), manifestCache)
}

func writePlaylist(w http.ResponseWriter, r *http.Request, body []byte, cache string) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/vnd.apple.mpegurl")
	hdr.Set("Cache-Control", cache)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// blockTarget is what a blocking playlist request waits for.
type blockTarget struct {
	msn, part int
	hasPart   bool
}

// parseBlocking reads _HLS_msn and _HLS_part. ok is false for a malformed
// request (400); block is false when the request does not block.
func parseBlocking(q url.Values) (bt blockTarget, block, ok bool) {
	ms, hasMSN := q["_HLS_msn"]
	ps, hasPart := q["_HLS_part"]
	if !hasMSN {
		return bt, false, !hasPart // _HLS_part alone is an error
	}
	if len(ms) != 1 || hasPart && len(ps) != 1 {
		return bt, false, false
	}
	m, err := strconv.Atoi(ms[0])
	if err != nil || m < 0 {
		return bt, false, false
	}
	bt.msn = m
	if hasPart {
		p, err := strconv.Atoi(ps[0])
		if err != nil || p < 0 {
			return bt, false, false
		}
		bt.part, bt.hasPart = p, true
	}
	return bt, true, true
}

// satisfiedLocked reports whether rep's playlist holds what bt asks for:
// part bt.part of segment bt.msn, or the whole segment without _HLS_part.
// A part index past the last part of a complete segment means the first
// part of the next segment.
func (l *llStream) satisfiedLocked(rep int, bt blockTarget) bool {
	t := l.tracks[rep]
	last := t.last()
	if last == nil {
		return false
	}
	if last.msn > bt.msn {
		return true
	}
	if last.msn < bt.msn {
		return false
	}
	if !bt.hasPart {
		return last.done
	}
	return bt.part < len(last.parts)
}

// tooFarLocked reports a request the spec says to refuse at once: more
// than two segments ahead of the playlist, or a part too far ahead
// (three seconds' worth of parts).
func (l *llStream) tooFarLocked(rep int, bt blockTarget) bool {
	m, p, ok := l.tracks[rep].position()
	if !ok {
		// Nothing yet: the first segments may be asked for.
		return bt.msn > 3
	}
	if bt.msn > m+2 {
		return true
	}
	if bt.hasPart && bt.msn == m {
		limit := int(3/l.partTarget) + 1
		return bt.part > p+limit
	}
	return false
}

// servePlaylist serves rep's LL-HLS media playlist, holding a blocking
// request until it is satisfied, the stream ends, or three target durations
// pass (503).
func (l *llStream) servePlaylist(w http.ResponseWriter, r *http.Request, rep int, query string) {
	if rep >= len(l.tracks) {
		fail(w, http.StatusNotFound)
		return
	}
	bt, block, ok := parseBlocking(r.URL.Query())
	if !ok {
		fail(w, http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(llHoldTargets*l.target)*time.Second)
	defer cancel()
	l.mu.Lock()
	if block && !l.ended && l.tooFarLocked(rep, bt) {
		l.mu.Unlock()
		fail(w, http.StatusBadRequest)
		return
	}
	for block && !l.ended && !l.satisfiedLocked(rep, bt) {
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			if r.Context().Err() == nil {
				fail(w, http.StatusServiceUnavailable)
			}
			return
		}
		l.mu.Lock()
	}
	body, ok := l.playlistLocked(rep)
	l.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound) // no part yet; players retry
		return
	}
	// A blocking request names the version it wants, so its answer never
	// changes; a plain one changes with every part.
	cache := "private, max-age=1"
	if block {
		cache = "private, max-age=" + strconv.Itoa(6*l.target)
	}
	writePlaylist(w, r, manifest.RewriteHLS(body, query), cache)
}

// servePart serves a part from memory. A part not written yet but at most
// one segment ahead (the preload hint, or a player a little ahead) is
// waited for, at most three target durations.
func (l *llStream) servePart(w http.ResponseWriter, r *http.Request, rep, msn, idx int) {
	if rep >= len(l.tracks) {
		fail(w, http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(llHoldTargets*l.target)*time.Second)
	defer cancel()
	l.mu.Lock()
	for {
		data, state := l.partLocked(rep, msn, idx)
		if state == partReady {
			l.mu.Unlock()
			hdr := w.Header()
			hdr.Set("Content-Type", "video/iso.segment")
			hdr.Set("Cache-Control", immutableCache)
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
			return
		}
		if state == partGone || l.ended {
			l.mu.Unlock()
			fail(w, http.StatusNotFound)
			return
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			if r.Context().Err() == nil {
				fail(w, http.StatusServiceUnavailable)
			}
			return
		}
		l.mu.Lock()
	}
}

type partState int

const (
	partReady partState = iota
	partPending
	partGone
)

// partLocked finds a part: ready, still to come (soon), or never.
func (l *llStream) partLocked(rep, msn, idx int) ([]byte, partState) {
	t := l.tracks[rep]
	last := t.last()
	if last == nil {
		if msn <= 2 {
			return nil, partPending
		}
		return nil, partGone
	}
	for _, s := range t.segs {
		if s.msn != msn {
			continue
		}
		if idx < len(s.parts) {
			return s.parts[idx].data, partReady
		}
		if s.done || s.parts == nil {
			return nil, partGone
		}
		if idx > len(s.parts)+int(3/l.partTarget) {
			return nil, partGone
		}
		return nil, partPending
	}
	if msn == last.msn+1 && idx <= int(3/l.partTarget) {
		return nil, partPending
	}
	return nil, partGone
}

// regularPDT rewrites the EXT-X-PROGRAM-DATE-TIME tags of ffmpeg's own media
// playlist for rep to the ingest clock the LL-HLS playlists use (ffmpeg
// writes its own start time, in whole seconds), so every HLS flavour tells
// a player the same wall-clock time for the same frame.
func (l *llStream) regularPDT(src []byte) []byte {
	lines := bytes.Split(src, []byte("\n"))
	var pending int = -1 // index of the last PDT line not yet matched with a URI
	for i, ln := range lines {
		t := bytes.TrimSpace(ln)
		switch {
		case bytes.HasPrefix(t, []byte("#EXT-X-PROGRAM-DATE-TIME:")):
			pending = i
		case len(t) > 0 && t[0] != '#':
			m := regularSegRe.FindSubmatch(t)
			if m != nil && pending >= 0 {
				rep, _ := strconv.Atoi(string(m[1]))
				msn, _ := strconv.Atoi(string(m[2]))
				if pdt, ok := l.pdtFor(rep, msn); ok {
					lines[pending] = []byte("#EXT-X-PROGRAM-DATE-TIME:" + pdt.UTC().Format("2006-01-02T15:04:05.000Z"))
				}
			}
			pending = -1
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// regularMPD drops availabilityTimeComplete="false" from ffmpeg's live
// MPD, which -streaming 1 adds: it tells low-latency DASH players to fetch
// segments while they are written, which this server does not offer
// (complete segments only; parts are LL-HLS). availabilityStartTime stays
// ffmpeg's: DASH players derive the live edge from it, and the ingest time
// (earlier by the probe delay) would put that edge past the newest segment.
func (l *llStream) regularMPD(src []byte) []byte {
	return bytes.ReplaceAll(src, []byte(` availabilityTimeComplete="false"`), nil)
}
