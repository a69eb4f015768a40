// Command loadgen is the HTTP side of bench/delivery.sh and of the e2e load
// test (simulated HLS viewers, see hls.go). Modes:
//
//	loadgen serve -addr 127.0.0.1:PORT -root DIR [-memory]
//	    serves DIR with a plain http.FileServer: the unsigned baseline.
//	    With -memory, every file is read once at start and each request is
//	    a map lookup and one Write with Content-Length: the least any
//	    net/http handler can do per request (bench/nginx.sh's "gomem").
//	loadgen run -base URL -root DIR -id VIDEO [-token T [-cookie]] [-c 8] [-d 10s]
//	    fetches every segment and init file under DIR/media/VIDEO/ from
//	    URL/media/VIDEO/... round robin over -c keep-alive HTTP/1.1
//	    connections for -d, and prints one line of key=value results.
//	loadgen hls -urls FILE [-viewers 1000] [-d 60s]
//	    simulated HLS players, each on its own connection (hls.go).
//
// Any response other than 200 with the file's full length is counted as an
// error, and run exits non-zero if there was one, so a benchmark can never
// report the speed of refusals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen serve|run|hls [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "run":
		err = run(os.Args[2:])
	case "hls":
		err = runHLS(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := flags.String("addr", "127.0.0.1:0", "listen address")
	root := flags.String("root", "", "directory to serve")
	memory := flags.Bool("memory", false, "serve the files from memory, read once at start")
	_ = flags.Parse(args)
	handler := http.FileServer(http.Dir(*root))
	if *memory {
		h, err := memoryHandler(*root)
		if err != nil {
			return err
		}
		handler = h
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Println("listening on", ln.Addr())
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// memoryFile is a file served from memory, with its header values made once.
type memoryFile struct {
	body                []byte
	length, contentType []string
}

// memoryHandler serves the files under root from memory.
func memoryHandler(root string) (http.Handler, error) {
	files := map[string]memoryFile{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		ct := "application/octet-stream"
		switch filepath.Ext(p) {
		case ".m3u8":
			ct = "application/vnd.apple.mpegurl"
		case ".m4s", ".mp4":
			ct = "video/mp4"
		}
		files["/"+filepath.ToSlash(rel)] = memoryFile{b, []string{fmt.Sprint(len(b))}, []string{ct}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h["Content-Length"], h["Content-Type"] = f.length, f.contentType
		_, _ = w.Write(f.body)
	}), nil
}

// target is one file to fetch and the length it must come back with.
type target struct {
	url  string
	size int64
}

func run(args []string) error {
	flags := flag.NewFlagSet("run", flag.ExitOnError)
	base := flags.String("base", "", "server origin, e.g. http://127.0.0.1:8080")
	root := flags.String("root", "", "object store directory holding media/<id>/")
	id := flags.String("id", "", "video id")
	token := flags.String("token", "", "play token; sent as ?token= unless -cookie")
	cookie := flags.Bool("cookie", false, "send the token as the kinema_play cookie instead")
	conns := flags.Int("c", 8, "concurrent connections")
	dur := flags.Duration("d", 10*time.Second, "measured duration")
	warm := flags.Duration("warmup", time.Second, "unmeasured warm-up before -d")
	label := flags.String("label", "run", "name printed with the result")
	_ = flags.Parse(args)

	targets, err := findTargets(*base, *root, *id, *token, *cookie)
	if err != nil {
		return err
	}
	tr := &http.Transport{
		MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true,
		ForceAttemptHTTP2: false,
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var hdr http.Header
	if *cookie {
		hdr = http.Header{"Cookie": {"kinema_play=" + *token}}
	}

	var measuring atomic.Bool
	var all, reqs, bytes, fails atomic.Int64
	var firstErr atomic.Value
	ctx, cancel := context.WithTimeout(context.Background(), *warm+*dur)
	defer cancel()
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Go(func() {
			for i := w * len(targets) / *conns; ctx.Err() == nil; i++ {
				t := targets[i%len(targets)]
				n, err := fetch(ctx, client, t, hdr)
				if ctx.Err() != nil {
					return // cut off by the deadline: not counted either way
				}
				all.Add(1)
				if !measuring.Load() {
					continue
				}
				reqs.Add(1)
				bytes.Add(n)
				if err != nil {
					fails.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	time.Sleep(*warm)
	measuring.Store(true)
	start := time.Now()
	wg.Wait()
	secs := time.Since(start).Seconds()
	tr.CloseIdleConnections()

	// all counts the warm-up too, for dividing a server's CPU time by.
	fmt.Printf("label=%s files=%d conns=%d seconds=%.2f requests=%d all=%d errors=%d rps=%.1f mbps=%.1f\n",
		*label, len(targets), *conns, secs, reqs.Load(), all.Load(), fails.Load(),
		float64(reqs.Load())/secs, float64(bytes.Load())/secs/1e6)
	if fails.Load() > 0 {
		return fmt.Errorf("%d failed requests, first: %v", fails.Load(), firstErr.Load())
	}
	return nil
}

func fetch(ctx context.Context, client *http.Client, t target, hdr http.Header) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
	if err != nil {
		return 0, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	switch {
	case err != nil:
		return n, err
	case res.StatusCode != http.StatusOK:
		return n, fmt.Errorf("%s: %s", t.url, res.Status)
	case n != t.size:
		return n, fmt.Errorf("%s: %d bytes, want %d", t.url, n, t.size)
	}
	return n, nil
}

// findTargets lists the segments and init sections of one video: the files
// a player fetches over and over, and the ones signing must not slow down.
func findTargets(base, root, id, token string, cookie bool) ([]target, error) {
	if base == "" || root == "" || id == "" {
		return nil, errors.New("run needs -base, -root and -id")
	}
	query := ""
	if token != "" && !cookie {
		query = "?token=" + url.QueryEscape(token)
	}
	dir := filepath.Join(root, "media", id)
	var out []target
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".m4s") || strings.HasSuffix(p, ".mp4")) {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, target{url: strings.TrimRight(base, "/") + "/" + filepath.ToSlash(rel) + query, size: info.Size()})
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no segments under %s", dir)
	}
	return out, err
}
