package s3

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/kinema/kinema/internal/storage"
)

// Config says which bucket to use and how to reach it.
type Config struct {
	Bucket string
	// Prefix is prepended (with a "/") to every key, so the store sees only
	// its own part of the bucket. Empty means the whole bucket.
	Prefix string
	// Region signs requests. Empty means the AWS default chain (AWS_REGION,
	// the shared config file), then us-east-1.
	Region string
	// Endpoint is the base URL of an S3-compatible server, such as
	// http://127.0.0.1:7070. Empty means AWS.
	Endpoint string
	// PathStyle addresses buckets as ENDPOINT/BUCKET instead of
	// BUCKET.ENDPOINT. Most self-hosted servers, and any endpoint given as an
	// IP address, need it.
	PathStyle bool
	// AccessKey and SecretKey are static credentials. Both empty means the
	// AWS default chain (environment, shared files, instance or task role).
	AccessKey, SecretKey string

	// PartSize is the multipart part size Put starts with; 0 means 8 MiB.
	// It doubles every 1000 parts so that objects of unknown size still fit
	// in S3's 10000 parts. S3 rejects parts below 5 MiB except the last.
	PartSize int64
	// Concurrency is how many parts one Put uploads at once; 0 means 4.
	// Put holds up to Concurrency+1 parts in memory.
	Concurrency int
	// HTTPClient overrides the SDK's HTTP client (timeouts, proxies, tests).
	HTTPClient *http.Client
}

const (
	defaultPartSize    = 8 << 20
	minPartSize        = 5 << 20
	defaultConcurrency = 4
)

// ParseURL splits s3://BUCKET[/PREFIX] into the bucket and the key prefix
// (without surrounding slashes).
func ParseURL(s3url string) (bucket, prefix string, err error) {
	u, err := url.Parse(s3url)
	if err != nil {
		return "", "", fmt.Errorf("parse store URL: %w", err)
	}
	if u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", fmt.Errorf("store URL %q: want s3://BUCKET[/PREFIX]", s3url)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		if _, err := storage.CleanKey(prefix); err != nil {
			return "", "", fmt.Errorf("store URL %q: bad prefix: %w", s3url, err)
		}
	}
	return u.Host, prefix, nil
}

func (c *Config) validate() error {
	if c.Bucket == "" || strings.Contains(c.Bucket, "/") {
		return fmt.Errorf("s3 store: bad bucket name %q", c.Bucket)
	}
	if c.Prefix = strings.Trim(c.Prefix, "/"); c.Prefix != "" {
		if _, err := storage.CleanKey(c.Prefix); err != nil {
			return fmt.Errorf("s3 store: bad prefix %q: %w", c.Prefix, err)
		}
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return errors.New("s3 store: set both the access key and the secret key, or neither")
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("s3 store: endpoint %q must be an http(s) URL", c.Endpoint)
		}
	}
	if c.PartSize == 0 {
		c.PartSize = defaultPartSize
	}
	if c.PartSize < minPartSize {
		return fmt.Errorf("s3 store: part size %d is below S3's minimum of 5 MiB", c.PartSize)
	}
	if c.Concurrency <= 0 {
		c.Concurrency = defaultConcurrency
	}
	return nil
}
