package pipeline

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/testutil"
)

// TestProgressivePlayback holds every chunk but the first at its first
// write to the store, and the first chunk's top rung (encoded in a second
// pass, after the lowest) at its first segment, and checks that the video
// is playable after the first pass, starting on the lowest rung, with the
// other rungs' init segments (from their first frames, the bytes packaging
// writes):
// playable_at and video.playable, manifests for the whole duration with a
// short cache, the first chunk's segments served, and a segment far ahead
// waited for (not 404) while its chunk goes to the front of the queue and
// is encoded before the chunk queued ahead of it, and served meanwhile from
// a preview of that segment alone (with a short cache), all beside CPU
// load. Once ready, every
// segment served early has the bytes packaging published.
func TestProgressivePlayback(t *testing.T) {
	t.Parallel()
	testutil.BurnCPU(t, 2) // a viewer's wait matters on a busy machine
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 10, FPS: 30, Audio: true, Video: true})
	release, releaseTop := make(chan struct{}), make(chan struct{})
	var (
		mu    sync.Mutex
		early = map[string][]byte{} // media keys stored before packaging
		// media files stored again before packaging with other bytes (the
		// audio's first segments come from the probe, then the audio job)
		rewritten []string
		order     []int // chunk jobs by their first store write
		events    []string
		// media keys stored when the video became playable
		atPlayable []string
	)
	b := setup(t, 1, func(c *Config, b *bundle) {
		c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 1, 2
		// The first segment cut short, as kinema serve's ladder does: the
		// segments its grid makes must be those packaging writes.
		c.Ladder.FirstSegmentSeconds = 0.5
		c.Ladder.Heights = []int{180, 144, 120}
		c.Events = func(ctx context.Context, tx *queue.Tx, event string, v media.Video) error {
			mu.Lock()
			events = append(events, event)
			if event == EventVideoPlayable {
				for key := range early {
					atPlayable = append(atPlayable, strings.SplitN(key, "/", 3)[2]) // media/<id>/
				}
			}
			mu.Unlock()
			return nil
		}
		b.store.beforePut = func(ctx context.Context, key string, data []byte) error {
			info, _ := ctx.Value(jobKey{}).(jobInfo)
			mu.Lock()
			if info.kind == KindChunk && !containsInt(order, info.index) {
				order = append(order, info.index)
			}
			if strings.HasPrefix(key, "media/") && info.kind != KindPackage {
				if prev, ok := early[key]; ok && !bytes.Equal(prev, data) && !strings.HasSuffix(key, ".m3u8") && !strings.HasSuffix(key, ".mpd") {
					rewritten = append(rewritten, key)
				}
				early[key] = data
			}
			mu.Unlock()
			hold := release
			if info.kind == KindChunk && info.index == 0 {
				hold = nil
				if strings.Contains(key, "/v0/") && strings.HasSuffix(key, ".m4s") {
					hold = releaseTop
				}
			}
			if info.kind == KindChunk && hold != nil {
				select {
				case <-hold:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}
	})
	ctx := context.Background()
	v := b.waitPlayable(t, b.upload(t, src))
	plan, ref := b.plan(t, v.ID)
	require.GreaterOrEqual(t, len(plan.Chunks), 4)
	require.Equal(t, 15, plan.FirstSegmentFrames)
	require.Contains(t, b.logs.String(), "first pass encoded beside the probe")
	testutil.PollUntil(t, time.Minute, "the audio's first segments from the probe", func() bool {
		return strings.Contains(b.logs.String(), "audio: first segments published from the probe")
	})

	// Delivery, as kinema serve wires it.
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	require.NoError(t, err)
	prioritized := make(chan int, 4)
	h := delivery.NewHandlerOptions(b.store, keys, func(ctx context.Context, id string) (delivery.Gate, error) {
		g, err := b.cat.PlaybackGate(ctx, id)
		return delivery.Gate(g), err
	}, nil, nil, delivery.Options{
		PublishedTTL: -1,
		SegmentWait:  2 * time.Minute, // a busy machine; the test ends the wait itself
		PrioritizeFunc: func(ctx context.Context, id string, chunk, seg int, rendition string) (string, error) {
			prioritized <- chunk
			return b.pipes[0].Prioritize(ctx, id, chunk, seg, rendition)
		},
	})
	pb, err := delivery.PlaybackURLs("http://kinema.test", keys, v.ID, v.Kind, time.Hour, time.Now())
	require.NoError(t, err)
	token := pb.HLS[strings.Index(pb.HLS, "?"):]
	get := func(rel string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/media/"+v.ID+"/"+rel+token, nil))
		return rec
	}

	// Manifests for the whole duration, not kept by caches.
	for _, name := range []string{"master.m3u8", "manifest.mpd", "v0/index.m3u8", "v1/index.m3u8", "a0/index.m3u8"} {
		rec := get(name)
		require.Equal(t, http.StatusOK, rec.Code, name)
		require.Equal(t, "private, no-cache", rec.Header().Get("Cache-Control"), name)
	}
	pl, err := manifest.ParseMediaPlaylist(get("v0/index.m3u8").Body)
	require.NoError(t, err)
	require.Len(t, pl.Segments, plan.VideoSegmentCount())
	require.InDelta(t, 10, pl.Duration(), 0.05)
	// Every rung with its codecs (the top one's from its first frames),
	// the lowest listed first: players start there.
	master := get("master.m3u8").Body.String()
	require.Equal(t, len(plan.Video), strings.Count(master, `CODECS="avc1.64`), master)
	require.Len(t, plan.Video, 3)
	require.Contains(t, master, "#EXT-X-STREAM-INF:BANDWIDTH="+fmt.Sprint(plan.Video[2].MaxRate+plan.Audio[0].Bitrate), master)
	require.Less(t, strings.Index(master, "v2/index.m3u8"), strings.Index(master, "v0/index.m3u8"), master)
	// Playable after the first chunk's first pass: its lowest rung, with
	// every rung's codecs from the plan (the others' init segments come
	// from their first frames, beside it, or from the second pass).
	mu.Lock()
	require.Contains(t, atPlayable, "v2/seg_00000.m4s")
	require.NotContains(t, atPlayable, "v1/seg_00000.m4s", "the first pass had more than the lowest rung")
	require.NotContains(t, atPlayable, "v0/seg_00000.m4s", "the first pass had more than the lowest rung")
	mu.Unlock()
	// The second rung follows; the top one after it.
	for _, r := range plan.Video[1:] {
		for _, f := range []string{"init.mp4", "seg_00000.m4s"} {
			require.Equal(t, http.StatusOK, get(r.ID+"/"+f).Code, r.ID+"/"+f)
		}
	}
	require.Equal(t, http.StatusOK, get("v0/init.mp4").Code)
	close(releaseTop)
	for _, f := range []string{"init.mp4", "seg_00000.m4s"} {
		require.Equal(t, http.StatusOK, get("v0/"+f).Code, "v0/"+f)
	}
	for len(prioritized) > 0 { // the wait for v0 asked for chunk 0
		require.Equal(t, 0, <-prioritized)
	}
	// Not a file of the plan: 404 at once, no waiting.
	require.Equal(t, http.StatusNotFound, get("v0/seg_09999.m4s").Code)

	// A segment far ahead, the second of the last chunk, in the top rung:
	// the viewer waits, the chunk jumps the queue, and the segment alone
	// is encoded ahead of it (a preview), served while every chunk but the
	// first is still held at its first write.
	last := len(plan.Chunks) - 1
	first, n := plan.ChunkSegments(last)
	require.Equal(t, 2, n)
	seg := fmt.Sprintf("v0/seg_%05d.m4s", first+1)
	served := make(chan *httptest.ResponseRecorder, 1)
	go func() { served <- get(seg) }()
	select {
	case c := <-prioritized:
		require.Equal(t, last, c)
	case rec := <-served:
		t.Fatalf("segment answered %d before it was encoded", rec.Code)
	}
	var rec *httptest.ResponseRecorder
	select {
	case rec = <-served:
	case <-time.After(3 * time.Minute):
		t.Fatal("the waiting request never ended")
	}
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "private, no-cache", rec.Header().Get("Cache-Control"), "a preview is not immutable")
	preview := rec.Body.Bytes()
	mu.Lock()
	for key := range early {
		if !strings.HasPrefix(strings.TrimPrefix(key, "media/"+v.ID+"/"), "v") {
			continue // audio
		}
		for _, c := range plan.Chunks[1:] {
			f, n := plan.ChunkSegments(c.Index)
			for s := f; s < f+n; s++ {
				require.False(t, strings.HasSuffix(key, fmt.Sprintf("/seg_%05d.m4s", s)), "%s published by its held chunk", key)
			}
		}
	}
	mu.Unlock()
	// Logged once stored: delivery may serve it first.
	testutil.PollUntil(t, 10*time.Second, "preview published logged", func() bool {
		return strings.Contains(b.logs.String(), "preview published")
	})
	require.Contains(t, b.logs.String(), "chunk moved to the front of the queue")
	// The preview plays on the rung's init segment: the segment's frames,
	// at its place on the timeline.
	requirePreviewFits(t, get("v0/init.mp4").Body.Bytes(), preview, plan, first+1)
	close(release)

	testutil.PollUntil(t, 3*time.Minute, "video ready", func() bool {
		v, _ = b.cat.Video(ctx, v.ID)
		return v.Status == media.StatusReady || v.Status == media.StatusFailed
	})
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	require.NotNil(t, v.PlayableAt)
	require.NotNil(t, v.ReadyAt)
	require.False(t, v.ReadyAt.Before(*v.PlayableAt))

	// Not held past these checks: publish still writes to the store
	// (through beforePut) after the video is ready.
	mu.Lock()
	// The chunk a viewer waited for ran before the one queued ahead of it.
	require.Equal(t, 0, order[0])
	require.Less(t, chunkPos(order, last), chunkPos(order, last-1), "encode order %v", order)
	require.Equal(t, []string{EventUploadCompleted, EventVideoPlayable, EventVideoReady}, events)
	mu.Unlock()

	// Ready: the segment itself replaces the preview, immutable; previews
	// went with the work files.
	final, err := os.ReadFile(filepath.Join(b.dir, "media", v.ID, filepath.FromSlash(seg)))
	require.NoError(t, err)
	rec = get(seg)
	require.True(t, bytes.Equal(final, rec.Body.Bytes()))
	require.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
	removed := func() bool {
		_, err := os.Stat(filepath.Join(b.dir, filepath.FromSlash(previewKey(ref, "v0", first+1))))
		return errors.Is(err, os.ErrNotExist)
	}
	for deadline := time.Now().Add(3 * time.Minute); !removed() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !removed() {
		var lines []string
		for _, l := range strings.Split(b.logs.String(), "\n") {
			if strings.Contains(l, "preview") || strings.Contains(l, "cleanup") || strings.Contains(l, "published") || strings.Contains(l, "WARN") || strings.Contains(l, "ERROR") {
				lines = append(lines, l)
			}
		}
		var files []string
		_ = filepath.WalkDir(filepath.Join(b.dir, "work"), func(path string, d os.DirEntry, err error) error {
			files = append(files, path)
			return nil
		})
		t.Fatalf("preview not removed after publish; work files %v; log:\n%s", files, strings.Join(lines, "\n"))
	}
	// What was served early is what packaging published: immutable segments.
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, rewritten, "published early twice with different bytes")
	segments := 0
	for key, data := range early {
		if !strings.HasSuffix(key, ".m4s") && !strings.HasSuffix(key, ".mp4") {
			continue
		}
		segments++
		final, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(key)))
		require.NoError(t, err, key)
		require.True(t, bytes.Equal(final, data), "%s: published early with other bytes than packaging wrote", key)
	}
	// Every video and audio segment was published early.
	want := len(plan.Video) * (plan.VideoSegmentCount() + 1)
	for _, a := range plan.Audio {
		want += len(plan.AudioSegmentDurations(a.SampleRate)) + 1
	}
	require.Equal(t, want, segments)
	// The planned grid was the packaged one.
	for _, r := range plan.Renditions() {
		f, err := os.Open(filepath.Join(b.dir, "media", v.ID, r.ID, "index.m3u8"))
		require.NoError(t, err)
		got, err := manifest.ParseMediaPlaylist(f)
		f.Close()
		require.NoError(t, err)
		planned := manifest.PlannedPlaylist(plan, r)
		require.Len(t, got.Segments, len(planned.Segments), r.ID)
		for i := range got.Segments {
			delta := 0.002
			if i == len(got.Segments)-1 {
				delta = 0.022 // the last audio packet may be trimmed
			}
			require.InDelta(t, got.Segments[i].Duration, planned.Segments[i].Duration, delta, "%s segment %d", r.ID, i)
		}
	}
	// Ready: the regular long-lived manifests, with the codecs the planned
	// master listed (from the plan, before the upper rungs had a frame).
	final, err = os.ReadFile(filepath.Join(b.dir, "media", v.ID, "master.m3u8"))
	require.NoError(t, err)
	codecs := regexp.MustCompile(`CODECS="[^"]*"`)
	require.ElementsMatch(t, codecs.FindAllString(master, -1), codecs.FindAllString(string(final), -1))
	require.NotContains(t, b.logs.String(), "codecs differ")
	require.Equal(t, "private, max-age=60", get("master.m3u8").Header().Get("Cache-Control"))
}

// upload stores path as a new video's source and starts its run.
// requirePreviewFits checks that preview, a preview of video segment seg,
// plays after init: it holds the segment's frames, from the segment's
// start on the timeline.
func requirePreviewFits(t *testing.T, init, preview []byte, plan media.Plan, seg int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "preview.mp4")
	require.NoError(t, os.WriteFile(path, append(slices.Clone(init), preview...), 0o600))
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time",
		"-of", "csv=p=0", path).Output()
	require.NoError(t, err)
	var pts []float64
	for _, line := range strings.Fields(string(out)) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(line, ","), 64)
		require.NoError(t, err, line)
		pts = append(pts, v)
	}
	start, n := plan.SegmentFrames(seg)
	require.Len(t, pts, n, "frames of the preview")
	frame := float64(plan.FPSDen) / float64(plan.FPSNum)
	require.InDelta(t, float64(start)*frame, slices.Min(pts), frame/2, "start of the preview")
}

// waitPlayable waits for v to become playable while it is still processing.
func (b *bundle) waitPlayable(t *testing.T, v media.Video) media.Video {
	t.Helper()
	testutil.PollUntil(t, 2*time.Minute, "video playable", func() bool {
		v, _ = b.cat.Video(context.Background(), v.ID)
		return v.PlayableAt != nil || v.Status == media.StatusFailed
	})
	require.Equal(t, media.StatusProcessing, v.Status, v.Error)
	require.True(t, v.Playable())
	return v
}

func (b *bundle) upload(t *testing.T, path string) media.Video {
	t.Helper()
	ctx := context.Background()
	v, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: filepath.Base(path)})
	require.NoError(t, err)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	key := "raw/" + v.ID + "/source"
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	info, err := b.store.Store.Put(ctx, key, bytes.NewReader(data))
	require.NoError(t, err)
	require.NoError(t, b.pipes[0].Start(ctx, v.ID, key, info.Size))
	return v
}

func containsInt(s []int, v int) bool { return chunkPos(s, v) >= 0 }

func chunkPos(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
