// Package metrics exposes kinema's Prometheus metrics: HTTP requests, jobs,
// encoding speed, bytes moved and queue depth.
//
// Everything lives on a Metrics value with its own registry, so tests and
// several servers in one process never share counters. Recording methods are
// safe on a nil *Metrics (they do nothing), which lets components take an
// optional *Metrics without nil checks at every call site.
package metrics
