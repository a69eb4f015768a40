package s3

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kinema/kinema/internal/storage"
)

// Store keeps objects in one bucket, under an optional key prefix.
type Store struct {
	client      *s3.Client
	presign     *s3.PresignClient
	bucket      string
	prefix      string // "" or ends in "/"
	partSize    int64
	concurrency int
}

var (
	_ storage.Store     = (*Store)(nil)
	_ storage.Presigner = (*Store)(nil)
)

// New connects to the bucket, creating it if it does not exist.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.AccessKey != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 store: load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1" // signing needs one; S3-compatible servers rarely care which
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		if cfg.HTTPClient != nil {
			o.HTTPClient = cfg.HTTPClient // S3 calls only; credential lookups keep the default
		}
		// The SDK's default CRC checksums on every upload use aws-chunked
		// trailers that not every S3-compatible server accepts, and they
		// would leak into presigned URLs. Send checksums only where S3
		// requires them (DeleteObjects); single PUTs are still covered by
		// the signed payload hash and parts by their ETags.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	s := &Store{
		client:      client,
		presign:     s3.NewPresignClient(client),
		bucket:      cfg.Bucket,
		partSize:    cfg.PartSize,
		concurrency: cfg.Concurrency,
	}
	if cfg.Prefix != "" {
		s.prefix = cfg.Prefix + "/"
	}
	if err := s.ensureBucket(ctx, awsCfg.Region); err != nil {
		return nil, err
	}
	return s, nil
}

// ensureBucket creates the bucket only when HeadBucket says it is missing,
// so credentials without s3:CreateBucket work on an existing bucket.
func (s *Store) ensureBucket(ctx context.Context, region string) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	if err == nil {
		return nil
	}
	if httpStatus(err) != 404 {
		return fmt.Errorf("s3 store: bucket %s: %w", s.bucket, err)
	}
	in := &s3.CreateBucketInput{Bucket: &s.bucket}
	if region != "us-east-1" { // us-east-1 rejects an explicit constraint
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(region),
		}
	}
	if _, err := s.client.CreateBucket(ctx, in); err != nil && errorCode(err) != "BucketAlreadyOwnedByYou" {
		return fmt.Errorf("s3 store: create bucket %s: %w", s.bucket, err)
	}
	return nil
}

// objectKey validates a store key and returns the S3 key for it.
func (s *Store) objectKey(key string) (string, error) {
	k, err := storage.CleanKey(key)
	if err != nil {
		return "", err
	}
	return s.prefix + k, nil
}

// listPrefix validates a List/DeletePrefix prefix. Unlike keys, prefixes may
// be empty, end in "/", or stop mid-segment ("m/1" matches "m/10/a").
func (s *Store) listPrefix(prefix string) (string, error) {
	if prefix != "" {
		if _, err := storage.CleanKey(strings.TrimSuffix(prefix, "/")); err != nil {
			return "", err
		}
	}
	return s.prefix + prefix, nil
}

// Stat describes the object with a HEAD request.
func (s *Store) Stat(ctx context.Context, key string) (storage.Info, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return storage.Info{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return storage.Info{}, mapError("stat", key, err)
	}
	return storage.Info{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ModTime: aws.ToTime(out.LastModified),
		ETag:    cleanETag(aws.ToString(out.ETag)),
	}, nil
}

// List pages through ListObjectsV2. S3 already returns keys in byte order;
// the sort only guards servers that do not.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Info, error) {
	var out []storage.Info
	err := s.eachPage(ctx, prefix, func(objs []types.Object) error {
		for _, o := range objs {
			key := strings.TrimPrefix(aws.ToString(o.Key), s.prefix)
			if _, err := storage.CleanKey(key); err != nil {
				continue // e.g. the "dir/" markers S3 consoles create: no Store key can name them
			}
			out = append(out, storage.Info{
				Key:     key,
				Size:    aws.ToInt64(o.Size),
				ModTime: aws.ToTime(o.LastModified),
				ETag:    cleanETag(aws.ToString(o.ETag)),
			})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

func (s *Store) eachPage(ctx context.Context, prefix string, fn func([]types.Object) error) error {
	p, err := s.listPrefix(prefix)
	if err != nil {
		return err
	}
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &p})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return mapError("list", prefix, err)
		}
		if err := fn(page.Contents); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes one object; S3 itself treats a missing key as success.
func (s *Store) Delete(ctx context.Context, key string) error {
	k, err := s.objectKey(key)
	if err != nil {
		return err
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// DeletePrefix deletes page by page: each listing page (at most 1000 keys)
// is exactly one DeleteObjects batch, so memory stays flat for any prefix.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	return s.eachPage(ctx, prefix, func(objs []types.Object) error {
		if len(objs) == 0 {
			return nil
		}
		ids := make([]types.ObjectIdentifier, len(objs))
		for i, o := range objs {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &s.bucket,
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete prefix %s: %w", prefix, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete prefix %s: %d objects failed, first %s: %s %s",
				prefix, len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		return nil
	})
}
