package media

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// DefaultQuotaPeriod is the window a Quota counts over when none is set.
const DefaultQuotaPeriod = 30 * 24 * time.Hour

// Quota bounds the minutes of media one owner (a user, or a user-less API
// key) may have processed within a rolling period: the length of what was
// encoded, which is what processing costs (a sparse video is planned at its
// real frame rate and costs less, but counts its length; simple to explain).
type Quota struct {
	ProcessingMinutes float64       // 0 means no quota
	Period            time.Duration // 0 means DefaultQuotaPeriod
	// StorageBytes bounds what the owner's videos hold: their sources plus
	// their published media (0 means no quota). See CheckStorage.
	StorageBytes int64
}

// Window is the period the quota counts over.
func (q Quota) Window() time.Duration {
	if q.Period <= 0 {
		return DefaultQuotaPeriod
	}
	return q.Period
}

// Check returns an *InputError, with a sentence for the uploader, when
// processing seconds more would take the owner, who already had used
// seconds processed within the window, over the quota.
func (q Quota) Check(used, seconds float64) error {
	if q.ProcessingMinutes <= 0 || used+seconds <= q.ProcessingMinutes*60 {
		return nil
	}
	return &InputError{Later: true, Reason: fmt.Sprintf("Processing this video (%s) would exceed your quota: %s of %s of video processed in the last %s. "+
		"Try again when older videos leave that window, or ask an administrator for a larger quota.",
		minutes(seconds), minutes(used), minutes(q.ProcessingMinutes*60), period(q.Window()))}
}

// minutes formats seconds as minutes to a tenth.
func minutes(seconds float64) string {
	m := max(0, math.Round(seconds/6)/10)
	if m == 1 {
		return "1 minute"
	}
	return strconv.FormatFloat(m, 'f', -1, 64) + " minutes"
}

func period(d time.Duration) string {
	switch {
	case d == 24*time.Hour:
		return "day"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d == time.Hour:
		return "hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
