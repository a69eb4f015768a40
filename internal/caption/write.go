package caption

import (
	"fmt"
	"math"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// Timestamp formats seconds as WebVTT's HH:MM:SS.mmm.
func Timestamp(sec float64) string {
	ms := int64(math.Round(max(sec, 0) * 1000))
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// WriteVTT returns a WebVTT file holding cues. header lines (such as an
// X-TIMESTAMP-MAP) go right after the WEBVTT line.
func WriteVTT(cues []Cue, header ...string) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	for _, h := range header {
		b.WriteString(h + "\n")
	}
	for _, c := range cues {
		b.WriteString("\n")
		b.WriteString(Timestamp(c.Start) + " --> " + Timestamp(c.End))
		if c.Settings != "" {
			b.WriteString(" " + c.Settings)
		}
		b.WriteString("\n" + c.Text + "\n")
	}
	return []byte(b.String())
}

// Segment is one WebVTT segment of an HLS subtitle playlist.
type Segment struct {
	Start, Duration float64
	VTT             []byte
}

// Segments cuts cues into segments of the given durations (those of the
// video's segments, so the subtitle playlist lines up with it). A cue that
// spans a boundary is repeated in every segment it overlaps, as RFC 8216
// 3.1.4 asks; players drop the repeats.
func Segments(cues []Cue, durations []float64) []Segment {
	out := make([]Segment, 0, len(durations))
	start := 0.0
	for _, d := range durations {
		end := start + d
		var in []Cue
		for _, c := range cues {
			if c.Start < end && c.End > start {
				in = append(in, c)
			}
		}
		// LOCAL 0 is media time 0: kinema's segments start at 0 on a
		// 90 kHz clock, so cue times are presentation times.
		out = append(out, Segment{Start: start, Duration: d, VTT: WriteVTT(in, "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000")})
		start = end
	}
	return out
}

// ChaptersVTT writes chapters as a WebVTT chapters track: each chapter
// runs to the next one's start, the last to duration. Titles are plain
// text, escaped.
func ChaptersVTT(chapters []media.Chapter, duration float64) []byte {
	cues := make([]Cue, 0, len(chapters))
	for i, ch := range chapters {
		end := duration
		if i+1 < len(chapters) {
			end = chapters[i+1].Start
		}
		if end <= ch.Start {
			end = ch.Start + 0.001
		}
		cues = append(cues, Cue{Start: ch.Start, End: end, Text: escape(ch.Title)})
	}
	return WriteVTT(cues)
}

// escape makes plain text safe as WebVTT cue text, on one line.
func escape(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
