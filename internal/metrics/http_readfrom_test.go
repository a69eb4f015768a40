package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// recorderWithReadFrom notes whether the fast path reached the bottom writer.
type recorderWithReadFrom struct {
	*httptest.ResponseRecorder
	used bool
}

func (r *recorderWithReadFrom) ReadFrom(src io.Reader) (int64, error) {
	r.used = true
	return io.Copy(r.ResponseRecorder, src)
}

// TestReadFromReachesTheConnection: both wrappers on the media path pass
// io.ReaderFrom down, so segments keep net/http's sendfile path.
func TestReadFromReachesTheConnection(t *testing.T) {
	m := New()
	h := m.Middleware(m.MeterBytesOut(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, err := io.Copy(w, io.LimitReader(strings.NewReader("segment bytes"), 1<<20)) // as ServeContent does
		require.NoError(t, err)
	})))
	w := &recorderWithReadFrom{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/media/x/seg.m4s", nil))
	require.True(t, w.used)
	require.Equal(t, "segment bytes", w.Body.String())
}
