package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/caption"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/manifest"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// makeSubtitledMKV writes a 5 s mkv with a SubRip stream (English, hearing
// impaired), an ASS stream (French, titled) and two chapters.
func makeSubtitledMKV(t *testing.T) string {
	t.Helper()
	testutil.RequireFFmpeg(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	srt := write("en.srt", "1\n00:00:00,500 --> 00:00:02,000\nHello <i>world</i>\n\n2\n00:00:02,500 --> 00:00:04,500\nSpans a segment & more\n")
	ass := write("fr.ass", "[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\n"+
		"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"+
		"Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1\n\n[Events]\n"+
		"Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"+
		"Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,{\\b1}Bonjour{\\b0} le monde\\Nligne deux\n")
	chapters := write("chapters.txt", ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=Opening\n"+
		"[CHAPTER]\nTIMEBASE=1/1000\nSTART=2000\nEND=5000\ntitle=The <b>end</b>\n")
	out := filepath.Join(dir, "subs.mkv")
	cmd := exec.Command("ffmpeg", "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=5", "-f", "lavfi", "-i", "sine=duration=5",
		"-i", srt, "-i", ass, "-i", chapters,
		"-map", "0", "-map", "1", "-map", "2", "-map", "3", "-map_chapters", "4",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac", "-c:s:0", "srt", "-c:s:1", "ass",
		"-metadata:s:s:0", "language=eng", "-disposition:s:0", "hearing_impaired",
		"-metadata:s:s:1", "language=fre", "-metadata:s:s:1", "title=Français (ASS)", out)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))
	return out
}

// TestSourceSubtitlesAndChapters: an mkv's SubRip and ASS streams become
// WebVTT tracks in an HLS SUBTITLES group and DASH text sets, its chapters
// a chapters track; adding and removing a track after ready republishes
// the manifests and nothing else.
func TestSourceSubtitlesAndChapters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 2, 2 })
	v := b.process(t, makeSubtitledMKV(t))
	require.Equal(t, media.StatusReady, v.Status, v.Error)

	tracks, err := b.cat.TextTracks(ctx, v.ID)
	require.NoError(t, err)
	require.Len(t, tracks, 2)
	require.Equal(t, []string{"en", "English", media.TextCaptions, media.OriginSource}, []string{tracks[0].Language, tracks[0].Label, tracks[0].Kind, tracks[0].Origin})
	require.Equal(t, []string{"fr", "Français (ASS)", media.TextSubtitles}, []string{tracks[1].Language, tracks[1].Label, tracks[1].Kind})
	chapters, origin, err := b.cat.Chapters(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, []media.Chapter{{Start: 0, Title: "Opening"}, {Start: 2, Title: "The <b>end</b>"}}, chapters)
	require.Equal(t, media.OriginSource, origin)

	mediaDir := filepath.Join(b.dir, "media", v.ID)
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(mediaDir, name))
		require.NoError(t, err)
		return string(data)
	}
	master := read("master.m3u8")
	require.Equal(t, 2, strings.Count(master, "TYPE=SUBTITLES"), master)
	require.Contains(t, master, `NAME="Français (ASS)",LANGUAGE="fr"`)
	require.Equal(t, strings.Count(master, "#EXT-X-STREAM-INF"), strings.Count(master, `SUBTITLES="subs"`))
	mpd := read("manifest.mpd")
	require.Equal(t, 2, strings.Count(mpd, `contentType="text"`))
	require.Contains(t, mpd, "<BaseURL>"+tracks[0].Dir()+"/all.vtt</BaseURL>")

	// The subtitle playlist lines up with the video's segments.
	video, err := manifest.ParseMediaPlaylist(strings.NewReader(read("v0/index.m3u8")))
	require.NoError(t, err)
	subs, err := manifest.ParseMediaPlaylist(strings.NewReader(read(tracks[0].Dir() + "/index.m3u8")))
	require.NoError(t, err)
	require.Equal(t, len(video.Segments), len(subs.Segments))
	require.InDelta(t, video.Duration(), subs.Duration(), 0.01)
	var seen []string
	for _, s := range subs.Segments {
		cues, err := caption.Parse([]byte(read(tracks[0].Dir() + "/" + s.URI)))
		require.NoError(t, err)
		for _, c := range cues {
			seen = append(seen, c.Text)
		}
	}
	require.Contains(t, seen, "Hello <i>world</i>")
	require.Contains(t, seen, "Spans a segment &amp; more")
	whole, err := caption.Parse([]byte(read(tracks[0].Dir() + "/all.vtt")))
	require.NoError(t, err)
	require.Len(t, whole, 2)
	require.InDelta(t, 0.5, whole[0].Start, 0.05)
	fr := read(tracks[1].Dir() + "/all.vtt")
	require.Contains(t, fr, "<b>Bonjour</b> le monde\nligne deux", "ASS styling becomes plain WebVTT")
	require.Contains(t, read(ChaptersFile), "00:00:02.000 --> "+caption.Timestamp(v.Duration)+"\nThe &lt;b&gt;end&lt;/b&gt;")

	// After ready: an uploaded track joins, a source track goes; the
	// renditions are not touched.
	before, err := os.Stat(filepath.Join(mediaDir, "v0", "init.mp4"))
	require.NoError(t, err)
	up, err := b.cat.AddTextTrack(ctx, v.ID, catalog.NewTextTrack{Language: "de", Label: "Deutsch", Kind: media.TextSubtitles,
		Origin: media.OriginUpload, Cues: 1, Body: caption.WriteVTT([]caption.Cue{{Start: 1, End: 2, Text: "Hallo"}})})
	require.NoError(t, err)
	require.NoError(t, b.cat.DeleteTextTrack(ctx, v.ID, tracks[1].ID))
	require.NoError(t, b.cat.SetChapters(ctx, v.ID, []media.Chapter{{Start: 1, Title: "Mine"}}))
	require.NoError(t, b.pipes[0].RefreshText(ctx, v.ID))
	master = read("master.m3u8")
	require.Equal(t, 2, strings.Count(master, "TYPE=SUBTITLES"), master)
	require.Contains(t, master, `NAME="Deutsch",LANGUAGE="de"`)
	require.NotContains(t, master, "Français")
	require.NotContains(t, read("manifest.mpd"), tracks[1].Dir())
	require.Contains(t, read("manifest.mpd"), up.Dir()+"/all.vtt")
	require.NoDirExists(t, filepath.Join(mediaDir, tracks[1].Dir()), "a removed track's files go")
	require.Contains(t, read(up.Dir()+"/all.vtt"), "Hallo")
	require.Contains(t, read(ChaptersFile), "Mine")
	after, err := os.Stat(filepath.Join(mediaDir, "v0", "init.mp4"))
	require.NoError(t, err)
	require.Equal(t, before.ModTime(), after.ModTime(), "no re-encode, no repackage")
	require.True(t, bytes.HasPrefix([]byte(read("master.m3u8")), []byte("#EXTM3U\n")))
	_, subtitles := validateManifests(t, mediaDir)
	require.Equal(t, 2, subtitles)
}

// TestExtractTextFormats: mov_text in mp4 and WebVTT in mkv come out as
// clean WebVTT tracks; bitmap-free files without subtitles give none.
func TestExtractTextFormats(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	ctx := context.Background()
	dir := t.TempDir()
	srt := filepath.Join(dir, "in.srt")
	require.NoError(t, os.WriteFile(srt, []byte("1\n00:00:00,500 --> 00:00:01,500\nA <b>bold</b> & <script>x</script> cue\n"), 0o644))
	mux := func(name, codec string) string {
		out := filepath.Join(dir, name)
		b, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=2",
			"-i", srt, "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast", "-c:s", codec,
			"-metadata:s:s:0", "language=ger", out).CombinedOutput()
		require.NoError(t, err, string(b))
		return out
	}
	b := setup(t, 1, nil)
	for _, src := range []string{mux("movtext.mp4", "mov_text"), mux("webvtt.mkv", "webvtt")} {
		tracks, _, err := b.pipes[0].extractText(ctx, Ref{VideoID: "x", Run: 1}, src, t.TempDir(), 2)
		require.NoError(t, err)
		require.Len(t, tracks, 1, src)
		require.Equal(t, "de", tracks[0].Language)
		require.Equal(t, "Deutsch", tracks[0].Label)
		cues, err := caption.Parse(tracks[0].Body)
		require.NoError(t, err)
		require.Len(t, cues, 1, src)
		require.InDelta(t, 0.5, cues[0].Start, 0.05)
		require.NotContains(t, string(tracks[0].Body), "<script>", src)
		require.Contains(t, caption.PlainText(cues[0].Text), "bold", src)
	}
	none, chapters, err := b.pipes[0].extractText(ctx, Ref{VideoID: "x", Run: 1}, testutil.MakeClip(t, testutil.ClipOptions{}), t.TempDir(), 2)
	require.NoError(t, err)
	require.Empty(t, none)
	require.Empty(t, chapters)
}

// TestRefreshTextAfterDelete: a video deleted while its captions are being
// republished (the delete's sweep ran before the manifest write) keeps no
// files in the store.
func TestRefreshTextAfterDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 1, nil)
	v := b.process(t, testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	mediaDir := filepath.Join(b.dir, "media", v.ID)
	require.FileExists(t, filepath.Join(mediaDir, "master.m3u8"))

	b.store.beforePut = func(ctx context.Context, key string, _ []byte) error {
		if key != mediaPrefix(v.ID)+"master.m3u8" {
			return nil
		}
		b.store.beforePut = nil // the API's delete, between RefreshText's read and its write
		if err := b.cat.DeleteVideo(ctx, v.ID); err != nil {
			return err
		}
		return b.store.DeletePrefix(ctx, mediaPrefix(v.ID))
	}
	// The publish job's own refresh may still be running and meet the
	// delete first; then the track or this call finds no video.
	_, err := b.cat.AddTextTrack(ctx, v.ID, catalog.NewTextTrack{Language: "en", Label: "English", Kind: media.TextSubtitles,
		Origin: media.OriginUpload, Cues: 1, Body: caption.WriteVTT([]caption.Cue{{Start: 0.5, End: 1, Text: "Hi"}})})
	if err != nil {
		_, gone := b.cat.Video(ctx, v.ID)
		require.ErrorIs(t, gone, media.ErrNotFound, "adding the track: %v", err)
	} else if err := b.pipes[0].RefreshText(ctx, v.ID); !errors.Is(err, media.ErrNotFound) {
		require.NoError(t, err)
	}
	testutil.PollUntil(t, 10*time.Second, "nothing of a deleted video stays in the store", func() bool {
		_, err := os.Stat(mediaDir)
		return os.IsNotExist(err)
	})
}
