package upload

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
)

// s3Event is the part of an S3 / MinIO event notification we read.
type s3Event struct {
	Records []struct {
		EventName string `json:"eventName"`
		S3        struct {
			Object struct {
				Key  string `json:"key"` // URL-encoded in S3 events
				Size int64  `json:"size"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

// handleS3Event: POST /api/v1/hooks/s3 with `Authorization: Bearer SECRET`.
// An ObjectCreated event for raw/<video>/source-* starts processing, exactly
// once even when the client also confirms.
func (s *Service) handleS3Event(w http.ResponseWriter, r *http.Request) {
	secret := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if s.cfg.WebhookSecret == "" || !auth.ConstantTimeEqual(secret, s.cfg.WebhookSecret) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "A valid webhook secret is required.")
		return
	}
	var ev s3Event
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil {
		writeError(w, http.StatusBadRequest, "invalid", "Not an S3 event notification.")
		return
	}
	started := 0
	for _, rec := range ev.Records {
		if !strings.HasPrefix(rec.EventName, "s3:ObjectCreated:") && !strings.HasPrefix(rec.EventName, "ObjectCreated:") {
			continue
		}
		objKey, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			continue
		}
		key := strings.TrimPrefix(objKey, s.cfg.StorePrefix)
		id, ok := videoOfKey(key)
		if !ok {
			continue
		}
		info, err := s.store.Stat(r.Context(), key)
		if err != nil {
			continue // not (or no longer) there
		}
		if s.tooLarge(r.Context(), key, info.Size) {
			continue
		}
		err = s.start(r.Context(), id, key, info.Size)
		switch {
		case err == nil:
			started++
			s.log.Info("upload complete", "video", id, "bytes", info.Size, "via", "s3-event")
		case errors.Is(err, media.ErrConflict), errors.Is(err, media.ErrNotFound):
		case errors.Is(err, media.ErrQuota):
			s.log.Info("direct upload refused: storage quota", "video", id, "bytes", info.Size)
			_ = s.store.Delete(r.Context(), key)
		default:
			s.log.Error("start processing", "video", id, "err", err)
			writeError(w, http.StatusInternalServerError, "internal", "Could not queue processing.")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"started": started})
}

func videoOfKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "raw/")
	if !ok {
		return "", false
	}
	id, file, ok := strings.Cut(rest, "/")
	return id, ok && id != "" && ownsKey(id, "raw/"+id+"/"+file)
}
