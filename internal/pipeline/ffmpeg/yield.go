package ffmpeg

import (
	"context"
	"sync"
	"syscall"
)

// Yielder lowers the CPU priority of the background encodes run with its
// context (Yielder.Context) while work a viewer waits for runs (Yield):
// the CPU goes to that work first, and the background still takes what it
// leaves idle. When nothing waits, background encodes run at kinema's own
// niceness, so that on a machine busy with other programs they get their
// share instead of a tenth of it. Renicing goes one way (a process cannot
// raise its priority again without privilege): an encode reniced once
// stays so until it ends, seconds to tens of seconds later.
type Yielder struct {
	nice   int // while yielding
	mu     sync.Mutex
	active int
	groups map[int]bool // running process groups → reniced already
}

// NewYielder returns a Yielder that renices by n levels (at most to 19).
func NewYielder(n int) *Yielder {
	return &Yielder{nice: niceness(ownNice(), n), groups: map[int]bool{}}
}

type yielderKey struct{}

// Context returns ctx carrying y: ffmpeg runs under it yield.
func (y *Yielder) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, yielderKey{}, y)
}

func yielderFrom(ctx context.Context) *Yielder {
	y, _ := ctx.Value(yielderKey{}).(*Yielder)
	return y
}

// Yield renices the background encodes running now, and those that start
// before done is called, below what a viewer waits for. Calls nest.
func (y *Yielder) Yield() (done func()) {
	y.mu.Lock()
	defer y.mu.Unlock()
	y.active++
	for pgid, reniced := range y.groups {
		if !reniced {
			y.reniceLocked(pgid)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			y.mu.Lock()
			defer y.mu.Unlock()
			y.active--
		})
	}
}

// add registers a started process group, reniced at once while yielding.
func (y *Yielder) add(pgid int) {
	y.mu.Lock()
	defer y.mu.Unlock()
	y.groups[pgid] = false
	if y.active > 0 {
		y.reniceLocked(pgid)
	}
}

func (y *Yielder) remove(pgid int) {
	y.mu.Lock()
	defer y.mu.Unlock()
	delete(y.groups, pgid)
}

func (y *Yielder) reniceLocked(pgid int) {
	// The whole group, every thread started so far; later ones inherit it.
	// Lowering priority needs no privilege.
	_ = syscall.Setpriority(syscall.PRIO_PGRP, pgid, y.nice)
	y.groups[pgid] = true
}

// niceness is the niceness of a process asked to run n levels below own:
// relative, so that under a service manager's Nice= the background still
// yields; at most 19.
func niceness(own, n int) int { return min(own+n, 19) }

// ownNice is this process's niceness.
func ownNice() int {
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0
	}
	return 20 - p // the raw system call answers 20 - nice
}
