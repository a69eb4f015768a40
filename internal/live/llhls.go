package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Low-Latency HLS.
//
// ffmpeg's DASH muxer runs with -streaming 1: it writes each segment as
// <name>.tmp fragment by fragment (one moof+mdat every PartSeconds, flushed
// at once) and renames it when the segment is complete. Regular HLS and
// DASH see only complete segments, as before. Here one goroutine per
// representation tails the growing .tmp file, cuts it at fragment
// boundaries into partial segments kept in memory, and renders LL-HLS media
// playlists (llhls_<rep>.m3u8) with EXT-X-PART, EXT-X-PRELOAD-HINT and
// EXT-X-PROGRAM-DATE-TIME; the handler answers blocking reloads
// (_HLS_msn/_HLS_part) from this state. Parts are served from memory
// (part_<rep>_<msn>_<index>.m4s), complete segments from disk.

const (
	// llPollInterval is how often a growing segment is read for new bytes.
	llPollInterval = 15 * time.Millisecond
	// llPartSegments is how many of the newest segments list their parts
	// (the spec asks for parts within the last three target durations).
	llPartSegments = 3
	// llKeepSegments is how many of the newest segments keep part bytes in
	// memory: those listed plus one, for a player that just read the
	// previous playlist.
	llKeepSegments = llPartSegments + 1
)

// llPart is one partial segment: one CMAF fragment (moof+mdat, plus any
// box before it such as styp).
type llPart struct {
	data        []byte
	dur         float64 // seconds
	independent bool
}

// llSegment is one media segment of one representation.
type llSegment struct {
	msn   int
	name  string    // the complete segment's file name, as ffmpeg writes it
	start float64   // media time of the first sample, seconds
	pdt   time.Time // ingest wall-clock time of the first sample
	parts []llPart
	dur   float64 // sum of the parts' durations
	done  bool    // ffmpeg renamed the file: the segment is complete
}

// llTrack is one representation's segments, newest last.
type llTrack struct {
	rep  int
	segs []*llSegment
}

// last returns the newest segment, or nil.
func (t *llTrack) last() *llSegment {
	if len(t.segs) == 0 {
		return nil
	}
	return t.segs[len(t.segs)-1]
}

// position is the newest (msn, part index) listed, or ok=false before the
// first part.
func (t *llTrack) position() (msn, part int, ok bool) {
	s := t.last()
	if s == nil {
		return 0, 0, false
	}
	return s.msn, len(s.parts) - 1, true
}

// llStream is the LL-HLS state of one broadcast.
type llStream struct {
	dir        string
	epoch      time.Time // ingest wall-clock time of media time 0
	partTarget float64
	target     int // EXT-X-TARGETDURATION
	window     int // segments listed
	log        *slog.Logger

	mu      sync.Mutex
	tracks  []*llTrack
	changed chan struct{} // closed and replaced on every change
	ended   bool
}

// llConfig is what a broadcast's LL-HLS state needs from its session.
type llConfig struct {
	Dir            string    // ffmpeg's output directory
	Reps           int       // representations, ids 0..Reps-1
	Epoch          time.Time // ingest time of the first input byte (media time 0)
	SegmentSeconds float64
	PartSeconds    float64
	WindowSegments int
}

// newLLStream creates the state; run tails ffmpeg's output.
func newLLStream(c llConfig, log *slog.Logger) *llStream {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &llStream{dir: c.Dir, epoch: c.Epoch, partTarget: llPartTarget(c.PartSeconds),
		target: int(math.Ceil(c.SegmentSeconds - 1e-9)), window: max(c.WindowSegments, 3),
		log: log, changed: make(chan struct{})}
	for i := range c.Reps {
		l.tracks = append(l.tracks, &llTrack{rep: i})
	}
	return l
}

// llPartTarget is the EXT-X-PART-INF PART-TARGET for fragments cut every
// partSeconds. ffmpeg cuts a fragment at the first sample at or after
// partSeconds, so a part can be up to one sample longer: one AAC frame
// (1024 samples at 48 kHz is 21.3 ms) or one video frame at 24 fps
// (41.7 ms, which 5 frames make 0.208 s for 0.2 s parts). 10 % more covers
// both for parts of 0.2 s or longer, and keeps parts above the 85 % of
// the target the spec asks for.
func llPartTarget(partSeconds float64) float64 {
	return math.Round(partSeconds*1.1*1000) / 1000
}

// run tails every representation until ffmpeg has exited (exited closed)
// and the last segment is read, then marks the stream ended.
func (l *llStream) run(ctx context.Context, exited <-chan struct{}) {
	var wg sync.WaitGroup
	for _, t := range l.tracks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.tail(ctx, t.rep, exited); err != nil && !errors.Is(err, context.Canceled) {
				l.log.Warn("ll-hls: stopped following a rendition", "rep", t.rep, "err", err)
			}
		}()
	}
	wg.Wait()
	l.mu.Lock()
	l.ended = true
	// Once the playlists end they list complete segments only: the parts'
	// bytes are no longer needed.
	for _, t := range l.tracks {
		for _, s := range t.segs {
			s.parts = nil
		}
	}
	l.notifyLocked()
	l.mu.Unlock()
}

func (l *llStream) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// wait sleeps one poll interval; it reports false when ctx ends.
func wait(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(llPollInterval):
		return true
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// tail follows representation rep's segments as ffmpeg writes them.
func (l *llStream) tail(ctx context.Context, rep int, exited <-chan struct{}) error {
	initPath := filepath.Join(l.dir, fmt.Sprintf("init_%d.m4s", rep))
	var ti trackInfo
	for {
		b, err := os.ReadFile(initPath)
		if err == nil {
			if ti, err = parseInit(b); err == nil {
				break
			}
		}
		if isClosed(exited) {
			return nil // ffmpeg ended before writing anything
		}
		if !wait(ctx) {
			return ctx.Err()
		}
	}
	for msn := 1; ; msn++ {
		name := fmt.Sprintf("seg_%d_%05d.m4s", rep, msn)
		final := filepath.Join(l.dir, name)
		var f *os.File
		for f == nil {
			var err error
			if f, err = os.Open(final + ".tmp"); err == nil {
				break
			}
			if f, err = os.Open(final); err == nil {
				break
			}
			if isClosed(exited) {
				// Nothing new once ffmpeg has exited and the file is not
				// there after the exit.
				if f, err = os.Open(final); err == nil {
					break
				}
				return nil
			}
			if !wait(ctx) {
				return ctx.Err()
			}
		}
		err := l.readSegment(ctx, f, rep, msn, name, final, ti, exited)
		f.Close()
		if err != nil {
			return err
		}
	}
}

// readSegment reads one segment file as it grows, publishing each complete
// fragment as a part, until the file is complete (renamed to final, or
// ffmpeg exited) and read to the end.
func (l *llStream) readSegment(ctx context.Context, f *os.File, rep, msn int, name, final string, ti trackInfo, exited <-chan struct{}) error {
	var (
		buf      []byte
		lastPass bool // the file was complete before the last read began
		chunk    = make([]byte, 256<<10)
		scanned  int // bytes of buf already known to be before the next moof
	)
	for {
		n, err := f.Read(chunk)
		if n > 0 {
			buf = append(buf, chunk[:n]...)
			buf = l.cutParts(buf, &scanned, rep, msn, name, ti)
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		if lastPass {
			l.finishSegment(rep, msn)
			return nil
		}
		// ffmpeg closes the file and then renames it, so once the final
		// name exists (or ffmpeg is gone) one more read to EOF sees all.
		if _, err := os.Stat(final); err == nil || isClosed(exited) {
			lastPass = true
			continue
		}
		if !wait(ctx) {
			return ctx.Err()
		}
	}
}

// cutParts publishes every complete moof+mdat pair at the start of buf
// (with any boxes before it) and returns what is left.
func (l *llStream) cutParts(buf []byte, scanned *int, rep, msn int, name string, ti trackInfo) []byte {
	for {
		off := *scanned
		// Skip boxes that are not a fragment (styp, sidx, prft...): they go
		// with the next part.
		for {
			typ, size, err := boxHeader(buf[off:])
			if err != nil {
				*scanned = off
				return buf
			}
			if typ == "moof" {
				break
			}
			off += size
		}
		_, moofSize, err := boxHeader(buf[off:])
		if err != nil {
			*scanned = off
			return buf
		}
		mtyp, mdatSize, err := boxHeader(buf[off+moofSize:])
		if err != nil {
			*scanned = off
			return buf
		}
		end := off + moofSize + mdatSize
		if mtyp != "mdat" {
			l.log.Warn("ll-hls: moof not followed by mdat", "rep", rep, "msn", msn, "box", mtyp)
			*scanned = 0
			return buf[end:]
		}
		moofBody := buf[off+8 : off+moofSize]
		if binary32(buf[off:]) == 1 {
			moofBody = buf[off+16 : off+moofSize]
		}
		fi, err := parseMoof(moofBody, ti)
		if err != nil {
			l.log.Warn("ll-hls: unreadable fragment", "rep", rep, "msn", msn, "err", err)
			*scanned = 0
			return buf[end:]
		}
		part := llPart{data: append([]byte(nil), buf[:end]...), independent: fi.independent,
			dur: float64(fi.duration) / float64(ti.timescale)}
		l.addPart(rep, msn, name, float64(fi.baseTime)/float64(ti.timescale), part)
		buf = buf[end:]
		*scanned = 0
	}
}

func binary32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// addPart appends a part to segment msn of rep, creating the segment.
func (l *llStream) addPart(rep, msn int, name string, start float64, p llPart) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tracks[rep]
	s := t.last()
	if s == nil || s.msn != msn {
		s = &llSegment{msn: msn, name: name, start: start,
			pdt: l.epoch.Add(time.Duration(start * float64(time.Second)))}
		t.segs = append(t.segs, s)
		if len(t.segs) > l.window {
			t.segs = t.segs[len(t.segs)-l.window:]
		}
		if n := len(t.segs) - llKeepSegments; n > 0 {
			t.segs[n-1].parts = nil
		}
	}
	s.parts = append(s.parts, p)
	s.dur += p.dur
	l.notifyLocked()
}

// finishSegment marks segment msn of rep complete.
func (l *llStream) finishSegment(rep, msn int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.tracks[rep].last(); s != nil && s.msn == msn {
		s.done = true
		l.notifyLocked()
	}
}

// pdtFor returns the ingest time of a complete segment's start, for
// putting the same clock into the regular playlists.
func (l *llStream) pdtFor(rep, msn int) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rep < 0 || rep >= len(l.tracks) {
		return time.Time{}, false
	}
	for _, s := range l.tracks[rep].segs {
		if s.msn == msn {
			return s.pdt, true
		}
	}
	return time.Time{}, false
}

// playlistLocked renders rep's LL-HLS media playlist. ok is false before the
// first part.
func (l *llStream) playlistLocked(rep int) ([]byte, bool) {
	t := l.tracks[rep]
	if len(t.segs) == 0 {
		return nil, false
	}
	var b strings.Builder
	target := l.target
	for _, s := range t.segs {
		if s.done {
			target = max(target, int(math.Round(s.dur)))
		}
	}
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:6\n")
	fmt.Fprintf(&b, "#EXT-X-TARGETDURATION:%d\n", target)
	if !l.ended {
		// PART-HOLD-BACK: three part targets, the spec's recommendation
		// (two at the least). HOLD-BACK: three target durations, for
		// clients that ignore parts.
		fmt.Fprintf(&b, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=%s,HOLD-BACK=%d\n",
			ffloat(3*l.partTarget), 3*target)
		fmt.Fprintf(&b, "#EXT-X-PART-INF:PART-TARGET=%s\n", ffloat(l.partTarget))
	}
	fmt.Fprintf(&b, "#EXT-X-MEDIA-SEQUENCE:%d\n", t.segs[0].msn)
	fmt.Fprintf(&b, "#EXT-X-MAP:URI=\"init_%d.m4s\"\n", rep)
	firstParts := len(t.segs) - llPartSegments
	for i, s := range t.segs {
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n", s.pdt.UTC().Format("2006-01-02T15:04:05.000Z"))
		if i >= firstParts && !l.ended {
			for j, p := range s.parts {
				fmt.Fprintf(&b, "#EXT-X-PART:DURATION=%s,URI=\"%s\"", ffloat(p.dur), partName(rep, s.msn, j))
				if p.independent {
					b.WriteString(",INDEPENDENT=YES")
				}
				b.WriteByte('\n')
			}
		}
		if s.done {
			fmt.Fprintf(&b, "#EXTINF:%s,\n%s\n", ffloat(s.dur), s.name)
		}
	}
	if l.ended {
		b.WriteString("#EXT-X-ENDLIST\n")
		return []byte(b.String()), true
	}
	hm, hp := t.segs[len(t.segs)-1].msn, len(t.segs[len(t.segs)-1].parts)
	if t.segs[len(t.segs)-1].done {
		hm, hp = hm+1, 0
	}
	fmt.Fprintf(&b, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"%s\"\n", partName(rep, hm, hp))
	for _, o := range l.tracks {
		if o.rep == rep {
			continue
		}
		if m, p, ok := o.position(); ok && p >= 0 {
			fmt.Fprintf(&b, "#EXT-X-RENDITION-REPORT:URI=\"%s\",LAST-MSN=%d,LAST-PART=%d\n", llPlaylistName(o.rep), m, p)
		}
	}
	return []byte(b.String()), true
}

// ffloat formats seconds with at most five decimals.
func ffloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e5)/1e5, 'f', -1, 64)
}

func partName(rep, msn, idx int) string { return fmt.Sprintf("part_%d_%d_%d.m4s", rep, msn, idx) }

func llPlaylistName(rep int) string { return fmt.Sprintf("llhls_%d.m3u8", rep) }

// llHub holds the LL-HLS state of the broadcasts this process runs.
type llHub struct {
	mu sync.Mutex
	m  map[string]*llStream
}

func (h *llHub) put(id string, l *llStream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]*llStream{}
	}
	h.m[id] = l
}

func (h *llHub) get(id string) *llStream {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[id]
}

// llPartSeconds is the LL-HLS part length ffmpeg cuts fragments at. 0.2 s
// parts make a part hold-back of 0.66 s (three part targets).
const llPartSeconds = 0.2

// llFragmentArgs are the DASH muxer options for LL-HLS: with -streaming 1
// each fragment of partSeconds is written to the segment's .tmp file as
// soon as it is cut (without it, at the end of the segment). Without parts,
// whole segments only.
func llFragmentArgs(partSeconds float64) []string {
	if partSeconds <= 0 {
		return []string{"-streaming", "0"}
	}
	return []string{"-streaming", "1", "-frag_type", "duration",
		"-frag_duration", strconv.FormatFloat(partSeconds, 'f', -1, 64)}
}

// startLL follows the output of a broadcast's ffmpeg for LL-HLS until it
// exits. epoch is when the first input byte arrived: media time 0.
func (s *Service) startLL(ctx context.Context, id, outDir string, l Ladder, epoch time.Time, exited <-chan struct{}, log *slog.Logger) {
	reps := len(l.Video)
	if l.Audio != nil {
		reps++
	}
	ls := newLLStream(llConfig{Dir: outDir, Reps: reps, Epoch: epoch, SegmentSeconds: s.cfg.SegmentSeconds,
		PartSeconds: llPartSeconds, WindowSegments: int(s.cfg.DVRWindow.Seconds() / s.cfg.SegmentSeconds)}, log)
	s.ll.put(id, ls)
	go ls.run(ctx, exited)
}
