package delivery

import (
	"io"
	"net/http"
	"syscall"

	"github.com/kinema/kinema/internal/storage"
)

// serveObject is http.ServeContent for a stored object. ServeContent learns
// the length by seeking to the end and back, two system calls per request
// for a file on disk; the object's Info already knows it, so sizedContent
// answers those seeks itself.
func serveObject(w http.ResponseWriter, r *http.Request, obj storage.Object) {
	info := obj.Info()
	c := &sizedContent{obj: obj, size: info.Size}
	var content io.ReadSeeker = c
	if sc, ok := obj.(syscall.Conn); ok {
		// net/http sends a file with sendfile(2) when the reader exposes
		// its descriptor; keep that for objects that are files.
		content = sizedFile{c, sc}
	}
	http.ServeContent(w, r, "", info.ModTime, content)
}

// sizedContent wraps a freshly opened object (offset 0). Seeking to the end
// and back to where the object already is costs nothing; every other seek
// goes to the object.
type sizedContent struct {
	obj  storage.Object
	size int64
	off  int64 // the object's own offset; -1 when unknown
	end  bool  // at the end by a seek that was not passed on
}

func (c *sizedContent) Read(p []byte) (int, error) {
	if c.end {
		return 0, io.EOF
	}
	n, err := c.obj.Read(p)
	if c.off >= 0 {
		c.off += int64(n)
	}
	return n, err
}

func (c *sizedContent) Seek(offset int64, whence int) (int64, error) {
	switch {
	case whence == io.SeekEnd && offset == 0 && c.size >= 0:
		c.end = true
		return c.size, nil
	case whence == io.SeekStart && offset == c.off:
		c.end = false
		return offset, nil
	case whence == io.SeekCurrent && c.end:
		offset, whence = c.size+offset, io.SeekStart
	}
	n, err := c.obj.Seek(offset, whence)
	if err != nil {
		c.off = -1
		return n, err
	}
	c.off, c.end = n, false
	return n, nil
}

// sizedFile is sizedContent for an object that is a file.
type sizedFile struct {
	*sizedContent
	conn syscall.Conn
}

// SyscallConn hands out the descriptor for sendfile, which moves the
// offset without Read seeing it, so the next seek must go to the file.
func (f sizedFile) SyscallConn() (syscall.RawConn, error) {
	f.off = -1
	return f.conn.SyscallConn()
}
