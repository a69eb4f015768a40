package live

import (
	"context"
	"errors"
	"fmt"
	"io"
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

	wmu       sync.Mutex // serializes input: keeping, buffering, probing, closing
	ingest    *os.File   // every byte received, in order: the recording's source
	head      []byte
	headStart time.Time
	nextProbe time.Time
	inClosed  bool
	started   bool          // ffmpeg was started; its exit ends the session
	exited    chan struct{} // closed when ffmpeg exits
	wake      chan struct{} // tells the pump more input was kept or input closed
	synced    chan struct{} // closed when the copy to the store is done; nil without a store
	size      int64         // bytes kept in the ingest file
	resumeAt  int64         // FLV: offset of the newest video keyframe tag (where a restream starts)
	flvConfig [3][]byte     // FLV: the newest onMetaData, AVC and AAC sequence header tags

	rmu       sync.Mutex // guards restreams
	restreams map[string]*restreamer

	done    chan struct{} // closed when the session ended
	hmu     sync.Mutex    // guards the health counters below
	bytesIn int64
	frames  int64
	dropped int64
	outTime time.Duration
}

// ingestName is the file in the work directory that keeps every byte the
// publishers sent.
func ingestName(format string) string {
	if format == "flv" {
		return "ingest.flv"
	}
	return "ingest.ts"
}

func newSession(svc *Service, st Stream, format string) (*session, error) {
	ss := &session{svc: svc, id: st.ID, title: st.Title, fmt: format,
		outDir: filepath.Join(svc.cfg.Dir, "out", st.ID), work: filepath.Join(svc.cfg.Dir, "work", st.ID),
		log: svc.log.With("stream", st.ID), exited: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
	for _, d := range []string{ss.outDir, ss.work} {
		if err := os.RemoveAll(d); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
	}
	f, err := os.OpenFile(filepath.Join(ss.work, ingestName(format)), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	ss.ingest = f
	if format == "flv" {
		ss.head = flvHeader()
		if _, err := f.Write(ss.head); err != nil {
			f.Close()
			return nil, fmt.Errorf("live: %w", err)
		}
		ss.size = int64(len(ss.head))
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
	ss.stop("The server shut down before any video or audio was received.")
}

// stop ends the broadcast now: the publisher is dropped, what was received
// is transcoded and recorded. reason is the error when nothing was.
func (ss *session) stop(reason string) {
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
	ss.closeInput(reason)
}

// closeInput ends the input: the pump gives ffmpeg EOF once it has fed it
// everything kept, which makes ffmpeg finish the manifests and exit; its
// exit ends the session. Without ffmpeg the session ends here with reason.
func (ss *session) closeInput(reason string) {
	ss.wmu.Lock()
	started := ss.started
	ss.inClosed = true
	if ss.ingest != nil {
		_ = ss.ingest.Close()
		ss.ingest = nil
	}
	ss.head = nil
	ss.wmu.Unlock()
	ss.poke()
	if !started {
		ss.end(reason)
	}
}

// poke wakes the pump without blocking.
func (ss *session) poke() {
	select {
	case ss.wake <- struct{}{}:
	default:
	}
}

// write takes input bytes from the attached publisher. They are kept on
// disk first, so a transcoder that falls behind (a busy machine) slows the
// live output down but loses nothing, and never pushes back on the
// publisher: SRT would drop what it cannot deliver in time.
func (ss *session) write(p []byte) error {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	if ss.inClosed {
		return errSessionOver
	}
	if _, err := ss.ingest.Write(p); err != nil {
		ss.log.Error("live input could not be kept", "err", err)
		return ss.failInput("The server could not store the stream (disk full?).")
	}
	if ss.fmt == "flv" {
		ss.noteFLV(p, ss.size)
	}
	ss.size += int64(len(p))
	ss.hmu.Lock()
	ss.bytesIn += int64(len(p))
	ss.hmu.Unlock()
	if !ss.started {
		return ss.buffer(p)
	}
	ss.poke()
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
		InputFormat: ss.fmt, Input: fifo, OutDir: ss.outDir,
		SegmentSeconds: ss.svc.cfg.SegmentSeconds, Preset: ss.svc.cfg.Ladder.Preset,
		WindowSegments: int(ss.svc.cfg.DVRWindow.Seconds() / ss.svc.cfg.SegmentSeconds),
		PartSeconds:    llPartSeconds,
	})
	ss.started = true
	ctx, cancel := context.WithCancelCause(ss.svc.ctx)
	ss.svc.startLL(ss.svc.ctx, ss.id, ss.outDir, l, ss.headStart, ss.exited, ss.log)
	go func() {
		err := ss.svc.ff.Run(ctx, args, func(p ffmpeg.Progress) {
			ss.hmu.Lock()
			ss.frames, ss.outTime, ss.dropped = p.Frame, p.OutTime, p.Dropped
			ss.hmu.Unlock()
		})
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
	ss.head = nil
	rs := append(append([]media.Rendition(nil), l.Video...), audioList(l)...)
	_ = ss.svc.reg.update(ss.id, func(x *Stream) { x.Renditions = rs })
	ss.log.Info("live transcode started", "renditions", len(rs), "probe_wait", time.Since(ss.headStart).String())
	go ss.pump(f, cancel)
	if st := ss.svc.cfg.Store; st != nil {
		ss.synced = make(chan struct{})
		go func() {
			defer close(ss.synced)
			newStoreSync(st, ss.id, ss.outDir).run(ss.svc.ctx, ss.exited, ss.log)
		}()
	}
	return nil
}

// pump feeds ffmpeg from the kept input, from its first byte, as fast as
// ffmpeg reads, and closes the FIFO (EOF) once the input is closed and
// everything was fed. A write error means ffmpeg is gone; its exit ends the
// session.
func (ss *session) pump(fifo *os.File, cancel context.CancelCauseFunc) {
	defer fifo.Close()
	in, err := os.Open(filepath.Join(ss.work, ingestName(ss.fmt)))
	if err != nil {
		cancel(err)
		return
	}
	defer in.Close()
	buf := make([]byte, 256<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if werr := writeAll(fifo, buf[:n], ss.exited); werr != nil {
				ss.log.Warn("live transcoder input closed", "err", werr)
				return
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			cancel(err)
			return
		}
		ss.wmu.Lock()
		closed := ss.inClosed
		ss.wmu.Unlock()
		if closed {
			// Everything written before the close is in the file: one more
			// read drains it.
			if n, _ := in.Read(buf); n > 0 {
				if werr := writeAll(fifo, buf[:n], ss.exited); werr != nil {
					return
				}
				continue
			}
			return
		}
		select {
		case <-ss.wake:
		case <-ss.exited:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// writeAll writes p to the FIFO, waiting as long as ffmpeg is alive.
func writeAll(f *os.File, p []byte, exited <-chan struct{}) error {
	for len(p) > 0 {
		_ = f.SetWriteDeadline(time.Now().Add(time.Second))
		n, err := f.Write(p)
		p = p[n:]
		if err == nil {
			continue
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		select {
		case <-exited:
			return errors.New("transcoder exited")
		default:
		}
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
	if ss.ingest != nil {
		_ = ss.ingest.Close()
		ss.ingest = nil
	}
	ss.poke()
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
		ss.wmu.Lock()
		synced := ss.synced
		ss.wmu.Unlock()
		if synced != nil {
			select { // the final manifests reach the store before the recording starts
			case <-synced:
			case <-time.After(30 * time.Second):
			}
		}
		close(ss.done)
		ss.finishRestreams()
		_ = ss.svc.reg.update(ss.id, func(x *Stream) { x.Health, x.EndRequested = nil, false })
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
