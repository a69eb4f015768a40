package media

// Source is what probing learned about an uploaded file. Width and Height are
// the display size: rotation and sample aspect ratio already applied.
type Source struct {
	Format   string  `json:"format"`
	Duration float64 `json:"duration"`          // seconds
	Size     int64   `json:"size"`              // bytes
	Streams  int     `json:"streams,omitempty"` // streams of every kind in the file
	// ClaimedDuration is what the container said when its packets run
	// longer (Duration is then what they hold); 0 when it told the truth.
	ClaimedDuration float64 `json:"claimed_duration,omitempty"`

	HasVideo   bool   `json:"has_video"`
	VideoCodec string `json:"video_codec,omitempty"`
	Width      int    `json:"width,omitempty"`
	Height     int    `json:"height,omitempty"`
	FPSNum     int    `json:"fps_num,omitempty"`
	FPSDen     int    `json:"fps_den,omitempty"`
	Rotation   int    `json:"rotation,omitempty"` // degrees, as found in the file
	// CodedWidth and CodedHeight are the picture as stored, before sample
	// aspect ratio and rotation: what the decoder allocates.
	CodedWidth  int `json:"coded_width,omitempty"`
	CodedHeight int `json:"coded_height,omitempty"`
	// Frames counts the video's real frames (packets); 0 when not measured.
	// A file may declare 30 fps and hold two frames an hour apart.
	Frames int64 `json:"frames,omitempty"`

	HasAudio        bool   `json:"has_audio"`
	AudioCodec      string `json:"audio_codec,omitempty"`
	AudioChannels   int    `json:"audio_channels,omitempty"`
	AudioSampleRate int    `json:"audio_sample_rate,omitempty"`
	// AudioTracks lists every audio stream of the file, in file order. The
	// Audio* fields above describe the default one (the first stream
	// flagged default, else the first stream).
	AudioTracks []AudioTrack `json:"audio_tracks,omitempty"`
}

// AudioTrack is one audio stream of a source.
type AudioTrack struct {
	// Index counts audio streams only: ffmpeg's stream specifier 0:a:Index.
	Index      int    `json:"index"`
	Codec      string `json:"codec,omitempty"`
	Channels   int    `json:"channels,omitempty"`
	SampleRate int    `json:"sample_rate,omitempty"`
	// Language is the RFC 5646 tag (NormalizeLanguage), "" when untagged.
	Language string `json:"language,omitempty"`
	Title    string `json:"title,omitempty"`
	Default  bool   `json:"default,omitempty"`
}

// MaxAudioTracks bounds the audio renditions made of one source's streams:
// each costs an encode of the whole duration.
const MaxAudioTracks = 8

// PublishedAudioTracks returns the audio streams that become renditions:
// the default one first, then, in file order, every other stream with a
// language or a title that no stream already taken has (an untagged second
// stream cannot be told apart from the first in a player's menu, so it is
// left out), at most MaxAudioTracks. A source without AudioTracks (probed
// before they were recorded) yields one track made of its Audio* fields.
func (s Source) PublishedAudioTracks() []AudioTrack {
	if !s.HasAudio {
		return nil
	}
	if len(s.AudioTracks) == 0 {
		return []AudioTrack{{Codec: s.AudioCodec, Channels: s.AudioChannels, SampleRate: s.AudioSampleRate, Default: true}}
	}
	def := 0
	for i, t := range s.AudioTracks {
		if t.Default {
			def = i
			break
		}
	}
	first := s.AudioTracks[def]
	first.Default = true
	out := []AudioTrack{first}
	seen := map[[2]string]bool{{first.Language, first.Title}: true}
	for i, t := range s.AudioTracks {
		key := [2]string{t.Language, t.Title}
		if i == def || (t.Language == "" && t.Title == "") || seen[key] || len(out) >= MaxAudioTracks {
			continue
		}
		seen[key] = true
		t.Default = false
		out = append(out, t)
	}
	return out
}

// FPS returns the frame rate as a float, 0 when unknown.
func (s Source) FPS() float64 {
	if s.FPSNum <= 0 || s.FPSDen <= 0 {
		return 0
	}
	return float64(s.FPSNum) / float64(s.FPSDen)
}

// Kind returns KindVideo when the source has a picture, KindAudio otherwise.
func (s Source) Kind() Kind {
	if s.HasVideo {
		return KindVideo
	}
	return KindAudio
}
