//go:build e2e

package e2e

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestProgressiveWorkerKilled: on PostgreSQL + S3 with two workers (default
// settings, beside two busy cores), a viewer plays a video from its first
// segment while its later chunks are still encoding, fetching every planned
// segment of the first listed (lowest) rung and of the audio in order as a
// player does: a 503 is retried after its Retry-After. One worker is
// SIGKILLed while it holds a chunk job. The viewer never gets a 4xx, no
// segment keeps it waiting longer than the lease recovery (the chunk runs
// again within 30 s, as TestScaleOut bounds it) plus the chunk's encode
// (45 s in all; 23-28 s measured), and every segment it got early as
// immutable has the bytes of the ready video.
func TestProgressiveWorkerKilled(t *testing.T) {
	c := startCluster(t)
	api := c.api
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 12, Video: true, Audio: true})
	id, upload := createVideo(t, api.base, "progressive cluster")
	code, body := putFile(t, upload, clip)
	require.Less(t, code, 300, body)

	var v struct {
		Status   string
		Playback struct{ HLS string }
	}
	testutil.PollUntil(t, 2*time.Minute, "the video is playable", func() bool {
		require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, api.base+"/api/v1/videos/"+id, nil, &v))
		require.NotEqual(t, "failed", v.Status)
		return v.Playback.HLS != ""
	})
	require.Equal(t, "processing", v.Status, "playable before ready")
	base := v.Playback.HLS[:strings.Index(v.Playback.HLS, "master.m3u8")]
	master := fetch(t, v.Playback.HLS)
	variant := regexp.MustCompile(`(?m)^#EXT-X-STREAM-INF:.*\n(\S+)$`).FindStringSubmatch(master)
	audio := regexp.MustCompile(`URI="(a0/index\.m3u8[^"]*)"`).FindStringSubmatch(master)
	require.NotNil(t, variant, master)
	require.NotNil(t, audio, master)
	var urls []string
	for _, pl := range []string{variant[1], audio[1]} {
		dir := base + pl[:strings.Index(pl, "index.m3u8")]
		query := pl[strings.Index(pl, "?"):]
		text := fetch(t, base+pl)
		init := regexp.MustCompile(`#EXT-X-MAP:URI="([^"]+)"`).FindStringSubmatch(text)
		require.NotNil(t, init, text)
		urls = append(urls, dir+init[1]+withQuery(init[1], query))
		for _, seg := range regexp.MustCompile(`(?m)^(seg_\d+\.m4s\S*)$`).FindAllString(text, -1) {
			urls = append(urls, dir+seg+withQuery(seg, query))
		}
	}
	require.Greater(t, len(urls), 20, "12 s in 1 s segments, video and audio")

	// The viewer: every segment in order, retrying 503s, never a 4xx.
	type got struct {
		url, cache string
		body       []byte
	}
	var (
		mu       sync.Mutex
		longest  time.Duration
		longURL  string
		status   = map[int]int{}
		received []got
	)
	viewerDone := make(chan struct{})
	go func() {
		defer close(viewerDone)
		client := &http.Client{Timeout: time.Minute}
		for _, u := range urls {
			start := time.Now()
			for {
				resp, err := client.Get(u)
				if err != nil {
					time.Sleep(time.Second)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				status[resp.StatusCode]++
				mu.Unlock()
				if resp.StatusCode == http.StatusServiceUnavailable {
					time.Sleep(time.Second) // Retry-After: 1
					continue
				}
				mu.Lock()
				if d := time.Since(start); d > longest {
					longest, longURL = d, u
				}
				if resp.StatusCode == http.StatusOK {
					received = append(received, got{u, resp.Header.Get("Cache-Control"), b})
				}
				mu.Unlock()
				break
			}
			if time.Since(start) > 2*time.Minute {
				return
			}
		}
	}()

	// Kill whichever worker holds a chunk job while the viewer plays.
	victim, _ := waitRunningChunk(t, api.base, id, c.w1, c.w2)
	require.NoError(t, victim.cmd.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	<-victim.done
	select {
	case <-viewerDone:
	case <-time.After(4 * time.Minute):
		t.Fatal("the viewer did not get every segment within 4 minutes")
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("viewer: %d segments, answers %v, longest wait %.1f s (%s), done %.1f s after SIGKILL",
		len(received), status, longest.Seconds(), longURL[strings.LastIndex(longURL[:strings.Index(longURL, "?")], "/")-2:strings.Index(longURL, "?")],
		time.Since(killed).Seconds())
	for code, n := range status {
		require.False(t, code >= 400 && code < 500, "the viewer got %d %d times", code, n)
	}
	require.Len(t, received, len(urls), "every segment served")
	// The lease recovery (the dead worker's chunk runs again within 30 s,
	// TestScaleOut) plus that chunk's encode on two busy cores.
	require.Less(t, longest, 45*time.Second, "the viewer stalled on one segment for longer than the lease recovery and an encode")
	lost := false
	for _, j := range videoJobs(t, api.base, id) {
		lost = lost || j.Kind == "encode_chunk" && j.WorkersLost > 0
	}
	require.True(t, lost, "the killed worker's chunk ran again elsewhere")

	// Immutable segments: the bytes served early (after a wait too: an S3
	// body read after the wait's context ended came out empty) are the
	// ready video's; a segment served from a preview (encoded on its own
	// ahead of its chunk or of the audio track, pipeline/preview.go) says
	// so with a short cache.
	waitStatus(t, api.base, id, "ready", 3*time.Minute)
	previews := 0
	for _, g := range received {
		if g.cache == "private, no-cache" {
			previews++
			require.NotEmpty(t, g.body, "%s: preview served empty", g.url)
			continue
		}
		require.Contains(t, g.cache, "immutable", g.url)
		resp, err := http.Get(g.url)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, g.url)
		name := g.url[:strings.Index(g.url, "?")]
		require.NotEmpty(t, g.body, "%s served empty", name)
		require.True(t, bytes.Equal(b, g.body), "%s: served early with other bytes than the ready video's (%d bytes, now %d)", name, len(g.body), len(b))
	}
	t.Logf("%d of %d segments served from previews", previews, len(received))
}

// withQuery appends the playlist's query (the signed token) to a segment
// URI that has none of its own.
func withQuery(uri, query string) string {
	if strings.Contains(uri, "?") {
		return ""
	}
	return query
}
