package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/queue"
)

// refArgs stands for a job with a video reference (a pipeline step has a
// run, a downloads job has none).
type refArgs struct {
	Kind_   string `json:"-"`
	VideoID string `json:"video_id"`
	Run     int    `json:"run,omitempty"`
}

func (a refArgs) Kind() string { return a.Kind_ }

// setupAdmin wires the dashboard's functions to the bundle's queue and store.
func setupAdmin(t *testing.T) *bundle {
	b := setup(t)
	b.api.Admin = api.AdminFuncs{
		Overview: b.queue.Overview, Job: b.queue.Job, RetryJob: b.queue.RetryJob,
		StoreUsage: func(ctx context.Context, prefix string) (int64, int64, error) {
			infos, err := b.store.List(ctx, prefix)
			var bytes int64
			for _, i := range infos {
				bytes += i.Size
			}
			return bytes, int64(len(infos)), err
		},
	}
	return b
}

// insertJob queues a job and sets its state directly (no workers here).
func (b *bundle) insertJob(t *testing.T, args refArgs, state string) int64 {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, b.queue.InTx(ctx, func(tx *queue.Tx) error { return tx.Insert(ctx, river.InsertManyParams{Args: args}) }))
	var id int64
	require.NoError(t, b.db.QueryRowContext(ctx, `SELECT MAX(id) FROM river_job`).Scan(&id))
	_, err := b.db.ExecContext(ctx, `UPDATE river_job SET state = ?, finalized_at = CASE WHEN ? IN ('cancelled', 'discarded', 'completed') THEN scheduled_at END WHERE id = ?`, state, state, id)
	require.NoError(t, err)
	return id
}

// TestAdminJobs: the overview counts jobs per kind and state; retrying a
// failed pipeline job retries its failed video, other failed jobs run
// again; what has not failed is 409; admins only.
func TestAdminJobs(t *testing.T) {
	t.Parallel()
	b := setupAdmin(t)
	ctx := context.Background()

	resp, _ := b.do(t, call{method: http.MethodGet, path: "/api/v1/jobs/overview", key: userKey})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = b.do(t, call{method: http.MethodPost, path: "/api/v1/jobs/1/retry", key: userKey})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	v := b.create(t, "broken")
	run, err := b.cat.StartRun(ctx, v.ID, "raw/"+v.ID+"/source", 10)
	require.NoError(t, err)
	ok, err := b.cat.Fail(ctx, v.ID, run, "The encode step failed 3 times.")
	require.NoError(t, err)
	require.True(t, ok)
	stepJob := b.insertJob(t, refArgs{Kind_: "encode_chunk", VideoID: v.ID, Run: run}, "discarded")
	dlJob := b.insertJob(t, refArgs{Kind_: "downloads", VideoID: v.ID}, "cancelled")
	b.insertJob(t, refArgs{Kind_: "encode_chunk", VideoID: "other", Run: 1}, "available")

	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/jobs/overview", key: adminKey})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	o := decode[queue.Overview](t, body)
	require.ElementsMatch(t, []queue.KindCount{
		{Kind: "downloads", State: "cancelled", Count: 1},
		{Kind: "encode_chunk", State: "available", Count: 1},
		{Kind: "encode_chunk", State: "discarded", Count: 1},
	}, o.Counts)
	require.Empty(t, o.Workers, "an insert-only process sends no heartbeat")

	retry := func(id string) (int, []byte) {
		resp, body := b.do(t, call{method: http.MethodPost, path: "/api/v1/jobs/" + id + "/retry", key: adminKey})
		return resp.StatusCode, body
	}
	code, body := retry(strconv.FormatInt(stepJob, 10))
	require.Equal(t, http.StatusAccepted, code, string(body))
	require.Contains(t, string(body), `"retried":"video"`)
	got, err := b.cat.Video(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, "queued", string(got.Status), "the video runs again")
	code, body = retry(strconv.FormatInt(stepJob, 10))
	require.Equal(t, http.StatusConflict, code, "the video is no longer failed: %s", body)

	code, body = retry(strconv.FormatInt(dlJob, 10))
	require.Equal(t, http.StatusAccepted, code, string(body))
	require.Contains(t, string(body), `"retried":"job"`)
	var state string
	require.NoError(t, b.db.QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = ?`, dlJob).Scan(&state))
	require.Equal(t, "available", state)
	code, _ = retry(strconv.FormatInt(dlJob, 10))
	require.Equal(t, http.StatusConflict, code, "a waiting job has not failed")

	code, _ = retry("424242")
	require.Equal(t, http.StatusNotFound, code)
}

// TestAdminStorage: sources and media from the catalog, live and work
// listed from the store; the report is cached until ?fresh=1.
func TestAdminStorage(t *testing.T) {
	t.Parallel()
	b := setupAdmin(t)
	ctx := context.Background()
	resp, _ := b.do(t, call{method: http.MethodGet, path: "/api/v1/admin/storage", key: userKey})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	v := b.create(t, "stored")
	_, err := b.cat.StartRun(ctx, v.ID, "raw/"+v.ID+"/source", 1000)
	require.NoError(t, err)
	require.NoError(t, b.cat.SetMediaBytes(ctx, v.ID, 500))
	_, err = b.store.Put(ctx, "live/s1/v0/seg1.m4s", strings.NewReader(strings.Repeat("x", 100)))
	require.NoError(t, err)
	_, err = b.store.Put(ctx, "work/"+v.ID+"/1/chunk.mp4", strings.NewReader(strings.Repeat("y", 30)))
	require.NoError(t, err)

	type report struct {
		Prefixes []struct {
			Name     string
			Bytes    int64
			Objects  *int64
			Measured string
		}
		Videos int64
		Owners []struct {
			OwnerID     string `json:"owner_id"`
			SourceBytes int64  `json:"source_bytes"`
			MediaBytes  int64  `json:"media_bytes"`
		}
		Largest []struct{ ID string }
	}
	get := func(path string) report {
		resp, body := b.do(t, call{method: http.MethodGet, path: path, key: adminKey})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		return decode[report](t, body)
	}
	byName := func(r report) map[string]int64 {
		m := map[string]int64{}
		for _, p := range r.Prefixes {
			m[p.Name] = p.Bytes
		}
		return m
	}
	r := get("/api/v1/admin/storage")
	require.Equal(t, map[string]int64{"sources": 1000, "media": 500, "downloads": 0, "live": 100, "work": 30}, byName(r))
	require.Equal(t, "catalog", r.Prefixes[0].Measured)
	require.Nil(t, r.Prefixes[0].Objects)
	require.EqualValues(t, 1, *r.Prefixes[3].Objects)
	require.EqualValues(t, 1, r.Videos)
	require.Len(t, r.Owners, 1)
	require.EqualValues(t, 1000, r.Owners[0].SourceBytes)
	require.Equal(t, v.ID, r.Largest[0].ID)

	_, err = b.store.Put(ctx, "live/s1/v0/seg2.m4s", strings.NewReader(strings.Repeat("x", 50)))
	require.NoError(t, err)
	require.EqualValues(t, 100, byName(get("/api/v1/admin/storage"))["live"], "cached")
	require.EqualValues(t, 150, byName(get("/api/v1/admin/storage?fresh=1"))["live"])
}

// TestAdminThroughput: a video that became ready counts in its bucket;
// bad parameters are 400.
func TestAdminThroughput(t *testing.T) {
	t.Parallel()
	b := setupAdmin(t)
	v := b.create(t, "done")
	b.publish(t, v.ID)
	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/admin/throughput?hours=2&bucket=600", key: adminKey})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	tp := decode[struct {
		Since         time.Time `json:"since"`
		BucketSeconds int64     `json:"bucket_seconds"`
		Buckets       []struct {
			Start        time.Time `json:"start"`
			Videos       int64     `json:"videos"`
			MediaSeconds float64   `json:"media_seconds"`
		} `json:"buckets"`
	}](t, body)
	require.EqualValues(t, 600, tp.BucketSeconds)
	require.Len(t, tp.Buckets, 1)
	require.EqualValues(t, 1, tp.Buckets[0].Videos)
	require.InDelta(t, 2, tp.Buckets[0].MediaSeconds, 1e-9)
	require.False(t, tp.Buckets[0].Start.Before(tp.Since))

	for _, q := range []string{"hours=0", "bucket=10", "hours=9000", "hours=8000&bucket=60"} {
		resp, _ := b.do(t, call{method: http.MethodGet, path: "/api/v1/admin/throughput?" + q, key: adminKey, badRequest: true})
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, q)
	}
	resp, _ = b.do(t, call{method: http.MethodGet, path: "/api/v1/admin/throughput", key: userKey})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// TestFinalFailureNotRetryable: a video the file itself failed says so and
// refuses a retry; an ordinary failure is retryable.
func TestFinalFailureNotRetryable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for _, final := range []bool{true, false} {
		v := b.create(t, "not media")
		run, err := b.cat.StartRun(ctx, v.ID, "raw/"+v.ID+"/source", 10)
		require.NoError(t, err)
		fail := b.cat.Fail
		if final {
			fail = b.cat.FailFinal
		}
		_, err = fail(ctx, v.ID, run, "The file is not a media file kinema can read, or it is damaged.")
		require.NoError(t, err)
		resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(body), `"retryable":`+strconv.FormatBool(!final))
		resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/retry", key: userKey})
		if final {
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
			require.Contains(t, string(body), "would fail the same way")
		} else {
			require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
		}
	}
}

// TestSuggestUsers: an uploader sharing a restricted video gets their
// group-mates by prefix and anyone else only by the whole email; never the
// user list, never disabled accounts or themselves; viewers get nothing.
func TestSuggestUsers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	up := b.addUser(t, access.RoleUploader, "staff")
	mate := b.addUser(t, access.RoleViewer, "staff", "extra")
	other := b.addUser(t, access.RoleViewer)
	gone := b.addUser(t, access.RoleViewer, "staff")
	resp, _ := b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+gone.ID, `{"disabled":true}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)

	suggest := func(as *account, q string) []string {
		t.Helper()
		c := call{method: http.MethodGet, path: "/api/v1/users/suggest?q=" + url.QueryEscape(q)}
		if as != nil {
			c = as.cookieOnly(c)
		} else {
			c.key = adminKey
		}
		resp, body := b.do(t, c)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var ids []string
		for _, u := range decode[struct {
			Users []struct{ ID, Email string }
		}](t, body).Users {
			ids = append(ids, u.ID)
		}
		return ids
	}
	require.Equal(t, []string{mate.ID}, suggest(up, ""), "group-mates only, not the disabled one, not me")
	require.Equal(t, []string{mate.ID}, suggest(up, mate.Email[:5]))
	require.Empty(t, suggest(up, other.Email[:len(other.Email)-1]), "no prefix search beyond the groups")
	require.Equal(t, []string{other.ID}, suggest(up, strings.ToUpper(other.Email)), "the whole email finds anyone")
	require.Empty(t, suggest(up, gone.Email), "not a disabled account")
	require.Contains(t, suggest(nil, other.Email[:len(other.Email)-1]), other.ID, "admins search everyone")

	viewer := b.login(t, mate.Email, password)
	resp, _ = b.do(t, viewer.cookieOnly(call{method: http.MethodGet, path: "/api/v1/users/suggest?q=" + url.QueryEscape(other.Email)}))
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "viewers share nothing")

	// Whole emails are a budget per caller, not a way to check a list.
	limited := 0
	for i := range 80 {
		resp, _ := b.do(t, up.cookieOnly(call{method: http.MethodGet, path: fmt.Sprintf("/api/v1/users/suggest?q=probe%d@example.com", i)}))
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			require.NotEmpty(t, resp.Header.Get("Retry-After"))
		}
	}
	require.Greater(t, limited, 10, "lookups of whole emails are rate-limited")
	resp, _ = b.do(t, up.cookieOnly(call{method: http.MethodGet, path: "/api/v1/users/suggest?q=" + url.QueryEscape(mate.Email[:5])}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "group-mate prefixes stay free")
}

// TestOwnAccountProtected: an admin cannot disable or delete their own
// account, even with another admin around; another admin can.
func TestOwnAccountProtected(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a1 := b.addUser(t, access.RoleAdmin)
	a2 := b.addUser(t, access.RoleAdmin)
	resp, body := b.do(t, a1.as(jsonCall(http.MethodPatch, "/api/v1/users/"+a1.ID, `{"disabled":true}`)))
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	require.Contains(t, string(body), "your own account")
	resp, body = b.do(t, a1.as(call{method: http.MethodDelete, path: "/api/v1/users/" + a1.ID}))
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	resp, body = b.do(t, a1.as(jsonCall(http.MethodPatch, "/api/v1/users/"+a1.ID, `{"name":"Still me"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, "other edits of one's own account are fine: %s", body)
	resp, body = b.do(t, a2.as(jsonCall(http.MethodPatch, "/api/v1/users/"+a1.ID, `{"disabled":true}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	resp, _ = b.do(t, a2.as(call{method: http.MethodDelete, path: "/api/v1/users/" + a1.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}
