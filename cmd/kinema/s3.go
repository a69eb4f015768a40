package main

import (
	"context"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/s3"
)

// openS3 opens s3://BUCKET[/PREFIX]; credentials and region come from the
// usual AWS variables, the endpoint from KINEMA_S3_ENDPOINT. The bucket is
// created when missing and the credentials allow it.
func openS3(ctx context.Context, cfg config.Config, url string) (storage.Store, error) {
	bucket, prefix, err := s3.ParseURL(url)
	if err != nil {
		return nil, err
	}
	return s3.New(ctx, s3.Config{Bucket: bucket, Prefix: prefix, Endpoint: cfg.S3Endpoint, PathStyle: cfg.S3PathStyle})
}
