package storage

import (
	"context"
	"time"
)

// PendingMultipart is a multipart upload that was started and neither
// completed nor aborted: its parts are stored, and billed, until then.
type PendingMultipart struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// MultipartLister is implemented by stores that can list unfinished
// multipart uploads, so abandoned ones can be aborted.
type MultipartLister interface {
	// ListMultipart returns the unfinished uploads whose keys start with prefix.
	ListMultipart(ctx context.Context, prefix string) ([]PendingMultipart, error)
}
