package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
)

// Admin dashboard (#15): the queue at a glance, retrying a failed job,
// storage per prefix and encode throughput over time. Admins only.

// AdminFuncs are what the dashboard needs from the queue and the store;
// cmd/kinema wires them. A nil field makes its endpoint answer 503.
type AdminFuncs struct {
	// Overview counts jobs per kind and state and lists the workers.
	Overview func(ctx context.Context) (queue.Overview, error)
	// Job returns one job (media.ErrNotFound when there is none).
	Job func(ctx context.Context, id int64) (queue.JobInfo, error)
	// RetryJob runs a failed job again (media.ErrConflict when it has not
	// failed).
	RetryJob func(ctx context.Context, id int64) (queue.JobInfo, error)
	// StoreUsage sums the objects under a prefix of the media store by
	// listing it; used only for the prefixes the catalog does not track.
	StoreUsage func(ctx context.Context, prefix string) (bytes, objects int64, err error)
}

func (s *Server) adminOff(w http.ResponseWriter) {
	writeCode(w, http.StatusServiceUnavailable, "unavailable", "This server does not offer that.")
}

// jobsOverview: GET /api/v1/jobs/overview.
func (s *Server) jobsOverview(w http.ResponseWriter, r *http.Request) {
	if s.Admin.Overview == nil {
		s.adminOff(w)
		return
	}
	o, err := s.Admin.Overview(r.Context())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// retryJob: POST /api/v1/jobs/{id}/retry. A job of a video's processing
// run retries the video (a new run from its source, as the video's own
// Retry does), since its run ended when the job failed; any other failed
// job (downloads, a webhook delivery) runs again as it was.
func (s *Server) retryJob(w http.ResponseWriter, r *http.Request) {
	if s.Admin.Job == nil || s.Admin.RetryJob == nil {
		s.adminOff(w)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, s.Log, fmt.Errorf("job %q: %w", r.PathValue("id"), media.ErrNotFound))
		return
	}
	ctx := r.Context()
	job, err := s.Admin.Job(ctx, id)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if job.VideoID != "" && job.Run > 0 {
		v, err := s.Catalog.Video(ctx, job.VideoID)
		if errors.Is(err, media.ErrNotFound) {
			writeCode(w, http.StatusConflict, "conflict", "The video of this job was deleted.")
			return
		}
		if err != nil {
			writeError(w, s.Log, err)
			return
		}
		if v.Status != media.StatusFailed {
			writeCode(w, http.StatusConflict, "conflict", fmt.Sprintf("The video of this job is %s: its processing moved on, there is nothing to retry.", v.Status))
			return
		}
		if err := s.RetryFunc(ctx, v.ID); err != nil {
			writeError(w, s.Log, err)
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]any{"retried": "video", "video_id": v.ID})
		return
	}
	job, err = s.Admin.RetryJob(ctx, id)
	if errors.Is(err, media.ErrConflict) {
		writeCode(w, http.StatusConflict, "conflict", "This job has not failed; only failed jobs are retried.")
		return
	}
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"retried": "job", "job": job})
}

// prefixUsage is what one part of the store holds.
type prefixUsage struct {
	// Name is what the part holds: sources, media, downloads, live, work.
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
	Bytes  int64  `json:"bytes"`
	// Objects is the number of files, when the store was listed.
	Objects *int64 `json:"objects,omitempty"`
	// Measured says where the figure comes from: "catalog" (sizes
	// recorded as videos are uploaded and published, no listing) or
	// "store" (the prefix was listed).
	Measured string `json:"measured"`
	// Partial: only some of it was listed (see maxDownloadLists).
	Partial bool `json:"partial,omitempty"`
}

// storageReport is GET /api/v1/admin/storage.
type storageReport struct {
	Prefixes   []prefixUsage          `json:"prefixes"`
	Videos     int64                  `json:"videos"`
	Owners     []catalog.OwnerStorage `json:"owners"`
	Largest    []catalog.VideoStorage `json:"largest"`
	ComputedAt time.Time              `json:"computed_at"`
}

// storageCacheTTL: the report lists parts of the store; a dashboard left
// open does not list them again on every refresh.
const storageCacheTTL = 30 * time.Second

// maxDownloadLists bounds the per-video listings of downloads.
const maxDownloadLists = 200

// storageCache keeps the last report.
type storageCache struct {
	mu     sync.Mutex
	report *storageReport
}

// adminStorage: GET /api/v1/admin/storage. Sources and published media
// come from the catalog (sizes recorded at upload and publish: cheap on
// any store); the small, short-lived prefixes (live, work) and downloads
// are listed, and the report is kept for storageCacheTTL (?fresh=1
// recomputes it).
func (s *Server) adminStorage(w http.ResponseWriter, r *http.Request) {
	s.storage.mu.Lock()
	defer s.storage.mu.Unlock() // one computation at a time
	now := s.Now()
	if rep := s.storage.report; rep != nil && r.URL.Query().Get("fresh") != "1" && now.Sub(rep.ComputedAt) < storageCacheTTL {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	ctx := r.Context()
	sum, err := s.Catalog.Storage(ctx, 10)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	rep := &storageReport{Videos: sum.Videos, Owners: sum.Owners, Largest: sum.Largest, ComputedAt: now.UTC()}
	if rep.Owners == nil {
		rep.Owners = []catalog.OwnerStorage{}
	}
	if rep.Largest == nil {
		rep.Largest = []catalog.VideoStorage{}
	}
	rep.Prefixes = []prefixUsage{
		{Name: "sources", Prefix: "raw/", Bytes: sum.SourceBytes, Measured: "catalog"},
		{Name: "media", Prefix: "media/", Bytes: sum.MediaBytes, Measured: "catalog"},
	}
	if list := s.Admin.StoreUsage; list != nil {
		dl := prefixUsage{Name: "downloads", Prefix: "media/*/download/", Measured: "store", Objects: new(int64)}
		for i, id := range sum.DownloadIDs {
			if i == maxDownloadLists {
				dl.Partial = true
				break
			}
			b, n, err := list(ctx, "media/"+id+"/download/")
			if err != nil {
				writeError(w, s.Log, err)
				return
			}
			dl.Bytes += b
			*dl.Objects += n
		}
		rep.Prefixes = append(rep.Prefixes, dl)
		for _, p := range []struct{ name, prefix string }{{"live", "live/"}, {"work", "work/"}} {
			b, n, err := list(ctx, p.prefix)
			if err != nil {
				writeError(w, s.Log, err)
				return
			}
			rep.Prefixes = append(rep.Prefixes, prefixUsage{Name: p.name, Prefix: p.prefix, Bytes: b, Objects: &n, Measured: "store"})
		}
	}
	s.storage.report = rep
	writeJSON(w, http.StatusOK, rep)
}

// throughputView is GET /api/v1/admin/throughput.
type throughputView struct {
	Since         time.Time                  `json:"since"`
	BucketSeconds int64                      `json:"bucket_seconds"`
	Buckets       []catalog.ThroughputBucket `json:"buckets"`
}

// adminThroughput: GET /api/v1/admin/throughput?hours=48&bucket=3600: the
// videos that became ready, their length and processing time, per bucket
// (seconds, 60 to 86400; at most 2000 buckets).
func (s *Server) adminThroughput(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	hours, bucket := 48, 3600
	if v := q.Get("hours"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 24*366 {
			writeError(w, s.Log, media.Inputf("hours is a whole number from 1 to 8784."))
			return
		}
		hours = n
	}
	if v := q.Get("bucket"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 60 || n > 86400 {
			writeError(w, s.Log, media.Inputf("bucket is a number of seconds from 60 to 86400."))
			return
		}
		bucket = n
	}
	if hours*3600/bucket > 2000 {
		writeError(w, s.Log, media.Inputf("At most 2000 buckets: choose fewer hours or a longer bucket."))
		return
	}
	b := time.Duration(bucket) * time.Second
	since := s.Now().Add(-time.Duration(hours) * time.Hour).Truncate(b)
	buckets, err := s.Catalog.Throughput(r.Context(), since, b)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if buckets == nil {
		buckets = []catalog.ThroughputBucket{}
	}
	writeJSON(w, http.StatusOK, throughputView{Since: since.UTC(), BucketSeconds: int64(bucket), Buckets: buckets})
}
