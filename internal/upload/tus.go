package upload

import (
	"errors"
	"net/http"
	"net/url"
	"os"

	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage"
)

// newTusHandler mounts tusd with a file store. Creating an upload needs the
// video's signed upload token (in the tus URL's query); later requests are
// addressed by tusd's unguessable upload id.
func (s *Service) newTusHandler() (http.Handler, error) {
	if err := os.MkdirAll(s.cfg.TusDir, 0o750); err != nil {
		return nil, err
	}
	composer := tusd.NewStoreComposer()
	filestore.New(s.cfg.TusDir).UseIn(composer)
	filelocker.New(s.cfg.TusDir).UseIn(composer)
	h, err := tusd.NewHandler(tusd.Config{
		BasePath:                TusPath,
		StoreComposer:           composer,
		MaxSize:                 s.cfg.MaxBytes,
		DisableDownload:         true,
		RespectForwardedHeaders: false,
		// tusd logs through x/exp/slog; keep only its warnings, on stderr.
		Logger:                    expslog.New(expslog.NewTextHandler(os.Stderr, &expslog.HandlerOptions{Level: expslog.LevelWarn})),
		PreUploadCreateCallback:   s.tusCreate,
		PreFinishResponseCallback: s.tusFinish,
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(TusPath, h), nil
}

var (
	errTusForbidden = tusd.NewError("ERR_FORBIDDEN", "the upload URL is invalid or has expired", http.StatusForbidden)
	errTusConflict  = tusd.NewError("ERR_CONFLICT", errAlreadyUploaded.Error(), http.StatusConflict)
	errTusInternal  = tusd.NewError("ERR_INTERNAL", "the upload was received but could not be queued", http.StatusInternalServerError)
)

func (s *Service) tusCreate(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	u, err := url.ParseRequestURI(hook.HTTPRequest.URI)
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusForbidden
	}
	id := u.Query().Get("video")
	if !s.authorize(id, u.Query().Get("token")) {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusForbidden
	}
	v, err := s.cat.Video(hook.Context, id)
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusForbidden
	}
	if v.Status != media.StatusWaitingUpload {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusConflict
	}
	// Keep only what we use; the video id comes from the token, not the client.
	meta := tusd.MetaData{"video_id": id, "filename": hook.Upload.MetaData["filename"]}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: meta}, nil
}

// tusFinish runs before tusd answers the last PATCH, so the client learns
// that processing was queued, or why not.
func (s *Service) tusFinish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	id := hook.Upload.MetaData["video_id"]
	path := hook.Upload.Storage[filestore.StorageKeyPath]
	if id == "" || path == "" {
		return tusd.HTTPResponse{}, errTusInternal
	}
	ctx := hook.Context
	key := RawKey(id)
	info, err := storage.PutFile(ctx, s.store, key, path)
	if err != nil {
		s.log.Error("store tus upload", "video", id, "err", err)
		return tusd.HTTPResponse{}, errTusInternal
	}
	if err := s.start(ctx, id, key, info.Size); err != nil {
		_ = s.store.Delete(ctx, key)
		if errors.Is(err, media.ErrConflict) {
			return tusd.HTTPResponse{}, errTusConflict
		}
		s.log.Error("start processing", "video", id, "err", err)
		return tusd.HTTPResponse{}, errTusInternal
	}
	_ = os.Remove(hook.Upload.Storage[filestore.StorageKeyInfoPath])
	_ = os.Remove(path) // still there when the store copied instead of moving
	s.log.Info("upload complete", "video", id, "bytes", info.Size, "via", "tus")
	return tusd.HTTPResponse{}, nil
}
