package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/testutil"
)

// bundle is a small cluster: workers sharing one SQLite catalog and one
// store, each with its own scratch space (and so its own caches), like
// `kinema worker` processes on separate machines.
type bundle struct {
	cat   *catalog.Catalog
	store *countingStore
	dir   string // the store's directory
	pipes []*Pipeline
	logs  syncBuffer
	// ffmpeg, when set by setup's change, is the ffmpeg the workers run.
	ffmpeg string
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func setup(t *testing.T, workers int, change func(*Config, *bundle)) *bundle {
	t.Helper()
	testutil.RequireFFmpeg(t)
	ctx := context.Background()
	base := t.TempDir()
	dbPath := filepath.Join(base, "kinema.db")
	ls, err := local.New(filepath.Join(base, "store"))
	require.NoError(t, err)
	b := &bundle{store: &countingStore{Store: ls, reads: map[string]int64{}}, dir: filepath.Join(base, "store")}
	var logOut io.Writer = &b.logs
	if testing.Verbose() {
		logOut = io.MultiWriter(&b.logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	for w := range workers {
		db, err := catalog.OpenSQLite(dbPath)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		if w == 0 {
			require.NoError(t, catalog.Migrate(ctx, db, "sqlite3"))
			require.NoError(t, queue.MigrateSQLite(ctx, db))
		}
		cat := catalog.New(db, nil)
		if b.cat == nil {
			b.cat = cat
		}
		ladder := media.DefaultLadderConfig()
		ladder.Heights = []int{180, 120}
		cfg := Config{Ladder: ladder, ScratchDir: filepath.Join(base, fmt.Sprintf("scratch-%d", w)), MaxAttempts: 2}
		if change != nil {
			change(&cfg, b)
		}
		p := New(cat, b.store, ffmpeg.NewRunner(b.ffmpeg, "", nil), cfg, log.With("worker", w))
		require.NoError(t, p.CleanScratch())
		rw := river.NewWorkers()
		p.Register(rw)
		q, err := queue.NewSQLite(db, cat, rw, queue.Config{
			Concurrency: 1, JobTimeout: 2 * time.Minute, RescueAfter: time.Hour, PollInterval: 50 * time.Millisecond,
			ID: fmt.Sprintf("worker-%d", w), Logger: log, Middleware: []rivertype.Middleware{&jobContext{}},
		})
		require.NoError(t, err)
		p.UseQueue(q)
		require.NoError(t, q.Start(ctx))
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(stop)
		})
		b.pipes = append(b.pipes, p)
	}
	return b
}

// process uploads the file at path and waits for the video to end ready or
// failed.
func (b *bundle) process(t *testing.T, path string) media.Video {
	t.Helper()
	return b.processAs(t, path, "")
}

// processAs is process for a video owned by owner.
func (b *bundle) processAs(t *testing.T, path, owner string) media.Video {
	t.Helper()
	ctx := context.Background()
	v, err := b.cat.CreateVideo(ctx, catalog.NewVideo{Title: filepath.Base(path), OwnerID: owner})
	require.NoError(t, err)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	key := "raw/" + v.ID + "/source"
	info, err := b.store.Store.Put(ctx, key, f)
	require.NoError(t, err)
	require.NoError(t, b.pipes[0].Start(ctx, v.ID, key, info.Size))
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		v, err = b.cat.Video(ctx, v.ID)
		require.NoError(t, err)
		if v.Status == media.StatusReady || v.Status == media.StatusFailed {
			return v
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("video %s still %s", v.ID, v.Status)
	return v
}

func (b *bundle) plan(t *testing.T, id string) (media.Plan, Ref) {
	t.Helper()
	plan, run, _, err := b.cat.Plan(context.Background(), id)
	require.NoError(t, err)
	return plan, Ref{id, run}
}

// leftovers lists the pieces ever stored that still exist, and anything
// else left under the video's work prefix.
func (b *bundle) leftovers(t *testing.T, id string) []string {
	t.Helper()
	ctx := context.Background()
	var keys []string
	for _, k := range b.store.written("pieces/") {
		if _, err := b.store.Stat(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			keys = append(keys, k)
		}
	}
	objs, err := b.store.List(ctx, workPrefix(id))
	require.NoError(t, err)
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// TestSplitSource runs a 16 s source with a keyframe every second through
// two workers, split and (as before sources were split) not, and checks
// what the chunk jobs read and what comes out.
func TestSplitSource(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 16, FPS: 30, GOP: 30, Preset: "veryfast"})
	srcInfo, err := os.Stat(src)
	require.NoError(t, err)
	srcFrames := countFrames(t, src)
	frames := map[bool]string{} // decoded frames of v0, by split
	posters := map[bool][]byte{}
	for _, split := range []bool{true, false} {
		t.Run(fmt.Sprintf("split=%t", split), func(t *testing.T) {
			b := setup(t, 2, func(c *Config, _ *bundle) {
				c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 2, 2 // 4 chunks of 4 s
				if !split {
					c.SplitMinBytes = -1
				}
			})
			v := b.process(t, src)
			require.Equal(t, media.StatusReady, v.Status, v.Error)
			plan, ref := b.plan(t, v.ID)
			require.Len(t, plan.Chunks, 4)

			chunkBytes := b.store.kindBytes(KindChunk)
			t.Logf("split=%t: source %d bytes; bytes of source and pieces read, by job kind: %v", split, srcInfo.Size(), b.store.byKind())
			if !split {
				require.Empty(t, plan.Pieces)
				require.Empty(t, b.store.readsBy(KindChunk, "work/"), "no pieces")
			} else {
				require.Len(t, plan.Pieces, 4)
				require.Len(t, b.store.written("pieces/"), 4, "one piece per chunk was stored")
				// Every chunk job opened its own piece and nothing else.
				for job, keys := range b.store.jobKeys(KindChunk) {
					for _, k := range keys {
						require.Equal(t, pieceKey(ref, plan.Chunks[job].Piece), k, "chunk %d", job)
					}
				}
				require.Empty(t, b.store.readsBy(KindChunk, "raw/"), "no chunk job read the source")
				// Each piece is its chunk plus the GOP before it: together the
				// chunk jobs read the video about once, not once per chunk
				// (4x) nor once per worker (2x). (A piece the worker's poster
				// job fetched first comes from its cache.)
				var pieceBytes int64
				for _, pc := range plan.Pieces {
					pieceBytes += pc.Size
				}
				require.LessOrEqual(t, chunkBytes, pieceBytes)
				require.Greater(t, chunkBytes, pieceBytes/2)
				require.Less(t, pieceBytes, srcInfo.Size()*3/2)
				// The poster came from a piece too: after probe, only audio
				// needs the whole source.
				require.Empty(t, b.store.readsBy(KindThumbnails, "raw/"))
			}

			// Every frame of the source once, and the duration to a frame.
			for _, r := range plan.Video {
				playlist := filepath.Join(b.dir, "media", v.ID, r.ID, "index.m3u8")
				require.Equal(t, srcFrames, countFrames(t, playlist), "%s frame count", r.ID)
				require.InDelta(t, v.Duration, playlistDuration(t, playlist), 1.0/30, "%s duration", r.ID)
			}
			frames[split] = frameMD5(t, filepath.Join(b.dir, "media", v.ID, "v0", "index.m3u8"))
			posters[split], err = os.ReadFile(filepath.Join(b.dir, "media", v.ID, "poster.jpg"))
			require.NoError(t, err)
			require.Empty(t, b.leftovers(t, v.ID), "publish removed the pieces with the other work files")
		})
	}
	require.Equal(t, frames[false], frames[true], "split or not, the very same frames come out")
	require.Equal(t, posters[false], posters[true], "and the poster is the same frame")
}

// TestSplitNotInPlace: a source the workers read in place from a local
// store is not split; a chunk job reads only what it decodes anyway.
func TestSplitNotInPlace(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 6, FPS: 30, GOP: 30})
	b := setup(t, 1, func(c *Config, b *bundle) {
		c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 2, 1
		c.RawStore = b.store.Store // the local store itself
	})
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Chunks, 3)
	require.Empty(t, plan.Pieces)
	require.Empty(t, b.store.written("pieces/"))
}

// TestSplitSingleKeyframe: with one keyframe in the whole file every chunk
// would need the whole stream, so the source is not split; the chunks still
// run in parallel from the whole source and the video ends ready.
func TestSplitSingleKeyframe(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 5, GOP: 100000, Preset: "veryfast"})
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 1, 1 })
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Chunks, 5)
	require.Empty(t, plan.Pieces)
	require.Equal(t, countFrames(t, src), countFrames(t, filepath.Join(b.dir, "media", v.ID, "v0", "index.m3u8")))
}

// TestSplitSparseKeyframes: keyframes every 2.5 s with 1 s chunks; chunks
// inside one GOP share its piece.
func TestSplitSparseKeyframes(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 6, FPS: 30, GOP: 75, Preset: "veryfast"})
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 1, 1 })
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Chunks, 6)
	require.Less(t, len(plan.Pieces), len(plan.Chunks), "fewer, larger pieces")
	require.Greater(t, len(plan.Pieces), 1)
	require.Equal(t, countFrames(t, src), countFrames(t, filepath.Join(b.dir, "media", v.ID, "v0", "index.m3u8")))
}

// TestSplitPiecesRemovedOnFailure: a chunk job that cannot read its piece
// fails the video, and the pieces go with the run's other work files.
func TestSplitPiecesRemovedOnFailure(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 8, FPS: 30, GOP: 30})
	b := setup(t, 1, func(c *Config, _ *bundle) {
		c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 2, 1
		c.MaxAttempts = 1
	})
	b.store.failOpen = func(key string) error {
		if strings.HasSuffix(key, "pieces/piece-00002.mkv") {
			return fmt.Errorf("injected read failure of %s", key)
		}
		return nil
	}
	v := b.process(t, src)
	require.Equal(t, media.StatusFailed, v.Status)
	// Whichever job reads piece 2 first (chunk 2, or the poster from the
	// middle of the video) fails the run; the detail is logged, not shown.
	require.Contains(t, v.Error, "because of an internal error; it has been logged")
	require.NotContains(t, v.Error, "pieces/")
	require.Contains(t, b.logs.String(), "injected read failure")
	require.Len(t, b.store.written("pieces/"), 4, "the pieces were stored")
	// Jobs still running when the video failed (audio, other chunks) clean
	// up after themselves as they finish (finishParallel).
	require.Eventually(t, func() bool { return len(b.leftovers(t, v.ID)) == 0 }, 60*time.Second, 100*time.Millisecond,
		"and removed when the run failed")
}

// TestSplitShortPiece: should a piece not hold its chunk's frames, the chunk
// is encoded again from the whole source: a bad split costs time, not
// frames.
func TestSplitShortPiece(t *testing.T) {
	t.Parallel()
	src := testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 8, FPS: 30, GOP: 30})
	b := setup(t, 1, func(c *Config, _ *bundle) { c.Ladder.SegmentSeconds, c.Ladder.SegmentsPerChunk = 2, 1 })
	b.store.redirect = func(key string) string { // chunk 1 gets chunk 0's piece
		return strings.Replace(key, "pieces/piece-00001.mkv", "pieces/piece-00000.mkv", 1)
	}
	v := b.process(t, src)
	require.Equal(t, media.StatusReady, v.Status, v.Error)
	plan, _ := b.plan(t, v.ID)
	require.Len(t, plan.Pieces, 4)
	require.Equal(t, countFrames(t, src), countFrames(t, filepath.Join(b.dir, "media", v.ID, "v0", "index.m3u8")))
	require.Contains(t, b.logs.String(), "piece ran short; encoding the chunk from the whole source")
}

func countFrames(t *testing.T, path string) int {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).CombinedOutput()
	require.NoError(t, err, string(out))
	f := strings.Fields(string(out)) // the hls demuxer lists the stream twice
	require.NotEmpty(t, f)
	n, err := strconv.Atoi(f[len(f)-1])
	require.NoError(t, err, string(out))
	return n
}

func frameMD5(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-").CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

func playlistDuration(t *testing.T, path string) float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	total := 0.0
	for _, line := range strings.Split(string(b), "\n") {
		if d, ok := strings.CutPrefix(line, "#EXTINF:"); ok {
			v, err := strconv.ParseFloat(strings.TrimSuffix(d, ","), 64)
			require.NoError(t, err)
			total += v
		}
	}
	return total
}

// jobContext is a River middleware that tells the store which job reads.
type jobContext struct{ river.MiddlewareDefaults }

type jobKey struct{}

type jobInfo struct {
	kind  string
	index int // chunk index for chunk jobs
}

func (*jobContext) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	info := jobInfo{kind: job.Kind}
	if job.Kind == KindChunk {
		var args ChunkArgs
		if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
			return err
		}
		info.index = args.Index
	}
	return doInner(context.WithValue(ctx, jobKey{}, info))
}

// countingStore is a store without local paths (like S3: every read is a
// download) that counts the bytes each job reads and remembers what was
// written.
type countingStore struct {
	storage.Store
	failOpen func(key string) error
	redirect func(key string) string // what Open reads instead of key
	// beforePut, when set, is called with each Put's context, key and
	// bytes before they are stored.
	beforePut func(ctx context.Context, key string, b []byte) error

	mu    sync.Mutex
	reads map[string]int64 // by job kind + "\x00" + index + "\x00" + key
	puts  []string
}

func (s *countingStore) Put(ctx context.Context, key string, r io.Reader) (storage.Info, error) {
	if s.beforePut != nil {
		b, err := io.ReadAll(r)
		if err != nil {
			return storage.Info{}, err
		}
		if err := s.beforePut(ctx, key, b); err != nil {
			return storage.Info{}, err
		}
		r = bytes.NewReader(b)
	}
	s.mu.Lock()
	s.puts = append(s.puts, key)
	s.mu.Unlock()
	return s.Store.Put(ctx, key, r)
}

func (s *countingStore) Open(ctx context.Context, key string) (storage.Object, error) {
	if s.failOpen != nil {
		if err := s.failOpen(key); err != nil {
			return nil, err
		}
	}
	read := key
	if s.redirect != nil {
		read = s.redirect(key)
	}
	obj, err := s.Store.Open(ctx, read)
	if err != nil {
		return nil, err
	}
	info, _ := ctx.Value(jobKey{}).(jobInfo)
	id := fmt.Sprintf("%s\x00%d\x00%s", info.kind, info.index, key)
	s.mu.Lock()
	s.reads[id] += 0 // opened, even if nothing is read
	s.mu.Unlock()
	return &countingObject{Object: obj, add: func(n int) {
		s.mu.Lock()
		s.reads[id] += int64(n)
		s.mu.Unlock()
	}}, nil
}

type countingObject struct {
	storage.Object
	add func(int)
}

func (o *countingObject) Read(p []byte) (int, error) {
	n, err := o.Object.Read(p)
	o.add(n)
	return n, err
}

func (s *countingStore) each(fn func(kind string, index int, key string, n int64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, n := range s.reads {
		parts := strings.SplitN(id, "\x00", 3)
		i, _ := strconv.Atoi(parts[1])
		fn(parts[0], i, parts[2], n)
	}
}

func (s *countingStore) kindBytes(kind string) int64 {
	var total int64
	s.each(func(k string, _ int, key string, n int64) {
		if k == kind && (strings.HasPrefix(key, "raw/") || strings.Contains(key, "/pieces/")) {
			total += n
		}
	})
	return total
}

// byKind sums the bytes of sources and pieces read, by job kind.
func (s *countingStore) byKind() map[string]int64 {
	out := map[string]int64{}
	s.each(func(k string, _ int, key string, n int64) {
		if strings.HasPrefix(key, "raw/") || strings.Contains(key, "/pieces/") {
			out[k] += n
		}
	})
	return out
}

// readsBy lists the keys under prefix that jobs of kind opened.
func (s *countingStore) readsBy(kind, prefix string) []string {
	var keys []string
	s.each(func(k string, _ int, key string, _ int64) {
		if k == kind && strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
	})
	sort.Strings(keys)
	return keys
}

// jobKeys lists the keys each chunk job (by index) opened.
func (s *countingStore) jobKeys(kind string) map[int][]string {
	out := map[int][]string{}
	s.each(func(k string, i int, key string, _ int64) {
		if k == kind {
			out[i] = append(out[i], key)
		}
	})
	return out
}

// written lists the stored keys that contain part.
func (s *countingStore) written(part string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for _, k := range s.puts {
		if strings.Contains(k, part) && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}
