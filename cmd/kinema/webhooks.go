package main

import (
	"log/slog"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/webhook"
)

// newWebhooks is the process's webhook service. Its worker is registered
// wherever jobs run, so `kinema worker` nodes deliver too, and the
// pipeline enqueues events through it inside its own transactions.
func newWebhooks(cfg config.Config, cat *catalog.Catalog, log *slog.Logger) *webhook.Service {
	return webhook.New(cat, webhook.Config{AllowPrivate: cfg.WebhookAllowPrivate}, log.With("component", "webhook"))
}
