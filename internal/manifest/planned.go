package manifest

import (
	"bytes"
	"fmt"
	"io"

	"github.com/kinema/kinema/internal/media"
)

// Planned manifests describe a video whose segment grid is known but whose
// segments are still being encoded (progressive playback): the grid is fixed
// when the plan is made (media.Plan.VideoSegmentDurations,
// AudioSegmentDurations), so the playlists list the whole duration from the
// start, under the names packaging gives the segments. Packaging replaces
// them with manifests measured on the encoded files.

// PlannedPlaylist returns the media playlist of one rendition of plan as
// planned: init.mp4 and seg_NNNNN.m4s, as ffmpeg's HLS muxer names them.
func PlannedPlaylist(plan media.Plan, r media.Rendition) MediaPlaylist {
	var durs []float64
	if r.Type == media.KindVideo {
		durs = plan.VideoSegmentDurations()
	} else {
		durs = plan.AudioSegmentDurations(r.SampleRate)
	}
	pl := MediaPlaylist{Version: 7, MapURI: "init.mp4", EndList: true}
	for i, d := range durs {
		pl.Segments = append(pl.Segments, Segment{URI: fmt.Sprintf("seg_%05d.m4s", i), Duration: d})
	}
	pl.TargetDuration = TargetDuration(durs...)
	return pl
}

// WriteMediaPlaylist writes pl as an HLS VOD media playlist.
func WriteMediaPlaylist(w io.Writer, pl MediaPlaylist) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:%d\n",
		max(pl.Version, 7), max(pl.TargetDuration, 1), pl.MediaSequence)
	b.WriteString("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	if pl.MapURI != "" {
		fmt.Fprintf(&b, "#EXT-X-MAP:URI=\"%s\"\n", pl.MapURI)
	}
	for _, s := range pl.Segments {
		fmt.Fprintf(&b, "#EXTINF:%.6f,\n%s\n", s.Duration, s.URI)
	}
	if pl.EndList {
		b.WriteString("#EXT-X-ENDLIST\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// PlannedFiles returns every manifest of a video as planned, by name
// relative to the video's media directory: master.m3u8, manifest.mpd and
// <rid>/index.m3u8 per rendition. renditions are the plan's, with the video
// codecs filled in (MPD players need them; they come from the first chunk's
// init segments); bandwidths not yet measured fall back to the encoder caps.
func PlannedFiles(plan media.Plan, renditions []media.Rendition) (map[string][]byte, error) {
	files := map[string][]byte{}
	playlists := map[string]MediaPlaylist{}
	for _, r := range renditions {
		pl := PlannedPlaylist(plan, r)
		if len(pl.Segments) == 0 {
			return nil, fmt.Errorf("manifest: rendition %s has no planned segments", r.ID)
		}
		playlists[r.ID] = pl
		var b bytes.Buffer
		if err := WriteMediaPlaylist(&b, pl); err != nil {
			return nil, err
		}
		files[r.ID+"/index.m3u8"] = b.Bytes()
	}
	var master, mpd bytes.Buffer
	// The lowest rung first: it is encoded first (the fast pass of the
	// first chunk), and Safari and AVPlayer start on the first variant.
	if err := writeMaster(&master, renditions, 0); err != nil {
		return nil, err
	}
	files["master.m3u8"] = master.Bytes()
	if err := WriteMPD(&mpd, plan.Duration, renditions, playlists); err != nil {
		return nil, err
	}
	files["manifest.mpd"] = mpd.Bytes()
	return files, nil
}
