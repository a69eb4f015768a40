package pipeline

import (
	"fmt"

	"github.com/riverqueue/river"
)

// Job kinds are stable names stored in the queue; renaming one orphans queued jobs.
const (
	KindProbe      = "probe"
	KindChunk      = "encode_chunk"
	KindAudio      = "encode_audio"
	KindThumbnails = "thumbnails"
	KindPackage    = "package"
	KindPublish    = "publish"
	KindPreview    = "preview_segment"
)

// Ref names one pipeline run of a video. Jobs of an older run (after a retry)
// find their run stale and do nothing.
type Ref struct {
	VideoID string `json:"video_id"`
	Run     int    `json:"run"`
}

// ProbeArgs starts a run: probe the source, plan, fan out.
type ProbeArgs struct{ Ref }

// ChunkArgs encodes one chunk of the timeline into every video rendition.
type ChunkArgs struct {
	Ref
	Index int `json:"index"`
	// FirstPass, for the first chunk, is the store key of its first pass's
	// encode, made by the probe job (firstpass.go).
	FirstPass string `json:"first_pass,omitempty"`
}

// PreviewArgs encodes one segment of one video rendition ahead of its
// chunk, for a viewer waiting for it (preview.go).
type PreviewArgs struct {
	Ref
	Segment   int    `json:"segment"`
	Rendition string `json:"rendition"`
}

// AudioArgs encodes and segments the whole audio track once per rendition.
type AudioArgs struct {
	Ref
	// FirstSegments, when set, is the store prefix of the init and first
	// segment of every rendition, encoded by the probe job (firstpass.go).
	FirstSegments string `json:"first_segments,omitempty"`
}

// ThumbnailsArgs makes the poster and the storyboard.
type ThumbnailsArgs struct{ Ref }

// PackageArgs joins the chunks, writes CMAF segments and both manifests.
type PackageArgs struct{ Ref }

// PublishArgs marks the video ready and removes work files.
type PublishArgs struct{ Ref }

func (ProbeArgs) Kind() string      { return KindProbe }
func (ChunkArgs) Kind() string      { return KindChunk }
func (AudioArgs) Kind() string      { return KindAudio }
func (ThumbnailsArgs) Kind() string { return KindThumbnails }
func (PackageArgs) Kind() string    { return KindPackage }
func (PublishArgs) Kind() string    { return KindPublish }
func (PreviewArgs) Kind() string    { return KindPreview }

// insertOpts: a few attempts with River's backoff, and unique by args so a
// fan-in that somehow runs twice cannot enqueue a step twice.
func insertOpts(maxAttempts int) *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func chunkStep(i int) string { return fmt.Sprintf("chunk-%d", i) }

// Step names as shown in the catalog.
const (
	stepProbe      = "probe"
	stepAudio      = "audio"
	stepThumbnails = "thumbnails"
	stepPackage    = "package"
	stepPublish    = "publish"
)
