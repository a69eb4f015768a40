package main

import (
	"context"
	"errors"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/storage"
)

// openS3 is replaced when the S3 store lands.
func openS3(_ context.Context, cfg config.Config) (storage.Store, error) {
	return nil, errors.New("s3 store not available in this build: " + cfg.Store)
}
