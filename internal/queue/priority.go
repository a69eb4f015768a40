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

// Prioritize moves the waiting jobs of kind whose args hold every key and
// value of match (compared as JSON) to the front of their queue, for any
// worker to take next. It returns how many jobs moved: none when the job
// is already running, done, or unknown.
func (q *Queue) Prioritize(ctx context.Context, kind string, match map[string]any) (int64, error) {
	if q.prioritize == nil {
		return 0, nil
	}
	return q.prioritize(ctx, kind, match)
}

func pgPrioritize(exec func(ctx context.Context, sql string, args ...any) (int64, error)) func(context.Context, string, map[string]any) (int64, error) {
	return func(ctx context.Context, kind string, match map[string]any) (int64, error) {
		doc, err := json.Marshal(match)
		if err != nil {
			return 0, err
		}
		return exec(ctx, `UPDATE river_job SET priority = $1, scheduled_at = LEAST(scheduled_at, now())
			WHERE kind = $2 AND state = 'available' AND priority > $1 AND args @> $3::jsonb`, PriorityUrgent, kind, string(doc))
	}
}

func sqlitePrioritize(exec func(ctx context.Context, sql string, args ...any) (int64, error)) func(context.Context, string, map[string]any) (int64, error) {
	return func(ctx context.Context, kind string, match map[string]any) (int64, error) {
		keys := make([]string, 0, len(match))
		for k := range match {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var where strings.Builder
		args := []any{PriorityUrgent, kind, PriorityUrgent}
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
		return exec(ctx, `UPDATE river_job SET priority = ? WHERE kind = ? AND state = 'available' AND priority > ?`+where.String(), args...)
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
