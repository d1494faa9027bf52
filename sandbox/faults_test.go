package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestFaultLatency(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.InjectFault(Fault{PathPrefix: "/api/v1/users", Latency: 150 * time.Millisecond, Times: 1})

	start := time.Now()
	r := get(t, s, "/api/v1/users/"+JaneDoeID)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want >= 150ms", d)
	}
	if u := object(t, r); u["id"] != JaneDoeID {
		t.Errorf("latency fault changed the answer: %v", u["id"])
	}
	start = time.Now()
	get(t, s, "/api/v1/users/"+JaneDoeID)
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Times: 1 fault applied twice (%v)", d)
	}
}

func TestFaultLatencyClientGone(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.InjectFault(Fault{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/v1/users", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("request succeeded despite a one-minute latency")
	}
	deadline := time.Now().Add(2 * time.Second)
	for inFlight(s.Org) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("handler still sleeping after the client went away")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Org.Requests(); len(got) != 1 || got[0].Status != 0 {
		t.Errorf("recorded %+v, want one request with status 0", got)
	}
}

func inFlight(o *Org) int {
	o.log.mu.Lock()
	defer o.log.mu.Unlock()
	return o.log.inflight
}

func TestFaultStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault Fault
		check func(t *testing.T, r response)
	}{
		{"503 default body", Fault{Status: 503}, func(t *testing.T, r response) {
			wantError(t, r, 503, "E0000010")
		}},
		{"500 default body", Fault{Status: 500}, func(t *testing.T, r response) {
			wantError(t, r, 500, "E0000009")
		}},
		{"502 custom body", Fault{Status: 502, Body: "<html>Bad Gateway</html>", ContentType: "text/html"}, func(t *testing.T, r response) {
			if r.status != 502 || string(r.body) != "<html>Bad Gateway</html>" || r.header.Get("Content-Type") != "text/html" {
				t.Errorf("got %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
			}
		}},
		{"429 storm", Fault{Status: 429, Header: http.Header{"X-Rate-Limit-Reset": {"1234567890"}}}, func(t *testing.T, r response) {
			wantError(t, r, 429, "E0000047")
			h := rateOf(t, r)
			if h.remaining != 0 || h.reset != 1234567890 || h.limit != 600 {
				t.Errorf("429 headers %+v", h)
			}
			if r.header.Get("X-Okta-Request-Id") == "" {
				t.Error("no X-Okta-Request-Id on a faulted answer")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Options{})
			f := tc.fault
			f.Times = 2
			s.Org.InjectFault(f)
			tc.check(t, get(t, s, "/api/v1/groups"))
			tc.check(t, do(t, s, http.MethodGet, "/api/v1/groups", "-")) // faults come before auth
			if r := get(t, s, "/api/v1/groups"); r.status != http.StatusOK {
				t.Errorf("third request: %d, want the fault used up", r.status)
			}
			reqs := s.Org.Requests()
			if len(reqs) != 3 || reqs[0].Status != f.Status || reqs[1].Status != f.Status || reqs[2].Status != 200 {
				t.Errorf("recorded %+v", reqs)
			}
			// Faulted requests spend no rate budget.
			if h := rateOf(t, get(t, s, "/api/v1/groups")); h.remaining != 598 {
				t.Errorf("remaining %d, want 598", h.remaining)
			}
		})
	}
}

func TestFaultMatching(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.InjectFault(Fault{Method: "POST", Status: 500})
	s.Org.InjectFault(Fault{PathPrefix: "/api/v1/groups", Status: 503})
	s.Org.InjectFault(Fault{PathPrefix: "/api/v1/groups/" + AWSProdAdminsID, Status: 504}) // shadowed by the one before
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/v1/users", 200},
		{http.MethodPost, "/api/v1/users", 500},
		{http.MethodGet, "/api/v1/groups", 503},
		{http.MethodGet, "/api/v1/groups/" + AWSProdAdminsID, 503},
	} {
		if r := do(t, s, tc.method, tc.path, ""); r.status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, r.status, tc.status)
		}
	}
	s.Org.ClearFaults()
	if r := get(t, s, "/api/v1/groups"); r.status != http.StatusOK {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultDrop(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault Fault
	}{
		{"default", Fault{Drop: true, Times: 1}},
		{"503 mid-body", Fault{Drop: true, Status: 503, Times: 1}},
		{"after latency", Fault{Drop: true, Latency: 50 * time.Millisecond, Times: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Org.InjectFault(tc.fault)
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/users", nil)
			req.Header.Set("Authorization", "SSWS "+s.Org.Token())
			resp, err := client.Do(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				want := tc.fault.Status
				if want == 0 {
					want = 200
				}
				if resp.StatusCode != want {
					t.Errorf("status %d, want %d", resp.StatusCode, want)
				}
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %v, want an unexpected EOF mid-body", err)
			}
			// The next request on a fresh connection works.
			if r := get(t, s, "/api/v1/users?limit=1"); r.status != http.StatusOK {
				t.Errorf("after the drop: %d", r.status)
			}
			if reqs := s.Org.Requests(); len(reqs) != 2 {
				t.Errorf("%d requests recorded, want 2", len(reqs))
			}
		})
	}
}
