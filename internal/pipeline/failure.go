package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
)

// failureReason is the sentence an uploader sees (videos.error) when a job
// fails for good. It names the kind of failure, never the error's text:
// errors carry scratch paths, object keys and SDK details that are for
// operators, and outcome logs them in full with the video id.
func failureReason(step string, attempts int, err error) string {
	switch {
	case diskFull(err):
		return fmt.Sprintf("Processing failed while running %s: the server ran out of disk space. Retry the video once space is freed.", step)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("Processing failed while running %s: it took longer than the server allows. Retry the video; if it fails again, an administrator can find the details in the server's log.", step)
	case dbTransient(err):
		return fmt.Sprintf("Processing failed while running %s: the database could not be reached for over %d minutes. Retry the video once the server is healthy.",
			step, int(transientBudget.Minutes()))
	case storage.IsTransient(err):
		return fmt.Sprintf("Processing failed while running %s: the storage could not be reached for over %d minutes. Retry the video once the server is healthy.",
			step, int(transientBudget.Minutes()))
	}
	var exit *ffmpeg.ExitError
	if errors.As(err, &exit) && exit.Hint != "" { // fixed sentences (ffmpeg.knownHints)
		return fmt.Sprintf("Processing failed while running %s: %s Retry the video, or ask an administrator if it fails again.", step, exit.Hint)
	}
	return fmt.Sprintf("Processing failed while running %s after %d attempts because of an internal error; it has been logged. Retry the video, or ask an administrator if it fails again.",
		step, attempts)
}
