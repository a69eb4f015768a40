package media

// Rendition is one rung of the published ladder, video or audio.
type Rendition struct {
	ID      string `json:"id"`              // directory name under the video: v0, v1 ... a0, a1
	Type    Kind   `json:"type"`            // KindVideo or KindAudio
	Codec   string `json:"codec,omitempty"` // video codec, see VideoCodec; "" is H.264
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	FPSNum  int    `json:"fps_num,omitempty"`
	FPSDen  int    `json:"fps_den,omitempty"`
	Bitrate int    `json:"bitrate"` // target, bits per second
	MaxRate int    `json:"maxrate,omitempty"`
	BufSize int    `json:"bufsize,omitempty"`
	// Preset, when set, is this H.264 rung's x264 preset instead of the
	// plan's (a per-title ladder spends more on a top rung whose cap binds).
	Preset string `json:"preset,omitempty"`

	Channels   int `json:"channels,omitempty"`
	SampleRate int `json:"sample_rate,omitempty"`
	// Audio only: which audio stream of the source it is made of
	// (AudioTrack.Index), its RFC 5646 language, the label players show
	// ("" lets the manifest name it by its channels) and whether it is the
	// source's default track.
	Track    int    `json:"track,omitempty"`
	Language string `json:"language,omitempty"`
	Name     string `json:"name,omitempty"`
	Default  bool   `json:"default,omitempty"`

	// Filled in by packaging from the real output.
	Codecs           string `json:"codecs,omitempty"` // RFC 6381, e.g. avc1.64001f
	AverageBandwidth int    `json:"average_bandwidth,omitempty"`
	PeakBandwidth    int    `json:"peak_bandwidth,omitempty"`
}

// FPS returns the rendition frame rate as a float.
func (r Rendition) FPS() float64 {
	if r.FPSDen == 0 {
		return 0
	}
	return float64(r.FPSNum) / float64(r.FPSDen)
}
