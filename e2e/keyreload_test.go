//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestKeyReload: with KINEMA_KEYS_POLL short, `kinema keys rotate` and
// `kinema keys remove` reach a running `kinema serve` without a restart:
// new links carry the new key, old links keep playing until their key is
// removed and are then refused, and the well-known key set follows.
func TestKeyReload(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data, "KINEMA_KEYS_POLL=200ms")
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	id := createAndPut(t, s.base, clip)
	waitStatus(t, s.base, id, "ready", 2*time.Minute)

	oldURL := playbackHLS(t, s.base, id)
	oldKID := signingKID(t, bin, data)
	require.Equal(t, oldKID, testutil.TokenKeyID(t, oldURL))
	require.Equal(t, http.StatusOK, statusOf(t, oldURL))
	require.Equal(t, []string{oldKID}, publishedKIDs(t, s.base))

	out, code := runCLI(t, bin, "keys", "rotate", "--data", data)
	require.Zero(t, code)
	newKID := strings.TrimSpace(out)
	require.NotEqual(t, oldKID, newKID)
	var newURL string
	testutil.PollUntil(t, 10*time.Second, "new links carry the new key id", func() bool {
		newURL = playbackHLS(t, s.base, id)
		return testutil.TokenKeyID(t, newURL) == newKID
	})
	require.Equal(t, http.StatusOK, statusOf(t, oldURL), "links handed out before the rotation still play")
	require.Equal(t, http.StatusOK, statusOf(t, newURL))
	require.Equal(t, sorted(oldKID, newKID), publishedKIDs(t, s.base))

	_, code = runCLI(t, bin, "keys", "remove", oldKID, "--data", data)
	require.Zero(t, code)
	testutil.PollUntil(t, 10*time.Second, "the removed key's links are refused", func() bool {
		return statusOf(t, oldURL) == http.StatusForbidden
	})
	require.Equal(t, http.StatusOK, statusOf(t, newURL))
	require.Equal(t, []string{newKID}, publishedKIDs(t, s.base))
	require.True(t, s.logged("signing keys reloaded"))
	require.False(t, s.logged("PRIVATE KEY"))
}

// TestKeyReloadSIGHUP: with polling off, SIGHUP reloads the keys, and the
// server keeps running.
func TestKeyReloadSIGHUP(t *testing.T) {
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data, "KINEMA_KEYS_POLL=0")
	oldKID := signingKID(t, bin, data)
	require.Equal(t, oldKID, uploadKID(t, s.base))

	out, code := runCLI(t, bin, "keys", "rotate", "--data", data)
	require.Zero(t, code)
	newKID := strings.TrimSpace(out)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	testutil.PollUntil(t, 10*time.Second, "SIGHUP reloads the keys", func() bool {
		return slices.Equal(publishedKIDs(t, s.base), sorted(oldKID, newKID))
	})
	require.Equal(t, newKID, uploadKID(t, s.base), "upload URLs are signed with the new key")
	require.True(t, s.logged("signing keys reloaded"))

	// Nothing changed: a second SIGHUP says so and keeps the keys.
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGHUP))
	testutil.PollUntil(t, 10*time.Second, "SIGHUP is answered", func() bool { return s.logged("signing keys unchanged") })
	require.Equal(t, newKID, uploadKID(t, s.base))
}

// signingKID reads the signing key's id with `kinema keys list`.
func signingKID(t *testing.T, bin, data string) string {
	t.Helper()
	out, code := runCLI(t, bin, "keys", "list", "--data", data)
	require.Zero(t, code)
	for _, line := range strings.Split(out, "\n") {
		if kid, ok := strings.CutSuffix(line, " (signing)"); ok {
			return kid
		}
	}
	t.Fatalf("no signing key in %q", out)
	return ""
}

// playbackHLS asks the API for a fresh signed HLS URL of a ready video.
func playbackHLS(t *testing.T, base, id string) string {
	t.Helper()
	var v struct{ Playback struct{ HLS string } }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, base+"/api/v1/videos/"+id, nil, &v))
	require.NotEmpty(t, v.Playback.HLS)
	return v.Playback.HLS
}

// uploadKID creates a video and returns the key id of its upload URL.
func uploadKID(t *testing.T, base string) string {
	t.Helper()
	var v struct{ Upload struct{ URL string } }
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, base+"/api/v1/videos", map[string]string{"title": "k"}, &v))
	return testutil.TokenKeyID(t, v.Upload.URL)
}

func statusOf(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// publishedKIDs returns the ids in /.well-known/kinema-keys.json, sorted.
func publishedKIDs(t *testing.T, base string) []string {
	t.Helper()
	var set struct{ Keys []struct{ KID string } }
	require.NoError(t, json.Unmarshal([]byte(fetch(t, base+"/.well-known/kinema-keys.json")), &set))
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}
