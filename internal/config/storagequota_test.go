package config

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStorageQuotaFromEnv(t *testing.T) {
	require.Zero(t, Default().Limits.Quota.StorageBytes, "no quota unless configured")
	c := Default()
	require.NoError(t, c.Bind(flag.NewFlagSet("serve", flag.ContinueOnError), func(k string) string {
		return map[string]string{"KINEMA_QUOTA_STORAGE_BYTES": "50000000000"}[k]
	}))
	require.EqualValues(t, 50_000_000_000, c.Limits.Quota.StorageBytes)
}
