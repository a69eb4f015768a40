package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kinema/kinema/internal/metrics"
)

// serveMetrics serves /metrics on its own listener (config.MetricsAddr),
// loopback by default, so the public listener never shows queue depths,
// routes and job counts to strangers.
func (m *Main) serveMetrics(met *metrics.Metrics) error {
	addr := m.Config.MetricsAddr
	if addr == "" || addr == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listener: %w (give each process on this machine its own --metrics-addr, or off)", err)
	}
	m.MetricsAddr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", met.Handler())
	m.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.metricsHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("metrics server stopped", "err", err)
		}
	}()
	m.Log.Info("metrics on http://"+m.MetricsAddr+"/metrics", "metrics_addr", m.MetricsAddr)
	return nil
}
