package media

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 999: "999 bytes", 1000: "1 kB", 1500: "1.5 kB",
		999_960: "1 MB", 5 << 30: "5.4 GB", 20_000_000_000_000: "20 TB",
	} {
		require.Equal(t, want, Bytes(n), n)
	}
}

func TestCheckStorage(t *testing.T) {
	require.NoError(t, Quota{}.CheckStorage(1<<40, 1<<40), "0 means no quota")
	q := Quota{StorageBytes: 2_000_000}
	require.NoError(t, q.CheckStorage(1_500_000, 500_000), "exactly full fits")
	err := q.CheckStorage(1_500_000, 500_001)
	require.True(t, errors.Is(err, ErrQuota))
	require.EqualError(t, err, "This file (500 kB) does not fit: your videos use 1.5 MB of your 2 MB storage quota; "+
		"delete some videos or ask an administrator for a larger quota.")
	require.EqualError(t, q.CheckStorage(2_100_000, 0),
		"Your videos use 2.1 MB of your 2 MB storage quota; delete some videos or ask an administrator for a larger quota.")
}
