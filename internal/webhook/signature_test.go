package webhook_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/webhook"
)

const secret = "whsec_test-secret"

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"whd_1","type":"video.ready","created_at":"2027-01-15T08:00:00Z","data":{}}`)
	good := webhook.Sign(secret, now, body)
	sigOf := func(h string) string { _, v, _ := strings.Cut(h, ",v1="); return v }
	other := webhook.Sign("whsec_other", now, body)
	cases := []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"good", secret, good, string(body), now, nil},
		{"good at the edge of the window", secret, good, string(body), now.Add(5 * time.Minute), nil},
		{"second v1 matches (rotation)", secret, "t=1800000000,v1=" + sigOf(other) + ",v1=" + sigOf(good), string(body), now, nil},
		{"unknown scheme ignored", secret, good + ",v0=abc", string(body), now, nil},
		{"spaces around parts", secret, "t=1800000000, v1=" + sigOf(good), string(body), now, nil},
		{"tampered body", secret, good, strings.Replace(string(body), "ready", "faile", 1), now, webhook.ErrBadSignature},
		{"extra byte", secret, good, string(body) + " ", now, webhook.ErrBadSignature},
		{"wrong secret", "whsec_other", good, string(body), now, webhook.ErrBadSignature},
		{"signature of another secret only", secret, other, string(body), now, webhook.ErrBadSignature},
		{"timestamp changed", secret, "t=1800000001,v1=" + sigOf(good), string(body), now, webhook.ErrBadSignature},
		{"old timestamp (replay)", secret, good, string(body), now.Add(5*time.Minute + time.Second), webhook.ErrStale},
		{"a day old (replay)", secret, good, string(body), now.Add(24 * time.Hour), webhook.ErrStale},
		{"future timestamp", secret, good, string(body), now.Add(-6 * time.Minute), webhook.ErrStale},
		{"empty header", secret, "", string(body), now, webhook.ErrMalformedHeader},
		{"no timestamp", secret, "v1=" + sigOf(good), string(body), now, webhook.ErrMalformedHeader},
		{"no signature", secret, "t=1800000000", string(body), now, webhook.ErrMalformedHeader},
		{"two timestamps", secret, "t=1800000000,t=1800000000,v1=" + sigOf(good), string(body), now, webhook.ErrMalformedHeader},
		{"negative timestamp", secret, "t=-1,v1=" + sigOf(good), string(body), now, webhook.ErrMalformedHeader},
		{"timestamp not a number", secret, "t=soon,v1=" + sigOf(good), string(body), now, webhook.ErrMalformedHeader},
		{"short signature", secret, "t=1800000000,v1=abcd", string(body), now, webhook.ErrMalformedHeader},
		{"part without =", secret, good + ",junk", string(body), now, webhook.ErrMalformedHeader},
		{"not hex", secret, "t=1800000000,v1=" + strings.Repeat("zz", 32), string(body), now, webhook.ErrBadSignature},
		{"huge header", secret, good + strings.Repeat(",v0=x", 1000), string(body), now, webhook.ErrMalformedHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := webhook.Verify(tc.secret, tc.header, []byte(tc.body), tc.now, 5*time.Minute)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
	require.NoError(t, webhook.Verify(secret, good, body, now.Add(4*time.Minute), 0), "zero window means the default")
	require.Equal(t, "t="+strconv.FormatInt(now.Unix(), 10)+",v1="+sigOf(good), good)
}

// TestReceiver: a receiver built on Verify refuses each bad request with
// its status, says nothing about the payload or the expected signature,
// and never hands the event on.
func TestReceiver(t *testing.T) {
	t.Parallel()
	now := time.Now()
	body := `{"id":"whd_1","type":"video.ready","created_at":"2027-01-15T08:00:00Z","data":{"video":{"id":"private-title"}}}`
	var handled atomic.Int32
	srv := httptest.NewServer(&webhook.Receiver{
		Secret: secret, Now: func() time.Time { return now }, MaxBytes: 4096,
		HandleFunc: func(w http.ResponseWriter, _ *http.Request, ev webhook.Event) {
			handled.Add(1)
			require.Equal(t, "whd_1", ev.ID)
			w.WriteHeader(http.StatusNoContent)
		},
	})
	t.Cleanup(srv.Close)
	good := webhook.Sign(secret, now, []byte(body))
	cases := []struct {
		name, method, header, body string
		status                     int
	}{
		{"valid", http.MethodPost, good, body, http.StatusNoContent},
		{"GET", http.MethodGet, good, "", http.StatusMethodNotAllowed},
		{"missing header", http.MethodPost, "", body, http.StatusBadRequest},
		{"malformed header", http.MethodPost, "t=x,v1=y", body, http.StatusBadRequest},
		{"tampered body", http.MethodPost, good, strings.Replace(body, "ready", "fails", 1), http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, webhook.Sign("whsec_guess", now, []byte(body)), body, http.StatusUnauthorized},
		{"replayed (old)", http.MethodPost, webhook.Sign(secret, now.Add(-10*time.Minute), []byte(body)), body, http.StatusUnauthorized},
		{"future", http.MethodPost, webhook.Sign(secret, now.Add(10*time.Minute), []byte(body)), body, http.StatusUnauthorized},
		{"too large", http.MethodPost, good, body + strings.Repeat(" ", 5000), http.StatusRequestEntityTooLarge},
		{"signed but not an event", http.MethodPost, webhook.Sign(secret, now, []byte(`[1]`)), `[1]`, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := handled.Load()
			req, err := http.NewRequest(tc.method, srv.URL, strings.NewReader(tc.body))
			require.NoError(t, err)
			if tc.header != "" {
				req.Header.Set(webhook.HeaderSignature, tc.header)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			require.Equal(t, tc.status, resp.StatusCode, string(got))
			if tc.status == http.StatusNoContent {
				require.Equal(t, before+1, handled.Load())
				return
			}
			require.Equal(t, before, handled.Load(), "a refused request is never handed on")
			require.Equal(t, http.StatusText(tc.status)+"\n", string(got), "the refusal says nothing else")
			require.NotContains(t, string(got), "private-title")
			require.NotContains(t, string(got), secret)
		})
	}
}
