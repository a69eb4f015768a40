package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/auth"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/webhook"
)

// Webhooks is what the webhook routes need besides the catalog
// (*webhook.Service).
type Webhooks interface {
	// CheckURL validates an endpoint URL under the server's address
	// policy; errors are *media.InputError.
	CheckURL(raw string) error
	// SendTest queues a webhook.test event to ep.
	SendTest(ctx context.Context, ep catalog.WebhookEndpoint) (catalog.WebhookDelivery, error)
}

// maxWebhooks bounds the endpoints of one owner: each event fans out to all.
const maxWebhooks = 25

// webhookOwner is whose endpoints the caller may act on by id: their own,
// any for admins.
func webhookOwner(p access.Principal) string {
	if p.Admin() {
		return "*"
	}
	return p.ID
}

// listWebhooks shows the caller's endpoints (admins: ?all=1 for everyone's).
// Secrets are never shown again after creation.
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	p, owner := principalOf(r), principalOf(r).ID
	if r.URL.Query().Get("all") == "1" {
		if !p.Admin() {
			writeError(w, s.Log, media.ErrForbidden)
			return
		}
		owner = "*"
	}
	eps, err := s.Catalog.WebhookEndpoints(r.Context(), owner)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": eps})
}

type createWebhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// createWebhook adds an endpoint for the caller's videos. Its signing
// secret is in this response only.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	var req createWebhookRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, s.Log, err)
		return
	}
	req.URL = strings.TrimSpace(req.URL)
	check := func(raw string) error { return webhook.CheckURL(raw, false) }
	if s.Webhooks != nil {
		check = s.Webhooks.CheckURL
	}
	if err := check(req.URL); err != nil {
		writeError(w, s.Log, err)
		return
	}
	var events []string
	for _, e := range req.Events {
		if !webhook.ValidEvent(e) {
			writeError(w, s.Log, media.Inputf("events must be a non-empty list of %s.", strings.Join(webhook.Events, ", ")))
			return
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		writeError(w, s.Log, media.Inputf("events must be a non-empty list of %s.", strings.Join(webhook.Events, ", ")))
		return
	}
	owner := principalOf(r).ID
	existing, err := s.Catalog.WebhookEndpoints(r.Context(), owner)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if len(existing) >= maxWebhooks {
		writeError(w, s.Log, media.Inputf("An account may have at most %d webhook endpoints.", maxWebhooks))
		return
	}
	secret := "whsec_" + auth.NewSecret(32)
	ep, err := s.Catalog.CreateWebhookEndpoint(r.Context(), catalog.WebhookEndpoint{OwnerID: owner, URL: req.URL, Secret: secret, Events: events})
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"webhook": ep, "secret": secret})
}

// webhookEndpoint loads the endpoint named in the path if the caller may
// act on it; someone else's is 404, like one that does not exist.
func (s *Server) webhookEndpoint(r *http.Request) (catalog.WebhookEndpoint, error) {
	return s.Catalog.WebhookEndpoint(r.Context(), r.PathValue("id"), webhookOwner(principalOf(r)))
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.Catalog.DeleteWebhookEndpoint(r.Context(), r.PathValue("id"), webhookOwner(principalOf(r))); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listWebhookDeliveries is an endpoint's delivery log, newest first
// (?limit=1..500, default 50).
func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			writeError(w, s.Log, media.Inputf("limit must be a number from 1 to 500."))
			return
		}
		limit = n
	}
	ep, err := s.webhookEndpoint(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	ds, err := s.Catalog.WebhookDeliveries(r.Context(), ep.ID, limit)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

// testWebhook queues a webhook.test event to the endpoint and answers with
// its (pending) delivery; its outcome shows in the delivery log.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) {
	ep, err := s.webhookEndpoint(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.Webhooks == nil {
		writeCode(w, http.StatusServiceUnavailable, "unavailable", "Webhook delivery is not set up on this server.")
		return
	}
	d, err := s.Webhooks.SendTest(r.Context(), ep)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"delivery": d})
}
