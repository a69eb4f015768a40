package config

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Sizing of the default ffmpeg memory ceiling (FFmpegMemoryLimit). Measured
// with Debian's ffmpeg 5.1 on 2 cores: a 4096×2304 chunk job (7 rungs and
// storyboard tiles) peaked at 3.0 GiB of address space, a 1080p one (5
// rungs) at 1.5 GiB, and forcing the thread counts ffmpeg and x264 pick on
// 16 cores added about 0.2 GiB per core (thread stacks, malloc arenas).
const (
	ffmpegMemoryBase    = 3 << 30
	ffmpegMemoryPerCore = 256 << 20
)

// FFmpegMemoryLimit is the address space each ffmpeg and ffprobe process may
// use, in bytes; 0 means no limit. FFmpegMemory set to a positive value wins;
// 0 sizes it from the machine: an equal share of the memory for the two
// processes each worker slot may run at once (an encode and a light job),
// with two more shares left for the server and live ingest, but never less
// than an honest 4K encode needs on this many cores.
func (c Config) FFmpegMemoryLimit() int64 {
	switch {
	case c.FFmpegMemory > 0:
		return c.FFmpegMemory
	case c.FFmpegMemory < 0:
		return 0
	}
	floor := FFmpegMemoryFloor()
	ram := machineMemory()
	if ram <= 0 {
		return floor
	}
	return max(floor, ram/int64(2*max(c.Workers, 1)+2))
}

// FFmpegMemoryFloor is the smallest default ceiling: what an honest 4K
// chunk job needs on this machine's cores, with margin.
func FFmpegMemoryFloor() int64 {
	return int64(ffmpegMemoryBase + ffmpegMemoryPerCore*runtime.NumCPU())
}

// machineMemory is the memory this process may use: the machine's, or its
// cgroup's limit when lower (containers). 0 when unknown.
func machineMemory() int64 {
	total := memTotal()
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}

// memTotal reads MemTotal from /proc/meminfo.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// ParseBytes reads a size: plain bytes ("4294967296"), or a number with a
// unit, binary or decimal, any case ("4GiB", "4G" and "4gb" are all
// 4 GiB; "512MiB", "1.5GiB"). "off" gives -1.
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return -1, nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = strings.TrimSpace(s[:i]), strings.ToLower(strings.TrimSpace(s[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad size %q", s)
	}
	shift, ok := map[string]uint{"": 0, "b": 0, "k": 10, "kb": 10, "kib": 10, "m": 20, "mb": 20, "mib": 20,
		"g": 30, "gb": 30, "gib": 30, "t": 40, "tb": 40, "tib": 40}[unit]
	if !ok {
		return 0, fmt.Errorf("bad size %q: unknown unit %q", s, unit)
	}
	n := v * float64(int64(1)<<shift)
	if n >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	return int64(n), nil
}
