package live

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
)

// Output file names inside a stream's output directory. The DASH muxer
// writes the MPD, an HLS multivariant playlist and one media playlist per
// rendition (media_<n>.m3u8) over the same CMAF segments.
const (
	mpdName    = "manifest.mpd"
	masterName = "master.m3u8"
	// keepAllSegments is ffmpeg's extra_window_size: more 2 s segments
	// than any broadcast has (over a year), so the muxer deletes none.
	keepAllSegments = 1 << 24
)

// TranscodeSpec is everything TranscodeArgs needs besides the ladder.
type TranscodeSpec struct {
	InputFormat    string  // "mpegts" (SRT) or "flv" (RTMP)
	Input          string  // FIFO path the ingest writes to
	OutDir         string  // live manifests and segments
	SegmentSeconds float64 // target segment length
	WindowSegments int     // segments listed in the manifests (the DVR window)
	PartSeconds    float64 // LL-HLS part length: fragments written as they are cut (0: whole segments)
	Preset         string  // x264 preset
}

// TranscodeArgs returns the ffmpeg arguments for one live session: decode
// the input once, scale it into every rung, encode with low-latency x264
// settings, package CMAF segments with DASH and HLS manifests, and copy the
// untouched input into the recording.
func TranscodeArgs(l Ladder, s TranscodeSpec) []string {
	args := ffmpeg.InputFlags()
	args = append(args,
		// Damaged packets from a lossy link are dropped, not decoded into
		// garbage that the encoder then spends bits on.
		"-fflags", "+discardcorrupt",
		// The head buffer already holds a second or more, so stream
		// analysis finishes at once; the bound only matters when a declared
		// stream never sends packets.
		"-analyzeduration", "3000000",
		"-f", s.InputFormat, "-i", "file:"+s.Input,
	)
	seg := strconv.FormatFloat(s.SegmentSeconds, 'f', -1, 64)
	var sets []string
	if len(l.Video) > 0 {
		args = append(args, "-filter_complex", ladderFilter(l))
		for i := range l.Video {
			args = append(args, "-map", fmt.Sprintf("[o%d]", i))
		}
		args = append(args,
			"-c:v", "libx264", "-preset", orDefault(s.Preset, "veryfast"),
			// zerolatency: no lookahead and no B-frames, so a frame leaves
			// the encoder right after it enters (about a second less delay
			// than the VOD settings).
			"-tune", "zerolatency",
			"-profile:v", "high",
			// A keyframe exactly at every segment boundary and nowhere else,
			// so all rungs cut segments at the same frames.
			"-g", strconv.Itoa(l.GOPFrames), "-keyint_min", strconv.Itoa(l.GOPFrames),
			"-sc_threshold", "0", "-flags", "+cgop",
			"-force_key_frames", "expr:gte(t,n_forced*"+seg+")",
		)
		for i, r := range l.Video {
			args = append(args,
				fmt.Sprintf("-b:v:%d", i), strconv.Itoa(r.Bitrate),
				fmt.Sprintf("-maxrate:v:%d", i), strconv.Itoa(r.MaxRate),
				fmt.Sprintf("-bufsize:v:%d", i), strconv.Itoa(r.BufSize),
			)
		}
		sets = append(sets, "id=0,streams=v")
	}
	if l.Audio != nil {
		args = append(args, "-map", "0:a:0",
			"-c:a", "aac", "-b:a", strconv.Itoa(l.Audio.Bitrate),
			"-ac", strconv.Itoa(max(l.Audio.Channels, 1)), "-ar", strconv.Itoa(orDefaultInt(l.Audio.SampleRate, 48000)))
		sets = append(sets, fmt.Sprintf("id=%d,streams=a", len(sets)))
	}
	args = append(args,
		"-f", "dash",
		"-seg_duration", seg,
		"-use_template", "1", "-use_timeline", "1",
		"-ldash", "0",
	)
	args = append(args, llFragmentArgs(s.PartSeconds)...)
	args = append(args,
		// The DVR window in the manifests; every segment stays on disk
		// (extra_window_size beyond any broadcast) because the recording
		// is made of them: the live ladder is the VOD ladder.
		"-window_size", strconv.Itoa(max(s.WindowSegments, 3)), "-extra_window_size", strconv.Itoa(keepAllSegments),
		"-remove_at_exit", "0",
		"-hls_playlist", "1", "-hls_master_name", masterName,
		"-adaptation_sets", strings.Join(sets, " "),
		// Flat names the playback handler allows; ffmpeg writes each file
		// as .tmp and renames it, so a listed segment is always complete.
		"-init_seg_name", "init_$RepresentationID$.m4s",
		"-media_seg_name", "seg_$RepresentationID$_$Number%05d$.m4s",
		filepath.Join(s.OutDir, mpdName),
	)
	return args
}

// ladderFilter decodes once and scales each rung from the one above it
// (cheaper than scaling every rung from the source). fps makes the output
// constant-rate so segments hold exactly GOPFrames frames.
func ladderFilter(l Ladder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[0:v:0]fps=%d/%d", l.FPSNum, l.FPSDen)
	n := len(l.Video)
	for i, r := range l.Video {
		if i == 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "scale=%d:%d", r.Width, r.Height)
		out := fmt.Sprintf("setsar=1,format=yuv420p[o%d]", i)
		if i == n-1 {
			b.WriteString("," + out)
			break
		}
		fmt.Fprintf(&b, ",split=2[r%d][n%d];[r%d]%s;[n%d]", i, i, i, out, i)
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
