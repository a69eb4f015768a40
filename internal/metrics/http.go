package metrics

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// routeUnmatched labels requests that no ServeMux pattern matched: 404s,
// 405s and the mux's own redirects.
const routeUnmatched = "unmatched"

// Middleware records kinema_http_requests_total and
// kinema_http_request_duration_seconds around next.
//
// The route label is the ServeMux pattern that matched ("/api/v1/videos/{id}"),
// never the raw path, so video ids and tokens cannot explode the number of
// series. ServeMux sets Request.Pattern on the request it was given, so next
// must be the mux itself (or pass the same *http.Request down to it): a
// wrapper in between that calls r.WithContext would hide the pattern and
// every request would count as "unmatched".
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s := m.httpSeriesFor(r.Pattern, r.Method, sw.code())
		s.duration.Observe(time.Since(start).Seconds())
		s.requests.Inc()
	})
}

// Observe records one request the way Middleware does, for a handler
// mounted ahead of the mux (the media fast path) under pattern.
func (m *Metrics) Observe(pattern, method string, code int, took time.Duration) {
	if m == nil {
		return
	}
	s := m.httpSeriesFor(pattern, method, code)
	s.duration.Observe(took.Seconds())
	s.requests.Inc()
}

// httpSeriesKey is the raw input of one request's labels. Patterns come from
// the mux and codes are three digits, so the set is bounded; methods are
// whatever clients send, so only the known ones are kept as they are.
type httpSeriesKey struct {
	pattern, method string
	code            int
}

// httpSeries holds one label set's children: WithLabelValues hashes and
// validates the labels on each call, a cost every media request paid twice.
type httpSeries struct {
	duration prometheus.Observer
	requests prometheus.Counter
}

func (m *Metrics) httpSeriesFor(pattern, method string, code int) *httpSeries {
	if methodLabel(method) == "other" {
		method = "other" // keep client-chosen strings out of the cache key
	}
	k := httpSeriesKey{pattern, method, code}
	if s, ok := m.httpSeries.Load(k); ok {
		return s.(*httpSeries)
	}
	route := routeLabel(pattern)
	s, _ := m.httpSeries.LoadOrStore(k, &httpSeries{
		duration: m.httpDuration.WithLabelValues(route, method),
		requests: m.httpRequests.WithLabelValues(route, method, strconv.Itoa(code)),
	})
	return s.(*httpSeries)
}

// routeLabel drops the method from a pattern like "GET /media/"; the method
// has its own label.
func routeLabel(pattern string) string {
	if pattern == "" {
		return routeUnmatched
	}
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " \t")
	}
	return pattern
}

// methodLabel keeps the label set closed: clients may send any token as a
// method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// statusWriter remembers the final status code.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	// 1xx other than 101 are interim (103 Early Hints); the final code follows.
	if s.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// ReadFrom passes the fast path (sendfile) through; the wrappers above it
// delegate here, so without it every segment would be copied in user space.
func (s *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return readFrom(s.ResponseWriter, src)
}

// readFrom uses w's ReaderFrom when it has one.
func readFrom(w http.ResponseWriter, src io.Reader) (int64, error) {
	if rf, ok := w.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{w}, src)
}

// code is what the client got; a handler that writes nothing sends 200.
func (s *statusWriter) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// Unwrap lets http.ResponseController reach Flush, Hijack and deadlines
// (tusd and streaming handlers use them) through the wrapper.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// MeterBytesOut counts every response body byte next writes into
// kinema_bytes_out_total. Wrap the media delivery handler with it.
func (m *Metrics) MeterBytesOut(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&countingWriter{ResponseWriter: w, m: m}, r)
	})
}

type countingWriter struct {
	http.ResponseWriter
	m *Metrics
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.m.BytesOut(int64(n))
	return n, err
}

// ReadFrom keeps the underlying writer's fast path (sendfile) for
// http.ServeContent, which copies segments with io.Copy.
func (c *countingWriter) ReadFrom(src io.Reader) (int64, error) {
	n, err := readFrom(c.ResponseWriter, src)
	c.m.BytesOut(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// MeterBytesIn counts request body bytes as next reads them into
// kinema_bytes_in_total, so interrupted uploads count too. Wrap the upload
// endpoints with it.
func (m *Metrics) MeterBytesIn(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		// A shallow copy: handlers must not modify the request they were given.
		r2 := r.WithContext(r.Context())
		r2.Body = &countingBody{ReadCloser: r.Body, m: m}
		next.ServeHTTP(w, r2)
	})
}

type countingBody struct {
	io.ReadCloser
	m *Metrics
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.m.BytesIn(int64(n))
	return n, err
}
