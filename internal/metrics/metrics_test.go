package metrics_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/metrics"
)

// scrape fetches /metrics through the real handler and returns every sample
// line keyed by "name{labels}", as Prometheus would read it.
func scrape(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		out[line[:i]] = v
	}
	return out
}

func TestHandlerHasRuntimeCollectors(t *testing.T) {
	t.Parallel()
	s := scrape(t, metrics.New())
	require.Contains(t, s, "go_goroutines")
	require.Contains(t, s, "process_start_time_seconds")
}

func TestMiddlewareUsesRoutePattern(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/videos/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	})
	mux.HandleFunc("POST /api/v1/videos", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("/media/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "x") })
	srv := httptest.NewServer(m.Middleware(mux))
	t.Cleanup(srv.Close)

	do := func(method, path string) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do(http.MethodGet, "/api/v1/videos/abc123secret")
	do(http.MethodGet, "/api/v1/videos/def456")
	do(http.MethodPost, "/api/v1/videos")
	do(http.MethodGet, "/media/abc/v0/seg_00001.m4s?token=T")
	do(http.MethodGet, "/nothing-here")
	do("BREW", "/api/v1/videos")

	s := scrape(t, m)
	require.Equal(t, 2.0, s[`kinema_http_requests_total{code="404",method="GET",route="/api/v1/videos/{id}"}`])
	require.Equal(t, 1.0, s[`kinema_http_requests_total{code="201",method="POST",route="/api/v1/videos"}`])
	require.Equal(t, 1.0, s[`kinema_http_requests_total{code="200",method="GET",route="/media/"}`])
	require.Equal(t, 1.0, s[`kinema_http_requests_total{code="404",method="GET",route="unmatched"}`])
	require.Equal(t, 1.0, s[`kinema_http_requests_total{code="405",method="other",route="unmatched"}`])
	require.Equal(t, 2.0, s[`kinema_http_request_duration_seconds_count{method="GET",route="/api/v1/videos/{id}"}`])
	for k := range s {
		require.NotContains(t, k, "abc123secret", "ids must never become label values")
		require.NotContains(t, k, "token", "tokens must never become label values")
	}
}

func TestMeterBytes(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	out := m.MeterBytesOut(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello")
		_, _ = io.Copy(w, strings.NewReader("world!")) // the ReadFrom path
	}))
	in := m.MeterBytesIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	out.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/media/x/a.m4s", nil))
	in.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPut, "/upload/x", strings.NewReader("1234567")))
	m.BytesIn(3)
	m.BytesOut(-1) // ignored

	s := scrape(t, m)
	require.Equal(t, 11.0, s["kinema_bytes_out_total"])
	require.Equal(t, 10.0, s["kinema_bytes_in_total"])
}

func TestJobsAndEncode(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.JobStarted("encode_chunk")
	m.JobStarted("encode_chunk")
	m.JobFinished("encode_chunk", metrics.OutcomeCompleted, 90*time.Second)
	m.EncodeDone("video", 16, 4)
	m.EncodeDone("video", 8, 0) // no factor for zero wall time

	s := scrape(t, m)
	require.Equal(t, 1.0, s[`kinema_jobs_running{kind="encode_chunk"}`])
	require.Equal(t, 1.0, s[`kinema_jobs_total{kind="encode_chunk",outcome="completed"}`])
	require.Equal(t, 90.0, s[`kinema_job_duration_seconds_sum{kind="encode_chunk"}`])
	require.Equal(t, 1.0, s[`kinema_job_duration_seconds_bucket{kind="encode_chunk",le="120"}`])
	require.Equal(t, 0.0, s[`kinema_job_duration_seconds_bucket{kind="encode_chunk",le="60"}`])
	require.Equal(t, 4.0, s[`kinema_encode_seconds_total{kind="video"}`])
	require.Equal(t, 24.0, s[`kinema_media_seconds_total{kind="video"}`])
	require.Equal(t, 1.0, s[`kinema_encode_realtime_factor_count{kind="video"}`])
	require.Equal(t, 4.0, s[`kinema_encode_realtime_factor_sum{kind="video"}`])
}

func TestNilMetricsIsNoop(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	m.JobStarted("x")
	m.JobFinished("x", metrics.OutcomeFailed, time.Second)
	m.EncodeDone("video", 1, 1)
	m.BytesIn(1)
	m.BytesOut(1)
	m.RegisterQueueStats(nil)
	h := http.NotFoundHandler()
	require.NotNil(t, m.Middleware(h))
	require.NoError(t, m.RiverMiddleware().(rivertype.WorkerMiddleware).Work(context.Background(),
		&rivertype.JobRow{Kind: "x", Attempt: 1, MaxAttempts: 1}, func(context.Context) error { return nil }))
}

func TestQueueStats(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	require.NotContains(t, scrape(t, m), "kinema_queue_stats_success", "nothing registered yet")

	var sawDeadline bool
	m.RegisterQueueStats(func(ctx context.Context) (map[string]metrics.QueueStat, error) {
		_, sawDeadline = ctx.Deadline()
		return map[string]metrics.QueueStat{
			"encode":  {Available: 3, Running: 2, Retryable: 1, OldestAvailableAge: 90 * time.Second},
			"default": {},
		}, nil
	})
	s := scrape(t, m)
	require.True(t, sawDeadline, "the stats query must be bounded")
	require.Equal(t, 1.0, s["kinema_queue_stats_success"])
	require.Equal(t, 3.0, s[`kinema_queue_jobs{queue="encode",state="available"}`])
	require.Equal(t, 2.0, s[`kinema_queue_jobs{queue="encode",state="running"}`])
	require.Equal(t, 1.0, s[`kinema_queue_jobs{queue="encode",state="retryable"}`])
	require.Equal(t, 90.0, s[`kinema_queue_oldest_age_seconds{queue="encode"}`])
	require.Contains(t, s, `kinema_queue_jobs{queue="default",state="available"}`)

	m.RegisterQueueStats(func(context.Context) (map[string]metrics.QueueStat, error) {
		return nil, errors.New("database is down")
	})
	s = scrape(t, m)
	require.Equal(t, 0.0, s["kinema_queue_stats_success"])
	require.NotContains(t, s, `kinema_queue_jobs{queue="encode",state="available"}`)
	require.Contains(t, s, "go_goroutines", "the rest of the scrape still works")
}

func TestRiverMiddlewareOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		attempt, max int
		err          error
		want         string
	}{
		{"completed", 1, 3, nil, metrics.OutcomeCompleted},
		{"retry", 1, 3, errors.New("boom"), metrics.OutcomeRetry},
		{"last attempt", 3, 3, errors.New("boom"), metrics.OutcomeFailed},
		{"cancel", 1, 3, river.JobCancel(errors.New("bad input")), metrics.OutcomeCancelled},
		{"wrapped cancel", 1, 3, errors.Join(errors.New("x"), river.JobCancel(errors.New("y"))), metrics.OutcomeCancelled},
		{"snooze", 1, 3, river.JobSnooze(time.Second), metrics.OutcomeSnoozed},
		{"snooze on last attempt", 3, 3, river.JobSnooze(0), metrics.OutcomeSnoozed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New()
			mw, ok := m.RiverMiddleware().(rivertype.WorkerMiddleware)
			require.True(t, ok)
			job := &rivertype.JobRow{ID: 1, Kind: "probe", Attempt: tt.attempt, MaxAttempts: tt.max}
			var running float64
			err := mw.Work(context.Background(), job, func(context.Context) error {
				running = scrape(t, m)[`kinema_jobs_running{kind="probe"}`]
				return tt.err
			})
			require.Equal(t, tt.err, err, "the middleware must not change the result")
			require.Equal(t, 1.0, running)
			s := scrape(t, m)
			require.Equal(t, 1.0, s[`kinema_jobs_total{kind="probe",outcome="`+tt.want+`"}`])
			require.Equal(t, 0.0, s[`kinema_jobs_running{kind="probe"}`])
			require.Equal(t, 1.0, s[`kinema_job_duration_seconds_count{kind="probe"}`])
		})
	}
}

func TestRiverMiddlewarePanicKeepsPanicking(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	mw := m.RiverMiddleware().(rivertype.WorkerMiddleware)
	job := &rivertype.JobRow{Kind: "package", Attempt: 1, MaxAttempts: 2}
	require.PanicsWithValue(t, "bug", func() {
		_ = mw.Work(context.Background(), job, func(context.Context) error { panic("bug") })
	})
	s := scrape(t, m)
	require.Equal(t, 1.0, s[`kinema_jobs_total{kind="package",outcome="retry"}`])
	require.Equal(t, 0.0, s[`kinema_jobs_running{kind="package"}`])
}
