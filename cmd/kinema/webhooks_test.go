package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/testutil"
	"github.com/kinema/kinema/internal/webhook"
)

// postJSON is s.api for endpoints that insist on a JSON content type.
func (s *server) postJSON(path string, body, out any) int {
	s.t.Helper()
	b, err := json.Marshal(body)
	require.NoError(s.t, err)
	req, err := http.NewRequest(http.MethodPost, s.base+path, bytes.NewReader(b))
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	require.NoError(s.t, json.Unmarshal(data, out), string(data))
	return resp.StatusCode
}

// hookReceiver keeps every request a webhook endpoint gets.
type hookReceiver struct {
	mu  sync.Mutex
	got []hookRequest
	srv *httptest.Server
}

type hookRequest struct {
	header http.Header
	body   []byte
	event  struct {
		webhook.Event
		Data struct {
			Video video `json:"video"`
		} `json:"data"`
	}
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := hookRequest{header: r.Header.Clone(), body: body}
		if err := json.Unmarshal(body, &req.event); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, req)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// events waits until n events about videoID (or of type webhook.test when
// videoID is empty) arrived and returns them upload.completed first: each
// delivery is a job of its own, so arrival order is not guaranteed (the
// API promises none; receivers order by created_at).
func (h *hookReceiver) events(t *testing.T, videoID string, n int) []hookRequest {
	t.Helper()
	var out []hookRequest
	require.Eventually(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		out = out[:0]
		for _, r := range h.got {
			if r.event.Data.Video.ID == videoID && (videoID != "" || r.event.Type == webhook.EventTest) {
				out = append(out, r)
			}
		}
		return len(out) >= n
	}, time.Minute, 50*time.Millisecond)
	require.Len(t, out, n)
	uploaded := func(r hookRequest) bool { return r.event.Type == webhook.EventUploadCompleted }
	slices.SortStableFunc(out, func(a, b hookRequest) int {
		switch {
		case uploaded(a) && !uploaded(b):
			return -1
		case uploaded(b) && !uploaded(a):
			return 1
		}
		return 0
	})
	return out
}

// TestWebhooksEndToEnd: an endpoint registered through the API receives
// upload.completed then video.ready for a good upload, and
// upload.completed then video.failed for a corrupt one, each signed with
// the secret shown at creation; the delivery log shows them delivered.
func TestWebhooksEndToEnd(t *testing.T) {
	t.Parallel()
	webhooksEndToEnd(t, "")
}

// TestWebhooksEndToEndPostgres is the same with the catalog and the queue
// on PostgreSQL (skipped without KINEMA_TEST_POSTGRES_URL).
func TestWebhooksEndToEndPostgres(t *testing.T) {
	t.Parallel()
	webhooksEndToEnd(t, testutil.PostgresURL(t))
}

func webhooksEndToEnd(t *testing.T, db string) {
	s := setupWith(t, func(c *config.Config) {
		c.DB = db
		c.WebhookAllowPrivate = true // the receiver is on loopback
	})
	rec := newHookReceiver(t)
	var created struct {
		Webhook struct {
			ID string `json:"id"`
		} `json:"webhook"`
		Secret string `json:"secret"`
	}
	require.Equal(t, http.StatusCreated, s.postJSON("/api/v1/webhooks", map[string]any{
		"url": rec.srv.URL + "/kinema", "events": []string{"upload.completed", "video.ready", "video.failed"},
	}, &created))
	require.NotEmpty(t, created.Secret)

	check := func(r hookRequest, event, videoID, status string) {
		t.Helper()
		require.Equal(t, event, r.event.Type)
		require.Equal(t, event, r.header.Get(webhook.HeaderEvent))
		require.Equal(t, r.event.ID, r.header.Get(webhook.HeaderDelivery))
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		require.NoError(t, webhook.Verify(created.Secret, r.header.Get(webhook.HeaderSignature), r.body, time.Now(), webhook.DefaultWindow))
		tampered := append([]byte{}, r.body...)
		tampered[len(tampered)-2] ^= 1
		require.ErrorIs(t, webhook.Verify(created.Secret, r.header.Get(webhook.HeaderSignature), tampered, time.Now(), webhook.DefaultWindow),
			webhook.ErrBadSignature)
		require.ErrorIs(t, webhook.Verify(created.Secret, r.header.Get(webhook.HeaderSignature), r.body, time.Now().Add(time.Hour), webhook.DefaultWindow),
			webhook.ErrStale, "the same request an hour later is a replay")
		require.Equal(t, videoID, r.event.Data.Video.ID)
		if status != "" {
			require.Equal(t, status, r.event.Data.Video.Status)
		}
	}

	good := s.uploadAndWait("hooked", testutil.MakeClip(t, testutil.ClipOptions{Width: 320, Height: 180, Seconds: 2}))
	require.Equal(t, "ready", good.Status, good.Error)
	got := rec.events(t, good.ID, 2)
	check(got[0], webhook.EventUploadCompleted, good.ID, "queued")
	check(got[1], webhook.EventVideoReady, good.ID, "ready")
	require.Len(t, got[1].event.Data.Video.Renditions, len(good.Renditions))

	bad := s.uploadAndWait("broken", testutil.MakeCorrupt(t))
	require.Equal(t, "failed", bad.Status)
	got = rec.events(t, bad.ID, 2)
	check(got[0], webhook.EventUploadCompleted, bad.ID, "queued")
	check(got[1], webhook.EventVideoFailed, bad.ID, "failed")
	require.Equal(t, bad.Error, got[1].event.Data.Video.Error)

	require.Equal(t, http.StatusAccepted, s.api(http.MethodPost, "/api/v1/webhooks/"+created.Webhook.ID+"/test", nil, nil))
	test := rec.events(t, "", 1)[0]
	require.NoError(t, webhook.Verify(created.Secret, test.header.Get(webhook.HeaderSignature), test.body, time.Now(), 0))

	var log struct {
		Deliveries []struct {
			ID           string          `json:"id"`
			Event        string          `json:"event"`
			State        string          `json:"state"`
			Attempts     int             `json:"attempts"`
			ResponseCode int             `json:"response_code"`
			Payload      json.RawMessage `json:"payload"`
		} `json:"deliveries"`
	}
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, s.api(http.MethodGet, "/api/v1/webhooks/"+created.Webhook.ID+"/deliveries", nil, &log))
		for _, d := range log.Deliveries {
			if d.State != "delivered" {
				return false
			}
		}
		return len(log.Deliveries) == 5
	}, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, webhook.EventTest, log.Deliveries[0].Event, "newest first")
	for _, d := range log.Deliveries {
		require.Equal(t, 1, d.Attempts)
		require.Equal(t, http.StatusNoContent, d.ResponseCode)
		require.NotContains(t, string(d.Payload), created.Secret)
	}
}

// TestWebhooksRefuseInternalByDefault: without --webhook-allow-private an
// endpoint on this machine cannot even be registered.
func TestWebhooksRefuseInternalByDefault(t *testing.T) {
	t.Parallel()
	s := setup(t)
	rec := newHookReceiver(t)
	var refused struct {
		Error struct{ Code string } `json:"error"`
	}
	require.Equal(t, http.StatusBadRequest, s.postJSON("/api/v1/webhooks",
		map[string]any{"url": rec.srv.URL, "events": []string{"video.ready"}}, &refused))
	require.Equal(t, "invalid", refused.Error.Code)
}
