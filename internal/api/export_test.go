package api

import "time"

// NewLoginLimiter lets the external tests give Server.LoginLimiter a
// limit of their own.
func NewLoginLimiter(every time.Duration, burst int) *ipLimiter { return newIPLimiter(every, burst) }
