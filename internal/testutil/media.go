package testutil

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RequireFFmpeg skips the test when ffmpeg or ffprobe is not in PATH. When
// KINEMA_REQUIRE_FFMPEG=1 is set (as in CI) it fails the test instead, so a
// broken CI image cannot silently skip the media tests.
func RequireFFmpeg(t testing.TB) {
	t.Helper()
	for _, name := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("KINEMA_REQUIRE_FFMPEG") == "1" {
				t.Fatalf("%s not found in PATH and KINEMA_REQUIRE_FFMPEG=1: %v", name, err)
			}
			t.Skipf("%s not found in PATH; set KINEMA_REQUIRE_FFMPEG=1 to make this a failure", name)
		}
	}
}

// ClipOptions describes a generated test clip. Zero values pick small,
// fast defaults: 320x240, 2 seconds, 30 fps, mp4 with video and audio.
type ClipOptions struct {
	Width, Height int
	Seconds       float64
	FPS           int
	// Audio and Video select the streams. When both are false the clip has
	// both, except for audio-only formats (mp3, m4a, wav, flac), which get
	// audio only.
	Audio, Video  bool
	AudioChannels int // default 2
	// Rotate, when non-zero, stores rotation metadata (degrees clockwise) on
	// the video stream without touching the pixels, like a phone does.
	Rotate int
	// Format is the container by file extension: mp4 (default), mkv, mov,
	// webm, ts, mp3, m4a, wav or flac.
	Format string
	// Codec is the video encoder; libx264 by default (libvpx-vp9 for webm).
	Codec string
	// SAR, when set (for example "2:1"), stores a non-square sample aspect
	// ratio so the display width differs from the coded width.
	SAR string
	// GOP, when set, makes libx264 put a keyframe every GOP frames and
	// nowhere else (scene-cut detection off). A GOP longer than the clip
	// leaves one keyframe in the whole file.
	GOP int
	// Preset is the libx264 preset; ultrafast (no B-frames) by default.
	Preset string
	// FaststartOff keeps the mp4 index (moov) at the end of the file, which
	// is what MakeTruncated relies on. By default mp4 files are written with
	// +faststart.
	FaststartOff bool
}

var audioOnlyFormats = map[string]bool{"mp3": true, "m4a": true, "wav": true, "flac": true}

// MakeClip generates a clip from ffmpeg's lavfi testsrc2 and sine sources in
// t.TempDir() and returns its path. It calls RequireFFmpeg first.
func MakeClip(t testing.TB, o ClipOptions) string {
	t.Helper()
	RequireFFmpeg(t)
	o = o.withDefaults()
	path := filepath.Join(t.TempDir(), "clip."+o.Format)
	args := clipArgs(o, path)
	runFFmpeg(t, args)
	if o.Rotate != 0 && o.Video {
		// ffmpeg 5.1 has no -display_rotation; the mov muxer still turns the
		// legacy "rotate" tag into a display matrix when stream copying.
		rotated := filepath.Join(filepath.Dir(path), "rotated."+o.Format)
		runFFmpeg(t, []string{"-i", path, "-map", "0", "-c", "copy",
			"-metadata:s:v:0", "rotate=" + strconv.Itoa(o.Rotate), rotated})
		path = rotated
	}
	return path
}

func (o ClipOptions) withDefaults() ClipOptions {
	if o.Format == "" {
		o.Format = "mp4"
	}
	if !o.Audio && !o.Video {
		o.Audio = true
		o.Video = !audioOnlyFormats[o.Format]
	}
	if o.Width == 0 {
		o.Width = 320
	}
	if o.Height == 0 {
		o.Height = 240
	}
	if o.Seconds == 0 {
		o.Seconds = 2
	}
	if o.FPS == 0 {
		o.FPS = 30
	}
	if o.AudioChannels == 0 {
		o.AudioChannels = 2
	}
	if o.Codec == "" {
		o.Codec = "libx264"
		if o.Format == "webm" {
			o.Codec = "libvpx-vp9"
		}
	}
	return o
}

func clipArgs(o ClipOptions, path string) []string {
	dur := strconv.FormatFloat(o.Seconds, 'f', -1, 64)
	var args []string
	if o.Video {
		src := fmt.Sprintf("testsrc2=size=%dx%d:rate=%d:duration=%s", o.Width, o.Height, o.FPS, dur)
		args = append(args, "-f", "lavfi", "-i", src)
	}
	if o.Audio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+dur)
	}
	n := 0
	if o.Video {
		args = append(args, "-map", "0:v")
		n++
		vf := "format=yuv420p"
		if o.SAR != "" {
			// In a filter string ':' separates options, so 2:1 becomes 2/1.
			vf += ",setsar=" + strings.ReplaceAll(o.SAR, ":", "/")
		}
		args = append(args, "-vf", vf, "-c:v", o.Codec)
		switch o.Codec {
		case "libx264":
			preset := o.Preset
			if preset == "" {
				preset = "ultrafast"
			}
			args = append(args, "-preset", preset)
			if o.GOP > 0 {
				g := strconv.Itoa(o.GOP)
				args = append(args, "-g", g, "-keyint_min", g, "-sc_threshold", "0")
			}
		case "libvpx-vp9", "libvpx":
			args = append(args, "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k")
		}
	}
	if o.Audio {
		args = append(args, "-map", strconv.Itoa(n)+":a", "-ac", strconv.Itoa(o.AudioChannels))
		switch o.Format {
		case "mp3":
			args = append(args, "-c:a", "libmp3lame", "-b:a", "64k")
		case "wav":
			args = append(args, "-c:a", "pcm_s16le")
		case "flac":
			args = append(args, "-c:a", "flac")
		case "webm":
			args = append(args, "-c:a", "libopus", "-b:a", "64k")
		default:
			args = append(args, "-c:a", "aac", "-b:a", "64k")
		}
	}
	if (o.Format == "mp4" || o.Format == "m4a" || o.Format == "mov") && !o.FaststartOff {
		args = append(args, "-movflags", "+faststart")
	}
	return append(args, path)
}

// MakeCorrupt writes 64 KiB of random bytes under an .mp4 name in
// t.TempDir() and returns its path.
func MakeCorrupt(t testing.TB) string {
	t.Helper()
	// The same bytes every run: some random buffers happen to score as a
	// container format (refused by the whitelist with another sentence),
	// and a test must not depend on the draw.
	b := make([]byte, 64<<10)
	_, _ = rand.NewChaCha8([32]byte{'k', 'i', 'n', 'e', 'm', 'a'}).Read(b)
	path := filepath.Join(t.TempDir(), "corrupt.mp4")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// MakeTruncated generates a small mp4 whose index (moov) is at the end and
// cuts it in half, like an upload that stopped early. It returns the path.
func MakeTruncated(t testing.TB) string {
	t.Helper()
	full := MakeClip(t, ClipOptions{Width: 160, Height: 120, Seconds: 1, FaststartOff: true})
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "truncated.mp4")
	if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runFFmpeg runs ffmpeg with quiet, non-interactive flags and fails the test
// with ffmpeg's stderr on error.
func runFFmpeg(t testing.TB, args []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)
	cmd := exec.CommandContext(ctx, "ffmpeg", full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", full, err, stderr.String())
	}
}
