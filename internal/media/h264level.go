package media

import "fmt"

// H.264 levels, chosen as x264 chooses them, so that a rung's codecs
// string is known when the plan is made: the planned manifests need every
// rung's, and the first frame then waits for no rung but the lowest.

// h264Limits is one row of H.264's Table A-1 as x264 holds it: macroblocks
// per second, per frame and in the decoded picture buffer, and the VBV's
// bit rate and buffer in kbit/s, Main profile (High allows 5/4 of them).
type h264Limits struct {
	idc, mbps, frameSize, dpb, bitrate, cpb int
}

var h264Levels = []h264Limits{
	{10, 1485, 99, 396, 64, 175},
	{11, 3000, 396, 900, 192, 500},
	{12, 6000, 396, 2376, 384, 1000},
	{13, 11880, 396, 2376, 768, 2000},
	{20, 11880, 396, 2376, 2000, 2000},
	{21, 19800, 792, 4752, 4000, 4000},
	{22, 20250, 1620, 8100, 4000, 4000},
	{30, 40500, 1620, 8100, 10000, 10000},
	{31, 108000, 3600, 18000, 14000, 14000},
	{32, 216000, 5120, 20480, 20000, 20000},
	{40, 245760, 8192, 32768, 20000, 25000},
	{41, 245760, 8192, 32768, 50000, 62500},
	{42, 522240, 8704, 34816, 50000, 62500},
	{50, 589824, 22080, 110400, 135000, 135000},
	{51, 983040, 36864, 184320, 240000, 240000},
	{52, 2073600, 36864, 184320, 240000, 240000},
	{60, 4177920, 139264, 696320, 240000, 240000},
	{61, 8355840, 139264, 696320, 480000, 480000},
	{62, 16711680, 139264, 696320, 800000, 800000},
}

// x264RefFrames is the number of reference frames x264 keeps for a preset:
// its own, and at least 4 wherever it uses B-pyramids (every preset but
// ultrafast, which has no B-frames).
func x264RefFrames(preset string) int {
	switch preset {
	case "ultrafast":
		return 1
	case "slow":
		return 5
	case "slower":
		return 8
	case "veryslow", "placebo":
		return 16
	}
	return 4
}

// H264Level returns the level_idc of H.264 rendition r of p in High
// profile: the lowest level whose limits its picture size, macroblock
// rate, reference frames and VBV fit, as x264 picks it.
func (p Plan) H264Level(r Rendition) int {
	mbw, mbh := (r.Width+15)/16, (r.Height+15)/16
	mbs := mbw * mbh
	dpb := mbs * x264RefFrames(orString(r.Preset, p.Preset, "veryfast"))
	maxrate, bufsize := r.MaxRate, r.BufSize
	if p.RateControl == RateCBR {
		maxrate = r.Bitrate
	}
	var mbps int64
	if p.FPSNum > 0 && p.FPSDen > 0 {
		mbps = int64(mbs) * int64(p.FPSNum) / int64(p.FPSDen)
	}
	for _, l := range h264Levels {
		if l.frameSize >= mbs && l.frameSize*8 >= mbw*mbw && l.frameSize*8 >= mbh*mbh &&
			l.dpb >= dpb && l.bitrate*5/4 >= maxrate/1000 && l.cpb*5/4 >= bufsize/1000 && int64(l.mbps) >= mbps {
			return l.idc
		}
	}
	return h264Levels[len(h264Levels)-1].idc
}

// PlannedCodecs returns the RFC 6381 codecs string video rendition r of p
// will have, or "" when only its encoded frames can tell: not H.264, or
// x264's ultrafast preset, whose streams use no High profile tool and are
// written as Constrained Baseline. Other H.264 rungs are High profile with
// no constraint flags, at H264Level.
func (p Plan) PlannedCodecs(r Rendition) string {
	if r.VideoCodec() != CodecH264 || orString(r.Preset, p.Preset, "veryfast") == "ultrafast" {
		return ""
	}
	return fmt.Sprintf("avc1.6400%02x", p.H264Level(r))
}

func orString(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
