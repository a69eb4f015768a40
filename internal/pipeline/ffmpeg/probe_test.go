package ffmpeg

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/stretchr/testify/require"
)

func TestProbe(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	tests := []struct {
		name  string
		opts  testutil.ClipOptions
		check func(t *testing.T, s media.Source)
	}{
		{"landscape mp4", testutil.ClipOptions{Width: 320, Height: 180, Seconds: 1}, func(t *testing.T, s media.Source) {
			require.True(t, s.HasVideo)
			require.True(t, s.HasAudio)
			require.Equal(t, "h264", s.VideoCodec)
			require.Equal(t, [2]int{320, 180}, [2]int{s.Width, s.Height})
			require.Equal(t, [2]int{30, 1}, [2]int{s.FPSNum, s.FPSDen})
			require.Equal(t, "aac", s.AudioCodec)
			require.Equal(t, 2, s.AudioChannels)
			require.Equal(t, 48000, s.AudioSampleRate)
			require.Contains(t, s.Format, "mp4")
			require.InDelta(t, 1.0, s.Duration, 0.1)
			require.Positive(t, s.Size)
			require.Zero(t, s.Rotation)
		}},
		{"portrait by rotation metadata", testutil.ClipOptions{Width: 320, Height: 180, Seconds: 1, Rotate: 90}, func(t *testing.T, s media.Source) {
			require.Equal(t, [2]int{180, 320}, [2]int{s.Width, s.Height})
			require.Contains(t, []int{90, 270}, s.Rotation)
		}},
		{"portrait pixels", testutil.ClipOptions{Width: 180, Height: 320, Seconds: 1, Video: true}, func(t *testing.T, s media.Source) {
			require.Equal(t, [2]int{180, 320}, [2]int{s.Width, s.Height})
			require.False(t, s.HasAudio)
		}},
		{"anamorphic", testutil.ClipOptions{Width: 160, Height: 180, Seconds: 1, SAR: "2:1", Video: true}, func(t *testing.T, s media.Source) {
			require.Equal(t, [2]int{320, 180}, [2]int{s.Width, s.Height})
		}},
		{"video only mkv 25fps", testutil.ClipOptions{Width: 160, Height: 90, FPS: 25, Seconds: 1, Video: true, Format: "mkv"}, func(t *testing.T, s media.Source) {
			require.True(t, s.HasVideo)
			require.False(t, s.HasAudio)
			require.Equal(t, 25.0, s.FPS())
			require.Contains(t, s.Format, "matroska")
			require.InDelta(t, 1.0, s.Duration, 0.1)
		}},
		{"mp3", testutil.ClipOptions{Format: "mp3", Seconds: 1}, audioOnly("mp3")},
		{"m4a", testutil.ClipOptions{Format: "m4a", Seconds: 1}, audioOnly("aac")},
		{"wav mono", testutil.ClipOptions{Format: "wav", Seconds: 1, AudioChannels: 1}, func(t *testing.T, s media.Source) {
			audioOnly("pcm_s16le")(t, s)
			require.Equal(t, 1, s.AudioChannels)
		}},
		{"flac", testutil.ClipOptions{Format: "flac", Seconds: 1}, audioOnly("flac")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := r.Probe(context.Background(), testutil.MakeClip(t, tt.opts))
			require.NoError(t, err)
			tt.check(t, s)
		})
	}
}

func audioOnly(codec string) func(t *testing.T, s media.Source) {
	return func(t *testing.T, s media.Source) {
		require.False(t, s.HasVideo)
		require.True(t, s.HasAudio)
		require.Equal(t, codec, s.AudioCodec)
		require.InDelta(t, 1.0, s.Duration, 0.1)
		require.Equal(t, media.KindAudio, s.Kind())
	}
}

func TestProbeSkipsCoverArt(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	path := filepath.Join(t.TempDir(), "cover.mp3")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1",
		"-f", "lavfi", "-i", "testsrc2=size=64x64:duration=0.04", "-map", "0:a", "-map", "1:v", "-frames:v", "1",
		"-c:v", "mjpeg", "-disposition:v", "attached_pic", "-c:a", "libmp3lame", path).CombinedOutput()
	require.NoError(t, err, string(out))
	s, err := r.Probe(context.Background(), path)
	require.NoError(t, err)
	require.False(t, s.HasVideo, "cover art is not video")
	require.True(t, s.HasAudio)
}

func TestProbeRejects(t *testing.T) {
	t.Parallel()
	r := newTestRunner(t)
	write := func(t *testing.T, name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	tests := []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"random bytes", func(t *testing.T) string { return testutil.MakeCorrupt(t) }, "not a media file"},
		{"truncated mp4", func(t *testing.T) string { return testutil.MakeTruncated(t) }, "incomplete"},
		{"hls playlist with local file", func(t *testing.T) string {
			return write(t, "evil.mp4", "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
		}, "Playlists"},
		{"hls playlist m3u8", func(t *testing.T) string {
			return write(t, "evil.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nhttp://169.254.169.254/latest/meta-data/\n#EXT-X-ENDLIST\n")
		}, "Playlists"},
		{"ffconcat of a real clip", func(t *testing.T) string {
			clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 64, Height: 64, Seconds: 1})
			return write(t, "list.mp4", "ffconcat version 1.0\nfile '"+clip+"'\nfile '/etc/passwd'\n")
		}, "Playlists"},
		{"playlist ffmpeg does not recognise", func(t *testing.T) string {
			return write(t, "odd.m3u8", "#EXTM3U\n#EXTINF:10.0,\nhttp://169.254.169.254/\n")
		}, "not a media file"},
		{"text file", func(t *testing.T) string { return write(t, "notes.txt", "hello\n") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := r.Probe(context.Background(), tt.path(t))
			var ie *media.InputError
			require.ErrorAs(t, err, &ie)
			require.True(t, errors.Is(err, media.ErrInvalid))
			require.Contains(t, ie.Reason, tt.want)
			require.NotContains(t, ie.Reason, "root:", "no file content leaks")
			require.NotContains(t, ie.Reason, "0x", "no technical detail in the reason")
		})
	}
}

func TestProbeMissingBinary(t *testing.T) {
	t.Parallel()
	for _, limit := range []int64{0, 3 << 30} { // started directly, and through prlimit
		r := NewRunner("", filepath.Join(t.TempDir(), "no-ffprobe"), nil)
		r.MemoryLimit = limit
		_, err := r.Probe(context.Background(), "/nonexistent")
		require.Error(t, err)
		var ie *media.InputError
		require.False(t, errors.As(err, &ie), "a broken installation is not the uploader's fault: %v", err)
	}
}

func TestDisplaySize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		w, h      int
		sar       string
		rot       int
		wantW, h2 int
	}{
		{1920, 1080, "1:1", 0, 1920, 1080},
		{1920, 1080, "", 90, 1080, 1920},
		{1920, 1080, "1:1", 270, 1080, 1920},
		{1920, 1080, "1:1", 180, 1920, 1080},
		{720, 576, "16:15", 0, 768, 576},
		{720, 480, "8:9", 0, 640, 480},
		{1440, 1080, "4:3", 90, 1080, 1920},
		{720, 576, "0:1", 0, 720, 576},
	}
	for _, tt := range tests {
		w, h := displaySize(tt.w, tt.h, tt.sar, tt.rot)
		require.Equal(t, [2]int{tt.wantW, tt.h2}, [2]int{w, h}, "%+v", tt)
	}
}

func TestParseProbe(t *testing.T) {
	t.Parallel()
	s, err := parseProbe([]byte(`{"streams":[
		{"codec_type":"video","codec_name":"mjpeg","width":600,"height":600,"disposition":{"attached_pic":1}},
		{"codec_type":"video","codec_name":"hevc","width":1920,"height":1080,"coded_width":1920,"coded_height":1088,"avg_frame_rate":"0/0","r_frame_rate":"30000/1001","duration":"12.5",
		 "tags":{"rotate":"-90"}},
		{"codec_type":"audio","codec_name":"opus","channels":6,"sample_rate":"48000","duration":"12.0"}],
		"format":{"format_name":"matroska,webm","size":"1234"}}`))
	require.NoError(t, err)
	require.Equal(t, media.Source{Format: "matroska,webm", Duration: 12.5, Size: 1234, Streams: 3,
		HasVideo: true, VideoCodec: "hevc", Width: 1080, Height: 1920, FPSNum: 30000, FPSDen: 1001, Rotation: 270,
		CodedWidth: 1920, CodedHeight: 1088, // stored landscape: rotation is for display only
		HasAudio: true, AudioCodec: "opus", AudioChannels: 6, AudioSampleRate: 48000,
		AudioTracks: []media.AudioTrack{{Codec: "opus", Channels: 6, SampleRate: 48000, Default: true}}}, s)
}

// TestParseProbeAudioTracks: every audio stream is listed with its
// language (normalized, whatever the tag's case), a cleaned title and the
// default flag; the Audio* fields describe the default stream.
func TestParseProbeAudioTracks(t *testing.T) {
	t.Parallel()
	s, err := parseProbe([]byte(`{"streams":[
		{"codec_type":"video","codec_name":"h264","width":320,"height":240,"avg_frame_rate":"25/1"},
		{"codec_type":"audio","codec_name":"aac","channels":2,"sample_rate":"48000","tags":{"language":"eng"},"disposition":{"default":0}},
		{"codec_type":"audio","codec_name":"ac3","channels":6,"sample_rate":"44100","tags":{"LANGUAGE":"fre","title":" Version\nfran\u00e7aise \"VF\" "},"disposition":{"default":1}},
		{"codec_type":"audio","codec_name":"aac","channels":1,"sample_rate":"22050","tags":{"language":"und"}}],
		"format":{"format_name":"matroska,webm","duration":"3"}}`))
	require.NoError(t, err)
	require.Equal(t, []media.AudioTrack{
		{Index: 0, Codec: "aac", Channels: 2, SampleRate: 48000, Language: "en"},
		{Index: 1, Codec: "ac3", Channels: 6, SampleRate: 44100, Language: "fr", Title: "Version française VF", Default: true},
		{Index: 2, Codec: "aac", Channels: 1, SampleRate: 22050},
	}, s.AudioTracks)
	require.Equal(t, "ac3", s.AudioCodec)
	require.Equal(t, 6, s.AudioChannels)
	require.Equal(t, 44100, s.AudioSampleRate)
}

// TestParseProbeLargestVideoStream: the coded size the limits see is the
// largest of every video stream, since the chunk encode takes the first
// video stream and the poster the largest, whichever parseProbe describes.
func TestParseProbeLargestVideoStream(t *testing.T) {
	t.Parallel()
	s, err := parseProbe([]byte(`{"streams":[
		{"codec_type":"video","codec_name":"h264","width":320,"height":180,"avg_frame_rate":"30/1"},
		{"codec_type":"video","codec_name":"h264","width":16000,"height":16000,"sample_aspect_ratio":"1:64"}],
		"format":{"format_name":"matroska,webm","duration":"1"}}`))
	require.NoError(t, err)
	require.Equal(t, [2]int{320, 180}, [2]int{s.Width, s.Height})
	require.Equal(t, [2]int{16000, 16000}, [2]int{s.CodedWidth, s.CodedHeight})

	s, err = parseProbe([]byte(`{"streams":[
		{"codec_type":"audio","codec_name":"mp3","channels":2,"sample_rate":"44100"},
		{"codec_type":"video","codec_name":"mjpeg","width":5000,"height":5000,"disposition":{"attached_pic":1}}],
		"format":{"format_name":"mp3","duration":"1"}}`))
	require.NoError(t, err)
	require.False(t, s.HasVideo)
	require.Zero(t, s.CodedWidth, "cover art of an audio file is not decoded")
}
