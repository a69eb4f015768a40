package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
)

// shared is the part of a video's JSON that says who may see it.
type shared struct {
	ID            string            `json:"id"`
	Title         string            `json:"title"`
	OwnerID       string            `json:"owner_id"`
	Visibility    access.Visibility `json:"visibility"`
	AllowedUsers  []string          `json:"allowed_users"`
	AllowedGroups []string          `json:"allowed_groups"`
}

// createAs has u's browser create a video.
func (b *bundle) createAs(t *testing.T, u *account, title string, vis access.Visibility) video {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"title": title, "visibility": vis})
	resp, body := b.do(t, u.as(jsonCall(http.MethodPost, "/api/v1/videos", string(req))))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	s := decode[shared](t, body)
	require.Equal(t, u.ID, s.OwnerID)
	require.Equal(t, vis, s.Visibility)
	return decode[video](t, body)
}

// patchAs has u's browser change a video and returns the status and body.
func (b *bundle) patchAs(t *testing.T, u *account, id, req string) (int, []byte) {
	t.Helper()
	resp, body := b.do(t, u.as(jsonCall(http.MethodPatch, "/api/v1/videos/"+id, req)))
	return resp.StatusCode, body
}

// listed returns the ids in GET path as the caller of c sees it.
func (b *bundle) listed(t *testing.T, c call, path string) []string {
	t.Helper()
	c.method, c.path = http.MethodGet, path
	resp, body := b.do(t, c)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var ids []string
	for _, v := range decode[struct{ Videos []shared }](t, body).Videos {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

// hlsURL returns the signed HLS URL the caller of c gets for video id.
func (b *bundle) hlsURL(t *testing.T, id string, c call) string {
	t.Helper()
	c.method, c.path = http.MethodGet, "/api/v1/videos/"+id
	resp, body := b.do(t, c)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	pb := decode[video](t, body).Playback
	require.NotNil(t, pb, string(body))
	return pb.HLS
}

// publish walks a video through processing to ready, with a master
// playlist in the store.
func (b *bundle) publish(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	run, err := b.cat.StartRun(ctx, id, "raw/"+id+"/source", 1234)
	require.NoError(t, err)
	ok, err := b.cat.BeginProcessing(ctx, id, run)
	require.NoError(t, err)
	require.True(t, ok)
	src := media.Source{Duration: 2, HasVideo: true, Width: 320, Height: 240}
	plan := media.Plan{Kind: media.KindVideo, Duration: 2, SegmentSeconds: 2}
	require.NoError(t, b.cat.SavePlan(ctx, id, run, src, plan, []catalog.Step{{Name: "package", Weight: 1}}, 0))
	require.NoError(t, b.cat.SaveRenditions(ctx, id, run, []media.Rendition{
		{ID: "v0", Type: media.KindVideo, Width: 320, Height: 240, FPSNum: 25, FPSDen: 1, Bitrate: 400_000,
			MaxRate: 600_000, BufSize: 800_000, Codecs: "avc1.64000d", AverageBandwidth: 380_000, PeakBandwidth: 550_000},
	}))
	ok, err = b.cat.Publish(ctx, id, run)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = b.store.Put(ctx, "media/"+id+"/master.m3u8", strings.NewReader("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv0/index.m3u8\n"))
	require.NoError(t, err)
}

// TestIDOR: another user's video is invisible on every path, answered
// exactly like an id that does not exist.
func TestIDOR(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	_, otherKey := b.newKey(t, other, access.ScopeRead, access.ScopeUpload)
	const title = "Owner's private diary"
	v := b.createAs(t, owner, title, access.Private)
	require.NotNil(t, v.Upload, "the owner gets the upload grant")
	ready := b.createAs(t, owner, title+" (ready)", access.Private)
	b.publish(t, ready.ID)
	secrets := []string{v.ID, ready.ID, title, "diary", v.Upload.URL, "token="}

	// Every way in, for other's session, other's key and nobody.
	probes := func(id string) []struct {
		c      call
		status int
	} {
		return []struct {
			c      call
			status int
		}{
			{call{method: http.MethodGet, path: "/api/v1/videos/" + id}, 404},
			{jsonCall(http.MethodPatch, "/api/v1/videos/"+id, `{"title":"mine now","visibility":"public"}`), 404},
			{call{method: http.MethodDelete, path: "/api/v1/videos/" + id}, 404},
			{call{method: http.MethodPost, path: "/api/v1/videos/" + id + "/playback-cookie"}, 404},
			{call{method: http.MethodPost, path: "/api/v1/videos/" + id + "/retry"}, 404},
		}
	}
	callers := map[string]func(call) call{
		"other's session": other.as,
		"other's key":     func(c call) call { return keyed(otherKey, c) },
		"anonymous":       func(c call) call { return c },
	}
	for name, as := range callers {
		for _, id := range []string{v.ID, ready.ID} {
			for i, p := range probes(id) {
				resp, body := b.do(t, as(p.c))
				_, missing := b.do(t, as(probes("nosuchvideo")[i].c))
				status, code := p.status, "not_found"
				if name == "anonymous" && p.c.method != http.MethodGet && !strings.HasSuffix(p.c.path, "/playback-cookie") {
					status, code = http.StatusUnauthorized, "unauthorized"
				}
				requireRefused(t, resp, body, status, code, secrets...)
				require.Equal(t, string(missing), string(body), "%s %s %s: same as a missing id", name, p.c.method, p.c.path)
				require.Nil(t, cookieNamed(resp, delivery.CookieName), name)
			}
		}
		for _, path := range []string{"/api/v1/videos", "/api/v1/videos?q=diary", "/api/v1/videos?status=ready", "/api/v1/videos?mine=1"} {
			if name == "anonymous" && strings.Contains(path, "mine") {
				continue
			}
			resp, body := b.do(t, as(call{method: http.MethodGet, path: path}))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			for _, s := range secrets {
				require.NotContains(t, string(body), s, "%s %s", name, path)
			}
		}
	}
	// Nothing changed.
	resp, body := b.do(t, owner.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got := decode[shared](t, body)
	require.Equal(t, title, got.Title)
	require.Equal(t, access.Private, got.Visibility)
	require.Equal(t, sorted(ready.ID, v.ID), b.listed(t, owner.cookieOnly(call{}), "/api/v1/videos"))

	// Public: other may watch but not change, and gets no upload grant
	// and no sharing lists.
	status, body := b.patchAs(t, owner, v.ID, `{"visibility":"public","allowed_users":["`+other.ID+`"],"allowed_groups":["team"]}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, []string{"team"}, decode[shared](t, body).AllowedGroups, "the owner sees the lists")
	for name, as := range callers {
		resp, body := b.do(t, as(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
		require.Equal(t, http.StatusOK, resp.StatusCode, name)
		require.Nil(t, decode[video](t, body).Upload, name)
		require.NotContains(t, string(body), "token=", name)
		s := decode[shared](t, body)
		require.Empty(t, s.AllowedUsers, name)
		require.Empty(t, s.AllowedGroups, name)
		require.Contains(t, b.listed(t, as(call{}), "/api/v1/videos"), v.ID, name)
		if name == "anonymous" {
			continue
		}
		for _, c := range []call{
			jsonCall(http.MethodPatch, "/api/v1/videos/"+v.ID, `{"title":"defaced"}`),
			{method: http.MethodDelete, path: "/api/v1/videos/" + v.ID},
			{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/retry"},
		} {
			resp, body := b.do(t, as(c))
			requireRefused(t, resp, body, http.StatusForbidden, "forbidden", v.Upload.URL)
		}
	}
	resp, body = b.do(t, owner.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, title, decode[shared](t, body).Title)
	require.NotNil(t, decode[video](t, body).Upload)

	// An admin may see and change anything.
	admin := b.addUser(t, access.RoleAdmin)
	status, body = b.patchAs(t, admin, ready.ID, `{"title":"moderated"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	resp, body = b.do(t, admin.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, decode[video](t, body).Upload)
	resp, _ = b.do(t, admin.as(call{method: http.MethodDelete, path: "/api/v1/videos/" + ready.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
}

// TestOwnerRetries: the owner of a failed video may requeue it; an
// uploader who can watch it but does not own it may not.
func TestOwnerRetries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	v := b.createAs(t, owner, "broken upload", access.Public)
	run, err := b.cat.StartRun(ctx, v.ID, "raw/"+v.ID+"/source", 1234)
	require.NoError(t, err)
	ok, err := b.cat.Fail(ctx, v.ID, run, "The file could not be decoded.")
	require.NoError(t, err)
	require.True(t, ok)

	retry := call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/retry"}
	resp, body := b.do(t, other.as(retry))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	resp, body = b.do(t, owner.as(retry))
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	require.Equal(t, media.StatusQueued, decode[video](t, body).Status)
	resp, body = b.do(t, owner.as(retry))
	requireRefused(t, resp, body, http.StatusConflict, "conflict")
}

// TestUnsharingRevokesPlayback: URLs handed out while a video was shared
// stop playing the moment it is unshared; a rename revokes nothing, and
// the owner gets URLs that play.
func TestUnsharingRevokesPlayback(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	friend := b.addUser(t, access.RoleViewer)
	v := b.createAs(t, owner, "home movie", access.Public)
	b.publish(t, v.ID)
	plays := func(u string) int {
		t.Helper()
		resp, _ := b.do(t, call{method: http.MethodGet, path: u})
		return resp.StatusCode
	}
	anon := b.hlsURL(t, v.ID, call{})
	require.Equal(t, http.StatusOK, plays(anon))

	status, body := b.patchAs(t, owner, v.ID, `{"title":"renamed"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, http.StatusOK, plays(anon), "a rename revokes nothing")

	// Restricted to the friend: the anonymous link dies, the friend's works.
	status, body = b.patchAs(t, owner, v.ID, `{"visibility":"restricted","allowed_users":["`+friend.ID+`"]}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, http.StatusForbidden, plays(anon))
	friendURL := b.hlsURL(t, v.ID, friend.cookieOnly(call{}))
	require.Equal(t, http.StatusOK, plays(friendURL))

	// Taking the friend off the list kills their link too; the owner's
	// fresh one plays.
	status, body = b.patchAs(t, owner, v.ID, `{"allowed_users":[]}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, http.StatusForbidden, plays(friendURL))
	require.Equal(t, http.StatusOK, plays(b.hlsURL(t, v.ID, owner.cookieOnly(call{}))))
}

// TestUnsharingDuringARequest: a grant for a video read just before its
// sharing narrowed, but signed just after, is as old as the read and so
// refused with the rest (the race is staged inside PlaybackFunc).
func TestUnsharingDuringARequest(t *testing.T) {
	t.Parallel()
	var b *bundle
	var unshare func()
	b = setupWith(t, func(s *api.Server) {
		sign := s.PlaybackFunc
		s.PlaybackFunc = func(base string, client netip.Addr, userID string, v media.Video, issuedAt time.Time) (delivery.Playback, error) {
			if unshare != nil {
				unshare()
				unshare = nil
			}
			return sign(base, client, userID, v, issuedAt)
		}
	})
	owner := b.addUser(t, access.RoleUploader)
	v := b.createAs(t, owner, "leaky", access.Public)
	b.publish(t, v.ID)
	unshare = func() {
		private := access.Private
		_, err := b.cat.UpdateVideo(context.Background(), v.ID, catalog.VideoPatch{Visibility: &private})
		require.NoError(t, err)
	}
	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID})
	require.Equal(t, http.StatusOK, resp.StatusCode, "read while still public")
	pb := decode[video](t, body).Playback
	require.NotNil(t, pb)
	resp, _ = b.do(t, call{method: http.MethodGet, path: pb.HLS})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "signed after the unsharing, but for what was read before it")
}

func sorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// TestRestrictedVideos: a restricted video reaches the named users and
// the members of the named groups, nobody else.
func TestRestrictedVideos(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	member := b.addUser(t, access.RoleViewer, "team")
	outsider := b.addUser(t, access.RoleViewer, "teams", "other")
	named := b.addUser(t, access.RoleViewer)
	const title = "Team meeting"
	v := b.createAs(t, owner, title, access.Restricted)

	sees := func(u *account) bool {
		t.Helper()
		resp, body := b.do(t, u.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
		inList := slices.Contains(b.listed(t, u.cookieOnly(call{}), "/api/v1/videos"), v.ID)
		if resp.StatusCode == http.StatusOK {
			require.True(t, inList, "a video one may see is listed")
			s := decode[shared](t, body)
			require.Empty(t, s.AllowedUsers, "viewers do not learn who else may watch")
			require.Empty(t, s.AllowedGroups)
			return true
		}
		requireRefused(t, resp, body, http.StatusNotFound, "not_found", title, v.ID)
		require.False(t, inList)
		return false
	}
	require.False(t, sees(member), "no one is named yet")

	status, body := b.patchAs(t, owner, v.ID, `{"allowed_groups":["team"]}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.True(t, sees(member))
	require.False(t, sees(outsider), "group names match exactly")
	require.False(t, sees(named))

	status, body = b.patchAs(t, owner, v.ID, `{"allowed_users":["`+named.ID+`"],"allowed_groups":[]}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.Equal(t, []string{named.ID}, decode[shared](t, body).AllowedUsers)
	require.True(t, sees(named))
	require.False(t, sees(member), "an empty list clears it")
	require.False(t, sees(outsider))

	// Being allowed to watch is not being allowed to change.
	status, body = b.patchAs(t, named, v.ID, `{"allowed_users":["`+outsider.ID+`"]}`)
	require.Equal(t, http.StatusForbidden, status, string(body))
	// Visibility private ignores the lists.
	status, _ = b.patchAs(t, owner, v.ID, `{"visibility":"private"}`)
	require.Equal(t, http.StatusOK, status)
	require.False(t, sees(named))

	// Adding a user to the group on the account reaches live sessions.
	status, _ = b.patchAs(t, owner, v.ID, `{"visibility":"restricted","allowed_groups":["team"]}`)
	require.Equal(t, http.StatusOK, status)
	resp, _ := b.do(t, keyed(adminKey, jsonCall(http.MethodPatch, "/api/v1/users/"+outsider.ID, `{"groups":["team"]}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, sees(outsider))

	// Bad sharing input is refused before it is stored.
	for _, req := range []string{
		`{"allowed_users":["someone@example.com"]}`, `{"allowed_users":["usr_%"]}`, `{"allowed_groups":["Team"]}`,
		`{"allowed_groups":["a\"b"]}`, `{"visibility":"friends"}`, `{"title":""}`, `{"owner_id":"` + named.ID + `"}`,
	} {
		c := owner.as(jsonCall(http.MethodPatch, "/api/v1/videos/"+v.ID, req))
		c.badRequest = true
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	}
	resp, body = b.do(t, owner.cookieOnly(call{method: http.MethodGet, path: "/api/v1/videos/" + v.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got := decode[shared](t, body)
	require.Equal(t, owner.ID, got.OwnerID)
	require.Equal(t, title, got.Title)
	require.Equal(t, []string{"team"}, got.AllowedGroups)
}

// TestListingFollowsVisibility: each caller lists exactly what they may see;
// unlisted videos play by id but are listed only for their owner and admins.
func TestListingFollowsVisibility(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	member := b.addUser(t, access.RoleViewer, "team")
	viewer := b.addUser(t, access.RoleViewer)
	uploader := b.addUser(t, access.RoleUploader)
	admin := b.addUser(t, access.RoleAdmin)
	_, ownerReadKey := b.newKey(t, owner, access.ScopeRead)

	ids := map[access.Visibility]string{}
	for _, vis := range []access.Visibility{access.Private, access.Unlisted, access.Public, access.Restricted} {
		ids[vis] = b.createAs(t, owner, string(vis), vis).ID
	}
	status, _ := b.patchAs(t, owner, ids[access.Restricted], `{"allowed_groups":["team"]}`)
	require.Equal(t, http.StatusOK, status)
	own := b.create(t, "the user key's own") // owned by the user-less key

	everything := sorted(ids[access.Private], ids[access.Unlisted], ids[access.Public], ids[access.Restricted])
	for name, tc := range map[string]struct {
		c    call
		want []string
	}{
		"anonymous":       {call{}, sorted(ids[access.Public])},
		"viewer":          {viewer.cookieOnly(call{}), sorted(ids[access.Public])},
		"group member":    {member.cookieOnly(call{}), sorted(ids[access.Public], ids[access.Restricted])},
		"other uploader":  {uploader.cookieOnly(call{}), sorted(ids[access.Public])},
		"owner":           {owner.cookieOnly(call{}), everything},
		"owner's key":     {keyed(ownerReadKey, call{}), everything},
		"admin":           {admin.cookieOnly(call{}), sorted(append(everything, own.ID)...)},
		"user-less key":   {keyed(userKey, call{}), sorted(ids[access.Public], own.ID)},
		"admin token key": {keyed(adminKey, call{}), sorted(append(everything, own.ID)...)},
	} {
		require.Equal(t, tc.want, b.listed(t, tc.c, "/api/v1/videos"), name)
	}
	require.Equal(t, []string(nil), b.listed(t, uploader.cookieOnly(call{}), "/api/v1/videos?mine=1"))
	require.Equal(t, everything, b.listed(t, owner.cookieOnly(call{}), "/api/v1/videos?mine=1"))
	require.Equal(t, sorted(ids[access.Unlisted]), b.listed(t, owner.cookieOnly(call{}), "/api/v1/videos?q=unlisted"))
	require.Equal(t, []string(nil), b.listed(t, viewer.cookieOnly(call{}), "/api/v1/videos?q=unlisted"))

	// Unlisted plays for anyone who has the id.
	resp, body := b.do(t, call{method: http.MethodGet, path: "/api/v1/videos/" + ids[access.Unlisted]})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Nil(t, decode[video](t, body).Upload)
}

// TestLiveStreamsArePrivate: a stream and its key belong to its creator.
func TestLiveStreamsArePrivate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	viewer := b.addUser(t, access.RoleViewer)
	admin := b.addUser(t, access.RoleAdmin)

	resp, body := b.do(t, owner.as(jsonCall(http.MethodPost, "/api/v1/live", `{"title":"Owner's show"}`)))
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	st := decode[struct {
		ID        string `json:"id"`
		StreamKey string `json:"stream_key"`
		OwnerID   string `json:"owner_id"`
	}](t, body)
	require.Equal(t, owner.ID, st.OwnerID)
	require.NotEmpty(t, st.StreamKey)
	secrets := []string{st.ID, st.StreamKey, "Owner's show"}

	streams := func(c call) []string {
		t.Helper()
		c.method, c.path = http.MethodGet, "/api/v1/live"
		resp, body := b.do(t, c)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var ids []string
		for _, s := range decode[struct{ Streams []struct{ ID string } }](t, body).Streams {
			ids = append(ids, s.ID)
		}
		return ids
	}
	require.Equal(t, []string{st.ID}, streams(owner.cookieOnly(call{})))
	require.Equal(t, []string{st.ID}, streams(admin.cookieOnly(call{})))
	require.Empty(t, streams(other.cookieOnly(call{})))
	resp, body = b.do(t, admin.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live/" + st.ID}))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), st.StreamKey)

	resp, body = b.do(t, other.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live/" + st.ID}))
	_, missing := b.do(t, other.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live/nosuch"}))
	requireRefused(t, resp, body, http.StatusNotFound, "not_found", secrets...)
	require.Equal(t, string(missing), string(body))
	_, body = b.do(t, other.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live"}))
	for _, s := range secrets {
		require.NotContains(t, string(body), s)
	}

	for _, c := range []call{
		viewer.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live"}),
		viewer.cookieOnly(call{method: http.MethodGet, path: "/api/v1/live/" + st.ID}),
		viewer.as(jsonCall(http.MethodPost, "/api/v1/live", `{"title":"x"}`)),
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusForbidden, "forbidden", secrets...)
	}
	for _, c := range []call{
		{method: http.MethodGet, path: "/api/v1/live"},
		{method: http.MethodGet, path: "/api/v1/live/" + st.ID},
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusUnauthorized, "unauthorized", secrets...)
	}
}

// TestPlaybackCookie: the cookie endpoint authorises plain media URLs for
// one video, for those who may see it.
func TestPlaybackCookie(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleViewer)
	v := b.createAs(t, owner, "cookie", access.Private)
	w := b.createAs(t, owner, "another", access.Private)
	b.publish(t, v.ID)
	b.publish(t, w.ID)

	for _, c := range []call{
		{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/playback-cookie"},
		other.as(call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/playback-cookie"}),
	} {
		resp, body := b.do(t, c)
		requireRefused(t, resp, body, http.StatusNotFound, "not_found", v.ID, "/media/")
		require.Nil(t, cookieNamed(resp, delivery.CookieName))
	}

	resp, body := b.do(t, owner.as(call{method: http.MethodPost, path: "/api/v1/videos/" + v.ID + "/playback-cookie"}))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	c := cookieNamed(resp, delivery.CookieName)
	require.NotNil(t, c)
	require.Equal(t, "/media/"+v.ID+"/", c.Path)
	require.True(t, c.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	require.False(t, c.Secure, "plain http test server")
	require.Empty(t, c.Domain)
	pb := decode[delivery.Playback](t, body)
	require.Equal(t, b.srv.URL+"/media/"+v.ID+"/master.m3u8", pb.HLS)
	require.NotContains(t, string(body), "token=", "plain URLs: the credential is the cookie")

	// The plain URL plays with the cookie, and only with it.
	resp, body = b.do(t, call{method: http.MethodGet, path: pb.HLS, cookies: []*http.Cookie{c}})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.True(t, strings.HasPrefix(string(body), "#EXTM3U"))
	require.NotContains(t, string(body), "token=")
	resp, body = b.do(t, call{method: http.MethodGet, path: pb.HLS})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.NotContains(t, string(body), "EXTM3U")
	// Not for another video, even of the same owner.
	resp, body = b.do(t, call{method: http.MethodGet, path: b.srv.URL + "/media/" + w.ID + "/master.m3u8", cookies: []*http.Cookie{c}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.NotContains(t, string(body), "EXTM3U")
	// A tampered cookie is worthless.
	bad := *c
	bad.Value = strings.ToUpper(c.Value[:8]) + c.Value[8:]
	resp, _ = b.do(t, call{method: http.MethodGet, path: pb.HLS, cookies: []*http.Cookie{&bad}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Only ready videos; public ones for anybody.
	waiting := b.createAs(t, owner, "waiting", access.Public)
	resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/videos/" + waiting.ID + "/playback-cookie"})
	requireRefused(t, resp, body, http.StatusConflict, "conflict")
	status, _ := b.patchAs(t, owner, w.ID, `{"visibility":"public"}`)
	require.Equal(t, http.StatusOK, status)
	resp, body = b.do(t, call{method: http.MethodPost, path: "/api/v1/videos/" + w.ID + "/playback-cookie"})
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, "/media/"+w.ID+"/", cookieNamed(resp, delivery.CookieName).Path)
}

// TestPrefixCookie: an admin can get one cookie for a whole path prefix;
// nobody else can, and the prefix cannot be widened.
func TestPrefixCookie(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.addUser(t, access.RoleUploader)
	v := b.createAs(t, owner, "one", access.Private)
	w := b.createAs(t, owner, "two", access.Private)
	b.publish(t, v.ID)
	b.publish(t, w.ID)

	resp, body := b.do(t, owner.as(jsonCall(http.MethodPost, "/api/v1/playback-cookie", `{"prefix":"/media/"}`)))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	require.Nil(t, cookieNamed(resp, delivery.CookieName))
	for _, bad := range []string{"/", "/media", "/other/", "/media/../", "/media/a*/", "/media/%2e%2e/", "/media//"} {
		resp, body := b.do(t, keyed(adminKey, jsonCall(http.MethodPost, "/api/v1/playback-cookie", `{"prefix":"`+bad+`"}`)))
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
		require.Nil(t, cookieNamed(resp, delivery.CookieName), bad)
	}

	resp, body = b.do(t, keyed(adminKey, jsonCall(http.MethodPost, "/api/v1/playback-cookie", `{"prefix":"/media/"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	c := cookieNamed(resp, delivery.CookieName)
	require.NotNil(t, c)
	require.Equal(t, "/media/", c.Path)
	require.True(t, c.HttpOnly)
	for _, id := range []string{v.ID, w.ID} {
		resp, body = b.do(t, call{method: http.MethodGet, path: b.srv.URL + "/media/" + id + "/master.m3u8", cookies: []*http.Cookie{c}})
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	}

	// A narrower prefix grants only what is under it.
	resp, body = b.do(t, keyed(adminKey, jsonCall(http.MethodPost, "/api/v1/playback-cookie", `{"prefix":"/media/`+v.ID+`/"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	c = cookieNamed(resp, delivery.CookieName)
	resp, _ = b.do(t, call{method: http.MethodGet, path: b.srv.URL + "/media/" + w.ID + "/master.m3u8", cookies: []*http.Cookie{c}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}
