package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
)

type principalCtx struct{}

// identity is who is making a request, and when (on the catalog's clock)
// that was read: a playback grant issued to a user takes its issue time
// from then, so a grant made for a user read just before they lost access
// is older than the change and refused with the rest.
type identity struct {
	p  access.Principal
	at time.Time
}

// principalOf returns who is making the request, as established by guard.
func principalOf(r *http.Request) access.Principal {
	id, _ := r.Context().Value(principalCtx{}).(identity)
	return id.p
}

// withIdentity is r carrying p, identified at at.
func withIdentity(r *http.Request, p access.Principal, at time.Time) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalCtx{}, identity{p: p, at: at}))
}

// grantTime is the issue time of playback grants for the caller, for a
// video (or prefix) read at readAt: readAt itself, or, for a signed-in user,
// the earlier time at which the user was read. It returns the user id the
// grants name ("" for anonymous callers and user-less keys).
func grantTime(r *http.Request, readAt time.Time) (string, time.Time) {
	id, _ := r.Context().Value(principalCtx{}).(identity)
	uid := id.p.UserID()
	if uid != "" && !id.at.IsZero() && id.at.Before(readAt) {
		return uid, id.at
	}
	return uid, readAt
}

// reidentify reads the caller again, at a fresh time: a handler that has
// just revoked older grants (an unsharing) hands out grants newer than that.
func (s *Server) reidentify(r *http.Request) (*http.Request, time.Time, error) {
	at := s.readNow()
	p, err := s.identify(r)
	if err != nil {
		return r, at, err
	}
	return withIdentity(r, p, at), at, nil
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
		if s.refuseUnknownHost(w, r) {
			return
		}
		at := s.readNow()
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
		next(w, withIdentity(r, p, at))
	})
}

// public serves the routes used before signing in (setup, sign-up, login).
// It reads no credentials, so a stale session cookie (one ended by logout
// elsewhere, a password change or expiry) or a missing CSRF token never
// keeps a browser from signing in again. Login CSRF is closed by decodeJSON.
func (s *Server) public(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.refuseUnknownHost(w, r) {
			return
		}
		next(w, withIdentity(r, access.Principal{}, time.Time{}))
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
