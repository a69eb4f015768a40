package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestVOD uploads one file per kind of source and checks the published
// output with ffprobe: every rendition decodes, nothing is upscaled, the
// aspect ratio holds, segments line up across renditions and durations match.
func TestVOD(t *testing.T) {
	t.Parallel()
	s := setup(t)
	cases := []struct {
		name          string
		clip          testutil.ClipOptions
		kind          string
		displayW      int
		displayH      int
		videoRungs    int
		audioRungs    int
		audioChannels int
	}{
		{"landscape", testutil.ClipOptions{Width: 640, Height: 360, Seconds: 5}, "video", 640, 360, 2, 1, 2},
		{"portrait", testutil.ClipOptions{Width: 640, Height: 360, Seconds: 3, Rotate: 90}, "video", 360, 640, 2, 1, 2},
		{"anamorphic", testutil.ClipOptions{Width: 320, Height: 360, Seconds: 3, SAR: "2:1"}, "video", 640, 360, 2, 1, 2},
		{"audio only", testutil.ClipOptions{Format: "mp3", Seconds: 4}, "audio", 0, 0, 0, 2, 2},
		{"video without audio", testutil.ClipOptions{Width: 320, Height: 180, Seconds: 3, Video: true}, "video", 320, 180, 1, 0, 0},
		{"surround mkv", testutil.ClipOptions{Width: 320, Height: 240, Seconds: 3, Format: "mkv", AudioChannels: 6}, "video", 320, 240, 1, 2, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := testutil.MakeClip(t, tc.clip)
			v := s.uploadAndWait(tc.name, src)
			require.Equal(t, "ready", v.Status, v.Error)
			require.Equal(t, tc.kind, v.Kind)
			require.Equal(t, tc.displayW, v.Width)
			require.Equal(t, tc.displayH, v.Height)
			require.NotNil(t, v.Playback)

			var videos, audios int
			for _, r := range v.Renditions {
				if r.Type == "video" {
					videos++
					require.LessOrEqual(t, r.Width*r.Height, tc.displayW*tc.displayH, "no upscaling")
					require.InDelta(t, float64(tc.displayW)/float64(tc.displayH), float64(r.Width)/float64(r.Height), 0.02, "aspect kept")
					require.True(t, strings.HasPrefix(r.Codecs, "avc1.64"), "H.264 High: %s", r.Codecs)
				} else {
					audios++
					require.Equal(t, "mp4a.40.2", r.Codecs)
				}
			}
			require.Equal(t, tc.videoRungs, videos)
			require.Equal(t, tc.audioRungs, audios)

			checkPlayback(t, v, tc.audioChannels)
			if tc.kind == "video" {
				code, _ := get(t, v.Playback.Poster)
				require.Equal(t, http.StatusOK, code)
				code, vtt := get(t, v.Playback.Storyboard)
				require.Equal(t, http.StatusOK, code)
				require.Contains(t, string(vtt), "storyboard.jpg?token="+tokenOf(v.Playback.Storyboard)+"#xywh=")
			} else {
				require.Empty(t, v.Playback.Poster)
			}
		})
	}
}

var uriAttr = regexp.MustCompile(`URI="([^"]+)"`)

// checkPlayback walks the signed HLS master to every segment, then checks the
// DASH manifest references the same files.
func checkPlayback(t *testing.T, v video, wantChannels int) {
	token := tokenOf(v.Playback.HLS)
	code, master := get(t, v.Playback.HLS)
	require.Equal(t, http.StatusOK, code)
	base := dirOf(v.Playback.HLS)

	var children []string
	for _, line := range strings.Split(string(master), "\n") {
		if m := uriAttr.FindStringSubmatch(line); m != nil {
			children = append(children, m[1])
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			children = append(children, line)
		}
	}
	require.NotEmpty(t, children)
	durations := map[string][]string{}
	for _, child := range children {
		require.True(t, strings.HasSuffix(child, "?token="+token), "child URL carries the token: %s", child)
		rid := strings.Split(child, "/")[0]
		file, extinf := downloadRendition(t, base+child)
		p := ffprobe(t, file)
		require.InDelta(t, v.Duration, p.Duration, 0.15, "%s duration", rid)
		if strings.HasPrefix(rid, "v") {
			var r = findRendition(v, rid)
			require.Equal(t, [2]int{r.Width, r.Height}, [2]int{p.Width, p.Height}, rid)
			// Keyframes sit exactly on segment boundaries, so players can switch.
			var at float64
			var bounds []float64
			for _, d := range extinf {
				bounds = append(bounds, at)
				f, _ := strconv.ParseFloat(d, 64)
				at += f
			}
			require.Len(t, p.Keyframes, len(bounds), "%s: one keyframe per segment", rid)
			for i := range bounds {
				require.InDelta(t, bounds[i], p.Keyframes[i]-p.Keyframes[0], 0.001, "%s keyframe %d", rid, i)
			}
			durations["video"] = append(durations["video"], strings.Join(extinf, ","))
		} else {
			want := min(wantChannels, 2) // a0 is the stereo (or mono) downmix
			if rid != "a0" && v.Kind == "video" {
				want = wantChannels // the original surround layout
			}
			require.Equal(t, want, p.Channels, "%s channels", rid)
		}
	}
	for _, d := range durations["video"] {
		require.Equal(t, durations["video"][0], d, "segment boundaries identical across renditions")
	}

	code, mpd := get(t, v.Playback.DASH)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(mpd), `$Number%05d$.m4s?token=`+token)
	for _, r := range v.Renditions {
		require.Contains(t, string(mpd), `id="`+r.ID+`"`)
	}
}

func findRendition(v video, id string) struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Codecs string `json:"codecs"`
} {
	for _, r := range v.Renditions {
		if r.ID == id {
			return r
		}
	}
	return v.Renditions[0]
}

// downloadRendition fetches a media playlist, its init section and every
// segment into one fMP4 file, returning it and the EXTINF durations.
func downloadRendition(t *testing.T, playlistURL string) (string, []string) {
	code, body := get(t, playlistURL)
	require.Equal(t, http.StatusOK, code)
	base := dirOf(playlistURL)
	var out bytes.Buffer
	var extinf []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			m := uriAttr.FindStringSubmatch(line)
			require.NotNil(t, m)
			code, data := get(t, base+m[1])
			require.Equal(t, http.StatusOK, code)
			out.Write(data)
		case strings.HasPrefix(line, "#EXTINF:"):
			extinf = append(extinf, strings.TrimSuffix(strings.TrimPrefix(line, "#EXTINF:"), ","))
		case line != "" && !strings.HasPrefix(line, "#"):
			code, data := get(t, base+line)
			require.Equal(t, http.StatusOK, code, line)
			out.Write(data)
		}
	}
	require.NotEmpty(t, extinf)
	f := filepath.Join(t.TempDir(), "rendition.mp4")
	require.NoError(t, os.WriteFile(f, out.Bytes(), 0o600))
	return f, extinf
}
