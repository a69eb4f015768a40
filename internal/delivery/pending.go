package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// Progressive playback: a video that is still processing may be played once
// its manifests are published (Gate.Pending). Its manifests list every
// planned segment, so players ask for segments that are still being
// encoded. Instead of 404, the handler waits for such a segment: it asks
// for the chunk that makes it to be encoded next (Options.PrioritizeFunc)
// and polls the store until the segment appears, for at most SegmentWait or
// until the request ends; past that it answers 503 with Retry-After, which
// players retry.

// DefaultSegmentWait is how long a request for a planned segment that does
// not exist yet waits before 503 (Options.SegmentWait). It stays under the
// 10 s that players give a request to start answering (hls.js
// maxTimeToFirstByteMs, Shaka connectionTimeout), so the player sees the
// 503 and retries rather than timing out.
const DefaultSegmentWait = 8 * time.Second

// pendingPoll is how often a waiting request looks for its segment.
const pendingPoll = 150 * time.Millisecond

// pendingManifestCache is the Cache-Control of the manifests of a video that
// is still processing: packaging replaces them (measured bandwidths), so no
// cache keeps them beyond a revalidation.
const pendingManifestCache = "private, no-cache"

// PrioritizeFunc asks for chunk of videoID to be encoded before the rest of
// the queue (just-in-time for a viewer), rendition first: the one the
// viewer asked for. It must return quickly; errors are logged.
type PrioritizeFunc func(ctx context.Context, videoID string, chunk int, rendition string) error

// plannedFile reports whether rel names a file of plan that encoding will
// produce: a rendition's init.mp4 or one of its planned segments. For video
// files chunk is the chunk job that makes it (-1 for audio).
func plannedFile(plan *media.Plan, rel string) (chunk int, ok bool) {
	rid, file, nested := strings.Cut(rel, "/")
	if !nested {
		return 0, false
	}
	var r *media.Rendition
	for _, x := range plan.Renditions() {
		if x.ID == rid {
			r = &x
			break
		}
	}
	if r == nil {
		return 0, false
	}
	seg := 0
	switch {
	case file == "init.mp4":
	case strings.HasPrefix(file, "seg_") && strings.HasSuffix(file, ".m4s"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(file, "seg_"), ".m4s"))
		if err != nil || n < 0 || file != fmt.Sprintf("seg_%05d.m4s", n) {
			return 0, false
		}
		seg = n
	default:
		return 0, false
	}
	if r.Type == media.KindAudio {
		return -1, seg < len(plan.AudioSegmentDurations(r.SampleRate))
	}
	return plan.ChunkOfSegment(seg)
}

// openPending opens a planned file of a processing video, waiting for it
// while it is being made. It answers the request itself when it cannot.
func (h *Handler) openPending(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, id, key, rel string, plan *media.Plan) (storage.Object, bool) {
	obj, err := h.openObject(r.Context(), key)
	if !errors.Is(err, storage.ErrNotFound) {
		return h.opened(w, r, log, key, obj, err)
	}
	chunk, planned := plannedFile(plan, rel)
	if !planned {
		fail(w, http.StatusNotFound)
		return nil, false
	}
	if chunk >= 0 && h.prioritizeFunc != nil {
		rid, _, _ := strings.Cut(rel, "/")
		if err := h.prioritizeFunc(r.Context(), id, chunk, rid); err != nil {
			log().WarnContext(r.Context(), "prioritize chunk", "chunk", chunk, "err", err)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.segmentWait)
	defer cancel()
	t := time.NewTicker(pendingPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if r.Context().Err() == nil { // the wait ran out, the viewer is still there
				w.Header().Set("Retry-After", "1")
				fail(w, http.StatusServiceUnavailable)
			}
			return nil, false
		case <-t.C:
		}
		// The request's context, not the wait's: the object is read after
		// this returns, when the wait's context is cancelled (an S3 body
		// would then come out empty).
		obj, err = h.openObject(r.Context(), key)
		if !errors.Is(err, storage.ErrNotFound) {
			return h.opened(w, r, log, key, obj, err)
		}
	}
}
