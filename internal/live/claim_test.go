package live

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOneNodeTakesAStream: two ingest nodes sharing one registry (the
// catalog) take the first publish of one stream at the same moment: one
// runs the broadcast, the other answers busy.
func TestOneNodeTakesAStream(t *testing.T) {
	t.Parallel()
	reg := NewMemoryRegistry()
	nodes := []*bundle{
		setup(t, func(c *Config) { c.Registry, c.Node = reg, "node-a" }),
		setup(t, func(c *Config) { c.Registry, c.Node = reg, "node-b" }),
	}
	st, err := nodes[0].svc.Create(context.Background(), "race", "")
	require.NoError(t, err)
	pubs, errs := make([]*publisher, 2), make([]error, 2)
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() { pubs[i], errs[i] = n.svc.publish(st.StreamKey, "flv") })
	}
	wg.Wait()
	won := -1
	for i := range nodes {
		if errs[i] == nil {
			require.Equal(t, -1, won, "both nodes run the stream")
			won = i
			t.Cleanup(pubs[i].Close)
		} else {
			require.True(t, errors.Is(errs[i], ErrBusy), "%v", errs[i])
		}
	}
	require.NotEqual(t, -1, won, "neither node runs the stream: %v", errs)
	got, err := nodes[1-won].svc.Get(context.Background(), st.ID)
	require.NoError(t, err)
	require.Equal(t, StatusLive, got.Status)
	require.Equal(t, nodes[won].svc.cfg.Node, got.Node)
	nodes[won].svc.mu.Lock()
	defer nodes[won].svc.mu.Unlock()
	require.Len(t, nodes[won].svc.sessions, 1)
	nodes[1-won].svc.mu.Lock()
	defer nodes[1-won].svc.mu.Unlock()
	require.Empty(t, nodes[1-won].svc.sessions)
}
