package sandbox

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	s := startServer(t, Options{Token: "s3cret-token"})
	if s.Org.Token() != "s3cret-token" {
		t.Fatalf("Token() = %q", s.Org.Token())
	}
	if New(Options{}).Token() != DefaultToken {
		t.Fatalf("default token is not %q", DefaultToken)
	}
	for _, tc := range []struct {
		name, auth string
		ok         bool
	}{
		{"right token", "SSWS s3cret-token", true},
		{"scheme case-insensitive", "ssws s3cret-token", true},
		{"no header", "-", false},
		{"wrong token", "SSWS s3cret-tokeN", false},
		{"prefix of token", "SSWS s3cret", false},
		{"token plus more", "SSWS s3cret-token-x", false},
		{"bearer", "Bearer s3cret-token", false},
		{"scheme only", "SSWS", false},
		{"empty token", "SSWS ", false},
		{"default token", "SSWS " + DefaultToken, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, http.MethodGet, "/api/v1/users/"+JaneDoeID, tc.auth)
			if tc.ok {
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				return
			}
			e := wantError(t, r, http.StatusUnauthorized, "E0000011")
			if e.ErrorSummary != "Invalid token provided" || len(e.ErrorCauses) != 0 {
				t.Errorf("401 body %s", r.body)
			}
		})
	}
	// Unknown API paths need the token too.
	wantError(t, do(t, s, http.MethodGet, "/api/v1/apps", "-"), http.StatusUnauthorized, "E0000011")
}

func TestCommonHeaders(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	s := startServer(t, Options{Now: clock.Now})
	seen := map[string]bool{}
	for _, p := range []string{"/api/v1/users", "/api/v1/users/" + JaneDoeID, "/api/v1/groups", "/api/v1/nope", "/api/v1/users?limit=x"} {
		for _, auth := range []string{"", "-"} {
			r := do(t, s, http.MethodGet, p, auth)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: Content-Type %q", p, ct)
			}
			id := r.header.Get("X-Okta-Request-Id")
			if id == "" || seen[id] {
				t.Errorf("%s: X-Okta-Request-Id %q empty or reused", p, id)
			}
			seen[id] = true
			d, err := http.ParseTime(r.header.Get("Date"))
			if err != nil || !d.Equal(clock.Now()) {
				t.Errorf("%s: Date %q, want the org clock %v", p, r.header.Get("Date"), clock.Now())
			}
			if auth == "" {
				for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
					if r.header.Get(h) == "" {
						t.Errorf("%s: no %s", p, h)
					}
				}
			}
		}
	}
}

func TestRouting(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{http.MethodGet, "/api/v1/apps", http.StatusNotFound, "E0000007", ""},
		{http.MethodGet, "/api/v1/users/" + JaneDoeID + "/factors", http.StatusNotFound, "E0000007", ""},
		{http.MethodGet, "/api/v1", http.StatusNotFound, "E0000007", ""},
		{http.MethodPost, "/api/v1/users/" + JaneDoeID + "/lifecycle/explode", http.StatusNotFound, "E0000007", ""},
		{http.MethodPatch, "/api/v1/groups", http.StatusMethodNotAllowed, "E0000022", "GET, POST"},
		{http.MethodPatch, "/api/v1/users/" + JaneDoeID, http.StatusMethodNotAllowed, "E0000022", "DELETE, GET, POST, PUT"},
		{http.MethodDelete, "/api/v1/groups/" + AWSProdAdminsID + "/users", http.StatusMethodNotAllowed, "E0000022", "GET"},
		{http.MethodGet, "/api/v1/users/" + JaneDoeID + "/lifecycle/suspend", http.StatusMethodNotAllowed, "E0000022", "POST"},
		{http.MethodPost, "/api/v1/logs", http.StatusMethodNotAllowed, "E0000022", "GET"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := do(t, s, tc.method, tc.path, "")
			e := wantError(t, r, tc.status, tc.code)
			if tc.status == http.StatusMethodNotAllowed {
				if r.header.Get("Allow") != tc.allow {
					t.Errorf("Allow %q", r.header.Get("Allow"))
				}
				if e.ErrorSummary != "The endpoint does not support the provided HTTP method" {
					t.Errorf("errorSummary %q", e.ErrorSummary)
				}
			}
		})
	}
}

func TestRequestsRecorded(t *testing.T) {
	s := startServer(t, Options{})
	get(t, s, path("/api/v1/users", "q", "jane"))
	do(t, s, http.MethodGet, "/api/v1/groups", "-")
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/users?activate=false", strings.NewReader(`{"profile":{}}`))
	req.Header.Set("Authorization", "SSWS "+s.Org.Token())
	req.Header.Set("X-Test", "yes")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	got := s.Org.Requests()
	if len(got) != 3 {
		t.Fatalf("%d requests recorded, want 3", len(got))
	}
	want := []Request{
		{Method: "GET", Path: "/api/v1/users", RawQuery: "q=jane", Status: 200},
		{Method: "GET", Path: "/api/v1/groups", Status: 401},
		{Method: "POST", Path: "/api/v1/users", RawQuery: "activate=false", Status: 400, Body: []byte(`{"profile":{}}`)},
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.Method || g.Path != w.Path || g.RawQuery != w.RawQuery || g.Status != w.Status || string(g.Body) != string(w.Body) {
			t.Errorf("request %d: got %s %s?%s %d %q, want %s %s?%s %d %q", i, g.Method, g.Path, g.RawQuery, g.Status, g.Body, w.Method, w.Path, w.RawQuery, w.Status, w.Body)
		}
	}
	if a := got[0].Header.Get("Authorization"); a != "REDACTED" {
		t.Errorf("Authorization recorded as %q", a)
	}
	if _, ok := got[1].Header["Authorization"]; ok {
		t.Error("Authorization recorded for a request without one")
	}
	if got[2].Header.Get("X-Test") != "yes" {
		t.Error("headers not recorded")
	}
	s.Org.ResetRequests()
	if n := len(s.Org.Requests()); n != 0 {
		t.Errorf("%d requests after ResetRequests", n)
	}
}

func TestMaxInFlight(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.InjectFault(Fault{Latency: 200 * time.Millisecond})
	const n = 6
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/groups/"+AWSProdAdminsID, nil)
			req.Header.Set("Authorization", "SSWS "+s.Org.Token())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if got := s.Org.MaxInFlight(); got != n {
		t.Errorf("MaxInFlight %d, want %d", got, n)
	}
	s.Org.ResetRequests()
	if got := s.Org.MaxInFlight(); got != 0 {
		t.Errorf("MaxInFlight after reset %d, want 0", got)
	}
}

func TestCloseIsPrompt(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Org.InjectFault(Fault{Latency: time.Minute})
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+"/api/v1/users", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for len(s.Org.Requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("request in flight at Close succeeded")
		}
	case <-time.After(2 * time.Second):
		t.Error("request in flight at Close still pending")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := http.Get(s.URL + "/api/v1/users"); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := startServer(t, Options{ExtraUsers: 2000})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths := []string{
				"/api/v1/users?limit=200",
				"/api/v1/users/" + JaneDoeID,
				"/api/v1/groups?expand=stats",
				"/api/v1/groups/" + AWSProdAdminsID + "/users",
				path("/api/v1/users", "search", `profile.department eq "Sales"`),
				"/api/v1/users/jane.doe/groups",
			}
			for j := range 10 {
				r := get(t, s, paths[(i+j)%len(paths)])
				if r.status != http.StatusOK {
					t.Errorf("status %d", r.status)
				}
				if j%5 == 0 {
					s.Org.InjectFault(Fault{Method: "PUT", Times: 1})
					_ = s.Org.Requests()
					_ = s.Org.Users()
					_ = s.Org.Groups()
					s.Org.SetRateLimit("GET /api/v1/apps", 5, time.Minute)
				}
			}
		}()
	}
	wg.Wait()
	if got := len(s.Org.Requests()); got != 160 {
		t.Errorf("%d requests recorded, want 160", got)
	}
}

// TestMaxInFlightLeavesOutAbandoned: a request its client abandoned does
// not count (the client freed its slot when it gave up); requests still
// being served do.
func TestMaxInFlightLeavesOutAbandoned(t *testing.T) {
	t.Parallel()
	o := &Org{}
	a, b, c, d := o.log.enter(), o.log.enter(), o.log.enter(), o.log.enter()
	o.log.leave(a, true) // abandoned while b, c and d were served
	if got := o.MaxInFlight(); got != 3 {
		t.Errorf("MaxInFlight %d, want 3 (b, c, d; not the abandoned a)", got)
	}
	o.log.leave(b, false)
	o.log.leave(c, false)
	e := o.log.enter()
	if got := o.MaxInFlight(); got != 3 {
		t.Errorf("MaxInFlight %d, want 3", got)
	}
	o.ResetRequests() // d and e are still in flight
	if got := o.MaxInFlight(); got != 2 {
		t.Errorf("MaxInFlight after reset %d, want 2 (the two in flight)", got)
	}
	o.log.leave(d, false)
	o.log.leave(e, false)
}
