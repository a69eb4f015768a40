package api_test

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
)

// password is every test account's password.
const password = "correct horse battery"

// account is a signed-in browser: its session cookie and CSRF token.
type account struct {
	ID     string
	Email  string
	Role   access.Role
	cookie *http.Cookie
	csrf   string
}

// sessionBody is the answer of login, sign-up and GET /auth/session.
type sessionBody struct {
	User struct {
		ID       string      `json:"id"`
		Email    string      `json:"email"`
		Role     access.Role `json:"role"`
		Groups   []string    `json:"groups"`
		Disabled bool        `json:"disabled"`
	} `json:"user"`
	Scopes    []access.Scope `json:"scopes"`
	CSRFToken string         `json:"csrf_token"`
}

// jsonCall is a request with a JSON body.
func jsonCall(method, path, body string) call {
	return call{method: method, path: path, body: body, contentType: "application/json"}
}

// keyed is c sent with an API key.
func keyed(key string, c call) call {
	c.key = key
	return c
}

// as is c sent by u's browser: the session cookie and the CSRF token.
func (u *account) as(c call) call {
	c = u.cookieOnly(c)
	h := map[string]string{api.CSRFHeader: u.csrf}
	for k, v := range c.header {
		h[k] = v
	}
	c.header = h
	return c
}

// cookieOnly is c with u's session cookie and no CSRF token.
func (u *account) cookieOnly(c call) call {
	c.cookies = append(append([]*http.Cookie{}, c.cookies...), u.cookie)
	return c
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// sessionCookie is the session cookie set by resp under either name (the
// __Host- one over https).
func sessionCookie(resp *http.Response) *http.Cookie {
	if c := cookieNamed(resp, api.SecureSessionCookie); c != nil {
		return c
	}
	return cookieNamed(resp, api.SessionCookie)
}

func randomEmail(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b) + "@example.com"
}

// credentials is a login or sign-up body.
func credentials(email, pw string) string {
	b, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	return string(b)
}

// login signs email in and returns the browser's session.
func (b *bundle) login(t *testing.T, email, pw string) *account {
	t.Helper()
	resp, body := b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(email, pw)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return sessionOf(t, resp, body)
}

func sessionOf(t *testing.T, resp *http.Response, body []byte) *account {
	t.Helper()
	s := decode[sessionBody](t, body)
	c := sessionCookie(resp)
	require.NotNil(t, c, "no session cookie")
	require.NotEmpty(t, s.CSRFToken)
	return &account{ID: s.User.ID, Email: s.User.Email, Role: s.User.Role, cookie: c, csrf: s.CSRFToken}
}

// addUser has the admin key create an account, then signs it in.
func (b *bundle) addUser(t *testing.T, role access.Role, groups ...string) *account {
	t.Helper()
	email := randomEmail(string(role))
	req, _ := json.Marshal(map[string]any{"email": email, "password": password, "role": role, "groups": append([]string{}, groups...)})
	resp, body := b.do(t, keyed(adminKey, jsonCall(http.MethodPost, "/api/v1/users", string(req))))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	return b.login(t, email, password)
}

// requireRefused checks the status and error code of a refusal, that it
// sets no session, and that it shows none of secrets.
func requireRefused(t *testing.T, resp *http.Response, body []byte, status int, code string, secrets ...string) {
	t.Helper()
	require.Equal(t, status, resp.StatusCode, string(body))
	require.Equal(t, code, errorCode(t, body), string(body))
	if c := sessionCookie(resp); c != nil { // only ever the clearing of a dead one
		require.Empty(t, c.Value, "a refusal sets no session")
		require.Less(t, c.MaxAge, 0)
	}
	for _, s := range secrets {
		if s != "" {
			require.NotContains(t, string(body), s)
		}
	}
	require.NotContains(t, string(body), "argon2id")
	require.NotContains(t, string(body), "csrf_token")
}

func (b *bundle) userCount(t *testing.T) int {
	t.Helper()
	resp, body := b.do(t, keyed(adminKey, call{method: http.MethodGet, path: "/api/v1/users"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return len(decode[struct{ Users []map[string]any }](t, body).Users)
}

func TestSetupAndSignupModes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	signup := func(body string) (*http.Response, []byte) {
		return b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/signup", body))
	}
	setupInfo := func() map[string]any {
		resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/auth/setup"})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return decode[map[string]any](t, body)
	}
	require.Equal(t, map[string]any{"needs_setup": true, "signup": "closed", "session": false}, setupInfo())

	// Input is checked before anything else, also during setup.
	for name, body := range map[string]string{
		"bad email":          credentials("not an email", password),
		"display-name email": credentials("Eve <eve@example.com>", password),
		"short password":     credentials("admin@example.com", "short"),
		"long password":      credentials("admin@example.com", strings.Repeat("x", 257)),
	} {
		c := jsonCall(http.MethodPost, "/api/v1/auth/signup", body)
		c.badRequest = true // the schema knows the password bounds too
		resp, rb := b.do(t, c)
		requireRefused(t, resp, rb, http.StatusBadRequest, "invalid")
		require.True(t, setupInfo()["needs_setup"].(bool), name)
	}

	// The first account is the admin, whatever the sign-up mode.
	resp, body := signup(`{"email":"Admin@Example.com","password":"` + password + `","name":"Ada"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	admin := sessionOf(t, resp, body)
	require.Equal(t, access.RoleAdmin, admin.Role)
	require.Equal(t, "admin@example.com", admin.Email, "emails are stored lower-case")
	require.Equal(t, []access.Scope{"read", "upload", "admin"}, decode[sessionBody](t, body).Scopes)
	require.Equal(t, map[string]any{"needs_setup": false, "signup": "closed", "session": false}, setupInfo())

	// Closed: nobody else signs up.
	resp, body = signup(credentials("eve@example.com", password))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	require.Equal(t, 1, b.userCount(t))
	resp, body = signup(credentials("admin@example.com", password))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden", "admin@example.com")

	// Open: anyone, with the default role.
	resp, body = b.do(t, admin.as(jsonCall(http.MethodPut, "/api/v1/settings", `{"signup":"open","default_role":"uploader"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, map[string]any{"signup": "open", "default_role": "uploader"}, decode[map[string]any](t, body))
	resp, body = signup(credentials("up@example.com", password))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	require.Equal(t, access.RoleUploader, sessionOf(t, resp, body).Role)
	resp, body = signup(credentials("UP@example.com", password))
	requireRefused(t, resp, body, http.StatusConflict, "email_taken")

	// Invite-only: an invite is needed, gives its role and works once.
	resp, _ = b.do(t, admin.as(jsonCall(http.MethodPut, "/api/v1/settings", `{"signup":"invite"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = signup(credentials("nocode@example.com", password))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	resp, body = signup(`{"email":"forged@example.com","password":"` + password + `","invite":"made-up"}`)
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")

	resp, body = b.do(t, admin.as(jsonCall(http.MethodPost, "/api/v1/invites", `{"role":"admin","ttl_hours":1}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	invite := decode[struct{ Code, URL string }](t, body)
	require.Contains(t, invite.URL, "/signup?invite="+invite.Code)
	resp, body = signup(`{"email":"invited@example.com","password":"` + password + `","invite":"` + invite.Code + `"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	require.Equal(t, access.RoleAdmin, sessionOf(t, resp, body).Role, "the invite's role, not default_role")
	n := b.userCount(t)
	resp, body = signup(`{"email":"again@example.com","password":"` + password + `","invite":"` + invite.Code + `"}`)
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid", invite.Code)
	require.Equal(t, n, b.userCount(t), "a used invite makes no account")

	// A bad invite request and a failed sign-up use nothing up.
	c := admin.as(jsonCall(http.MethodPost, "/api/v1/invites", `{"role":"root"}`))
	c.badRequest = true
	resp, body = b.do(t, c)
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	resp, body = b.do(t, admin.as(jsonCall(http.MethodPost, "/api/v1/invites", `{}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	viewerInvite := decode[struct{ Code, Role string }](t, body)
	require.Equal(t, "viewer", viewerInvite.Role)
	resp, _ = signup(`{"email":"bad","password":"` + password + `","invite":"` + viewerInvite.Code + `"}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, body = signup(`{"email":"viewer@example.com","password":"` + password + `","invite":"` + viewerInvite.Code + `"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	require.Equal(t, access.RoleViewer, sessionOf(t, resp, body).Role)

	// Settings and invites are the admin's.
	viewer := sessionOf(t, resp, body)
	for _, c := range []call{
		viewer.as(jsonCall(http.MethodPut, "/api/v1/settings", `{"signup":"open","default_role":"admin"}`)),
		viewer.as(jsonCall(http.MethodPost, "/api/v1/invites", `{"role":"admin"}`)),
		viewer.as(call{method: http.MethodGet, path: "/api/v1/settings"}),
		viewer.as(call{method: http.MethodGet, path: "/api/v1/users"}),
		keyed(userKey, jsonCall(http.MethodPost, "/api/v1/invites", `{}`)),
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusForbidden, "forbidden", "admin@example.com")
	}
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/users"})
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", "admin@example.com")
	c = admin.as(jsonCall(http.MethodPut, "/api/v1/settings", `{"signup":"sometimes"}`))
	c.badRequest = true
	resp, body = b.do(t, c)
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	require.Equal(t, "invite", setupInfo()["signup"])
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleUploader)

	// Over plain http the cookie cannot be Secure (browsers would drop it).
	c := u.cookie
	require.Equal(t, "/", c.Path)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	require.False(t, c.Secure)
	require.Empty(t, c.Domain, "host-only")
	require.Greater(t, c.MaxAge, 0)
	require.GreaterOrEqual(t, len(c.Value), 40)
	require.NotContains(t, c.Value, u.csrf)

	require.Equal(t, api.SessionCookie, c.Name, "no __Host- prefix without Secure")

	// Over https it is, under the __Host- name (Secure, Path=/, no Domain).
	tlsCall := func(method, path, body string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, "https://tv.localhost"+path, strings.NewReader(body)) // a local name: no public URL is set
		req.Header.Set("Content-Type", "application/json")
		req.TLS = &tls.ConnectionState{}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		b.srv.Config.Handler.ServeHTTP(rec, req)
		return rec
	}
	rec := tlsCall(http.MethodPost, "/api/v1/auth/login", credentials(u.Email, password))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	tlsResp := &http.Response{Header: rec.Header()}
	require.Nil(t, cookieNamed(tlsResp, api.SessionCookie))
	c = cookieNamed(tlsResp, api.SecureSessionCookie)
	require.NotNil(t, c)
	require.Equal(t, "__Host-kinema_session", c.Name)
	require.True(t, c.Secure)
	require.True(t, c.HttpOnly)
	require.Equal(t, "/", c.Path)
	require.Empty(t, c.Domain)
	require.Regexp(t, `^__Host-kinema_session=[^;]+; Path=/; Max-Age=\d+; HttpOnly; Secure; SameSite=Lax$`, rec.Header().Get("Set-Cookie"))

	// Each mode reads only its own name: the same session id under the
	// other name is ignored.
	rec = tlsCall(http.MethodGet, "/api/v1/auth/session", "", c)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = tlsCall(http.MethodGet, "/api/v1/auth/session", "", &http.Cookie{Name: api.SessionCookie, Value: c.Value})
	require.Equal(t, http.StatusUnauthorized, rec.Code, "a plain-named cookie over https: %s", rec.Body.String())
	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/auth/session",
		cookies: []*http.Cookie{{Name: api.SecureSessionCookie, Value: c.Value}}})
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", u.Email)
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/auth/session",
		cookies: []*http.Cookie{{Name: api.SecureSessionCookie, Value: u.cookie.Value}}})
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", u.Email)
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos",
		cookies: []*http.Cookie{{Name: api.SecureSessionCookie, Value: u.cookie.Value}}})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Nil(t, sessionCookie(resp), "an ignored cookie is not even cleared")

	// The session shows who is signed in and the same CSRF token.
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	s := decode[sessionBody](t, body)
	require.Equal(t, u.ID, s.User.ID)
	require.Equal(t, u.csrf, s.CSRFToken)
	require.Equal(t, []access.Scope{"read", "upload"}, s.Scopes)
	require.NotContains(t, string(body), "argon2id")
	// An API key has no session to show.
	resp, body = b.do(t, keyed(userKey, call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")

	// Logout ends the session on the server: the old cookie is worthless.
	old := u.cookie
	resp, body = b.do(t, u.as(call{method: http.MethodPost, path: "/api/v1/auth/logout"}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	cleared := cookieNamed(resp, api.SessionCookie)
	require.NotNil(t, cleared)
	require.Empty(t, cleared.Value)
	require.Less(t, cleared.MaxAge, 0)
	for _, c := range []call{
		{method: http.MethodGet, path: "/api/v1/auth/session"},
		{method: http.MethodGet, path: "/api/v1/keys"},
	} {
		c.cookies = []*http.Cookie{old}
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", u.Email)
	}
	// Where anonymous callers are welcome, the dead cookie is cleared (the
	// page cannot clear an HttpOnly cookie) and the browser is anonymous.
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos", cookies: []*http.Cookie{old}})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.NotContains(t, string(body), u.Email)
	if c := cookieNamed(resp, api.SessionCookie); assert.NotNil(t, c) {
		require.Empty(t, c.Value)
		require.Less(t, c.MaxAge, 0)
	}
	resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/auth/logout", cookies: []*http.Cookie{old}})
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "signing out twice is fine: %s", body)
	resp, body = b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"after logout"}`)))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")

	// A browser still holding the dead cookie can sign in again.
	resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/auth/login", body: credentials(u.Email, password),
		contentType: "application/json", cookies: []*http.Cookie{old}})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	again := sessionOf(t, resp, body)
	require.NotEqual(t, old.Value, again.cookie.Value, "a new session id")
	require.NotEqual(t, u.csrf, again.csrf)
	// And a signed-in browser can sign in without a CSRF token (login
	// CSRF is stopped by the JSON content type instead).
	resp, body = b.do(t, again.cookieOnly(jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(u.Email, password))))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
}

func TestSecureCookieBehindHTTPSPublicURL(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(s *api.Server) { s.PublicURL = "https://tv.example" })
	u := b.addUser(t, access.RoleViewer)
	require.Equal(t, api.SecureSessionCookie, u.cookie.Name)
	require.True(t, u.cookie.Secure)
	require.Equal(t, "/", u.cookie.Path)
	require.Empty(t, u.cookie.Domain)
	// Behind a TLS-terminating proxy the request is plain http, and the
	// __Host- cookie is still the one read.
	resp, body := b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/auth/session",
		cookies: []*http.Cookie{{Name: api.SessionCookie, Value: u.cookie.Value}}})
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", u.Email)
	resp, _ = b.do(t, u.as(call{method: http.MethodPost, path: "/api/v1/auth/logout"}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	cleared := cookieNamed(resp, api.SecureSessionCookie)
	require.NotNil(t, cleared)
	require.True(t, cleared.Secure)
	require.Less(t, cleared.MaxAge, 0)
}

func TestDisabledUserIsShutOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleUploader)
	resp, body := b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"cli","scopes":["read","upload"]}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	key := decode[struct{ Secret string }](t, body).Secret

	resp, body = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"disabled":true}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.True(t, decode[struct{ Disabled bool }](t, body).Disabled)

	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", u.Email)
	resp, body = b.do(t, keyed(key, call{method: http.MethodGet, path: "/api/v1/videos"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
	resp, body = b.do(t, keyed(key, jsonCall(http.MethodPost, "/api/v1/videos", `{}`)))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
	// The right password does not sign a disabled account in, and the
	// answer is the same as for a wrong one.
	resp, body = b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(u.Email, password)))
	requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials", u.ID)

	resp, _ = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"disabled":false}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = b.do(t, keyed(key, call{method: http.MethodGet, path: "/api/v1/videos"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "enabling again revives the keys")
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized") // ended sessions stay ended
	b.login(t, u.Email, password)
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleViewer)
	other := b.login(t, u.Email, password) // a second browser
	const newPassword = "a much better passphrase"

	for _, tc := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"current_password":"wrong password!","new_password":"` + newPassword + `"}`, 403, "wrong_credentials"},
		{`{"current_password":"` + password + `","new_password":"short"}`, 400, "invalid"},
	} {
		c := u.as(jsonCall(http.MethodPost, "/api/v1/auth/password", tc.body))
		c.badRequest = tc.status == 400
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, tc.status, tc.code, password)
	}
	resp, body := b.do(t, other.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "failed changes end nothing: %s", body)

	resp, body = b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/auth/password",
		`{"current_password":"`+password+`","new_password":"`+newPassword+`"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	fresh := sessionOf(t, resp, body)
	require.NotEqual(t, u.cookie.Value, fresh.cookie.Value)

	for _, a := range []*account{other, u} {
		resp, body := b.do(t, a.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
		requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
	}
	resp, _ = b.do(t, fresh.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "the browser that changed it stays signed in")

	resp, body = b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(u.Email, password)))
	requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials")
	b.login(t, u.Email, newPassword)

	// A user-less key has no password to change.
	resp, body = b.do(t, keyed(userKey, jsonCall(http.MethodPost, "/api/v1/auth/password",
		`{"current_password":"`+password+`","new_password":"`+newPassword+`"}`)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
}

// TestCSRF: a cookie-authenticated write needs the session's own CSRF
// token, and a refused one changes nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)

	resp, body := b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"kept"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	v := decode[video](t, body)
	resp, body = b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"cli","scopes":["read","upload"]}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	k := decode[struct {
		Key    struct{ ID string }
		Secret string
	}](t, body)

	writes := []call{
		jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"forged"}`),
		jsonCall(http.MethodPatch, "/api/v1/videos/"+v.ID, `{"title":"forged"}`),
		{method: http.MethodDelete, path: "/api/v1/videos/" + v.ID},
		jsonCall(http.MethodPost, "/api/v1/keys", `{"name":"forged","scopes":["read"]}`),
		{method: http.MethodDelete, path: "/api/v1/keys/" + k.Key.ID},
		jsonCall(http.MethodPost, "/api/v1/auth/password", `{"current_password":"`+password+`","new_password":"forged password!"}`),
		{method: http.MethodPost, path: "/api/v1/auth/logout"},
		jsonCall(http.MethodPost, "/api/v1/live", `{"title":"forged"}`),
		{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/playback-cookie"},
	}
	for _, token := range []string{"", "wrong", other.csrf, u.csrf + "x", strings.ToUpper(u.csrf)} {
		for _, c := range writes {
			c = u.cookieOnly(c)
			if token != "" {
				c.header = map[string]string{api.CSRFHeader: token}
			}
			resp, body := b.do(t, c)
			requireRefused(t, resp, body, http.StatusForbidden, "csrf", u.csrf, v.ID)
		}
	}
	// Nothing changed.
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos?mine=1"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "reads need no token")
	list := decode[struct{ Videos []map[string]any }](t, body).Videos
	require.Len(t, list, 1)
	require.Equal(t, "kept", list[0]["title"])
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/keys"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, decode[struct{ Keys []map[string]any }](t, body).Keys, 1)
	require.Nil(t, decode[struct{ Keys []map[string]any }](t, body).Keys[0]["revoked_at"])
	resp, _ = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "still signed in, password unchanged")
	resp, _ = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// With the right token the same writes work.
	resp, body = b.do(t, u.as(jsonCall(http.MethodPatch, "/api/v1/videos/"+v.ID, `{"title":"renamed"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Contains(t, string(body), `"title":"renamed"`)
	// A bearer key needs no token, even next to a session cookie.
	resp, body = b.do(t, keyed(k.Secret, jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"by key"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	resp, body = b.do(t, u.cookieOnly(keyed(k.Secret, call{method: http.MethodDelete, path: "/api/v1/videos/" + v.ID})))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))

	// Login takes JSON only, so a cross-site HTML form cannot post it.
	for _, ct := range []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", ""} {
		resp, body := b.do(t, call{method: http.MethodPost, path: "/api/v1/auth/login", contentType: ct,
			body: "email=" + u.Email + "&password=" + strings.ReplaceAll(password, " ", "+"), badRequest: true})
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid", u.ID)
		resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/auth/login", contentType: ct,
			body: credentials(u.Email, password), badRequest: true})
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid", u.ID)
	}

	resp, _ = b.do(t, u.as(call{method: http.MethodPost, path: "/api/v1/auth/logout"}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}

// fromAddr is c sent from the client address addr (see withClientHeader).
func fromAddr(addr string, c call) call {
	h := map[string]string{clientHeader: addr}
	for k, v := range c.header {
		h[k] = v
	}
	c.header = h
	return c
}

// clientHeader lets a test pick the address a request comes from.
const clientHeader = "X-Test-Client"

func withClientHeader(s *api.Server) {
	s.ClientIPFunc = func(r *http.Request) netip.Addr {
		a, _ := netip.ParseAddr(r.Header.Get(clientHeader))
		return a
	}
}

// TestLoginLockout: wrong passwords lock one email from one address.
// Unknown emails lock exactly like known ones, and the owner still signs in
// from elsewhere.
func TestLoginLockout(t *testing.T) {
	t.Parallel()
	b := setupWith(t, withClientHeader)
	u := b.addUser(t, access.RoleViewer)
	bystander := b.addUser(t, access.RoleViewer)
	const attacker, home, office = "203.0.113.7", "198.51.100.20", "2001:db8:aa:bb::1"

	login := func(addr, email, pw string) (*http.Response, []byte) {
		return b.do(t, fromAddr(addr, jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(email, pw))))
	}
	r1, wrongPassword := login(attacker, u.Email, "not the password")
	r2, wrongEmail := login(attacker, "nobody@example.com", "not the password")
	require.Equal(t, r1.StatusCode, r2.StatusCode)
	require.Equal(t, string(wrongPassword), string(wrongEmail))
	require.Equal(t, r1.Header.Get("Content-Type"), r2.Header.Get("Content-Type"))
	requireRefused(t, r1, wrongPassword, http.StatusUnauthorized, "wrong_credentials", u.ID, u.Email)

	require.NotContains(t, string(wrongPassword), "left", "no warning after one wrong password")
	// Five wrong passwords in all, for both emails; the last two before the
	// lock warn of it and the fifth says it began, the same for the known
	// and the unknown email.
	warnings := map[int]string{
		2: "",
		3: "Wrong email or password. 2 attempts left before sign-in for this email from your address is locked for 15 minutes.",
		4: "Wrong email or password. 1 attempt left before sign-in for this email from your address is locked for 15 minutes.",
		5: "Wrong email or password. Sign-in for this email from your address is now locked for 15 minutes.",
	}
	for n := 2; n <= 5; n++ {
		var bodies []string
		for _, email := range []string{u.Email, "nobody@example.com"} {
			resp, body := login(attacker, email, "not the password")
			requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials")
			bodies = append(bodies, string(body))
		}
		require.Equal(t, bodies[0], bodies[1], "failure %d: the warning says nothing about whether the email exists", n)
		if warnings[n] == "" {
			require.NotContains(t, bodies[0], "left", n)
		} else {
			require.Contains(t, bodies[0], warnings[n])
		}
	}
	// Locked: the known and the unknown email answer byte for byte alike,
	// and even the right password is refused, with a wait.
	var answers []string
	for _, email := range []string{u.Email, "nobody@example.com", u.Email} {
		pw := "not the password"
		if len(answers) == 2 {
			pw = password
		}
		resp, body := login(attacker, email, pw)
		requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited", u.ID, u.Email)
		wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.Greater(t, wait, 5*60)
		require.LessOrEqual(t, wait, 15*60+1)
		answers = append(answers, resp.Status+" "+resp.Header.Get("Content-Type")+" "+string(body))
	}
	require.Equal(t, answers[0], answers[1], "a lock says nothing about whether the email exists")
	require.Equal(t, answers[0], answers[2])

	// The lock is the pair's: the owner signs in from elsewhere, others
	// sign in from the attacker's address, and a live session goes on.
	resp, body := login(home, u.Email, password)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = login(attacker, bystander.Email, password)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, _ = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// A success clears its own address's count: four failures, a success,
	// four more failures and the owner is still not locked.
	for range 2 {
		for range 4 {
			resp, body := login(office, u.Email, "not the password")
			requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials")
		}
		resp, body := login(office, u.Email, password)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	}

	// An admin's edit of the account does not lift the lock; a new
	// password set by the admin lifts it from every address.
	resp, _ = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"name":"still locked"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = login(attacker, u.Email, password)
	requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited")
	const newPassword = "a brand new passphrase"
	resp, _ = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"password":"`+newPassword+`"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = login(attacker, u.Email, newPassword)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = login(attacker, "nobody@example.com", "not the password")
	requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited")
}

// TestLoginRateLimitPerAddress: one address gets only so many attempts,
// across accounts and sign-ups.
func TestLoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(s *api.Server) { s.LoginLimiter = api.NewLoginLimiter(time.Hour, 3) })
	// Accounts made by the admin do not count against the limit.
	u := b.addUser(t, access.RoleViewer) // one login
	v := b.addUser(t, access.RoleViewer) // two

	resp, body := b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(u.Email, "guess one two")))
	requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials")
	for _, c := range []call{
		jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(v.Email, password)),
		jsonCall(http.MethodPost, "/api/v1/auth/login", credentials("nobody@example.com", "guess one two")),
		jsonCall(http.MethodPost, "/api/v1/auth/signup", credentials("new@example.com", password)),
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited", v.ID)
		wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.Greater(t, wait, 30*60)
	}
	// Signed-in work is not limited.
	resp, _ = b.do(t, v.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestAdminsManageUsers covers the user routes and the last-admin rule.
func TestAdminsManageUsers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.addUser(t, access.RoleAdmin)
	u := b.addUser(t, access.RoleViewer)

	resp, body := b.do(t, admin.cookieOnly(call{method: http.MethodGet, path: "/api/v1/users"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotContains(t, string(body), "argon2id")
	require.NotContains(t, string(body), "password")
	require.Len(t, decode[struct{ Users []map[string]any }](t, body).Users, 2)

	resp, body = b.do(t, admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"role":"uploader","groups":["team","ops"]}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s := decode[sessionBody](t, body)
	require.Equal(t, access.RoleUploader, s.User.Role, "a role change applies to live sessions")
	require.Equal(t, []string{"team", "ops"}, s.User.Groups)
	require.Equal(t, []access.Scope{"read", "upload"}, s.Scopes)

	for _, c := range []call{
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"role":"root"}`)),
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"groups":["Bad Group"]}`)),
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"email":"new@example.com"}`)),
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"password":"short"}`)),
		admin.as(jsonCall(http.MethodPost, "/api/v1/users", `{"email":"x@example.com","password":"`+password+`","role":"root"}`)),
		// The only admin cannot step down, be disabled or be removed.
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+admin.ID, `{"role":"viewer"}`)),
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/"+admin.ID, `{"disabled":true}`)),
		admin.as(call{method: http.MethodDelete, path: "/api/v1/users/" + admin.ID}),
	} {
		c.badRequest = true
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	}
	resp, body = b.do(t, admin.as(jsonCall(http.MethodPost, "/api/v1/users", `{"email":"`+u.Email+`","password":"`+password+`"}`)))
	requireRefused(t, resp, body, http.StatusConflict, "email_taken")
	for _, c := range []call{
		admin.as(jsonCall(http.MethodPatch, "/api/v1/users/usr_0000", `{"name":"x"}`)),
		admin.as(call{method: http.MethodDelete, path: "/api/v1/users/usr_0000"}),
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusNotFound, "not_found")
	}
	// Nobody else manages accounts, not even for themselves.
	resp, body = b.do(t, u.as(jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"role":"admin"}`)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")

	resp, body = b.do(t, admin.as(call{method: http.MethodDelete, path: "/api/v1/users/" + u.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	resp, body = b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/auth/session"}))
	requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized")
}

// TestSignupClosedByDefault: a server configured without a sign-up mode
// is closed, not in some unnamed state.
func TestSignupClosedByDefault(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(s *api.Server) { s.DefaultSignup = "" })
	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/auth/setup"})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, map[string]any{"needs_setup": true, "signup": "closed", "session": false}, decode[map[string]any](t, body))
	resp, body = b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/signup", credentials("first@example.com", password)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	resp, body = b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/signup", credentials("second@example.com", password)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
}

// TestNoWebSetupOverExistingVideos: a server upgraded from API keys alone
// has videos but no accounts; nobody may claim it over the web.
func TestNoWebSetupOverExistingVideos(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resp, body := b.do(t, keyed(adminKey, jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"from before accounts"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))

	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/auth/setup"})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, false, decode[map[string]any](t, body)["needs_setup"])
	resp, body = b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/signup", credentials("mallory@example.com", password)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden", "from before accounts")
}

// TestSetupSaysSession: GET /auth/setup tells whether the browser holds a
// live session, so a signed-out page load asks nothing that fails.
func TestSetupSaysSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.addUser(t, access.RoleViewer)
	session := func(c call) any {
		c.method, c.path = http.MethodGet, "/api/v1/auth/setup"
		resp, body := b.do(t, c)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return decode[map[string]any](t, body)["session"]
	}
	require.Equal(t, false, session(call{}))
	require.Equal(t, true, session(u.cookieOnly(call{})))
	resp, _ := b.do(t, u.cookieOnly(call{method: http.MethodPost, path: "/api/v1/auth/logout", header: map[string]string{"X-CSRF-Token": u.csrf}}))
	require.Less(t, resp.StatusCode, 300)
	require.Equal(t, false, session(u.cookieOnly(call{})), "a session that ended")
}
