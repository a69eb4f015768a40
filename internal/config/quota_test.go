package config

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestProcessingQuotaFromEnv(t *testing.T) {
	require.Zero(t, Default().Limits.Quota.ProcessingMinutes, "no quota unless configured")
	c := Default()
	require.NoError(t, c.Bind(flag.NewFlagSet("serve", flag.ContinueOnError), func(k string) string {
		return map[string]string{"KINEMA_QUOTA_PROCESSING_MINUTES": "600", "KINEMA_QUOTA_PERIOD": "24h"}[k]
	}))
	require.Equal(t, 600.0, c.Limits.Quota.ProcessingMinutes)
	require.Equal(t, 24*time.Hour, c.Limits.Quota.Window())
}
