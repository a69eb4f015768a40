package ffmpeg

// DownloadMP4Args returns the ffmpeg arguments that remux a video
// rendition and an audio rendition, each a whole CMAF track (init segment
// followed by its media segments), into one progressive MP4 with the index
// (moov) before the media (faststart), without re-encoding. audio may be
// "" for a video without sound.
func DownloadMP4Args(video, audio, out string) []string {
	// Input options apply to the next -i only: each input gets them.
	args := append(InputFlags(), "-i", inputURL(video))
	if audio != "" {
		args = append(append(args, InputFlags()...), "-i", inputURL(audio))
	}
	args = append(args, "-map", "0:v:0")
	if audio != "" {
		args = append(args, "-map", "1:a:0")
	}
	return append(args,
		"-c", "copy",
		// No title, encoder or handler names from kinema's work files.
		"-map_metadata", "-1",
		// moov first: players start before the whole file is there.
		"-movflags", "+faststart",
		"-f", "mp4", out)
}

// DownloadM4AArgs returns the ffmpeg arguments that remux an audio
// rendition (a whole CMAF track) into an M4A file with faststart, without
// re-encoding.
func DownloadM4AArgs(audio, out string) []string {
	args := InputFlags()
	return append(args, "-i", inputURL(audio),
		"-map", "0:a:0", "-c", "copy", "-map_metadata", "-1",
		"-movflags", "+faststart",
		"-f", "ipod", // the M4A brand
		out)
}
