package live

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	rtmp "github.com/yutopp/go-rtmp"
	rtmpmsg "github.com/yutopp/go-rtmp/message"
)

// maxRTMPMessage bounds one audio/video message read into memory; a real
// 1080p keyframe is well under this.
const maxRTMPMessage = 16 << 20

// FLV tag types.
const (
	flvAudio  = 8
	flvVideo  = 9
	flvScript = 18
)

func (s *Service) newRTMPServer() *rtmp.Server {
	return rtmp.NewServer(&rtmp.ServerConfig{
		OnConnect: func(conn net.Conn) (io.ReadWriteCloser, *rtmp.ConnConfig) {
			// A nil Logger makes go-rtmp discard its own logs; ours are
			// written by the handler.
			return conn, &rtmp.ConnConfig{Handler: &rtmpHandler{svc: s, conn: conn}}
		},
	})
}

// rtmpHandler turns one RTMP connection's messages back into an FLV byte
// stream for ffmpeg. go-rtmp calls it from the connection's goroutine.
type rtmpHandler struct {
	rtmp.DefaultHandler
	svc  *Service
	conn net.Conn
	pub  *publisher
}

// OnConnect accepts only the "live" application, as in the rtmp_url.
func (h *rtmpHandler) OnConnect(_ uint32, cmd *rtmpmsg.NetConnectionConnect) error {
	if strings.Trim(cmd.Command.App, "/") != "live" {
		return fmt.Errorf("rtmp: unknown app %q", cmd.Command.App)
	}
	return nil
}

// OnPublish authorizes the stream key (the publishing name); an error makes
// go-rtmp answer NetStream.Publish.Failed and close the connection.
func (h *rtmpHandler) OnPublish(_ *rtmp.StreamContext, _ uint32, cmd *rtmpmsg.NetStreamPublish) error {
	if h.pub != nil {
		return ErrBusy
	}
	key, _, _ := strings.Cut(cmd.PublishingName, "?") // OBS may append a query
	pub, err := h.svc.publish(key, "flv")
	log := h.svc.log.With("ingest", "rtmp", "remote", h.conn.RemoteAddr().String())
	if err != nil {
		log.Info("rtmp publish refused", "err", err)
		return err
	}
	log.Info("rtmp publisher connected", "stream", pub.ss.id)
	h.pub = pub
	pub.setKick(func() { _ = h.conn.Close() })
	return nil
}

// OnSetDataFrame forwards onMetaData as an FLV script tag; the payload is
// already the AMF0 body ("onMetaData", object).
func (h *rtmpHandler) OnSetDataFrame(ts uint32, data *rtmpmsg.NetStreamSetDataFrame) error {
	return h.tag(flvScript, ts, data.Payload)
}

// OnAudio forwards an audio message as an FLV audio tag.
func (h *rtmpHandler) OnAudio(ts uint32, payload io.Reader) error {
	return h.read(flvAudio, ts, payload)
}

// OnVideo forwards a video message as an FLV video tag.
func (h *rtmpHandler) OnVideo(ts uint32, payload io.Reader) error {
	return h.read(flvVideo, ts, payload)
}

// OnClose detaches the publisher; the grace period starts.
func (h *rtmpHandler) OnClose() {
	if h.pub != nil {
		h.pub.Close()
		h.pub = nil
	}
}

func (h *rtmpHandler) read(typ byte, ts uint32, payload io.Reader) error {
	body, err := io.ReadAll(io.LimitReader(payload, maxRTMPMessage+1))
	if err != nil {
		return err
	}
	if len(body) > maxRTMPMessage {
		return errors.New("rtmp: message too large")
	}
	return h.tag(typ, ts, body)
}

func (h *rtmpHandler) tag(typ byte, ts uint32, body []byte) error {
	if h.pub == nil {
		return errors.New("rtmp: media before publish")
	}
	return h.pub.writeFLVTag(typ, ts, body)
}

// writeFLVTag writes one FLV tag. A reconnecting publisher's clock starts
// again near zero, and FLV (unlike MPEG-TS) has no discontinuity handling
// in ffmpeg, so its timestamps are shifted to continue one frame after the
// last tag written for the broadcast.
func (p *publisher) writeFLVTag(typ byte, ts uint32, body []byte) error {
	ss := p.ss
	if !p.flvFirst {
		p.flvFirst = true
		ss.mu.Lock()
		if ss.flvAny {
			p.flvOffset = int64(ss.flvLast) + 40 - int64(ts)
		}
		ss.mu.Unlock()
	}
	t := uint32(max(int64(ts)+p.flvOffset, 0))
	buf := make([]byte, 11+len(body)+4)
	buf[0] = typ
	putUint24(buf[1:], uint32(len(body)))
	putUint24(buf[4:], t&0xffffff)
	buf[7] = byte(t >> 24) // extended timestamp
	// buf[8:11]: stream id, always 0
	copy(buf[11:], body)
	binary.BigEndian.PutUint32(buf[11+len(body):], uint32(11+len(body)))
	if err := ss.write(buf); err != nil {
		return err
	}
	ss.mu.Lock()
	ss.flvLast, ss.flvAny = t, true
	ss.mu.Unlock()
	return nil
}

// flvHeader is the FLV file header (audio and video flags set) followed by
// PreviousTagSize0.
func flvHeader() []byte {
	return []byte{'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0}
}

func putUint24(b []byte, v uint32) {
	b[0], b[1], b[2] = byte(v>>16), byte(v>>8), byte(v)
}
