package testutil

import (
	"testing"
	"time"
)

// PollUntil calls cond every 50 ms until it holds, failing t once within
// has passed. Unlike require.Eventually it calls cond on the test's own
// goroutine, so cond may use require.
func PollUntil(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
