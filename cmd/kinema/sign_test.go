package main

import (
	"bytes"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/stretchr/testify/require"
)

// lastLine returns the final non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

func TestSignCmd(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	keys, err := auth.LoadOrCreateKeys(filepath.Join(data, "keys"))
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	before := time.Now()
	// Flags both before and after the id.
	require.NoError(t, signCmd([]string{"--data", data, "vid_1", "--ttl", "90m", "--base", "https://tv.example/"}, &stdout, &stderr))
	u, err := url.Parse(lastLine(stdout.String()))
	require.NoError(t, err)
	require.Equal(t, "https", u.Scheme)
	require.Equal(t, "tv.example", u.Host)
	require.Equal(t, "/media/vid_1/master.m3u8", u.Path)

	c, err := keys.Verify(u.Query().Get("token"), auth.PurposePlay, time.Now())
	require.NoError(t, err, "the server's keys accept the printed URL")
	require.Equal(t, "vid_1", c.VideoID)
	require.Equal(t, keys.KeyID(), c.KeyID)
	require.False(t, c.ClientIP.IsValid())
	require.WithinDuration(t, before.Add(90*time.Minute), c.ExpiresAt, 2*time.Second)
	_, err = keys.Verify(u.Query().Get("token"), auth.PurposePlay, time.Now().Add(91*time.Minute))
	require.ErrorIs(t, err, auth.ErrTokenExpired)

	stdout.Reset()
	require.NoError(t, signCmd([]string{"--data", data, "--base", "http://localhost:8080", "--ip", "203.0.113.5", "vid_2"}, &stdout, &stderr))
	u, err = url.Parse(lastLine(stdout.String()))
	require.NoError(t, err)
	require.Equal(t, "localhost:8080", u.Host)
	c, err = keys.Verify(u.Query().Get("token"), auth.PurposePlay, time.Now())
	require.NoError(t, err)
	require.Equal(t, netip.MustParseAddr("203.0.113.5"), c.ClientIP)
}

func TestSignCmdRefuses(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.ErrorIs(t, signCmd([]string{"--data", data, "vid_1"}, &stdout, &stderr), auth.ErrNoKeys,
		"no key is created: the server would refuse its URLs")
	require.Empty(t, stdout.String())

	_, err := auth.LoadOrCreateKeys(filepath.Join(data, "keys"))
	require.NoError(t, err)
	for name, args := range map[string][]string{
		"no id":    {"--data", data},
		"two ids":  {"--data", data, "a", "b"},
		"bad id":   {"--data", data, "../x"},
		"bad ttl":  {"--data", data, "--ttl", "0s", "vid"},
		"bad base": {"--data", data, "--base", "ftp://x", "vid"},
		"bad ip":   {"--data", data, "--ip", "nope", "vid"},
		"bad flag": {"--data", data, "--nope", "vid"},
	} {
		stdout.Reset()
		require.Error(t, signCmd(args, &stdout, &stderr), name)
		require.Empty(t, stdout.String(), name)
	}
}

func TestKeysCmd(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	dir := filepath.Join(data, "keys")
	old, err := auth.LoadOrCreateKeys(dir)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	require.NoError(t, signCmd([]string{"--data", data, "vid"}, &stdout, &stderr))
	oldURL, err := url.Parse(lastLine(stdout.String()))
	require.NoError(t, err)

	stdout.Reset()
	require.NoError(t, keysCmd([]string{"rotate", "--data", data}, &stdout, &stderr))
	kid := strings.TrimSpace(stdout.String())
	stdout.Reset()
	require.NoError(t, keysCmd([]string{"list", "--data", data}, &stdout, &stderr))
	require.Contains(t, stdout.String(), kid+" (signing)")
	require.Contains(t, stdout.String(), old.KeyID())

	keys, err := auth.LoadKeys(dir)
	require.NoError(t, err)
	_, err = keys.Verify(oldURL.Query().Get("token"), auth.PurposePlay, time.Now())
	require.NoError(t, err, "old links survive a rotation")

	require.NoError(t, keysCmd([]string{"remove", old.KeyID(), "--data", data}, &stdout, &stderr))
	keys, err = auth.LoadKeys(dir)
	require.NoError(t, err)
	_, err = keys.Verify(oldURL.Query().Get("token"), auth.PurposePlay, time.Now())
	require.ErrorIs(t, err, auth.ErrTokenInvalid, "removing the key id kills its links")
	require.ErrorIs(t, keysCmd([]string{"remove", old.KeyID(), "--data", data}, &stdout, &stderr), auth.ErrKeyNotFound)
	require.ErrorIs(t, keysCmd([]string{"remove", "-dashed", "--data", data}, &stdout, &stderr), auth.ErrKeyNotFound,
		"ids may start with '-' and are not flags")
	require.Error(t, keysCmd(nil, &stdout, &stderr))
	require.Error(t, keysCmd([]string{"frobnicate"}, &stdout, &stderr))
}
