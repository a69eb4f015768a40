package webhook

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// Receiver is the receiving end of kinema's webhooks for Go programs: an
// http.Handler that passes an event to HandleFunc only when the request's
// signature is valid and recent. Refusals say nothing about the payload or
// the expected signature, and a forged and a replayed request get the same
// answer:
//
//	405 not a POST
//	400 missing or malformed Kinema-Signature
//	401 no matching signature, or timestamp outside the window (replay)
//	413 body larger than MaxBytes
//	400 body is not an event (only after the signature matched)
type Receiver struct {
	Secret string
	// Window is the allowed clock distance; DefaultWindow when zero.
	Window time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxBytes bounds the body; 1 MiB when zero.
	MaxBytes int64
	// HandleFunc gets each verified event and writes the answer; any 2xx
	// tells kinema the delivery succeeded. It must be set. Retries carry
	// the same event id, so it should ignore ids it has handled already.
	HandleFunc func(w http.ResponseWriter, r *http.Request, ev Event)
}

// ServeHTTP verifies the request and hands the event to HandleFunc, or
// refuses it as described on Receiver.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, http.StatusMethodNotAllowed)
		return
	}
	limit := rc.MaxBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			refuse(w, http.StatusRequestEntityTooLarge)
			return
		}
		refuse(w, http.StatusBadRequest)
		return
	}
	now := time.Now
	if rc.Now != nil {
		now = rc.Now
	}
	switch err := Verify(rc.Secret, r.Header.Get(HeaderSignature), body, now(), rc.Window); {
	case errors.Is(err, ErrMalformedHeader):
		refuse(w, http.StatusBadRequest)
		return
	case err != nil:
		refuse(w, http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		refuse(w, http.StatusBadRequest)
		return
	}
	rc.HandleFunc(w, r, ev)
}

// refuse answers with the status's own text and nothing else.
func refuse(w http.ResponseWriter, status int) {
	http.Error(w, http.StatusText(status), status)
}
