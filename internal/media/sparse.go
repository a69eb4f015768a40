package media

import (
	"math"
	"sort"
)

// sparseFPS returns the frame rate to encode a source at when it holds far
// fewer frames than its declared rate (num/den) says: ok is false for
// ordinary video. Encoding cost follows the plan's frame rate, so a 7 KB
// file of two 1080p frames an hour apart, declared 30 fps, would otherwise
// cost 108,000 frames per rung; a still picture over a podcast is
// legitimate and needs next to none.
//
// The rate is the smallest of a few round rates, down to one frame per
// segment (so every segment still starts with its own keyframe), that is
// at least twice the measured average: twice, so that frames that come in
// bursts keep most of their motion.
func sparseFPS(src Source, num, den int, segmentSeconds float64) (int, int, bool) {
	if src.Frames <= 0 || src.Duration <= 0 || num <= 0 || den <= 0 {
		return 0, 0, false
	}
	declared := float64(num) / float64(den)
	need := 2 * float64(src.Frames) / src.Duration
	if need >= declared {
		return 0, 0, false
	}
	perSegment := max(1, int(math.Round(segmentSeconds))) // one frame every perSegment seconds
	candidates := [][2]int{{1, perSegment}, {1, 1}, {2, 1}, {5, 1}, {10, 1}, {15, 1}}
	for _, c := range candidates {
		rate := float64(c[0]) / float64(c[1])
		if rate >= need && rate < declared {
			return c[0], c[1], true
		}
	}
	return 0, 0, false
}

// sparseChunkFrames makes a sparse plan's chunks hold about as many frames
// as an ordinary 24 fps chunk, whole segments each: a chunk's cost is its
// frames, and a job per 16 s of one still picture is overhead only.
func sparseChunkFrames(gop int, cfg LadderConfig) int {
	want := int(math.Round(24*cfg.SegmentSeconds)) * cfg.SegmentsPerChunk
	segments := max(cfg.SegmentsPerChunk, (want+gop-1)/gop)
	return segments * gop
}

// storyboardEvery is NewStoryboard with an interval of at least minInterval
// seconds: a chunk picks one frame per interval, so an interval shorter than
// a frame would pick every frame and shift the tiles.
func storyboardEvery(duration, minInterval float64) Storyboard {
	sb := NewStoryboard(duration)
	if sb.Interval >= minInterval {
		return sb
	}
	steps := []float64{1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600}
	i := sort.SearchFloat64s(steps, minInterval)
	interval := math.Ceil(minInterval)
	if i < len(steps) {
		interval = steps[i]
	}
	n := min(max(1, int(math.Ceil(duration/interval-1e-9))), maxStoryboardTiles)
	cols := min(n, 10)
	return Storyboard{Interval: interval, Columns: cols, Rows: (n + cols - 1) / cols, Tiles: n, TileWidth: storyboardTileW}
}

// sizeStillRungs sizes the rungs of a plan at one frame per second or less
// for what its few frames need: the bits per frame of a 1 fps stream, and a
// buffer of one segment's worth, so that a segment's keyframe, nearly all
// of its bits, may take them. Sized at the plan's rate, the 100 kb/s floor
// would hold a 1080p still picture to about 25 KB.
func sizeStillRungs(rs []Rendition, segmentSeconds float64) {
	for i := range rs {
		br := videoBitrate(rs[i].Width, rs[i].Height, 1)
		rs[i].Bitrate, rs[i].MaxRate = br, br*107/100
		rs[i].BufSize = int(float64(rs[i].MaxRate) * max(segmentSeconds, 1))
	}
}
