package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kinema/kinema/internal/media"
)

const liveStreamColumns = `id, title, owner_id, status, stream_key, passphrase, created_at, started_at, ended_at,
	connected, renditions, video_id, error, node, health, end_requested, restream`

type liveStreamRow struct {
	ID, Title, OwnerID, Status, StreamKey, Passphrase string
	CreatedAt, StartedAt, EndedAt                     int64
	Connected                                         bool
	Renditions, VideoID, Error, Node, Health          string
	EndRequested                                      bool
	Restream                                          string
}

func (r *liveStreamRow) dest() []any {
	return []any{&r.ID, &r.Title, &r.OwnerID, &r.Status, &r.StreamKey, &r.Passphrase, &r.CreatedAt, &r.StartedAt, &r.EndedAt,
		&r.Connected, &r.Renditions, &r.VideoID, &r.Error, &r.Node, &r.Health, &r.EndRequested, &r.Restream}
}

func millisOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func timeMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (r liveStreamRow) stream() (media.LiveStream, error) {
	s := media.LiveStream{ID: r.ID, Title: r.Title, OwnerID: r.OwnerID, Status: media.LiveStatus(r.Status),
		StreamKey: r.StreamKey, Passphrase: r.Passphrase, CreatedAt: millisOrZero(r.CreatedAt),
		StartedAt: millisOrZero(r.StartedAt), EndedAt: millisOrZero(r.EndedAt), Connected: r.Connected,
		VideoID: r.VideoID, Error: r.Error, Node: r.Node, EndRequested: r.EndRequested}
	if r.Renditions != "" {
		if err := json.Unmarshal([]byte(r.Renditions), &s.Renditions); err != nil {
			return s, fmt.Errorf("live stream %s renditions: %w", r.ID, err)
		}
	}
	if r.Health != "" {
		s.Health = new(media.LiveHealth)
		if err := json.Unmarshal([]byte(r.Health), s.Health); err != nil {
			return s, fmt.Errorf("live stream %s health: %w", r.ID, err)
		}
	}
	if r.Restream != "" {
		if err := json.Unmarshal([]byte(r.Restream), &s.Restream); err != nil {
			return s, fmt.Errorf("live stream %s restream: %w", r.ID, err)
		}
	}
	return s, nil
}

func jsonOrEmpty(v any, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// liveStreamArgs are the stored values of s after its id, in column order.
func liveStreamArgs(s media.LiveStream) ([]any, error) {
	rend, err := jsonOrEmpty(s.Renditions, len(s.Renditions) == 0)
	if err != nil {
		return nil, err
	}
	health, err := jsonOrEmpty(s.Health, s.Health == nil)
	if err != nil {
		return nil, err
	}
	restream, err := jsonOrEmpty(s.Restream, len(s.Restream) == 0)
	if err != nil {
		return nil, err
	}
	return []any{s.Title, s.OwnerID, string(s.Status), s.StreamKey, s.Passphrase, timeMillis(s.CreatedAt),
		timeMillis(s.StartedAt), timeMillis(s.EndedAt), s.Connected, rend, s.VideoID, s.Error, s.Node, health,
		s.EndRequested, restream}, nil
}

// CreateLiveStream stores a new stream (its id and key chosen by the
// caller). A key already in use is media.ErrConflict.
func (c *Catalog) CreateLiveStream(ctx context.Context, s media.LiveStream) error {
	args, err := liveStreamArgs(s)
	if err != nil {
		return err
	}
	_, err = c.exec(ctx, `INSERT INTO live_streams (`+liveStreamColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{s.ID}, args...)...)
	if isUniqueViolation(err) {
		return fmt.Errorf("live stream %s: %w", s.ID, media.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create live stream: %w", err)
	}
	return nil
}

// LiveStream returns stream id, or an error wrapping media.ErrNotFound.
func (c *Catalog) LiveStream(ctx context.Context, id string) (media.LiveStream, error) {
	return c.liveStreamWhere(ctx, `id = ?`, id)
}

// LiveStreamByKey returns the stream whose key is key, or an error
// wrapping media.ErrNotFound.
func (c *Catalog) LiveStreamByKey(ctx context.Context, key string) (media.LiveStream, error) {
	return c.liveStreamWhere(ctx, `stream_key = ?`, key)
}

func (c *Catalog) liveStreamWhere(ctx context.Context, where string, arg any) (media.LiveStream, error) {
	var r liveStreamRow
	err := c.queryRow(ctx, `SELECT `+liveStreamColumns+` FROM live_streams WHERE `+where, []any{arg}, r.dest()...)
	if isNoRows(err) {
		return media.LiveStream{}, fmt.Errorf("live stream: %w", media.ErrNotFound)
	}
	if err != nil {
		return media.LiveStream{}, err
	}
	return r.stream()
}

// LiveStreams lists every stream, newest first.
func (c *Catalog) LiveStreams(ctx context.Context) ([]media.LiveStream, error) {
	rs, err := c.q.query(ctx, c.rebind(`SELECT `+liveStreamColumns+` FROM live_streams ORDER BY created_at DESC, id`))
	if err != nil {
		return nil, fmt.Errorf("list live streams: %w", err)
	}
	defer rs.Close()
	out := []media.LiveStream{}
	for rs.Next() {
		var r liveStreamRow
		if err := rs.Scan(r.dest()...); err != nil {
			return nil, fmt.Errorf("list live streams: %w", err)
		}
		s, err := r.stream()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rs.Err()
}

// ClaimLiveStream makes idle stream id live on node, started at: false when
// it is not idle (another node claimed it first, or it ended). One UPDATE,
// so of two nodes taking the same stream's first publish, one wins.
func (c *Catalog) ClaimLiveStream(ctx context.Context, id, node string, at time.Time) (bool, error) {
	n, err := c.exec(ctx, `UPDATE live_streams SET status = ?, started_at = ?, node = ? WHERE id = ? AND status = ?`,
		string(media.LiveLive), timeMillis(at), node, id, string(media.LiveIdle))
	if err != nil {
		return false, fmt.Errorf("claim live stream: %w", err)
	}
	return n == 1, nil
}

// SaveLiveStream writes every field of s over the stored stream. A key
// used by another stream is media.ErrConflict; an unknown id
// media.ErrNotFound.
func (c *Catalog) SaveLiveStream(ctx context.Context, s media.LiveStream) error {
	args, err := liveStreamArgs(s)
	if err != nil {
		return err
	}
	n, err := c.exec(ctx, `UPDATE live_streams SET title = ?, owner_id = ?, status = ?, stream_key = ?, passphrase = ?,
		created_at = ?, started_at = ?, ended_at = ?, connected = ?, renditions = ?, video_id = ?, error = ?, node = ?,
		health = ?, end_requested = ?, restream = ? WHERE id = ?`, append(args, s.ID)...)
	if isUniqueViolation(err) {
		return fmt.Errorf("live stream %s: %w", s.ID, media.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save live stream: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("live stream %s: %w", s.ID, media.ErrNotFound)
	}
	return nil
}
