package ffmpeg

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// chunkTSOffset is added to every chunk's timestamps, in seconds. x264 with
// B-frames gives the first frames a DTS before their PTS, i.e. a negative
// DTS in chunk 0; the mpegts muxer would then shift chunk 0 alone to make it
// non-negative, breaking continuity with the next chunk. With every chunk
// offset by its start plus this constant, nothing is negative, nothing is
// shifted, and byte-concatenated chunks carry one continuous timeline
// (packaging subtracts the start again).
const chunkTSOffset = 10

// ChunkArgs returns the ffmpeg arguments that encode chunk c of plan p from
// src into one MPEG-TS file per video rendition, outDir/<id>.ts. Chunks of a
// rendition can be byte-concatenated in order to get the whole rendition:
// every chunk starts with an IDR frame, has exactly c.Frames frames (the last
// runs to the end) and carries timestamps continuing the previous chunk.
//
// src is the whole source, or when the plan has pieces, the chunk's piece
// (p.Pieces[c.Piece]); both give the same frames.
func ChunkArgs(p media.Plan, c media.Chunk, src, outDir string) []string {
	return ChunkPassArgs(p, c, src, outDir, ChunkPass{})
}

// ChunkPass selects part of a chunk's work, so that a chunk can be encoded
// in passes: the lowest rungs first, quickly, then the rest (progressive
// playback). Every pass runs the same decode and scaling chain, so each
// rung's frames, and therefore its bytes, are those of a single pass.
type ChunkPass struct {
	// Rungs are the indexes into p.Video to encode; nil means all of them.
	Rungs []int
	// NoTiles leaves the storyboard tiles out (another pass makes them).
	NoTiles bool
	// HeaderDir, when set, gets the first HeaderFrames frames of every
	// other rung, as ChunkFile names them: packaged, they give that rung's
	// init segment (the same bytes as the whole chunk's for H.264, tested)
	// and codecs string before the rung is encoded. It costs a few frames
	// per rung.
	HeaderDir string
	// HeadersOnly encodes nothing but HeaderDir's files, so that they can
	// be made beside the pass that encodes Rungs, in a process of their
	// own that reads only the chunk's first frames.
	HeadersOnly bool
}

// HeaderFrames is how many frames ChunkPass.HeaderDir's files hold: enough
// for the encoder's reordering delay, which the init segment records.
const HeaderFrames = 10

func (pass ChunkPass) encodes(i int) bool {
	if pass.Rungs == nil {
		return true
	}
	for _, j := range pass.Rungs {
		if j == i {
			return true
		}
	}
	return false
}

// ChunkPassArgs is ChunkArgs for the part of the chunk pass selects.
func ChunkPassArgs(p media.Plan, c media.Chunk, src, outDir string, pass ChunkPass) []string {
	fps := fmt.Sprintf("%d/%d", p.FPSNum, p.FPSDen)
	frame := float64(p.FPSDen) / float64(p.FPSNum) // one frame, seconds
	args := InputFlags()
	// As input options these make the demuxer drop audio, subtitle and data
	// packets, so nothing but video is read and decoded.
	args = append(args, "-an", "-sn", "-dn")
	startTime := 0.0
	if len(p.Pieces) > 0 && c.Piece >= 0 && c.Piece < len(p.Pieces) {
		// The same seek as below, on the piece's copy of the source's
		// timestamps: -seek_timestamp makes -ss a timestamp instead of an
		// offset from the file's start, which for a piece is its first
		// keyframe. The first chunk seeks too, so that its frames are
		// counted from the source's start rather than the piece's.
		seek := p.Pieces[c.Piece].Offset
		if c.StartFrame > 0 {
			seek += float64(c.StartFrame-1) * frame
			startTime = frame
		}
		args = append(args, "-seek_timestamp", "1", "-ss", seconds(seek))
	} else if c.StartFrame > 0 {
		// Accurate input seek to one frame before the chunk: ffmpeg decodes
		// from the previous keyframe and discards frames before this point.
		// The fps filter below then drops that extra frame (start_time), so a
		// frame whose timestamp is a hair early due to rounding is still
		// picked and every chunk lands on the same frame grid.
		args = append(args, "-ss", seconds(float64(c.StartFrame-1)*frame))
		startTime = frame
	}
	if p.Threads > 0 {
		args = append(args, "-threads", strconv.Itoa(p.Threads)) // decoder threads
	}
	args = append(args, "-i", inputURL(src))
	firstTile, tiles := p.TilesIn(c)
	if pass.NoTiles || pass.HeadersOnly {
		tiles = 0
	}
	whole := func(i int) bool { return pass.encodes(i) && !pass.HeadersOnly }
	header := func(i int) bool { return !pass.encodes(i) && pass.HeaderDir != "" }
	filter := chunkFilter(p, fps, startTime, c.Start, tiles > 0)
	for i := range p.Video {
		if !whole(i) && !header(i) {
			filter += fmt.Sprintf(";[o%d]nullsink", i) // scaled for the chain, not encoded
		}
	}
	args = append(args, "-filter_complex", filter)
	for i, r := range p.Video {
		if !whole(i) {
			continue
		}
		args = append(args, "-map", fmt.Sprintf("[o%d]", i))
		args = append(args, encoderArgs(p, r)...)
		if p.Threads > 0 {
			args = append(args, "-threads", strconv.Itoa(p.Threads))
		}
		if n := chunkFrames(p, c); n > 0 {
			args = append(args, "-frames:v", strconv.Itoa(n))
		}
		args = append(args, chunkOutput(p, c, r, filepath.Join(outDir, ChunkFile(r)))...)
	}
	if pass.HeaderDir != "" {
		// After the encoded rungs: ffmpeg's progress counts the frames of
		// the first output, which the piece check relies on.
		for i, r := range p.Video {
			if !header(i) {
				continue
			}
			args = append(args, "-map", fmt.Sprintf("[o%d]", i))
			args = append(args, encoderArgs(p, r)...)
			if p.Threads > 0 {
				args = append(args, "-threads", strconv.Itoa(p.Threads))
			}
			n := HeaderFrames
			if m := chunkFrames(p, c); m > 0 {
				n = min(n, m)
			}
			args = append(args, "-frames:v", strconv.Itoa(n))
			args = append(args, chunkOutput(p, c, r, filepath.Join(pass.HeaderDir, ChunkFile(r)))...)
		}
	}
	if tiles > 0 {
		args = append(args,
			"-map", "[tiles]",
			"-fps_mode", "passthrough", // one image per selected frame, no duplicates
			"-c:v", "mjpeg", "-q:v", "5",
			// A bounded count lets ffmpeg stop at the chunk's end.
			"-frames:v", strconv.Itoa(tiles),
			"-start_number", strconv.Itoa(firstTile),
			"-f", "image2",
			filepath.Join(outDir, TilePattern),
		)
	}
	return args
}

// chunkOutput returns the muxer options and path of rendition r's file of
// chunk c.
func chunkOutput(p media.Plan, c media.Chunk, r media.Rendition, path string) []string {
	if r.VideoCodec() == media.CodecAV1 {
		// ffmpeg 5.1 cannot put AV1 in MPEG-TS. A raw OBU stream
		// concatenates byte-wise just as well (each chunk opens with a
		// sequence header and a key frame); it has no timestamps, and
		// packaging gives it the plan's frame rate (see PackageArgs).
		return []string{"-f", "obu", path}
	}
	frame := float64(p.FPSDen) / float64(p.FPSNum)
	return []string{
		"-f", "mpegts",
		// Sets the discontinuity indicator on each stream's first packet:
		// without it the demuxer reading the concatenation sees the
		// continuity counter restart and flags the last frame of every
		// chunk as corrupt.
		"-mpegts_flags", "+initial_discontinuity",
		// No mux delay: timestamps stay exactly those of the frames.
		"-muxdelay", "0", "-muxpreload", "0",
		"-output_ts_offset", seconds(float64(c.StartFrame)*frame + chunkTSOffset),
		path,
	}
}

// ChunkFile names the file a chunk job writes for rendition r.
func ChunkFile(r media.Rendition) string {
	if r.VideoCodec() == media.CodecAV1 {
		return r.ID + ".obu"
	}
	return r.ID + ".ts"
}

// levelArg writes an H.264 level_idc as x264's level option reads it.
func levelArg(idc int) string { return fmt.Sprintf("%d.%d", idc/10, idc%10) }

// encoderArgs selects and configures the encoder of video rendition r.
// Keyframes come exactly every GOP frames and nowhere else, closed GOPs:
// every segment boundary is a key frame, in every rendition and codec.
func encoderArgs(p media.Plan, r media.Rendition) []string {
	gop := strconv.Itoa(p.GOPFrames)
	crf := orDefaultInt(p.CRF, 23)
	var args []string
	switch r.VideoCodec() {
	case media.CodecAV1:
		// SVT-AV1 preset 10 costs about what x264 veryfast does per pixel;
		// its CRF scale is wider (x264's 23 looks like SVT's 35). Key
		// frames are closed (irefresh-type 2, the default), no scene cuts.
		// lp=1: at its default parallelism each SVT encoder reserves
		// gigabytes of address space, and a 1080p ladder in both codecs
		// went over the ffmpeg memory ceiling (KINEMA_FFMPEG_MEMORY); the
		// chunk's other encoders and jobs keep the cores busy anyway.
		args = []string{"-c:v", "libsvtav1", "-preset", "10", "-g", gop, "-svtav1-params", "scd=0:lp=1"}
		crf += 12
	case media.CodecHEVC:
		// x265's CRF 28 looks like x264's 23; hvc1 is tagged at packaging.
		args = []string{"-c:v", "libx265", "-preset", orDefault(p.Preset, "veryfast"),
			"-x265-params", "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:open-gop=0:log-level=error"}
		crf += 5
	default:
		return append([]string{
			"-c:v", "libx264",
			"-preset", orDefault(r.Preset, orDefault(p.Preset, "veryfast")),
			"-profile:v", "high",
			// (x264 clamps keyint_min to GOP/2+1; with scenecut off it has
			// no effect.)
			"-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-flags", "+cgop",
			// The level x264 would pick, said outright: the planned
			// manifests carry it (media.Plan.PlannedCodecs) before any
			// frame of the rung is encoded.
			"-level", levelArg(p.H264Level(r)),
		}, rateControl(p, r)...)
	}
	if p.RateControl == media.RateCBR {
		br := strconv.Itoa(r.Bitrate)
		return append(args, "-b:v", br, "-maxrate", br, "-bufsize", strconv.Itoa(r.BufSize))
	}
	// Capped CRF, as for H.264: the codec's own quality scale, the same VBV.
	return append(args, "-crf", strconv.Itoa(crf), "-maxrate", strconv.Itoa(r.MaxRate), "-bufsize", strconv.Itoa(r.BufSize))
}

// chunkFrames is how many frames chunk c encodes: its own count, and for
// the last chunk what is left of the plan's duration. A container may say
// 10 s and hold an hour of frames; nothing past the duration that passed
// the limits is encoded.
func chunkFrames(p media.Plan, c media.Chunk) int {
	if c.Frames > 0 {
		return c.Frames
	}
	if total := p.TotalFrames(); total > 0 {
		return max(1, total-c.StartFrame)
	}
	return 0
}

// TilePattern names storyboard tiles by global tile index, in a chunk's
// output directory and in the directory SpriteArgs reads.
const TilePattern = "tile_%05d.jpg"

// SpriteArgs returns the ffmpeg arguments that assemble the storyboard
// tiles in dir (tile_00000.jpg ...) into one sprite sheet.
func SpriteArgs(sb media.Storyboard, dir, out string) []string {
	return []string{
		"-framerate", "1", "-start_number", "0", "-f", "image2",
		"-i", filepath.Join(dir, TilePattern),
		"-vf", fmt.Sprintf("tile=%dx%d", sb.Columns, sb.Rows),
		"-frames:v", "1", "-q:v", "5", "-update", "1",
		out,
	}
}

// sizeGroups lists the indexes of the renditions of each picture size, in
// order of first appearance (largest first in kinema's ladders).
func sizeGroups(video []media.Rendition) [][]int {
	var groups [][]int
	at := map[[2]int]int{}
	for i, r := range video {
		k := [2]int{r.Width, r.Height}
		if g, ok := at[k]; ok {
			groups[g] = append(groups[g], i)
			continue
		}
		at[k] = len(groups)
		groups = append(groups, []int{i})
	}
	return groups
}

// chunkFilter decodes once and scales for every rendition in a cascade:
// each rung is scaled from the one above it rather than from the source,
// which costs about 40% less scaling for a 1080p ladder with no visible
// difference. The smallest size, where players start and which the first
// chunk's first pass encodes alone, is scaled from the largest instead:
// then its pixels do not depend on the sizes between, which per-title
// chooses, and its first pass can start before they are chosen (see
// pipeline's early first pass). When the chunk renders storyboard tiles,
// they are taken from the smallest rung.
func chunkFilter(p media.Plan, fps string, startTime, chunkStart float64, tiles bool) string {
	var b strings.Builder
	// start_time anchors the output frame grid at the chunk start (seek
	// point plus startTime); setpts then makes the chunk start at zero so
	// -output_ts_offset alone decides its place on the timeline.
	fmt.Fprintf(&b, "[0:v]fps=%s:start_time=%s,setpts=PTS-STARTPTS,", fps, seconds(startTime))
	scale := func(g []int) string { return fmt.Sprintf("scale=%d:%d", p.Video[g[0]].Width, p.Video[g[0]].Height) }
	// setsar=1: the size is the display size, so anamorphic sources come
	// out with square pixels. Renditions of one size in several codecs
	// share the scaled picture.
	out := func(g []int) string {
		o := "setsar=1,format=yuv420p"
		if len(g) > 1 {
			o += fmt.Sprintf(",split=%d", len(g))
		}
		for _, j := range g {
			o += fmt.Sprintf("[o%d]", j)
		}
		return o
	}
	cascade, bottom := sizeGroups(p.Video), []int(nil)
	if n := len(cascade); n >= 3 {
		cascade, bottom = cascade[:n-1], cascade[n-1]
	}
	for i, g := range cascade {
		b.WriteString(scale(g))
		switch {
		case i == 0 && bottom != nil:
			fmt.Fprintf(&b, ",split=3[r0][n0][b0];[r0]%s;[n0]", out(g))
		case i == len(cascade)-1 && (bottom != nil || !tiles):
			b.WriteString("," + out(g))
		default:
			fmt.Fprintf(&b, ",split=2[r%d][n%d];[r%d]%s;[n%d]", i, i, i, out(g), i)
		}
	}
	if bottom != nil {
		b.WriteString(";[b0]" + scale(bottom))
		if tiles {
			fmt.Fprintf(&b, ",split=2[rb][nb];[rb]%s;[nb]", out(bottom))
		} else {
			b.WriteString("," + out(bottom))
		}
	}
	if tiles {
		sb, frame := p.Storyboard, float64(p.FPSDen)/float64(p.FPSNum)
		// Chunk time t is global time chunkStart+t; keep the first frame at
		// or after each multiple of the interval (its remainder is under one
		// frame). Quoted, so the commas stay inside the expression.
		fmt.Fprintf(&b, "select='lt(mod(%s+t+0.0001,%s),%s)',scale=%d:-2,setsar=1[tiles]",
			seconds(chunkStart), seconds(sb.Interval), seconds(frame), sb.TileWidth)
	}
	return b.String()
}

func rateControl(p media.Plan, r media.Rendition) []string {
	if p.RateControl == media.RateCBR {
		br := strconv.Itoa(r.Bitrate)
		return []string{
			"-b:v", br, "-minrate", br, "-maxrate", br,
			"-bufsize", strconv.Itoa(r.BufSize),
			// Filler data makes the stream truly constant at the HRD level.
			"-x264-params", "nal-hrd=cbr",
		}
	}
	// Capped CRF: constant quality, but the VBV caps peaks at maxrate so the
	// advertised bandwidth holds.
	return []string{
		"-crf", strconv.Itoa(p.CRF),
		"-maxrate", strconv.Itoa(r.MaxRate),
		"-bufsize", strconv.Itoa(r.BufSize),
	}
}

// hlsArgs are the muxer options for one HLS fMP4 VOD rendition in dir.
// In ffmpeg 5.1 the init segment is written next to the playlist, so it lands
// in dir too. The directory must exist (see MakeRenditionDirs).
func hlsArgs(hlsTime float64, dir string) []string {
	return []string{
		"-f", "hls",
		"-hls_time", seconds(hlsTime),
		"-hls_playlist_type", "vod",
		"-hls_segment_type", "fmp4",
		"-hls_fmp4_init_filename", "init.mp4",
		// Every segment starts with a keyframe and needs nothing before it.
		"-hls_flags", "independent_segments",
		"-hls_segment_filename", filepath.Join(dir, "seg_%05d.m4s"),
		filepath.Join(dir, "index.m3u8"),
	}
}

// AudioArgs returns the ffmpeg arguments that encode the audio stream each
// audio rendition of p names (Rendition.Track, 0:a:Track) into that rendition, each an HLS fMP4 VOD playlist in
// outDir/<id>/ (index.m3u8, init.mp4, seg_NNNNN.m4s).
func AudioArgs(p media.Plan, src, outDir string) []string {
	args := InputFlags()
	// Input options: skip demuxing video (and cover art), subtitles, data.
	args = append(args, "-vn", "-sn", "-dn")
	if p.Duration > 0 {
		// Read no further than the duration that passed the limits, even if
		// the audio runs on.
		args = append(args, "-t", seconds(p.Duration))
	}
	args = append(args, "-i", inputURL(src))
	for _, r := range p.Audio {
		args = append(args,
			"-map", fmt.Sprintf("0:a:%d", r.Track), "-vn",
			"-c:a", "aac",
			"-b:a", strconv.Itoa(r.Bitrate),
			"-ar", strconv.Itoa(orDefaultInt(r.SampleRate, 48000)),
			"-ac", strconv.Itoa(orDefaultInt(r.Channels, 2)),
		)
		args = append(args, hlsArgs(p.SegmentSeconds, filepath.Join(outDir, r.ID))...)
	}
	return args
}

// PackageArgs returns the ffmpeg arguments that remux the concatenated chunk
// files, one per video rendition in the order of p.Video, into HLS fMP4 VOD
// playlists in outDir/<id>/ without re-encoding. Every GOP becomes exactly
// one segment.
func PackageArgs(p media.Plan, inputs []string, outDir string) []string {
	var args []string
	for i, in := range inputs {
		if i < len(p.Video) && p.Video[i].VideoCodec() == media.CodecAV1 {
			// Raw OBU chunks carry no timestamps: one frame per temporal
			// unit at the plan's rate, from zero like the other inputs.
			args = append(args, "-f", "obu", "-framerate", fmt.Sprintf("%d/%d", p.FPSNum, p.FPSDen))
		}
		args = append(args, "-i", inputURL(in))
	}
	// hlsenc cuts at the first keyframe at or after n×hls_time. Keyframes
	// sit exactly on the segment grid and nowhere else, so the shortest
	// segment less half a frame cuts at every one of them without
	// depending on float equality at a boundary.
	hlsTime := p.SegmentSeconds
	if p.FPSNum > 0 && p.FPSDen > 0 {
		frame := float64(p.FPSDen) / float64(p.FPSNum)
		if p.FirstSegmentFrames > 0 {
			hlsTime = float64(min(p.FirstSegmentFrames, p.GOPFrames-p.FirstSegmentFrames)) * frame
		}
		hlsTime -= 0.5 * frame
	}
	for i, r := range p.Video {
		if i >= len(inputs) {
			break
		}
		args = append(args,
			"-map", fmt.Sprintf("%d:v:0", i),
			"-c", "copy",
			// The chunks' B-frames start decoding before the first picture.
			// By default ffmpeg shifts the track so that DTS starts at 0,
			// delaying the picture against the audio by the reorder delay;
			// disabled keeps the first picture at 0 (mp4 stores this with an
			// edit list, segment times stay non-negative).
			"-avoid_negative_ts", "disabled",
		)
		if r.VideoCodec() == media.CodecHEVC {
			// hvc1 (parameter sets in the sample entry) is what Apple's
			// players and MSE's isTypeSupported("hvc1...") expect.
			args = append(args, "-tag:v", "hvc1")
		}
		args = append(args, hlsArgs(hlsTime, filepath.Join(outDir, r.ID))...)
	}
	return args
}

// MakeRenditionDirs creates outDir/<id>/ for every rendition; the HLS muxer
// does not create directories itself.
func MakeRenditionDirs(outDir string, rs []media.Rendition) error {
	for _, r := range rs {
		if err := os.MkdirAll(filepath.Join(outDir, r.ID), 0o755); err != nil {
			return fmt.Errorf("create rendition dir: %w", err)
		}
	}
	return nil
}

// PosterArgs returns the ffmpeg arguments that write one JPEG of the frame
// at `at` seconds, width pixels wide with the display aspect ratio kept.
func PosterArgs(src string, at float64, width int, out string) []string {
	args := InputFlags()
	args = append(args, "-an", "-sn", "-dn", "-ss", seconds(max(at, 0)), "-i", inputURL(src),
		"-vf", displayScale(width),
		"-frames:v", "1",
		"-q:v", "3", // JPEG quality, 2 (best) to 31
		"-update", "1", // one image, not a numbered sequence
		out,
	)
	return args
}

// PosterFromPieceArgs is PosterArgs for a piece of the source whose
// timestamps are the source's plus offset (media.Piece): it seeks by
// timestamp, not from the piece's start.
func PosterFromPieceArgs(piece string, offset, at float64, width int, out string) []string {
	args := InputFlags()
	args = append(args, "-an", "-sn", "-dn", "-seek_timestamp", "1", "-ss", seconds(max(at, 0)+offset), "-i", inputURL(piece),
		"-vf", displayScale(width),
		"-frames:v", "1",
		"-q:v", "3",
		"-update", "1",
		out,
	)
	return args
}

// displayScale scales to width w and the matching even height using the
// display aspect ratio (dar), so anamorphic sources are not squeezed; plain
// scale=w:-2 would use the coded aspect ratio.
func displayScale(w int) string {
	return fmt.Sprintf("scale=%d:trunc(ow/dar/2)*2,setsar=1", w)
}

// seconds formats s for ffmpeg's duration options, microsecond precision.
func seconds(s float64) string {
	return strconv.FormatFloat(math.Round(s*1e6)/1e6, 'f', -1, 64)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDefaultInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// AudioPreviewArgs encodes dur seconds of audio rendition r's track from
// start (an accurate input seek) as AudioArgs does, into an ADTS file: one
// frame per encoder packet, the priming one first (progressive playback's
// previews of one audio segment).
func AudioPreviewArgs(p media.Plan, r media.Rendition, src string, start, dur float64, out string) []string {
	args := InputFlags()
	args = append(args, "-vn", "-sn", "-dn")
	if start > 0 {
		args = append(args, "-ss", seconds(start))
	}
	args = append(args, "-t", seconds(dur), "-i", inputURL(src),
		"-map", fmt.Sprintf("0:a:%d", r.Track), "-vn",
		"-c:a", "aac",
		"-b:a", strconv.Itoa(r.Bitrate),
		"-ar", strconv.Itoa(orDefaultInt(r.SampleRate, 48000)),
		"-ac", strconv.Itoa(orDefaultInt(r.Channels, 2)),
		"-f", "adts", out)
	return args
}

// AudioSegmentArgs packages the ADTS file in into one CMAF segment in
// outDir (init.mp4, seg_00000.m4s), as AudioArgs's muxer writes them,
// without re-encoding: its first packet at time 0.
func AudioSegmentArgs(in string, segmentSeconds float64, outDir string) []string {
	args := []string{"-f", "aac", "-i", inputURL(in), "-map", "0:a:0", "-c", "copy", "-bsf:a", "aac_adtstoasc"}
	return append(args, hlsArgs(segmentSeconds+3600, outDir)...)
}

// ADTSFrames splits an ADTS stream into its frames (header included).
func ADTSFrames(b []byte) ([][]byte, error) {
	var frames [][]byte
	for len(b) > 0 {
		if len(b) < 7 || b[0] != 0xFF || b[1]&0xF0 != 0xF0 {
			return nil, errors.New("adts: no frame header")
		}
		n := int(b[3]&0x03)<<11 | int(b[4])<<3 | int(b[5])>>5
		if n < 7 || n > len(b) {
			return nil, fmt.Errorf("adts: frame length %d of %d bytes", n, len(b))
		}
		frames = append(frames, b[:n])
		b = b[n:]
	}
	return frames, nil
}
