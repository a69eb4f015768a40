package testutil

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
)

// AudioLanguage describes one audio stream of MakeLanguagesClip: its
// language tag, title and whether it is the default stream. Silent streams
// hold digital silence, the others a tone, so a test can tell which
// stream a rendition was made of.
type AudioLanguage struct {
	Language, Title string
	Default, Silent bool
}

// MakeLanguagesClip generates a Matroska file (which keeps stream titles;
// mp4 drops them) (320x240, 30 fps, H.264) of seconds
// length with one AAC stereo stream per entry of tracks, tagged as given,
// in t.TempDir(), and returns its path. It calls RequireFFmpeg first.
func MakeLanguagesClip(t testing.TB, seconds float64, tracks ...AudioLanguage) string {
	t.Helper()
	RequireFFmpeg(t)
	dur := strconv.FormatFloat(seconds, 'f', -1, 64)
	path := filepath.Join(t.TempDir(), "languages.mkv")
	args := []string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=" + dur}
	for i, tr := range tracks {
		src := fmt.Sprintf("sine=frequency=%d:sample_rate=48000:duration=%s", 440+220*i, dur)
		if tr.Silent {
			src = "anullsrc=channel_layout=stereo:sample_rate=48000,atrim=duration=" + dur
		}
		args = append(args, "-f", "lavfi", "-i", src)
	}
	args = append(args, "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	for i, tr := range tracks {
		a := strconv.Itoa(i)
		args = append(args, "-map", strconv.Itoa(i+1)+":a")
		args = append(args, "-metadata:s:a:"+a, "language="+tr.Language)
		if tr.Title != "" {
			args = append(args, "-metadata:s:a:"+a, "title="+tr.Title)
		}
		disp := "0"
		if tr.Default {
			disp = "default"
		}
		args = append(args, "-disposition:a:"+a, disp)
	}
	args = append(args, "-c:a", "aac", "-ac", "2", "-b:a", "64k", path)
	runFFmpeg(t, args)
	return path
}
