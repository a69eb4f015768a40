package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// userView is a user as admins see them on GET and PATCH /users/{id}: the
// account, the quota overrides an admin set (null follows the server's
// default, 0 means no quota), and what applies and is used.
type userView struct {
	access.User
	QuotaProcessingMinutes *float64  `json:"quota_processing_minutes"`
	QuotaStorageBytes      *int64    `json:"quota_storage_bytes"`
	Quota                  quotaView `json:"quota"`
}

// quotaView is the quota in force (0 means none) and the current usage.
type quotaView struct {
	ProcessingMinutes     float64 `json:"processing_minutes"`
	PeriodSeconds         int64   `json:"period_seconds"`
	UsedProcessingMinutes float64 `json:"used_processing_minutes"`
	StorageBytes          int64   `json:"storage_bytes"`
	UsedStorageBytes      int64   `json:"used_storage_bytes"`
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.Catalog.User(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	s.writeUser(w, r, http.StatusOK, u)
}

func (s *Server) writeUser(w http.ResponseWriter, r *http.Request, status int, u access.User) {
	v, err := s.userView(r, u)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) userView(r *http.Request, u access.User) (userView, error) {
	ctx := r.Context()
	o, err := s.Catalog.UserQuotas(ctx, u.ID)
	if err != nil {
		return userView{}, err
	}
	q, err := s.Catalog.Quota(ctx, u.ID)
	if err != nil {
		return userView{}, err
	}
	stored, err := s.Catalog.StorageUsed(ctx, u.ID)
	if err != nil {
		return userView{}, err
	}
	processed, err := s.Catalog.ProcessedSeconds(ctx, u.ID, q.Window(), "")
	if err != nil {
		return userView{}, err
	}
	return userView{User: u, QuotaProcessingMinutes: o.ProcessingMinutes, QuotaStorageBytes: o.StorageBytes,
		Quota: quotaView{
			ProcessingMinutes: q.ProcessingMinutes, PeriodSeconds: int64(q.Window().Seconds()),
			UsedProcessingMinutes: float64(int64(processed/6+0.5)) / 10,
			StorageBytes:          q.StorageBytes, UsedStorageBytes: stored,
		}}, nil
}

// quotaPatch reads the quota fields of a PATCH body: absent leaves an
// override, null returns it to the server default, a number sets it.
func quotaPatch(minutes, storage json.RawMessage) (catalog.QuotaPatch, error) {
	var p catalog.QuotaPatch
	bad := media.Inputf("quota_processing_minutes and quota_storage_bytes are null (the server's default), 0 (no quota) or a positive number; quota_storage_bytes is whole bytes.")
	if minutes != nil {
		if isNull(minutes) {
			p.ClearProcessing = true
		} else if err := json.Unmarshal(minutes, &p.ProcessingMinutes); err != nil || *p.ProcessingMinutes < 0 {
			return p, bad
		}
	}
	if storage != nil {
		if isNull(storage) {
			p.ClearStorage = true
		} else if err := json.Unmarshal(storage, &p.StorageBytes); err != nil || *p.StorageBytes < 0 {
			return p, bad
		}
	}
	return p, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
