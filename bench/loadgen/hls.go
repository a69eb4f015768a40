package main

// loadgen hls simulates HLS viewers:
//
//	loadgen hls -urls FILE [-viewers 1000] [-d 60s] [-ramp 5s] [-buffer 30s]
//
// FILE holds signed master playlist URLs, one a line; viewer i plays
// URL i mod n. Each viewer has its own keep-alive connection and behaves
// like a player: master playlist, one video rendition (viewers spread over
// the variants) and the audio rendition if there is one, both init
// sections, then segments, fetched as fast as the server answers until
// -buffer seconds are buffered ahead of the play clock, then one segment
// per segment duration. At the end of the video it waits for playback to
// finish and starts again from the master playlist (a new session).
//
// Every request must answer 200 with its full body; anything else is an
// error and the command exits non-zero. Requests cut off by the end of -d
// count for nothing. It prints one key=value line with request counts,
// throughput and latency percentiles (time to the last body byte).

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func runHLS(args []string) error {
	flags := flag.NewFlagSet("hls", flag.ExitOnError)
	urlsFile := flags.String("urls", "", "file with one signed master playlist URL a line")
	viewers := flags.Int("viewers", 1000, "concurrent viewers")
	dur := flags.Duration("d", 60*time.Second, "how long the viewers watch")
	ramp := flags.Duration("ramp", 5*time.Second, "viewers start evenly spread over this")
	buffer := flags.Duration("buffer", 30*time.Second, "how far ahead of the play clock a viewer fetches (hls.js default: 30 s)")
	timeout := flags.Duration("timeout", 30*time.Second, "per-request timeout")
	_ = flags.Parse(args)

	masters, err := readLines(*urlsFile)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	st := &hlsStats{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range *viewers {
		delay := time.Duration(int64(*ramp) * int64(i) / int64(max(1, *viewers)))
		wg.Go(func() {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			tr := &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true, IdleConnTimeout: 2 * time.Minute}
			defer tr.CloseIdleConnections()
			v := &viewer{id: i, client: &http.Client{Transport: tr, Timeout: *timeout}, buffer: *buffer, stats: st}
			v.watch(ctx, masters[i%len(masters)])
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()

	lat := st.latencies()
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)].Microseconds()) / 1000
	}
	fmt.Printf("viewers=%d started=%d sessions=%d seconds=%.1f requests=%d errors=%d rps=%.1f mbps=%.1f "+
		"p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
		*viewers, st.started.Load(), st.sessions.Load(), secs, len(lat), st.errors.Load(),
		float64(len(lat))/secs, float64(st.bytes.Load())/secs/1e6, pct(0.50), pct(0.90), pct(0.99), pct(1))
	if n := st.errors.Load(); n > 0 {
		return fmt.Errorf("%d failed requests, first: %v", n, st.firstErr.Load())
	}
	if int(st.started.Load()) != *viewers {
		return fmt.Errorf("only %d of %d viewers got their first segment", st.started.Load(), *viewers)
	}
	return nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no URLs in %s", path)
	}
	return out, errors.Join(err, sc.Err())
}

// hlsStats is shared by all viewers.
type hlsStats struct {
	mu       sync.Mutex
	lat      []time.Duration
	bytes    atomic.Int64
	errors   atomic.Int64
	started  atomic.Int64 // viewers that got their first media segment
	sessions atomic.Int64 // plays started from the master playlist
	firstErr atomic.Value
}

func (s *hlsStats) add(lat []time.Duration) {
	s.mu.Lock()
	s.lat = append(s.lat, lat...)
	s.mu.Unlock()
}

func (s *hlsStats) latencies() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.lat)
	return s.lat
}

type viewer struct {
	id     int
	client *http.Client
	buffer time.Duration
	stats  *hlsStats
	lat    []time.Duration
	began  bool
}

// track is one media playlist a viewer follows.
type track struct {
	init     *url.URL
	segments []*url.URL
	durs     []time.Duration
}

func (v *viewer) watch(ctx context.Context, master string) {
	defer func() { v.stats.add(v.lat) }()
	for ctx.Err() == nil {
		if err := v.session(ctx, master); err != nil {
			if ctx.Err() != nil {
				return // cut off by the end of the run
			}
			v.stats.errors.Add(1)
			v.stats.firstErr.CompareAndSwap(nil, fmt.Errorf("viewer %d: %w", v.id, err))
			// A real player would retry; wait a little so one broken
			// viewer cannot spin.
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

// session plays the video once from the master playlist.
func (v *viewer) session(ctx context.Context, master string) error {
	v.stats.sessions.Add(1)
	mu, err := url.Parse(master)
	if err != nil {
		return err
	}
	body, err := v.get(ctx, mu)
	if err != nil {
		return err
	}
	variants, audio := parseMaster(mu, body)
	if len(variants) == 0 {
		return fmt.Errorf("master playlist without variants: %q", body)
	}
	playlists := []*url.URL{variants[v.id%len(variants)]}
	if audio != nil {
		playlists = append(playlists, audio)
	}
	var tracks []track
	for _, p := range playlists {
		body, err := v.get(ctx, p)
		if err != nil {
			return err
		}
		tr, err := parseMedia(p, body)
		if err != nil {
			return err
		}
		tracks = append(tracks, tr)
	}
	for _, tr := range tracks {
		if tr.init != nil {
			if _, err := v.get(ctx, tr.init); err != nil {
				return err
			}
		}
	}
	// The play clock starts with the first segment; the first track's
	// durations drive buffering (audio segments line up with video ones).
	var playStart time.Time
	var buffered time.Duration
	for i := range tracks[0].segments {
		if !playStart.IsZero() {
			if wait := buffered - time.Since(playStart) - v.buffer; wait > 0 {
				if err := sleep(ctx, wait); err != nil {
					return err
				}
			}
		}
		for _, tr := range tracks {
			if i < len(tr.segments) {
				if _, err := v.get(ctx, tr.segments[i]); err != nil {
					return err
				}
			}
		}
		if playStart.IsZero() {
			playStart = time.Now()
			if !v.began {
				v.began = true
				v.stats.started.Add(1)
			}
		}
		buffered += tracks[0].durs[i]
	}
	// Watch to the end before starting again.
	return sleep(ctx, buffered-time.Since(playStart))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// get fetches u and requires a 200 with the whole body (Content-Length
// bytes when the server sent one).
func (v *viewer) get(ctx context.Context, u *url.URL) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	res, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body []byte
	if strings.HasSuffix(u.Path, ".m3u8") {
		body, err = io.ReadAll(io.LimitReader(res.Body, 1<<20))
	} else {
		var n int64
		n, err = io.Copy(io.Discard, res.Body)
		body = nil
		if err == nil && res.ContentLength >= 0 && n != res.ContentLength {
			err = fmt.Errorf("%s: %d of %d bytes", u.Path, n, res.ContentLength)
		}
		v.stats.bytes.Add(n)
	}
	switch {
	case err != nil:
		return nil, err
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: %s", u.Path, res.Status)
	}
	v.lat = append(v.lat, time.Since(t0))
	return body, nil
}

// parseMaster returns the variant playlists and the first audio rendition
// of a multivariant playlist, resolved against base.
func parseMaster(base *url.URL, body []byte) (variants []*url.URL, audio *url.URL) {
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "#EXT-X-MEDIA:") && strings.Contains(line, "TYPE=AUDIO") && audio == nil:
			if uri := attr(line, "URI"); uri != "" {
				audio = resolve(base, uri)
			}
		case !strings.HasPrefix(line, "#"):
			variants = append(variants, resolve(base, line))
		}
	}
	return variants, audio
}

// parseMedia reads a media playlist's init section and segments.
func parseMedia(base *url.URL, body []byte) (track, error) {
	var tr track
	var dur time.Duration = -1
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			tr.init = resolve(base, attr(line, "URI"))
		case strings.HasPrefix(line, "#EXTINF:"):
			s, _, _ := strings.Cut(strings.TrimPrefix(line, "#EXTINF:"), ",")
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return track{}, fmt.Errorf("bad EXTINF %q", line)
			}
			dur = time.Duration(f * float64(time.Second))
		case line != "" && !strings.HasPrefix(line, "#"):
			if dur < 0 {
				return track{}, fmt.Errorf("segment %q without EXTINF", line)
			}
			tr.segments = append(tr.segments, resolve(base, line))
			tr.durs = append(tr.durs, dur)
			dur = -1
		}
	}
	if len(tr.segments) == 0 {
		return track{}, fmt.Errorf("media playlist %s without segments", base.Path)
	}
	return tr, nil
}

// attr returns a quoted attribute's value from a tag line.
func attr(line, name string) string {
	i := strings.Index(line, name+`="`)
	if i < 0 {
		return ""
	}
	rest := line[i+len(name)+2:]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		return ""
	}
	return rest[:end]
}

func resolve(base *url.URL, ref string) *url.URL {
	r, err := url.Parse(ref)
	if err != nil {
		return base // fails visibly: the playlist is fetched again as a segment
	}
	return base.ResolveReference(r)
}
