package live

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

func TestPlanLadder(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig().Ladder // 720, 480, 360, 240
	cfg.SegmentSeconds = 2
	for _, tc := range []struct {
		name  string
		src   media.Source
		sizes []string
		gop   int
	}{
		{"1080p30 capped at 720", media.Source{HasVideo: true, HasAudio: true, Width: 1920, Height: 1080, FPSNum: 30, FPSDen: 1, AudioChannels: 2},
			[]string{"1280x720", "832x468", "640x360", "416x234"}, 60},
		{"360p input never upscaled", media.Source{HasVideo: true, Width: 640, Height: 360, FPSNum: 25, FPSDen: 1},
			[]string{"640x360", "416x234"}, 50},
		{"portrait", media.Source{HasVideo: true, Width: 720, Height: 1280, FPSNum: 30, FPSDen: 1},
			[]string{"720x1280", "468x832", "360x640", "234x416"}, 60},
		{"4:3 small", media.Source{HasVideo: true, Width: 320, Height: 240, FPSNum: 60, FPSDen: 1},
			[]string{"320x240"}, 120},
		{"odd 1366x768 ≈ 16:9", media.Source{HasVideo: true, Width: 1366, Height: 768, FPSNum: 30, FPSDen: 1},
			[]string{"1280x720", "832x468", "640x360", "416x234"}, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := PlanLadder(tc.src, cfg)
			require.NoError(t, err)
			var sizes []string
			for _, r := range l.Video {
				sizes = append(sizes, strings.Join([]string{itoa(r.Width), itoa(r.Height)}, "x"))
				require.Zero(t, r.Width%2+r.Height%2, "even sizes")
				require.Equal(t, l.Video[0].Width*r.Height, l.Video[0].Height*r.Width, "one exact aspect ratio for the DASH muxer")
			}
			require.Equal(t, tc.sizes, sizes)
			require.Equal(t, tc.gop, l.GOPFrames)
			require.Equal(t, tc.src.HasAudio, l.Audio != nil)
		})
	}
	_, err := PlanLadder(media.Source{}, cfg)
	require.Error(t, err)
}

func itoa(v int) string { return strconv.Itoa(v) }

func TestTranscodeArgs(t *testing.T) {
	t.Parallel()
	l, err := PlanLadder(media.Source{HasVideo: true, HasAudio: true, Width: 640, Height: 360, FPSNum: 30, FPSDen: 1, AudioChannels: 2},
		DefaultConfig().Ladder)
	require.NoError(t, err)
	args := strings.Join(TranscodeArgs(l, TranscodeSpec{InputFormat: "mpegts", Input: "/w/in.fifo", OutDir: "/o",
		SegmentSeconds: 2, WindowSegments: 30, Preset: "veryfast", PartSeconds: 0.2}), " ")
	for _, want := range []string{
		"-protocol_whitelist file", "-f mpegts -i file:/w/in.fifo",
		"[0:v:0]fps=30/1,scale=640:360,split=2[r0][n0];[r0]setsar=1,format=yuv420p[o0];[n0]scale=416:234,setsar=1,format=yuv420p[o1]",
		"-map [o0] -map [o1]", "-tune zerolatency", "-g 60 -keyint_min 60 -sc_threshold 0",
		"-force_key_frames expr:gte(t,n_forced*2)", "-map 0:a:0 -c:a aac",
		"-f dash -seg_duration 2", "-window_size 30", "-streaming 1 -frag_type duration -frag_duration 0.2", "-hls_playlist 1 -hls_master_name master.m3u8",
		"-adaptation_sets id=0,streams=v id=1,streams=a", "/o/manifest.mpd",
		"-extra_window_size 16777216", // every segment stays: the recording is made of them
	} {
		require.Contains(t, args, want)
	}
	require.NotContains(t, args, "-c copy", "the recording is the live segments, not a second output")
	audioOnly := strings.Join(TranscodeArgs(Ladder{Audio: l.Audio}, TranscodeSpec{InputFormat: "flv", Input: "i", OutDir: "o", SegmentSeconds: 2}), " ")
	require.NotContains(t, audioOnly, "filter_complex")
	require.Contains(t, audioOnly, "-streaming 0", "no parts: whole segments")
	require.Contains(t, audioOnly, "-adaptation_sets id=0,streams=a")
}

func TestParseStreamID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"publish:KEY": "KEY", "publish%3AKEY": "KEY", "#!::r=KEY,m=publish": "KEY", "#!::m=publish,r=KEY": "KEY",
		"KEY": "KEY", "#!::r=KEY,m=request": "", "play:KEY": "", "": "", "publish:": "",
	} {
		got, ok := parseStreamID(in)
		require.Equal(t, want != "", ok, in)
		require.Equal(t, want, got, in)
	}
}

func TestParseLivePath(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"/live/abc/master.m3u8": true, "/live/abc/seg_0_00001.m4s": true,
		"/live/abc/../x.m3u8": false, "/live/abc/%2e%2e/x": false, "/live/abc/.hidden.m4s": false,
		"/live/a.b/master.m3u8": false, "/live/abc/sub/x.m4s": false, "/live/abc/": false, "/media/abc/x.m4s": false,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		_, _, got := parseLivePath(u)
		require.Equal(t, ok, got, raw)
	}
}
