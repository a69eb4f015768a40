// Package caption reads caption and subtitle files (WebVTT, SubRip) that
// uploaders send or that ffmpeg extracts from a source, checks them as
// hostile input, and writes clean WebVTT: whole files for DASH and the
// player, and segments for HLS. It also writes WebVTT chapter tracks.
//
// Cue text keeps only the WebVTT tags a caption needs (b, i, u, c, v, lang,
// ruby, rt, timestamps) and the character references WebVTT defines;
// anything else is escaped, so a cue can never carry markup a page could
// mistake for its own.
package caption
