package ffmpeg

import (
	"context"
	"sync"
	"syscall"
)

// Pauser stops and resumes the ffmpeg processes run with its context
// (Pauser.Context): SIGSTOP to their process groups on Pause, SIGCONT on
// Resume. It lets work a viewer waits for take the CPU from background
// encodes without cancelling them: a stopped encode keeps its state, its
// job keeps its lease (heartbeats come from this process, not ffmpeg), and
// it goes on from where it was. Pauses nest: processes resume when every
// Pause has been matched by a Resume.
type Pauser struct {
	mu     sync.Mutex
	depth  int
	groups map[int]bool
}

// NewPauser returns a Pauser with nothing paused.
func NewPauser() *Pauser { return &Pauser{groups: map[int]bool{}} }

type pauserKey struct{}

// Context returns ctx carrying p: ffmpeg runs under it can be paused.
func (p *Pauser) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, pauserKey{}, p)
}

// Pause stops the processes running under p, and those that start before
// the matching Resume.
func (p *Pauser) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.depth++
	if p.depth == 1 {
		p.signalLocked(syscall.SIGSTOP)
	}
}

// Resume undoes one Pause.
func (p *Pauser) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.depth == 0 {
		return
	}
	p.depth--
	if p.depth == 0 {
		p.signalLocked(syscall.SIGCONT)
	}
}

// Paused reports whether processes under p are stopped now.
func (p *Pauser) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.depth > 0
}

func (p *Pauser) signalLocked(sig syscall.Signal) {
	for pgid := range p.groups {
		_ = syscall.Kill(-pgid, sig)
	}
}

// add registers a started process group, stopping it at once when p is paused.
func (p *Pauser) add(pgid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groups[pgid] = true
	if p.depth > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGSTOP)
	}
}

func (p *Pauser) remove(pgid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.groups, pgid)
}

func pauserFrom(ctx context.Context) *Pauser {
	p, _ := ctx.Value(pauserKey{}).(*Pauser)
	return p
}
