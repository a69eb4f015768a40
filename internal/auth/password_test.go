package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse battery")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	require.True(t, CheckPassword(h, "correct horse battery"))
	require.False(t, CheckPassword(h, "correct horse batterY"))
	require.False(t, CheckPassword(h, ""))

	h2, err := HashPassword("correct horse battery")
	require.NoError(t, err)
	require.NotEqual(t, h, h2, "every hash has its own salt")

	_, err = HashPassword("short")
	require.ErrorIs(t, err, ErrWeakPassword)
	_, err = HashPassword(strings.Repeat("x", MaxPasswordLen+1))
	require.ErrorIs(t, err, ErrWeakPassword)

	for _, bad := range []string{"", "plain", "$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA", strings.Replace(h, "t=2", "t=0", 1)} {
		require.False(t, CheckPassword(bad, "correct horse battery"), bad)
	}
}
