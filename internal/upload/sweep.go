package upload

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SweepTus removes tus uploads that received no bytes for longer than the
// upload TTL: their upload URL has expired, so nobody is coming back for
// them, and partial files would otherwise fill the disk. It returns how many
// uploads it removed.
func (s *Service) SweepTus(now time.Time) (int, error) {
	entries, err := os.ReadDir(s.cfg.TusDir)
	if err != nil {
		return 0, err
	}
	// Group tusd's files (<id>, <id>.info, <id>.lock) by upload id and keep
	// the latest modification of each.
	latest := map[string]time.Time{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		id, _, _ := strings.Cut(e.Name(), ".")
		if t := info.ModTime(); t.After(latest[id]) {
			latest[id] = t
		}
	}
	removed := 0
	for id, t := range latest {
		if now.Sub(t) <= s.cfg.TTL {
			continue
		}
		for _, suffix := range []string{"", ".info", ".lock"} {
			_ = os.Remove(filepath.Join(s.cfg.TusDir, id+suffix))
		}
		removed++
		s.log.Info("removed abandoned tus upload", "upload", id, "idle", now.Sub(t).Round(time.Second).String())
	}
	return removed, nil
}
