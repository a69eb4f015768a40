package catalog

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

// APIKey is a stored key. Only its hash is kept.
type APIKey struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// UserID is the key's owner; empty for keys made with `kinema apikey`
	// or KINEMA_ADMIN_TOKEN, which act for themselves.
	UserID     string         `json:"user_id,omitempty"`
	Scopes     []access.Scope `json:"scopes"`
	CreatedAt  time.Time      `json:"created_at"`
	LastUsedAt *time.Time     `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time     `json:"revoked_at,omitempty"`
}

const apiKeyColumns = `id, name, COALESCE(user_id, ''), scopes, created_at, last_used_at, revoked_at`

type apiKeyRow struct {
	ID, Name, UserID, Scopes string
	CreatedAt                int64
	LastUsedAt, RevokedAt    sql.NullInt64
}

func (r *apiKeyRow) dest() []any {
	return []any{&r.ID, &r.Name, &r.UserID, &r.Scopes, &r.CreatedAt, &r.LastUsedAt, &r.RevokedAt}
}

func (r apiKeyRow) key() APIKey {
	scopes, _ := access.ParseScopes(r.Scopes)
	return APIKey{ID: r.ID, Name: r.Name, UserID: r.UserID, Scopes: scopes,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), LastUsedAt: fromMillis(r.LastUsedAt), RevokedAt: fromMillis(r.RevokedAt)}
}

// CreateAPIKey stores the hash of a new key that belongs to no user: with
// admin it has every scope, otherwise read and upload. Creating a key whose
// hash exists already returns the existing key, so a bootstrap token can be
// applied on every start. That includes a revoked key, which stays revoked:
// restarting with a token an admin revoked must not bring it back.
func (c *Catalog) CreateAPIKey(ctx context.Context, name, keyHash string, admin bool) (APIKey, error) {
	k, err := c.apiKey(ctx, `key_hash = ?`, keyHash)
	if err == nil {
		return k, nil
	}
	if !isNoRows(err) {
		return APIKey{}, fmt.Errorf("api key: %w", err)
	}
	scopes := []access.Scope{access.ScopeRead, access.ScopeUpload}
	if admin {
		scopes = access.AllScopes
	}
	return c.CreateUserAPIKey(ctx, "", name, keyHash, scopes)
}

// CreateUserAPIKey stores the hash of a new key of userID ("" for none).
func (c *Catalog) CreateUserAPIKey(ctx context.Context, userID, name, keyHash string, scopes []access.Scope) (APIKey, error) {
	id := "key_" + randomHex(8)
	var owner any
	if userID != "" {
		owner = userID
	}
	admin := access.Principal{Scopes: scopes}.Admin()
	_, err := c.exec(ctx, `INSERT INTO api_keys (id, name, key_hash, is_admin, created_at, user_id, scopes) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, name, keyHash, admin, c.millis(), owner, access.FormatScopes(scopes))
	if err != nil {
		return APIKey{}, fmt.Errorf("create api key: %w", err)
	}
	return c.apiKey(ctx, `id = ?`, id)
}

// APIKeyByHash finds a live (unrevoked) key by the hash of its secret.
func (c *Catalog) APIKeyByHash(ctx context.Context, keyHash string) (APIKey, error) {
	k, err := c.apiKey(ctx, `key_hash = ? AND revoked_at IS NULL`, keyHash)
	if isNoRows(err) {
		return APIKey{}, media.ErrUnauthorized
	}
	return k, err
}

func (c *Catalog) apiKey(ctx context.Context, where string, arg any) (APIKey, error) {
	var r apiKeyRow
	err := c.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE `+where, []any{arg}, r.dest()...)
	return r.key(), err
}

// ListAPIKeys returns the keys of userID, or every key when userID is "*".
func (c *Catalog) ListAPIKeys(ctx context.Context, userID string) ([]APIKey, error) {
	q, args := `SELECT `+apiKeyColumns+` FROM api_keys`, []any{}
	if userID != "*" {
		q, args = q+` WHERE COALESCE(user_id, '') = ?`, append(args, userID)
	}
	rs, err := c.q.query(ctx, c.rebind(q+` ORDER BY created_at DESC, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rs.Close()
	out := []APIKey{}
	for rs.Next() {
		var r apiKeyRow
		if err := rs.Scan(r.dest()...); err != nil {
			return nil, err
		}
		out = append(out, r.key())
	}
	return out, rs.Err()
}

// RevokeAPIKey revokes key id if it belongs to userID ("*" for any owner).
// A key of someone else is media.ErrNotFound.
func (c *Catalog) RevokeAPIKey(ctx context.Context, id, userID string) error {
	q, args := `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, []any{c.millis(), id}
	if userID != "*" {
		q, args = q+` AND COALESCE(user_id, '') = ?`, append(args, userID)
	}
	n, err := c.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("api key %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// TouchAPIKey records that key was used now. A key used in the last minute
// (as loaded) is left alone, so busy keys do not turn every request into a
// write.
func (c *Catalog) TouchAPIKey(ctx context.Context, key APIKey) error {
	now := c.now()
	if key.LastUsedAt != nil && now.Sub(*key.LastUsedAt) < time.Minute {
		return nil
	}
	_, err := c.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, now.UnixMilli(), key.ID)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
