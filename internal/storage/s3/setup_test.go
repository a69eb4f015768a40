package s3

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
)

// testConfig points at the server scripts/test-integration.sh starts. Without
// it the test skips, unless KINEMA_REQUIRE_S3=1 (CI) makes that a failure.
func testConfig(t *testing.T) Config {
	t.Helper()
	endpoint := os.Getenv("KINEMA_TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("KINEMA_REQUIRE_S3") == "1" {
			t.Fatal("KINEMA_REQUIRE_S3=1 but KINEMA_TEST_S3_ENDPOINT is not set; run under scripts/test-integration.sh")
		}
		t.Skip("KINEMA_TEST_S3_ENDPOINT not set; run under scripts/test-integration.sh")
	}
	region := os.Getenv("KINEMA_TEST_S3_REGION")
	if region == "" {
		region = "us-east-1"
	}
	return Config{
		Bucket:    "kt-" + randomHex(8), // a fresh bucket per test: no cross-talk under t.Parallel
		Region:    region,
		Endpoint:  endpoint,
		PathStyle: true,
		AccessKey: os.Getenv("KINEMA_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("KINEMA_TEST_S3_SECRET_KEY"),
	}
}

// newTestStore opens a store on a fresh bucket and removes the bucket, with
// anything left in it, when the test ends.
func newTestStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ups, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &s.bucket})
		if err == nil {
			for _, u := range ups.Uploads {
				_, _ = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: u.Key, UploadId: u.UploadId})
			}
		}
		unscoped := *s
		unscoped.prefix = ""
		require.NoError(t, unscoped.DeletePrefix(ctx, ""))
		_, err = s.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &s.bucket})
		require.NoError(t, err)
	})
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// countingTransport counts requests by method and new connections, to prove
// what Open and Seek do (and do not) send and that connections are reused.
type countingTransport struct {
	mu     sync.Mutex
	counts map[string]int
	dials  int
	rt     *http.Transport
}

func newCountingTransport() *countingTransport {
	c := &countingTransport{counts: map[string]int{}}
	var d net.Dialer
	c.rt = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.mu.Lock()
		c.dials++
		c.mu.Unlock()
		return d.DialContext(ctx, network, addr)
	}}
	return c
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.counts[r.Method]++
	c.mu.Unlock()
	return c.rt.RoundTrip(r)
}

func (c *countingTransport) dialCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dials
}

func (c *countingTransport) count(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[method]
}

func (s *Store) pendingUploads(t *testing.T) int {
	t.Helper()
	out, err := s.client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &s.bucket})
	require.NoError(t, err)
	return len(out.Uploads)
}
