package s3

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kinema/kinema/internal/storage"
)

// maxPresignTTL is SigV4's limit on X-Amz-Expires.
const maxPresignTTL = 7 * 24 * time.Hour

func checkTTL(ttl time.Duration) error {
	if ttl < time.Second || ttl > maxPresignTTL {
		return fmt.Errorf("presign: ttl %v must be between 1s and 7 days", ttl)
	}
	return nil
}

// PresignPut signs a PutObject. With size > 0 the Content-Length is part of
// the signature, so the client cannot store more or less than announced.
// Signing is local: no request is made.
func (s *Store) PresignPut(ctx context.Context, key string, size int64, ttl time.Duration) (string, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &k}
	if size > 0 {
		in.ContentLength = aws.Int64(size)
	}
	req, err := s.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign put %s: %w", key, err)
	}
	return req.URL, nil
}

// CreateMultipart starts a multipart upload.
func (s *Store) CreateMultipart(ctx context.Context, key string) (string, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return "", err
	}
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return "", mapError("create multipart", key, err)
	}
	return aws.ToString(out.UploadId), nil
}

// PresignPart signs an UploadPart. With size > 0 the Content-Length is part
// of the signature, as in PresignPut: a client cannot park more bytes in an
// upload's parts than it announced.
func (s *Store) PresignPart(ctx context.Context, key, uploadID string, part int32, size int64, ttl time.Duration) (string, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	if part < 1 || part > maxParts || uploadID == "" {
		return "", fmt.Errorf("presign part %s: part %d of upload %q: %w", key, part, uploadID, storage.ErrInvalidUpload)
	}
	in := &s3.UploadPartInput{Bucket: &s.bucket, Key: &k, UploadId: &uploadID, PartNumber: aws.Int32(part)}
	if size > 0 {
		in.ContentLength = aws.Int64(size)
	}
	req, err := s.presign.PresignUploadPart(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign part %s: %w", key, err)
	}
	return req.URL, nil
}

// CompleteMultipart assembles the parts. They may be given in any order and
// with or without the quotes S3 puts around ETags.
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []storage.CompletedPart) (storage.Info, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return storage.Info{}, err
	}
	if len(parts) == 0 {
		return storage.Info{}, fmt.Errorf("complete %s: no parts: %w", key, storage.ErrInvalidUpload)
	}
	sorted := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		sorted[i] = types.CompletedPart{PartNumber: aws.Int32(p.Number), ETag: aws.String(quoteETag(p.ETag))}
	}
	sort.Slice(sorted, func(i, j int) bool { return *sorted[i].PartNumber < *sorted[j].PartNumber })
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &k, UploadId: &uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: sorted},
	})
	if err != nil {
		return storage.Info{}, mapError("complete", key, err)
	}
	// The completion response has no size, and callers want the real one to
	// check against what the client announced.
	return s.Stat(ctx, key)
}

// AbortMultipart discards the upload; an unknown upload is not an error.
func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	k, err := s.objectKey(key)
	if err != nil {
		return err
	}
	_, err = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &k, UploadId: &uploadID})
	if err != nil && !isNotFound(err) {
		return mapError("abort", key, err)
	}
	return nil
}
