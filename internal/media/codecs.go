package media

import (
	"fmt"
	"slices"
	"strings"
)

// Video codecs a ladder can carry. H.264 is always there: every player
// decodes it. AV1 and HEVC renditions sit beside it in the same CMAF
// packaging; players that can decode them pick them, the others ignore them.
const (
	CodecH264 = "h264"
	CodecHEVC = "hevc"
	CodecAV1  = "av1"
)

// codecBits is the share of H.264's bits a codec needs for about the same
// quality, used for the caps of its rungs (published figures: HEVC ~30%,
// AV1 ~40-50% fewer bits at equal quality).
var codecBits = map[string]float64{CodecHEVC: 0.7, CodecAV1: 0.6}

// ParseCodecs reads a list such as "h264,av1". H.264 must be in it.
func ParseCodecs(v string) ([]string, error) {
	var out []string
	for _, c := range strings.Split(v, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		switch c {
		case "h264", "avc", "x264":
			c = CodecH264
		case CodecHEVC, "h265", "x265":
			c = CodecHEVC
		case CodecAV1:
		default:
			return nil, fmt.Errorf("unknown codec %q (h264, hevc, av1)", c)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if !slices.Contains(out, CodecH264) {
		return nil, fmt.Errorf("codecs must include h264, which every player decodes")
	}
	return out, nil
}

// VideoCodec is the rendition's codec; "" means H.264.
func (r Rendition) VideoCodec() string {
	if r.Codec == "" {
		return CodecH264
	}
	return r.Codec
}

// WithCodecs adds, after the H.264 rungs, one rung of every other codec in
// codecs for each of them: same picture, caps scaled by codecBits. IDs
// continue the numbering (v0..vN-1 H.264, then vN... for the next codec).
func WithCodecs(p Plan, codecs []string) Plan {
	return WithCodecsUpTo(p, codecs, 0)
}

// WithCodecsUpTo is WithCodecs with AV1 rungs only where the picture's
// short side is at most av1MaxHeight (0: every rung). SVT-AV1 costs several
// times x264's CPU per pixel, most of it in the largest rungs.
func WithCodecsUpTo(p Plan, codecs []string, av1MaxHeight int) Plan {
	base := len(p.Video)
	var video []Rendition
	video = append(video, p.Video...)
	for _, c := range codecs {
		share, ok := codecBits[c]
		if !ok {
			continue
		}
		for _, r := range p.Video[:base] {
			if c == CodecAV1 && av1MaxHeight > 0 && min(r.Width, r.Height) > av1MaxHeight {
				continue
			}
			r.Codec = c
			r.Preset = "" // an x264 preset; other codecs have their own
			r.ID = fmt.Sprintf("v%d", len(video))
			r.Bitrate = max(int(float64(r.Bitrate)*share), 50_000)
			r.MaxRate, r.BufSize = r.Bitrate*107/100, r.Bitrate*3/2
			video = append(video, r)
		}
	}
	p.Video = video
	return p
}
