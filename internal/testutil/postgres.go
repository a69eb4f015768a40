package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns a connection URL for a fresh schema on the server in
// KINEMA_TEST_POSTGRES_URL (started by scripts/test-integration.sh), dropped
// when the test ends. Without the variable the test is skipped, unless
// KINEMA_REQUIRE_POSTGRES=1 makes that a failure (as in CI).
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("KINEMA_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("KINEMA_REQUIRE_POSTGRES") == "1" {
			t.Fatal("KINEMA_TEST_POSTGRES_URL is not set and KINEMA_REQUIRE_POSTGRES=1")
		}
		t.Skip("KINEMA_TEST_POSTGRES_URL not set; run under scripts/test-integration.sh")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as session settings
	u.RawQuery = q.Encode()
	return u.String()
}
