package ffmpeg

import "strconv"

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
