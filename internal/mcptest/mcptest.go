// Package mcptest runs the real server against the sandbox org for tests:
// real HTTP on loopback, the real Okta SDK client, and a real MCP client
// session over the server's stdio transport (on pipes, with the outbox
// that serve uses, so large results take the presealed path), with every
// HTTP exchange checked against Okta's OpenAPI document.
package mcptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/confirm"
	"github.com/okta-mcp/okta-mcp/internal/contract"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/server"
	"github.com/okta-mcp/okta-mcp/tools"
)

// Options shape a Harness. The zero value exposes every tool with fast,
// retry-free rate-limit settings and checks the contract.
type Options struct {
	Filter     tools.Filter     // zero: --methods all
	Policy     ratelimit.Policy // zero: no retries, tiny jitter
	Sandbox    sandbox.Options
	NoContract bool // skip OpenAPI validation (tests that inject non-Okta answers)
	Client     *mcp.ClientOptions
	// Safety is the write policy; the zero value asks for confirmation with
	// a fresh sealer and audits to AuditPath when set.
	Safety    tools.Safety
	AuditPath string
	ExpiresAt time.Time
	OnExpire  func()
	// Base is the HTTP transport under the Okta client's rate limiter; nil
	// means the client's default. Tests wrap it to act between Okta's answer
	// and the tool's return.
	Base http.RoundTripper
	// InMemory connects over the go-sdk's in-memory transports instead of
	// the stdio transport: every result then takes the go-sdk's encoding.
	InMemory bool
}

// Harness is a running sandbox, server and connected client session.
type Harness struct {
	Org      *sandbox.Org
	URL      string
	Okta     *okta.Client
	Session  *mcp.ClientSession
	Contract *contract.Recorder
}

// Start starts everything and stops it when the test ends.
func Start(t testing.TB, o Options) *Harness {
	t.Helper()
	org := sandbox.New(o.Sandbox)
	h := &Harness{Org: org}
	var handler = org.ServeHTTP
	if !o.NoContract {
		v, err := contract.Load()
		if err != nil {
			t.Fatalf("load OpenAPI contract: %v", err)
		}
		h.Contract = v.Middleware(org)
		handler = h.Contract.ServeHTTP
	}
	hs := httptest.NewServer(http.HandlerFunc(handler))
	t.Cleanup(hs.Close)
	h.URL = hs.URL
	if o.Policy.Jitter == nil {
		o.Policy.Jitter = func() time.Duration { return time.Millisecond }
	}
	if o.Policy.Timeout == 0 {
		o.Policy.Timeout = 10 * time.Second
	}
	c, err := okta.New(okta.Options{OrgURL: hs.URL, Credential: okta.Credential{APIToken: org.Token()}, Policy: o.Policy, Base: o.Base})
	if err != nil {
		t.Fatalf("okta.New: %v", err)
	}
	h.Okta = c
	if len(o.Filter.Methods) == 0 {
		o.Filter.Methods = []string{"all"}
	}
	selected, err := tools.Select(tools.All(), o.Filter)
	if err != nil {
		t.Fatalf("select tools: %v", err)
	}
	if o.Safety.Sealer == nil {
		o.Safety.Sealer = confirm.NewSealer(nil)
	}
	if o.Safety.Audit == nil && o.AuditPath != "" {
		if o.Safety.Audit, err = audit.Open(o.AuditPath, nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { o.Safety.Audit.Close() })
	}
	opts := server.Options{Version: "test", Tools: selected, ExpiresAt: o.ExpiresAt, OnExpire: o.OnExpire,
		Deps: tools.Deps{Okta: func() (*okta.Client, error) { return c, nil }, Safety: o.Safety}}
	var st, ct mcp.Transport
	if o.InMemory {
		st, ct = mcp.NewInMemoryTransports()
	} else {
		opts.Outbox = new(server.Outbox)
		st, ct = StdioPipes(t, opts.Outbox)
	}
	srv := server.New(opts)
	ctx := t.Context()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatalf("server connect: %v", err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "mcptest", Version: "test"}, o.Client).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatalf("client connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	h.Session = cs
	if h.Contract != nil {
		t.Cleanup(func() {
			for _, v := range h.Contract.Violations() {
				t.Errorf("OpenAPI contract violation: %+v", v)
			}
		})
	}
	return h
}

// StdioPipes connects the server's stdio transport (with ob, which may be
// nil) and a client's IO transport with two pipes, closed when the test
// ends: a session as serve runs one, in the test process.
func StdioPipes(t testing.TB, ob *server.Outbox) (srv, client mcp.Transport) {
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	t.Cleanup(func() {
		fromClient.Close()
		fromServer.Close()
	})
	return &server.StdioTransport{In: toServer, Out: fromServer, Outbox: ob},
		&mcp.IOTransport{Reader: toClient, Writer: fromClient}
}

// Call calls a tool and fails the test on a protocol error.
func (h *Harness) Call(t testing.TB, name string, args any) *mcp.CallToolResult {
	t.Helper()
	res, err := h.Session.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	return res
}

// Decode decodes a successful result's structured content into v.
func Decode(t testing.TB, res *mcp.CallToolResult, v any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %s", Text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode structured content: %v", err)
	}
}

// ToolError is the {"error": {...}} text of an error result.
type ToolError struct {
	Status     int      `json:"status"`
	Code       string   `json:"code"`
	Summary    string   `json:"summary"`
	Causes     []string `json:"causes"`
	RequestID  string   `json:"okta_request_id"`
	RetryAfter *int     `json:"retry_after"`
	Hint       string   `json:"hint"`
}

// Err decodes an error result; it fails the test if res is not one.
func Err(t testing.TB, res *mcp.CallToolResult) ToolError {
	t.Helper()
	if !res.IsError {
		t.Fatalf("want an error result, got %s", Text(res))
	}
	if res.StructuredContent != nil {
		t.Errorf("error result carries structuredContent: %v", res.StructuredContent)
	}
	var e struct {
		Error *ToolError `json:"error"`
	}
	if err := json.Unmarshal([]byte(Text(res)), &e); err != nil || e.Error == nil {
		t.Fatalf("error text is not {\"error\":{...}}: %s", Text(res))
	}
	return *e.Error
}

// Text is a result's first text content.
func Text(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			return tc.Text
		}
	}
	return ""
}
