package upload

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// Store is the part of storage.Store uploads need.
type Store = storage.Store

// RawKey is where a video's source is kept. The random suffix keeps two
// racing uploads from overwriting each other before one wins.
func RawKey(videoID string) string { return "raw/" + videoID + "/source-" + catalog.NewVideoID()[:8] }

// handlePut receives a whole file on a signed URL. The URL works until one
// upload completes.
func (s *Service) handlePut(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.authorize(id, r.URL.Query().Get("token")) {
		writeError(w, http.StatusForbidden, "forbidden", "The upload URL is invalid or has expired.")
		return
	}
	v, err := s.cat.Video(r.Context(), id)
	if err != nil {
		if writeUnavailable(w, s.log, id, err) {
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "No such video.")
		return
	}
	if v.Status != media.StatusWaitingUpload {
		writeError(w, http.StatusConflict, "conflict", errAlreadyUploaded.Error())
		return
	}
	if err := s.checkQuota(r.Context(), v.OwnerID, r.ContentLength); err != nil {
		if msg, ok := quotaRefusal(err); ok {
			writeQuotaError(w, msg)
			return
		}
		s.log.Error("check storage quota", "video", id, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "The upload could not be checked; try again.")
		return
	}
	body := io.Reader(r.Body)
	if s.cfg.MaxBytes > 0 {
		body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBytes)
	}
	// A short grace period lets bytes already received reach the disk when
	// the client goes away; the partial object is then discarded.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	stop := context.AfterFunc(r.Context(), func() { time.AfterFunc(5*time.Second, cancel) })
	defer stop()

	key := RawKey(id)
	info, err := s.store.Put(ctx, key, body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "The file is larger than this server accepts.")
			return
		}
		if writeUnavailable(w, s.log, id, err) {
			return
		}
		s.log.Warn("upload interrupted", "video", id, "err", err)
		writeError(w, http.StatusBadRequest, "upload_failed", "The upload did not complete; try again.")
		return
	}
	if info.Size == 0 {
		_ = s.store.Delete(ctx, key)
		writeError(w, http.StatusBadRequest, "empty", "The file is empty.")
		return
	}
	if err := s.start(ctx, id, key, info.Size); err != nil {
		_ = s.store.Delete(ctx, key)
		if errors.Is(err, media.ErrConflict) {
			writeError(w, http.StatusConflict, "conflict", errAlreadyUploaded.Error())
			return
		}
		if msg, ok := quotaRefusal(err); ok {
			writeQuotaError(w, msg)
			return
		}
		if writeUnavailable(w, s.log, id, err) {
			return
		}
		s.log.Error("start processing", "video", id, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "The upload was received but could not be queued.")
		return
	}
	s.log.Info("upload complete", "video", id, "bytes", info.Size, "via", "put")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "status": media.StatusQueued, "size": info.Size})
}

// writeError answers in the API's error shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
