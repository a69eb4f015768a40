package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// bar draws a one-line progress bar on a terminal (or any writer).
type bar struct {
	w     io.Writer
	label string
	last  string
}

func newBar(w io.Writer, label string) *bar { return &bar{w: w, label: label} }

func (b *bar) draw(frac float64, status string, etaSeconds float64) {
	frac = min(max(frac, 0), 1)
	const width = 30
	filled := int(frac * width)
	line := fmt.Sprintf("%-8s [%s%s] %5.1f%% %s", b.label, strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), frac*100, status)
	if etaSeconds >= 0 {
		line += fmt.Sprintf(" (about %s left)", (time.Duration(etaSeconds) * time.Second).String())
	}
	if line != b.last {
		fmt.Fprintf(b.w, "\r%-80s", line)
		b.last = line
	}
}

func (b *bar) drawBytes(done, total int64, elapsed time.Duration) {
	speed := float64(done) / max(elapsed.Seconds(), 0.001)
	eta := -1.0
	if speed > 0 {
		eta = float64(total-done) / speed
	}
	b.draw(float64(done)/float64(max(total, 1)), fmt.Sprintf("%.1f MB/s", speed/1e6), eta)
}

func (b *bar) done(msg string) {
	fmt.Fprintf(b.w, "\r%-80s\n", b.label+": "+msg)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
