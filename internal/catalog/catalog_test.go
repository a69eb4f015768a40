package catalog_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/catalog/catalogtest"
	"github.com/kinema/kinema/internal/testutil"
)

func TestSQLite(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) *catalog.Catalog {
		db, err := catalog.OpenSQLite(filepath.Join(t.TempDir(), "k.db"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		require.NoError(t, catalog.Migrate(context.Background(), db, "sqlite3"))
		return catalog.New(db, nil)
	})
}

func TestPostgres(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T) *catalog.Catalog {
		pool, err := catalog.OpenPostgres(context.Background(), testutil.PostgresURL(t))
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		return catalog.NewPostgres(pool, nil)
	})
}
