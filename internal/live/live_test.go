package live

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
)

// bundle is one running live service with an HTTP server and a recorder
// that checks and remembers what it was handed.
type bundle struct {
	svc  *Service
	srv  *httptest.Server
	keys *auth.Keys

	mu      sync.Mutex
	records []recorded
	logs    lockedBuffer // everything the service and its ffmpeg runner logged, debug included
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type recorded struct {
	title    string
	duration float64 // ffprobe's, of the top rendition's segments joined, measured inside the callback
	source   float64 // ffprobe's, of the kept input
	tracks   int
}

func setup(t *testing.T, tweak func(*Config)) *bundle {
	t.Helper()
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	require.NoError(t, err)
	b := &bundle{keys: keys}
	cfg := DefaultConfig()
	cfg.Dir = t.TempDir()
	cfg.SRTAddr, cfg.RTMPAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Grace = 2 * time.Second
	cfg.Ladder.Heights = []int{720, 360, 240}
	cfg.Ladder.Preset = "ultrafast" // two cores run two broadcasts plus publishers in parallel
	cfg.ProbeTimeout = 3 * time.Second
	if tweak != nil {
		tweak(&cfg)
	}
	record := func(ctx context.Context, rec Recording) (string, error) {
		if len(rec.Tracks) == 0 {
			return "", fmt.Errorf("no tracks")
		}
		top := rec.Tracks[0]
		joined := filepath.Join(t.TempDir(), "top.mp4")
		var data []byte
		for _, name := range append([]string{top.Init}, top.Segments...) {
			b, err := os.ReadFile(name)
			if err != nil {
				return "", err
			}
			data = append(data, b...)
		}
		if err := os.WriteFile(joined, data, 0o600); err != nil {
			return "", err
		}
		d, err := probeDuration(ctx, joined)
		if err != nil {
			return "", err
		}
		src, err := probeDuration(ctx, rec.Source)
		if err != nil {
			return "", err
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.records = append(b.records, recorded{rec.Title, d, src, len(rec.Tracks)})
		return fmt.Sprintf("vod%d", len(b.records)), nil
	}
	log := slog.New(slog.NewTextHandler(&b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b.svc, err = New(cfg, ffmpeg.NewRunner("", "", log), keys, record, log, nil)
	require.NoError(t, err)
	require.NoError(t, b.svc.Start(context.Background()))
	b.srv = httptest.NewServer(b.svc.Handler())
	t.Cleanup(func() {
		b.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, b.svc.Stop(ctx))
	})
	return b
}

func probeDuration(ctx context.Context, path string) (float64, error) {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries", "format=duration",
		"-of", "csv=p=0", path).Output()
	if err != nil {
		return 0, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
}

// publish starts ffmpeg sending a generated 640x360 test stream to url in
// real time (-re) for secs seconds.
func publish(t *testing.T, url, format string, secs int) *exec.Cmd {
	t.Helper()
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.Itoa(secs),
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "96k", "-f", format, url}
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// waitExit waits for cmd with a bound and returns its error.
func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("ffmpeg publisher still running after %s", within)
		return nil
	}
}

func (b *bundle) get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// waitStream polls until cond holds for the stream.
func (b *bundle) waitStream(t *testing.T, id string, within time.Duration, what string, cond func(Stream) bool) Stream {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, err := b.svc.Get(context.Background(), id)
		require.NoError(t, err)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s: %s not reached within %s; last state %+v", id, what, within, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var (
	extinf   = regexp.MustCompile(`#EXTINF:([0-9.]+)`)
	mediaSeq = regexp.MustCompile(`#EXT-X-MEDIA-SEQUENCE:(\d+)`)
)

// playlist is what a poll of a media playlist saw.
type playlist struct {
	seq      int       // media sequence of the first listed segment
	segments []string  // segment URIs (with token)
	durs     []float64 // their EXTINF
	ended    bool
}

func parsePlaylist(body string) playlist {
	var p playlist
	if m := mediaSeq.FindStringSubmatch(body); m != nil {
		p.seq, _ = strconv.Atoi(m[1])
	}
	for _, m := range extinf.FindAllStringSubmatch(body, -1) {
		d, _ := strconv.ParseFloat(m[1], 64)
		p.durs = append(p.durs, d)
	}
	for _, line := range strings.Split(body, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			p.segments = append(p.segments, line)
		}
	}
	p.ended = strings.Contains(body, "#EXT-X-ENDLIST")
	return p
}

// watch polls the first video media playlist every 100 ms until the
// broadcast's playlist ends, recording when each segment first appeared.
// It returns the latency of each segment: availability time minus the
// wall-clock time its last frame was sent by the real-time publisher
// (broadcast start + media end time). Player buffering comes on top.
type watchResult struct {
	firstSegment time.Duration // from broadcast start to the first listed segment
	latencies    []time.Duration
	maxSeq       int
	last         playlist
}

func (b *bundle) watch(t *testing.T, base string, start time.Time, until func() bool) watchResult {
	t.Helper()
	var res watchResult
	seen := map[int]bool{}
	ends := map[int]float64{} // media sequence → end time in media seconds
	deadline := time.Now().Add(45 * time.Second)
	for !until() {
		if time.Now().After(deadline) {
			t.Fatalf("playlist %s did not end", base)
		}
		code, body := b.get(t, base)
		if code == http.StatusOK {
			p := parsePlaylist(string(body))
			now := time.Now()
			for i := range p.segments {
				seq := p.seq + i
				if seen[seq] {
					continue
				}
				seen[seq] = true
				end := p.durs[i]
				if prev, ok := ends[seq-1]; ok {
					end += prev
				} else if seq == 1 {
					res.firstSegment = now.Sub(start)
				}
				ends[seq] = end
				if seq > 1 || len(seen) == 1 {
					res.latencies = append(res.latencies, now.Sub(start)-time.Duration(end*float64(time.Second)))
				}
				res.maxSeq = max(res.maxSeq, seq)
			}
			res.last = p
			if p.ended {
				return res
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return res
}

// checkSegmentDecodes downloads init and one media segment through the
// handler and decodes them with ffprobe.
func (b *bundle) checkSegmentDecodes(t *testing.T, id, rid, segURI, token string) {
	t.Helper()
	_, init := b.get(t, b.srv.URL+"/live/"+id+"/init_"+rid+".m4s?token="+token)
	code, seg := b.get(t, b.srv.URL+"/live/"+id+"/"+segURI)
	require.Equal(t, http.StatusOK, code, segURI)
	path := filepath.Join(t.TempDir(), "seg.mp4")
	require.NoError(t, os.WriteFile(path, append(init, seg...), 0o600))
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=width,height,nb_read_frames", "-of", "json", path).Output()
	require.NoError(t, err)
	var pr struct {
		Streams []struct {
			Width, Height int
			Frames        string `json:"nb_read_frames"`
		}
	}
	require.NoError(t, json.Unmarshal(out, &pr))
	require.Len(t, pr.Streams, 1)
	n, _ := strconv.Atoi(pr.Streams[0].Frames)
	require.Greater(t, n, 30, "a 2 s segment at 30 fps decodes to about 60 frames")
}

func tokenOf(t *testing.T, playbackURL string) string {
	t.Helper()
	_, q, ok := strings.Cut(playbackURL, "?token=")
	require.True(t, ok)
	return q
}

func summarize(lat []time.Duration) string {
	if len(lat) == 0 {
		return "none"
	}
	lo, hi, sum := lat[0], lat[0], time.Duration(0)
	for _, l := range lat {
		lo, hi, sum = min(lo, l), max(hi, l), sum+l
	}
	return fmt.Sprintf("n=%d min=%s avg=%s max=%s", len(lat), lo.Round(10*time.Millisecond),
		(sum / time.Duration(len(lat))).Round(10*time.Millisecond), hi.Round(10*time.Millisecond))
}
