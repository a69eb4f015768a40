package delivery

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAttachment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rel, name, want string }{
		{"download/video.mp4", "", `attachment; filename=video.mp4`},
		{"download/video.mp4", "My film", `attachment; filename="My film.mp4"`},
		{"download/audio.m4a", "Ma vidéo", `attachment; filename*=utf-8''Ma%20vid%C3%A9o.m4a`},
		{"download/video.mp4", `../../etc/"passwd"` + "\r\nX: y", `attachment; filename="_.._etc__passwd_X_ y.mp4"`},
		{"download/video.mp4", "a\u202egnp.exe", `attachment; filename=agnp.exe.mp4`},
		{"download/video.mp4", "...", `attachment; filename=video.mp4`},
		{"download/video.mp4", "title.mp4", `attachment; filename=title.mp4`},
	} {
		require.Equal(t, tc.want, attachment(tc.rel, tc.name), tc.name)
	}
}
