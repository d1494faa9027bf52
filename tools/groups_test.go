package tools_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/pagination"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// compactGroupKeys are the keys of a compact group (SPEC §6).
var compactGroupKeys = []string{"created", "id", "lastMembershipUpdated", "lastUpdated", "profile", "type"}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// listToEnd calls a list tool with args, then with each next_cursor alone,
// until the last page, and returns every item. It checks the list shape
// on every page.
func listToEnd(t *testing.T, h *mcptest.Harness, tool string, args map[string]any, wantLimit int) (items []map[string]any, pages int) {
	t.Helper()
	for {
		var page userPage
		mcptest.Decode(t, h.Call(t, tool, args), &page)
		pages++
		if page.Count != len(page.Items) || page.Limit != wantLimit || len(page.Items) > wantLimit {
			t.Fatalf("%s page %d: count %d, %d items, limit %d (want %d)", tool, pages, page.Count, len(page.Items), page.Limit, wantLimit)
		}
		if page.RateLimit == nil || page.RateLimit.Limit == 0 {
			t.Fatalf("%s page %d has no rate_limit", tool, pages)
		}
		items = append(items, page.Items...)
		if page.NextCursor == "" {
			return items, pages
		}
		if pages > 200 {
			t.Fatalf("%s: pagination does not end", tool)
		}
		args = map[string]any{"next_cursor": page.NextCursor}
	}
}

// seenOnce checks that items hold exactly the IDs of want, each once.
func seenOnce(t *testing.T, what string, items []map[string]any, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, it := range items {
		seen[it["id"].(string)]++
	}
	if len(seen) != len(want) {
		t.Errorf("%s: saw %d distinct items, want %d", what, len(seen), len(want))
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("%s: %s seen %d times, want once", what, id, seen[id])
		}
	}
}

func groupByName(t *testing.T, h *mcptest.Harness, name string) sandbox.GroupInfo {
	t.Helper()
	for _, g := range h.Org.Groups() {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no group %q in the sandbox", name)
	return sandbox.GroupInfo{}
}

func groupOfType(t *testing.T, h *mcptest.Harness, typ string) sandbox.GroupInfo {
	t.Helper()
	for _, g := range h.Org.Groups() {
		if g.Type == typ && len(g.MemberIDs) > 0 {
			return g
		}
	}
	t.Fatalf("no %s group with members in the sandbox", typ)
	return sandbox.GroupInfo{}
}

func groupInfo(h *mcptest.Harness, id string) (sandbox.GroupInfo, bool) {
	for _, g := range h.Org.Groups() {
		if g.ID == id {
			return g, true
		}
	}
	return sandbox.GroupInfo{}, false
}

func isMember(h *mcptest.Harness, groupID, userID string) bool {
	g, _ := groupInfo(h, groupID)
	return slices.Contains(g.MemberIDs, userID)
}

// checkNoRequests runs f and fails if any request reached the sandbox.
func checkNoRequests(t *testing.T, h *mcptest.Harness, what string, f func()) {
	t.Helper()
	before := len(h.Org.Requests())
	f()
	if n := len(h.Org.Requests()) - before; n != 0 {
		t.Errorf("%s: %d requests reached Okta", what, n)
	}
}

func TestListGroupsPagesToTheEnd(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var want []string
	for _, g := range h.Org.Groups() {
		want = append(want, g.ID)
	}
	items, pages := listToEnd(t, h, "list_all_okta_groups", map[string]any{"limit": 7}, 7)
	seenOnce(t, "groups", items, want)
	if wantPages := (len(want) + 6) / 7; pages != wantPages {
		t.Errorf("%d pages, want %d", pages, wantPages)
	}
	for _, g := range items {
		if got := keysOf(g); !slices.Equal(got, compactGroupKeys) {
			t.Errorf("compact group has keys %v, want %v", got, compactGroupKeys)
		}
		if p := g["profile"].(map[string]any); p["name"] == nil || len(p) > 2 {
			t.Errorf("compact group profile %v", p)
		}
	}

	// The default page is 200: every group of the sandbox at once.
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_groups", map[string]any{}), &page)
	if page.Limit != 200 || page.Count != len(want) || page.NextCursor != "" {
		t.Errorf("default page: limit %d, %d groups of %d, cursor %q", page.Limit, page.Count, len(want), page.NextCursor)
	}
}

func TestListGroupsSearchFieldsAndErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_groups", map[string]any{"search": `type eq "APP_GROUP"`, "limit": 3}), &page)
	if page.Count != 3 || page.NextCursor == "" {
		t.Fatalf("APP_GROUP search: %d items, cursor %q", page.Count, page.NextCursor)
	}
	// The cursor carries the search (and fields) to the end.
	items, _ := listToEnd(t, h, "list_all_okta_groups", map[string]any{"search": `type eq "APP_GROUP"`, "limit": 3, "fields": []string{"profile.samAccountName"}}, 3)
	var want []string
	for _, g := range h.Org.Groups() {
		if g.Type == "APP_GROUP" {
			want = append(want, g.ID)
		}
	}
	seenOnce(t, "APP_GROUP search", items, want)
	withSam := 0
	for _, g := range items {
		if g["type"] != "APP_GROUP" {
			t.Errorf("search returned a %v", g["type"])
		}
		if _, ok := g["profile"].(map[string]any)["samAccountName"]; ok {
			withSam++
		}
	}
	if withSam == 0 {
		t.Error("fields profile.samAccountName was not carried to any page")
	}

	// q: a name prefix, one page, no cursor.
	page = userPage{}
	mcptest.Decode(t, h.Call(t, "list_all_okta_groups", map[string]any{"q": "AWS", "limit": 2}), &page)
	if page.Count != 2 || page.NextCursor != "" {
		t.Errorf("q: %d items, cursor %q; want 2 and no cursor", page.Count, page.NextCursor)
	}
	for _, g := range page.Items {
		if name := g["profile"].(map[string]any)["name"].(string); !strings.HasPrefix(name, "AWS") {
			t.Errorf("q AWS returned %q", name)
		}
	}

	page = userPage{}
	mcptest.Decode(t, h.Call(t, "list_all_okta_groups", map[string]any{"q": "Everyone", "fields": []string{"*"}}), &page)
	if len(page.Items) != 1 || page.Items[0]["objectClass"] == nil || page.Items[0]["_links"] != nil {
		t.Errorf(`fields ["*"]: %v`, page.Items)
	}

	e := mcptest.Err(t, h.Call(t, "list_all_okta_groups", map[string]any{"search": `profile.name co "AWS" and`}))
	if e.Status != 400 || e.Code != "E0000031" || e.Hint == "" {
		t.Errorf("bad search: %+v", e)
	}

	page = userPage{}
	mcptest.Decode(t, h.Call(t, "list_all_okta_groups", map[string]any{"limit": 5}), &page)
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"limit too big", map[string]any{"limit": 201}, "1 to 200"},
		{"limit negative", map[string]any{"limit": -3}, "1 to 200"},
		{"search and filter", map[string]any{"search": `type eq "OKTA_GROUP"`, "filter": `type eq "OKTA_GROUP"`}, "cannot be combined"},
		{"q and search", map[string]any{"q": "AWS", "search": `type eq "OKTA_GROUP"`}, "q cannot be combined"},
		{"cursor of another tool", map[string]any{"next_cursor": pagination.Encode("list_all_okta_users", map[string]string{"after": "00u1"})}, "belongs to tool"},
		{"tampered cursor", map[string]any{"next_cursor": page.NextCursor[:len(page.NextCursor)-3] + "AAA"}, "next_cursor"},
		{"bad field", map[string]any{"fields": []string{"_links.users"}}, "never included"},
	}
	for _, tt := range tests {
		checkNoRequests(t, h, tt.name, func() {
			e := mcptest.Err(t, h.Call(t, "list_all_okta_groups", tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("%s: got %+v, want invalid_argument mentioning %q", tt.name, e, tt.want)
			}
		})
	}
}

func TestGetGroup(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var got struct {
		Group     map[string]any `json:"group"`
		RateLimit map[string]int `json:"rate_limit"`
	}
	res := h.Call(t, "get_single_okta_group_by_id", map[string]any{"id": sandbox.AWSProdAdminsID})
	mcptest.Decode(t, res, &got)
	if got.Group["id"] != sandbox.AWSProdAdminsID || got.Group["type"] != "OKTA_GROUP" || got.Group["profile"].(map[string]any)["name"] != "AWS Production Admins" {
		t.Errorf("group %v", got.Group)
	}
	if k := keysOf(got.Group); !slices.Equal(k, compactGroupKeys) {
		t.Errorf("keys %v", k)
	}
	if got.RateLimit["limit"] == 0 || res.Meta["ratelimit-remaining"] == nil {
		t.Errorf("no rate limit: %v %v", got.RateLimit, res.Meta)
	}
	mcptest.Decode(t, h.Call(t, "get_single_okta_group_by_id", map[string]any{"id": sandbox.AWSProdAdminsID, "fields": []string{"objectClass"}}), &got)
	if got.Group["objectClass"] == nil {
		t.Errorf("fields objectClass: %v", got.Group)
	}

	e := mcptest.Err(t, h.Call(t, "get_single_okta_group_by_id", map[string]any{"id": "00gNOPE0000000000000"}))
	if e.Status != 404 || e.Code != "E0000007" {
		t.Errorf("missing group: %+v", e)
	}
	for _, bad := range []string{"", "../users", "00g1?x=1", "AWS Production Admins", strings.Repeat("a", 65)} {
		checkNoRequests(t, h, "id "+bad, func() {
			if e := mcptest.Err(t, h.Call(t, "get_single_okta_group_by_id", map[string]any{"id": bad})); e.Code != tools.CodeInvalidArgument {
				t.Errorf("id %q: %+v", bad, e)
			}
		})
	}
}

func TestListGroupMembersPagesToTheEnd(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	for _, name := range []string{"AWS Production Admins", "Engineering"} {
		g := groupByName(t, h, name)
		items, pages := listToEnd(t, h, "list_all_okta_group_members", map[string]any{"group_id": g.ID, "limit": 5}, 5)
		seenOnce(t, name+" members", items, g.MemberIDs)
		if wantPages := max(1, (len(g.MemberIDs)+4)/5); pages != wantPages {
			t.Errorf("%s: %d pages, want %d", name, pages, wantPages)
		}
	}
	// Default page size 200.
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_group_members", map[string]any{"group_id": groupByName(t, h, "Everyone").ID}), &page)
	if page.Limit != 200 || page.Count != 200 || page.NextCursor == "" {
		t.Errorf("Everyone, default page: limit %d, count %d, cursor %q", page.Limit, page.Count, page.NextCursor)
	}
	cursor := page.NextCursor

	e := mcptest.Err(t, h.Call(t, "list_all_okta_group_members", map[string]any{"group_id": "00gNOPE0000000000000"}))
	if e.Status != 404 || e.Code != "E0000007" {
		t.Errorf("missing group: %+v", e)
	}
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"no group", map[string]any{}, "group_id: required"},
		{"bad group id", map[string]any{"group_id": "00g/../x"}, "not an Okta ID"},
		{"limit too big", map[string]any{"group_id": sandbox.AWSProdAdminsID, "limit": 1001}, "1 to 1000"},
		{"cursor of another tool", map[string]any{"next_cursor": pagination.Encode("list_all_okta_user_groups", map[string]string{"after": "00g1", "user_id": sandbox.JaneDoeID})}, "belongs to tool"},
		{"cursor of another group", map[string]any{"group_id": sandbox.AWSProdAdminsID, "next_cursor": cursor}, "pages group_id"},
		{"truncated cursor", map[string]any{"next_cursor": cursor[:12]}, "next_cursor"},
	}
	for _, tt := range tests {
		checkNoRequests(t, h, tt.name, func() {
			e := mcptest.Err(t, h.Call(t, "list_all_okta_group_members", tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("%s: got %+v, want invalid_argument mentioning %q", tt.name, e, tt.want)
			}
		})
	}
}

// TestAccessAuditFromCompactMembers: the access-audit workflow needs only
// the compact member list to spot who should not be in the group.
func TestAccessAuditFromCompactMembers(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	items, _ := listToEnd(t, h, "list_all_okta_group_members", map[string]any{"group_id": sandbox.AWSProdAdminsID}, 200)
	var suspended, deprovisioned, outside []string
	for _, u := range items {
		for _, k := range []string{"_links", "credentials", "type"} {
			if _, ok := u[k]; ok {
				t.Errorf("compact member has %q", k)
			}
		}
		p := u["profile"].(map[string]any)
		switch u["status"] {
		case "SUSPENDED":
			suspended = append(suspended, u["id"].(string))
		case "DEPROVISIONED":
			deprovisioned = append(deprovisioned, u["id"].(string))
		}
		if p["department"] != "Engineering" {
			outside = append(outside, u["id"].(string))
		}
		if _, ok := u["lastLogin"]; !ok || p["login"] == nil || p["title"] == nil {
			t.Errorf("member lacks login, title or lastLogin: %v", u)
		}
	}
	if !slices.Equal(suspended, []string{sandbox.JohnSmithID}) || !slices.Equal(deprovisioned, []string{sandbox.MichaelJohnsonID}) || !slices.Equal(outside, []string{sandbox.PriyaPatelID}) {
		t.Errorf("suspended %v, deprovisioned %v, outside Engineering %v", suspended, deprovisioned, outside)
	}
}

func TestListUserGroups(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var want []string
	for _, g := range h.Org.Groups() {
		if slices.Contains(g.MemberIDs, sandbox.JaneDoeID) {
			want = append(want, g.ID)
		}
	}
	if !slices.Contains(want, sandbox.AWSProdAdminsID) || len(want) < 3 {
		t.Fatalf("fixture: Jane's groups %v", want)
	}
	items, pages := listToEnd(t, h, "list_all_okta_user_groups", map[string]any{"user_id": sandbox.JaneDoeID, "limit": 2}, 2)
	seenOnce(t, "Jane's groups", items, want)
	if pages != (len(want)+1)/2 {
		t.Errorf("%d pages for %d groups", pages, len(want))
	}
	for _, g := range items {
		if k := keysOf(g); !slices.Equal(k, compactGroupKeys) {
			t.Errorf("keys %v", k)
		}
	}
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_user_groups", map[string]any{"user_id": sandbox.JaneDoeID}), &page)
	if page.Limit != 200 || page.Count != len(want) || page.NextCursor != "" {
		t.Errorf("default: %+v", page)
	}
	e := mcptest.Err(t, h.Call(t, "list_all_okta_user_groups", map[string]any{"user_id": "00uNOPE0000000000000"}))
	if e.Status != 404 {
		t.Errorf("missing user: %+v", e)
	}
	for name, a := range map[string]map[string]any{
		"login instead of ID":    {"user_id": "jane.doe@company.com"},
		"no user":                {},
		"limit":                  {"user_id": sandbox.JaneDoeID, "limit": 201},
		"cursor of another tool": {"next_cursor": pagination.Encode("list_all_okta_group_members", map[string]string{"after": "00u1", "group_id": sandbox.AWSProdAdminsID})},
	} {
		checkNoRequests(t, h, name, func() {
			if e := mcptest.Err(t, h.Call(t, "list_all_okta_user_groups", a)); e.Code != tools.CodeInvalidArgument {
				t.Errorf("%s: %+v", name, e)
			}
		})
	}
}

// groupWriteCases are group writes, their arguments and a check of the
// sandbox after (changed says whether the write happened).
type groupWriteCase struct {
	tool   string
	args   map[string]any
	prompt []string // the prompt names these
	check  func(h *mcptest.Harness) bool
}

func groupWriteCases(t *testing.T, h *mcptest.Harness) []groupWriteCase {
	t.Helper()
	bg := groupByName(t, h, "Break Glass Accounts")
	nameIs := func(id, name string) func(h *mcptest.Harness) bool {
		return func(h *mcptest.Harness) bool { g, _ := groupInfo(h, id); return g.Name == name }
	}
	return []groupWriteCase{
		{"create_a_okta_group", map[string]any{"name": "Incident Responders", "description": "On-call incident team"},
			[]string{"Incident Responders", "On-call incident team"},
			func(h *mcptest.Harness) bool {
				for _, g := range h.Org.Groups() {
					if g.Name == "Incident Responders" && g.Type == "OKTA_GROUP" && len(g.MemberIDs) == 0 {
						return true
					}
				}
				return false
			}},
		{"update_a_okta_group_by_id", map[string]any{"id": bg.ID, "name": "Emergency Access"},
			[]string{bg.ID, `"Break Glass Accounts" → "Emergency Access"`}, nameIs(bg.ID, "Emergency Access")},
		{"delete_a_okta_group_by_id", map[string]any{"id": bg.ID},
			[]string{bg.ID, "Break Glass Accounts", "cannot be undone"},
			func(h *mcptest.Harness) bool { _, ok := groupInfo(h, bg.ID); return !ok }},
		{"create_a_okta_group_member", map[string]any{"group_id": bg.ID, "user_id": sandbox.AlexKimID},
			[]string{"Alex Kim", sandbox.AlexKimID, "Break Glass Accounts", "ACTIVE"},
			func(h *mcptest.Harness) bool { return isMember(h, bg.ID, sandbox.AlexKimID) }},
		{"delete_a_okta_group_member_by_id", map[string]any{"group_id": sandbox.AWSProdAdminsID, "user_id": sandbox.MichaelJohnsonID},
			[]string{"Michael Johnson", sandbox.MichaelJohnsonID, "AWS Production Admins", "DEPROVISIONED"},
			func(h *mcptest.Harness) bool { return !isMember(h, sandbox.AWSProdAdminsID, sandbox.MichaelJohnsonID) }},
	}
}

func TestGroupWritesConfirmation(t *testing.T) {
	t.Parallel()
	// The sandbox's seed is deterministic: IDs are the same in every harness.
	for _, tc := range groupWriteCases(t, mcptest.Start(t, mcptest.Options{})) {
		for _, action := range []string{"accept", "decline"} {
			t.Run(tc.tool+"/"+action, func(t *testing.T) {
				t.Parallel()
				var prompts atomic.Int32
				var last atomic.Value
				h := mcptest.Start(t, mcptest.Options{Client: answering(action, &prompts, &last)})
				if tc.check(h) {
					t.Fatal("fixture already in the final state")
				}
				var out writeOut
				mcptest.Decode(t, h.Call(t, tc.tool, tc.args), &out)
				if prompts.Load() != 1 {
					t.Fatalf("%d prompts, want 1", prompts.Load())
				}
				msg, _ := last.Load().(string)
				for _, s := range tc.prompt {
					if !strings.Contains(msg, s) {
						t.Errorf("prompt %q does not mention %q", msg, s)
					}
				}
				if action == "accept" {
					if out.Outcome != "done" || !tc.check(h) || writes(h) != 1 {
						t.Errorf("accept: outcome %q, changed %v, %d writes", out.Outcome, tc.check(h), writes(h))
					}
					return
				}
				if out.Outcome != "declined" || tc.check(h) || writes(h) != 0 {
					t.Errorf("decline: outcome %q, changed %v, %d writes", out.Outcome, tc.check(h), writes(h))
				}
			})
		}
	}
}

func TestGroupWritesConfirmNever(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	var out writeOut
	mcptest.Decode(t, h.Call(t, "create_a_okta_group", map[string]any{"name": "Incident Responders"}), &out)
	id, _ := out.Result["id"].(string)
	if out.Outcome != "done" || id == "" || out.Result["type"] != "OKTA_GROUP" {
		t.Fatalf("create: %+v", out)
	}
	if k := keysOf(out.Result); !slices.Equal(k, compactGroupKeys) {
		t.Errorf("create result keys %v", k)
	}
	// A duplicate name is Okta's validation error.
	e := mcptest.Err(t, h.Call(t, "create_a_okta_group", map[string]any{"name": "incident responders"}))
	if e.Status != 400 || e.Code != "E0000001" {
		t.Errorf("duplicate name: %+v", e)
	}

	// Membership: add, add again (no change), remove.
	for _, uid := range []string{sandbox.JaneDoeID, sandbox.PriyaPatelID, sandbox.JaneDoeID} {
		mcptest.Decode(t, h.Call(t, "create_a_okta_group_member", map[string]any{"group_id": id, "user_id": uid}), &out)
	}
	if g, _ := groupInfo(h, id); !slices.Equal(g.MemberIDs, []string{sandbox.JaneDoeID, sandbox.PriyaPatelID}) {
		t.Errorf("members after adding: %v", g.MemberIDs)
	}
	var members userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_group_members", map[string]any{"group_id": id}), &members)
	if members.Count != 2 {
		t.Errorf("list_all_okta_group_members sees %d members", members.Count)
	}
	mcptest.Decode(t, h.Call(t, "delete_a_okta_group_member_by_id", map[string]any{"group_id": id, "user_id": sandbox.JaneDoeID}), &out)
	if g, _ := groupInfo(h, id); !slices.Equal(g.MemberIDs, []string{sandbox.PriyaPatelID}) {
		t.Errorf("members after removing: %v", g.MemberIDs)
	}

	// Update: only the description; the name is kept (PUT of the whole profile).
	mcptest.Decode(t, h.Call(t, "update_a_okta_group_by_id", map[string]any{"id": id, "description": "On call"}), &out)
	p := out.Result["profile"].(map[string]any)
	if p["name"] != "Incident Responders" || p["description"] != "On call" {
		t.Errorf("update: %v", p)
	}
	var req struct {
		Body json.RawMessage `json:"body"`
	}
	_ = json.Unmarshal(out.Requests[0], &req)
	if !jsonEqual(req.Body, []byte(`{"profile":{"name":"Incident Responders","description":"On call"}}`)) {
		t.Errorf("PUT body %s", req.Body)
	}

	mcptest.Decode(t, h.Call(t, "delete_a_okta_group_by_id", map[string]any{"id": id}), &out)
	if _, ok := groupInfo(h, id); ok || out.Outcome != "done" {
		t.Errorf("group not deleted: %+v", out)
	}
	e = mcptest.Err(t, h.Call(t, "delete_a_okta_group_by_id", map[string]any{"id": id}))
	if e.Status != 404 || e.Code != "E0000007" {
		t.Errorf("delete again: %+v", e)
	}
}

// TestGroupWritesRefuseAppAndBuiltIn: APP_GROUP and BUILT_IN groups are
// refused with the reason before anyone is asked, and nothing is sent.
func TestGroupWritesRefuseAppAndBuiltIn(t *testing.T) {
	t.Parallel()
	var prompts atomic.Int32
	var last atomic.Value
	h := mcptest.Start(t, mcptest.Options{Client: answering("accept", &prompts, &last)})
	app, everyone := groupOfType(t, h, "APP_GROUP"), groupOfType(t, h, "BUILT_IN")
	member := app.MemberIDs[0]
	for _, g := range []struct {
		info     sandbox.GroupInfo
		typ, why string
	}{{app, "APP_GROUP", "source application"}, {everyone, "BUILT_IN", "OKTA_GROUP"}} {
		for _, tc := range []struct {
			tool string
			args map[string]any
		}{
			{"update_a_okta_group_by_id", map[string]any{"id": g.info.ID, "name": "Renamed"}},
			{"delete_a_okta_group_by_id", map[string]any{"id": g.info.ID}},
			{"create_a_okta_group_member", map[string]any{"group_id": g.info.ID, "user_id": sandbox.EmilyChenID}},
			{"delete_a_okta_group_member_by_id", map[string]any{"group_id": g.info.ID, "user_id": member}},
		} {
			e := mcptest.Err(t, h.Call(t, tc.tool, tc.args))
			if e.Code != "group_not_modifiable" || !strings.Contains(e.Summary, g.typ) || !strings.Contains(e.Summary, g.info.Name) || !strings.Contains(e.Summary+e.Hint, g.why) {
				t.Errorf("%s on %s: %+v", tc.tool, g.typ, e)
			}
		}
	}
	if writes(h) != 0 || prompts.Load() != 0 {
		t.Errorf("%d writes and %d prompts for refused groups", writes(h), prompts.Load())
	}
	if g, _ := groupInfo(h, app.ID); g.Name != app.Name || !slices.Equal(g.MemberIDs, app.MemberIDs) {
		t.Error("the APP_GROUP changed")
	}
}

func TestGroupWriteArgumentErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"create_a_okta_group", map[string]any{"name": "  "}, "name: required"},
		{"create_a_okta_group", map[string]any{"name": strings.Repeat("x", 256)}, "at most 255"},
		{"create_a_okta_group", map[string]any{"name": "ok", "description": strings.Repeat("x", 1025)}, "at most 1024"},
		{"update_a_okta_group_by_id", map[string]any{"id": sandbox.AWSProdAdminsID}, "give name, description or both"},
		{"update_a_okta_group_by_id", map[string]any{"id": "00g 1", "name": "x"}, "not an Okta ID"},
		{"delete_a_okta_group_by_id", map[string]any{"id": "../users/00u1"}, "not an Okta ID"},
		{"create_a_okta_group_member", map[string]any{"group_id": sandbox.AWSProdAdminsID, "user_id": "jane.doe@company.com"}, "user_id"},
		{"delete_a_okta_group_member_by_id", map[string]any{"group_id": "", "user_id": sandbox.JaneDoeID}, "group_id"},
	}
	for _, tt := range tests {
		checkNoRequests(t, h, tt.tool, func() {
			e := mcptest.Err(t, h.Call(t, tt.tool, tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("%s %v: got %+v, want invalid_argument mentioning %q", tt.tool, tt.args, e, tt.want)
			}
		})
	}
	// A missing user is Okta's 404, before any write.
	e := mcptest.Err(t, h.Call(t, "create_a_okta_group_member", map[string]any{"group_id": sandbox.AWSProdAdminsID, "user_id": "00uNOPE0000000000000"}))
	if e.Status != 404 || writes(h) != 0 {
		t.Errorf("missing user: %+v, %d writes", e, writes(h))
	}
}

// TestWriteDryRunsMatchRealRuns: for group and role writes, a dry run
// changes nothing and plans exactly the request a real run then sends.
func TestWriteDryRunsMatchRealRuns(t *testing.T) {
	t.Parallel()
	h0 := mcptest.Start(t, mcptest.Options{})
	dana := h0.Org.Roles(sandbox.DanaWhiteID)[0]
	cases := []struct {
		tool string
		args map[string]any
	}{
		{"create_a_okta_group", map[string]any{"name": "Incident Responders", "description": "On call"}},
		{"update_a_okta_group_by_id", map[string]any{"id": sandbox.AWSProdAdminsID, "name": "AWS Prod Admins", "description": ""}},
		{"delete_a_okta_group_by_id", map[string]any{"id": sandbox.AWSProdAdminsID}},
		{"create_a_okta_group_member", map[string]any{"group_id": sandbox.AWSProdAdminsID, "user_id": sandbox.AlexKimID}},
		{"delete_a_okta_group_member_by_id", map[string]any{"group_id": sandbox.AWSProdAdminsID, "user_id": sandbox.JaneDoeID}},
		{"okta_roles_assign", map[string]any{"user_id": sandbox.JaneDoeID, "type": "Help Desk Administrator"}},
		{"okta_roles_assign", map[string]any{"group_id": sandbox.AWSProdAdminsID, "role": dana.Role, "resource_set": dana.ResourceSet}},
		{"okta_roles_unassign", map[string]any{"user_id": sandbox.DanaWhiteID, "role_assignment_id": dana.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
			dry := map[string]any{"dry_run": true}
			for k, v := range tc.args {
				dry[k] = v
			}
			var plan struct {
				Outcome  string `json:"outcome"`
				Requests []struct {
					Method string            `json:"method"`
					Path   string            `json:"path"`
					Query  map[string]string `json:"query"`
					Body   json.RawMessage   `json:"body"`
				} `json:"requests"`
				Target json.RawMessage `json:"target"`
			}
			mcptest.Decode(t, h.Call(t, tc.tool, dry), &plan)
			if plan.Outcome != "dry_run" || len(plan.Requests) != 1 || writes(h) != 0 {
				t.Fatalf("dry run: %+v, %d writes", plan, writes(h))
			}
			if tc.tool != "create_a_okta_group" && len(plan.Target) == 0 {
				t.Error("dry run shows no target state")
			}
			h.Org.ResetRequests()
			var out writeOut
			mcptest.Decode(t, h.Call(t, tc.tool, tc.args), &out)
			var sent []sandbox.Request
			for _, r := range h.Org.Requests() {
				if r.Method != "GET" {
					sent = append(sent, r)
				}
			}
			if len(sent) != 1 || out.Outcome != "done" {
				t.Fatalf("real run: %d writes, outcome %q", len(sent), out.Outcome)
			}
			p, r := plan.Requests[0], sent[0]
			if r.Method != p.Method || r.Path != p.Path || r.RawQuery != "" || len(p.Query) != 0 || !jsonEqual(r.Body, p.Body) {
				t.Errorf("sent %s %s?%s %s; planned %s %s %v %s", r.Method, r.Path, r.RawQuery, r.Body, p.Method, p.Path, p.Query, p.Body)
			}
		})
	}
}
