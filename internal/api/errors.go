package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// errorBody is the one error shape of the API.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError maps err to a status and a stable code. Internal errors are
// logged in full and shown as a generic sentence.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	status, code, msg := http.StatusInternalServerError, "internal", "Something went wrong on the server."
	var (
		in    *media.InputError
		quota *media.QuotaError
	)
	switch {
	case errors.As(err, &in):
		status, code, msg = http.StatusBadRequest, "invalid", in.Reason
	case errors.As(err, &quota):
		status, code, msg = http.StatusForbidden, "quota_exceeded", quota.Msg
	case errors.Is(err, catalog.ErrLastAdmin):
		status, code, msg = http.StatusBadRequest, "invalid", "This is the last admin account; make another admin first."
	case errors.Is(err, media.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "Not found."
	case errors.Is(err, media.ErrConflict):
		status, code, msg = http.StatusConflict, "conflict", "The video is not in a state that allows this."
	case errors.Is(err, media.ErrUnauthorized):
		status, code, msg = http.StatusUnauthorized, "unauthorized", "Sign in, or send a valid API key (Authorization: Bearer <key>)."
	case errors.Is(err, errCSRF):
		status, code, msg = http.StatusForbidden, "csrf", "This request needs the session's CSRF token in the "+CSRFHeader+" header."
	case errors.Is(err, media.ErrForbidden):
		status, code, msg = http.StatusForbidden, "forbidden", "You may not do that."
	case errors.Is(err, media.ErrInvalid):
		status, code, msg = http.StatusBadRequest, "invalid", "The request is not valid."
	case errors.Is(err, media.ErrTooLarge):
		status, code, msg = http.StatusRequestEntityTooLarge, "too_large", "The request is too large."
	case storage.IsNoSpace(err):
		log.Error("disk full", "err", err)
		w.Header().Set("Retry-After", "60")
		status, code, msg = http.StatusInsufficientStorage, "insufficient_storage", "The server has run out of disk space; try again later."
	case storage.IsTransient(err):
		// The database or the object store cannot be reached (restarting,
		// down): a 503 tells clients to try again rather than give up.
		log.Warn("backend unavailable", "err", err)
		w.Header().Set("Retry-After", "5")
		status, code, msg = http.StatusServiceUnavailable, "unavailable", "The server cannot reach its database or storage right now; try again in a moment."
	default:
		log.Error("request failed", "err", err)
	}
	writeCode(w, status, code, msg)
}

// writeCode answers with the error shape and an explicit code.
func writeCode(w http.ResponseWriter, status int, code, msg string) {
	var body errorBody
	body.Error.Code, body.Error.Message = code, msg
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
