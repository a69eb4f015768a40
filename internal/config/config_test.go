package config

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

func TestPrecedence(t *testing.T) {
	env := map[string]string{
		"KINEMA_ADDR": ":9000", "KINEMA_WORKERS": "3", "KINEMA_LADDER": "720,360",
		"KINEMA_PLAYBACK_TTL": "2h", "KINEMA_ADMIN_TOKEN": "secret-token",
	}
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	require.NoError(t, c.Bind(fs, func(k string) string { return env[k] }))
	require.NoError(t, fs.Parse([]string{"--workers", "5", "--rate-control", "cbr"}))
	require.Equal(t, ":9000", c.Addr)
	require.Equal(t, 5, c.Workers, "flag beats env")
	require.Equal(t, []int{720, 360}, c.Ladder.Heights)
	require.Equal(t, media.RateCBR, c.Ladder.RateControl)
	require.Equal(t, 2*time.Hour, c.PlaybackTTL)
	require.Equal(t, "secret-token", c.AdminToken)
	require.NoError(t, c.Validate())
}

func TestInvalid(t *testing.T) {
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	err := c.Bind(fs, func(k string) string {
		return map[string]string{"KINEMA_WORKERS": "many", "KINEMA_LADDER": "720,big"}[k]
	})
	require.ErrorContains(t, err, "KINEMA_WORKERS")
	require.ErrorContains(t, err, "KINEMA_LADDER")

	c = Default()
	c.Ladder.RateControl = "vbr"
	c.AdminToken = "short"
	require.Error(t, c.Validate())
}
