package api

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/live"
)

// setupLive mounts the live routes on a real live.Service (listeners off)
// behind a fake auth that wants "Bearer good".
func setupLive(t *testing.T) *httptest.Server {
	t.Helper()
	keys, err := auth.NewKeys(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	require.NoError(t, err)
	cfg := live.DefaultConfig()
	cfg.Dir, cfg.SRTAddr, cfg.RTMPAddr = t.TempDir(), "", ""
	// A clock that ticks a second per reading gives every stream a distinct
	// created_at, so "newest first" is deterministic.
	var mu sync.Mutex
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	svc, err := live.New(cfg, nil, keys, nil, nil, now)
	require.NoError(t, err)
	authed := func(next http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer good" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next(w, r)
		})
	}
	mux := http.NewServeMux()
	RegisterLive(mux, authed, svc, func(*http.Request) string { return "https://tv.example" }, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_ = svc.Stop(context.Background())
	return srv
}

func liveDo(t *testing.T, method, url, body, key string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func TestLiveAPI(t *testing.T) {
	t.Parallel()
	srv := setupLive(t)

	resp, _ := liveDo(t, "POST", srv.URL+"/api/v1/live", `{"title":"x"}`, "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = liveDo(t, "POST", srv.URL+"/api/v1/live", `{"nope":1}`, "good")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, created := liveDo(t, "POST", srv.URL+"/api/v1/live", `{"title":"  My show "}`, "good")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	id, _ := created["id"].(string)
	key, _ := created["stream_key"].(string)
	require.NotEmpty(t, id)
	require.GreaterOrEqual(t, len(key), 32)
	require.Equal(t, "My show", created["title"])
	require.Equal(t, "idle", created["status"])
	pb, _ := created["playback"].(map[string]any)
	require.True(t, strings.HasPrefix(pb["hls"].(string), "https://tv.example/live/"+id+"/master.m3u8?token="))
	require.True(t, strings.HasPrefix(pb["dash"].(string), "https://tv.example/live/"+id+"/manifest.mpd?token="))
	require.Equal(t, "", created["video_id"], "no recording yet")

	resp, got := liveDo(t, "GET", srv.URL+"/api/v1/live/"+id, "", "good")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, key, got["stream_key"])
	resp, _ = liveDo(t, "GET", srv.URL+"/api/v1/live/nosuch", "", "good")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestLiveAPIList(t *testing.T) {
	t.Parallel()
	srv := setupLive(t)

	resp, _ := liveDo(t, "GET", srv.URL+"/api/v1/live", "", "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, empty := liveDo(t, "GET", srv.URL+"/api/v1/live", "", "good")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []any{}, empty["streams"], "an empty list, not null")

	var ids []string
	for _, title := range []string{"first", "second", "third"} {
		resp, created := liveDo(t, "POST", srv.URL+"/api/v1/live", `{"title":"`+title+`"}`, "good")
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		ids = append(ids, created["id"].(string))
	}

	resp, body := liveDo(t, "GET", srv.URL+"/api/v1/live", "", "good")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	streams, _ := body["streams"].([]any)
	require.Len(t, streams, 3)
	var gotIDs []string
	for _, s := range streams {
		gotIDs = append(gotIDs, s.(map[string]any)["id"].(string))
	}
	require.Equal(t, []string{ids[2], ids[1], ids[0]}, gotIDs, "newest first")

	// Each entry is the same JSON as GET /api/v1/live/{id}, apart from the
	// freshly signed playback token.
	newest := streams[0].(map[string]any)
	_, one := liveDo(t, "GET", srv.URL+"/api/v1/live/"+ids[2], "", "good")
	for _, k := range []string{"id", "title", "status", "stream_key", "created_at", "connected", "video_id"} {
		require.Equal(t, one[k], newest[k], k)
	}
	require.Equal(t, "third", newest["title"])
	require.Equal(t, "idle", newest["status"])
	pb, _ := newest["playback"].(map[string]any)
	require.True(t, strings.HasPrefix(pb["hls"].(string), "https://tv.example/live/"+ids[2]+"/master.m3u8?token="))
}

// TestLiveControlAPI: the SRT passphrase is set at creation or with PATCH
// (and validated), the key rotates, and ending an idle stream ends it.
func TestLiveControlAPI(t *testing.T) {
	t.Parallel()
	srv := setupLive(t)
	resp, _ := liveDo(t, "POST", srv.URL+"/api/v1/live", `{"title":"x","srt_passphrase":"short"}`, "good")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "SRT wants 10 to 79 characters")
	resp, created := liveDo(t, "POST", srv.URL+"/api/v1/live", `{"title":"x","srt_passphrase":"ten-chars-ok"}`, "good")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	id, key := created["id"].(string), created["stream_key"].(string)
	require.Equal(t, "ten-chars-ok", created["srt_passphrase"])

	resp, _ = liveDo(t, "PATCH", srv.URL+"/api/v1/live/"+id, `{"srt_passphrase":"no spaces allowed"}`, "good")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, got := liveDo(t, "PATCH", srv.URL+"/api/v1/live/"+id, `{"srt_passphrase":""}`, "good")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Nil(t, got["srt_passphrase"], "cleared")
	resp, _ = liveDo(t, "PATCH", srv.URL+"/api/v1/live/nosuch", `{"srt_passphrase":""}`, "good")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	resp, got = liveDo(t, "POST", srv.URL+"/api/v1/live/"+id+"/key", "", "good")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEqual(t, key, got["stream_key"])
	require.GreaterOrEqual(t, len(got["stream_key"].(string)), 32)

	resp, got = liveDo(t, "POST", srv.URL+"/api/v1/live/"+id+"/end", "", "good")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ended", got["status"])
	require.Nil(t, got["srt_url"], "no publish URLs once ended")
	resp, _ = liveDo(t, "POST", srv.URL+"/api/v1/live/"+id+"/key", "", "good")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "an ended stream's key cannot rotate")
	resp, _ = liveDo(t, "POST", srv.URL+"/api/v1/live/"+id+"/end", "", "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
