package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kinema/kinema/internal/media"
)

// NewTextTrack is a text track to add: its description and clean WebVTT.
type NewTextTrack struct {
	Language, Label, Kind, Origin string
	Cues                          int
	Body                          []byte
}

const textTrackColumns = `id, video_id, language, label, kind, origin, cues, created_at`

func scanTextTrack(r rows) (media.TextTrack, error) {
	var t media.TextTrack
	var created int64
	if err := r.Scan(&t.ID, &t.VideoID, &t.Language, &t.Label, &t.Kind, &t.Origin, &t.Cues, &created); err != nil {
		return t, err
	}
	t.CreatedAt = *fromMillis(sql.NullInt64{Int64: created, Valid: true})
	return t, nil
}

func newTextTrackID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AddTextTrack adds a text track to a video; at most media.MaxTextTracks
// per video (an input error past that), media.ErrNotFound for no video.
func (c *Catalog) AddTextTrack(ctx context.Context, videoID string, nt NewTextTrack) (media.TextTrack, error) {
	if _, err := c.videoRow(ctx, videoID); err != nil {
		return media.TextTrack{}, err
	}
	var n, last int
	if err := c.queryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM text_tracks WHERE video_id = ?`, []any{videoID}, &n, &last); err != nil {
		return media.TextTrack{}, err
	}
	if n >= media.MaxTextTracks {
		return media.TextTrack{}, media.Inputf("A video has at most %d caption tracks; delete one first.", media.MaxTextTracks)
	}
	id := newTextTrackID()
	if _, err := c.exec(ctx, `INSERT INTO text_tracks (id, video_id, language, label, kind, origin, cues, body, created_at, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, videoID, nt.Language, nt.Label, nt.Kind, nt.Origin, nt.Cues, string(nt.Body), c.millis(), last+1); err != nil {
		return media.TextTrack{}, fmt.Errorf("add text track: %w", err)
	}
	return c.TextTrack(ctx, videoID, id)
}

// TextTracks lists a video's text tracks in the order they were added.
func (c *Catalog) TextTracks(ctx context.Context, videoID string) ([]media.TextTrack, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT `+textTrackColumns+` FROM text_tracks WHERE video_id = ? ORDER BY position`), videoID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := []media.TextTrack{}
	for r.Next() {
		t, err := scanTextTrack(r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, r.Err()
}

// TextTrack returns one of a video's text tracks or media.ErrNotFound.
func (c *Catalog) TextTrack(ctx context.Context, videoID, id string) (media.TextTrack, error) {
	r, err := c.q.query(ctx, c.rebind(`SELECT `+textTrackColumns+` FROM text_tracks WHERE video_id = ? AND id = ?`), videoID, id)
	if err != nil {
		return media.TextTrack{}, err
	}
	defer r.Close()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return media.TextTrack{}, err
		}
		return media.TextTrack{}, fmt.Errorf("text track %s: %w", id, media.ErrNotFound)
	}
	return scanTextTrack(r)
}

// TextTrackBody returns a text track's WebVTT.
func (c *Catalog) TextTrackBody(ctx context.Context, videoID, id string) ([]byte, error) {
	var body string
	err := c.queryRow(ctx, `SELECT body FROM text_tracks WHERE video_id = ? AND id = ?`, []any{videoID, id}, &body)
	if isNoRows(err) {
		return nil, fmt.Errorf("text track %s: %w", id, media.ErrNotFound)
	}
	return []byte(body), err
}

// DeleteTextTrack removes a text track, or returns media.ErrNotFound.
func (c *Catalog) DeleteTextTrack(ctx context.Context, videoID, id string) error {
	n, err := c.exec(ctx, `DELETE FROM text_tracks WHERE video_id = ? AND id = ?`, videoID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("text track %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// ReplaceSourceTextTracks replaces the tracks extracted from a video's
// source (origin "source") with tracks; uploaded ones stay. Run in the
// probe's transaction, so a reprocess never doubles them.
func (c *Catalog) ReplaceSourceTextTracks(ctx context.Context, videoID string, tracks []NewTextTrack) error {
	if _, err := c.exec(ctx, `DELETE FROM text_tracks WHERE video_id = ? AND origin = ?`, videoID, media.OriginSource); err != nil {
		return err
	}
	for _, t := range tracks {
		t.Origin = media.OriginSource
		var in *media.InputError
		if _, err := c.AddTextTrack(ctx, videoID, t); errors.As(err, &in) {
			return nil // the video has as many tracks as it may: the rest are dropped
		} else if err != nil {
			return err
		}
	}
	return nil
}

// SetChapters sets a video's chapters as the API's (origin "api"): the
// source's chapters never replace them. An empty list removes them.
func (c *Catalog) SetChapters(ctx context.Context, videoID string, chapters []media.Chapter) error {
	if _, err := c.videoRow(ctx, videoID); err != nil {
		return err
	}
	if _, err := c.exec(ctx, `DELETE FROM video_chapters WHERE video_id = ?`, videoID); err != nil {
		return err
	}
	return c.insertChapters(ctx, videoID, media.OriginAPI, chapters)
}

// SetSourceChapters records the chapters found in a video's source unless
// chapters were set through the API.
func (c *Catalog) SetSourceChapters(ctx context.Context, videoID string, chapters []media.Chapter) error {
	if _, err := c.exec(ctx, `DELETE FROM video_chapters WHERE video_id = ? AND origin = ?`, videoID, media.OriginSource); err != nil {
		return err
	}
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM video_chapters WHERE video_id = ?`, []any{videoID}, &n); err != nil || n > 0 {
		return err
	}
	return c.insertChapters(ctx, videoID, media.OriginSource, chapters)
}

func (c *Catalog) insertChapters(ctx context.Context, videoID, origin string, chapters []media.Chapter) error {
	if len(chapters) == 0 {
		return nil
	}
	b, err := json.Marshal(chapters)
	if err != nil {
		return err
	}
	_, err = c.exec(ctx, `INSERT INTO video_chapters (video_id, origin, chapters) VALUES (?, ?, ?)`, videoID, origin, string(b))
	return err
}

// Chapters returns a video's chapters (none: an empty list) and where they
// came from ("" for none).
func (c *Catalog) Chapters(ctx context.Context, videoID string) ([]media.Chapter, string, error) {
	var origin, raw string
	err := c.queryRow(ctx, `SELECT origin, chapters FROM video_chapters WHERE video_id = ?`, []any{videoID}, &origin, &raw)
	if isNoRows(err) {
		return []media.Chapter{}, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	out := []media.Chapter{}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, "", fmt.Errorf("chapters of %s: %w", videoID, err)
	}
	return out, origin, nil
}
