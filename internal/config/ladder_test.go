package config

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

// The server measures each source (per-title); the library default, used
// by live and tests, stays fixed.
func TestServerLadderIsPerTitle(t *testing.T) {
	require.Equal(t, media.LadderPerTitle, Default().Ladder.Mode)
	require.Equal(t, media.LadderFixed, media.DefaultLadderConfig().Mode)
}
