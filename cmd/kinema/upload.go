package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// uploadCmd: `kinema upload --server URL --token KEY [--title T] [--wait] FILE`.
func uploadCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", envOr("KINEMA_SERVER", "http://localhost:8080"), "kinema server URL (KINEMA_SERVER)")
	token := fs.String("token", os.Getenv("KINEMA_TOKEN"), "API key (KINEMA_TOKEN)")
	title := fs.String("title", "", "video title (default: the file name)")
	wait := fs.Bool("wait", false, "follow processing; exit 0 when ready, 1 when failed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *token == "" {
		return errors.New("usage: kinema upload --server URL --token KEY [--title T] [--wait] FILE")
	}
	path := fs.Arg(0)
	if *title == "" {
		*title = filepath.Base(path)
	}
	ctx, cancel := signalContext(discardLogger())
	defer cancel()
	c := &apiClient{base: strings.TrimSuffix(*server, "/"), token: *token, http: &http.Client{Timeout: 0}}

	var video map[string]any
	if err := c.do(ctx, http.MethodPost, "/api/v1/videos", map[string]string{"title": *title}, &video); err != nil {
		return err
	}
	id, _ := video["id"].(string)
	up, _ := video["upload"].(map[string]any)
	tusURL, _ := up["tus_url"].(string)
	if id == "" || tusURL == "" {
		return errors.New("server did not return an upload URL")
	}
	fmt.Fprintf(stderr, "video %s\n", id)
	if err := tusUpload(ctx, c.http, tusURL, path, newBar(stderr, "upload")); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if !*wait {
		return c.printVideo(ctx, id, stdout)
	}
	status, err := c.follow(ctx, id, newBar(stderr, "process"))
	if err != nil {
		return err
	}
	if err := c.printVideo(ctx, id, stdout); err != nil {
		return err
	}
	if status != "ready" {
		return exitCode(1)
	}
	return nil
}

type apiClient struct {
	base, token string
	http        *http.Client
}

func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, e.Error.Message)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// follow polls the video until it is ready or failed, drawing progress.
func (c *apiClient) follow(ctx context.Context, id string, bar *bar) (string, error) {
	for {
		var v struct {
			Status   string   `json:"status"`
			Progress float64  `json:"progress"`
			ETA      *float64 `json:"eta_seconds"`
			Error    string   `json:"error"`
		}
		if err := c.do(ctx, http.MethodGet, "/api/v1/videos/"+url.PathEscape(id), nil, &v); err != nil {
			return "", err
		}
		eta := -1.0
		if v.ETA != nil {
			eta = *v.ETA
		}
		bar.draw(v.Progress, v.Status, eta)
		switch v.Status {
		case "ready":
			bar.done("ready")
			return v.Status, nil
		case "failed":
			bar.done("failed: " + v.Error)
			return v.Status, nil
		}
		// Near the end, look more often: the last step takes seconds, and
		// scripts timing `upload --wait` should not wait a whole extra poll.
		every := time.Second
		if v.Progress >= 0.9 {
			every = 200 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(every):
		}
	}
}

func (c *apiClient) printVideo(ctx context.Context, id string, stdout io.Writer) error {
	var v json.RawMessage
	if err := c.do(ctx, http.MethodGet, "/api/v1/videos/"+url.PathEscape(id), nil, &v); err != nil {
		return err
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, v, "", "  ")
	pretty.WriteByte('\n')
	_, err := stdout.Write(pretty.Bytes())
	return err
}

// tusUpload sends path with the tus 1.0 protocol: create, then PATCH in
// chunks; after a failed PATCH it asks the server for its offset (HEAD) and
// resumes from there.
func tusUpload(ctx context.Context, hc *http.Client, endpoint, path string, bar *bar) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", "filename "+base64.StdEncoding.EncodeToString([]byte(filepath.Base(path))))
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("create upload: %s", resp.Status)
	}
	loc, err := resp.Location()
	if err != nil {
		return fmt.Errorf("create upload: %w", err)
	}
	const chunk = 8 << 20
	var offset int64
	failures := 0
	start := time.Now()
	for offset < size {
		n := min(chunk, size-offset)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, loc.String(), io.NewSectionReader(f, offset, n))
		req.ContentLength = n
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Content-Type", "application/offset+octet-stream")
		req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
		resp, err := hc.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusNoContent {
				offset, _ = strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
				failures = 0
				bar.drawBytes(offset, size, time.Since(start))
				continue
			}
			if resp.StatusCode < 500 && resp.StatusCode != http.StatusConflict {
				return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
			}
			err = fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		}
		if failures++; failures > 5 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(failures) * time.Second)
		if o, herr := tusOffset(ctx, hc, loc.String()); herr == nil {
			offset = o
		}
	}
	bar.done("uploaded")
	return nil
}

func tusOffset(ctx context.Context, hc *http.Client, loc string) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodHead, loc, nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
