package ffmpeg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
)

// ShiftSegment turns a CMAF media segment that the HLS muxer wrote for one
// chunk on its own into the segment it writes for the whole rendition, in
// place: the muxer starts every run at fragment number 1 and time 0, so a
// chunk's segments differ from the whole run's only in the fragment
// sequence numbers (mfhd), the decode times (tfdt) and the segment index's
// earliest presentation time (sidx). seq is added to the first and the
// offset, startFrame frames at fpsNum/fpsDen, to the others, in the
// timescale the segment index states.
//
// Progressive playback publishes these shifted segments while the other
// chunks still encode; packaging the whole rendition later writes the same
// bytes (tested in fragment_test.go).
func ShiftSegment(seg []byte, seq uint32, startFrame, fpsNum, fpsDen int) error {
	if fpsNum <= 0 || fpsDen <= 0 {
		return errors.New("shift segment: no frame rate")
	}
	var timescale uint32
	for typ, body := range boxes(seg) {
		if typ == "sidx" {
			if len(body) < 12 {
				return errors.New("shift segment: short sidx")
			}
			timescale = binary.BigEndian.Uint32(body[8:12])
			break
		}
	}
	if timescale == 0 {
		return errors.New("shift segment: no sidx with a timescale")
	}
	// startFrame × fpsDen/fpsNum seconds × timescale, exact when it is a
	// whole number of ticks (the muxer's timescale is a multiple of the
	// frame rate's numerator), rounded otherwise.
	num := new(big.Int).Mul(big.NewInt(int64(startFrame)), big.NewInt(int64(fpsDen)))
	num.Mul(num, big.NewInt(int64(timescale)))
	q, r := new(big.Int).QuoRem(num, big.NewInt(int64(fpsNum)), new(big.Int))
	if 2*r.Int64() >= int64(fpsNum) {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsUint64() {
		return errors.New("shift segment: offset out of range")
	}
	ticks := q.Uint64()
	found := false
	for typ, body := range boxes(seg) {
		switch typ {
		case "sidx":
			if err := addTime(body, 12, ticks); err != nil {
				return fmt.Errorf("shift segment: sidx: %w", err)
			}
		case "moof":
			found = true
			for mfhd := range childBoxes(body, "mfhd") {
				if len(mfhd) < 8 {
					return errors.New("shift segment: short mfhd")
				}
				binary.BigEndian.PutUint32(mfhd[4:8], binary.BigEndian.Uint32(mfhd[4:8])+seq)
			}
			for traf := range childBoxes(body, "traf") {
				for tfdt := range childBoxes(traf, "tfdt") {
					if err := addTime(tfdt, 4, ticks); err != nil {
						return fmt.Errorf("shift segment: tfdt: %w", err)
					}
				}
			}
		}
	}
	if !found {
		return errors.New("shift segment: no moof")
	}
	return nil
}

// addTime adds ticks to the time at off in a full box body (version 0:
// 32 bits, version 1: 64 bits).
func addTime(body []byte, off int, ticks uint64) error {
	if len(body) < 4 {
		return errors.New("short box")
	}
	if body[0] == 1 {
		if len(body) < off+8 {
			return errors.New("short box")
		}
		binary.BigEndian.PutUint64(body[off:off+8], binary.BigEndian.Uint64(body[off:off+8])+ticks)
		return nil
	}
	if len(body) < off+4 {
		return errors.New("short box")
	}
	v := uint64(binary.BigEndian.Uint32(body[off:off+4])) + ticks
	if v > 0xFFFFFFFF {
		return errors.New("time overflows a version 0 box")
	}
	binary.BigEndian.PutUint32(body[off:off+4], uint32(v))
	return nil
}
