package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type details struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Tags         []string `json:"tags"`
	EmbedDomains []string `json:"embed_domains"`
}

func (b *bundle) patchKey(t *testing.T, id, body string) (int, []byte) {
	t.Helper()
	c := keyed(userKey, jsonCall(http.MethodPatch, "/api/v1/videos/"+id, body))
	c.badRequest = strings.Contains(body, "xxxxxxxx") || strings.Contains(body, "dddddddd") // breaks the documented maxLength on purpose
	resp, out := b.do(t, c)
	return resp.StatusCode, out
}

// TestVideoDetails: description, tags and embedding sites are edited,
// cleaned, validated, and searched.
func TestVideoDetails(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.create(t, "Harbour at dawn")
	time.Sleep(5 * time.Millisecond) // distinct creation times (milliseconds) for the orders below
	other := b.create(t, "Kitchen")

	code, body := b.patchKey(t, v.ID, `{"description":"Boats leave the FJORD early.","tags":[" Sea ","boats","sea","Long  Exposure"],"embed_domains":["https://blog.example.com/post/1","*.example.org","localhost:8080"]}`)
	require.Equal(t, http.StatusOK, code, string(body))
	d := decode[details](t, body)
	require.Equal(t, "Boats leave the FJORD early.", d.Description)
	require.Equal(t, []string{"sea", "boats", "long exposure"}, d.Tags)
	require.Equal(t, []string{"blog.example.com", "*.example.org", "localhost:8080"}, d.EmbedDomains)

	// Only the fields sent change.
	code, body = b.patchKey(t, v.ID, `{"title":"Harbour"}`)
	require.Equal(t, http.StatusOK, code, string(body))
	d = decode[details](t, body)
	require.Equal(t, []string{"sea", "boats", "long exposure"}, d.Tags)
	require.Equal(t, "Boats leave the FJORD early.", d.Description)

	code, body = b.patchKey(t, v.ID, `{"description":"Line one\nLine\ttwo"}`)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Equal(t, "Line one\nLine\ttwo", decode[details](t, body).Description)

	for _, bad := range []string{`{"title":"a\nb"}`, `{"description":"bidi \u202e"}`, `{"tags":["a\"b"]}`, `{"tags":["` + strings.Repeat("x", 41) + `"]}`,
		`{"embed_domains":["exa mple.com"]}`, `{"embed_domains":["example.com:99999"]}`, `{"embed_domains":["'none'"]}`,
		`{"description":"` + strings.Repeat("d", 5001) + `"}`} {
		code, body := b.patchKey(t, v.ID, bad)
		require.Equal(t, http.StatusBadRequest, code, "%s: %s", bad, body)
	}

	list := func(query string) []string {
		resp, body := b.do(t, keyed(userKey, call{method: http.MethodGet, path: "/api/v1/videos?" + query}))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var ids []string
		for _, v := range decode[struct{ Videos []details }](t, body).Videos {
			ids = append(ids, v.ID)
		}
		return ids
	}
	code, body = b.patchKey(t, v.ID, `{"description":"Boats leave the FJORD early."}`)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Equal(t, []string{v.ID}, list("q=fjord"), "the description is searched")
	require.Equal(t, []string{v.ID}, list("q=exposure"), "tags are searched")
	require.Equal(t, []string{v.ID}, list("tag=Sea"))
	require.Empty(t, list("tag=se"), "a tag matches whole")
	require.Equal(t, []string{other.ID, v.ID}, list("sort=newest"))
	require.Equal(t, []string{v.ID, other.ID}, list("sort=oldest"))
	require.Equal(t, []string{v.ID, other.ID}, list("sort=title"))
	require.Empty(t, list("to=2000-01-01"))
	require.Len(t, list("from=2000-01-01"), 2)
	resp, _ := b.do(t, keyed(userKey, call{method: http.MethodGet, path: "/api/v1/videos?sort=views", badRequest: true}))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = b.do(t, keyed(userKey, call{method: http.MethodGet, path: "/api/v1/videos?from=yesterday"}))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// TestEmbedAncestorsAndOEmbed: who may frame the embed page follows the
// video's visibility and sites, and oEmbed answers only for videos anyone
// with the link may watch.
func TestEmbedAncestorsAndOEmbed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	v := b.create(t, `Quotes \"and\" <tags>`)
	b.publish(t, v.ID)
	ancestors := func() string {
		return strings.Join(b.api.EmbedAncestors(httptest.NewRequest(http.MethodGet, "/embed/"+v.ID, nil), v.ID), " ")
	}
	oembed := func(u string) (int, map[string]any) {
		resp, body := b.do(t, call{method: http.MethodGet, path: "/oembed?url=" + url.QueryEscape(u) + "&maxwidth=320"})
		var out map[string]any
		if resp.StatusCode == http.StatusOK {
			require.NoError(t, json.Unmarshal(body, &out))
		}
		return resp.StatusCode, out
	}

	// Private (the default): not embeddable.
	require.Equal(t, "'self'", ancestors())
	code, _ := oembed(b.srv.URL + "/watch/" + v.ID)
	require.Equal(t, http.StatusNotFound, code)
	require.Equal(t, "'self'", strings.Join(b.api.EmbedAncestors(httptest.NewRequest(http.MethodGet, "/", nil), "nope"), " "))

	code, body := b.patchKey(t, v.ID, `{"visibility":"unlisted"}`)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Equal(t, "*", ancestors())
	code, out := oembed(b.srv.URL + "/watch/" + v.ID)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "video", out["type"])
	require.EqualValues(t, 320, out["width"])
	require.EqualValues(t, 240, out["height"], "4:3 at 320 wide")
	html := out["html"].(string)
	require.Contains(t, html, `src="`+b.srv.URL+`/embed/`+v.ID+`"`)
	require.Contains(t, html, `title="Quotes &#34;and&#34; &lt;tags&gt;"`)
	require.NotContains(t, html, "token=", "the embed page signs its own URLs")
	code, _ = oembed(b.srv.URL + "/embed/" + v.ID)
	require.Equal(t, http.StatusOK, code)
	code, _ = oembed("https://elsewhere.example/watch/" + v.ID)
	require.Equal(t, http.StatusNotFound, code, "another site's URL")
	resp, _ := b.do(t, call{method: http.MethodGet, path: "/oembed?format=xml&url=" + url.QueryEscape(b.srv.URL+"/watch/"+v.ID)})
	require.Equal(t, http.StatusNotImplemented, resp.StatusCode)

	code, body = b.patchKey(t, v.ID, `{"embed_domains":["blog.example.com"]}`)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Equal(t, "'self' blog.example.com", ancestors())
	code, body = b.patchKey(t, v.ID, `{"visibility":"restricted"}`)
	require.Equal(t, http.StatusOK, code, string(body))
	require.Equal(t, "'self'", ancestors())
	code, _ = oembed(b.srv.URL + "/watch/" + v.ID)
	require.Equal(t, http.StatusNotFound, code)
}
