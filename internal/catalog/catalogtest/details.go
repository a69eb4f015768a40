package catalogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// testVideoDetails: description, tags and embedding sites are stored, and
// the list searches, filters and sorts on them.
func testVideoDetails(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	a, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "zebra crossing", OwnerID: "usr_a"})
	require.NoError(t, err)
	require.Equal(t, []string{}, a.Tags)
	require.Equal(t, []string{}, a.EmbedDomains)
	time.Sleep(5 * time.Millisecond) // distinct creation times (milliseconds) for the orders below
	b, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "Apple pie", OwnerID: "usr_b"})
	require.NoError(t, err)

	// Posters: each change hands back the name it replaced, for removal.
	prev, err := c.SetPoster(ctx, b.ID, "poster-1.jpg")
	require.NoError(t, err)
	require.Empty(t, prev)
	prev, err = c.SetPoster(ctx, b.ID, "poster-2.jpg")
	require.NoError(t, err)
	require.Equal(t, "poster-1.jpg", prev)
	prev, err = c.SetPoster(ctx, b.ID, "")
	require.NoError(t, err)
	require.Equal(t, "poster-2.jpg", prev)
	_, err = c.SetPoster(ctx, "nosuchvideo", "x.jpg")
	require.ErrorIs(t, err, media.ErrNotFound)

	desc := "Filmed 100% handheld_at night"
	a, err = c.UpdateVideo(ctx, a.ID, catalog.VideoPatch{Description: &desc, Tags: []string{"street", "night shot"}, EmbedDomains: []string{"blog.example.com"}})
	require.NoError(t, err)
	require.Equal(t, desc, a.Description)
	require.Equal(t, []string{"street", "night shot"}, a.Tags)
	require.Equal(t, []string{"blog.example.com"}, a.EmbedDomains)

	ids := func(f catalog.ListFilter) []string {
		vs, err := c.ListVideos(ctx, f)
		require.NoError(t, err)
		out := []string{}
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	require.Equal(t, []string{a.ID}, ids(catalog.ListFilter{Query: "HANDHELD_"}))
	require.Empty(t, ids(catalog.ListFilter{Query: "handheld%"}), "wildcards are literal")
	require.Equal(t, []string{a.ID}, ids(catalog.ListFilter{Query: "night sh"}))
	require.Equal(t, []string{a.ID}, ids(catalog.ListFilter{Tag: "street"}))
	require.Empty(t, ids(catalog.ListFilter{Tag: "stree"}))
	require.Equal(t, []string{b.ID}, ids(catalog.ListFilter{OwnerID: "usr_b"}))
	require.Equal(t, []string{b.ID, a.ID}, ids(catalog.ListFilter{}))
	require.Equal(t, []string{a.ID, b.ID}, ids(catalog.ListFilter{Sort: catalog.SortOldest}))
	require.Equal(t, []string{b.ID, a.ID}, ids(catalog.ListFilter{Sort: catalog.SortTitle}), "case-insensitive")
	require.Empty(t, ids(catalog.ListFilter{CreatedTo: a.CreatedAt}))
	require.Len(t, ids(catalog.ListFilter{CreatedFrom: a.CreatedAt, CreatedTo: time.Now().Add(time.Hour)}), 2)

	// Clearing.
	a, err = c.UpdateVideo(ctx, a.ID, catalog.VideoPatch{Tags: []string{}, EmbedDomains: []string{}})
	require.NoError(t, err)
	require.Equal(t, []string{}, a.Tags)
	require.Equal(t, []string{}, a.EmbedDomains)
	require.Equal(t, desc, a.Description)
	_, err = c.UpdateVideo(ctx, "missing", catalog.VideoPatch{Description: &desc})
	require.ErrorIs(t, err, media.ErrNotFound)
}
