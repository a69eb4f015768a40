package manifest

import (
	"bytes"
	"math"
	"strconv"
)

// TargetDuration is the EXT-X-TARGETDURATION segments of these durations
// need: RFC 8216 4.3.3.1 wants every EXTINF, rounded to the nearest integer,
// at or under it, and a target of 0 is not a duration players accept, so it
// is at least 1.
func TargetDuration(durations ...float64) int {
	t := 1
	for _, d := range durations {
		t = max(t, int(math.Round(d)))
	}
	return t
}

// FixTargetDuration returns src with its EXT-X-TARGETDURATION raised to
// what its segments need (TargetDuration), and whether it changed anything.
// ffmpeg's hls muxer rounds half to even and writes 0 for a clip shorter
// than half a second; a target already large enough is left alone, and a
// playlist that does not parse is returned unchanged.
func FixTargetDuration(src []byte) ([]byte, bool) {
	pl, err := ParseMediaPlaylist(bytes.NewReader(src))
	if err != nil {
		return src, false
	}
	durations := make([]float64, len(pl.Segments))
	for i, s := range pl.Segments {
		durations[i] = s.Duration
	}
	want := TargetDuration(durations...)
	if pl.TargetDuration >= want {
		return src, false
	}
	const tag = "#EXT-X-TARGETDURATION:"
	var out []byte
	changed := false
	for rest := src; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte(tag)) {
			eol := line[len(bytes.TrimRight(line, "\r\n")):]
			out = append(out, tag+strconv.Itoa(want)...)
			out = append(out, eol...)
			changed = true
			continue
		}
		out = append(out, line...)
	}
	if !changed { // no tag at all: add one after #EXTM3U
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return src, false
		}
		out = append(append(bytes.Clone(src[:i+1]), tag+strconv.Itoa(want)+"\n"...), src[i+1:]...)
	}
	return out, true
}
