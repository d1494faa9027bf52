package tools_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/contract"
	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// The operation table of tools/scopes.go says which Okta operations each
// tool may call, and so which OAuth scopes it needs. These tests keep it
// true to the handlers: every tool is driven through its branches over a
// real MCP session against the sandbox, whose exchanges the contract
// recorder matches to openapi.yaml's operations, and whose API takes an
// OAuth access token holding just the scopes under test (the sandbox
// enforces each route's scope, answering 403 insufficient_scope).

// scopeCase is one call that drives a tool through a branch, on a fresh org.
type scopeCase struct {
	name string
	tool string
	args func(h *mcptest.Harness) map[string]any
	// refused: the call ends in a tool error by design (a branch that
	// refuses before writing).
	refused bool
	// needsOptional: the call cannot work without the tool's optional
	// scopes (they are optional for the tool's other uses).
	needsOptional bool
}

func fixed(args map[string]any) func(*mcptest.Harness) map[string]any {
	return func(*mcptest.Harness) map[string]any { return args }
}

// liveSession is a live session of Jane Doe.
func liveSession(t *testing.T, h *mcptest.Harness) string {
	for _, s := range h.Org.Sessions(sandbox.JaneDoeID) {
		if s.Live {
			return s.ID
		}
	}
	t.Fatal("Jane Doe has no live session")
	return ""
}

// groupHeldRole is a role Alex Kim holds through a group: its assignment ID and the group.
func groupHeldRole(t *testing.T, h *mcptest.Harness) (id, group string) {
	for _, r := range h.Org.Roles(sandbox.AlexKimID) {
		if r.AssignmentType == "GROUP" {
			return r.ID, r.GroupID
		}
	}
	t.Fatal("Alex Kim holds no role through a group")
	return "", ""
}

func scopeCases(t *testing.T) []scopeCase {
	jane, login := sandbox.JaneDoeID, "jane.doe@company.com"
	aws := sandbox.AWSProdAdminsID
	monthAgo := time.Now().UTC().Add(-30 * 24 * time.Hour).Format(time.RFC3339)
	newUser := map[string]any{"login": "scope.probe@company.com", "email": "scope.probe@company.com", "firstName": "Scope", "lastName": "Probe"}
	janeProfile := map[string]any{"login": login, "email": login, "firstName": "Jane", "lastName": "Doe"}
	return []scopeCase{
		// users
		{name: "list", tool: "list_all_okta_users", args: fixed(map[string]any{"limit": 2})},
		{name: "by login", tool: "get_single_okta_user_by_id", args: fixed(map[string]any{"id": login})},
		{name: "two pages", tool: "okta_users_find_inactive", args: fixed(map[string]any{"max_scan": 250})},
		{name: "by id", tool: "list_all_okta_user_groups", args: fixed(map[string]any{"user_id": jane})},
		{name: "activated, in a group", tool: "create_a_okta_user", args: fixed(map[string]any{"profile": newUser, "group_ids": []string{aws}, "activate": true})},
		{name: "partial", tool: "update_a_okta_user_by_id", args: fixed(map[string]any{"id": login, "profile": map[string]any{"title": "Staff Engineer"}})},
		{name: "replace", tool: "update_a_okta_user_by_id", args: fixed(map[string]any{"id": jane, "profile": janeProfile, "replace": true})},
		{name: "deprovisioned", tool: "delete_a_okta_user_by_id", args: fixed(map[string]any{"id": sandbox.MichaelJohnsonID})},
		{name: "deactivate first", tool: "delete_a_okta_user_by_id", args: fixed(map[string]any{"id": login, "deactivate_first": true})},
		{name: "active refused", tool: "delete_a_okta_user_by_id", args: fixed(map[string]any{"id": jane}), refused: true},
		{name: "with tokens", tool: "okta_users_clear_sessions", args: fixed(map[string]any{"id": login, "revoke_oauth_tokens": true})},
		{name: "staged", tool: "okta_users_activate", args: fixed(map[string]any{"id": sandbox.EmilyChenID, "send_email": false})},
		{name: "active", tool: "okta_users_deactivate", args: fixed(map[string]any{"id": jane})},
		{name: "active", tool: "okta_users_suspend", args: fixed(map[string]any{"id": jane})},
		{name: "wrong status", tool: "okta_users_suspend", args: fixed(map[string]any{"id": sandbox.JohnSmithID}), refused: true},
		{name: "suspended", tool: "okta_users_unsuspend", args: fixed(map[string]any{"id": sandbox.JohnSmithID})},
		{name: "locked out", tool: "okta_users_unlock", args: fixed(map[string]any{"id": sandbox.CarlosRiveraID})},
		{name: "active", tool: "okta_users_expire_password", args: fixed(map[string]any{"id": jane})},
		{name: "link returned", tool: "okta_users_reset_password", args: fixed(map[string]any{"id": jane, "send_email": false})},

		// groups
		{name: "list", tool: "list_all_okta_groups", args: fixed(map[string]any{"limit": 5})},
		{name: "by id", tool: "get_single_okta_group_by_id", args: fixed(map[string]any{"id": aws})},
		{name: "members", tool: "list_all_okta_group_members", args: fixed(map[string]any{"group_id": aws})},
		{name: "new", tool: "create_a_okta_group", args: fixed(map[string]any{"name": "Scope Probe", "description": "probe"})},
		{name: "description", tool: "update_a_okta_group_by_id", args: fixed(map[string]any{"id": aws, "description": "probe"})},
		{name: "okta group", tool: "delete_a_okta_group_by_id", args: fixed(map[string]any{"id": aws})},
		{name: "add", tool: "create_a_okta_group_member", args: fixed(map[string]any{"group_id": aws, "user_id": sandbox.AlexKimID})},
		{name: "remove", tool: "delete_a_okta_group_member_by_id", args: fixed(map[string]any{"group_id": aws, "user_id": jane})},

		// roles
		{name: "of a user", tool: "list_all_okta_roles", args: fixed(map[string]any{"user_id": sandbox.AlexKimID})},
		{name: "of a group", tool: "list_all_okta_roles", args: func(h *mcptest.Harness) map[string]any {
			_, g := groupHeldRole(t, h)
			return map[string]any{"group_id": g}
		}},
		{name: "list", tool: "list_all_okta_custom_roles", args: fixed(map[string]any{})},
		{name: "standard to a user", tool: "okta_roles_assign", args: fixed(map[string]any{"user_id": jane, "type": "Help Desk Administrator"})},
		{name: "standard to a group", tool: "okta_roles_assign", args: fixed(map[string]any{"group_id": aws, "type": "READ_ONLY_ADMIN"})},
		{name: "custom by label", tool: "okta_roles_assign", args: fixed(map[string]any{"user_id": jane, "role": "HR User Manager", "resource_set": "HR users"})},
		{name: "from a user", tool: "okta_roles_unassign", args: func(h *mcptest.Harness) map[string]any {
			return map[string]any{"user_id": sandbox.DanaWhiteID, "role_assignment_id": h.Org.Roles(sandbox.DanaWhiteID)[0].ID}
		}},
		{name: "from a group", tool: "okta_roles_unassign", args: func(h *mcptest.Harness) map[string]any {
			id, g := groupHeldRole(t, h)
			return map[string]any{"group_id": g, "role_assignment_id": id}
		}},
		{name: "held through a group refused", tool: "okta_roles_unassign", refused: true, args: func(h *mcptest.Harness) map[string]any {
			id, _ := groupHeldRole(t, h)
			return map[string]any{"user_id": sandbox.AlexKimID, "role_assignment_id": id}
		}},

		// sessions
		{name: "live", tool: "get_single_okta_session_by_id", args: func(h *mcptest.Harness) map[string]any {
			return map[string]any{"id": liveSession(t, h)}
		}},
		{name: "live", tool: "delete_a_okta_session_by_id", args: func(h *mcptest.Harness) map[string]any {
			return map[string]any{"id": liveSession(t, h)}
		}},
		{name: "by user id", tool: "list_all_okta_sessions", args: fixed(map[string]any{"user_id": jane, "since": monthAgo})},
		{name: "by login", tool: "list_all_okta_sessions", args: fixed(map[string]any{"user_id": login, "since": monthAgo}), needsOptional: true},

		// logs
		{name: "list", tool: "list_all_okta_system_logs", args: fixed(map[string]any{"limit": 5})},
		{name: "by ip", tool: "okta_system_logs_count", args: fixed(map[string]any{"group_by": []string{"client.ipAddress"}, "max_events": 300})},
	}
}

// allOktaScopes is every okta.* scope the sandbox's OAuth app is granted.
var allOktaScopes = []string{"okta.users.manage", "okta.groups.manage", "okta.roles.manage", "okta.sessions.manage", "okta.logs.read",
	"okta.users.read", "okta.groups.read", "okta.roles.read", "okta.sessions.read"}

// scopedRun is one call of a scopeCase with an access token holding scopes.
type scopedRun struct {
	res       *mcp.CallToolResult
	exchanges []contract.Exchange
}

// insufficient is the scope a 403 insufficient_scope answer names, or "".
func insufficient(ex contract.Exchange) string {
	if ex.Status != http.StatusForbidden {
		return ""
	}
	for _, v := range ex.Header.Values("WWW-Authenticate") {
		if strings.Contains(v, `error="insufficient_scope"`) {
			if _, rest, ok := strings.Cut(v, `scope="`); ok {
				s, _, _ := strings.Cut(rest, `"`)
				return s
			}
			return "(unnamed)"
		}
	}
	return ""
}

// bearer is a transport that sends the current access token instead of the
// client's API token.
type bearer struct{ token atomic.Pointer[string] }

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+*b.token.Load())
	return http.DefaultTransport.RoundTrip(r)
}

// accessToken signs in to org through the device grant (approved at once)
// and returns an access token holding scopes (plus openid, so that a token
// with no okta.* scope can be asked for). The OAuth endpoints are called on
// the org's handler directly: they are not part of the management API.
func accessToken(t *testing.T, org *sandbox.Org, scopes []string) string {
	t.Helper()
	const client = "0oascopeprobe"
	org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: client, Device: true, Scopes: allOktaScopes})
	org.DeviceDecision("", sandbox.DeviceApproved)
	post := func(path string, form url.Values) map[string]any {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		org.ServeHTTP(rec, req)
		var out map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
			t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
		}
		return out
	}
	dc := post("/oauth2/v1/device/authorize", url.Values{"client_id": {client}, "scope": {strings.Join(append([]string{"openid"}, scopes...), " ")}})
	tok := post("/oauth2/v1/token", url.Values{"client_id": {client}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {fmt.Sprint(dc["device_code"])}})
	at, _ := tok["access_token"].(string)
	if at == "" {
		t.Fatalf("no access token: %v", tok)
	}
	return at
}

// runScoped calls c's tool on a fresh org, with writes sent unconfirmed and
// an access token holding scopes, and returns the result and the
// exchanges the call made.
func runScoped(t *testing.T, c scopeCase, scopes []string) scopedRun {
	t.Helper()
	b := &bearer{}
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}, Base: b})
	tok := accessToken(t, h.Org, scopes)
	b.token.Store(&tok)
	args := c.args(h)
	h.Contract.RecordExchanges()
	res := h.Call(t, c.tool, args)
	return scopedRun{res: res, exchanges: h.Contract.Exchanges()}
}

func byName() map[string]tools.Tool {
	m := map[string]tools.Tool{}
	for _, tl := range tools.All() {
		m[tl.Name()] = tl
	}
	return m
}

// TestToolOperationsObserved drives every tool through its cases with an
// access token holding exactly the scopes the tool declares (required, and
// optional ones too), and checks that
//   - every operation the sandbox received is in the tool's table;
//   - every operation of the table was received in some case (each branch
//     is exercised, and the table lists nothing the handler never calls);
//   - Okta refused none of them for want of a scope, and the call
//     succeeded (unless the case is refused by design).
//
// Then, with the required scopes alone, a case that does not need the
// optional ones must still succeed, any insufficient_scope answer falling
// on an operation the tool tolerates.
func TestToolOperationsObserved(t *testing.T) {
	t.Parallel()
	catalog := byName()
	cases := scopeCases(t)
	covered := map[string]bool{}
	for _, c := range cases {
		if _, ok := catalog[c.tool]; !ok {
			t.Fatalf("case for unknown tool %s", c.tool)
		}
		covered[c.tool] = true
	}
	for name := range catalog {
		if !covered[name] {
			t.Errorf("%s: no case drives it", name)
		}
	}

	observed := make([][]string, len(cases))
	t.Run("cases", func(t *testing.T) {
		for i, c := range cases {
			tl := catalog[c.tool]
			declared := map[string]tools.Operation{}
			for _, op := range tools.Operations(tl) {
				declared[op.Op] = op
			}
			required, optional := tools.RequiredScopes(tl), tools.OptionalScopes(tl)
			t.Run(c.tool+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				full := runScoped(t, c, slices.Concat(required, optional))
				if full.res.IsError != c.refused {
					t.Errorf("with %v: error %v, want %v: %s", slices.Concat(required, optional), full.res.IsError, c.refused, mcptest.Text(full.res))
				}
				if len(full.exchanges) == 0 {
					t.Error("no request reached the sandbox")
				}
				for _, ex := range full.exchanges {
					observed[i] = append(observed[i], ex.Operation)
					switch _, ok := declared[ex.Operation]; {
					case ex.Operation == "":
						t.Errorf("%s %s matches no operation of openapi.yaml", ex.Method, ex.Path)
					case !ok:
						t.Errorf("%s (%s %s) is not in the tool's operation table", ex.Operation, ex.Method, ex.Path)
					}
					if s := insufficient(ex); s != "" {
						t.Errorf("%s: 403 insufficient_scope (needs %s) with every scope the tool declares", ex.Operation, s)
					}
				}
				if len(optional) == 0 {
					return
				}
				less := runScoped(t, c, required)
				if !c.refused && less.res.IsError != c.needsOptional {
					t.Errorf("with only %v: error %v, want %v: %s", required, less.res.IsError, c.needsOptional, mcptest.Text(less.res))
				}
				for _, ex := range less.exchanges {
					if s := insufficient(ex); s != "" && !declared[ex.Operation].Tolerated {
						t.Errorf("with only %v: %s answered 403 insufficient_scope (needs %s), and the tool does not tolerate it", required, ex.Operation, s)
					}
				}
			})
		}
	})

	// Each operation of the table is called in some case of its tool.
	seen := map[string]map[string]bool{}
	for i, c := range cases {
		if seen[c.tool] == nil {
			seen[c.tool] = map[string]bool{}
		}
		for _, op := range observed[i] {
			seen[c.tool][op] = true
		}
	}
	for name, tl := range catalog {
		for _, op := range tools.Operations(tl) {
			if !seen[name][op.Op] {
				t.Errorf("%s: declares %s, which no case saw it call", name, op.Op)
			}
		}
	}
}

// TestRequiredScopesAreNeeded: for each scope a tool requires, some case
// of the tool fails, Okta having answered 403 insufficient_scope for that
// scope, when the token lacks it (okta.X.manage is lowered to okta.X.read,
// which then must not be enough). So no tool asks for more than it uses.
func TestRequiredScopesAreNeeded(t *testing.T) {
	t.Parallel()
	catalog := byName()
	byTool := map[string][]scopeCase{}
	for _, c := range scopeCases(t) {
		byTool[c.tool] = append(byTool[c.tool], c)
	}
	for name, tl := range catalog {
		for _, drop := range tools.RequiredScopes(tl) {
			t.Run(name+"/without "+drop, func(t *testing.T) {
				t.Parallel()
				var scopes []string
				for _, s := range slices.Concat(tools.RequiredScopes(tl), tools.OptionalScopes(tl)) {
					if s != drop {
						scopes = append(scopes, s)
					}
				}
				if base, ok := strings.CutSuffix(drop, ".manage"); ok {
					scopes = append(scopes, base+".read")
				}
				for _, c := range byTool[name] {
					if c.refused {
						continue
					}
					run := runScoped(t, c, scopes)
					if !run.res.IsError {
						continue
					}
					for _, ex := range run.exchanges {
						if insufficient(ex) == drop {
							return
						}
					}
				}
				t.Errorf("no case of %s failed for want of %s with %v: the tool does not need it", name, drop, scopes)
			})
		}
	}
}
