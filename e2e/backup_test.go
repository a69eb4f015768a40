//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestBackupDuringProcessingRestore: `kinema backup` runs against a live
// server while one video is ready and another is being encoded. The backup
// is restored into a new data directory, a new server starts on it, and
// both videos play there: the ready one at once, with links signed before
// the backup still valid (same keys), the interrupted one after restore
// restarted it from its stored source. The original server is SIGKILLed
// first, so nothing it does after the backup can help.
func TestBackupDuringProcessingRestore(t *testing.T) {
	testutil.RequireFFmpeg(t)
	bin := binary(t)
	data, backup, restored := t.TempDir(), filepath.Join(t.TempDir(), "backup"), t.TempDir()
	// Slow settings so the second video is surely mid-encode when the
	// backup runs.
	env := []string{"KINEMA_PRESET=medium", "KINEMA_SEGMENT_SECONDS=2", "KINEMA_SEGMENTS_PER_CHUNK=1"}
	s := start(t, bin, data, env...)

	ready := createAndPut(t, s.base, testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 240, Seconds: 2}))
	waitStatus(t, s.base, ready, "ready", 2*time.Minute)
	oldURL := playbackHLS(t, s.base, ready)
	busy := createAndPut(t, s.base, testutil.MakeClip(t, testutil.ClipOptions{Width: 1280, Height: 720, Seconds: 8}))
	waitRunningChunk(t, s.base, busy, s)

	t0 := time.Now()
	out, code := runCLI(t, bin, "backup", "--data", data, "--to", backup)
	require.Zero(t, code, out)
	t.Logf("backup took %.2f s:\n%s", time.Since(t0).Seconds(), out)
	require.NoError(t, s.cmd.Process.Kill())
	<-s.done

	var info struct {
		Database string
		Schema   int64
		Videos   map[string]int
		Keys     int
		Store    struct {
			Copied  string
			Objects int
		}
	}
	b, err := os.ReadFile(filepath.Join(backup, "backup.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &info))
	require.Equal(t, "sqlite", info.Database)
	require.Positive(t, info.Schema)
	require.Equal(t, 1, info.Videos["ready"], "the snapshot has the ready video: %s", b)
	require.Equal(t, 1, info.Videos["processing"], "the snapshot caught the second video mid-processing: %s", b)
	require.Positive(t, info.Keys)
	require.Equal(t, "objects", info.Store.Copied)
	require.Positive(t, info.Store.Objects)

	// A non-empty target is refused, and so is restoring over a data
	// directory that has a catalog.
	_, code = runCLI(t, bin, "backup", "--data", data, "--to", backup)
	require.NotZero(t, code)
	_, code = runCLI(t, bin, "restore", "--from", backup, "--data", data)
	require.NotZero(t, code)

	out, code = runCLI(t, bin, "restore", "--from", backup, "--data", restored)
	require.Zero(t, code, out)
	require.Contains(t, out, "restarted 1 video(s)")
	require.Contains(t, out, busy)

	s2 := start(t, bin, restored)
	// A link signed before the backup plays on the restored server (same
	// keys), once pointed at its address.
	probeHLS(t, strings.Replace(oldURL, s.base, s2.base, 1))
	waitStatus(t, s2.base, busy, "ready", 4*time.Minute)
	probeHLS(t, playbackHLS(t, s2.base, busy))
	probeHLS(t, playbackHLS(t, s2.base, ready))
}

// probeHLS fetches a signed master playlist and its first segment, and
// ffprobes the whole stream from the signed URL.
func probeHLS(t *testing.T, master string) {
	t.Helper()
	resp, err := http.Get(master)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, master)
	require.Contains(t, string(body), "#EXT-X-STREAM-INF")
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
		"-of", "csv=p=0", master).CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "video", "ffprobe reads the signed stream")
}

// TestBackupPostgresS3: the scale-out shape. The catalog is dumped with
// pg_dump as backup's postgres.txt says (before the objects are listed),
// `kinema backup` saves the keys and lists the bucket, and the dump goes
// into a new database with pg_restore. `kinema restore --db` then gives a
// new data directory the keys, and a server on the restored database and
// the same bucket plays the video.
func TestBackupPostgresS3(t *testing.T) {
	testutil.RequireFFmpeg(t)
	endpoint := os.Getenv("KINEMA_TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("KINEMA_REQUIRE_S3") == "1" {
			t.Fatal("KINEMA_TEST_S3_ENDPOINT is not set and KINEMA_REQUIRE_S3=1")
		}
		t.Skip("KINEMA_TEST_S3_ENDPOINT not set; run under scripts/test-integration.sh")
	}
	bin := binary(t)
	pg := startPG(t)
	s3env := []string{"KINEMA_STORE=s3://kinema-backup-" + strings.ToLower(rand.Text()[:8]) + "/media",
		"KINEMA_S3_ENDPOINT=" + endpoint, "KINEMA_S3_PATH_STYLE=true",
		"AWS_ACCESS_KEY_ID=" + os.Getenv("KINEMA_TEST_S3_ACCESS_KEY"),
		"AWS_SECRET_ACCESS_KEY=" + os.Getenv("KINEMA_TEST_S3_SECRET_KEY"),
		"AWS_REGION=" + os.Getenv("KINEMA_TEST_S3_REGION")}
	env := append([]string{"KINEMA_DB=" + pg.url()}, s3env...)
	data, backup := t.TempDir(), filepath.Join(t.TempDir(), "backup")
	s := startRole(t, bin, "serve", data, env, "--workers", "1", "--srt-addr=", "--rtmp-addr=")
	id := createAndPut(t, s.base, testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 240, Seconds: 2}))
	waitStatus(t, s.base, id, "ready", 2*time.Minute)

	// The dump first, into the backup directory (pg_dump runs as the
	// postgres user, which writes in the cluster's directory).
	dump := filepath.Join(pg.dir, "catalog.pgdump")
	pg.run(t, "pg_dump", "--format=custom", "--no-owner", "--file="+dump, "--dbname="+pg.url())
	require.NoError(t, os.MkdirAll(backup, 0o750))
	b, err := os.ReadFile(dump)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(backup, "catalog.pgdump"), b, 0o640))
	out, code := runCLIEnv(t, bin, env, "backup", "--data", data, "--to", backup)
	require.Zero(t, code, out)
	t.Log(out)
	s.stop(t)

	info, err := os.ReadFile(filepath.Join(backup, "backup.json"))
	require.NoError(t, err)
	require.Contains(t, string(info), `"database": "postgres"`)
	require.Contains(t, string(info), `"ready": 1`)
	notes, err := os.ReadFile(filepath.Join(backup, "postgres.txt"))
	require.NoError(t, err)
	require.Contains(t, string(notes), "pg_dump --format=custom")
	listing, err := os.ReadFile(filepath.Join(backup, "objects.tsv"))
	require.NoError(t, err)
	require.Contains(t, string(listing), "media/"+id+"/master.m3u8")

	// Without the restored database, restore says what to do first.
	restored := t.TempDir()
	out, code = runCLIEnv(t, bin, s3env, "restore", "--from", backup, "--data", restored)
	require.NotZero(t, code)
	require.Contains(t, out, "pg_restore")

	pg.run(t, "createdb", "-h", "127.0.0.1", "-p", pg.port, "-U", "postgres", "restored")
	newURL := strings.Replace(pg.url(), "/postgres?", "/restored?", 1)
	pg.run(t, "pg_restore", "--no-owner", "--dbname="+newURL, dump)
	out, code = runCLIEnv(t, bin, s3env, "restore", "--from", backup, "--data", restored, "--db", newURL)
	require.Zero(t, code, out)
	require.Contains(t, out, "restarted 0 video(s)")

	s2 := startRole(t, bin, "serve", restored, append([]string{"KINEMA_DB=" + newURL}, s3env...),
		"--workers", "1", "--srt-addr=", "--rtmp-addr=")
	probeHLS(t, playbackHLS(t, s2.base, id))
}

// runCLIEnv runs the binary with extra environment and returns its stdout
// (its stderr too when it fails) and exit code.
func runCLIEnv(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return stdout.String() + stderr.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return stdout.String(), 0
}
