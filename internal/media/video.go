package media

import (
	"time"

	"github.com/kinema/kinema/internal/access"
)

// Status is the lifecycle state of a video as shown by the API.
type Status string

// Video statuses. They only move forward, except that a failed video may be
// requeued by an administrator.
const (
	StatusWaitingUpload Status = "waiting_upload"
	StatusQueued        Status = "queued"
	StatusProcessing    Status = "processing"
	StatusReady         Status = "ready"
	StatusFailed        Status = "failed"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusWaitingUpload, StatusQueued, StatusProcessing, StatusReady, StatusFailed:
		return true
	}
	return false
}

// Kind tells whether a source has pictures or is audio only.
type Kind string

// Media kinds, known once the source has been probed.
const (
	KindVideo Kind = "video"
	KindAudio Kind = "audio"
)

// Video is one uploaded item and everything the catalog knows about it.
type Video struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// OwnerID is the user (or user-less API key) that created the video.
	OwnerID    string            `json:"owner_id"`
	Visibility access.Visibility `json:"visibility"`
	// AllowedUsers and AllowedGroups may watch a restricted video.
	AllowedUsers  []string `json:"allowed_users"`
	AllowedGroups []string `json:"allowed_groups"`
	Status        Status   `json:"status"`
	Kind          Kind     `json:"kind,omitempty"`
	Progress      float64  `json:"progress"`
	Error         string   `json:"error,omitempty"`
	// Retryable, set on failed videos only, says whether running the same
	// source again may succeed: false when the file itself is at fault.
	Retryable  *bool       `json:"retryable,omitempty"`
	Duration   float64     `json:"duration"`
	Width      int         `json:"width"`
	Height     int         `json:"height"`
	SourceSize int64       `json:"source_size"`
	Renditions []Rendition `json:"renditions"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	// UploadedAt is when the source finished uploading.
	UploadedAt *time.Time `json:"uploaded_at,omitempty"`
	// ProcessingStartedAt is set when the first job starts; it drives the ETA.
	ProcessingStartedAt *time.Time `json:"processing_started_at,omitempty"`
	ReadyAt             *time.Time `json:"ready_at,omitempty"`
	// Description is free text shown under the player.
	Description string `json:"description"`
	// Tags are lower-case words the library search matches.
	Tags []string `json:"tags"`
	// EmbedDomains are the host names whose pages may embed the video
	// (a leading "*." admits subdomains); empty means any site.
	EmbedDomains []string `json:"embed_domains"`
	// Downloads is whether the owner offers downloads and where making
	// them stands; the API shows it its own way.
	Downloads DownloadState `json:"-"`
	// Poster is the published poster's file name under media/<id>/ when
	// the owner chose one; "" is the pipeline's poster.jpg.
	Poster string `json:"-"`
	// PlayableAt is when the video could first be played while still
	// processing (progressive playback); a ready video always plays.
	PlayableAt *time.Time `json:"playable_at,omitempty"`
}

// Playable reports whether the video can be played: it is ready, or it is
// processing and its manifests are published (PlayableAt).
func (v *Video) Playable() bool {
	return v.Status == StatusReady || v.Status == StatusProcessing && v.PlayableAt != nil
}

// DownloadState says whether a video offers downloads (an MP4 of its top
// rendition, an M4A of its audio) and whether they are made.
type DownloadState string

// Download states. Any state but DownloadsOff means the owner asked for
// them.
const (
	DownloadsOff     DownloadState = ""
	DownloadsPending DownloadState = "pending"
	DownloadsReady   DownloadState = "ready"
	DownloadsFailed  DownloadState = "failed"
)

// ETA estimates the seconds left for a processing video from the progress made
// since processing started. It returns false when no estimate is possible yet.
func (v *Video) ETA(now time.Time) (float64, bool) {
	if v.Status != StatusProcessing || v.ProcessingStartedAt == nil || v.Progress <= 0.02 {
		return 0, false
	}
	elapsed := now.Sub(*v.ProcessingStartedAt).Seconds()
	if elapsed <= 0 {
		return 0, false
	}
	left := elapsed / v.Progress * (1 - v.Progress)
	return left, true
}

// Resource is what the access rules need to know about the video.
func (v *Video) Resource() access.Resource {
	return access.Resource{OwnerID: v.OwnerID, Visibility: v.Visibility, AllowedUsers: v.AllowedUsers, AllowedGroups: v.AllowedGroups}
}
