package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/kinema/kinema/internal/media"
)

const audioUploadColumns = `id, video_id, language, name, status, error, rendition, source_key, duration, created_at`

func scanAudioUpload(r rows) (media.AudioUpload, error) {
	var a media.AudioUpload
	var created int64
	if err := r.Scan(&a.ID, &a.VideoID, &a.Language, &a.Name, &a.Status, &a.Error, &a.Rendition, &a.SourceKey, &a.Duration, &created); err != nil {
		return a, err
	}
	a.CreatedAt = *fromMillis(sql.NullInt64{Int64: created, Valid: true})
	return a, nil
}

// NewAudioUploadID returns a fresh id for an added audio track. It is also
// the directory of its rendition under media/<video>/, so it is letters and
// digits only.
func NewAudioUploadID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "au" + hex.EncodeToString(b)
}

// AddAudioUpload records an audio track added to a video, processing. At
// most media.MaxAudioUploads per video (an input error past that). Called
// in a transaction: on PostgreSQL the video's row is locked before the
// count, so two adds at once cannot both take the last place.
func (c *Catalog) AddAudioUpload(ctx context.Context, a media.AudioUpload) (media.AudioUpload, error) {
	if c.postgres {
		if err := c.queryRow(ctx, `SELECT id FROM videos WHERE id = ? FOR UPDATE`, []any{a.VideoID}, new(string)); err != nil {
			if isNoRows(err) {
				return a, fmt.Errorf("video %s: %w", a.VideoID, media.ErrNotFound)
			}
			return a, fmt.Errorf("lock video: %w", err)
		}
	}
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM audio_uploads WHERE video_id = ?`, []any{a.VideoID}, &n); err != nil {
		return a, err
	}
	if n >= media.MaxAudioUploads {
		return a, media.Inputf("A video has at most %d added audio tracks; delete one first.", media.MaxAudioUploads)
	}
	if _, err := c.exec(ctx, `INSERT INTO audio_uploads (id, video_id, language, name, status, error, rendition, source_key, duration, created_at)
		VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?)`,
		a.ID, a.VideoID, a.Language, a.Name, media.AudioUploadProcessing, a.SourceKey, a.Duration, c.millis()); err != nil {
		return a, fmt.Errorf("add audio upload: %w", err)
	}
	return c.AudioUpload(ctx, a.VideoID, a.ID)
}

// AudioUploads lists the audio tracks added to a video, oldest first.
func (c *Catalog) AudioUploads(ctx context.Context, videoID string) ([]media.AudioUpload, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT `+audioUploadColumns+` FROM audio_uploads WHERE video_id = ? ORDER BY created_at, id`), videoID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := []media.AudioUpload{}
	for r.Next() {
		a, err := scanAudioUpload(r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, r.Err()
}

// AudioUpload returns one added audio track of a video, or media.ErrNotFound.
func (c *Catalog) AudioUpload(ctx context.Context, videoID, id string) (media.AudioUpload, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT `+audioUploadColumns+` FROM audio_uploads WHERE video_id = ? AND id = ?`), videoID, id)
	if err != nil {
		return media.AudioUpload{}, err
	}
	defer r.Close()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return media.AudioUpload{}, err
		}
		return media.AudioUpload{}, fmt.Errorf("audio track %s: %w", id, media.ErrNotFound)
	}
	return scanAudioUpload(r)
}

// FinishAudioUpload moves a processing audio track to ready (published as
// rendition) or failed (with reason). It reports false when the track is no
// longer there or no longer processing (deleted meanwhile).
func (c *Catalog) FinishAudioUpload(ctx context.Context, videoID, id, status, rendition, reason string) (bool, error) {
	n, err := c.exec(ctx, `UPDATE audio_uploads SET status = ?, rendition = ?, error = ? WHERE video_id = ? AND id = ? AND status = ?`,
		status, rendition, reason, videoID, id, media.AudioUploadProcessing)
	if err != nil {
		return false, fmt.Errorf("finish audio track %s: %w", id, err)
	}
	return n > 0, nil
}

// DeleteAudioUpload removes an added audio track's row; media.ErrNotFound
// when there is none.
func (c *Catalog) DeleteAudioUpload(ctx context.Context, videoID, id string) error {
	n, err := c.exec(ctx, `DELETE FROM audio_uploads WHERE video_id = ? AND id = ?`, videoID, id)
	if err != nil {
		return fmt.Errorf("delete audio track %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("audio track %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// SetRenditions replaces the published renditions of a ready video (an
// audio track added or removed after publication), whatever its run.
func (c *Catalog) SetRenditions(ctx context.Context, id string, renditions []media.Rendition) error {
	v, err := c.videoRow(ctx, id)
	if err != nil {
		return err
	}
	return c.SaveRenditions(ctx, id, v.Run, renditions)
}
