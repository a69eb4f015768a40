package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// SessionCookie holds a browser's session id over plain http, and
// SecureSessionCookie over https: the __Host- prefix makes browsers accept
// it only if Secure, host-only and for Path=/, so neither a sibling
// subdomain nor a plain-http page can plant or overwrite it. Each mode
// reads only its own name. CSRFHeader must echo the session's CSRF token
// on every cookie-authenticated write.
const (
	SessionCookie       = "kinema_session"
	SecureSessionCookie = "__Host-kinema_session"
	CSRFHeader          = "X-CSRF-Token"
)

// Login lockout: this many wrong passwords in a row for one email from one
// client address lock that pair for lockFor, doubling with each further
// failure.
const (
	lockAfter = 5
	lockFor   = 15 * time.Minute
)

// warnAt: the wrong-password answer warns of the lock from this many
// attempts left.
const warnAt = 2

// lockWarning is what a wrong password's answer adds after fails wrong
// passwords in a row for the (email, address) pair: the attempts left
// before the lock, or the lock that just began. Pairs are counted whether
// or not the email has an account, so this says nothing about which do.
func lockWarning(fails int) string {
	switch left := lockAfter - fails; {
	case fails <= 0 || left > warnAt:
		return ""
	case left > 0:
		return fmt.Sprintf(" %d attempt%s left before sign-in for this email from your address is locked for %s.",
			left, map[bool]string{true: "", false: "s"}[left == 1], lockText(lockFor))
	default:
		return fmt.Sprintf(" Sign-in for this email from your address is now locked for %s.", lockText(lockFor<<min(fails-lockAfter, 10)))
	}
}

// lockText says a lock's length in minutes, hours or days.
func lockText(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch day := 24 * time.Hour; {
	case d >= 2*day || (d >= day && d%day == 0):
		return plural(int64(d/day), "day")
	case d >= 2*time.Hour || (d >= time.Hour && d%time.Hour == 0):
		return plural(int64(d/time.Hour), "hour")
	default:
		return plural(int64(d/time.Minute), "minute")
	}
}

// Sign-up modes, an admin setting.
const (
	SignupOpen   = "open"
	SignupInvite = "invite"
	SignupClosed = "closed"
)

func (s *Server) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return 14 * 24 * time.Hour
}

// sessionView is what login, sign-up and GET /auth/session answer.
type sessionView struct {
	User      access.User    `json:"user"`
	Scopes    []access.Scope `json:"scopes"`
	CSRFToken string         `json:"csrf_token"`
}

type credentialsRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Invite   string `json:"invite"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req credentialsRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if wait := s.loginLimiter().allow(s.clientKey(r), s.Now()); wait > 0 {
		tooMany(w, wait, "Too many sign-in attempts from your address. Try again later.")
		return
	}
	// Failures count per (email, client address), known email or not, so
	// a lock says nothing about which emails have accounts, and a guesser
	// elsewhere cannot lock the owner out. Every refusal below burns the
	// same argon2 time.
	ctx, email, client := r.Context(), strings.TrimSpace(req.Email), s.clientKey(r)
	until, err := s.Catalog.LoginLockedUntil(ctx, email, client)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	// A locked pair is refused even with the right password, so a guess
	// made during the lock learns nothing.
	if until != nil && s.Now().Before(*until) {
		auth.BurnPasswordCheck(req.Password)
		tooMany(w, until.Sub(s.Now()), "Too many wrong passwords for this email from your address. Try again later.")
		return
	}
	cr, err := s.Catalog.CredentialsByEmail(ctx, email)
	known := err == nil
	if err != nil && !errors.Is(err, media.ErrNotFound) {
		writeError(w, s.Log, err)
		return
	}
	if !known {
		auth.BurnPasswordCheck(req.Password)
	}
	if !known || !auth.CheckPassword(cr.PasswordHash, req.Password) || cr.User.Disabled {
		fails, err := s.Catalog.LoginFailed(ctx, email, client, lockAfter, lockFor)
		if err != nil {
			s.Log.Error("record failed login", "err", err)
		}
		s.Log.Warn("failed login", "user", cr.User.ID, "ip", client)
		writeCode(w, http.StatusUnauthorized, "wrong_credentials", "Wrong email or password."+lockWarning(fails))
		return
	}
	if err := s.Catalog.LoginSucceeded(ctx, cr.User.ID, email, client); err != nil {
		writeError(w, s.Log, err)
		return
	}
	// A new login never keeps a session id the browser already held (one
	// planted by someone else, say).
	if c, err := s.readSessionCookie(r); err == nil {
		_ = s.Catalog.DeleteSession(ctx, auth.HashAPIKey(c.Value))
	}
	s.startSession(w, r, http.StatusOK, cr.User)
}

// startSession creates a session for u, sets its cookie and answers with
// the session view.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, status int, u access.User) {
	id, csrf := auth.NewSecret(32), auth.NewSecret(24)
	exp := s.Now().Add(s.sessionTTL())
	if err := s.Catalog.CreateSession(r.Context(), auth.HashAPIKey(id), catalog.Session{UserID: u.ID, CSRFToken: csrf, ExpiresAt: exp}); err != nil {
		writeError(w, s.Log, err)
		return
	}
	http.SetCookie(w, s.sessionCookie(r, id, int(s.sessionTTL().Seconds())))
	writeJSON(w, status, sessionView{User: u, Scopes: access.RoleScopes(u.Role), CSRFToken: csrf})
}

// sessionCookie is HttpOnly (scripts never read it), SameSite=Lax (other
// sites' forms do not carry it) and Secure, under the __Host- name,
// whenever we are served over https.
func (s *Server) sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: s.sessionCookieName(r), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r),
	}
}

// secureCookies: the browser reaches us over https, directly or through a
// proxy that terminates TLS for an https PublicURL.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.PublicURL, "https:")
}

func (s *Server) sessionCookieName(r *http.Request) string {
	if s.secureCookies(r) {
		return SecureSessionCookie
	}
	return SessionCookie
}

// readSessionCookie returns the session cookie of this mode. One under the
// other name is ignored: over https a plain-named cookie may have been
// planted by a sibling subdomain or over http.
func (s *Server) readSessionCookie(r *http.Request) (*http.Cookie, error) {
	return r.Cookie(s.sessionCookieName(r))
}

// logout ends the browser's session, if it still has one, and clears the
// cookie either way. A live session needs its CSRF token, so other sites
// cannot sign people out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := s.readSessionCookie(r); err == nil {
		h := auth.HashAPIKey(c.Value)
		sess, _, err := s.Catalog.SessionUser(r.Context(), h, s.sessionTTL())
		if err == nil && !auth.ConstantTimeEqual(r.Header.Get(CSRFHeader), sess.CSRFToken) {
			writeError(w, s.Log, errCSRF)
			return
		}
		if err := s.Catalog.DeleteSession(r.Context(), h); err != nil {
			writeError(w, s.Log, err)
			return
		}
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// session answers who is signed in, with a CSRF token for the UI after a
// reload.
func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	c, err := s.readSessionCookie(r)
	if !p.Session || err != nil {
		writeError(w, s.Log, media.ErrUnauthorized)
		return
	}
	sess, u, err := s.Catalog.SessionUser(r.Context(), auth.HashAPIKey(c.Value), s.sessionTTL())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	// The UI asks this on every load: renew the cookie's lifetime along
	// with the session's sliding expiry.
	http.SetCookie(w, s.sessionCookie(r, c.Value, int(s.sessionTTL().Seconds())))
	writeJSON(w, http.StatusOK, sessionView{User: u, Scopes: p.Scopes, CSRFToken: sess.CSRFToken})
}

// setupInfo tells the UI, before anyone signs in, whether the first account
// is still to be made and how sign-up works.
func (s *Server) setupInfo(w http.ResponseWriter, r *http.Request) {
	setup, err := s.needsSetup(r.Context())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	mode, err := s.signupMode(r.Context())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"needs_setup": setup, "signup": mode, "session": s.hasSession(r)})
}

// hasSession reports whether r carries the cookie of a live session, so the
// UI asks GET /auth/session only then: a signed-out page load makes no
// request that fails (browsers log a 401 in the console).
func (s *Server) hasSession(r *http.Request) bool {
	c, err := s.readSessionCookie(r)
	if err != nil || c.Value == "" {
		return false
	}
	_, _, err = s.Catalog.SessionUser(r.Context(), auth.HashAPIKey(c.Value), s.sessionTTL())
	return err == nil
}

// needsSetup: the first sign-up may make itself admin only on a fresh
// install, with no accounts and no videos. A server upgraded from API keys
// alone has videos, so nobody can claim it over the web; its first account
// comes from `kinema user create`.
func (s *Server) needsSetup(ctx context.Context) (bool, error) {
	n, err := s.Catalog.CountUsers(ctx, "")
	if err != nil || n > 0 {
		return false, err
	}
	videos, err := s.Catalog.CountVideos(ctx)
	return videos == 0, err
}

func (s *Server) signupMode(ctx context.Context) (string, error) {
	def := s.DefaultSignup
	if def == "" {
		def = SignupClosed
	}
	return s.Catalog.Setting(ctx, "signup", def)
}

// signup creates an account. The very first account is the admin (setup);
// after that the admin's sign-up mode decides: open, invite-only or closed.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	var req credentialsRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if wait := s.loginLimiter().allow(s.clientKey(r), s.Now()); wait > 0 {
		tooMany(w, wait, "Too many attempts from your address. Try again later.")
		return
	}
	// Validate, then decide the role, and only then pay for the hash: a
	// closed server does no argon2 work for strangers.
	if _, err := checkNewUser(req.Email, req.Name, req.Password); err != nil {
		writeError(w, s.Log, err)
		return
	}
	// Sign-up says whether an email is taken (see docs/security.md), so it
	// shares login's lock: a pair locked by wrong passwords learns nothing
	// here either, and each "taken" answer counts like a wrong password.
	ctx, email, client := r.Context(), strings.TrimSpace(req.Email), s.clientKey(r)
	until, err := s.Catalog.LoginLockedUntil(ctx, email, client)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if until != nil && s.Now().Before(*until) {
		tooMany(w, until.Sub(s.Now()), "Too many attempts for this email from your address. Try again later.")
		return
	}
	role, inviteHash, err := s.signupRole(ctx, req.Invite)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	nu, err := newUserFromRequest(req.Email, req.Name, req.Password)
	nu.Role = role
	var u access.User
	ok, taken := err == nil, false
	if ok {
		u, ok, taken = s.insertUser(w, r, nu)
	} else {
		writeError(w, s.Log, err)
	}
	if taken {
		if _, err := s.Catalog.LoginFailed(ctx, email, client, lockAfter, lockFor); err != nil {
			s.Log.Error("record sign-up for a taken email", "err", err)
		}
	}
	if !ok {
		if role == access.RoleAdmin && inviteHash == "" {
			_ = s.Catalog.ReleaseSetup(ctx) // let the next attempt set up
		}
		return
	}
	if inviteHash != "" {
		if err := s.Catalog.UseInvite(ctx, inviteHash, u.ID); err != nil { // raced with another sign-up
			_ = s.Catalog.DeleteUser(ctx, u.ID)
			writeError(w, s.Log, err)
			return
		}
	}
	s.Log.Info("user signed up", "user", u.ID, "role", u.Role)
	s.startSession(w, r, http.StatusCreated, u)
}

// signupRole decides the new account's role, or refuses.
func (s *Server) signupRole(ctx context.Context, invite string) (access.Role, string, error) {
	setup, err := s.needsSetup(ctx)
	if err != nil {
		return "", "", err
	}
	if setup {
		first, err := s.Catalog.ClaimSetup(ctx)
		if err != nil {
			return "", "", err
		}
		if first {
			return access.RoleAdmin, "", nil
		}
	}
	if invite != "" {
		h := auth.HashAPIKey(invite)
		role, err := s.Catalog.InviteRole(ctx, h)
		if err != nil {
			return "", "", media.Inputf("This invite is not valid: it may have been used or have expired.")
		}
		return role, h, nil
	}
	mode, err := s.signupMode(ctx)
	if err != nil {
		return "", "", err
	}
	if mode != SignupOpen {
		return "", "", fmt.Errorf("sign-up is %s: %w", mode, media.ErrForbidden)
	}
	role, err := s.Catalog.Setting(ctx, "default_role", string(access.RoleViewer))
	return access.Role(role), "", err
}

// newUserFromRequest validates what a person typed and hashes the password.
func newUserFromRequest(email, name, password string) (catalog.NewUser, error) {
	nu, err := checkNewUser(email, name, password)
	if err != nil {
		return nu, err
	}
	nu.PasswordHash, err = auth.HashPassword(password)
	return nu, err
}

// checkNewUser validates what a person typed, without hashing.
func checkNewUser(email, name, password string) (catalog.NewUser, error) {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return catalog.NewUser{}, media.Inputf("Enter a valid email address.")
	}
	name = strings.TrimSpace(name)
	if len([]rune(name)) > 100 {
		return catalog.NewUser{}, media.Inputf("The name must have at most 100 characters.")
	}
	if n := len([]rune(password)); n < auth.MinPasswordLen || len(password) > auth.MaxPasswordLen {
		return catalog.NewUser{}, media.Inputf("The password must have %d to %d characters.", auth.MinPasswordLen, auth.MaxPasswordLen)
	}
	return catalog.NewUser{Email: email, Name: name}, nil
}

// changePassword needs the current password; it ends every other session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	u, err := s.Catalog.User(r.Context(), p.ID)
	if err != nil {
		writeError(w, s.Log, media.ErrForbidden) // a user-less API key has no password
		return
	}
	cr, err := s.Catalog.CredentialsByEmail(r.Context(), u.Email)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if wait := s.loginLimiter().allow(s.clientKey(r), s.Now()); wait > 0 {
		tooMany(w, wait, "Too many attempts from your address. Try again later.")
		return
	}
	if !auth.CheckPassword(cr.PasswordHash, req.Current) {
		writeCode(w, http.StatusForbidden, "wrong_credentials", "The current password is wrong.")
		return
	}
	hash, err := auth.HashPassword(req.New)
	if err != nil {
		writeError(w, s.Log, media.Inputf("The password must have %d to %d characters.", auth.MinPasswordLen, auth.MaxPasswordLen))
		return
	}
	if _, err := s.Catalog.UpdateUser(r.Context(), u.ID, catalog.UserPatch{PasswordHash: &hash, OwnPassword: true}); err != nil {
		writeError(w, s.Log, err)
		return
	}
	if p.Session { // keep the browser that changed it signed in
		s.startSession(w, r, http.StatusOK, u)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func tooMany(w http.ResponseWriter, wait time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeCode(w, http.StatusTooManyRequests, "rate_limited", msg)
}
