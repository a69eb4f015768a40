package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/media"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 64 << 10

// decodeJSON reads a small JSON body: every API handler decodes through
// here. It insists on the JSON content type: an HTML form cannot send it
// cross-site without a CORS preflight, which closes login CSRF. It refuses
// what encoding/json would quietly accept: invalid UTF-8 (replaced by
// U+FFFD), a repeated key (the last one wins, so two readers of one body
// could disagree), data after the value, and text that would render
// misleadingly (control characters, bidi overrides; see checkText).
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return media.Inputf("Send the body as JSON (Content-Type: application/json).")
	}
	return readJSON(r, v)
}

// readJSON is decodeJSON without the content-type check, for the two
// routes (creating a video or a live stream) that scripts have always
// called without one; they need the upload scope, so no cross-site form
// reaches them (a cookie write needs the CSRF token).
func readJSON(r *http.Request, v any) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return media.Inputf("The body could not be read.")
	}
	if len(raw) > maxJSONBody {
		return media.Inputf("The body is larger than %d KiB.", maxJSONBody>>10)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil // an empty body is an empty request
	}
	if !utf8.Valid(raw) {
		return media.Inputf("The body is not valid UTF-8.")
	}
	if err := checkJSONShape(raw); err != nil {
		var in *media.InputError
		if errors.As(err, &in) {
			return err
		}
		return media.Inputf("The body is not valid JSON for this request: %s.", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return media.Inputf("The body is not valid JSON for this request: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// checkJSONShape walks raw token by token: one value, no key twice in an
// object, every string value acceptable text (passwords are exempt: they
// are hashed, never shown).
func checkJSONShape(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := walkJSON(dec, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("there is data after the JSON value")
	}
	return nil
}

// walkJSON reads one value from dec; key is the object key it belongs to.
func walkJSON(dec *json.Decoder, key string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	switch t := tok.(type) {
	case string:
		if strings.Contains(key, "password") {
			return nil
		}
		if multiline[key] {
			// Line breaks and tabs belong in free text; nothing else changes.
			t = strings.NewReplacer("\n", "", "\t", "").Replace(t)
		}
		if err := checkText(t); err != nil {
			return media.Inputf("%s %s.", cmp.Or(key, "the text"), err)
		}
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
				}
				k, _ := kt.(string)
				// encoding/json matches field names ignoring case, so
				// "title" and "Title" are the same key to it.
				if folded := strings.ToLower(k); seen[folded] {
					return fmt.Errorf("the key %q appears twice", k)
				} else {
					seen[folded] = true
				}
				if err := walkJSON(dec, k); err != nil {
					return err
				}
			}
		case '[':
			for dec.More() {
				if err := walkJSON(dec, key); err != nil {
					return err
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	return nil
}

// multiline are the keys whose text may hold line breaks and tabs.
var multiline = map[string]bool{"description": true}

// checkText refuses characters that have no place in a title, name or
// other one-line text and could make it render as something it is not:
// C0 and C1 control characters (NUL, newlines, escape sequences), DEL,
// bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069,
// the "Trojan Source" trick), line and paragraph separators, and U+FFFD,
// which is what a lone surrogate escape (\ud800) decodes to.
func checkText(s string) error {
	for _, r := range s {
		switch {
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return fmt.Errorf("contains the control character U+%04X", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return fmt.Errorf("contains the bidi control U+%04X", r)
		case r == 0x2028 || r == 0x2029:
			return fmt.Errorf("contains the line separator U+%04X", r)
		case r == utf8.RuneError:
			return errors.New("contains an invalid character (U+FFFD)")
		}
	}
	return nil
}
