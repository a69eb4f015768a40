package api_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/delivery"
)

// tokenUser returns the user id a signed playback URL names ("" for none).
func tokenUser(t *testing.T, playURL string) string {
	t.Helper()
	u, err := url.Parse(playURL)
	require.NoError(t, err)
	payload, _, _ := strings.Cut(u.Query().Get("token"), ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	require.NoError(t, err)
	return decode[struct {
		U string `json:"u"`
	}](t, raw).U
}

// TestUserLosingAccessRevokesPlayback: a viewer who reaches a restricted
// video through a group gets links that stop working as soon as an admin
// takes the group away, disables or deletes them; other viewers' links and
// user-less grants keep playing, and changes that take nothing away revoke
// nothing.
func TestUserLosingAccessRevokesPlayback(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	sub := b.addUser(t, access.RoleViewer, "paid")
	other := b.addUser(t, access.RoleViewer, "paid")
	v := b.createAs(t, owner, "members only", access.Restricted)
	status, body := b.patchAs(t, owner, v.ID, `{"allowed_groups":["paid"]}`)
	require.Equal(t, http.StatusOK, status, string(body))
	b.publish(t, v.ID)

	cookie := func(u *account) *http.Cookie {
		t.Helper()
		resp, body := b.do(t, u.as(call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/playback-cookie"}))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		c := cookieNamed(resp, delivery.CookieName)
		require.NotNil(t, c)
		return c
	}
	plays := func(u string, cookies ...*http.Cookie) int {
		t.Helper()
		resp, _ := b.do(t, call{method: http.MethodGet, path: u, cookies: cookies})
		return resp.StatusCode
	}
	patchUser := func(id, req string) {
		t.Helper()
		resp, body := b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+id, req)))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	}
	plain := b.srv.URL + "/media/" + v.ID + "/master.m3u8"

	subURL, subCookie := b.hlsURL(t, v.ID, sub.cookieOnly(call{})), cookie(sub)
	otherURL := b.hlsURL(t, v.ID, other.cookieOnly(call{}))
	adminURL := b.hlsURL(t, v.ID, keyed(adminKey, call{})) // the bootstrap key is no user
	require.Equal(t, sub.ID, tokenUser(t, subURL))
	require.Empty(t, tokenUser(t, adminURL), "a user-less key's grant names nobody")
	for _, u := range []string{subURL, otherURL, adminURL} {
		require.Equal(t, http.StatusOK, plays(u))
	}
	require.Equal(t, http.StatusOK, plays(plain, subCookie))

	// Changes that take nothing away revoke nothing.
	patchUser(sub.ID, `{"name":"Renamed","groups":["paid","extra"]}`)
	resp, body := b.do(t, sub.as(jsonCall(http.MethodPost, "/api/v1/auth/password",
		`{"current_password":"`+password+`","new_password":"another horse battery"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	sub = sessionOf(t, resp, body)
	require.Equal(t, http.StatusOK, plays(subURL), "a rename, a new group or one's own new password revoke nothing")
	require.Equal(t, http.StatusOK, plays(plain, subCookie))

	// The admin takes the group away: the subscriber's link and cookie die
	// at once; everyone else's play on.
	patchUser(sub.ID, `{"groups":["extra"]}`)
	require.Equal(t, http.StatusForbidden, plays(subURL))
	require.Equal(t, http.StatusForbidden, plays(plain, subCookie))
	require.Equal(t, http.StatusOK, plays(otherURL), "another user's link still plays")
	require.Equal(t, http.StatusOK, plays(adminURL))
	resp, _ = b.do(t, sub.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "and no new link")

	// Back in the group, a fresh link plays; disabling the user kills it.
	patchUser(sub.ID, `{"groups":["paid"]}`)
	subURL = b.hlsURL(t, v.ID, sub.cookieOnly(call{}))
	require.Equal(t, http.StatusOK, plays(subURL))
	patchUser(sub.ID, `{"disabled":true}`)
	require.Equal(t, http.StatusForbidden, plays(subURL))
	require.Equal(t, http.StatusOK, plays(otherURL))

	// Deleting a user kills their links too.
	resp, body = b.do(t, keyed(adminKey, call{method: http.MethodDelete, path: "/api/v1/users/" + other.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	require.Equal(t, http.StatusForbidden, plays(otherURL))
	require.Equal(t, http.StatusOK, plays(adminURL), "user-less grants are unaffected")
	require.Equal(t, http.StatusOK, plays(b.hlsURL(t, v.ID, owner.cookieOnly(call{}))))
}
