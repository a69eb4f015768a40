// Package ffmpeg runs ffmpeg and ffprobe for the transcode pipeline.
//
// Argument lists are built by pure functions (args.go) that turn a
// media.Plan into []string and are golden-tested; the Runner executes them
// in their own process group, reports progress and turns failures into
// typed errors with a human hint. Every builder that reads an upload starts
// with InputFlags, which refuses protocols other than local files and
// container formats that can pull in other files (playlists, concat lists,
// image sequences).
package ffmpeg
