package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sync/errgroup"

	"github.com/kinema/kinema/internal/storage"
)

const maxParts = 10000 // S3's limit per multipart upload

// Put stores r under key. It reads up to one part first: a body that ends
// within it is sent with one PutObject, a longer one is streamed as a
// multipart upload. Either way the object appears only when complete.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (storage.Info, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return storage.Info{}, err
	}
	// A bytes.Buffer grows with the body, so small objects (segments,
	// playlists) never allocate a whole part.
	var first bytes.Buffer
	n, err := io.CopyN(&first, r, s.partSize)
	switch {
	case errors.Is(err, io.EOF):
		return s.putSingle(ctx, key, k, first.Bytes())
	case err != nil:
		return storage.Info{}, fmt.Errorf("put %s: read: %w", key, err)
	}
	return s.putMultipart(ctx, key, k, first.Bytes()[:n], r)
}

func (s *Store) putSingle(ctx context.Context, key, k string, body []byte) (storage.Info, error) {
	out, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &k,
		Body:          bytes.NewReader(body), // seekable, so the SDK can retry
		ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return storage.Info{}, mapError("put", key, err)
	}
	return storage.Info{Key: key, Size: int64(len(body)), ModTime: serverTime(out.ResultMetadata), ETag: cleanETag(aws.ToString(out.ETag))}, nil
}

// putMultipart uploads first and then the rest of r in parts, up to
// s.concurrency at once. Any failure aborts the upload so no parts linger.
func (s *Store) putMultipart(ctx context.Context, key, k string, first []byte, r io.Reader) (_ storage.Info, err error) {
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return storage.Info{}, mapError("put", key, err)
	}
	uploadID := created.UploadId
	defer func() {
		if err != nil {
			// Abort even when ctx is what failed; parts cost money until then.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_, _ = s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &k, UploadId: uploadID})
		}
	}()

	var (
		mu    sync.Mutex
		parts []types.CompletedPart
		total int64
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency) // Go blocks when full, which bounds buffered parts
	upload := func(num int32, body []byte) {
		g.Go(func() error {
			out, err := s.client.UploadPart(gctx, &s3.UploadPartInput{
				Bucket: &s.bucket, Key: &k, UploadId: uploadID, PartNumber: aws.Int32(num),
				Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
			})
			if err != nil {
				return fmt.Errorf("part %d: %w", num, err)
			}
			mu.Lock()
			parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
			mu.Unlock()
			return nil
		})
	}

	upload(1, first)
	total = int64(len(first))
	size := s.partSize
	var readErr error
	for num := int32(2); gctx.Err() == nil; num++ {
		if num > maxParts {
			readErr = fmt.Errorf("more than %d parts", maxParts)
			break
		}
		if num%1000 == 1 {
			size *= 2 // keeps unknown-size bodies within maxParts (up to ~8 TiB from 8 MiB)
		}
		buf := make([]byte, size)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			upload(num, buf[:n])
			total += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			readErr = fmt.Errorf("read: %w", err)
			break
		}
	}
	if err := g.Wait(); err != nil {
		return storage.Info{}, mapError("put", key, err)
	}
	if readErr != nil {
		return storage.Info{}, fmt.Errorf("put %s: %w", key, readErr)
	}
	if err := ctx.Err(); err != nil {
		return storage.Info{}, fmt.Errorf("put %s: %w", key, err)
	}

	sort.Slice(parts, func(i, j int) bool { return *parts[i].PartNumber < *parts[j].PartNumber })
	out, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &k, UploadId: uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return storage.Info{}, mapError("put", key, err)
	}
	return storage.Info{Key: key, Size: total, ModTime: serverTime(out.ResultMetadata), ETag: cleanETag(aws.ToString(out.ETag))}, nil
}

// serverTime is the Date of the response that created the object. It stands
// in for Last-Modified (same one-second resolution) and saves a HEAD request
// per Put.
func serverTime(md middleware.Metadata) time.Time {
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		if t, err := http.ParseTime(raw.Header.Get("Date")); err == nil {
			return t
		}
	}
	return time.Now().UTC().Truncate(time.Second)
}
