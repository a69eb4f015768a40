package manifest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// TextTrack is a caption or subtitle track as the manifests list it.
type TextTrack struct {
	Dir      string // directory under the video: Dir/index.m3u8 (HLS), Dir/WholeFile (DASH)
	Language string // BCP 47
	Name     string // shown in players' menus
	Captions bool   // captions (dialogue and sounds) rather than subtitles
	Default  bool
}

// SubtitleGroup is the GROUP-ID of kinema's HLS subtitle renditions.
const SubtitleGroup = "subs"

// WholeFile is the name of a text track's single WebVTT file (DASH, the
// player's own menu, downloads).
const WholeFile = "all.vtt"

// WriteSubtitlePlaylist writes the HLS media playlist of a WebVTT track cut
// into segments named seg_00000.vtt... of the given durations.
func WriteSubtitlePlaylist(w io.Writer, durations []float64) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n", TargetDuration(durations...))
	for i, d := range durations {
		fmt.Fprintf(&b, "#EXTINF:%.6f,\n%s\n", d, SubtitleSegment(i))
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	_, err := w.Write(b.Bytes())
	return err
}

// SubtitleSegment names segment i of a subtitle playlist.
func SubtitleSegment(i int) string { return fmt.Sprintf("seg_%05d.vtt", i) }

// hlsQuoted makes s usable inside an HLS quoted-string: no double quote,
// CR or LF (RFC 8216 4.2).
func hlsQuoted(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '"':
			return '\''
		case '\r', '\n':
			return ' '
		}
		return r
	}, s)
}

var subtitlesAttr = regexp.MustCompile(`,SUBTITLES="[^"]*"`)

// SetSubtitles returns the multivariant playlist src with its SUBTITLES
// group replaced by tracks: EXT-X-MEDIA TYPE=SUBTITLES lines written
// before the first variant, and SUBTITLES="subs" on every EXT-X-STREAM-INF
// (none when tracks is empty). It works on the text, so whatever else
// packaging put in the playlist stays as it was, and applying it again
// with other tracks replaces rather than adds.
func SetSubtitles(src []byte, tracks []TextTrack) []byte {
	lines := strings.SplitAfter(string(src), "\n")
	var b strings.Builder
	wrote := false
	names := map[string]int{}
	media := func() {
		if wrote || len(tracks) == 0 {
			return
		}
		wrote = true
		for _, t := range tracks {
			name := hlsQuoted(t.Name)
			if names[name]++; names[name] > 1 { // NAME is unique within a group
				name = fmt.Sprintf("%s (%d)", name, names[name])
			}
			def := "NO"
			if t.Default {
				def = "YES"
			}
			fmt.Fprintf(&b, `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="%s",NAME="%s",LANGUAGE="%s",DEFAULT=%s,AUTOSELECT=YES,FORCED=NO`,
				SubtitleGroup, name, hlsQuoted(t.Language), def)
			if t.Captions {
				b.WriteString(`,CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"`)
			}
			fmt.Fprintf(&b, ",URI=\"%s/index.m3u8\"\n", t.Dir)
		}
	}
	for _, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, "#EXT-X-MEDIA:") && strings.Contains(trimmed, "TYPE=SUBTITLES"):
			continue
		case strings.HasPrefix(trimmed, "#EXT-X-STREAM-INF:"):
			media()
			eol := l[len(strings.TrimRight(l, "\r\n")):]
			l = subtitlesAttr.ReplaceAllString(strings.TrimRight(l, "\r\n"), "")
			if len(tracks) > 0 {
				l += `,SUBTITLES="` + SubtitleGroup + `"`
			}
			l += eol
		}
		b.WriteString(l)
	}
	return []byte(b.String())
}

// textSetMarker marks the AdaptationSets SetTextSets writes, so it can
// find and replace them.
const textSetMarker = `contentType="text"`

var textSetRE = regexp.MustCompile(`(?s)\n?[ \t]*<AdaptationSet [^>]*` + textSetMarker + `[^>]*>.*?</AdaptationSet>`)

type textSetXML struct {
	XMLName     xml.Name      `xml:"AdaptationSet"`
	ID          int           `xml:"id,attr"`
	ContentType string        `xml:"contentType,attr"`
	MimeType    string        `xml:"mimeType,attr"`
	Lang        string        `xml:"lang,attr"`
	Label       string        `xml:"Label"`
	Role        descriptorXML `xml:"Role"`
	Rep         struct {
		ID        string `xml:"id,attr"`
		Bandwidth int    `xml:"bandwidth,attr"`
		BaseURL   string `xml:"BaseURL"`
	} `xml:"Representation"`
}

var adaptationSetIDs = regexp.MustCompile(`<AdaptationSet [^>]*\bid="(\d+)"`)

// SetTextSets returns the MPD src with its text AdaptationSets replaced by
// one per track: mimeType text/vtt, the track's language and label, a
// subtitle or caption Role, and one Representation whose BaseURL is the
// track's whole WebVTT file (RewriteMPD signs it). They go last in the
// first Period, with ids after the other sets'.
func SetTextSets(src []byte, tracks []TextTrack) ([]byte, error) {
	s := textSetRE.ReplaceAllString(string(src), "")
	end := strings.Index(s, "</Period>")
	if end < 0 {
		return nil, fmt.Errorf("manifest: MPD has no Period")
	}
	next := 0
	for _, m := range adaptationSetIDs.FindAllStringSubmatch(s, -1) {
		var id int
		fmt.Sscan(m[1], &id)
		next = max(next, id+1)
	}
	// Indent like the sets before: the "</Period>" line's indent plus two.
	lineStart := strings.LastIndexByte(s[:end], '\n') + 1
	indent := s[lineStart:end] + "  "
	var b strings.Builder
	for i, t := range tracks {
		set := textSetXML{ID: next + i, ContentType: "text", MimeType: "text/vtt", Lang: t.Language, Label: t.Name,
			Role: descriptorXML{SchemeIDURI: "urn:mpeg:dash:role:2011", Value: "subtitle"}}
		if t.Captions {
			set.Role.Value = "caption"
		}
		set.Rep.ID, set.Rep.Bandwidth, set.Rep.BaseURL = t.Dir, 256, t.Dir+"/"+WholeFile
		out, err := xml.MarshalIndent(set, indent, "  ")
		if err != nil {
			return nil, fmt.Errorf("manifest: text set: %w", err)
		}
		b.WriteString(indent[2:] + "  " + strings.TrimPrefix(string(out), indent) + "\n")
	}
	return []byte(s[:lineStart] + b.String() + s[lineStart:]), nil
}
