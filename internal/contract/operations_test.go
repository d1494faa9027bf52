package contract

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestOperationNames(t *testing.T) {
	v := validator(t)
	for _, tc := range []struct{ method, url, want string }{
		{"GET", "http://127.0.0.1:1/api/v1/users?limit=2", "GET /api/v1/users"},
		{"GET", "http://x/api/v1/users/jane.doe%40company.com", "GET /api/v1/users/{userId}"},
		{"POST", "http://x/api/v1/users/00u1/lifecycle/suspend", "POST /api/v1/users/{userId}/lifecycle/suspend"},
		{"DELETE", "http://x/api/v1/groups/00g1/users/00u1", "DELETE /api/v1/groups/{groupId}/users/{userId}"},
		{"GET", "http://x/api/v1/users/00u1/roles/ra1", "GET /api/v1/users/{userId}/roles/{roleId}"},
		{"GET", "http://x/api/v1/nothing", ""},
		{"PATCH", "http://x/api/v1/users", ""},
	} {
		if got := v.Operation(get(tc.method, tc.url)); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.method, tc.url, got, tc.want)
		}
	}
}

func TestOAuthScopes(t *testing.T) {
	v := validator(t)
	for op, want := range map[string][]string{
		"GET /api/v1/users":                           {"okta.users.read"},
		"DELETE /api/v1/users/{userId}/sessions":      {"okta.users.manage"},
		"GET /api/v1/groups/{groupId}/users":          {"okta.groups.read"},
		"PUT /api/v1/groups/{groupId}/users/{userId}": {"okta.groups.manage"},
		"GET /api/v1/iam/resource-sets":               {"okta.roles.read"},
		"GET /api/v1/sessions/me":                     nil, // no oauth2 requirement
	} {
		got, ok := v.OAuthScopes(op)
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%s: %v %v, want %v", op, got, ok, want)
		}
		if !v.HasOperation(op) || !slices.Contains(v.Operations(), op) {
			t.Errorf("%s: not listed", op)
		}
	}
	for _, op := range []string{"GET /api/v1/users/{id}", "PATCH /api/v1/users", "GET", ""} {
		if _, ok := v.OAuthScopes(op); ok || v.HasOperation(op) {
			t.Errorf("%q: found", op)
		}
	}
}

func TestRecorderExchanges(t *testing.T) {
	v := validator(t)
	rec := v.Middleware(tinyOkta(), SkipPathPrefix("/oauth2/"))
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := srv.Client()

	do(t, c, "GET", srv.URL+"/api/v1/users?limit=2", "")
	if ex := rec.Exchanges(); len(ex) != 0 {
		t.Fatalf("recorded before RecordExchanges: %v", ex)
	}
	rec.RecordExchanges()
	do(t, c, "GET", srv.URL+"/api/v1/users/00unope", "")
	do(t, c, "DELETE", srv.URL+"/api/v1/sessions/102abcDEF", "")
	do(t, c, "POST", srv.URL+"/oauth2/v1/token", "") // skipped
	do(t, c, "GET", srv.URL+"/api/v1/nothing", "")
	got := rec.Exchanges()
	want := []Exchange{
		{Method: "GET", Path: "/api/v1/users/00unope", Operation: "GET /api/v1/users/{userId}", Status: http.StatusNotFound},
		{Method: "DELETE", Path: "/api/v1/sessions/102abcDEF", Operation: "DELETE /api/v1/sessions/{sessionId}", Status: http.StatusNoContent},
		{Method: "GET", Path: "/api/v1/nothing", Status: http.StatusNotFound},
	}
	if len(got) != len(want) {
		t.Fatalf("exchanges %+v", got)
	}
	for i := range want {
		g := got[i]
		if g.Method != want[i].Method || g.Path != want[i].Path || g.Operation != want[i].Operation || g.Status != want[i].Status {
			t.Errorf("exchange %d: %+v, want %+v", i, g, want[i])
		}
	}
	if got[0].Header.Get("X-Okta-Request-Id") != "req-1" {
		t.Errorf("header %v", got[0].Header)
	}
	rec.Reset()
	if ex := rec.Exchanges(); len(ex) != 0 {
		t.Errorf("after Reset: %v", ex)
	}
}
