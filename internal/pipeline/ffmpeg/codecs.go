package ffmpeg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// CodecsFromInit reads an fMP4 init segment (ftyp+moov) and returns the
// RFC 6381 codecs string for its tracks, comma separated in track order:
// avc1.PPCCLL from the avcC record, mp4a.40.<audio object type> from esds
// (AAC-LC is mp4a.40.2).
func CodecsFromInit(init []byte) (string, error) {
	moov, ok := findBox(init, "moov")
	if !ok {
		return "", errors.New("codecs: no moov box in init segment")
	}
	var codecs []string
	for trak := range childBoxes(moov, "trak") {
		stsd, ok := findPath(trak, "mdia", "minf", "stbl", "stsd")
		if !ok {
			return "", errors.New("codecs: trak without stsd")
		}
		// stsd is a full box: version+flags, entry count, then entries.
		if len(stsd) < 8 || binary.BigEndian.Uint32(stsd[4:8]) == 0 {
			return "", errors.New("codecs: empty stsd")
		}
		typ, body, ok := firstBox(stsd[8:])
		if !ok {
			return "", errors.New("codecs: malformed sample entry")
		}
		c, err := sampleEntryCodec(typ, body)
		if err != nil {
			return "", fmt.Errorf("codecs: %w", err)
		}
		codecs = append(codecs, c)
	}
	if len(codecs) == 0 {
		return "", errors.New("codecs: no tracks in init segment")
	}
	return strings.Join(codecs, ","), nil
}

// Sizes of the fixed part of sample entries, after the box header
// (ISO/IEC 14496-12 VisualSampleEntry and AudioSampleEntry).
const (
	visualEntryFixed = 78
	audioEntryFixed  = 28
)

func sampleEntryCodec(typ string, body []byte) (string, error) {
	switch typ {
	case "avc1", "avc3":
		if len(body) < visualEntryFixed {
			return "", errors.New("short visual sample entry")
		}
		avcC, ok := findBox(body[visualEntryFixed:], "avcC")
		if !ok || len(avcC) < 4 {
			return "", errors.New("avc sample entry without avcC")
		}
		// configurationVersion, AVCProfileIndication, profile_compatibility,
		// AVCLevelIndication.
		return fmt.Sprintf("%s.%02x%02x%02x", typ, avcC[1], avcC[2], avcC[3]), nil
	case "av01":
		if len(body) < visualEntryFixed {
			return "", errors.New("short visual sample entry")
		}
		av1C, ok := findBox(body[visualEntryFixed:], "av1C")
		if !ok || len(av1C) < 3 {
			return "", errors.New("av01 sample entry without av1C")
		}
		return av1Codec(av1C), nil
	case "hvc1", "hev1":
		if len(body) < visualEntryFixed {
			return "", errors.New("short visual sample entry")
		}
		hvcC, ok := findBox(body[visualEntryFixed:], "hvcC")
		if !ok || len(hvcC) < 13 {
			return "", errors.New("hevc sample entry without hvcC")
		}
		return typ + "." + hevcCodec(hvcC), nil
	case "mp4a":
		if len(body) < audioEntryFixed {
			return "", errors.New("short audio sample entry")
		}
		fixed := audioEntryFixed
		switch binary.BigEndian.Uint16(body[8:10]) { // QuickTime sound description version
		case 1:
			fixed += 16
		case 2:
			fixed += 36
		}
		if len(body) < fixed {
			return "", errors.New("short audio sample entry")
		}
		esds, ok := findBox(body[fixed:], "esds")
		if !ok {
			return "", errors.New("mp4a sample entry without esds")
		}
		return esdsCodec(esds)
	case "ac-3", "ec-3", "opus", "fLaC":
		return typ, nil
	}
	return "", fmt.Errorf("unsupported sample entry %q", typ)
}

// av1Codec formats av01.P.LLT.DD from an av1C box (AV1 in ISOBMFF, "Codecs
// Parameter String"): profile, level, tier and bit depth.
func av1Codec(c []byte) string {
	profile, level := c[1]>>5, c[1]&0x1f
	tier := "M"
	if c[2]&0x80 != 0 {
		tier = "H"
	}
	depth := 8
	if c[2]&0x40 != 0 { // high_bitdepth
		depth = 10
		if c[2]&0x20 != 0 { // twelve_bit
			depth = 12
		}
	}
	return fmt.Sprintf("av01.%d.%02d%s.%02d", profile, level, tier, depth)
}

// hevcCodec formats the part after "hvc1." from an hvcC box (ISO/IEC
// 14496-15 annex E): profile space and idc, the compatibility flags in
// reverse bit order, tier and level, then the constraint bytes without
// trailing zero bytes.
func hevcCodec(c []byte) string {
	space := []string{"", "A", "B", "C"}[c[1]>>6]
	tier := "L"
	if c[1]&0x20 != 0 {
		tier = "H"
	}
	compat := binary.BigEndian.Uint32(c[2:6])
	var rev uint32
	for i := range 32 {
		if compat&(1<<i) != 0 {
			rev |= 1 << (31 - i)
		}
	}
	s := fmt.Sprintf("%s%d.%X.%s%d", space, c[1]&0x1f, rev, tier, c[12])
	constraints := c[6:12]
	for len(constraints) > 0 && constraints[len(constraints)-1] == 0 {
		constraints = constraints[:len(constraints)-1]
	}
	for _, b := range constraints {
		s += fmt.Sprintf(".%X", b)
	}
	return s
}

// esdsCodec reads the ES descriptor (ISO/IEC 14496-1) inside an esds box.
func esdsCodec(esds []byte) (string, error) {
	if len(esds) < 4 {
		return "", errors.New("short esds")
	}
	d := esds[4:] // version+flags
	tag, es, ok := descriptor(d)
	if !ok || tag != 0x03 || len(es) < 3 {
		return "", errors.New("esds without ES_Descriptor")
	}
	flags := es[2]
	es = es[3:]
	if flags&0x80 != 0 { // streamDependenceFlag: dependsOn_ES_ID
		es = skip(es, 2)
	}
	if flags&0x40 != 0 { // URL_Flag: URLlength, URLstring
		if len(es) < 1 {
			return "", errors.New("short ES_Descriptor")
		}
		es = skip(es, 1+int(es[0]))
	}
	if flags&0x20 != 0 { // OCRstreamFlag: OCR_ES_Id
		es = skip(es, 2)
	}
	tag, dc, ok := descriptor(es)
	if !ok || tag != 0x04 || len(dc) < 13 {
		return "", errors.New("esds without DecoderConfigDescriptor")
	}
	oti := dc[0]
	if oti != 0x40 { // not MPEG-4 audio: the object type alone, e.g. mp4a.6B for MP3
		return fmt.Sprintf("mp4a.%02X", oti), nil
	}
	tag, asc, ok := descriptor(dc[13:])
	if !ok || tag != 0x05 || len(asc) < 1 {
		return "", errors.New("esds without AudioSpecificConfig")
	}
	aot := int(asc[0] >> 3)
	if aot == 31 { // escape: 32 + the next 6 bits
		if len(asc) < 2 {
			return "", errors.New("short AudioSpecificConfig")
		}
		aot = 32 + (int(asc[0]&0x07)<<3 | int(asc[1]>>5))
	}
	return fmt.Sprintf("mp4a.40.%d", aot), nil
}

// descriptor splits off one MPEG-4 descriptor: tag, then a size of up to four
// bytes with 7 bits each and a continuation bit.
func descriptor(b []byte) (tag byte, body []byte, ok bool) {
	if len(b) < 2 {
		return 0, nil, false
	}
	tag = b[0]
	size, i := 0, 1
	for done := false; !done; i++ {
		if i >= len(b) || i > 4 {
			return 0, nil, false
		}
		size = size<<7 | int(b[i]&0x7f)
		done = b[i]&0x80 == 0
	}
	if i > len(b) || size > len(b)-i {
		return 0, nil, false
	}
	return tag, b[i : i+size], true
}

func skip(b []byte, n int) []byte {
	if n > len(b) {
		return nil
	}
	return b[n:]
}

// boxes iterates over the ISO BMFF boxes in b, yielding type and body. It
// stops at the first malformed box.
func boxes(b []byte) func(yield func(string, []byte) bool) {
	return func(yield func(string, []byte) bool) {
		for len(b) >= 8 {
			size := uint64(binary.BigEndian.Uint32(b[0:4]))
			typ := string(b[4:8])
			hdr := uint64(8)
			switch size {
			case 0: // to the end
				size = uint64(len(b))
			case 1: // 64-bit size follows
				if len(b) < 16 {
					return
				}
				size, hdr = binary.BigEndian.Uint64(b[8:16]), 16
			}
			if size < hdr || size > uint64(len(b)) {
				return
			}
			if !yield(typ, b[hdr:size]) {
				return
			}
			b = b[size:]
		}
	}
}

func firstBox(b []byte) (string, []byte, bool) {
	for typ, body := range boxes(b) {
		return typ, body, true
	}
	return "", nil, false
}

func findBox(b []byte, typ string) ([]byte, bool) {
	for t, body := range boxes(b) {
		if t == typ {
			return body, true
		}
	}
	return nil, false
}

func childBoxes(b []byte, typ string) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for t, body := range boxes(b) {
			if t == typ && !yield(body) {
				return
			}
		}
	}
}

func findPath(b []byte, path ...string) ([]byte, bool) {
	for _, typ := range path {
		var ok bool
		if b, ok = findBox(b, typ); !ok {
			return nil, false
		}
	}
	return b, true
}
