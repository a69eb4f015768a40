package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/storage"
)

// memStore is a minimal in-memory storage.Store for handler tests.
type memStore struct {
	mu   sync.Mutex
	objs map[string][]byte
	mod  time.Time
}

var _ storage.Store = (*memStore)(nil)

func newMemStore(mod time.Time) *memStore {
	return &memStore{objs: map[string][]byte{}, mod: mod}
}

func (s *memStore) info(key string, data []byte) storage.Info {
	sum := sha256.Sum256(data)
	return storage.Info{Key: key, Size: int64(len(data)), ModTime: s.mod, ETag: hex.EncodeToString(sum[:8])}
}

func (s *memStore) Put(_ context.Context, key string, r io.Reader) (storage.Info, error) {
	key, err := storage.CleanKey(key)
	if err != nil {
		return storage.Info{}, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return storage.Info{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objs[key] = data
	return s.info(key, data), nil
}

type memObject struct {
	*bytes.Reader
	info storage.Info
}

func (o memObject) Close() error       { return nil }
func (o memObject) Info() storage.Info { return o.info }

func (s *memStore) Open(_ context.Context, key string) (storage.Object, error) {
	key, err := storage.CleanKey(key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.objs[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return memObject{bytes.NewReader(data), s.info(key, data)}, nil
}

func (s *memStore) Stat(ctx context.Context, key string) (storage.Info, error) {
	o, err := s.Open(ctx, key)
	if err != nil {
		return storage.Info{}, err
	}
	return o.Info(), nil
}

func (s *memStore) List(_ context.Context, prefix string) ([]storage.Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Info
	for k, v := range s.objs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, s.info(k, v))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objs, key)
	return nil
}

func (s *memStore) DeletePrefix(_ context.Context, prefix string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.objs {
		if strings.HasPrefix(k, prefix) {
			delete(s.objs, k)
		}
	}
	return nil
}
