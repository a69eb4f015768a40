package ffmpeg

import (
	"context"
	"sync"
)

type joinAfterKey struct{}

// JoinAfter returns ctx under which an ffmpeg run joins the Yielder and the
// Pauser that ctx carries only once ready is closed: until then it runs at
// kinema's own priority and is not stopped. For a background encode whose
// first output a viewer already waits for (the audio track's first
// segment and init, which the first frame needs as much as the video's).
func JoinAfter(ctx context.Context, ready <-chan struct{}) context.Context {
	return context.WithValue(ctx, joinAfterKey{}, ready)
}

// join registers the process group pgid with ctx's Yielder and Pauser, now
// or once JoinAfter's channel is closed, and returns the func that
// unregisters it when the process has ended.
func join(ctx context.Context, pgid int) (leave func()) {
	add := func() (leave func()) {
		y, p := yielderFrom(ctx), pauserFrom(ctx)
		if y != nil {
			y.add(pgid)
		}
		if p != nil {
			p.add(pgid)
		}
		return func() {
			if y != nil {
				y.remove(pgid)
			}
			if p != nil {
				p.remove(pgid)
			}
		}
	}
	ready, _ := ctx.Value(joinAfterKey{}).(<-chan struct{})
	if ready == nil {
		return add()
	}
	var mu sync.Mutex
	var remove func()
	exited := make(chan struct{}) // closed under mu
	go func() {
		select {
		case <-ready:
		case <-exited:
			return
		}
		mu.Lock()
		defer mu.Unlock()
		select {
		case <-exited: // ended meanwhile
		default:
			remove = add()
		}
	}()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		close(exited)
		if remove != nil {
			remove()
		}
	}
}
