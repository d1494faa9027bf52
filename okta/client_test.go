package okta

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/ratelimit"
)

func TestCheckOrgURL(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"https://acme.okta.com":      "https://acme.okta.com",
		"https://acme.okta.com/":     "https://acme.okta.com",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"http://localhost:9":         "http://localhost:9",
		"http://[::1]:1234":          "http://[::1]:1234",
		"https://acme.okta.com:8443": "https://acme.okta.com:8443",
	}
	for in, want := range good {
		u, err := CheckOrgURL(in)
		if err != nil || u.String() != want {
			t.Errorf("CheckOrgURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"", "acme.okta.com", "http://acme.okta.com", "ftp://acme.okta.com", "https://u:p@acme.okta.com", "https://acme.okta.com/api", "https://acme.okta.com?x=1", "http://10.0.0.1"} {
		if _, err := CheckOrgURL(bad); err == nil {
			t.Errorf("CheckOrgURL(%q) accepted", bad)
		}
	}
}

// newTestClient points a client at h, with fast rate-limit settings.
func newTestClient(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Options{OrgURL: srv.URL, Credential: Credential{APIToken: "tok-123"}, Policy: ratelimit.Policy{Timeout: 2 * time.Second, Jitter: func() time.Duration { return time.Millisecond }}})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// TestClientIgnoresSDKEnvironment: OKTA_CLIENT_* variables must not change
// where requests go or how they authenticate.
func TestClientIgnoresSDKEnvironment(t *testing.T) {
	t.Setenv("OKTA_CLIENT_ORGURL", "http://127.0.0.9:1")
	t.Setenv("OKTA_CLIENT_TOKEN", "stray")
	t.Setenv("OKTA_CLIENT_PROXY_HOST", "127.0.0.9")
	t.Setenv("OKTA_CLIENT_PROXY_PORT", "1")
	t.Setenv("OKTA_CLIENT_AUTHORIZATIONMODE", "Bearer")
	var gotAuth, gotPath string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	})
	resp, err := c.ListUsers(t.Context(), SearchQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth != "SSWS tok-123" || gotPath != "/api/v1/users" || resp.Status != 200 {
		t.Errorf("auth %q path %q status %d", gotAuth, gotPath, resp.Status)
	}
}

func TestClientQueryAndNextPage(t *testing.T) {
	t.Parallel()
	var gotQuery string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Link", `<http://`+r.Host+`/api/v1/users?limit=2>; rel="self"`)
		w.Header().Add("Link", `<http://`+r.Host+`/api/v1/users?after=00u2&limit=2>; rel="next"`)
		w.Header().Set("X-Rate-Limit-Limit", "600")
		w.Header().Set("X-Rate-Limit-Remaining", "599")
		w.Header().Set("X-Rate-Limit-Reset", "9999999999")
		w.Header().Set("X-Okta-Request-Id", "req-1")
		w.Write([]byte(`[{"id":"00u1"},{"id":"00u2"}]`))
	})
	resp, err := c.ListUsers(t.Context(), SearchQuery{Search: `profile.department eq "R&D"`, After: "00u0", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(gotQuery, "search=profile.department+eq+%22R%26D%22") || !strings.Contains(gotQuery, "after=00u0") || !strings.Contains(gotQuery, "limit=2") {
		t.Errorf("query %q", gotQuery)
	}
	if resp.NextAfter != "00u2" || resp.RequestID != "req-1" || resp.Rate == nil || resp.Rate.Limit != 600 || resp.Rate.Remaining != 599 {
		t.Errorf("response %+v rate %+v", resp, resp.Rate)
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(*Error) bool
	}{
		{"okta 401", 401, nil, `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae1","errorCauses":[]}`,
			func(e *Error) bool {
				return e.Status == 401 && e.Code == "E0000011" && e.Hint != "" && e.RequestID == "oae1"
			}},
		{"okta 400 with causes", 400, nil, `{"errorCode":"E0000031","errorSummary":"Invalid search criteria.","errorCauses":[{"errorSummary":"bad operator"}]}`,
			func(e *Error) bool {
				return e.Code == "E0000031" && len(e.Causes) == 1 && e.Causes[0] == "bad operator"
			}},
		{"429 keeps body and retry_after", 429, map[string]string{"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "9999999999"}, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`,
			func(e *Error) bool {
				return e.Status == 429 && e.Code == "E0000047" && e.RetryAfter != nil && *e.RetryAfter > 0 && e.RateLimit != nil
			}},
		{"403 insufficient scope", 403, map[string]string{"WWW-Authenticate": `Bearer authorization_uri="x", realm="x", scope="okta.users.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`}, ``,
			func(e *Error) bool {
				return e.Status == 403 && strings.Contains(e.Hint, "okta.users.read") && e.Causes[0] == "missing scope: okta.users.read"
			}},
		{"502 html", 502, map[string]string{"Content-Type": "text/html"}, `<html>bad gateway</html>`,
			func(e *Error) bool { return e.Status == 502 && e.Summary == "Bad Gateway" }},
		{"200 html", 200, map[string]string{"Content-Type": "text/html"}, `<html>login</html>`,
			func(e *Error) bool { return e.Status == 0 && e.Code == CodeInvalidResponse }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			_, err := c.GetUser(t.Context(), "00u1")
			var e *Error
			if !errors.As(err, &e) || !tt.check(e) {
				t.Errorf("got %#v", err)
			}
			if strings.Contains(err.Error(), "tok-123") {
				t.Error("error text holds the token")
			}
		})
	}
}

// TestClientDroppedConnectionDoesNotLoop: the SDK retries io.EOF forever;
// a dropped connection must come back as one connection_error.
func TestClientDroppedConnectionDoesNotLoop(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	_, err := c.GetUser(t.Context(), "00u1")
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 || e.Code != CodeConnection {
		t.Fatalf("got %v", err)
	}
	if got := n.Load(); got != 2 { // one GET retry on a dropped connection
		t.Errorf("%d attempts, want 2", got)
	}
}

func TestClientTimeout(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	_, err := c.GetUser(t.Context(), "00u1")
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTimeout {
		t.Fatalf("got %v", err)
	}
}

func TestClientConnectionRefused(t *testing.T) {
	t.Parallel()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, err := New(Options{OrgURL: "http://" + addr, Credential: Credential{APIToken: "tok-123"}, Policy: ratelimit.Policy{Jitter: func() time.Duration { return 0 }}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(t.Context(), SearchQuery{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeConnection || strings.Contains(err.Error(), "tok-123") {
		t.Fatalf("got %v", err)
	}
}
