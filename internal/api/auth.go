package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
)

type principalCtx struct{}

// principalOf returns who is making the request, as established by guard.
func principalOf(r *http.Request) access.Principal {
	p, _ := r.Context().Value(principalCtx{}).(access.Principal)
	return p
}

// errCSRF is a cookie-authenticated write without the session's CSRF token.
var errCSRF = errors.New("missing or wrong CSRF token")

// errStaleSession is a session cookie the server no longer knows (signed
// out elsewhere, expired, password changed, user disabled).
var errStaleSession = errors.New("session ended")

// guard identifies the caller and requires scope ("" lets anonymous callers
// through). A wrong API key is refused rather than treated as anonymous, so
// a script never silently sees less than it asked for. A stale session
// cookie is cleared and the browser continues as anonymous: the cookie is
// HttpOnly, so the page could not remove it by itself.
func (s *Server) guard(scope access.Scope, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.identify(r)
		if errors.Is(err, errStaleSession) {
			http.SetCookie(w, s.sessionCookie(r, "", -1))
			p, err = access.Principal{}, nil
		}
		switch {
		case err != nil:
			writeError(w, s.Log, err)
			return
		case scope != "" && p.Anonymous():
			writeError(w, s.Log, media.ErrUnauthorized)
			return
		case scope != "" && !p.Has(scope):
			writeError(w, s.Log, media.ErrForbidden)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalCtx{}, p)))
	})
}

// public serves the routes used before signing in (setup, sign-up, login).
// It reads no credentials, so a stale session cookie (one ended by logout
// elsewhere, a password change or expiry) or a missing CSRF token never
// keeps a browser from signing in again. Login CSRF is closed by decodeJSON.
func (s *Server) public(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next(w, r.WithContext(context.WithValue(r.Context(), principalCtx{}, access.Principal{})))
	})
}

// identify reads an API key (Authorization: Bearer) or a session cookie.
// A bearer key wins: browsers never attach one by themselves, so requests
// carrying it need no CSRF check.
func (s *Server) identify(r *http.Request) (access.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		raw, ok := strings.CutPrefix(h, "Bearer ")
		raw = strings.TrimSpace(raw)
		if !ok || raw == "" || len(raw) > 256 {
			return access.Principal{}, media.ErrUnauthorized
		}
		return s.keyPrincipal(r.Context(), raw)
	}
	c, err := s.readSessionCookie(r)
	if err != nil || c.Value == "" {
		return access.Principal{}, nil
	}
	sess, u, err := s.Catalog.SessionUser(r.Context(), auth.HashAPIKey(c.Value), s.sessionTTL())
	if errors.Is(err, media.ErrUnauthorized) {
		return access.Principal{}, errStaleSession
	}
	if err != nil {
		return access.Principal{}, err
	}
	if !safeMethod(r.Method) && !auth.ConstantTimeEqual(r.Header.Get(CSRFHeader), sess.CSRFToken) {
		return access.Principal{}, errCSRF
	}
	return u.Principal(), nil
}

// keyPrincipal looks a key up by its SHA-256, so the secret itself is never
// compared or stored. A user's key never exceeds what the user's role
// allows today.
func (s *Server) keyPrincipal(ctx context.Context, raw string) (access.Principal, error) {
	key, err := s.Catalog.APIKeyByHash(ctx, auth.HashAPIKey(raw))
	if err != nil {
		return access.Principal{}, err
	}
	_ = s.Catalog.TouchAPIKey(ctx, key)
	if key.UserID == "" {
		role := access.RoleUploader
		if (access.Principal{Scopes: key.Scopes}).Admin() {
			role = access.RoleAdmin
		}
		return access.Principal{ID: key.ID, Role: role, Scopes: key.Scopes, KeyID: key.ID}, nil
	}
	u, err := s.Catalog.User(ctx, key.UserID)
	if err != nil || u.Disabled {
		return access.Principal{}, media.ErrUnauthorized
	}
	p := u.Principal()
	p.Session, p.KeyID = false, key.ID
	p.Scopes = access.Intersect(key.Scopes, p.Scopes)
	return p, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
