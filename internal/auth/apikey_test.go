package auth

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewAPIKey(t *testing.T) {
	t.Parallel()
	a, b := NewAPIKey(), NewAPIKey()
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "kin_"))
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, "kin_"))
	require.NoError(t, err)
	require.Len(t, raw, 32)
}

func TestHashAPIKey(t *testing.T) {
	t.Parallel()
	// echo -n abc | sha256sum
	require.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HashAPIKey("abc"))
	require.Len(t, HashAPIKey(NewAPIKey()), 64)
}

func TestConstantTimeEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"", "a", false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, ConstantTimeEqual(tc.a, tc.b), "%q vs %q", tc.a, tc.b)
	}
}
