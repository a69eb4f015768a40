package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/clientip"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/live"
	"github.com/kinema/kinema/internal/metrics"
	"github.com/kinema/kinema/internal/pipeline"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/upload"
	"github.com/kinema/kinema/internal/web"
	"github.com/kinema/kinema/internal/webhook"
)

func serveCmd(args []string, stderr io.Writer) error {
	return runMain(args, stderr, false)
}

// workerCmd runs pipeline jobs only, with health and metrics on a private
// address; any number of workers can share one PostgreSQL + S3 setup.
func workerCmd(args []string, stderr io.Writer) error {
	return runMain(args, stderr, true)
}

func runMain(args []string, stderr io.Writer, workerOnly bool) error {
	cfg := config.Default()
	name := "serve"
	if workerOnly {
		// A worker's listener is private: /metrics stays on it unless
		// --metrics-addr moves it.
		name, cfg.Addr, cfg.MetricsAddr = "worker", "127.0.0.1:9090", ""
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Bind(fs, os.Getenv); err != nil {
		return err
	}
	if workerOnly {
		fs.IntVar(&cfg.Workers, "concurrency", cfg.Workers, "jobs of each queue run at once (same as --workers)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	keysPoll, err := keysPollFromEnv(os.Getenv(keysPollEnv))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil)).With("process", name)
	ctx, cancel := signalContext(log)
	defer cancel()
	m := &Main{Config: cfg, Log: log, WorkerOnly: workerOnly, KeysPoll: keysPoll}
	if err := m.Run(ctx); err != nil {
		return err
	}
	m.reloadKeysOnSIGHUP(ctx)
	<-ctx.Done()
	closeCtx, closeCancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+15*time.Second)
	defer closeCancel()
	return m.Close(closeCtx)
}

// Main is a running kinema server. Tests start it in-process the same way
// the command does.
type Main struct {
	Config config.Config
	Log    *slog.Logger

	// WorkerOnly runs pipeline jobs without the public API (`kinema worker`);
	// HTTP then serves only /healthz, /readyz and /metrics.
	WorkerOnly bool

	// KeysPoll is how often an API node checks its key directory and
	// reloads the signing keys when it changed (KINEMA_KEYS_POLL). Zero
	// means auth.DefaultKeyPoll; a negative value turns polling off.
	KeysPoll time.Duration

	// Addr is the address the HTTP server listens on, known after Run.
	Addr string
	// MetricsAddr is where /metrics is served on a listener of its own,
	// known after Run; empty when it has none (see config.MetricsAddr).
	MetricsAddr string
	metricsHTTP *http.Server
	// RedirectAddr is where plain http is redirected to https, known after
	// Run; empty without --redirect-addr.
	RedirectAddr string
	// redirectHTTP sends plain-http visitors to https (--redirect-addr).
	redirectHTTP *http.Server
	// acme manages certificates with --tls-domain.
	acme *acmeCerts
	// acmeChallenge, when set ("http-01" or "tls-alpn-01"), is the only
	// ACME challenge offered: tests pin the path they check.
	acmeChallenge string

	backends *backends
	// keys signs and verifies every token of an API node (nil on a worker);
	// stopKeys ends its directory watch.
	keys     *auth.KeyRing
	stopKeys context.CancelFunc
	queue    *queue.Queue
	// stopHousekeeping ends the periodic cleanup of an API node.
	stopHousekeeping context.CancelFunc
	live             *live.Service
	http             *http.Server
	webhooks         *webhook.Service
}

// Run opens storage, migrates, starts HTTP and workers, and returns.
func (m *Main) Run(ctx context.Context) error {
	if m.WorkerOnly && m.Config.TLSEnabled() {
		// One environment file often serves both roles on a machine.
		m.Log.Info("worker: TLS settings ignored, its listener is private")
		m.Config.TLSCert, m.Config.TLSKey, m.Config.TLSDomains, m.Config.RedirectAddr = "", "", "", ""
		m.Config.ACMECA, m.Config.ACMECARoot, m.Config.ACMEEmail, m.Config.ACMEStorage = "", "", "", ""
	}
	cfg := m.Config
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if cfg.PublicURL == "" && len(cfg.Domains()) > 0 {
		cfg.PublicURL = acmePublicURL(cfg.Domains()[0], cfg.Addr)
		m.Config.PublicURL = cfg.PublicURL
	}
	if m.WorkerOnly && !isPostgres(cfg.DB) {
		// Leases take a SQLite worker's jobs only from dead processes, so a
		// second process on the file would encode beside the first.
		return errors.New("kinema worker needs PostgreSQL (--db postgres://...): a SQLite catalog belongs to the one kinema serve that opened it")
	}
	be, err := openBackends(ctx, cfg)
	if err != nil {
		return err
	}
	m.backends = be
	cat, store := be.cat, be.store
	if m.WorkerOnly && cfg.Workers < 1 {
		return errors.New("a worker needs --concurrency of at least 1")
	}
	ff := ffmpeg.NewRunner(cfg.FFmpeg, cfg.FFprobe, m.Log)
	ff.MemoryLimit = cfg.FFmpegMemoryLimit()
	if cfg.Workers > 0 {
		if err := ff.CheckEncoders(ctx); err != nil {
			return fmt.Errorf("ffmpeg: %w", err)
		}
	}
	met := metrics.New()
	m.webhooks = newWebhooks(cfg, cat, m.Log)
	pipe := pipeline.New(cat, store, ff, pipeline.Config{
		Ladder: cfg.Ladder, Limits: cfg.Limits, ScratchDir: cfg.ScratchDir(), MaxAttempts: cfg.MaxAttempts, RawStore: be.raw,
		SplitMinBytes: cfg.SplitMinBytes, EncodeDoneFunc: met.EncodeDone, Events: m.webhooks.Enqueue,
	}, m.Log.With("component", "pipeline"))
	if err := pipe.CleanScratch(); err != nil {
		return err
	}
	workers := river.NewWorkers()
	pipe.Register(workers)
	m.webhooks.Register(workers)
	m.queue, err = be.newQueue(workers, queue.Config{
		Concurrency: cfg.Workers, JobTimeout: cfg.JobTimeout, RescueAfter: cfg.RescueAfter, LeaseTTL: cfg.LeaseTTL,
		PollInterval: 200 * time.Millisecond, Logger: m.Log.With("component", "queue"), ID: processID(m.WorkerOnly),
		Middleware: []rivertype.Middleware{met.RiverMiddleware()},
	})
	if err != nil {
		return err
	}
	pipe.UseQueue(m.queue)
	m.webhooks.UseQueue(m.queue)

	met.RegisterQueueStats(queueStats(m.queue))

	mux := http.NewServeMux()
	var media http.Handler // delivery, served ahead of the mux (mediaFirst)
	if !m.WorkerOnly {
		if media, err = m.publicRoutes(ctx, mux, be, pipe, met); err != nil {
			return err
		}
	}
	if m.WorkerOnly && cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", met.Handler()) // a worker's own listener is private
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	stores := map[string]storage.Store{"store": be.store}
	if cfg.RawStore != "" {
		stores["raw store"] = be.raw
	}
	mux.Handle("GET /readyz", newReadiness(be.ping, stores, m.Log))

	if err := m.serveMetrics(met); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	m.Addr = ln.Addr().String()
	handler := logRequests(m.Log, met.Middleware(mux)) // Middleware must see the mux's route pattern
	if media != nil {
		handler = mediaFirst(m.Log, met, media, handler)
	}
	tlsConfig, redirect, err := m.listenTLS(ln)
	if err != nil {
		ln.Close()
		return err
	}
	m.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		Protocols:         protocols(tlsConfig != nil),
		ConnContext:       delivery.ConnContext, // segments go out corked: headers and file in full packets
	}
	if tlsConfig != nil {
		m.http.Handler, m.http.TLSConfig, m.http.ErrorLog = hsts(handler), tlsConfig, httpErrorLog(m.Log)
	}
	go func() {
		var err error
		if tlsConfig != nil {
			err = m.http.ServeTLS(ln, "", "")
		} else {
			err = m.http.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", "err", err)
		}
	}()
	if redirect != nil {
		m.startRedirect(redirect.ln, redirect.handler)
	}
	if m.acme != nil {
		if err := m.acme.Start(ctx); err != nil {
			return err
		}
	}
	if err := m.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	m.Log.Info("listening on "+m.Addr, "addr", m.Addr, "tls", tlsConfig != nil, "data", cfg.DataDir, "workers", cfg.Workers, "worker_only", m.WorkerOnly)
	return nil
}

// redirectListener is the bound plain-http listener of --redirect-addr and
// what it serves.
type redirectListener struct {
	ln      net.Listener
	handler http.Handler
}

// listenTLS sets up https on ln when configured: the TLS configuration
// (nil for plain http) and the bound redirect listener, if any.
func (m *Main) listenTLS(ln net.Listener) (*tls.Config, *redirectListener, error) {
	cfg := m.Config
	if !cfg.TLSEnabled() {
		return nil, nil, nil
	}
	var redirect *redirectListener
	var httpAddr net.Addr
	if cfg.RedirectAddr != "" {
		rln, err := net.Listen("tcp", cfg.RedirectAddr)
		if err != nil {
			return nil, nil, fmt.Errorf("redirect listener: %w", err)
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		redirect = &redirectListener{ln: rln, handler: redirectToHTTPS(cfg.PublicURL, port)}
		httpAddr = rln.Addr()
	}
	closeRedirect := func() {
		if redirect != nil {
			redirect.ln.Close()
		}
	}
	if cfg.TLSCert != "" {
		files, err := newCertFiles(cfg.TLSCert, cfg.TLSKey, m.Log.With("component", "tls"))
		if err != nil {
			closeRedirect()
			return nil, nil, err
		}
		return &tls.Config{GetCertificate: files.GetCertificate, MinVersion: tls.VersionTLS12}, redirect, nil
	}
	a, err := newACME(cfg, ln.Addr(), httpAddr, m.acmeChallenge, m.Log.With("component", "acme"))
	if err != nil {
		closeRedirect()
		return nil, nil, err
	}
	m.acme = a
	if redirect != nil {
		redirect.handler = a.HTTPChallengeHandler(redirect.handler)
	}
	return a.TLSConfig(), redirect, nil
}

// publicRoutes mounts what only API nodes serve on mux: the JSON API,
// uploads, live and the web UI; it returns signed media delivery, which is
// served ahead of mux (mediaFirst).
func (m *Main) publicRoutes(ctx context.Context, mux *http.ServeMux, be *backends, pipe *pipeline.Pipeline, met *metrics.Metrics) (http.Handler, error) {
	cfg, cat, store := m.Config, be.cat, be.store
	// One ring for everything that signs or verifies, so a reload reaches
	// them all at once.
	keys, err := m.startKeyRing(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.AdminToken != "" {
		if _, err := cat.CreateAPIKey(ctx, "admin (KINEMA_ADMIN_TOKEN)", auth.HashAPIKey(cfg.AdminToken), true); err != nil {
			return nil, err
		}
	}

	uploads, err := upload.New(cat, be.raw, keys, pipe.Start, upload.Config{
		TusDir: cfg.TusDir(), MaxBytes: cfg.Limits.MaxBytes, TTL: cfg.UploadTTL,
		MultipartThreshold: cfg.MultipartThreshold, PartSize: cfg.MultipartPartSize,
		WebhookSecret: cfg.S3WebhookSecret, StorePrefix: storePrefix(cmp.Or(cfg.RawStore, cfg.Store)),
	}, m.Log.With("component", "upload"))
	if err != nil {
		return nil, err
	}
	hctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stopHousekeeping = stop
	go housekeep(hctx, cat, uploads, time.Hour, m.Log.With("component", "housekeeping"))
	playback, err := newPlaybackSigner(cfg, keys)
	if err != nil {
		return nil, err
	}
	clients, err := clientip.Parse(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	apiServer := &api.Server{
		Catalog: cat, Uploads: uploads, Log: m.Log.With("component", "api"), Now: time.Now,
		PublicURL: cfg.PublicURL, SpoolDir: cfg.ScratchDir(), SessionTTL: cfg.SessionTTL, DefaultSignup: cfg.Signup,
		PlaybackFunc: playback.URLs, PlaybackCookiesFunc: playback.Cookies, PrefixCookieFunc: playback.PrefixCookies, PlaybackClientFunc: playbackClient(cfg, clients), ClientIPFunc: clients.IP,
		RetryFunc: pipe.Retry, TextChangedFunc: pipe.RefreshText,
		JobsFunc: m.queue.Jobs,
		Admin: api.AdminFuncs{Overview: m.queue.Overview, Job: m.queue.Job, RetryJob: m.queue.RetryJob,
			StoreUsage: func(ctx context.Context, prefix string) (bytes, objects int64, err error) {
				infos, err := store.List(ctx, prefix)
				for _, i := range infos {
					bytes += i.Size
				}
				return bytes, int64(len(infos)), err
			}},
		Webhooks: m.webhooks,
		DeleteMediaFunc: func(ctx context.Context, id string) error {
			return errors.Join(store.DeletePrefix(ctx, "media/"+id+"/"), be.raw.DeletePrefix(ctx, "raw/"+id+"/"),
				store.DeletePrefix(ctx, "work/"+id+"/"))
		},
		// Downloads (#14): made by the pipeline, the original from the raw store.
		DownloadsFunc: pipe.SetDownloads, OpenOriginalFunc: be.raw.Open,
		// Audio tracks added after upload (#14): probed here, encoded by a job.
		AddAudioFunc: pipe.AddAudio, DeleteAudioFunc: pipe.DeleteAudio,
	}

	apiServer.Register(mux)
	// Upload routes sit behind a byte counter on their own mux.
	upMux := http.NewServeMux()
	uploads.Register(upMux)
	for _, prefix := range []string{"/upload/", upload.TusPath, "/api/v1/hooks/"} {
		mux.Handle(prefix, met.MeterBytesIn(upMux))
	}
	mux.Handle("GET "+delivery.KeysPath, delivery.KeysHandler(keys))
	pictureFF := ffmpeg.NewRunner(cfg.FFmpeg, cfg.FFprobe, m.Log)
	pictureFF.MemoryLimit = cfg.FFmpegMemoryLimit()
	pictures, gen, err := pictureFunc(cfg, cat, store, pictureFF)
	if err != nil {
		return nil, err
	}
	apiServer.Posters = posters{gen: gen, store: store}
	media := delivery.NewHandlerOptions(store, keys, playbackGate(cat), m.Log.With("component", "delivery"), time.Now,
		delivery.Options{ClientIPFunc: clients.IP, UserGateFunc: userPlaybackGate(cat), PictureFunc: pictures, PrioritizeFunc: pipe.Prioritize})
	if err := m.startLive(ctx, mux, be, pipe, keys, apiServer, met); err != nil {
		return nil, err
	}
	// The UI's /upload page; "/upload/" above would otherwise redirect it to the upload API.
	ui := web.WithEmbedAncestors(web.Handler(m.Log, mediaOrigins(cfg)...), apiServer.EmbedAncestors)
	mux.Handle("GET /upload", ui)
	mux.Handle("/", ui)
	return media, nil
}

// startLive runs SRT/RTMP ingest; a finished broadcast's recording becomes
// a normal video through the same path as an upload.
func (m *Main) startLive(ctx context.Context, mux *http.ServeMux, be *backends, pipe *pipeline.Pipeline,
	keys *auth.KeyRing, apiServer *api.Server, met *metrics.Metrics,
) error {
	cfg := m.Config
	srtAddr, rtmpAddr := cfg.IngestAddrs()
	if srtAddr == "" && rtmpAddr == "" {
		m.Log.Info("live ingest is off (--srt-addr and --rtmp-addr are empty)")
		api.RegisterLiveOff(mux, api.LiveOffMessage)
		return nil
	}
	// The recording is the live renditions themselves, remuxed: no second
	// encode. What the publishers sent is kept as the video's source.
	record := func(ctx context.Context, rec live.Recording) (string, error) {
		v, err := be.cat.CreateVideo(ctx, catalog.NewVideo{Title: rec.Title, OwnerID: rec.OwnerID})
		if err != nil {
			return "", err
		}
		key := upload.RawKey(v.ID)
		info, err := storage.PutFile(ctx, be.raw, key, rec.Source)
		if err != nil {
			return "", err
		}
		tracks := make([]pipeline.LiveTrack, len(rec.Tracks))
		for i, t := range rec.Tracks {
			tracks[i] = pipeline.LiveTrack{Rendition: t.Rendition, Init: t.Init, Segments: t.Segments}
		}
		return v.ID, pipe.StartFromLive(ctx, v.ID, key, info.Size, tracks, rec.SegmentSeconds)
	}
	lcfg := live.DefaultConfig()
	lcfg.Dir, lcfg.SRTAddr, lcfg.RTMPAddr, lcfg.PlaybackTTL = cfg.LiveDir(), srtAddr, rtmpAddr, cfg.PlaybackTTL
	lcfg.Ladder.Preset, lcfg.DVRWindow, lcfg.Grace = cfg.Ladder.Preset, cfg.LiveDVR, cfg.LiveGrace
	lcfg.ClientIPFunc = apiServer.ClientIPFunc
	lcfg.RestreamAllowPrivate = cfg.RestreamAllowPrivate
	// Stream state in the catalog and live output copied to the store: any
	// API node on the same database and store lists, shows and plays every
	// stream, also while the ingest node restarts.
	lcfg.Registry, lcfg.Store = be.cat, be.store
	if u, err := url.Parse(cfg.PublicURL); err == nil && cfg.PublicURL != "" {
		lcfg.PublicHost = u.Hostname()
	}
	ff := ffmpeg.NewRunner(cfg.FFmpeg, cfg.FFprobe, m.Log)
	ff.MemoryLimit = cfg.FFmpegMemoryLimit()
	if err := ff.CheckEncoders(ctx); err != nil {
		// An API node without ffmpeg still serves everything else.
		m.Log.Error("live ingest is off: ffmpeg cannot encode live streams here", "err", err)
		api.RegisterLiveOff(mux, "Live streaming is off on this server: ffmpeg with libx264 was not found or does not work (see the server log).")
		return nil
	}
	svc, err := live.New(lcfg, ff, keys, record, m.Log.With("component", "live"), time.Now)
	if err != nil {
		return err
	}
	if err := svc.Start(ctx); err != nil {
		return err
	}
	m.live = svc
	apiServer.RegisterLive(mux, svc)
	mux.Handle(live.PathPrefix, met.MeterBytesOut(svc.Handler()))
	return nil
}

// queueStats adapts the queue's counts to the metrics collector.
func queueStats(q *queue.Queue) metrics.QueueStatsFunc {
	return func(ctx context.Context) (map[string]metrics.QueueStat, error) {
		stats, err := q.Stats(ctx)
		if err != nil {
			return nil, err
		}
		out := map[string]metrics.QueueStat{}
		for _, s := range stats {
			qs := out[s.Queue]
			switch s.State {
			case "available":
				qs.Available, qs.OldestAvailableAge = s.Count, s.OldestAvailableAge
			case "running":
				qs.Running = s.Count
			case "retryable":
				qs.Retryable = s.Count
			}
			out[s.Queue] = qs
		}
		return out, nil
	}
}

// processID is "serve-HOST-PID-RANDOM" or "worker-HOST-PID-RANDOM": unique
// per process even with several workers on one machine, or containers that
// share a host name and PID, since heartbeats are kept per id.
func processID(worker bool) string {
	host, _ := os.Hostname()
	role := "serve"
	if worker {
		role = "worker"
	}
	return fmt.Sprintf("%s-%s-%d-%s", role, host, os.Getpid(), rand.Text()[:6])
}

// protocols serves HTTP/1.1 and HTTP/2: over TLS negotiated with ALPN,
// otherwise cleartext HTTP/2 (h2c), so players and CDNs can multiplex
// segment requests without TLS termination here.
func protocols(overTLS bool) *http.Protocols {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	if overTLS {
		p.SetHTTP2(true)
	} else {
		p.SetUnencryptedHTTP2(true)
	}
	return p
}

// Close stops in order: HTTP, then workers (running jobs get a grace period,
// then are cancelled and snooze back into the queue), then the database.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.stopHousekeeping != nil {
		m.stopHousekeeping()
	}
	if m.stopKeys != nil {
		m.stopKeys()
	}
	if m.http != nil {
		hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		errs = append(errs, m.http.Shutdown(hctx))
		cancel()
	}
	if m.metricsHTTP != nil {
		errs = append(errs, m.metricsHTTP.Close())
	}
	if m.redirectHTTP != nil {
		errs = append(errs, m.redirectHTTP.Close())
	}
	if m.acme != nil {
		m.acme.Stop()
	}
	if m.queue != nil {
		qctx, cancel := context.WithTimeout(ctx, m.Config.ShutdownTimeout)
		errs = append(errs, m.queue.Stop(qctx))
		cancel()
	}
	if m.live != nil { // after the queue, before the database: handing over a recording inserts a job
		lctx, cancel := context.WithTimeout(ctx, m.Config.ShutdownTimeout)
		errs = append(errs, m.live.Stop(lctx))
		cancel()
	}
	if m.backends != nil {
		m.backends.close()
	}
	return errors.Join(errs...)
}
