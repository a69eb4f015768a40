package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

type videoRow struct {
	ID                  string
	Title               string
	Status              string
	Kind                string
	Error               string
	Progress            float64
	Duration            float64
	Width               int
	Height              int
	SourceKey           string
	SourceSize          int64
	Renditions          string
	Plan                string
	Run                 int
	CreatedAt           int64
	UpdatedAt           int64
	UploadedAt          sql.NullInt64
	ProcessingStartedAt sql.NullInt64
	ReadyAt             sql.NullInt64
	OwnerID             string
	Visibility          string
	AllowedUsers        string
	AllowedGroups       string
	Description         string
	Tags                string
	EmbedDomains        string
	Downloads           string
	Poster              string
	PlayableAt          sql.NullInt64
	ErrorFinal          bool
}

const videoColumns = `id, title, status, kind, error, progress, duration, width, height, source_key,
	source_size, renditions, plan, run, created_at, updated_at, uploaded_at, processing_started_at, ready_at,
	owner_id, visibility, allowed_users, allowed_groups, description, tags, embed_domains,
	downloads, poster, playable_at, error_final`

// dest lists the fields in videoColumns order for Scan.
func (r *videoRow) dest() []any {
	return []any{&r.ID, &r.Title, &r.Status, &r.Kind, &r.Error, &r.Progress, &r.Duration, &r.Width, &r.Height,
		&r.SourceKey, &r.SourceSize, &r.Renditions, &r.Plan, &r.Run, &r.CreatedAt, &r.UpdatedAt,
		&r.UploadedAt, &r.ProcessingStartedAt, &r.ReadyAt, &r.OwnerID, &r.Visibility, &r.AllowedUsers, &r.AllowedGroups,
		&r.Description, &r.Tags, &r.EmbedDomains,
		&r.Downloads, &r.Poster, &r.PlayableAt, &r.ErrorFinal}
}

func (r videoRow) video() media.Video {
	v := media.Video{
		ID: r.ID, Title: r.Title, Status: media.Status(r.Status), Kind: media.Kind(r.Kind),
		Error: r.Error, Progress: r.Progress, Duration: r.Duration, Width: r.Width, Height: r.Height,
		SourceSize: r.SourceSize, Renditions: []media.Rendition{},
		OwnerID: r.OwnerID, Visibility: access.Visibility(r.Visibility), AllowedUsers: []string{}, AllowedGroups: []string{},
		Description: r.Description, Tags: []string{}, EmbedDomains: []string{},
		UploadedAt: fromMillis(r.UploadedAt), ProcessingStartedAt: fromMillis(r.ProcessingStartedAt), ReadyAt: fromMillis(r.ReadyAt),
		Downloads: media.DownloadState(r.Downloads), Poster: r.Poster,
		PlayableAt: fromMillis(r.PlayableAt),
	}
	if v.Status == media.StatusFailed {
		retryable := !r.ErrorFinal
		v.Retryable = &retryable
	}
	v.CreatedAt = *fromMillis(sql.NullInt64{Int64: r.CreatedAt, Valid: true})
	v.UpdatedAt = *fromMillis(sql.NullInt64{Int64: r.UpdatedAt, Valid: true})
	_ = json.Unmarshal([]byte(r.Renditions), &v.Renditions)
	_ = json.Unmarshal([]byte(r.AllowedUsers), &v.AllowedUsers)
	_ = json.Unmarshal([]byte(r.AllowedGroups), &v.AllowedGroups)
	_ = json.Unmarshal([]byte(r.Tags), &v.Tags)
	_ = json.Unmarshal([]byte(r.EmbedDomains), &v.EmbedDomains)
	return v
}

// NewVideoID returns a random, URL-safe video id.
func NewVideoID() string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NewVideo is what a video starts with. The zero Visibility is private.
type NewVideo struct {
	Title      string
	OwnerID    string
	Visibility access.Visibility
}

// CreateVideo adds a video that waits for its upload.
func (c *Catalog) CreateVideo(ctx context.Context, nv NewVideo) (media.Video, error) {
	id, now := NewVideoID(), c.millis()
	if nv.Visibility == "" {
		nv.Visibility = access.Private
	}
	_, err := c.exec(ctx, `INSERT INTO videos (id, title, status, created_at, updated_at, owner_id, visibility) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, nv.Title, media.StatusWaitingUpload, now, now, nv.OwnerID, nv.Visibility)
	if err != nil {
		return media.Video{}, fmt.Errorf("create video: %w", err)
	}
	return c.Video(ctx, id)
}

// Video returns one video or media.ErrNotFound.
func (c *Catalog) Video(ctx context.Context, id string) (media.Video, error) {
	row, err := c.videoRow(ctx, id)
	if err != nil {
		return media.Video{}, err
	}
	return row.video(), nil
}

func (c *Catalog) videoRow(ctx context.Context, id string) (videoRow, error) {
	var row videoRow
	err := c.queryRow(ctx, `SELECT `+videoColumns+` FROM videos WHERE id = ?`, []any{id}, row.dest()...)
	if isNoRows(err) {
		return row, fmt.Errorf("video %s: %w", id, media.ErrNotFound)
	}
	return row, err
}

// ListFilter narrows ListVideos. Zero values mean no filter.
type ListFilter struct {
	Status media.Status
	Query  string // case-insensitive substring of the title, description or a tag
	// Tag keeps only videos carrying this tag (exact, lower-case).
	Tag   string
	Limit int
	// Viewer, when set, keeps only the videos listed for them: their own,
	// public ones and restricted ones shared with them (admins see all).
	// Unlisted videos of others are never listed.
	Viewer *access.Principal
	// OwnerID keeps only one owner's videos.
	OwnerID string
	// CreatedFrom and CreatedTo, when set, keep videos created in
	// [CreatedFrom, CreatedTo).
	CreatedFrom, CreatedTo time.Time
	// Sort is the order: SortNewest (the default), SortOldest, SortTitle
	// or SortLongest.
	Sort string
}

// Orders of ListVideos.
const (
	SortNewest  = "newest"
	SortOldest  = "oldest"
	SortTitle   = "title"
	SortLongest = "longest"
)

// ValidSort reports whether s names an order of ListVideos ("" is the default).
func ValidSort(s string) bool {
	switch s {
	case "", SortNewest, SortOldest, SortTitle, SortLongest:
		return true
	}
	return false
}

// ListVideos returns videos newest first.
func (c *Catalog) ListVideos(ctx context.Context, f ListFilter) ([]media.Video, error) {
	query := `SELECT ` + videoColumns + ` FROM videos WHERE 1=1`
	var args []any
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		query += ` AND (LOWER(title) LIKE ? ESCAPE '\' OR LOWER(description) LIKE ? ESCAPE '\' OR tags LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.Tag != "" {
		// Tags are stored lower-case and without quotes (media.CleanTags).
		query += ` AND tags LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(`"`+strings.ToLower(f.Tag)+`"`)+"%")
	}
	if !f.CreatedFrom.IsZero() {
		query += ` AND created_at >= ?`
		args = append(args, f.CreatedFrom.UnixMilli())
	}
	if !f.CreatedTo.IsZero() {
		query += ` AND created_at < ?`
		args = append(args, f.CreatedTo.UnixMilli())
	}
	if f.OwnerID != "" {
		query += ` AND owner_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.Viewer != nil {
		cond, cargs := listedFor(*f.Viewer)
		query += cond
		args = append(args, cargs...)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	order := `created_at DESC, id`
	switch f.Sort {
	case SortOldest:
		order = `created_at, id`
	case SortTitle:
		order = `LOWER(title), created_at DESC, id`
	case SortLongest:
		order = `duration DESC, created_at DESC, id`
	}
	query += fmt.Sprintf(` ORDER BY %s LIMIT %d`, order, f.Limit)
	rs, err := c.q.query(ctx, c.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("list videos: %w", err)
	}
	defer rs.Close()
	out := []media.Video{}
	for rs.Next() {
		var r videoRow
		if err := rs.Scan(r.dest()...); err != nil {
			return nil, fmt.Errorf("list videos: %w", err)
		}
		out = append(out, r.video())
	}
	return out, rs.Err()
}

// listedFor is the SQL condition of ListFilter.Viewer. Allowed users and
// groups are JSON lists matched with LIKE on the quoted name; ids and group
// names contain no quotes (access.ValidGroup), and LIKE wildcards are escaped.
func listedFor(p access.Principal) (string, []any) {
	switch {
	case p.Admin():
		return "", nil
	case p.Anonymous() || !p.Has(access.ScopeRead) && !p.Has(access.ScopeUpload):
		return ` AND visibility = 'public'`, nil
	case !p.Has(access.ScopeRead): // an upload-only key: its own videos
		return ` AND (visibility = 'public' OR owner_id = ?)`, []any{p.ID}
	}
	cond := ` AND (visibility = 'public' OR owner_id = ? OR (visibility = 'restricted' AND (allowed_users LIKE ? ESCAPE '\'`
	args := []any{p.ID, "%" + escapeLike(`"`+p.ID+`"`) + "%"}
	for _, g := range p.Groups {
		cond += ` OR allowed_groups LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(`"`+g+`"`)+"%")
	}
	return cond + `)))`, args
}

// VideoPatch changes the fields that are set.
type VideoPatch struct {
	Title         *string
	Visibility    *access.Visibility
	AllowedUsers  []string // nil leaves the list; empty clears it
	AllowedGroups []string
	Description   *string
	Tags          []string // nil leaves the tags; empty clears them
	EmbedDomains  []string // nil leaves the list; empty allows any site
}

// UpdateVideo applies p and returns the video. When the change takes access
// away from someone (access.Narrows), every playback grant issued before
// it stops counting (PlaybackGate). That is decided on the row as it is
// when updated, inside one transaction (locked on PostgreSQL), so two
// concurrent edits cannot both miss a narrowing.
func (c *Catalog) UpdateVideo(ctx context.Context, id string, p VideoPatch) (media.Video, error) {
	var (
		v       media.Video
		revoked bool
	)
	err := c.inTx(ctx, func(tc *Catalog) error {
		if tc.postgres {
			if err := tc.queryRow(ctx, `SELECT id FROM videos WHERE id = ? FOR UPDATE`, []any{id}, new(string)); err != nil {
				if isNoRows(err) {
					return fmt.Errorf("video %s: %w", id, media.ErrNotFound)
				}
				return fmt.Errorf("lock video: %w", err)
			}
		}
		before, err := tc.Video(ctx, id)
		if err != nil {
			return err
		}
		revoked = access.Narrows(before.Resource(), p.apply(before.Resource()))
		if err := tc.updateVideo(ctx, id, p, revoked); err != nil {
			return err
		}
		v, err = tc.Video(ctx, id)
		return err
	})
	if err != nil || !revoked {
		return v, err
	}
	// Readers that saw the old sharing until the commit take their grants'
	// issue time before their read (Now), so move the cut-off to after the
	// commit: those grants are then older than it too.
	cutoff := c.now().UnixMicro()
	if _, err := c.exec(ctx, `UPDATE videos SET playback_not_before = ? WHERE id = ? AND playback_not_before < ?`,
		cutoff, id, cutoff); err != nil {
		return v, fmt.Errorf("revoke playback: %w", err)
	}
	return v, nil
}

// apply returns r as p leaves it.
func (p VideoPatch) apply(r access.Resource) access.Resource {
	if p.Visibility != nil {
		r.Visibility = *p.Visibility
	}
	if p.AllowedUsers != nil {
		r.AllowedUsers = p.AllowedUsers
	}
	if p.AllowedGroups != nil {
		r.AllowedGroups = p.AllowedGroups
	}
	return r
}

func (c *Catalog) updateVideo(ctx context.Context, id string, p VideoPatch, revoke bool) error {
	set, args := []string{"updated_at = ?"}, []any{c.millis()}
	if p.Title != nil {
		set, args = append(set, "title = ?"), append(args, *p.Title)
	}
	if p.Visibility != nil {
		set, args = append(set, "visibility = ?"), append(args, *p.Visibility)
	}
	if p.AllowedUsers != nil {
		b, _ := json.Marshal(p.AllowedUsers)
		set, args = append(set, "allowed_users = ?"), append(args, string(b))
	}
	if p.AllowedGroups != nil {
		b, _ := json.Marshal(p.AllowedGroups)
		set, args = append(set, "allowed_groups = ?"), append(args, string(b))
	}
	if p.Description != nil {
		set, args = append(set, "description = ?"), append(args, *p.Description)
	}
	if p.Tags != nil {
		b, _ := json.Marshal(p.Tags)
		set, args = append(set, "tags = ?"), append(args, string(b))
	}
	if p.EmbedDomains != nil {
		b, _ := json.Marshal(p.EmbedDomains)
		set, args = append(set, "embed_domains = ?"), append(args, string(b))
	}
	if revoke {
		set, args = append(set, "playback_not_before = ?"), append(args, c.now().UnixMicro())
	}
	n, err := c.exec(ctx, `UPDATE videos SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return fmt.Errorf("update video: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("video %s: %w", id, media.ErrNotFound)
	}
	return nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// DeleteVideo removes a video and its pipeline state. Media objects are the
// caller's to remove.
func (c *Catalog) DeleteVideo(ctx context.Context, id string) error {
	n, err := c.exec(ctx, `DELETE FROM videos WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("video %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// Source returns where the upload of a video is stored and the current run.
func (c *Catalog) Source(ctx context.Context, id string) (key string, run int, err error) {
	row, err := c.videoRow(ctx, id)
	return row.SourceKey, row.Run, err
}

// CountVideos returns how many videos exist.
func (c *Catalog) CountVideos(ctx context.Context) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM videos`, nil, &n)
	return n, err
}
