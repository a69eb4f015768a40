package live

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/testutil"
)

// TestSRTPassphrase: a stream with a passphrase takes an SRT publisher that
// encrypts with it and refuses, in the handshake, one with another
// passphrase or none; the stream stays idle until the right one connects.
func TestSRTPassphrase(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	b := setup(t, nil)
	ctx := context.Background()
	st, err := b.svc.Create(ctx, "secret", "")
	require.NoError(t, err)
	_, err = b.svc.SetPassphrase(ctx, st.ID, "short")
	require.Error(t, err, "SRT needs 10 to 79 characters")
	st, err = b.svc.SetPassphrase(ctx, st.ID, "correct-horse-battery")
	require.NoError(t, err)
	srtURL, _ := b.svc.PublishURLs("127.0.0.1", st)
	require.Contains(t, srtURL, "&passphrase=correct-horse-battery", "the publish URL carries it, ready for ffmpeg and OBS")

	wrong := publish(t, strings.Replace(srtURL, "correct-horse-battery", "wrong-horse-battery", 1), "mpegts", 3)
	require.Error(t, waitExit(t, wrong, 20*time.Second), "a wrong passphrase is refused")
	none := publish(t, strings.Split(srtURL, "&passphrase=")[0], "mpegts", 3)
	require.Error(t, waitExit(t, none, 20*time.Second), "no passphrase is refused")
	got, err := b.svc.Get(ctx, st.ID)
	require.NoError(t, err)
	require.Equal(t, StatusIdle, got.Status, "refused publishers never started the broadcast")

	right := publish(t, srtURL, "mpegts", 6)
	b.waitStream(t, st.ID, 20*time.Second, "live", func(s Stream) bool { return s.Status == StatusLive && s.Connected })
	require.NoError(t, waitExit(t, right, 30*time.Second))
	// The encrypted input was decrypted: real segments came out.
	final := b.waitStream(t, st.ID, time.Minute, "recorded", func(s Stream) bool { return s.VideoID != "" })
	require.Empty(t, final.Error)
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Len(t, b.records, 1)
	require.InDelta(t, 6, b.records[0].duration, 2)
}

// TestEndAndRotateKey: ending an idle stream ends it for good; a rotated
// key replaces the old one, which is refused; ending a live broadcast
// stops it at once and still records it; its health is reported while live.
func TestEndAndRotateKey(t *testing.T) {
	t.Parallel()
	testutil.RequireFFmpeg(t)
	b := setup(t, nil)
	ctx := context.Background()

	idle, err := b.svc.Create(ctx, "never", "")
	require.NoError(t, err)
	idle, err = b.svc.End(ctx, idle.ID)
	require.NoError(t, err)
	require.Equal(t, StatusEnded, idle.Status)
	_, err = b.svc.RotateKey(ctx, idle.ID)
	require.Error(t, err, "an ended stream keeps its key")

	st, err := b.svc.Create(ctx, "rotated", "")
	require.NoError(t, err)
	oldURL, _ := b.svc.PublishURLs("127.0.0.1", st)
	st, err = b.svc.RotateKey(ctx, st.ID)
	require.NoError(t, err)
	newURL, _ := b.svc.PublishURLs("127.0.0.1", st)
	require.NotEqual(t, oldURL, newURL)
	old := publish(t, oldURL, "mpegts", 3)
	require.Error(t, waitExit(t, old, 20*time.Second), "the old key is refused")

	pub := publish(t, newURL, "mpegts", 60)
	b.waitStream(t, st.ID, 20*time.Second, "live", func(s Stream) bool { return s.Status == StatusLive })
	h := b.waitStream(t, st.ID, 30*time.Second, "health", func(s Stream) bool {
		return s.Health != nil && s.Health.InputBitrate > 0 && s.Health.FPS > 0
	}).Health
	t.Logf("health while live: %+v", *h)
	ended := time.Now()
	_, err = b.svc.End(ctx, st.ID)
	require.NoError(t, err)
	require.Error(t, waitExit(t, pub, 20*time.Second), "the publisher is disconnected")
	final := b.waitStream(t, st.ID, time.Minute, "recorded", func(s Stream) bool { return s.VideoID != "" })
	require.Equal(t, StatusEnded, final.Status)
	require.Nil(t, final.Health)
	require.Less(t, time.Since(ended), time.Minute)
}
