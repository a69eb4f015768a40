package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics records kinema's metrics into its own registry. Build it with New.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpSeries   sync.Map // httpSeriesKey -> *httpSeries (http.go)

	jobs        *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	jobsRunning *prometheus.GaugeVec

	encodeSeconds  *prometheus.CounterVec
	mediaSeconds   *prometheus.CounterVec
	realtimeFactor *prometheus.HistogramVec

	bytesIn  prometheus.Counter
	bytesOut prometheus.Counter

	queue *queueCollector
}

// Job outcomes, the values of the outcome label of kinema_jobs_total.
const (
	OutcomeCompleted = "completed"
	OutcomeRetry     = "retry"
	OutcomeFailed    = "failed"
	OutcomeCancelled = "cancelled"
	OutcomeSnoozed   = "snoozed"
)

// jobBuckets span a thumbnail (sub-second) to a long encode chunk (an hour);
// the default buckets stop at 10 s and would lump every encode together.
var jobBuckets = []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600}

// realtimeBuckets are media seconds per wall second: below 1 an encode is
// slower than playback, which is what capacity planning needs to see.
var realtimeBuckets = []float64{0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128}

// New returns a Metrics with every kinema metric plus the Go runtime and
// process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kinema_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kinema_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, until the handler returns.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kinema_jobs_total",
			Help: "Job attempts by kind and outcome (completed, retry, failed, cancelled, snoozed).",
		}, []string{"kind", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kinema_job_duration_seconds",
			Help:    "Wall time of one job attempt.",
			Buckets: jobBuckets,
		}, []string{"kind"}),
		jobsRunning: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kinema_jobs_running",
			Help: "Job attempts running in this process.",
		}, []string{"kind"}),
		encodeSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kinema_encode_seconds_total",
			Help: "Wall seconds spent encoding.",
		}, []string{"kind"}),
		mediaSeconds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kinema_media_seconds_total",
			Help: "Seconds of media encoded.",
		}, []string{"kind"}),
		realtimeFactor: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kinema_encode_realtime_factor",
			Help:    "Media seconds encoded per wall second, per encode.",
			Buckets: realtimeBuckets,
		}, []string{"kind"}),
		bytesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kinema_bytes_in_total",
			Help: "Bytes received by uploads.",
		}),
		bytesOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kinema_bytes_out_total",
			Help: "Bytes of media sent to players.",
		}),
		queue: newQueueCollector(),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration,
		m.jobs, m.jobDuration, m.jobsRunning,
		m.encodeSeconds, m.mediaSeconds, m.realtimeFactor,
		m.bytesIn, m.bytesOut,
		m.queue,
	)
	return m
}

// Handler serves the registry in the Prometheus text format, for /metrics.
// A failing collector (say, the queue stats query) is logged by promhttp and
// left out, instead of turning the whole scrape into a 500.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:      m.reg,
		ErrorHandling: promhttp.ContinueOnError,
	})
}
