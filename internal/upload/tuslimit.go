package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/kinema/kinema/internal/storage"
)

// tusd v2.10.0 bounds a PATCH to an upload of deferred length only by the
// request's Content-Length, not by MaxSize, so a client could send as many
// bytes as it liked before declaring the length. cappedUpload applies
// MaxBytes to every chunk itself: the write that would cross it is refused
// with 413 and the upload's files are removed (a file that big can never be
// accepted, and its bytes should not sit on the disk). The video keeps
// waiting for an upload, so a smaller file can still be sent.
type cappedUpload struct {
	tusd.Upload // the file store's upload
	max         int64
	s           *Service
}

// errTusTooLarge is what the client sees; tusd sends it as the response.
func errTusTooLarge(max int64) tusd.Error {
	return tusd.NewError("ERR_MAX_SIZE_EXCEEDED",
		fmt.Sprintf("the file is larger than this server accepts (at most %d bytes); the upload was discarded", max),
		http.StatusRequestEntityTooLarge)
}

// capUpload wraps a file store upload (max 0: no limit; the wrapper still
// turns a full disk into 507, see WriteChunk).
func (s *Service) capUpload(up tusd.Upload) tusd.Upload {
	return cappedUpload{Upload: up, max: max(s.cfg.MaxBytes, 0), s: s}
}

// uncapped returns the file store's own upload, which its As* methods need.
func uncapped(up tusd.Upload) tusd.Upload {
	if c, ok := up.(cappedUpload); ok {
		return c.Upload
	}
	return up
}

var errChunkTooLarge = errors.New("tus: chunk crosses the upload size limit")

func (u cappedUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	if u.max > 0 {
		src = &capReader{r: src, room: u.max - offset}
	}
	n, err := u.Upload.WriteChunk(ctx, offset, src)
	if storage.IsNoSpace(err) { // not tusd's 500 with the file's path
		info, _ := u.Upload.GetInfo(ctx)
		return n, tusFault(u.s.log, info.MetaData[metaVideoID], err)
	}
	if !errors.Is(err, errChunkTooLarge) {
		return n, err
	}
	info, ierr := u.Upload.GetInfo(ctx)
	videoID := info.MetaData[metaVideoID]
	if ierr == nil {
		u.s.dropTus(info)
	}
	u.s.log.Warn("tus upload refused: larger than the limit", "video", videoID, "upload", info.ID, "limit", u.max, "offset", offset)
	return 0, errTusTooLarge(u.max)
}

// capReader passes at most room bytes and fails if the source has more.
type capReader struct {
	r    io.Reader
	room int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.room <= 0 {
		// One more byte would cross the limit: is there one?
		var probe [1]byte
		for {
			n, err := c.r.Read(probe[:])
			if n > 0 {
				return 0, errChunkTooLarge
			}
			if err != nil {
				return 0, err
			}
		}
	}
	if int64(len(p)) > c.room {
		p = p[:c.room]
	}
	n, err := c.r.Read(p)
	c.room -= int64(n)
	return n, err
}
