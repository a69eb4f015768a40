package ffmpeg

import (
	"path/filepath"
)

// LiveVideoChunkArgs remuxes one live video rendition (init segment and
// media segments joined into one fragmented MP4) into the MPEG-TS chunk
// packaging reads, without re-encoding: timestamps start at the chunk
// offset like an encoded chunk 0's.
func LiveVideoChunkArgs(in, out string) []string {
	args := InputFlags()
	return append(args, "-i", inputURL(in),
		"-map", "0:v:0", "-c", "copy",
		"-f", "mpegts", "-mpegts_flags", "+initial_discontinuity",
		"-muxdelay", "0", "-muxpreload", "0",
		"-output_ts_offset", seconds(chunkTSOffset),
		out)
}

// LiveAudioArgs remuxes one live audio rendition (joined fragmented MP4)
// into the HLS fMP4 VOD playlist the audio step would have written in
// dir (index.m3u8, init.mp4, seg_NNNNN.m4s), without re-encoding.
func LiveAudioArgs(in string, segmentSeconds float64, dir string) []string {
	args := InputFlags()
	args = append(args, "-i", inputURL(in), "-map", "0:a:0", "-c", "copy")
	return append(args, hlsArgs(segmentSeconds, filepath.Clean(dir))...)
}
