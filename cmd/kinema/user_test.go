package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
)

// TestUserCmd: an account made on the command line can sign in over HTTP.
func TestUserCmd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	require.NoError(t, userCmd([]string{"create", "--data", dir, "--email", "ops@example.com", "--role", "admin"},
		strings.NewReader("a long enough password\n"), &out, &errOut))
	require.Contains(t, out.String(), "created admin ops@example.com")

	err := userCmd([]string{"create", "--data", dir, "--email", "x@example.com"}, strings.NewReader("short\n"), &out, &errOut)
	require.ErrorContains(t, err, "password")
	err = userCmd([]string{"create", "--data", dir, "--email", "x@example.com", "--role", "root"}, strings.NewReader("a long enough password\n"), &out, &errOut)
	require.Error(t, err)

	s := setupWith(t, func(c *config.Config) { c.DataDir = dir })
	body := strings.NewReader(`{"email":"ops@example.com","password":"a long enough password"}`)
	resp, err := http.Post(s.base+"/api/v1/auth/login", "application/json", body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.Cookies())
}
