package ffmpeg

import (
	"fmt"
	"math"
	"strings"
)

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
