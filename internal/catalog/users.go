package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

const userColumns = `id, email, name, role, group_names, disabled, created_at, last_login_at`

type userRow struct {
	ID, Email, Name, Role, Groups string
	Disabled                      bool
	CreatedAt                     int64
	LastLoginAt                   sql.NullInt64
}

func (r *userRow) dest() []any {
	return []any{&r.ID, &r.Email, &r.Name, &r.Role, &r.Groups, &r.Disabled, &r.CreatedAt, &r.LastLoginAt}
}

func (r userRow) user() access.User {
	u := access.User{
		ID: r.ID, Email: r.Email, Name: r.Name, Role: access.Role(r.Role), Groups: []string{}, Disabled: r.Disabled,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), LastLoginAt: fromMillis(r.LastLoginAt),
	}
	_ = json.Unmarshal([]byte(r.Groups), &u.Groups)
	return u
}

// NewUser is an account to create.
type NewUser struct {
	Email, Name, PasswordHash string
	Role                      access.Role
	Groups                    []string
}

// CreateUser adds an account. A taken email is media.ErrConflict.
func (c *Catalog) CreateUser(ctx context.Context, nu NewUser) (access.User, error) {
	id := "usr_" + randomHex(8)
	groups, _ := json.Marshal(orEmpty(nu.Groups))
	_, err := c.exec(ctx, `INSERT INTO users (id, email, name, password_hash, role, group_names, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, strings.ToLower(nu.Email), nu.Name, nu.PasswordHash, nu.Role, string(groups), c.millis())
	if isUniqueViolation(err) {
		return access.User{}, fmt.Errorf("user %s: %w", nu.Email, media.ErrConflict)
	}
	if err != nil {
		return access.User{}, fmt.Errorf("create user: %w", err)
	}
	return c.User(ctx, id)
}

// User returns one account or media.ErrNotFound.
func (c *Catalog) User(ctx context.Context, id string) (access.User, error) {
	var r userRow
	err := c.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, []any{id}, r.dest()...)
	if isNoRows(err) {
		return access.User{}, fmt.Errorf("user %s: %w", id, media.ErrNotFound)
	}
	return r.user(), err
}

// Credentials is what a login checks.
type Credentials struct {
	User         access.User
	PasswordHash string
	LockedUntil  *time.Time
}

// CredentialsByEmail finds an account for login, or media.ErrNotFound.
func (c *Catalog) CredentialsByEmail(ctx context.Context, email string) (Credentials, error) {
	var r userRow
	var cr Credentials
	var locked sql.NullInt64
	err := c.queryRow(ctx, `SELECT `+userColumns+`, password_hash, locked_until FROM users WHERE email = ?`,
		[]any{strings.ToLower(email)}, append(r.dest(), &cr.PasswordHash, &locked)...)
	if isNoRows(err) {
		return cr, fmt.Errorf("user: %w", media.ErrNotFound)
	}
	cr.User, cr.LockedUntil = r.user(), fromMillis(locked)
	return cr, err
}

// ListUsers returns every account, oldest first.
func (c *Catalog) ListUsers(ctx context.Context) ([]access.User, error) {
	rs, err := c.q.query(ctx, c.rebind(`SELECT `+userColumns+` FROM users ORDER BY created_at, id`))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rs.Close()
	out := []access.User{}
	for rs.Next() {
		var r userRow
		if err := rs.Scan(r.dest()...); err != nil {
			return nil, err
		}
		out = append(out, r.user())
	}
	return out, rs.Err()
}

// CountUsers returns how many accounts exist (with the given role, if set).
func (c *Catalog) CountUsers(ctx context.Context, role access.Role) (int, error) {
	var n int
	q, args := `SELECT COUNT(*) FROM users`, []any{}
	if role != "" {
		q, args = q+` WHERE role = ? AND NOT disabled`, append(args, role)
	}
	err := c.queryRow(ctx, q, args, &n)
	return n, err
}

// UserPatch changes the fields that are set.
type UserPatch struct {
	Name         *string
	Role         *access.Role
	Groups       []string // nil leaves them
	Disabled     *bool
	PasswordHash *string
}

// UpdateUser applies p. Disabling a user or changing their password ends
// their sessions.
func (c *Catalog) UpdateUser(ctx context.Context, id string, p UserPatch) (access.User, error) {
	set, args := []string{}, []any{}
	add := func(col string, v any) { set, args = append(set, col+" = ?"), append(args, v) }
	if p.Name != nil {
		add("name", *p.Name)
	}
	if p.Role != nil {
		add("role", *p.Role)
	}
	if p.Groups != nil {
		b, _ := json.Marshal(p.Groups)
		add("group_names", string(b))
	}
	if p.Disabled != nil {
		add("disabled", *p.Disabled)
	}
	if p.PasswordHash != nil { // a new password also lifts a lockout
		add("password_hash", *p.PasswordHash)
		add("failed_logins", 0)
		add("locked_until", nil)
	}
	if len(set) > 0 {
		n, err := c.exec(ctx, `UPDATE users SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...)
		if err != nil {
			return access.User{}, fmt.Errorf("update user: %w", err)
		}
		if n == 0 {
			return access.User{}, fmt.Errorf("user %s: %w", id, media.ErrNotFound)
		}
	}
	if (p.Disabled != nil && *p.Disabled) || p.PasswordHash != nil {
		if err := c.DeleteUserSessions(ctx, id); err != nil {
			return access.User{}, err
		}
	}
	return c.User(ctx, id)
}

// DeleteUser removes an account with its sessions, keys and webhook
// endpoints. Their videos stay, owned by the removed id, so only admins
// reach them.
func (c *Catalog) DeleteUser(ctx context.Context, id string) error {
	n, err := c.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if _, err := c.exec(ctx, `DELETE FROM webhook_endpoints WHERE owner_id = ?`, id); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("user %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// LoginFailed counts a wrong password. At lockAfter failures in a row the
// account is locked for lockFor, doubling with every further failure.
func (c *Catalog) LoginFailed(ctx context.Context, id string, lockAfter int, lockFor time.Duration) error {
	var fails int
	if err := c.queryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`,
		[]any{id}, &fails); err != nil {
		return err
	}
	if fails < lockAfter {
		return nil
	}
	d := lockFor << min(fails-lockAfter, 10)
	_, err := c.exec(ctx, `UPDATE users SET locked_until = ? WHERE id = ?`, c.now().Add(d).UnixMilli(), id)
	return err
}

// LoginSucceeded resets the failure count and records the login.
func (c *Catalog) LoginSucceeded(ctx context.Context, id string) error {
	_, err := c.exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?`, c.millis(), id)
	return err
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
