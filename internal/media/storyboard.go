package media

import "math"

// Storyboard is the layout of the seek-preview sprite: one tile every
// Interval seconds, Columns × Rows tiles of TileWidth pixels.
type Storyboard struct {
	Interval  float64 `json:"interval"`
	Columns   int     `json:"columns"`
	Rows      int     `json:"rows"`
	Tiles     int     `json:"tiles"`
	TileWidth int     `json:"tile_width"`
}

const (
	maxStoryboardTiles = 100
	storyboardTileW    = 160
)

// NewStoryboard picks the shortest "round" interval that needs at most 100
// tiles, at most 10 columns wide.
func NewStoryboard(duration float64) Storyboard {
	interval := math.Ceil(duration / maxStoryboardTiles)
	for _, step := range []float64{1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600} {
		if math.Ceil(duration/step) <= maxStoryboardTiles {
			interval = step
			break
		}
	}
	interval = max(interval, 1)
	n := min(max(1, int(math.Ceil(duration/interval-1e-9))), maxStoryboardTiles)
	cols := min(n, 10)
	return Storyboard{Interval: interval, Columns: cols, Rows: (n + cols - 1) / cols, Tiles: n, TileWidth: storyboardTileW}
}

// TilesIn returns the global index of the first tile whose time falls in
// chunk c and how many do. Tile k shows the first frame at or after
// k × Interval, so each chunk renders its own tiles from the frames it
// already decodes.
func (p Plan) TilesIn(c Chunk) (first, count int) {
	sb := p.Storyboard
	if sb.Tiles == 0 || sb.Interval <= 0 {
		return 0, 0
	}
	const eps = 1e-6
	first = int(math.Ceil(c.Start/sb.Interval - eps))
	end := sb.Tiles
	if c.Frames > 0 {
		chunkEnd := c.Start + float64(c.Frames)*float64(p.FPSDen)/float64(p.FPSNum)
		end = min(end, int(math.Ceil(chunkEnd/sb.Interval-eps)))
	}
	return first, max(0, end-first)
}
