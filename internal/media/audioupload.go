package media

import "time"

// Audio uploads (#14): audio files added to a ready video after its upload.
const (
	AudioUploadProcessing = "processing"
	AudioUploadReady      = "ready"
	AudioUploadFailed     = "failed"

	// MaxAudioUploads bounds the audio tracks added to one video.
	MaxAudioUploads = 8
	// MaxAudioUploadBytes bounds one added audio file.
	MaxAudioUploadBytes = 1 << 30
)

// AudioUpload is an audio track added to a video after its upload: another
// language, published as one more audio rendition (Rendition, once Status
// is ready) beside those made from the source.
type AudioUpload struct {
	ID        string    `json:"id"`
	VideoID   string    `json:"video_id"`
	Language  string    `json:"language"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	Error     string    `json:"error,omitempty"`
	Rendition string    `json:"rendition,omitempty"`
	Duration  float64   `json:"duration"`
	CreatedAt time.Time `json:"created_at"`
	SourceKey string    `json:"-"`
}

// AudioDurationMismatch reports whether an added audio track of audio
// seconds differs too much from a video of video seconds to play with it:
// more than a second and 2% apart.
func AudioDurationMismatch(audio, video float64) bool {
	d := audio - video
	if d < 0 {
		d = -d
	}
	return d > 1 && d > 0.02*video
}
