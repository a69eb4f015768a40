package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
)

const (
	// maxHead bounds the input buffered before ffmpeg starts.
	maxHead = 8 << 20
	// writeTimeout is how long a write to ffmpeg may block. A transcoder
	// that cannot keep up for this long ends the broadcast instead of
	// letting the ingest buffer without bound.
	writeTimeout = 10 * time.Second
)

// errSessionOver tells a publisher its broadcast is over.
var errSessionOver = errors.New("live: broadcast is over")

// session is one broadcast: at most one attached publisher at a time, one
// ffmpeg, and a grace timer between publishers.
type session struct {
	svc            *Service
	id, title, fmt string
	outDir, work   string
	log            *slog.Logger

	mu       sync.Mutex // guards the fields below
	pub      *publisher
	attached bool // some publisher was attached before (a new one is a reconnect)
	grace    *time.Timer
	ended    bool // no publisher may attach any more
	flvLast  uint32
	flvAny   bool
	endOnce  sync.Once

	wmu       sync.Mutex // serializes input: buffering, probing, FIFO writes, closing
	head      []byte
	headStart time.Time
	nextProbe time.Time
	fifo      *os.File
	inClosed  bool
	started   bool          // ffmpeg was started; its exit ends the session
	exited    chan struct{} // closed when ffmpeg exits
}

func newSession(svc *Service, st Stream, format string) (*session, error) {
	ss := &session{svc: svc, id: st.ID, title: st.Title, fmt: format,
		outDir: filepath.Join(svc.cfg.Dir, "out", st.ID), work: filepath.Join(svc.cfg.Dir, "work", st.ID),
		log: svc.log.With("stream", st.ID), exited: make(chan struct{})}
	for _, d := range []string{ss.outDir, ss.work} {
		if err := os.RemoveAll(d); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
	}
	if format == "flv" {
		ss.head = flvHeader()
	}
	return ss, nil
}

// attach makes pub the session's publisher.
func (ss *session) attach(format string) (*publisher, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	switch {
	case ss.ended:
		return nil, ErrEnded
	case ss.pub != nil, format != ss.fmt: // a reconnect must keep the container
		return nil, ErrBusy
	}
	if ss.grace != nil {
		ss.grace.Stop()
		ss.grace = nil
	}
	if ss.attached {
		ss.log.Info("publisher reconnected")
	}
	ss.attached = true
	ss.pub = &publisher{ss: ss}
	return ss.pub, nil
}

// detach is called when pub's connection ends; the grace period starts.
func (ss *session) detach(pub *publisher) {
	ss.mu.Lock()
	if ss.pub != pub {
		ss.mu.Unlock()
		return
	}
	ss.pub = nil
	if !ss.ended {
		ss.grace = time.AfterFunc(ss.svc.cfg.Grace, ss.graceExpired)
	}
	ss.mu.Unlock()
	_ = ss.svc.reg.update(ss.id, func(x *Stream) { x.Connected = false })
}

func (ss *session) graceExpired() {
	ss.mu.Lock()
	if ss.pub != nil || ss.ended {
		ss.mu.Unlock()
		return
	}
	ss.ended = true
	ss.mu.Unlock()
	ss.log.Info("publisher gone; ending broadcast")
	ss.closeInput("The stream ended before any video or audio was received.")
}

// shutdown ends the broadcast now, for Service.Stop.
func (ss *session) shutdown() {
	ss.mu.Lock()
	ss.ended = true
	if ss.grace != nil {
		ss.grace.Stop()
	}
	pub := ss.pub
	ss.mu.Unlock()
	if pub != nil {
		pub.kick()
	}
	ss.closeInput("The server shut down before any video or audio was received.")
}

// closeInput gives ffmpeg EOF, which makes it finish the manifests and the
// recording and exit; its exit ends the session. Without ffmpeg the session
// ends here with reason.
func (ss *session) closeInput(reason string) {
	ss.wmu.Lock()
	started := ss.started
	ss.inClosed = true
	if ss.fifo != nil {
		_ = ss.fifo.Close()
		ss.fifo = nil
	}
	ss.head = nil
	ss.wmu.Unlock()
	if !started {
		ss.end(reason)
	}
}

// write takes input bytes from the attached publisher.
func (ss *session) write(p []byte) error {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	if ss.inClosed {
		return errSessionOver
	}
	if ss.fifo == nil {
		return ss.buffer(p)
	}
	_ = ss.fifo.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := ss.fifo.Write(p); err != nil {
		return fmt.Errorf("live: feed transcoder: %w", err)
	}
	return nil
}

// buffer collects the head of the input until a probe can plan the ladder,
// then starts ffmpeg. Called with wmu held.
func (ss *session) buffer(p []byte) error {
	now := time.Now()
	if ss.headStart.IsZero() {
		ss.headStart, ss.nextProbe = now, now.Add(ss.svc.cfg.ProbeAfter)
	}
	if len(ss.head)+len(p) > maxHead {
		return ss.failInput("No video or audio could be read from the start of the stream.")
	}
	ss.head = append(ss.head, p...)
	if ss.fmt == "mpegts" && !looksLikeTS(ss.head) {
		return ss.failInput("The stream is not MPEG-TS; send MPEG-TS over SRT (ffmpeg: -f mpegts).")
	}
	if now.Before(ss.nextProbe) {
		return nil
	}
	l, err := ss.probe()
	if err != nil {
		if now.Sub(ss.headStart) >= ss.svc.cfg.ProbeTimeout {
			ss.log.Info("live input not decodable", "err", err)
			return ss.failInput("No video or audio could be read from the stream.")
		}
		ss.nextProbe = now.Add(500 * time.Millisecond)
		return nil
	}
	return ss.startTranscode(l)
}

// probe runs ffprobe on the buffered head and plans the ladder.
func (ss *session) probe() (Ladder, error) {
	path := filepath.Join(ss.work, "head."+map[string]string{"mpegts": "ts", "flv": "flv"}[ss.fmt])
	if err := os.WriteFile(path, ss.head, 0o600); err != nil {
		return Ladder{}, err
	}
	defer os.Remove(path)
	ctx, cancel := context.WithTimeout(ss.svc.ctx, 10*time.Second)
	defer cancel()
	src, err := ss.svc.ff.Probe(ctx, path)
	if err != nil {
		return Ladder{}, err
	}
	if src.HasVideo && (src.Width < 2 || src.Height < 2) {
		return Ladder{}, errors.New("no picture size yet") // no SPS seen yet: wait for more
	}
	return PlanLadder(src, ss.svc.cfg.Ladder)
}

// startTranscode starts ffmpeg on a FIFO and feeds it the head. Called with
// wmu held.
func (ss *session) startTranscode(l Ladder) error {
	fifo := filepath.Join(ss.work, "in.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return ss.failInput("The server could not start the transcoder.")
	}
	args := TranscodeArgs(l, TranscodeSpec{
		InputFormat: ss.fmt, Input: fifo, OutDir: ss.outDir, Recording: filepath.Join(ss.work, "recording.ts"),
		SegmentSeconds: ss.svc.cfg.SegmentSeconds, Preset: ss.svc.cfg.Ladder.Preset,
		WindowSegments: int(ss.svc.cfg.DVRWindow.Seconds() / ss.svc.cfg.SegmentSeconds),
		PartSeconds:    llPartSeconds,
	})
	ss.started = true
	ctx, cancel := context.WithCancelCause(ss.svc.ctx)
	ss.svc.startLL(ss.svc.ctx, ss.id, ss.outDir, l, ss.headStart, ss.exited, ss.log)
	go func() {
		err := ss.svc.ff.Run(ctx, args, nil)
		cancel(nil)
		close(ss.exited)
		ss.transcoderExited(err)
	}()
	f, err := openFIFO(fifo, ss.exited, 10*time.Second)
	if err != nil {
		ss.inClosed = true
		cancel(err) // its exit ends the session
		return fmt.Errorf("live: open transcoder input: %w", err)
	}
	ss.fifo = f
	head := ss.head
	ss.head = nil
	rs := append(append([]media.Rendition(nil), l.Video...), audioList(l)...)
	_ = ss.svc.reg.update(ss.id, func(x *Stream) { x.Renditions = rs })
	ss.log.Info("live transcode started", "renditions", len(rs), "probe_wait", time.Since(ss.headStart).String())
	_ = f.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := f.Write(head); err != nil {
		return fmt.Errorf("live: feed transcoder: %w", err)
	}
	return nil
}

func audioList(l Ladder) []media.Rendition {
	if l.Audio == nil {
		return nil
	}
	a := *l.Audio
	a.ID = "a0"
	return []media.Rendition{a}
}

// failInput ends a broadcast whose input is unusable. Called with wmu held.
func (ss *session) failInput(reason string) error {
	ss.inClosed = true
	ss.head = nil
	ss.mu.Lock()
	ss.ended = true
	ss.mu.Unlock()
	if !ss.started {
		go ss.end(reason) // end kicks the publisher, whose goroutine holds wmu
	}
	return errSessionOver
}

// transcoderExited ends the session when ffmpeg is done, whatever the cause.
func (ss *session) transcoderExited(err error) {
	reason := ""
	if err != nil && !errors.Is(err, ErrShutdown) {
		ss.log.Warn("live transcoder failed", "err", err)
		reason = "The transcoder stopped unexpectedly."
		var ee *ffmpeg.ExitError
		if errors.As(err, &ee) && ee.Hint != "" {
			reason = ee.Hint
		}
	}
	ss.mu.Lock()
	ss.ended = true
	ss.mu.Unlock()
	ss.closeInput("")
	ss.end(reason)
}

// end marks the stream ended, disconnects the publisher and hands the
// recording over. A non-empty reason says why the broadcast failed.
func (ss *session) end(reason string) {
	ss.endOnce.Do(func() {
		ss.mu.Lock()
		ss.ended = true
		pub := ss.pub
		ss.mu.Unlock()
		if pub != nil {
			pub.kick()
		}
		_ = ss.svc.reg.update(ss.id, func(x *Stream) {
			x.Status, x.Connected, x.EndedAt = StatusEnded, false, ss.svc.now().UTC()
			x.Error = reason
		})
		ss.log.Info("live broadcast ended", "reason", reason)
		ss.svc.handOver(ss.id, ss.title)
		ss.svc.sessionDone(ss.id)
	})
}

// openFIFO opens the FIFO's write end once ffmpeg has opened the read end.
// O_NONBLOCK makes the open fail with ENXIO instead of blocking until then,
// so a transcoder that dies first cannot hang us, and it makes the file
// pollable so writes honour deadlines.
func openFIFO(path string, exited <-chan struct{}, timeout time.Duration) (*os.File, error) {
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-exited:
			return nil, errors.New("transcoder exited before reading its input")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// looksLikeTS checks the MPEG-TS sync byte at the first packet boundaries,
// so random bytes are refused at once instead of after the probe timeout.
func looksLikeTS(b []byte) bool {
	for i := 0; i < 3*188 && i < len(b); i += 188 {
		if b[i] != 0x47 {
			return false
		}
	}
	return true
}

// publisher is one ingest connection attached to a session.
type publisher struct {
	ss        *session
	kickFunc  func()
	flvOffset int64
	flvFirst  bool
}

// Write feeds input bytes to the broadcast.
func (p *publisher) Write(b []byte) error { return p.ss.write(b) }

// Close detaches the publisher; the reconnect grace period starts.
func (p *publisher) Close() { p.ss.detach(p) }

// setKick registers how to drop the connection when the broadcast ends.
func (p *publisher) setKick(f func()) {
	p.ss.mu.Lock()
	p.kickFunc = f
	ended := p.ss.ended
	p.ss.mu.Unlock()
	if ended {
		f()
	}
}

func (p *publisher) kick() {
	p.ss.mu.Lock()
	f := p.kickFunc
	p.ss.mu.Unlock()
	if f != nil {
		f()
	}
}
