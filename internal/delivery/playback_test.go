package delivery

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
	"github.com/stretchr/testify/require"
)

func TestPlaybackURLs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pb, err := PlaybackURLs("http://host:8080/", b.keys, videoID, media.KindVideo, time.Hour+500*time.Millisecond, b.now)
	require.NoError(t, err)
	require.Equal(t, b.now.Add(time.Hour).UTC(), pb.ExpiresAt)

	for name, raw := range map[string]string{"hls": pb.HLS, "dash": pb.DASH, "poster": pb.Poster, "storyboard": pb.Storyboard} {
		u, err := url.Parse(raw)
		require.NoError(t, err, name)
		require.Equal(t, "host:8080", u.Host)
		require.True(t, strings.HasPrefix(u.Path, "/media/"+videoID+"/"), u.Path)
		c, err := b.keys.Verify(u.Query().Get("token"), auth.PurposePlay, b.now)
		require.NoError(t, err, name)
		require.Equal(t, videoID, c.VideoID)

		// The handler accepts exactly what PlaybackURLs hands out.
		w := b.get(u.RequestURI())
		require.Equal(t, http.StatusOK, w.Code, name)
	}
	require.True(t, strings.HasSuffix(pb.HLS[:strings.Index(pb.HLS, "?")], "/master.m3u8"))
	require.True(t, strings.HasSuffix(pb.DASH[:strings.Index(pb.DASH, "?")], "/manifest.mpd"))

	audio, err := PlaybackURLs("http://host", b.keys, videoID, media.KindAudio, time.Minute, b.now)
	require.NoError(t, err)
	require.Empty(t, audio.Poster)
	require.Empty(t, audio.Storyboard)
	require.NotEmpty(t, audio.HLS)

	_, err = PlaybackURLs("http://host", b.keys, "../x", media.KindVideo, time.Minute, b.now)
	require.Error(t, err)
	_, err = PlaybackURLs("http://host", b.keys, videoID, media.KindVideo, 0, b.now)
	require.Error(t, err)

	// After expiry the same URLs stop working.
	b.now = b.now.Add(2 * time.Hour)
	u, _ := url.Parse(pb.HLS)
	require.Equal(t, http.StatusForbidden, b.get(u.RequestURI()).Code)
}
