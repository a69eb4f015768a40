package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
)

// TestLiveRestreamAPI: restream destinations are added, listed and removed
// by the stream's owner; the URL (with its stream key) is a secret that no
// answer shows after it was sent, not even the one creating it; a stream
// is deleted with its destinations.
func TestLiveRestreamAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	resp, body := b.do(t, owner.as(jsonCall(http.MethodPost, "/api/v1/live", `{"title":"show"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	st := decode[struct{ ID string }](t, body)
	base := "/api/v1/live/" + st.ID + "/restreams"
	const secret = "yt-abcd-efgh-1234"

	resp, body = b.do(t, owner.as(jsonCall(http.MethodPost, base, `{"name":"YouTube","url":"rtmp://a.rtmp.youtube.com/live2/`+secret+`"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	require.NotContains(t, string(body), secret)
	d := decode[struct{ ID, Name, URL, Status string }](t, body)
	require.Equal(t, "YouTube", d.Name)
	require.Equal(t, "rtmp://a.rtmp.youtube.com/live2/****", d.URL)
	require.Equal(t, "idle", d.Status)

	resp, body = b.do(t, owner.as(jsonCall(http.MethodPost, base, `{"url":"https://example.com/live/key"}`)))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
	require.Contains(t, string(body), "rtmp://")

	for _, path := range []string{base, "/api/v1/live/" + st.ID, "/api/v1/live"} {
		resp, body = b.do(t, owner.cookieOnly(call{method: http.MethodGet, path: path}))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		require.Contains(t, string(body), "rtmp://a.rtmp.youtube.com/live2/****", path)
		require.NotContains(t, string(body), secret, path)
	}
	// Someone else's stream: 404 everywhere, nothing leaks.
	for _, c := range []call{
		other.cookieOnly(call{method: http.MethodGet, path: base}),
		other.as(jsonCall(http.MethodPost, base, `{"url":"rtmp://evil.example/live/x"}`)),
		other.as(call{method: http.MethodDelete, path: base + "/" + d.ID}),
		other.as(call{method: http.MethodDelete, path: "/api/v1/live/" + st.ID}),
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusNotFound, "not_found", secret, "youtube")
	}

	resp, body = b.do(t, owner.as(call{method: http.MethodDelete, path: base + "/" + d.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	resp, _ = b.do(t, owner.as(call{method: http.MethodDelete, path: base + "/" + d.ID}))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, body = b.do(t, owner.cookieOnly(call{method: http.MethodGet, path: base}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"restreams":[]}`, string(body))

	resp, body = b.do(t, owner.as(call{method: http.MethodDelete, path: "/api/v1/live/" + st.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	resp, _ = b.do(t, owner.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live/" + st.ID}))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
