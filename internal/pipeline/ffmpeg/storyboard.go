package ffmpeg

import (
	"fmt"
	"math"
	"strings"
)

// maxStoryboardTiles bounds the sprite size.
const maxStoryboardTiles = 100

// StoryboardLayout picks the thumbnail interval and sprite grid for media of
// the given duration: the shortest "round" interval that needs at most 100
// tiles, at most 10 columns wide.
func StoryboardLayout(duration float64) (interval float64, cols, rows int) {
	interval = math.Ceil(duration / maxStoryboardTiles)
	for _, step := range []float64{1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600} {
		if math.Ceil(duration/step) <= maxStoryboardTiles {
			interval = step
			break
		}
	}
	interval = max(interval, 1)
	n := max(1, int(math.Ceil(duration/interval-1e-9)))
	n = min(n, maxStoryboardTiles)
	cols = min(n, 10)
	rows = (n + cols - 1) / cols
	return interval, cols, rows
}

// StoryboardVTT returns a WebVTT file that maps each interval of the media to
// its tile in the sprite, as spriteURL#xywh=x,y,w,h media fragments.
func StoryboardVTT(duration, interval float64, tileW, tileH, cols int, spriteURL string) string {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	if interval <= 0 || cols <= 0 {
		return b.String()
	}
	n := max(1, int(math.Ceil(duration/interval-1e-9)))
	for i := range n {
		start := float64(i) * interval
		end := min(start+interval, duration)
		if end <= start {
			break
		}
		x, y := (i%cols)*tileW, (i/cols)*tileH
		fmt.Fprintf(&b, "\n%s --> %s\n%s#xywh=%d,%d,%d,%d\n",
			vttTime(start), vttTime(end), spriteURL, x, y, tileW, tileH)
	}
	return b.String()
}

// vttTime formats seconds as HH:MM:SS.mmm.
func vttTime(s float64) string {
	ms := int64(math.Round(s * 1000))
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}
