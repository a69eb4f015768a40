package media

import "math"

// The segment grid of a plan is fixed when the plan is made: every GOP of
// the video is one segment, chunks start on segment boundaries, and the
// audio encoder's packets fall on a known grid. So every playlist of the
// final video can be written before any encode finishes (progressive
// playback), and a request for a segment can be mapped to the chunk job
// that makes it.

// AACFrameSamples is the number of samples in one AAC-LC packet.
const AACFrameSamples = 1024

// The first segment may be shorter than the others (Plan.FirstSegmentFrames):
// the first GOP is then cut in two, segment 0 its first frames and
// segment 1 the rest, and segment k ≥ 2 starts at GOP k-1. Nothing else
// moves: every later keyframe, chunk and audio segment stays where a
// uniform grid puts it.

// SegmentFrames returns the first frame of video segment seg and how many
// frames it has; n is 0 when the plan has no such segment.
func (p Plan) SegmentFrames(seg int) (start, n int) {
	if seg < 0 || seg >= p.VideoSegmentCount() {
		return 0, 0
	}
	start = p.segmentStart(seg)
	return start, min(p.segmentStart(seg+1), p.TotalFrames()) - start
}

// segmentStart is the first frame of segment seg on the grid, ignoring
// where the video ends.
func (p Plan) segmentStart(seg int) int {
	if p.FirstSegmentFrames > 0 && seg >= 1 {
		if seg == 1 {
			return p.FirstSegmentFrames
		}
		seg--
	}
	return seg * p.GOPFrames
}

// segmentOf returns the segment that holds frame.
func (p Plan) segmentOf(frame int) int {
	if p.FirstSegmentFrames > 0 {
		if frame < p.FirstSegmentFrames {
			return 0
		}
		return frame/p.GOPFrames + 1
	}
	return frame / p.GOPFrames
}

// VideoSegmentCount is how many segments each video rendition has.
func (p Plan) VideoSegmentCount() int {
	total := p.TotalFrames()
	if len(p.Video) == 0 || p.GOPFrames <= 0 || total <= 0 {
		return 0
	}
	return p.segmentOf(total-1) + 1
}

// VideoSegmentDurations returns the planned duration of every video
// segment, in seconds: a GOP each (the first one perhaps cut in two), the
// last one what is left.
func (p Plan) VideoSegmentDurations() []float64 {
	n := p.VideoSegmentCount()
	if n == 0 {
		return nil
	}
	frame := float64(p.FPSDen) / float64(p.FPSNum)
	out := make([]float64, n)
	for i := range out {
		_, frames := p.SegmentFrames(i)
		out[i] = float64(frames) * frame
	}
	return out
}

// ChunkSegments returns the first video segment chunk i makes and how many.
func (p Plan) ChunkSegments(i int) (first, n int) {
	if i < 0 || i >= len(p.Chunks) || p.GOPFrames <= 0 {
		return 0, 0
	}
	first = p.segmentOf(p.Chunks[i].StartFrame)
	end := p.VideoSegmentCount()
	if i+1 < len(p.Chunks) {
		end = p.segmentOf(p.Chunks[i+1].StartFrame)
	}
	return first, max(0, end-first)
}

// ChunkOfSegment returns the index of the chunk that makes video segment
// seg, and false when the plan has no such segment.
func (p Plan) ChunkOfSegment(seg int) (int, bool) {
	if seg < 0 || seg >= p.VideoSegmentCount() {
		return 0, false
	}
	frame := p.segmentStart(seg)
	c := 0
	for i, ch := range p.Chunks {
		if ch.StartFrame <= frame {
			c = i
		}
	}
	return c, true
}

// AudioSegmentDurations returns the planned duration of every segment of
// an audio rendition at sampleRate: the encoder writes one packet per
// AACFrameSamples samples plus a priming packet, and the HLS muxer cuts at
// the first packet at or after each multiple of SegmentSeconds. It assumes
// the audio lasts the plan's duration.
func (p Plan) AudioSegmentDurations(sampleRate int) []float64 {
	if sampleRate <= 0 {
		sampleRate = 48000
	}
	if p.Duration <= 0 || p.SegmentSeconds <= 0 {
		return nil
	}
	pkt := float64(AACFrameSamples) / float64(sampleRate)
	// The encoder's packets: the priming one, then one per 1024 samples,
	// the last one perhaps partly filled (its duration may be trimmed, which
	// changes the last segment's length, never the number of segments).
	packets := math.Ceil(p.Duration*float64(sampleRate)/AACFrameSamples-1e-9) + 1
	end := packets * pkt
	var out []float64
	start := 0.0
	for i := 1; ; i++ {
		k := math.Ceil(float64(i)*p.SegmentSeconds/pkt - 1e-9)
		cut := k * pkt
		if cut >= end-1e-9 {
			out = append(out, end-start)
			return out
		}
		out = append(out, cut-start)
		start = cut
	}
}

// AudioSegmentPackets returns the encoder packets (AACFrameSamples each,
// packet 0 the priming one) that segment seg of an audio rendition at
// sampleRate holds, as AudioSegmentDurations cuts them: the first and how
// many; ok is false when there is no such segment.
func (p Plan) AudioSegmentPackets(sampleRate, seg int) (first, n int, ok bool) {
	if sampleRate <= 0 {
		sampleRate = 48000
	}
	if seg < 0 || seg >= len(p.AudioSegmentDurations(sampleRate)) {
		return 0, 0, false
	}
	pkt := float64(AACFrameSamples) / float64(sampleRate)
	packets := int(math.Ceil(p.Duration*float64(sampleRate)/AACFrameSamples-1e-9)) + 1
	cut := func(i int) int {
		if i == 0 {
			return 0
		}
		return min(packets, int(math.Ceil(float64(i)*p.SegmentSeconds/pkt-1e-9)))
	}
	first = cut(seg)
	end := cut(seg + 1)
	if seg == len(p.AudioSegmentDurations(sampleRate))-1 {
		end = packets
	}
	return first, end - first, end > first
}
