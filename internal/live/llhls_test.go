package live

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// llPlaylistView is a parsed LL-HLS media playlist.
type llPlaylistView struct {
	target, seq        int
	partTarget         float64
	partHoldBack       float64
	canBlock, ended    bool
	segs               []llSegView
	hint               string // preload hint URI
	reports            map[string][2]int
	uris               []string // every URI in the playlist, tags and lines
	mapURI             string
	independentMissing []string
}

type llSegView struct {
	msn   int
	pdt   time.Time
	parts []llPartView
	uri   string // "" while the segment is in progress
	dur   float64
}

type llPartView struct {
	uri         string
	dur         float64
	independent bool
}

var attrRe = regexp.MustCompile(`([A-Z0-9-]+)=("[^"]*"|[^,]*)`)

func attrs(line string) map[string]string {
	_, list, _ := strings.Cut(line, ":")
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(list, -1) {
		m[a[1]] = strings.Trim(a[2], `"`)
	}
	return m
}

func parseLL(t *testing.T, body string) llPlaylistView {
	t.Helper()
	p := llPlaylistView{reports: map[string][2]int{}}
	require.True(t, strings.HasPrefix(body, "#EXTM3U\n"), body)
	var cur *llSegView
	msn := 0
	newSeg := func() *llSegView {
		if cur == nil {
			p.segs = append(p.segs, llSegView{msn: p.seq + len(p.segs)})
			cur = &p.segs[len(p.segs)-1]
		}
		return cur
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		tag, _, _ := strings.Cut(line, ":")
		a := attrs(line)
		if u, ok := a["URI"]; ok {
			p.uris = append(p.uris, u)
		}
		switch tag {
		case "#EXT-X-TARGETDURATION":
			p.target, _ = strconv.Atoi(strings.TrimPrefix(line, tag+":"))
		case "#EXT-X-MEDIA-SEQUENCE":
			p.seq, _ = strconv.Atoi(strings.TrimPrefix(line, tag+":"))
			msn = p.seq
		case "#EXT-X-SERVER-CONTROL":
			p.canBlock = a["CAN-BLOCK-RELOAD"] == "YES"
			p.partHoldBack, _ = strconv.ParseFloat(a["PART-HOLD-BACK"], 64)
		case "#EXT-X-PART-INF":
			p.partTarget, _ = strconv.ParseFloat(a["PART-TARGET"], 64)
		case "#EXT-X-MAP":
			p.mapURI = a["URI"]
		case "#EXT-X-PROGRAM-DATE-TIME":
			s := newSeg()
			var err error
			s.pdt, err = time.Parse(time.RFC3339Nano, strings.TrimPrefix(line, tag+":"))
			require.NoError(t, err, line)
		case "#EXT-X-PART":
			s := newSeg()
			d, err := strconv.ParseFloat(a["DURATION"], 64)
			require.NoError(t, err, line)
			s.parts = append(s.parts, llPartView{uri: a["URI"], dur: d, independent: a["INDEPENDENT"] == "YES"})
		case "#EXTINF":
			s := newSeg()
			s.dur, _ = strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(line, tag+":"), ","), 64)
		case "#EXT-X-PRELOAD-HINT":
			require.Equal(t, "PART", a["TYPE"])
			p.hint = a["URI"]
		case "#EXT-X-RENDITION-REPORT":
			m, _ := strconv.Atoi(a["LAST-MSN"])
			n, _ := strconv.Atoi(a["LAST-PART"])
			p.reports[a["URI"]] = [2]int{m, n}
		case "#EXT-X-ENDLIST":
			p.ended = true
		default:
			if !strings.HasPrefix(line, "#") && line != "" {
				p.uris = append(p.uris, line)
				s := newSeg()
				s.uri = line
				s.msn = msn
				msn++
				cur = nil
			}
		}
	}
	for i := range p.segs {
		p.segs[i].msn = p.seq + i
	}
	return p
}

// partURI strips the query of a part or segment URI.
func bare(u string) string { b, _, _ := strings.Cut(u, "?"); return b }

// requireSigned checks that every URI of a playlist carries exactly the
// viewer's token and nothing else.
func requireSigned(t *testing.T, uris []string, tok string) {
	t.Helper()
	require.NotEmpty(t, uris)
	for _, u := range uris {
		pu, err := url.Parse(u)
		require.NoError(t, err, u)
		require.False(t, pu.IsAbs(), u)
		q := pu.Query()
		require.Equal(t, []string{tok}, q["token"], "URI %s must carry the token", u)
		require.Len(t, q, 1, u)
	}
}

// checkLL validates the structure of an LL-HLS media playlist of a running
// broadcast.
func checkLL(t *testing.T, p llPlaylistView, rep int, video bool, tok string) {
	t.Helper()
	require.Equal(t, 2, p.target)
	require.True(t, p.canBlock, "CAN-BLOCK-RELOAD=YES")
	require.InDelta(t, 0.22, p.partTarget, 1e-9)
	require.GreaterOrEqual(t, p.partHoldBack, 2*p.partTarget, "PART-HOLD-BACK at least two part targets")
	require.Equal(t, fmt.Sprintf("init_%d.m4s", rep), bare(p.mapURI))
	requireSigned(t, p.uris, tok)
	require.False(t, p.ended)
	require.NotEmpty(t, p.hint, "a running playlist has a preload hint")
	withParts := 0
	for i, s := range p.segs {
		require.False(t, s.pdt.IsZero(), "segment %d has a PROGRAM-DATE-TIME", s.msn)
		if i > 0 && p.segs[i-1].uri != "" {
			gap := s.pdt.Sub(p.segs[i-1].pdt).Seconds()
			require.InDelta(t, p.segs[i-1].dur, gap, 0.03, "PDTs follow the media timeline (%d)", s.msn)
		}
		if s.uri != "" {
			require.Equal(t, fmt.Sprintf("seg_%d_%05d.m4s", rep, s.msn), bare(s.uri))
		}
		if len(s.parts) == 0 {
			require.NotEmpty(t, s.uri, "an in-progress segment is listed with its parts")
			continue
		}
		withParts++
		sum := 0.0
		for j, pt := range s.parts {
			require.Equal(t, partName(rep, s.msn, j), bare(pt.uri))
			require.LessOrEqual(t, pt.dur, p.partTarget+1e-9, "part %s not longer than PART-TARGET", pt.uri)
			if j < len(s.parts)-1 || s.uri == "" {
				require.GreaterOrEqual(t, pt.dur, 0.85*p.partTarget-1e-9, "part %s at least 85%% of PART-TARGET", pt.uri)
			}
			sum += pt.dur
		}
		require.True(t, s.parts[0].independent, "segment %d starts with an independent part", s.msn)
		if video {
			for _, pt := range s.parts[1:] {
				require.False(t, pt.independent, "a 2 s GOP has one keyframe per segment: %s", pt.uri)
			}
		}
		if s.uri != "" {
			require.InDelta(t, s.dur, sum, 0.001*float64(len(s.parts)), "parts add up to the segment (%d)", s.msn)
		}
	}
	require.LessOrEqual(t, withParts, llPartSegments+1)
	last := p.segs[len(p.segs)-1]
	want := partName(rep, last.msn, len(last.parts))
	if last.uri != "" {
		want = partName(rep, last.msn+1, 0)
	}
	require.Equal(t, want, bare(p.hint), "the hint names the next part")
}

// TestLLHLSBroadcast publishes over SRT beside two CPU burners and checks
// the LL-HLS side: playlists, signatures on every URI, blocking reload
// that returns when the part appears, the preload hint, parts that add up
// to the segment and decode, the 400 rules, the same PDT in the regular
// playlist, and the final playlist.
func TestLLHLSBroadcast(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	testutil.BurnCPU(t, 2)
	b := setup(t, nil)
	ctx := context.Background()
	st, err := b.svc.Create(ctx, "LL-HLS test", "")
	require.NoError(t, err)
	srtURL, _ := b.svc.PublishURLs("127.0.0.1:8080", st)
	pubStart := time.Now()
	pub := publish(t, srtURL, "mpegts", 14)

	pb, err := b.svc.PlaybackURLs(b.srv.URL, st.ID)
	require.NoError(t, err)
	tok := tokenOf(t, pb.HLS)
	require.Equal(t, b.srv.URL+"/live/"+st.ID+"/llhls.m3u8?token="+tok, pb.LLHLS)
	base := b.srv.URL + "/live/" + st.ID + "/"
	q := "?token=" + tok

	// The multivariant playlist: ffmpeg's, pointing at the LL-HLS twins.
	var master string
	testutil.PollUntil(t, 20*time.Second, "LL-HLS multivariant playlist", func() bool {
		code, body := b.get(t, pb.LLHLS)
		master = string(body)
		return code == http.StatusOK
	})
	mp := parseLL(t, master)
	requireSigned(t, mp.uris, tok)
	var names []string
	for _, u := range mp.uris {
		names = append(names, bare(u))
	}
	slices.Sort(names)
	require.Equal(t, []string{"llhls_0.m3u8", "llhls_1.m3u8", "llhls_2.m3u8"}, names, "two video rungs and audio")

	// Wait for a complete segment, then validate all three renditions.
	var p llPlaylistView
	testutil.PollUntil(t, 20*time.Second, "a complete segment with parts", func() bool {
		code, body := b.get(t, base+"llhls_0.m3u8"+q)
		if code != http.StatusOK {
			return false
		}
		p = parseLL(t, string(body))
		return len(p.segs) >= 2 && p.segs[0].uri != ""
	})
	checkLL(t, p, 0, true, tok)
	// The publisher (ffmpeg) may take seconds to start on a loaded machine:
	// the PDT is compared with when its first byte arrived (StartedAt).
	cur, err := b.svc.Get(ctx, st.ID)
	require.NoError(t, err)
	require.False(t, p.segs[0].pdt.Before(pubStart.Add(-time.Second)), "PDT after the publisher started")
	require.WithinDuration(t, cur.StartedAt, p.segs[0].pdt, 1500*time.Millisecond, "PDT is the ingest time of the first frame")
	require.Len(t, p.reports, 2, "rendition reports for the other rung and the audio")
	for rep, video := range map[int]bool{1: true, 2: false} {
		code, body := b.get(t, base+llPlaylistName(rep)+q)
		require.Equal(t, http.StatusOK, code)
		checkLL(t, parseLL(t, string(body)), rep, video, tok)
	}

	// The MPD does not promise incomplete segments (-streaming 1 adds
	// availabilityTimeComplete="false"), and segment 1 starts at media time
	// 0: its PDT is the ingest clock's origin, which bench/latency.sh uses
	// for DASH.
	code, mpd := b.get(t, pb.DASH)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(mpd), `type="dynamic"`)
	require.NotContains(t, string(mpd), "availabilityTimeComplete")
	require.Contains(t, string(mpd), `<S t="0" `, "the media timeline starts at 0")
	require.Equal(t, 1, p.segs[0].msn)

	// Blocking reload: ask for the hinted part, which does not exist yet,
	// and fetch the hinted part itself at the same time.
	_, body := b.get(t, base+"llhls_0.m3u8"+q)
	p = parseLL(t, string(body))
	m := llPartRe.FindStringSubmatch(bare(p.hint))
	require.NotNil(t, m, p.hint)
	msn, _ := strconv.Atoi(m[2])
	idx, _ := strconv.Atoi(m[3])
	type got struct {
		code int
		body []byte
		at   time.Time
	}
	hinted := make(chan got, 1)
	go func() {
		resp, err := http.Get(base + bare(p.hint) + q)
		if err != nil {
			hinted <- got{}
			return
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		hinted <- got{resp.StatusCode, buf.Bytes(), time.Now()}
	}()
	t0 := time.Now()
	code, body = b.get(t, fmt.Sprintf("%sllhls_0.m3u8%s&_HLS_msn=%d&_HLS_part=%d", base, q, msn, idx))
	waited := time.Since(t0)
	require.Equal(t, http.StatusOK, code, string(body))
	bp := parseLL(t, string(body))
	require.Contains(t, bp.uris, bare(p.hint)+q, "the blocking reload returns once the hinted part is listed")
	require.Less(t, waited, 3*time.Second, "a 0.2 s part is listed well within the hold time")
	h := <-hinted
	require.Equal(t, http.StatusOK, h.code, "the preload hint is answered when the part is ready")
	require.NotEmpty(t, h.body)
	t.Logf("blocking reload for %s returned after %s", bare(p.hint), waited.Round(time.Millisecond))

	// Without _HLS_part: held until the next segment is complete.
	code, body = b.get(t, fmt.Sprintf("%sllhls_0.m3u8%s&_HLS_msn=%d", base, q, msn+1))
	require.Equal(t, http.StatusOK, code)
	bp = parseLL(t, string(body))
	found := false
	for _, s := range bp.segs {
		found = found || s.msn == msn+1 && s.uri != ""
	}
	require.True(t, found, "segment %d complete in:\n%s", msn+1, body)

	// The 400 rules, answered at once.
	for _, bad := range []string{"&_HLS_msn=" + strconv.Itoa(msn+10), "&_HLS_part=1", "&_HLS_msn=x",
		"&_HLS_msn=-1", fmt.Sprintf("&_HLS_msn=%d&_HLS_part=x", msn), "&_HLS_msn=1&_HLS_msn=2"} {
		t0 := time.Now()
		code, _ := b.get(t, base+"llhls_0.m3u8"+q+bad)
		require.Equal(t, http.StatusBadRequest, code, bad)
		require.Less(t, time.Since(t0), time.Second, bad)
	}

	// Parts of a complete segment add up to the segment byte for byte, and
	// the first one decodes on its own after the init segment.
	var done llSegView
	for _, s := range bp.segs {
		if s.uri != "" && len(s.parts) > 0 {
			done = s
		}
	}
	require.NotEmpty(t, done.parts, "a complete segment still lists its parts")
	var cat []byte
	for _, pt := range done.parts {
		code, part := b.get(t, base+pt.uri)
		require.Equal(t, http.StatusOK, code, pt.uri)
		cat = append(cat, part...)
	}
	code, seg := b.get(t, base+done.uri)
	require.Equal(t, http.StatusOK, code)
	require.True(t, bytes.Equal(seg, cat), "segment %d: parts (%d bytes) == segment (%d bytes)", done.msn, len(cat), len(seg))
	_, init := b.get(t, base+"init_0.m4s"+q)
	_, part0 := b.get(t, base+done.parts[0].uri)
	path := filepath.Join(t.TempDir(), "part.mp4")
	require.NoError(t, os.WriteFile(path, append(init, part0...), 0o600))
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	frames, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	require.Equal(t, 6, frames, "a 0.2 s part at 30 fps")

	// Parts are signed like everything else.
	code, _ = b.get(t, base+bare(done.parts[0].uri))
	require.Equal(t, http.StatusForbidden, code)
	other, err := b.svc.PlaybackURLs(b.srv.URL, "someotherid")
	require.NoError(t, err)
	code, _ = b.get(t, base+bare(done.parts[0].uri)+"?token="+tokenOf(t, other.HLS))
	require.Equal(t, http.StatusForbidden, code)
	code, _ = b.get(t, base+"llhls_0.m3u8?token="+tokenOf(t, other.HLS))
	require.Equal(t, http.StatusForbidden, code)

	// The regular playlist carries the same ingest clock.
	code, body = b.get(t, base+"media_0.m3u8"+q)
	require.Equal(t, http.StatusOK, code)
	reg := parseLL(t, string(body))
	require.Equal(t, done.pdt, reg.segs[done.msn-reg.seq].pdt, "same PDT for %s in both playlists", done.uri)

	// Follow the live edge with blocking reloads, as a player does. Parts
	// must come one at a time as ffmpeg cuts them (whole segments written at
	// once would bring ten per answer). How long after its last frame
	// reached the ingest each part is listed is logged, not asserted: with
	// the other live tests and the burners the transcoder itself falls
	// seconds behind real time (bench/latency.sh measures latency).
	var lat []time.Duration
	var fresh []int // new parts per answer
	seen := map[string]bool{}
	for _, s := range bp.segs {
		for _, pt := range s.parts {
			seen[pt.uri] = true
		}
	}
	follow := time.Now().Add(4 * time.Second)
	next := bp
	for time.Now().Before(follow) {
		m := llPartRe.FindStringSubmatch(bare(next.hint))
		require.NotNil(t, m)
		code, body := b.get(t, base+"llhls_0.m3u8"+q+"&_HLS_msn="+m[2]+"&_HLS_part="+m[3])
		now := time.Now()
		require.Equal(t, http.StatusOK, code)
		next = parseLL(t, string(body))
		n := 0
		for _, s := range next.segs {
			for _, pt := range s.parts {
				if !seen[pt.uri] {
					seen[pt.uri] = true
					n++
				}
			}
		}
		fresh = append(fresh, n)
		last := next.segs[len(next.segs)-1]
		if len(last.parts) == 0 {
			continue
		}
		end := 0.0
		for _, pt := range last.parts {
			end += pt.dur
		}
		lat = append(lat, now.Sub(last.pdt.Add(time.Duration(end*float64(time.Second)))))
	}
	slices.Sort(lat)
	slices.Sort(fresh)
	require.NotEmpty(t, lat)
	t.Logf("part listed after its last frame reached the ingest (2 CPU burners): n=%d min=%s median=%s max=%s; new parts per answer: %v",
		len(lat), lat[0].Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), fresh)
	require.GreaterOrEqual(t, len(fresh), 5, "blocking reloads return part by part")
	require.LessOrEqual(t, fresh[len(fresh)/2], 2, "parts are listed one at a time, as they are cut")

	// The end: the playlist ends, without parts or hint, and a blocking
	// request is answered at once.
	require.NoError(t, waitExit(t, pub, 20*time.Second))
	b.waitStream(t, st.ID, 20*time.Second, "ended", func(s Stream) bool { return s.Status == StatusEnded })
	testutil.PollUntil(t, 10*time.Second, "final LL-HLS playlist", func() bool {
		_, body := b.get(t, base+"llhls_0.m3u8"+q)
		p = parseLL(t, string(body))
		return p.ended
	})
	require.Empty(t, p.hint)
	for _, s := range p.segs {
		require.Empty(t, s.parts)
		require.NotEmpty(t, s.uri)
	}
	_, body = b.get(t, base+"media_0.m3u8"+q)
	reg = parseLL(t, string(body))
	require.Equal(t, len(reg.segs), len(p.segs), "the same segments as the regular playlist")
	t0 = time.Now()
	code, _ = b.get(t, fmt.Sprintf("%sllhls_0.m3u8%s&_HLS_msn=%d&_HLS_part=0", base, q, p.segs[len(p.segs)-1].msn+1))
	require.Equal(t, http.StatusOK, code)
	require.Less(t, time.Since(t0), time.Second)
}

// TestLLBlockingRules drives the blocking-reload and part rules on a
// stream fed by hand: 1 s segments, so the hold time is 3 s.
func TestLLBlockingRules(t *testing.T) {
	t.Parallel()
	testutil.BurnCPU(t, 2)
	l := newLLStream(llConfig{Dir: t.TempDir(), Reps: 2, Epoch: time.Unix(1_700_000_000, 0),
		SegmentSeconds: 1, PartSeconds: 0.2, WindowSegments: 10}, nil)
	serve := func(target string) (int, string, time.Duration) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/live/x/"+target, nil)
		t0 := time.Now()
		if strings.HasPrefix(target, "part_") {
			m := llPartRe.FindStringSubmatch(bare(target))
			rep, _ := strconv.Atoi(m[1])
			msn, _ := strconv.Atoi(m[2])
			idx, _ := strconv.Atoi(m[3])
			l.servePart(rec, req, rep, msn, idx)
		} else {
			l.servePlaylist(rec, req, 0, "token=T")
		}
		return rec.Code, rec.Body.String(), time.Since(t0)
	}
	add := func(msn, n int) {
		for range n {
			l.addPart(0, msn, fmt.Sprintf("seg_0_%05d.m4s", msn), float64(msn-1), llPart{data: []byte{byte(msn)}, dur: 0.2, independent: true})
		}
	}
	// async runs serve in the background; the channel yields its result.
	async := func(target string) chan [2]any {
		c := make(chan [2]any, 1)
		go func() {
			code, body, _ := serve(target)
			c <- [2]any{code, body}
		}()
		return c
	}
	pending := func(c chan [2]any) {
		t.Helper()
		select {
		case r := <-c:
			t.Fatalf("answered before the part existed: %v", r)
		case <-time.After(300 * time.Millisecond):
		}
	}

	code, _, _ := serve("llhls_0.m3u8")
	require.Equal(t, http.StatusNotFound, code, "nothing listed before the first part")
	add(1, 3)
	code, body, waited := serve("llhls_0.m3u8?_HLS_msn=1&_HLS_part=2")
	require.Equal(t, http.StatusOK, code)
	require.Less(t, waited, 500*time.Millisecond, "a listed part answers at once")
	require.Contains(t, body, `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_0_1_3.m4s?token=T"`)
	require.Contains(t, body, "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.000Z")

	// The next part: held until it is added.
	c := async("llhls_0.m3u8?_HLS_msn=1&_HLS_part=3")
	hint := async("part_0_1_3.m4s")
	pending(c)
	pending(hint)
	add(1, 1)
	r := <-c
	require.Equal(t, http.StatusOK, r[0])
	require.Contains(t, r[1], `URI="part_0_1_3.m4s?token=T"`)
	r = <-hint
	require.Equal(t, http.StatusOK, r[0])

	// A part index past the end of a complete segment means the next
	// segment's first part.
	l.finishSegment(0, 1)
	c = async("llhls_0.m3u8?_HLS_msn=1&_HLS_part=9")
	pending(c)
	add(2, 1)
	r = <-c
	require.Equal(t, http.StatusOK, r[0])
	require.Contains(t, r[1], "part_0_2_0.m4s")
	// Segment 2 is in progress: _HLS_msn=2 alone waits for it to complete.
	c = async("llhls_0.m3u8?_HLS_msn=2")
	pending(c)
	l.finishSegment(0, 2)
	r = <-c
	require.Equal(t, http.StatusOK, r[0])
	require.Contains(t, r[1], "seg_0_00002.m4s")

	// Too far ahead or malformed: 400 at once.
	for _, bad := range []string{"?_HLS_msn=5", "?_HLS_msn=2&_HLS_part=99", "?_HLS_part=0", "?_HLS_msn=a", "?_HLS_msn=2&_HLS_part=-1"} {
		code, _, waited := serve("llhls_0.m3u8" + bad)
		require.Equal(t, http.StatusBadRequest, code, bad)
		require.Less(t, waited, 500*time.Millisecond)
	}
	// Nothing comes: 503 after three target durations (3 s here).
	code, _, waited = serve("llhls_0.m3u8?_HLS_msn=3&_HLS_part=0")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.GreaterOrEqual(t, waited, 3*time.Second)
	require.Less(t, waited, 5*time.Second)
	// Parts: listed ones are served, old or far ones are 404 at once.
	code, _, _ = serve("part_0_2_0.m4s")
	require.Equal(t, http.StatusOK, code)
	for _, gone := range []string{"part_0_1_9.m4s", "part_0_9_0.m4s", "part_0_3_99.m4s"} {
		code, _, waited := serve(gone)
		require.Equal(t, http.StatusNotFound, code, gone)
		require.Less(t, waited, 500*time.Millisecond)
	}

	// The end answers waiting requests with the final playlist.
	c = async("llhls_0.m3u8?_HLS_msn=3&_HLS_part=0")
	hint = async("part_0_3_0.m4s")
	pending(c)
	done := make(chan struct{})
	close(done)
	l.run(context.Background(), done) // no files: the tails end at once, the stream ends
	r = <-c
	require.Equal(t, http.StatusOK, r[0])
	require.Contains(t, r[1], "#EXT-X-ENDLIST")
	require.NotContains(t, r[1], "#EXT-X-PART")
	require.NotContains(t, r[1], "PRELOAD-HINT")
	r = <-hint
	require.Equal(t, http.StatusNotFound, r[0])
}

// TestLLFallback: a node without the broadcast's LL-HLS state (another
// node, or the ingest node after a restart) answers the LL-HLS names with
// the regular playlists, signed, so a player given ll_hls plays regular
// HLS instead of waiting on 404s; parts are 404.
func TestLLFallback(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	st, err := b.svc.Create(context.Background(), "fallback", "")
	require.NoError(t, err)
	dir := filepath.Join(b.svc.cfg.Dir, "out", st.ID)
	require.NoError(t, os.MkdirAll(dir, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(dir, masterName),
		[]byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nmedia_0.m3u8\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "media_0.m3u8"),
		[]byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init_0.m4s\"\n#EXTINF:2,\nseg_0_00001.m4s\n"), 0o600))
	pb, err := b.svc.PlaybackURLs(b.srv.URL, st.ID)
	require.NoError(t, err)
	tok := tokenOf(t, pb.HLS)
	code, body := b.get(t, pb.LLHLS)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), "media_0.m3u8?token="+tok)
	code, body = b.get(t, b.srv.URL+"/live/"+st.ID+"/llhls_0.m3u8?token="+tok)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), "seg_0_00001.m4s?token="+tok)
	require.Contains(t, string(body), `URI="init_0.m4s?token=`+tok)
	code, _ = b.get(t, b.srv.URL+"/live/"+st.ID+"/part_0_1_0.m4s?token="+tok)
	require.Equal(t, http.StatusNotFound, code)
	code, _ = b.get(t, b.srv.URL+"/live/"+st.ID+"/llhls_0.m3u8")
	require.Equal(t, http.StatusForbidden, code, "unsigned")
}
