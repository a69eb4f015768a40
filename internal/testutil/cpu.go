package testutil

import (
	"os/exec"
	"testing"
)

// BurnCPU keeps n cores busy until the test ends, with n processes hashing
// an endless stream: users run kinema on machines doing other work, so
// fault and latency tests run beside such load rather than on an idle box.
func BurnCPU(t testing.TB, n int) {
	t.Helper()
	for range n {
		cmd := exec.Command("sha256sum", "/dev/zero")
		if err := cmd.Start(); err != nil {
			t.Fatalf("cpu burner: %v", err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
}
