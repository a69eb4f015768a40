package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// defaultAudioCodecs is what kinema's pipeline encodes (AAC-LC); it is used
// when packaging did not record the real codec string.
const defaultAudioCodecs = "mp4a.40.2"

// startBandwidth picks the variant listed first. Safari and AVPlayer start
// playback on the first variant, so listing the top rung first would stall
// slow connections; the best variant at or under this peak goes first and the
// rest follow from highest to lowest. hls.js and dash.js ignore the order.
const startBandwidth = 3_000_000

// peakBandwidth returns the measured peak, else the encoder's cap, else the
// target bitrate.
func peakBandwidth(r media.Rendition) int {
	switch {
	case r.PeakBandwidth > 0:
		return r.PeakBandwidth
	case r.MaxRate > 0:
		return r.MaxRate
	}
	return r.Bitrate
}

func averageBandwidth(r media.Rendition) int {
	if r.AverageBandwidth > 0 {
		return r.AverageBandwidth
	}
	return r.Bitrate
}

func audioCodecs(r media.Rendition) string {
	if r.Codecs != "" {
		return r.Codecs
	}
	return defaultAudioCodecs
}

// splitRenditions checks ids (they become URL path segments) and separates
// video from audio, keeping the given order within each.
func splitRenditions(renditions []media.Rendition) (video, audio []media.Rendition, err error) {
	seen := map[string]bool{}
	for _, r := range renditions {
		if !safeSegment(r.ID) {
			return nil, nil, fmt.Errorf("manifest: rendition id %q is not a safe path segment", r.ID)
		}
		if seen[r.ID] {
			return nil, nil, fmt.Errorf("manifest: duplicate rendition id %q", r.ID)
		}
		seen[r.ID] = true
		switch r.Type {
		case media.KindVideo:
			video = append(video, r)
		case media.KindAudio:
			audio = append(audio, r)
		default:
			return nil, nil, fmt.Errorf("manifest: rendition %s has unknown type %q", r.ID, r.Type)
		}
	}
	if len(video) == 0 && len(audio) == 0 {
		return nil, nil, errors.New("manifest: no renditions")
	}
	return video, audio, nil
}

// variant is one EXT-X-STREAM-INF entry before formatting.
type variant struct {
	peak, avg int
	attrs     string // everything after AVERAGE-BANDWIDTH
	uri       string
}

// WriteMaster writes the HLS multivariant playlist for renditions. Video
// sources get one audio group ("audio") holding every audio rendition and one
// variant per video rendition; audio-only sources get one variant per audio
// rendition. Child URIs are "<rid>/index.m3u8".
func WriteMaster(w io.Writer, renditions []media.Rendition) error {
	return writeMaster(w, renditions, startBandwidth)
}

// writeMaster is WriteMaster with the variant listed first chosen at or
// under start bits/s (the lowest when none is).
func writeMaster(w io.Writer, renditions []media.Rendition, start int) error {
	video, audio, err := splitRenditions(renditions)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")

	var variants []variant
	if len(video) == 0 {
		for _, a := range audio {
			variants = append(variants, variant{
				peak: peakBandwidth(a), avg: averageBandwidth(a),
				attrs: fmt.Sprintf(`,CODECS="%s"`, audioCodecs(a)),
				uri:   a.ID + "/index.m3u8",
			})
		}
	} else {
		writeAudioGroup(&b, audio)
		variants = videoVariants(video, audio)
	}

	b.WriteString("\n")
	for _, v := range orderVariants(variants, start) {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d%s\n%s\n", v.peak, v.avg, v.attrs, v.uri)
	}
	_, err = w.Write(b.Bytes())
	return err
}

func writeAudioGroup(b *bytes.Buffer, audio []media.Rendition) {
	if len(audio) == 0 {
		return
	}
	b.WriteString("\n")
	names := map[string]int{}
	def := defaultAudio(audio)
	for i, a := range audio {
		// NAME must be unique within a group.
		name := quotedString(a.Name)
		if name == "" {
			name = media.ChannelLabel(a.Channels)
		}
		if names[name]++; names[name] > 1 {
			name = fmt.Sprintf("%s (%d)", name, names[name])
		}
		isDefault := "NO"
		if i == def {
			isDefault = "YES"
		}
		b.WriteString(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"`)
		if lang := quotedString(a.Language); lang != "" {
			fmt.Fprintf(b, `,LANGUAGE="%s"`, lang)
		}
		fmt.Fprintf(b, `,NAME="%s",DEFAULT=%s,AUTOSELECT=YES`, name, isDefault)
		if a.Channels > 0 {
			fmt.Fprintf(b, `,CHANNELS="%d"`, a.Channels)
		}
		fmt.Fprintf(b, ",URI=\"%s/index.m3u8\"\n", a.ID)
	}
}

// defaultAudio returns the index of the audio rendition players start
// with: the first of the source's default track, else the first.
func defaultAudio(audio []media.Rendition) int {
	for i, a := range audio {
		if a.Default {
			return i
		}
	}
	return 0
}

// quotedString drops what an HLS quoted-string may not hold (double quote,
// CR, LF) and other control characters.
func quotedString(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// videoVariants pairs every video rendition with the audio group. RFC 8216
// 4.3.4.2 wants BANDWIDTH to be the largest sum over any playable
// combination, so the group's most expensive rendition is added, and CODECS
// must list every codec any combination may need.
func videoVariants(video, audio []media.Rendition) []variant {
	var audioPeak, audioAvg int
	var codecs []string
	for _, a := range audio {
		audioPeak = max(audioPeak, peakBandwidth(a))
		audioAvg = max(audioAvg, averageBandwidth(a))
		if c := audioCodecs(a); !slices.Contains(codecs, c) {
			codecs = append(codecs, c)
		}
	}
	var out []variant
	for _, v := range video {
		var attrs strings.Builder
		fmt.Fprintf(&attrs, ",RESOLUTION=%dx%d", v.Width, v.Height)
		// Without the video codec a CODECS list would be wrong, and a wrong
		// list is worse than none: players then probe the segments instead.
		if v.Codecs != "" {
			fmt.Fprintf(&attrs, `,CODECS="%s"`, strings.Join(append([]string{v.Codecs}, codecs...), ","))
		}
		if fps := v.FPS(); fps > 0 {
			fmt.Fprintf(&attrs, ",FRAME-RATE=%.3f", fps)
		}
		if len(audio) > 0 {
			attrs.WriteString(`,AUDIO="audio"`)
		}
		out = append(out, variant{
			peak: peakBandwidth(v) + audioPeak, avg: averageBandwidth(v) + audioAvg,
			attrs: attrs.String(), uri: v.ID + "/index.m3u8",
		})
	}
	return out
}

// orderVariants sorts by peak bandwidth, highest first, then moves the start
// variant (see startBandwidth) to the front.
func orderVariants(vs []variant, startBandwidth int) []variant {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].peak > vs[j].peak })
	start := len(vs) - 1 // nothing fits: start on the lowest
	for i, v := range vs {
		if v.peak <= startBandwidth {
			start = i
			break
		}
	}
	out := append([]variant{vs[start]}, vs[:start]...)
	return append(out, vs[start+1:]...)
}

// safeSegment reports whether s is a plain file or directory name made of
// letters, digits, '-', '_' and '.', not starting with a dot.
func safeSegment(s string) bool {
	if s == "" || s[0] == '.' || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
