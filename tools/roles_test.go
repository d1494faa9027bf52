package tools_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/pagination"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// hasRole reports whether principal holds a role of type typ (and, for
// CUSTOM, role) assigned to it directly.
func hasRole(h *mcptest.Harness, principal, typ, role string) bool {
	for _, r := range h.Org.Roles(principal) {
		if r.Type == typ && (role == "" || r.Role == role) && (r.GroupID == "" || r.GroupID == principal) {
			return true
		}
	}
	return false
}

func TestListRoles(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	list := func(args map[string]any) []map[string]any {
		t.Helper()
		var page userPage
		mcptest.Decode(t, h.Call(t, "list_all_okta_roles", args), &page)
		if page.Count != len(page.Items) || page.Limit != page.Count || page.NextCursor != "" || page.RateLimit == nil {
			t.Errorf("list shape: %+v", page)
		}
		return page.Items
	}

	// A custom role: role and resource-set are kept, _links dropped.
	dana := h.Org.Roles(sandbox.DanaWhiteID)
	items := list(map[string]any{"user_id": sandbox.DanaWhiteID})
	if len(items) != 1 || len(dana) != 1 {
		t.Fatalf("Dana's roles: %v (sandbox %v)", items, dana)
	}
	r := items[0]
	if r["id"] != dana[0].ID || r["type"] != "CUSTOM" || r["label"] != "HR User Manager" || r["role"] != dana[0].Role || r["resource-set"] != dana[0].ResourceSet || r["status"] != "ACTIVE" || r["assignmentType"] != "USER" {
		t.Errorf("custom role %v", r)
	}
	if _, ok := r["_links"]; ok {
		t.Error("_links kept")
	}

	// A user's roles include those held through a group, with the group.
	var viaGroup map[string]any
	for _, r := range list(map[string]any{"user_id": sandbox.AlexKimID}) {
		if r["assignmentType"] == "GROUP" {
			viaGroup = r
		}
	}
	admins := groupByName(t, h, "Okta Administrators")
	if viaGroup == nil || viaGroup["type"] != "USER_ADMIN" {
		t.Fatalf("Alex Kim holds no role through a group: %v", viaGroup)
	}
	if a, _ := viaGroup["assignee"].(map[string]any); a["type"] != "GROUP" || a["id"] != admins.ID {
		t.Errorf("assignee %v, want group %s", viaGroup["assignee"], admins.ID)
	}

	// A group's roles.
	items = list(map[string]any{"group_id": groupByName(t, h, "Help Desk").ID})
	if len(items) != 1 || items[0]["type"] != "HELP_DESK_ADMIN" || items[0]["label"] != "Help Desk Administrator" {
		t.Errorf("Help Desk group roles %v", items)
	}
	if items := list(map[string]any{"user_id": sandbox.EmilyChenID}); len(items) != 0 {
		t.Errorf("Emily holds %v", items)
	}

	e := mcptest.Err(t, h.Call(t, "list_all_okta_roles", map[string]any{"group_id": "00gNOPE0000000000000"}))
	if e.Status != 404 || e.Code != "E0000007" {
		t.Errorf("missing group: %+v", e)
	}
	for name, a := range map[string]map[string]any{
		"neither":     {},
		"both":        {"user_id": sandbox.JaneDoeID, "group_id": sandbox.AWSProdAdminsID},
		"bad user id": {"user_id": "jane doe"},
		"bad field":   {"user_id": sandbox.JaneDoeID, "fields": []string{"_links"}},
	} {
		checkNoRequests(t, h, name, func() {
			if e := mcptest.Err(t, h.Call(t, "list_all_okta_roles", a)); e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, "_") {
				t.Errorf("%s: %+v", name, e)
			}
		})
	}
}

// customRolesPage is a page of GET /api/v1/iam/roles with a next link.
func customRolesPage(t *testing.T, roles []map[string]any, next string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"roles": roles, "_links": map[string]any{"next": map[string]any{"href": next}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListCustomRolesPaging(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var all userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_custom_roles", map[string]any{}), &all)
	if all.Count != 3 || all.NextCursor != "" {
		t.Fatalf("custom roles: %+v", all)
	}
	for _, r := range all.Items {
		if r["label"] == nil || r["description"] == nil || r["_links"] != nil {
			t.Errorf("compact custom role %v", r)
		}
	}

	// The sandbox serves every custom role on one page; Okta pages them in
	// the body. Serve a first page of two whose _links.next points at the
	// org, then let the sandbox answer the cursor's page for real.
	first := all.Items[:2]
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/iam/roles", Times: 1, Status: 200,
		Body: customRolesPage(t, first, h.URL+"/api/v1/iam/roles?after="+first[1]["id"].(string))})
	h.Org.ResetRequests()
	items, pages := []map[string]any{}, 0
	args := map[string]any{}
	for {
		var page userPage
		mcptest.Decode(t, h.Call(t, "list_all_okta_custom_roles", args), &page)
		pages++
		items = append(items, page.Items...)
		if page.NextCursor == "" {
			break
		}
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		args = map[string]any{"next_cursor": page.NextCursor}
	}
	var want []string
	for _, r := range all.Items {
		want = append(want, r["id"].(string))
	}
	seenOnce(t, "custom roles", items, want)
	if reqs := h.Org.Requests(); pages != 2 || len(reqs) != 2 || reqs[1].RawQuery != "after="+first[1]["id"].(string) {
		t.Errorf("%d pages, requests %+v", pages, reqs)
	}

	// A next link to another host is never followed: the list cannot be
	// continued, which the tool says. A next link without after ends it.
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/iam/roles", Times: 1, Status: 200,
		Body: customRolesPage(t, first, "https://evil.example.com/api/v1/iam/roles?after="+first[1]["id"].(string))})
	if e := mcptest.Err(t, h.Call(t, "list_all_okta_custom_roles", map[string]any{})); e.Code != okta.CodeInvalidResponse || !strings.Contains(e.Summary, "does not point to the org") {
		t.Errorf("next link to another host: %+v", e)
	}
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/iam/roles", Times: 1, Status: 200, Body: customRolesPage(t, first, "/api/v1/iam/roles?limit=2")})
	var last userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_custom_roles", map[string]any{}), &last)
	if last.Count != 2 || last.NextCursor != "" {
		t.Errorf("next link without after: %d items, cursor %q; want 2 and none", last.Count, last.NextCursor)
	}
	// A relative next link on the org is followed by its after value.
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/iam/roles", Times: 1, Status: 200,
		Body: customRolesPage(t, first, "/api/v1/iam/roles?after="+first[1]["id"].(string))})
	var page userPage
	mcptest.Decode(t, h.Call(t, "list_all_okta_custom_roles", map[string]any{}), &page)
	if page.NextCursor == "" {
		t.Error("relative next link gave no cursor")
	}

	checkNoRequests(t, h, "foreign cursor", func() {
		e := mcptest.Err(t, h.Call(t, "list_all_okta_custom_roles", map[string]any{"next_cursor": pagination.Encode("list_all_okta_groups", map[string]string{"after": "cr0x"})}))
		if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, "belongs to tool") {
			t.Errorf("foreign cursor: %+v", e)
		}
	})
}

func TestAssignRole(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	assign := func(args map[string]any) map[string]any {
		t.Helper()
		var out writeOut
		mcptest.Decode(t, h.Call(t, "okta_roles_assign", args), &out)
		if out.Outcome != "done" || out.Result["id"] == nil {
			t.Fatalf("assign %v: %+v", args, out)
		}
		return out.Result
	}

	// By type.
	r := assign(map[string]any{"user_id": sandbox.JaneDoeID, "type": "HELP_DESK_ADMIN"})
	if r["type"] != "HELP_DESK_ADMIN" || r["label"] != "Help Desk Administrator" || r["assignmentType"] != "USER" || !hasRole(h, sandbox.JaneDoeID, "HELP_DESK_ADMIN", "") {
		t.Errorf("by type: %v", r)
	}
	// By label, in any case and spelling of separators.
	for label, typ := range map[string]string{"read-only administrator": "READ_ONLY_ADMIN", "Report Administrator": "REPORT_ADMIN", "group membership admin": "GROUP_MEMBERSHIP_ADMIN"} {
		r = assign(map[string]any{"user_id": sandbox.JaneDoeID, "type": label})
		if r["type"] != typ || !hasRole(h, sandbox.JaneDoeID, typ, "") {
			t.Errorf("label %q: %v", label, r)
		}
	}
	// To a group.
	r = assign(map[string]any{"group_id": sandbox.AWSProdAdminsID, "type": "App Admin"})
	if r["type"] != "APP_ADMIN" || r["assignmentType"] != "GROUP" || !hasRole(h, sandbox.AWSProdAdminsID, "APP_ADMIN", "") {
		t.Errorf("group: %v", r)
	}
	// A custom role with a resource set, by ID and by label.
	dana := h.Org.Roles(sandbox.DanaWhiteID)[0]
	r = assign(map[string]any{"user_id": sandbox.PriyaPatelID, "role": dana.Role, "resource_set": dana.ResourceSet})
	if r["type"] != "CUSTOM" || r["role"] != dana.Role || r["resource-set"] != dana.ResourceSet || !hasRole(h, sandbox.PriyaPatelID, "CUSTOM", dana.Role) {
		t.Errorf("custom: %v", r)
	}
	r = assign(map[string]any{"group_id": sandbox.AWSProdAdminsID, "type": "custom", "role": "hr user manager", "resource_set": "HR users"})
	if r["role"] != dana.Role || r["resource-set"] != dana.ResourceSet {
		t.Errorf("custom by label: %v", r)
	}

	// A duplicate is Okta's 409, passed on as it is.
	before := len(h.Org.Roles(sandbox.JaneDoeID))
	e := mcptest.Err(t, h.Call(t, "okta_roles_assign", map[string]any{"user_id": sandbox.JaneDoeID, "type": "Help Desk Administrator"}))
	if e.Status != 409 || e.Code != "E0000090" || e.RequestID == "" || len(h.Org.Roles(sandbox.JaneDoeID)) != before {
		t.Errorf("duplicate: %+v", e)
	}
	e = mcptest.Err(t, h.Call(t, "okta_roles_assign", map[string]any{"user_id": sandbox.PriyaPatelID, "role": dana.Role, "resource_set": dana.ResourceSet}))
	if e.Status != 409 {
		t.Errorf("duplicate custom: %+v", e)
	}
}

func TestAssignRoleArgumentErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	dana := h.Org.Roles(sandbox.DanaWhiteID)[0]
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"unknown label", map[string]any{"user_id": sandbox.JaneDoeID, "type": "Help Desk Admn"},
			[]string{`"Help Desk Admn"`, "HELP_DESK_ADMIN (Help Desk Administrator)", "SUPER_ADMIN", "WORKFLOWS_ADMIN", "CUSTOM"}},
		{"no type", map[string]any{"user_id": sandbox.JaneDoeID}, []string{"type: required", "READ_ONLY_ADMIN"}},
		{"no principal", map[string]any{"type": "SUPER_ADMIN"}, []string{"user_id", "group_id"}},
		{"both principals", map[string]any{"user_id": sandbox.JaneDoeID, "group_id": sandbox.AWSProdAdminsID, "type": "SUPER_ADMIN"}, []string{"not both"}},
		{"login as user_id", map[string]any{"user_id": "jane.doe@company.com", "type": "SUPER_ADMIN"}, []string{"user_id", "not an Okta ID"}},
		{"custom without resource set", map[string]any{"user_id": sandbox.JaneDoeID, "role": dana.Role}, []string{"resource_set"}},
		{"CUSTOM without role", map[string]any{"user_id": sandbox.JaneDoeID, "type": "CUSTOM"}, []string{"role", "resource_set"}},
		{"standard type with role", map[string]any{"user_id": sandbox.JaneDoeID, "type": "ORG_ADMIN", "role": dana.Role, "resource_set": dana.ResourceSet}, []string{"custom roles only"}},
		{"bad role reference", map[string]any{"user_id": sandbox.JaneDoeID, "role": "x\n", "resource_set": dana.ResourceSet}, []string{"role"}},
	}
	for _, tt := range tests {
		checkNoRequests(t, h, tt.name, func() {
			e := mcptest.Err(t, h.Call(t, "okta_roles_assign", tt.args))
			if e.Code != tools.CodeInvalidArgument {
				t.Errorf("%s: %+v", tt.name, e)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Summary, w) {
					t.Errorf("%s: %q does not mention %q", tt.name, e.Summary, w)
				}
			}
		})
	}
	// An unknown custom role or resource set is found out by reading, and
	// the error lists the valid ones; nothing is written.
	e := mcptest.Err(t, h.Call(t, "okta_roles_assign", map[string]any{"user_id": sandbox.JaneDoeID, "role": "cr0nope", "resource_set": dana.ResourceSet}))
	if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, dana.Role) || !strings.Contains(e.Summary, "HR User Manager") || !strings.Contains(e.Hint, "list_all_okta_custom_roles") {
		t.Errorf("unknown custom role: %+v", e)
	}
	e = mcptest.Err(t, h.Call(t, "okta_roles_assign", map[string]any{"user_id": sandbox.JaneDoeID, "role": dana.Role, "resource_set": "Payroll"}))
	if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, dana.ResourceSet) {
		t.Errorf("unknown resource set: %+v", e)
	}
	if writes(h) != 0 {
		t.Errorf("%d writes", writes(h))
	}
}

func TestAssignRoleConfirmation(t *testing.T) {
	t.Parallel()
	for _, action := range []string{"accept", "decline"} {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			var prompts atomic.Int32
			var last atomic.Value
			h := mcptest.Start(t, mcptest.Options{Client: answering(action, &prompts, &last)})
			var out writeOut
			mcptest.Decode(t, h.Call(t, "okta_roles_assign", map[string]any{"user_id": sandbox.JaneDoeID, "type": "help_desk_admin"}), &out)
			msg, _ := last.Load().(string)
			if prompts.Load() != 1 || !strings.HasPrefix(msg, "Grant Help Desk Administrator (HELP_DESK_ADMIN) to Jane Doe (jane.doe@company.com, "+sandbox.JaneDoeID+")") {
				t.Errorf("%d prompts, last %q", prompts.Load(), msg)
			}
			want := action == "accept"
			if hasRole(h, sandbox.JaneDoeID, "HELP_DESK_ADMIN", "") != want || (out.Outcome == "done") != want || writes(h) != map[bool]int{true: 1}[want] {
				t.Errorf("%s: outcome %q, %d writes", action, out.Outcome, writes(h))
			}

			// A group grant says every member holds it.
			mcptest.Decode(t, h.Call(t, "okta_roles_assign", map[string]any{"group_id": sandbox.AWSProdAdminsID, "type": "SUPER_ADMIN"}), &out)
			msg, _ = last.Load().(string)
			if !strings.HasPrefix(msg, `Grant Super Administrator (SUPER_ADMIN) to group "AWS Production Admins"`) || !strings.Contains(msg, "member") || !strings.Contains(msg, "whole org") {
				t.Errorf("group prompt %q", msg)
			}
		})
	}
}

// TestAssignRoleDryRunShowsBody: the dry run of a custom assignment shows
// the exact body, with role and resource-set that the SDK type lacks.
func TestAssignRoleDryRunShowsBody(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	dana := h.Org.Roles(sandbox.DanaWhiteID)[0]
	var plan struct {
		Outcome  string `json:"outcome"`
		Message  string `json:"message"`
		Requests []struct {
			Method string          `json:"method"`
			Path   string          `json:"path"`
			Body   json.RawMessage `json:"body"`
		} `json:"requests"`
		Target map[string]map[string]any `json:"target"`
	}
	mcptest.Decode(t, h.Call(t, "okta_roles_assign", map[string]any{"user_id": sandbox.JaneDoeID, "role": "HR User Manager", "resource_set": "HR users", "dry_run": true}), &plan)
	want := `{"resource-set":"` + dana.ResourceSet + `","role":"` + dana.Role + `","type":"CUSTOM"}`
	if plan.Outcome != "dry_run" || len(plan.Requests) != 1 || plan.Requests[0].Method != "POST" || plan.Requests[0].Path != "/api/v1/users/"+sandbox.JaneDoeID+"/roles" || string(plan.Requests[0].Body) != want {
		t.Errorf("dry run %+v; want body %s", plan, want)
	}
	if plan.Target["user"]["id"] != sandbox.JaneDoeID || !strings.Contains(plan.Message, `"HR User Manager"`) || !strings.Contains(plan.Message, `"HR users"`) {
		t.Errorf("dry run target %v, message %q", plan.Target, plan.Message)
	}
	if writes(h) != 0 || hasRole(h, sandbox.JaneDoeID, "CUSTOM", dana.Role) {
		t.Error("the dry run wrote")
	}
}

func TestUnassignRole(t *testing.T) {
	t.Parallel()
	var prompts atomic.Int32
	var last atomic.Value
	h := mcptest.Start(t, mcptest.Options{Client: answering("accept", &prompts, &last)})
	dana := h.Org.Roles(sandbox.DanaWhiteID)[0]
	var out writeOut
	mcptest.Decode(t, h.Call(t, "okta_roles_unassign", map[string]any{"user_id": sandbox.DanaWhiteID, "role_assignment_id": dana.ID}), &out)
	msg, _ := last.Load().(string)
	if out.Outcome != "done" || len(h.Org.Roles(sandbox.DanaWhiteID)) != 0 || !strings.HasPrefix(msg, "Revoke HR User Manager (CUSTOM, assignment "+dana.ID+") from ") || !strings.Contains(msg, sandbox.DanaWhiteID) {
		t.Errorf("unassign: %+v, prompt %q, roles %v", out, msg, h.Org.Roles(sandbox.DanaWhiteID))
	}
	if role, _ := out.Target["role"].(map[string]any); role["id"] != dana.ID {
		t.Errorf("target %v", out.Target)
	}

	// From a group.
	helpDesk := groupByName(t, h, "Help Desk")
	ra := h.Org.Roles(helpDesk.ID)[0]
	mcptest.Decode(t, h.Call(t, "okta_roles_unassign", map[string]any{"group_id": helpDesk.ID, "role_assignment_id": ra.ID}), &out)
	if out.Outcome != "done" || len(h.Org.Roles(helpDesk.ID)) != 0 {
		t.Errorf("group unassign: %+v", out)
	}

	// A user's role held through a group is refused before anyone is asked,
	// naming the group.
	admins := groupByName(t, h, "Okta Administrators")
	var viaGroup sandbox.RoleInfo
	for _, r := range h.Org.Roles(sandbox.AlexKimID) {
		if r.GroupID == admins.ID {
			viaGroup = r
		}
	}
	asked, wrote := prompts.Load(), writes(h)
	e := mcptest.Err(t, h.Call(t, "okta_roles_unassign", map[string]any{"user_id": sandbox.AlexKimID, "role_assignment_id": viaGroup.ID}))
	if e.Code != "held_through_group" || !strings.Contains(e.Summary, admins.ID) || !strings.Contains(e.Hint, "group_id "+admins.ID) {
		t.Errorf("held through group: %+v", e)
	}
	e = mcptest.Err(t, h.Call(t, "okta_roles_unassign", map[string]any{"user_id": sandbox.JaneDoeID, "role_assignment_id": "ra1nope"}))
	if e.Status != 404 {
		t.Errorf("unknown assignment: %+v", e)
	}
	checkNoRequests(t, h, "no assignment", func() {
		// The input schema requires role_assignment_id.
		if res := h.Call(t, "okta_roles_unassign", map[string]any{"user_id": sandbox.JaneDoeID}); !res.IsError || !strings.Contains(mcptest.Text(res), "role_assignment_id") {
			t.Errorf("no role_assignment_id: %s", mcptest.Text(res))
		}
	})
	for name, a := range map[string]map[string]any{
		"empty assignment": {"user_id": sandbox.JaneDoeID, "role_assignment_id": ""},
		"bad assignment":   {"user_id": sandbox.JaneDoeID, "role_assignment_id": "../../x"},
		"no principal":     {"role_assignment_id": dana.ID},
	} {
		checkNoRequests(t, h, name, func() {
			if e := mcptest.Err(t, h.Call(t, "okta_roles_unassign", a)); e.Code != tools.CodeInvalidArgument {
				t.Errorf("%s: %+v", name, e)
			}
		})
	}
	if prompts.Load() != asked || writes(h) != wrote || !slices.ContainsFunc(h.Org.Roles(sandbox.AlexKimID), func(r sandbox.RoleInfo) bool { return r.ID == viaGroup.ID }) {
		t.Error("a refused unassign asked or wrote")
	}
}
