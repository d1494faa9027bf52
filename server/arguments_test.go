package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/sandbox"
)

// TestArgumentErrors: NUL characters anywhere in the arguments and invalid
// UTF-8 are refused before the handler runs; the SDK's own argument errors
// (schema violations, undecodable values) come back in the {"error": …}
// shape, with a huge quoted value shortened; nothing reaches Okta; a call
// to a tool that is not registered stays a JSON-RPC error.
func TestArgumentErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	big := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name, tool string
		args       any
		want       string
	}{
		{"NUL in a value", "list_all_okta_users", map[string]any{"search": "profile.firstName eq \"a\x00\""}, "arguments.search: contains a NUL"},
		{"NUL in a nested value", "create_a_okta_user", map[string]any{"profile": map[string]any{"login": "a@b.c", "title": "x\x00"}}, "arguments.profile.title: contains a NUL"},
		{"NUL in a list", "list_all_okta_users", map[string]any{"fields": []string{"profile.a", "profile.\x00"}}, "arguments.fields[1]: contains a NUL"},
		{"NUL in a name", "update_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "profile": map[string]any{"ti\x00tle": "x"}}, "(a property name)"},
		{"invalid UTF-8", "get_single_okta_user_by_id", json.RawMessage("{\"id\":\"jane\xff@company.com\"}"), "not valid UTF-8"},
		{"unknown argument", "list_all_okta_users", map[string]any{"limt": 5}, "limt"},
		{"wrong type", "list_all_okta_users", map[string]any{"limit": "5"}, `want "integer"`},
		{"huge wrong type", "list_all_okta_users", map[string]any{"limit": big}, "bytes left out"},
		{"not an object", "list_all_okta_users", json.RawMessage(`[1,2]`), "arguments"},
		{"number too large for the field", "list_all_okta_users", map[string]any{"limit": 1e300}, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Org.ResetRequests()
			e := mcptest.Err(t, h.Call(t, tc.tool, tc.args))
			if e.Code != "invalid_argument" || !strings.Contains(e.Summary, tc.want) || e.Hint == "" || len(e.Summary) > 1000 {
				t.Errorf("got %+v, want invalid_argument mentioning %q", e, tc.want)
			}
			if n := len(h.Org.Requests()); n != 0 {
				t.Errorf("%d requests reached Okta", n)
			}
		})
	}
	_, err := h.Session.CallTool(t.Context(), &mcp.CallToolParams{Name: "no_such_tool", Arguments: json.RawMessage("{\"a\":\"\\u0000\"}")})
	if err == nil || !strings.Contains(err.Error(), "unknown tool") {
		t.Errorf("unknown tool: %v", err)
	}
}
