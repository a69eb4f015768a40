package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
)

// JobsFunc lists pipeline jobs for operators (state "" means all states).
type JobsFunc func(ctx context.Context, state string, limit int) ([]queue.JobInfo, error)

// listJobs: GET /api/v1/jobs?state=running&video=ID&limit=100 (admin). It
// shows attempts, the worker holding each job, timings and the last error,
// so stuck or failing jobs are visible.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state != "" && !slices.Contains(queue.JobStates, state) {
		writeError(w, s.Log, media.Inputf("Unknown job state %q.", state))
		return
	}
	limit := 200
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, s.Log, media.Inputf("limit must be a positive number."))
			return
		}
		limit = n
	}
	jobs, err := s.JobsFunc(r.Context(), state, limit)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if video := q.Get("video"); video != "" {
		jobs = slices.DeleteFunc(jobs, func(j queue.JobInfo) bool { return j.VideoID != video })
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": jobs})
}
