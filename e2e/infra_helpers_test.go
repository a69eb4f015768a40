//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Helpers for the infrastructure fault tests (infra_faults_test.go): an
// S3-compatible server and a PostgreSQL cluster that the test can stop and
// start, and API polling that tolerates outages.

// smallDisk mounts a 40 MB tmpfs for a --data directory that fills up.
func smallDisk(t *testing.T) string {
	data := t.TempDir()
	if out, err := runCmd("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", data); err != nil {
		t.Fatalf("this test needs to mount a small tmpfs (root, CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() { _, _ = runCmd("umount", "-l", data) })
	return data
}

func waitPort(t *testing.T, addr string, open bool, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if c != nil {
			c.Close()
		}
		if (err == nil) == open {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not become open=%v within %s", addr, open, timeout)
}

// s3Server is a versitygw process (posix backend) the test stops and starts
// on the same port and directory, like an S3 service going down and back.
type s3Server struct {
	bin, root, addr, access, secret string
	cmd                             *exec.Cmd
}

func versitygwBinary(t *testing.T) string {
	// Where scripts/test-integration.sh builds it: $GOBIN or $GOPATH/bin.
	for _, p := range []string{os.Getenv("VERSITYGW"), filepath.Join(os.Getenv("GOBIN"), "versitygw"),
		filepath.Join(build.Default.GOPATH, "bin", "versitygw")} {
		if p != "" && p != "versitygw" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	p, err := exec.LookPath("versitygw")
	require.NoError(t, err, "versitygw is built by scripts/test-integration.sh")
	return p
}

func startS3(t *testing.T) *s3Server {
	s := &s3Server{bin: versitygwBinary(t), root: t.TempDir(), addr: freePort(t), access: "faults", secret: "faults-secret"}
	s.start(t)
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *s3Server) start(t *testing.T) {
	s.cmd = exec.Command(s.bin, "--port", s.addr, "--keep-alive", "--quiet", "posix", s.root)
	s.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.access, "ROOT_SECRET_KEY="+s.secret)
	require.NoError(t, s.cmd.Start())
	waitPort(t, s.addr, true, 30*time.Second)
}

func (s *s3Server) stop(t *testing.T) {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
	waitPort(t, s.addr, false, 10*time.Second)
}

// env points kinema at this server for both stores.
func (s *s3Server) env(bucket string) []string {
	return []string{
		"KINEMA_STORE=s3://" + bucket + "/media", "KINEMA_S3_ENDPOINT=http://" + s.addr, "KINEMA_S3_PATH_STYLE=true",
		"AWS_ACCESS_KEY_ID=" + s.access, "AWS_SECRET_ACCESS_KEY=" + s.secret, "AWS_REGION=us-east-1",
	}
}

// pgCluster is a throwaway PostgreSQL cluster the test can restart, set up
// like scripts/test-integration.sh does.
type pgCluster struct {
	bin, dir, port string
}

func pgBinDir(t *testing.T) string {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i]
		}
	}
	p, err := exec.LookPath("pg_ctl")
	require.NoError(t, err, "PostgreSQL server binaries are installed by scripts/test-integration.sh")
	return filepath.Dir(p)
}

func startPG(t *testing.T) *pgCluster {
	// Not t.TempDir: its parent is private to root and the server runs as
	// the postgres user.
	dir, err := os.MkdirTemp("", "kinema-faults-pg-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dir) })
	_, port, _ := net.SplitHostPort(freePort(t))
	p := &pgCluster{bin: pgBinDir(t), dir: dir, port: port}
	if os.Getuid() == 0 {
		out, err := exec.Command("chown", "postgres:", dir).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	p.run(t, "initdb", "-D", dir+"/data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
	p.start(t)
	t.Cleanup(func() { _ = p.cmd("pg_ctl", "-D", dir+"/data", "-m", "immediate", "-w", "stop").Run() })
	return p
}

func (p *pgCluster) cmd(name string, args ...string) *exec.Cmd {
	bin := filepath.Join(p.bin, name)
	if os.Getuid() == 0 { // initdb and postgres refuse to run as root
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

func (p *pgCluster) run(t *testing.T, name string, args ...string) {
	c := p.cmd(name, args...)
	c.Dir = "/"
	out, err := c.CombinedOutput()
	require.NoError(t, err, "%s %v: %s", name, args, out)
}

func (p *pgCluster) start(t *testing.T) {
	p.run(t, "pg_ctl", "-D", p.dir+"/data", "-l", p.dir+"/log", "-w", "-t", "60", "-o",
		"-p "+p.port+" -k "+p.dir+" -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start")
}

// stop shuts the server down the way a restart does (fast: sessions are
// terminated, in-flight transactions roll back).
func (p *pgCluster) stop(t *testing.T) {
	p.run(t, "pg_ctl", "-D", p.dir+"/data", "-m", "fast", "-w", "stop")
}

func (p *pgCluster) url() string {
	return "postgres://postgres@127.0.0.1:" + p.port + "/postgres?sslmode=disable"
}

// videoState is one GET of a video that does not fail the test when the
// server cannot answer (code 0) or answers an error.
type videoState struct {
	Code     int
	Status   string
	Error    string
	Progress float64
}

var pollClient = &http.Client{Timeout: 10 * time.Second}

func getVideo(base, id string) videoState {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/videos/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := pollClient.Do(req)
	if err != nil {
		return videoState{}
	}
	defer resp.Body.Close()
	v := videoState{Code: resp.StatusCode}
	if resp.StatusCode == http.StatusOK {
		_ = json.NewDecoder(resp.Body).Decode(&v)
	}
	return v
}

// waitVideo polls until the video reaches want, failing on "failed" unless
// that is what is wanted. Answers other than 200 are tolerated: the point
// of these tests is that the server comes back.
func waitVideo(t *testing.T, base, id, want string, timeout time.Duration) videoState {
	deadline := time.Now().Add(timeout)
	var last videoState
	for time.Now().Before(deadline) {
		last = getVideo(base, id)
		if last.Status == want {
			return last
		}
		if last.Status == "failed" {
			t.Fatalf("video %s failed: %s", id, last.Error)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("video %s did not reach %s within %s; last seen %+v", id, want, timeout, last)
	return last
}

// waitRunningKind waits until a job of kind runs for the video.
func waitRunningKind(t *testing.T, base, id, kind string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var jobs struct{ Jobs []struct{ Kind string } }
		require.Equal(t, http.StatusOK, apiCall(t, http.MethodGet, base+"/api/v1/jobs?state=running&video="+id, nil, &jobs))
		for _, j := range jobs.Jobs {
			if j.Kind == kind {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no %s job of %s was seen running", kind, id)
}

// putFile sends a file to a signed upload URL and returns the status and body.
func putFile(t *testing.T, url, file string) (int, string) {
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	req, _ := http.NewRequest(http.MethodPut, url, f)
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, readAll(resp))
	return resp.StatusCode, b.String()
}

// createVideo creates a video and returns its id and signed upload URL.
func createVideo(t *testing.T, base, title string) (id, uploadURL string) {
	var v struct {
		ID     string
		Upload struct{ URL string }
	}
	require.Equal(t, http.StatusCreated, apiCall(t, http.MethodPost, base+"/api/v1/videos", map[string]string{"title": title}, &v))
	return v.ID, v.Upload.URL
}

// fillDisk writes a file in dir until the file system is full, then gives
// back leave bytes, and returns the file's path; removing it frees the space.
func fillDisk(t *testing.T, dir string, leave int64) string {
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(t, err)
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "filling the disk: %v", err)
			break
		}
	}
	st, err := f.Stat()
	require.NoError(t, err)
	require.NoError(t, f.Truncate(max(0, st.Size()-leave)))
	return path
}

// freeBytes is the space left on dir's file system.
func freeBytes(t *testing.T, dir string) int64 {
	var st syscall.Statfs_t
	require.NoError(t, syscall.Statfs(dir, &st))
	return int64(st.Bavail) * st.Bsize
}

// padFile copies file to a new file of at least size bytes, zero-padded.
func padFile(t *testing.T, file string, size int64) string {
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	if int64(len(b)) < size {
		b = append(b, make([]byte, size-int64(len(b)))...)
	}
	out := filepath.Join(t.TempDir(), "padded"+filepath.Ext(file))
	require.NoError(t, os.WriteFile(out, b, 0o600))
	return out
}

// loggedLine reports whether one line of the server's log contains every part.
func loggedLine(s *server, parts ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, line := range strings.Split(s.log.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
