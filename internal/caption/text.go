package caption

import (
	"regexp"
	"strings"
)

var (
	// openTag is a WebVTT start tag a caption may keep: classes on any,
	// an annotation (speaker, language) only on v and lang, and no
	// characters that could open another tag or a reference.
	openTag  = regexp.MustCompile(`^(b|i|u|c|ruby|rt)(\.[A-Za-z0-9_-]+)*$|^(v|lang)(\.[A-Za-z0-9_-]+)*[ \t][^<>&"'\n]{1,100}$`)
	closeTag = regexp.MustCompile(`^/(b|i|u|c|v|lang|ruby|rt)$`)
	// timeTag is a karaoke timestamp inside cue text.
	timeTag = regexp.MustCompile(`^(\d{2,}:)?\d{2}:\d{2}\.\d{3}$`)
	// charRef is a character reference WebVTT defines, or a numeric one.
	charRef = regexp.MustCompile(`^&(amp|lt|gt|lrm|rlm|nbsp|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)

	// srtTag is an HTML-like tag in SubRip text; b, i and u map to WebVTT,
	// the rest (font colours...) is dropped.
	srtTag = regexp.MustCompile(`(?i)</?(b|i|u|font|s)(\s[^<>]*)?>`)
	// assOverride is an ASS override block ({\an8}, {\i1}) some SubRip files carry.
	assOverride = regexp.MustCompile(`\{\\[^{}]*\}`)
)

// cleanText returns cue text with every '<' that does not start a tag in
// the allow-list, every '&' that does not start a WebVTT character
// reference and every '>' escaped. "-->" can then never appear in a cue,
// which would end it early.
func cleanText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '<':
			if j := strings.IndexByte(s[i+1:], '>'); j >= 0 {
				tag := s[i+1 : i+1+j]
				if openTag.MatchString(tag) || closeTag.MatchString(tag) || timeTag.MatchString(tag) {
					b.WriteString("<" + tag + ">")
					i += j + 2
					continue
				}
			}
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			if m := charRef.FindString(s[i:]); m != "" {
				b.WriteString(m)
				i += len(m)
				continue
			}
			b.WriteString("&amp;")
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// srtToVTT turns SubRip markup into WebVTT markup: b, i and u tags are
// kept (lower case), font and other tags and ASS override blocks are
// dropped. The result still goes through cleanText.
func srtToVTT(s string) string {
	s = assOverride.ReplaceAllString(s, "")
	return srtTag.ReplaceAllStringFunc(s, func(tag string) string {
		m := srtTag.FindStringSubmatch(tag)
		name := strings.ToLower(m[1])
		if name != "b" && name != "i" && name != "u" {
			return ""
		}
		if strings.HasPrefix(tag, "</") {
			return "</" + name + ">"
		}
		return "<" + name + ">"
	})
}

// PlainText is cue text without tags, references decoded: what a chapter
// title or a label shows.
func PlainText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if j := strings.IndexByte(s[i:], '>'); j >= 0 {
				i += j + 1
				continue
			}
		}
		if s[i] == '&' {
			if m := charRef.FindString(s[i:]); m != "" {
				b.WriteString(decodeRef(m))
				i += len(m)
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func decodeRef(m string) string {
	switch m {
	case "&amp;":
		return "&"
	case "&lt;":
		return "<"
	case "&gt;":
		return ">"
	case "&nbsp;":
		return "\u00a0"
	case "&lrm;", "&rlm;":
		return ""
	}
	return "" // numeric references: dropped from plain text
}
