package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
)

type analyticsBody struct {
	Total struct {
		Views         int64   `json:"views"`
		WatchMS       int64   `json:"watch_ms"`
		Errors        int64   `json:"errors"`
		StartupAvgMS  float64 `json:"startup_avg_ms"`
		RebufferRatio float64 `json:"rebuffer_ratio"`
	} `json:"total"`
	Hours      []json.RawMessage `json:"hours"`
	Renditions []struct {
		Height  int   `json:"height"`
		WatchMS int64 `json:"watch_ms"`
	} `json:"renditions"`
	Top []struct {
		VideoID string `json:"video_id"`
		Views   int64  `json:"views"`
	} `json:"top_videos"`
}

// TestPlaybackEvents: anonymous viewers report playback of a public video;
// the owner and admins read the sums (per video and overall), others
// cannot; a private video's events are refused to those who cannot see it;
// bad bodies are 400 and nothing is counted.
func TestPlaybackEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	const otherKey = "other-analytics-key"
	_, err := b.cat.CreateAPIKey(ctx, "other", auth.HashAPIKey(otherKey), false)
	require.NoError(t, err)

	pub, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "public one", OwnerID: mustKeyOwner(t, b, userKey), Visibility: access.Public})
	require.NoError(t, err)
	priv, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "private one", OwnerID: mustKeyOwner(t, b, userKey)})
	require.NoError(t, err)

	send := func(key, body string, bad bool) int {
		code, _ := b.hookDo(t, key, http.MethodPost, "/api/v1/playback-events", body, bad)
		return code
	}
	beacon := fmt.Sprintf(`{"video_id":%q,"events":[{"type":"view"},{"type":"startup","ms":800},
		{"type":"heartbeat","ms":10000,"height":720,"bitrate":2500000},{"type":"rebuffer","ms":2500},
		{"type":"heartbeat","ms":5000,"height":360,"bitrate":800000},{"type":"error","code":"network"}]}`, pub.ID)
	require.Equal(t, http.StatusNoContent, send("", beacon, false))
	require.Equal(t, http.StatusNoContent, send("", fmt.Sprintf(`{"video_id":%q,"events":[{"type":"view"},{"type":"startup","ms":400}]}`, pub.ID), false))

	// A private video: 404 for anonymous and other users, counted for the owner.
	privBeacon := fmt.Sprintf(`{"video_id":%q,"events":[{"type":"view"}]}`, priv.ID)
	require.Equal(t, http.StatusNotFound, send("", privBeacon, false))
	require.Equal(t, http.StatusNotFound, send(otherKey, privBeacon, false))
	require.Equal(t, http.StatusNoContent, send(userKey, privBeacon, false))
	require.Equal(t, http.StatusNotFound, send("", `{"video_id":"vid_nope","events":[{"type":"view"}]}`, false))

	// Invalid bodies.
	for _, body := range []string{
		`{"video_id":"` + pub.ID + `","events":[]}`,
		`{"video_id":"` + pub.ID + `","events":[{"type":"nap"}]}`,
		`{"video_id":"` + pub.ID + `","events":[{"type":"heartbeat","ms":-1}]}`,
		`{"video_id":"` + pub.ID + `","events":[{"type":"heartbeat","ms":600000}]}`,
		`{"video_id":"` + pub.ID + `","events":[{"type":"startup","ms":999999}]}`,
		`{"video_id":"` + pub.ID + `","events":[{"type":"view"},{"type":"view"}]}`,
		`{"video_id":"` + pub.ID + `","events":[{"type":"view","extra":1}]}`,
		`{"video_id":"` + pub.ID + `","events":[` + strings.Repeat(`{"type":"error"},`, 64) + `{"type":"error"}]}`,
		`{"events":[{"type":"view"}]}`,
	} {
		require.Equal(t, http.StatusBadRequest, send("", body, true), body)
	}
	// Not JSON: a cross-site form cannot post events.
	resp, _ := b.do(t, call{method: http.MethodPost, path: "/api/v1/playback-events", body: "video_id=x", contentType: "application/x-www-form-urlencoded", badRequest: true})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	read := func(key, path string) (int, analyticsBody) {
		code, data := b.hookCall(t, key, http.MethodGet, path, "")
		var out analyticsBody
		if code == http.StatusOK {
			require.NoError(t, json.Unmarshal(data, &out))
		}
		return code, out
	}
	code, a := read(userKey, "/api/v1/videos/"+pub.ID+"/analytics")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, int64(2), a.Total.Views)
	require.Equal(t, int64(15000), a.Total.WatchMS)
	require.Equal(t, int64(1), a.Total.Errors)
	require.InDelta(t, 600, a.Total.StartupAvgMS, 0.001)
	require.InDelta(t, 2500.0/17500.0, a.Total.RebufferRatio, 0.0001)
	require.Len(t, a.Hours, 1)
	require.Len(t, a.Renditions, 2)
	require.Equal(t, 720, a.Renditions[0].Height)
	require.Equal(t, int64(10000), a.Renditions[0].WatchMS)

	code, a = read(adminKey, "/api/v1/videos/"+pub.ID+"/analytics")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, int64(2), a.Total.Views)
	code, _ = read(otherKey, "/api/v1/videos/"+pub.ID+"/analytics")
	require.Equal(t, http.StatusForbidden, code, "another uploader sees the public video but not its analytics")
	code, _ = read(otherKey, "/api/v1/videos/"+priv.ID+"/analytics")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = read("", "/api/v1/videos/"+pub.ID+"/analytics")
	require.Equal(t, http.StatusUnauthorized, code)

	code, a = read(adminKey, "/api/v1/analytics")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, int64(3), a.Total.Views)
	require.Len(t, a.Top, 2)
	require.Equal(t, pub.ID, a.Top[0].VideoID)
	code, _ = read(userKey, "/api/v1/analytics")
	require.Equal(t, http.StatusForbidden, code)

	// Ranges: outside the data is empty; bad ranges are 400.
	old := time.Now().Add(-30 * 24 * time.Hour).UTC()
	code, a = read(adminKey, "/api/v1/analytics?from="+old.Format(time.RFC3339)+"&to="+old.Add(24*time.Hour).Format(time.RFC3339))
	require.Equal(t, http.StatusOK, code)
	require.Zero(t, a.Total.Views)
	require.Empty(t, a.Hours)
	for _, q := range []string{"?from=yesterday", "?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"} {
		code, _ := b.hookDo(t, adminKey, http.MethodGet, "/api/v1/analytics"+q, "", true)
		require.Equal(t, http.StatusBadRequest, code, q)
	}
}

// TestPlaybackEventsRateLimit: past the burst, one address gets 429 with a
// Retry-After, and the refused beacons are not counted.
func TestPlaybackEventsRateLimit(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(s *api.Server) { s.BeaconLimiter = api.NewLoginLimiter(time.Hour, 3) })
	ctx := context.Background()
	v, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "p", OwnerID: "someone", Visibility: access.Public})
	require.NoError(t, err)
	body := fmt.Sprintf(`{"video_id":%q,"events":[{"type":"view"}]}`, v.ID)
	for range 3 {
		code, _ := b.hookCall(t, "", http.MethodPost, "/api/v1/playback-events", body)
		require.Equal(t, http.StatusNoContent, code)
	}
	resp, _ := b.do(t, call{method: http.MethodPost, path: "/api/v1/playback-events", body: body, contentType: "application/json"})
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	st, err := b.cat.PlaybackStats(ctx, v.ID, time.Now().Add(-time.Hour), time.Now().Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(3), st.Total.Views)
}

// mustKeyOwner is the principal id videos created with key belong to.
func mustKeyOwner(t *testing.T, b *bundle, key string) string {
	t.Helper()
	k, err := b.cat.APIKeyByHash(context.Background(), auth.HashAPIKey(key))
	require.NoError(t, err)
	return k.ID
}
