package upload

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// Direct uploads send the bytes straight to the object store with presigned
// URLs, so they never pass through kinema: a single PUT for small files,
// multipart for large ones. Completion is confirmed by the client (the
// server checks the object and its size) or by the store's event webhook;
// whichever comes first starts processing, the other finds it started.

// Defaults: S3 needs parts of at least 5 MiB (except the last) and at most
// 10,000 of them.
const (
	defaultMultipartThreshold = 64 << 20
	defaultPartSize           = 16 << 20
	maxParts                  = 10_000
)

type directStartRequest struct {
	Size int64 `json:"size"`
}

type directPart struct {
	Number int32  `json:"number"`
	URL    string `json:"url,omitempty"`
	ETag   string `json:"etag,omitempty"`
}

type directGrant struct {
	Key       string       `json:"key"`
	Method    string       `json:"method,omitempty"` // PUT, for a single request
	URL       string       `json:"url,omitempty"`
	UploadID  string       `json:"upload_id,omitempty"` // multipart
	PartSize  int64        `json:"part_size,omitempty"`
	Parts     []directPart `json:"parts,omitempty"`
	ExpiresAt time.Time    `json:"expires_at"`
}

type directCompleteRequest struct {
	Key      string       `json:"key"`
	Size     int64        `json:"size"`
	UploadID string       `json:"upload_id,omitempty"`
	Parts    []directPart `json:"parts,omitempty"`
}

// presigner returns the store's presigning capability, if it has one.
func (s *Service) presigner() (storage.Presigner, bool) {
	p, ok := s.store.(storage.Presigner)
	return p, ok
}

// handleDirectStart: POST /upload/{id}/direct?token=T {"size": N}.
func (s *Service) handleDirectStart(w http.ResponseWriter, r *http.Request) {
	id, ps, ok := s.directAuth(w, r)
	if !ok {
		return
	}
	var req directStartRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.Size <= 0 {
		writeError(w, http.StatusBadRequest, "invalid", `The body must be JSON like {"size": 123456}.`)
		return
	}
	if s.cfg.MaxBytes > 0 && req.Size > s.cfg.MaxBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "The file is larger than this server accepts.")
		return
	}
	ctx := r.Context()
	v, err := s.cat.Video(ctx, id)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "No such video.")
		return
	}
	if err := s.checkQuota(ctx, v.OwnerID, req.Size); err != nil {
		if msg, ok := quotaRefusal(err); ok {
			writeQuotaError(w, msg)
			return
		}
		s.log.Error("check storage quota", "video", id, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "The upload could not be checked; try again.")
		return
	}
	// Signed URLs must not outlive the video: the sweep deletes it at deleteAt.
	ttl := min(s.cfg.TTL, s.deleteAt(v.CreatedAt).Sub(s.now())).Truncate(time.Second)
	if ttl < time.Minute {
		writeError(w, http.StatusForbidden, "forbidden", "The upload URL is invalid or has expired.")
		return
	}
	g := directGrant{Key: RawKey(id), ExpiresAt: s.now().Add(ttl).UTC().Truncate(time.Second)}
	if req.Size <= cmp.Or(s.cfg.MultipartThreshold, defaultMultipartThreshold) {
		g.Method = http.MethodPut
		g.URL, err = ps.PresignPut(ctx, g.Key, req.Size, ttl)
	} else {
		err = s.presignParts(ctx, ps, &g, req.Size, ttl)
	}
	if err != nil {
		s.log.Error("presign upload", "video", id, "err", err)
		writeError(w, http.StatusBadGateway, "store_unavailable", "The object store did not accept the upload request.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(g)
}

func (s *Service) presignParts(ctx context.Context, ps storage.Presigner, g *directGrant, size int64, ttl time.Duration) error {
	ps64 := max(cmp.Or(s.cfg.PartSize, defaultPartSize), 5<<20)
	for (size+ps64-1)/ps64 > maxParts {
		ps64 *= 2
	}
	uploadID, err := ps.CreateMultipart(ctx, g.Key)
	if err != nil {
		return err
	}
	g.UploadID, g.PartSize = uploadID, ps64
	for n := int32(1); int64(n-1)*ps64 < size; n++ {
		// Each part's size is signed: the client slices at PartSize.
		u, err := ps.PresignPart(ctx, g.Key, uploadID, n, min(ps64, size-int64(n-1)*ps64), ttl)
		if err != nil {
			_ = ps.AbortMultipart(context.WithoutCancel(ctx), g.Key, uploadID)
			return err
		}
		g.Parts = append(g.Parts, directPart{Number: n, URL: u})
	}
	return nil
}

// handleDirectComplete: POST /upload/{id}/direct/complete?token=T.
func (s *Service) handleDirectComplete(w http.ResponseWriter, r *http.Request) {
	id, ps, ok := s.directAuth(w, r)
	if !ok {
		return
	}
	var req directCompleteRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || !ownsKey(id, req.Key) {
		writeError(w, http.StatusBadRequest, "invalid", "The body must name the key this upload was given.")
		return
	}
	ctx := r.Context()
	if req.UploadID != "" {
		parts := make([]storage.CompletedPart, len(req.Parts))
		for i, p := range req.Parts {
			parts[i] = storage.CompletedPart{Number: p.Number, ETag: p.ETag}
		}
		if _, err := ps.CompleteMultipart(ctx, req.Key, req.UploadID, parts); err != nil {
			s.log.Warn("complete multipart", "video", id, "err", err)
			writeError(w, http.StatusBadRequest, "upload_incomplete", "The store could not assemble the uploaded parts.")
			return
		}
	}
	info, err := s.store.Stat(ctx, req.Key)
	if err != nil {
		writeError(w, http.StatusBadRequest, "upload_missing", "The uploaded object was not found in the store.")
		return
	}
	if req.Size > 0 && info.Size != req.Size {
		writeError(w, http.StatusBadRequest, "size_mismatch", "The stored object does not have the announced size.")
		return
	}
	if s.tooLarge(ctx, req.Key, info.Size) {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "The file is larger than this server accepts; it was discarded.")
		return
	}
	s.startDirect(w, r.Context(), id, req.Key, info.Size)
}

// tooLarge deletes an object over MaxBytes. Presigned multipart part URLs
// do not bound the parts' sizes, so the announced size proves nothing.
func (s *Service) tooLarge(ctx context.Context, key string, size int64) bool {
	if s.cfg.MaxBytes <= 0 || size <= s.cfg.MaxBytes {
		return false
	}
	s.log.Warn("direct upload refused: larger than the limit", "key", key, "bytes", size, "limit", s.cfg.MaxBytes)
	if err := s.store.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.log.Warn("delete oversized upload", "key", key, "err", err)
	}
	return true
}

// handleDirectAbort: POST /upload/{id}/direct/abort?token=T.
func (s *Service) handleDirectAbort(w http.ResponseWriter, r *http.Request) {
	id, ps, ok := s.directAuth(w, r)
	if !ok {
		return
	}
	var req directCompleteRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || !ownsKey(id, req.Key) || req.UploadID == "" {
		writeError(w, http.StatusBadRequest, "invalid", "The body must name the key and upload_id to abort.")
		return
	}
	if err := ps.AbortMultipart(r.Context(), req.Key, req.UploadID); err != nil {
		s.log.Warn("abort multipart", "video", id, "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// startDirect starts processing once; a second confirmation of the same
// object (client and webhook both) is answered as success.
func (s *Service) startDirect(w http.ResponseWriter, ctx context.Context, id, key string, size int64) {
	err := s.start(ctx, id, key, size)
	if errors.Is(err, media.ErrConflict) {
		if current, _, serr := s.cat.Source(ctx, id); serr == nil && current == key {
			err = nil
		}
	}
	msg, overQuota := quotaRefusal(err)
	switch {
	case overQuota:
		if derr := s.store.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.log.Warn("delete upload over quota", "key", key, "err", derr)
		}
		writeQuotaError(w, msg)
	case errors.Is(err, media.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", errAlreadyUploaded.Error())
	case err != nil:
		s.log.Error("start processing", "video", id, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "The upload was received but could not be queued.")
	default:
		s.log.Info("upload complete", "video", id, "bytes", size, "via", "direct")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "status": media.StatusQueued, "size": size})
	}
}

func (s *Service) directAuth(w http.ResponseWriter, r *http.Request) (string, storage.Presigner, bool) {
	id := r.PathValue("id")
	if !s.authorize(id, r.URL.Query().Get("token")) {
		writeError(w, http.StatusForbidden, "forbidden", "The upload URL is invalid or has expired.")
		return "", nil, false
	}
	ps, ok := s.presigner()
	if !ok {
		writeError(w, http.StatusNotImplemented, "unsupported", "This server's store does not take direct uploads; use the PUT or tus URL.")
		return "", nil, false
	}
	return id, ps, true
}

// ownsKey keeps a client from confirming someone else's object.
func ownsKey(videoID, key string) bool {
	rest, ok := strings.CutPrefix(key, "raw/"+videoID+"/source-")
	return ok && rest != "" && !strings.ContainsAny(rest, "/\\.")
}
