package ffmpeg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// maxProbeOutput bounds ffprobe's JSON; a crafted file with thousands of
// streams should not exhaust memory.
const maxProbeOutput = 16 << 20

// probeTimeout bounds one ffprobe run. Probing reads the headers and a few
// MB of packets and takes well under a second for honest files even on a
// busy machine; a file crafted to keep ffprobe busy fails instead of holding
// a worker until the job's timeout.
const probeTimeout = 2 * time.Minute

// errProbeTimeout is the cause of a probe stopped by probeTimeout.
var errProbeTimeout = errors.New("ffprobe took longer than " + probeTimeout.String())

// Probe runs ffprobe on the upload at path and returns what it learned, with
// width and height converted to the display size (sample aspect ratio and
// rotation applied). Files that are not usable media (not media at all,
// truncated, referring to other files, no streams) yield a *media.InputError
// whose Reason is meant for the uploader; other failures are plain errors
// and may be retried.
func (r *Runner) Probe(ctx context.Context, path string) (media.Source, error) {
	args := append([]string{"-v", "error"}, InputFlags()...)
	args = append(args, "-print_format", "json", "-show_format", "-show_streams", inputURL(path))
	var out limitedBuffer
	out.max = maxProbeOutput
	pctx, cancel := context.WithTimeoutCause(ctx, probeTimeout, errProbeTimeout)
	defer cancel()
	if err := r.exec(pctx, r.FFprobe, args, &out); err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(pctx), errProbeTimeout) {
			r.logger().InfoContext(ctx, "ffprobe timed out", "path", path, "timeout", probeTimeout.String())
			return media.Source{}, &media.InputError{Reason: "The file took too long to analyse; it may be damaged."}
		}
		var ml *MemoryLimitError
		if errors.As(err, &ml) {
			r.logger().InfoContext(ctx, "ffprobe over the memory limit", "path", path, "err", err)
			return media.Source{}, err
		}
		var ee *ExitError
		if errors.As(err, &ee) && (ee.Input || ee.Hint == "") {
			// The details are for operators; the uploader gets a sentence.
			r.logger().InfoContext(ctx, "ffprobe rejected upload", "path", path, "code", ee.Code, "stderr", ee.StderrTail)
			reason := ee.Hint
			if strings.Contains(ee.StderrTail, "moov atom not found") && !looksLikeMP4(path) {
				reason, _ = lookupHint("Invalid data found when processing input")
			}
			if reason == "" {
				reason = "The file could not be read as audio or video."
			}
			return media.Source{}, &media.InputError{Reason: reason}
		}
		return media.Source{}, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	if out.overflow {
		return media.Source{}, &media.InputError{Reason: "The file has too many streams to be processed."}
	}
	src, err := parseProbe(out.Bytes())
	if err != nil {
		return media.Source{}, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	if src.Size <= 0 {
		if fi, err := os.Stat(path); err == nil {
			src.Size = fi.Size()
		}
	}
	if !src.HasVideo && !src.HasAudio {
		return media.Source{}, &media.InputError{Reason: "The file has no audio or video stream kinema can use."}
	}
	return src, nil
}

// looksLikeMP4 reports whether the file starts like an ISO BMFF file. The mov
// demuxer is picked by the .mp4 extension even for random bytes, and then
// reports a missing index; only a file that starts like MP4 is "cut off".
func looksLikeMP4(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var hdr [8]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return false
	}
	switch string(hdr[4:8]) {
	case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot":
		return true
	}
	return false
}

type probeOutput struct {
	Streams []probeStream `json:"streams"`
	Format  struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		Size       string `json:"size"`
	} `json:"format"`
}

type probeStream struct {
	CodecType         string            `json:"codec_type"`
	CodecName         string            `json:"codec_name"`
	Width             int               `json:"width"`
	Height            int               `json:"height"`
	CodedWidth        int               `json:"coded_width"`
	CodedHeight       int               `json:"coded_height"`
	SampleAspectRatio string            `json:"sample_aspect_ratio"`
	AvgFrameRate      string            `json:"avg_frame_rate"`
	RFrameRate        string            `json:"r_frame_rate"`
	Duration          string            `json:"duration"`
	Channels          int               `json:"channels"`
	SampleRate        string            `json:"sample_rate"`
	Disposition       map[string]int    `json:"disposition"`
	Tags              map[string]string `json:"tags"`
	SideDataList      []struct {
		SideDataType string  `json:"side_data_type"`
		Rotation     float64 `json:"rotation"`
	} `json:"side_data_list"`
}

// parseProbe turns ffprobe's JSON into a Source.
func parseProbe(data []byte) (media.Source, error) {
	var po probeOutput
	if err := json.Unmarshal(data, &po); err != nil {
		return media.Source{}, fmt.Errorf("decode ffprobe json: %w", err)
	}
	src := media.Source{Format: po.Format.FormatName}
	src.Duration = parseSeconds(po.Format.Duration)
	src.Size, _ = strconv.ParseInt(po.Format.Size, 10, 64)
	src.Streams = len(po.Streams)
	var streamDur float64
	var largest [2]int // coded size of the largest video stream
	for _, s := range po.Streams {
		streamDur = max(streamDur, parseSeconds(s.Duration))
		switch s.CodecType {
		case "video":
			// Any video stream may get decoded: the chunk filter's [0:v]
			// takes the first one, cover art included, and the poster
			// ffmpeg's pick, the largest. Limits see the largest.
			if w, h := max(s.Width, s.CodedWidth), max(s.Height, s.CodedHeight); int64(w)*int64(h) > int64(largest[0])*int64(largest[1]) {
				largest = [2]int{w, h}
			}
			// Cover art in mp3/m4a files is a one-frame "video" stream.
			if src.HasVideo || s.Disposition["attached_pic"] == 1 || s.Disposition["timed_thumbnails"] == 1 {
				continue
			}
			if s.Width <= 0 || s.Height <= 0 {
				continue
			}
			src.HasVideo = true
			src.VideoCodec = s.CodecName
			src.Rotation = streamRotation(s)
			src.Width, src.Height = displaySize(s.Width, s.Height, s.SampleAspectRatio, src.Rotation)
			src.FPSNum, src.FPSDen = parseRatio(s.AvgFrameRate, '/')
			if src.FPSNum <= 0 || src.FPSDen <= 0 {
				src.FPSNum, src.FPSDen = parseRatio(s.RFrameRate, '/')
			}
			if src.FPSNum <= 0 || src.FPSDen <= 0 {
				src.FPSNum, src.FPSDen = 0, 0
			}
		case "audio":
			rate, _ := strconv.Atoi(s.SampleRate)
			src.AudioTracks = append(src.AudioTracks, media.AudioTrack{
				Index: len(src.AudioTracks), Codec: s.CodecName, Channels: s.Channels, SampleRate: rate,
				Language: media.NormalizeLanguage(tag(s.Tags, "language")),
				Title:    cleanTitle(tag(s.Tags, "title")),
				Default:  s.Disposition["default"] == 1,
			})
		}
	}
	if len(src.AudioTracks) > 0 {
		def := src.AudioTracks[0]
		for _, t := range src.AudioTracks {
			if t.Default {
				def = t
				break
			}
		}
		src.HasAudio = true
		src.AudioCodec, src.AudioChannels, src.AudioSampleRate = def.Codec, def.Channels, def.SampleRate
		if len(src.AudioTracks) == 1 {
			src.AudioTracks[0].Default = true
		}
	}
	if src.HasVideo {
		// ffprobe's width is the stored picture; coded_width may add the
		// codec's alignment (1088 for 1080). Cover art alone (an audio
		// file) is never decoded.
		src.CodedWidth, src.CodedHeight = largest[0], largest[1]
	}
	if src.Duration <= 0 {
		src.Duration = streamDur
	}
	return src, nil
}

// tag returns a stream tag whatever the case of its key (mkv writes
// "LANGUAGE" and "title", mp4 "language").
func tag(tags map[string]string, key string) string {
	if v, ok := tags[key]; ok {
		return v
	}
	for k, v := range tags {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// maxTitle bounds a track title kept for players' menus, in runes.
const maxTitle = 64

// cleanTitle keeps a stream title printable and short: it ends up in
// manifests (quoted HLS attributes, XML) and menus. Quotes, control
// characters and newlines go; the manifest writers escape the rest.
func cleanTitle(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if n >= maxTitle {
			break
		}
		if r == '"' || r == '\\' || r == 0xfffd {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// streamRotation returns the rotation in degrees, normalised to [0, 360),
// from the display matrix or, for older files, the "rotate" tag. The value
// is ffprobe's; only 90 and 270 matter for the display size.
func streamRotation(s probeStream) int {
	deg, found := 0.0, false
	for _, sd := range s.SideDataList {
		if sd.SideDataType == "Display Matrix" {
			deg, found = sd.Rotation, true
			break
		}
	}
	if !found {
		if v, err := strconv.ParseFloat(s.Tags["rotate"], 64); err == nil {
			deg = v
		}
	}
	r := int(math.Round(deg)) % 360
	if r < 0 {
		r += 360
	}
	return r
}

// displaySize applies the sample aspect ratio (to the width, rounded to an
// even number) and a quarter-turn rotation. A hostile ratio can neither
// round the width down to 0 nor overflow it: it stays in [2, MaxInt32], and
// the input limits judge whatever size that claims.
func displaySize(w, h int, sar string, rotation int) (int, int) {
	if n, d := parseRatio(sar, ':'); n > 0 && d > 0 && n != d {
		scaled := math.Round(float64(w)*float64(n)/float64(d)/2) * 2
		w = int(max(2, min(scaled, math.MaxInt32)))
	}
	if rotation == 90 || rotation == 270 {
		w, h = h, w
	}
	return w, h
}

// parseRatio parses "30000/1001" or "16:9"; it returns zeros on failure.
func parseRatio(s string, sep byte) (int, int) {
	a, b, ok := strings.Cut(s, string(sep))
	if !ok {
		return 0, 0
	}
	n, err1 := strconv.Atoi(a)
	d, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return n, d
}

func parseSeconds(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// limitedBuffer keeps at most max bytes and remembers that it dropped some.
type limitedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.overflow = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
