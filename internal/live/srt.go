package live

import (
	"errors"
	"net/url"
	"strings"

	srt "github.com/datarhei/gosrt"
)

// srtReadSize is one read from an SRT connection: 7 TS packets, the usual
// SRT payload.
const srtReadSize = 1316

func (s *Service) serveSRT(ln srt.Listener) {
	for {
		req, err := ln.Accept2()
		if err != nil {
			if errors.Is(err, srt.ErrListenerClosed) || s.isStopped() {
				return
			}
			continue
		}
		go s.handleSRT(req)
	}
}

func (s *Service) isStopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// handleSRT authorizes the request before accepting it, so an unknown key
// or a second publisher is refused in the handshake and never sends data.
func (s *Service) handleSRT(req srt.ConnRequest) {
	log := s.log.With("ingest", "srt", "remote", req.RemoteAddr().String())
	key, ok := parseStreamID(req.StreamId())
	if !ok {
		log.Info("srt publish refused: bad streamid")
		req.Reject(srt.REJX_BAD_MODE)
		return
	}
	// The passphrase is checked in the handshake too: a publisher without
	// it, or with another, is refused before sending a byte.
	if st, ok := s.reg.byStreamKey(key); ok {
		switch {
		case st.Passphrase != "" && !req.IsEncrypted():
			log.Info("srt publish refused: the stream needs the passphrase")
			req.Reject(srt.REJ_UNSECURE)
			return
		case st.Passphrase != "":
			if err := req.SetPassphrase(st.Passphrase); err != nil {
				log.Info("srt publish refused: wrong passphrase")
				req.Reject(srt.REJ_BADSECRET)
				return
			}
		case req.IsEncrypted():
			log.Info("srt publish refused: encrypted, but the stream has no passphrase")
			req.Reject(srt.REJ_UNSECURE)
			return
		}
	}
	pub, err := s.publish(key, "mpegts")
	if err != nil {
		log.Info("srt publish refused", "err", err)
		req.Reject(srtReason(err))
		return
	}
	conn, err := req.Accept()
	if err != nil {
		pub.Close()
		return
	}
	log = log.With("stream", pub.ss.id)
	log.Info("srt publisher connected")
	pub.setKick(func() { _ = conn.Close() })
	buf := make([]byte, srtReadSize)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if werr := pub.Write(buf[:n]); werr != nil {
				log.Info("srt publish ended", "err", werr)
				break
			}
		}
		if err != nil {
			log.Info("srt publisher disconnected", "err", err)
			break
		}
	}
	_ = conn.Close()
	pub.Close()
}

// parseStreamID accepts "publish:KEY", the SRT access-control form
// "#!::r=KEY,m=publish" and a bare "KEY". Anything asking to play is
// refused: this listener only ingests.
func parseStreamID(id string) (string, bool) {
	if strings.Contains(id, "%") { // some clients send the URL's value still escaped
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
	}
	if rest, ok := strings.CutPrefix(id, "#!::"); ok {
		var key, mode string
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "r":
				key = v
			case "m":
				mode = v
			}
		}
		if key == "" || (mode != "" && mode != "publish") {
			return "", false
		}
		return key, true
	}
	if rest, ok := strings.CutPrefix(id, "publish:"); ok {
		return rest, rest != "" && !strings.ContainsAny(rest, ":/,=")
	}
	if id == "" || strings.ContainsAny(id, ":/,=") {
		return "", false
	}
	return id, true
}

func srtReason(err error) srt.RejectionReason {
	switch {
	case errors.Is(err, ErrUnknownKey):
		return srt.REJX_UNAUTHORIZED
	case errors.Is(err, ErrBusy):
		return srt.REJX_CONFLICT
	case errors.Is(err, ErrEnded):
		return srt.REJX_NOTFOUND
	case errors.Is(err, ErrOverloaded):
		return srt.REJX_OVERLOAD
	default:
		return srt.REJX_DOWN
	}
}
