//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestAddedAudioTrack (#14): through the binary, an audio file added to a
// ready video is refused when its length differs, else encoded by a
// durable job and listed in the signed master playlist and MPD with its
// language; the rendition plays (signed playlist and segments), and
// deleting it takes it out again.
func TestAddedAudioTrack(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	s := start(t, bin, t.TempDir())
	id := createAndPut(t, s.base, testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 4}))
	waitStatus(t, s.base, id, "ready", 3*time.Minute)
	audioURL := s.base + "/api/v1/videos/" + id + "/audio"

	long, err := os.ReadFile(testutil.MakeClip(t, testutil.ClipOptions{Seconds: 10, Format: "m4a"}))
	require.NoError(t, err)
	code, body := rawCall(t, http.MethodPost, audioURL+"?language=de&name=Deutsch", "audio/mp4", long)
	require.Equal(t, http.StatusBadRequest, code, string(body))
	require.Contains(t, string(body), "The audio lasts 10.0 s but the video 4.0 s")
	code, body = rawCall(t, http.MethodPost, audioURL+"?language=de", "audio/mp4", []byte("<svg onload=alert(1)>"))
	require.Equal(t, http.StatusBadRequest, code, string(body))
	code, body = rawCall(t, http.MethodPost, audioURL+"?language=%22x", "audio/mp4", long)
	require.Equal(t, http.StatusBadRequest, code, string(body))

	de, err := os.ReadFile(testutil.MakeClip(t, testutil.ClipOptions{Seconds: 4, Format: "m4a"}))
	require.NoError(t, err)
	code, body = multipartCall(t, audioURL+"?language=de&name=Deutsch", "de.m4a", de, http.MethodPost, "file")
	require.Equal(t, http.StatusCreated, code, string(body))
	var track struct{ ID, Status, Error, Language, Name string }
	require.NoError(t, json.Unmarshal(body, &track))
	require.Equal(t, "processing", track.Status)
	deadline := time.Now().Add(2 * time.Minute)
	for track.Status == "processing" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		var list struct {
			Audio []struct{ ID, Status, Error string }
		}
		require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, audioURL, nil, &list))
		require.Len(t, list.Audio, 1)
		track.Status, track.Error = list.Audio[0].Status, list.Audio[0].Error
	}
	require.Equal(t, "ready", track.Status, track.Error)

	var v struct{ Playback struct{ HLS, DASH string } }
	require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, s.base+"/api/v1/videos/"+id, nil, &v))
	st, _, master := fetchURL(t, v.Playback.HLS)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, string(master), `LANGUAGE="de",NAME="Deutsch"`)
	var uri string
	for _, line := range strings.Split(string(master), "\n") {
		if strings.Contains(line, `LANGUAGE="de"`) {
			_, rest, _ := strings.Cut(line, `URI="`)
			uri, _, _ = strings.Cut(rest, `"`)
		}
	}
	require.Contains(t, uri, track.ID+"/index.m3u8?token=", "signed like every other child URL")
	base := v.Playback.HLS[:strings.Index(v.Playback.HLS, "master.m3u8")]
	st, _, pl := fetchURL(t, base+uri)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, string(pl), "#EXT-X-MAP:URI=")
	st, _, mpd := fetchURL(t, v.Playback.DASH)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, string(mpd), `lang="de"`)

	code, body = rawCall(t, http.MethodDelete, audioURL+"/"+track.ID, "", nil)
	require.Equal(t, http.StatusNoContent, code, string(body))
	// Delivery serves a cached manifest for up to a second after it changed.
	require.Eventually(t, func() bool {
		_, _, master = fetchURL(t, v.Playback.HLS)
		st, _, _ = fetchURL(t, base+uri)
		return !strings.Contains(string(master), `LANGUAGE="de"`) && st == http.StatusNotFound
	}, 10*time.Second, 100*time.Millisecond, "the track is gone from the master playlist and its playlist is 404")
	require.Contains(t, string(master), `NAME="Stereo"`, "the source's audio stays")
}
