package upload

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"

	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// tus-js-client's parallelUploads remembers only the partial uploads' URLs.
// When the answer to its final (concatenation) request is lost, it starts
// again: HEAD on every partial, then the same final request. So once a final
// upload is settled, its partials keep their .info record (not their bytes),
// marked as joined: HEAD answers Upload-Offset = Upload-Length, and the same
// final request for the same video and the same partials, in the same order,
// is answered 201 with the existing final upload's URL instead of 409. The
// records go with the final upload's (when the video is deleted).

// markJoined replaces the bytes of a settled final upload's partials by a
// "joined" mark.
func (s *Service) markJoined(final tusd.FileInfo) {
	for _, pid := range final.PartialUploads {
		p, err := s.tusInfo(pid)
		if err != nil || !p.IsPartial || p.MetaData[metaVideoID] != final.MetaData[metaVideoID] {
			continue
		}
		_ = os.Remove(tusBinPath(s.cfg.TusDir, p))
		p.Storage[storageJoined] = final.ID
		p.Offset = p.Size
		if err := s.writeTusInfo(p); err != nil {
			s.log.Warn("keep joined partial upload", "upload", pid, "err", err)
			s.dropTus(p)
		}
	}
}

// dropJoined forgets the partials joined into a final upload being forgotten.
func (s *Service) dropJoined(final tusd.FileInfo) {
	for _, pid := range final.PartialUploads {
		if p, err := s.tusInfo(pid); err == nil && p.Storage[storageJoined] == final.ID {
			s.dropTus(p)
		}
	}
}

// joinedPartial answers for a partial upload joined into final: finished
// while the final upload is, gone otherwise.
func (s *Service) joinedPartial(ctx context.Context, info tusd.FileInfo, final string) (tusd.Upload, error) {
	if _, err := s.settleTus(ctx, final); err != nil {
		if errors.Is(err, tusd.ErrNotFound) {
			s.dropTus(info)
		}
		return nil, tusError(s, err)
	}
	info.Offset = info.Size
	return settledUpload{info: info, s: s}, nil
}

// finishedFinal returns the settled final upload of videoID that joined
// exactly partials, if there is one.
func (s *Service) finishedFinal(ctx context.Context, videoID string, partials []string) (tusd.FileInfo, bool) {
	if len(partials) == 0 {
		return tusd.FileInfo{}, false
	}
	p, err := s.tusInfo(partials[0])
	if err != nil || p.Storage[storageJoined] == "" {
		return tusd.FileInfo{}, false
	}
	f, err := s.settleTus(ctx, p.Storage[storageJoined])
	if err != nil || f.MetaData[metaVideoID] != videoID || !slices.Equal(f.PartialUploads, partials) {
		return tusd.FileInfo{}, false
	}
	return f, true
}

// errTusFinished answers a repeated final request: 201 Created with the
// existing upload's URL, as if it had just been created (and finished).
func errTusFinished(final tusd.FileInfo) tusd.Error {
	return tusd.Error{
		ErrorCode: "UPLOAD_FINISHED",
		Message:   "this upload was already finished",
		HTTPResponse: tusd.HTTPResponse{
			StatusCode: http.StatusCreated,
			Header: tusd.HTTPHeader{
				"Location":      TusPath + final.ID,
				"Upload-Offset": strconv.FormatInt(final.Size, 10),
			},
		},
	}
}
