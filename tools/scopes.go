package tools

import (
	"slices"
	"strings"
)

// OAuth scopes. An OAuth credential (service app or device sign-in) holds
// a fixed set of Okta API scopes; a tool that needs a scope the credential
// lacks would only ever get 403 insufficient_scope, so it is not
// registered, and `okta-mcp tools` says which scope is missing.
//
// What a tool needs follows from the Okta operations it calls, every branch
// included, and from the scope Okta's API reference (the `security` of each
// operation in the SDK's okta/api/openapi.yaml) gives each of them. Both
// tables are below; the binary does not read openapi.yaml. Tests check the
// tables against the document (every operation exists and has the scope
// written here) and against the handlers (each tool, driven through its
// branches against the sandbox, calls nothing it does not declare, and
// everything it declares).

// oktaScopes is the OAuth scope of each operation the tools call, keyed
// "METHOD /path/template" exactly as openapi.yaml spells the path.
var oktaScopes = map[string]string{
	"GET /api/v1/users":                                     "okta.users.read",
	"POST /api/v1/users":                                    "okta.users.manage",
	"GET /api/v1/users/{userId}":                            "okta.users.read",
	"POST /api/v1/users/{userId}":                           "okta.users.manage",
	"PUT /api/v1/users/{userId}":                            "okta.users.manage",
	"DELETE /api/v1/users/{userId}":                         "okta.users.manage",
	"GET /api/v1/users/{userId}/groups":                     "okta.users.read",
	"POST /api/v1/users/{userId}/lifecycle/activate":        "okta.users.manage",
	"POST /api/v1/users/{userId}/lifecycle/deactivate":      "okta.users.manage",
	"POST /api/v1/users/{userId}/lifecycle/suspend":         "okta.users.manage",
	"POST /api/v1/users/{userId}/lifecycle/unsuspend":       "okta.users.manage",
	"POST /api/v1/users/{userId}/lifecycle/unlock":          "okta.users.manage",
	"POST /api/v1/users/{userId}/lifecycle/expire_password": "okta.users.manage",
	"POST /api/v1/users/{userId}/lifecycle/reset_password":  "okta.users.manage",
	"DELETE /api/v1/users/{userId}/sessions":                "okta.users.manage",
	"GET /api/v1/users/{userId}/roles":                      "okta.roles.read",
	"POST /api/v1/users/{userId}/roles":                     "okta.roles.manage",
	"GET /api/v1/users/{userId}/roles/{roleId}":             "okta.roles.read",
	"DELETE /api/v1/users/{userId}/roles/{roleId}":          "okta.roles.manage",

	"GET /api/v1/groups":                             "okta.groups.read",
	"POST /api/v1/groups":                            "okta.groups.manage",
	"GET /api/v1/groups/{groupId}":                   "okta.groups.read",
	"PUT /api/v1/groups/{groupId}":                   "okta.groups.manage",
	"DELETE /api/v1/groups/{groupId}":                "okta.groups.manage",
	"GET /api/v1/groups/{groupId}/users":             "okta.groups.read",
	"PUT /api/v1/groups/{groupId}/users/{userId}":    "okta.groups.manage",
	"DELETE /api/v1/groups/{groupId}/users/{userId}": "okta.groups.manage",
	"GET /api/v1/groups/{groupId}/roles":             "okta.roles.read",
	"POST /api/v1/groups/{groupId}/roles":            "okta.roles.manage",
	"GET /api/v1/groups/{groupId}/roles/{roleId}":    "okta.roles.read",
	"DELETE /api/v1/groups/{groupId}/roles/{roleId}": "okta.roles.manage",

	"GET /api/v1/iam/roles":         "okta.roles.read",
	"GET /api/v1/iam/resource-sets": "okta.roles.read",

	"GET /api/v1/sessions/{sessionId}":    "okta.sessions.read",
	"DELETE /api/v1/sessions/{sessionId}": "okta.sessions.manage",

	"GET /api/v1/logs": "okta.logs.read",
}

// toolCalls is what one tool may call.
type toolCalls struct {
	// calls are the operations the tool needs, every branch included
	// (a write's read of its target before it writes, too).
	calls []string
	// tolerated are operations the tool calls but can do without: it
	// answers Okta's 403 on them itself (e.g. it names a session's user by
	// the login the session carries), so their scopes are optional.
	tolerated []string
}

// lifecycleCalls reads the user, then runs the lifecycle operation op.
func lifecycleCalls(op string) toolCalls {
	return toolCalls{calls: []string{"GET /api/v1/users/{userId}", "POST /api/v1/users/{userId}/lifecycle/" + op}}
}

// toolOperations is the Okta operations each tool of the catalog may call,
// read from its handler (tools/*.go) and the client methods it uses
// (okta/*.go).
var toolOperations = map[string]toolCalls{
	// users
	"list_all_okta_users":        {calls: []string{"GET /api/v1/users"}},
	"get_single_okta_user_by_id": {calls: []string{"GET /api/v1/users/{userId}"}}, // by ID, login or short name
	"okta_users_find_inactive":   {calls: []string{"GET /api/v1/users"}},
	"list_all_okta_user_groups":  {calls: []string{"GET /api/v1/users/{userId}/groups"}},
	"create_a_okta_user":         {calls: []string{"POST /api/v1/users"}}, // group_ids go in the body
	"update_a_okta_user_by_id": {calls: []string{
		"GET /api/v1/users/{userId}",
		"POST /api/v1/users/{userId}", // partial
		"PUT /api/v1/users/{userId}",  // replace: true
	}},
	"delete_a_okta_user_by_id": {calls: []string{
		"GET /api/v1/users/{userId}",
		"POST /api/v1/users/{userId}/lifecycle/deactivate", // deactivate_first: true
		"DELETE /api/v1/users/{userId}",
	}},
	"okta_users_clear_sessions":  {calls: []string{"GET /api/v1/users/{userId}", "DELETE /api/v1/users/{userId}/sessions"}},
	"okta_users_activate":        lifecycleCalls("activate"),
	"okta_users_deactivate":      lifecycleCalls("deactivate"),
	"okta_users_suspend":         lifecycleCalls("suspend"),
	"okta_users_unsuspend":       lifecycleCalls("unsuspend"),
	"okta_users_unlock":          lifecycleCalls("unlock"),
	"okta_users_expire_password": lifecycleCalls("expire_password"),
	"okta_users_reset_password":  lifecycleCalls("reset_password"),

	// groups
	"list_all_okta_groups":        {calls: []string{"GET /api/v1/groups"}},
	"get_single_okta_group_by_id": {calls: []string{"GET /api/v1/groups/{groupId}"}},
	"list_all_okta_group_members": {calls: []string{"GET /api/v1/groups/{groupId}/users"}},
	"create_a_okta_group":         {calls: []string{"POST /api/v1/groups"}},
	"update_a_okta_group_by_id":   {calls: []string{"GET /api/v1/groups/{groupId}", "PUT /api/v1/groups/{groupId}"}},
	"delete_a_okta_group_by_id":   {calls: []string{"GET /api/v1/groups/{groupId}", "DELETE /api/v1/groups/{groupId}"}},
	"create_a_okta_group_member": {calls: []string{
		"GET /api/v1/groups/{groupId}", "GET /api/v1/users/{userId}", "PUT /api/v1/groups/{groupId}/users/{userId}",
	}},
	"delete_a_okta_group_member_by_id": {calls: []string{
		"GET /api/v1/groups/{groupId}", "GET /api/v1/users/{userId}", "DELETE /api/v1/groups/{groupId}/users/{userId}",
	}},

	// roles: of a user or of a group
	"list_all_okta_roles":        {calls: []string{"GET /api/v1/users/{userId}/roles", "GET /api/v1/groups/{groupId}/roles"}},
	"list_all_okta_custom_roles": {calls: []string{"GET /api/v1/iam/roles"}},
	"okta_roles_assign": {calls: []string{
		"GET /api/v1/users/{userId}", "GET /api/v1/groups/{groupId}", // the principal
		"GET /api/v1/iam/roles", "GET /api/v1/iam/resource-sets", // a custom role's role and resource set by label
		"POST /api/v1/users/{userId}/roles", "POST /api/v1/groups/{groupId}/roles",
	}},
	"okta_roles_unassign": {calls: []string{
		"GET /api/v1/users/{userId}", "GET /api/v1/groups/{groupId}", // the principal
		"GET /api/v1/users/{userId}/roles/{roleId}", "GET /api/v1/groups/{groupId}/roles/{roleId}", // the assignment
		"DELETE /api/v1/users/{userId}/roles/{roleId}", "DELETE /api/v1/groups/{groupId}/roles/{roleId}",
	}},

	// sessions
	"get_single_okta_session_by_id": {calls: []string{"GET /api/v1/sessions/{sessionId}"}},
	"delete_a_okta_session_by_id": {
		calls: []string{"GET /api/v1/sessions/{sessionId}", "DELETE /api/v1/sessions/{sessionId}"},
		// The session's user, to name them in the confirmation; on 403
		// the session's own login names them.
		tolerated: []string{"GET /api/v1/users/{userId}"},
	},
	"list_all_okta_sessions": {
		calls: []string{"GET /api/v1/logs", "GET /api/v1/sessions/{sessionId}"},
		// The user_id given, to resolve a login and show it; on 403 a user
		// ID is used as given (a login then gets an error that asks for
		// the ID).
		tolerated: []string{"GET /api/v1/users/{userId}"},
	},

	// logs
	"list_all_okta_system_logs": {calls: []string{"GET /api/v1/logs"}},
	"okta_system_logs_count":    {calls: []string{"GET /api/v1/logs"}},
}

// unknownScope stands for a scope this file cannot name: a tool without an
// entry in toolOperations, or an operation without one in oktaScopes. No
// credential holds it, so such a tool is hidden rather than shown to fail.
// Tests keep the tables complete, so it never appears in a release.
const unknownScope = "okta-mcp.unknown-scope"

// Operation is one Okta Management API operation a tool may call.
type Operation struct {
	// Op is "METHOD /path/template", the path as Okta's OpenAPI document
	// spells it.
	Op string
	// Scope is the OAuth scope Okta's API reference gives the operation.
	Scope string
	// Tolerated: the tool handles Okta's 403 on this operation and works
	// without Scope.
	Tolerated bool
}

// Operations lists the Okta operations t may call: needed ones first, then
// tolerated ones, each in table order.
func Operations(t Tool) []Operation {
	tc, ok := toolOperations[t.Name()]
	if !ok {
		return nil
	}
	out := make([]Operation, 0, len(tc.calls)+len(tc.tolerated))
	for _, op := range tc.calls {
		out = append(out, Operation{Op: op, Scope: opScope(op)})
	}
	for _, op := range tc.tolerated {
		out = append(out, Operation{Op: op, Scope: opScope(op), Tolerated: true})
	}
	return out
}

func opScope(op string) string {
	if s, ok := oktaScopes[op]; ok {
		return s
	}
	return unknownScope
}

// minimalScopes is the smallest sorted set of scopes that grants every
// scope of need: okta.X.read is left out when okta.X.manage is in.
func minimalScopes(need []string) []string {
	var out []string
	for _, s := range need {
		impliedByAnother := slices.ContainsFunc(need, func(o string) bool { return o != s && HasScope([]string{o}, s) })
		if !slices.Contains(out, s) && !impliedByAnother {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// RequiredScopes returns the OAuth scopes t needs, sorted and minimal: the
// scopes of the operations it calls (okta.X.read left out where okta.X.manage
// is needed, which implies it). A tool missing from the table needs a scope
// no credential has.
func RequiredScopes(t Tool) []string {
	tc, ok := toolOperations[t.Name()]
	if !ok {
		return []string{unknownScope}
	}
	need := make([]string, 0, len(tc.calls))
	for _, op := range tc.calls {
		need = append(need, opScope(op))
	}
	return minimalScopes(need)
}

// OptionalScopes returns the scopes, sorted, of the operations t tolerates
// being refused that RequiredScopes does not already grant: with them the
// tool does a little more (e.g. resolves a login), without them it still
// works.
func OptionalScopes(t Tool) []string {
	req := RequiredScopes(t)
	var out []string
	for _, op := range toolOperations[t.Name()].tolerated {
		if s := opScope(op); !HasScope(req, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// HasScope reports whether granted holds need; okta.X.manage implies
// okta.X.read, as in Okta.
func HasScope(granted []string, need string) bool {
	if slices.Contains(granted, need) {
		return true
	}
	if base, ok := strings.CutSuffix(need, ".read"); ok {
		return slices.Contains(granted, base+".manage")
	}
	return false
}

// MissingScopes returns the scopes of RequiredScopes(t) that granted lacks.
func MissingScopes(t Tool, granted []string) []string {
	var out []string
	for _, s := range RequiredScopes(t) {
		if !HasScope(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

// Hidden is a tool left out because the credential lacks scopes.
type Hidden struct {
	Tool    Tool
	Missing []string
}

// ByScopes splits ts (already filtered by Select) into the tools the
// granted scopes allow, in order, and those they do not.
func ByScopes(ts []Tool, granted []string) (kept []Tool, hidden []Hidden) {
	for _, t := range ts {
		if m := MissingScopes(t, granted); len(m) > 0 {
			hidden = append(hidden, Hidden{Tool: t, Missing: m})
			continue
		}
		kept = append(kept, t)
	}
	return kept, hidden
}
