package upload

import (
	"context"
	"errors"
	"net/http"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/kinema/kinema/internal/media"
)

// The owner's storage quota is checked twice: when an upload starts and its
// size is known (PUT's Content-Length, tus creation with Upload-Length, a
// direct upload's announced size), so no bytes are sent in vain; and when
// it completes, on the stored size, by catalog.StartRun in the transaction
// that starts processing. A refusal then discards the stored bytes.

// quotaRefusal returns the sentence of a storage quota refusal.
func quotaRefusal(err error) (string, bool) {
	var qe *media.QuotaError
	if errors.As(err, &qe) {
		return qe.Msg, true
	}
	return "", false
}

// writeQuotaError answers a quota refusal with 403 and its sentence.
func writeQuotaError(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusForbidden, "quota_exceeded", msg)
}

func errTusQuota(msg string) tusd.Error {
	return tusd.NewError("ERR_QUOTA_EXCEEDED", msg, http.StatusForbidden)
}

// checkQuota refuses an upload of size bytes (0: unknown yet) to a video of
// owner once it cannot fit.
func (s *Service) checkQuota(ctx context.Context, owner string, size int64) error {
	return s.cat.CheckStorage(ctx, owner, max(size, 0))
}
