package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
)

// apiKey is a listed key.
type apiKey struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	UserID     string         `json:"user_id"`
	Scopes     []access.Scope `json:"scopes"`
	LastUsedAt *string        `json:"last_used_at"`
	RevokedAt  *string        `json:"revoked_at"`
}

// newKey has u's browser create an API key and returns its id and secret.
func (b *bundle) newKey(t *testing.T, u *account, scopes ...access.Scope) (id, secret string) {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"name": "key " + access.FormatScopes(scopes), "scopes": scopes})
	resp, body := b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/keys", string(req))))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	k := decode[struct {
		Key    apiKey
		Secret string
	}](t, body)
	require.True(t, strings.HasPrefix(k.Secret, auth.APIKeyPrefix))
	require.Equal(t, u.ID, k.Key.UserID)
	return k.Key.ID, k.Secret
}

// keysOf lists the keys the caller of c sees.
func (b *bundle) keysOf(t *testing.T, c call) map[string]apiKey {
	t.Helper()
	c.method = http.MethodGet
	if c.path == "" {
		c.path = "/api/v1/keys"
	}
	resp, body := b.do(t, c)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NotContains(t, string(body), auth.APIKeyPrefix, "secrets are shown once, at creation")
	require.NotContains(t, string(body), "hash")
	out := map[string]apiKey{}
	for _, k := range decode[struct{ Keys []apiKey }](t, body).Keys {
		out[k.ID] = k
	}
	return out
}

func TestAPIKeyScopes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleUploader)
	resp, body := b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"scoped"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	v := decode[video](t, body)
	readID, read := b.newKey(t, u, access.ScopeRead)
	unusedID, _ := b.newKey(t, u, access.ScopeRead, access.ScopeUpload)

	// A read key reads...
	resp, body = b.do(t, keyed(read, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Nil(t, decode[video](t, body).Upload, "no upload grant without the upload scope")
	resp, body = b.do(t, keyed(read, call{method: http.MethodGet, path: "/api/v1/videos?mine=1"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), v.ID)
	// ...and changes nothing.
	for _, c := range []call{
		jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"by a read key"}`),
		jsonCall(http.MethodPatch, "/api/v1/videos/"+v.ID, `{"title":"changed"}`),
		{method: http.MethodDelete, path: "/api/v1/videos/" + v.ID},
		jsonCall(http.MethodPost, "/api/v1/live", `{"title":"live"}`),
		{method: http.MethodGet, path: "/api/v1/live"},
		// No key may make a key with more than it has.
		jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"escalate","scopes":["read","upload"]}`),
		jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"escalate","scopes":["admin"]}`),
		{method: http.MethodGet, path: "/api/v1/keys?all=1"},
		{method: http.MethodGet, path: "/api/v1/users"},
	} {
		resp, body := b.do(t, keyed(read, c))
		requireRefused(t, resp, body, http.StatusForbidden, "forbidden", v.ID)
	}
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos?mine=1"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, decode[struct{ Videos []video }](t, body).Videos, 1)
	require.Contains(t, string(body), `"title":"scoped"`)

	// The uploader's own session cannot mint admin keys either.
	for _, scopes := range []string{`["admin"]`, `["read","upload","admin"]`} {
		resp, body := b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"escalate","scopes":`+scopes+`}`)))
		requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	}
	for _, req := range []string{`{"name":"x","scopes":["write"]}`, `{"name":"x","scopes":[]}`, `{"name":"","scopes":["read"]}`, `{"name":"x"}`} {
		c := u.as(jsonCall(http.MethodPost, "/api/v1/keys", req))
		c.badRequest = true
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	}

	// An upload-only key manages its user's videos, private ones included.
	_, upOnly := b.newKey(t, u, access.ScopeUpload)
	resp, body = b.do(t, keyed(upOnly, jsonCall(http.MethodPatch, "/api/v1/videos/"+v.ID, `{"title":"renamed by key"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	// last_used_at shows which keys are in use.
	keys := b.keysOf(t, u.cookieOnly(call{}))
	require.Len(t, keys, 3)
	require.NotNil(t, keys[readID].LastUsedAt)
	require.Nil(t, keys[unusedID].LastUsedAt)
	require.Equal(t, []access.Scope{access.ScopeRead}, keys[readID].Scopes)

	// Revoked keys stop at once, and are listed as revoked.
	resp, body = b.do(t, u.as(call{method: http.MethodDelete, path: "/api/v1/keys/" + readID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	for _, c := range []call{{method: http.MethodGet, path: "/api/v1/videos"}, {method: http.MethodGet, path: "/api/v1/videos/" + v.ID}} {
		resp, body := b.do(t, keyed(read, c))
		requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", v.ID)
	}
	require.NotNil(t, b.keysOf(t, u.cookieOnly(call{}))[readID].RevokedAt)
	resp, body = b.do(t, u.as(call{method: http.MethodDelete, path: "/api/v1/keys/" + readID}))
	requireRefused(t, resp, body, http.StatusNotFound, "not_found")

	resp, body = b.do(t, keyed(upOnly, call{method: http.MethodDelete, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
}

// TestKeysOfOthers: keys are private to their user; only admins see and
// revoke everyone's.
func TestKeysOfOthers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.addUser(t, access.RoleAdmin)
	u := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	mineID, _ := b.newKey(t, u, access.ScopeRead)
	theirsID, theirs := b.newKey(t, other, access.ScopeRead, access.ScopeUpload)

	mine := b.keysOf(t, u.cookieOnly(call{}))
	require.Contains(t, mine, mineID)
	require.NotContains(t, mine, theirsID)
	require.Len(t, mine, 1)
	resp, body := b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/keys?all=1"}))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden", theirsID)

	// Someone else's key is "not found", like a key that does not exist.
	resp, missing := b.do(t, u.as(call{method: http.MethodDelete, path: "/api/v1/keys/key_0000000000000000"}))
	requireRefused(t, resp, missing, http.StatusNotFound, "not_found")
	resp, body = b.do(t, u.as(call{method: http.MethodDelete, path: "/api/v1/keys/" + theirsID}))
	requireRefused(t, resp, body, http.StatusNotFound, "not_found", theirsID)
	require.Equal(t, string(missing), string(body))
	resp, _ = b.do(t, keyed(theirs, call{method: http.MethodGet, path: "/api/v1/videos"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "still works")

	all := b.keysOf(t, admin.cookieOnly(call{path: "/api/v1/keys?all=1"}))
	require.Contains(t, all, mineID)
	require.Contains(t, all, theirsID)
	require.Equal(t, other.ID, all[theirsID].UserID)
	resp, body = b.do(t, admin.as(call{method: http.MethodDelete, path: "/api/v1/keys/" + theirsID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	resp, body = b.do(t, keyed(theirs, call{method: http.MethodGet, path: "/api/v1/videos"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
}

// TestKeyScopesFollowTheRole: a key acts with at most its user's role
// today, so demoting a user demotes their keys.
func TestKeyScopesFollowTheRole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleUploader)
	_, key := b.newKey(t, u, access.ScopeRead, access.ScopeUpload)
	resp, _ := b.do(t, keyed(key, jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"before"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode)

	resp, body := b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"role":"viewer"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = b.do(t, keyed(key, jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"after"}`)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	resp, body = b.do(t, keyed(key, call{method: http.MethodGet, path: "/api/v1/videos?mine=1"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "the read part still works")
	require.Contains(t, string(body), "before")
	require.Nil(t, decode[struct{ Videos []video }](t, body).Videos[0].Upload, "no upload grant for a viewer")
	resp, body = b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"x","scopes":["upload"]}`)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	// The key still lists what it was made with; it acts with less.
	require.Len(t, b.keysOf(t, u.cookieOnly(call{})), 1)

	resp, _ = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"role":"uploader"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = b.do(t, keyed(key, jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"again"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}

// TestUserlessKeys: keys from `kinema apikey` and KINEMA_ADMIN_TOKEN.
func TestUserlessKeys(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var adminID, userID string
	for id, k := range b.keysOf(t, keyed(userKey, call{})) {
		require.Empty(t, k.UserID)
		switch k.Name {
		case "admin":
			adminID = id
		case "user":
			userID = id
		}
	}
	require.NotEmpty(t, adminID)
	require.NotEmpty(t, userID)

	// An upload key cannot revoke the admin's key.
	resp, body := b.do(t, keyed(userKey, call{method: http.MethodDelete, path: "/api/v1/keys/" + adminID}))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	resp, _ = b.do(t, keyed(adminKey, call{method: http.MethodGet, path: "/api/v1/users"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// Nor any user's key.
	u := b.addUser(t, access.RoleViewer)
	uKeyID, _ := b.newKey(t, u, access.ScopeRead)
	resp, body = b.do(t, keyed(userKey, call{method: http.MethodDelete, path: "/api/v1/keys/" + uKeyID}))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")

	// The admin's key revokes; applying the same token again at the next
	// start neither fails nor brings the key back.
	resp, _ = b.do(t, keyed(adminKey, call{method: http.MethodDelete, path: "/api/v1/keys/" + userID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, body = b.do(t, keyed(userKey, call{method: http.MethodGet, path: "/api/v1/videos"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
	k, err := b.cat.CreateAPIKey(context.Background(), "user", auth.HashAPIKey(userKey), false)
	require.NoError(t, err)
	require.Equal(t, userID, k.ID)
	require.NotNil(t, k.RevokedAt)
	resp, _ = b.do(t, keyed(userKey, call{method: http.MethodGet, path: "/api/v1/videos"}))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestOnlySessionsAndAdminKeysManageKeys: a leaked read (or upload) key
// cannot mint a sibling that outlives its revocation, nor revoke the keys
// of the person cleaning up; an admin key mints nothing beyond its own
// scopes.
func TestOnlySessionsAndAdminKeysManageKeys(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleAdmin)
	otherID, other := b.newKey(t, u, access.ScopeRead)
	for _, scopes := range [][]access.Scope{{access.ScopeRead}, {access.ScopeUpload}, {access.ScopeRead, access.ScopeUpload}} {
		_, key := b.newKey(t, u, scopes...)
		for _, c := range []call{
			jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"sibling","scopes":["read"]}`),
			{method: http.MethodDelete, path: "/api/v1/keys/" + otherID},
		} {
			resp, body := b.do(t, keyed(key, c))
			requireRefused(t, resp, body, http.StatusForbidden, "forbidden", auth.APIKeyPrefix)
		}
	}
	require.Contains(t, b.keysOf(t, keyed(other, call{})), otherID, "a read key still lists its user's keys")
	resp, _ := b.do(t, keyed(other, call{method: http.MethodGet, path: "/api/v1/videos"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "the other key was not revoked")
	require.Len(t, b.keysOf(t, u.cookieOnly(call{})), 4, "no sibling was minted")

	// An admin key manages keys, within its own scopes.
	_, adminOnly := b.newKey(t, u, access.ScopeRead, access.ScopeAdmin)
	resp, body := b.do(t, keyed(adminOnly, jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"wider","scopes":["upload"]}`)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden", auth.APIKeyPrefix)
	resp, body = b.do(t, keyed(adminOnly, jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"same","scopes":["read","admin"]}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	resp, body = b.do(t, keyed(adminOnly, call{method: http.MethodDelete, path: "/api/v1/keys/" + otherID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	resp, body = b.do(t, keyed(other, call{method: http.MethodGet, path: "/api/v1/videos"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
}
