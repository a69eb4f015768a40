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
