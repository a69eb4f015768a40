package metrics

import "time"

// JobStarted counts a job attempt of kind as running. Pair it with exactly
// one JobFinished.
func (m *Metrics) JobStarted(kind string) {
	if m == nil {
		return
	}
	m.jobsRunning.WithLabelValues(kind).Inc()
}

// JobFinished records the end of an attempt started with JobStarted. outcome
// is one of the Outcome constants.
func (m *Metrics) JobFinished(kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.jobsRunning.WithLabelValues(kind).Dec()
	m.jobs.WithLabelValues(kind, outcome).Inc()
	m.jobDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// EncodeDone records one finished encode: mediaSeconds of source encoded in
// wallSeconds. kind names the encode (e.g. "video", "audio"); keep it to a
// handful of values.
func (m *Metrics) EncodeDone(kind string, mediaSeconds, wallSeconds float64) {
	if m == nil || mediaSeconds < 0 || wallSeconds < 0 {
		return
	}
	m.encodeSeconds.WithLabelValues(kind).Add(wallSeconds)
	m.mediaSeconds.WithLabelValues(kind).Add(mediaSeconds)
	// A zero wall time would be an infinite factor; it only happens with
	// empty inputs, which say nothing about speed.
	if wallSeconds > 0 && mediaSeconds > 0 {
		m.realtimeFactor.WithLabelValues(kind).Observe(mediaSeconds / wallSeconds)
	}
}

// BytesIn counts n bytes received by uploads.
func (m *Metrics) BytesIn(n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.bytesIn.Add(float64(n))
}

// BytesOut counts n bytes of media sent.
func (m *Metrics) BytesOut(n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.bytesOut.Add(float64(n))
}
