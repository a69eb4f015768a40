package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueStat is the state of one job queue at scrape time.
type QueueStat struct {
	Available int // waiting for a worker now
	Running   int
	Retryable int // failed an attempt, waiting for the retry backoff
	// OldestAvailableAge is how long the oldest available job has waited;
	// zero when none is waiting. A growing age means too few workers.
	OldestAvailableAge time.Duration
}

// QueueStatsFunc reads the queues, keyed by queue name. It is called on every
// scrape with a short deadline, so it should be one cheap query; its error
// contract is simply that a non-nil error means no stats this scrape.
type QueueStatsFunc func(ctx context.Context) (map[string]QueueStat, error)

// queueStatsTimeout bounds the query so a slow database cannot stall the
// whole scrape past Prometheus' own timeout (10 s by default).
const queueStatsTimeout = 3 * time.Second

// RegisterQueueStats makes every scrape report kinema_queue_jobs{queue,state}
// and kinema_queue_oldest_age_seconds{queue} from f. Calling it again
// replaces f; a nil f stops the reports.
func (m *Metrics) RegisterQueueStats(f QueueStatsFunc) {
	if m == nil {
		return
	}
	m.queue.f.Store(&f)
}

// queueCollector asks for queue stats at scrape time rather than caching
// them, so the numbers are never older than the scrape and no goroutine is
// needed to refresh them.
type queueCollector struct {
	f       atomic.Pointer[QueueStatsFunc]
	jobs    *prometheus.Desc
	age     *prometheus.Desc
	success *prometheus.Desc
}

func newQueueCollector() *queueCollector {
	return &queueCollector{
		jobs: prometheus.NewDesc("kinema_queue_jobs",
			"Jobs in the queue by state (available, running, retryable).", []string{"queue", "state"}, nil),
		age: prometheus.NewDesc("kinema_queue_oldest_age_seconds",
			"Age of the oldest available job; 0 when none waits.", []string{"queue"}, nil),
		success: prometheus.NewDesc("kinema_queue_stats_success",
			"1 if the queue stats query of this scrape succeeded, else 0.", nil, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.age
	ch <- c.success
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	fp := c.f.Load()
	if fp == nil || *fp == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), queueStatsTimeout)
	defer cancel()
	stats, err := (*fp)(ctx)
	if err != nil {
		// A gauge instead of a scrape error: alerts can fire on it, and the
		// rest of /metrics stays usable while the database is down.
		ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, 1)
	for q, s := range stats {
		for state, n := range map[string]int{"available": s.Available, "running": s.Running, "retryable": s.Retryable} {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), q, state)
		}
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, s.OldestAvailableAge.Seconds(), q)
	}
}
