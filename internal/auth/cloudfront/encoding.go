package cloudfront

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// maxEncodedLen bounds the policy and signature text the verifier decodes,
// so hostile input costs little. Real custom policies are a few hundred
// bytes; a 4096-bit signature is 684 characters.
const maxEncodedLen = 4096

// cfStd is strict so each value has exactly one encoding.
var cfStd = base64.StdEncoding.Strict()

// decode undoes CloudFront's URL-safe base64 ('-' '_' '~' stand for '+' '='
// '/'). The plain characters are refused: CloudFront never emits them, and
// accepting them would give one value two spellings.
func decode(s string) ([]byte, error) {
	if s == "" || len(s) > maxEncodedLen || strings.ContainsAny(s, "+=/") {
		return nil, errors.New("bad encoding")
	}
	r := strings.NewReplacer("-", "+", "_", "=", "~", "/")
	return cfStd.DecodeString(r.Replace(s))
}

// encode is decode's inverse; the verifier tests use it to forge input.
func encode(b []byte) string {
	return strings.NewReplacer("+", "-", "=", "_", "/", "~").Replace(base64.StdEncoding.EncodeToString(b))
}

// cannedPolicy rebuilds the canned policy for resource and expiry. The
// resource is JSON-escaped without HTML escaping, as the SDK's encoder does,
// so the bytes match what was signed.
func cannedPolicy(resource string, expires int64) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(resource); err != nil {
		return nil, err
	}
	quoted := bytes.TrimSpace(buf.Bytes())
	return []byte(`{"Statement":[{"Resource":` + string(quoted) +
		`,"Condition":{"DateLessThan":{"AWS:EpochTime":` + strconv.FormatInt(expires, 10) + `}}}]}`), nil
}

// match reports whether s matches pattern, where '*' matches any run of
// characters (including none) and '?' exactly one, as in CloudFront policy
// resources. It is linear-ish (greedy with one backtrack point), so a
// hostile pattern of many stars cannot make it slow.
func match(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		// A '*' in the pattern is always a wildcard, even where s has a
		// literal '*' too (matching them as characters lost the backtrack).
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
