package live

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// Status is where a stream is in its one broadcast.
type Status string

// Stream statuses. A stream carries one broadcast: idle until the first
// publish, live while publishing (including the reconnect grace period),
// ended for good afterwards.
const (
	StatusIdle  Status = "idle"
	StatusLive  Status = "live"
	StatusEnded Status = "ended"
)

// Stream is one live stream as the API shows it.
type Stream struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	OwnerID   string    `json:"owner_id"`
	Status    Status    `json:"status"`
	StreamKey string    `json:"stream_key"`
	CreatedAt time.Time `json:"created_at"`
	StartedAt time.Time `json:"started_at,omitzero"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	// Connected is true while a publisher is attached; a live stream that
	// is not connected is in its reconnect grace period.
	Connected bool `json:"connected"`
	// Renditions lists the ladder once the input has been probed.
	Renditions []media.Rendition `json:"renditions,omitempty"`
	// VideoID is the recording's video, set once the recording was handed
	// over at the end.
	VideoID string `json:"video_id"`
	// Error says why a broadcast ended abnormally, for the streamer.
	Error string `json:"error,omitempty"`
}

// registry keeps streams in memory and, when path is set, in a JSON file
// rewritten atomically on every change. Streams are few and small, and the
// file keeps this package off the catalog's schema.
type registry struct {
	mu      sync.Mutex
	path    string
	streams map[string]*Stream
	byKey   map[[32]byte]string // SHA-256 of the key → id; lookups do not leak key prefixes through timing
}

func openRegistry(path string) (*registry, error) {
	r := &registry{path: path, streams: map[string]*Stream{}, byKey: map[[32]byte]string{}}
	if path == "" {
		return r, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("live: read registry: %w", err)
	}
	var list []*Stream
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("live: parse registry %s: %w", path, err)
	}
	for _, s := range list {
		r.streams[s.ID] = s
		r.byKey[sha256.Sum256([]byte(s.StreamKey))] = s.ID
	}
	return r, nil
}

// create adds a stream with a fresh id and key.
func (r *registry) create(title, ownerID string, now time.Time) (Stream, error) {
	s := &Stream{ID: newID(), Title: title, OwnerID: ownerID, Status: StatusIdle, StreamKey: newKey(), CreatedAt: now.UTC()}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[s.ID] = s
	r.byKey[sha256.Sum256([]byte(s.StreamKey))] = s.ID
	if err := r.saveLocked(); err != nil {
		delete(r.streams, s.ID)
		return Stream{}, err
	}
	return *s, nil
}

func (r *registry) get(id string) (Stream, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.streams[id]
	if !ok {
		return Stream{}, false
	}
	return clone(s), true
}

func (r *registry) byStreamKey(key string) (Stream, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.byKey[sha256.Sum256([]byte(key))]
	if !ok {
		return Stream{}, false
	}
	return clone(r.streams[id]), true
}

// update applies fn to the stream and saves. A failed save is returned but
// the in-memory change stays: the broadcast goes on, only a restart would
// forget it.
func (r *registry) update(id string, fn func(*Stream)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.streams[id]
	if !ok {
		return media.ErrNotFound
	}
	fn(s)
	return r.saveLocked()
}

func (r *registry) list() []Stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Stream, 0, len(r.streams))
	for _, s := range r.streams {
		out = append(out, clone(s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

func (r *registry) saveLocked() error {
	if r.path == "" {
		return nil
	}
	list := make([]*Stream, 0, len(r.streams))
	for _, s := range r.streams {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	tmp := r.path + ".tmp"
	// 0600: the file holds stream keys.
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("live: save registry: %w", err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fmt.Errorf("live: save registry: %w", err)
	}
	return nil
}

func clone(s *Stream) Stream {
	c := *s
	c.Renditions = append([]media.Rendition(nil), s.Renditions...)
	return c
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

// registryPath is where the JSON file lives in the live data directory.
func registryPath(dir string) string { return filepath.Join(dir, "streams.json") }
