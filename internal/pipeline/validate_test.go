package pipeline

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// validateManifests checks a published video's master.m3u8 and
// manifest.mpd (in dir) against the rules players rely on, beyond golden
// files: RFC 8216 for HLS (required attributes, group references, unique
// names, one default per group, target durations, init segments, every
// referenced file present) and the DASH MPD's structure (types, unique
// representation ids, codecs, languages, every segment the timelines name
// present, timelines as long as the presentation). It returns the number of
// audio and subtitle renditions of the master playlist.
func validateManifests(t *testing.T, dir string) (audio, subtitles int) {
	t.Helper()
	master := readLines(t, filepath.Join(dir, "master.m3u8"))
	require.Equal(t, "#EXTM3U", master[0])
	require.Contains(t, master, "#EXT-X-INDEPENDENT-SEGMENTS")
	groups := map[string]string{} // GROUP-ID -> TYPE
	names := map[string]bool{}
	defaults := map[string]int{}
	variants := 0
	for i, line := range master {
		switch {
		case strings.HasPrefix(line, "#EXT-X-MEDIA:"):
			a := attrs(t, strings.TrimPrefix(line, "#EXT-X-MEDIA:"))
			typ, group, name := a["TYPE"], a["GROUP-ID"], a["NAME"]
			require.Contains(t, []string{"AUDIO", "SUBTITLES"}, typ, line)
			require.NotEmpty(t, group, line)
			require.NotEmpty(t, name, line)
			require.False(t, names[group+"/"+name], "NAME unique in its group: %s", line)
			names[group+"/"+name] = true
			if prev, ok := groups[group]; ok {
				require.Equal(t, prev, typ, "one TYPE per group: %s", line)
			}
			groups[group] = typ
			if a["DEFAULT"] == "YES" {
				defaults[group]++
				require.NotEqual(t, "NO", a["AUTOSELECT"], "DEFAULT=YES needs AUTOSELECT=YES: %s", line)
			}
			if lang, ok := a["LANGUAGE"]; ok {
				require.Regexp(t, `^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`, lang, line)
			}
			require.NotEmpty(t, a["URI"], line)
			validateMediaPlaylist(t, dir, a["URI"], typ == "SUBTITLES")
			if typ == "AUDIO" {
				audio++
			} else {
				subtitles++
			}
		case strings.HasPrefix(line, "#EXT-X-STREAM-INF:"):
			a := attrs(t, strings.TrimPrefix(line, "#EXT-X-STREAM-INF:"))
			bw, err := strconv.Atoi(a["BANDWIDTH"])
			require.NoError(t, err, line)
			require.Positive(t, bw, line)
			require.NotEmpty(t, a["CODECS"], line)
			require.Regexp(t, `^\d+x\d+$`, a["RESOLUTION"], line)
			for _, ref := range []string{"AUDIO", "SUBTITLES"} {
				if g, ok := a[ref]; ok {
					require.Equal(t, ref, groups[g], "%s group %q is declared before use: %s", ref, g, line)
				}
			}
			if audio > 0 {
				require.Contains(t, a["CODECS"], "mp4a.40.2", "the variant's CODECS name its audio: %s", line)
			}
			require.Greater(t, len(master), i+1)
			validateMediaPlaylist(t, dir, master[i+1], false)
			variants++
		}
	}
	require.Positive(t, variants)
	for g, n := range defaults {
		require.LessOrEqual(t, n, 1, "at most one DEFAULT=YES in group %s", g)
	}
	validateMPD(t, dir)
	return audio, subtitles
}

var attrRE = regexp.MustCompile(`([A-Z0-9-]+)=("[^"]*"|[^,]*)`)

func attrs(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		_, dup := out[m[1]]
		require.False(t, dup, "attribute %s twice in %s", m[1], s)
		out[m[1]] = strings.Trim(m[2], `"`)
	}
	return out
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// validateMediaPlaylist checks one media playlist and that its files exist.
func validateMediaPlaylist(t *testing.T, dir, uri string, subtitles bool) {
	t.Helper()
	require.NotContains(t, uri, "..", uri)
	name := filepath.Join(dir, filepath.FromSlash(uri))
	lines := readLines(t, name)
	require.Equal(t, "#EXTM3U", lines[0], uri)
	require.Equal(t, "#EXT-X-ENDLIST", lines[len(lines)-1], uri)
	require.Contains(t, lines, "#EXT-X-PLAYLIST-TYPE:VOD", uri)
	base := filepath.Dir(name)
	target, longest, segments, sawMap := -1, 0.0, 0, false
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "#EXT-X-TARGETDURATION:"):
			var err error
			target, err = strconv.Atoi(strings.TrimPrefix(line, "#EXT-X-TARGETDURATION:"))
			require.NoError(t, err, uri)
		case strings.HasPrefix(line, "#EXT-X-MAP:"):
			a := attrs(t, strings.TrimPrefix(line, "#EXT-X-MAP:"))
			require.FileExists(t, filepath.Join(base, a["URI"]), uri)
			sawMap = true
		case strings.HasPrefix(line, "#EXTINF:"):
			d, err := strconv.ParseFloat(strings.TrimSuffix(strings.SplitN(strings.TrimPrefix(line, "#EXTINF:"), ",", 2)[0], ","), 64)
			require.NoError(t, err, line)
			require.Positive(t, d, line)
			longest = max(longest, d)
			require.Greater(t, len(lines), i+1)
			require.FileExists(t, filepath.Join(base, lines[i+1]), uri)
			segments++
		}
	}
	require.Positive(t, segments, uri)
	require.GreaterOrEqual(t, target, int(math.Round(longest)), "TARGETDURATION ≥ the rounded longest segment: %s", uri)
	require.GreaterOrEqual(t, target, 1, uri)
	require.Equal(t, !subtitles, sawMap, "fMP4 renditions have an init segment, WebVTT ones none: %s", uri)
}

type mpdXML struct {
	XMLName  xml.Name `xml:"MPD"`
	Type     string   `xml:"type,attr"`
	Duration string   `xml:"mediaPresentationDuration,attr"`
	Periods  []struct {
		Sets []struct {
			ContentType string `xml:"contentType,attr"`
			MimeType    string `xml:"mimeType,attr"`
			Lang        string `xml:"lang,attr"`
			Reps        []struct {
				ID        string `xml:"id,attr"`
				Bandwidth int    `xml:"bandwidth,attr"`
				Codecs    string `xml:"codecs,attr"`
				BaseURL   string `xml:"BaseURL"`
				Template  *struct {
					Init      string `xml:"initialization,attr"`
					Media     string `xml:"media,attr"`
					Start     int    `xml:"startNumber,attr"`
					Timescale int    `xml:"timescale,attr"`
					S         []struct {
						D int `xml:"d,attr"`
						R int `xml:"r,attr"`
					} `xml:"SegmentTimeline>S"`
				} `xml:"SegmentTemplate"`
			} `xml:"Representation"`
		} `xml:"AdaptationSet"`
	} `xml:"Period"`
}

var numberRE = regexp.MustCompile(`\$Number%0(\d+)d\$`)

func validateMPD(t *testing.T, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	require.NoError(t, err)
	var m mpdXML
	require.NoError(t, xml.Unmarshal(data, &m))
	require.Equal(t, "urn:mpeg:dash:schema:mpd:2011", m.XMLName.Space)
	require.Equal(t, "static", m.Type)
	total, err := time.ParseDuration(strings.ToLower(strings.TrimPrefix(m.Duration, "PT")))
	require.NoError(t, err, m.Duration)
	require.Len(t, m.Periods, 1)
	ids := map[string]bool{}
	for _, set := range m.Periods[0].Sets {
		require.Contains(t, []string{"video", "audio", "text"}, set.ContentType)
		require.Equal(t, map[string]string{"video": "video/mp4", "audio": "audio/mp4", "text": "text/vtt"}[set.ContentType], set.MimeType)
		require.NotEmpty(t, set.Reps)
		for _, r := range set.Reps {
			require.False(t, ids[r.ID], "Representation id %s unique", r.ID)
			ids[r.ID] = true
			require.Positive(t, r.Bandwidth, r.ID)
			if set.ContentType == "text" {
				require.NotEmpty(t, set.Lang, r.ID)
				require.FileExists(t, filepath.Join(dir, filepath.FromSlash(r.BaseURL)), r.ID)
				continue
			}
			require.NotEmpty(t, r.Codecs, r.ID)
			tpl := r.Template
			require.NotNil(t, tpl, r.ID)
			require.FileExists(t, filepath.Join(dir, filepath.FromSlash(tpl.Init)), r.ID)
			num := numberRE.FindStringSubmatch(tpl.Media)
			require.NotNil(t, num, tpl.Media)
			width, _ := strconv.Atoi(num[1])
			n, ticks := tpl.Start, 0
			for _, s := range tpl.S {
				for range s.R + 1 {
					seg := numberRE.ReplaceAllString(tpl.Media, fmt.Sprintf("%0*d", width, n))
					require.FileExists(t, filepath.Join(dir, filepath.FromSlash(seg)), r.ID)
					ticks += s.D
					n++
				}
			}
			got := time.Duration(float64(ticks) / float64(tpl.Timescale) * float64(time.Second))
			require.InDelta(t, total.Seconds(), got.Seconds(), 0.5, "%s's timeline covers the presentation", r.ID)
		}
	}
}
