package upload

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/storage/local"
)

// FuzzTusMetadata checks tusd's Upload-Metadata parser as kinema uses it
// (the create hook reads "filename" from it): keys never contain the list's
// separators, and what it returns serialises and parses back unchanged, so
// the metadata stored in an upload's .info is what the client sent.
func FuzzTusMetadata(f *testing.F) {
	f.Add("filename bW92aWUubXA0,filetype dmlkZW8vbXA0")                   // tus-js-client
	f.Add("filename bW92aWUubXA0,video_id ZXZpbA==,relativePath bnVsbA==") // a client naming a video
	f.Add(" is_confidential , filename  ,x !!!,=,,a b c")
	f.Fuzz(func(t *testing.T, header string) {
		meta := tusd.ParseMetadataHeader(header)
		for k := range meta {
			if k == "" || strings.ContainsAny(k, ", ") {
				t.Fatalf("key %q from %q", k, header)
			}
		}
		again := tusd.ParseMetadataHeader(tusd.SerializeMetadataHeader(meta))
		if !maps.Equal(meta, again) {
			t.Fatalf("round trip changed the metadata:\n%q\n%q", meta, again)
		}
	})
}

// FuzzS3Event posts arbitrary bodies to the S3 event webhook. Processing
// may only start for a video's own source object (raw/<id>/source-<x>) that
// exists in the store, named by an ObjectCreated record, once per video;
// the answer's count is the number of starts; bad bodies get 400, never 500.
func FuzzS3Event(f *testing.F) {
	const (
		secret = "hook-secret"
		prefix = "kinema/"
	)
	dir := f.TempDir()
	store, err := local.New(dir + "/objects")
	if err != nil {
		f.Fatal(err)
	}
	existing := []string{
		"raw/vid_1/source-abc12345", "raw/vid_2/source-x", "raw/vid_1/notes.txt",
		"raw/vid_3/source-a/b", "media/vid_1/master.m3u8", "raw/vid_4/source-..",
	}
	for _, k := range existing {
		if _, err := store.Put(context.Background(), k, strings.NewReader("x")); err != nil {
			f.Fatal(err)
		}
	}
	var (
		mu      sync.Mutex
		started map[string]string // video -> key, in this input
	)
	start := func(_ context.Context, id, key string, _ int64) error {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := started[id]; dup {
			return fmt.Errorf("second start: %w", media.ErrConflict)
		}
		started[id] = key
		return nil
	}
	s, err := New(nil, store, nil, start, Config{TusDir: dir + "/tus", TTL: time.Hour,
		WebhookSecret: secret, StorePrefix: prefix}, slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Register(mux)

	record := func(event, key string) string {
		return `{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventName":"` + event +
			`","s3":{"bucket":{"name":"b"},"object":{"key":"` + key + `","size":1,"eTag":"9dd4e461268c8034f5c8564e155c67a6"}}}`
	}
	f.Add("", "", []byte(`{"Records":[`+record("ObjectCreated:Put", "kinema/raw/vid_1/source-abc12345")+`]}`))
	f.Add("", "", []byte(`{"EventName":"s3:ObjectCreated:CompleteMultipartUpload","Key":"b/kinema/raw/vid_2/source-x","Records":[`+
		record("s3:ObjectCreated:CompleteMultipartUpload", "kinema%2Fraw%2Fvid_2%2Fsource-x")+`]}`))
	f.Add("", "", []byte(`{"Records":[`+record("ObjectRemoved:Delete", "kinema/raw/vid_1/source-abc12345")+`,`+
		record("ObjectCreated:Put", "kinema/raw/vid_1/notes.txt")+`,`+record("ObjectCreated:Put", "kinema/raw/vid_3/source-a%2Fb")+`,`+
		record("ObjectCreated:Copy", "kinema/media/vid_1/master.m3u8")+`,`+record("ObjectCreated:Put", "kinema/raw/vid_4/source-..")+`]}`))
	f.Add("", "", []byte(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"%zz"}}}]}trailing`))
	f.Add("", "", []byte(`{"Records":null}`))

	// The property below would hold vacuously if nothing could start.
	started = map[string]string{}
	r := httptest.NewRequest(http.MethodPost, "/api/v1/hooks/s3",
		strings.NewReader(`{"Records":[`+record("ObjectCreated:Put", "kinema/raw/vid_1/source-abc12345")+`]}`))
	r.Header.Set("Authorization", "Bearer "+secret)
	mux.ServeHTTP(httptest.NewRecorder(), r)
	if started["vid_1"] != "raw/vid_1/source-abc12345" {
		f.Fatalf("a genuine event did not start processing: %v", started)
	}

	// Structured seeds reach the key handling without the fuzzer having to
	// keep the JSON intact: an empty raw body means one record of event
	// and key.
	f.Add("ObjectCreated:Put", "kinema%2Fraw%2Fvid_1%2Fsource-abc12345", []byte(nil))
	f.Add("s3:ObjectCreated:Post", "kinema/raw/vid_2/source-%78", []byte(nil))
	f.Add("ObjectCreated:Put", "kinema/raw/vid_1/../vid_2/source-x", []byte(nil))
	f.Add("ObjectCreated:Put", "raw/vid_1/source-abc12345", []byte(nil))

	f.Fuzz(func(t *testing.T, event, key string, body []byte) {
		if len(body) == 0 {
			var err error
			body, err = json.Marshal(map[string]any{"Records": []any{map[string]any{
				"eventName": event, "s3": map[string]any{"object": map[string]any{"key": key, "size": 1}},
			}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		started = map[string]string{}
		mu.Unlock()
		r := httptest.NewRequest(http.MethodPost, "/api/v1/hooks/s3", strings.NewReader(string(body)))
		r.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)

		mu.Lock()
		defer mu.Unlock()
		switch w.Code {
		case http.StatusBadRequest:
			if len(started) > 0 {
				t.Fatalf("400 but started %v", started)
			}
			return
		case http.StatusOK:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
		var resp struct{ Started int }
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("answer %q: %v", w.Body.String(), err)
		}
		if resp.Started != len(started) {
			t.Fatalf("answer says %d started, the pipeline saw %d", resp.Started, len(started))
		}
		for id, key := range started {
			if !ownsKey(id, key) {
				t.Fatalf("started video %q from key %q", id, key)
			}
			if _, err := store.Stat(context.Background(), key); err != nil {
				t.Fatalf("started video %q from missing key %q", id, key)
			}
		}
	})
}
