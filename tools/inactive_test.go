package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

type inactiveOut struct {
	Items      []map[string]any `json:"items"`
	Count      int              `json:"count"`
	Scanned    int              `json:"scanned"`
	NextCursor string           `json:"next_cursor"`
	Status     string           `json:"status"`
	Days       int              `json:"days"`
	AsOf       string           `json:"as_of"`
	Cutoff     string           `json:"cutoff"`
	RateLimit  map[string]int   `json:"rate_limit"`
}

// scanInactive runs a scan to the end and returns every item by user ID,
// the users scanned, the calls made and the reference times.
func scanInactive(t *testing.T, h *mcptest.Harness, args map[string]any) (map[string]map[string]any, int, []inactiveOut) {
	t.Helper()
	items := map[string]map[string]any{}
	scanned := 0
	var calls []inactiveOut
	for {
		var out inactiveOut
		mcptest.Decode(t, h.Call(t, "okta_users_find_inactive", args), &out)
		calls = append(calls, out)
		if out.Count != len(out.Items) {
			t.Fatalf("count %d, %d items", out.Count, len(out.Items))
		}
		if out.AsOf != calls[0].AsOf || out.Cutoff != calls[0].Cutoff {
			t.Fatalf("call %d changed the reference time: %s/%s, first %s/%s", len(calls), out.AsOf, out.Cutoff, calls[0].AsOf, calls[0].Cutoff)
		}
		scanned += out.Scanned
		for _, it := range out.Items {
			id := it["id"].(string)
			if items[id] != nil {
				t.Errorf("user %s returned twice", id)
			}
			items[id] = it
		}
		if out.NextCursor == "" {
			return items, scanned, calls
		}
		if len(calls) > 100 {
			t.Fatal("the scan does not end")
		}
		args = map[string]any{"next_cursor": out.NextCursor}
	}
}

// bruteInactive is the answer by hand: users of status whose lastLogin is
// null or before cutoff; and how many users have that status.
func bruteInactive(h *mcptest.Harness, status string, cutoff time.Time) (map[string]sandbox.UserInfo, int) {
	want := map[string]sandbox.UserInfo{}
	n := 0
	for _, u := range h.Org.Users() {
		if u.Status != status {
			continue
		}
		n++
		// Okta's JSON carries milliseconds.
		if u.LastLogin == nil || u.LastLogin.Truncate(time.Millisecond).Before(cutoff) {
			want[u.ID] = u
		}
	}
	return want, n
}

func checkInactive(t *testing.T, h *mcptest.Harness, args map[string]any, status string) []inactiveOut {
	t.Helper()
	got, scanned, calls := scanInactive(t, h, args)
	asOf, err1 := time.Parse(time.RFC3339, calls[0].AsOf)
	cutoff, err2 := time.Parse(time.RFC3339, calls[0].Cutoff)
	if err1 != nil || err2 != nil || asOf.Sub(cutoff) != time.Duration(calls[0].Days)*24*time.Hour || calls[0].Status != status {
		t.Fatalf("header: %+v", calls[0])
	}
	want, n := bruteInactive(h, status, cutoff)
	if scanned != n {
		t.Errorf("%s: scanned %d, want every %s user (%d)", status, scanned, status, n)
	}
	if len(got) != len(want) {
		t.Errorf("%s, %d days: %d inactive, want %d", status, calls[0].Days, len(got), len(want))
	}
	for id, u := range want {
		it := got[id]
		if it == nil {
			t.Errorf("missing %s (%s, last login %v)", id, u.Login, u.LastLogin)
			continue
		}
		if it["status"] != status || it["profile"].(map[string]any)["login"] != u.Login {
			t.Errorf("item %v", it)
		}
		never := u.LastLogin == nil
		if it["never_logged_in"] != never {
			t.Errorf("%s: never_logged_in %v, lastLogin %v", u.Login, it["never_logged_in"], u.LastLogin)
		}
		if never {
			if it["days_since_login"] != nil || it["lastLogin"] != nil {
				t.Errorf("%s never signed in but %v", u.Login, it)
			}
			continue
		}
		wantDays := float64(int(asOf.Sub(u.LastLogin.Truncate(time.Millisecond)) / (24 * time.Hour)))
		if d, _ := it["days_since_login"].(float64); d != wantDays || d < float64(calls[0].Days) {
			t.Errorf("%s: days_since_login %v, want %v", u.Login, it["days_since_login"], wantDays)
		}
	}
	return calls
}

func TestFindInactiveMatchesBruteForce(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	calls := checkInactive(t, h, map[string]any{}, "ACTIVE")
	if len(calls) != 1 || calls[0].Days != 90 || calls[0].RateLimit["limit"] == 0 {
		t.Errorf("defaults: %d calls, days %d", len(calls), calls[0].Days)
	}
	never := 0
	for _, it := range calls[0].Items {
		if it["never_logged_in"] == true {
			never++
		}
		for _, k := range []string{"_links", "credentials", "type"} {
			if _, ok := it[k]; ok {
				t.Errorf("item has %q", k)
			}
		}
	}
	if never == 0 || never == calls[0].Count {
		t.Errorf("fixture: %d of %d inactive users never signed in; want some of each", never, calls[0].Count)
	}
	for _, status := range []string{"SUSPENDED", "DEPROVISIONED", "STAGED", "LOCKED_OUT"} {
		t.Run(status, func(t *testing.T) {
			checkInactive(t, h, map[string]any{"status": strings.ToLower(status), "days": 30}, status)
		})
	}
	for _, days := range []int{1, 30, 365, 3650} {
		checkInactive(t, h, map[string]any{"days": days}, "ACTIVE")
	}
	// Only the users Okta sent: a search on status, 200 a page.
	for _, r := range h.Org.Requests() {
		if r.Path == "/api/v1/users" && (!strings.Contains(r.RawQuery, "search=status") || strings.Contains(r.RawQuery, "limit=0")) {
			t.Errorf("request %s", r.RawQuery)
		}
	}
}

func TestFindInactiveDaysBoundary(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var last time.Time
	for _, u := range h.Org.Users() {
		if u.ID == sandbox.RobertBrownID && u.LastLogin != nil {
			last = u.LastLogin.Truncate(time.Millisecond)
		}
	}
	if last.IsZero() {
		t.Fatal("fixture: Robert Brown has no lastLogin")
	}
	// Robert Brown signed in last 200 days ago: inactive exactly when that
	// is before as_of minus days.
	for _, days := range []int{199, 200, 201} {
		var out inactiveOut
		mcptest.Decode(t, h.Call(t, "okta_users_find_inactive", map[string]any{"days": days}), &out)
		asOf, _ := time.Parse(time.RFC3339, out.AsOf)
		cutoff, _ := time.Parse(time.RFC3339, out.Cutoff)
		var item map[string]any
		for _, it := range out.Items {
			if it["id"] == sandbox.RobertBrownID {
				item = it
			}
		}
		if want := last.Before(cutoff); (item != nil) != want {
			t.Errorf("days %d: listed %v, want %v (last sign-in %s, cutoff %s)", days, item != nil, want, last, cutoff)
		}
		if days == 199 && (item == nil || item["days_since_login"] != float64(int(asOf.Sub(last)/(24*time.Hour)))) {
			t.Errorf("days 199: %v", item)
		}
		if days == 201 && item != nil {
			t.Errorf("days 201 lists a user who signed in 200 days ago")
		}
	}
}

func TestFindInactiveResumes(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	calls := checkInactive(t, h, map[string]any{"max_scan": 150, "days": 30, "fields": []string{"profile.city"}}, "ACTIVE")
	if len(calls) < 3 {
		t.Fatalf("%d calls; want the scan split over several", len(calls))
	}
	for i, c := range calls {
		if c.Scanned > 150 || (i < len(calls)-1 && c.Scanned != 150) {
			t.Errorf("call %d scanned %d", i, c.Scanned)
		}
		for _, it := range c.Items {
			if _, ok := it["profile"].(map[string]any)["city"]; !ok {
				t.Errorf("call %d lost fields: %v", i, it)
			}
		}
	}
}

func TestFindInactiveErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var out inactiveOut
	mcptest.Decode(t, h.Call(t, "okta_users_find_inactive", map[string]any{"max_scan": 10}), &out)
	if out.NextCursor == "" || out.Scanned != 10 {
		t.Fatalf("max_scan 10: %+v", out)
	}
	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"days too big", map[string]any{"days": 3651}, "1 to 3650"},
		{"days negative", map[string]any{"days": -1}, "1 to 3650"},
		{"max_scan too big", map[string]any{"max_scan": 10001}, "1 to 10000"},
		{"bad status", map[string]any{"status": "ENABLED"}, "ACTIVE"},
		{"injected status", map[string]any{"status": `ACTIVE" or status eq "SUSPENDED`}, "not a user status"},
		{"tampered cursor", map[string]any{"next_cursor": out.NextCursor[:len(out.NextCursor)-2] + "xx"}, "next_cursor"},
		{"cursor of another tool", map[string]any{"next_cursor": otherToolCursor(t)}, "belongs to tool"},
		{"bad field", map[string]any{"fields": []string{"credentials.password"}}, "never included"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.Org.Requests())
			e := mcptest.Err(t, h.Call(t, "okta_users_find_inactive", tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("got %+v, want invalid_argument mentioning %q", e, tt.want)
			}
			if n := len(h.Org.Requests()) - before; n != 0 {
				t.Errorf("%d requests reached Okta", n)
			}
		})
	}
}
