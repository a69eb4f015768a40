package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestAudioLanguages: a source with two audio languages, the second one
// flagged default, becomes two audio renditions: the default first (a0),
// each encoded from its own stream (the default one is silent, the other a
// tone), each with its language and name in the HLS audio group and its
// own DASH AdaptationSet.
func TestAudioLanguages(t *testing.T) {
	t.Parallel()
	b := setup(t, 1, nil)
	src := testutil.MakeLanguagesClip(t, 3,
		testutil.AudioLanguage{Language: "eng"},
		testutil.AudioLanguage{Language: "fre", Title: "Version française", Default: true, Silent: true})
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)

	var audio []media.Rendition
	for _, r := range v.Renditions {
		if r.Type == media.KindAudio {
			audio = append(audio, r)
		}
	}
	require.Len(t, audio, 2)
	require.Equal(t, "a0", audio[0].ID)
	require.Equal(t, [4]any{"fr", "Version française", true, 1}, [4]any{audio[0].Language, audio[0].Name, audio[0].Default, audio[0].Track})
	require.Equal(t, [4]any{"en", "English", false, 0}, [4]any{audio[1].Language, audio[1].Name, audio[1].Default, audio[1].Track})

	dir := filepath.Join(b.dir, "media", v.ID)
	require.Less(t, maxVolume(t, filepath.Join(dir, "a0")), -80.0, "a0 is the silent French stream")
	require.Greater(t, maxVolume(t, filepath.Join(dir, "a1")), -30.0, "a1 is the English tone")
	for _, id := range []string{"a0", "a1"} {
		require.InDelta(t, 3, playlist(t, b, v.ID, id).Duration(), 0.2, id)
	}

	master, err := os.ReadFile(filepath.Join(dir, "master.m3u8"))
	require.NoError(t, err)
	require.Contains(t, string(master), `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="fr",NAME="Version française",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="a0/index.m3u8"`)
	require.Contains(t, string(master), `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="a1/index.m3u8"`)
	mpd, err := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	require.NoError(t, err)
	sets := regexp.MustCompile(`<AdaptationSet [^>]*contentType="audio"[^>]*>\s*<Label>([^<]*)</Label>`).FindAllStringSubmatch(string(mpd), -1)
	require.Len(t, sets, 2, string(mpd))
	require.Contains(t, sets[0][0], `lang="fr"`)
	require.Contains(t, sets[0][0], `selectionPriority="2"`)
	require.Equal(t, "Version française", sets[0][1])
	require.Contains(t, sets[1][0], `lang="en"`)
	require.Equal(t, "English", sets[1][1])
	audioN, subs := validateManifests(t, dir)
	require.Equal(t, [2]int{2, 0}, [2]int{audioN, subs})
}

// maxVolume decodes a rendition (init segment and every media segment) and
// returns its peak level in dB.
func maxVolume(t *testing.T, dir string) float64 {
	t.Helper()
	return maxVolumeFile(t, joinedRendition(t, dir))
}

// maxVolumeFile returns the peak level of a file's first audio stream in dB.
func maxVolumeFile(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-i", path, "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-").CombinedOutput()
	require.NoError(t, err, string(out))
	m := regexp.MustCompile(`max_volume: (-?[0-9.]+|-inf) dB`).FindStringSubmatch(string(out))
	require.NotNil(t, m, string(out))
	if strings.HasSuffix(m[1], "inf") {
		return -200
	}
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}
