package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// JobInfo is a job as shown to operators.
type JobInfo struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	Queue       string     `json:"queue"`
	VideoID     string     `json:"video_id,omitempty"`
	Run         int        `json:"run,omitempty"`
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	Worker      string     `json:"worker,omitempty"`       // client id of the last worker that took it
	WorkersLost int        `json:"workers_lost,omitempty"` // workers that died holding it before it was requeued
	CreatedAt   time.Time  `json:"created_at"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

// JobStates are the states Jobs accepts.
var JobStates = []string{"available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded", "pending"}

// Jobs lists up to limit jobs in state (all states when empty), newest first.
func (q *Queue) Jobs(ctx context.Context, state string, limit int) ([]JobInfo, error) {
	params := river.NewJobListParams().First(min(max(limit, 1), 1000)).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if state != "" {
		params = params.States(rivertype.JobState(state))
	}
	rows, err := q.list(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]JobInfo, len(rows))
	for i, r := range rows {
		out[i] = jobInfo(r)
	}
	return out, nil
}

func jobInfo(r *rivertype.JobRow) JobInfo {
	j := JobInfo{
		ID: r.ID, Kind: r.Kind, State: string(r.State), Queue: r.Queue, Attempt: r.Attempt,
		MaxAttempts: r.MaxAttempts, CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt,
		AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt, WorkersLost: WorkersLost(r),
	}
	if n := len(r.AttemptedBy); n > 0 {
		j.Worker = r.AttemptedBy[n-1]
	}
	if n := len(r.Errors); n > 0 {
		j.LastError = r.Errors[n-1].Error
	}
	var ref struct {
		VideoID string `json:"video_id"`
		Run     int    `json:"run"`
	}
	if json.Unmarshal(r.EncodedArgs, &ref) == nil {
		j.VideoID, j.Run = ref.VideoID, ref.Run
	}
	return j
}

// Unfinished are the states of a job that has not ended.
var Unfinished = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled, rivertype.JobStateRetryable,
}

// Outstanding returns the args of up to limit unfinished jobs of kind whose
// args hold value at the top-level field.
func (q *Queue) Outstanding(ctx context.Context, kind, field, value string, limit int) ([]json.RawMessage, error) {
	// ->> takes a key on both PostgreSQL (jsonb) and SQLite.
	params := river.NewJobListParams().Kinds(kind).States(Unfinished...).First(max(limit, 1)).
		Where("args ->> @field = @value", river.NamedArgs{"field": field, "value": value})
	rows, err := q.list(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", kind, err)
	}
	args := make([]json.RawMessage, len(rows))
	for i, r := range rows {
		args[i] = r.EncodedArgs
	}
	return args, nil
}
