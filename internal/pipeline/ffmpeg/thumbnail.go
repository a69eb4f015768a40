package ffmpeg

import (
	"fmt"
	"strconv"
)

// ThumbnailArgs returns the ffmpeg arguments that write one picture of the
// frame at offset seconds into in (a rendition's init segment and the
// media segments around it), width pixels wide with the aspect ratio kept,
// as JPEG or, with webp set, WebP.
func ThumbnailArgs(in string, offset float64, width int, webp bool, out string) []string {
	args := append(InputFlags(), "-an", "-sn", "-dn", "-ss", seconds(max(offset, 0)), "-i", inputURL(in),
		"-vf", displayScale(width), "-frames:v", "1")
	if webp {
		args = append(args, "-c:v", "libwebp", "-quality", "80", "-f", "webp")
	} else {
		args = append(args, "-c:v", "mjpeg", "-q:v", "4", "-f", "image2", "-update", "1")
	}
	return append(args, out)
}

// AnimatedArgs returns the ffmpeg arguments that write an animated WebP of
// duration seconds from offset seconds into in, at fps frames per second,
// width pixels wide, looping.
func AnimatedArgs(in string, offset, duration float64, fps, width int, out string) []string {
	return append(InputFlags(), "-an", "-sn", "-dn", "-ss", seconds(max(offset, 0)), "-t", seconds(duration), "-i", inputURL(in),
		"-vf", "fps="+strconv.Itoa(fps)+","+displayScale(width),
		"-c:v", "libwebp_anim", "-quality", "60", "-loop", "0", "-f", "webp", out)
}

// PosterImageArgs returns the ffmpeg arguments that decode an uploaded
// still image (format "jpeg", "png" or "webp", as sniffed from its bytes)
// and write a fresh baseline JPEG of it, at most width pixels wide (even
// sizes), without its metadata. Only the file protocol and only that
// image's demuxer may open it; -xerror makes a decode error fatal instead of
// a grey half picture.
func PosterImageArgs(in, format string, width int, out string) []string {
	demuxer := format + "_pipe"
	return []string{
		"-protocol_whitelist", "file", "-format_whitelist", demuxer,
		"-xerror", "-err_detect", "explode", "-f", demuxer, "-i", inputURL(in),
		"-map", "0:v:0", "-map_metadata", "-1", "-frames:v", "1",
		"-vf", fmt.Sprintf("scale=w='min(%d,iw)':h=-2:flags=lanczos,setsar=1,format=yuvj420p", width),
		"-c:v", "mjpeg", "-q:v", "3", "-f", "image2", "-update", "1", out,
	}
}
