package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/testutil"
)

// TestKeyReload: `kinema keys rotate` and `kinema keys remove` reach a
// running server without a restart, at the default poll interval. After a
// rotation new links carry the new key while old ones still play; after the
// removal the old ones, cached by delivery or not, are refused.
func TestKeyReload(t *testing.T) {
	t.Parallel()
	s := setup(t)
	data := s.main.Config.DataDir
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2})
	v := s.uploadAndWait("keys", clip)
	require.Equal(t, "ready", v.Status, v.Error)
	pending := s.create("signed before the rotation") // its upload URL too

	oldKID := s.main.keys.KeyID()
	oldURL := v.Playback.HLS
	require.Equal(t, oldKID, testutil.TokenKeyID(t, oldURL))
	code, _ := get(t, oldURL)
	require.Equal(t, http.StatusOK, code) // now in delivery's token cache
	require.Equal(t, []string{oldKID}, wellKnownKIDs(t, s.base))

	var stdout, stderr bytes.Buffer
	require.NoError(t, keysCmd([]string{"rotate", "--data", data}, &stdout, &stderr))
	newKID := strings.TrimSpace(stdout.String())
	deadline := 3 * auth.DefaultKeyPoll
	var newURL string
	testutil.PollUntil(t, deadline, "new links use the new key", func() bool {
		newURL = s.playbackURL(v.ID)
		return testutil.TokenKeyID(t, newURL) == newKID
	})
	require.Equal(t, newKID, testutil.TokenKeyID(t, s.create("after").Upload.URL), "so do upload URLs")
	code, _ = get(t, oldURL)
	require.Equal(t, http.StatusOK, code, "links handed out before the rotation still play")
	code, _ = get(t, newURL)
	require.Equal(t, http.StatusOK, code)
	require.ElementsMatch(t, []string{oldKID, newKID}, wellKnownKIDs(t, s.base))

	stdout.Reset()
	require.NoError(t, keysCmd([]string{"remove", oldKID, "--data", data}, &stdout, &stderr))
	testutil.PollUntil(t, deadline, "the removed key's links are refused", func() bool {
		code, _ := get(t, oldURL)
		return code == http.StatusForbidden
	})
	code, _ = get(t, newURL)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, []string{newKID}, wellKnownKIDs(t, s.base))
	require.Equal(t, http.StatusForbidden, s.put(pending, clip), "upload URLs of the removed key are refused too")
}

// playbackURL asks the API for a fresh signed HLS URL of a ready video.
func (s *server) playbackURL(id string) string {
	s.t.Helper()
	var v video
	require.Equal(s.t, http.StatusOK, s.api(http.MethodGet, "/api/v1/videos/"+id, nil, &v))
	require.NotNil(s.t, v.Playback)
	return v.Playback.HLS
}

// wellKnownKIDs returns the key ids the server publishes, sorted.
func wellKnownKIDs(t *testing.T, base string) []string {
	t.Helper()
	code, body := get(t, base+"/.well-known/kinema-keys.json")
	require.Equal(t, http.StatusOK, code)
	var set auth.JWKS
	require.NoError(t, json.Unmarshal(body, &set))
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KeyID)
	}
	slices.Sort(ids)
	return ids
}
