package live

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// SRT passphrase bounds (libsrt's): 10 to 79 bytes.
const (
	minPassphrase = 10
	maxPassphrase = 79
)

// End ends a stream now. An idle stream ends without a broadcast; a live
// one run by this node ends as if its publisher had left for good (the
// recording is still made); one run by another node is flagged and that
// node ends it within a health interval. Ending an ended stream is a no-op.
func (s *Service) End(ctx context.Context, id string) (Stream, error) {
	st, err := s.Get(ctx, id)
	if err != nil {
		return Stream{}, err
	}
	switch st.Status {
	case StatusIdle:
		s.mu.Lock()
		ss := s.sessions[id]
		s.mu.Unlock()
		if ss == nil {
			err = s.reg.update(id, func(x *Stream) {
				if x.Status == StatusIdle {
					x.Status, x.EndedAt = StatusEnded, s.now().UTC()
				}
			})
			if err != nil {
				return Stream{}, err
			}
			return s.Get(ctx, id)
		}
		fallthrough
	case StatusLive:
		s.mu.Lock()
		ss := s.sessions[id]
		s.mu.Unlock()
		if ss != nil {
			go ss.stop("The stream was ended before any video or audio was received.")
		} else if err := s.reg.update(id, func(x *Stream) { x.EndRequested = true }); err != nil {
			return Stream{}, err
		}
	}
	return s.Get(ctx, id)
}

// RotateKey gives the stream a new secret key; the old one stops working
// for new publishes at once (a publisher already connected goes on). An
// ended stream cannot be published to and keeps its key.
func (s *Service) RotateKey(ctx context.Context, id string) (Stream, error) {
	st, err := s.Get(ctx, id)
	if err != nil {
		return Stream{}, err
	}
	if st.Status == StatusEnded {
		return Stream{}, media.Inputf("The stream has ended; its key can no longer be used.")
	}
	if err := s.reg.update(id, func(x *Stream) { x.StreamKey = newKey() }); err != nil {
		return Stream{}, err
	}
	return s.Get(ctx, id)
}

// SetPassphrase sets (or, with "", clears) the SRT passphrase publishers
// must encrypt with. It applies to the next publish.
func (s *Service) SetPassphrase(ctx context.Context, id, passphrase string) (Stream, error) {
	if err := CheckPassphrase(passphrase); err != nil {
		return Stream{}, err
	}
	if _, err := s.Get(ctx, id); err != nil {
		return Stream{}, err
	}
	if err := s.reg.update(id, func(x *Stream) { x.Passphrase = passphrase }); err != nil {
		return Stream{}, err
	}
	return s.Get(ctx, id)
}

// CheckPassphrase accepts "" (no encryption) or 10 to 79 printable ASCII
// characters, what SRT allows and a URL carries unescaped.
func CheckPassphrase(p string) error {
	if p == "" {
		return nil
	}
	if len(p) < minPassphrase || len(p) > maxPassphrase {
		return media.Inputf("The SRT passphrase must be %d to %d characters long.", minPassphrase, maxPassphrase)
	}
	for _, c := range []byte(p) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return media.Inputf("The SRT passphrase may hold letters, digits and - _ . ~ only.")
		}
	}
	return nil
}

// viewers counts, per stream, the play tokens that fetched a segment on
// this node recently.
type viewers struct {
	mu   sync.Mutex
	seen map[string]map[[32]byte]time.Time
}

const viewerWindow = 30 * time.Second

func (v *viewers) saw(id, token string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]map[[32]byte]time.Time{}
	}
	m := v.seen[id]
	if m == nil {
		m = map[[32]byte]time.Time{}
		v.seen[id] = m
	}
	m[sha256.Sum256([]byte(token))] = now
}

func (v *viewers) count(id string, now time.Time) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for k, t := range v.seen[id] {
		if now.Sub(t) > viewerWindow {
			delete(v.seen[id], k)
			continue
		}
		n++
	}
	return n
}

// healthEvery is how often the ingest node records a broadcast's health
// and checks whether another node asked to end it.
const healthEvery = 2 * time.Second

// watchHealth records the session's health until it ends.
func (ss *session) watchHealth() {
	t := time.NewTicker(healthEvery)
	defer t.Stop()
	lastBytes, lastFrames, last := int64(0), int64(0), time.Now()
	for {
		select {
		case <-ss.done:
			return
		case <-t.C:
		}
		ss.syncRestreams()
		now := time.Now()
		dt := now.Sub(last).Seconds()
		ss.hmu.Lock()
		bytes, frames, outTime, dropped := ss.bytesIn, ss.frames, ss.outTime, ss.dropped
		ss.hmu.Unlock()
		h := &media.LiveHealth{InputBitrate: int64(float64(bytes-lastBytes) * 8 / dt),
			FPS: float64(frames-lastFrames) / dt, DroppedFrames: dropped,
			Viewers: ss.svc.views.count(ss.id, now), UpdatedAt: ss.svc.now().UTC().Truncate(time.Millisecond)}
		if !ss.headStart.IsZero() && outTime > 0 {
			h.Lag = max(0, now.Sub(ss.headStart).Seconds()-outTime.Seconds())
		}
		lastBytes, lastFrames, last = bytes, frames, now
		endRequested := false
		_ = ss.svc.reg.update(ss.id, func(x *Stream) {
			if x.Status == StatusLive {
				x.Health = h
			}
			endRequested = x.EndRequested
		})
		if endRequested {
			ss.log.Info("ending the broadcast: asked through the API on another node")
			go ss.stop("The stream was ended before any video or audio was received.")
			return
		}
	}
}

func (ss *session) String() string { return fmt.Sprintf("session %s", ss.id) }

// ErrLiveNow refuses deleting a stream that is broadcasting (or still
// handing its recording over on this node).
var ErrLiveNow = errors.New("live: the stream is broadcasting")

// Delete removes a stream that is not broadcasting: its catalog entry and
// restream destinations, its live output in the store (segments and
// playlists under live/<id>/) and on this node's disk. Its recording is a
// normal video and stays. Another ingest node removes its own copy of the
// output at its next sweep (outputSweepEvery).
func (s *Service) Delete(ctx context.Context, id string) error {
	st, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	ss := s.sessions[id]
	s.mu.Unlock()
	if ss != nil || st.Status == StatusLive {
		return ErrLiveNow
	}
	if st := s.cfg.Store; st != nil {
		if err := st.DeletePrefix(ctx, storePrefix(id)); err != nil {
			return fmt.Errorf("live: delete stream %s output: %w", id, err)
		}
	}
	if err := s.cfg.Registry.DeleteLiveStream(ctx, id); err != nil {
		return err
	}
	s.removeLocal(id)
	return nil
}

// removeLocal deletes this node's output and work directories of a stream.
func (s *Service) removeLocal(id string) {
	for _, d := range []string{"out", "work"} {
		if err := os.RemoveAll(filepath.Join(s.cfg.Dir, d, id)); err != nil {
			s.log.Warn("live: could not remove a deleted stream's files", "stream", id, "err", err)
		}
	}
}

// outputSweepEvery is how often a node removes the local files of streams
// deleted through another node.
const outputSweepEvery = time.Minute

// sweepDeleted removes local output of streams the catalog no longer has,
// until the service stops.
func (s *Service) sweepDeleted() {
	defer s.wg.Done()
	t := time.NewTicker(outputSweepEvery)
	defer t.Stop()
	for {
		s.sweepOnce()
		select {
		case <-s.ctx.Done():
			return
		case <-s.stopCh():
			return
		case <-t.C:
		}
	}
}

func (s *Service) sweepOnce() {
	entries, err := os.ReadDir(filepath.Join(s.cfg.Dir, "out"))
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		id := e.Name()
		s.mu.Lock()
		running := s.sessions[id] != nil
		s.mu.Unlock()
		if running {
			continue
		}
		ctx, cancel := context.WithTimeout(s.ctx, registryTimeout)
		_, err := s.cfg.Registry.LiveStream(ctx, id)
		cancel()
		if errors.Is(err, media.ErrNotFound) {
			s.removeLocal(id)
		}
	}
}
