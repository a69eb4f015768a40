package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/upload"
)

// Server holds what the handlers need. Function fields are the few actions
// that cross into other components; cmd/kinema wires them.
type Server struct {
	Catalog *catalog.Catalog
	Uploads *upload.Service
	Log     *slog.Logger
	Now     func() time.Time

	// PublicURL, when set, is the origin put into signed URLs; otherwise the
	// request's own scheme and host are used, and only hosts that can only
	// name this machine are accepted (see knownHost).
	PublicURL string
	// SpoolDir holds request bodies kept on disk while they are checked
	// (added audio tracks): the data directory's scratch space, not the
	// system's temporary directory, which is often a small tmpfs. "" means
	// os.TempDir.
	SpoolDir string
	// PlaybackFunc signs playback URLs for a ready video, issued at
	// issuedAt (see readNow). client, when valid, binds the URLs to that
	// address. userID, when set, is the signed-in user they are issued to,
	// so they stop working when that user loses access; "" for anonymous
	// callers and API keys of no user.
	PlaybackFunc func(base string, client netip.Addr, userID string, v media.Video, issuedAt time.Time) (delivery.Playback, error)
	// TextChangedFunc republishes a ready video's captions and chapters
	// after a change (nil: nothing is republished).
	TextChangedFunc func(ctx context.Context, videoID string) error
	// RetryFunc requeues a failed video.
	RetryFunc func(ctx context.Context, id string) error
	// JobsFunc lists pipeline jobs.
	JobsFunc JobsFunc
	// Admin serves the admin dashboard's queue and storage figures.
	Admin   AdminFuncs
	storage storageCache
	// DownloadsFunc turns a video's downloads on or off and returns it.
	DownloadsFunc func(ctx context.Context, id string, on bool) (media.Video, error)
	// AddAudioFunc checks an audio file (a local path) for a ready video,
	// stores it and queues its encode as one more audio track (#14).
	AddAudioFunc func(ctx context.Context, videoID, language, name, file string) (media.AudioUpload, error)
	// DeleteAudioFunc removes an added audio track.
	DeleteAudioFunc func(ctx context.Context, videoID, id string) error
	// Posters makes and publishes chosen posters; nil refuses changes.
	Posters Posters
	// OpenOriginalFunc opens an uploaded source, for its owner's download.
	OpenOriginalFunc OpenOriginalFunc
	// DeleteMediaFunc removes a video's stored objects.
	DeleteMediaFunc func(ctx context.Context, id string) error
	// PlaybackCookiesFunc returns the cookies that let a browser play a
	// ready video from plain URLs, and those URLs; the arguments are as for
	// PlaybackFunc.
	PlaybackCookiesFunc func(base string, client netip.Addr, userID string, v media.Video, issuedAt time.Time) ([]*http.Cookie, delivery.Playback, error)
	// PrefixCookieFunc returns cookies granting every file under a /media/
	// path prefix, issued at issuedAt to userID (as for PlaybackFunc), and
	// when they expire.
	PrefixCookieFunc func(base, prefix string, client netip.Addr, userID string, issuedAt time.Time) ([]*http.Cookie, time.Time, error)
	// PlaybackClientFunc, when set, returns the address playback is bound
	// to (the caller's); nil issues unbound URLs and cookies.
	PlaybackClientFunc func(r *http.Request) netip.Addr
	// ClientIPFunc returns the caller's address (through trusted proxies)
	// for rate limits; nil means the connection's address.
	ClientIPFunc func(r *http.Request) netip.Addr

	// SessionTTL is how long an idle browser session lasts (default 14 days).
	SessionTTL time.Duration
	// DefaultSignup is the sign-up mode until an admin sets one (default closed).
	DefaultSignup string
	// Webhooks queues test events and checks endpoint URLs; nil refuses
	// test events and applies the strict URL policy.
	Webhooks Webhooks

	// LocalAddrsFunc lists this machine's addresses, which may name it in
	// signed URLs when PublicURL is empty; nil asks the interfaces.
	LocalAddrsFunc func() []netip.Addr

	// LoginLimiter bounds sign-in attempts per address; nil means the default.
	LoginLimiter *ipLimiter
	limiterOnce  sync.Once
	// BeaconLimiter bounds playback-event beacons per address; nil means
	// the default (see beaconLimiter).
	BeaconLimiter *ipLimiter
	beaconOnce    sync.Once
	// lookupLimiter bounds whole-email lookups in user suggestions per
	// caller (see suggestUsers).
	lookupLimiter *ipLimiter
	lookupOnce    sync.Once
}

// Register mounts the API routes on mux.
func (s *Server) Register(mux *http.ServeMux) {
	const read, upload, admin = access.ScopeRead, access.ScopeUpload, access.ScopeAdmin
	// Anonymous callers see public videos and get playback for unlisted ones.
	mux.Handle("GET /api/v1/videos", s.guard("", s.listVideos))
	mux.Handle("GET /api/v1/videos/{id}", s.guard("", s.getVideo))
	mux.Handle("POST /api/v1/videos/{id}/playback-cookie", s.guard("", s.playbackCookie))
	mux.Handle("POST /api/v1/playback-cookie", s.guard(admin, s.prefixCookie))
	mux.Handle("POST /api/v1/videos", s.guard(upload, s.createVideo))
	mux.Handle("PATCH /api/v1/videos/{id}", s.guard(upload, s.updateVideo))
	mux.Handle("DELETE /api/v1/videos/{id}", s.guard(upload, s.deleteVideo))
	mux.Handle("POST /api/v1/videos/{id}/retry", s.guard(upload, s.retryVideo))
	mux.Handle("PUT /api/v1/videos/{id}/downloads", s.guard(upload, s.putDownloads))
	mux.Handle("GET /api/v1/videos/{id}/original", s.guard(upload, s.getOriginal))
	mux.Handle("GET /api/v1/videos/{id}/audio", s.guard("", s.listAudio))
	mux.Handle("POST /api/v1/videos/{id}/audio", s.guard(upload, s.addAudio))
	mux.Handle("DELETE /api/v1/videos/{id}/audio/{track}", s.guard(upload, s.deleteAudio))
	mux.Handle("GET /api/v1/videos/{id}/poster", s.guard("", s.getPoster))
	mux.Handle("PUT /api/v1/videos/{id}/poster", s.guard(upload, s.putPoster))
	mux.Handle("DELETE /api/v1/videos/{id}/poster", s.guard(upload, s.deletePoster))
	mux.Handle("GET /api/v1/jobs", s.guard(admin, s.listJobs))
	mux.Handle("GET /api/v1/jobs/overview", s.guard(admin, s.jobsOverview))
	mux.Handle("POST /api/v1/jobs/{id}/retry", s.guard(admin, s.retryJob))
	mux.Handle("GET /api/v1/admin/storage", s.guard(admin, s.adminStorage))
	mux.Handle("GET /api/v1/admin/throughput", s.guard(admin, s.adminThroughput))
	mux.Handle("GET /oembed", s.public(s.oembed))
	mux.Handle("POST /api/v1/playback-events", s.public(s.playbackEvents))
	mux.Handle("GET /api/v1/videos/{id}/analytics", s.guard(upload, s.videoAnalytics))
	mux.Handle("GET /api/v1/analytics", s.guard(admin, s.allAnalytics))
	mux.Handle("GET /api/v1/videos/{id}/captions", s.guard("", s.listCaptions))
	mux.Handle("POST /api/v1/videos/{id}/captions", s.guard(upload, s.addCaption))
	mux.Handle("DELETE /api/v1/videos/{id}/captions/{track}", s.guard(upload, s.deleteCaption))
	mux.Handle("GET /api/v1/videos/{id}/chapters", s.guard("", s.getChapters))
	mux.Handle("PUT /api/v1/videos/{id}/chapters", s.guard(upload, s.putChapters))

	mux.Handle("GET /api/v1/auth/setup", s.public(s.setupInfo))
	mux.Handle("POST /api/v1/auth/signup", s.public(s.signup))
	mux.Handle("POST /api/v1/auth/login", s.public(s.login))
	mux.Handle("POST /api/v1/auth/logout", s.public(s.logout))
	mux.Handle("GET /api/v1/auth/session", s.guard(read, s.session))
	mux.Handle("POST /api/v1/auth/password", s.guard(read, s.changePassword))

	mux.Handle("GET /api/v1/keys", s.guard(read, s.listKeys))
	mux.Handle("POST /api/v1/keys", s.guard(read, s.keyManager(s.createKey)))
	mux.Handle("DELETE /api/v1/keys/{id}", s.guard(read, s.keyManager(s.revokeKey)))

	mux.Handle("GET /api/v1/webhooks", s.guard(upload, s.listWebhooks))
	mux.Handle("POST /api/v1/webhooks", s.guard(upload, s.createWebhook))
	mux.Handle("DELETE /api/v1/webhooks/{id}", s.guard(upload, s.deleteWebhook))
	mux.Handle("GET /api/v1/webhooks/{id}/deliveries", s.guard(upload, s.listWebhookDeliveries))
	mux.Handle("POST /api/v1/webhooks/{id}/test", s.guard(upload, s.testWebhook))

	mux.Handle("GET /api/v1/users", s.guard(admin, s.listUsers))
	mux.Handle("GET /api/v1/users/suggest", s.guard(upload, s.suggestUsers))
	mux.Handle("POST /api/v1/users", s.guard(admin, s.createUser))
	mux.Handle("GET /api/v1/users/{id}", s.guard(admin, s.getUser))
	mux.Handle("PATCH /api/v1/users/{id}", s.guard(admin, s.updateUser))
	mux.Handle("DELETE /api/v1/users/{id}", s.guard(admin, s.deleteUser))
	mux.Handle("POST /api/v1/invites", s.guard(admin, s.createInvite))
	mux.Handle("GET /api/v1/settings", s.guard(admin, s.getSettings))
	mux.Handle("PUT /api/v1/settings", s.guard(admin, s.putSettings))
	mux.Handle("GET "+OpenAPIPath, OpenAPIHandler())
}

// baseURL is the origin clients reach us on.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimSuffix(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// playbackClient is the address to bind playback to, if binding is on.
func (s *Server) playbackClient(r *http.Request) netip.Addr {
	if s.PlaybackClientFunc == nil {
		return netip.Addr{}
	}
	return s.PlaybackClientFunc(r)
}
