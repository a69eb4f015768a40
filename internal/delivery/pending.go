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

// previewReask is how often a waiting request that was promised no preview
// asks again: previews are bounded per video, and a slot frees each time
// one is made, so a viewer behind a busy moment still gets one in time.
const previewReask = time.Second

// pendingCache is the Cache-Control of what a processing video's files
// are replaced by later: its manifests (packaging writes the measured
// bandwidths) and segment previews (the chunk publishes the segment
// itself), so no cache keeps them beyond a revalidation.
const pendingCache = "private, no-cache"

// PrioritizeFunc asks for chunk of videoID to be encoded before the rest of
// the queue (just-in-time for a viewer), rendition first: the one the
// viewer asked for; chunk is -1 for an audio segment. For a segment
// (segment ≥ 0; -1 for an init segment) it may also ask for a preview of
// that segment alone, encoded ahead of its chunk or of the audio track,
// and return the storage key the preview will appear at: the handler
// serves it, with a short cache, if it comes before the segment itself.
// A request it promised no preview asks again every previewReask while it
// waits. It must return quickly; errors are logged.
type PrioritizeFunc func(ctx context.Context, videoID string, chunk, segment int, rendition string) (preview string, err error)

// plannedFile reports whether rel names a file of plan that encoding will
// produce: a rendition's init.mp4 or one of its planned segments. For video
// files chunk is the chunk job that makes it (-1 for audio); seg is the
// segment's index, -1 for init.mp4.
func plannedFile(plan *media.Plan, rel string) (chunk, seg int, ok bool) {
	rid, file, nested := strings.Cut(rel, "/")
	if !nested {
		return 0, 0, false
	}
	var r *media.Rendition
	for _, x := range plan.Renditions() {
		if x.ID == rid {
			r = &x
			break
		}
	}
	if r == nil {
		return 0, 0, false
	}
	seg = -1
	switch {
	case file == "init.mp4":
	case strings.HasPrefix(file, "seg_") && strings.HasSuffix(file, ".m4s"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(file, "seg_"), ".m4s"))
		if err != nil || n < 0 || file != fmt.Sprintf("seg_%05d.m4s", n) {
			return 0, 0, false
		}
		seg = n
	default:
		return 0, 0, false
	}
	if r.Type == media.KindAudio {
		return -1, seg, seg < len(plan.AudioSegmentDurations(r.SampleRate))
	}
	chunk, ok = plan.ChunkOfSegment(max(seg, 0))
	return chunk, seg, ok
}

// openPending opens a planned file of a processing video, waiting for it
// while it is being made. It answers the request itself when it cannot.
// preview reports that obj is a preview of the segment (PrioritizeFunc),
// not the segment itself: it must not be cached as immutable.
func (h *Handler) openPending(w http.ResponseWriter, r *http.Request, log func() *slog.Logger, id, key, rel string, plan *media.Plan) (obj storage.Object, preview, ok bool) {
	obj, err := h.openObject(r.Context(), key)
	if !errors.Is(err, storage.ErrNotFound) {
		obj, ok = h.opened(w, r, log, key, obj, err)
		return obj, false, ok
	}
	chunk, seg, planned := plannedFile(plan, rel)
	if !planned {
		fail(w, http.StatusNotFound)
		return nil, false, false
	}
	var previewKey string
	var asked time.Time
	ask := func() {
		rid, _, _ := strings.Cut(rel, "/")
		asked = time.Now()
		previewKey, err = h.prioritizeFunc(r.Context(), id, chunk, seg, rid)
		if err != nil {
			log().WarnContext(r.Context(), "prioritize chunk", "chunk", chunk, "err", err)
		}
	}
	if (chunk >= 0 || seg >= 0) && h.prioritizeFunc != nil {
		ask()
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.segmentWait)
	defer cancel()
	t := time.NewTicker(pendingPoll)
	defer t.Stop()
	for {
		if previewKey == "" && seg >= 0 && h.prioritizeFunc != nil && time.Since(asked) >= previewReask {
			ask()
		}
		// The request's context, not the wait's: the object is read after
		// this returns, when the wait's context is cancelled (an S3 body
		// would then come out empty).
		if previewKey != "" {
			obj, err = h.openObject(r.Context(), previewKey)
			if err == nil {
				// The segment itself may have come meanwhile.
				if final, err := h.openObject(r.Context(), key); err == nil {
					obj.Close()
					return final, false, true
				}
				return obj, true, true
			}
			if !errors.Is(err, storage.ErrNotFound) {
				log().WarnContext(r.Context(), "open preview", "key", previewKey, "err", err)
				previewKey = ""
			}
		}
		select {
		case <-ctx.Done():
			if r.Context().Err() == nil { // the wait ran out, the viewer is still there
				w.Header().Set("Retry-After", "1")
				fail(w, http.StatusServiceUnavailable)
			}
			return nil, false, false
		case <-t.C:
		}
		obj, err = h.openObject(r.Context(), key)
		if !errors.Is(err, storage.ErrNotFound) {
			obj, ok = h.opened(w, r, log, key, obj, err)
			return obj, false, ok
		}
	}
}
