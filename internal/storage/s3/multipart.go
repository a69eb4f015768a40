package s3

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kinema/kinema/internal/storage"
)

var _ storage.MultipartLister = (*Store)(nil)

// ListMultipart lists unfinished multipart uploads under prefix, following
// S3's pagination markers.
func (s *Store) ListMultipart(ctx context.Context, prefix string) ([]storage.PendingMultipart, error) {
	p, err := s.listPrefix(prefix)
	if err != nil {
		return nil, err
	}
	in := &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(p)}
	var out []storage.PendingMultipart
	for {
		page, err := s.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return nil, mapError("list multipart", prefix, err)
		}
		for _, u := range page.Uploads {
			key, ok := strings.CutPrefix(aws.ToString(u.Key), s.prefix)
			if !ok {
				continue
			}
			out = append(out, storage.PendingMultipart{Key: key, UploadID: aws.ToString(u.UploadId), Initiated: aws.ToTime(u.Initiated)})
		}
		if !aws.ToBool(page.IsTruncated) {
			return out, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}
