package media

import "time"

// LiveStatus is where a live stream is in its one broadcast.
type LiveStatus string

// Live stream statuses. A stream carries one broadcast: idle until the
// first publish, live while publishing (including the reconnect grace
// period), ended for good afterwards.
const (
	LiveIdle  LiveStatus = "idle"
	LiveLive  LiveStatus = "live"
	LiveEnded LiveStatus = "ended"
)

// LiveStream is one live stream: what the catalog keeps and the API shows.
type LiveStream struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	OwnerID   string     `json:"owner_id"`
	Status    LiveStatus `json:"status"`
	StreamKey string     `json:"stream_key"`
	// Passphrase, when set, encrypts SRT publishing (AES); the publisher
	// must send the same passphrase. RTMP has no encryption of its own.
	Passphrase string    `json:"srt_passphrase,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	// Connected is true while a publisher is attached; a live stream that
	// is not connected is in its reconnect grace period.
	Connected bool `json:"connected"`
	// Renditions lists the ladder once the input has been probed.
	Renditions []Rendition `json:"renditions,omitempty"`
	// VideoID is the recording's video, set once the recording was handed
	// over at the end.
	VideoID string `json:"video_id"`
	// Error says why a broadcast ended abnormally, for the streamer.
	Error string `json:"error,omitempty"`
	// Node names the server process group (host and live directory) that
	// runs the broadcast; it recovers the broadcast after a restart.
	Node string `json:"-"`
	// Health is the input's state while live, refreshed every few seconds
	// by the ingest node.
	Health *LiveHealth `json:"health,omitempty"`
	// EndRequested asks the ingest node to end the broadcast now.
	EndRequested bool `json:"-"`
	// Restream is an unused column of migration 00009; destinations are
	// LiveRestream rows (migration 00016). Kept so old rows still load.
	Restream []string `json:"-"`
}

// LiveHealth is what the ingest node measures of a broadcast.
type LiveHealth struct {
	// InputBitrate is bits per second received over the last few seconds.
	InputBitrate int64 `json:"input_bitrate"`
	// FPS is the frame rate the transcoder reads the input at.
	FPS float64 `json:"fps"`
	// DroppedFrames counts frames the transcoder dropped or duplicated to
	// keep the output rate.
	DroppedFrames int64 `json:"dropped_frames"`
	// Lag is how far the transcoder is behind the input, in seconds.
	Lag float64 `json:"lag"`
	// Viewers counts distinct playback tokens that fetched a segment in
	// the last 30 s on the node that measured.
	Viewers   int       `json:"viewers"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RestreamStatus is where a restream destination is while its stream is
// broadcast.
type RestreamStatus string

// Restream statuses: idle while the stream is not broadcasting,
// connecting while the ingest node opens the destination (also between
// retries), live while media flows to it, error after a failed attempt
// (Error says why; another attempt follows after a backoff).
const (
	RestreamIdle       RestreamStatus = "idle"
	RestreamConnecting RestreamStatus = "connecting"
	RestreamLive       RestreamStatus = "live"
	RestreamError      RestreamStatus = "error"
)

// LiveRestream is one RTMP destination (YouTube, Twitch, another server) a
// live stream is forwarded to, as ingested (no second encode).
type LiveRestream struct {
	ID       string `json:"id"`
	StreamID string `json:"stream_id"`
	Name     string `json:"name"`
	// URL is the destination with its stream key: a secret, never shown
	// again after creation (the API answers a masked form) and never logged.
	URL       string         `json:"-"`
	Status    RestreamStatus `json:"status"`
	Error     string         `json:"error,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at,omitzero"`
}
