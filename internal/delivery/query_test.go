package delivery

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzQueryTokenFastPath: whenever authorize takes the raw query as the
// token without parsing, url.ParseQuery must agree exactly.
func FuzzQueryTokenFastPath(f *testing.F) {
	for _, q := range []string{
		"token=abc.DEF-_09", "token=", "token=a&token=b", "token=a;b", "token=a%2Eb", "token=a+b",
		"token=a b", "token=a\x00", "x=1&token=a", "token=a=b", "token=a#b", "token=a?b", "TOKEN=a",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		tok, ok := strings.CutPrefix(q, "token=")
		if !ok || !plainQueryValue(tok) {
			return
		}
		parsed, err := url.ParseQuery(q)
		require.NoError(t, err)
		require.Equal(t, url.Values{"token": {tok}}, parsed)
	})
}
