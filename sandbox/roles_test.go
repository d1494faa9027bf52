package sandbox

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

func roleList(t *testing.T, s *Server, p string) []map[string]any {
	t.Helper()
	return objects(t, get(t, s, p))
}

func TestListRoles(t *testing.T) {
	s := startServer(t, Options{})
	alex := roleList(t, s, "/api/v1/users/"+AlexKimID+"/roles")
	// Alex: SUPER_ADMIN directly, USER_ADMIN through "Okta Administrators".
	var direct, viaGroup map[string]any
	for _, r := range alex {
		switch r["assignmentType"] {
		case "USER":
			direct = r
		case "GROUP":
			viaGroup = r
		}
	}
	if direct == nil || direct["type"] != "SUPER_ADMIN" || direct["label"] != "Super Administrator" || direct["status"] != "ACTIVE" {
		t.Fatalf("alex's direct role: %v", alex)
	}
	if viaGroup == nil || viaGroup["type"] != "USER_ADMIN" ||
		!strings.Contains(viaGroup["_links"].(map[string]any)["assignee"].(map[string]any)["href"].(string), "/api/v1/groups/") {
		t.Errorf("alex's group role: %v", viaGroup)
	}
	if a := direct["_links"].(map[string]any)["assignee"].(map[string]any)["href"]; a != s.URL+"/api/v1/users/"+AlexKimID {
		t.Errorf("assignee %v", a)
	}
	// By login too; a user without roles has none; unknown → 404.
	if len(roleList(t, s, "/api/v1/users/alex.kim@company.com/roles")) != len(alex) {
		t.Error("roles by login differ")
	}
	if n := len(roleList(t, s, "/api/v1/users/"+EmilyChenID+"/roles")); n != 0 {
		t.Errorf("emily has %d roles", n)
	}
	wantError(t, get(t, s, "/api/v1/users/nobody/roles"), 404, "E0000007")
	wantError(t, get(t, s, "/api/v1/groups/00gnope/roles"), 404, "E0000007")

	// The seeded holders.
	for id, typ := range map[string]string{PriyaPatelID: "READ_ONLY_ADMIN", RobertBrownID: "REPORT_ADMIN", JohnSmithID: "APP_ADMIN", DanaWhiteID: "CUSTOM"} {
		found := false
		for _, r := range s.Org.Roles(id) {
			found = found || (r.Type == typ && r.AssignmentType == "USER")
		}
		if !found {
			t.Errorf("%s lacks %s", id, typ)
		}
	}
	seen := map[string]bool{}
	for _, u := range s.Org.Users() {
		for _, r := range s.Org.Roles(u.ID) {
			if r.AssignmentType == "USER" {
				seen[r.Type] = true
			}
		}
	}
	for _, typ := range []string{"SUPER_ADMIN", "ORG_ADMIN", "HELP_DESK_ADMIN", "READ_ONLY_ADMIN", "CUSTOM"} {
		if !seen[typ] {
			t.Errorf("no user holds %s", typ)
		}
	}

	// Custom: role and resource-set, with links.
	dana := roleList(t, s, "/api/v1/users/"+DanaWhiteID+"/roles")
	if len(dana) != 1 || dana[0]["type"] != "CUSTOM" || dana[0]["label"] != "HR User Manager" || dana[0]["role"] == nil || dana[0]["resource-set"] == nil {
		t.Fatalf("dana %v", dana)
	}
	one := wantStatus(t, get(t, s, "/api/v1/users/"+DanaWhiteID+"/roles/"+dana[0]["id"].(string)), 200)
	if one["id"] != dana[0]["id"] {
		t.Errorf("get %v", one)
	}
	wantError(t, get(t, s, "/api/v1/users/"+DanaWhiteID+"/roles/ra1nope"), 404, "E0000007")

	// The SDK decodes roles.
	var typed []okta.Role
	if err := json.Unmarshal(get(t, s, "/api/v1/users/"+AlexKimID+"/roles").body, &typed); err != nil || typed[0].GetType() == "" {
		t.Errorf("[]okta.Role: %v", err)
	}
}

func TestAssignAndUnassignRoles(t *testing.T) {
	s := startServer(t, Options{})
	base := "/api/v1/users/" + EmilyChenID + "/roles"
	r := wantStatus(t, send(t, s, "POST", base, `{"type":"HELP_DESK_ADMIN"}`), 201)
	id, _ := r["id"].(string)
	if !strings.HasPrefix(id, "ra1") || r["type"] != "HELP_DESK_ADMIN" || r["label"] != "Help Desk Administrator" ||
		r["assignmentType"] != "USER" || r["status"] != "ACTIVE" || r["created"] == nil || r["lastUpdated"] == nil {
		t.Fatalf("assigned %v", r)
	}
	e := wantError(t, send(t, s, "POST", base, `{"type":"HELP_DESK_ADMIN"}`), 409, "E0000090")
	if e.ErrorSummary != "The role specified is already assigned to the user." {
		t.Errorf("duplicate: %q", e.ErrorSummary)
	}
	dana := s.Org.Roles(DanaWhiteID)[0]
	c := wantStatus(t, send(t, s, "POST", base, `{"type":"CUSTOM","role":"`+dana.Role+`","resource-set":"`+dana.ResourceSet+`"}`), 201)
	if c["role"] != dana.Role || c["resource-set"] != dana.ResourceSet || c["label"] != "HR User Manager" || !strings.HasPrefix(c["id"].(string), "irb") {
		t.Errorf("custom %v", c)
	}
	wantError(t, send(t, s, "POST", base, `{"type":"CUSTOM","role":"HR User Manager","resource-set":"HR users"}`), 409, "E0000090")
	if n := len(roleList(t, s, base)); n != 2 {
		t.Errorf("%d roles after two assignments", n)
	}
	for _, tc := range []struct{ body, code, cause string }{
		{`{"type":"WIZARD"}`, "E0000001", "type: Invalid role type 'WIZARD'"},
		{`{}`, "E0000001", "type: The field cannot be left blank"},
		{`{"type":"CUSTOM"}`, "E0000001", "role: The field cannot be left blank"},
		{`{"type":"CUSTOM","role":"cr0nope","resource-set":"` + dana.ResourceSet + `"}`, "E0000001", "role: No custom role"},
		{`{"type":`, "E0000003", ""},
	} {
		e := wantError(t, send(t, s, "POST", base, tc.body), 400, tc.code)
		if tc.cause != "" && (len(e.ErrorCauses) == 0 || !strings.HasPrefix(e.ErrorCauses[0].ErrorSummary, tc.cause)) {
			t.Errorf("%s: causes %q", tc.body, causes(e))
		}
	}
	wantError(t, send(t, s, "POST", "/api/v1/users/nobody/roles", `{"type":"HELP_DESK_ADMIN"}`), 404, "E0000007")

	if r := send(t, s, "DELETE", base+"/"+id, ""); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	wantError(t, send(t, s, "DELETE", base+"/"+id, ""), 404, "E0000007")
	wantError(t, get(t, s, base+"/"+id), 404, "E0000007")
	// A role held through a group cannot be removed from the user.
	for _, r := range s.Org.Roles(AlexKimID) {
		if r.AssignmentType == "GROUP" {
			wantError(t, send(t, s, "DELETE", "/api/v1/users/"+AlexKimID+"/roles/"+r.ID, ""), 404, "E0000007")
		}
	}
	if len(eventsOf(s.Org, "user.account.privilege.grant", EmilyChenID)) != 2 || len(eventsOf(s.Org, "user.account.privilege.revoke", EmilyChenID)) != 1 {
		t.Error("grant/revoke events not recorded")
	}

	// Groups: assigning gives members the role (assignmentType GROUP).
	gbase := "/api/v1/groups/" + AWSProdAdminsID + "/roles"
	g := wantStatus(t, send(t, s, "POST", gbase, `{"type":"ORG_ADMIN"}`), 201)
	if g["assignmentType"] != "GROUP" {
		t.Errorf("group role %v", g)
	}
	wantError(t, send(t, s, "POST", gbase, `{"type":"ORG_ADMIN"}`), 409, "E0000090")
	found := false
	for _, r := range roleList(t, s, "/api/v1/users/"+JaneDoeID+"/roles") {
		found = found || (r["id"] == g["id"] && r["assignmentType"] == "GROUP")
	}
	if !found {
		t.Error("a member does not see the group's role")
	}
	wantStatus(t, get(t, s, gbase+"/"+g["id"].(string)), 200)
	wantStatus(t, send(t, s, "DELETE", gbase+"/"+g["id"].(string), ""), 204)
	if n := len(roleList(t, s, gbase)); n != 0 {
		t.Errorf("%d group roles left", n)
	}
}

func TestCustomRolesAndResourceSets(t *testing.T) {
	s := startServer(t, Options{})
	r := wantStatus(t, get(t, s, "/api/v1/iam/roles"), 200)
	roles := r["roles"].([]any)
	if len(roles) != 3 {
		t.Fatalf("%d custom roles", len(roles))
	}
	first := roles[0].(map[string]any)
	if !strings.HasPrefix(first["id"].(string), "cr0") || first["label"] == "" || first["description"] == "" {
		t.Errorf("role %v", first)
	}
	if _, ok := r["_links"].(map[string]any)["next"]; ok {
		t.Error("next link on the only page")
	}
	rs := wantStatus(t, get(t, s, "/api/v1/iam/resource-sets"), 200)
	if sets := rs["resource-sets"].([]any); len(sets) != 3 {
		t.Errorf("%d resource sets", len(sets))
	}

	// Paging in the body.
	s.Org.mu.Lock()
	s.Org.iamPageSize = 2
	s.Org.mu.Unlock()
	var ids []string
	next := "/api/v1/iam/roles"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		page := wantStatus(t, get(t, s, next), 200)
		for _, x := range page["roles"].([]any) {
			ids = append(ids, x.(map[string]any)["id"].(string))
		}
		next = ""
		if n, ok := page["_links"].(map[string]any)["next"].(map[string]any); ok {
			next = n["href"].(string)
			if u, err := url.Parse(next); err != nil || u.Query().Get("after") == "" {
				t.Fatalf("next %q", next)
			}
		}
	}
	if len(ids) != 3 || ids[0] != first["id"] {
		t.Errorf("paged ids %v", ids)
	}

	// Through the SDK, including a custom assignment made with AdditionalProperties.
	c := sdkClient(t, s)
	ctx := context.Background()
	list, _, err := c.RoleAPI.ListRoles(ctx).Execute()
	if err != nil || len(list.Roles) != 2 {
		t.Fatalf("ListRoles: %v %v", list, err)
	}
	dana := s.Org.Roles(DanaWhiteID)[0]
	req := okta.AssignRoleRequest{Type: okta.PtrString("CUSTOM"), AdditionalProperties: map[string]any{"role": dana.Role, "resource-set": dana.ResourceSet}}
	role, _, err := c.RoleAssignmentAPI.AssignRoleToUser(ctx, PriyaPatelID).AssignRoleRequest(req).Execute()
	if err != nil || role.GetType() != "CUSTOM" || role.GetAssignmentType() != "USER" {
		t.Fatalf("AssignRoleToUser: %+v %v", role, err)
	}
	if _, err := c.RoleAssignmentAPI.UnassignRoleFromUser(ctx, PriyaPatelID, role.GetId()).Execute(); err != nil {
		t.Fatalf("UnassignRoleFromUser: %v", err)
	}
}
