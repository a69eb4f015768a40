package api

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kinema/kinema/internal/clientip"
)

// ipLimiter bounds sign-in and sign-up attempts per client address, on top
// of the per-(email, address) lockout: it slows password spraying across
// accounts.
type ipLimiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func newIPLimiter(every time.Duration, burst int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes one attempt for ip and returns 0, or how long to wait.
func (l *ipLimiter) allow(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Full buckets carry no state; drop them now and then so the map
	// stays as small as the set of recent clients.
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[ip]
	if !ok {
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[ip] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// loginLimiter allows a burst of 10 attempts per address, then one every
// 6 seconds.
func (s *Server) loginLimiter() *ipLimiter {
	s.limiterOnce.Do(func() {
		if s.LoginLimiter == nil {
			s.LoginLimiter = newIPLimiter(6*time.Second, 10)
		}
	})
	return s.LoginLimiter
}

// clientKey is what attempts are counted by: the client's address (through
// trusted proxies, see Server.ClientIPFunc), or its /64 for IPv6.
func (s *Server) clientKey(r *http.Request) string {
	f := s.ClientIPFunc
	if f == nil {
		f = clientip.Resolver{}.IP
	}
	return clientip.Bucket(f(r))
}
