package upload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// Sweep cleans up after abandoned uploads. API nodes run it at start and
// every hour. What expires when (TTL is config.UploadTTL and AbandonAfter
// is 24 h by default):
//
//   - Upload URLs (upload.expires_at): TTL after the video was created,
//     however often the video is read. New uploads (PUT, tus creation,
//     direct start) are refused after it; uploads already under way go on.
//   - A video still waiting for its upload (upload.delete_at):
//     AbandonAfter after its upload URL expired it is deleted, with its raw
//     objects. An upload completing at that moment wins.
//   - An unfinished tus upload: once no byte arrived for TTL, or once its
//     video is gone or got its source another way.
//   - A finished tus upload: its bytes leave the tus directory when it
//     finishes; its small .info record stays, so HEAD answers
//     Upload-Offset = Upload-Length, as long as the video exists.
//   - Partial uploads joined into a finished final upload (parallelUploads):
//     their bytes go when it finishes, their records with the final's.
//   - A tus upload that got all its bytes but never started its video (the
//     server died in between): started by the next sweep, or the next HEAD.
//   - S3 multipart uploads under raw/: aborted once their video is gone or
//     no longer waiting for an upload (presigned part URLs never outlive
//     upload.delete_at).
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	var rep SweepReport
	err := errors.Join(s.sweepVideos(ctx, now, &rep), s.sweepTus(ctx, now, &rep), s.sweepMultipart(ctx, &rep))
	return rep, err
}

// SweepReport counts what one Sweep did.
type SweepReport struct {
	VideosDeleted    int // never-uploaded videos past upload.delete_at
	TusRemoved       int // tus uploads whose files were removed
	TusStarted       int // complete tus uploads that had not started their video
	MultipartAborted int
}

// sweepVideos deletes videos that never received their upload.
func (s *Service) sweepVideos(ctx context.Context, now time.Time, rep *SweepReport) error {
	cutoff := now.Add(-s.cfg.TTL - s.cfg.AbandonAfter)
	for {
		ids, err := s.cat.AbandonedUploads(ctx, cutoff, 100)
		if err != nil {
			return err
		}
		deleted := 0
		for _, id := range ids {
			ok, err := s.cat.DeleteAbandonedVideo(ctx, id, cutoff)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			deleted++
			rep.VideosDeleted++
			if err := s.store.DeletePrefix(ctx, "raw/"+id+"/"); err != nil {
				s.log.Warn("delete abandoned upload's objects", "video", id, "err", err)
			}
			s.log.Info("deleted video that never received its upload", "video", id)
		}
		if len(ids) < 100 || deleted == 0 {
			return nil
		}
	}
}

// sweepTus goes through the tus directory: settled uploads whose video is
// gone are forgotten, complete ones that never started are started, and
// unfinished ones are removed when idle for TTL or no longer wanted.
func (s *Service) sweepTus(ctx context.Context, now time.Time, rep *SweepReport) error {
	entries, err := os.ReadDir(s.cfg.TusDir)
	if err != nil {
		return err
	}
	// Group tusd's files (<id>, <id>.info, <id>.lock, ...) by upload id and
	// keep the latest modification of each.
	latest := map[string]time.Time{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		id, _, _ := strings.Cut(e.Name(), ".")
		if t := info.ModTime(); t.After(latest[id]) {
			latest[id] = t
		}
	}
	for id, t := range latest {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		idle := now.Sub(t) > s.cfg.TTL
		info, err := s.tusInfo(id)
		switch {
		case err != nil:
			if idle { // stray files without a readable .info
				s.removeTusFiles(id, rep, now.Sub(t))
			}
		case info.Storage[storageJoined] != "":
			// Kept while the final upload it went into is (see tusconcat.go).
			if _, err := s.tusInfo(info.Storage[storageJoined]); errors.Is(err, tusd.ErrNotFound) {
				s.removeTusFiles(id, rep, now.Sub(t))
			}
		case info.Storage[storageSource] != "" || s.tusComplete(info):
			wasSettled := info.Storage[storageSettled] != ""
			_, err := s.settleTus(ctx, id)
			switch {
			case errors.Is(err, tusd.ErrNotFound):
				rep.TusRemoved++
			case err != nil:
				s.log.Warn("finish tus upload", "upload", id, "err", err)
			case !wasSettled:
				rep.TusStarted++
			}
		case idle || !s.stillWaiting(ctx, info.MetaData[metaVideoID]):
			s.removeTusFiles(id, rep, now.Sub(t))
		}
	}
	return nil
}

// tusComplete reports whether an unsettled, non-partial upload has all its bytes.
func (s *Service) tusComplete(info tusd.FileInfo) bool {
	if info.IsPartial || info.SizeIsDeferred {
		return false
	}
	st, err := os.Stat(tusBinPath(s.cfg.TusDir, info))
	return err == nil && st.Size() == info.Size
}

// stillWaiting reports whether videoID may still receive an upload; errors
// other than "not found" count as yes, so nothing is removed on a hiccup.
func (s *Service) stillWaiting(ctx context.Context, videoID string) bool {
	v, err := s.cat.Video(ctx, videoID)
	if errors.Is(err, media.ErrNotFound) {
		return false
	}
	return err != nil || v.Status == media.StatusWaitingUpload
}

func (s *Service) removeTusFiles(id string, rep *SweepReport, idle time.Duration) {
	defer s.tusLocks.lock(id)()
	for _, suffix := range []string{"", ".info", ".info.tmp", ".lock"} {
		_ = os.Remove(filepath.Join(s.cfg.TusDir, id+suffix))
	}
	rep.TusRemoved++
	s.log.Info("removed abandoned tus upload", "upload", id, "idle", idle.Round(time.Second).String())
}

// sweepMultipart aborts multipart uploads to raw/ whose video no longer
// waits for an upload.
func (s *Service) sweepMultipart(ctx context.Context, rep *SweepReport) error {
	ml, ok := s.store.(storage.MultipartLister)
	if !ok {
		return nil
	}
	pending, err := ml.ListMultipart(ctx, "raw/")
	if err != nil {
		return err
	}
	waiting := map[string]bool{}
	for _, p := range pending {
		id, ok := videoOfKey(p.Key)
		if !ok {
			continue
		}
		w, seen := waiting[id]
		if !seen {
			w = s.stillWaiting(ctx, id)
			waiting[id] = w
		}
		if w {
			continue
		}
		if err := s.presignerAbort(ctx, p); err != nil {
			s.log.Warn("abort abandoned multipart upload", "key", p.Key, "err", err)
			continue
		}
		rep.MultipartAborted++
		s.log.Info("aborted abandoned multipart upload", "key", p.Key, "started", p.Initiated)
	}
	return nil
}

func (s *Service) presignerAbort(ctx context.Context, p storage.PendingMultipart) error {
	ps, ok := s.presigner()
	if !ok {
		return errors.New("store cannot abort multipart uploads")
	}
	return ps.AbortMultipart(ctx, p.Key, p.UploadID)
}
