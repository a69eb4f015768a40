package media

import (
	"fmt"
	"math"
	"sort"
)

// RateControl selects how video rungs spend bits.
type RateControl string

// Rate control modes. Capped CRF behaves like QVBR: constant quality, but never
// above the rung's maxrate, so players can still pick rungs by bandwidth.
const (
	RateCappedCRF RateControl = "crf"
	RateCBR       RateControl = "cbr"
)

// DefaultHeights are the candidate rungs, by the short side of the picture.
var DefaultHeights = []int{2160, 1440, 1080, 720, 480, 360, 240}

// LadderConfig tunes how a Plan is derived from a Source.
type LadderConfig struct {
	Heights          []int      // candidate rungs by short side; DefaultHeights when empty
	Mode             LadderMode // LadderFixed or LadderPerTitle (measured in the probe step)
	Codecs           []string   // video codecs, H.264 first; see WithCodecs
	AV1MaxHeight     int        // AV1 rungs only up to this short side; 0 = every rung
	SegmentSeconds   float64    // target segment length
	SegmentsPerChunk int        // segments encoded by one chunk job
	// FirstChunkSegments, when positive and fewer, is the length of the
	// first chunk: it is encoded first, and a short one makes the video
	// playable sooner (progressive playback). Segments are the same either
	// way; only where chunk jobs start differs.
	FirstChunkSegments int
	// FirstSegmentSeconds, when positive and shorter than a segment, cuts
	// the first segment in two: the first one this long, then the rest of
	// the GOP. The first chunk encodes only that short segment, so the
	// video plays after a fraction of the work (progressive playback,
	// docs/benchmarks.md); every later segment is where it would be.
	FirstSegmentSeconds float64
	RateControl         RateControl // RateCappedCRF or RateCBR
	CRF                 int         // quality for capped CRF
	Preset              string      // x264 preset
	Threads             int         // decoder and x264 threads per encode job; 0 = ffmpeg's choice
	MaxFPS              int         // frame rate cap
	AudioBitrate        int         // stereo AAC for video sources, bits/s
	AudioLadder         []int       // stereo AAC rungs for audio-only sources, bits/s
}

// DefaultLadderConfig returns the defaults used when nothing is configured.
func DefaultLadderConfig() LadderConfig {
	return LadderConfig{
		Heights:          DefaultHeights,
		Mode:             LadderFixed,
		Codecs:           []string{CodecH264},
		SegmentSeconds:   4,
		SegmentsPerChunk: 4,
		RateControl:      RateCappedCRF,
		CRF:              23,
		Preset:           "veryfast",
		MaxFPS:           60,
		AudioBitrate:     128_000,
		AudioLadder:      []int{64_000, 128_000},
	}
}

// Chunk is a range of the timeline encoded by one job. It always starts on a
// segment boundary, so every rendition cuts its segments at the same frames.
type Chunk struct {
	Index      int     `json:"index"`
	StartFrame int     `json:"start_frame"`
	Start      float64 `json:"start"`  // seconds, StartFrame / fps
	Frames     int     `json:"frames"` // 0 means until the end of the source
	// Piece indexes Plan.Pieces: the part of the source this chunk decodes.
	// Unused when the plan has no pieces.
	Piece int `json:"piece,omitempty"`
}

// Piece is a part of the source's video track, cut at keyframes by stream
// copy in the probe step, that holds every packet the chunks using it need
// to decode their range. A chunk job downloads its piece instead of the
// whole source. Times are on the chunks' timeline (Chunk.Start).
type Piece struct {
	Start float64 `json:"start"`         // time of its first packet: a keyframe, or the first packet of the stream
	End   float64 `json:"end,omitempty"` // time of the keyframe that follows it; 0 means the end of the stream
	// Offset is the piece's timestamps minus the source's, as measured on
	// the written piece (a muxer may shift or round them).
	Offset float64 `json:"offset,omitempty"`
	Size   int64   `json:"size"`
}

// Keyframe is a packet of the source's video where decoding can begin. In
// a list of keyframes, Time increases and Earliest never decreases.
type Keyframe struct {
	Time float64 // presentation time, on the chunks' timeline
	// Earliest is the earliest presentation time of this packet and every
	// packet after it in decode order: cutting the stream before this
	// keyframe leaves every frame shown before Earliest on the earlier side.
	// It equals Time for closed GOPs; open-GOP leading pictures lower it.
	Earliest float64
}

// Span is the packets from keyframe From up to, not including, keyframe
// To, of a list of keyframes: From 0 means from the first packet of the
// stream, To len(list) to its end.
type Span struct{ From, To int }

// Plan is everything the encode jobs need to know, decided once per video.
type Plan struct {
	Kind           Kind    `json:"kind"`
	Duration       float64 `json:"duration"`
	FPSNum         int     `json:"fps_num,omitempty"`
	FPSDen         int     `json:"fps_den,omitempty"`
	GOPFrames      int     `json:"gop_frames,omitempty"`
	SegmentSeconds float64 `json:"segment_seconds"` // exact: GOPFrames / fps for video
	// FirstSegmentFrames, when positive, is the length of segment 0, which
	// then ends inside the first GOP: segment 1 is the rest of that GOP,
	// and chunks 0 and 1 encode exactly those two (see grid.go).
	FirstSegmentFrames int         `json:"first_segment_frames,omitempty"`
	RateControl        RateControl `json:"rate_control,omitempty"`
	CRF                int         `json:"crf,omitempty"`
	Preset             string      `json:"preset,omitempty"`
	Threads            int         `json:"threads,omitempty"`
	Video              []Rendition `json:"video,omitempty"`
	Audio              []Rendition `json:"audio,omitempty"`
	Chunks             []Chunk     `json:"chunks,omitempty"`
	// Pieces, when there are any, are what the chunk jobs read instead of
	// the whole source (see Chunk.Piece).
	Pieces []Piece `json:"pieces,omitempty"`
	// Sparse is set when the source holds far fewer frames than its frame
	// rate claims (a still picture over long audio, or a hostile file): the
	// plan's frame rate follows the frames it really has (see sparseFPS).
	Sparse     bool       `json:"sparse,omitempty"`
	Storyboard Storyboard `json:"storyboard"`
	// Ladder says how the video rungs were chosen; nil for a fixed ladder.
	Ladder *LadderDecision `json:"ladder,omitempty"`
}

// Renditions returns video rungs followed by audio rungs.
func (p Plan) Renditions() []Rendition {
	return append(append([]Rendition(nil), p.Video...), p.Audio...)
}

// NewPlan derives the ladder and chunking for src. It never upscales, keeps the
// display aspect ratio (portrait stays portrait) and always yields at least
// one rung.
func NewPlan(src Source, cfg LadderConfig) (Plan, error) {
	if !src.HasVideo && !src.HasAudio {
		return Plan{}, Inputf("The file has no audio or video stream that can be decoded.")
	}
	if src.Duration <= 0 {
		return Plan{}, Inputf("The media has no duration; it may be truncated or empty.")
	}
	if cfg.SegmentSeconds <= 0 || cfg.SegmentsPerChunk <= 0 {
		return Plan{}, fmt.Errorf("plan: segment length and chunk size must be positive")
	}
	p := Plan{Kind: src.Kind(), Duration: src.Duration, SegmentSeconds: cfg.SegmentSeconds}
	if src.HasVideo {
		if src.Width < 2 || src.Height < 2 {
			return Plan{}, Inputf("The video stream has no usable picture size (%dx%d).", src.Width, src.Height)
		}
		p.FPSNum, p.FPSDen = capFPS(src.FPSNum, src.FPSDen, cfg.MaxFPS)
		if num, den, ok := sparseFPS(src, p.FPSNum, p.FPSDen, cfg.SegmentSeconds); ok {
			p.FPSNum, p.FPSDen, p.Sparse = num, den, true
		}
		fps := float64(p.FPSNum) / float64(p.FPSDen)
		p.GOPFrames = max(1, int(math.Round(fps*cfg.SegmentSeconds)))
		p.SegmentSeconds = float64(p.GOPFrames) / fps
		p.RateControl, p.CRF, p.Preset, p.Threads = cfg.RateControl, cfg.CRF, cfg.Preset, cfg.Threads
		p.Video = videoRungs(src.Width, src.Height, fps, cfg.Heights)
		for i := range p.Video {
			p.Video[i].ID = fmt.Sprintf("v%d", i)
			p.Video[i].FPSNum, p.Video[i].FPSDen = p.FPSNum, p.FPSDen
		}
		if p.Sparse && fps <= 1 {
			sizeStillRungs(p.Video, p.SegmentSeconds)
		}
		chunkFrames := p.GOPFrames * cfg.SegmentsPerChunk
		if p.Sparse {
			chunkFrames = sparseChunkFrames(p.GOPFrames, cfg)
		}
		first := chunkFrames
		if n := cfg.FirstChunkSegments; n > 0 && !p.Sparse && p.GOPFrames*n < chunkFrames {
			first = p.GOPFrames * n
		}
		p.Chunks = chunks(src.Duration, fps, first, chunkFrames)
		if f := int(math.Round(fps * cfg.FirstSegmentSeconds)); cfg.FirstSegmentSeconds > 0 && !p.Sparse &&
			f >= 1 && f < p.GOPFrames && p.TotalFrames() > p.GOPFrames {
			p.FirstSegmentFrames = f
			p.Chunks = splitFirstGOP(p.Chunks, f, p.GOPFrames, fps)
		}
		p.Storyboard = NewStoryboard(src.Duration)
		if p.Sparse {
			p.Storyboard = storyboardEvery(src.Duration, 1/fps)
		}
	}
	if src.HasAudio {
		p.Audio = audioRungs(src, cfg)
	}
	return p, nil
}

// TotalFrames is the number of frames the plan encodes: the duration on
// the plan's frame grid. The last chunk stops there, whatever else the
// source holds.
func (p Plan) TotalFrames() int {
	if p.FPSNum <= 0 || p.FPSDen <= 0 {
		return 0
	}
	return int(math.Ceil(p.Duration*float64(p.FPSNum)/float64(p.FPSDen) - 1e-6))
}

// capFPS keeps a known frame rate under the cap by halving it (120 → 60), and
// falls back to 30 when the source does not say.
func capFPS(num, den, maxFPS int) (int, int) {
	if num <= 0 || den <= 0 || float64(num)/float64(den) > 1000 {
		return 30, 1
	}
	if maxFPS <= 0 {
		maxFPS = 60
	}
	for float64(num)/float64(den) > float64(maxFPS)+0.01 {
		den *= 2
	}
	g := gcd(num, den)
	return num / g, den / g
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// videoRungs picks every candidate not above the source's short side.
func videoRungs(w, h int, fps float64, heights []int) []Rendition {
	if len(heights) == 0 {
		heights = DefaultHeights
	}
	hs := append([]int(nil), heights...)
	sort.Sort(sort.Reverse(sort.IntSlice(hs)))
	short, portrait := h, h > w
	if portrait {
		short = w
	}
	var out []Rendition
	seen := map[[2]int]bool{}
	add := func(rw, rh int) {
		if rw < 2 || rh < 2 || seen[[2]int{rw, rh}] {
			return
		}
		seen[[2]int{rw, rh}] = true
		br := videoBitrate(rw, rh, fps)
		out = append(out, Rendition{Type: KindVideo, Width: rw, Height: rh, Bitrate: br,
			MaxRate: br * 107 / 100, BufSize: br * 3 / 2})
	}
	for _, s := range hs {
		if s > short {
			continue
		}
		if portrait {
			add(even(s), even(float64(s)*float64(h)/float64(w)))
		} else {
			add(even(float64(s)*float64(w)/float64(h)), even(s))
		}
	}
	if len(out) == 0 {
		add(w&^1, h&^1) // smaller than every rung: keep the source size
	}
	return out
}

// videoBitrate scales 5 Mb/s at 1080p30 by pixels×fps with a 0.75 exponent,
// which tracks common ladders (720p30 ≈ 2.7 Mb/s, 360p30 ≈ 0.96 Mb/s).
func videoBitrate(w, h int, fps float64) int {
	ratio := float64(w*h) * fps / (1920 * 1080 * 30)
	kbps := math.Round(5000 * math.Pow(ratio, 0.75))
	return int(max(kbps, 100)) * 1000
}

// even rounds to the nearest even number, as encoders need even sizes.
func even[T int | float64](v T) int {
	return int(math.Round(float64(v)/2)) * 2
}

// audioRungs encodes each published audio track of a video source (see
// Source.PublishedAudioTracks) into one AAC rung, plus its original layout
// when it has more than two channels; an audio-only source gets the
// AudioLadder of its default track alone (variants of an audio-only HLS
// playlist are chosen by bandwidth, which would mix languages).
func audioRungs(src Source, cfg LadderConfig) []Rendition {
	tracks := src.PublishedAudioTracks()
	if !src.HasVideo {
		tracks = tracks[:1]
	}
	named := len(tracks) > 1
	var out []Rendition
	for _, t := range tracks {
		stereo := min(max(t.Channels, 1), 2)
		rate := 48000
		var rungs []Rendition
		if src.HasVideo {
			rungs = append(rungs, Rendition{Type: KindAudio, Bitrate: cfg.AudioBitrate, Channels: stereo, SampleRate: rate})
		} else {
			for _, br := range cfg.AudioLadder {
				rungs = append(rungs, Rendition{Type: KindAudio, Bitrate: br, Channels: stereo, SampleRate: rate})
			}
		}
		if t.Channels > 2 { // keep the original layout next to the downmix
			ch := min(t.Channels, 8)
			rungs = append(rungs, Rendition{Type: KindAudio, Bitrate: 64_000 * ch, Channels: ch, SampleRate: rate})
		}
		name := t.Title
		if name == "" && t.Language != "" {
			name = LanguageName(t.Language)
		}
		if name == "" && named {
			name = fmt.Sprintf("Track %d", t.Index+1)
		}
		for i := range rungs {
			r := &rungs[i]
			r.Track, r.Language, r.Default, r.Name = t.Index, t.Language, t.Default, name
			if name != "" && r.Channels > 2 {
				r.Name = fmt.Sprintf("%s (%s)", name, ChannelLabel(r.Channels))
			}
		}
		out = append(out, rungs...)
	}
	for i := range out {
		out[i].ID = fmt.Sprintf("a%d", i)
	}
	return out
}

// ChannelLabel names a channel layout the way players show it.
func ChannelLabel(ch int) string {
	switch ch {
	case 1:
		return "Mono"
	case 2, 0:
		return "Stereo"
	case 6:
		return "5.1"
	case 8:
		return "7.1"
	}
	return fmt.Sprintf("%d channels", ch)
}

// chunks splits the timeline into a first range of firstFrames frames and
// then ranges of chunkFrames frames. A last piece shorter than half a chunk
// is merged into the one before it.
func chunks(duration, fps float64, firstFrames, chunkFrames int) []Chunk {
	total := int(math.Ceil(duration*fps - 1e-6))
	out := []Chunk{{Index: 0, StartFrame: 0, Frames: firstFrames}}
	start := firstFrames
	if firstFrames == chunkFrames || total-firstFrames < chunkFrames/2 {
		// As before: whole chunks, a short rest merged into the last one.
		n := max(1, total/chunkFrames)
		if rest := total - n*chunkFrames; rest >= chunkFrames/2 {
			n++
		}
		out = out[:0]
		for i := range n {
			s := i * chunkFrames
			out = append(out, Chunk{Index: i, StartFrame: s, Start: float64(s) / fps, Frames: chunkFrames})
		}
		out[n-1].Frames = 0 // the last chunk runs to the end
		return out
	}
	for total-start >= chunkFrames+chunkFrames/2 {
		out = append(out, Chunk{Index: len(out), StartFrame: start, Start: float64(start) / fps, Frames: chunkFrames})
		start += chunkFrames
	}
	out = append(out, Chunk{Index: len(out), StartFrame: start, Start: float64(start) / fps})
	return out
}

// splitFirstGOP replaces the first chunk of cs with one chunk for the
// first f frames, one for the rest of the first GOP (gop frames), and one
// for what the first chunk held after that GOP, if anything. Each chunk is
// encoded on its own, keyframe first, so the cut at f is a keyframe and
// every later keyframe stays on the GOP grid.
func splitFirstGOP(cs []Chunk, f, gop int, fps float64) []Chunk {
	end := cs[0].Frames // 0: to the end of the video
	out := []Chunk{{StartFrame: 0, Frames: f}, {StartFrame: f, Start: float64(f) / fps, Frames: gop - f}}
	if end == 0 || end > gop {
		out = append(out, Chunk{StartFrame: gop, Start: float64(gop) / fps, Frames: max(0, end-gop)})
	}
	out = append(out, cs[1:]...)
	for i := range out {
		out[i].Index = i
	}
	return out
}

// PieceSpans returns the distinct spans of the source's keyframes kf that
// the chunks need, in order, and for every chunk the index of its span.
//
// A chunk needs the frames shown from one frame before its start (the
// encoder seeks there, see ffmpeg.ChunkArgs) up to the next chunk's start,
// so its span begins at the last keyframe at or before that first frame and
// ends at the first keyframe after which nothing shown before the next
// chunk is decoded. Chunks stay on the segment grid, so the spans of
// neighbours overlap by the GOP that straddles their boundary, and where
// keyframes are sparse several chunks share one span: a source with a
// single keyframe yields one span, the whole stream.
func (p Plan) PieceSpans(kf []Keyframe) (spans []Span, use []int) {
	if len(p.Chunks) == 0 || p.FPSNum <= 0 || p.FPSDen <= 0 {
		return nil, nil
	}
	frame := float64(p.FPSDen) / float64(p.FPSNum)
	// A quarter frame of slack absorbs timestamp rounding (ffprobe prints
	// microseconds, Matroska stores milliseconds) without ever taking in a
	// frame of a neighbouring tick: sources have at most twice the plan's
	// frame rate (capFPS), so their frames are at least half a frame apart.
	slack := frame / 4
	index := map[Span]int{}
	for i, c := range p.Chunks {
		s := Span{0, len(kf)}
		if i > 0 {
			first := c.Start - frame
			// The last keyframe at or before first, or the stream start.
			s.From = max(0, sort.Search(len(kf), func(k int) bool { return kf[k].Time > first+slack })-1)
		}
		if i+1 < len(p.Chunks) {
			next := p.Chunks[i+1].Start
			s.To = s.From + 1 + sort.Search(len(kf)-s.From-1, func(k int) bool {
				return kf[s.From+1+k].Earliest >= next-slack
			})
		}
		j, ok := index[s]
		if !ok {
			j = len(spans)
			index[s] = j
			spans = append(spans, s)
		}
		use = append(use, j)
	}
	return spans, use
}
