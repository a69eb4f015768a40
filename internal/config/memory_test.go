package config

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseBytes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"4294967296": 4 << 30, "4GiB": 4 << 30, "4G": 4 << 30, "4gb": 4 << 30, " 512 MiB ": 512 << 20,
		"1.5GiB": 3 << 29, "64k": 64 << 10, "off": -1, "OFF": -1, "0": 0,
	} {
		got, err := ParseBytes(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "GiB", "4 parsecs", "-1G", "1e30", "99999999999T"} {
		_, err := ParseBytes(in)
		require.Error(t, err, in)
	}
}

func TestFFmpegMemoryFromEnv(t *testing.T) {
	t.Parallel()
	bind := func(v string) (Config, error) {
		c := Default()
		err := c.Bind(flag.NewFlagSet("serve", flag.ContinueOnError), func(k string) string {
			return map[string]string{"KINEMA_FFMPEG_MEMORY": v}[k]
		})
		return c, err
	}
	c, err := bind("6GiB")
	require.NoError(t, err)
	require.EqualValues(t, 6<<30, c.FFmpegMemoryLimit())
	c, err = bind("off")
	require.NoError(t, err)
	require.Zero(t, c.FFmpegMemoryLimit(), "off: no ceiling")
	_, err = bind("lots")
	require.ErrorContains(t, err, "KINEMA_FFMPEG_MEMORY")
}

// TestFFmpegMemoryDefault: sized from the machine, never under the floor an
// honest 4K encode needs, and smaller per process with more workers until
// the floor.
func TestFFmpegMemoryDefault(t *testing.T) {
	t.Parallel()
	ram := machineMemory()
	require.Positive(t, ram, "MemTotal is readable on Linux")
	one := Config{Workers: 1}.FFmpegMemoryLimit()
	require.GreaterOrEqual(t, one, FFmpegMemoryFloor())
	require.Equal(t, max(FFmpegMemoryFloor(), ram/4), one)
	many := Config{Workers: 64}.FFmpegMemoryLimit()
	require.LessOrEqual(t, many, one)
	require.Equal(t, max(FFmpegMemoryFloor(), ram/130), many)
}
