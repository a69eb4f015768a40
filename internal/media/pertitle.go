package media

import (
	"fmt"
	"math"
	"slices"
)

// LadderMode selects how the rungs and their bitrates are chosen.
type LadderMode string

// Ladder modes. Fixed gives every source the same rungs and caps (bits
// scaled with pixels × fps). Per-title measures the source first and gives
// easy content fewer rungs and lower caps.
const (
	LadderFixed    LadderMode = "fixed"
	LadderPerTitle LadderMode = "per-title"
)

// Complexity is what short sample encodes of the source at the plan's
// quality (CRF and preset) cost, at one reference size.
type Complexity struct {
	Width   int     `json:"width"`
	Height  int     `json:"height"`
	FPS     float64 `json:"fps"`
	Seconds float64 `json:"seconds"` // of video sampled
	Bitrate int     `json:"bitrate"` // bits/s the samples took
}

// LadderDecision records how the ladder of a video was chosen, for the
// video's JSON.
type LadderDecision struct {
	Mode       LadderMode    `json:"mode"`
	Complexity *Complexity   `json:"complexity,omitempty"`
	Rungs      []RungOutcome `json:"rungs,omitempty"`
}

// RungOutcome is one candidate rung of a per-title ladder: kept with the
// bitrate the source needs there, or dropped and why.
type RungOutcome struct {
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Predicted int    `json:"predicted_bitrate"` // at the plan's quality
	Fixed     int    `json:"fixed_bitrate"`     // what the fixed ladder gives
	Kept      bool   `json:"kept"`
	Preset    string `json:"preset,omitempty"` // when slower than the plan's
	Reason    string `json:"reason,omitempty"`
}

// SampleSize is the picture size the complexity samples are encoded at: the
// smallest rung whose short side is at least 360, else the largest rung.
func SampleSize(p Plan) (w, h int) {
	best := -1
	for i, r := range p.Video {
		if min(r.Width, r.Height) >= 360 && (best < 0 || r.Width*r.Height < p.Video[best].Width*p.Video[best].Height) {
			best = i
		}
	}
	if best < 0 {
		best = 0 // rungs are sorted largest first
	}
	return p.Video[best].Width, p.Video[best].Height
}

// SampleStarts returns where the complexity samples of length seconds each
// begin: spread over the video (a fifth, half and four fifths of the way),
// or one sample from the start when the video is too short for three.
func SampleStarts(duration, seconds float64) []float64 {
	if duration < 3*seconds+1 {
		return []float64{0}
	}
	return []float64{duration * 0.2, duration*0.5 - seconds/2, duration*0.8 - seconds}
}

// PerTitle adapts a fixed plan to the measured complexity of its source:
//   - each rung is predicted to need c's bitrate scaled linearly with
//     pixels × fps: typical content needs less at larger sizes (the fixed
//     model uses a 0.75 exponent), noise and grain need all of it, and an
//     over-estimate only keeps a rung or a cap; its cap becomes 1.5 × that,
//     within [a quarter of, all of] the fixed cap, so complex content keeps
//     its caps and easy content advertises what it really needs;
//   - a rung is dropped when the rung above it is predicted to fit in the
//     bitrate the fixed ladder gives this one: a viewer with that bandwidth
//     can already play the larger picture. The top and bottom rungs stay;
//   - the bottom rung keeps its fixed cap and its place (its first pass
//     is encoded before the samples are in);
//   - when the top rung is predicted to need more than its fixed cap, the
//     cap binds and bits, not the encoder's choices, set its quality: it
//     is encoded one x264 preset slower (veryfast -> faster), which at the
//     same bytes gave +0.005 SSIM on the bench's animation-like source
//     (bench/quality.sh; two presets slower gave +0.010 for 1.42x that
//     source's CPU). Its CPU is paid for by the rungs easy content drops;
//     on such a source the ladder costs about a quarter more CPU.
//
// With CBR rate control the constant bitrate follows the same cap.
func PerTitle(p Plan, c Complexity) Plan {
	if len(p.Video) == 0 || c.Bitrate <= 0 || c.Width <= 0 || c.Height <= 0 || c.FPS <= 0 {
		return p
	}
	decision := &LadderDecision{Mode: LadderPerTitle, Complexity: &c}
	var kept []Rendition
	lastPredicted := 0
	for i, r := range p.Video {
		ratio := float64(r.Width*r.Height) * r.FPS() / (float64(c.Width*c.Height) * c.FPS)
		predicted := int(math.Round(float64(c.Bitrate) * ratio))
		out := RungOutcome{Width: r.Width, Height: r.Height, Predicted: predicted, Fixed: r.Bitrate}
		last := i == len(p.Video)-1
		if len(kept) > 0 && !last && lastPredicted <= r.Bitrate {
			above := kept[len(kept)-1]
			out.Reason = fmt.Sprintf("%dx%d needs about %d kb/s, within this rung's fixed %d kb/s",
				above.Width, above.Height, lastPredicted/1000, r.Bitrate/1000)
			decision.Rungs = append(decision.Rungs, out)
			continue
		}
		if i == 0 && predicted > r.Bitrate {
			if slower := slowerPreset(p.Preset, 1); slower != "" {
				r.Preset, out.Preset = slower, slower
			}
		}
		capped := min(max(predicted*3/2, r.Bitrate/4), r.Bitrate)
		if last && i > 0 {
			// The bottom rung keeps the fixed cap: its first pass starts
			// before the samples are in (pipeline's early first pass), and
			// the cap is in its bytes (VBV, level).
			capped = r.Bitrate
		}
		r.Bitrate, r.MaxRate, r.BufSize = capped, capped*107/100, capped*3/2
		out.Kept = true
		decision.Rungs = append(decision.Rungs, out)
		kept = append(kept, r)
		lastPredicted = predicted
	}
	for i := range kept {
		kept[i].ID = fmt.Sprintf("v%d", i)
	}
	p.Video = kept
	p.Ladder = decision
	return p
}

// x264Presets are x264's presets, fastest first.
var x264Presets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"}

// slowerPreset is the x264 preset steps slower than preset ("" means
// veryfast, the default), no slower than medium; "" when preset is
// unknown or already medium or slower.
func slowerPreset(preset string, steps int) string {
	if preset == "" {
		preset = "veryfast"
	}
	i := slices.Index(x264Presets, preset)
	medium := slices.Index(x264Presets, "medium")
	if i < 0 || i >= medium {
		return ""
	}
	return x264Presets[min(i+steps, medium)]
}
