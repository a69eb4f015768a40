package upload

import (
	"net/http"
	"net/url"
	"os"

	"github.com/tus/tusd/v2/pkg/filelocker"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"github.com/kinema/kinema/internal/media"
)

// newTusHandler mounts tusd with a file store. Creating an upload needs the
// video's signed upload token (in the tus URL's query); later requests are
// addressed by tusd's unguessable upload id.
//
// Concatenation (tus-js-client's parallelUploads) works like this: every
// partial upload is created with the video's token and tagged with its
// video; finishing a partial does nothing; the final upload may only join
// partials of its own video, and only it stores the file and starts
// processing.
func (s *Service) newTusHandler() (http.Handler, error) {
	if err := os.MkdirAll(s.cfg.TusDir, 0o750); err != nil {
		return nil, err
	}
	composer := tusd.NewStoreComposer()
	newTusStore(s).UseIn(composer)
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
	errTusPartials  = tusd.NewError("ERR_INVALID_CONCAT", "only partial uploads of this video can be concatenated", http.StatusBadRequest)
)

// metaVideoID is where an upload records its video; set by the server from
// the token, never taken from the client.
const metaVideoID = "video_id"

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
		if !hook.Upload.IsFinal {
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusConflict
		}
		// A final request sent again (its answer was lost): the same upload.
		if f, ok := s.finishedFinal(hook.Context, id, hook.Upload.PartialUploads); ok {
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusFinished(f)
		}
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusConflict
	}
	if !hook.Upload.SizeIsDeferred {
		if err := s.checkQuota(hook.Context, v.OwnerID, hook.Upload.Size); err != nil {
			if msg, ok := quotaRefusal(err); ok {
				return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusQuota(msg)
			}
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, err
		}
	}
	if hook.Upload.IsFinal {
		// tusd checked that the partials exist and are complete; they must
		// also be partials, and this video's.
		for _, pid := range hook.Upload.PartialUploads {
			p, err := s.tusInfo(pid)
			if err != nil || !p.IsPartial || p.MetaData[metaVideoID] != id {
				return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, errTusPartials
			}
		}
	}
	// Keep only what we use; the video id comes from the token, not the client.
	meta := tusd.MetaData{metaVideoID: id}
	if name := hook.Upload.MetaData["filename"]; name != "" {
		meta["filename"] = name
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: meta}, nil
}

// tusFinish runs before tusd answers the last PATCH (or the final upload's
// creation), so the client learns that processing was queued, or why not.
// A partial upload is only a piece of the file: nothing starts.
func (s *Service) tusFinish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	if hook.Upload.IsPartial {
		return tusd.HTTPResponse{}, nil
	}
	if _, err := s.settleTus(hook.Context, hook.Upload.ID); err != nil {
		return tusd.HTTPResponse{}, tusError(s, err)
	}
	return tusd.HTTPResponse{}, nil
}
