package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/queue"
	"github.com/kinema/kinema/internal/webhook"
)

// lateWebhooks lets the test build the real service once the bundle's
// catalog and queue exist.
type lateWebhooks struct{ svc *webhook.Service }

func (l *lateWebhooks) CheckURL(raw string) error { return l.svc.CheckURL(raw) }
func (l *lateWebhooks) SendTest(ctx context.Context, ep catalog.WebhookEndpoint) (catalog.WebhookDelivery, error) {
	return l.svc.SendTest(ctx, ep)
}

// setupWebhooks is the API bundle with a real webhook service on its
// insert-only queue: deliveries are queued, never sent.
func setupWebhooks(t *testing.T) *bundle {
	t.Helper()
	hooks := &lateWebhooks{}
	b := setupWith(t, func(s *api.Server) { s.Webhooks = hooks })
	hooks.svc = webhook.New(b.cat, webhook.Config{}, slog.New(slog.DiscardHandler))
	hooks.svc.UseQueue(b.queue)
	return b
}

// hookCall sends a request with key (none when empty) and returns the
// status and body. It goes through b.do, so the request and the response
// are checked against the OpenAPI document the server serves.
func (b *bundle) hookCall(t *testing.T, key, method, path, body string) (int, []byte) {
	t.Helper()
	return b.hookDo(t, key, method, path, body, false)
}

// hookDo is hookCall; with badRequest the request is meant to break the
// document's schema, so only the response is checked.
func (b *bundle) hookDo(t *testing.T, key, method, path, body string, badRequest bool) (int, []byte) {
	t.Helper()
	c := call{method: method, path: path, key: key, body: body, badRequest: badRequest}
	if body != "" {
		c.contentType = "application/json"
	}
	resp, data := b.do(t, c)
	return resp.StatusCode, data
}

type hookView struct {
	ID      string   `json:"id"`
	OwnerID string   `json:"owner_id"`
	URL     string   `json:"url"`
	Events  []string `json:"events"`
}

// TestWebhooksAPI: endpoints are created with a secret shown once, listed
// without it, and invisible (404) to other owners, whose attempts learn
// nothing; admins see all.
func TestWebhooksAPI(t *testing.T) {
	t.Parallel()
	b := setupWebhooks(t)
	ctx := context.Background()
	const otherKey, readKey = "other-user-key", "read-only-key"
	_, err := b.cat.CreateAPIKey(ctx, "other", auth.HashAPIKey(otherKey), false)
	require.NoError(t, err)
	_, err = b.cat.CreateUserAPIKey(ctx, "", "ro", auth.HashAPIKey(readKey), []access.Scope{access.ScopeRead})
	require.NoError(t, err)

	code, body := b.hookCall(t, userKey, http.MethodPost, "/api/v1/webhooks",
		`{"url": "https://hooks.example.com/kinema", "events": ["video.ready", "video.failed", "video.ready"]}`)
	require.Equal(t, http.StatusCreated, code, string(body))
	var created struct {
		Webhook map[string]any `json:"webhook"`
		Secret  string         `json:"secret"`
	}
	require.NoError(t, json.Unmarshal(body, &created))
	require.True(t, strings.HasPrefix(created.Secret, "whsec_"), created.Secret)
	require.Greater(t, len(created.Secret), 40)
	require.NotContains(t, created.Webhook, "secret", "the secret is beside the endpoint, once")
	require.Equal(t, []any{"video.ready", "video.failed"}, created.Webhook["events"])
	id := created.Webhook["id"].(string)

	// Listing never shows the secret, and shows only one's own endpoints.
	code, body = b.hookCall(t, userKey, http.MethodGet, "/api/v1/webhooks", "")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, string(body), created.Secret)
	require.NotContains(t, string(body), "whsec_")
	var list struct{ Webhooks []hookView }
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Webhooks, 1)
	require.Equal(t, "https://hooks.example.com/kinema", list.Webhooks[0].URL)
	code, body = b.hookCall(t, otherKey, http.MethodGet, "/api/v1/webhooks", "")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"webhooks": []}`, string(body))
	code, _ = b.hookCall(t, otherKey, http.MethodGet, "/api/v1/webhooks?all=1", "")
	require.Equal(t, http.StatusForbidden, code)
	code, body = b.hookCall(t, adminKey, http.MethodGet, "/api/v1/webhooks?all=1", "")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), id)
	require.NotContains(t, string(body), "whsec_")

	// Someone else's endpoint does not exist for them, whatever they try.
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/webhooks/" + id + "/deliveries"},
		{http.MethodPost, "/api/v1/webhooks/" + id + "/test"},
		{http.MethodDelete, "/api/v1/webhooks/" + id},
		{http.MethodGet, "/api/v1/webhooks/whe_doesnotexist/deliveries"},
	} {
		code, body := b.hookCall(t, otherKey, c.method, c.path, "")
		require.Equal(t, http.StatusNotFound, code, "%s %s", c.method, c.path)
		require.Equal(t, "not_found", errorCode(t, body))
		require.NotContains(t, string(body), "hooks.example.com")
		require.NotContains(t, string(body), "whsec_")
	}

	// Without the upload scope, or without a key, nothing.
	code, body = b.hookCall(t, readKey, http.MethodGet, "/api/v1/webhooks", "")
	require.Equal(t, http.StatusForbidden, code)
	require.Equal(t, "forbidden", errorCode(t, body))
	code, _ = b.hookCall(t, readKey, http.MethodPost, "/api/v1/webhooks", `{"url": "https://x.example.com/", "events": ["video.ready"]}`)
	require.Equal(t, http.StatusForbidden, code)
	code, _ = b.hookCall(t, "", http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries", "")
	require.Equal(t, http.StatusUnauthorized, code)

	// A test event is queued and shows in the log, with its payload.
	code, body = b.hookCall(t, userKey, http.MethodPost, "/api/v1/webhooks/"+id+"/test", "")
	require.Equal(t, http.StatusAccepted, code, string(body))
	var sent struct{ Delivery catalog.WebhookDelivery }
	require.NoError(t, json.Unmarshal(body, &sent))
	require.Equal(t, webhook.EventTest, sent.Delivery.Event)
	require.Equal(t, catalog.DeliveryPending, sent.Delivery.State)
	code, body = b.hookCall(t, userKey, http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries?limit=10", "")
	require.Equal(t, http.StatusOK, code)
	var log struct{ Deliveries []catalog.WebhookDelivery }
	require.NoError(t, json.Unmarshal(body, &log))
	require.Len(t, log.Deliveries, 1)
	d := log.Deliveries[0]
	require.Equal(t, sent.Delivery.ID, d.ID)
	require.Equal(t, id, d.EndpointID)
	var ev webhook.Event
	require.NoError(t, json.Unmarshal(d.Payload, &ev))
	require.Equal(t, d.ID, ev.ID)
	require.Equal(t, webhook.EventTest, ev.Type)
	require.NotContains(t, string(body), "whsec_")
	code, _ = b.hookDo(t, userKey, http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries?limit=0", "", true)
	require.Equal(t, http.StatusBadRequest, code)

	// Admins may act on anyone's endpoint; the owner may delete it.
	code, _ = b.hookCall(t, adminKey, http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries", "")
	require.Equal(t, http.StatusOK, code)
	code, _ = b.hookCall(t, userKey, http.MethodDelete, "/api/v1/webhooks/"+id, "")
	require.Equal(t, http.StatusNoContent, code)
	code, _ = b.hookCall(t, userKey, http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries", "")
	require.Equal(t, http.StatusNotFound, code)
}

// TestWebhookCreateValidation: bad URLs (including internal addresses,
// refused by default) and event lists are 400 with a reason.
func TestWebhookCreateValidation(t *testing.T) {
	t.Parallel()
	b := setupWebhooks(t)
	// schema: the body breaks the document's request schema too, not only
	// the server's rules, so only the response can be checked.
	type bad struct {
		body   string
		schema bool
	}
	for name, c := range map[string]bad{
		"ftp url":          {`{"url": "ftp://example.com/", "events": ["video.ready"]}`, false},
		"relative url":     {`{"url": "/hook", "events": ["video.ready"]}`, false},
		"user info":        {`{"url": "https://me:pw@example.com/", "events": ["video.ready"]}`, false},
		"too long":         {`{"url": "https://example.com/` + strings.Repeat("a", 2100) + `", "events": ["video.ready"]}`, true},
		"loopback":         {`{"url": "http://127.0.0.1:8080/", "events": ["video.ready"]}`, false},
		"localhost":        {`{"url": "http://localhost/", "events": ["video.ready"]}`, false},
		"cloud metadata":   {`{"url": "http://169.254.169.254/latest/", "events": ["video.ready"]}`, false},
		"private":          {`{"url": "http://10.0.0.5/", "events": ["video.ready"]}`, false},
		"no events":        {`{"url": "https://example.com/", "events": []}`, true},
		"unknown event":    {`{"url": "https://example.com/", "events": ["video.deleted"]}`, true},
		"test event":       {`{"url": "https://example.com/", "events": ["webhook.test"]}`, true},
		"unknown field":    {`{"url": "https://example.com/", "events": ["video.ready"], "secret": "mine"}`, true},
		"not json at all":  {`url=https://example.com/`, true},
		"events not array": {`{"url": "https://example.com/", "events": "video.ready"}`, true},
	} {
		code, resp := b.hookDo(t, userKey, http.MethodPost, "/api/v1/webhooks", c.body, c.schema)
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", name, resp)
		require.Equal(t, "invalid", errorCode(t, resp), name)
	}
	eps, err := b.cat.WebhookEndpoints(context.Background(), "*")
	require.NoError(t, err)
	require.Empty(t, eps)
}

// TestWebhookTestUnavailable: without a webhook service, endpoints can
// still be managed, but test events are refused with 503 `unavailable`.
func TestWebhookTestUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	code, body := b.hookCall(t, userKey, http.MethodPost, "/api/v1/webhooks",
		`{"url": "https://hooks.example.com/kinema", "events": ["upload.completed"]}`)
	require.Equal(t, http.StatusCreated, code, string(body))
	var created struct{ Webhook hookView }
	require.NoError(t, json.Unmarshal(body, &created))
	code, body = b.hookCall(t, userKey, http.MethodPost, "/api/v1/webhooks/"+created.Webhook.ID+"/test", "")
	require.Equal(t, http.StatusServiceUnavailable, code, string(body))
	require.Equal(t, "unavailable", errorCode(t, body))
	code, body = b.hookCall(t, userKey, http.MethodGet, "/api/v1/webhooks/"+created.Webhook.ID+"/deliveries", "")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"deliveries": []}`, string(body))
}

// TestWebhookVideoEventMatchesOpenAPI: a video event's payload, shown in
// the delivery log exactly as it is posted, is a WebhookEvent carrying the
// video as the document describes it.
func TestWebhookVideoEventMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	b := setupWebhooks(t)
	ctx := context.Background()
	code, body := b.hookCall(t, userKey, http.MethodPost, "/api/v1/webhooks",
		`{"url": "https://hooks.example.com/kinema", "events": ["upload.completed"]}`)
	require.Equal(t, http.StatusCreated, code, string(body))
	var created struct{ Webhook hookView }
	require.NoError(t, json.Unmarshal(body, &created))

	v, err := b.cat.Video(ctx, b.create(t, "event").ID)
	require.NoError(t, err)
	svc := b.api.Webhooks.(*lateWebhooks).svc
	require.NoError(t, b.queue.InTx(ctx, func(tx *queue.Tx) error {
		return svc.Enqueue(ctx, tx, webhook.EventUploadCompleted, v)
	}))

	code, body = b.hookCall(t, userKey, http.MethodGet, "/api/v1/webhooks/"+created.Webhook.ID+"/deliveries", "")
	require.Equal(t, http.StatusOK, code)
	var log struct{ Deliveries []catalog.WebhookDelivery }
	require.NoError(t, json.Unmarshal(body, &log))
	require.Len(t, log.Deliveries, 1)
	var ev struct {
		Type string
		Data webhook.VideoData
	}
	require.NoError(t, json.Unmarshal(log.Deliveries[0].Payload, &ev))
	require.Equal(t, webhook.EventUploadCompleted, ev.Type)
	require.Equal(t, v.ID, ev.Data.Video.ID)
}
