package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// Step is one job of a pipeline run as tracked for progress and fan-in.
type Step struct {
	Name   string
	Weight float64
}

// The share of the progress bar that probing takes; the rest is spread over
// the steps the plan creates, so progress never moves backwards.
const (
	probeWeight = 3.0
	restStep    = "planned"
	restWeight  = 100 - probeWeight
	probeStep   = "probe"
)

// StartRun marks an upload complete: waiting_upload → queued with the given
// source, starting run 1. A second completion gets media.ErrConflict, which
// is what makes upload URLs single-use.
func (c *Catalog) StartRun(ctx context.Context, id, sourceKey string, size int64) (int, error) {
	// The owner's storage quota is checked on the stored size, whatever the
	// upload announced; a refusal (*media.QuotaError) changes nothing and
	// the caller discards the bytes.
	if err := c.checkStorageOf(ctx, id, size); err != nil {
		return 0, err
	}
	n, err := c.exec(ctx, `UPDATE videos SET status = ?, source_key = ?, source_size = ?, run = run + 1,
		progress = 0, error = '', uploaded_at = ?, updated_at = ? WHERE id = ? AND status = ?`,
		media.StatusQueued, sourceKey, size, c.millis(), c.millis(), id, media.StatusWaitingUpload)
	if err != nil {
		return 0, err
	}
	return c.afterRunStart(ctx, id, n)
}

// ErrFinal is Requeue's answer for a video whose failure the file itself
// causes (see FailFinal): the same file would fail the same way.
var ErrFinal = &media.InputError{Reason: "This file cannot be processed (see the reason); running it again would fail the same way. Upload another file."}

// Requeue starts a new run for a failed video from its stored source. A
// failure marked final (FailFinal) is ErrFinal.
func (c *Catalog) Requeue(ctx context.Context, id string) (int, error) {
	n, err := c.exec(ctx, `UPDATE videos SET status = ?, run = run + 1, progress = 0, error = '', error_final = FALSE,
		processing_started_at = NULL, playable_at = NULL, updated_at = ? WHERE id = ? AND status = ? AND source_key <> ''
		AND error_final = FALSE`,
		media.StatusQueued, c.millis(), id, media.StatusFailed)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		if row, err := c.videoRow(ctx, id); err == nil && row.ErrorFinal && row.Status == string(media.StatusFailed) {
			return 0, ErrFinal
		}
	}
	return c.afterRunStart(ctx, id, n)
}

func (c *Catalog) afterRunStart(ctx context.Context, id string, updated int64) (int, error) {
	row, err := c.videoRow(ctx, id)
	if err != nil {
		return 0, err
	}
	if updated == 0 {
		return 0, fmt.Errorf("video %s is %s: %w", id, row.Status, media.ErrConflict)
	}
	for _, s := range []Step{{probeStep, probeWeight}, {restStep, restWeight}} {
		if _, err := c.exec(ctx, `INSERT INTO pipeline_steps (video_id, run, name, weight) VALUES (?, ?, ?, ?)`,
			id, row.Run, s.Name, s.Weight); err != nil {
			return 0, err
		}
	}
	return row.Run, nil
}

// BeginProcessing moves a queued video to processing. It returns false when
// run is not the video's current run (a stale job) or the video has ended.
func (c *Catalog) BeginProcessing(ctx context.Context, id string, run int) (bool, error) {
	n, err := c.exec(ctx, `UPDATE videos SET status = ?, updated_at = ?,
		processing_started_at = COALESCE(processing_started_at, ?)
		WHERE id = ? AND run = ? AND status IN (?, ?)`,
		media.StatusProcessing, c.millis(), c.millis(), id, run, media.StatusQueued, media.StatusProcessing)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// SavePlan records what probing found and the steps of the run. pending is
// the number of parallel steps that must finish before packaging.
func (c *Catalog) SavePlan(ctx context.Context, id string, run int, src media.Source, plan media.Plan, steps []Step, pending int) error {
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	if _, err := c.exec(ctx, `UPDATE videos SET kind = ?, duration = ?, width = ?, height = ?, plan = ?, updated_at = ?
		WHERE id = ? AND run = ?`, plan.Kind, src.Duration, src.Width, src.Height, string(planJSON), c.millis(), id, run); err != nil {
		return err
	}
	if _, err := c.exec(ctx, `DELETE FROM pipeline_steps WHERE video_id = ? AND run = ? AND name = ?`, id, run, restStep); err != nil {
		return err
	}
	var total float64
	for _, s := range steps {
		total += s.Weight
	}
	for _, s := range steps {
		if _, err := c.exec(ctx, `INSERT INTO pipeline_steps (video_id, run, name, weight) VALUES (?, ?, ?, ?)`,
			id, run, s.Name, restWeight*s.Weight/total); err != nil {
			return fmt.Errorf("save step %s: %w", s.Name, err)
		}
	}
	_, err = c.exec(ctx, `INSERT INTO pipeline_runs (video_id, run, pending) VALUES (?, ?, ?)`, id, run, pending)
	return err
}

// Plan returns the saved plan, the current run and status of a video.
func (c *Catalog) Plan(ctx context.Context, id string) (media.Plan, int, media.Status, error) {
	row, err := c.videoRow(ctx, id)
	if err != nil {
		return media.Plan{}, 0, "", err
	}
	var p media.Plan
	if row.Plan != "" {
		if err := json.Unmarshal([]byte(row.Plan), &p); err != nil {
			return p, 0, "", fmt.Errorf("plan of %s: %w", id, err)
		}
	}
	return p, row.Run, media.Status(row.Status), nil
}

// SetStepProgress records progress (0..1) of a running step and refreshes the
// video's overall progress.
func (c *Catalog) SetStepProgress(ctx context.Context, id string, run int, step string, p float64) error {
	p = min(max(p, 0), 0.999)
	if _, err := c.exec(ctx, `UPDATE pipeline_steps SET progress = ? WHERE video_id = ? AND run = ? AND name = ? AND done = FALSE`,
		p, id, run, step); err != nil {
		return err
	}
	return c.refreshProgress(ctx, id, run)
}

// FinishStep marks a step done. changed is false when it was done already,
// which makes a retried job's completion harmless.
func (c *Catalog) FinishStep(ctx context.Context, id string, run int, step string) (changed bool, err error) {
	n, err := c.exec(ctx, `UPDATE pipeline_steps SET progress = 1, done = TRUE WHERE video_id = ? AND run = ? AND name = ? AND done = FALSE`,
		id, run, step)
	if err != nil {
		return false, err
	}
	if n == 0 {
		return false, nil
	}
	return true, c.refreshProgress(ctx, id, run)
}

// FinishParallelStep marks a fan-in step done and decrements the run's pending
// counter. last is true for exactly one caller: the one that brought it to 0.
func (c *Catalog) FinishParallelStep(ctx context.Context, id string, run int, step string) (last bool, err error) {
	changed, err := c.FinishStep(ctx, id, run, step)
	if err != nil || !changed {
		return false, err
	}
	var pending int
	err = c.queryRow(ctx, `UPDATE pipeline_runs SET pending = pending - 1 WHERE video_id = ? AND run = ? RETURNING pending`,
		[]any{id, run}, &pending)
	if err != nil {
		return false, fmt.Errorf("fan-in %s/%d: %w", id, run, err)
	}
	return pending == 0, nil
}

// refreshProgress recomputes the video's progress from its steps. It never
// lowers it: two concurrent refreshes may each read the other's step before
// it commits, and a step retried on another worker starts again from 0; a
// bar that moves backwards only confuses the person watching it.
func (c *Catalog) refreshProgress(ctx context.Context, id string, run int) error {
	greatest := "MAX" // SQLite's two-argument MAX is a scalar function
	if c.postgres {
		greatest = "GREATEST"
	}
	_, err := c.exec(ctx, `UPDATE videos SET progress = `+greatest+`(progress, COALESCE((SELECT SUM(weight * progress) / SUM(weight)
		FROM pipeline_steps WHERE video_id = ? AND run = ?), 0)) WHERE id = ? AND run = ? AND status = ?`,
		id, run, id, run, media.StatusProcessing)
	return err
}

// Fail ends the run with a reason meant for people. It returns false when the
// run is stale or the video already ended.
func (c *Catalog) Fail(ctx context.Context, id string, run int, reason string) (bool, error) {
	return c.fail(ctx, id, run, reason, false)
}

// FailFinal is Fail for a failure the file itself causes (not media, cannot
// be decoded, over the limits): the video cannot be retried (Requeue).
func (c *Catalog) FailFinal(ctx context.Context, id string, run int, reason string) (bool, error) {
	return c.fail(ctx, id, run, reason, true)
}

func (c *Catalog) fail(ctx context.Context, id string, run int, reason string, final bool) (bool, error) {
	n, err := c.exec(ctx, `UPDATE videos SET status = ?, error = ?, error_final = ?, updated_at = ? WHERE id = ? AND run = ? AND status IN (?, ?)`,
		media.StatusFailed, reason, final, c.millis(), id, run, media.StatusQueued, media.StatusProcessing)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// Publish marks the run's output ready (with the renditions saved by
// SaveRenditions). It returns false when the run is stale or ended, in which
// case the caller must not consider it published.
func (c *Catalog) Publish(ctx context.Context, id string, run int) (bool, error) {
	now := c.millis()
	n, err := c.exec(ctx, `UPDATE videos SET status = ?, progress = 1, ready_at = ?, updated_at = ?
		WHERE id = ? AND run = ? AND status = ?`, media.StatusReady, now, now, id, run, media.StatusProcessing)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// SetPlayable records that the run's manifests are published while it still
// processes (progressive playback). changed is false when the run is stale,
// ended, or was playable already, so the caller sends video.playable once.
func (c *Catalog) SetPlayable(ctx context.Context, id string, run int) (changed bool, err error) {
	now := c.millis()
	n, err := c.exec(ctx, `UPDATE videos SET playable_at = ?, updated_at = ?
		WHERE id = ? AND run = ? AND status = ? AND playable_at IS NULL`, now, now, id, run, media.StatusProcessing)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// PlaybackGate is what delivery checks for every media request of a video:
// whether it may be served at all, and the time before which playback
// grants no longer count (zero when none were revoked). Pending is set for
// a video that plays while it is still processing: Plan then holds its
// segment grid, so delivery can wait for a segment that is being encoded.
type PlaybackGate struct {
	Published bool
	NotBefore time.Time
	Pending   *media.Plan
}

// Now is the catalog's clock, on which PlaybackGate.NotBefore is stamped:
// playback grants take their issue time from it.
func (c *Catalog) Now() time.Time { return c.now() }

// PlaybackGate returns the video's gate; a missing video is unpublished.
func (c *Catalog) PlaybackGate(ctx context.Context, id string) (PlaybackGate, error) {
	var (
		status              string
		notBefore, playable sql.NullInt64
	)
	err := c.queryRow(ctx, `SELECT status, playback_not_before, playable_at FROM videos WHERE id = ?`, []any{id}, &status, &notBefore, &playable)
	if isNoRows(err) {
		return PlaybackGate{}, nil
	}
	if err != nil {
		return PlaybackGate{}, err
	}
	g := PlaybackGate{Published: status == string(media.StatusReady)}
	if notBefore.Valid {
		g.NotBefore = time.UnixMicro(notBefore.Int64)
	}
	if status == string(media.StatusProcessing) && playable.Valid {
		plan, _, _, err := c.Plan(ctx, id)
		if err != nil {
			return PlaybackGate{}, err
		}
		g.Published, g.Pending = true, &plan
	}
	return g, nil
}

// SaveRenditions records the packaged renditions before the run is published.
func (c *Catalog) SaveRenditions(ctx context.Context, id string, run int, renditions []media.Rendition) error {
	if renditions == nil {
		renditions = []media.Rendition{} // the API promises a list, never null
	}
	rj, err := json.Marshal(renditions)
	if err != nil {
		return err
	}
	_, err = c.exec(ctx, `UPDATE videos SET renditions = ?, updated_at = ? WHERE id = ? AND run = ?`,
		string(rj), c.millis(), id, run)
	return err
}
