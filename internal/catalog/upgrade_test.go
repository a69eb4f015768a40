package catalog

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// The upgrade tests stop a fresh database at an older schema, write rows
// the way the kinema of that schema did (plain SQL naming only the columns
// that existed then), migrate to the newest schema, and read the rows back
// through today's Catalog: what an upgrade of a running installation does.

type upgradeDB struct {
	db      *sql.DB  // goose speaks database/sql
	cat     *Catalog // bound to the same database
	dialect string
}

func upgradeSQLite(t *testing.T) upgradeDB {
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return upgradeDB{db: db, cat: New(db, nil), dialect: "sqlite3"}
}

func upgradePostgres(t *testing.T) upgradeDB {
	pool, err := pgxpool.New(context.Background(), testutil.PostgresURL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return upgradeDB{db: stdlib.OpenDBFromPool(pool), cat: NewPostgres(pool, nil), dialect: "postgres"}
}

func TestUpgradeFromPreviousSchema(t *testing.T) {
	for name, open := range map[string]func(*testing.T) upgradeDB{"sqlite": upgradeSQLite, "postgres": upgradePostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testUpgradeFromPrevious(t, open(t))
		})
	}
}

func TestUpgradeFromFirstSchema(t *testing.T) {
	for name, open := range map[string]func(*testing.T) upgradeDB{"sqlite": upgradeSQLite, "postgres": upgradePostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testUpgradeFromFirst(t, open(t))
		})
	}
}

// migrateTo stops at version and returns the newest version there is.
func migrateTo(t *testing.T, u upgradeDB, version int64) int64 {
	ctx := context.Background()
	p, err := provider(u.db, u.dialect)
	require.NoError(t, err)
	_, err = p.UpTo(ctx, version)
	require.NoError(t, err)
	got, newest, err := SchemaVersion(ctx, u.db, u.dialect)
	require.NoError(t, err)
	require.Equal(t, version, got)
	return newest
}

func migrateUp(t *testing.T, u upgradeDB, newest int64) {
	ctx := context.Background()
	require.NoError(t, Migrate(ctx, u.db, u.dialect))
	got, _, err := SchemaVersion(ctx, u.db, u.dialect)
	require.NoError(t, err)
	require.Equal(t, newest, got)
}

// testUpgradeFromPrevious: the schema just before the newest migration,
// with accounts, a session, a scoped key and a ready public video.
func testUpgradeFromPrevious(t *testing.T, u upgradeDB) {
	ctx := context.Background()
	p, err := provider(u.db, u.dialect)
	require.NoError(t, err)
	srcs := p.ListSources()
	require.GreaterOrEqual(t, len(srcs), 2)
	previous := srcs[len(srcs)-2].Version
	require.GreaterOrEqual(t, previous, int64(2), "the fixture needs the accounts schema (00002)")
	newest := migrateTo(t, u, previous)

	now := time.Now().UnixMilli()
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := u.cat.exec(ctx, q, args...)
		require.NoError(t, err, q)
	}
	exec(`INSERT INTO users (id, email, name, password_hash, role, group_names, created_at)
		VALUES ('u1', 'ann@example.org', 'Ann', '$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA', 'uploader', '["staff"]', ?)`, now)
	exec(`INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
		VALUES ('sess-hash', 'u1', 'csrf', ?, ?, ?)`, now, now+86_400_000, now)
	exec(`INSERT INTO api_keys (id, name, key_hash, is_admin, created_at, user_id, scopes)
		VALUES ('k1', 'ci', 'key-hash-1', FALSE, ?, 'u1', 'read,upload')`, now)
	exec(`INSERT INTO videos (id, title, status, kind, duration, width, height, source_key, source_size,
		renditions, run, created_at, updated_at, uploaded_at, ready_at, owner_id, visibility, allowed_users)
		VALUES ('v1', 'Before the upgrade', 'ready', 'video', 2.5, 320, 240, 'raw/v1/source', 1234,
		'[{"id":"v0","type":"video","width":320,"height":240,"bitrate":400000}]', 1, ?, ?, ?, ?, 'u1', 'public', '[]')`,
		now, now, now, now)

	migrateUp(t, u, newest)

	v, err := u.cat.Video(ctx, "v1")
	require.NoError(t, err)
	require.Equal(t, "Before the upgrade", v.Title)
	require.Equal(t, media.StatusReady, v.Status)
	require.Equal(t, "u1", v.OwnerID)
	require.Equal(t, access.Public, v.Visibility)
	require.Equal(t, 2.5, v.Duration)
	require.Len(t, v.Renditions, 1)
	require.Equal(t, 400000, v.Renditions[0].Bitrate)
	require.Equal(t, int64(1234), v.SourceSize)

	usr, err := u.cat.User(ctx, "u1")
	require.NoError(t, err)
	require.Equal(t, "ann@example.org", usr.Email)
	require.Equal(t, []string{"staff"}, usr.Groups)

	k, err := u.cat.APIKeyByHash(ctx, "key-hash-1")
	require.NoError(t, err)
	require.Equal(t, "u1", k.UserID)
	require.ElementsMatch(t, []access.Scope{access.ScopeRead, access.ScopeUpload}, k.Scopes)

	_, su, err := u.cat.SessionUser(ctx, "sess-hash", 0)
	require.NoError(t, err)
	require.Equal(t, "u1", su.ID)

	// And the upgraded catalog keeps working: a new video beside the old.
	nv, err := u.cat.CreateVideo(ctx, NewVideo{Title: "after", OwnerID: "u1"})
	require.NoError(t, err)
	list, err := u.cat.ListVideos(ctx, ListFilter{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, nv.ID, list[0].ID)
}

// testUpgradeFromFirst: the very first schema (API keys and videos, no
// accounts). The accounts migration must make old keys keep their rights
// and old videos private.
func testUpgradeFromFirst(t *testing.T, u upgradeDB) {
	ctx := context.Background()
	newest := migrateTo(t, u, 1)
	const now = int64(1_700_000_000_000)
	for _, row := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO api_keys (id, name, key_hash, is_admin, created_at) VALUES ('k-admin', 'old admin', 'h-admin', TRUE, ?)`, []any{now}},
		{`INSERT INTO api_keys (id, name, key_hash, is_admin, created_at) VALUES ('k-plain', 'old plain', 'h-plain', FALSE, ?)`, []any{now}},
		{`INSERT INTO videos (id, title, status, source_key, created_at, updated_at) VALUES ('v-old', 'old', 'failed', 'raw/v-old/source', ?, ?)`, []any{now, now}},
	} {
		_, err := u.cat.exec(ctx, row.q, row.args...)
		require.NoError(t, err, row.q)
	}

	migrateUp(t, u, newest)

	admin, err := u.cat.APIKeyByHash(ctx, "h-admin")
	require.NoError(t, err)
	require.ElementsMatch(t, []access.Scope{access.ScopeRead, access.ScopeUpload, access.ScopeAdmin}, admin.Scopes)
	plain, err := u.cat.APIKeyByHash(ctx, "h-plain")
	require.NoError(t, err)
	require.ElementsMatch(t, []access.Scope{access.ScopeRead, access.ScopeUpload}, plain.Scopes)
	v, err := u.cat.Video(ctx, "v-old")
	require.NoError(t, err)
	require.Equal(t, access.Private, v.Visibility)
	require.Equal(t, media.StatusFailed, v.Status)
	// A failed video of the old schema can be retried on the new one.
	run, err := u.cat.Requeue(ctx, "v-old")
	require.NoError(t, err)
	require.Equal(t, 1, run)
}
