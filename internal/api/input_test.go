package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
)

// TestJSONBodyHygiene: text that would render as something it is not, and
// JSON that encoding/json would quietly accept (invalid UTF-8, a repeated
// key, data after the value), are refused with 400 before anything is
// stored; honest non-ASCII text goes through untouched.
func TestJSONBodyHygiene(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.create(t, "queued")
	u := b.addUser(t, access.RoleUploader)
	post := func(body string) call {
		return call{method: http.MethodPost, path: "/api/v1/videos", key: userKey, body: body, contentType: "application/json", badRequest: true}
	}
	refused := map[string]call{
		"NUL":                  post(`{"title":"a\u0000b"}`),
		"escape sequence":      post(`{"title":"\u001b[31mred"}`),
		"newline":              post(`{"title":"two\nlines"}`),
		"DEL":                  post(`{"title":"a\u007f"}`),
		"C1 control":           post(`{"title":"a\u0085b"}`),
		"raw bidi override":    post("{\"title\":\"txt.\u202egnp.exe\"}"),
		"escaped bidi isolate": post(`{"title":"a\u2066b\u2069"}`),
		"line separator":       post(`{"title":"a\u2028b"}`),
		"invalid UTF-8":        post("{\"title\":\"caf\xe9\"}"),
		"lone surrogate":       post(`{"title":"a\ud800b"}`),
		"duplicate key":        post(`{"title":"shown","title":"stored"}`),
		"same key, other case": post(`{"title":"shown","Title":"stored"}`),
		"nested duplicate":     {method: http.MethodPatch, path: "/api/v1/videos/" + v.ID, key: userKey, contentType: "application/json", badRequest: true, body: `{"allowed_users":[],"allowed_users":["x"]}`},
		"trailing garbage":     post(`{"title":"a"} trailing`),
		"second value":         post(`{"title":"a"}{"title":"b"}`),
		"rename":               {method: http.MethodPatch, path: "/api/v1/videos/" + v.ID, key: userKey, contentType: "application/json", badRequest: true, body: `{"title":"a\u0000"}`},
		"key name":             u.as(call{method: http.MethodPost, path: "/api/v1/keys", contentType: "application/json", badRequest: true, body: `{"name":"k\u202e","scopes":["read"]}`}),
		"user name":            keyed(adminKey, call{method: http.MethodPatch, path: "/api/v1/users/" + u.ID, contentType: "application/json", badRequest: true, body: `{"name":"\u0007bell"}`}),
	}
	for name, c := range refused {
		resp, body := b.do(t, c)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s: %s", name, body)
		require.Equal(t, "invalid", errorCode(t, body), name)
	}
	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "queued", decode[struct{ Title string }](t, body).Title, "the refused rename changed nothing")
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos", key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, decode[struct{ Videos []video }](t, body).Videos, 1, "no refused body made a video")

	// Accents, emoji, right-to-left scripts and escaped quotes are text.
	const honest = "Été 🎬 عربي \"quoted\" — ok"
	resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/videos", key: userKey, contentType: "application/json",
		body: `{"title":"Été 🎬 عربي \"quoted\" \u2014 ok"}`})
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	require.Equal(t, honest, decode[struct{ Title string }](t, body).Title)
}
