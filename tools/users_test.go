package tools_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/pagination"
	"github.com/okta-mcp/okta-mcp/tools"
)

type userPage struct {
	Items      []map[string]any `json:"items"`
	Count      int              `json:"count"`
	NextCursor string           `json:"next_cursor"`
	Limit      int              `json:"limit"`
	RateLimit  *struct {
		Limit, Remaining, Reset int
	} `json:"rate_limit"`
}

func TestListUsersPagesToTheEnd(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	want := map[string]bool{}
	for _, u := range h.Org.Users() {
		if u.Status != "DEPROVISIONED" {
			want[u.ID] = true
		}
	}
	seen := map[string]int{}
	args := map[string]any{"limit": 37}
	pages := 0
	for {
		var page userPage
		mcptest.Decode(t, h.Call(t, "list_all_okta_users", args), &page)
		pages++
		if page.Count != len(page.Items) || page.Limit != 37 {
			t.Fatalf("page %d: count %d, %d items, limit %d", pages, page.Count, len(page.Items), page.Limit)
		}
		if page.RateLimit == nil || page.RateLimit.Limit == 0 {
			t.Fatalf("page %d has no rate_limit", pages)
		}
		for _, it := range page.Items {
			seen[it["id"].(string)]++
		}
		if page.NextCursor == "" {
			break
		}
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		// The cursor alone carries the query.
		args = map[string]any{"next_cursor": page.NextCursor}
	}
	if len(seen) != len(want) {
		t.Errorf("saw %d distinct users, want %d", len(seen), len(want))
	}
	for id, n := range seen {
		if n != 1 || !want[id] {
			t.Errorf("user %s seen %d times (expected: %v)", id, n, want[id])
		}
	}
	if wantPages := (len(want) + 36) / 37; pages != wantPages {
		t.Errorf("%d pages, want %d", pages, wantPages)
	}
}

func TestListUsersCompactAndFields(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 3}), &page)
	for _, u := range page.Items {
		for _, k := range []string{"_links", "credentials", "_embedded", "type", "passwordChanged"} {
			if _, ok := u[k]; ok {
				t.Errorf("compact user has %q: %v", k, u)
			}
		}
		p := u["profile"].(map[string]any)
		if _, ok := p["employeeNumber"]; ok {
			t.Errorf("compact profile has employeeNumber")
		}
		if p["login"] == nil || u["status"] == nil {
			t.Errorf("compact user lacks login or status: %v", u)
		}
	}

	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 3, "fields": []string{"profile.employeeNumber"}}), &page)
	for _, u := range page.Items {
		p := u["profile"].(map[string]any)
		if _, ok := p["employeeNumber"]; !ok {
			t.Errorf("fields profile.employeeNumber missing: %v", p)
		}
		if p["login"] == nil {
			t.Errorf("extra fields dropped the compact ones: %v", p)
		}
	}

	// The cursor carries fields to the next page.
	var next userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"next_cursor": page.NextCursor}), &next)
	if _, ok := next.Items[0]["profile"].(map[string]any)["employeeNumber"]; !ok {
		t.Errorf("the next page lost fields: %v", next.Items[0])
	}

	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 3, "fields": []string{"*"}}), &page)
	for _, u := range page.Items {
		if _, ok := u["_links"]; ok {
			t.Errorf(`fields ["*"] kept _links`)
		}
		if _, ok := u["credentials"]; !ok {
			t.Errorf(`fields ["*"] should return the whole user, got %v`, u)
		}
	}
}

func TestListUsersSearchAndErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"search": `profile.department eq "Engineering"`}), &page)
	if page.Count == 0 {
		t.Fatal("no Engineering users")
	}
	for _, u := range page.Items {
		if d := u["profile"].(map[string]any)["department"]; d != "Engineering" {
			t.Errorf("search returned department %v", d)
		}
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"q": "jane"}), &page)
	if page.Limit != 10 || page.NextCursor != "" {
		t.Errorf("q: limit %d cursor %q; want 10 and no cursor", page.Limit, page.NextCursor)
	}

	// Okta's own error for a bad expression comes back structured, with a hint.
	e := mcptest.Err(t, h.Call(t, "list_all_okta_users", map[string]any{"search": `profile.department equals "x"`}))
	if e.Status != 400 || e.Code != "E0000031" || e.Hint == "" || e.RequestID == "" {
		t.Errorf("bad search: %+v", e)
	}
}

func TestListUsersArgumentErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 5}), &page)
	tampered := page.NextCursor[:len(page.NextCursor)-4] + "AAAA"
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"limit too big", map[string]any{"limit": 500}, "1 to 200"},
		{"limit negative", map[string]any{"limit": -1}, "1 to 200"},
		{"tampered cursor", map[string]any{"next_cursor": tampered}, "next_cursor"},
		{"truncated cursor", map[string]any{"next_cursor": page.NextCursor[:10]}, "next_cursor"},
		{"cursor of another tool", map[string]any{"next_cursor": otherToolCursor(t)}, "belongs to tool"},
		{"search and filter", map[string]any{"search": `status eq "ACTIVE"`, "filter": `status eq "ACTIVE"`}, "cannot be combined"},
		{"bad field path", map[string]any{"fields": []string{"profile/../x"}}, "dotted field path"},
		{"links field", map[string]any{"fields": []string{"_links.self"}}, "never included"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.Org.Requests())
			e := mcptest.Err(t, h.Call(t, "list_all_okta_users", tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("got %+v, want invalid_argument mentioning %q", e, tt.want)
			}
			if n := len(h.Org.Requests()) - before; n != 0 {
				t.Errorf("%d requests reached Okta", n)
			}
		})
	}
	// An unknown argument is rejected by the input schema.
	res := h.Call(t, "list_all_okta_users", map[string]any{"limt": 5})
	if !res.IsError {
		t.Errorf("misspelt argument accepted: %s", mcptest.Text(res))
	}
}

// otherToolCursor makes a well-formed cursor for a different tool.
func otherToolCursor(t *testing.T) string {
	t.Helper()
	return pagination.Encode("list_all_okta_groups", map[string]string{"after": "00g1"})
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	const janeID = "00u1a2b3c4d5e6f7g8h9"
	for _, id := range []string{janeID, "jane.doe@company.com", "jane.doe"} {
		var got struct {
			User      map[string]any `json:"user"`
			RateLimit map[string]int `json:"rate_limit"`
		}
		res := h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": id})
		mcptest.Decode(t, res, &got)
		if got.User["id"] != janeID || got.User["profile"].(map[string]any)["login"] != "jane.doe@company.com" {
			t.Errorf("get %q: %v", id, got.User)
		}
		if got.RateLimit["limit"] == 0 {
			t.Errorf("get %q: no rate_limit", id)
		}
		if res.Meta["ratelimit-limit"] == nil || res.Meta["ratelimit-remaining"] == nil || res.Meta["ratelimit-reset"] == nil {
			t.Errorf("get %q: _meta lacks ratelimit keys: %v", id, res.Meta)
		}
	}

	e := mcptest.Err(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": "00uNOPE0000000000000"}))
	if e.Status != 404 || e.Code != "E0000007" {
		t.Errorf("missing user: %+v", e)
	}

	h.Org.ResetRequests()
	for _, bad := range []string{"../../api/v1/groups", "a/b", "x?y=1", "jane#1", "tab\there", "", strings.Repeat("a", 200), "a..b@c.com", "%2e%2e"} {
		e := mcptest.Err(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": bad}))
		if e.Code != tools.CodeInvalidArgument {
			t.Errorf("id %q: %+v", bad, e)
		}
	}
	if n := len(h.Org.Requests()); n != 0 {
		t.Errorf("bad IDs made %d HTTP requests", n)
	}
}

func TestFiltersByRegistration(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Filter: tools.Filter{Methods: []string{"read"}, Tags: []string{"groups"}}})
	lt, err := h.Session.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range lt.Tools {
		if strings.Contains(tool.Name, "_user") && !strings.Contains(tool.Name, "group") {
			t.Errorf("--methods read --tags groups exposes %s", tool.Name)
		}
	}
	res, err := h.Session.CallTool(t.Context(), &mcp.CallToolParams{Name: "list_all_okta_users", Arguments: map[string]any{}})
	if err == nil && !res.IsError {
		t.Errorf("calling a filtered-out tool succeeded")
	}
	if n := len(h.Org.Requests()); n != 0 {
		t.Errorf("filtered-out tool reached Okta: %d requests", n)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	all := tools.All()
	names := func(ts []tools.Tool) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name())
		}
		return out
	}
	got, err := tools.Select(all, tools.Filter{Methods: []string{"read"}, Tags: []string{"groups"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names(got) {
		if strings.Contains(n, "okta_user") && !strings.Contains(n, "group") {
			t.Errorf("user tool %s selected by --tags groups", n)
		}
	}
	got, err = tools.Select(all, tools.Filter{Methods: []string{"read"}, Tags: []string{"groups"}, Tools: []string{"get_single_okta_user_by_id"}})
	if err != nil || !slices.Contains(names(got), "get_single_okta_user_by_id") {
		t.Errorf("--tools did not add back: %v %v", names(got), err)
	}
	got, err = tools.Select(all, tools.Filter{Methods: []string{"all"}, ExcludeTools: []string{"list_all_okta_users"}})
	if err != nil || slices.Contains(names(got), "list_all_okta_users") {
		t.Errorf("--exclude-tools did not remove: %v %v", names(got), err)
	}
	for _, f := range []tools.Filter{
		{Tools: []string{"list_all_okta_userz"}},
		{ExcludeTools: []string{"nope"}},
		{Methods: []string{"reed"}},
		{Tags: []string{"apps"}},
	} {
		_, err := tools.Select(all, f)
		var fe *tools.FilterError
		if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), "valid values are") {
			t.Errorf("filter %+v: error %v, want a FilterError naming valid values", f, err)
		}
	}
}
