package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kinema/kinema/internal/access"
)

// TestSignupSharesTheLoginLock: open sign-up must say that an email is
// taken (there is no email loop to hide it behind), so it costs what a
// login guess costs: each "taken" answer counts as a wrong password for
// that email from that address, and a pair locked by either endpoint gets
// the same 429 from both. A closed sign-up refuses before looking at the
// email at all.
func TestSignupSharesTheLoginLock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.addUser(t, access.RoleAdmin)
	signup := func(email string) (*http.Response, []byte) {
		return b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/signup", credentials(email, password)))
	}
	login := func(email, pw string) (*http.Response, []byte) {
		return b.do(t, jsonCall(http.MethodPost, "/api/v1/auth/login", credentials(email, pw)))
	}

	// Closed: known and unknown emails get the very same answer.
	_, known := signup(admin.Email)
	_, unknown := signup(randomEmail("nobody"))
	require.Equal(t, string(unknown), string(known))

	resp, body := b.do(t, admin.as(jsonCall(http.MethodPut, "/api/v1/settings", `{"signup":"open"}`)))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	// Probing an existing account through sign-up locks the pair like
	// wrong passwords do: then even its owner's password waits.
	victim := randomEmail("victim")
	resp, body = signup(victim)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	for range 5 {
		resp, body = signup(victim)
		requireRefused(t, resp, body, http.StatusConflict, "email_taken")
	}
	resp, body = signup(victim)
	requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited")
	resp, body = login(victim, password)
	requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited")

	// A pair locked by wrong passwords learns nothing from sign-up either.
	other := randomEmail("other")
	resp, body = signup(other)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
	for range 5 {
		resp, body = login(other, "wrong password!")
		requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials")
	}
	resp, body = signup(other)
	requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited")
	// An unknown email locked the same way answers the same.
	ghost := randomEmail("ghost")
	for range 5 {
		resp, body = login(ghost, "wrong password!")
		requireRefused(t, resp, body, http.StatusUnauthorized, "wrong_credentials")
	}
	resp, body = signup(ghost)
	requireRefused(t, resp, body, http.StatusTooManyRequests, "rate_limited")
}
