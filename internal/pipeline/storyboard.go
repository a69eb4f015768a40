package pipeline

import (
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
)

// buildStoryboard joins the tiles the chunk jobs rendered into
// storyboard.jpg and writes storyboard.vtt, whose cues point into the sprite
// with #xywh fragments.
func (p *Pipeline) buildStoryboard(ctx context.Context, ref Ref, plan media.Plan, dir, out string) error {
	sb := plan.Storyboard
	if sb.Tiles == 0 {
		return nil
	}
	tiles := filepath.Join(dir, "tiles")
	if err := p.download(ctx, tilesPrefix(ref), tiles); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(tiles, fmt.Sprintf(ffmpeg.TilePattern, 0))); err != nil {
		return fmt.Errorf("storyboard: first tile missing: %w", err)
	}
	sprite := filepath.Join(out, "storyboard.jpg")
	if err := p.ff.Run(ctx, ffmpeg.SpriteArgs(sb, tiles, sprite), nil); err != nil {
		return fmt.Errorf("storyboard: %w", err)
	}
	tileH, err := spriteTileHeight(sprite, sb.Rows)
	if err != nil {
		return err
	}
	vtt := ffmpeg.StoryboardVTT(plan.Duration, sb.Interval, sb.TileWidth, tileH, sb.Columns, "storyboard.jpg")
	return os.WriteFile(filepath.Join(out, "storyboard.vtt"), []byte(vtt), 0o640)
}

// spriteTileHeight reads the sprite's real size, so the cues match what
// ffmpeg's scaler decided rather than a recomputation of it.
func spriteTileHeight(path string, rows int) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		return 0, fmt.Errorf("storyboard sprite: %w", err)
	}
	return cfg.Height / max(rows, 1), nil
}
