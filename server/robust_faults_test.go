package server_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// faultPolicy is the rate-limit policy of the fault tests: two 429 retries,
// waits of at most 3 s, two seconds per attempt.
var faultPolicy = ratelimit.Policy{MaxRetries: 2, MaxWait: 3 * time.Second, Timeout: 2 * time.Second,
	Jitter: func() time.Duration { return 5 * time.Millisecond }}

// faultBound is how long any faulted call may take: the slowest case is one
// timed-out attempt (2 s); the rest is generous slack for a loaded machine.
const faultBound = 8 * time.Second

type page struct {
	Items      []map[string]any `json:"items"`
	Count      int              `json:"count"`
	NextCursor string           `json:"next_cursor"`
}

// activeUsers returns the IDs of ACTIVE users other than Jane Doe.
func activeUsers(h *mcptest.Harness) []string {
	var out []string
	for _, u := range h.Org.Users() {
		if u.Status == sandbox.StatusActive && u.ID != sandbox.JaneDoeID {
			out = append(out, u.ID)
		}
	}
	return out
}

func userStatus(h *mcptest.Harness, id string) string {
	for _, u := range h.Org.Users() {
		if u.ID == id {
			return u.Status
		}
	}
	return ""
}

// count is the number of requests the org received with the method whose
// path starts with prefix.
func count(h *mcptest.Harness, method, prefix string) int {
	n := 0
	for _, r := range h.Org.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

func readAuditLog(t *testing.T, path string) []audit.Entry {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// TestOktaFaultsThroughMCP injects each kind of misbehaviour into the org
// and calls a tool through the MCP session: every call ends within a bound
// with a structured tool error or the documented retry (SPEC §7: GET once
// more after 502/503/504 or a dropped connection; any method after a 429),
// writes are never retried after a 5xx or a dropped connection, every
// write attempt is audited with the status it got, and the next call works.
func TestOktaFaultsThroughMCP(t *testing.T) {
	t.Parallel()
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	h := mcptest.Start(t, mcptest.Options{NoContract: true, Policy: faultPolicy,
		Safety: tools.Safety{NoConfirm: true}, AuditPath: auditPath})
	victims := activeUsers(h)
	now := time.Now().Unix()
	htmlPage := "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
	noReset := http.Header{"X-Rate-Limit-Reset": {}}

	type want struct {
		ok       bool   // the call succeeds (after the documented retry)
		status   int    // else: error status
		code     string // and code
		requests int    // requests for the faulted method and path
	}
	cases := []struct {
		name  string
		write bool // okta_users_suspend (POST); else list_all_okta_users (GET)
		fault sandbox.Fault
		want  want
	}{
		{"GET 500", false, sandbox.Fault{Status: 500, Times: 1}, want{status: 500, code: "E0000009", requests: 1}},
		{"GET 502 once, retried", false, sandbox.Fault{Status: 502, Times: 1}, want{ok: true, requests: 2}},
		{"GET 503 once, retried", false, sandbox.Fault{Status: 503, Times: 1}, want{ok: true, requests: 2}},
		{"GET 504 once, retried", false, sandbox.Fault{Status: 504, Times: 1}, want{ok: true, requests: 2}},
		{"GET 502 twice", false, sandbox.Fault{Status: 502, Times: 2}, want{status: 502, code: "E0000009", requests: 2}},
		{"GET 503 twice", false, sandbox.Fault{Status: 503, Times: 2}, want{status: 503, code: "E0000010", requests: 2}},
		{"GET 504 twice", false, sandbox.Fault{Status: 504, Times: 2}, want{status: 504, code: "E0000009", requests: 2}},
		{"GET 502 HTML page twice", false, sandbox.Fault{Status: 502, Times: 2, Body: htmlPage, ContentType: "text/html"}, want{status: 502, code: "http_502", requests: 2}},
		{"GET dropped mid-body once, retried", false, sandbox.Fault{Drop: true, Times: 1}, want{ok: true, requests: 2}},
		{"GET dropped mid-body twice", false, sandbox.Fault{Drop: true, Times: 2}, want{code: "connection_error", requests: 2}},
		{"GET slower than --timeout", false, sandbox.Fault{Latency: time.Minute, Times: 1}, want{code: "timeout", requests: 1}},
		{"GET 200 not JSON", false, sandbox.Fault{Status: 200, Times: 1, Body: "this is not JSON"}, want{code: "invalid_response", requests: 1}},
		{"GET 200 HTML", false, sandbox.Fault{Status: 200, Times: 1, Body: htmlPage, ContentType: "text/html; charset=utf-8"}, want{code: "invalid_response", requests: 1}},
		{"GET 429 reset in the past, retried", false, sandbox.Fault{Status: 429, Times: 1, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now-3600, 10)}}}, want{ok: true, requests: 2}},
		{"GET 429 reset missing, retried", false, sandbox.Fault{Status: 429, Times: 1, Header: noReset}, want{ok: true, requests: 2}},
		{"GET 429 reset missing, retries spent", false, sandbox.Fault{Status: 429, Times: 3, Header: noReset}, want{status: 429, code: "E0000047", requests: 3}},
		{"GET 429 reset far in the future", false, sandbox.Fault{Status: 429, Times: 1, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now+86400, 10)}}}, want{status: 429, code: "E0000047", requests: 1}},
		{"POST 500", true, sandbox.Fault{Method: "POST", Status: 500, Times: 1}, want{status: 500, code: "E0000009", requests: 1}},
		{"POST 502", true, sandbox.Fault{Method: "POST", Status: 502, Times: 1}, want{status: 502, code: "E0000009", requests: 1}},
		{"POST 503", true, sandbox.Fault{Method: "POST", Status: 503, Times: 1}, want{status: 503, code: "E0000010", requests: 1}},
		{"POST 504", true, sandbox.Fault{Method: "POST", Status: 504, Times: 1}, want{status: 504, code: "E0000009", requests: 1}},
		{"POST dropped mid-body", true, sandbox.Fault{Method: "POST", Drop: true, Times: 1}, want{code: "connection_error", requests: 1}},
		{"POST slower than --timeout", true, sandbox.Fault{Method: "POST", Latency: time.Minute, Times: 1}, want{code: "timeout", requests: 1}},
		{"POST 429 reset in the past, retried", true, sandbox.Fault{Method: "POST", Status: 429, Times: 1, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now-3600, 10)}}}, want{ok: true, requests: 2}},
		{"POST 429 reset far in the future", true, sandbox.Fault{Method: "POST", Status: 429, Times: 1, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now+86400, 10)}}}, want{status: 429, code: "E0000047", requests: 1}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			victim := victims[i]
			tool, args, method, prefix := "list_all_okta_users", map[string]any{"limit": 3}, "GET", "/api/v1/users"
			if tc.write {
				tool, args, method, prefix = "okta_users_suspend", map[string]any{"id": victim}, "POST", "/api/v1/users/"+victim+"/lifecycle/"
			}
			f := tc.fault
			f.PathPrefix = prefix
			h.Org.ResetRequests()
			h.Org.InjectFault(f)
			defer h.Org.ClearFaults()
			auditBefore := len(readAuditLog(t, auditPath))

			start := time.Now()
			res := h.Call(t, tool, args)
			if took := time.Since(start); took > faultBound {
				t.Errorf("the call took %s", took)
			}
			if n := count(h, method, prefix); n != tc.want.requests {
				t.Errorf("%d %s requests reached the org, want %d", n, method, tc.want.requests)
			}
			if tc.want.ok {
				mcptest.Decode(t, res, &struct{}{})
			} else {
				e := mcptest.Err(t, res)
				if e.Status != tc.want.status || e.Code != tc.want.code || e.Summary == "" || e.Causes == nil {
					t.Errorf("error %+v, want status %d code %s", e, tc.want.status, tc.want.code)
				}
				if tc.want.status == 429 {
					if e.RetryAfter == nil {
						t.Errorf("429 without retry_after: %+v", e)
					} else if far := tc.fault.Header.Get("X-Rate-Limit-Reset") == strconv.FormatInt(now+86400, 10); far && *e.RetryAfter < 86000 {
						t.Errorf("retry_after %d for a reset a day away", *e.RetryAfter)
					}
				}
			}
			if tc.write {
				wantStatus := sandbox.StatusActive
				if tc.want.ok {
					wantStatus = sandbox.StatusSuspended
				}
				if got := userStatus(h, victim); got != wantStatus {
					t.Errorf("user status %s, want %s", got, wantStatus)
				}
				entries := readAuditLog(t, auditPath)[auditBefore:]
				if len(entries) != 1 || entries[0].Status != tc.want.status && !(tc.want.ok && entries[0].Status == 200) {
					t.Errorf("audit entries %+v, want one with status %d", entries, tc.want.status)
				}
			}

			// The org stops serving the abandoned request (its client hung
			// up), and the next call works.
			waitFor(t, "the org to finish serving", func() bool { return h.Org.InFlight() == 0 })
			if n := h.Okta.InFlight(); n != 0 {
				t.Errorf("%d concurrency slots still held", n)
			}
			h.Org.ClearFaults()
			var p page
			mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 1}), &p)
			if p.Count != 1 {
				t.Errorf("next call: %d items", p.Count)
			}
		})
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestForeignLinkNeverFollowed: a page whose next link points to another
// host is an invalid_response error that says the list cannot be
// continued (never a last page that is not the last), nothing is ever sent
// to that host, and the org's own next links keep paging on the org.
func TestForeignLinkNeverFollowed(t *testing.T) {
	t.Parallel()
	var foreign atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreign.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	defer other.Close()
	h := mcptest.Start(t, mcptest.Options{NoContract: true})
	body := `[{"id":"00uforeign1","status":"ACTIVE","created":"2020-01-01T00:00:00.000Z","profile":{"login":"a@example.com"}}]`
	for _, links := range [][]string{
		{`<` + other.URL + `/api/v1/users?after=00uEVIL&limit=1>; rel="next"`},
		{`<` + h.URL + `/api/v1/users?limit=1>; rel="self"`, `<` + other.URL + `/api/v1/users?after=00uEVIL&limit=1>; rel="next"`},
		{`<https://evil.example.test/api/v1/users?after=00uEVIL>; rel="next"`},
		{`<` + h.URL + `@evil.example.test/api/v1/users?after=00uEVIL>; rel="next"`},
	} {
		h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users", Status: 200, Times: 1, Body: body, Header: http.Header{"Link": links}})
		e := mcptest.Err(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 1}))
		if e.Code != okta.CodeInvalidResponse || !strings.Contains(e.Summary, "does not point to the org") || !strings.Contains(e.Summary, "cannot be continued") || e.Hint == "" {
			t.Errorf("Link %v: %+v; want an invalid_response error saying the list cannot be continued", links, e)
		}
	}
	// The org's own links page on as usual, on the org.
	h.Org.ResetRequests()
	var p page
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 2}), &p)
	if p.NextCursor == "" {
		t.Fatal("no next_cursor on the org's own first page")
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"next_cursor": p.NextCursor}), &p)
	if p.Count != 2 || len(h.Org.Requests()) != 2 {
		t.Errorf("second page: %d items after %d org requests", p.Count, len(h.Org.Requests()))
	}
	if n := foreign.Load(); n != 0 {
		t.Errorf("%d requests went to the foreign host", n)
	}
}
