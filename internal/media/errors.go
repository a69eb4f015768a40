package media

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on. The API maps them to HTTP statuses
// in one place.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrTooLarge     = errors.New("too large")
	ErrLimit        = errors.New("limit reached") // a count cap (restream destinations)
)

// InputError explains why an uploaded file cannot be processed, in words meant
// for the person who uploaded it. Retrying does not help, unless Later.
type InputError struct {
	Reason string
	// Later: the same file may succeed at another time (a quota whose
	// window moves on), so a retry is worth offering.
	Later bool
}

func (e *InputError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrInvalid) true for input errors.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }

// Inputf returns an *InputError with a formatted reason.
func Inputf(format string, args ...any) error {
	return &InputError{Reason: fmt.Sprintf(format, args...)}
}
