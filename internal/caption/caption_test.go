package caption

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/media"
)

func TestParseSRT(t *testing.T) {
	srt := "\uFEFF1\r\n00:00:00,500 --> 00:00:02,000\r\n<i>Hello</i> <font color=\"red\">world</font>\r\n\r\n" +
		"2\r\n00:00:02,500 --> 00:00:04,250 X1:10 Y1:20\r\n{\\an8}Fish & chips <b>now</b>\r\nsecond line\r\n\r\n" +
		"3\r\n00:00:05,000 --> 00:00:05,000\r\nzero length\r\n"
	require.Equal(t, FormatSRT, Detect([]byte(srt)))
	cues, err := Parse([]byte(srt))
	require.NoError(t, err)
	require.Len(t, cues, 2, "the zero-length cue is dropped")
	require.Equal(t, Cue{Start: 0.5, End: 2, Text: "<i>Hello</i> world"}, cues[0])
	require.Equal(t, Cue{Start: 2.5, End: 4.25, Text: "Fish &amp; chips <b>now</b>\nsecond line"}, cues[1])
	require.Equal(t, "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n<i>Hello</i> world\n\n"+
		"00:00:02.500 --> 00:00:04.250\nFish &amp; chips <b>now</b>\nsecond line\n", string(WriteVTT(cues)))
}

func TestParseVTT(t *testing.T) {
	vtt := "WEBVTT - a title\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\nSTYLE\n::cue { background: url(http://evil) }\n\n" +
		"NOTE a comment\n\nREGION\nid:fred\n\nintro\n00:01.000 --> 00:02.500 align:start line:10% region:fred bogus:1\n" +
		"<v Roger Bingham>We are in New York City\n\n" +
		"01:00:00.000 --> 01:00:01.000\n<script>alert(1)</script><img src=x onerror=alert(1)> &foo; &amp; --> <c.yellow>ok</c> <00:00:00.500>\n"
	cues, err := Parse([]byte(vtt))
	require.NoError(t, err)
	require.Len(t, cues, 2)
	require.Equal(t, Cue{Start: 1, End: 2.5, Settings: "align:start line:10%", Text: "<v Roger Bingham>We are in New York City"}, cues[0])
	require.Equal(t, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp;foo; &amp; --&gt; <c.yellow>ok</c> <00:00:00.500>", cues[1].Text)
	require.Equal(t, 3600.0, cues[1].Start)
	out := string(WriteVTT(cues))
	require.NotContains(t, out, "STYLE")
	require.NotContains(t, out, "<script")
	require.Equal(t, 2, strings.Count(out, "-->"), "only timing lines hold -->")
	again, err := Parse([]byte(out))
	require.NoError(t, err)
	require.Equal(t, cues, again, "clean output parses to itself")
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"bad srt time", "1\n00:00:01,000 --> 00:00:xx,000\nhi\n", 2, "end time"},
		{"no timing", "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nhello\n", 6, "timing line"},
		{"not a number", "hello there\n", 1, "cue number"},
		{"ends before start", "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nx\n", 3, "ends before it starts"},
		{"vtt bad start", "WEBVTT\n\n00:00:0a.000 --> 00:00:04.000\nx\n", 3, "start time"},
		{"vtt no blank after header", "WEBVTT\n00:00:01.000 --> 00:00:04.000\nx\n", 2, "blank line"},
		{"vtt cue without timing", "WEBVTT\n\nid\nsome text\n", 4, "timing line"},
		{"latin-1", "1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n", 3, "UTF-8"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", 1, "not UTF-8"},
		{"minutes over 59", "WEBVTT\n\n00:61:00.000 --> 01:02:00.000\nx\n", 3, "start time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			var pe *Error
			require.True(t, errors.As(err, &pe), "%v", err)
			require.Equal(t, tc.line, pe.Line, pe.Error())
			require.Contains(t, pe.Error(), tc.msg)
		})
	}
	_, err := Parse([]byte(strings.Repeat("x", MaxFileBytes+1)))
	require.ErrorContains(t, err, "larger than")
	_, err = Parse([]byte("\n\n"))
	require.ErrorContains(t, err, "no cues")
}

func TestSegments(t *testing.T) {
	cues := []Cue{{Start: 1, End: 2, Text: "a"}, {Start: 3.5, End: 4.5, Text: "b"}, {Start: 9, End: 9.5, Text: "c"}}
	segs := Segments(cues, []float64{4, 4, 2})
	require.Len(t, segs, 3)
	require.Contains(t, string(segs[0].VTT), "\na\n")
	require.Contains(t, string(segs[0].VTT), "\nb\n")
	require.Contains(t, string(segs[1].VTT), "\nb\n", "a cue over the boundary is in both")
	require.NotContains(t, string(segs[1].VTT), "\na\n")
	require.Contains(t, string(segs[2].VTT), "\nc\n")
	require.Equal(t, 8.0, segs[2].Start)
	for _, s := range segs {
		_, err := Parse(s.VTT)
		if !strings.Contains(string(s.VTT), "-->") {
			require.NoError(t, err)
		}
	}
}

func TestChaptersVTT(t *testing.T) {
	out := string(ChaptersVTT([]media.Chapter{{Start: 0, Title: "Intro"}, {Start: 5, Title: "<b>Part</b> 2 & more"}}, 9))
	require.Equal(t, "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nIntro\n\n00:00:05.000 --> 00:00:09.000\n&lt;b&gt;Part&lt;/b&gt; 2 &amp; more\n", out)
	cues, err := Parse([]byte(out))
	require.NoError(t, err)
	require.Equal(t, "<b>Part</b> 2 & more", PlainText(cues[1].Text))
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("WEBVTT\n\n00:01.000 --> 00:02.000\n<b>x</b>\n"))
	f.Add([]byte("1\n00:00:01,000 --> 00:00:02,000\nhi\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cues, err := Parse(data)
		if err != nil {
			return
		}
		out := WriteVTT(cues)
		again, err := Parse(out)
		if len(cues) > 0 {
			require.NoError(t, err)
			require.Equal(t, len(cues), len(again))
		}
		for _, c := range cues {
			require.NotContains(t, c.Text, "-->")
			require.NotContains(t, c.Text, "\n\n")
		}
	})
}
