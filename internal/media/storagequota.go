package media

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrQuota marks a refusal because an owner's quota is reached; the
// error's text is the sentence for the user (see QuotaError).
var ErrQuota = errors.New("quota exceeded")

// QuotaError is a quota refusal with a sentence for the user; it matches
// ErrQuota with errors.Is.
type QuotaError struct{ Msg string }

func (e *QuotaError) Error() string        { return e.Msg }
func (e *QuotaError) Is(target error) bool { return target == ErrQuota }

// CheckStorage returns a *QuotaError when adding bytes to the used bytes
// the owner's videos already hold would go past StorageBytes (0 means no
// storage quota). adding may be 0: creating a video is refused once the
// quota is reached, before any bytes are sent.
func (q Quota) CheckStorage(used, adding int64) error {
	if q.StorageBytes <= 0 {
		return nil
	}
	if used >= q.StorageBytes {
		return &QuotaError{Msg: fmt.Sprintf("Your videos use %s of your %s storage quota; "+
			"delete some videos or ask an administrator for a larger quota.", Bytes(used), Bytes(q.StorageBytes))}
	}
	if used+adding > q.StorageBytes {
		return &QuotaError{Msg: fmt.Sprintf("This file (%s) does not fit: your videos use %s of your %s storage quota; "+
			"delete some videos or ask an administrator for a larger quota.", Bytes(adding), Bytes(used), Bytes(q.StorageBytes))}
	}
	return nil
}

// Bytes formats n in decimal units to a tenth: 1.5 GB, 300 kB, 12 bytes.
func Bytes(n int64) string {
	units := []string{"kB", "MB", "GB", "TB", "PB"}
	if n < 1000 {
		if n == 1 {
			return "1 byte"
		}
		return strconv.FormatInt(n, 10) + " bytes"
	}
	v, u := float64(n), ""
	for _, u = range units {
		v /= 1000
		if v < 999.95 {
			break
		}
	}
	return strconv.FormatFloat(float64(int64(v*10+0.5))/10, 'f', -1, 64) + " " + u
}
