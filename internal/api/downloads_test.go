package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

type withDownloads struct {
	Downloads *struct {
		Enabled  bool   `json:"enabled"`
		Status   string `json:"status"`
		MP4      string `json:"mp4"`
		M4A      string `json:"m4a"`
		Original string `json:"original"`
	} `json:"downloads"`
}

// TestDownloads: only the owner turns downloads on; viewers then get
// signed attachment URLs once they are made, and only the owner gets the
// original file.
func TestDownloads(t *testing.T) {
	t.Parallel()
	var b *bundle
	b = setupWith(t, func(s *api.Server) {
		s.DownloadsFunc = func(ctx context.Context, id string, on bool) (media.Video, error) {
			return b.cat.SetDownloads(ctx, id, on)
		}
		s.OpenOriginalFunc = func(ctx context.Context, key string) (storage.Object, error) { return b.store.Open(ctx, key) }
	})
	ctx := context.Background()
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	v := b.createAs(t, owner, `My "film"`, access.Public)
	b.publish(t, v.ID)
	const original = "the bytes as uploaded\x00\x01"
	_, err := b.store.Put(ctx, "raw/"+v.ID+"/source", strings.NewReader(original))
	require.NoError(t, err)

	get := func(c call) withDownloads {
		c.method, c.path = http.MethodGet, "/api/v1/videos/"+v.ID
		resp, body := b.do(t, c)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		return decode[withDownloads](t, body)
	}
	require.Nil(t, get(call{}).Downloads, "off: nothing to show viewers")
	require.NotEmpty(t, get(owner.as(call{})).Downloads.Original, "the owner always sees the original")

	resp, body := b.do(t, other.as(jsonCall(http.MethodPut, "/api/v1/videos/"+v.ID+"/downloads", `{"enabled":true}`)))
	require.Equal(t, http.StatusForbidden, resp.StatusCode, string(body))
	resp, body = b.do(t, owner.as(call{method: http.MethodPut, path: "/api/v1/videos/" + v.ID + "/downloads", body: `{}`, contentType: "application/json", badRequest: true}))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
	resp, body = b.do(t, owner.as(jsonCall(http.MethodPut, "/api/v1/videos/"+v.ID+"/downloads", `{"enabled":true}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	d := decode[withDownloads](t, body).Downloads
	require.True(t, d.Enabled)
	require.Equal(t, "pending", d.Status)
	require.Empty(t, d.MP4, "not made yet")

	ok, err := b.cat.FinishDownloads(ctx, v.ID, media.DownloadsReady)
	require.NoError(t, err)
	require.True(t, ok)
	anon := get(call{}).Downloads
	require.NotNil(t, anon)
	require.Empty(t, anon.Original, "the original is the owner's")
	u, err := url.Parse(anon.MP4)
	require.NoError(t, err)
	require.Equal(t, "/media/"+v.ID+"/download/video.mp4", u.Path)
	require.NotEmpty(t, u.Query().Get("token"))
	require.Equal(t, `My "film"`, u.Query().Get("filename"))
	require.Contains(t, anon.M4A, "/media/"+v.ID+"/download/audio.m4a?token=")

	// The original: owner yes, anyone else 404 (or 401 without credentials).
	orig := get(owner.as(call{})).Downloads.Original
	resp, body = b.do(t, owner.as(call{method: http.MethodGet, path: orig}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, original, string(body))
	require.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="My _film_"`, resp.Header.Get("Content-Disposition"))
	resp, _ = b.do(t, other.as(call{method: http.MethodGet, path: orig}))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = b.do(t, call{method: http.MethodGet, path: orig})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	resp, body = b.do(t, owner.as(jsonCall(http.MethodPut, "/api/v1/videos/"+v.ID+"/downloads", `{"enabled":false}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.False(t, decode[withDownloads](t, body).Downloads.Enabled)
	require.Nil(t, get(call{}).Downloads)
}
