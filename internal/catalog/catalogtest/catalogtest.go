package catalogtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// Run checks the catalog contract against fresh catalogs from newCatalog,
// so SQLite and PostgreSQL behave the same.
func Run(t *testing.T, newCatalog func(t *testing.T) *catalog.Catalog) {
	for name, fn := range map[string]func(*testing.T, func(*testing.T) *catalog.Catalog){
		"VideoLifecycle": testVideoLifecycle, "FailAndRequeue": testFailAndRequeue, "ListAndKeys": testListAndKeys,
		"ConcurrentFanIn": testConcurrentFanIn, "Accounts": testAccounts, "Visibility": testVisibility,
		"Webhooks": testWebhooks, "LoginFailures": testLoginFailures, "StaleLoginFailures": testStaleLoginFailures,
		"LastAdmin": testLastAdmin, "ConcurrentLastAdmin": testConcurrentLastAdmin, "DeleteUserAtomic": testDeleteUserAtomic,
		"PasswordEndsSessions": testPasswordEndsSessions, "UserPlaybackGate": testUserPlaybackGate,
		"AbandonedUploads": testAbandonedUploads, "ProcessedSeconds": testProcessedSeconds,
		"UserQuotas": testUserQuotas, "StorageQuotaAtStart": testStorageQuotaAtStart,
		"VideoDetails":  testVideoDetails,
		"LiveStreams":   testLiveStreams,
		"LiveRestreams": testLiveRestreams,
		"PlaybackStats": testPlaybackStats,
		"TextTracks":    testTextTracks,
		"AudioUploads":  testAudioUploads,
		"Throughput":    testThroughput, "StorageSummary": testStorageSummary,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newCatalog)
		})
	}
}

func testVideoLifecycle(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)

	v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "Holiday 100%_fun"})
	require.NoError(t, err)
	require.Equal(t, media.StatusWaitingUpload, v.Status)

	run, err := c.StartRun(ctx, v.ID, "raw/x", 42)
	require.NoError(t, err)
	require.Equal(t, 1, run)
	_, err = c.StartRun(ctx, v.ID, "raw/y", 42)
	require.ErrorIs(t, err, media.ErrConflict, "an upload completes once")

	ok, err := c.BeginProcessing(ctx, v.ID, run+1)
	require.NoError(t, err)
	require.False(t, ok, "stale run")
	ok, err = c.BeginProcessing(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, c.SetStepProgress(ctx, v.ID, run, "probe", 0.5))
	v, _ = c.Video(ctx, v.ID)
	require.InDelta(t, 0.015, v.Progress, 1e-6)

	_, err = c.FinishStep(ctx, v.ID, run, "probe")
	require.NoError(t, err)
	before, _ := c.Video(ctx, v.ID)
	steps := []catalog.Step{{Name: "chunk-0", Weight: 5}, {Name: "chunk-1", Weight: 5}, {Name: "audio", Weight: 1}, {Name: "package", Weight: 1}}
	require.NoError(t, c.SavePlan(ctx, v.ID, run, media.Source{Duration: 3, Width: 320, Height: 180},
		media.Plan{Kind: media.KindVideo}, steps, 3))
	after, _ := c.Video(ctx, v.ID)
	require.GreaterOrEqual(t, after.Progress, before.Progress, "progress never moves back")
	require.Equal(t, 320, after.Width)
	require.NoError(t, c.SetStepProgress(ctx, v.ID, run, "chunk-0", 0.8))
	high, _ := c.Video(ctx, v.ID)
	require.NoError(t, c.SetStepProgress(ctx, v.ID, run, "chunk-0", 0.1)) // the chunk retried on another worker
	retried, _ := c.Video(ctx, v.ID)
	require.Greater(t, high.Progress, after.Progress)
	require.Equal(t, high.Progress, retried.Progress, "a retried step does not move the bar back")

	var lasts int
	for _, s := range []string{"chunk-0", "chunk-1", "chunk-1", "audio", "audio"} { // retries finish twice
		last, err := c.FinishParallelStep(ctx, v.ID, run, s)
		require.NoError(t, err)
		if last {
			lasts++
		}
	}
	require.Equal(t, 1, lasts, "exactly one finisher starts packaging")

	require.NoError(t, c.SaveRenditions(ctx, v.ID, run, []media.Rendition{{ID: "v0", Type: media.KindVideo, Width: 320}}))
	ok, err = c.Publish(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusReady, v.Status)
	require.Equal(t, 1.0, v.Progress)
	require.Len(t, v.Renditions, 1)
	gate, err := c.PlaybackGate(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.PlaybackGate{Published: true}, gate, "nothing revoked yet")
	revokedAfter := time.Now().Add(-time.Millisecond)
	title := "renamed"
	_, err = c.UpdateVideo(ctx, v.ID, catalog.VideoPatch{Title: &title})
	require.NoError(t, err)
	gate, err = c.PlaybackGate(ctx, v.ID)
	require.NoError(t, err)
	require.True(t, gate.NotBefore.IsZero(), "a rename revokes nothing")
	public, private := access.Public, access.Private
	_, err = c.UpdateVideo(ctx, v.ID, catalog.VideoPatch{Visibility: &public})
	require.NoError(t, err)
	gate, err = c.PlaybackGate(ctx, v.ID)
	require.NoError(t, err)
	require.True(t, gate.NotBefore.IsZero(), "sharing more revokes nothing")
	_, err = c.UpdateVideo(ctx, v.ID, catalog.VideoPatch{Visibility: &private})
	require.NoError(t, err)
	gate, err = c.PlaybackGate(ctx, v.ID)
	require.NoError(t, err)
	require.True(t, gate.Published)
	require.True(t, gate.NotBefore.After(revokedAfter) && !gate.NotBefore.After(time.Now()), "revoked now: %v", gate.NotBefore)
	gate, err = c.PlaybackGate(ctx, "nosuchvideo")
	require.NoError(t, err)
	require.False(t, gate.Published)

	ok, err = c.Fail(ctx, v.ID, run, "too late")
	require.NoError(t, err)
	require.False(t, ok, "a ready video cannot fail")
}

func testFailAndRequeue(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	v, _ := c.CreateVideo(ctx, catalog.NewVideo{Title: "bad"})
	_, err := c.Requeue(ctx, v.ID)
	require.ErrorIs(t, err, media.ErrConflict)
	run, _ := c.StartRun(ctx, v.ID, "raw/bad", 1)
	ok, err := c.Fail(ctx, v.ID, run, "The file is not a media file.")
	require.NoError(t, err)
	require.True(t, ok)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusFailed, v.Status)
	require.Equal(t, "The file is not a media file.", v.Error)
	require.True(t, v.Retryable != nil && *v.Retryable, "Fail leaves the video retryable")

	run2, err := c.Requeue(ctx, v.ID)
	require.NoError(t, err)
	require.Equal(t, run+1, run2)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusQueued, v.Status)
	require.Empty(t, v.Error)
	require.Nil(t, v.Retryable, "only failed videos say whether they may be retried")

	// A failure the file causes is final: no retry.
	ok, err = c.FailFinal(ctx, v.ID, run2, "The file is not a media file kinema can read, or it is damaged.")
	require.NoError(t, err)
	require.True(t, ok)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusFailed, v.Status)
	require.NotNil(t, v.Retryable)
	require.False(t, *v.Retryable)
	_, err = c.Requeue(ctx, v.ID)
	require.ErrorIs(t, err, catalog.ErrFinal)
	v, _ = c.Video(ctx, v.ID)
	require.Equal(t, media.StatusFailed, v.Status)
}

func testListAndKeys(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	a, _ := c.CreateVideo(ctx, catalog.NewVideo{Title: "Alpha"})
	time.Sleep(2 * time.Millisecond)
	b, _ := c.CreateVideo(ctx, catalog.NewVideo{Title: "beta 50%"})
	_, err := c.StartRun(ctx, b.ID, "raw/b", 1)
	require.NoError(t, err)

	all, err := c.ListVideos(ctx, catalog.ListFilter{})
	require.NoError(t, err)
	require.Equal(t, []string{b.ID, a.ID}, []string{all[0].ID, all[1].ID})
	q, _ := c.ListVideos(ctx, catalog.ListFilter{Status: media.StatusQueued})
	require.Len(t, q, 1)
	s, _ := c.ListVideos(ctx, catalog.ListFilter{Query: "50%"})
	require.Len(t, s, 1)
	s, _ = c.ListVideos(ctx, catalog.ListFilter{Query: "%"})
	require.Len(t, s, 1, "LIKE wildcards are escaped")

	k, err := c.CreateAPIKey(ctx, "admin", "hash1", true)
	require.NoError(t, err)
	k2, err := c.CreateAPIKey(ctx, "admin", "hash1", true)
	require.NoError(t, err)
	require.Equal(t, k.ID, k2.ID)
	got, err := c.APIKeyByHash(ctx, "hash1")
	require.NoError(t, err)
	require.Equal(t, access.AllScopes, got.Scopes)
	_, err = c.APIKeyByHash(ctx, "nope")
	require.ErrorIs(t, err, media.ErrUnauthorized)

	require.NoError(t, c.DeleteVideo(ctx, a.ID))
	require.ErrorIs(t, c.DeleteVideo(ctx, a.ID), media.ErrNotFound)
}

// testConcurrentFanIn: many finishers at once, exactly one sees the counter
// reach zero (the row lock serialises them on PostgreSQL).
func testConcurrentFanIn(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: "fan"})
	require.NoError(t, err)
	run, err := c.StartRun(ctx, v.ID, "raw/x", 1)
	require.NoError(t, err)
	ok, err := c.BeginProcessing(ctx, v.ID, run)
	require.NoError(t, err)
	require.True(t, ok)
	const n = 12
	var steps []catalog.Step
	for i := range n {
		steps = append(steps, catalog.Step{Name: fmt.Sprintf("chunk-%d", i), Weight: 1})
	}
	require.NoError(t, c.SavePlan(ctx, v.ID, run, media.Source{Duration: 1}, media.Plan{}, steps, n))
	var wg sync.WaitGroup
	var mu sync.Mutex
	lasts := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last, err := c.FinishParallelStep(ctx, v.ID, run, fmt.Sprintf("chunk-%d", i))
			require.NoError(t, err)
			if last {
				mu.Lock()
				lasts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 1, lasts)
}

func testAccounts(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)

	n, err := c.CountUsers(ctx, "")
	require.NoError(t, err)
	require.Zero(t, n)
	u, err := c.CreateUser(ctx, catalog.NewUser{Email: "Ann@Example.com", PasswordHash: "h1", Role: access.RoleUploader, Groups: []string{"staff"}})
	require.NoError(t, err)
	require.Equal(t, "ann@example.com", u.Email, "emails are stored lower-case")
	require.Equal(t, []string{"staff"}, u.Groups)
	_, err = c.CreateUser(ctx, catalog.NewUser{Email: "ann@example.COM", PasswordHash: "h", Role: access.RoleViewer})
	require.ErrorIs(t, err, media.ErrConflict)
	admins, err := c.CountUsers(ctx, access.RoleAdmin)
	require.NoError(t, err)
	require.Zero(t, admins)

	cr, err := c.CredentialsByEmail(ctx, "ANN@example.com")
	require.NoError(t, err)
	require.Equal(t, "h1", cr.PasswordHash)
	require.Equal(t, u.ID, cr.User.ID)
	_, err = c.CredentialsByEmail(ctx, "bob@example.com")
	require.ErrorIs(t, err, media.ErrNotFound)
	newHash := "h2"
	_, err = c.UpdateUser(ctx, u.ID, catalog.UserPatch{PasswordHash: &newHash})
	require.NoError(t, err)
	cr, _ = c.CredentialsByEmail(ctx, u.Email)
	require.Equal(t, "h2", cr.PasswordHash)

	// Sessions: found while live, gone once the user is disabled.
	require.NoError(t, c.CreateSession(ctx, "sess1", catalog.Session{UserID: u.ID, CSRFToken: "csrf", ExpiresAt: time.Now().Add(time.Hour)}))
	s, su, err := c.SessionUser(ctx, "sess1", time.Hour)
	require.NoError(t, err)
	require.Equal(t, "csrf", s.CSRFToken)
	require.Equal(t, u.ID, su.ID)
	require.NoError(t, c.CreateSession(ctx, "old", catalog.Session{UserID: u.ID, CSRFToken: "x", ExpiresAt: time.Now().Add(-time.Second)}))
	_, _, err = c.SessionUser(ctx, "old", time.Hour)
	require.ErrorIs(t, err, media.ErrUnauthorized, "expired")
	disabled := true
	_, err = c.UpdateUser(ctx, u.ID, catalog.UserPatch{Disabled: &disabled})
	require.NoError(t, err)
	_, _, err = c.SessionUser(ctx, "sess1", time.Hour)
	require.ErrorIs(t, err, media.ErrUnauthorized, "disabling ends sessions")

	// Keys: scoped, listed per user, revocable by their owner only.
	k, err := c.CreateUserAPIKey(ctx, u.ID, "ci", "khash", []access.Scope{access.ScopeRead})
	require.NoError(t, err)
	require.Equal(t, u.ID, k.UserID)
	require.Equal(t, []access.Scope{access.ScopeRead}, k.Scopes)
	require.NoError(t, c.TouchAPIKey(ctx, k))
	keys, err := c.ListAPIKeys(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NotNil(t, keys[0].LastUsedAt)
	require.ErrorIs(t, c.RevokeAPIKey(ctx, k.ID, "usr_other"), media.ErrNotFound)
	require.NoError(t, c.RevokeAPIKey(ctx, k.ID, u.ID))
	_, err = c.APIKeyByHash(ctx, "khash")
	require.ErrorIs(t, err, media.ErrUnauthorized, "revoked")

	// Invites are used once.
	require.NoError(t, c.CreateInvite(ctx, "inv", access.RoleViewer, u.ID, time.Now().Add(time.Hour)))
	role, err := c.InviteRole(ctx, "inv")
	require.NoError(t, err)
	require.Equal(t, access.RoleViewer, role)
	require.NoError(t, c.UseInvite(ctx, "inv", "usr_x"))
	require.ErrorIs(t, c.UseInvite(ctx, "inv", "usr_y"), media.ErrForbidden)

	var wins sync.WaitGroup
	var won atomic.Int32
	for range 4 {
		wins.Go(func() {
			if ok, err := c.ClaimSetup(ctx); err == nil && ok {
				won.Add(1)
			}
		})
	}
	wins.Wait()
	require.EqualValues(t, 1, won.Load(), "exactly one caller sets up the first account")

	v, err := c.Setting(ctx, "signup", "closed")
	require.NoError(t, err)
	require.Equal(t, "closed", v)
	require.NoError(t, c.SetSetting(ctx, "signup", "open"))
	require.NoError(t, c.SetSetting(ctx, "signup", "invite"))
	v, _ = c.Setting(ctx, "signup", "closed")
	require.Equal(t, "invite", v)

	_, err = c.CreateWebhookEndpoint(ctx, catalog.WebhookEndpoint{OwnerID: u.ID, URL: "https://hooks.example/k", Secret: "s", Events: []string{"video.ready"}})
	require.NoError(t, err)
	require.NoError(t, c.DeleteUser(ctx, u.ID))
	require.ErrorIs(t, c.DeleteUser(ctx, u.ID), media.ErrNotFound)
	eps, err := c.WebhookEndpoints(ctx, u.ID)
	require.NoError(t, err)
	require.Empty(t, eps, "a deleted user's webhooks go with them")
}

// testVisibility: listing shows each viewer exactly what they may see.
func testVisibility(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)
	mk := func(title, owner string, vis access.Visibility, users, groups []string) {
		v, err := c.CreateVideo(ctx, catalog.NewVideo{Title: title, OwnerID: owner, Visibility: vis})
		require.NoError(t, err)
		_, err = c.UpdateVideo(ctx, v.ID, catalog.VideoPatch{AllowedUsers: users, AllowedGroups: groups})
		require.NoError(t, err)
	}
	mk("ann-private", "usr_ann", access.Private, nil, nil)
	mk("ann-unlisted", "usr_ann", access.Unlisted, nil, nil)
	mk("ann-public", "usr_ann", access.Public, nil, nil)
	mk("ann-for-bob", "usr_ann", access.Restricted, []string{"usr_bob"}, nil)
	mk("ann-for-staff", "usr_ann", access.Restricted, nil, []string{"staff"})
	mk("ann-for-bobby", "usr_ann", access.Restricted, []string{"usr_bobby"}, []string{"staff_x"})

	titles := func(p access.Principal) []string {
		vs, err := c.ListVideos(ctx, catalog.ListFilter{Viewer: &p})
		require.NoError(t, err)
		var out []string
		for _, v := range vs {
			require.True(t, access.CanView(p, v.Resource()), "listed %s must be viewable", v.Title)
			out = append(out, v.Title)
		}
		return out
	}
	read := []access.Scope{access.ScopeRead}
	require.ElementsMatch(t, []string{"ann-public"}, titles(access.Principal{}))
	require.ElementsMatch(t, []string{"ann-private", "ann-unlisted", "ann-public", "ann-for-bob", "ann-for-staff", "ann-for-bobby"},
		titles(access.Principal{ID: "usr_ann", Scopes: read}))
	require.ElementsMatch(t, []string{"ann-public", "ann-for-bob"}, titles(access.Principal{ID: "usr_bob", Scopes: read}))
	require.ElementsMatch(t, []string{"ann-public", "ann-for-staff"}, titles(access.Principal{ID: "usr_cy", Groups: []string{"staff"}, Scopes: read}))
	require.Len(t, titles(access.Principal{ID: "usr_root", Scopes: access.AllScopes}), 6)
	require.ElementsMatch(t, []string{"ann-private", "ann-unlisted", "ann-public", "ann-for-bob", "ann-for-staff", "ann-for-bobby"},
		titles(access.Principal{ID: "usr_ann", Scopes: []access.Scope{access.ScopeUpload}}), "an upload-only key lists its own")
	require.ElementsMatch(t, []string{"ann-public"}, titles(access.Principal{ID: "usr_bob", Scopes: []access.Scope{access.ScopeUpload}}),
		"restricted sharing needs read")

	vis := access.Public
	title := "renamed"
	vs, _ := c.ListVideos(ctx, catalog.ListFilter{OwnerID: "usr_ann", Query: "ann-private"})
	require.Len(t, vs, 1)
	v, err := c.UpdateVideo(ctx, vs[0].ID, catalog.VideoPatch{Title: &title, Visibility: &vis})
	require.NoError(t, err)
	require.Equal(t, "renamed", v.Title)
	require.Equal(t, access.Public, v.Visibility)
	_, err = c.UpdateVideo(ctx, "nope", catalog.VideoPatch{Title: &title})
	require.ErrorIs(t, err, media.ErrNotFound)
}

// testWebhooks: endpoints are per owner (others see 404), only enabled and
// subscribed ones receive an event, and the delivery log records attempts.
func testWebhooks(t *testing.T, setup func(*testing.T) *catalog.Catalog) {
	ctx := context.Background()
	c := setup(t)

	ep, err := c.CreateWebhookEndpoint(ctx, catalog.WebhookEndpoint{OwnerID: "usr_a", URL: "https://example.com/hook",
		Secret: "whsec_x", Events: []string{"video.ready", "video.failed"}})
	require.NoError(t, err)
	require.NotEmpty(t, ep.ID)
	require.Equal(t, []string{"video.ready", "video.failed"}, ep.Events)
	require.Equal(t, "whsec_x", ep.Secret)
	require.False(t, ep.Disabled)
	other, err := c.CreateWebhookEndpoint(ctx, catalog.WebhookEndpoint{OwnerID: "usr_b", URL: "https://example.org/",
		Secret: "whsec_y", Events: []string{"upload.completed"}})
	require.NoError(t, err)

	got, err := c.WebhookEndpoint(ctx, ep.ID, "usr_a")
	require.NoError(t, err)
	require.Equal(t, ep, got)
	_, err = c.WebhookEndpoint(ctx, ep.ID, "usr_b")
	require.ErrorIs(t, err, media.ErrNotFound, "another owner's endpoint does not exist for them")
	_, err = c.WebhookEndpoint(ctx, ep.ID, "*")
	require.NoError(t, err)
	list, err := c.WebhookEndpoints(ctx, "usr_a")
	require.NoError(t, err)
	require.Len(t, list, 1)
	all, err := c.WebhookEndpoints(ctx, "*")
	require.NoError(t, err)
	require.Len(t, all, 2)

	subs, err := c.SubscribedWebhookEndpoints(ctx, "usr_a", "video.ready")
	require.NoError(t, err)
	require.Len(t, subs, 1)
	subs, err = c.SubscribedWebhookEndpoints(ctx, "usr_a", "upload.completed")
	require.NoError(t, err)
	require.Empty(t, subs, "not subscribed")
	require.ErrorIs(t, c.SetWebhookEndpointDisabled(ctx, ep.ID, "usr_b", true), media.ErrNotFound)
	require.NoError(t, c.SetWebhookEndpointDisabled(ctx, ep.ID, "usr_a", true))
	subs, err = c.SubscribedWebhookEndpoints(ctx, "usr_a", "video.ready")
	require.NoError(t, err)
	require.Empty(t, subs, "disabled")
	require.NoError(t, c.SetWebhookEndpointDisabled(ctx, ep.ID, "*", false))

	// Deliveries: pending, then attempts, then delivered; newest first.
	var ids []string
	for i := range 3 {
		id := catalog.NewWebhookDeliveryID()
		d, err := c.CreateWebhookDelivery(ctx, id, ep.ID, "video.ready", []byte(fmt.Sprintf(`{"n":%d}`, i)))
		require.NoError(t, err)
		require.Equal(t, catalog.DeliveryPending, d.State)
		require.JSONEq(t, fmt.Sprintf(`{"n":%d}`, i), string(d.Payload))
		require.Nil(t, d.DeliveredAt)
		ids = append(ids, id)
		time.Sleep(2 * time.Millisecond) // distinct created_at
	}
	require.NoError(t, c.UpdateWebhookDelivery(ctx, ids[0], catalog.WebhookDeliveryUpdate{
		State: catalog.DeliveryPending, Attempts: 1, ResponseCode: 500, LastError: "HTTP 500"}))
	require.NoError(t, c.UpdateWebhookDelivery(ctx, ids[0], catalog.WebhookDeliveryUpdate{
		State: catalog.DeliveryDelivered, Attempts: 2, ResponseCode: 204}))
	d, err := c.WebhookDelivery(ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, catalog.DeliveryDelivered, d.State)
	require.Equal(t, 2, d.Attempts)
	require.Equal(t, 204, d.ResponseCode)
	require.NotNil(t, d.DeliveredAt)
	require.ErrorIs(t, c.UpdateWebhookDelivery(ctx, "whd_missing", catalog.WebhookDeliveryUpdate{State: catalog.DeliveryFailed}),
		media.ErrNotFound)

	log, err := c.WebhookDeliveries(ctx, ep.ID, 2)
	require.NoError(t, err)
	require.Len(t, log, 2)
	require.Equal(t, ids[2], log[0].ID, "newest first")
	require.Equal(t, ids[1], log[1].ID)
	log, err = c.WebhookDeliveries(ctx, other.ID, 10)
	require.NoError(t, err)
	require.Empty(t, log)

	// Deleting is per owner and takes the log along.
	require.ErrorIs(t, c.DeleteWebhookEndpoint(ctx, ep.ID, "usr_b"), media.ErrNotFound)
	require.NoError(t, c.DeleteWebhookEndpoint(ctx, ep.ID, "usr_a"))
	_, err = c.WebhookDelivery(ctx, ids[0])
	require.ErrorIs(t, err, media.ErrNotFound)
	require.ErrorIs(t, c.DeleteWebhookEndpoint(ctx, ep.ID, "usr_a"), media.ErrNotFound)
}
