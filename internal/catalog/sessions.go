package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

// Session is a signed-in browser. Its id is known only by its hash.
type Session struct {
	UserID    string
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession stores a session under the hash of its id.
func (c *Catalog) CreateSession(ctx context.Context, idHash string, s Session) error {
	now := c.millis()
	_, err := c.exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
		idHash, s.UserID, s.CSRFToken, now, s.ExpiresAt.UnixMilli(), now)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns a live session and its enabled user, or
// media.ErrUnauthorized. An idle session slides its expiry forward by idle.
func (c *Catalog) SessionUser(ctx context.Context, idHash string, idle time.Duration) (Session, access.User, error) {
	var s Session
	var r userRow
	var exp int64
	err := c.queryRow(ctx, `SELECT s.user_id, s.csrf_token, s.expires_at, `+prefixed("u.", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
		[]any{idHash}, append([]any{&s.UserID, &s.CSRFToken, &exp}, r.dest()...)...)
	if isNoRows(err) {
		return s, access.User{}, media.ErrUnauthorized
	}
	if err != nil {
		return s, access.User{}, err
	}
	now := c.now()
	s.ExpiresAt = time.UnixMilli(exp)
	if !now.Before(s.ExpiresAt) || r.Disabled {
		_ = c.DeleteSession(ctx, idHash)
		return s, access.User{}, media.ErrUnauthorized
	}
	// Extend at most once a minute, so reads do not all turn into writes.
	if next := now.Add(idle); next.Sub(s.ExpiresAt) > time.Minute {
		s.ExpiresAt = next
		_, _ = c.exec(ctx, `UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE id_hash = ?`, next.UnixMilli(), now.UnixMilli(), idHash)
	}
	return s, r.user(), nil
}

// DeleteSession ends one session.
func (c *Catalog) DeleteSession(ctx context.Context, idHash string) error {
	_, err := c.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// DeleteUserSessions ends every session of a user.
func (c *Catalog) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := c.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (c *Catalog) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	return c.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, c.millis())
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i := range parts {
		parts[i] = p + strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, ", ")
}
