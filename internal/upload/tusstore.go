package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// A tus upload lives in TusDir as <id> (the bytes) and <id>.info (tusd's
// JSON). Finishing one moves the bytes into the raw store and starts the
// video; the .info file stays, marked settled, so that HEAD keeps answering
// Upload-Offset = Upload-Length while the video exists (a client that lost
// the answer to its last PATCH must learn that it succeeded). Finishing is
// written down in two steps (the chosen store key, then "started"), so a
// crash at any point is finished on the next request or sweep, once.
const (
	storageSource  = "KinemaSource"  // raw store key chosen for the upload
	storageSettled = "KinemaSettled" // "1" once the video was started from it
	// storageJoined marks a partial upload whose bytes went into this final
	// upload (see tusconcat.go).
	storageJoined = "KinemaJoinedInto"
)

// tusIDPattern is what tusd's file store generates; anything else (a path,
// a crafted Upload-Concat entry) is refused before touching the disk.
var tusIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// tusStore is tusd's file store, except that settled uploads are answered
// from their .info file and complete-but-unsettled ones get settled first.
type tusStore struct {
	filestore.FileStore
	s *Service
}

func newTusStore(s *Service) tusStore {
	fs := filestore.New(s.cfg.TusDir)
	fs.DirModePerm, fs.FileModePerm = 0o750, 0o640
	return tusStore{FileStore: fs, s: s}
}

// UseIn registers the store for everything but downloads (disabled).
func (t tusStore) UseIn(c *tusd.StoreComposer) {
	c.UseCore(t)
	c.UseTerminater(t)
	c.UseConcater(t)
	c.UseLengthDeferrer(t)
}

func (t tusStore) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	up, err := t.FileStore.NewUpload(ctx, info)
	if err != nil {
		return nil, tusFault(t.s.log, info.MetaData[metaVideoID], err)
	}
	return t.s.capUpload(up), nil
}

func (t tusStore) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	info, err := t.s.tusInfo(id)
	if err != nil {
		return nil, err
	}
	if final := info.Storage[storageJoined]; final != "" {
		return t.s.joinedPartial(ctx, info, final)
	}
	if info.Storage[storageSource] == "" {
		up, err := t.FileStore.GetUpload(ctx, id)
		if err != nil {
			return nil, err
		}
		fi, err := up.GetInfo(ctx)
		if err != nil || fi.IsPartial || fi.SizeIsDeferred || fi.Offset != fi.Size {
			return t.s.capUpload(up), err
		}
		// All bytes arrived but the upload was never settled: the server
		// died, or the store or database failed, right after the last PATCH.
	}
	fi, err := t.s.settleTus(ctx, id)
	if err != nil {
		return nil, tusError(t.s, err)
	}
	return settledUpload{info: fi, s: t.s}, nil
}

func (t tusStore) AsTerminatableUpload(up tusd.Upload) tusd.TerminatableUpload {
	if su, ok := up.(settledUpload); ok {
		return su
	}
	return t.FileStore.AsTerminatableUpload(uncapped(up))
}

func (t tusStore) AsLengthDeclarableUpload(up tusd.Upload) tusd.LengthDeclarableUpload {
	if su, ok := up.(settledUpload); ok {
		return su
	}
	return t.FileStore.AsLengthDeclarableUpload(uncapped(up))
}

func (t tusStore) AsConcatableUpload(up tusd.Upload) tusd.ConcatableUpload {
	return concatGuard{final: uncapped(up), fs: t.FileStore}
}

// concatGuard keeps settled uploads out of a concatenation (the create hook
// already refuses them; the file store would panic on them).
type concatGuard struct {
	final tusd.Upload
	fs    filestore.FileStore
}

func (g concatGuard) ConcatUploads(ctx context.Context, partials []tusd.Upload) error {
	files := make([]tusd.Upload, len(partials))
	for i, p := range partials {
		if _, ok := p.(settledUpload); ok {
			return errTusPartials
		}
		files[i] = uncapped(p)
	}
	if _, ok := g.final.(settledUpload); ok {
		return errTusPartials
	}
	// tusd refused the final upload already if the partials add up to more
	// than MaxBytes (each partial is capped on its own while it is written).
	return g.fs.AsConcatableUpload(g.final).ConcatUploads(ctx, files)
}

// settledUpload is a finished upload whose bytes are in the raw store.
type settledUpload struct {
	info tusd.FileInfo
	s    *Service
}

var errSettled = errors.New("tus: upload already finished")

func (u settledUpload) WriteChunk(context.Context, int64, io.Reader) (int64, error) {
	return 0, errSettled
}
func (u settledUpload) GetInfo(context.Context) (tusd.FileInfo, error)   { return u.info, nil }
func (u settledUpload) GetReader(context.Context) (io.ReadCloser, error) { return nil, errSettled }
func (u settledUpload) FinishUpload(context.Context) error               { return nil }
func (u settledUpload) DeclareLength(context.Context, int64) error       { return errSettled }

// Terminate forgets the upload; the video keeps its source.
func (u settledUpload) Terminate(context.Context) error {
	u.s.dropTus(u.info)
	return nil
}

// settleTus stores a complete upload's bytes and starts its video, exactly
// once however often it is called (the finish hook, a HEAD after a crash,
// the sweep). It returns the upload as finished, or tusd.ErrNotFound when
// the upload or its video is gone or another upload of the video won.
func (s *Service) settleTus(ctx context.Context, uploadID string) (tusd.FileInfo, error) {
	defer s.tusLocks.lock(uploadID)()
	info, err := s.tusInfo(uploadID)
	if err != nil {
		return info, err
	}
	if info.IsPartial {
		return info, fmt.Errorf("tus upload %s is a partial upload", uploadID)
	}
	videoID, key := info.MetaData[metaVideoID], info.Storage[storageSource]
	if videoID == "" {
		return info, fmt.Errorf("tus upload %s has no video", uploadID)
	}
	if key == "" {
		st, err := os.Stat(tusBinPath(s.cfg.TusDir, info))
		if err != nil || info.SizeIsDeferred || st.Size() != info.Size {
			return info, fmt.Errorf("tus upload %s is incomplete", uploadID)
		}
		key = RawKey(videoID)
		info.Storage[storageSource] = key
		if err := s.writeTusInfo(info); err != nil {
			return info, err
		}
	}
	if info.Storage[storageSettled] == "" {
		if err := s.startTus(ctx, info, key); err != nil {
			return info, err
		}
		info.Storage[storageSettled] = "1"
		if err := s.writeTusInfo(info); err != nil {
			return info, err
		}
		_ = os.Remove(tusBinPath(s.cfg.TusDir, info)) // still there when the store copied instead of moving
		s.markJoined(info)
		s.log.Info("upload complete", "video", videoID, "bytes", info.Size, "via", "tus", "parts", len(info.PartialUploads))
	} else if current, _, err := s.cat.Source(ctx, videoID); errors.Is(err, media.ErrNotFound) || (err == nil && current != key) {
		s.dropTus(info) // the video was deleted (or has another source)
		s.dropJoined(info)
		return info, tusd.ErrNotFound
	} else if err != nil {
		return info, err
	}
	info.Offset = info.Size
	return info, nil
}

// startTus puts the upload's bytes under key (unless an interrupted settle
// already did) and starts processing.
func (s *Service) startTus(ctx context.Context, info tusd.FileInfo, key string) error {
	videoID := info.MetaData[metaVideoID]
	v, err := s.cat.Video(ctx, videoID)
	if err != nil {
		if errors.Is(err, media.ErrNotFound) {
			s.dropTus(info)
			return tusd.ErrNotFound
		}
		return err
	}
	if v.Status != media.StatusWaitingUpload {
		return s.startedElsewhere(ctx, info, key)
	}
	if st, err := s.store.Stat(ctx, key); err != nil || st.Size != info.Size {
		if _, err := storage.PutFile(ctx, s.store, key, tusBinPath(s.cfg.TusDir, info)); err != nil {
			return fmt.Errorf("store tus upload: %w", err)
		}
	}
	if err := s.start(ctx, videoID, key, info.Size); err != nil {
		if errors.Is(err, media.ErrConflict) || errors.Is(err, media.ErrNotFound) {
			return s.startedElsewhere(ctx, info, key)
		}
		if msg, ok := quotaRefusal(err); ok {
			// Nothing is kept: the video waits for a smaller file.
			_ = s.store.Delete(context.WithoutCancel(ctx), key)
			s.dropTus(info)
			s.log.Info("tus upload refused: storage quota", "video", videoID, "bytes", info.Size)
			return errTusQuota(msg)
		}
		return fmt.Errorf("start processing: %w", err)
	}
	return nil
}

// startedElsewhere handles a video that is no longer waiting: fine if it
// was started from this very upload (a settle interrupted after starting),
// a conflict otherwise.
func (s *Service) startedElsewhere(ctx context.Context, info tusd.FileInfo, key string) error {
	current, _, err := s.cat.Source(ctx, info.MetaData[metaVideoID])
	if err == nil && current == key {
		return nil
	}
	_ = s.store.Delete(ctx, key)
	s.dropTus(info)
	if errors.Is(err, media.ErrNotFound) {
		return tusd.ErrNotFound
	}
	return fmt.Errorf("tus upload %s: %w", info.ID, media.ErrConflict)
}

// tusError turns a settle failure into the answer tusd sends.
func tusError(s *Service, err error) error {
	var te tusd.Error
	switch {
	case errors.As(err, &te):
		return err
	case errors.Is(err, media.ErrConflict):
		return errTusConflict
	case storage.IsNoSpace(err), storage.IsTransient(err):
		return tusFault(s.log, "", err) // 507 or 503: the client sends the last bytes again later
	default:
		s.log.Error("finish tus upload", "err", err)
		return errTusInternal
	}
}

// tusInfo reads an upload's .info file; a missing one is tusd.ErrNotFound.
func (s *Service) tusInfo(id string) (tusd.FileInfo, error) {
	var info tusd.FileInfo
	if !tusIDPattern.MatchString(id) {
		return info, tusd.ErrNotFound
	}
	data, err := os.ReadFile(filepath.Join(s.cfg.TusDir, id+".info"))
	if errors.Is(err, os.ErrNotExist) {
		return info, tusd.ErrNotFound
	}
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("tus upload %s: %w", id, err)
	}
	if info.Storage == nil {
		info.Storage = map[string]string{}
	}
	return info, nil
}

// writeTusInfo replaces the .info file atomically: a crash leaves the old
// or the new one, never half of it.
func (s *Service) writeTusInfo(info tusd.FileInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	path := filepath.Join(s.cfg.TusDir, info.ID+".info")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// dropTus removes an upload's files (not its lock, which tusd may hold).
func (s *Service) dropTus(info tusd.FileInfo) {
	_ = os.Remove(tusBinPath(s.cfg.TusDir, info))
	_ = os.Remove(filepath.Join(s.cfg.TusDir, info.ID+".info"))
}

func tusBinPath(dir string, info tusd.FileInfo) string {
	if p := info.Storage[filestore.StorageKeyPath]; p != "" {
		return p
	}
	return filepath.Join(dir, info.ID)
}
