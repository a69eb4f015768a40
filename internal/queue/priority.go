package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Job priorities of the encode queue: River takes lower numbers first,
// then the earliest scheduled. Jobs inserted without one get River's
// default, 1, which is why encode jobs are inserted with PriorityFirst or
// PriorityLater: only Prioritize gives PriorityUrgent.
const (
	// PriorityUrgent is for a job a viewer waits for (Prioritize).
	PriorityUrgent = 1
	// PriorityFirst is for the first seconds of a video, so that it starts
	// playing before older videos' later chunks are encoded.
	PriorityFirst = 2
	// PriorityLater is for the rest of a video.
	PriorityLater = 3
)

// QueueUrgent holds the jobs a viewer waits for (Prioritize moves them
// there). It has slots of its own, as many as the encode queue, so such a
// job starts within a poll interval even when every encode slot is busy;
// the worker stops its other encodes meanwhile (see pipeline's Pauser), so
// no more encodes than slots use the CPU at once (more, side by side, made
// the video ready twice as late on two cores: bench/ttp.sh).
const QueueUrgent = "urgent"

// Prioritize moves the waiting jobs of kind whose args hold every key and
// value of match (compared as JSON) to the front of the queue, in
// QueueUrgent, for any worker to take next, and merges note into their
// metadata (JobRow.Metadata; nil adds nothing). It returns how many jobs
// moved: none when the job is already urgent, running, done, or unknown.
func (q *Queue) Prioritize(ctx context.Context, kind string, match, note map[string]any) (int64, error) {
	if q.prioritize == nil {
		return 0, nil
	}
	if note == nil {
		note = map[string]any{}
	}
	return q.prioritize(ctx, kind, match, note)
}

func pgPrioritize(exec func(ctx context.Context, sql string, args ...any) (int64, error)) func(context.Context, string, map[string]any, map[string]any) (int64, error) {
	return func(ctx context.Context, kind string, match, note map[string]any) (int64, error) {
		doc, err := json.Marshal(match)
		if err != nil {
			return 0, err
		}
		meta, err := json.Marshal(note)
		if err != nil {
			return 0, err
		}
		return exec(ctx, `UPDATE river_job SET priority = $1, queue = $4, metadata = metadata || $5::jsonb,
			scheduled_at = LEAST(scheduled_at, now())
			WHERE kind = $2 AND state = 'available' AND (priority > $1 OR queue <> $4) AND args @> $3::jsonb`,
			PriorityUrgent, kind, string(doc), QueueUrgent, string(meta))
	}
}

func sqlitePrioritize(exec func(ctx context.Context, sql string, args ...any) (int64, error)) func(context.Context, string, map[string]any, map[string]any) (int64, error) {
	return func(ctx context.Context, kind string, match, note map[string]any) (int64, error) {
		keys := make([]string, 0, len(match))
		for k := range match {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		meta, err := json.Marshal(note)
		if err != nil {
			return 0, err
		}
		var where strings.Builder
		args := []any{PriorityUrgent, QueueUrgent, string(meta), kind, PriorityUrgent, QueueUrgent}
		for _, k := range keys {
			if !plainKey(k) {
				return 0, fmt.Errorf("queue: prioritize: bad key %q", k)
			}
			v, err := json.Marshal(match[k])
			if err != nil {
				return 0, err
			}
			// json() normalises both sides, so 3 matches 3 and "a" matches "a".
			fmt.Fprintf(&where, " AND json_quote(json_extract(args, '$.%s')) = json(?)", k)
			args = append(args, string(v))
		}
		return exec(ctx, `UPDATE river_job SET priority = ?, queue = ?, metadata = jsonb_patch(metadata, json(?))
			WHERE kind = ? AND state = 'available' AND (priority > ? OR queue <> ?)`+where.String(), args...)
	}
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
