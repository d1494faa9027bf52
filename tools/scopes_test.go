package tools_test

import (
	"slices"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/tools"
)

func tool(name string, class tools.Class, tags ...string) tools.Tool {
	return tools.Tool{Def: &mcp.Tool{Name: name}, Class: class, Tags: tags}
}

// TestRequiredScopes pins the scopes of some tools, those of several areas
// above all: a tool needs the scopes Okta gives the operations it calls
// (TestOperationTableMatchesOpenAPI checks them all against openapi.yaml),
// not one scope per tag.
func TestRequiredScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tool tools.Tool
		want []string
	}{
		{tool("list_all_okta_users", tools.ClassList, "users"), []string{"okta.users.read"}},
		{tool("get_single_okta_group_by_id", tools.ClassGet, "groups"), []string{"okta.groups.read"}},
		{tool("create_a_okta_user", tools.ClassCreate, "users"), []string{"okta.users.manage"}},
		{tool("update_a_okta_group_by_id", tools.ClassUpdate, "groups"), []string{"okta.groups.manage"}},
		{tool("delete_a_okta_session_by_id", tools.ClassDelete, "sessions"), []string{"okta.sessions.manage"}},
		{tool("list_all_okta_system_logs", tools.ClassList, "logs"), []string{"okta.logs.read"}},
		// A write reads its target first: okta.users.manage implies the read.
		{tool("okta_users_suspend", tools.ClassCustom, "users"), []string{"okta.users.manage"}},
		// GET /api/v1/users/{userId}/groups is a users operation.
		{tool("list_all_okta_user_groups", tools.ClassList, "users", "groups"), []string{"okta.users.read"}},
		// GET /api/v1/groups/{groupId}/users is a groups operation.
		{tool("list_all_okta_group_members", tools.ClassList, "groups", "users"), []string{"okta.groups.read"}},
		// PUT /api/v1/groups/{groupId}/users/{userId}, after reading the group and the user.
		{tool("create_a_okta_group_member", tools.ClassCreate, "groups", "users"), []string{"okta.groups.manage", "okta.users.read"}},
		{tool("delete_a_okta_group_member_by_id", tools.ClassDelete, "groups", "users"), []string{"okta.groups.manage", "okta.users.read"}},
		// DELETE /api/v1/users/{userId}/sessions is a users operation.
		{tool("okta_users_clear_sessions", tools.ClassCustom, "users", "sessions"), []string{"okta.users.manage"}},
		// The System Log and GET /api/v1/sessions/{sessionId}; reading the user is optional.
		{tool("list_all_okta_sessions", tools.ClassList, "sessions", "logs"), []string{"okta.logs.read", "okta.sessions.read"}},
		// Roles are granted to and revoked from a user or a group, read first.
		{tool("okta_roles_assign", tools.ClassCustom, "roles"), []string{"okta.groups.read", "okta.roles.manage", "okta.users.read"}},
		{tool("okta_roles_unassign", tools.ClassCustom, "roles"), []string{"okta.groups.read", "okta.roles.manage", "okta.users.read"}},
	}
	for _, tt := range tests {
		if got := tools.RequiredScopes(tt.tool); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.tool.Name(), got, tt.want)
		}
	}
	opt := map[string][]string{"list_all_okta_sessions": {"okta.users.read"}, "delete_a_okta_session_by_id": {"okta.users.read"}}
	for _, tl := range tools.All() {
		if got := tools.OptionalScopes(tl); !slices.Equal(got, opt[tl.Name()]) {
			t.Errorf("%s: optional scopes %v, want %v", tl.Name(), got, opt[tl.Name()])
		}
	}
}

func TestHasScope(t *testing.T) {
	t.Parallel()
	granted := []string{"okta.users.manage", "okta.logs.read", "offline_access"}
	for need, want := range map[string]bool{
		"okta.users.read":     true, // manage implies read
		"okta.users.manage":   true,
		"okta.logs.read":      true,
		"okta.groups.read":    false,
		"okta.groups.manage":  false,
		"okta.sessions.read":  false,
		"okta.logs.manage":    false, // read never implies manage
		"okta.users.readonly": false,
	} {
		if got := tools.HasScope(granted, need); got != want {
			t.Errorf("HasScope(%v, %s) = %v", granted, need, got)
		}
	}
	if tools.HasScope([]string{"okta.logs.read"}, "okta.logs.manage") {
		t.Error("read implies manage")
	}
}

func TestByScopes(t *testing.T) {
	t.Parallel()
	ts := []tools.Tool{
		tool("list_all_okta_users", tools.ClassList, "users"),
		tool("list_all_okta_user_groups", tools.ClassList, "users", "groups"),
		tool("create_a_okta_user", tools.ClassCreate, "users"),
		tool("list_all_okta_groups", tools.ClassList, "groups"),
		tool("list_all_okta_sessions", tools.ClassList, "sessions", "logs"),
	}
	kept, hidden := tools.ByScopes(ts, []string{"okta.users.read", "okta.logs.read"})
	var names []string
	for _, k := range kept {
		names = append(names, k.Name())
	}
	if !slices.Equal(names, []string{"list_all_okta_users", "list_all_okta_user_groups"}) {
		t.Errorf("kept %v", names)
	}
	want := map[string][]string{
		"create_a_okta_user":     {"okta.users.manage"},
		"list_all_okta_groups":   {"okta.groups.read"},
		"list_all_okta_sessions": {"okta.sessions.read"},
	}
	if len(hidden) != len(want) {
		t.Fatalf("hidden %v", hidden)
	}
	for _, h := range hidden {
		if !slices.Equal(h.Missing, want[h.Tool.Name()]) {
			t.Errorf("%s: missing %v, want %v", h.Tool.Name(), h.Missing, want[h.Tool.Name()])
		}
	}
	// Every read scope: every read tool kept (as README.md says).
	reads := []string{"okta.users.read", "okta.groups.read", "okta.roles.read", "okta.sessions.read", "okta.logs.read"}
	for _, tl := range tools.All() {
		if m := tools.MissingScopes(tl, reads); tl.Class.ReadOnly() != (len(m) == 0) {
			t.Errorf("%s (read-only %v) with every read scope: missing %v", tl.Name(), tl.Class.ReadOnly(), m)
		}
	}
	// Every scope granted: nothing hidden.
	all := []string{"okta.users.manage", "okta.groups.manage", "okta.roles.manage", "okta.sessions.manage", "okta.logs.read"}
	if kept, hidden := tools.ByScopes(tools.All(), all); len(hidden) != 0 || len(kept) != len(tools.All()) {
		t.Errorf("all scopes: %d kept, %d hidden", len(kept), len(hidden))
	}
}

// TestCatalogScopesExist: every tool of the catalog needs at least one
// scope, and only scopes Okta has.
func TestCatalogScopesExist(t *testing.T) {
	t.Parallel()
	okta := []string{
		"okta.users.read", "okta.users.manage", "okta.groups.read", "okta.groups.manage",
		"okta.roles.read", "okta.roles.manage", "okta.sessions.read", "okta.sessions.manage", "okta.logs.read",
	}
	for _, tl := range tools.All() {
		req := tools.RequiredScopes(tl)
		if len(req) == 0 {
			t.Errorf("%s needs no scope", tl.Name())
		}
		for _, s := range req {
			if !slices.Contains(okta, s) {
				t.Errorf("%s needs %s, which Okta does not have", tl.Name(), s)
			}
		}
	}
}
