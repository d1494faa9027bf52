package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer starts a sandbox and closes it when the test ends.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// response is one answer, body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends method + pathOrURL (relative to the server unless absolute) with
// the org's token unless auth overrides it ("-" for no Authorization).
func do(t *testing.T, s *Server, method, pathOrURL, auth string) response {
	t.Helper()
	u := pathOrURL
	if !strings.HasPrefix(u, "http") {
		u = s.URL + pathOrURL
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch auth {
	case "":
		req.Header.Set("Authorization", "SSWS "+s.Org.Token())
	case "-":
	default:
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, u, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func get(t *testing.T, s *Server, pathOrURL string) response {
	t.Helper()
	return do(t, s, http.MethodGet, pathOrURL, "")
}

// path builds a path with query parameters, escaping them.
func path(p string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	if len(q) == 0 {
		return p
	}
	return p + "?" + q.Encode()
}

// objects decodes a JSON array of objects.
func objects(t *testing.T, r response) []map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var out []map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return out
}

func object(t *testing.T, r response) map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var out map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return out
}

func ids(objs []map[string]any) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i], _ = o["id"].(string)
	}
	return out
}

var linkRE = regexp.MustCompile(`^<([^<>]+)>; rel="(self|next)"$`)

// links checks that every Link header line holds exactly one link with
// rel="self" or rel="next", and returns them by rel.
func links(t *testing.T, r response) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range r.header.Values("Link") {
		m := linkRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("Link header line %q is not one <url>; rel=\"self|next\" link", line)
		}
		if _, dup := out[m[2]]; dup {
			t.Fatalf("two Link lines with rel=%q", m[2])
		}
		out[m[2]] = m[1]
	}
	if out["self"] == "" {
		t.Fatalf("no rel=\"self\" Link line in %q", r.header.Values("Link"))
	}
	return out
}

// oktaError decodes and checks the exact Okta error shape.
type oktaErr struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorLink    string `json:"errorLink"`
	ErrorID      string `json:"errorId"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

func wantError(t *testing.T, r response, status int, code string) oktaErr {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	for _, k := range []string{"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("error body lacks %q: %s", k, r.body)
		}
	}
	if len(raw) != 5 {
		t.Errorf("error body has extra fields: %s", r.body)
	}
	if string(raw["errorCauses"]) == "null" {
		t.Errorf("errorCauses is null, want an array: %s", r.body)
	}
	var e oktaErr
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatal(err)
	}
	if e.ErrorCode != code || e.ErrorLink != code {
		t.Errorf("errorCode/errorLink %q/%q, want %q; body %s", e.ErrorCode, e.ErrorLink, code, r.body)
	}
	if !strings.HasPrefix(e.ErrorID, "oae") || e.ErrorSummary == "" {
		t.Errorf("errorId %q, errorSummary %q", e.ErrorID, e.ErrorSummary)
	}
	return e
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// usersWhere returns the ids of seed users matching f, in list order.
func usersWhere(o *Org, f func(UserInfo) bool) []string {
	var out []string
	for _, u := range o.Users() {
		if f(u) {
			out = append(out, u.ID)
		}
	}
	return out
}

// pageAll follows rel="next" from first until the end and returns every item.
func pageAll(t *testing.T, s *Server, first string, maxPage int) []map[string]any {
	t.Helper()
	var all []map[string]any
	next := first
	for pages := 0; next != ""; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		r := get(t, s, next)
		page := objects(t, r)
		if len(page) > maxPage {
			t.Fatalf("page of %d items, limit %d", len(page), maxPage)
		}
		l := links(t, r)
		next = l["next"]
		if next != "" {
			if !strings.HasPrefix(next, s.URL+"/") {
				t.Fatalf("next link %q is not absolute on %s", next, s.URL)
			}
			if len(page) == 0 {
				t.Fatal("empty page with a next link")
			}
		}
		all = append(all, page...)
	}
	return all
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("%s: %s returned twice", what, id)
		}
	}
	wantSet := map[string]bool{}
	for _, id := range want {
		wantSet[id] = true
		if seen[id] == 0 {
			t.Errorf("%s: %s missing", what, id)
		}
	}
	for id := range seen {
		if !wantSet[id] {
			t.Errorf("%s: unexpected %s", what, id)
		}
	}
}
