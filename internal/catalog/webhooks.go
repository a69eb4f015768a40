package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kinema/kinema/internal/media"
)

// WebhookEndpoint is a URL of an account that receives signed event
// notifications about the account's videos.
type WebhookEndpoint struct {
	ID string `json:"id"`
	// OwnerID receives the events of videos with this owner.
	OwnerID string `json:"owner_id"`
	URL     string `json:"url"`
	// Secret is the HMAC key. It is never marshalled: the API shows it once,
	// at creation, on purpose.
	Secret    string    `json:"-"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled"`
}

// Subscribed reports whether the endpoint is enabled and wants event.
func (e WebhookEndpoint) Subscribed(event string) bool {
	return !e.Disabled && slices.Contains(e.Events, event)
}

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event sent (or being sent) to one endpoint: the
// delivery log the API shows.
type WebhookDelivery struct {
	ID         string `json:"id"`
	EndpointID string `json:"endpoint_id"`
	Event      string `json:"event"`
	// Payload is the exact JSON body posted to the endpoint.
	Payload      json.RawMessage `json:"payload"`
	State        string          `json:"state"`
	Attempts     int             `json:"attempts"`
	ResponseCode int             `json:"response_code"`
	LastError    string          `json:"last_error"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	DeliveredAt  *time.Time      `json:"delivered_at,omitempty"`
}

const webhookEndpointColumns = `id, owner_id, url, secret, events, created_at, disabled`

type webhookEndpointRow struct {
	ID, OwnerID, URL, Secret, Events string
	CreatedAt                        int64
	Disabled                         bool
}

func (r *webhookEndpointRow) dest() []any {
	return []any{&r.ID, &r.OwnerID, &r.URL, &r.Secret, &r.Events, &r.CreatedAt, &r.Disabled}
}

func (r webhookEndpointRow) endpoint() WebhookEndpoint {
	events := []string{}
	for e := range strings.SplitSeq(r.Events, ",") {
		if e != "" {
			events = append(events, e)
		}
	}
	return WebhookEndpoint{ID: r.ID, OwnerID: r.OwnerID, URL: r.URL, Secret: r.Secret, Events: events,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), Disabled: r.Disabled}
}

// CreateWebhookEndpoint stores a new endpoint with ep's owner, URL, secret
// and events, and returns it with its id. Validating the URL and the event
// names is the caller's job.
func (c *Catalog) CreateWebhookEndpoint(ctx context.Context, ep WebhookEndpoint) (WebhookEndpoint, error) {
	id := "whe_" + randomHex(8)
	_, err := c.exec(ctx, `INSERT INTO webhook_endpoints (id, owner_id, url, secret, events, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, ep.OwnerID, ep.URL, ep.Secret, strings.Join(ep.Events, ","), c.millis(), ep.Disabled)
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("create webhook endpoint: %w", err)
	}
	return c.WebhookEndpoint(ctx, id, "*")
}

// WebhookEndpoint returns endpoint id if it belongs to ownerID ("*" for any
// owner). Someone else's endpoint is media.ErrNotFound, like one that does
// not exist.
func (c *Catalog) WebhookEndpoint(ctx context.Context, id, ownerID string) (WebhookEndpoint, error) {
	q, args := `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints WHERE id = ?`, []any{id}
	if ownerID != "*" {
		q, args = q+` AND owner_id = ?`, append(args, ownerID)
	}
	var r webhookEndpointRow
	err := c.queryRow(ctx, q, args, r.dest()...)
	if isNoRows(err) {
		return WebhookEndpoint{}, fmt.Errorf("webhook endpoint %s: %w", id, media.ErrNotFound)
	}
	return r.endpoint(), err
}

// WebhookEndpoints lists the endpoints of ownerID ("*" for every owner),
// newest first.
func (c *Catalog) WebhookEndpoints(ctx context.Context, ownerID string) ([]WebhookEndpoint, error) {
	q, args := `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints`, []any{}
	if ownerID != "*" {
		q, args = q+` WHERE owner_id = ?`, append(args, ownerID)
	}
	return c.webhookEndpoints(ctx, q+` ORDER BY created_at DESC, id`, args)
}

// SubscribedWebhookEndpoints lists the enabled endpoints of ownerID that
// subscribed to event.
func (c *Catalog) SubscribedWebhookEndpoints(ctx context.Context, ownerID, event string) ([]WebhookEndpoint, error) {
	all, err := c.webhookEndpoints(ctx, `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints
		WHERE owner_id = ? AND disabled = FALSE ORDER BY created_at, id`, []any{ownerID})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(e WebhookEndpoint) bool { return !e.Subscribed(event) }), nil
}

func (c *Catalog) webhookEndpoints(ctx context.Context, q string, args []any) ([]WebhookEndpoint, error) {
	rs, err := c.q.query(ctx, c.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rs.Close()
	out := []WebhookEndpoint{}
	for rs.Next() {
		var r webhookEndpointRow
		if err := rs.Scan(r.dest()...); err != nil {
			return nil, fmt.Errorf("list webhook endpoints: %w", err)
		}
		out = append(out, r.endpoint())
	}
	return out, rs.Err()
}

// DeleteWebhookEndpoint removes endpoint id of ownerID ("*" for any owner)
// and its delivery log. Deliveries still queued find nothing and end.
func (c *Catalog) DeleteWebhookEndpoint(ctx context.Context, id, ownerID string) error {
	if _, err := c.WebhookEndpoint(ctx, id, ownerID); err != nil {
		return err
	}
	// The foreign key cascades too; deleting explicitly does not depend on
	// SQLite's foreign_keys pragma.
	if _, err := c.exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = ?`, id); err != nil {
		return fmt.Errorf("delete webhook deliveries: %w", err)
	}
	n, err := c.exec(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("webhook endpoint %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// SetWebhookEndpointDisabled pauses (or resumes) endpoint id of ownerID
// ("*" for any owner). A disabled endpoint gets no new deliveries.
func (c *Catalog) SetWebhookEndpointDisabled(ctx context.Context, id, ownerID string, disabled bool) error {
	q, args := `UPDATE webhook_endpoints SET disabled = ? WHERE id = ?`, []any{disabled, id}
	if ownerID != "*" {
		q, args = q+` AND owner_id = ?`, append(args, ownerID)
	}
	n, err := c.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("disable webhook endpoint: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("webhook endpoint %s: %w", id, media.ErrNotFound)
	}
	return nil
}

// NewWebhookDeliveryID returns a fresh delivery id. Callers need it before
// the row exists because the payload names its own delivery.
func NewWebhookDeliveryID() string { return "whd_" + randomHex(10) }

const webhookDeliveryColumns = `id, endpoint_id, event, payload, state, attempts, response_code, last_error,
	created_at, updated_at, delivered_at`

type webhookDeliveryRow struct {
	ID, EndpointID, Event, Payload, State string
	Attempts, ResponseCode                int
	LastError                             string
	CreatedAt, UpdatedAt                  int64
	DeliveredAt                           sql.NullInt64
}

func (r *webhookDeliveryRow) dest() []any {
	return []any{&r.ID, &r.EndpointID, &r.Event, &r.Payload, &r.State, &r.Attempts, &r.ResponseCode, &r.LastError,
		&r.CreatedAt, &r.UpdatedAt, &r.DeliveredAt}
}

func (r webhookDeliveryRow) delivery() WebhookDelivery {
	return WebhookDelivery{ID: r.ID, EndpointID: r.EndpointID, Event: r.Event, Payload: json.RawMessage(r.Payload),
		State: r.State, Attempts: r.Attempts, ResponseCode: r.ResponseCode, LastError: r.LastError,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), UpdatedAt: time.UnixMilli(r.UpdatedAt).UTC(), DeliveredAt: fromMillis(r.DeliveredAt)}
}

// CreateWebhookDelivery records a pending delivery of event to endpointID
// with the exact body to post. id comes from NewWebhookDeliveryID.
func (c *Catalog) CreateWebhookDelivery(ctx context.Context, id, endpointID, event string, payload []byte) (WebhookDelivery, error) {
	now := c.millis()
	_, err := c.exec(ctx, `INSERT INTO webhook_deliveries (id, endpoint_id, event, payload, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, endpointID, event, string(payload), DeliveryPending, now, now)
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("create webhook delivery: %w", err)
	}
	return c.WebhookDelivery(ctx, id)
}

// WebhookDelivery returns one delivery or media.ErrNotFound.
func (c *Catalog) WebhookDelivery(ctx context.Context, id string) (WebhookDelivery, error) {
	var r webhookDeliveryRow
	err := c.queryRow(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries WHERE id = ?`, []any{id}, r.dest()...)
	if isNoRows(err) {
		return WebhookDelivery{}, fmt.Errorf("webhook delivery %s: %w", id, media.ErrNotFound)
	}
	return r.delivery(), err
}

// WebhookDeliveries returns up to limit (1..500) deliveries of endpointID,
// newest first.
func (c *Catalog) WebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]WebhookDelivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rs, err := c.q.query(ctx, c.rebind(fmt.Sprintf(`SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries
		WHERE endpoint_id = ? ORDER BY created_at DESC, id DESC LIMIT %d`, limit)), endpointID)
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	defer rs.Close()
	out := []WebhookDelivery{}
	for rs.Next() {
		var r webhookDeliveryRow
		if err := rs.Scan(r.dest()...); err != nil {
			return nil, fmt.Errorf("list webhook deliveries: %w", err)
		}
		out = append(out, r.delivery())
	}
	return out, rs.Err()
}

// WebhookDeliveryUpdate is the outcome of a delivery attempt.
type WebhookDeliveryUpdate struct {
	State        string
	Attempts     int
	ResponseCode int
	LastError    string
}

// UpdateWebhookDelivery records u; moving to DeliveryDelivered also sets
// delivered_at.
func (c *Catalog) UpdateWebhookDelivery(ctx context.Context, id string, u WebhookDeliveryUpdate) error {
	now := c.millis()
	var delivered any
	if u.State == DeliveryDelivered {
		delivered = now
	}
	n, err := c.exec(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, response_code = ?, last_error = ?,
		updated_at = ?, delivered_at = COALESCE(delivered_at, ?) WHERE id = ?`,
		u.State, u.Attempts, u.ResponseCode, u.LastError, now, delivered, id)
	if err != nil {
		return fmt.Errorf("update webhook delivery: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("webhook delivery %s: %w", id, media.ErrNotFound)
	}
	return nil
}
