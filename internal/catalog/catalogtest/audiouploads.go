package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testAudioUploads: audio tracks added after upload are listed per video,
// finished once (a deleted or finished track is not finished again),
// bounded per video, and go with their video.
func testAudioUploads(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "dubbed"})
	require.NoError(t, err)
	other, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "other"})
	require.NoError(t, err)

	de, err := c.AddAudioUpload(ctx, media.AudioUpload{ID: catalog.NewAudioUploadID(), VideoID: v.ID, Language: "de", Name: "Deutsch",
		SourceKey: "raw/x/audio-1", Duration: 4.25})
	require.NoError(t, err)
	require.Equal(t, [6]any{v.ID, "de", "Deutsch", media.AudioUploadProcessing, 4.25, "raw/x/audio-1"},
		[6]any{de.VideoID, de.Language, de.Name, de.Status, de.Duration, de.SourceKey})
	require.False(t, de.CreatedAt.IsZero())
	_, err = c.AudioUpload(ctx, other.ID, de.ID)
	require.ErrorIs(t, err, media.ErrNotFound, "found through its own video only")

	ok, err := c.FinishAudioUpload(ctx, v.ID, de.ID, media.AudioUploadReady, de.ID, "")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = c.FinishAudioUpload(ctx, v.ID, de.ID, media.AudioUploadFailed, "", "late")
	require.NoError(t, err)
	require.False(t, ok, "finished once")
	got, err := c.AudioUpload(ctx, v.ID, de.ID)
	require.NoError(t, err)
	require.Equal(t, [2]string{media.AudioUploadReady, de.ID}, [2]string{got.Status, got.Rendition})
	time.Sleep(5 * time.Millisecond) // listed by creation time, in milliseconds

	for i := 1; i < media.MaxAudioUploads; i++ {
		_, err = c.AddAudioUpload(ctx, media.AudioUpload{ID: catalog.NewAudioUploadID(), VideoID: v.ID, Language: "fr", Name: "F", SourceKey: "k"})
		require.NoError(t, err)
	}
	_, err = c.AddAudioUpload(ctx, media.AudioUpload{ID: catalog.NewAudioUploadID(), VideoID: v.ID, Language: "fr", Name: "F", SourceKey: "k"})
	var in *media.InputError
	require.ErrorAs(t, err, &in)
	list, err := c.AudioUploads(ctx, v.ID)
	require.NoError(t, err)
	require.Len(t, list, media.MaxAudioUploads)
	require.Equal(t, de.ID, list[0].ID, "oldest first")

	require.NoError(t, c.DeleteAudioUpload(ctx, v.ID, de.ID))
	require.ErrorIs(t, c.DeleteAudioUpload(ctx, v.ID, de.ID), media.ErrNotFound)
	ok, err = c.FinishAudioUpload(ctx, v.ID, de.ID, media.AudioUploadReady, de.ID, "")
	require.NoError(t, err)
	require.False(t, ok, "a deleted track is not finished")

	require.NoError(t, c.DeleteVideo(ctx, v.ID))
	list, err = c.AudioUploads(ctx, v.ID)
	require.NoError(t, err)
	require.Empty(t, list, "they go with their video")
}
