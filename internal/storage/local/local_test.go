package local_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, err := local.New(t.TempDir())
		require.NoError(t, err)
		return s
	})
}
