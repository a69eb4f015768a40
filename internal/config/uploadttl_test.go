package config

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestUploadTTLFromEnv(t *testing.T) {
	require.Equal(t, 24*time.Hour, Default().UploadTTL)
	bind := func(v string) Config {
		c := Default()
		require.NoError(t, c.Bind(flag.NewFlagSet("serve", flag.ContinueOnError), func(k string) string {
			return map[string]string{"KINEMA_UPLOAD_TTL": v}[k]
		}))
		return c
	}
	c := bind("90m")
	require.Equal(t, 90*time.Minute, c.UploadTTL)
	require.NoError(t, c.Validate())
	require.ErrorContains(t, bind("10s").Validate(), "upload TTL")
	c = Default()
	require.ErrorContains(t, c.Bind(flag.NewFlagSet("serve", flag.ContinueOnError), func(k string) string {
		return map[string]string{"KINEMA_UPLOAD_TTL": "soon"}[k]
	}), "KINEMA_UPLOAD_TTL")
}
