package media

import (
	"strings"
	"time"
	"unicode/utf8"
)

// TextTrack is a caption or subtitle track of a video. Its WebVTT lives in
// the catalog and, once published, under media/<video>/<Dir()>/.
type TextTrack struct {
	ID       string `json:"id"`
	VideoID  string `json:"video_id"`
	Language string `json:"language"` // BCP 47, e.g. "en", "pt-BR"
	Label    string `json:"label"`
	// Kind is "subtitles" (dialogue, for viewers who do not understand the
	// language) or "captions" (dialogue and sounds, for viewers who cannot
	// hear them).
	Kind string `json:"kind"`
	// Origin is "upload" (the API) or "source" (extracted from the file).
	Origin    string    `json:"origin"`
	Cues      int       `json:"cues"`
	CreatedAt time.Time `json:"created_at"`
}

// Text track kinds and origins.
const (
	TextSubtitles = "subtitles"
	TextCaptions  = "captions"
	OriginUpload  = "upload"
	OriginSource  = "source"
	OriginAPI     = "api"
)

// MaxTextTracks bounds the text tracks of one video.
const MaxTextTracks = 32

// Dir is the track's directory under media/<video>/: its HLS playlist,
// segments and whole WebVTT file.
func (t TextTrack) Dir() string { return "text_" + t.ID }

// ValidLanguage reports whether s looks like a BCP 47 language tag: a
// 2 or 3 letter primary language and subtags of 1 to 8 letters or digits.
func ValidLanguage(s string) bool {
	if len(s) > 35 {
		return false
	}
	parts := strings.Split(s, "-")
	if l := len(parts[0]); l < 2 || l > 3 || !alnum(parts[0], true) {
		return false
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 8 || !alnum(p, false) {
			return false
		}
	}
	return true
}

func alnum(s string, lettersOnly bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= 'a' && c <= 'z' || !lettersOnly && s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return true
}

// ValidLabel reports whether s is a usable track label: 1 to 100
// characters of UTF-8 text without control characters or quotes (labels
// go into HLS attribute values, which cannot hold a double quote).
func ValidLabel(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 100 {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '"' {
			return false
		}
	}
	return true
}

// Chapter is a named point on a video's timeline.
type Chapter struct {
	Start float64 `json:"start"` // seconds
	Title string  `json:"title"`
}

// MaxChapters bounds the chapters of one video.
const MaxChapters = 500

// CheckChapters validates chapters as set through the API or found in a
// source: starts at or after 0, strictly increasing, within duration when
// it is known (> 0), titles of 1 to 200 characters.
func CheckChapters(chapters []Chapter, duration float64) error {
	if len(chapters) > MaxChapters {
		return Inputf("At most %d chapters.", MaxChapters)
	}
	for i, c := range chapters {
		t := strings.TrimSpace(c.Title)
		if t == "" || !utf8.ValidString(t) || utf8.RuneCountInString(t) > 200 || strings.ContainsAny(t, "\x00\r\n") {
			return Inputf("Chapter %d: the title must be 1 to 200 characters on one line.", i+1)
		}
		if c.Start < 0 || c.Start != c.Start || i > 0 && c.Start <= chapters[i-1].Start {
			return Inputf("Chapter %d: starts must be 0 or more and increase from one chapter to the next.", i+1)
		}
		if duration > 0 && c.Start >= duration {
			return Inputf("Chapter %d starts at %.3f s, after the video ends (%.3f s).", i+1, c.Start, duration)
		}
	}
	return nil
}
