package caption

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits bound what Parse accepts.
const (
	// MaxFileBytes is the largest caption file accepted; a two-hour film's
	// subtitles are about 100 KiB.
	MaxFileBytes = 2 << 20
	// MaxCues bounds the cues of one file.
	MaxCues = 20000
	// maxCueText bounds one cue's text, in bytes.
	maxCueText = 4096
	// maxTime is the latest cue time accepted: 99 hours.
	maxTime = 99 * 3600
)

// Cue is one caption: a time range and its text (WebVTT cue text, clean).
type Cue struct {
	Start, End float64 // seconds
	Settings   string  // WebVTT cue settings, clean; "" for none
	Text       string
}

// Format names the file formats Parse reads.
type Format string

// The formats Parse reads.
const (
	FormatWebVTT Format = "webvtt"
	FormatSRT    Format = "srt"
)

// Error is a file Parse refuses, with the 1-based line at fault (0 when the
// file as a whole is at fault).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func errAt(line int, format string, args ...any) error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// ErrNotText is wrapped by the Error Parse returns for binary data.
var ErrNotText = errors.New("not a text file")

// Detect tells WebVTT from SubRip by the first line.
func Detect(data []byte) Format {
	first, _, _ := bytes.Cut(bytes.TrimPrefix(data, []byte("\uFEFF")), []byte("\n"))
	if bytes.HasPrefix(first, []byte("WEBVTT")) {
		return FormatWebVTT
	}
	return FormatSRT
}

// Parse reads a WebVTT or SubRip file (told apart by Detect) into cues in
// file order. It refuses, with the line at fault, anything that is not
// UTF-8 text, a cue whose timing cannot be read or ends before it starts,
// and files over the limits. STYLE and REGION blocks and NOTE comments are
// dropped; so are cues with no text or no duration.
func Parse(data []byte) ([]Cue, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{Msg: fmt.Sprintf("the file is larger than %d KiB", MaxFileBytes>>10)}
	}
	lines, err := splitLines(data)
	if err != nil {
		return nil, err
	}
	if Detect(data) == FormatWebVTT {
		return parseVTT(lines)
	}
	return parseSRT(lines)
}

// splitLines checks the file is UTF-8 text and splits it into lines
// without their terminators (CRLF, LF or CR).
func splitLines(data []byte) ([]string, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return nil, &Error{Line: line, Msg: "the file is not UTF-8 text; save it as UTF-8"}
		case r == 0 || r < 0x20 && r != '\n' && r != '\r' && r != '\t':
			return nil, &Error{Line: line, Msg: fmt.Sprintf("control character U+%04X: %v", r, ErrNotText)}
		case r == '\n':
			line++
		}
		i += size
	}
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n"), nil
}

func parseVTT(lines []string) ([]Cue, error) {
	head := lines[0]
	if head != "WEBVTT" && !strings.HasPrefix(head, "WEBVTT ") && !strings.HasPrefix(head, "WEBVTT\t") {
		return nil, errAt(1, "a WebVTT file starts with the line WEBVTT")
	}
	var cues []Cue
	i := 1
	for i < len(lines) && strings.TrimSpace(lines[i]) != "" { // header lines (X-TIMESTAMP-MAP...)
		if strings.Contains(lines[i], "-->") {
			return nil, errAt(i+1, "a blank line must separate the WEBVTT header from the first cue")
		}
		i++
	}
	for i < len(lines) {
		if strings.TrimSpace(lines[i]) == "" {
			i++
			continue
		}
		start := i
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
		block := lines[start:i]
		first := block[0]
		if !strings.Contains(first, "-->") && (first == "NOTE" || strings.HasPrefix(first, "NOTE ") || strings.HasPrefix(first, "NOTE\t") ||
			first == "STYLE" || first == "REGION") {
			continue // comments, CSS and regions: not needed, and CSS is not for uploaders to inject
		}
		timing := 0
		if !strings.Contains(first, "-->") {
			timing = 1 // the first line is the cue's identifier
		}
		if timing >= len(block) || !strings.Contains(block[timing], "-->") {
			return nil, errAt(start+timing+1, "expected a cue timing line like 00:00:01.000 --> 00:00:04.000")
		}
		c, err := parseTiming(block[timing], start+timing+1, '.')
		if err != nil {
			return nil, err
		}
		cues, err = addCue(cues, c, block[timing+1:], start+timing+2, false)
		if err != nil {
			return nil, err
		}
	}
	return cues, nil
}

func parseSRT(lines []string) ([]Cue, error) {
	var cues []Cue
	i := 0
	for i < len(lines) {
		if strings.TrimSpace(lines[i]) == "" {
			i++
			continue
		}
		start := i
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
		block := lines[start:i]
		timing := 0
		if !strings.Contains(block[0], "-->") {
			if _, err := strconv.Atoi(strings.TrimSpace(block[0])); err != nil {
				return nil, errAt(start+1, "expected a cue number or a timing line like 00:00:01,000 --> 00:00:04,000")
			}
			timing = 1
		}
		if timing >= len(block) || !strings.Contains(block[timing], "-->") {
			return nil, errAt(start+timing+1, "expected a timing line like 00:00:01,000 --> 00:00:04,000")
		}
		c, err := parseTiming(block[timing], start+timing+1, ',')
		if err != nil {
			return nil, err
		}
		c.Settings = "" // SubRip's X1/Y1 coordinates have no WebVTT equivalent
		cues, err = addCue(cues, c, block[timing+1:], start+timing+2, true)
		if err != nil {
			return nil, err
		}
	}
	if len(cues) == 0 {
		return nil, &Error{Msg: "no cues found: this is not a SubRip (.srt) or WebVTT (.vtt) file"}
	}
	return cues, nil
}

func addCue(cues []Cue, c Cue, text []string, line int, srt bool) ([]Cue, error) {
	if len(cues) >= MaxCues {
		return nil, errAt(line, "more than %d cues", MaxCues)
	}
	body := strings.Join(text, "\n")
	if len(body) > maxCueText {
		return nil, errAt(line, "cue text longer than %d bytes", maxCueText)
	}
	if srt {
		body = srtToVTT(body)
	}
	body = strings.TrimSpace(cleanText(body))
	if body == "" || c.End <= c.Start {
		return cues, nil // nothing to show
	}
	c.Text = body
	return append(cues, c), nil
}

// parseTiming reads "start --> end [settings]"; sep is the decimal
// separator the format uses (SubRip files in the wild use both).
func parseTiming(line string, n int, sep byte) (Cue, error) {
	left, right, _ := strings.Cut(line, "-->")
	fields := strings.Fields(right)
	if len(fields) == 0 {
		return Cue{}, errAt(n, "the cue timing has no end time")
	}
	start, ok := parseTimestamp(strings.TrimSpace(left))
	if !ok {
		return Cue{}, errAt(n, "cannot read the start time %q (want HH:MM:SS%c mmm)", strings.TrimSpace(left), sep)
	}
	end, ok := parseTimestamp(fields[0])
	if !ok {
		return Cue{}, errAt(n, "cannot read the end time %q (want HH:MM:SS%c mmm)", fields[0], sep)
	}
	if end < start {
		return Cue{}, errAt(n, "the cue ends before it starts")
	}
	return Cue{Start: start, End: end, Settings: cleanSettings(fields[1:])}, nil
}

// parseTimestamp reads [HH:]MM:SS.mmm, also with ',' (SubRip) and with
// fewer than three fraction digits, as real files have them.
func parseTimestamp(s string) (float64, bool) {
	s = strings.Replace(s, ",", ".", 1)
	main, frac, hasFrac := strings.Cut(s, ".")
	parts := strings.Split(main, ":")
	if len(parts) < 2 || len(parts) > 3 || hasFrac && (frac == "" || len(frac) > 3 || !digits(frac)) {
		return 0, false
	}
	var t float64
	for i, p := range parts {
		if p == "" || len(p) > 3 || !digits(p) {
			return 0, false
		}
		v, _ := strconv.Atoi(p)
		if i > 0 && v > 59 {
			return 0, false
		}
		t = t*60 + float64(v)
	}
	if hasFrac {
		f, _ := strconv.Atoi(frac)
		t += float64(f) / math.Pow10(len(frac))
	}
	if t > maxTime {
		return 0, false
	}
	return t, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cleanSettings keeps the WebVTT cue settings players use, with values
// of the shapes the spec allows; regions are dropped with REGION blocks.
func cleanSettings(fields []string) string {
	var out []string
	for _, f := range fields {
		name, value, ok := strings.Cut(f, ":")
		if !ok || value == "" {
			continue
		}
		switch name {
		case "vertical":
			ok = value == "rl" || value == "lr"
		case "align":
			ok = value == "start" || value == "center" || value == "end" || value == "left" || value == "right"
		case "line", "position", "size":
			ok = strings.Trim(value, "0123456789.%,-abcdefghijklmnopqrstuvwxyz") == "" && len(value) <= 24
		default:
			ok = false
		}
		if ok {
			out = append(out, name+":"+value)
		}
	}
	return strings.Join(out, " ")
}
