package catalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/kinema/kinema/internal/media"
)

// APIKey is a stored key. Only its hash is kept.
type APIKey struct {
	ID      string
	Name    string
	IsAdmin bool
}

// CreateAPIKey stores the hash of a new key. Creating a key whose hash exists
// already is a no-op that returns the existing key, so a bootstrap token can be
// applied on every start.
func (c *Catalog) CreateAPIKey(ctx context.Context, name, keyHash string, admin bool) (APIKey, error) {
	if k, err := c.APIKeyByHash(ctx, keyHash); err == nil {
		return k, nil
	}
	id := "key_" + randomHex(8)
	_, err := c.exec(ctx, `INSERT INTO api_keys (id, name, key_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, name, keyHash, admin, c.millis())
	if err != nil {
		return APIKey{}, fmt.Errorf("create api key: %w", err)
	}
	return APIKey{ID: id, Name: name, IsAdmin: admin}, nil
}

// APIKeyByHash finds a key by the hash of its secret and records its use.
func (c *Catalog) APIKeyByHash(ctx context.Context, keyHash string) (APIKey, error) {
	var k APIKey
	err := c.queryRow(ctx, `SELECT id, name, is_admin FROM api_keys WHERE key_hash = ?`, []any{keyHash}, &k.ID, &k.Name, &k.IsAdmin)
	if isNoRows(err) {
		return APIKey{}, media.ErrUnauthorized
	}
	return k, err
}

// TouchAPIKey records that a key was used now.
func (c *Catalog) TouchAPIKey(ctx context.Context, id string) error {
	_, err := c.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, c.millis(), id)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
