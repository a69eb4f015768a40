package manifest

import (
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var testTracks = []TextTrack{
	{Dir: "text_a1", Language: "en", Name: `English "SDH"`, Captions: true},
	{Dir: "text_b2", Language: "fr", Name: "Français"},
	{Dir: "text_c3", Language: "fr", Name: "Français"},
}

func TestSetSubtitles(t *testing.T) {
	for _, name := range []string{"master_video.m3u8.golden", "master_audio_only.m3u8.golden"} {
		src, err := os.ReadFile("testdata/" + name)
		require.NoError(t, err)
		out := string(SetSubtitles(src, testTracks))
		variants := strings.Count(out, "#EXT-X-STREAM-INF:")
		require.Positive(t, variants)
		require.Equal(t, variants, strings.Count(out, `,SUBTITLES="subs"`), name)
		require.Contains(t, out, `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English 'SDH'",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound",URI="text_a1/index.m3u8"`)
		require.Contains(t, out, `NAME="Français (2)",LANGUAGE="fr"`, "names are unique in the group")
		require.Less(t, strings.Index(out, "TYPE=SUBTITLES"), strings.Index(out, "#EXT-X-STREAM-INF"))
		// Idempotent, and removable.
		require.Equal(t, out, string(SetSubtitles([]byte(out), testTracks)))
		require.Equal(t, string(src), string(SetSubtitles([]byte(out), nil)))
		one := string(SetSubtitles([]byte(out), testTracks[1:2]))
		require.Equal(t, 1, strings.Count(one, "TYPE=SUBTITLES"))
		require.Equal(t, variants, strings.Count(one, `,SUBTITLES="subs"`))
		// Signed like every other child.
		signed := string(RewriteHLS([]byte(out), "token=T"))
		require.Contains(t, signed, `URI="text_b2/index.m3u8?token=T"`)
	}
}

func TestSubtitlePlaylist(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteSubtitlePlaylist(&b, []float64{4, 4, 0.4}))
	pl, err := ParseMediaPlaylist(&b)
	require.NoError(t, err)
	require.Equal(t, 4, pl.TargetDuration)
	require.Len(t, pl.Segments, 3)
	require.Equal(t, "seg_00002.vtt", pl.Segments[2].URI)
	require.InDelta(t, 8.4, pl.Duration(), 1e-9)
	require.True(t, pl.EndList)
	b.Reset()
	require.NoError(t, WriteSubtitlePlaylist(&b, []float64{0.5}))
	require.Contains(t, b.String(), "#EXT-X-TARGETDURATION:1\n")
}

func TestSetTextSets(t *testing.T) {
	for _, name := range []string{"manifest_video.mpd.golden", "manifest_audio_only.mpd.golden"} {
		src, err := os.ReadFile("testdata/" + name)
		require.NoError(t, err)
		out, err := SetTextSets(src, testTracks)
		require.NoError(t, err)
		var doc struct {
			Period struct {
				Sets []struct {
					ID          int    `xml:"id,attr"`
					ContentType string `xml:"contentType,attr"`
					MimeType    string `xml:"mimeType,attr"`
					Lang        string `xml:"lang,attr"`
					Label       string `xml:"Label"`
					Role        struct {
						Value string `xml:"value,attr"`
					} `xml:"Role"`
					Reps []struct {
						ID      string `xml:"id,attr"`
						BaseURL string `xml:"BaseURL"`
					} `xml:"Representation"`
				} `xml:"AdaptationSet"`
			} `xml:"Period"`
		}
		require.NoError(t, xml.Unmarshal(out, &doc), string(out))
		sets := doc.Period.Sets
		require.GreaterOrEqual(t, len(sets), 4)
		text := sets[len(sets)-3:]
		ids := map[int]bool{}
		for _, s := range sets {
			require.False(t, ids[s.ID], "ids are unique")
			ids[s.ID] = true
		}
		require.Equal(t, "text", text[0].ContentType)
		require.Equal(t, "text/vtt", text[0].MimeType)
		require.Equal(t, "en", text[0].Lang)
		require.Equal(t, `English "SDH"`, text[0].Label)
		require.Equal(t, "caption", text[0].Role.Value)
		require.Equal(t, "subtitle", text[1].Role.Value)
		require.Equal(t, "text_b2/all.vtt", text[1].Reps[0].BaseURL)

		again, err := SetTextSets(out, testTracks)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again), "idempotent")
		none, err := SetTextSets(out, nil)
		require.NoError(t, err)
		require.Equal(t, string(src), string(none), "removable")

		signed, err := RewriteMPD(out, "token=T")
		require.NoError(t, err)
		require.Contains(t, string(signed), "<BaseURL>text_a1/all.vtt?token=T</BaseURL>")
	}
}
