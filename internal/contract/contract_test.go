package contract

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Samples shaped like real Okta responses (fields, nulls and _links as Okta sends them).
const (
	usersPage = `[
  {
    "id": "00u1a2b3c4d5e",
    "status": "ACTIVE",
    "created": "2024-03-01T10:00:00.000Z",
    "activated": "2024-03-01T10:00:01.000Z",
    "statusChanged": "2024-03-01T10:00:01.000Z",
    "lastLogin": null,
    "lastUpdated": "2024-05-02T08:30:00.000Z",
    "passwordChanged": "2024-03-01T10:00:01.000Z",
    "type": {"id": "oty1nm3ei2uKRm7sa5d7"},
    "profile": {
      "firstName": "Jane",
      "lastName": "Doe",
      "mobilePhone": null,
      "secondEmail": null,
      "login": "jane.doe@company.com",
      "email": "jane.doe@company.com",
      "title": "Engineer",
      "department": "Engineering",
      "costCenterCode": null
    },
    "credentials": {
      "password": {},
      "emails": [{"value": "jane.doe@company.com", "status": "VERIFIED", "type": "PRIMARY"}],
      "provider": {"type": "OKTA", "name": "OKTA"}
    },
    "_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00u1a2b3c4d5e"}}
  },
  {
    "id": "00u9z8y7x6w5v",
    "status": "STAGED",
    "created": "2024-06-01T10:00:00.000Z",
    "activated": null,
    "statusChanged": null,
    "lastLogin": null,
    "lastUpdated": "2024-06-01T10:00:00.000Z",
    "passwordChanged": null,
    "type": {"id": "oty1nm3ei2uKRm7sa5d7"},
    "profile": {
      "firstName": "Sam",
      "lastName": "Staged",
      "mobilePhone": null,
      "secondEmail": null,
      "login": "sam.staged@company.com",
      "email": "sam.staged@company.com"
    },
    "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
    "_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00u9z8y7x6w5v"}}
  }
]`

	groupsPage = `[
  {
    "id": "00g1emaKYZTWRYYRRTSK",
    "created": "2015-02-06T10:11:28.000Z",
    "lastUpdated": "2015-10-05T19:16:43.000Z",
    "lastMembershipUpdated": "2015-11-28T19:15:32.000Z",
    "objectClass": ["okta:user_group"],
    "type": "OKTA_GROUP",
    "profile": {"name": "AWS Production Admins", "description": null},
    "_links": {
      "logo": [
        {"name": "medium", "href": "https://acme.okta.com/img/logos/groups/okta-medium.png", "type": "image/png"},
        {"name": "large", "href": "https://acme.okta.com/img/logos/groups/okta-large.png", "type": "image/png"}
      ],
      "users": {"href": "https://acme.okta.com/api/v1/groups/00g1emaKYZTWRYYRRTSK/users"},
      "apps": {"href": "https://acme.okta.com/api/v1/groups/00g1emaKYZTWRYYRRTSK/apps"}
    }
  }
]`

	// A System Log event with the nulls real Okta sends (see Deviations).
	logEvents = `[
  {
    "actor": {"id": "00u1a2b3c4d5e", "type": "User", "alternateId": "jane.doe@company.com", "displayName": "Jane Doe", "detailEntry": null},
    "client": {
      "userAgent": {"rawUserAgent": "Mozilla/5.0", "os": "Mac OS X", "browser": "CHROME"},
      "zone": "null", "device": "Computer", "id": null, "ipAddress": "203.0.113.7",
      "geographicalContext": {"city": null, "state": null, "country": null, "postalCode": null, "geolocation": {"lat": 37.62, "lon": -114.67}}
    },
    "device": null,
    "authenticationContext": {
      "authenticationProvider": null, "credentialProvider": null, "credentialType": null,
      "issuer": null, "interface": null, "authenticationStep": 0, "externalSessionId": "102abcDEF"
    },
    "displayMessage": "User login to Okta",
    "eventType": "user.session.start",
    "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
    "published": "2024-06-17T22:00:56.423Z",
    "securityContext": {"asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null},
    "severity": "WARN",
    "debugContext": {"debugData": {"requestUri": "/idp/idx/identify", "threatSuspected": "false"}},
    "legacyEventType": null,
    "transaction": {"type": "WEB", "id": "reqAp3j9gGSRYK", "detail": {}},
    "uuid": "a67b4d9d-3a52-11eb-bf93-a70040ee6585",
    "version": "0",
    "request": {"ipChain": [{"ip": "203.0.113.7", "geographicalContext": null, "version": "V4", "source": null}]},
    "target": null
  }
]`

	notFoundBody    = `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00unope (User)","errorLink":"E0000007","errorId":"oaeNOPE","errorCauses":[]}`
	rateLimitedBody = `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeRATE","errorCauses":[]}`
	badTokenBody    = `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeTOKEN","errorCauses":[]}`
)

func validator(t *testing.T) *Validator {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return v
}

// get builds a request the way the SDK sends it to the sandbox.
func get(method, url string) *http.Request {
	req := httptest.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "SSWS 00abcdefghijklmnopqrstuvwxyz")
	req.Header.Set("Accept", "application/json")
	return req
}

func withJSON(req *http.Request) *http.Request {
	req.Header.Set("Content-Type", "application/json")
	return req
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

// wantProblems asserts err is a *Error whose message contains every fragment.
func wantProblems(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	msg := err.Error()
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q\n  does not contain %q", msg, f)
		}
	}
}

func TestLoadOnceAndHostAgnostic(t *testing.T) {
	v := validator(t)
	v2, err := Load()
	if err != nil || v2 != v {
		t.Fatalf("second Load() = %p, %v; want the same Validator %p", v2, err, v)
	}
	if !strings.HasSuffix(v.Path(), "okta/api/openapi.yaml") {
		t.Errorf("Path() = %q", v.Path())
	}
	t.Logf("Load took %v (%s)", v.LoadDuration(), v.Path())
	for _, url := range []string{
		"http://127.0.0.1:49152/api/v1/users?limit=2",
		"https://acme.okta.com/api/v1/users?limit=2",
		"/api/v1/users?limit=2",
	} {
		if got := v.OperationID(get(http.MethodGet, url)); got != "listUsers" {
			t.Errorf("OperationID(GET %s) = %q, want listUsers", url, got)
		}
	}
	if got := v.OperationID(get(http.MethodGet, "http://127.0.0.1:1/api/v1/users/jane.doe%40company.com")); got != "getUser" {
		t.Errorf("OperationID(GET user by login) = %q, want getUser", got)
	}
}

func TestValidExchanges(t *testing.T) {
	v := validator(t)
	cases := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
	}{
		{"list users with null lastLogin", get(http.MethodGet, "http://127.0.0.1:8080/api/v1/users?limit=2"), 200, jsonHeader(), usersPage},
		{"list users, charset in Content-Type", get(http.MethodGet, "/api/v1/users?search=status+eq+%22ACTIVE%22&limit=200&after=00u1"), 200, http.Header{"Content-Type": {"application/json;charset=UTF-8"}}, usersPage},
		{"get user 404", get(http.MethodGet, "/api/v1/users/00unope"), 404, jsonHeader(), notFoundBody},
		{"list users 429", get(http.MethodGet, "/api/v1/users?limit=2"), 429, jsonHeader(), rateLimitedBody},
		{"undeclared 401 with Okta error", get(http.MethodGet, "/api/v1/users"), 401, jsonHeader(), badTokenBody},
		{"undeclared 500 without body", get(http.MethodGet, "/api/v1/users"), 500, http.Header{}, ""},
		{"list groups", get(http.MethodGet, "/api/v1/groups?q=AWS&limit=1"), 200, jsonHeader(), groupsPage},
		{"system log with Okta's nulls", get(http.MethodGet, "/api/v1/logs?since=2024-06-01T00:00:00.000Z&until=2024-06-30T00:00:00Z&filter=eventType+eq+%22user.session.start%22&limit=100"), 200, jsonHeader(), logEvents},
		{"revoke session 204", get(http.MethodDelete, "/api/v1/sessions/102abcDEF"), 204, http.Header{}, ""},
		{"403 insufficient_scope with empty body", get(http.MethodGet, "/api/v1/logs"), 403, http.Header{"Www-Authenticate": {`Bearer authorization_uri="http://127.0.0.1/oauth2/v1/authorize", realm="http://127.0.0.1", scope="okta.logs.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := v.ValidateRequest(c.req, nil); err != nil {
				t.Errorf("ValidateRequest: %v", err)
			}
			if err := v.ValidateResponse(c.req, c.status, c.header, []byte(c.body)); err != nil {
				t.Errorf("ValidateResponse: %v", err)
			}
		})
	}
}

func TestValidRequestBodies(t *testing.T) {
	v := validator(t)
	post := func(url string) *http.Request { return withJSON(get(http.MethodPost, url)) }
	create := `{"profile":{"firstName":"Ann","lastName":"New","email":"ann.new@company.com","login":"ann.new@company.com","department":"Sales"},"groupIds":["00g1emaKYZTWRYYRRTSK"]}`
	if err := v.ValidateRequest(post("/api/v1/users?activate=false"), []byte(create)); err != nil {
		t.Errorf("createUser: %v", err)
	}
	update := `{"profile":{"title":"Staff Engineer"}}`
	if err := v.ValidateRequest(post("/api/v1/users/00u1a2b3c4d5e"), []byte(update)); err != nil {
		t.Errorf("updateUser: %v", err)
	}
	role := `{"type":"HELP_DESK_ADMIN"}`
	if err := v.ValidateRequest(post("/api/v1/users/00u1a2b3c4d5e/roles"), []byte(role)); err != nil {
		t.Errorf("assignRoleToUser: %v", err)
	}
	if err := v.ValidateRequest(get(http.MethodPost, "/api/v1/users/00u1a2b3c4d5e/lifecycle/suspend"), nil); err != nil {
		t.Errorf("suspendUser: %v", err)
	}
}

func TestInvalidResponses(t *testing.T) {
	v := validator(t)
	list := get(http.MethodGet, "/api/v1/users?limit=2")
	cases := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
		want   []string
	}{
		{
			name: "status is a number", req: list, status: 200, header: jsonHeader(),
			body: strings.Replace(usersPage, `"status": "STAGED"`, `"status": 3`, 1),
			want: []string{"listUsers (GET /api/v1/users) response 200", "body[1].status", "value must be a string", "(got 3)"},
		},
		{
			name: "status is not a known value", req: list, status: 200, header: jsonHeader(),
			body: strings.Replace(usersPage, `"status": "ACTIVE"`, `"status": "ZOMBIE"`, 1),
			want: []string{"listUsers", "body[0].status", "allowed values", `"ZOMBIE"`},
		},
		{
			name: "created is not a date-time", req: list, status: 200, header: jsonHeader(),
			body: strings.Replace(usersPage, `"created": "2024-03-01T10:00:00.000Z"`, `"created": "yesterday"`, 1),
			want: []string{"listUsers", "body[0].created", "date-time"},
		},
		{
			name: "body is an object, not a list", req: list, status: 200, header: jsonHeader(),
			body: `{"users": []}`,
			want: []string{"listUsers", "body", "array"},
		},
		{
			name: "wrong Content-Type", req: list, status: 200, header: http.Header{"Content-Type": {"text/html"}},
			body: usersPage,
			want: []string{"listUsers", "Content-Type", "text/html"},
		},
		{
			name: "non-admitted null (LogActor.id)", req: get(http.MethodGet, "/api/v1/logs"), status: 200, header: jsonHeader(),
			body: strings.Replace(logEvents, `"id": "00u1a2b3c4d5e", "type": "User"`, `"id": null, "type": "User"`, 1),
			want: []string{"listLogEvents", "body[0].actor.id", "not nullable"},
		},
		{
			name: "undeclared 401 with an HTML body", req: get(http.MethodGet, "/api/v1/users"), status: 401, header: http.Header{"Content-Type": {"text/html"}},
			body: "<html>nope</html>",
			want: []string{"listUsers", "status 401 is not declared", "Okta Error", "text/html"},
		},
		{
			name: "undeclared 400 whose errorCauses is not a list", req: get(http.MethodGet, "/api/v1/logs"), status: 400, header: jsonHeader(),
			body: `{"errorCode":"E0000053","errorSummary":"Invalid filter","errorCauses":"bad"}`,
			want: []string{"listLogEvents", "status 400", "body.errorCauses", "array"},
		},
		{
			name: "403 with empty body but no insufficient_scope", req: get(http.MethodGet, "/api/v1/logs"), status: 403, header: http.Header{},
			body: "",
			want: []string{"listLogEvents", "response 403", "empty body", "application/json", `error="insufficient_scope"`},
		},
		{
			name: "204 with a body", req: get(http.MethodDelete, "/api/v1/sessions/102abcDEF"), status: 204, header: jsonHeader(),
			body: `{}`,
			want: []string{"revokeSession", "204 must not have a body"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.ValidateResponse(c.req, c.status, c.header, []byte(c.body))
			wantProblems(t, err, c.want...)
			if err != nil {
				t.Logf("message: %v", err)
			}
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	v := validator(t)
	noAuth := httptest.NewRequest(http.MethodGet, "/api/v1/users", nil)
	badBody := `{"profile":{"firstName":"Ann","lastName":"New","email":"ann.new@company.com","login":42}}`
	badBodyReq := withJSON(get(http.MethodPost, "/api/v1/users"))
	readOnly := `{"id":"00u1","profile":{"title":"x"}}`
	readOnlyReq := withJSON(get(http.MethodPut, "/api/v1/users/00u1a2b3c4d5e"))
	cases := []struct {
		name string
		req  *http.Request
		body string
		want []string
	}{
		{"limit=abc", get(http.MethodGet, "/api/v1/users?limit=abc"), "", []string{"listUsers (GET /api/v1/users) request", `query parameter "limit"`, "abc"}},
		{"unknown path", get(http.MethodGet, "/api/v1/userz"), "", []string{"GET /api/v1/userz", "no operation in openapi.yaml"}},
		{"unknown method", get(http.MethodPatch, "/api/v1/users"), "", []string{"PATCH /api/v1/users", "no PATCH operation"}},
		{"undeclared query parameter", get(http.MethodGet, "/api/v1/users?next_cursor=abc"), "", []string{"listUsers", `query parameter "next_cursor"`, "not declared", "limit"}},
		{"no Authorization", noAuth, "", []string{"listUsers", "authentication", "no Authorization header"}},
		{"create user without body", withJSON(get(http.MethodPost, "/api/v1/users")), "", []string{"createUser", "body", "required"}},
		{"create user, login is a number", badBodyReq, badBody, []string{"createUser", "body.profile.login", "string"}},
		{"replace user with read-only id", readOnlyReq, readOnly, []string{"replaceUser", "body.id", "readOnly"}},
		{"since is not a date-time", get(http.MethodGet, "/api/v1/logs?since=yesterday"), "", []string{"listLogEvents", `query parameter "since"`, "date-time"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.ValidateRequest(c.req, []byte(c.body))
			wantProblems(t, err, c.want...)
			if err != nil {
				t.Logf("message: %v", err)
			}
		})
	}
}

func TestEscapeModulePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/okta/okta-sdk-golang/v5@v5.0.2": "github.com/okta/okta-sdk-golang/v5@v5.0.2",
		"github.com/BurntSushi/toml@v1.0.0":         "github.com/!burnt!sushi/toml@v1.0.0",
	} {
		if got, err := escapeModulePath(in); err != nil || got != want {
			t.Errorf("escapeModulePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := escapeModulePath("bad!path"); err == nil {
		t.Error("escapeModulePath accepted '!'")
	}
}
