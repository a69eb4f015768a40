package manifest

import (
	"bytes"
	"encoding/xml"
	"math"
	"testing"

	"github.com/kinema/kinema/internal/media"
	"github.com/stretchr/testify/require"
)

func ladderPlaylists(t *testing.T, rs []media.Rendition) map[string]MediaPlaylist {
	v, a := readPlaylist(t, "v0.m3u8"), readPlaylist(t, "a0.m3u8")
	out := map[string]MediaPlaylist{}
	for _, r := range rs {
		if r.Type == media.KindVideo {
			out[r.ID] = v
		} else {
			out[r.ID] = a
		}
	}
	return out
}

// parsedMPD is just enough of an MPD to check what players rely on.
type parsedMPD struct {
	Duration string `xml:"mediaPresentationDuration,attr"`
	Sets     []struct {
		ContentType string `xml:"contentType,attr"`
		Reps        []struct {
			ID       string `xml:"id,attr"`
			Template struct {
				Media string `xml:"media,attr"`
				Init  string `xml:"initialization,attr"`
				S     []struct {
					D int64 `xml:"d,attr"`
					R int64 `xml:"r,attr"`
				} `xml:"SegmentTimeline>S"`
			} `xml:"SegmentTemplate"`
		} `xml:"Representation"`
	} `xml:"Period>AdaptationSet"`
}

func TestWriteMPD(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		duration   float64
		renditions []media.Rendition
	}{
		{"video", 13.5135, videoLadder()},
		{"video_languages", 13.5135, languagesLadder()},
		{"audio_only", 0, audioLadder()}, // duration taken from the playlists
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pls := ladderPlaylists(t, tc.renditions)
			var b bytes.Buffer
			require.NoError(t, WriteMPD(&b, tc.duration, tc.renditions, pls))
			golden(t, "manifest_"+tc.name+".mpd.golden", b.Bytes())

			var doc parsedMPD
			require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
			reps := 0
			for _, set := range doc.Sets {
				for _, rep := range set.Reps {
					reps++
					require.Equal(t, rep.ID+"/seg_$Number%05d$.m4s", rep.Template.Media)
					require.Equal(t, rep.ID+"/init.mp4", rep.Template.Init)
					// The timeline adds up to the playlist's total, to the tick.
					var sum, n int64
					for _, s := range rep.Template.S {
						sum += s.D * (s.R + 1)
						n += s.R + 1
					}
					pl := pls[rep.ID]
					require.Equal(t, int64(len(pl.Segments)), n)
					require.Equal(t, int64(math.Round(pl.Duration()*1000)), sum)
				}
			}
			require.Equal(t, len(tc.renditions), reps)
		})
	}
}

func TestWriteMPDAudioSetsByLayout(t *testing.T) {
	t.Parallel()
	rs := videoLadder()
	var b bytes.Buffer
	require.NoError(t, WriteMPD(&b, 0, rs, ladderPlaylists(t, rs)))
	var doc parsedMPD
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
	var types []string
	for _, s := range doc.Sets {
		types = append(types, s.ContentType)
	}
	require.Equal(t, []string{"video", "audio", "audio"}, types, "stereo and 5.1 are separate sets")
	// 3×4.004+1.5015 sums to 13.51349999… in float64; duration and timeline
	// round the same float, so they agree on 13513 ms.
	require.Equal(t, "PT13.513S", doc.Duration)
}

func TestWriteMPDDurationFromLongestPlaylist(t *testing.T) {
	t.Parallel()
	rs := audioLadder()
	short := readPlaylist(t, "a0.m3u8")
	long := readPlaylist(t, "v0.m3u8")
	var b bytes.Buffer
	require.NoError(t, WriteMPD(&b, 0, rs, map[string]MediaPlaylist{"a0": short, "a1": long}))
	require.Contains(t, b.String(), `mediaPresentationDuration="PT13.513S"`)
}

func TestTimelineCumulativeRounding(t *testing.T) {
	t.Parallel()
	// 3 × 1.0005 s: rounding each alone gives 1001 × 3 = 3003 ms, but the
	// total is 3001.5 → 3002 ms.
	segs := []Segment{{"s0", 1.0005}, {"s1", 1.0005}, {"s2", 1.0005}}
	tl, err := timeline(segs)
	require.NoError(t, err)
	var sum int64
	for _, s := range tl {
		sum += s.D * int64(s.R+1)
	}
	require.Equal(t, int64(3002), sum)
	require.NotNil(t, tl[0].T)
}

func TestWriteMPDErrors(t *testing.T) {
	t.Parallel()
	v := videoLadder()[0]
	good := readPlaylist(t, "v0.m3u8")
	with := func(mut func(*MediaPlaylist)) map[string]MediaPlaylist {
		pl := good
		pl.Segments = append([]Segment(nil), good.Segments...)
		mut(&pl)
		return map[string]MediaPlaylist{"v0": pl}
	}
	noCodecs := v
	noCodecs.Codecs = ""
	tests := []struct {
		name string
		r    media.Rendition
		pls  map[string]MediaPlaylist
		want string
	}{
		{"missing playlist", v, map[string]MediaPlaylist{}, "no media playlist"},
		{"no codecs", noCodecs, with(func(*MediaPlaylist) {}), "no codecs"},
		{"no init", v, with(func(p *MediaPlaylist) { p.MapURI = "" }), "init section"},
		{"init in other dir", v, with(func(p *MediaPlaylist) { p.MapURI = "../init.mp4" }), "init section"},
		{"gap in numbering", v, with(func(p *MediaPlaylist) { p.Segments[2].URI = "seg_00009.m4s" }), "expected \"seg_00002.m4s\""},
		{"other name", v, with(func(p *MediaPlaylist) { p.Segments[1].URI = "chunk_00001.m4s" }), "expected"},
		{"query in uri", v, with(func(p *MediaPlaylist) { p.Segments[0].URI = "seg_00000.m4s?x=1" }), "plain file name"},
		{"subdir", v, with(func(p *MediaPlaylist) { p.Segments[0].URI = "x/seg_00000.m4s" }), "plain file name"},
		{"no number", v, with(func(p *MediaPlaylist) { p.Segments[0].URI = "seg.m4s" }), "no usable number"},
		{"zero duration", v, with(func(p *MediaPlaylist) { p.Segments[1].Duration = 0 }), "shorter than"},
		{"no segments", v, with(func(p *MediaPlaylist) { p.Segments = nil }), "no segments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := WriteMPD(&bytes.Buffer{}, 10, []media.Rendition{tc.r}, tc.pls)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestSegmentTemplateNumbering(t *testing.T) {
	t.Parallel()
	pl := MediaPlaylist{MapURI: "init.mp4", Segments: []Segment{{"s9.m4s", 1}, {"s10.m4s", 1}, {"s11.m4s", 1}}}
	tmpl, err := segmentTemplate("a0", pl)
	require.NoError(t, err)
	require.Equal(t, "a0/s$Number$.m4s", tmpl.Media)
	require.Equal(t, 9, tmpl.StartNumber)
}
