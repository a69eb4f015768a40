//go:build e2e

package e2e

import (
	"bytes"
	be "encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

type posterVideo struct {
	ID       string
	Playback struct{ Poster string }
}

func posterOf(t *testing.T, base, id string) posterVideo {
	t.Helper()
	var v posterVideo
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, base+"/api/v1/videos/"+id, nil, &v))
	return v
}

// rawCall sends body with contentType as the admin and returns the status
// and the answer.
func rawCall(t *testing.T, method, u, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// fetch GETs u and returns the status, content type and body.
func fetchURL(t *testing.T, u string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func imageFile(t *testing.T, w, h int, ext string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "img."+ext)
	b, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size="+itoa(w)+"x"+itoa(h), "-frames:v", "1", out).CombinedOutput()
	require.NoError(t, err, string(b))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

func probeJPEG(t *testing.T, data []byte) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "p.jpg")
	require.NoError(t, os.WriteFile(name, data, 0o644))
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", name).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// postersIn lists the chosen-poster files published for video id,
// wherever the local store keeps media/<id>/.
func postersIn(t *testing.T, data, id string) []string {
	t.Helper()
	var m []string
	require.NoError(t, filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "poster-") && filepath.Base(filepath.Dir(p)) == id {
			m = append(m, p)
		}
		return err
	}))
	return m
}

// TestPosters (#14): the poster is chosen by time or uploaded (raw body or
// multipart), published as a JPEG made by ffmpeg under a new name each
// time (the old one is gone), shown in the playback URLs and oEmbed;
// hostile uploads are refused with a 4xx and store nothing.
func TestPosters(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data := t.TempDir()
	s := start(t, bin, data)
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 640, Height: 360, Seconds: 4})
	id := createAndPut(t, s.base, clip)
	waitStatus(t, s.base, id, "ready", 3*time.Minute)
	code, body := rawCall(t, http.MethodPatch, s.base+"/api/v1/videos/"+id, "application/json", []byte(`{"visibility": "public"}`))
	require.Equal(t, http.StatusOK, code, string(body))

	first := posterOf(t, s.base, id).Playback.Poster
	require.Contains(t, first, "/media/"+id+"/poster.jpg?token=")
	posterURL := s.base + "/api/v1/videos/" + id + "/poster"

	// By time.
	code, body = rawCall(t, http.MethodPut, posterURL, "application/json", []byte(`{"time": 2.5}`))
	require.Equal(t, http.StatusOK, code, string(body))
	var v posterVideo
	require.NoError(t, json.Unmarshal(body, &v))
	byTime := v.Playback.Poster
	require.Regexp(t, `/media/`+id+`/poster-[0-9a-f]{16}\.jpg\?token=`, byTime)
	st, ct, pic := fetchURL(t, byTime)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "image/jpeg", ct)
	require.Equal(t, "mjpeg,640,360", probeJPEG(t, pic))
	code, body = rawCall(t, http.MethodPut, posterURL, "application/json", []byte(`{"time": 99}`))
	require.Equal(t, http.StatusBadRequest, code, string(body))

	// An uploaded PNG, as the raw body.
	png := imageFile(t, 800, 450, "png")
	code, body = rawCall(t, http.MethodPut, posterURL, "image/png", png)
	require.Equal(t, http.StatusOK, code, string(body))
	require.NoError(t, json.Unmarshal(body, &v))
	uploaded := v.Playback.Poster
	require.NotEqual(t, pathOf(t, byTime), pathOf(t, uploaded), "a new name busts caches")
	st, ct, pic = fetchURL(t, uploaded)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "image/jpeg", ct, "re-encoded, never served as uploaded")
	require.Equal(t, "mjpeg,800,450", probeJPEG(t, pic))
	require.NotEqual(t, png, pic)
	st, _, _ = fetchURL(t, byTime)
	require.Equal(t, http.StatusNotFound, st, "the replaced poster is removed")
	require.Equal(t, pathOf(t, uploaded), pathOf(t, posterOf(t, s.base, id).Playback.Poster))

	// A JPEG as a multipart form, as the UI sends it.
	jpg := imageFile(t, 1920, 1080, "jpg")
	code, body = multipartCall(t, posterURL, "photo.jpg", jpg)
	require.Equal(t, http.StatusOK, code, string(body))
	require.NoError(t, json.Unmarshal(body, &v))
	chosen := v.Playback.Poster
	_, _, pic = fetchURL(t, chosen)
	require.Equal(t, "mjpeg,1280,720", probeJPEG(t, pic), "at most 1280 wide")
	require.Len(t, postersIn(t, data, id), 1)

	// oEmbed names a permanent URL that redirects to the chosen poster.
	var oe map[string]any
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, s.base+"/oembed?url="+url.QueryEscape(s.base+"/watch/"+id), nil, &oe))
	thumb, _ := oe["thumbnail_url"].(string)
	require.Equal(t, posterURL, thumb)
	st, ct, got := fetchURL(t, thumb)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "image/jpeg", ct)
	require.Equal(t, pic, got)

	// Hostile uploads: refused, nothing stored, the poster unchanged.
	hugePNG := append([]byte{}, png...)
	be.BigEndian.PutUint32(hugePNG[16:20], 50_000)
	be.BigEndian.PutUint32(hugePNG[20:24], 50_000)
	be.BigEndian.PutUint32(hugePNG[29:33], crc32.ChecksumIEEE(hugePNG[12:29]))
	for _, tc := range []struct {
		name, ct string
		body     []byte
		status   int
	}{
		{"html.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
		{"svg.jpg", "image/jpeg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), http.StatusUnsupportedMediaType},
		{"text.jpg", "", []byte("hello, I am a jpeg\n"), http.StatusUnsupportedMediaType},
		{"oversized.jpg", "image/jpeg", append(append([]byte{}, jpg...), make([]byte, 9<<20)...), http.StatusRequestEntityTooLarge},
		{"huge.png", "image/png", hugePNG, http.StatusBadRequest},
		{"truncated.jpg", "image/jpeg", jpg[:len(jpg)/2], http.StatusBadRequest},
		{"truncated.png", "image/png", png[:len(png)/3], http.StatusBadRequest},
		{"svg type", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), http.StatusUnsupportedMediaType},
	} {
		code, body = rawCall(t, http.MethodPut, posterURL, tc.ct, tc.body)
		require.Equal(t, tc.status, code, "%s: %s", tc.name, body)
		var e struct{ Error struct{ Message string } }
		require.NoError(t, json.Unmarshal(body, &e), tc.name)
		require.NotEmpty(t, e.Error.Message, tc.name)
		if tc.ct != "image/svg+xml" && len(tc.body) < 1<<20 {
			code, body = multipartCall(t, posterURL, tc.name, tc.body)
			require.Equal(t, tc.status, code, "multipart %s: %s", tc.name, body)
		}
	}
	require.Len(t, postersIn(t, data, id), 1, "nothing stored")
	require.Equal(t, pathOf(t, chosen), pathOf(t, posterOf(t, s.base, id).Playback.Poster))

	// Back to the pipeline's poster.
	code, body = rawCall(t, http.MethodDelete, posterURL, "", nil)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Contains(t, posterOf(t, s.base, id).Playback.Poster, "/poster.jpg?")
	require.Empty(t, postersIn(t, data, id))
}

func pathOf(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	return p.Path
}

// multipartCall sends data as the file of a multipart form, by default a
// PUT of the field "image"; method and field may follow.
func multipartCall(t *testing.T, u, filename string, data []byte, methodField ...string) (int, []byte) {
	t.Helper()
	method, field := http.MethodPut, "image"
	if len(methodField) == 2 {
		method, field = methodField[0], methodField[1]
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, filename)
	require.NoError(t, err)
	_, _ = fw.Write(data)
	require.NoError(t, mw.Close())
	return rawCall(t, method, u, mw.FormDataContentType(), b.Bytes())
}
