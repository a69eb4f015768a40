// Package delivery serves processed media to players over HTTP at
// /media/<id>/<path>, gated by signed play tokens.
//
// Every request carries ?token=<play token for <id>>. Manifests (.m3u8, .mpd,
// .vtt) are rewritten on the fly so each child URL carries the same token;
// that is what lets stock players (hls.js, dash.js, Safari) fetch segments
// from a protected origin without any custom loader. Segments, init sections
// and images are served straight from storage with Range support and
// year-long immutable caching.
package delivery
