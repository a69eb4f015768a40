package live

import (
	"encoding/binary"
	"errors"
)

// The few ISO BMFF boxes LL-HLS needs from ffmpeg's CMAF output: the track
// timescale and default sample flags from the init segment, and from each
// fragment (moof) its decode time, duration and whether it starts with a
// sync sample. Hand-written rather than a library: about a dozen fields,
// read-only, and bounds-checked so a torn write can only mean "not yet".

// errShortBox is returned for a box that is not complete yet.
var errShortBox = errors.New("live: incomplete box")

// sampleNonSync is the sample_is_non_sync_sample bit of ISO BMFF sample flags.
const sampleNonSync = 0x00010000

// boxHeader reads the box at the start of b: its type and total size. A
// size that goes past b returns errShortBox with the size known, so callers
// can wait for more bytes.
func boxHeader(b []byte) (typ string, size int, err error) {
	if len(b) < 8 {
		return "", 0, errShortBox
	}
	sz := uint64(binary.BigEndian.Uint32(b))
	typ = string(b[4:8])
	hdr := uint64(8)
	switch sz {
	case 0:
		return typ, 0, errors.New("live: box extends to end of file")
	case 1:
		if len(b) < 16 {
			return typ, 0, errShortBox
		}
		sz, hdr = binary.BigEndian.Uint64(b[8:]), 16
	}
	if sz < hdr || sz > 1<<31 {
		return typ, 0, errors.New("live: bad box size")
	}
	if uint64(len(b)) < sz {
		return typ, int(sz), errShortBox
	}
	return typ, int(sz), nil
}

// children calls f for each complete child box in payload (type, payload).
func children(payload []byte, f func(typ string, body []byte)) {
	for len(payload) >= 8 {
		typ, size, err := boxHeader(payload)
		if err != nil {
			return
		}
		hdr := 8
		if binary.BigEndian.Uint32(payload) == 1 {
			hdr = 16
		}
		f(typ, payload[hdr:size])
		payload = payload[size:]
	}
}

// trackInfo is what an init segment tells about its single track.
type trackInfo struct {
	timescale    uint32
	defaultDur   uint32 // trex default_sample_duration
	defaultFlags uint32 // trex default_sample_flags
}

// parseInit reads the timescale (moov/trak/mdia/mdhd) and the trex defaults
// of a single-track init segment.
func parseInit(b []byte) (trackInfo, error) {
	var ti trackInfo
	children(b, func(typ string, moov []byte) {
		if typ != "moov" {
			return
		}
		children(moov, func(typ string, body []byte) {
			switch typ {
			case "trak":
				children(body, func(typ string, mdia []byte) {
					if typ != "mdia" {
						return
					}
					children(mdia, func(typ string, mdhd []byte) {
						if typ != "mdhd" || len(mdhd) < 4 {
							return
						}
						off := 12 // version/flags, creation, modification (32-bit)
						if mdhd[0] == 1 {
							off = 20
						}
						if len(mdhd) >= off+4 {
							ti.timescale = binary.BigEndian.Uint32(mdhd[off:])
						}
					})
				})
			case "mvex":
				children(body, func(typ string, trex []byte) {
					if typ == "trex" && len(trex) >= 24 {
						ti.defaultDur = binary.BigEndian.Uint32(trex[12:])
						ti.defaultFlags = binary.BigEndian.Uint32(trex[20:])
					}
				})
			}
		})
	})
	if ti.timescale == 0 {
		return ti, errors.New("live: init segment without a track timescale")
	}
	return ti, nil
}

// fragInfo describes one movie fragment.
type fragInfo struct {
	baseTime    uint64 // tfdt baseMediaDecodeTime
	duration    uint64 // sum of sample durations, in the track timescale
	independent bool   // the first sample is a sync sample
	samples     int
}

// parseMoof reads the first track fragment of a moof box's payload.
func parseMoof(moof []byte, ti trackInfo) (fragInfo, error) {
	var fi fragInfo
	found := false
	children(moof, func(typ string, traf []byte) {
		if typ != "traf" || found {
			return
		}
		found = true
		defDur, defFlags := ti.defaultDur, ti.defaultFlags
		children(traf, func(typ string, body []byte) {
			if len(body) < 4 {
				return
			}
			flags := binary.BigEndian.Uint32(body) & 0xffffff
			switch typ {
			case "tfhd":
				off := 8 // version/flags, track_ID
				if flags&0x01 != 0 {
					off += 8
				}
				if flags&0x02 != 0 {
					off += 4
				}
				if flags&0x08 != 0 && len(body) >= off+4 {
					defDur = binary.BigEndian.Uint32(body[off:])
					off += 4
				}
				if flags&0x10 != 0 {
					off += 4
				}
				if flags&0x20 != 0 && len(body) >= off+4 {
					defFlags = binary.BigEndian.Uint32(body[off:])
				}
			case "tfdt":
				if body[0] == 1 && len(body) >= 12 {
					fi.baseTime = binary.BigEndian.Uint64(body[4:])
				} else if len(body) >= 8 {
					fi.baseTime = uint64(binary.BigEndian.Uint32(body[4:]))
				}
			}
		})
		// trun after tfhd: its defaults are known now.
		children(traf, func(typ string, body []byte) {
			if typ != "trun" || len(body) < 8 {
				return
			}
			flags := binary.BigEndian.Uint32(body) & 0xffffff
			n := int(binary.BigEndian.Uint32(body[4:]))
			off := 8
			if flags&0x01 != 0 {
				off += 4
			}
			firstFlags, haveFirst := uint32(0), false
			if flags&0x04 != 0 && len(body) >= off+4 {
				firstFlags, haveFirst = binary.BigEndian.Uint32(body[off:]), true
				off += 4
			}
			per := 0
			for _, bit := range []uint32{0x100, 0x200, 0x400, 0x800} {
				if flags&bit != 0 {
					per += 4
				}
			}
			if n < 0 || per > 0 && (len(body)-off)/per < n {
				return
			}
			for i := range n {
				p := off + i*per
				d := defDur
				if flags&0x100 != 0 {
					d = binary.BigEndian.Uint32(body[p:])
					p += 4
				}
				if flags&0x200 != 0 {
					p += 4
				}
				if i == 0 && !haveFirst {
					firstFlags = defFlags
					if flags&0x400 != 0 {
						firstFlags = binary.BigEndian.Uint32(body[p:])
					}
				}
				fi.duration += uint64(d)
			}
			if fi.samples == 0 {
				fi.independent = firstFlags&sampleNonSync == 0
			}
			fi.samples += n
		})
	})
	if !found || fi.samples == 0 {
		return fi, errors.New("live: fragment without samples")
	}
	return fi, nil
}
