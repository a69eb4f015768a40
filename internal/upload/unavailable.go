package upload

import (
	"log/slog"
	"net/http"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/kinema/kinema/internal/storage"
)

// writeUnavailable answers an upload the server could not keep for a
// reason of its own, not of the request: a full disk (507) or a store or
// database it cannot reach (503). Both carry Retry-After so clients send
// the file again later instead of giving up; the error, with its paths and
// keys, goes to the log only. It reports whether it answered.
func writeUnavailable(w http.ResponseWriter, log *slog.Logger, videoID string, err error) bool {
	switch {
	case storage.IsNoSpace(err):
		log.Error("upload refused: disk full", "video", videoID, "err", err)
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusInsufficientStorage, "insufficient_storage",
			"The server has no disk space left for this file; nothing was kept. Try again later.")
	case storage.IsTransient(err):
		log.Warn("upload refused: backend unavailable", "video", videoID, "err", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "unavailable",
			"The server cannot reach its storage or database right now; nothing was kept. Try again in a moment.")
	default:
		return false
	}
	return true
}

// The same answers for tus clients, which read the status and Retry-After
// (tusd would otherwise answer 500 with the error's text, paths included).
var (
	errTusNoSpace = tusRetryError("ERR_INSUFFICIENT_STORAGE",
		"the server has no disk space left for this upload; try again later", http.StatusInsufficientStorage, "60")
	errTusUnavailable = tusRetryError("ERR_UNAVAILABLE",
		"the server cannot reach its storage or database right now; try again in a moment", http.StatusServiceUnavailable, "5")
)

func tusRetryError(code, msg string, status int, retryAfter string) tusd.Error {
	e := tusd.NewError(code, msg, status)
	e.HTTPResponse.Header["Retry-After"] = retryAfter
	return e
}

// tusFault maps a full disk or an unreachable backend to its tus answer,
// logging the details with the video id; other errors are returned as
// they are.
func tusFault(log *slog.Logger, videoID string, err error) error {
	switch {
	case storage.IsNoSpace(err):
		log.Error("tus upload refused: disk full", "video", videoID, "err", err)
		return errTusNoSpace
	case storage.IsTransient(err):
		log.Warn("tus upload refused: backend unavailable", "video", videoID, "err", err)
		return errTusUnavailable
	}
	return err
}
