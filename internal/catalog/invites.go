package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

// CreateInvite stores the hash of an invite code that signs up one user
// with role until expires.
func (c *Catalog) CreateInvite(ctx context.Context, codeHash string, role access.Role, createdBy string, expires time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO invites (code_hash, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		codeHash, role, createdBy, c.millis(), expires.UnixMilli())
	return err
}

// InviteRole returns the role of a valid, unused invite, or media.ErrForbidden.
func (c *Catalog) InviteRole(ctx context.Context, codeHash string) (access.Role, error) {
	var role string
	err := c.queryRow(ctx, `SELECT role FROM invites WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?`,
		[]any{codeHash, c.millis()}, &role)
	if isNoRows(err) {
		return "", fmt.Errorf("invite: %w", media.ErrForbidden)
	}
	return access.Role(role), err
}

// UseInvite marks an invite used by userID; exactly one caller wins.
func (c *Catalog) UseInvite(ctx context.Context, codeHash, userID string) error {
	n, err := c.exec(ctx, `UPDATE invites SET used_by = ? WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?`,
		userID, codeHash, c.millis())
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("invite: %w", media.ErrForbidden)
	}
	return nil
}

// Setting returns a stored setting, or def when unset.
func (c *Catalog) Setting(ctx context.Context, name, def string) (string, error) {
	var v string
	err := c.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, []any{name}, &v)
	if isNoRows(err) {
		return def, nil
	}
	return v, err
}

// SetSetting stores a setting.
func (c *Catalog) SetSetting(ctx context.Context, name, value string) error {
	_, err := c.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
		name, value)
	return err
}

// ClaimSetup reports whether this caller is the one that creates the first
// account. The settings primary key makes exactly one caller win, even when
// two sign-ups race on an empty server.
func (c *Catalog) ClaimSetup(ctx context.Context) (bool, error) {
	_, err := c.exec(ctx, `INSERT INTO settings (name, value) VALUES ('setup_claimed', ?)`, fmt.Sprint(c.millis()))
	if isUniqueViolation(err) {
		return false, nil
	}
	return err == nil, err
}

// ReleaseSetup gives up a claim whose account could not be created, so the
// next sign-up can set up the server.
func (c *Catalog) ReleaseSetup(ctx context.Context) error {
	_, err := c.exec(ctx, `DELETE FROM settings WHERE name = 'setup_claimed'`)
	return err
}
