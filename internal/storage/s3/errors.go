package s3

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/kinema/kinema/internal/storage"
)

// mapError turns S3 errors callers branch on into storage sentinels, keeping
// the S3 error in the chain for logs.
func mapError(op, key string, err error) error {
	switch code := errorCode(err); {
	case isNotFound(err):
		return fmt.Errorf("%s %s: %w: %w", op, key, storage.ErrNotFound, err)
	case code == "InvalidPart" || code == "InvalidPartOrder" || code == "EntityTooSmall":
		return fmt.Errorf("%s %s: %w: %w", op, key, storage.ErrInvalidUpload, err)
	}
	return fmt.Errorf("%s %s: %w", op, key, err)
}

// isNotFound reports a missing object or upload. NoSuchBucket is left out,
// since a missing bucket is a configuration error rather than an absent
// object, but a HEAD response cannot tell the two apart.
func isNotFound(err error) bool {
	switch errorCode(err) {
	case "NoSuchKey", "NoSuchUpload", "NotFound":
		return true
	case "":
		// HEAD responses have no body, so only the status says "missing".
		return httpStatus(err) == 404
	}
	return false
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// cleanETag strips the quotes S3 puts around ETags; storage.Info carries the
// bare value.
func cleanETag(etag string) string {
	return strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
}

// quoteETag restores the quoted form S3 documents for CompleteMultipartUpload,
// whichever form the client sent back.
func quoteETag(etag string) string {
	return `"` + cleanETag(etag) + `"`
}
