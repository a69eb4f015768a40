package pipeline

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/testutil"
)

// TestQuotaOverrideAndStorage: an admin's override (1.5 minutes) beats the
// server's processing quota (1 minute), so both 40 s videos are processed;
// a published video counts its source and its media against the storage
// quota, and once that is reached Start refuses the next file with the
// sentence and leaves the video waiting.
func TestQuotaOverrideAndStorage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Limits.Quota = media.Quota{ProcessingMinutes: 1} })
	u, err := b.cat.CreateUser(ctx, catalog.NewUser{Email: "q@example.com", PasswordHash: "h", Role: access.RoleUploader})
	require.NoError(t, err)
	minutes := 1.5
	require.NoError(t, b.cat.SetUserQuotas(ctx, u.ID, catalog.QuotaPatch{ProcessingMinutes: &minutes}))
	clip := testutil.MakeClip(t, testutil.ClipOptions{Width: 64, Height: 36, Seconds: 40, FPS: 10, Video: true})
	st, err := os.Stat(clip)
	require.NoError(t, err)

	var want int64
	for range 2 {
		v := b.processAs(t, clip, u.ID)
		require.Equal(t, media.StatusReady, v.Status, v.Error)
		published, err := b.store.List(ctx, mediaPrefix(v.ID))
		require.NoError(t, err)
		require.NotEmpty(t, published)
		want += st.Size()
		for _, o := range published {
			want += o.Size
		}
	}
	used, err := b.cat.StorageUsed(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, want, used, "sources plus published media")

	b.cat.UseQuota(media.Quota{StorageBytes: used + st.Size() - 1})
	v, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "third", OwnerID: u.ID})
	require.NoError(t, err)
	err = b.pipes[0].Start(ctx, v.ID, "raw/"+v.ID+"/source", st.Size())
	require.ErrorIs(t, err, media.ErrQuota)
	require.Equal(t, "This file ("+media.Bytes(st.Size())+") does not fit: your videos use "+media.Bytes(used)+
		" of your "+media.Bytes(used+st.Size()-1)+" storage quota; delete some videos or ask an administrator for a larger quota.", err.Error())
	v, err = b.cat.Video(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, media.StatusWaitingUpload, v.Status)
}
