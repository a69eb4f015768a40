package live

import (
	"fmt"
	"math"

	"github.com/kinema/kinema/internal/media"
)

// Ladder is what one live transcode produces.
type Ladder struct {
	FPSNum, FPSDen int               // output frame rate (source rate, capped)
	GOPFrames      int               // one segment
	Video          []media.Rendition // largest first
	Audio          *media.Rendition  // nil when the input has no audio
}

// PlanLadder derives the live ladder from a probed source. Bitrates, the
// frame-rate cap and the "never above the source" rule come from
// media.NewPlan; only the picture sizes are adjusted, because ffmpeg's DASH
// muxer refuses renditions whose width:height differ in one adaptation set
// (426x240 next to 640x360 fails), so every rung gets exactly the same ratio.
func PlanLadder(src media.Source, cfg media.LadderConfig) (Ladder, error) {
	src.Duration = max(src.Duration, 1) // a live source has no duration yet
	cfg.SegmentsPerChunk = max(cfg.SegmentsPerChunk, 1)
	p, err := media.NewPlan(src, cfg)
	if err != nil {
		return Ladder{}, err
	}
	l := Ladder{FPSNum: p.FPSNum, FPSDen: p.FPSDen, GOPFrames: p.GOPFrames}
	if len(p.Audio) > 0 {
		a := p.Audio[0] // the stereo rung; extra layouts are a VOD nicety
		l.Audio = &a
	}
	if len(p.Video) == 0 {
		return l, nil
	}
	top := p.Video[0]
	rw, rh := aspect(top.Width, top.Height)
	seen := map[int]bool{}
	for _, r := range p.Video {
		k := exactScale(r, rw, rh)
		if k == 0 || seen[k] {
			continue
		}
		seen[k] = true
		r.Width, r.Height = k*rw, k*rh
		r.ID = fmt.Sprintf("v%d", len(l.Video))
		l.Video = append(l.Video, r)
	}
	if len(l.Video) == 0 { // nothing fits the ratio grid: keep the top rung alone
		top.ID = "v0"
		l.Video = []media.Rendition{top}
	}
	return l, nil
}

// aspect returns the smallest even-sized w:h unit (both multiplied so each
// multiple is even) that approximates w/h within 1%, preferring small
// denominators so more rung sizes fit the grid: 1366x768 becomes 32:18 (16:9).
func aspect(w, h int) (int, int) {
	r := float64(w) / float64(h)
	for q := 1; q <= 64; q++ {
		p := int(math.Round(r * float64(q)))
		if p < 1 || math.Abs(float64(p)/float64(q)-r)/r > 0.01 {
			continue
		}
		if p%2 == 1 || q%2 == 1 { // an odd side needs an even multiplier
			p, q = p*2, q*2
		}
		return p, q
	}
	g := gcd(w, h) // odd ratio, no small approximation: the top size itself
	return w / g, h / g
}

// exactScale returns the largest multiplier k with k·unit no larger than the
// rung r (so no larger than the source) and even sides, or 0.
func exactScale(r media.Rendition, uw, uh int) int {
	k := min(r.Width/uw, r.Height/uh)
	for ; k > 0; k-- {
		if (k*uw)%2 == 0 && (k*uh)%2 == 0 {
			return k
		}
	}
	return 0
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
