package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
}

// CredentialsByEmail finds an account for login, or media.ErrNotFound.
func (c *Catalog) CredentialsByEmail(ctx context.Context, email string) (Credentials, error) {
	var r userRow
	var cr Credentials
	err := c.queryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`,
		[]any{strings.ToLower(email)}, append(r.dest(), &cr.PasswordHash)...)
	if isNoRows(err) {
		return cr, fmt.Errorf("user: %w", media.ErrNotFound)
	}
	cr.User = r.user()
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
	// OwnPassword marks PasswordHash as the user changing their own
	// password: they stay signed in, and so do their playback grants. A
	// password set by anyone else (an admin's reset) revokes them.
	OwnPassword bool
}

// ErrLastAdmin refuses to demote, disable or delete the last active admin
// account.
var ErrLastAdmin = errors.New("last active admin")

// UpdateUser applies p in one transaction. Disabling a user or changing
// their password ends their sessions; a new password also lifts every
// sign-in lock on their email. Demoting or disabling the last active admin
// is ErrLastAdmin, and changes nothing.
//
// When the change takes access away from the user (access.UserNarrows) or
// resets their password (not OwnPassword), every playback grant issued to
// them before it stops counting (UserPlaybackGate). That is decided on the
// row as it is when updated (locked on PostgreSQL), in the same transaction.
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
	if p.PasswordHash != nil {
		add("password_hash", *p.PasswordHash)
	}
	var (
		u       access.User
		revoked bool
	)
	err := c.inTx(ctx, func(tc *Catalog) error {
		if (p.Role != nil && *p.Role != access.RoleAdmin) || (p.Disabled != nil && *p.Disabled) {
			if err := tc.keepAnAdmin(ctx, id); err != nil {
				return err
			}
		}
		// Locked after keepAnAdmin, which locks the admins in id order:
		// taking this row first could deadlock with another admin's change.
		if tc.postgres {
			if err := tc.queryRow(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, []any{id}, new(string)); err != nil {
				if isNoRows(err) {
					return fmt.Errorf("user %s: %w", id, media.ErrNotFound)
				}
				return fmt.Errorf("lock user: %w", err)
			}
		}
		before, err := tc.User(ctx, id)
		if err != nil {
			return err
		}
		revoked = access.UserNarrows(before, p.apply(before)) || p.PasswordHash != nil && !p.OwnPassword
		if revoked {
			add("playback_not_before", tc.now().UnixMicro())
		}
		if len(set) > 0 {
			n, err := tc.exec(ctx, `UPDATE users SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...)
			if err != nil {
				return fmt.Errorf("update user: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("user %s: %w", id, media.ErrNotFound)
			}
		}
		if u, err = tc.User(ctx, id); err != nil {
			return err
		}
		if (p.Disabled != nil && *p.Disabled) || p.PasswordHash != nil {
			if err := tc.DeleteUserSessions(ctx, id); err != nil {
				return fmt.Errorf("end sessions of %s: %w", id, err)
			}
		}
		if p.PasswordHash != nil {
			return tc.ClearLoginFailures(ctx, u.Email)
		}
		return nil
	})
	if err != nil || !revoked {
		return u, err
	}
	// Requests that identified the user before the commit take their grants'
	// issue time before that (as readers of videos do), so move the cut-off
	// to after the commit: those grants are then older than it too.
	cutoff := c.now().UnixMicro()
	if _, err := c.exec(ctx, `UPDATE users SET playback_not_before = ? WHERE id = ? AND playback_not_before < ?`,
		cutoff, id, cutoff); err != nil {
		return u, fmt.Errorf("revoke playback: %w", err)
	}
	return u, nil
}

// apply returns u as p leaves it.
func (p UserPatch) apply(u access.User) access.User {
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Groups != nil {
		u.Groups = p.Groups
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	return u
}

// UserPlaybackGate is what delivery checks for a playback grant issued to a
// user: whether the account still exists and is enabled, and the time before
// which the user's grants no longer count (zero when none were revoked).
type UserPlaybackGate struct {
	Active    bool
	NotBefore time.Time
}

// UserPlaybackGate returns the user's gate; a missing user is not active.
func (c *Catalog) UserPlaybackGate(ctx context.Context, id string) (UserPlaybackGate, error) {
	var (
		disabled  bool
		notBefore sql.NullInt64
	)
	err := c.queryRow(ctx, `SELECT disabled, playback_not_before FROM users WHERE id = ?`, []any{id}, &disabled, &notBefore)
	if isNoRows(err) {
		return UserPlaybackGate{}, nil
	}
	if err != nil {
		return UserPlaybackGate{}, err
	}
	g := UserPlaybackGate{Active: !disabled}
	if notBefore.Valid {
		g.NotBefore = time.UnixMicro(notBefore.Int64)
	}
	return g, nil
}

// DeleteUser removes an account with its sessions and keys (by cascade)
// and its webhook endpoints, all or nothing. Their videos stay, owned by
// the removed id, so only admins reach them. Deleting the last active
// admin is ErrLastAdmin.
func (c *Catalog) DeleteUser(ctx context.Context, id string) error {
	return c.inTx(ctx, func(tc *Catalog) error {
		if err := tc.keepAnAdmin(ctx, id); err != nil {
			return err
		}
		n, err := tc.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete user %s: %w", id, err)
		}
		if n == 0 { // also keeps the endpoints of a user-less API key with this id
			return fmt.Errorf("user %s: %w", id, media.ErrNotFound)
		}
		if _, err := tc.exec(ctx, `DELETE FROM webhook_endpoints WHERE owner_id = ?`, id); err != nil {
			return fmt.Errorf("delete webhooks of %s: %w", id, err)
		}
		return nil
	})
}

// keepAnAdmin returns ErrLastAdmin if id is the only active admin. It must
// run in the transaction that makes the change. On PostgreSQL it locks the
// active admins' rows (in id order, so two callers cannot deadlock): of two
// admins removing each other at once, the second waits, then no longer sees
// the first. SQLite transactions take the write lock when they begin
// (_txlock=immediate), which serialises them anyway.
func (c *Catalog) keepAnAdmin(ctx context.Context, id string) error {
	q := `SELECT id FROM users WHERE role = ? AND NOT disabled ORDER BY id`
	if c.postgres {
		q += ` FOR UPDATE`
	}
	rs, err := c.q.query(ctx, c.rebind(q), access.RoleAdmin)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	defer rs.Close()
	var admins []string
	for rs.Next() {
		var a string
		if err := rs.Scan(&a); err != nil {
			return fmt.Errorf("count admins: %w", err)
		}
		admins = append(admins, a)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if len(admins) <= 1 && slices.Contains(admins, id) {
		return fmt.Errorf("user %s: %w", id, ErrLastAdmin)
	}
	return nil
}

// inTx runs fn with a Catalog bound to one transaction, committed if fn
// returns nil and rolled back otherwise. A Catalog already bound to a
// database/sql transaction runs fn in it; a pgx one opens a savepoint.
func (c *Catalog) inTx(ctx context.Context, fn func(tc *Catalog) error) error {
	switch e := c.q.(type) {
	case sqlExecutor:
		db, ok := e.q.(*sql.DB)
		if !ok {
			return fn(c)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(c.WithTx(tx)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	case pgxExecutor:
		b, ok := e.q.(interface {
			Begin(context.Context) (pgx.Tx, error)
		})
		if !ok {
			return fn(c)
		}
		tx, err := b.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if err := fn(c.WithPgxTx(tx)); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}
	return fn(c)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
