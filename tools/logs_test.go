package tools_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

type logPage struct {
	Items      []map[string]any `json:"items"`
	Count      int              `json:"count"`
	NextCursor string           `json:"next_cursor"`
	Limit      int              `json:"limit"`
	Since      string           `json:"since"`
	Until      string           `json:"until"`
	RateLimit  map[string]int   `json:"rate_limit"`
}

// window is a whole-second time range ending now.
func window(d time.Duration) (since, until time.Time) {
	until = time.Now().UTC().Truncate(time.Second)
	return until.Add(-d), until
}

// eventsIn are the sandbox's events in [since, until] at millisecond
// precision (as the System Log compares), that also pass keep.
func eventsIn(h *mcptest.Harness, since, until time.Time, keep func(sandbox.EventInfo) bool) []sandbox.EventInfo {
	var out []sandbox.EventInfo
	for _, e := range h.Org.Events() {
		ms := e.Published.UnixMilli()
		if ms >= since.UnixMilli() && ms <= until.UnixMilli() && (keep == nil || keep(e)) {
			out = append(out, e)
		}
	}
	return out
}

// logQueries are the query strings of the /api/v1/logs requests sent.
func logQueries(t *testing.T, h *mcptest.Harness) []url.Values {
	t.Helper()
	var out []url.Values
	for _, r := range h.Org.Requests() {
		if r.Path == "/api/v1/logs" {
			q, err := url.ParseQuery(r.RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, q)
		}
	}
	return out
}

// pageAll pages a log query to the end and returns the event UUIDs in order.
func pageAll(t *testing.T, h *mcptest.Harness, args map[string]any) ([]string, []logPage) {
	t.Helper()
	var uuids []string
	var pages []logPage
	for {
		var p logPage
		mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", args), &p)
		pages = append(pages, p)
		if p.Count != len(p.Items) || p.Count > p.Limit {
			t.Fatalf("page %d: count %d, %d items, limit %d", len(pages), p.Count, len(p.Items), p.Limit)
		}
		for _, it := range p.Items {
			uuids = append(uuids, it["uuid"].(string))
		}
		if p.NextCursor == "" {
			return uuids, pages
		}
		if len(pages) > 200 {
			t.Fatal("paging does not end")
		}
		args = map[string]any{"next_cursor": p.NextCursor}
	}
}

func TestListLogsPagesWindowToTheEnd(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	since, until := window(24 * time.Hour)
	want := eventsIn(h, since, until, nil)
	if len(want) < 50 {
		t.Fatalf("fixture: only %d events in the last day", len(want))
	}
	for _, order := range []string{"ASCENDING", "DESCENDING"} {
		t.Run(order, func(t *testing.T) {
			got, pages := pageAll(t, h, map[string]any{"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339), "limit": 37, "sort_order": order})
			if len(got) != len(want) {
				t.Errorf("%d events, want %d", len(got), len(want))
			}
			seen := map[string]int{}
			for _, u := range got {
				seen[u]++
			}
			for _, e := range want {
				if seen[e.UUID] != 1 {
					t.Errorf("event %s (%s) seen %d times", e.UUID, e.Published.Format(time.RFC3339Nano), seen[e.UUID])
				}
			}
			order := func(p logPage) bool {
				return sort.SliceIsSorted(p.Items, func(i, j int) bool {
					a, b := p.Items[i]["published"].(string), p.Items[j]["published"].(string)
					if order == "DESCENDING" {
						return a > b
					}
					return a < b
				})
			}
			for i, p := range pages {
				if !order(p) || p.Until != until.Format(time.RFC3339) || p.RateLimit["limit"] == 0 {
					t.Errorf("page %d: sorted %v, until %q, rate %v", i, order(p), p.Until, p.RateLimit)
				}
			}
			if pages[0].Since != since.Format(time.RFC3339) {
				t.Errorf("since %q, want %q", pages[0].Since, since.Format(time.RFC3339))
			}
			if n := (len(want) + 36) / 37; len(pages) != n {
				t.Errorf("%d pages, want %d", len(pages), n)
			}
		})
	}
	// Every request was bounded by until, and no page repeated since with after.
	for _, q := range logQueries(t, h) {
		if q.Get("until") != until.Format(time.RFC3339) || (q.Get("after") != "" && q.Has("since")) {
			t.Errorf("request query %v", q)
		}
	}
}

func TestListLogsDefaultsAndCompact(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	before := time.Now().UTC().Truncate(time.Second)
	var p logPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", map[string]any{}), &p)
	until, err1 := time.Parse(time.RFC3339, p.Until)
	since, err2 := time.Parse(time.RFC3339, p.Since)
	if err1 != nil || err2 != nil || until.Before(before) || until.Sub(before) > 5*time.Second || until.Sub(since) != 24*time.Hour {
		t.Errorf("default window %s – %s (now %s)", p.Since, p.Until, before)
	}
	inWindow := len(eventsIn(h, since, until, nil))
	if p.Limit != 100 || p.Count != min(100, inWindow) || (p.NextCursor != "") != (inWindow > 100) {
		t.Errorf("default page: limit %d count %d cursor %q; %d events in the window", p.Limit, p.Count, p.NextCursor, inWindow)
	}
	allowed := map[string]map[string]bool{
		"actor":                 {"id": true, "type": true, "alternateId": true, "displayName": true},
		"client":                {"ipAddress": true, "geographicalContext": true, "userAgent": true},
		"authenticationContext": {"externalSessionId": true},
		"outcome":               {"result": true, "reason": true},
	}
	top := map[string]bool{"uuid": true, "published": true, "eventType": true, "severity": true, "displayMessage": true, "target": true}
	withTargets := 0
	for _, ev := range p.Items {
		for k, v := range ev {
			if sub, ok := allowed[k]; ok {
				for kk := range v.(map[string]any) {
					if !sub[kk] {
						t.Errorf("compact event has %s.%s", k, kk)
					}
				}
			} else if !top[k] {
				t.Errorf("compact event has %q", k)
			}
		}
		if ts, ok := ev["target"].([]any); ok && len(ts) > 0 {
			withTargets++
			for _, tg := range ts {
				for k := range tg.(map[string]any) {
					if k != "id" && k != "type" && k != "alternateId" && k != "displayName" {
						t.Errorf("compact target has %q", k)
					}
				}
			}
		}
		if g, ok := ev["client"].(map[string]any)["geographicalContext"].(map[string]any); ok {
			for k := range g {
				if k != "city" && k != "state" && k != "country" {
					t.Errorf("compact geographicalContext has %q", k)
				}
			}
		}
	}
	if withTargets == 0 {
		t.Error("no event with targets on the page")
	}

	// fields adds paths (also inside targets); ["*"] is the whole event.
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"limit": 5, "fields": []string{"debugContext.debugData.requestUri", "target.detailEntry"}}), &p)
	for _, ev := range p.Items {
		if ev["debugContext"].(map[string]any)["debugData"].(map[string]any)["requestUri"] == nil {
			t.Errorf("fields: no requestUri in %v", ev)
		}
	}
	var next logPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"next_cursor": p.NextCursor}), &next)
	if next.Limit != 5 || next.Items[0]["debugContext"] == nil {
		t.Errorf("the cursor lost limit or fields: %d %v", next.Limit, next.Items[0])
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"limit": 2, "fields": []string{"*"}}), &p)
	if p.Items[0]["request"] == nil || p.Items[0]["securityContext"] == nil {
		t.Errorf(`fields ["*"]: %v`, p.Items[0])
	}
}

func TestListLogsShortcuts(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	since, until := window(24 * time.Hour)
	base := map[string]any{"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339), "limit": 1000}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name       string
		args       map[string]any
		wantFilter string
		keep       func(e sandbox.EventInfo) bool
	}{
		{"jane's failed sign-ins from the unusual IP",
			map[string]any{"event_type": "user.session.start", "outcome": "failure", "actor_id": sandbox.JaneDoeID, "ip_address": sandbox.JaneUnusualIP},
			`eventType eq "user.session.start" and outcome.result eq "FAILURE" and actor.id eq "` + sandbox.JaneDoeID + `" and client.ipAddress eq "` + sandbox.JaneUnusualIP + `"`,
			func(e sandbox.EventInfo) bool {
				return e.EventType == "user.session.start" && e.Outcome == "FAILURE" && e.ActorID == sandbox.JaneDoeID && e.IP == sandbox.JaneUnusualIP
			}},
		{"filter and shortcuts",
			map[string]any{"filter": `eventType sw "user.mfa" or eventType eq "user.session.start"`, "actor_id": sandbox.JaneDoeID, "ip_address": sandbox.JaneUnusualIP},
			`(eventType sw "user.mfa" or eventType eq "user.session.start") and actor.id eq "` + sandbox.JaneDoeID + `" and client.ipAddress eq "` + sandbox.JaneUnusualIP + `"`,
			func(e sandbox.EventInfo) bool {
				return (strings.HasPrefix(e.EventType, "user.mfa") || e.EventType == "user.session.start") && e.ActorID == sandbox.JaneDoeID && e.IP == sandbox.JaneUnusualIP
			}},
		{"target_id",
			map[string]any{"target_id": sandbox.JaneDoeID},
			`target.id eq "` + sandbox.JaneDoeID + `"`,
			func(e sandbox.EventInfo) bool {
				for _, id := range e.TargetIDs {
					if id == sandbox.JaneDoeID {
						return true
					}
				}
				return false
			}},
		{"a quote in a value stays inside its literal",
			map[string]any{"event_type": `x" or actor.id pr or "`},
			`eventType eq "x\" or actor.id pr or \""`,
			func(sandbox.EventInfo) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.Org.ResetRequests()
			var p logPage
			mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", with(tc.args)), &p)
			want := eventsIn(h, since, until, tc.keep)
			if p.Count != len(want) || p.NextCursor != "" {
				t.Errorf("%d events (cursor %q), want %d", p.Count, p.NextCursor, len(want))
			}
			got := map[string]bool{}
			for _, it := range p.Items {
				got[it["uuid"].(string)] = true
			}
			for _, e := range want {
				if !got[e.UUID] {
					t.Errorf("missing %s %s", e.EventType, e.UUID)
				}
			}
			qs := logQueries(t, h)
			if len(qs) != 1 || qs[0].Get("filter") != tc.wantFilter {
				t.Errorf("sent filter %q, want %q", qs[0].Get("filter"), tc.wantFilter)
			}
		})
	}
	// The fixture: six failed sign-ins from the unusual IP in the last day.
	var p logPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", with(cases[0].args)), &p)
	if p.Count != 6 {
		t.Errorf("jane has %d failed sign-ins from %s, want 6", p.Count, sandbox.JaneUnusualIP)
	}
}

func TestListLogsErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	now := time.Now().UTC()
	var p logPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"limit": 5}), &p)
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"since after until", map[string]any{"since": now.Add(-time.Hour).Format(time.RFC3339), "until": now.Add(-2 * time.Hour).Format(time.RFC3339)}, "after until"},
		{"malformed since", map[string]any{"since": "yesterday"}, "RFC 3339"},
		{"malformed until", map[string]any{"until": "2024-13-01T00:00:00Z"}, "RFC 3339"},
		{"date without time", map[string]any{"since": "2024-05-01"}, "RFC 3339"},
		{"beyond retention", map[string]any{"since": now.Add(-100 * 24 * time.Hour).Format(time.RFC3339)}, "90 days"},
		{"limit too big", map[string]any{"limit": 1001}, "1 to 1000"},
		{"limit negative", map[string]any{"limit": -5}, "1 to 1000"},
		{"bad outcome", map[string]any{"outcome": "MAYBE"}, "SUCCESS"},
		{"bad sort order", map[string]any{"sort_order": "UP"}, "DESCENDING"},
		{"bad actor id", map[string]any{"actor_id": "00u1/../x"}, "not an Okta ID"},
		{"bad target id", map[string]any{"target_id": `a" or "b`}, "not an Okta ID"},
		{"bad ip", map[string]any{"ip_address": "999.1.1.1"}, "IPv4 or IPv6"},
		{"unbalanced filter", map[string]any{"filter": `eventType eq "a") or (actor.id pr`, "actor_id": sandbox.JaneDoeID}, "unbalanced"},
		{"unterminated string", map[string]any{"filter": `eventType eq "a`}, "not closed"},
		{"tampered cursor", map[string]any{"next_cursor": p.NextCursor[:len(p.NextCursor)-3] + "AAA"}, "next_cursor"},
		{"cursor of another tool", map[string]any{"next_cursor": otherToolCursor(t)}, "belongs to tool"},
		{"bad field", map[string]any{"fields": []string{"a..b"}}, "dotted field path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.Org.Requests())
			e := mcptest.Err(t, h.Call(t, "list_all_okta_system_logs", tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("got %+v, want invalid_argument mentioning %q", e, tt.want)
			}
			if n := len(h.Org.Requests()) - before; n != 0 {
				t.Errorf("%d requests reached Okta", n)
			}
		})
	}
	// A balanced but invalid expression is Okta's own error, with a hint.
	for _, f := range []string{`eventType equals "x"`, `published gt "2024-01-01T00:00:00Z"`} {
		e := mcptest.Err(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"filter": f}))
		if e.Status != 400 || e.Code != "E0000053" || !strings.Contains(e.Hint, "System Log filter") || e.RequestID == "" {
			t.Errorf("filter %q: %+v", f, e)
		}
	}
	// Okta's own validation of q comes through as well.
	e := mcptest.Err(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"q": strings.Repeat("a", 41)}))
	if e.Status != 400 {
		t.Errorf("long q keyword: %+v", e)
	}
}

type countOut struct {
	Groups []struct {
		Key   map[string]any `json:"key"`
		Count int            `json:"count"`
	} `json:"groups"`
	DistinctGroups int               `json:"distinct_groups"`
	TotalEvents    int               `json:"total_events"`
	Truncated      bool              `json:"truncated"`
	Covered        map[string]string `json:"covered"`
	GroupBy        []string          `json:"group_by"`
	RateLimit      map[string]int    `json:"rate_limit"`
}

// keyOf renders a group key for comparison; null is "<null>".
func keyOf(vals ...any) string {
	var parts []string
	for _, v := range vals {
		if v == nil {
			v = "<null>"
		}
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, "|")
}

func TestCountLogsAgreesWithTheLog(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	since, until := window(31 * 24 * time.Hour)
	all := eventsIn(h, since, until, nil)
	if len(all) < 5000 {
		t.Fatalf("fixture: %d events in 31 days, want at least 5000", len(all))
	}
	args := func(extra map[string]any) map[string]any {
		m := map[string]any{"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339), "max_events": 50000, "top": 1000}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	orNil := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	cases := []struct {
		name  string
		extra map[string]any
		keep  func(sandbox.EventInfo) bool
		keys  func(sandbox.EventInfo) []string // one key per counted row
	}{
		{"by eventType", map[string]any{"group_by": []string{"eventType"}}, nil,
			func(e sandbox.EventInfo) []string { return []string{keyOf(e.EventType)} }},
		{"failures by IP and outcome", map[string]any{"group_by": []string{"client.ipAddress", "outcome.result"}, "outcome": "FAILURE"},
			func(e sandbox.EventInfo) bool { return e.Outcome == "FAILURE" },
			func(e sandbox.EventInfo) []string { return []string{keyOf(e.IP, e.Outcome)} }},
		{"each target counted", map[string]any{"group_by": []string{"target.id", "eventType"}},
			nil,
			func(e sandbox.EventInfo) []string {
				if len(e.TargetIDs) == 0 {
					return []string{keyOf(nil, e.EventType)}
				}
				var ks []string
				for _, id := range e.TargetIDs {
					ks = append(ks, keyOf(orNil(id), e.EventType))
				}
				return ks
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out countOut
			mcptest.Decode(t, h.Call(t, "okta_system_logs_count", args(tc.extra)), &out)
			want := map[string]int{}
			n := 0
			for _, e := range all {
				if tc.keep != nil && !tc.keep(e) {
					continue
				}
				n++
				for _, k := range tc.keys(e) {
					want[k]++
				}
			}
			if out.TotalEvents != n || out.Truncated || out.DistinctGroups != len(want) {
				t.Errorf("total %d truncated %v distinct %d; want %d, false, %d", out.TotalEvents, out.Truncated, out.DistinctGroups, n, len(want))
			}
			if out.Covered["since"] != since.Format(time.RFC3339) || out.Covered["until"] != until.Format(time.RFC3339) {
				t.Errorf("covered %v", out.Covered)
			}
			got := map[string]int{}
			for i, g := range out.Groups {
				var vals []any
				for _, f := range out.GroupBy {
					vals = append(vals, g.Key[f])
				}
				got[keyOf(vals...)] = g.Count
				if i > 0 && g.Count > out.Groups[i-1].Count {
					t.Errorf("groups not sorted by count at %d", i)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d groups, want %d", len(got), len(want))
			}
			for k, c := range want {
				if got[k] != c {
					t.Errorf("group %s: %d, want %d", k, got[k], c)
				}
			}
		})
	}

	// Default max_events is 5000: with more events in range, truncated,
	// and covered ends at the last event counted.
	var out countOut
	mcptest.Decode(t, h.Call(t, "okta_system_logs_count", map[string]any{"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339), "group_by": []string{"severity"}}), &out)
	if out.TotalEvents != 5000 || out.Truncated != (len(all) > 5000) {
		t.Errorf("default max_events: total %d truncated %v (%d events in range)", out.TotalEvents, out.Truncated, len(all))
	}
	if len(all) > 5000 {
		if want := all[4999].Published.UTC().Format("2006-01-02T15:04:05.000Z"); out.Covered["until"] != want {
			t.Errorf("covered until %s, want the 5000th event's time %s", out.Covered["until"], want)
		}
	}
	sum := 0
	for _, g := range out.Groups {
		sum += g.Count
	}
	if sum != out.TotalEvents {
		t.Errorf("severity groups sum to %d, total %d", sum, out.TotalEvents)
	}
	for _, q := range logQueries(t, h) {
		if l := q.Get("limit"); l == "" || len(l) > 4 || q.Get("until") == "" {
			t.Errorf("count request %v", q)
		}
	}
}

func TestCountLogsTruncation(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	since, until := window(31 * 24 * time.Hour)
	fails := eventsIn(h, since, until, func(e sandbox.EventInfo) bool {
		return e.EventType == "user.session.start" && e.Outcome == "FAILURE"
	})
	n := len(fails)
	if n < 50 {
		t.Fatalf("fixture: %d failed sign-ins", n)
	}
	for _, tc := range []struct {
		max       int
		total     int
		truncated bool
		order     string
	}{
		{n + 1, n, false, ""},
		{n, n, false, ""}, // exactly all: a probe shows nothing is left
		{n - 1, n - 1, true, ""},
		{10, 10, true, "ASCENDING"},
		{10, 10, true, "DESCENDING"},
	} {
		var out countOut
		mcptest.Decode(t, h.Call(t, "okta_system_logs_count", map[string]any{"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339),
			"event_type": "user.session.start", "outcome": "FAILURE", "group_by": []string{"actor.alternateId"}, "max_events": tc.max, "sort_order": tc.order}), &out)
		if out.TotalEvents != tc.total || out.Truncated != tc.truncated {
			t.Errorf("max_events %d %s: total %d truncated %v; want %d %v", tc.max, tc.order, out.TotalEvents, out.Truncated, tc.total, tc.truncated)
		}
		if !tc.truncated {
			continue
		}
		layout := "2006-01-02T15:04:05.000Z"
		switch tc.order {
		case "DESCENDING":
			if want := fails[n-tc.max].Published.UTC().Format(layout); out.Covered["since"] != want || out.Covered["until"] != until.Format(time.RFC3339) {
				t.Errorf("descending covered %v; want since %s", out.Covered, want)
			}
		default:
			if want := fails[tc.max-1].Published.UTC().Format(layout); out.Covered["until"] != want || out.Covered["since"] != since.Format(time.RFC3339) {
				t.Errorf("ascending covered %v; want until %s", out.Covered, want)
			}
		}
	}
}

func TestCountLogsErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"no group_by", map[string]any{}, "group_by"},
		{"four fields", map[string]any{"group_by": []string{"eventType", "actor.id", "client.ipAddress", "outcome.result"}}, "group_by"},
		{"unknown field", map[string]any{"group_by": []string{"debugContext.debugData.secret"}}, "valid fields are"},
		{"twice", map[string]any{"group_by": []string{"eventType", "eventType"}}, "twice"},
		{"max_events too big", map[string]any{"group_by": []string{"eventType"}, "max_events": 50001}, "1 to 50000"},
		{"top too big", map[string]any{"group_by": []string{"eventType"}, "top": 5000}, "1 to 1000"},
		{"since after until", map[string]any{"group_by": []string{"eventType"}, "since": "2030-01-01T00:00:00Z", "until": "2029-01-01T00:00:00Z"}, "after until"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := h.Call(t, "okta_system_logs_count", tt.args)
			if !res.IsError {
				t.Fatalf("accepted: %s", mcptest.Text(res))
			}
			// Schema violations (min/max items) are rejected before the
			// handler; the rest are argument errors naming what is valid.
			var e struct {
				Error *mcptest.ToolError `json:"error"`
			}
			if json.Unmarshal([]byte(mcptest.Text(res)), &e) == nil && e.Error != nil {
				if e.Error.Code != tools.CodeInvalidArgument || !strings.Contains(e.Error.Summary, tt.want) {
					t.Errorf("got %+v, want %q", e.Error, tt.want)
				}
			} else if !strings.Contains(mcptest.Text(res), tt.want) {
				t.Errorf("error %q does not mention %q", mcptest.Text(res), tt.want)
			}
		})
	}
	if n := len(h.Org.Requests()); n != 0 {
		t.Errorf("%d requests reached Okta", n)
	}
}
