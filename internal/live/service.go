package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	srt "github.com/datarhei/gosrt"
	rtmp "github.com/yutopp/go-rtmp"

	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// Publish refusals. Ingest listeners map them to protocol rejections.
var (
	ErrUnknownKey = errors.New("live: unknown stream key")
	ErrBusy       = errors.New("live: the stream already has a publisher")
	ErrEnded      = errors.New("live: the stream has ended")
	ErrOverloaded = errors.New("live: too many live streams")
	ErrShutdown   = errors.New("live: server shutting down")
)

// Recording is what a finished broadcast leaves behind for its video. The
// live ladder is the VOD ladder: the video is made of the live CMAF segments
// themselves (remuxed, never encoded again), so it is complete and ready
// moments after the broadcast ends, whatever the load was.
type Recording struct {
	StreamID, Title, OwnerID string
	// Source is every byte the publishers sent, in order, exactly as
	// received (MPEG-TS from SRT, FLV rebuilt from RTMP messages): the
	// video's source, for a later reprocess. SourceFormat is "mpegts" or
	// "flv".
	Source, SourceFormat string
	// Tracks are the live renditions (video rungs first, then audio), each
	// with its init segment and every media segment of the broadcast in
	// order. Empty when the transcoder never started.
	Tracks         []Track
	SegmentSeconds float64
}

// Track is one live rendition's files.
type Track struct {
	Rendition media.Rendition
	Init      string
	Segments  []string
}

// RecordFunc turns a finished broadcast into a normal video and returns
// its id. It must have copied what it needs by the time it returns; the
// service then deletes the kept input (and keeps it, logged, on error).
type RecordFunc func(ctx context.Context, rec Recording) (videoID string, err error)

// Config tunes the live service. Zero fields take DefaultConfig's values.
type Config struct {
	Dir string // out/<id>/ (served), work/<id>/ (FIFO, kept input)
	// Registry keeps the streams (the catalog on a server); nil keeps them
	// in memory. A streams.json left in Dir by an older version is moved
	// into it at start.
	Registry Registry
	// Store, when set, receives the live output under live/<id>/ as it is
	// written, so every API node on the same store serves the stream, also
	// after this node restarts.
	Store storage.Store
	// Node names this ingest node in the registry; "" means the host name
	// and the absolute Dir, stable across restarts.
	Node       string
	SRTAddr    string // SRT listen address; "" disables SRT
	RTMPAddr   string // RTMP listen address; "" disables RTMP
	PublicHost string // host put into publish URLs; "" means the API request's host
	// RestreamAllowPrivate lets restreams reach loopback, private and
	// link-local addresses (config.Config.RestreamAllowPrivate); off, a
	// streamer cannot make this server connect into its own network.
	RestreamAllowPrivate bool
	// ClientIPFunc gives the viewer's address for IP-bound tokens; nil means
	// the connection's address.
	ClientIPFunc func(r *http.Request) netip.Addr

	Ladder         media.LadderConfig // Heights, Preset, MaxFPS, AudioBitrate are used
	SegmentSeconds float64
	DVRWindow      time.Duration // how far back a viewer can seek
	Grace          time.Duration // a publisher may reconnect this long after dropping
	MaxSessions    int           // concurrent broadcasts; each runs one ffmpeg
	ProbeAfter     time.Duration // input buffered before the first probe
	ProbeTimeout   time.Duration // no decodable media by then ends the broadcast
	PlaybackTTL    time.Duration
}

// DefaultConfig returns the defaults: 2 s segments, a 60 s DVR window, a
// 10 s reconnect grace period and a 720p-and-down ladder, which one
// broadcast can sustain in real time on two cores.
func DefaultConfig() Config {
	l := media.DefaultLadderConfig()
	l.Heights = []int{720, 480, 360, 240}
	l.SegmentSeconds = 2
	return Config{
		SRTAddr: ":9710", RTMPAddr: ":1935",
		Ladder: l, SegmentSeconds: 2, DVRWindow: 60 * time.Second, Grace: 10 * time.Second,
		MaxSessions: 2, ProbeAfter: time.Second, ProbeTimeout: 8 * time.Second, PlaybackTTL: 6 * time.Hour,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if len(c.Ladder.Heights) == 0 {
		c.Ladder = d.Ladder
	}
	c.Ladder.SegmentSeconds = c.SegmentSeconds
	if c.SegmentSeconds <= 0 {
		c.SegmentSeconds, c.Ladder.SegmentSeconds = d.SegmentSeconds, d.SegmentSeconds
	}
	for _, p := range []struct{ v, d *time.Duration }{{&c.DVRWindow, &d.DVRWindow}, {&c.Grace, &d.Grace},
		{&c.ProbeAfter, &d.ProbeAfter}, {&c.ProbeTimeout, &d.ProbeTimeout}, {&c.PlaybackTTL, &d.PlaybackTTL}} {
		if *p.v <= 0 {
			*p.v = *p.d
		}
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = d.MaxSessions
	}
	return c
}

// Keys signs and verifies play tokens: *auth.Keys for a fixed key set, or
// *auth.KeyRing so that a key rotation or removal applies while the service
// runs.
type Keys interface {
	Sign(c auth.Claims) (string, error)
	Verify(token, purpose string, now time.Time) (auth.Claims, error)
}

// Service is the live component: registry, ingest listeners and sessions.
type Service struct {
	cfg    Config
	ff     *ffmpeg.Runner
	keys   Keys
	record RecordFunc
	log    *slog.Logger
	now    func() time.Time
	reg    *registry
	views  viewers
	ll     llHub // LL-HLS state of the broadcasts this process runs

	// ctx outlives Stop's first phase: ffmpeg and recordings run on it and
	// are only cancelled when Stop's own deadline passes.
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	sessions map[string]*session
	stopped  bool
	stopC    chan struct{} // closed by Stop
	sweeping bool
	srtLn    srt.Listener
	rtmpLn   net.Listener
	rtmpSrv  *rtmp.Server
}

// New opens the registry in cfg.Dir. record may be nil (recordings are then
// kept on disk and logged); a nil logger discards and a nil now is time.Now.
func New(cfg Config, ff *ffmpeg.Runner, keys Keys, record RecordFunc, log *slog.Logger, now func() time.Time) (*Service, error) {
	if cfg.Dir == "" {
		return nil, errors.New("live: Config.Dir is required")
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	for _, d := range []string{cfg.Dir, filepath.Join(cfg.Dir, "out"), filepath.Join(cfg.Dir, "work")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
	}
	if cfg.Registry == nil {
		cfg.Registry = NewMemoryRegistry()
	}
	if cfg.Node == "" {
		host, _ := os.Hostname()
		abs, err := filepath.Abs(cfg.Dir)
		if err != nil {
			return nil, fmt.Errorf("live: %w", err)
		}
		cfg.Node = host + ":" + abs
	}
	ictx, icancel := context.WithTimeout(context.Background(), time.Minute)
	err := importStreamsJSON(ictx, cfg.Dir, cfg.Registry, log)
	icancel()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Service{cfg: cfg, ff: ff, keys: keys, record: record, log: log, now: now, reg: &registry{r: cfg.Registry, log: log},
		ctx: ctx, cancel: cancel, sessions: map[string]*session{}, stopC: make(chan struct{})}, nil
}

// Start recovers broadcasts cut off by a restart and opens the listeners.
// A listener that cannot open (port taken, no permission) is logged with
// what to do and left off; the other one and the rest of the server keep
// serving. SRTAddr/RTMPAddr then answer "" for it.
func (s *Service) Start(ctx context.Context) error {
	s.recoverInterrupted()
	s.mu.Lock()
	if !s.sweeping && !s.stopped {
		s.sweeping = true
		s.wg.Add(1)
		go s.sweepDeleted()
	}
	s.mu.Unlock()
	if s.cfg.SRTAddr != "" {
		conf := srt.DefaultConfig()
		ln, err := srt.Listen("srt", s.cfg.SRTAddr, conf)
		if err != nil {
			s.log.Error("SRT ingest is off: cannot listen on "+s.cfg.SRTAddr+" (is another program using the port?); "+
				"choose another with --srt-addr or KINEMA_SRT_ADDR, or turn it off with KINEMA_SRT_ADDR=off",
				"addr", s.cfg.SRTAddr, "err", err)
		} else {
			s.mu.Lock()
			s.srtLn = ln
			s.mu.Unlock()
			go s.serveSRT(ln)
		}
	}
	if s.cfg.RTMPAddr != "" {
		ln, err := net.Listen("tcp", s.cfg.RTMPAddr)
		if err != nil {
			s.log.Error("RTMP ingest is off: cannot listen on "+s.cfg.RTMPAddr+" (is another program using the port?); "+
				"choose another with --rtmp-addr or KINEMA_RTMP_ADDR, or turn it off with KINEMA_RTMP_ADDR=off",
				"addr", s.cfg.RTMPAddr, "err", err)
		} else {
			s.mu.Lock()
			s.rtmpLn = ln
			s.rtmpSrv = s.newRTMPServer()
			srv := s.rtmpSrv
			s.mu.Unlock()
			go func() { _ = srv.Serve(ln) }()
		}
	}
	if a, b := s.SRTAddr(), s.RTMPAddr(); a != "" || b != "" {
		s.log.Info("live ingest listening", "srt", a, "rtmp", b)
	}
	return nil
}

// Stop refuses new publishers, ends every broadcast as if its publisher had
// left for good (so recordings are still handed over), and waits. When ctx
// ends first, ffmpeg processes are killed. Safe to call twice.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopped {
		close(s.stopC)
	}
	s.stopped = true
	sessions := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	s.mu.Unlock()
	s.closeListeners()
	for _, ss := range sessions {
		ss.shutdown()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.cancel(ErrShutdown)
		<-done
		return fmt.Errorf("live: stop: %w", ctx.Err())
	}
}

func (s *Service) stopCh() <-chan struct{} { return s.stopC }

func (s *Service) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srtLn != nil {
		s.srtLn.Close()
		s.srtLn = nil
	}
	if s.rtmpSrv != nil {
		_ = s.rtmpSrv.Close()
		s.rtmpSrv = nil
	} else if s.rtmpLn != nil {
		_ = s.rtmpLn.Close()
	}
	s.rtmpLn = nil
}

// SRTAddr and RTMPAddr return the bound listener addresses ("" when off),
// useful after listening on port 0.
func (s *Service) SRTAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srtLn == nil {
		return ""
	}
	return s.srtLn.Addr().String()
}

// RTMPAddr: see SRTAddr.
func (s *Service) RTMPAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rtmpLn == nil {
		return ""
	}
	return s.rtmpLn.Addr().String()
}

// Create adds an idle stream with a fresh secret key.
func (s *Service) Create(ctx context.Context, title, ownerID string) (Stream, error) {
	return s.reg.create(ctx, title, ownerID, s.now())
}

// Get returns the stream, or an error wrapping media.ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Stream, error) {
	return s.cfg.Registry.LiveStream(ctx, id)
}

// List returns every stream, newest first.
func (s *Service) List(ctx context.Context) ([]Stream, error) { return s.reg.list(ctx) }

// PublishURLs returns complete publish URLs for st, usable as-is by ffmpeg
// and OBS. host is used when Config.PublicHost is empty; a port in it is
// ignored.
func (s *Service) PublishURLs(host string, st Stream) (srtURL, rtmpURL string) {
	if s.cfg.PublicHost != "" {
		host = s.cfg.PublicHost
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if p := port(s.SRTAddr(), s.cfg.SRTAddr); p != "" {
		// Both the "publish:" prefix and the SRT access-control syntax
		// (#!::r=KEY,m=publish) are accepted; the short form is easier to
		// paste into OBS. Not escaped: ffmpeg 5.1 passes the value on
		// without URL-decoding, and ':' is legal in a query anyway.
		srtURL = "srt://" + net.JoinHostPort(host, p) + "?streamid=publish:" + st.StreamKey
		if st.Passphrase != "" { // CheckPassphrase keeps it URL-safe
			srtURL += "&passphrase=" + st.Passphrase
		}
	}
	if p := port(s.RTMPAddr(), s.cfg.RTMPAddr); p != "" {
		rtmpURL = "rtmp://" + net.JoinHostPort(host, p) + "/live/" + st.StreamKey
	}
	return srtURL, rtmpURL
}

func port(bound, configured string) string {
	for _, a := range []string{bound, configured} {
		if _, p, err := net.SplitHostPort(a); err == nil && p != "" && p != "0" {
			return p
		}
	}
	return ""
}

// Playback is the set of signed URLs for watching a stream.
type Playback struct {
	HLS       string    `json:"hls"`
	LLHLS     string    `json:"ll_hls,omitempty"` // Low-Latency HLS, for players that support it
	DASH      string    `json:"dash"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PlaybackURLs signs a play token for stream id, the same kind of token VOD
// uses, and returns the manifest URLs under base (e.g. "http://host:8080").
func (s *Service) PlaybackURLs(base, id string) (Playback, error) {
	exp := s.now().Add(s.cfg.PlaybackTTL).Truncate(time.Second)
	tok, err := s.keys.Sign(auth.Claims{VideoID: id, Purpose: auth.PurposePlay, ExpiresAt: exp})
	if err != nil {
		return Playback{}, fmt.Errorf("live: playback urls: %w", err)
	}
	prefix := strings.TrimRight(base, "/") + PathPrefix + id + "/"
	q := "?token=" + url.QueryEscape(tok)
	return Playback{HLS: prefix + masterName + q, LLHLS: prefix + llMasterName + q, DASH: prefix + mpdName + q, ExpiresAt: exp.UTC()}, nil
}

// publish authorizes a publisher and attaches it to its stream's session,
// starting the session on the first publish.
func (s *Service) publish(key, format string) (*publisher, error) {
	st, ok := s.reg.byStreamKey(key)
	if !ok || key == "" {
		return nil, ErrUnknownKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, ErrShutdown
	}
	ss := s.sessions[st.ID]
	if ss == nil {
		if st.Status == StatusLive {
			return nil, ErrBusy // another node runs it
		}
		if st.Status != StatusIdle {
			return nil, ErrEnded
		}
		if len(s.sessions) >= s.cfg.MaxSessions {
			return nil, ErrOverloaded
		}
		// Atomic: of two nodes taking the first publish of one stream at
		// the same moment (a load balancer, two encoders with one key),
		// one runs the broadcast and the other answers busy.
		won, err := s.reg.claim(st.ID, s.cfg.Node, s.now().UTC())
		if err != nil {
			return nil, err
		}
		if !won {
			if cur, ok := s.reg.get(st.ID); ok && cur.Status == StatusEnded {
				return nil, ErrEnded
			}
			return nil, ErrBusy
		}
		if ss, err = newSession(s, st, format); err != nil {
			_ = s.reg.update(st.ID, func(x *Stream) {
				if x.Status == StatusLive && x.Node == s.cfg.Node {
					x.Status, x.StartedAt, x.Node = StatusIdle, time.Time{}, ""
				}
			})
			return nil, err
		}
		s.sessions[st.ID] = ss
		s.wg.Add(1)
		go ss.watchHealth()
	}
	pub, err := ss.attach(format)
	if err != nil {
		return nil, err
	}
	_ = s.reg.update(st.ID, func(x *Stream) { x.Connected = true })
	return pub, nil
}

// sessionDone forgets a finished session.
func (s *Service) sessionDone(id string) {
	s.mu.Lock()
	delete(s.sessions, id)
	s.mu.Unlock()
	s.wg.Done()
}

// recoverInterrupted ends broadcasts a previous process did not finish and
// hands over any recording it left.
func (s *Service) recoverInterrupted() {
	ctx, cancel := context.WithTimeout(context.Background(), registryTimeout)
	streams, err := s.reg.list(ctx)
	cancel()
	if err != nil {
		s.log.Error("live: cannot list streams to recover interrupted broadcasts", "err", err)
		return
	}
	for _, st := range streams {
		// Only this node's: another node's broadcast may be running.
		if st.Status != StatusLive || st.Node != s.cfg.Node {
			continue
		}
		_ = s.reg.update(st.ID, func(x *Stream) {
			x.Status, x.Connected, x.EndedAt = StatusEnded, false, s.now().UTC()
			x.Error = "The server restarted during the broadcast."
		})
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handOver(st.ID, st.Title)
		}()
	}
}

// handOver gives the recording of stream id to the RecordFunc.
func (s *Service) handOver(id, title string) {
	work := filepath.Join(s.cfg.Dir, "work", id)
	st, _ := s.reg.get(id)
	rec := Recording{StreamID: id, Title: title, OwnerID: st.OwnerID, SegmentSeconds: s.cfg.SegmentSeconds}
	for _, format := range []string{"mpegts", "flv"} {
		p := filepath.Join(work, ingestName(format))
		if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
			rec.Source, rec.SourceFormat = p, format
		}
	}
	tracks, err := liveTracks(filepath.Join(s.cfg.Dir, "out", id), st.Renditions)
	if err != nil {
		s.log.Error("live recording: reading the segments failed", "stream", id, "err", err)
	}
	rec.Tracks = tracks
	if rec.Source == "" || len(rec.Tracks) == 0 || s.record == nil {
		if rec.Source != "" && s.record == nil {
			s.log.Warn("live recording kept, no RecordFunc", "stream", id, "path", rec.Source)
			return
		}
		_ = os.RemoveAll(work)
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Minute)
	defer cancel()
	vid, err := s.record(ctx, rec)
	if err != nil {
		s.log.Error("live recording hand-over failed; input kept", "stream", id, "path", rec.Source, "err", err)
		_ = s.reg.update(id, func(x *Stream) {
			if x.Error == "" {
				x.Error = "The recording could not be saved as a video."
			}
		})
		return
	}
	_ = s.reg.update(id, func(x *Stream) { x.VideoID = vid })
	_ = os.RemoveAll(work)
	s.log.Info("live recording handed over", "stream", id, "video", vid)
}

// liveTracks lists each rendition's init segment and media segments in
// out (init_<n>.m4s, seg_<n>_<number>.m4s, n indexing renditions as the
// transcoder mapped them). A rendition without an init segment or any
// media segment makes the list empty: there is nothing to record.
func liveTracks(out string, renditions []media.Rendition) ([]Track, error) {
	var tracks []Track
	for n, r := range renditions {
		init := filepath.Join(out, fmt.Sprintf("init_%d.m4s", n))
		if _, err := os.Stat(init); err != nil {
			return nil, nil
		}
		names, err := filepath.Glob(filepath.Join(out, fmt.Sprintf("seg_%d_*.m4s", n)))
		if err != nil {
			return nil, err
		}
		type seg struct {
			num  int
			path string
		}
		segs := make([]seg, 0, len(names))
		prefix := fmt.Sprintf("seg_%d_", n)
		for _, p := range names {
			num, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), prefix), ".m4s"))
			if err != nil {
				continue
			}
			segs = append(segs, seg{num, p})
		}
		if len(segs) == 0 {
			return nil, nil
		}
		sort.Slice(segs, func(i, j int) bool { return segs[i].num < segs[j].num })
		t := Track{Rendition: r, Init: init}
		for _, sg := range segs {
			t.Segments = append(t.Segments, sg.path)
		}
		tracks = append(tracks, t)
	}
	return tracks, nil
}
