package catalogtest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

func ptr[T any](v T) *T { return &v }

// testUserQuotas: overrides round-trip (a number, 0, back to null); the
// quota in force is the override, else the default, and admins are exempt
// from the default but not from an override; storage used is sources plus
// published media of the owner's videos only.
func testUserQuotas(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	c.UseQuota(media.Quota{ProcessingMinutes: 60, StorageBytes: 1000})
	u := mkUser(t, c, "quota-user@example.com", access.RoleUploader)
	admin := mkUser(t, c, "quota-admin@example.com", access.RoleAdmin)

	q, err := c.Quota(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, 60.0, q.ProcessingMinutes)
	require.EqualValues(t, 1000, q.StorageBytes)
	q, err = c.Quota(ctx, admin.ID)
	require.NoError(t, err)
	require.Zero(t, q.ProcessingMinutes, "admins are exempt from the default")
	require.Zero(t, q.StorageBytes)
	q, err = c.Quota(ctx, "key-without-user")
	require.NoError(t, err)
	require.EqualValues(t, 1000, q.StorageBytes, "an owner that is no user gets the default")

	require.NoError(t, c.SetUserQuotas(ctx, u.ID, catalog.QuotaPatch{ProcessingMinutes: ptr(2.5), StorageBytes: ptr(int64(0))}))
	require.NoError(t, c.SetUserQuotas(ctx, admin.ID, catalog.QuotaPatch{StorageBytes: ptr(int64(5 << 30))}))
	o, err := c.UserQuotas(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, 2.5, *o.ProcessingMinutes)
	require.EqualValues(t, 0, *o.StorageBytes)
	q, err = c.Quota(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, 2.5, q.ProcessingMinutes)
	require.Zero(t, q.StorageBytes, "0 overrides the default with no quota")
	q, err = c.Quota(ctx, admin.ID)
	require.NoError(t, err)
	require.EqualValues(t, 5<<30, q.StorageBytes, "an override applies to an admin")
	require.Zero(t, q.ProcessingMinutes)

	require.NoError(t, c.SetUserQuotas(ctx, u.ID, catalog.QuotaPatch{ClearStorage: true}))
	o, err = c.UserQuotas(ctx, u.ID)
	require.NoError(t, err)
	require.Nil(t, o.StorageBytes, "cleared: back to the default")
	require.Equal(t, 2.5, *o.ProcessingMinutes, "the other override stays")
	require.ErrorIs(t, c.SetUserQuotas(ctx, u.ID, catalog.QuotaPatch{StorageBytes: ptr(int64(-1))}), media.ErrInvalid)
	require.ErrorIs(t, c.SetUserQuotas(ctx, "no-such-user", catalog.QuotaPatch{StorageBytes: ptr(int64(1))}), media.ErrNotFound)

	stored := func(owner string, size, mediaBytes int64) {
		v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "s", OwnerID: owner})
		require.NoError(t, err)
		_, err = c.StartRun(ctx, v.ID, "raw/"+v.ID, size)
		require.NoError(t, err)
		require.NoError(t, c.SetMediaBytes(ctx, v.ID, mediaBytes))
	}
	stored(u.ID, 300, 200)
	stored(u.ID, 100, 0)
	stored(admin.ID, 7000, 0)
	used, err := c.StorageUsed(ctx, u.ID)
	require.NoError(t, err)
	require.EqualValues(t, 600, used)
}

// testStorageQuotaAtStart: StartRun refuses an upload that would take the
// owner past the storage quota with the sentence, and changes nothing: the
// video still waits for a (smaller) file.
func testStorageQuotaAtStart(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	c.UseQuota(media.Quota{StorageBytes: 1_000_000})
	u := mkUser(t, c, "quota-start@example.com", access.RoleUploader)
	first, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "first", OwnerID: u.ID})
	require.NoError(t, err)
	_, err = c.StartRun(ctx, first.ID, "raw/"+first.ID, 700_000)
	require.NoError(t, err)

	second, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "second", OwnerID: u.ID})
	require.NoError(t, err)
	_, err = c.StartRun(ctx, second.ID, "raw/"+second.ID, 400_000)
	require.ErrorIs(t, err, media.ErrQuota)
	var qe *media.QuotaError
	require.True(t, errors.As(err, &qe))
	require.Equal(t, "This file (400 kB) does not fit: your videos use 700 kB of your 1 MB storage quota; "+
		"delete some videos or ask an administrator for a larger quota.", qe.Msg)
	v, err := c.Video(ctx, second.ID)
	require.NoError(t, err)
	require.Equal(t, media.StatusWaitingUpload, v.Status)
	used, err := c.StorageUsed(ctx, u.ID)
	require.NoError(t, err)
	require.EqualValues(t, 700_000, used, "the refused file counts for nothing")

	_, err = c.StartRun(ctx, second.ID, "raw/"+second.ID, 300_000)
	require.NoError(t, err, "a file that fits exactly is taken")
	require.ErrorIs(t, c.CheckStorage(ctx, u.ID, 0), media.ErrQuota, "with the quota reached, nothing more")
	require.EqualError(t, c.CheckStorage(ctx, u.ID, 0),
		"Your videos use 1 MB of your 1 MB storage quota; delete some videos or ask an administrator for a larger quota.")
}
