package catalogtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testTextTracks: captions and chapters of a video, on both databases.
func testTextTracks(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "captioned"})
	require.NoError(t, err)
	other, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "other"})
	require.NoError(t, err)

	_, err = c.AddTextTrack(ctx, "nope", catalog.NewTextTrack{Language: "en", Label: "English", Kind: media.TextSubtitles, Origin: media.OriginUpload, Body: []byte("WEBVTT\n")})
	require.ErrorIs(t, err, media.ErrNotFound)
	body := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nÇa va ? <i>oui</i>\n"
	en, err := c.AddTextTrack(ctx, v.ID, catalog.NewTextTrack{Language: "en", Label: "English", Kind: media.TextCaptions, Origin: media.OriginUpload, Cues: 1, Body: []byte(body)})
	require.NoError(t, err)
	require.Equal(t, media.TextTrack{ID: en.ID, VideoID: v.ID, Language: "en", Label: "English", Kind: media.TextCaptions, Origin: media.OriginUpload, Cues: 1, CreatedAt: en.CreatedAt}, en)
	got, err := c.TextTrackBody(ctx, v.ID, en.ID)
	require.NoError(t, err)
	require.Equal(t, body, string(got))
	_, err = c.TextTrackBody(ctx, other.ID, en.ID)
	require.ErrorIs(t, err, media.ErrNotFound, "a track is found through its own video only")

	src := []catalog.NewTextTrack{{Language: "fr", Label: "Français", Kind: media.TextSubtitles, Cues: 1, Body: []byte(body)}}
	require.NoError(t, c.ReplaceSourceTextTracks(ctx, v.ID, src))
	require.NoError(t, c.ReplaceSourceTextTracks(ctx, v.ID, src), "a reprocess replaces, never doubles")
	list, err := c.TextTracks(ctx, v.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, en.ID, list[0].ID)
	require.Equal(t, media.OriginSource, list[1].Origin)
	require.Equal(t, "Français", list[1].Label)
	none, err := c.TextTracks(ctx, other.ID)
	require.NoError(t, err)
	require.Empty(t, none)

	require.NoError(t, c.DeleteTextTrack(ctx, v.ID, en.ID))
	require.ErrorIs(t, c.DeleteTextTrack(ctx, v.ID, en.ID), media.ErrNotFound)
	for i := 1; i < media.MaxTextTracks; i++ {
		_, err = c.AddTextTrack(ctx, v.ID, catalog.NewTextTrack{Language: "en", Label: "x", Kind: media.TextSubtitles, Origin: media.OriginUpload, Body: []byte("WEBVTT\n")})
		require.NoError(t, err)
	}
	_, err = c.AddTextTrack(ctx, v.ID, catalog.NewTextTrack{Language: "en", Label: "x", Kind: media.TextSubtitles, Origin: media.OriginUpload, Body: []byte("WEBVTT\n")})
	var in *media.InputError
	require.ErrorAs(t, err, &in, "a cap on tracks per video")

	// Chapters: the source's until the API sets some, then the API's.
	chapters, origin, err := c.Chapters(ctx, v.ID)
	require.NoError(t, err)
	require.Empty(t, chapters)
	require.Equal(t, "", origin)
	fromSource := []media.Chapter{{Start: 0, Title: "Start"}, {Start: 2.5, Title: "Middle"}}
	require.NoError(t, c.SetSourceChapters(ctx, v.ID, fromSource))
	chapters, origin, err = c.Chapters(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, fromSource, chapters)
	require.Equal(t, media.OriginSource, origin)
	mine := []media.Chapter{{Start: 1, Title: "Mine"}}
	require.NoError(t, c.SetChapters(ctx, v.ID, mine))
	require.NoError(t, c.SetSourceChapters(ctx, v.ID, fromSource), "a reprocess")
	chapters, origin, err = c.Chapters(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, mine, chapters, "the API's chapters win")
	require.Equal(t, media.OriginAPI, origin)
	require.NoError(t, c.SetChapters(ctx, v.ID, nil))
	chapters, _, err = c.Chapters(ctx, v.ID)
	require.NoError(t, err)
	require.Empty(t, chapters)
	require.ErrorIs(t, c.SetChapters(ctx, "nope", mine), media.ErrNotFound)

	require.NoError(t, c.SetChapters(ctx, v.ID, mine))
	require.NoError(t, c.DeleteVideo(ctx, v.ID))
	list, err = c.TextTracks(ctx, v.ID)
	require.NoError(t, err)
	require.Empty(t, list, "tracks go with their video")
	chapters, _, err = c.Chapters(ctx, v.ID)
	require.NoError(t, err)
	require.Empty(t, chapters)
}
