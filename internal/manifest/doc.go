// Package manifest reads the media playlists ffmpeg writes, writes the HLS
// multivariant playlist and the DASH MPD that point at them, and rewrites
// manifests at request time so every child URL carries the viewer's signed
// query.
//
// Everything here is pure: bytes in, bytes out, no I/O beyond the given
// reader or writer, so it is table- and golden-tested and fuzzed.
//
// Rewriters never add the query to absolute URLs (with a scheme, or
// scheme-relative "//host/..."): the token is a credential for this server
// and must not leak to other hosts. kinema writes relative URLs only, so in
// practice every URL is rewritten.
package manifest
