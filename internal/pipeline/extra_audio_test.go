package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/caption"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/testutil"
)

func waitAudioUpload(t *testing.T, b *bundle, videoID, id string) media.AudioUpload {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		a, err := b.cat.AudioUpload(context.Background(), videoID, id)
		require.NoError(t, err)
		if a.Status != media.AudioUploadProcessing {
			return a
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("audio track %s still processing", id)
	return media.AudioUpload{}
}

// hashDir hashes every file under dir by relative path.
func hashDir(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(data)
		return err
	}))
	return out
}

// TestAddAudio (#14): an audio file in another language added to a ready
// video becomes one more AAC rendition on the audio's segment grid, listed
// in the HLS audio group and as a DASH AdaptationSet with its language and
// name, without touching the video renditions or the captions already
// listed; a file of the wrong length or without audio is refused; a
// failed rewrite leaves the old manifests; deleting the track takes it out
// of both manifests before its files go.
func TestAddAudio(t *testing.T) {
	t.Parallel()
	b := setup(t, 1, nil)
	ctx := context.Background()
	p := b.pipes[0]
	v := b.process(t, testutil.MakeClip(t, testutil.ClipOptions{Seconds: 4}))
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	dir := filepath.Join(b.dir, "media", v.ID)

	// A caption published before: it must stay listed.
	vtt := "WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n"
	cues, err := caption.Parse([]byte(vtt))
	require.NoError(t, err)
	_, err = b.cat.AddTextTrack(ctx, v.ID, catalog.NewTextTrack{Language: "de", Label: "Deutsch", Kind: media.TextSubtitles,
		Origin: media.OriginUpload, Cues: len(cues), Body: caption.WriteVTT(cues)})
	require.NoError(t, err)
	require.NoError(t, p.RefreshText(ctx, v.ID))

	video := hashDir(t, filepath.Join(dir, "v0"))
	a0 := playlist(t, b, v.ID, "a0")

	// Refused at once: too long, no audio at all.
	long := testutil.MakeClip(t, testutil.ClipOptions{Seconds: 9, Format: "wav"})
	_, err = p.AddAudio(ctx, v.ID, "de", "Deutsch", long)
	var in *media.InputError
	require.True(t, errors.As(err, &in), "%v", err)
	require.Contains(t, in.Reason, "The audio lasts 9.0 s but the video 4.0 s")
	silent := testutil.MakeClip(t, testutil.ClipOptions{Seconds: 4, Video: true})
	_, err = p.AddAudio(ctx, v.ID, "de", "Deutsch", silent)
	require.True(t, errors.As(err, &in), "%v", err)
	require.Contains(t, in.Reason, "no audio")
	text := filepath.Join(t.TempDir(), "notes.mp3")
	require.NoError(t, os.WriteFile(text, []byte("<html>not audio</html>"), 0o644))
	_, err = p.AddAudio(ctx, v.ID, "de", "Deutsch", text)
	require.True(t, errors.As(err, &in), "%v", err)

	// A mono WAV of the right length.
	de := testutil.MakeClip(t, testutil.ClipOptions{Seconds: 4.3, Format: "wav", AudioChannels: 1})
	a, err := p.AddAudio(ctx, v.ID, "de", "Deutsch", de)
	require.NoError(t, err)
	require.Equal(t, media.AudioUploadProcessing, a.Status)
	a = waitAudioUpload(t, b, v.ID, a.ID)
	require.Equal(t, media.AudioUploadReady, a.Status, a.Error)
	require.Equal(t, a.ID, a.Rendition)

	v, err = b.cat.Video(ctx, v.ID)
	require.NoError(t, err)
	var added *media.Rendition
	for i := range v.Renditions {
		if v.Renditions[i].ID == a.ID {
			added = &v.Renditions[i]
		}
	}
	require.NotNil(t, added, "listed in the video's renditions")
	require.Equal(t, [5]any{media.KindAudio, "de", "Deutsch", 1, false}, [5]any{added.Type, added.Language, added.Name, added.Channels, added.Default})
	require.Equal(t, "mp4a.40.2", added.Codecs)

	pl := playlist(t, b, v.ID, a.ID)
	require.Equal(t, len(a0.Segments), len(pl.Segments), "the same segment grid as the source's audio")
	for i := range pl.Segments {
		require.InDelta(t, a0.Segments[i].Duration, pl.Segments[i].Duration, 0.05, "segment %d", i)
	}
	require.Equal(t, video, hashDir(t, filepath.Join(dir, "v0")), "the video is not re-encoded")
	require.Greater(t, maxVolume(t, filepath.Join(dir, a.ID)), -30.0, "the added tone")

	master, err := os.ReadFile(filepath.Join(dir, "master.m3u8"))
	require.NoError(t, err)
	require.Regexp(t, `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="de",NAME="Deutsch",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="1",URI="`+a.ID+`/index.m3u8"`, string(master))
	require.Contains(t, string(master), `TYPE=SUBTITLES`, "captions stay listed")
	mpd, err := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	require.NoError(t, err)
	sets := regexp.MustCompile(`<AdaptationSet [^>]*contentType="audio"[^>]*>`).FindAllString(string(mpd), -1)
	require.Len(t, sets, 2, string(mpd))
	require.Contains(t, sets[1], `lang="de"`)
	require.Contains(t, string(mpd), `contentType="text"`, "captions stay listed")
	require.Contains(t, string(mpd), a.ID+"/")

	// Both manifests stay valid with the added track, the source's track
	// and the captions.
	audio, subs := validateManifests(t, dir)
	require.Equal(t, [2]int{2, 1}, [2]int{audio, subs})

	// A rewrite that cannot be made leaves the old manifests as they were.
	err = p.republish(ctx, v.ID, func(rs []media.Rendition) []media.Rendition {
		return append(rs, media.Rendition{ID: "missing", Type: media.KindAudio, Language: "it", Bitrate: 1})
	})
	require.Error(t, err)
	again, _ := os.ReadFile(filepath.Join(dir, "master.m3u8"))
	require.Equal(t, master, again)
	againMPD, _ := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	require.Equal(t, mpd, againMPD)

	// Deleted: out of the manifests and the renditions, files gone.
	require.NoError(t, p.DeleteAudio(ctx, v.ID, a.ID))
	master, err = os.ReadFile(filepath.Join(dir, "master.m3u8"))
	require.NoError(t, err)
	require.NotContains(t, string(master), a.ID)
	require.Contains(t, string(master), `TYPE=SUBTITLES`)
	mpd, err = os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	require.NoError(t, err)
	require.NotContains(t, string(mpd), a.ID)
	audio, subs = validateManifests(t, dir)
	require.Equal(t, [2]int{1, 1}, [2]int{audio, subs})
	_, err = os.Stat(filepath.Join(dir, a.ID))
	require.True(t, os.IsNotExist(err), "files removed")
	v, err = b.cat.Video(ctx, v.ID)
	require.NoError(t, err)
	for _, r := range v.Renditions {
		require.NotEqual(t, a.ID, r.ID)
	}
	_, err = b.cat.AudioUpload(ctx, v.ID, a.ID)
	require.ErrorIs(t, err, media.ErrNotFound)
	_, err = b.store.Stat(ctx, audioUploadKey(v.ID, a.ID))
	require.ErrorIs(t, err, storage.ErrNotFound, "the stored upload is removed")
}
