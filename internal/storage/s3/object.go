package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kinema/kinema/internal/storage"
)

// ErrChanged is returned by an open object's Read when the object was
// replaced after Open, so bytes of two versions are never mixed.
var ErrChanged = errors.New("s3 store: object changed while open")

// Open checks that the object exists with one HEAD request. Reads then fetch
// bytes from the current offset with ranged GETs, reusing one response body
// for as long as reads are sequential, so a full read costs a single GET and a
// Seek costs nothing until the next Read. Reads use ctx, so cancelling it
// aborts them.
func (s *Store) Open(ctx context.Context, key string) (storage.Object, error) {
	k, err := s.objectKey(key)
	if err != nil {
		return nil, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return nil, mapError("open", key, err)
	}
	return &object{
		ctx:   ctx,
		store: s,
		key:   k,
		etag:  aws.ToString(out.ETag),
		info: storage.Info{
			Key:     key,
			Size:    aws.ToInt64(out.ContentLength),
			ModTime: aws.ToTime(out.LastModified),
			ETag:    cleanETag(aws.ToString(out.ETag)),
		},
	}, nil
}

// object is a storage.Object over ranged GETs. It is not safe for concurrent
// use, like an *os.File's offset.
type object struct {
	// ctx is the Open caller's: an object lives within one request or job,
	// the same lifetime as the SDK response bodies it holds.
	ctx   context.Context
	store *Store
	key   string // S3 key, with the store prefix
	etag  string // as sent by S3, for If-Match
	info  storage.Info

	off     int64         // where the next Read starts
	body    io.ReadCloser // open GET response, positioned at bodyOff
	bodyOff int64
	closed  bool
}

func (o *object) Info() storage.Info { return o.info }

func (o *object) Read(p []byte) (int, error) {
	if o.closed {
		return 0, fmt.Errorf("read %s: %w", o.info.Key, fs.ErrClosed)
	}
	if o.off >= o.info.Size {
		return 0, io.EOF // no request: a Range past the end would be a 416
	}
	if len(p) == 0 {
		return 0, nil
	}
	if o.body != nil && o.bodyOff != o.off {
		o.dropBody()
	}
	if o.body == nil {
		if err := o.get(); err != nil {
			return 0, err
		}
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	o.bodyOff += int64(n)
	if err == io.EOF {
		o.dropBody()
		if o.off < o.info.Size {
			if n > 0 {
				return n, nil // the next Read resumes with a new GET
			}
			return 0, fmt.Errorf("read %s: %w", o.info.Key, io.ErrUnexpectedEOF)
		}
	}
	if err != nil && err != io.EOF {
		o.dropBody()
		return n, fmt.Errorf("read %s: %w", o.info.Key, err)
	}
	return n, err
}

// get opens a GET from o.off to the end. If-Match pins it to the version
// Open saw.
func (o *object) get() error {
	out, err := o.store.client.GetObject(o.ctx, &s3.GetObjectInput{
		Bucket:  &o.store.bucket,
		Key:     &o.key,
		Range:   aws.String(fmt.Sprintf("bytes=%d-", o.off)),
		IfMatch: aws.String(o.etag),
	})
	if err != nil {
		if httpStatus(err) == 412 || errorCode(err) == "PreconditionFailed" {
			return fmt.Errorf("read %s: %w", o.info.Key, ErrChanged)
		}
		return mapError("read", o.info.Key, err)
	}
	o.body, o.bodyOff = out.Body, o.off
	return nil
}

// Seek only moves the offset; the next Read fetches from there.
func (o *object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.off + offset
	case io.SeekEnd:
		abs = o.info.Size + offset
	default:
		return 0, fmt.Errorf("seek %s: invalid whence %d", o.info.Key, whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("seek %s: negative position", o.info.Key)
	}
	o.off = abs
	return abs, nil
}

// Close releases the open response, if any. Closing a body that was not read
// to the end drops its connection, which is cheaper than draining it.
func (o *object) Close() error {
	o.dropBody()
	o.closed = true
	return nil
}

func (o *object) dropBody() {
	if o.body != nil {
		_ = o.body.Close()
		o.body = nil
	}
}
