package catalog

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Wrong passwords are counted per (email, client) pair, whether or not the
// email has an account. A lock then tells a guesser nothing about which
// emails exist, and one guesser cannot lock the owner out from elsewhere.
// The client is an address bucket (see api.Server.clientKey), opaque here.

// loginEmailKey is how a typed email is stored: hashed, because people
// sometimes type a password into the email field, and hashing also bounds
// the row size whatever was sent.
func loginEmailKey(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(h[:])
}

// LoginLockedUntil returns when the latest lock of the (email, client)
// pair ends, which may be in the past, or nil if the pair was never locked.
func (c *Catalog) LoginLockedUntil(ctx context.Context, email, client string) (*time.Time, error) {
	var locked sql.NullInt64
	err := c.queryRow(ctx, `SELECT locked_until FROM login_failures WHERE email_hash = ? AND client = ?`,
		[]any{loginEmailKey(email), client}, &locked)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("login lock: %w", err)
	}
	return fromMillis(locked), nil
}

// LoginFailed counts a failed sign-in of email from client and returns
// the pair's failures in a row. At lockAfter failures of the pair in a row
// it is locked for lockFor, doubling with every further failure (callers
// do not count attempts made while locked).
func (c *Catalog) LoginFailed(ctx context.Context, email, client string, lockAfter int, lockFor time.Duration) (int, error) {
	key, now := loginEmailKey(email), c.now()
	var fails int
	err := c.queryRow(ctx, `INSERT INTO login_failures (email_hash, client, failures, last_failed_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (email_hash, client) DO UPDATE
		SET failures = login_failures.failures + 1, last_failed_at = excluded.last_failed_at
		RETURNING failures`, []any{key, client, now.UnixMilli()}, &fails)
	if err != nil {
		return 0, fmt.Errorf("count failed login: %w", err)
	}
	if fails < lockAfter {
		return fails, nil
	}
	// Only ever extend: of two failures counted at once, the one that saw
	// the lower count must not shorten the other's longer lock.
	until := now.Add(lockFor << min(fails-lockAfter, 10)).UnixMilli()
	if _, err := c.exec(ctx, `UPDATE login_failures SET locked_until = ?
		WHERE email_hash = ? AND client = ? AND (locked_until IS NULL OR locked_until < ?)`,
		until, key, client, until); err != nil {
		return fails, fmt.Errorf("lock login: %w", err)
	}
	return fails, nil
}

// LoginSucceeded forgets the failures of the (email, client) pair, and no
// other pair's, and records the user's login.
func (c *Catalog) LoginSucceeded(ctx context.Context, userID, email, client string) error {
	if _, err := c.exec(ctx, `DELETE FROM login_failures WHERE email_hash = ? AND client = ?`,
		loginEmailKey(email), client); err != nil {
		return fmt.Errorf("clear failed logins: %w", err)
	}
	if _, err := c.exec(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, c.millis(), userID); err != nil {
		return fmt.Errorf("record login: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets the failures and lifts the locks of email from
// every client (a new password, set by an admin or by the user).
func (c *Catalog) ClearLoginFailures(ctx context.Context, email string) error {
	if _, err := c.exec(ctx, `DELETE FROM login_failures WHERE email_hash = ?`, loginEmailKey(email)); err != nil {
		return fmt.Errorf("clear failed logins: %w", err)
	}
	return nil
}

// DeleteStaleLoginFailures removes pairs that are not locked and whose last
// failure is older than idle, so the table stays as small as the set of
// recent guessers. A pair idle that long starts counting from zero again.
func (c *Catalog) DeleteStaleLoginFailures(ctx context.Context, idle time.Duration) (int64, error) {
	now := c.now()
	n, err := c.exec(ctx, `DELETE FROM login_failures WHERE last_failed_at <= ? AND (locked_until IS NULL OR locked_until <= ?)`,
		now.Add(-idle).UnixMilli(), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete stale failed logins: %w", err)
	}
	return n, nil
}
