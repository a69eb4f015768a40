package storage

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
)

// IsTransient reports whether err says the store could not be reached or
// answered "try again later" (connection refused or reset, a network
// timeout, a cut-off body, HTTP 5xx or 429), as opposed to an answer about
// the object itself (not found, access denied, invalid key). Retrying a
// transient error later can succeed without anyone changing anything.
//
// A cancelled context is not transient: the caller gave up.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidKey) {
		return false
	}
	if status := httpStatus(err); status != 0 {
		return status >= 500 || status == 429 || status == 408
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EPIPE, syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN} {
		if errors.Is(err, errno) {
			return true
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var opErr *net.OpError // dial, read or write on a connection that went away
	var dnsErr *net.DNSError
	return errors.As(err, &opErr) || errors.As(err, &dnsErr)
}

// httpStatus is the HTTP status of an S3-style response error (the AWS SDK's
// response errors carry it), or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
