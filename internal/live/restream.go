package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/netguard"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
)

// Restreaming: the ingest node forwards a broadcast, as received (no
// second encode), to each of the stream's RTMP destinations with one
// "ffmpeg -c copy -f flv" per destination, fed from the kept input file
// like the transcoder. Each destination has its own process, input reader,
// status and retry loop, so one that fails affects neither the broadcast
// nor the others.

// MaxRestreams bounds a stream's destinations (one ffmpeg each).
const MaxRestreams = 5

// restreamBackoff is the wait after a failed attempt: it doubles up to
// restreamMaxBackoff and starts again after an attempt that stayed live
// for a while.
const (
	restreamBackoff    = 2 * time.Second
	restreamMaxBackoff = 60 * time.Second
	restreamStable     = 30 * time.Second
	// restreamDrain is how long destinations get to receive the rest of
	// the input after the broadcast ended.
	restreamDrain = 15 * time.Second
)

// CheckRestreamURL accepts an rtmp:// or rtmps:// URL with a host and a
// path (application and stream key), as YouTube, Twitch and most services
// give them.
func CheckRestreamURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 || (u.Scheme != "rtmp" && u.Scheme != "rtmps") || u.Host == "" ||
		strings.Trim(u.Path, "/") == "" || strings.ContainsAny(raw, " \t\r\n") {
		return media.Inputf("The destination must be an rtmp:// or rtmps:// URL with the stream key, like rtmp://a.rtmp.youtube.com/live2/KEY.")
	}
	return nil
}

// errPrivateDestination is the refusal of a destination inside this
// server's network.
var errPrivateDestination = media.Inputf("The destination must not be this server or an address of a private network.")

// checkRestreamHost refuses, unless private addresses are allowed, a
// destination that is internal: on its face when it is added (an IP
// literal, localhost; names may not resolve from the API node), and by
// what its name resolves to before each connection.
func (s *Service) checkRestreamHost(ctx context.Context, rawURL string, resolve bool) error {
	if s.cfg.RestreamAllowPrivate {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return errPrivateDestination
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !netguard.PublicAddr(ip) {
			return errPrivateDestination
		}
		return nil
	}
	if !resolve {
		return nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return media.Inputf("The destination's host name could not be found.")
	}
	for _, ip := range ips {
		if !netguard.PublicAddr(ip) {
			return errPrivateDestination
		}
	}
	return nil
}

// MaskRestreamURL shows a destination without its secret: scheme, host and
// the path up to the stream key (the last path element), which becomes
// "****"; credentials and query are dropped.
func MaskRestreamURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "****"
	}
	path := strings.TrimRight(u.Path, "/")
	if i := strings.LastIndex(path, "/"); i > 0 {
		path = path[:i+1] + "****"
	} else {
		path = "/****"
	}
	return u.Scheme + "://" + u.Host + path
}

// redact removes a destination's URL and stream key from text (ffmpeg's
// stderr names the URL it failed on).
func redact(text, raw string) string {
	text = strings.ReplaceAll(text, raw, MaskRestreamURL(raw))
	if u, err := url.Parse(raw); err == nil {
		path := strings.TrimRight(u.Path, "/")
		if key := path[strings.LastIndex(path, "/")+1:]; len(key) >= 4 {
			text = strings.ReplaceAll(text, key, "****")
		}
		if u.RawQuery != "" {
			text = strings.ReplaceAll(text, u.RawQuery, "****")
		}
	}
	return text
}

// AddRestream adds an RTMP destination to stream id; a broadcast running
// on this node starts sending to it at once, one on another node within
// a health interval.
func (s *Service) AddRestream(ctx context.Context, id, name, rawURL string) (media.LiveRestream, error) {
	rawURL = strings.TrimSpace(rawURL)
	if err := CheckRestreamURL(rawURL); err != nil {
		return media.LiveRestream{}, err
	}
	if err := s.checkRestreamHost(ctx, rawURL, false); err != nil {
		return media.LiveRestream{}, err
	}
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100 {
		return media.LiveRestream{}, media.Inputf("The name must be valid text of at most 100 characters.")
	}
	st, err := s.Get(ctx, id)
	if err != nil {
		return media.LiveRestream{}, err
	}
	if st.Status == StatusEnded {
		return media.LiveRestream{}, media.Inputf("The stream has ended; it can no longer be restreamed.")
	}
	if name == "" {
		u, _ := url.Parse(rawURL)
		name = u.Hostname()
	}
	d := media.LiveRestream{ID: newID(), StreamID: id, Name: name, URL: rawURL, Status: media.RestreamIdle,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.cfg.Registry.AddLiveRestream(ctx, d, MaxRestreams); err != nil {
		if errors.Is(err, media.ErrLimit) {
			return media.LiveRestream{}, media.Inputf("A stream can have at most %d restream destinations.", MaxRestreams)
		}
		return media.LiveRestream{}, err
	}
	s.poke(id)
	return d, nil
}

// Restreams lists stream id's destinations, oldest first.
func (s *Service) Restreams(ctx context.Context, id string) ([]media.LiveRestream, error) {
	return s.cfg.Registry.LiveRestreams(ctx, id)
}

// RemoveRestream deletes destination rid of stream id; a running
// forward to it stops (at once on this node, within a health interval on
// another).
func (s *Service) RemoveRestream(ctx context.Context, id, rid string) error {
	if err := s.cfg.Registry.DeleteLiveRestream(ctx, id, rid); err != nil {
		return err
	}
	s.poke(id)
	return nil
}

// poke makes this node's session of stream id (if any) pick up its
// destinations now.
func (s *Service) poke(id string) {
	s.mu.Lock()
	ss := s.sessions[id]
	s.mu.Unlock()
	if ss != nil {
		go ss.syncRestreams()
	}
}

// noteFLV remembers, from one FLV tag written at offset off of the ingest
// file, what a restream starting now needs: the codec configuration tags
// and the newest video keyframe. Called with wmu held.
func (ss *session) noteFLV(tag []byte, off int64) {
	if len(tag) < 11+2+4 {
		return
	}
	body := tag[11 : len(tag)-4]
	switch tag[0] {
	case flvScript:
		ss.flvConfig[0] = append([]byte(nil), tag...)
	case flvVideo:
		keyframe, avc := body[0]>>4 == 1, body[0]&0x0f == 7
		switch {
		case avc && body[1] == 0: // AVC sequence header
			ss.flvConfig[1] = append([]byte(nil), tag...)
		case keyframe:
			ss.resumeAt = off
		}
	case flvAudio:
		if body[0]>>4 == 10 && body[1] == 0 { // AAC sequence header
			ss.flvConfig[2] = append([]byte(nil), tag...)
		}
	}
}

// restreamStart returns where a restream starting now reads the ingest
// file from, and the bytes to send before that: for FLV the header and
// codec configuration, then the newest keyframe on; for MPEG-TS the last
// packet boundary (ffmpeg skips to the next keyframe itself).
func (ss *session) restreamStart() (prefix []byte, off int64) {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	if ss.fmt != "flv" {
		return nil, ss.size - ss.size%188
	}
	if ss.resumeAt == 0 {
		return nil, 0
	}
	prefix = flvHeader()
	for _, t := range ss.flvConfig {
		prefix = append(prefix, t...)
	}
	return prefix, ss.resumeAt
}

// syncRestreams starts forwarding to destinations added since the last
// call and stops the removed ones. Only while the transcoder runs (the
// input is known to be media) and the broadcast goes on.
func (ss *session) syncRestreams() {
	ss.wmu.Lock()
	ready := ss.started && !ss.inClosed
	ss.wmu.Unlock()
	if !ready {
		return
	}
	ctx, cancel := context.WithTimeout(ss.svc.ctx, registryTimeout)
	list, err := ss.svc.cfg.Registry.LiveRestreams(ctx, ss.id)
	cancel()
	if err != nil {
		ss.log.Warn("live restream destinations could not be read", "err", err)
		return
	}
	want := map[string]media.LiveRestream{}
	for _, d := range list {
		want[d.ID] = d
	}
	ss.rmu.Lock()
	defer ss.rmu.Unlock()
	select {
	case <-ss.done:
		return
	default:
	}
	if ss.restreams == nil {
		ss.restreams = map[string]*restreamer{}
	}
	for id, r := range ss.restreams {
		if _, ok := want[id]; !ok {
			r.cancel()
			delete(ss.restreams, id)
		}
	}
	for id, d := range want {
		if ss.restreams[id] != nil {
			continue
		}
		rctx, rcancel := context.WithCancel(ss.svc.ctx)
		r := &restreamer{ss: ss, d: d, cancel: rcancel, done: make(chan struct{}),
			log: ss.log.With("restream", d.ID, "destination", MaskRestreamURL(d.URL))}
		ss.restreams[id] = r
		ss.svc.wg.Add(1)
		go func() {
			defer ss.svc.wg.Done()
			defer close(r.done)
			r.run(rctx)
		}()
	}
}

// finishRestreams lets every destination receive the rest of the input
// (the pumps see the input closed), stops those still busy after
// restreamDrain, and marks them idle. Called once the broadcast ended.
func (ss *session) finishRestreams() {
	ss.rmu.Lock()
	rs := make([]*restreamer, 0, len(ss.restreams))
	for _, r := range ss.restreams {
		rs = append(rs, r)
	}
	ss.restreams = nil
	ss.rmu.Unlock()
	if len(rs) == 0 {
		return
	}
	ss.svc.wg.Add(1)
	go func() {
		defer ss.svc.wg.Done()
		deadline := time.After(restreamDrain)
		for _, r := range rs {
			select {
			case <-r.done:
			case <-deadline:
				r.cancel()
				<-r.done
			}
			r.cancel()
			r.setStatus(media.RestreamIdle, "")
		}
	}()
}

// restreamer forwards one broadcast to one destination until the input
// ends or the destination is removed, retrying with backoff.
type restreamer struct {
	ss     *session
	d      media.LiveRestream
	cancel context.CancelFunc
	done   chan struct{}
	log    interface {
		Info(msg string, args ...any)
		Warn(msg string, args ...any)
	}
}

func (r *restreamer) setStatus(st media.RestreamStatus, errText string) {
	ctx, cancel := context.WithTimeout(context.Background(), registryTimeout)
	defer cancel()
	if err := r.ss.svc.cfg.Registry.SetLiveRestreamStatus(ctx, r.d.ID, st, errText, r.ss.svc.now().UTC().Truncate(time.Millisecond)); err != nil {
		r.log.Warn("live restream status could not be saved", "err", err)
	}
}

func (r *restreamer) run(ctx context.Context) {
	backoff := restreamBackoff
	for n := 0; ; n++ {
		r.setStatus(media.RestreamConnecting, "")
		start := time.Now()
		over, err := r.once(ctx, n)
		if ctx.Err() != nil || (over && err == nil) {
			return
		}
		if time.Since(start) > restreamStable {
			backoff = restreamBackoff
		}
		why := restreamError(err)
		r.log.Warn("live restream failed; retrying", "err", redact(errString(err), r.d.URL), "retry_in", backoff.String())
		r.setStatus(media.RestreamError, fmt.Sprintf("%s Retrying in %d s.", why, int(backoff.Seconds())))
		select {
		case <-ctx.Done():
			return
		case <-r.ss.done:
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, restreamMaxBackoff)
	}
}

func errString(err error) string {
	var ee *ffmpeg.ExitError
	if errors.As(err, &ee) {
		lines := strings.Split(strings.TrimSpace(ee.StderrTail), "\n")
		return fmt.Sprintf("exit status %d: %s", ee.Code, strings.Join(lines[max(0, len(lines)-3):], " | "))
	}
	if err == nil {
		return "ended"
	}
	return err.Error()
}

// restreamError turns a failed attempt into a sentence for the streamer,
// never naming the URL.
func restreamError(err error) string {
	var ee *ffmpeg.ExitError
	tail := ""
	if errors.As(err, &ee) {
		tail = strings.ToLower(ee.StderrTail)
	}
	var in *media.InputError
	switch {
	case err == nil:
		return "The destination closed the connection."
	case errors.As(err, &in):
		return in.Reason
	case strings.Contains(tail, "connection refused"):
		return "The destination refused the connection (nothing accepts RTMP at that address and port)."
	case strings.Contains(tail, "failed to resolve") || strings.Contains(tail, "name or service not known") ||
		strings.Contains(tail, "temporary failure in name resolution"):
		return "The destination's host name could not be found."
	case strings.Contains(tail, "timed out") || strings.Contains(tail, "timeout"):
		return "The destination did not answer in time."
	case strings.Contains(tail, "server error") || strings.Contains(tail, "publish.badname") ||
		strings.Contains(tail, "unexpected stream") || strings.Contains(tail, "failed"):
		return "The destination refused the stream; check the URL and stream key."
	case strings.Contains(tail, "broken pipe") || strings.Contains(tail, "connection reset") ||
		strings.Contains(tail, "end of file") || strings.Contains(tail, "i/o error"):
		return "The destination closed the connection."
	case strings.Contains(tail, "protocol not found"):
		return "This server's ffmpeg cannot send to that kind of URL."
	}
	return "Sending to the destination failed."
}

// restreamArgs copies the input's first video and audio streams, as they
// are, into FLV over RTMP. rw_timeout: a destination that stops reading
// fails the attempt (and is retried) instead of blocking for ever.
func restreamArgs(format, input, dest string) []string {
	return append(ffmpeg.InputFlags(),
		"-fflags", "+discardcorrupt",
		"-f", format, "-i", "file:"+input,
		"-map", "0:v:0?", "-map", "0:a:0?",
		"-c", "copy",
		"-f", "flv", "-flvflags", "no_duration_filesize",
		"-rw_timeout", "10000000",
		dest,
	)
}

// once runs one attempt: a FIFO, an ffmpeg reading it and sending to the
// destination, and a pump from the ingest file. over reports that the
// input ended (the broadcast is over) rather than the attempt failing.
func (r *restreamer) once(ctx context.Context, n int) (over bool, err error) {
	ss := r.ss
	if err := ss.svc.checkRestreamHost(ctx, r.d.URL, true); err != nil {
		return false, err
	}
	fifo := filepath.Join(ss.work, fmt.Sprintf("restream_%s_%d.fifo", r.d.ID, n))
	_ = os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return false, err
	}
	defer os.Remove(fifo)
	// Its own Runner without a logger: the args hold the secret URL.
	run := *ss.svc.ff
	run.Logger = nil
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	exited := make(chan struct{})
	var runErr error
	live := false
	go func() {
		defer close(exited)
		runErr = run.Run(runCtx, restreamArgs(ss.fmt, fifo, r.d.URL), func(p ffmpeg.Progress) {
			if !live && (p.OutTime > 0 || p.Frame > 0) && !p.Done {
				live = true
				r.setStatus(media.RestreamLive, "")
				r.log.Info("live restream sending")
			}
		})
	}()
	f, err := openFIFO(fifo, exited, 10*time.Second)
	if err != nil {
		stop() // an ffmpeg that never opened its input would wait for it forever
		<-exited
		if runErr != nil {
			return false, runErr
		}
		return false, err
	}
	over = r.pump(f, exited)
	f.Close()
	<-exited
	return over, runErr
}

// pump feeds the FIFO from the restream start point on, following the
// ingest file as it grows. It reports true when the input ended and
// everything was fed.
func (r *restreamer) pump(fifo *os.File, exited <-chan struct{}) bool {
	ss := r.ss
	prefix, off := ss.restreamStart()
	in, err := os.Open(filepath.Join(ss.work, ingestName(ss.fmt)))
	if err != nil {
		return false
	}
	defer in.Close()
	if _, err := in.Seek(off, io.SeekStart); err != nil {
		return false
	}
	if len(prefix) > 0 && writeAll(fifo, prefix, exited) != nil {
		return false
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			if writeAll(fifo, buf[:n], exited) != nil {
				return false
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return false
		}
		ss.wmu.Lock()
		closed := ss.inClosed
		ss.wmu.Unlock()
		if closed {
			if n, _ := in.Read(buf); n > 0 {
				if writeAll(fifo, buf[:n], exited) != nil {
					return false
				}
				continue
			}
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}
