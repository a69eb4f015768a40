package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

type quotaUser struct {
	QuotaStorageBytes      *int64   `json:"quota_storage_bytes"`
	QuotaProcessingMinutes *float64 `json:"quota_processing_minutes"`
	Quota                  struct {
		ProcessingMinutes float64 `json:"processing_minutes"`
		StorageBytes      int64   `json:"storage_bytes"`
		UsedStorageBytes  int64   `json:"used_storage_bytes"`
		PeriodSeconds     int64   `json:"period_seconds"`
	} `json:"quota"`
}

func errorMessage(t *testing.T, body []byte) string {
	t.Helper()
	return decode[struct {
		Error struct{ Message string } `json:"error"`
	}](t, body).Error.Message
}

// An admin sets a user's storage quota over the API; uploads that do not
// fit are refused with a sentence before any byte is kept, video creation
// is refused once the quota is reached, and the user JSON shows the
// overrides, the quota in force and the usage.
func TestStorageQuotaOverHTTP(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.cat.UseQuota(media.Quota{StorageBytes: 1000, ProcessingMinutes: 30})
	u := b.addUser(t, access.RoleUploader)
	newVideo := func(a *account) (*http.Response, []byte) {
		return b.do(t, a.as(jsonCall(http.MethodPost, "/api/v1/videos", `{"title":"q"}`)))
	}
	resp, body := newVideo(u)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	v := decode[video](t, body)

	// Over the default: PUT and tus creation are refused, nothing stored.
	resp, body = b.do(t, call{method: http.MethodPut, path: v.Upload.URL, body: strings.Repeat("x", 2000), contentType: "application/octet-stream"})
	requireRefused(t, resp, body, http.StatusForbidden, "quota_exceeded")
	require.Equal(t, "This file (2 kB) does not fit: your videos use 0 bytes of your 1 kB storage quota; "+
		"delete some videos or ask an administrator for a larger quota.", errorMessage(t, body))
	resp, body = b.do(t, call{method: http.MethodPost, path: v.Upload.TusURL,
		header: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": "2000"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, string(body))
	require.Contains(t, string(body), "your videos use 0 bytes of your 1 kB storage quota")
	kept, err := b.store.List(ctx, "raw/")
	require.NoError(t, err)
	require.Empty(t, kept)
	b.mu.Lock()
	require.Empty(t, b.starts)
	b.mu.Unlock()

	// An override: 5 kB; the file fits now.
	resp, body = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"quota_storage_bytes": 5000}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	got := decode[quotaUser](t, body)
	require.EqualValues(t, 5000, *got.QuotaStorageBytes)
	require.Nil(t, got.QuotaProcessingMinutes)
	require.EqualValues(t, 5000, got.Quota.StorageBytes)
	require.Equal(t, 30.0, got.Quota.ProcessingMinutes)
	require.EqualValues(t, 30*24*3600, got.Quota.PeriodSeconds)
	resp, body = b.do(t, call{method: http.MethodPut, path: v.Upload.URL, body: strings.Repeat("x", 2000), contentType: "application/octet-stream"})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	// The start here is a fake; record what the real one would.
	other, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "stored", OwnerID: u.ID})
	require.NoError(t, err)
	_, err = b.cat.StartRun(ctx, other.ID, "raw/"+other.ID+"/source-x", 5000)
	require.NoError(t, err)
	resp, body = newVideo(u)
	requireRefused(t, resp, body, http.StatusForbidden, "quota_exceeded")
	require.Equal(t, "Your videos use 5 kB of your 5 kB storage quota; delete some videos or ask an administrator for a larger quota.",
		errorMessage(t, body))
	resp, body = b.do(t, keyed(adminKey, call{method: http.MethodGet, path: "/api/v1/users/" + u.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.EqualValues(t, 5000, decode[quotaUser](t, body).Quota.UsedStorageBytes)

	// null: back to the default; 0: no quota.
	resp, body = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"quota_storage_bytes": null}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	got = decode[quotaUser](t, body)
	require.Nil(t, got.QuotaStorageBytes)
	require.EqualValues(t, 1000, got.Quota.StorageBytes)
	resp, body = b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"quota_storage_bytes": 0}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Zero(t, decode[quotaUser](t, body).Quota.StorageBytes)
	resp, body = newVideo(u)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))

	c := keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+u.ID, `{"quota_storage_bytes": -1}`))
	c.badRequest = true
	resp, body = b.do(t, c)
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")

	// Admins are exempt from the default.
	admin := b.addUser(t, access.RoleAdmin)
	big, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: "big", OwnerID: admin.ID})
	require.NoError(t, err)
	_, err = b.cat.StartRun(ctx, big.ID, "raw/"+big.ID+"/source-x", 1<<30)
	require.NoError(t, err)
	resp, body = newVideo(admin)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
}
