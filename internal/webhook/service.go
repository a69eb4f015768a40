package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/queue"
)

// KindDeliver is the job kind of one delivery; stored in the queue, so it
// must not be renamed.
const KindDeliver = "webhook_deliver"

// DeliverArgs names the delivery a job sends.
type DeliverArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return KindDeliver }

// Config tunes deliveries. Zero values take the defaults.
type Config struct {
	// AllowPrivate lets deliveries reach loopback, private and link-local
	// addresses (config.Config.WebhookAllowPrivate).
	AllowPrivate bool
	// MaxAttempts per delivery before it is marked failed; default 8.
	MaxAttempts int
	// Timeout of one attempt, connection to last response byte; default 10 s.
	Timeout time.Duration
	// BackoffFunc is the wait after failed attempt n (1-based) before the
	// next; default Backoff. Tests make it tiny.
	BackoffFunc func(attempt int) time.Duration
	// Now is the clock of payloads and signatures; default time.Now.
	Now func() time.Time
}

// Service enqueues events and delivers them.
type Service struct {
	cat    *catalog.Catalog
	queue  *queue.Queue // set by UseQueue: River needs the workers first
	cfg    Config
	client *http.Client
	log    *slog.Logger
}

// New returns a Service; call Register to attach its worker to River and
// UseQueue once the queue exists.
func New(cat *catalog.Catalog, cfg Config, log *slog.Logger) *Service {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.BackoffFunc == nil {
		cfg.BackoffFunc = Backoff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cat: cat, cfg: cfg, client: newClient(cfg.Timeout, cfg.AllowPrivate), log: log}
}

// Register adds the delivery worker.
func (s *Service) Register(w *river.Workers) {
	river.AddWorker(w, &deliverWorker{s: s})
}

// UseQueue connects the service to the queue its worker was registered on.
func (s *Service) UseQueue(q *queue.Queue) { s.queue = q }

// CheckURL validates an endpoint URL under the service's address policy.
func (s *Service) CheckURL(raw string) error { return CheckURL(raw, s.cfg.AllowPrivate) }

// Backoff is the default wait after failed attempt n: 10 s, 40 s, 2m40s,
// 10m40s, 42m40s, 2h50m, then 6 h, each ±10% so endpoints that failed
// together are not retried in lockstep. With 8 attempts a delivery is
// given up about 10 hours after the first.
func Backoff(attempt int) time.Duration {
	d := 6 * time.Hour
	if attempt >= 1 && attempt <= 7 {
		d = min(d, 10*time.Second<<(2*(attempt-1)))
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

// Enqueue records event about v for every enabled endpoint of v's owner
// subscribed to it, and inserts their delivery jobs, all in tx: the event
// exists exactly when the caller's state change commits.
func (s *Service) Enqueue(ctx context.Context, tx *queue.Tx, event string, v media.Video) error {
	if v.OwnerID == "" {
		return nil
	}
	eps, err := tx.Catalog.SubscribedWebhookEndpoints(ctx, v.OwnerID, event)
	if err != nil || len(eps) == 0 {
		return err
	}
	jobs := make([]river.InsertManyParams, 0, len(eps))
	for _, ep := range eps {
		p, err := s.record(ctx, tx, ep, event, VideoData{Video: v})
		if err != nil {
			return err
		}
		jobs = append(jobs, p)
	}
	return tx.Insert(ctx, jobs...)
}

// SendTest queues a webhook.test event to ep, whatever it subscribed to.
func (s *Service) SendTest(ctx context.Context, ep catalog.WebhookEndpoint) (catalog.WebhookDelivery, error) {
	var d catalog.WebhookDelivery
	err := s.queue.InTx(ctx, func(tx *queue.Tx) error {
		p, err := s.record(ctx, tx, ep, EventTest, TestData{EndpointID: ep.ID, Message: "This is a test event from kinema."})
		if err != nil {
			return err
		}
		if err := tx.Insert(ctx, p); err != nil {
			return err
		}
		d, err = tx.Catalog.WebhookDelivery(ctx, p.Args.(DeliverArgs).DeliveryID)
		return err
	})
	return d, err
}

// record stores a pending delivery and returns its job.
func (s *Service) record(ctx context.Context, tx *queue.Tx, ep catalog.WebhookEndpoint, event string, data any) (river.InsertManyParams, error) {
	id := catalog.NewWebhookDeliveryID()
	body, err := payload(id, event, s.cfg.Now(), data)
	if err != nil {
		return river.InsertManyParams{}, fmt.Errorf("webhook payload: %w", err)
	}
	if _, err := tx.Catalog.CreateWebhookDelivery(ctx, id, ep.ID, event, body); err != nil {
		return river.InsertManyParams{}, err
	}
	return river.InsertManyParams{Args: DeliverArgs{DeliveryID: id}, InsertOpts: &river.InsertOpts{MaxAttempts: s.cfg.MaxAttempts, Queue: queue.QueueWebhooks}}, nil
}

// deliverWorker posts one delivery per job; River retries it on error with
// the service's backoff.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.s.deliver(ctx, job)
}

// NextRetry uses real time: River compares it with its own clock.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(max(w.s.cfg.BackoffFunc(job.Attempt), time.Millisecond))
}

// Timeout leaves room around the HTTP timeout for the catalog updates.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.s.cfg.Timeout + 30*time.Second
}

// maxLastError bounds the error kept in the delivery log.
const maxLastError = 300

// deliver sends a delivery once and records the outcome. A 2xx answer
// delivers it; anything else is an error, so River tries again later, until
// the last attempt marks it failed. A refused (internal) address fails at
// once: retrying cannot change the policy.
//
// River's job attempt decides when to give up; the delivery's own attempt
// count excludes runs interrupted by shutdown.
func (s *Service) deliver(ctx context.Context, job *river.Job[DeliverArgs]) error {
	d, err := s.cat.WebhookDelivery(ctx, job.Args.DeliveryID)
	if errors.Is(err, media.ErrNotFound) {
		return nil // its endpoint was deleted, and the log with it
	}
	if err != nil {
		return err
	}
	if d.State != catalog.DeliveryPending {
		return nil // done already: a job that ran twice
	}
	ep, err := s.cat.WebhookEndpoint(ctx, d.EndpointID, "*")
	if errors.Is(err, media.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	up := catalog.WebhookDeliveryUpdate{State: catalog.DeliveryFailed, Attempts: d.Attempts}
	if ep.Disabled {
		up.LastError = "not sent: the endpoint is disabled"
		return s.cat.UpdateWebhookDelivery(ctx, d.ID, up)
	}

	code, sendErr := s.post(ctx, ep, d)
	if sendErr != nil && errors.Is(ctx.Err(), context.Canceled) {
		return river.JobSnooze(time.Second) // shutdown: not an attempt
	}
	up.Attempts, up.ResponseCode = d.Attempts+1, code
	switch {
	case sendErr == nil:
		up.State = catalog.DeliveryDelivered
	case permanent(sendErr) || job.Attempt >= job.MaxAttempts:
		up.LastError = s.logText(sendErr, ep.Secret)
	default:
		up.State, up.LastError = catalog.DeliveryPending, s.logText(sendErr, ep.Secret)
	}
	// The job's own context may be nearly spent after a slow endpoint.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.cat.UpdateWebhookDelivery(rctx, d.ID, up); errors.Is(err, media.ErrNotFound) {
		return nil // the endpoint was deleted meanwhile
	} else if err != nil {
		return err
	}
	if permanent(sendErr) {
		return river.JobCancel(sendErr)
	}
	return sendErr
}

// errInvalidURL is a stored URL that is no longer acceptable.
var errInvalidURL = errors.New("webhook: invalid endpoint URL")

// permanent reports errors that retrying cannot fix.
func permanent(err error) bool {
	return errors.Is(err, ErrBlockedAddress) || errors.Is(err, errInvalidURL)
}

// statusError is a response that was not 2xx.
type statusError struct{ code int }

func (e statusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
	if e.code >= 300 && e.code < 400 {
		msg += " (redirects are not followed)"
	}
	return msg
}

// post sends d to ep and returns the response code (0 without a response).
func (s *Service) post(ctx context.Context, ep catalog.WebhookEndpoint, d catalog.WebhookDelivery) (int, error) {
	// Only the form is checked here; the address policy is enforced when
	// connecting, on the resolved address.
	if err := CheckURL(ep.URL, true); err != nil {
		return 0, errInvalidURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kinema-webhooks/1")
	req.Header.Set(HeaderSignature, Sign(ep.Secret, s.cfg.Now(), d.Payload))
	req.Header.Set(HeaderEvent, d.Event)
	req.Header.Set(HeaderDelivery, d.ID)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Drain a little so the connection can be reused; the body itself is
	// never stored (it could be anything the endpoint's host returns).
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, statusError{resp.StatusCode}
	}
	return resp.StatusCode, nil
}

// logText is err as the delivery log shows it: short, valid UTF-8, and
// never containing the endpoint's secret.
func (s *Service) logText(err error, secret string) string {
	var msg string
	var se statusError
	if errors.As(err, &se) {
		msg = se.Error()
	} else {
		msg = describe(err)
	}
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[secret]")
	}
	msg = strings.ToValidUTF8(msg, "?")
	if len(msg) > maxLastError {
		cut := maxLastError
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
