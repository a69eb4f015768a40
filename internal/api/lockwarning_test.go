package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLockWarning: the wrong-password answer warns at 2 and 1 attempts
// left, says when the lock began and how long the doubled locks last.
func TestLockWarning(t *testing.T) {
	for fails, want := range map[int]string{
		0: "", 1: "", 2: "",
		3: " 2 attempts left before sign-in for this email from your address is locked for 15 minutes.",
		4: " 1 attempt left before sign-in for this email from your address is locked for 15 minutes.",
		5: " Sign-in for this email from your address is now locked for 15 minutes.",
		6: " Sign-in for this email from your address is now locked for 30 minutes.",
		9: " Sign-in for this email from your address is now locked for 4 hours.",
	} {
		require.Equal(t, want, lockWarning(fails), "after %d failures", fails)
	}
	require.Equal(t, "1 hour", lockText(time.Hour))
	require.Equal(t, "3 days", lockText(72*time.Hour))
}
