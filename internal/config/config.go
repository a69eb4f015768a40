// Package config holds kinema's settings: defaults, environment overrides,
// command-line flags (which win) and validation.
package config

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// Config is every setting of `kinema serve`.
type Config struct {
	Addr       string        // HTTP listen address
	SRTAddr    string        // live SRT ingest; empty disables
	RTMPAddr   string        // live RTMP ingest; empty disables
	LiveDVR    time.Duration // how far back live viewers can seek
	LiveGrace  time.Duration // a live publisher may reconnect this long after dropping
	DataDir    string        // SQLite, objects, keys and scratch live here
	DB         string        // "sqlite:PATH" or a postgres:// URL; empty means SQLite in DataDir
	Store      string        // a directory or s3://BUCKET[/PREFIX]; empty means DataDir/objects
	RawStore   string        // where uploads are kept, same forms as Store; empty means Store (under raw/)
	Workers    int           // in-process job concurrency; 0 runs the API alone
	AdminToken string        // bootstrap admin API key (env only, never a flag)
	PublicURL  string        // origin used in signed URLs; empty means the request's host
	// TrustedProxies lists reverse proxies (addresses or CIDR prefixes,
	// comma-separated) whose X-Forwarded-For gives the client's address.
	TrustedProxies string
	// MetricsAddr serves /metrics on a listener of its own, never the public
	// one. Empty: no listener of its own (a worker then serves /metrics on
	// its private Addr, serve not at all); "off" disables /metrics.
	MetricsAddr string

	FFmpeg  string
	FFprobe string
	// FFmpegMemory is the address-space ceiling of every ffmpeg and ffprobe
	// process in bytes: 0 sizes it from the machine, -1 ("off") disables it
	// (see FFmpegMemoryLimit).
	FFmpegMemory int64

	Ladder media.LadderConfig
	Limits media.Limits

	// Object store details for s3:// stores (credentials come from the usual
	// AWS_* variables).
	S3Endpoint  string
	S3PathStyle bool
	// Direct-to-store uploads.
	S3WebhookSecret    string
	MultipartThreshold int64
	MultipartPartSize  int64
	// SplitMinBytes: sources this big or bigger are cut at keyframes so each
	// chunk job fetches only its piece (pipeline.Config.SplitMinBytes).
	SplitMinBytes int64

	PlaybackTTL     time.Duration
	PlaybackBindIP  bool // bind API-issued playback URLs and cookies to the caller's IP
	UploadTTL       time.Duration
	JobTimeout      time.Duration
	RescueAfter     time.Duration
	LeaseTTL        time.Duration // a worker silent this long is presumed dead; its running jobs move on
	MaxAttempts     int
	ShutdownTimeout time.Duration

	// Accounts.
	Signup     string        // sign-up mode until an admin changes it: open, invite or closed
	SessionTTL time.Duration // idle lifetime of a browser session

	// CloudFront mode: when CloudFrontDomain is set, playback URLs and
	// cookies are CloudFront-signed for that distribution.
	CloudFrontDomain     string
	CloudFrontKeyPairID  string
	CloudFrontPrivateKey string // path to the PEM RSA private key
	// CloudFrontCookieDomain is the Domain of CloudFront cookies, e.g.
	// "example.com" when kinema is app.example.com and the distribution
	// cdn.example.com; empty means host-only cookies.
	CloudFrontCookieDomain string

	// RestreamAllowPrivate lets live restreams reach loopback and private
	// addresses (a relay on the same host or network).
	RestreamAllowPrivate bool
	// WebhookAllowPrivate lets webhooks reach loopback and private
	// addresses; off by default so users cannot probe the internal network.
	WebhookAllowPrivate bool

	// HTTPS on Addr (see TLSEnabled): either a certificate and key file
	// (re-read when they change) or automatic certificates for TLSDomains
	// from the ACME CA at ACMECA.
	TLSCert    string
	TLSKey     string
	TLSDomains string // comma-separated host names
	ACMECA     string // ACME directory URL; empty means Let's Encrypt
	// ACMECARoot is a PEM file of roots to trust for the ACME server's own
	// https (a private CA or a test server like Pebble); empty: the system's.
	ACMECARoot  string
	ACMEEmail   string
	ACMEStorage string // where certificates and the ACME account live; empty means DataDir/acme
	// RedirectAddr is a plain-http listener that redirects to https and
	// answers ACME http-01 challenges; empty: none.
	RedirectAddr string
}

// Default returns the embedded defaults: everything under ./data.
func Default() Config {
	return Config{
		Addr:    ":8080",
		DataDir: "./data",
		// Live ingest is on out of the box; a port already taken is logged
		// and the rest of the server keeps serving.
		SRTAddr:  ":9710",
		RTMPAddr: ":1935",
		// One encode job already keeps about two cores busy (x264 threads in
		// every rung); on 2 cores two concurrent chunk jobs measured 8%
		// slower than the same jobs back to back.
		Workers:         max(1, runtime.NumCPU()/2),
		FFmpeg:          "ffmpeg",
		FFprobe:         "ffprobe",
		Ladder:          serverLadder(),
		Limits:          media.Limits{MaxDuration: 6 * 3600, MaxPixels: 4096 * 2304, MaxBytes: 20 << 30, MaxFPS: 480, MaxSampleRate: 384_000, MaxChannels: 32, MaxStreams: 64},
		PlaybackTTL:     6 * time.Hour,
		UploadTTL:       24 * time.Hour,
		JobTimeout:      2 * time.Hour,
		RescueAfter:     2*time.Hour + 5*time.Minute,
		LeaseTTL:        10 * time.Second,
		MaxAttempts:     3,
		ShutdownTimeout: 20 * time.Second,
		Signup:          "closed",
		SessionTTL:      14 * 24 * time.Hour,
		SplitMinBytes:   256 << 20,
		// Loopback, and not the worker's 127.0.0.1:9090, so serve and a
		// worker on one machine both start with defaults.
		MetricsAddr: "127.0.0.1:9091",
	}
}

// Paths derived from DataDir.
func (c Config) StoreDir() string {
	if c.Store != "" && !strings.Contains(c.Store, "://") {
		return c.Store
	}
	return filepath.Join(c.DataDir, "objects")
}

// SQLitePath is the catalog database file when DB is not PostgreSQL.
func (c Config) SQLitePath() string {
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok && p != "" {
		return p
	}
	return filepath.Join(c.DataDir, "kinema.db")
}
func (c Config) KeysDir() string    { return filepath.Join(c.DataDir, "keys") }
func (c Config) ScratchDir() string { return filepath.Join(c.DataDir, "scratch") }
func (c Config) TusDir() string     { return filepath.Join(c.DataDir, "tus") }
func (c Config) LiveDir() string    { return filepath.Join(c.DataDir, "live") }

// IngestAddrs returns the SRT and RTMP listen addresses, "" for a listener
// that is off: empty, or "off" (the environment's way to say so, where an
// empty value means "not set").
func (c Config) IngestAddrs() (srt, rtmp string) {
	off := func(a string) string {
		if strings.EqualFold(strings.TrimSpace(a), "off") {
			return ""
		}
		return a
	}
	return off(c.SRTAddr), off(c.RTMPAddr)
}

// TLSEnabled reports whether Addr serves https.
func (c Config) TLSEnabled() bool { return c.TLSCert != "" || c.TLSDomains != "" }

// ACMEDir is where automatic certificates are kept; API nodes behind one
// name share it (a shared directory) so they do not each order their own.
func (c Config) ACMEDir() string {
	if c.ACMEStorage != "" {
		return c.ACMEStorage
	}
	return filepath.Join(c.DataDir, "acme")
}

// Domains is TLSDomains as a list.
func (c Config) Domains() []string {
	var out []string
	for _, d := range strings.Split(c.TLSDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Bind registers flags on fs whose defaults come from the environment (via
// getenv) over the current values, so precedence is flag > env > default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	env := func(name string, dst any) {
		v := getenv(name)
		if v == "" {
			return
		}
		if err := parseInto(v, dst); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	env("KINEMA_ADDR", &c.Addr)
	env("KINEMA_METRICS_ADDR", &c.MetricsAddr)
	env("KINEMA_DATA", &c.DataDir)
	env("KINEMA_SRT_ADDR", &c.SRTAddr)
	env("KINEMA_RTMP_ADDR", &c.RTMPAddr)
	env("KINEMA_LIVE_DVR", &c.LiveDVR)
	env("KINEMA_LIVE_GRACE", &c.LiveGrace)
	env("KINEMA_DB", &c.DB)
	env("KINEMA_STORE", &c.Store)
	env("KINEMA_RAW_STORE", &c.RawStore)
	env("KINEMA_WORKERS", &c.Workers)
	env("KINEMA_ADMIN_TOKEN", &c.AdminToken)
	env("KINEMA_PUBLIC_URL", &c.PublicURL)
	env("KINEMA_TRUSTED_PROXIES", &c.TrustedProxies)
	env("KINEMA_FFMPEG", &c.FFmpeg)
	env("KINEMA_FFPROBE", &c.FFprobe)
	env("KINEMA_PRESET", &c.Ladder.Preset)
	env("KINEMA_AV1_MAX_HEIGHT", &c.Ladder.AV1MaxHeight)
	env("KINEMA_CRF", &c.Ladder.CRF)
	env("KINEMA_ENCODER_THREADS", &c.Ladder.Threads)
	env("KINEMA_SEGMENT_SECONDS", &c.Ladder.SegmentSeconds)
	env("KINEMA_SEGMENTS_PER_CHUNK", &c.Ladder.SegmentsPerChunk)
	env("KINEMA_FIRST_CHUNK_SEGMENTS", &c.Ladder.FirstChunkSegments)
	env("KINEMA_FIRST_SEGMENT_SECONDS", &c.Ladder.FirstSegmentSeconds)
	env("KINEMA_MAX_UPLOAD_BYTES", &c.Limits.MaxBytes)
	env("KINEMA_MAX_DURATION", &c.Limits.MaxDuration)
	env("KINEMA_QUOTA_PROCESSING_MINUTES", &c.Limits.Quota.ProcessingMinutes)
	env("KINEMA_QUOTA_PERIOD", &c.Limits.Quota.Period)
	env("KINEMA_QUOTA_STORAGE_BYTES", &c.Limits.Quota.StorageBytes)
	env("KINEMA_PLAYBACK_TTL", &c.PlaybackTTL)
	env("KINEMA_UPLOAD_TTL", &c.UploadTTL)
	env("KINEMA_JOB_TIMEOUT", &c.JobTimeout)
	env("KINEMA_RESCUE_AFTER", &c.RescueAfter)
	env("KINEMA_WORKER_LEASE", &c.LeaseTTL)
	env("KINEMA_MAX_ATTEMPTS", &c.MaxAttempts)
	env("KINEMA_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	env("KINEMA_S3_ENDPOINT", &c.S3Endpoint)
	env("KINEMA_S3_WEBHOOK_SECRET", &c.S3WebhookSecret)
	env("KINEMA_MULTIPART_THRESHOLD", &c.MultipartThreshold)
	env("KINEMA_MULTIPART_PART_SIZE", &c.MultipartPartSize)
	env("KINEMA_SPLIT_MIN_BYTES", &c.SplitMinBytes)
	env("KINEMA_SIGNUP", &c.Signup)
	env("KINEMA_SESSION_TTL", &c.SessionTTL)
	env("KINEMA_CLOUDFRONT_DOMAIN", &c.CloudFrontDomain)
	env("KINEMA_CLOUDFRONT_KEY_PAIR_ID", &c.CloudFrontKeyPairID)
	env("KINEMA_CLOUDFRONT_PRIVATE_KEY", &c.CloudFrontPrivateKey)
	env("KINEMA_CLOUDFRONT_COOKIE_DOMAIN", &c.CloudFrontCookieDomain)
	env("KINEMA_TLS_CERT", &c.TLSCert)
	env("KINEMA_TLS_KEY", &c.TLSKey)
	env("KINEMA_TLS_DOMAIN", &c.TLSDomains)
	env("KINEMA_ACME_CA", &c.ACMECA)
	env("KINEMA_ACME_CA_ROOT", &c.ACMECARoot)
	env("KINEMA_ACME_EMAIL", &c.ACMEEmail)
	env("KINEMA_ACME_STORAGE", &c.ACMEStorage)
	env("KINEMA_REDIRECT_ADDR", &c.RedirectAddr)
	c.S3PathStyle = c.S3PathStyle || getenv("KINEMA_S3_PATH_STYLE") == "true"
	c.PlaybackBindIP = c.PlaybackBindIP || getenv("KINEMA_PLAYBACK_BIND_IP") == "true"
	c.WebhookAllowPrivate = c.WebhookAllowPrivate || getenv("KINEMA_WEBHOOK_ALLOW_PRIVATE") == "true"
	c.RestreamAllowPrivate = c.RestreamAllowPrivate || getenv("KINEMA_RESTREAM_ALLOW_PRIVATE") == "true"
	if v := getenv("KINEMA_CODECS"); v != "" {
		if err := c.setCodecs(v); err != nil {
			errs = append(errs, fmt.Errorf("KINEMA_CODECS: %w", err))
		}
	}
	if v := getenv("KINEMA_LADDER_MODE"); v != "" {
		c.Ladder.Mode = media.LadderMode(v)
	}
	if v := getenv("KINEMA_RATE_CONTROL"); v != "" {
		c.Ladder.RateControl = media.RateControl(v)
	}
	if v := getenv("KINEMA_FFMPEG_MEMORY"); v != "" {
		n, err := ParseBytes(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("KINEMA_FFMPEG_MEMORY: %w", err))
		}
		c.FFmpegMemory = n
	}
	if v := getenv("KINEMA_LADDER"); v != "" {
		if err := c.setLadder(v); err != nil {
			errs = append(errs, fmt.Errorf("KINEMA_LADDER: %w", err))
		}
	}

	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (KINEMA_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "listen address of /metrics, loopback by default; off disables (KINEMA_METRICS_ADDR)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (KINEMA_DATA)")
	fs.StringVar(&c.SRTAddr, "srt-addr", c.SRTAddr, "SRT ingest listen address, empty or off disables (KINEMA_SRT_ADDR)")
	fs.StringVar(&c.RTMPAddr, "rtmp-addr", c.RTMPAddr, "RTMP ingest listen address, empty or off disables (KINEMA_RTMP_ADDR)")
	fs.StringVar(&c.DB, "db", c.DB, "catalog and queue database: sqlite:PATH or postgres://... (KINEMA_DB)")
	fs.StringVar(&c.Store, "store", c.Store, "object store: a directory or s3://BUCKET[/PREFIX] (KINEMA_STORE)")
	fs.StringVar(&c.RawStore, "raw-store", c.RawStore, "separate store for uploaded sources: a directory or s3://BUCKET[/PREFIX] (KINEMA_RAW_STORE)")
	fs.IntVar(&c.Workers, "workers", c.Workers, "in-process pipeline workers; 0 serves the API only (KINEMA_WORKERS)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "public origin for signed URLs (KINEMA_PUBLIC_URL)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "reverse proxies whose X-Forwarded-For is believed, e.g. 10.0.0.0/8 (KINEMA_TRUSTED_PROXIES)")
	fs.StringVar(&c.Ladder.Preset, "preset", c.Ladder.Preset, "x264 preset (KINEMA_PRESET)")
	fs.Func("rate-control", "crf (capped CRF, default) or cbr (KINEMA_RATE_CONTROL)", func(v string) error {
		c.Ladder.RateControl = media.RateControl(v)
		return nil
	})
	fs.StringVar(&c.Signup, "signup", c.Signup, "sign-up mode until an admin sets one: open, invite or closed (KINEMA_SIGNUP)")
	fs.StringVar(&c.CloudFrontDomain, "cloudfront-domain", c.CloudFrontDomain, "sign playback for this CloudFront distribution domain (KINEMA_CLOUDFRONT_DOMAIN)")
	fs.StringVar(&c.CloudFrontKeyPairID, "cloudfront-key-pair-id", c.CloudFrontKeyPairID, "CloudFront public key id (KINEMA_CLOUDFRONT_KEY_PAIR_ID)")
	fs.StringVar(&c.CloudFrontPrivateKey, "cloudfront-private-key", c.CloudFrontPrivateKey, "PEM file of the CloudFront RSA private key (KINEMA_CLOUDFRONT_PRIVATE_KEY)")
	fs.StringVar(&c.CloudFrontCookieDomain, "cloudfront-cookie-domain", c.CloudFrontCookieDomain, "Domain of CloudFront signed cookies, a parent of both kinema's and the distribution's host (KINEMA_CLOUDFRONT_COOKIE_DOMAIN)")
	fs.BoolVar(&c.PlaybackBindIP, "playback-bind-ip", c.PlaybackBindIP, "bind playback URLs and cookies to the viewer's IP (KINEMA_PLAYBACK_BIND_IP=true)")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "let webhooks reach loopback and private addresses (KINEMA_WEBHOOK_ALLOW_PRIVATE=true)")
	fs.BoolVar(&c.RestreamAllowPrivate, "restream-allow-private", c.RestreamAllowPrivate, "let live restreams reach loopback and private addresses (KINEMA_RESTREAM_ALLOW_PRIVATE=true)")
	fs.Func("codecs", "video codecs of the ladder: h264 plus optionally hevc and av1, e.g. h264,av1 (KINEMA_CODECS)", c.setCodecs)
	fs.IntVar(&c.Ladder.AV1MaxHeight, "av1-max-height", c.Ladder.AV1MaxHeight, "with --codecs ...,av1: AV1 rungs only up to this height (short side), e.g. 720; 0 = every rung (KINEMA_AV1_MAX_HEIGHT)")
	fs.Func("ladder-mode", "per-title (measure each source, default) or fixed (KINEMA_LADDER_MODE)", func(v string) error {
		c.Ladder.Mode = media.LadderMode(v)
		return nil
	})
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "serve https with this PEM certificate (chain) file, re-read when it changes (KINEMA_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "PEM private key of --tls-cert (KINEMA_TLS_KEY)")
	fs.StringVar(&c.TLSDomains, "tls-domain", c.TLSDomains, "serve https with automatic ACME certificates for these comma-separated names (KINEMA_TLS_DOMAIN)")
	fs.StringVar(&c.ACMECA, "acme-ca", c.ACMECA, "ACME directory URL, default Let's Encrypt (KINEMA_ACME_CA)")
	fs.StringVar(&c.ACMECARoot, "acme-ca-root", c.ACMECARoot, "PEM roots trusted for the ACME server's own https, e.g. a private CA (KINEMA_ACME_CA_ROOT)")
	fs.StringVar(&c.ACMEEmail, "acme-email", c.ACMEEmail, "contact email of the ACME account (KINEMA_ACME_EMAIL)")
	fs.StringVar(&c.ACMEStorage, "acme-storage", c.ACMEStorage, "directory of ACME certificates and account, shared by API nodes; default DATA/acme (KINEMA_ACME_STORAGE)")
	fs.StringVar(&c.RedirectAddr, "redirect-addr", c.RedirectAddr, "plain-http listener that redirects to https and answers ACME http-01, e.g. :80 (KINEMA_REDIRECT_ADDR)")
	fs.Func("ladder", "rung heights by short side, e.g. 1080,720,480 (KINEMA_LADDER)", c.setLadder)
	return errors.Join(errs...)
}

func (c *Config) setCodecs(v string) error {
	codecs, err := media.ParseCodecs(v)
	if err != nil {
		return err
	}
	c.Ladder.Codecs = codecs
	return nil
}

func (c *Config) setLadder(v string) error {
	var hs []int
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 2 {
			return fmt.Errorf("bad rung %q", part)
		}
		hs = append(hs, n)
	}
	c.Ladder.Heights = hs
	return nil
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory must be set"))
	}
	if c.Workers < 0 {
		errs = append(errs, errors.New("workers must be 0 or more"))
	}
	if rc := c.Ladder.RateControl; rc != media.RateCappedCRF && rc != media.RateCBR {
		errs = append(errs, fmt.Errorf("rate control must be crf or cbr, not %q", rc))
	}
	if m := c.Ladder.Mode; m != media.LadderFixed && m != media.LadderPerTitle {
		errs = append(errs, fmt.Errorf("ladder mode must be per-title or fixed, not %q", m))
	}
	if c.Ladder.AV1MaxHeight < 0 {
		errs = append(errs, errors.New("av1-max-height must be 0 or more"))
	}
	if c.Ladder.SegmentSeconds < 1 || c.Ladder.SegmentSeconds > 12 {
		errs = append(errs, errors.New("segment length must be between 1 and 12 seconds"))
	}
	if c.Ladder.FirstSegmentSeconds < 0 {
		// One as long as a segment or longer leaves the first GOP whole.
		errs = append(errs, errors.New("the first segment's length must be 0 (as long as the others) or more"))
	}
	if c.Ladder.SegmentsPerChunk < 1 {
		errs = append(errs, errors.New("segments per chunk must be at least 1"))
	}
	if c.AdminToken != "" && len(c.AdminToken) < 8 {
		errs = append(errs, errors.New("KINEMA_ADMIN_TOKEN must be at least 8 characters"))
	}
	if c.Signup != "open" && c.Signup != "invite" && c.Signup != "closed" {
		errs = append(errs, fmt.Errorf("sign-up mode must be open, invite or closed, not %q", c.Signup))
	}
	if c.CloudFrontDomain != "" && (c.CloudFrontKeyPairID == "" || c.CloudFrontPrivateKey == "") {
		errs = append(errs, errors.New("CloudFront mode needs the key pair id and the private key file"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	if c.TLSCert != "" && c.TLSDomains != "" {
		errs = append(errs, errors.New("--tls-cert and --tls-domain exclude each other: give a certificate or have one issued"))
	}
	if c.TLSDomains == "" && (c.ACMECA != "" || c.ACMECARoot != "" || c.ACMEEmail != "" || c.ACMEStorage != "") {
		errs = append(errs, errors.New("the --acme-* settings need --tls-domain"))
	}
	if c.RedirectAddr != "" && !c.TLSEnabled() {
		errs = append(errs, errors.New("--redirect-addr needs https (--tls-cert or --tls-domain)"))
	}
	if c.LeaseTTL < 5*time.Second {
		errs = append(errs, errors.New("KINEMA_WORKER_LEASE must be at least 5s: shorter, a busy but healthy worker could lose its jobs"))
	}
	if c.PlaybackTTL < time.Minute {
		errs = append(errs, errors.New("playback TTL must be at least a minute"))
	}
	if c.UploadTTL < time.Minute { // direct uploads need a minute to start
		errs = append(errs, errors.New("upload TTL must be at least a minute"))
	}
	return errors.Join(errs...)
}

func parseInto(v string, dst any) error {
	var err error
	switch d := dst.(type) {
	case *string:
		*d = v
	case *int:
		*d, err = strconv.Atoi(v)
	case *int64:
		*d, err = strconv.ParseInt(v, 10, 64)
	case *float64:
		*d, err = strconv.ParseFloat(v, 64)
	case *time.Duration:
		*d, err = time.ParseDuration(v)
	default:
		err = fmt.Errorf("unsupported type %T", dst)
	}
	return err
}

// serverLadder is the default ladder with a one-second first segment
// alone in the first chunk: it is encoded first, so a video plays a moment
// after probing (progressive playback, #12); and per-title: the source's complexity is measured at
// probe (about 1 CPU-second for a 1080p source) and easy content gets fewer
// rungs and lower caps (docs/benchmarks.md, "Quality per bit").
func serverLadder() media.LadderConfig {
	l := media.DefaultLadderConfig()
	l.FirstChunkSegments = 1
	l.FirstSegmentSeconds = 1
	l.Mode = media.LadderPerTitle
	return l
}
