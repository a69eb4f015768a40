package catalog

import (
	"context"
	"fmt"

	"github.com/kinema/kinema/internal/media"
)

// SetDownloads records whether video id offers downloads: on makes it
// pending (the files are to be made), off turns them off. It returns the
// video after the change, or media.ErrNotFound.
func (c *Catalog) SetDownloads(ctx context.Context, id string, on bool) (media.Video, error) {
	state := media.DownloadsOff
	if on {
		state = media.DownloadsPending
	}
	n, err := c.exec(ctx, `UPDATE videos SET downloads = ?, updated_at = ? WHERE id = ?`, state, c.millis(), id)
	if err != nil {
		return media.Video{}, fmt.Errorf("downloads of %s: %w", id, err)
	}
	if n == 0 {
		return media.Video{}, fmt.Errorf("video %s: %w", id, media.ErrNotFound)
	}
	return c.Video(ctx, id)
}

// FinishDownloads moves video id's downloads from pending to state (ready
// or failed). It reports false when they are no longer pending (turned
// off meanwhile), in which case the caller removes what it made.
func (c *Catalog) FinishDownloads(ctx context.Context, id string, state media.DownloadState) (bool, error) {
	n, err := c.exec(ctx, `UPDATE videos SET downloads = ?, updated_at = ? WHERE id = ? AND downloads = ?`,
		state, c.millis(), id, media.DownloadsPending)
	if err != nil {
		return false, fmt.Errorf("downloads of %s: %w", id, err)
	}
	return n > 0, nil
}

// SetPoster records the file name of video id's published poster under
// media/<id>/ ("" for the pipeline's poster.jpg) and returns the name it
// replaces, read in the same transaction, so that of two changes at once
// each removes a different file and none is left behind.
func (c *Catalog) SetPoster(ctx context.Context, id, name string) (previous string, err error) {
	err = c.inTx(ctx, func(tc *Catalog) error {
		lock := ""
		if tc.postgres {
			lock = " FOR UPDATE"
		}
		if err := tc.queryRow(ctx, `SELECT poster FROM videos WHERE id = ?`+lock, []any{id}, &previous); err != nil {
			if isNoRows(err) {
				return fmt.Errorf("video %s: %w", id, media.ErrNotFound)
			}
			return err
		}
		_, err := tc.exec(ctx, `UPDATE videos SET poster = ?, updated_at = ? WHERE id = ?`, name, tc.millis(), id)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("poster of %s: %w", id, err)
	}
	return previous, nil
}
