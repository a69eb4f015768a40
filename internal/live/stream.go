package live

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// Stream is one live stream as the catalog keeps it and the API shows it.
type Stream = media.LiveStream

// Status is where a stream is in its one broadcast.
type Status = media.LiveStatus

// Stream statuses. A stream carries one broadcast: idle until the first
// publish, live while publishing (including the reconnect grace period),
// ended for good afterwards.
const (
	StatusIdle  = media.LiveIdle
	StatusLive  = media.LiveLive
	StatusEnded = media.LiveEnded
)

// Registry keeps the streams. On a server it is the catalog, so every API
// node lists and shows every stream and any node can take a publish; a
// Service without one keeps them in memory.
type Registry interface {
	CreateLiveStream(ctx context.Context, s Stream) error
	// LiveStream and LiveStreamByKey return an error wrapping
	// media.ErrNotFound for unknown ids and keys.
	LiveStream(ctx context.Context, id string) (Stream, error)
	LiveStreamByKey(ctx context.Context, key string) (Stream, error)
	LiveStreams(ctx context.Context) ([]Stream, error) // newest first
	SaveLiveStream(ctx context.Context, s Stream) error
	// ClaimLiveStream makes an idle stream live on node, atomically: false
	// when it is not idle any more.
	ClaimLiveStream(ctx context.Context, id, node string, at time.Time) (bool, error)
	// DeleteLiveStream removes a stream and its restream destinations
	// (media.ErrNotFound for an unknown id).
	DeleteLiveStream(ctx context.Context, id string) error

	// Restream destinations: added and removed through the API (any
	// node), read and given a status by the ingest node. DeleteLiveRestream
	// returns media.ErrNotFound for an unknown pair; a status for a
	// deleted destination is not an error.
	AddLiveRestream(ctx context.Context, d media.LiveRestream, limit int) error
	LiveRestreams(ctx context.Context, streamID string) ([]media.LiveRestream, error) // oldest first
	DeleteLiveRestream(ctx context.Context, streamID, id string) error
	SetLiveRestreamStatus(ctx context.Context, id string, status media.RestreamStatus, errText string, at time.Time) error
}

// registry wraps a Registry with what the service needs: read-modify-write
// updates serialized within this process (only the ingest node changes a
// live broadcast's state), bounded waits, and errors logged.
type registry struct {
	mu  sync.Mutex
	r   Registry
	log *slog.Logger
}

const registryTimeout = 10 * time.Second

func (r *registry) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), registryTimeout)
}

// create adds a stream with a fresh id and key.
func (r *registry) create(ctx context.Context, title, ownerID string, now time.Time) (Stream, error) {
	s := Stream{ID: newID(), Title: title, OwnerID: ownerID, Status: StatusIdle, StreamKey: newKey(), CreatedAt: now.UTC().Truncate(time.Millisecond)}
	if err := r.r.CreateLiveStream(ctx, s); err != nil {
		return Stream{}, err
	}
	return s, nil
}

func (r *registry) get(id string) (Stream, bool) {
	ctx, cancel := r.ctx()
	defer cancel()
	s, err := r.r.LiveStream(ctx, id)
	if err != nil {
		if !errors.Is(err, media.ErrNotFound) {
			r.log.Error("live stream lookup failed", "stream", id, "err", err)
		}
		return Stream{}, false
	}
	return s, true
}

func (r *registry) byStreamKey(key string) (Stream, bool) {
	if key == "" {
		return Stream{}, false
	}
	ctx, cancel := r.ctx()
	defer cancel()
	s, err := r.r.LiveStreamByKey(ctx, key)
	if err != nil {
		if !errors.Is(err, media.ErrNotFound) {
			r.log.Error("live stream key lookup failed", "err", err)
		}
		return Stream{}, false
	}
	return s, true
}

// update applies fn to the stored stream and saves it. A failed save is
// logged and returned; the broadcast goes on.
func (r *registry) update(id string, fn func(*Stream)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := r.ctx()
	defer cancel()
	s, err := r.r.LiveStream(ctx, id)
	if err != nil {
		return err
	}
	fn(&s)
	if err := r.r.SaveLiveStream(ctx, s); err != nil {
		r.log.Error("live stream update failed", "stream", id, "err", err)
		return err
	}
	return nil
}

// claim makes idle stream id live on node (Registry.ClaimLiveStream).
func (r *registry) claim(id, node string, at time.Time) (bool, error) {
	ctx, cancel := r.ctx()
	defer cancel()
	ok, err := r.r.ClaimLiveStream(ctx, id, node, at)
	if err != nil {
		r.log.Error("live stream claim failed", "stream", id, "err", err)
	}
	return ok, err
}

func (r *registry) list(ctx context.Context) ([]Stream, error) { return r.r.LiveStreams(ctx) }

// memoryRegistry is a Registry in memory, for a Service without a catalog.
type memoryRegistry struct {
	mu        sync.Mutex
	streams   map[string]Stream
	restreams []media.LiveRestream
}

// NewMemoryRegistry returns an empty in-memory Registry.
func NewMemoryRegistry() Registry { return &memoryRegistry{streams: map[string]Stream{}} }

func (m *memoryRegistry) DeleteLiveStream(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.streams[id]; !ok {
		return fmt.Errorf("live stream %s: %w", id, media.ErrNotFound)
	}
	delete(m.streams, id)
	kept := m.restreams[:0]
	for _, d := range m.restreams {
		if d.StreamID != id {
			kept = append(kept, d)
		}
	}
	m.restreams = kept
	return nil
}

func (m *memoryRegistry) AddLiveRestream(_ context.Context, d media.LiveRestream, limit int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, o := range m.restreams {
		if o.ID == d.ID {
			return media.ErrConflict
		}
		if o.StreamID == d.StreamID {
			n++
		}
	}
	if limit > 0 && n >= limit {
		return media.ErrLimit
	}
	m.restreams = append(m.restreams, d)
	return nil
}

func (m *memoryRegistry) LiveRestreams(_ context.Context, streamID string) ([]media.LiveRestream, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []media.LiveRestream{}
	for _, d := range m.restreams {
		if d.StreamID == streamID {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memoryRegistry) DeleteLiveRestream(_ context.Context, streamID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, d := range m.restreams {
		if d.ID == id && d.StreamID == streamID {
			m.restreams = append(m.restreams[:i], m.restreams[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("live restream %s: %w", id, media.ErrNotFound)
}

func (m *memoryRegistry) SetLiveRestreamStatus(_ context.Context, id string, status media.RestreamStatus, errText string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.restreams {
		if m.restreams[i].ID == id {
			m.restreams[i].Status, m.restreams[i].Error, m.restreams[i].UpdatedAt = status, errText, at
		}
	}
	return nil
}

func (m *memoryRegistry) CreateLiveStream(_ context.Context, s Stream) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.streams {
		if o.StreamKey == s.StreamKey || o.ID == s.ID {
			return media.ErrConflict
		}
	}
	m.streams[s.ID] = clone(s)
	return nil
}

func (m *memoryRegistry) LiveStream(_ context.Context, id string) (Stream, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.streams[id]
	if !ok {
		return Stream{}, fmt.Errorf("live stream %s: %w", id, media.ErrNotFound)
	}
	return clone(s), nil
}

func (m *memoryRegistry) LiveStreamByKey(_ context.Context, key string) (Stream, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.streams {
		if s.StreamKey == key {
			return clone(s), nil
		}
	}
	return Stream{}, fmt.Errorf("live stream: %w", media.ErrNotFound)
}

func (m *memoryRegistry) LiveStreams(context.Context) ([]Stream, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Stream, 0, len(m.streams))
	for _, s := range m.streams {
		out = append(out, clone(s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

func (m *memoryRegistry) SaveLiveStream(_ context.Context, s Stream) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.streams[s.ID]; !ok {
		return fmt.Errorf("live stream %s: %w", s.ID, media.ErrNotFound)
	}
	for _, o := range m.streams {
		if o.StreamKey == s.StreamKey && o.ID != s.ID {
			return media.ErrConflict
		}
	}
	m.streams[s.ID] = clone(s)
	return nil
}

func (m *memoryRegistry) ClaimLiveStream(_ context.Context, id, node string, at time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.streams[id]
	if !ok || s.Status != StatusIdle {
		return false, nil
	}
	s.Status, s.StartedAt, s.Node = StatusLive, at, node
	m.streams[id] = s
	return true, nil
}

func clone(s Stream) Stream {
	c := s
	c.Renditions = append([]media.Rendition(nil), s.Renditions...)
	c.Restream = append([]string(nil), s.Restream...)
	if s.Health != nil {
		h := *s.Health
		c.Health = &h
	}
	return c
}

// importStreamsJSON moves the streams of an older version's streams.json
// (in the live directory) into reg once, then renames the file to
// streams.json.imported. Streams already there are skipped.
func importStreamsJSON(ctx context.Context, dir string, reg Registry, log *slog.Logger) error {
	path := filepath.Join(dir, "streams.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("live: read %s: %w", path, err)
	}
	var list []Stream
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("live: parse %s: %w", path, err)
	}
	n := 0
	for _, s := range list {
		if _, err := reg.LiveStream(ctx, s.ID); err == nil {
			continue
		}
		if err := reg.CreateLiveStream(ctx, s); err != nil {
			return fmt.Errorf("live: import stream %s: %w", s.ID, err)
		}
		n++
	}
	log.Info("live streams imported from streams.json into the catalog", "streams", n)
	return os.Rename(path, path+".imported")
}

// newID returns a 16-character id in the alphabet play tokens accept.
func newID() string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newKey returns 192 random bits as base64url: safe in an RTMP path and an
// SRT streamid without escaping.
func newKey() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
