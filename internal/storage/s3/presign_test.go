package s3

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
)

// httpPut sends body to a presigned URL the way a browser would: plain
// net/http, no SDK, no credentials.
func httpPut(t *testing.T, u string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, u, bytes.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// tamper changes one character of the signature.
func tamper(t *testing.T, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	q := parsed.Query()
	sig := []byte(q.Get("X-Amz-Signature"))
	require.NotEmpty(t, sig)
	if sig[0] == '0' {
		sig[0] = '1'
	} else {
		sig[0] = '0'
	}
	q.Set("X-Amz-Signature", string(sig))
	parsed.RawQuery = q.Encode()
	return parsed.String()
}

func TestPresignPut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.Prefix = "kinema"
	s := newTestStore(t, cfg)
	data := randomBytes(64 << 10)

	// Rejected requests carry small bodies: the server answers before reading
	// them and closes the connection, which a large body would hit mid-write.
	small, err := s.PresignPut(ctx, "raw/v1/source-a", 10, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, httpPut(t, tamper(t, small), data[:10]).StatusCode)
	require.Equal(t, http.StatusForbidden, httpPut(t, small, data[:9]).StatusCode, "the size is signed")
	_, err = s.Stat(ctx, "raw/v1/source-a")
	require.ErrorIs(t, err, storage.ErrNotFound)

	u, err := s.PresignPut(ctx, "raw/v1/source-a", int64(len(data)), 5*time.Minute)
	require.NoError(t, err)

	resp := httpPut(t, u, data)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("ETag"))
	st, err := s.Stat(ctx, "raw/v1/source-a")
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), st.Size)
	require.Equal(t, cleanETag(resp.Header.Get("ETag")), st.ETag)
	require.Equal(t, data, readAll(t, s, "raw/v1/source-a"))

	_, err = s.PresignPut(ctx, "../escape", 1, time.Minute)
	require.ErrorIs(t, err, storage.ErrInvalidKey)
	_, err = s.PresignPut(ctx, "k", 1, 8*24*time.Hour)
	require.Error(t, err)
}

func TestPresignPutExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	u, err := s.PresignPut(ctx, "late", 3, time.Second)
	require.NoError(t, err)
	time.Sleep(2100 * time.Millisecond)
	require.Equal(t, http.StatusForbidden, httpPut(t, u, []byte("abc")).StatusCode)
}

func TestPresignMultipart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	const key = "raw/v2/source-b"
	sizes := []int{minPartSize, minPartSize, 4321} // S3 allows only the last part below 5 MiB
	var data []byte
	id, err := s.CreateMultipart(ctx, key)
	require.NoError(t, err)
	require.NotEmpty(t, id)

	var parts []storage.CompletedPart
	for i, size := range sizes {
		chunk := randomBytes(size)
		data = append(data, chunk...)
		u, err := s.PresignPart(ctx, key, id, int32(i+1), int64(size), 5*time.Minute)
		require.NoError(t, err)
		if i == 0 { // small bodies: see TestPresignPut
			require.Equal(t, http.StatusForbidden, httpPut(t, tamper(t, u), chunk[:100]).StatusCode)
			small, err := s.PresignPart(ctx, key, id, 1, 100, 5*time.Minute)
			require.NoError(t, err)
			require.Equal(t, http.StatusForbidden, httpPut(t, small, chunk[:99]).StatusCode, "the size is signed")
			require.Equal(t, http.StatusForbidden, httpPut(t, small, chunk[:101]).StatusCode, "the size is signed")
		}
		resp := httpPut(t, u, chunk)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		etag := resp.Header.Get("ETag")
		require.NotEmpty(t, etag)
		if i == 1 {
			etag = cleanETag(etag) // clients may strip the quotes
		}
		parts = append(parts, storage.CompletedPart{Number: int32(i + 1), ETag: etag})
	}
	_, err = s.Stat(ctx, key)
	require.ErrorIs(t, err, storage.ErrNotFound, "parts are invisible until completed")

	// Out of order on purpose: CompleteMultipart sorts.
	parts[0], parts[2] = parts[2], parts[0]
	info, err := s.CompleteMultipart(ctx, key, id, parts)
	require.NoError(t, err)
	require.Equal(t, key, info.Key)
	require.Equal(t, int64(len(data)), info.Size)
	require.Equal(t, data, readAll(t, s, key))
	require.Zero(t, s.pendingUploads(t))
}

func TestCompleteMultipartRejectsBadParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	id, err := s.CreateMultipart(ctx, "k")
	require.NoError(t, err)
	u, err := s.PresignPart(ctx, "k", id, 1, 0, time.Minute)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, httpPut(t, u, []byte("tiny")).StatusCode)

	_, err = s.CompleteMultipart(ctx, "k", id, []storage.CompletedPart{{Number: 1, ETag: "0123456789abcdef0123456789abcdef"}})
	require.ErrorIs(t, err, storage.ErrInvalidUpload)
	_, err = s.CompleteMultipart(ctx, "k", id, []storage.CompletedPart{{Number: 2, ETag: "0123456789abcdef0123456789abcdef"}})
	require.ErrorIs(t, err, storage.ErrInvalidUpload)
	_, err = s.CompleteMultipart(ctx, "k", id, nil)
	require.ErrorIs(t, err, storage.ErrInvalidUpload)
	_, err = s.PresignPart(ctx, "k", id, 0, 1, time.Minute)
	require.ErrorIs(t, err, storage.ErrInvalidUpload)
	require.NoError(t, s.AbortMultipart(ctx, "k", id))
}

func TestAbortMultipart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, testConfig(t))
	id, err := s.CreateMultipart(ctx, "k")
	require.NoError(t, err)
	part := randomBytes(minPartSize)
	u, err := s.PresignPart(ctx, "k", id, 1, int64(len(part)), time.Minute)
	require.NoError(t, err)
	resp := httpPut(t, u, part)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 1, s.pendingUploads(t))

	require.NoError(t, s.AbortMultipart(ctx, "k", id))
	require.Zero(t, s.pendingUploads(t))
	require.NoError(t, s.AbortMultipart(ctx, "k", id), "aborting twice is fine")
	_, err = s.CompleteMultipart(ctx, "k", id, []storage.CompletedPart{{Number: 1, ETag: resp.Header.Get("ETag")}})
	require.ErrorIs(t, err, storage.ErrNotFound)
	small, err := s.PresignPart(ctx, "k", id, 2, 100, time.Minute) // small body: see TestPresignPut
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, httpPut(t, small, part[:100]).StatusCode, "parts of an aborted upload are refused")
	_, err = s.Stat(ctx, "k")
	require.ErrorIs(t, err, storage.ErrNotFound)
}
