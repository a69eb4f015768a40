package media

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeLanguage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"eng": "en", "EN": "en", "fre": "fr", "fra": "fr", "ger": "de", "pt-BR": "pt", "und": "", "": "",
		"mul": "", "tlh": "tlh", "x1": "", "english": "", "e\"n": "",
	} {
		require.Equal(t, want, NormalizeLanguage(in), in)
	}
	require.Equal(t, "French", LanguageName("fr"))
	require.Equal(t, "tlh", LanguageName("tlh"))
}

// TestPublishedAudioTracks: the default stream first, then every other
// stream with a language or title not taken yet, in file order, capped.
func TestPublishedAudioTracks(t *testing.T) {
	t.Parallel()
	src := Source{HasAudio: true, AudioTracks: []AudioTrack{
		{Index: 0, Language: "en"},
		{Index: 1}, // untagged: left out
		{Index: 2, Language: "fr", Default: true},
		{Index: 3, Language: "en"},                      // same as 0: left out
		{Index: 4, Language: "en", Title: "Commentary"}, // a title of its own
	}}
	var got []int
	for _, tr := range src.PublishedAudioTracks() {
		got = append(got, tr.Index)
	}
	require.Equal(t, []int{2, 0, 4}, got)
	require.True(t, src.PublishedAudioTracks()[0].Default)
	require.False(t, src.PublishedAudioTracks()[1].Default)

	many := Source{HasAudio: true}
	for i := range 20 {
		many.AudioTracks = append(many.AudioTracks, AudioTrack{Index: i, Title: string(rune('A' + i))})
	}
	require.Len(t, many.PublishedAudioTracks(), MaxAudioTracks)
	require.Len(t, Source{HasAudio: true, AudioChannels: 2}.PublishedAudioTracks(), 1, "sources probed before tracks were listed")
}

// TestPlanAudioLanguages: one rung per track for video (plus the 5.1
// layout of a surround track), named; audio-only keeps the default track.
func TestPlanAudioLanguages(t *testing.T) {
	t.Parallel()
	src := Source{HasVideo: true, HasAudio: true, Width: 640, Height: 360, FPSNum: 30, FPSDen: 1, Duration: 10,
		AudioChannels: 6, AudioTracks: []AudioTrack{
			{Index: 0, Channels: 6, Language: "en", Default: true},
			{Index: 1, Channels: 2, Language: "fr", Title: "Version française"},
			{Index: 2, Channels: 1, Language: "ja"},
		}}
	p, err := NewPlan(src, DefaultLadderConfig())
	require.NoError(t, err)
	type rung struct {
		ID, Lang, Name string
		Track, Ch      int
		Def            bool
	}
	var got []rung
	for _, r := range p.Audio {
		got = append(got, rung{r.ID, r.Language, r.Name, r.Track, r.Channels, r.Default})
	}
	require.Equal(t, []rung{
		{"a0", "en", "English", 0, 2, true},
		{"a1", "en", "English (5.1)", 0, 6, true},
		{"a2", "fr", "Version française", 1, 2, false},
		{"a3", "ja", "Japanese", 2, 1, false},
	}, got)

	src.HasVideo = false
	p, err = NewPlan(src, DefaultLadderConfig())
	require.NoError(t, err)
	for _, r := range p.Audio {
		require.Equal(t, 0, r.Track)
	}
}
