package manifest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Segment is one media segment of a media playlist.
type Segment struct {
	URI      string  // as written, relative to the playlist
	Duration float64 // seconds, from EXTINF
}

// MediaPlaylist is the subset of an HLS media playlist kinema relies on: the
// fMP4 init section, the segments and their durations.
type MediaPlaylist struct {
	Version        int
	TargetDuration int    // seconds
	MediaSequence  int    // number of the first segment
	MapURI         string // EXT-X-MAP URI (fMP4 init section), empty if none
	Segments       []Segment
	EndList        bool
}

// Duration returns the sum of the segment durations.
func (p MediaPlaylist) Duration() float64 {
	var d float64
	for _, s := range p.Segments {
		d += s.Duration
	}
	return d
}

// maxLine bounds a playlist line; ffmpeg's are well under 1 KiB.
const maxLine = 64 << 10

// ParseMediaPlaylist reads a VOD media playlist such as ffmpeg's hls muxer
// writes. Unknown tags are ignored; byte-range segments and master playlists
// are rejected because nothing downstream could use them.
func ParseMediaPlaylist(r io.Reader) (MediaPlaylist, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var (
		p       MediaPlaylist
		pending = -1.0 // duration of the EXTINF awaiting its URI
		n       int
	)
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
			if line != "#EXTM3U" {
				return MediaPlaylist{}, errors.New("manifest: not an M3U8 playlist")
			}
			continue
		}
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			if pending < 0 {
				return MediaPlaylist{}, fmt.Errorf("manifest: line %d: segment URI without EXTINF", n)
			}
			p.Segments = append(p.Segments, Segment{URI: line, Duration: pending})
			pending = -1
			continue
		}
		tag, value, _ := strings.Cut(line, ":")
		var err error
		switch tag {
		case "#EXTINF":
			if pending >= 0 {
				return MediaPlaylist{}, fmt.Errorf("manifest: line %d: EXTINF without URI", n)
			}
			durStr, _, _ := strings.Cut(value, ",")
			pending, err = strconv.ParseFloat(strings.TrimSpace(durStr), 64)
			if err == nil && (pending < 0 || math.IsInf(pending, 0) || math.IsNaN(pending)) {
				err = errors.New("bad duration")
			}
		case "#EXT-X-TARGETDURATION":
			p.TargetDuration, err = strconv.Atoi(value)
		case "#EXT-X-VERSION":
			p.Version, err = strconv.Atoi(value)
		case "#EXT-X-MEDIA-SEQUENCE":
			p.MediaSequence, err = strconv.Atoi(value)
		case "#EXT-X-MAP":
			var attrs map[string]string
			attrs, err = parseAttrs(value)
			if err == nil {
				if _, ok := attrs["BYTERANGE"]; ok {
					err = errors.New("byte-range init sections are not supported")
				}
				p.MapURI = attrs["URI"]
			}
			if err == nil && p.MapURI == "" {
				err = errors.New("EXT-X-MAP without URI")
			}
		case "#EXT-X-BYTERANGE":
			err = errors.New("byte-range segments are not supported")
		case "#EXT-X-STREAM-INF", "#EXT-X-MEDIA", "#EXT-X-I-FRAME-STREAM-INF":
			err = errors.New("this is a multivariant playlist, not a media playlist")
		case "#EXT-X-ENDLIST":
			p.EndList = true
		}
		if err != nil {
			return MediaPlaylist{}, fmt.Errorf("manifest: line %d: %s: %w", n, tag, err)
		}
	}
	if err := sc.Err(); err != nil {
		return MediaPlaylist{}, fmt.Errorf("manifest: %w", err)
	}
	if n == 0 {
		return MediaPlaylist{}, errors.New("manifest: empty playlist")
	}
	if pending >= 0 {
		return MediaPlaylist{}, errors.New("manifest: EXTINF without URI at end")
	}
	if len(p.Segments) == 0 {
		return MediaPlaylist{}, errors.New("manifest: playlist has no segments")
	}
	return p, nil
}

// parseAttrs parses an HLS attribute list: NAME=value pairs separated by
// commas, where quoted values may contain commas.
func parseAttrs(s string) (map[string]string, error) {
	attrs := map[string]string{}
	for s != "" {
		name, rest, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("bad attribute list near %q", s)
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted value for %s", name)
			}
			val, rest = rest[1:1+end], rest[2+end:]
			if rest != "" && rest[0] != ',' {
				return nil, fmt.Errorf("junk after value of %s", name)
			}
			rest = strings.TrimPrefix(rest, ",")
		} else {
			val, rest, _ = strings.Cut(rest, ",")
		}
		attrs[strings.TrimSpace(name)] = val
		s = rest
	}
	return attrs, nil
}
