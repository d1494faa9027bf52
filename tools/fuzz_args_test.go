package tools_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// FuzzToolArguments sends arbitrary JSON as the arguments of every tool
// (the tool is chosen by index into the catalog) through a real MCP
// session to the sandbox. The server asks for confirmation and the client
// cannot give it, so nothing may change the org. Whatever the arguments:
// no panic, no JSON-RPC error, a result that is either the tool's
// structured output (with the same JSON as text) or an isError result
// whose text is {"error": {...}}, and no request other than a read
// reaches Okta.
func FuzzToolArguments(f *testing.F) {
	all := tools.All()
	h := mcptest.Start(f, mcptest.Options{
		NoContract: true, // arbitrary arguments make requests the contract test need not cover
		Sandbox:    sandbox.Options{RateLimit: 1 << 30},
		Policy:     ratelimit.Policy{Timeout: 10 * time.Second},
	})
	for i := range all {
		f.Add(uint8(i), []byte(`{}`))
	}
	for j, seed := range []string{
		`{"id":"jane.doe@company.com"}`, `{"id":"00u1a2b3c4d5e6f7g8h9","dry_run":true}`,
		`{"id":"../../groups"}`, `{"id":"a%2fb"}`, `{"id":"` + "\\u0000" + `"}`, "{\"id\":\"\xff\xfe\"}",
		`{"limit":1e300}`, `{"limit":-1}`, `{"limit":"5"}`, `{"next_cursor":"eyJ2IjoxfQ"}`,
		`{"fields":["*"]}`, `{"fields":["profile.__proto__"]}`, `{"search":"profile.x eq \"\\\") or (true\""}`,
		`{"event_type":"x\" or actor.id pr or \""}`, `{"since":"0000-01-01T00:00:00Z","until":"9999-12-31T23:59:59Z"}`,
		`{"profile":{"login":"a@b.c","firstName":"\u202e"},"group_ids":["00g1"]}`,
		`{"user_id":"00u1a2b3c4d5e6f7g8h9","role":"SUPER_ADMIN"}`, `{"group_by":["client.ipAddress","x","y","z"]}`,
		`[]`, `null`, `"x"`, `7`, `{"":null}`, `{"id":{"id":"x"}}`,
	} {
		// Each shape goes to every fifth tool, a different fifth per shape.
		for i := j % 5; i < len(all); i += 5 {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, index uint8, args []byte) {
		if !json.Valid(args) {
			return // a client cannot send it; the stdio filter answers such lines (server tests)
		}
		tool := all[int(index)%len(all)]
		h.Org.ResetRequests()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := h.Session.CallTool(ctx, &mcp.CallToolParams{Name: tool.Name(), Arguments: json.RawMessage(args)})
		if err != nil {
			t.Fatalf("%s %s: protocol error: %v", tool.Name(), args, err)
		}
		checkResult(t, tool, args, res)
		for _, r := range h.Org.Requests() {
			if r.Method != http.MethodGet {
				t.Fatalf("%s %s: %s %s reached Okta without confirmation", tool.Name(), args, r.Method, r.Path)
			}
		}
	})
}

// checkResult asserts the shape of a tool result (SPEC §6).
func checkResult(t *testing.T, tool tools.Tool, args []byte, res *mcp.CallToolResult) {
	t.Helper()
	if res.IsError {
		if res.StructuredContent != nil {
			t.Fatalf("%s %s: error result with structuredContent", tool.Name(), args)
		}
		var e struct {
			Error *struct {
				Status  *int     `json:"status"`
				Code    string   `json:"code"`
				Summary string   `json:"summary"`
				Causes  []string `json:"causes"`
			} `json:"error"`
		}
		text := mcptest.Text(res)
		if err := json.Unmarshal([]byte(text), &e); err != nil || e.Error == nil || e.Error.Status == nil || e.Error.Code == "" || e.Error.Summary == "" || e.Error.Causes == nil {
			t.Fatalf("%s %s: error text is not {\"error\":{status, code, summary, causes}}: %s", tool.Name(), args, text)
		}
		return
	}
	if res.StructuredContent == nil {
		t.Fatalf("%s %s: result without structuredContent: %s", tool.Name(), args, mcptest.Text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var structured, text any
	if json.Unmarshal(b, &structured) != nil || json.Unmarshal([]byte(mcptest.Text(res)), &text) != nil || !reflect.DeepEqual(structured, text) {
		t.Fatalf("%s %s: text content is not the structured content", tool.Name(), args)
	}
	if !tool.Class.ReadOnly() {
		if outcome := structured.(map[string]any)["outcome"]; outcome != "dry_run" {
			t.Fatalf("%s %s: outcome %v without confirmation", tool.Name(), args, outcome)
		}
	}
}
