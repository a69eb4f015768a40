package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/media"
)

// UseQuota sets the server's default quotas (KINEMA_QUOTA_*), which apply
// to every owner without an override of their own.
func (c *Catalog) UseQuota(q media.Quota) { c.quota = q }

// QuotaOverrides are an admin's per-user quotas; nil follows the server's
// default, 0 means no quota.
type QuotaOverrides struct {
	ProcessingMinutes *float64 `json:"processing_minutes"`
	StorageBytes      *int64   `json:"storage_bytes"`
}

// QuotaPatch changes the overrides that are set; Clear* returns one to
// the server default.
type QuotaPatch struct {
	ProcessingMinutes *float64
	StorageBytes      *int64
	ClearProcessing   bool
	ClearStorage      bool
}

// Empty says whether p changes nothing.
func (p QuotaPatch) Empty() bool {
	return p.ProcessingMinutes == nil && p.StorageBytes == nil && !p.ClearProcessing && !p.ClearStorage
}

// UserQuotas returns a user's overrides.
func (c *Catalog) UserQuotas(ctx context.Context, id string) (QuotaOverrides, error) {
	o, _, err := c.userQuotaRow(ctx, id)
	return o, err
}

func (c *Catalog) userQuotaRow(ctx context.Context, id string) (QuotaOverrides, access.Role, error) {
	var (
		minutes sql.NullFloat64
		bytes   sql.NullInt64
		role    string
	)
	err := c.queryRow(ctx, `SELECT role, quota_processing_minutes, quota_storage_bytes FROM users WHERE id = ?`,
		[]any{id}, &role, &minutes, &bytes)
	if isNoRows(err) {
		return QuotaOverrides{}, "", fmt.Errorf("user %s: %w", id, media.ErrNotFound)
	}
	if err != nil {
		return QuotaOverrides{}, "", fmt.Errorf("quotas of %s: %w", id, err)
	}
	var o QuotaOverrides
	if minutes.Valid {
		o.ProcessingMinutes = &minutes.Float64
	}
	if bytes.Valid {
		o.StorageBytes = &bytes.Int64
	}
	return o, access.Role(role), nil
}

// SetUserQuotas applies p to a user's overrides. Negative values are
// media.ErrInvalid.
func (c *Catalog) SetUserQuotas(ctx context.Context, id string, p QuotaPatch) error {
	if (p.ProcessingMinutes != nil && *p.ProcessingMinutes < 0) || (p.StorageBytes != nil && *p.StorageBytes < 0) {
		return fmt.Errorf("negative quota: %w", media.ErrInvalid)
	}
	set, args := "", []any{}
	add := func(col string, v any) {
		if set != "" {
			set += ", "
		}
		set += col + " = ?"
		args = append(args, v)
	}
	switch {
	case p.ClearProcessing:
		add("quota_processing_minutes", nil)
	case p.ProcessingMinutes != nil:
		add("quota_processing_minutes", *p.ProcessingMinutes)
	}
	switch {
	case p.ClearStorage:
		add("quota_storage_bytes", nil)
	case p.StorageBytes != nil:
		add("quota_storage_bytes", *p.StorageBytes)
	}
	if set == "" {
		return nil
	}
	n, err := c.exec(ctx, `UPDATE users SET `+set+` WHERE id = ?`, append(args, id)...)
	if err != nil {
		return fmt.Errorf("set quotas of %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("user %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// OwnerQuota is the quota that applies to owner given the server defaults
// def: the user's overrides where set, def otherwise. Admins are exempt
// from the defaults (they run the server) but not from an override an
// admin set on them. An owner that is no user (a user-less API key) gets
// def.
func (c *Catalog) OwnerQuota(ctx context.Context, owner string, def media.Quota) (media.Quota, error) {
	o, role, err := c.userQuotaRow(ctx, owner)
	if errors.Is(err, media.ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return def, err
	}
	q := def
	if role == access.RoleAdmin {
		q.ProcessingMinutes, q.StorageBytes = 0, 0
	}
	if o.ProcessingMinutes != nil {
		q.ProcessingMinutes = *o.ProcessingMinutes
	}
	if o.StorageBytes != nil {
		q.StorageBytes = *o.StorageBytes
	}
	return q, nil
}

// Quota is OwnerQuota with the defaults set by UseQuota.
func (c *Catalog) Quota(ctx context.Context, owner string) (media.Quota, error) {
	return c.OwnerQuota(ctx, owner, c.quota)
}

// StorageUsed is what the owner's videos hold: their sources' sizes plus
// their published media's, both recorded in the catalog (no store listing).
func (c *Catalog) StorageUsed(ctx context.Context, owner string) (int64, error) {
	var used int64
	err := c.queryRow(ctx, `SELECT COALESCE(SUM(source_size + media_bytes), 0) FROM videos WHERE owner_id = ?`,
		[]any{owner}, &used)
	if err != nil {
		return 0, fmt.Errorf("storage used by %s: %w", owner, err)
	}
	return used, nil
}

// CheckStorage returns a *media.QuotaError when adding bytes would take
// owner past their storage quota (adding 0: when it is already reached).
func (c *Catalog) CheckStorage(ctx context.Context, owner string, adding int64) error {
	if owner == "" {
		return nil
	}
	q, err := c.Quota(ctx, owner)
	if err != nil || q.StorageBytes <= 0 {
		return err
	}
	used, err := c.StorageUsed(ctx, owner)
	if err != nil {
		return err
	}
	return q.CheckStorage(used, adding)
}

// SetMediaBytes records what a video's published media hold in the store.
func (c *Catalog) SetMediaBytes(ctx context.Context, id string, bytes int64) error {
	if _, err := c.exec(ctx, `UPDATE videos SET media_bytes = ? WHERE id = ?`, bytes, id); err != nil {
		return fmt.Errorf("media bytes of %s: %w", id, err)
	}
	return nil
}

// checkStorageOf is CheckStorage for the owner of video id, still waiting
// for its upload (a video in any other state is left to StartRun's
// conflict).
func (c *Catalog) checkStorageOf(ctx context.Context, id string, adding int64) error {
	var owner string
	err := c.queryRow(ctx, `SELECT owner_id FROM videos WHERE id = ? AND status = ?`,
		[]any{id, media.StatusWaitingUpload}, &owner)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("owner of %s: %w", id, err)
	}
	return c.CheckStorage(ctx, owner, adding)
}
