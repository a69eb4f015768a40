package media

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestQuotaCheck(t *testing.T) {
	t.Parallel()
	require.NoError(t, Quota{}.Check(1e9, 1e9), "no quota")
	q := Quota{ProcessingMinutes: 60}
	require.Equal(t, DefaultQuotaPeriod, q.Window())
	require.NoError(t, q.Check(50*60, 10*60), "exactly at the quota")
	err := q.Check(50*60, 10*60+1)
	require.Error(t, err, "one second over")
	var ie *InputError
	require.True(t, errors.As(err, &ie))
	require.Equal(t, "Processing this video (10 minutes) would exceed your quota: 50 minutes of 60 minutes of video "+
		"processed in the last 30 days. Try again when older videos leave that window, or ask an administrator "+
		"for a larger quota.", ie.Reason)
	day := Quota{ProcessingMinutes: 1, Period: 24 * time.Hour}
	require.ErrorContains(t, day.Check(0, 61), "(1 minute) would exceed your quota: 0 minutes of 1 minute of video processed in the last day.")
}
