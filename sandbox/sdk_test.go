package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/okta-mcp/okta-mcp/internal/contract"
)

// TestSDKDecodesUsers: a page of users decodes into okta.User.
func TestSDKDecodesUsers(t *testing.T) {
	s := startServer(t, Options{})
	r := get(t, s, path("/api/v1/users", "search", `id pr`, "limit", "200"))
	var users []okta.User
	if err := json.Unmarshal(r.body, &users); err != nil {
		t.Fatalf("[]okta.User: %v", err)
	}
	if len(users) != 200 {
		t.Fatalf("%d users", len(users))
	}
	byID := map[string]UserInfo{}
	for _, u := range s.Org.Users() {
		byID[u.ID] = u
	}
	sawNever := false
	for _, u := range users {
		want := byID[u.GetId()]
		if u.GetStatus() != want.Status || u.Profile.GetLogin() != want.Login || u.Profile.GetFirstName() != want.FirstName ||
			u.Profile.GetDepartment() != want.Department {
			t.Errorf("decoded %s %s %s, want %+v", u.GetId(), u.GetStatus(), u.Profile.GetLogin(), want)
		}
		if want.LastLogin == nil {
			sawNever = true
			if u.LastLogin.Get() != nil {
				t.Errorf("%s: lastLogin %v, want null", u.GetId(), u.LastLogin.Get())
			}
		} else if u.LastLogin.Get() == nil || !u.LastLogin.Get().Equal(*want.LastLogin) {
			t.Errorf("%s: lastLogin %v, want %v", u.GetId(), u.LastLogin.Get(), want.LastLogin)
		}
		if u.Links == nil || u.Links.Self == nil || u.Links.Self.Href != s.URL+"/api/v1/users/"+u.GetId() {
			t.Errorf("%s: _links.self %+v", u.GetId(), u.Links)
		}
		if u.Credentials == nil || u.Credentials.Provider.GetType() != "OKTA" || u.Type.GetId() != defaultUserTypeID {
			t.Errorf("%s: credentials/type", u.GetId())
		}
	}
	if !sawNever {
		t.Error("no never-signed-in user on the page")
	}

	var one okta.User
	if err := json.Unmarshal(get(t, s, "/api/v1/users/"+JaneDoeID).body, &one); err != nil {
		t.Fatalf("okta.User: %v", err)
	}
	if one.Links == nil || one.Links.Suspend == nil || one.Profile.GetEmail() != "jane.doe@company.com" {
		t.Errorf("jane %+v", one)
	}
}

// TestSDKDecodesGroups: groups and group members decode into SDK types.
func TestSDKDecodesGroups(t *testing.T) {
	s := startServer(t, Options{})
	var groups []okta.Group
	if err := json.Unmarshal(get(t, s, "/api/v1/groups?expand=stats").body, &groups); err != nil {
		t.Fatalf("[]okta.Group: %v", err)
	}
	if len(groups) != len(s.Org.Groups()) {
		t.Fatalf("%d groups", len(groups))
	}
	for _, g := range groups {
		if g.GetId() == "" || g.Profile.GetName() == "" || g.GetType() == "" || g.Created == nil || g.LastMembershipUpdated == nil {
			t.Errorf("group %+v", g)
		}
		if g.Links == nil || g.Links.Users == nil || g.Links.Users.Href != s.URL+"/api/v1/groups/"+g.GetId()+"/users" || len(g.Links.Logo) != 2 {
			t.Errorf("group %s links %+v", g.GetId(), g.Links)
		}
		if g.Embedded["stats"]["usersCount"] == nil {
			t.Errorf("group %s: no stats", g.GetId())
		}
	}
	var members []okta.GroupMember
	if err := json.Unmarshal(get(t, s, "/api/v1/groups/"+AWSProdAdminsID+"/users").body, &members); err != nil {
		t.Fatalf("[]okta.GroupMember: %v", err)
	}
	if len(members) == 0 {
		t.Error("no members decoded")
	}
}

// sdkClient is a real okta-sdk-golang client pointed at the sandbox, with
// every option set explicitly and the port fixed (the SDK drops it).
func sdkClient(t *testing.T, s *Server) *okta.APIClient {
	t.Helper()
	cfg, err := okta.NewConfiguration(
		okta.WithOrgUrl(s.URL),
		okta.WithToken(s.Org.Token()),
		okta.WithAuthorizationMode("SSWS"),
		okta.WithCache(false),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRequestTimeout(10),
		okta.WithHttpClientPtr(&http.Client{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host = u.Host
	return okta.NewAPIClient(cfg)
}

// TestSDKClient drives the sandbox through the real SDK client: paging by
// the after value of the rel="next" Link, login lookups, groups, errors.
func TestSDKClient(t *testing.T) {
	s := startServer(t, Options{})
	c := sdkClient(t, s)
	ctx := context.Background()

	var got []string
	after := ""
	for pages := 0; ; pages++ {
		req := c.UserAPI.ListUsers(ctx).Limit(150)
		if after != "" {
			req = req.After(after)
		}
		users, resp, err := req.Execute()
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		for _, u := range users {
			got = append(got, u.GetId())
		}
		if !resp.HasNextPage() {
			break
		}
		next, err := url.Parse(resp.NextPage())
		if err != nil {
			t.Fatal(err)
		}
		after = next.Query().Get("after")
		if after == "" || pages > 10 {
			t.Fatalf("next page %q", resp.NextPage())
		}
	}
	sameSet(t, "SDK paging", got, usersWhere(s.Org, notDeprovisioned))

	jane, _, err := c.UserAPI.GetUser(ctx, "jane.doe@company.com").Execute()
	if err != nil {
		t.Fatalf("GetUser by login: %v", err)
	}
	if jane.GetId() != JaneDoeID {
		t.Errorf("GetUser: %s", jane.GetId())
	}
	_, _, err = c.UserAPI.GetUser(ctx, "nobody@company.com").Execute()
	var apiErr *okta.GenericOpenAPIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("GetUser unknown: %v", err)
	}
	if m, ok := apiErr.Model().(okta.Error); !ok || m.GetErrorCode() != "E0000007" {
		t.Errorf("GetUser unknown: model %#v", apiErr.Model())
	}

	groups, _, err := c.GroupAPI.ListGroups(ctx).Q("AWS Prod").Execute()
	if err != nil || len(groups) != 1 || groups[0].GetId() != AWSProdAdminsID {
		t.Fatalf("ListGroups q: %v %v", groups, err)
	}
	members, _, err := c.GroupAPI.ListGroupUsers(ctx, AWSProdAdminsID).Execute()
	if err != nil || len(members) == 0 {
		t.Fatalf("ListGroupUsers: %d %v", len(members), err)
	}
	ugs, _, err := c.UserAPI.ListUserGroups(ctx, JaneDoeID).Limit(200).Execute()
	if err != nil || len(ugs) < 3 {
		t.Fatalf("ListUserGroups: %d %v", len(ugs), err)
	}

	s.Org.SetRateLimit("GET /api/v1/groups/{groupId}", 0, 0) // not a bucket name: no effect
	s.Org.SetRateLimit("GET /api/v1/groups/{id}", 0, 0)
	s.Org.ResetRequests()
	if _, _, err := c.GroupAPI.GetGroup(ctx, AWSProdAdminsID).Execute(); err == nil {
		t.Fatal("GetGroup with a zero budget succeeded")
	}
	// The SDK hides the 429 (nil *http.Response, see SPEC §1); the sandbox saw it.
	if reqs := s.Org.Requests(); len(reqs) != 1 || reqs[0].Status != http.StatusTooManyRequests {
		t.Errorf("recorded %+v, want one 429", reqs)
	}
}

// TestResponsesMatchOpenAPI validates the responses of every endpoint the
// sandbox serves against Okta's OpenAPI document, through the same
// validator the server's contract tests use.
func TestResponsesMatchOpenAPI(t *testing.T) {
	v, err := contract.Load()
	if err != nil {
		t.Fatalf("load OpenAPI contract: %v", err)
	}
	org := New(Options{})
	rec := v.Middleware(org)
	hs := httptest.NewServer(rec)
	t.Cleanup(hs.Close)
	s := &struct {
		URL string
		Org *Org
	}{hs.URL, org}
	paths := []string{
		"/api/v1/users",
		path("/api/v1/users", "search", "id pr", "limit", "200"),
		path("/api/v1/users", "search", "id pr", "limit", "200", "after", "00ui"),
		path("/api/v1/users", "search", "id pr", "limit", "200", "after", "00uq"),
		path("/api/v1/users", "q", "a"),
		path("/api/v1/users", "filter", `status eq "STAGED"`),
		"/api/v1/users/" + JaneDoeID,
		"/api/v1/users/" + JohnSmithID,
		"/api/v1/users/" + MichaelJohnsonID,
		"/api/v1/users/" + CarlosRiveraID,
		"/api/v1/users/" + EmilyChenID,
		"/api/v1/users/" + DanaWhiteID,
		"/api/v1/users/jane.doe@company.com",
		"/api/v1/users/nobody",
		"/api/v1/users/" + JaneDoeID + "/groups",
		"/api/v1/users/" + JaneDoeID + "/groups?limit=200",
		"/api/v1/groups",
		"/api/v1/groups?expand=stats",
		"/api/v1/groups?q=AWS",
		"/api/v1/groups/" + AWSProdAdminsID,
		"/api/v1/groups/nope",
		"/api/v1/groups/" + AWSProdAdminsID + "/users",
	}
	for _, u := range s.Org.Groups() {
		if u.Type == GroupTypeApp || u.Type == GroupTypeBuiltIn {
			paths = append(paths, "/api/v1/groups/"+u.ID)
		}
	}
	// Reads of roles, sessions and the System Log.
	live := liveSessions(s.Org, JaneDoeID)
	ended := endedSession(t, s.Org)
	aws := AWSProdAdminsID
	paths = append(paths,
		"/api/v1/users/"+AlexKimID+"/roles",
		"/api/v1/users/"+DanaWhiteID+"/roles",
		"/api/v1/users/"+EmilyChenID+"/roles",
		"/api/v1/users/nobody/roles",
		"/api/v1/users/"+DanaWhiteID+"/roles/"+s.Org.Roles(DanaWhiteID)[0].ID,
		"/api/v1/users/"+AlexKimID+"/roles/nope",
		"/api/v1/iam/roles",
		"/api/v1/iam/resource-sets",
		"/api/v1/sessions/"+live[0],
		"/api/v1/sessions/"+ended,
		"/api/v1/logs",
		path("/api/v1/logs", "limit", "300", "since", oktaTime(org.now().Add(-40*24*time.Hour)), "until", oktaTime(org.now())),
		path("/api/v1/logs", "filter", `eventType eq "user.session.start" and outcome.result eq "FAILURE"`, "sortOrder", "DESCENDING"),
		path("/api/v1/logs", "q", "Bucharest", "since", oktaTime(org.now().Add(-24*time.Hour))),
		path("/api/v1/logs", "filter", `eventType eqq "x"`),
		path("/api/v1/logs", "limit", "-1"),
	)
	for _, g := range s.Org.Groups() {
		if len(s.Org.Roles(g.ID)) > 0 {
			paths = append(paths, "/api/v1/groups/"+g.ID+"/roles", "/api/v1/groups/"+g.ID+"/roles/"+s.Org.Roles(g.ID)[0].ID)
		}
	}
	send := func(t *testing.T, method, p, body string) response {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, s.URL+p, rd)
		req.Header.Set("Authorization", "SSWS "+s.Org.Token())
		req.Header.Set("Accept", "application/json")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{status: resp.StatusCode, header: resp.Header, body: b}
	}
	for _, p := range paths {
		send(t, http.MethodGet, p, "")
	}
	s.Org.SetRateLimit("GET /api/v1/users", 0, 0)
	send(t, http.MethodGet, "/api/v1/users", "")
	exchanges := len(paths) + 1

	// Writes, each with its expected status, in an order that walks the
	// lifecycle. Their requests are validated too.
	created := map[string]string{}
	writes := []struct {
		method, path, body string
		status             int
		save               string // remember the response's id under this key
	}{
		{"POST", "/api/v1/users?activate=true", `{"profile":{"firstName":"Contract","lastName":"Tester","email":"contract.tester@company.com","login":"contract.tester@company.com","department":"QA"},"credentials":{"password":{"value":"Correct-Horse-9"}},"groupIds":["` + aws + `"]}`, 200, "active"},
		{"POST", "/api/v1/users?activate=false", `{"profile":{"firstName":"Staged","lastName":"Tester","email":"staged.tester@company.com","login":"staged.tester@company.com"},"credentials":{"password":{"value":"Correct-Horse-9"}}}`, 200, "staged"},
		{"POST", "/api/v1/users?activate=false", `{"profile":{"firstName":"Dup","lastName":"Login","email":"jane.doe@company.com","login":"jane.doe@company.com"}}`, 400, ""},
		{"POST", "/api/v1/users/{active}", `{"profile":{"title":"Contract Tester","mobilePhone":null}}`, 200, ""},
		{"PUT", "/api/v1/users/{active}", `{"profile":{"firstName":"Contract","lastName":"Tester","email":"contract.tester@company.com","login":"contract.tester@company.com"}}`, 200, ""},
		{"PUT", "/api/v1/users/{active}", `{"profile":{"firstName":"Contract"}}`, 400, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/activate?sendEmail=false", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/activate?sendEmail=true", "", 403, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/suspend", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/suspend", "", 400, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/unsuspend", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/unlock", "", 403, ""},
		{"POST", "/api/v1/users/" + CarlosRiveraID + "/lifecycle/unlock", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/expire_password", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/reset_password?sendEmail=false", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/reset_password?sendEmail=true&revokeSessions=true", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/reset_factors", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/reactivate?sendEmail=false", "", 403, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/deactivate?sendEmail=false", "", 200, ""},
		{"POST", "/api/v1/users/{staged}/lifecycle/activate?sendEmail=true", "", 200, ""},
		{"POST", "/api/v1/users/nobody/lifecycle/suspend", "", 404, ""},
		{"DELETE", "/api/v1/sessions/" + live[0], "", 204, ""},
		{"DELETE", "/api/v1/sessions/" + live[0], "", 404, ""},
		{"DELETE", "/api/v1/users/" + JaneDoeID + "/sessions?oauthTokens=true", "", 204, ""},
		{"DELETE", "/api/v1/users/{staged}", "", 204, ""},
		{"DELETE", "/api/v1/users/{staged}?sendEmail=false", "", 204, ""},
		{"DELETE", "/api/v1/users/{staged}", "", 404, ""},
		{"POST", "/api/v1/groups", `{"profile":{"name":"Contract Testers","description":"People who test contracts"}}`, 200, "group"},
		{"POST", "/api/v1/groups", `{"profile":{"name":"Contract Testers"}}`, 400, ""},
		{"PUT", "/api/v1/groups/{group}", `{"profile":{"name":"Contract Testers 2"}}`, 200, ""},
		{"PUT", "/api/v1/groups/" + appGroupID(s.Org), `{"profile":{"name":"Renamed"}}`, 403, ""},
		{"PUT", "/api/v1/groups/{group}/users/{active}", "", 204, ""},
		{"PUT", "/api/v1/groups/{group}/users/{active}", "", 204, ""},
		{"PUT", "/api/v1/groups/" + appGroupID(s.Org) + "/users/{active}", "", 403, ""},
		{"DELETE", "/api/v1/groups/{group}/users/{active}", "", 204, ""},
		{"POST", "/api/v1/groups/{group}/roles", `{"type":"USER_ADMIN"}`, 201, "grole"},
		{"POST", "/api/v1/groups/{group}/roles", `{"type":"USER_ADMIN"}`, 409, ""},
		{"DELETE", "/api/v1/groups/{group}/roles/{grole}", "", 204, ""},
		{"DELETE", "/api/v1/groups/{group}", "", 204, ""},
		{"DELETE", "/api/v1/groups/" + everyoneID(s.Org), "", 403, ""},
		{"POST", "/api/v1/users/{active}/roles", `{"type":"HELP_DESK_ADMIN"}`, 201, "role"},
		{"POST", "/api/v1/users/{active}/roles", `{"type":"HELP_DESK_ADMIN"}`, 409, ""},
		{"POST", "/api/v1/users/{active}/roles", `{"type":"CUSTOM","role":"` + s.Org.Roles(DanaWhiteID)[0].Role + `","resource-set":"` + s.Org.Roles(DanaWhiteID)[0].ResourceSet + `"}`, 201, ""},
		{"POST", "/api/v1/users/{active}/roles", `{"type":"WIZARD"}`, 400, ""},
		{"GET", "/api/v1/users/{active}/roles/{role}", "", 200, ""},
		{"DELETE", "/api/v1/users/{active}/roles/{role}", "", 204, ""},
		{"DELETE", "/api/v1/users/{active}/roles/{role}", "", 404, ""},
		{"GET", "/api/v1/logs?filter=" + url.QueryEscape(`actor.id eq "`+AlexKimID+`"`) + "&sortOrder=DESCENDING&limit=50", "", 200, ""},
	}
	for _, w := range writes {
		p := w.path
		for k, v := range created {
			p = strings.ReplaceAll(p, "{"+k+"}", v)
		}
		r := send(t, w.method, p, w.body)
		if r.status != w.status {
			t.Errorf("%s %s: status %d, want %d; body %s", w.method, p, r.status, w.status, r.body)
		}
		if w.save != "" {
			var v struct{ ID string }
			if err := json.Unmarshal(r.body, &v); err != nil || v.ID == "" {
				t.Fatalf("%s %s: no id in %s", w.method, p, r.body)
			}
			created[w.save] = v.ID
		}
	}
	exchanges += len(writes)
	if rec.Checked() < exchanges {
		t.Errorf("validated %d exchanges, want %d", rec.Checked(), exchanges)
	}
	for _, v := range rec.Violations() {
		t.Errorf("OpenAPI violation: %s", v)
	}
}
