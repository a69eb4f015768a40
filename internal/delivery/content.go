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

// serveObject is http.ServeContent for a stored object. A plain GET or HEAD
// (no Range, no conditional header: what players send for segments) is
// answered here with the headers ServeContent would send, written out before
// the body so that net/http hands the file straight to sendfile(2) instead of
// first reading and writing 512 bytes of it (its ReadFrom does that while
// the headers are unwritten); under a corked connection (ConnContext) the
// headers and the file then leave in full-sized packets, as from nginx with
// tcp_nopush. Everything else goes to ServeContent, which learns the length
// by seeking to the end and back, two system calls per request for a file on
// disk; the object's Info already knows it, so sizedContent answers those
// seeks itself.
func serveObject(w http.ResponseWriter, r *http.Request, obj storage.Object) {
	info := obj.Info()
	hdr := w.Header()
	if _, typed := hdr["Content-Type"]; typed && info.Size >= 0 && plainRequest(r) {
		if !info.ModTime.IsZero() && !info.ModTime.Equal(unixEpoch) {
			hdr["Last-Modified"] = []string{info.ModTime.UTC().Format(http.TimeFormat)}
		}
		hdr["Accept-Ranges"] = acceptRangesBytes
		hdr["Content-Length"] = []string{strconv.FormatInt(info.Size, 10)}
		if r.Method == http.MethodHead || info.Size == 0 {
			w.WriteHeader(http.StatusOK)
			return
		}
		if r.ProtoMajor == 1 { // HTTP/2 multiplexes other streams on the connection
			defer cork(r.Context())()
		}
		w.WriteHeader(http.StatusOK)
		if _, sc := obj.(syscall.Conn); sc {
			// Headers out first (held back by the cork), then the file.
			_ = http.NewResponseController(w).Flush()
		}
		_, _ = io.Copy(w, &io.LimitedReader{R: obj, N: info.Size})
		return
	}
	c := &sizedContent{obj: obj, size: info.Size}
	var content io.ReadSeeker = c
	if sc, ok := obj.(syscall.Conn); ok {
		// net/http sends a file with sendfile(2) when the reader exposes
		// its descriptor; keep that for objects that are files.
		content = sizedFile{c, sc}
	}
	http.ServeContent(w, r, "", info.ModTime, content)
}

// unixEpoch is the modification time ServeContent treats as unknown.
var unixEpoch = time.Unix(0, 0)

// plainRequest reports whether r is a GET or HEAD that http.ServeContent
// would answer with the whole object and 200: no Range and none of the
// conditional headers it evaluates.
func plainRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	for _, k := range conditionalHeaders {
		if _, ok := r.Header[k]; ok {
			return false
		}
	}
	return true
}

// conditionalHeaders are the request headers that make http.ServeContent
// answer other than 200 with the whole body.
var conditionalHeaders = []string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"}

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

// localFile is a stored object opened straight from a local store's
// directory (storage.LocalPather), the way nginx serves a file: a bare
// descriptor, read and sent with plain system calls. An *os.File would cost
// an fcntl to learn the descriptor's mode, an allocation with a cleanup, and
// for os.Open four fcntl and an epoll_ctl besides (it makes a regular file
// non-blocking, tries the network poller, which refuses, and makes it
// blocking again). SyscallConn hands the descriptor to net/http's sendfile.
type localFile struct {
	fd   int
	info storage.Info
}

var (
	_ storage.Object = (*localFile)(nil)
	_ syscall.Conn   = (*localFile)(nil)
)

func (f *localFile) Info() storage.Info { return f.info }

func (f *localFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.info.Key, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *localFile) Seek(offset int64, whence int) (int64, error) {
	n, err := syscall.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, &fs.PathError{Op: "seek", Path: f.info.Key, Err: err}
	}
	return n, nil
}

// Close closes the descriptor; a second Close does nothing.
func (f *localFile) Close() error {
	if f.fd < 0 {
		return nil
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	return err
}

// SyscallConn gives net/http the descriptor for sendfile(2).
func (f *localFile) SyscallConn() (syscall.RawConn, error) { return fileRawConn{f}, nil }

// fileRawConn is the syscall.RawConn of a blocking regular file: the
// function runs once, at once (a regular file is always ready).
type fileRawConn struct{ f *localFile }

func (c fileRawConn) Control(fn func(fd uintptr)) error {
	if c.f.fd < 0 {
		return os.ErrClosed
	}
	fn(uintptr(c.f.fd))
	return nil
}

func (c fileRawConn) Read(fn func(fd uintptr) bool) error {
	if c.f.fd < 0 {
		return os.ErrClosed
	}
	fn(uintptr(c.f.fd))
	return nil
}

func (c fileRawConn) Write(fn func(fd uintptr) bool) error {
	if c.f.fd < 0 {
		return os.ErrClosed
	}
	fn(uintptr(c.f.fd))
	return nil
}

// openLocal opens key under a local store without the store's Open. The
// ETag is the one the local store gives (localETag).
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
	var st syscall.Stat_t
	err = syscall.Fstat(fd, &st)
	for err == syscall.EINTR {
		err = syscall.Fstat(fd, &st)
	}
	if err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, fmt.Errorf("%s: %w", key, storage.ErrNotFound)
	}
	mod := statModTime(&st)
	return &localFile{fd: fd, info: storage.Info{Key: key, Size: st.Size, ModTime: mod, ETag: localETag(key, st.Size, mod)}}, nil
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
