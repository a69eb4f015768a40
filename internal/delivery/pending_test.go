package delivery

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// pendingPlan is a 10 s video at 30 fps, 1 s segments, 2 per chunk (5
// chunks), one video and one audio rendition.
func pendingPlan(t *testing.T) *media.Plan {
	t.Helper()
	cfg := media.DefaultLadderConfig()
	cfg.SegmentSeconds, cfg.SegmentsPerChunk, cfg.Heights = 1, 2, []int{180}
	plan, err := media.NewPlan(media.Source{HasVideo: true, HasAudio: true, Width: 320, Height: 180, FPSNum: 30, FPSDen: 1,
		Duration: 10, AudioChannels: 2}, cfg)
	require.NoError(t, err)
	require.Len(t, plan.Chunks, 5)
	return &plan
}

type pendingBundle struct {
	h      *Handler
	store  *memStore
	token  string
	mu     sync.Mutex
	asked  []int
	segs   []int // the segment of each ask (-1: init segment)
	refuse int   // previews refused before one is promised (the per-video bound)
	status func() Gate
}

func setupPending(t *testing.T, wait time.Duration) *pendingBundle {
	t.Helper()
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	require.NoError(t, err)
	b := &pendingBundle{store: newMemStore(time.Now())}
	plan := pendingPlan(t)
	b.status = func() Gate { return Gate{Published: true, Pending: plan} }
	b.h = NewHandlerOptions(b.store, keys, func(context.Context, string) (Gate, error) { return b.status(), nil }, nil, nil, Options{
		PublishedTTL: -1, SegmentWait: wait,
		PrioritizeFunc: func(_ context.Context, id string, chunk, seg int, rid string) (string, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			require.Equal(t, videoID, id)
			b.asked = append(b.asked, chunk)
			b.segs = append(b.segs, seg)
			if seg < 0 || b.refuse > 0 {
				b.refuse--
				return "", nil
			}
			return fmt.Sprintf("work/%s/1/preview/%s/seg_%05d.m4s", id, rid, seg), nil
		},
	})
	b.token, err = keys.Sign(auth.Claims{VideoID: videoID, Purpose: auth.PurposePlay, ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	for _, name := range []string{"master.m3u8", "v0/index.m3u8", "a0/index.m3u8"} {
		_, err := b.store.Put(context.Background(), "media/"+videoID+"/"+name, strings.NewReader("#EXTM3U\n"))
		require.NoError(t, err)
	}
	return b
}

func (b *pendingBundle) get(ctx context.Context, rel string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/media/"+videoID+"/"+rel+"?token="+b.token, nil)
	b.h.ServeHTTP(rec, req)
	return rec
}

// waitingGet asks for rel in the background once the handler has asked
// for its chunk, and checks that it is still waiting 300 ms later (nothing
// to serve yet); the answer comes on the channel.
func (b *pendingBundle) waitingGet(t *testing.T, rel string) <-chan *httptest.ResponseRecorder {
	t.Helper()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- b.get(context.Background(), rel) }()
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.asked) == 1
	}, 10*time.Second, 10*time.Millisecond)
	select {
	case rec := <-done:
		t.Fatalf("%s answered %d before it or its preview existed", rel, rec.Code)
	case <-time.After(300 * time.Millisecond):
	}
	return done
}

// TestPendingSegmentIsWaitedFor: a planned segment of a processing video
// that is not encoded yet is answered once it is stored, not with 404, and
// its chunk is asked for first.
func TestPendingSegmentIsWaitedFor(t *testing.T) {
	t.Parallel()
	b := setupPending(t, time.Minute)
	done := b.waitingGet(t, "v0/seg_00007.m4s")
	b.mu.Lock()
	require.Equal(t, []int{3}, b.asked, "segment 7 is in chunk 3 (frames 180-239)")
	b.mu.Unlock()
	_, err := b.store.Put(context.Background(), "media/"+videoID+"/v0/seg_00007.m4s", strings.NewReader("segment seven"))
	require.NoError(t, err)
	rec := <-done
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "segment seven", rec.Body.String())
	require.Contains(t, rec.Header().Get("Cache-Control"), "immutable")

	// Manifests of a processing video are not kept by caches.
	rec = b.get(context.Background(), "master.m3u8")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "private, no-cache", rec.Header().Get("Cache-Control"))
	b.status = func() Gate { return Gate{Published: true} }
	require.Equal(t, "private, max-age=60", b.get(context.Background(), "master.m3u8").Header().Get("Cache-Control"))
}

// TestPendingAnswers: what is not a planned file is 404 at once; a wait
// that runs out is 503 with Retry-After, which players retry; audio
// segments are waited for without asking for a chunk (a preview only); a viewer who leaves
// ends the wait.
func TestPendingAnswers(t *testing.T) {
	t.Parallel()
	b := setupPending(t, 300*time.Millisecond)
	for _, rel := range []string{"v0/seg_00010.m4s", "v9/seg_00000.m4s", "v0/seg_7.m4s", "poster.jpg", "v0/other.mp4"} {
		start := time.Now()
		rec := b.get(context.Background(), rel)
		require.Equal(t, http.StatusNotFound, rec.Code, rel)
		require.Less(t, time.Since(start), 250*time.Millisecond, "%s: not waited for", rel)
	}
	rec := b.get(context.Background(), "v0/init.mp4")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	rec = b.get(context.Background(), "a0/seg_00010.m4s") // the 11th audio segment: the priming packet's tail
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, http.StatusNotFound, b.get(context.Background(), "a0/seg_00011.m4s").Code)
	b.mu.Lock()
	require.Equal(t, []int{0, -1}, b.asked, "init.mp4 comes with chunk 0; audio asks for no chunk")
	require.Equal(t, []int{-1, 10}, b.segs, "no preview of an init segment; one of an audio segment")
	b.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	b2 := setupPending(t, time.Minute)
	start := time.Now()
	b2.get(ctx, "v0/seg_00009.m4s")
	require.Less(t, time.Since(start), 30*time.Second, "the wait ends with the request")
}

// TestPendingSegmentPreview: a preview of the waited-for segment (encoded
// ahead of its chunk) is served as soon as it is stored, with a short
// cache; once the segment itself is stored it is served instead, immutable.
func TestPendingSegmentPreview(t *testing.T) {
	t.Parallel()
	b := setupPending(t, time.Minute)
	done := b.waitingGet(t, "v0/seg_00007.m4s")
	b.mu.Lock()
	require.Equal(t, []int{7}, b.segs)
	b.mu.Unlock()
	_, err := b.store.Put(context.Background(), "work/"+videoID+"/1/preview/v0/seg_00007.m4s", strings.NewReader("preview of seven"))
	require.NoError(t, err)
	rec := <-done
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "preview of seven", rec.Body.String())
	require.Equal(t, "private, no-cache", rec.Header().Get("Cache-Control"))

	_, err = b.store.Put(context.Background(), "media/"+videoID+"/v0/seg_00007.m4s", strings.NewReader("segment seven"))
	require.NoError(t, err)
	rec = b.get(context.Background(), "v0/seg_00007.m4s")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "segment seven", rec.Body.String())
	require.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
}

// TestPendingPreviewAskedAgain: a request refused a preview (the video has
// as many waiting as it may) asks again while it waits, and is served the
// preview it is then promised.
func TestPendingPreviewAskedAgain(t *testing.T) {
	t.Parallel()
	b := setupPending(t, time.Minute)
	b.refuse = 1
	done := b.waitingGet(t, "v0/seg_00007.m4s")
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.segs) == 2
	}, 10*time.Second, 10*time.Millisecond, "asked again")
	b.mu.Lock()
	require.Equal(t, []int{7, 7}, b.segs)
	b.mu.Unlock()
	_, err := b.store.Put(context.Background(), "work/"+videoID+"/1/preview/v0/seg_00007.m4s", strings.NewReader("preview of seven"))
	require.NoError(t, err)
	rec := <-done
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "preview of seven", rec.Body.String())
	b.mu.Lock()
	require.Len(t, b.segs, 2, "not asked again once promised")
	b.mu.Unlock()
}

// ctxBoundStore's objects read only while the context they were opened
// with lives, as an S3 body does.
type ctxBoundStore struct{ *memStore }

type ctxBoundObject struct {
	storage.Object
	ctx context.Context
}

func (s ctxBoundStore) Open(ctx context.Context, key string) (storage.Object, error) {
	obj, err := s.memStore.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return ctxBoundObject{obj, ctx}, nil
}

func (o ctxBoundObject) Read(p []byte) (int, error) {
	if err := o.ctx.Err(); err != nil {
		return 0, err
	}
	return o.Object.Read(p)
}

// TestPendingSegmentBodyOutlivesTheWait: a segment that appears during the
// wait is sent whole from a store whose bodies are bound to the context
// they were opened with (S3): the wait's own context has ended by then.
func TestPendingSegmentBodyOutlivesTheWait(t *testing.T) {
	t.Parallel()
	b := setupPending(t, time.Minute)
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	require.NoError(t, err)
	plan := pendingPlan(t)
	b.h = NewHandlerOptions(ctxBoundStore{b.store}, keys, func(context.Context, string) (Gate, error) {
		return Gate{Published: true, Pending: plan}, nil
	}, nil, nil, Options{PublishedTTL: -1, SegmentWait: time.Minute})
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- b.get(context.Background(), "v0/seg_00003.m4s") }()
	time.Sleep(300 * time.Millisecond)
	_, err = b.store.Put(context.Background(), "media/"+videoID+"/v0/seg_00003.m4s", strings.NewReader("segment three"))
	require.NoError(t, err)
	rec := <-done
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "segment three", rec.Body.String())
}
