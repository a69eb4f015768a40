package ffmpeg

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/kinema/kinema/internal/media"
)

// AudioSegmentPreview encodes segment seg of audio rendition r of plan on
// its own, for a viewer who seeks ahead of the audio encode (progressive
// playback's previews), into dir, and returns the path of the CMAF
// segment: the packets Plan.AudioSegmentPackets gives the segment, at the
// track's times and fragment number, playable after the track's init
// segment. Packet j of the track encodes the samples from (j-1)×1024
// (packet 0 primes the decoder), so the preview encodes from the sample
// its first packet starts at and drops its own priming packet; only the
// first packet's overlap with the one before differs from the track's.
func AudioSegmentPreview(ctx context.Context, run *Runner, plan media.Plan, r media.Rendition, src string, seg int, dir string) (string, error) {
	sr := r.SampleRate
	if sr <= 0 {
		sr = 48000
	}
	first, n, ok := plan.AudioSegmentPackets(sr, seg)
	if !ok {
		return "", fmt.Errorf("audio segment %d is not in the plan", seg)
	}
	pkt := float64(media.AACFrameSamples) / float64(sr)
	drop, start := 1, float64(first-1)*pkt
	if first == 0 {
		drop, start = 0, 0 // the track's own priming packet
	}
	adts := filepath.Join(dir, "preview.aac")
	// Two packets more than needed: the end of the input may cut the last.
	if err := run.Run(ctx, AudioPreviewArgs(plan, r, src, start, float64(n+2)*pkt, adts), nil); err != nil {
		return "", fmt.Errorf("encode audio preview: %w", err)
	}
	b, err := os.ReadFile(adts)
	if err != nil {
		return "", err
	}
	frames, err := ADTSFrames(b)
	if err != nil {
		return "", err
	}
	if len(frames) < drop+1 {
		return "", fmt.Errorf("audio preview: %d packets", len(frames))
	}
	frames = frames[drop:min(len(frames), drop+n)]
	trimmed := filepath.Join(dir, "segment.aac")
	if err := os.WriteFile(trimmed, slices.Concat(frames...), 0o640); err != nil {
		return "", err
	}
	pkg := filepath.Join(dir, "pkg")
	if err := os.MkdirAll(pkg, 0o750); err != nil {
		return "", err
	}
	if err := run.Run(ctx, AudioSegmentArgs(trimmed, plan.SegmentSeconds, pkg), nil); err != nil {
		return "", fmt.Errorf("package audio preview: %w", err)
	}
	path := filepath.Join(pkg, "seg_00000.m4s")
	if b, err = os.ReadFile(path); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(pkg, "seg_00001.m4s")); err == nil {
		return "", fmt.Errorf("audio preview: more than one segment")
	}
	// first packets of 1024 samples: first×1024 ticks of the track's
	// timescale, its sample rate.
	if err := ShiftSegment(b, uint32(seg), first*media.AACFrameSamples, sr, 1); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, b, 0o640)
}
