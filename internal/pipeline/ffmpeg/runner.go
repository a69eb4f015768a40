package ffmpeg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// stderrTailBytes bounds how much of stderr is kept for error reports.
const stderrTailBytes = 64 << 10

// killDelay is how long a cancelled process gets to exit after SIGTERM before
// it is killed with SIGKILL.
const killDelay = 5 * time.Second

// Runner executes ffmpeg and ffprobe. The zero value is not usable; create it
// with NewRunner. A Runner is safe for concurrent use.
type Runner struct {
	FFmpeg  string       // path or name of the ffmpeg binary
	FFprobe string       // path or name of the ffprobe binary
	Logger  *slog.Logger // never nil after NewRunner
	// MemoryLimit is the address space (RLIMIT_AS), in bytes, each ffmpeg
	// and ffprobe process may map; 0 or less means no limit. A process
	// that fails for lack of it returns a *MemoryLimitError. See memory.go.
	MemoryLimit int64
	// UsageFunc, when set, is called after every process exits with what
	// it used; tests measure peak memory with it.
	UsageFunc func(Usage)

	killDelay time.Duration // SIGTERM to SIGKILL; tests shorten it
	prlimit   string        // util-linux prlimit(1), "" when not found
}

// Usage is what one ffmpeg or ffprobe process used.
type Usage struct {
	Bin     string
	MaxRSS  int64 // peak resident memory, bytes
	Elapsed time.Duration
}

// NewRunner returns a Runner for the given binaries. Empty paths mean
// "ffmpeg" and "ffprobe" from PATH; a nil logger discards logs.
func NewRunner(ffmpegPath, ffprobePath string, logger *slog.Logger) *Runner {
	if ffmpegPath == "" {
		ffmpegPath = "ffmpeg"
	}
	if ffprobePath == "" {
		ffprobePath = "ffprobe"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{FFmpeg: ffmpegPath, FFprobe: ffprobePath, Logger: logger, killDelay: killDelay, prlimit: lookPrlimit()}
}

// Run executes ffmpeg with args, prefixed by the flags every run needs. It
// calls onProgress (which may be nil) at most about twice a second, plus once
// with Done set when ffmpeg finishes. A non-zero exit returns an *ExitError;
// when ctx ends first, ffmpeg's process group gets SIGTERM, ffmpeg gets
// SIGKILL after a grace period, then the rest of the group, and Run returns an error wrapping context.Cause(ctx).
func (r *Runner) Run(ctx context.Context, args []string, onProgress func(Progress)) error {
	full := append([]string{
		"-nostdin",     // never wait on a terminal
		"-hide_banner", // keep stderr to what matters for the error tail
		"-nostats",     // progress comes from -progress instead
		// warning, not error: ffmpeg often prints the real cause as a warning
		// just before the generic error line.
		"-loglevel", "warning",
		"-progress", "pipe:1",
		// Overwrite: outputs go to a job's own temp directory, and a retried
		// job must be able to replace what a killed attempt left behind.
		"-y",
	}, args...)
	pw := newProgressWriter(onProgress, time.Now)
	if err := r.exec(ctx, r.FFmpeg, full, pw); err != nil {
		return fmt.Errorf("ffmpeg: %w", err)
	}
	return nil
}

// exec runs bin in its own process group with stdout going to stdout.
func (r *Runner) exec(ctx context.Context, bin string, args []string, stdout io.Writer) error {
	stderr := newTailBuffer(stderrTailBytes)
	name, argv, postStart, err := r.withMemoryLimit(bin, args)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// Own process group, so cancellation reaches anything ffmpeg spawns and a
	// signal to our own group (Ctrl-C in a terminal) does not hit ffmpeg
	// before we decide to stop it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	delay := r.killDelay
	if delay <= 0 {
		delay = killDelay
	}
	logger := r.logger()
	canceled := false
	cmd.Cancel = func() error {
		canceled = true
		// SIGTERM to the whole group lets ffmpeg finish its current write
		// and exit on its own; SIGCONT in case a Pauser stopped it.
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGCONT)
		return err
	}
	// If the process is still there after the delay, os/exec SIGKILLs it
	// and stops waiting for the output pipes.
	cmd.WaitDelay = delay
	logger.DebugContext(ctx, "exec", "bin", bin, "args", args, "memory_limit", r.MemoryLimit)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	if postStart != nil {
		if err := postStart(cmd.Process.Pid); err != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
			return fmt.Errorf("limit memory of %s: %w", bin, err)
		}
	}
	defer join(ctx, cmd.Process.Pid)()
	err = cmd.Wait()
	r.reportUsage(ctx, bin, cmd.ProcessState, time.Since(start))
	// os/exec finishes calling Cancel before Wait returns, so reading
	// canceled here does not race. os/exec only kills the leader; take down
	// whatever else is left in its group. While a member lives the group ID
	// cannot be reused, so this cannot hit an unrelated process group.
	if canceled {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("stopped: %w", context.Cause(ctx))
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		tail := stderr.String()
		text, input := lookupHint(tail)
		exit := &ExitError{Code: ee.ExitCode(), StderrTail: tail, Hint: text, Input: input}
		if status, ok := ee.Sys().(syscall.WaitStatus); ok && overMemoryLimit(r.MemoryLimit, tail, status) {
			exit.Hint, exit.Input = memoryLimitReason(r.MemoryLimit), true
			return &MemoryLimitError{Limit: r.MemoryLimit, Exit: exit}
		}
		return exit
	}
	return err
}

// CheckEncoders fails when ffmpeg cannot be run or lacks the libx264 or aac
// encoder. Call it at startup to fail fast on a broken installation.
func (r *Runner) CheckEncoders(ctx context.Context) error {
	var out bytes.Buffer
	if err := r.exec(ctx, r.FFmpeg, []string{"-hide_banner", "-encoders"}, &out); err != nil {
		var ml *MemoryLimitError
		if errors.As(err, &ml) {
			return fmt.Errorf("ffmpeg cannot even start within the memory limit of %s (KINEMA_FFMPEG_MEMORY): %s",
				FormatBytes(ml.Limit), strings.Join(lastLines(ml.Exit.StderrTail, 2), " | "))
		}
		return fmt.Errorf("ffmpeg -encoders: %w", err)
	}
	found := map[string]bool{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		// Lines look like " V....D libx264   libx264 H.264 / AVC ...".
		if f := strings.Fields(sc.Text()); len(f) >= 2 {
			found[f[1]] = true
		}
	}
	var missing []string
	for _, name := range []string{"libx264", "aac"} {
		if !found[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("ffmpeg at %s lacks required encoders: %s", r.FFmpeg, strings.Join(missing, ", "))
	}
	return nil
}

// reportUsage logs what a finished process used and passes it to UsageFunc.
func (r *Runner) reportUsage(ctx context.Context, bin string, ps *os.ProcessState, elapsed time.Duration) {
	if ps == nil {
		return
	}
	u := Usage{Bin: bin, Elapsed: elapsed}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		u.MaxRSS = int64(ru.Maxrss) * 1024 // Linux reports KiB
	}
	r.logger().DebugContext(ctx, "exec done", "bin", bin, "max_rss", u.MaxRSS, "elapsed", elapsed.String())
	if r.UsageFunc != nil {
		r.UsageFunc(u)
	}
}

// logger tolerates a Runner built without NewRunner.
func (r *Runner) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}
