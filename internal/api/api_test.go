package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/live"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage/local"
	"github.com/kinema/kinema/internal/upload"
)

const (
	adminKey = "admin-key-for-tests"
	userKey  = "user-key-for-tests"
)

// bundle is one real kinema HTTP stack, wired like cmd/kinema but without
// workers: the start of processing is a fake that records its calls.
type bundle struct {
	srv    *httptest.Server
	api    *api.Server
	cat    *catalog.Catalog
	store  *local.Store
	queue  *queue.Queue
	keys   *auth.Keys
	live   *live.Service
	router routers.Router
	db     *sql.DB // the SQLite database behind cat and queue

	mu     sync.Mutex
	starts []string // video ids whose upload completed
}

func setup(t *testing.T) *bundle {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith lets a test change the API server before it starts serving.
func setupWith(t *testing.T, change func(*api.Server)) *bundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)

	db, err := catalog.OpenSQLite(filepath.Join(dir, "kinema.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, catalog.Migrate(ctx, db, "sqlite3"))
	require.NoError(t, queue.MigrateSQLite(ctx, db))
	cat := catalog.New(db, nil)
	store, err := local.New(filepath.Join(dir, "store"))
	require.NoError(t, err)
	keys, err := auth.LoadOrCreateKeys(filepath.Join(dir, "keys"))
	require.NoError(t, err)
	q, err := queue.NewSQLite(db, cat, river.NewWorkers(), queue.Config{Logger: log}) // insert-only
	require.NoError(t, err)
	_, err = cat.CreateAPIKey(ctx, "admin", auth.HashAPIKey(adminKey), true)
	require.NoError(t, err)
	_, err = cat.CreateAPIKey(ctx, "user", auth.HashAPIKey(userKey), false)
	require.NoError(t, err)

	b := &bundle{cat: cat, store: store, queue: q, keys: keys, db: db}
	start := func(ctx context.Context, id, key string, size int64) error {
		b.mu.Lock()
		b.starts = append(b.starts, id)
		b.mu.Unlock()
		return nil
	}
	uploads, err := upload.New(cat, store, keys, start, upload.Config{TusDir: filepath.Join(dir, "tus"), TTL: time.Hour}, log)
	require.NoError(t, err)
	s := &api.Server{
		Catalog: cat, Uploads: uploads, Log: log,
		// A clock a minute ahead gives processing videos an elapsed time, so
		// the ETA is computed.
		Now: func() time.Time { return time.Now().Add(time.Minute) },
		PlaybackFunc: func(base string, _ netip.Addr, userID string, v media.Video, now time.Time) (delivery.Playback, error) {
			return delivery.PlaybackURLsFor(base, keys, delivery.URLGrant{VideoID: v.ID, UserID: userID}, v.Kind, time.Hour, now)
		},
		RetryFunc: func(ctx context.Context, id string) error {
			_, err := cat.Requeue(ctx, id)
			return err
		},
		JobsFunc:        q.Jobs,
		DeleteMediaFunc: func(ctx context.Context, id string) error { return store.DeletePrefix(ctx, "media/"+id+"/") },
		// As cmd/kinema signs them without CloudFront.
		PrefixCookieFunc: func(base, prefix string, _ netip.Addr, userID string, now time.Time) ([]*http.Cookie, time.Time, error) {
			c, err := delivery.PlaybackCookie(base, keys, delivery.CookieGrant{PathPrefix: prefix, UserID: userID}, time.Hour, now)
			if err != nil {
				return nil, time.Time{}, err
			}
			return []*http.Cookie{c}, c.Expires, nil
		},
		PlaybackCookiesFunc: func(base string, _ netip.Addr, userID string, v media.Video, now time.Time) ([]*http.Cookie, delivery.Playback, error) {
			c, err := delivery.PlaybackCookie(base, keys, delivery.CookieGrant{VideoID: v.ID, UserID: userID}, time.Hour, now)
			if err != nil {
				return nil, delivery.Playback{}, err
			}
			dir := base + delivery.PathPrefix + v.ID + "/"
			return []*http.Cookie{c}, delivery.Playback{HLS: dir + "master.m3u8", DASH: dir + "manifest.mpd",
				Poster: dir + "poster.jpg", Storyboard: dir + "storyboard.vtt", ExpiresAt: c.Expires}, nil
		},
		DefaultSignup: api.SignupClosed,
		// Tests sign in often from one address; the limiter's own test
		// sets a tight one.
		LoginLimiter: api.NewLoginLimiter(time.Millisecond, 1000),
	}
	if change != nil {
		change(s)
	}
	b.api = s
	// The live routes on a real live.Service with its listeners off.
	lcfg := live.DefaultConfig()
	lcfg.Dir, lcfg.SRTAddr, lcfg.RTMPAddr = t.TempDir(), "", ""
	b.live, err = live.New(lcfg, nil, keys, nil, nil, time.Now)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.live.Stop(context.Background()) })
	mux := http.NewServeMux()
	s.Register(mux)
	s.RegisterLive(mux, b.live)
	uploads.Register(mux)
	// Mount the document unless Register already does.
	if _, p := mux.Handler(httptest.NewRequest(http.MethodGet, api.OpenAPIPath, nil)); p == "" {
		mux.Handle("GET "+api.OpenAPIPath, api.OpenAPIHandler())
	}
	// Gate answers are not cached, so unsharing (and a user losing access)
	// shows at once in tests.
	gate := func(ctx context.Context, id string) (delivery.Gate, error) {
		g, err := cat.PlaybackGate(ctx, id)
		return delivery.Gate(g), err
	}
	userGate := func(ctx context.Context, id string) (delivery.UserGate, error) {
		g, err := cat.UserPlaybackGate(ctx, id)
		return delivery.UserGate(g), err
	}
	mux.Handle(delivery.PathPrefix, delivery.NewHandlerOptions(store, keys, gate, log, time.Now,
		delivery.Options{PublishedTTL: -1, UserGateFunc: userGate}))
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)

	// The document under test is the one the server serves.
	resp, err := http.Get(b.srv.URL + api.OpenAPIPath)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	require.NoError(t, err)
	b.router, err = legacy.NewRouter(doc)
	require.NoError(t, err)
	return b
}

// call sends a request and checks it and the response against the OpenAPI
// document. Set badRequest when the request itself is meant to break the
// contract, or cannot be checked (the response must still match).
type call struct {
	method, path string
	key          string // API key; "" sends none
	body         string
	contentType  string
	header       map[string]string
	cookies      []*http.Cookie
	badRequest   bool
}

func (b *bundle) do(t *testing.T, c call) (*http.Response, []byte) {
	t.Helper()
	target := c.path
	if !strings.HasPrefix(target, "http") {
		target = b.srv.URL + target
	}
	newReq := func() *http.Request {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, err := http.NewRequest(c.method, target, body)
		require.NoError(t, err)
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		for _, ck := range c.cookies {
			req.AddCookie(ck)
		}
		return req
	}
	resp, err := b.srv.Client().Do(newReq())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	ctx := context.Background()
	req := newReq()
	route, params, err := b.router.FindRoute(req)
	require.NoError(t, err, "%s %s is not in the OpenAPI document", c.method, c.path)
	reqIn := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if !c.badRequest {
		require.NoError(t, openapi3filter.ValidateRequest(ctx, reqIn), "request %s %s", c.method, c.path)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSONOrText(ct) {
		// kin-openapi has no decoders for media bodies (playlists, segments);
		// check that the type is documented and leave the bytes alone.
		opts.ExcludeResponseBody = true
		if r := route.Operation.Responses.Status(resp.StatusCode); r != nil {
			require.NotNil(t, r.Value.Content.Get(ct), "%s %s: content type %s is not documented", c.method, c.path, ct)
		}
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqIn, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts,
	})
	require.NoError(t, err, "response to %s %s: %d %s", c.method, c.path, resp.StatusCode, body)
	return resp, body
}

func isJSONOrText(ct string) bool {
	return strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/plain")
}

// video decodes a video response, for assertions on top of the schema.
type video struct {
	ID         string           `json:"id"`
	Status     media.Status     `json:"status"`
	Error      string           `json:"error"`
	ETA        *float64         `json:"eta_seconds"`
	Renditions []map[string]any `json:"renditions"`
	Upload     *upload.Grant    `json:"upload"`
	Playback   *struct {
		HLS, DASH, Poster, Storyboard string
	} `json:"playback"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v), string(body))
	return v
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	return decode[struct {
		Error struct{ Code string } `json:"error"`
	}](t, body).Error.Code
}

func (b *bundle) create(t *testing.T, title string) video {
	t.Helper()
	resp, body := b.do(t, call{method: http.MethodPost, path: "/api/v1/videos", key: userKey,
		body: `{"title":"` + title + `"}`, contentType: "application/json"})
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	return decode[video](t, body)
}

func TestVideoLifecycleMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)

	v := b.create(t, "Big Buck Bunny")
	require.Equal(t, media.StatusWaitingUpload, v.Status)
	require.NotNil(t, v.Upload)
	require.Nil(t, v.Playback)
	require.Empty(t, v.Renditions)

	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, v.ID, decode[video](t, body).ID)

	// An empty body is allowed and makes an untitled video.
	resp, _ = b.do(t, call{method: http.MethodPost, path: "/api/v1/videos", key: userKey})
	require.Equal(t, http.StatusCreated, resp.StatusCode)

	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos?status=waiting_upload&q=bunny&limit=10", key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	list := decode[struct{ Videos []video }](t, body)
	require.Len(t, list.Videos, 1)
	require.Equal(t, v.ID, list.Videos[0].ID)

	resp, _ = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos", key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)

	resp, body = b.do(t, call{method: http.MethodDelete, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Empty(t, body)
	resp, _ = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestErrorsMatchOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.create(t, "queued")

	tests := []struct {
		name string
		call call
		code int
		err  string
	}{
		{"unknown id", call{method: http.MethodGet, path: "/api/v1/videos/nosuchvideo", key: userKey}, 404, "not_found"},
		{"delete unknown", call{method: http.MethodDelete, path: "/api/v1/videos/nosuchvideo", key: userKey}, 404, "not_found"},
		{"bad json", call{method: http.MethodPost, path: "/api/v1/videos", key: userKey, body: `{"title":`,
			contentType: "application/json", badRequest: true}, 400, "invalid"},
		{"unknown field", call{method: http.MethodPost, path: "/api/v1/videos", key: userKey, body: `{"name":"x"}`,
			contentType: "application/json", badRequest: true}, 400, "invalid"},
		{"title too long", call{method: http.MethodPost, path: "/api/v1/videos", key: userKey,
			body: `{"title":"` + strings.Repeat("x", 301) + `"}`, contentType: "application/json", badRequest: true}, 400, "invalid"},
		{"bad status filter", call{method: http.MethodGet, path: "/api/v1/videos?status=done", key: userKey, badRequest: true}, 400, "invalid"},
		{"bad limit", call{method: http.MethodGet, path: "/api/v1/videos?limit=0", key: userKey, badRequest: true}, 400, "invalid"},
		{"missing key", call{method: http.MethodPost, path: "/api/v1/videos"}, 401, "unauthorized"},
		{"missing key, own videos", call{method: http.MethodGet, path: "/api/v1/videos?mine=1"}, 401, "unauthorized"},
		{"unknown key", call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: "nope"}, 401, "unauthorized"},
		{"retry of a video that has not failed", call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/retry", key: adminKey}, 409, "conflict"},
		{"retry unknown", call{method: http.MethodPost, path: "/api/v1/videos/nosuchvideo/retry", key: adminKey}, 404, "not_found"},
		{"jobs need admin", call{method: http.MethodGet, path: "/api/v1/jobs", key: userKey}, 403, "forbidden"},
		{"bad job state", call{method: http.MethodGet, path: "/api/v1/jobs?state=stuck", key: adminKey, badRequest: true}, 400, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := b.do(t, tt.call)
			require.Equal(t, tt.code, resp.StatusCode, string(body))
			require.Equal(t, tt.err, errorCode(t, body))
		})
	}
}

func TestUploadPutMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.create(t, "upload")

	u, err := url.Parse(v.Upload.URL)
	require.NoError(t, err)
	bad := *u
	bad.RawQuery = "token=forged"
	resp, body := b.do(t, call{method: http.MethodPut, path: bad.String(), body: "data", contentType: "application/octet-stream"})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, "forbidden", errorCode(t, body))

	resp, body = b.do(t, call{method: http.MethodPut, path: v.Upload.URL, body: "not really a video", contentType: "application/octet-stream"})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	b.mu.Lock()
	require.Equal(t, []string{v.ID}, b.starts)
	b.mu.Unlock()
}

func TestProcessingAndFailedVideosMatchOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	v := b.create(t, "will fail")
	run, err := b.cat.StartRun(ctx, v.ID, "raw/"+v.ID+"/source", 1234)
	require.NoError(t, err)
	ok, err := b.cat.BeginProcessing(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = b.cat.FinishStep(ctx, v.ID, run, "probe")
	require.NoError(t, err)

	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got := decode[video](t, body)
	require.Equal(t, media.StatusProcessing, got.Status)
	require.NotNil(t, got.ETA, "a processing video with progress has an ETA: %s", body)
	require.Nil(t, got.Upload)

	ok, err = b.cat.Fail(ctx, v.ID, run, "The file could not be decoded.")
	require.NoError(t, err)
	require.True(t, ok)
	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got = decode[video](t, body)
	require.Equal(t, media.StatusFailed, got.Status)
	require.Equal(t, "The file could not be decoded.", got.Error)

	resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/retry", key: adminKey})
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	require.Equal(t, media.StatusQueued, decode[video](t, body).Status)
}

func TestReadyVideoMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	v := b.create(t, "ready")
	run, err := b.cat.StartRun(ctx, v.ID, "raw/"+v.ID+"/source", 1234)
	require.NoError(t, err)
	ok, err := b.cat.BeginProcessing(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	src := media.Source{Duration: 2, HasVideo: true, Width: 320, Height: 240, HasAudio: true}
	plan := media.Plan{Kind: media.KindVideo, Duration: 2, SegmentSeconds: 2}
	require.NoError(t, b.cat.SavePlan(ctx, v.ID, run, src, plan, []catalog.Step{{Name: "package", Weight: 1}}, 0))
	require.NoError(t, b.cat.SaveRenditions(ctx, v.ID, run, []media.Rendition{
		{ID: "v0", Type: media.KindVideo, Width: 320, Height: 240, FPSNum: 25, FPSDen: 1, Bitrate: 400_000,
			MaxRate: 600_000, BufSize: 800_000, Codecs: "avc1.64000d", AverageBandwidth: 380_000, PeakBandwidth: 550_000},
		{ID: "a0", Type: media.KindAudio, Bitrate: 128_000, Channels: 2, SampleRate: 48_000, Codecs: "mp4a.40.2"},
	}))
	ok, err = b.cat.Publish(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)

	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID, key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got := decode[video](t, body)
	require.Equal(t, media.StatusReady, got.Status)
	require.Len(t, got.Renditions, 2)
	require.NotNil(t, got.Playback)
	require.Contains(t, got.Playback.HLS, "/media/"+v.ID+"/master.m3u8?token=")
	require.Contains(t, got.Playback.DASH, "/media/"+v.ID+"/manifest.mpd?token=")
	require.NotEmpty(t, got.Playback.Poster)
	require.NotEmpty(t, got.Playback.Storyboard)

	resp, body = b.do(t, call{method: http.MethodGet, path: "/api/v1/videos?status=ready", key: userKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, decode[struct{ Videos []video }](t, body).Videos[0].Playback)

	// The signed URL plays; a tampered one does not.
	_, err = b.store.Put(ctx, "media/"+v.ID+"/master.m3u8", strings.NewReader("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0/index.m3u8\n"))
	require.NoError(t, err)
	resp, body = b.do(t, call{method: http.MethodGet, path: got.Playback.HLS})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "v0/index.m3u8?token=")
	resp, _ = b.do(t, call{method: http.MethodGet, path: strings.Replace(got.Playback.HLS, "token=", "token=x", 1)})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = b.do(t, call{method: http.MethodGet, path: strings.Replace(got.Playback.HLS, "master.m3u8", "v0/index.m3u8", 1)})
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// jobArgs has the shape of the pipeline's job args, so the listing can show
// which video a job is for.
type jobArgs struct {
	VideoID string `json:"video_id"`
	Run     int    `json:"run"`
}

func (jobArgs) Kind() string { return "probe" }

func TestJobsMatchOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	require.NoError(t, b.queue.InTx(ctx, func(tx *queue.Tx) error {
		return tx.Insert(ctx, river.InsertManyParams{Args: jobArgs{VideoID: "abc", Run: 1}})
	}))

	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/jobs?state=available&video=abc&limit=5", key: adminKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	jobs := decode[struct{ Jobs []map[string]any }](t, body).Jobs
	require.Len(t, jobs, 1)
	require.Equal(t, "abc", jobs[0]["video_id"])

	resp, _ = b.do(t, call{method: http.MethodGet, path: "/api/v1/jobs", key: adminKey})
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestTusUploadMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.create(t, "tus")
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range tus {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}

	resp, _ := b.do(t, call{method: http.MethodOptions, path: "/api/v1/tus/", header: tus})
	require.Equal(t, http.StatusOK, resp.StatusCode)

	forged := strings.Replace(v.Upload.TusURL, "token=", "token=x", 1)
	resp, _ = b.do(t, call{method: http.MethodPost, path: forged, header: with(map[string]string{"Upload-Length": "4"})})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	resp, _ = b.do(t, call{method: http.MethodPost, path: v.Upload.TusURL, header: with(map[string]string{"Upload-Length": "4"})})
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.NotEmpty(t, loc)

	resp, _ = b.do(t, call{method: http.MethodHead, path: loc, header: tus})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "0", resp.Header.Get("Upload-Offset"))

	// kin-openapi cannot decode application/offset+octet-stream request
	// bodies, so only the response is checked.
	resp, body := b.do(t, call{method: http.MethodPatch, path: loc, body: "data", contentType: "application/offset+octet-stream",
		header: with(map[string]string{"Upload-Offset": "0"}), badRequest: true})
	require.Equal(t, http.StatusNoContent, resp.StatusCode, string(body))
	b.mu.Lock()
	require.Equal(t, []string{v.ID}, b.starts)
	b.mu.Unlock()
}
