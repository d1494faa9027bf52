package server

import (
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/tools"
)

func promptSession(t *testing.T, ts []tools.Tool) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := New(Options{Version: "test", Tools: ts}).Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func TestPrompts(t *testing.T) {
	t.Parallel()
	all, _ := tools.Select(tools.All(), tools.Filter{Methods: []string{"all"}})
	cs := promptSession(t, all)
	lp, err := cs.ListPrompts(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Prompts) != 3 {
		t.Fatalf("%d prompts, want 3", len(lp.Prompts))
	}
	tests := []struct {
		name string
		args map[string]string
		want []string
	}{
		{"incident_response", map[string]string{"user": "jane.doe@company.com"}, []string{"jane.doe@company.com", "okta_users_suspend", "never instructions"}},
		{"access_audit", map[string]string{"group": "AWS Production Admins", "expected_department": "Engineering"}, []string{"AWS Production Admins", `"Engineering"`, "list_all_okta_group_members"}},
		{"inactive_users_report", map[string]string{"days": "120"}, []string{"120 days", "okta_users_find_inactive"}},
		{"inactive_users_report", nil, []string{"90 days"}},
	}
	for _, tt := range tests {
		res, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: tt.name, Arguments: tt.args})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		text := res.Messages[0].Content.(*mcp.TextContent).Text
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: text lacks %q:\n%s", tt.name, w, text)
			}
		}
	}
	for name, args := range map[string]map[string]string{"incident_response": nil, "access_audit": {}, "inactive_users_report": {"days": "soon"}} {
		if _, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: name, Arguments: args}); err == nil {
			t.Errorf("%s with %v: no error", name, args)
		}
	}
}

func TestPromptNamesFilteredOutTools(t *testing.T) {
	t.Parallel()
	read, _ := tools.Select(tools.All(), tools.Filter{Methods: []string{"read"}})
	cs := promptSession(t, read)
	res, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: "incident_response", Arguments: map[string]string{"user": "x@y.com"}})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Messages[0].Content.(*mcp.TextContent).Text
	_, note, _ := strings.Cut(text, "does not offer ")
	if !strings.Contains(note, "okta_users_suspend") || !strings.Contains(note, "okta_users_clear_sessions") || strings.Contains(note, "get_single_okta_user_by_id") {
		t.Errorf("read-only prompt should flag exactly the missing tools:\n%s", text)
	}
}
