package ffmpeg

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

func box(typ string, body ...[]byte) []byte {
	n := 8
	for _, b := range body {
		n += len(b)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(n))
	out = append(out, typ...)
	for _, b := range body {
		out = append(out, b...)
	}
	return out
}

func zeros(n int) []byte { return make([]byte, n) }

func trak(entry []byte) []byte {
	stsd := box("stsd", []byte{0, 0, 0, 0, 0, 0, 0, 1}, entry)
	return box("trak", box("tkhd", zeros(84)), box("mdia", box("mdhd", zeros(24)),
		box("minf", box("stbl", stsd, box("stts", zeros(8))))))
}

func avcEntry(typ string, profile, compat, level byte) []byte {
	return box(typ, zeros(visualEntryFixed), box("avcC", []byte{1, profile, compat, level, 0xff, 0xe1}), box("pasp", zeros(8)))
}

func mp4aEntry(version uint16, esds []byte) []byte {
	fixed := zeros(audioEntryFixed)
	binary.BigEndian.PutUint16(fixed[8:], version)
	extra := map[uint16]int{1: 16, 2: 36}[version]
	return box("mp4a", fixed, zeros(extra), box("esds", esds))
}

// esdsBody builds an esds payload; long uses 4-byte descriptor sizes as
// ffmpeg writes them.
func esdsBody(oti byte, asc []byte, long bool) []byte {
	desc := func(tag byte, body []byte) []byte {
		if long {
			n := len(body)
			return append([]byte{tag, 0x80 | byte(n>>21&0x7f), 0x80 | byte(n>>14&0x7f), 0x80 | byte(n>>7&0x7f), byte(n & 0x7f)}, body...)
		}
		return append([]byte{tag, byte(len(body))}, body...)
	}
	dsi := desc(0x05, asc)
	dc := desc(0x04, append(append([]byte{oti, 0x15}, zeros(11)...), dsi...))
	es := desc(0x03, append([]byte{0, 1, 0}, append(dc, desc(0x06, []byte{2})...)...))
	return append([]byte{0, 0, 0, 0}, es...)
}

func TestCodecsFromInit(t *testing.T) {
	t.Parallel()
	ftyp := box("ftyp", []byte("iso5"), zeros(4))
	tests := []struct {
		name string
		init []byte
		want string
		err  bool
	}{
		{"h264 high 3.1", append(ftyp, box("moov", box("mvhd", zeros(100)), trak(avcEntry("avc1", 0x64, 0x00, 0x1f)))...), "avc1.64001f", false},
		{"h264 baseline avc3", append(ftyp, box("moov", trak(avcEntry("avc3", 0x42, 0xc0, 0x1e)))...), "avc3.42c01e", false},
		{"aac lc", append(ftyp, box("moov", trak(mp4aEntry(0, esdsBody(0x40, []byte{0x11, 0x90}, true))))...), "mp4a.40.2", false},
		{"he-aac short sizes", append(ftyp, box("moov", trak(mp4aEntry(0, esdsBody(0x40, []byte{0x2b, 0x92}, false))))...), "mp4a.40.5", false},
		{"aac escape object type", box("moov", trak(mp4aEntry(1, esdsBody(0x40, []byte{0xf8, 0x20}, false)))), "mp4a.40.33", false},
		{"mp3 in mp4", box("moov", trak(mp4aEntry(0, esdsBody(0x6b, nil, false)))), "mp4a.6B", false},
		{"video and audio", box("moov", trak(avcEntry("avc1", 0x4d, 0x40, 0x28)), trak(mp4aEntry(2, esdsBody(0x40, []byte{0x12, 0x10}, true)))), "avc1.4d4028,mp4a.40.2", false},
		{"no moov", ftyp, "", true},
		{"unsupported codec", box("moov", trak(box("hvc1", zeros(visualEntryFixed)))), "", true},
		{"truncated avcC", box("moov", trak(box("avc1", zeros(visualEntryFixed), box("avcC", []byte{1, 0x64})))), "", true},
		{"garbage", []byte("not an mp4 at all"), "", true},
		{"box size overflow", []byte{0xff, 0xff, 0xff, 0xff, 'm', 'o', 'o', 'v', 0, 0}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CodecsFromInit(tt.init)
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func FuzzCodecsFromInit(f *testing.F) {
	f.Add(box("moov", trak(avcEntry("avc1", 0x64, 0, 0x1f))))
	f.Add(box("moov", trak(mp4aEntry(0, esdsBody(0x40, []byte{0x11, 0x90}, true)))))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = CodecsFromInit(b) // must not panic
	})
}

func TestCodecsAV1AndHEVC(t *testing.T) {
	t.Parallel()
	moov := func(entry []byte) []byte { return box("moov", box("mvhd", zeros(100)), trak(entry)) }
	// av1C: marker+version, profile 0 level 8 (4.0), main tier 8-bit 4:2:0.
	av1 := box("av01", zeros(visualEntryFixed), box("av1C", []byte{0x81, 0x08, 0x0c, 0}))
	got, err := CodecsFromInit(moov(av1))
	require.NoError(t, err)
	require.Equal(t, "av01.0.08M.08", got)
	// 10-bit, high tier, level 13 (5.1).
	av1 = box("av01", zeros(visualEntryFixed), box("av1C", []byte{0x81, 0x0d, 0xc0, 0}))
	got, err = CodecsFromInit(moov(av1))
	require.NoError(t, err)
	require.Equal(t, "av01.0.13H.10", got)
	// hvcC of x265 Main at level 4.1 (123): compatibility flags 0x60000000
	// read in reverse are 6; constraint byte 0x90 and then zeros.
	hvcC := []byte{1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 123, 0xf0, 0}
	got, err = CodecsFromInit(moov(box("hvc1", zeros(visualEntryFixed), box("hvcC", hvcC))))
	require.NoError(t, err)
	require.Equal(t, "hvc1.1.6.L123.90", got)
}
