package ffmpeg

import "strings"

// FormatWhitelist lists the demuxers allowed to open an upload, comma
// separated as ffmpeg's -format_whitelist expects. ffmpeg matches any name of
// a multi-name demuxer, so "mov" admits "mov,mp4,m4a,3gp,3g2,mj2" and
// "matroska" admits "matroska,webm".
//
// Deliberately absent: hls, dash, concat (ffconcat), image2 and the other
// image/pipe demuxers, tty, lavfi, every subtitle and playlist format, and raw
// elementary streams (h264, hevc, mpegvideo, m4v), which carry no timestamps.
// Playlists and concat lists can make ffmpeg read arbitrary local files or
// URLs, the classic SSRF/file disclosure through a crafted "video".
const FormatWhitelist = "mov," + // mp4, m4a, mov, 3gp, 3g2, mj2
	"matroska," + // mkv, webm
	"avi," +
	"flv," +
	"mpegts," + // .ts, .m2ts, .mts
	"mpeg," + // MPEG program stream: .mpg, .vob
	"asf," + // wmv, wma
	"mxf," +
	"dv," +
	"ogg," + // ogg, oga, ogv, opus
	"mp3," +
	"aac," + // ADTS
	"ac3," +
	"eac3," +
	"wav," +
	"w64," +
	"aiff," +
	"caf," +
	"flac," +
	"wv," + // WavPack
	"amr"

// InputFlags returns the input options that harden ffmpeg and ffprobe
// against hostile uploads: only the file protocol and only the demuxers in
// FormatWhitelist. They must precede the -i (or, for ffprobe, the input path)
// they protect, and every builder that reads an upload uses them.
func InputFlags() []string {
	return []string{
		"-protocol_whitelist", "file",
		"-format_whitelist", FormatWhitelist,
	}
}

// inputURL makes a local path unambiguous for ffmpeg: without the file:
// prefix a name such as "concat:a|b" or "-" would select another protocol.
func inputURL(path string) string {
	if strings.HasPrefix(path, "file:") {
		return path
	}
	return "file:" + path
}
