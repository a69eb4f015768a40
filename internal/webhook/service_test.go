package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/webhook"
)

// bundle is a webhook service on a real SQLite catalog with a working
// River queue.
type bundle struct {
	cat *catalog.Catalog
	q   *queue.Queue
	svc *webhook.Service
}

func setup(t *testing.T, cfg webhook.Config) *bundle {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := catalog.OpenSQLite(filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, catalog.Migrate(ctx, db, "sqlite3"))
	require.NoError(t, queue.MigrateSQLite(ctx, db))
	cat := catalog.New(db, nil)
	if cfg.BackoffFunc == nil {
		cfg.BackoffFunc = func(int) time.Duration { return 10 * time.Millisecond }
	}
	svc := webhook.New(cat, cfg, log)
	workers := river.NewWorkers()
	svc.Register(workers)
	q, err := queue.NewSQLite(db, cat, workers, queue.Config{Concurrency: 2, PollInterval: 20 * time.Millisecond, Logger: log})
	require.NoError(t, err)
	svc.UseQueue(q)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, q.Stop(ctx))
	})
	return &bundle{cat: cat, q: q, svc: svc}
}

func (b *bundle) endpoint(t *testing.T, owner, url string, events ...string) catalog.WebhookEndpoint {
	t.Helper()
	ep, err := b.cat.CreateWebhookEndpoint(context.Background(), catalog.WebhookEndpoint{
		OwnerID: owner, URL: url, Secret: "whsec_" + owner + "-secret", Events: events})
	require.NoError(t, err)
	return ep
}

// emit enqueues event for v the way the pipeline does: in a transaction.
func (b *bundle) emit(t *testing.T, event string, v media.Video) {
	t.Helper()
	require.NoError(t, b.q.InTx(context.Background(), func(tx *queue.Tx) error {
		return b.svc.Enqueue(context.Background(), tx, event, v)
	}))
}

// settled waits until every delivery of ep has left pending and returns them.
func (b *bundle) settled(t *testing.T, ep catalog.WebhookEndpoint, n int) []catalog.WebhookDelivery {
	t.Helper()
	var ds []catalog.WebhookDelivery
	require.Eventually(t, func() bool {
		var err error
		ds, err = b.cat.WebhookDeliveries(context.Background(), ep.ID, 100)
		require.NoError(t, err)
		if len(ds) != n {
			return false
		}
		for _, d := range ds {
			if d.State == catalog.DeliveryPending {
				return false
			}
		}
		return true
	}, 20*time.Second, 20*time.Millisecond)
	return ds
}

// recorder is a receiver that answers from a script and keeps what it got.
type recorder struct {
	mu       sync.Mutex
	reqs     []*http.Request
	bodies   [][]byte
	statuses []int // answered in order; the last one repeats
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.reqs, rc.bodies = append(rc.reqs, r), append(rc.bodies, body)
	status := rc.statuses[min(len(rc.reqs), len(rc.statuses))-1]
	rc.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "receiver says "+secretLike)
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}

// secretLike is in every receiver response: it must not reach the log.
const secretLike = "response-body-must-not-be-stored"

func serve(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

var video = media.Video{ID: "vid123", Title: "Holiday", OwnerID: "usr_a", Status: media.StatusReady,
	Renditions: []media.Rendition{}, AllowedUsers: []string{}, AllowedGroups: []string{}}

// TestDeliver: an event reaches exactly the enabled, subscribed endpoints
// of the video's owner, signed, with its headers and the video as data.
func TestDeliver(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{AllowPrivate: true})
	rec := &recorder{statuses: []int{http.StatusNoContent}}
	srv := serve(t, rec)
	ep := b.endpoint(t, "usr_a", srv.URL+"/hook?x=1", webhook.EventVideoReady)
	unsubscribed := b.endpoint(t, "usr_a", srv.URL+"/other", webhook.EventVideoFailed)
	disabled := b.endpoint(t, "usr_a", srv.URL+"/disabled", webhook.EventVideoReady)
	require.NoError(t, b.cat.SetWebhookEndpointDisabled(context.Background(), disabled.ID, "*", true))
	stranger := b.endpoint(t, "usr_b", srv.URL+"/stranger", webhook.EventVideoReady)

	b.emit(t, webhook.EventVideoReady, video)
	ds := b.settled(t, ep, 1)
	d := ds[0]
	require.Equal(t, catalog.DeliveryDelivered, d.State)
	require.Equal(t, 1, d.Attempts)
	require.Equal(t, http.StatusNoContent, d.ResponseCode)
	require.Empty(t, d.LastError)
	require.NotNil(t, d.DeliveredAt)
	for _, other := range []catalog.WebhookEndpoint{unsubscribed, disabled, stranger} {
		none, err := b.cat.WebhookDeliveries(context.Background(), other.ID, 10)
		require.NoError(t, err)
		require.Empty(t, none)
	}

	require.Equal(t, 1, rec.count())
	r, body := rec.reqs[0], rec.bodies[0]
	require.Equal(t, "/hook", r.URL.Path)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, webhook.EventVideoReady, r.Header.Get(webhook.HeaderEvent))
	require.Equal(t, d.ID, r.Header.Get(webhook.HeaderDelivery))
	require.NoError(t, webhook.Verify(ep.Secret, r.Header.Get(webhook.HeaderSignature), body, time.Now(), 0))
	require.ErrorIs(t, webhook.Verify(stranger.Secret, r.Header.Get(webhook.HeaderSignature), body, time.Now(), 0), webhook.ErrBadSignature)
	require.JSONEq(t, string(d.Payload), string(body), "the log keeps the exact body")
	var ev struct {
		webhook.Event
		Data webhook.VideoData `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &ev))
	require.Equal(t, d.ID, ev.ID)
	require.Equal(t, webhook.EventVideoReady, ev.Type)
	require.WithinDuration(t, time.Now(), ev.CreatedAt, time.Minute)
	require.Equal(t, "vid123", ev.Data.Video.ID)
	require.Equal(t, media.StatusReady, ev.Data.Video.Status)
	require.NotContains(t, string(body), "whsec_", "the secret is never sent")

	// A test event goes to one endpoint whatever it subscribed to.
	td, err := b.svc.SendTest(context.Background(), unsubscribed)
	require.NoError(t, err)
	require.Equal(t, catalog.DeliveryPending, td.State)
	require.Equal(t, webhook.EventTest, td.Event)
	ds = b.settled(t, unsubscribed, 1)
	require.Equal(t, catalog.DeliveryDelivered, ds[0].State)
}

// TestEnqueueRollsBack: an event whose transaction rolls back does not exist.
func TestEnqueueRollsBack(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{AllowPrivate: true})
	rec := &recorder{statuses: []int{http.StatusOK}}
	ep := b.endpoint(t, "usr_a", serve(t, rec).URL, webhook.EventVideoReady)
	boom := errors.New("state change failed")
	err := b.q.InTx(context.Background(), func(tx *queue.Tx) error {
		require.NoError(t, b.svc.Enqueue(context.Background(), tx, webhook.EventVideoReady, video))
		return boom
	})
	require.ErrorIs(t, err, boom)
	b.emit(t, webhook.EventVideoReady, media.Video{ID: "ownerless"}) // no owner: no endpoints
	time.Sleep(300 * time.Millisecond)
	ds, err := b.cat.WebhookDeliveries(context.Background(), ep.ID, 10)
	require.NoError(t, err)
	require.Empty(t, ds)
	require.Zero(t, rec.count())
}

// TestRetryUntilDelivered: failures are retried with backoff under the same
// delivery id until the endpoint accepts.
func TestRetryUntilDelivered(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{AllowPrivate: true, MaxAttempts: 5})
	rec := &recorder{statuses: []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusOK}}
	ep := b.endpoint(t, "usr_a", serve(t, rec).URL, webhook.EventVideoReady)
	b.emit(t, webhook.EventVideoReady, video)
	d := b.settled(t, ep, 1)[0]
	require.Equal(t, catalog.DeliveryDelivered, d.State)
	require.Equal(t, 3, d.Attempts)
	require.Equal(t, http.StatusOK, d.ResponseCode)
	require.Equal(t, 3, rec.count())
	for i, r := range rec.reqs {
		require.Equal(t, d.ID, r.Header.Get(webhook.HeaderDelivery), "retries keep the delivery id")
		require.NoError(t, webhook.Verify(ep.Secret, r.Header.Get(webhook.HeaderSignature), rec.bodies[i], time.Now(), 0))
	}
}

// TestFinalFailure: after the last attempt the delivery is failed, with the
// last status and a short error that holds neither the secret nor the
// receiver's response body.
func TestFinalFailure(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{AllowPrivate: true, MaxAttempts: 3})
	rec := &recorder{statuses: []int{http.StatusServiceUnavailable}}
	ep := b.endpoint(t, "usr_a", serve(t, rec).URL, webhook.EventVideoFailed)
	b.emit(t, webhook.EventVideoFailed, video)
	d := b.settled(t, ep, 1)[0]
	require.Equal(t, catalog.DeliveryFailed, d.State)
	require.Equal(t, 3, d.Attempts)
	require.Equal(t, http.StatusServiceUnavailable, d.ResponseCode)
	require.Equal(t, "HTTP 503 Service Unavailable", d.LastError)
	require.Nil(t, d.DeliveredAt)
	time.Sleep(200 * time.Millisecond)
	require.Equal(t, 3, rec.count(), "no attempt after the last")
}

// TestTimeoutAndRedirect: a slow endpoint times out; a redirect is not
// followed.
func TestTimeoutAndRedirect(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{AllowPrivate: true, MaxAttempts: 1, Timeout: 200 * time.Millisecond})
	slow := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	target := &recorder{statuses: []int{http.StatusOK}}
	redirect := serve(t, http.RedirectHandler(serve(t, target).URL, http.StatusFound))
	slowEp := b.endpoint(t, "usr_a", slow.URL, webhook.EventVideoReady)
	redirEp := b.endpoint(t, "usr_a", redirect.URL, webhook.EventVideoReady)
	b.emit(t, webhook.EventVideoReady, video)

	d := b.settled(t, slowEp, 1)[0]
	require.Equal(t, catalog.DeliveryFailed, d.State)
	require.Equal(t, "timed out", d.LastError)
	require.Zero(t, d.ResponseCode)
	d = b.settled(t, redirEp, 1)[0]
	require.Equal(t, catalog.DeliveryFailed, d.State)
	require.Equal(t, http.StatusFound, d.ResponseCode)
	require.Contains(t, d.LastError, "redirects are not followed")
	require.Zero(t, target.count())
}

// TestSSRFRefused: without AllowPrivate, deliveries never connect to
// loopback, whether the URL names the address or a host name resolving to
// it (checked when dialing, so DNS rebinding cannot get around it). The
// delivery fails at once and its log does not reveal the address.
func TestSSRFRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{MaxAttempts: 5})
	rec := &recorder{statuses: []int{http.StatusOK}}
	srv := serve(t, rec)
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	// Stored directly: the API refuses such URLs at creation already.
	literal := b.endpoint(t, "usr_a", srv.URL, webhook.EventVideoReady)
	named := b.endpoint(t, "usr_a", "http://localhost:"+port+"/hook", webhook.EventVideoReady)
	b.emit(t, webhook.EventVideoReady, video)
	for _, ep := range []catalog.WebhookEndpoint{literal, named} {
		d := b.settled(t, ep, 1)[0]
		require.Equal(t, catalog.DeliveryFailed, d.State, ep.URL)
		require.Equal(t, 1, d.Attempts, "no retries: the policy will not change")
		require.Zero(t, d.ResponseCode)
		require.Contains(t, d.LastError, "does not resolve to a public address")
		require.NotContains(t, d.LastError, "127.0.0.1")
		require.NotContains(t, d.LastError, "::1")
	}
	require.Zero(t, rec.count(), "the receiver was never reached")
}

// TestDeletedEndpoint: deliveries queued for a deleted endpoint end quietly.
func TestDeletedEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t, webhook.Config{AllowPrivate: true})
	rec := &recorder{statuses: []int{http.StatusOK}}
	ep := b.endpoint(t, "usr_a", serve(t, rec).URL, webhook.EventVideoReady)
	require.NoError(t, b.q.InTx(context.Background(), func(tx *queue.Tx) error {
		if err := b.svc.Enqueue(context.Background(), tx, webhook.EventVideoReady, video); err != nil {
			return err
		}
		return tx.Catalog.DeleteWebhookEndpoint(context.Background(), ep.ID, "usr_a")
	}))
	time.Sleep(300 * time.Millisecond)
	require.Zero(t, rec.count())
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url          string
		strict, open bool // accepted without / with AllowPrivate
	}{
		{"https://hooks.example.com/kinema?token=abc", true, true},
		{"http://example.com:8080/", true, true},
		{"https://93.184.215.14/hook", true, true},
		{"ftp://example.com/", false, false},
		{"javascript:alert(1)", false, false},
		{"/relative", false, false},
		{"https://", false, false},
		{"https://user:pass@example.com/", false, false},
		{"https://user@example.com/", false, false},
		{"https://example.com/" + strings.Repeat("a", webhook.MaxURLLength), false, false},
		{"", false, false},
		{"http://127.0.0.1:9000/", false, true},
		{"http://localhost/", false, true},
		{"http://LOCALHOST./", false, true},
		{"http://api.localhost/", false, true},
		{"http://10.1.2.3/", false, true},
		{"http://192.168.1.1/", false, true},
		{"http://169.254.169.254/latest/meta-data/", false, true},
		{"http://[::1]/", false, true},
		{"http://[::ffff:127.0.0.1]/", false, true},
		{"http://[fd00::1]/", false, true},
		{"http://0.0.0.0/", false, true},
		{"http://100.64.0.1/", false, true},
	}
	for _, tc := range cases {
		err := webhook.CheckURL(tc.url, false)
		require.Equal(t, tc.strict, err == nil, "strict %q: %v", tc.url, err)
		if err != nil {
			var in *media.InputError
			require.ErrorAs(t, err, &in)
		}
		err = webhook.CheckURL(tc.url, true)
		require.Equal(t, tc.open, err == nil, "open %q: %v", tc.url, err)
	}
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for addr, public := range map[string]bool{
		"93.184.215.14": true, "8.8.8.8": true, "2606:4700:4700::1111": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.0.0.1": false, "172.16.5.4": false,
		"192.168.0.1": false, "169.254.169.254": false, "fe80::1": false, "fd12::1": false, "0.0.0.0": false,
		"::": false, "224.0.0.1": false, "ff02::1": false, "255.255.255.255": false, "100.100.100.100": false,
		"::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true, "64:ff9b::a00:1": false, "2002:a00:1::": false,
		"198.18.0.1": false,
	} {
		require.Equal(t, public, webhook.PublicAddr(netip.MustParseAddr(addr)), addr)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	prev := time.Duration(0)
	for n := 1; n <= 10; n++ {
		d := webhook.Backoff(n)
		require.Greater(t, d, prev*8/10, "attempt %d", n)
		require.LessOrEqual(t, d, 6*time.Hour+6*time.Hour/10)
		prev = d
	}
	require.InDelta(t, float64(10*time.Second), float64(webhook.Backoff(1)), float64(time.Second)+1)
}
