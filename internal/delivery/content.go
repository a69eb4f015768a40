package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"

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

// localObject is a stored object opened straight from a local store's
// directory (storage.LocalPather), the way nginx serves a file.
type localObject struct {
	*os.File
	info storage.Info
}

func (o localObject) Info() storage.Info { return o.info }

// openLocal opens key under a local store without the store's Open:
// os.Open makes a regular file non-blocking, tries to add it to the network
// poller, which refuses, and makes it blocking again (four fcntl and one
// epoll_ctl per request); a descriptor from syscall.Open handed to
// os.NewFile skips all that and still sends with sendfile. The ETag is the
// one the local store gives (localETag).
func openLocal(lp storage.LocalPather, key string) (storage.Object, error) {
	p, ok := lp.LocalPath(key)
	if !ok {
		return nil, storage.ErrInvalidKey
	}
	fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || err == syscall.ENOTDIR {
			return nil, fmt.Errorf("%s: %w", key, storage.ErrNotFound)
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", key, storage.ErrNotFound)
	}
	return localObject{File: f, info: storage.Info{Key: key, Size: st.Size(), ModTime: st.ModTime(), ETag: localETag(key, st.Size(), st.ModTime())}}, nil
}

// localETag is internal/storage/local's ETag (sha256 of "key/size/mtime",
// first 8 bytes in hex) without fmt: a test holds the two equal.
func localETag(key string, size int64, mod time.Time) string {
	var buf [256]byte
	b := append(buf[:0], key...)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, mod.UnixNano(), 10)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
