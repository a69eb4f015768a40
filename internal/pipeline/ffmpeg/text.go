package ffmpeg

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// TextStream is a text subtitle stream of a source.
type TextStream struct {
	Index    int    // the stream's index in the file (0:Index)
	Codec    string // mov_text, subrip, ass, ssa, webvtt, text
	Language string // the language tag as found ("eng", "fr"), may be empty
	Title    string
	Default  bool
	Hearing  bool // disposition hearing_impaired: captions rather than subtitles
}

// TextInfo is what ProbeText finds: text subtitle streams and chapters.
type TextInfo struct {
	Streams  []TextStream
	Chapters []media.Chapter
}

// textCodecs are the subtitle codecs ffmpeg can turn into WebVTT. Bitmap
// subtitles (DVD, PGS, DVB) need OCR and are left out.
var textCodecs = map[string]bool{"mov_text": true, "subrip": true, "srt": true, "ass": true, "ssa": true, "webvtt": true, "text": true}

// maxTextStreams bounds how many subtitle streams of one file are extracted.
const maxTextStreams = 16

type textProbe struct {
	Streams []struct {
		Index       int               `json:"index"`
		CodecType   string            `json:"codec_type"`
		CodecName   string            `json:"codec_name"`
		Disposition map[string]int    `json:"disposition"`
		Tags        map[string]string `json:"tags"`
	} `json:"streams"`
	Chapters []struct {
		StartTime string            `json:"start_time"`
		Tags      map[string]string `json:"tags"`
	} `json:"chapters"`
}

// ProbeText lists the text subtitle streams and the chapters of the source
// at path, with the same hardening as Probe (file protocol and whitelisted
// demuxers only, bounded output and time).
func (r *Runner) ProbeText(ctx context.Context, path string) (TextInfo, error) {
	args := append([]string{"-v", "error"}, InputFlags()...)
	args = append(args, "-print_format", "json", "-show_chapters",
		"-show_entries", "stream=index,codec_type,codec_name:stream_disposition:stream_tags=language,title",
		inputURL(path))
	var out limitedBuffer
	out.max = maxProbeOutput
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := r.exec(pctx, r.FFprobe, args, &out); err != nil {
		return TextInfo{}, fmt.Errorf("ffprobe text streams: %w", err)
	}
	if out.overflow {
		return TextInfo{}, fmt.Errorf("ffprobe text streams: output over %d bytes", maxProbeOutput)
	}
	return parseTextProbe(out.Bytes())
}

func parseTextProbe(data []byte) (TextInfo, error) {
	var tp textProbe
	if err := json.Unmarshal(data, &tp); err != nil {
		return TextInfo{}, fmt.Errorf("decode ffprobe json: %w", err)
	}
	var info TextInfo
	for _, s := range tp.Streams {
		if s.CodecType != "subtitle" || !textCodecs[s.CodecName] || len(info.Streams) >= maxTextStreams {
			continue
		}
		info.Streams = append(info.Streams, TextStream{
			Index: s.Index, Codec: s.CodecName, Language: s.Tags["language"], Title: s.Tags["title"],
			Default: s.Disposition["default"] == 1, Hearing: s.Disposition["hearing_impaired"] == 1,
		})
	}
	for i, c := range tp.Chapters {
		if len(info.Chapters) >= media.MaxChapters {
			break
		}
		start, err := strconv.ParseFloat(c.StartTime, 64)
		if err != nil || start < 0 || start != start {
			continue
		}
		title := strings.TrimSpace(strings.Join(strings.Fields(c.Tags["title"]), " "))
		if title == "" {
			title = fmt.Sprintf("Chapter %d", i+1)
		}
		if r := []rune(title); len(r) > 200 {
			title = string(r[:200])
		}
		// Sources may list chapters out of order or twice; keep a strictly
		// increasing list.
		if n := len(info.Chapters); n > 0 && start <= info.Chapters[n-1].Start {
			continue
		}
		info.Chapters = append(info.Chapters, media.Chapter{Start: start, Title: title})
	}
	return info, nil
}

// TextExtractArgs returns the ffmpeg arguments that convert the text
// subtitle streams of src into WebVTT files outDir/text_<index>.vtt, in one
// pass over the file. ffmpeg's WebVTT encoder keeps bold, italic and
// underline and drops the rest of ASS styling, which is what plain-text
// captions want. Nothing but the subtitle streams is decoded.
func TextExtractArgs(src string, streams []TextStream, outDir string, duration float64) []string {
	args := InputFlags()
	args = append(args, "-vn", "-an", "-dn")
	if duration > 0 {
		args = append(args, "-t", seconds(duration))
	}
	args = append(args, "-i", inputURL(src))
	for _, s := range streams {
		args = append(args, "-map", fmt.Sprintf("0:%d", s.Index), "-c:s", "webvtt", "-f", "webvtt",
			filepath.Join(outDir, TextFile(s)))
	}
	return args
}

// TextFile names the WebVTT file TextExtractArgs writes for s.
func TextFile(s TextStream) string { return fmt.Sprintf("text_%d.vtt", s.Index) }
