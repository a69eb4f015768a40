package webhook

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// Event types. Endpoints subscribe to any of Events; EventTest is sent only
// on request, to one endpoint.
const (
	EventUploadCompleted = "upload.completed"
	EventVideoReady      = "video.ready"
	EventVideoPlayable   = "video.playable"
	EventVideoFailed     = "video.failed"
	EventTest            = "webhook.test"
)

// Events are the types an endpoint may subscribe to.
var Events = []string{EventUploadCompleted, EventVideoPlayable, EventVideoReady, EventVideoFailed}

// ValidEvent reports whether an endpoint may subscribe to name.
func ValidEvent(name string) bool { return slices.Contains(Events, name) }

// Event is the JSON body of every delivery.
type Event struct {
	// ID is the delivery id, also sent as Kinema-Delivery.
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// VideoData is the data of the video events: the video as the API shows
// it, without playback URLs (they expire; fetch the video to get fresh ones).
type VideoData struct {
	Video media.Video `json:"video"`
}

// TestData is the data of a webhook.test event.
type TestData struct {
	EndpointID string `json:"endpoint_id"`
	Message    string `json:"message"`
}

// payload is the body of delivery id.
func payload(id, event string, at time.Time, data any) ([]byte, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Event{ID: id, Type: event, CreatedAt: at.UTC(), Data: raw})
}
