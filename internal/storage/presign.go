package storage

import (
	"context"
	"errors"
	"time"
)

// ErrInvalidUpload is returned by CompleteMultipart when the store rejects the
// part list: a part that was never uploaded, an ETag that does not match, parts
// out of order, or a part other than the last smaller than the store's minimum
// (5 MiB on S3). The client must fix its upload; retrying as is cannot help.
var ErrInvalidUpload = errors.New("storage: invalid multipart upload")

// CompletedPart names one uploaded part of a multipart upload by its number
// (1-based) and the ETag the store returned when the part was uploaded.
type CompletedPart struct {
	Number int32
	ETag   string
}

// Presigner is implemented by stores that let clients upload straight to the
// store with short-lived signed URLs, so large files never pass through
// kinema. Callers check for it with a type assertion and fall back to
// streaming through Put.
//
// Either with one PUT:
//
//	url, _ := p.PresignPut(ctx, key, size, ttl) // client: PUT url, exactly size bytes
//
// or in parts, for files too large for one request:
//
//	id, _ := p.CreateMultipart(ctx, key)
//	url, _ := p.PresignPart(ctx, key, id, n, size, ttl) // client: PUT url for part n, exactly size bytes; gets an ETag header
//	info, _ := p.CompleteMultipart(ctx, key, id, parts)
//
// An object becomes visible under key only when the PUT or CompleteMultipart
// succeeds, so readers never see a partial upload. Uploads that are never
// completed must be aborted (or expired by a bucket lifecycle rule), because
// their parts are stored, and billed, until then.
//
// Errors: bad keys give ErrInvalidKey. CompleteMultipart gives ErrNotFound
// for an upload ID the store does not know (never created, or aborted) and
// ErrInvalidUpload for a rejected part list; completing an upload that already
// completed may succeed again, since S3 makes completion safe to retry.
// PresignPut and PresignPart sign locally, so they cannot detect a bad upload
// ID; the client's PUT fails instead (404 for an unknown upload, 403 for a bad
// or expired signature). AbortMultipart of an unknown upload is not an error,
// so aborts can be retried. Other errors mean the store could not be reached
// or refused the request, and may be retried.
type Presigner interface {
	// PresignPut returns a URL that accepts one HTTP PUT of exactly size bytes
	// (the Content-Length is signed; size <= 0 leaves it unsigned) until ttl
	// has passed.
	PresignPut(ctx context.Context, key string, size int64, ttl time.Duration) (url string, err error)
	// CreateMultipart starts a multipart upload to key and returns its ID.
	CreateMultipart(ctx context.Context, key string) (uploadID string, err error)
	// PresignPart returns a URL that accepts an HTTP PUT of part number part
	// (1 to 10000) of the upload, of exactly size bytes as PresignPut. The
	// response's ETag header is needed for CompleteMultipart, so browsers
	// need it exposed by the bucket's CORS rules.
	PresignPart(ctx context.Context, key, uploadID string, part int32, size int64, ttl time.Duration) (url string, err error)
	// CompleteMultipart assembles the parts, in part-number order, into the
	// object at key and describes it.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []CompletedPart) (Info, error)
	// AbortMultipart discards the upload and its stored parts.
	AbortMultipart(ctx context.Context, key, uploadID string) error
}
