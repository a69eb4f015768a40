package manifest

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// mpdTimescale is ticks per second in every SegmentTemplate: milliseconds are
// finer than any EXTINF precision ffmpeg writes that matters to a player.
const mpdTimescale = 1000

// The XML structs mirror the part of ISO/IEC 23009-1 kinema writes. Field
// order is element order, which the schema fixes (e.g. AudioChannelConfiguration
// before SegmentTemplate).
type mpdXML struct {
	XMLName                   xml.Name  `xml:"MPD"`
	Xmlns                     string    `xml:"xmlns,attr"`
	Profiles                  string    `xml:"profiles,attr"`
	Type                      string    `xml:"type,attr"`
	MediaPresentationDuration string    `xml:"mediaPresentationDuration,attr"`
	MinBufferTime             string    `xml:"minBufferTime,attr"`
	Period                    periodXML `xml:"Period"`
}

type periodXML struct {
	ID             string             `xml:"id,attr"`
	Start          string             `xml:"start,attr"`
	AdaptationSets []adaptationSetXML `xml:"AdaptationSet"`
}

type adaptationSetXML struct {
	ID                int    `xml:"id,attr"`
	ContentType       string `xml:"contentType,attr"`
	Lang              string `xml:"lang,attr,omitempty"`
	MimeType          string `xml:"mimeType,attr"`
	SegmentAlignment  bool   `xml:"segmentAlignment,attr"`
	StartWithSAP      int    `xml:"startWithSAP,attr"`
	MaxWidth          int    `xml:"maxWidth,attr,omitempty"`
	MaxHeight         int    `xml:"maxHeight,attr,omitempty"`
	MaxFrameRate      string `xml:"maxFrameRate,attr,omitempty"`
	SelectionPriority int    `xml:"selectionPriority,attr,omitempty"`
	// Label comes before Role: AdaptationSetType extends
	// RepresentationBaseType, whose elements (Label among them) come first.
	Label           string              `xml:"Label,omitempty"`
	Role            *descriptorXML      `xml:"Role"`
	Representations []representationXML `xml:"Representation"`
}

type descriptorXML struct {
	SchemeIDURI string `xml:"schemeIdUri,attr"`
	Value       string `xml:"value,attr"`
}

type representationXML struct {
	ID                        string             `xml:"id,attr"`
	Bandwidth                 int                `xml:"bandwidth,attr"`
	Codecs                    string             `xml:"codecs,attr"`
	Width                     int                `xml:"width,attr,omitempty"`
	Height                    int                `xml:"height,attr,omitempty"`
	FrameRate                 string             `xml:"frameRate,attr,omitempty"`
	SAR                       string             `xml:"sar,attr,omitempty"`
	AudioSamplingRate         int                `xml:"audioSamplingRate,attr,omitempty"`
	AudioChannelConfiguration *descriptorXML     `xml:"AudioChannelConfiguration"`
	SegmentTemplate           segmentTemplateXML `xml:"SegmentTemplate"`
}

type segmentTemplateXML struct {
	Initialization string `xml:"initialization,attr"`
	Media          string `xml:"media,attr"`
	StartNumber    int    `xml:"startNumber,attr"`
	Timescale      int    `xml:"timescale,attr"`
	Timeline       []sXML `xml:"SegmentTimeline>S"`
}

type sXML struct {
	T *int64 `xml:"t,attr"` // only on the first entry
	D int64  `xml:"d,attr"`
	R int    `xml:"r,attr,omitempty"`
}

// WriteMPD writes a static DASH MPD (isoff-live profile) for renditions. The
// segments map holds each rendition's parsed media playlist by rendition id;
// its EXTINF durations become the SegmentTimeline and its URIs the template,
// so HLS and DASH share the same files. duration is the presentation length
// in seconds; when it is not positive the longest playlist is used.
//
// Video renditions must carry Codecs: MSE players cannot create a buffer
// without it, so a missing value is an error here rather than a broken stream.
func WriteMPD(w io.Writer, duration float64, renditions []media.Rendition, segments map[string]MediaPlaylist) error {
	video, audio, err := splitRenditions(renditions)
	if err != nil {
		return err
	}
	minBuffer := 0
	var longest float64
	for _, r := range renditions {
		pl, ok := segments[r.ID]
		if !ok {
			return fmt.Errorf("manifest: no media playlist for rendition %s", r.ID)
		}
		minBuffer = max(minBuffer, pl.TargetDuration)
		longest = max(longest, pl.Duration())
	}
	if duration <= 0 {
		duration = longest
	}
	if minBuffer == 0 {
		minBuffer = 4
	}
	doc := mpdXML{
		Xmlns:                     "urn:mpeg:dash:schema:mpd:2011",
		Profiles:                  "urn:mpeg:dash:profile:isoff-live:2011",
		Type:                      "static",
		MediaPresentationDuration: fmt.Sprintf("PT%.3fS", roundTicks(duration)),
		MinBufferTime:             fmt.Sprintf("PT%dS", minBuffer),
		Period:                    periodXML{ID: "0", Start: "PT0S"},
	}
	for _, group := range byCodec(video) {
		set, err := videoSet(group, segments)
		if err != nil {
			return err
		}
		set.ID = len(doc.Period.AdaptationSets)
		doc.Period.AdaptationSets = append(doc.Period.AdaptationSets, set)
	}
	sets, err := audioSets(audio, segments, len(doc.Period.AdaptationSets))
	if err != nil {
		return err
	}
	doc.Period.AdaptationSets = append(doc.Period.AdaptationSets, sets...)

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("manifest: encode MPD: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// byCodec groups video renditions by codec (avc1, av01, hvc1), in order of
// first appearance: a player switches seamlessly only inside one codec, so
// each gets its own AdaptationSet and players pick the one they decode.
func byCodec(video []media.Rendition) [][]media.Rendition {
	var groups [][]media.Rendition
	at := map[string]int{}
	for _, v := range video {
		family, _, _ := strings.Cut(v.Codecs, ".")
		i, ok := at[family]
		if !ok {
			i = len(groups)
			at[family] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], v)
	}
	return groups
}

func videoSet(video []media.Rendition, segments map[string]MediaPlaylist) (adaptationSetXML, error) {
	set := adaptationSetXML{ContentType: "video", MimeType: "video/mp4", SegmentAlignment: true, StartWithSAP: 1}
	var maxFPS float64
	for _, v := range video {
		if v.Codecs == "" {
			return adaptationSetXML{}, fmt.Errorf("manifest: video rendition %s has no codecs string", v.ID)
		}
		tmpl, err := segmentTemplate(v.ID, segments[v.ID])
		if err != nil {
			return adaptationSetXML{}, err
		}
		set.MaxWidth, set.MaxHeight = max(set.MaxWidth, v.Width), max(set.MaxHeight, v.Height)
		if v.FPS() > maxFPS {
			maxFPS, set.MaxFrameRate = v.FPS(), frameRate(v)
		}
		set.Representations = append(set.Representations, representationXML{
			ID: v.ID, Bandwidth: peakBandwidth(v), Codecs: v.Codecs,
			Width: v.Width, Height: v.Height, FrameRate: frameRate(v),
			SAR:             "1:1", // renditions are scaled to the display size
			SegmentTemplate: tmpl,
		})
	}
	return set, nil
}

// audioSets makes one AdaptationSet per source track and channel layout,
// in order of first appearance: renditions inside a set must be seamlessly
// switchable, which a stereo and a 5.1 track are not, nor two languages.
// A set carries its track's language (lang) and label. The default track's
// first set (the stereo downmix in kinema's ladders) gets a higher
// selectionPriority and the main role so players start with it rather than
// another language or the costlier layout.
func audioSets(audio []media.Rendition, segments map[string]MediaPlaylist, firstID int) ([]adaptationSetXML, error) {
	type key struct {
		track    int
		lang     string
		channels int
	}
	var sets []adaptationSetXML
	index := map[key]int{} // -> index in sets
	main := -1
	def := defaultAudio(audio)
	for n, a := range audio {
		tmpl, err := segmentTemplate(a.ID, segments[a.ID])
		if err != nil {
			return nil, err
		}
		k := key{a.Track, a.Language, a.Channels}
		i, ok := index[k]
		if !ok {
			i = len(sets)
			index[k] = i
			sets = append(sets, adaptationSetXML{ID: firstID + i, ContentType: "audio", MimeType: "audio/mp4",
				SegmentAlignment: true, StartWithSAP: 1, Lang: a.Language, Label: a.Name})
		}
		if n == def {
			main = i
		}
		rep := representationXML{
			ID: a.ID, Bandwidth: peakBandwidth(a), Codecs: audioCodecs(a),
			AudioSamplingRate: a.SampleRate, SegmentTemplate: tmpl,
		}
		if a.Channels > 0 {
			rep.AudioChannelConfiguration = &descriptorXML{
				SchemeIDURI: "urn:mpeg:dash:23003:3:audio_channel_configuration:2011",
				Value:       strconv.Itoa(a.Channels),
			}
		}
		sets[i].Representations = append(sets[i].Representations, rep)
	}
	if main >= 0 {
		sets[main].SelectionPriority = 2
		sets[main].Role = &descriptorXML{SchemeIDURI: "urn:mpeg:dash:role:2011", Value: "main"}
	}
	return sets, nil
}

func frameRate(r media.Rendition) string {
	switch {
	case r.FPSNum <= 0 || r.FPSDen <= 0:
		return ""
	case r.FPSDen == 1:
		return strconv.Itoa(r.FPSNum)
	}
	return fmt.Sprintf("%d/%d", r.FPSNum, r.FPSDen)
}

// segmentTemplate derives a rendition's SegmentTemplate from its media
// playlist instead of assuming ffmpeg's naming: the last run of digits before
// the extension of the first segment URI is the number, and every other segment must follow the
// same pattern, or the DASH player would fetch files that do not exist.
func segmentTemplate(rid string, pl MediaPlaylist) (segmentTemplateXML, error) {
	fail := func(format string, args ...any) (segmentTemplateXML, error) {
		return segmentTemplateXML{}, fmt.Errorf("manifest: rendition %s: "+format, append([]any{rid}, args...)...)
	}
	if len(pl.Segments) == 0 {
		return fail("media playlist has no segments")
	}
	if !safeSegment(pl.MapURI) {
		return fail("init section URI %q is missing or not a plain file name", pl.MapURI)
	}
	first := pl.Segments[0].URI
	if !safeSegment(first) {
		return fail("segment URI %q is not a plain file name", first)
	}
	// Search before the extension: ".m4s" has a digit of its own.
	end := len(first)
	if dot := strings.LastIndexByte(first, '.'); dot > 0 {
		end = dot
	}
	for end > 0 && !isDigit(first[end-1]) {
		end--
	}
	start := end
	for start > 0 && isDigit(first[start-1]) {
		start--
	}
	if start == end || end-start > 9 {
		return fail("segment URI %q has no usable number", first)
	}
	prefix, digits, suffix := first[:start], first[start:end], first[end:]
	number, _ := strconv.Atoi(digits)
	width := len(digits)
	for i, s := range pl.Segments {
		if want := fmt.Sprintf("%s%0*d%s", prefix, width, number+i, suffix); s.URI != want {
			return fail("segment %d is %q, expected %q", i, s.URI, want)
		}
	}
	// safeSegment excludes '$', so prefix and suffix need no template escaping.
	mediaTmpl := fmt.Sprintf("%s/%s$Number%%0%dd$%s", rid, prefix, width, suffix)
	if width == 1 {
		mediaTmpl = fmt.Sprintf("%s/%s$Number$%s", rid, prefix, suffix)
	}
	timeline, err := timeline(pl.Segments)
	if err != nil {
		return fail("%v", err)
	}
	return segmentTemplateXML{
		Initialization: rid + "/" + pl.MapURI, Media: mediaTmpl,
		StartNumber: number, Timescale: mpdTimescale, Timeline: timeline,
	}, nil
}

// timeline converts EXTINF durations to SegmentTimeline entries. Each segment
// boundary is rounded from the exact running sum rather than each duration on
// its own, so rounding errors never accumulate and the timeline ends within
// half a tick of the playlist's total.
func timeline(segs []Segment) ([]sXML, error) {
	var out []sXML
	var sum float64
	var prev int64
	for _, s := range segs {
		sum += s.Duration
		end := int64(math.Round(sum * mpdTimescale))
		d := end - prev
		prev = end
		if d <= 0 {
			return nil, errors.New("segment shorter than a millisecond")
		}
		if n := len(out); n > 0 && out[n-1].D == d {
			out[n-1].R++
			continue
		}
		out = append(out, sXML{D: d})
	}
	zero := int64(0)
	out[0].T = &zero
	return out, nil
}

// roundTicks rounds seconds to whole timeline ticks the way timeline does, so
// the duration matches the last segment's end ("%.3f" alone would round
// 13.5135 down, the float being 13.51349...).
func roundTicks(sec float64) float64 {
	return math.Round(sec*mpdTimescale) / mpdTimescale
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
