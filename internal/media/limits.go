package media

import "fmt"

// MaxSide is the longest picture side, coded or displayed, that kinema
// decodes whatever MaxPixels says: a 65536×16 strip is few pixels but makes
// the scaler and every rung degenerate.
const MaxSide = 16384

// Limits bound what an upload may be. Zero means no limit. They are checked
// on what ffprobe reports, before anything is decoded, so a file that claims
// a size or rate it then does not have is stopped by the ffmpeg memory
// ceiling instead (ffmpeg.Runner.MemoryLimit).
type Limits struct {
	MaxDuration float64 // seconds
	// MaxPixels bounds width × height per frame, of the display picture and
	// of the coded one: a tiny sample aspect ratio makes a huge coded frame
	// look small, and the decoder allocates the coded size.
	MaxPixels int
	MaxBytes  int64
	// MaxFPS bounds the video frame rate the file claims.
	MaxFPS int
	// MaxSampleRate (Hz) and MaxChannels bound the audio stream kinema
	// decodes.
	MaxSampleRate int
	MaxChannels   int
	// MaxStreams bounds the streams of every kind in the file; each one
	// costs demuxer and probe memory even when it is not decoded.
	MaxStreams int
	// Quota bounds the minutes each owner may have processed per period.
	Quota Quota
}

// Check returns an *InputError when src exceeds the limits, with a reason
// meant for the uploader.
func (l Limits) Check(src Source) error {
	if l.MaxBytes > 0 && src.Size > l.MaxBytes {
		return Inputf("The file is %d bytes; the limit is %d bytes.", src.Size, l.MaxBytes)
	}
	if l.MaxStreams > 0 && src.Streams > l.MaxStreams {
		return Inputf("The file has %d streams; this server accepts at most %d.", src.Streams, l.MaxStreams)
	}
	if l.MaxDuration > 0 && src.Duration > l.MaxDuration && src.ClaimedDuration > 0 {
		return Inputf("The media lasts %.0f seconds, although the file says %.0f; the limit is %.0f seconds.",
			src.Duration, src.ClaimedDuration, l.MaxDuration)
	}
	if l.MaxDuration > 0 && src.Duration > l.MaxDuration {
		return Inputf("The media lasts %.0f seconds; the limit is %.0f seconds.", src.Duration, l.MaxDuration)
	}
	if err := l.checkPicture(src); err != nil {
		return err
	}
	if fps := src.FPS(); l.MaxFPS > 0 && fps > float64(l.MaxFPS) {
		return Inputf("The video claims %.0f frames per second; this server accepts at most %d.", fps, l.MaxFPS)
	}
	// Every audio stream that gets decoded: the default one and the other
	// published tracks.
	for _, t := range append([]AudioTrack{{SampleRate: src.AudioSampleRate, Channels: src.AudioChannels}}, src.PublishedAudioTracks()...) {
		if l.MaxSampleRate > 0 && t.SampleRate > l.MaxSampleRate {
			return Inputf("The audio claims a sample rate of %d Hz; this server accepts at most %d Hz.",
				t.SampleRate, l.MaxSampleRate)
		}
		if l.MaxChannels > 0 && t.Channels > l.MaxChannels {
			return Inputf("The audio has %d channels; this server accepts at most %d.", t.Channels, l.MaxChannels)
		}
	}
	return nil
}

// checkPicture checks the display size and the coded size.
func (l Limits) checkPicture(src Source) error {
	if tooBig(src.Width, src.Height, l.MaxPixels) {
		return Inputf("The picture is %dx%d, larger than this server accepts.", src.Width, src.Height)
	}
	if tooBig(src.CodedWidth, src.CodedHeight, l.MaxPixels) {
		return Inputf("The picture is stored as %dx%d pixels (shown as %dx%d), larger than this server accepts%s.",
			src.CodedWidth, src.CodedHeight, src.Width, src.Height, pixelsLimit(l.MaxPixels))
	}
	return nil
}

// tooBig reports a side over MaxSide or more than maxPixels pixels; the
// product is taken in int64 so hostile sizes cannot overflow it.
func tooBig(w, h, maxPixels int) bool {
	if w > MaxSide || h > MaxSide {
		return true
	}
	return maxPixels > 0 && int64(w)*int64(h) > int64(maxPixels)
}

func pixelsLimit(maxPixels int) string {
	if maxPixels <= 0 {
		return fmt.Sprintf(" (at most %d pixels a side)", MaxSide)
	}
	return fmt.Sprintf(" (at most %.1f million pixels per frame)", float64(maxPixels)/1e6)
}
