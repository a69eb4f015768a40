// Package live turns a publisher's SRT or RTMP stream into live ABR HLS and
// DASH, served with the same signed playback tokens as VOD, and hands the
// recording to a callback when the broadcast ends so it becomes a normal
// video.
//
// One Service owns the stream registry, the two ingest listeners and one
// session per broadcasting stream. A session buffers the first second of
// input, probes it with ffprobe to plan a ladder that never exceeds the
// source, then feeds the bytes to one ffmpeg process through a FIFO. ffmpeg
// writes CMAF segments with DASH and HLS manifests into the stream's output
// directory and a copy of the input into a recording file. See README.md for
// the design choices.
package live
