package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/caption"
	"github.com/kinema/kinema/internal/media"
)

type captionJSON struct {
	ID, Language, Label, Kind, Origin, URL string
	Cues                                   int
}

// TestCaptionsAPI: upload SubRip and WebVTT, list, delete; malformed,
// oversized and wrongly typed files are refused with a clear 4xx; script
// in a cue is escaped; chapters are set and checked. A ready video's
// manifests are republished after every change.
func TestCaptionsAPI(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var changed []string
	b := setupWith(t, func(s *api.Server) {
		s.TextChangedFunc = func(_ context.Context, id string) error {
			mu.Lock()
			defer mu.Unlock()
			changed = append(changed, id)
			return nil
		}
	})
	owner := b.addUser(t, access.RoleUploader)
	other := b.addUser(t, access.RoleUploader)
	v := b.createAs(t, owner, "captioned", access.Unlisted)
	b.publish(t, v.ID)
	base := "/api/v1/videos/" + v.ID + "/captions"
	upload := func(u *account, query, contentType, body string) (*http.Response, []byte) {
		// kin-openapi decodes no caption types but text/plain: those
		// requests go unchecked, the responses are still checked.
		return b.do(t, u.as(call{method: http.MethodPost, path: base + query, contentType: contentType, body: body,
			badRequest: contentType != "text/plain"}))
	}

	srt := "1\r\n00:00:00,500 --> 00:00:01,500\r\n<i>Hello</i> <font color=\"red\">there</font>\r\n\r\n2\r\n00:00:01,600 --> 00:00:01,900\r\nFish & chips\r\n"
	resp, body := upload(owner, "?language=en&label=English&kind=captions", "application/x-subrip", srt)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	en := decode[captionJSON](t, body)
	require.Equal(t, captionJSON{ID: en.ID, Language: "en", Label: "English", Kind: "captions", Origin: "upload", Cues: 2, URL: en.URL}, en)
	require.Contains(t, en.URL, "/media/"+v.ID+"/text_"+en.ID+"/all.vtt?token=")
	stored, err := b.cat.TextTrackBody(context.Background(), v.ID, en.ID)
	require.NoError(t, err)
	require.Equal(t, "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\n<i>Hello</i> there\n\n00:00:01.600 --> 00:00:01.900\nFish &amp; chips\n", string(stored), "SRT became WebVTT")

	hostile := "WEBVTT\n\n00:00.000 --> 00:01.000\n<script>alert(1)</script><img src=x onerror=alert(2)>\n"
	resp, body = upload(owner, "?language=fr", "text/vtt; charset=utf-8", hostile)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	fr := decode[captionJSON](t, body)
	require.Equal(t, "fr", fr.Label, "the label defaults to the language")
	stored, err = b.cat.TextTrackBody(context.Background(), v.ID, fr.ID)
	require.NoError(t, err)
	require.Contains(t, string(stored), "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;")

	// Refusals, each saying what is wrong.
	resp, body = upload(owner, "?language=en", "application/x-subrip", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\nbroken arrow\n")
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	require.Contains(t, string(body), "line 6")
	resp, body = upload(owner, "?language=en", "text/vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nbackwards\n")
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	require.Contains(t, string(body), "line 3: the cue ends before it starts")
	resp, body = upload(owner, "?language=en", "application/octet-stream", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	require.Contains(t, string(body), "UTF-8")
	resp, body = b.do(t, owner.as(call{method: http.MethodPost, path: base + "?language=en", contentType: "image/png", body: "WEBVTT\n", badRequest: true}))
	requireRefused(t, resp, body, http.StatusUnsupportedMediaType, "unsupported_media_type")
	big := "WEBVTT\n\n" + strings.Repeat("00:00:00.000 --> 00:00:01.000\n"+strings.Repeat("x", 1000)+"\n\n", caption.MaxFileBytes/1000)
	resp, body = upload(owner, "?language=en", "text/vtt", big)
	requireRefused(t, resp, body, http.StatusRequestEntityTooLarge, "too_large")
	for _, q := range []string{"", "?language=english!", "?language=en&label=" + strings.Repeat("a", 101), "?language=en&kind=karaoke"} {
		resp, body = b.do(t, owner.as(call{method: http.MethodPost, path: base + q, contentType: "text/vtt", body: hostile, badRequest: true}))
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	}
	resp, body = upload(other, "?language=en", "text/vtt", hostile)
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")

	// Anyone who may watch may list; the list carries signed URLs.
	resp, body = b.do(t, other.as(call{method: http.MethodGet, path: base}))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	list := decode[struct{ Captions []captionJSON }](t, body).Captions
	require.Len(t, list, 2)
	require.Equal(t, []string{en.ID, fr.ID}, []string{list[0].ID, list[1].ID})
	require.NotEmpty(t, list[1].URL)

	resp, body = b.do(t, other.as(call{method: http.MethodDelete, path: base + "/" + en.ID}))
	requireRefused(t, resp, body, http.StatusForbidden, "forbidden")
	resp, _ = b.do(t, owner.as(call{method: http.MethodDelete, path: base + "/" + en.ID}))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, body = b.do(t, owner.as(call{method: http.MethodDelete, path: base + "/" + en.ID}))
	requireRefused(t, resp, body, http.StatusNotFound, "not_found")

	// Chapters.
	chaptersPath := "/api/v1/videos/" + v.ID + "/chapters"
	resp, body = b.do(t, owner.as(jsonCall(http.MethodPut, chaptersPath, `{"chapters":[{"start":0,"title":"Intro"},{"start":1.25,"title":"Part <2>"}]}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	got := decode[struct {
		Chapters []media.Chapter
		Origin   string
	}](t, body)
	require.Equal(t, []media.Chapter{{Start: 0, Title: "Intro"}, {Start: 1.25, Title: "Part <2>"}}, got.Chapters)
	require.Equal(t, "api", got.Origin)
	for _, bad := range []string{
		`{"chapters":[{"start":1,"title":"b"},{"start":0.5,"title":"a"}]}`, // not increasing
		`{"chapters":[{"start":3,"title":"after the end"}]}`,               // the video lasts 2 s
		`{"chapters":[{"start":0,"title":""}]}`,
	} {
		resp, body = b.do(t, owner.as(call{method: http.MethodPut, path: chaptersPath, contentType: "application/json", body: bad, badRequest: true}))
		requireRefused(t, resp, body, http.StatusBadRequest, "invalid")
	}
	resp, body = b.do(t, other.as(call{method: http.MethodGet, path: chaptersPath}))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Len(t, decode[struct{ Chapters []media.Chapter }](t, body).Chapters, 2)

	mu.Lock()
	require.Equal(t, []string{v.ID, v.ID, v.ID, v.ID}, changed, "two uploads, a delete and chapters republished the ready video")
	mu.Unlock()

	// A video others may not see: 404 on every caption path.
	private := b.createAs(t, owner, "private", access.Private)
	for _, c := range []call{
		{method: http.MethodGet, path: "/api/v1/videos/" + private.ID + "/captions"},
		{method: http.MethodPost, path: "/api/v1/videos/" + private.ID + "/captions?language=en", contentType: "text/plain", body: hostile},
		{method: http.MethodGet, path: "/api/v1/videos/" + private.ID + "/chapters"},
	} {
		resp, body = b.do(t, other.as(c))
		requireRefused(t, resp, body, http.StatusNotFound, "not_found")
	}
}
