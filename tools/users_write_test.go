package tools_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// answering returns client options whose elicitation handler answers action
// and counts the prompts it saw.
func answering(action string, prompts *atomic.Int32, last *atomic.Value) *mcp.ClientOptions {
	return &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		prompts.Add(1)
		last.Store(req.Params.Message)
		res := &mcp.ElicitResult{Action: action}
		if action == "accept" {
			res.Content = map[string]any{}
		}
		return res, nil
	}}
}

// status reads a user's status straight from the sandbox.
func status(h *mcptest.Harness, id string) string {
	for _, u := range h.Org.Users() {
		if u.ID == id {
			return u.Status
		}
	}
	return "(deleted)"
}

// writes counts the requests other than GET that reached the sandbox.
func writes(h *mcptest.Harness) int {
	n := 0
	for _, r := range h.Org.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

type writeOut struct {
	Outcome  string            `json:"outcome"`
	Message  string            `json:"message"`
	Requests []json.RawMessage `json:"requests"`
	Target   map[string]any    `json:"target"`
	Result   map[string]any    `json:"result"`
}

// lifecycleCases are a write tool, a target that allows it, and the status after.
var lifecycleCases = []struct {
	tool, id, before, after string
	args                    map[string]any
}{
	{"okta_users_suspend", sandbox.JaneDoeID, "ACTIVE", "SUSPENDED", nil},
	{"okta_users_unsuspend", sandbox.JohnSmithID, "SUSPENDED", "ACTIVE", nil},
	{"okta_users_unlock", sandbox.CarlosRiveraID, "LOCKED_OUT", "ACTIVE", nil},
	{"okta_users_deactivate", sandbox.JaneDoeID, "ACTIVE", "DEPROVISIONED", nil},
	// Emily has no password: PROVISIONED until she uses the activation link.
	{"okta_users_activate", sandbox.EmilyChenID, "STAGED", "PROVISIONED", map[string]any{"send_email": false}},
	{"okta_users_expire_password", sandbox.JaneDoeID, "ACTIVE", "PASSWORD_EXPIRED", nil},
	{"okta_users_reset_password", sandbox.JaneDoeID, "ACTIVE", "RECOVERY", nil},
	{"delete_a_okta_user_by_id", sandbox.MichaelJohnsonID, "DEPROVISIONED", "(deleted)", nil},
	{"delete_a_okta_user_by_id", sandbox.JaneDoeID, "ACTIVE", "(deleted)", map[string]any{"deactivate_first": true}},
}

func args(id string, extra map[string]any) map[string]any {
	a := map[string]any{"id": id}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

func TestWriteToolsConfirmation(t *testing.T) {
	t.Parallel()
	for _, tc := range lifecycleCases {
		t.Run(tc.tool+"/"+tc.before, func(t *testing.T) {
			t.Parallel()
			for _, action := range []string{"accept", "decline", "cancel"} {
				var prompts atomic.Int32
				var last atomic.Value
				auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
				h := mcptest.Start(t, mcptest.Options{Client: answering(action, &prompts, &last), AuditPath: auditPath})
				if got := status(h, tc.id); got != tc.before {
					t.Fatalf("fixture %s is %s, want %s", tc.id, got, tc.before)
				}
				var out writeOut
				mcptest.Decode(t, h.Call(t, tc.tool, args(tc.id, tc.args)), &out)
				if prompts.Load() != 1 {
					t.Fatalf("%s: %d prompts, want 1", action, prompts.Load())
				}
				msg, _ := last.Load().(string)
				if !strings.Contains(msg, tc.before) || !strings.Contains(msg, tc.id) {
					t.Errorf("prompt %q does not say whom and the current status", msg)
				}
				want, wantOutcome, wantWrites := tc.before, map[string]string{"decline": "declined", "cancel": "cancelled"}[action], 0
				if action == "accept" {
					want, wantOutcome, wantWrites = tc.after, "done", len(out.Requests)
				}
				if out.Outcome != wantOutcome || status(h, tc.id) != want || writes(h) != wantWrites {
					t.Errorf("%s: outcome %q, status %s, %d writes; want %q, %s, %d", action, out.Outcome, status(h, tc.id), writes(h), wantOutcome, want, wantWrites)
				}
				entries := readAudit(t, auditPath)
				wantConf := map[string]string{"accept": audit.Accepted, "decline": audit.Declined, "cancel": audit.Cancelled}[action]
				if len(entries) != 1 || entries[0].Confirmation != wantConf || entries[0].Tool != tc.tool {
					t.Errorf("%s: audit %+v; want one %s entry", action, entries, wantConf)
				}
			}
		})
	}
}

func TestWriteToolsWithoutElicitation(t *testing.T) {
	t.Parallel()
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	h := mcptest.Start(t, mcptest.Options{AuditPath: auditPath}) // the client cannot elicit
	e := mcptest.Err(t, h.Call(t, "okta_users_suspend", map[string]any{"id": sandbox.JaneDoeID}))
	if e.Code != "confirmation_unavailable" || !strings.Contains(e.Hint, "--confirm never") {
		t.Errorf("got %+v", e)
	}
	if status(h, sandbox.JaneDoeID) != "ACTIVE" || writes(h) != 0 {
		t.Error("a write happened without confirmation")
	}
	if entries := readAudit(t, auditPath); len(entries) != 1 || entries[0].Confirmation != audit.Unsupported {
		t.Errorf("audit %+v", entries)
	}
}

func TestWriteToolsConfirmNever(t *testing.T) {
	t.Parallel()
	for _, tc := range lifecycleCases {
		t.Run(tc.tool+"/"+tc.before, func(t *testing.T) {
			t.Parallel()
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}, AuditPath: auditPath})
			var out writeOut
			mcptest.Decode(t, h.Call(t, tc.tool, args(tc.id, tc.args)), &out)
			if out.Outcome != "done" || status(h, tc.id) != tc.after {
				t.Errorf("outcome %q status %s; want done, %s", out.Outcome, status(h, tc.id), tc.after)
			}
			if entries := readAudit(t, auditPath); len(entries) != 1 || entries[0].Confirmation != audit.NotAsked || entries[0].Status/100 != 2 || entries[0].RequestID == "" {
				t.Errorf("audit %+v", entries)
			}
		})
	}
}

// TestDryRunMatchesRealRun: a dry run changes nothing, and the requests it
// plans are exactly the ones a real run then sends.
func TestDryRunMatchesRealRun(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tool string
		args map[string]any
	}{
		{"okta_users_suspend", map[string]any{"id": "jane.doe@company.com"}},
		{"update_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "profile": map[string]any{"title": "Staff Engineer", "department": "Platform"}}},
		{"update_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "replace": true, "profile": map[string]any{"login": "jane.doe@company.com", "email": "jane.doe@company.com", "firstName": "Jane", "lastName": "Doe"}}},
		{"create_a_okta_user", map[string]any{"profile": map[string]any{"login": "new.person@company.com", "email": "new.person@company.com", "firstName": "New", "lastName": "Person", "title": "Analyst"}, "group_ids": []string{sandbox.AWSProdAdminsID}}},
		{"okta_users_clear_sessions", map[string]any{"id": sandbox.JaneDoeID, "revoke_oauth_tokens": true}},
		{"delete_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "deactivate_first": true}},
		{"okta_users_reset_password", map[string]any{"id": sandbox.JaneDoeID, "send_email": false}},
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
			}
			mcptest.Decode(t, h.Call(t, tc.tool, dry), &plan)
			if plan.Outcome != "dry_run" || len(plan.Requests) == 0 || writes(h) != 0 {
				t.Fatalf("dry run: %+v, %d writes", plan, writes(h))
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
			if len(sent) != len(plan.Requests) {
				t.Fatalf("planned %d requests, sent %d", len(plan.Requests), len(sent))
			}
			for i, p := range plan.Requests {
				r := sent[i]
				q := map[string]string{}
				for _, kv := range strings.Split(r.RawQuery, "&") {
					if k, v, ok := strings.Cut(kv, "="); ok {
						q[k] = v
					}
				}
				if r.Method != p.Method || r.Path != p.Path || len(q) != len(p.Query) {
					t.Errorf("request %d: sent %s %s?%s, planned %s %s %v", i, r.Method, r.Path, r.RawQuery, p.Method, p.Path, p.Query)
				}
				for k, v := range p.Query {
					if q[k] != v {
						t.Errorf("request %d: query %s=%q, planned %q", i, k, q[k], v)
					}
				}
				if !jsonEqual(r.Body, p.Body) {
					t.Errorf("request %d: sent body %s, planned %s", i, r.Body, p.Body)
				}
			}
		})
	}
}

func jsonEqual(a, b []byte) bool {
	if len(strings.TrimSpace(string(a))) == 0 && len(b) == 0 {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

func TestWrongStatusIsClearAndChangesNothing(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	cases := []struct{ tool, id, status, hint string }{
		{"okta_users_suspend", sandbox.JohnSmithID, "SUSPENDED", "okta_users_unsuspend"},
		{"okta_users_unsuspend", sandbox.JaneDoeID, "ACTIVE", "okta_users_suspend"},
		{"delete_a_okta_user_by_id", sandbox.JaneDoeID, "ACTIVE", "deactivate_first"},
		{"okta_users_unlock", sandbox.JaneDoeID, "ACTIVE", ""},
	}
	for _, tc := range cases {
		e := mcptest.Err(t, h.Call(t, tc.tool, map[string]any{"id": tc.id}))
		if e.Code != "invalid_status" || !strings.Contains(e.Summary, tc.status) || !strings.Contains(e.Summary+e.Hint, tc.hint) {
			t.Errorf("%s on %s: %+v", tc.tool, tc.status, e)
		}
		if got := status(h, tc.id); got != tc.status {
			t.Errorf("%s changed the status to %s", tc.tool, got)
		}
	}
	if writes(h) != 0 {
		t.Errorf("%d writes reached the sandbox", writes(h))
	}
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
	get := func() map[string]any {
		var got struct {
			User map[string]any `json:"user"`
		}
		mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "fields": []string{"profile"}}), &got)
		return got.User["profile"].(map[string]any)
	}
	before := get()
	var out writeOut
	mcptest.Decode(t, h.Call(t, "update_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "profile": map[string]any{"title": "Principal Engineer", "department": "Platform"}}), &out)
	after := get()
	if after["title"] != "Principal Engineer" || after["department"] != "Platform" {
		t.Errorf("not updated: %v", after)
	}
	for k, v := range before {
		if k != "title" && k != "department" {
			if b, _ := json.Marshal(after[k]); string(b) != mustJSON(v) {
				t.Errorf("partial update changed %s: %v → %v", k, v, after[k])
			}
		}
	}
	h.Org.ResetRequests()
	e := mcptest.Err(t, h.Call(t, "update_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "replace": true, "profile": map[string]any{"title": "x"}}))
	if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, "login") || len(h.Org.Requests()) != 0 {
		t.Errorf("replace without required fields: %+v, %d requests", e, len(h.Org.Requests()))
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestConfirmationStateIsSealed retries a confirmation by hand with a
// tampered, replayed or foreign request state: each is refused.
func TestConfirmationStateIsSealed(t *testing.T) {
	t.Parallel()
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	h := mcptest.Start(t, mcptest.Options{AuditPath: auditPath, Client: &mcp.ClientOptions{
		MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true},
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			return &mcp.ElicitResult{Action: "accept"}, nil
		},
	}})
	first := h.Call(t, "okta_users_suspend", map[string]any{"id": sandbox.JaneDoeID})
	if len(first.InputRequests) == 0 || first.RequestState == "" {
		t.Skipf("the session did not use multi-round-trip input requests (protocol %s)", h.Session.InitializeResult().ProtocolVersion)
	}
	accept := mcp.InputResponseMap{"confirm": &mcp.ElicitResult{Action: "accept", Content: map[string]any{}}}
	retry := func(name string, a map[string]any, state string) *mcp.CallToolResult {
		res, err := h.Session.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: a, InputResponses: accept, RequestState: state})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	st := first.RequestState
	tampered := st[:len(st)-2] + map[bool]string{true: "AA", false: "AB"}[strings.HasSuffix(st, "AA")]
	for name, res := range map[string]*mcp.CallToolResult{
		"tampered":        retry("okta_users_suspend", map[string]any{"id": sandbox.JaneDoeID}, tampered),
		"other target":    retry("okta_users_suspend", map[string]any{"id": sandbox.PriyaPatelID}, st),
		"other tool":      retry("okta_users_deactivate", map[string]any{"id": sandbox.JaneDoeID}, st),
		"no state at all": retry("okta_users_suspend", map[string]any{"id": sandbox.JaneDoeID}, ""),
	} {
		if e := mcptest.Err(t, res); e.Code != "confirmation_invalid" {
			t.Errorf("%s: %+v", name, e)
		}
	}
	if writes(h) != 0 || status(h, sandbox.JaneDoeID) != "ACTIVE" {
		t.Fatal("a refused confirmation sent a write")
	}
	// The genuine state works once; replaying it is refused. Clearing
	// sessions leaves the user as it was, so only the replay check can stop
	// the second attempt.
	clear := map[string]any{"id": sandbox.JaneDoeID}
	second := h.Call(t, "okta_users_clear_sessions", clear)
	var out writeOut
	mcptest.Decode(t, retry("okta_users_clear_sessions", clear, second.RequestState), &out)
	if out.Outcome != "done" || writes(h) != 1 {
		t.Fatalf("genuine confirmation: %+v, %d writes", out, writes(h))
	}
	if e := mcptest.Err(t, retry("okta_users_clear_sessions", clear, second.RequestState)); e.Code != "confirmation_invalid" || writes(h) != 1 {
		t.Errorf("replay: %+v, %d writes", e, writes(h))
	}
}

func TestWriteRetries(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}, NoContract: true, Policy: ratelimit.Policy{MaxRetries: 2, MaxWait: 5 * time.Second}})
	// A 429 on a POST is retried (Okta did not process it) …
	h.Org.InjectFault(sandbox.Fault{Method: "POST", PathPrefix: "/api/v1/users", Status: 429, Times: 1, Header: map[string][]string{"X-Rate-Limit-Reset": {"0"}}})
	var out writeOut
	mcptest.Decode(t, h.Call(t, "okta_users_suspend", map[string]any{"id": sandbox.JaneDoeID}), &out)
	if status(h, sandbox.JaneDoeID) != "SUSPENDED" || writes(h) != 2 {
		t.Errorf("429 on POST: status %s after %d writes; want SUSPENDED after 2", status(h, sandbox.JaneDoeID), writes(h))
	}
	// … a 503 on a POST is not.
	h.Org.ResetRequests()
	h.Org.InjectFault(sandbox.Fault{Method: "POST", PathPrefix: "/api/v1/users", Status: 503, Times: 1})
	e := mcptest.Err(t, h.Call(t, "okta_users_unsuspend", map[string]any{"id": sandbox.JaneDoeID}))
	if e.Status != 503 || writes(h) != 1 {
		t.Errorf("503 on POST: %+v after %d writes; want the 503 after 1", e, writes(h))
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	var expired atomic.Bool
	h := mcptest.Start(t, mcptest.Options{ExpiresAt: time.Now().Add(time.Second), OnExpire: func() { expired.Store(true) }})
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID}), &struct{}{})
	time.Sleep(1100 * time.Millisecond)
	h.Org.ResetRequests()
	e := mcptest.Err(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID}))
	if e.Code != "expired" || !expired.Load() || len(h.Org.Requests()) != 0 {
		t.Errorf("after --expires-at: %+v, OnExpire called %v, %d requests", e, expired.Load(), len(h.Org.Requests()))
	}
}

func readAudit(t *testing.T, path string) []audit.Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// TestOtherWritesConfirmation covers the write tools whose effect is not a
// status change: accepted they change the org, declined they send nothing.
func TestOtherWritesConfirmation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tool    string
		args    map[string]any
		changed func(h *mcptest.Harness) bool
	}{
		{"create_a_okta_user", map[string]any{"profile": map[string]any{"login": "ann.new@company.com", "email": "ann.new@company.com", "firstName": "Ann", "lastName": "New"}},
			func(h *mcptest.Harness) bool {
				for _, u := range h.Org.Users() {
					if u.Login == "ann.new@company.com" {
						return u.Status == "STAGED"
					}
				}
				return false
			}},
		{"update_a_okta_user_by_id", map[string]any{"id": sandbox.JaneDoeID, "profile": map[string]any{"title": "Head of Platform"}},
			func(h *mcptest.Harness) bool {
				for _, u := range h.Org.Users() {
					if u.ID == sandbox.JaneDoeID {
						return u.Title == "Head of Platform"
					}
				}
				return false
			}},
		{"okta_users_clear_sessions", map[string]any{"id": sandbox.JaneDoeID},
			func(h *mcptest.Harness) bool {
				for _, s := range h.Org.Sessions(sandbox.JaneDoeID) {
					if s.Live {
						return false
					}
				}
				return true
			}},
	}
	for _, tc := range cases {
		for _, action := range []string{"accept", "decline"} {
			t.Run(tc.tool+"/"+action, func(t *testing.T) {
				t.Parallel()
				var prompts atomic.Int32
				var last atomic.Value
				h := mcptest.Start(t, mcptest.Options{Client: answering(action, &prompts, &last)})
				var out writeOut
				mcptest.Decode(t, h.Call(t, tc.tool, tc.args), &out)
				if prompts.Load() != 1 {
					t.Fatalf("%d prompts", prompts.Load())
				}
				if action == "accept" && (out.Outcome != "done" || !tc.changed(h) || writes(h) != 1) {
					t.Errorf("accepted: outcome %s, changed %v, %d writes", out.Outcome, tc.changed(h), writes(h))
				}
				if action == "decline" && (out.Outcome != "declined" || tc.changed(h) || writes(h) != 0) {
					t.Errorf("declined: outcome %s, changed %v, %d writes", out.Outcome, tc.changed(h), writes(h))
				}
			})
		}
	}
}

func TestReadOnlyServerHasNoWriteTools(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Filter: tools.Filter{Methods: []string{"read"}}, Safety: tools.Safety{NoConfirm: true}})
	lt, err := h.Session.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range lt.Tools {
		if !tool.Annotations.ReadOnlyHint {
			t.Errorf("--methods read lists %s", tool.Name)
		}
	}
	res, err := h.Session.CallTool(t.Context(), &mcp.CallToolParams{Name: "okta_users_suspend", Arguments: map[string]any{"id": sandbox.JaneDoeID}})
	if err == nil && !res.IsError {
		t.Fatal("a write tool answered on a read-only server")
	}
	if err != nil && !strings.Contains(err.Error(), "unknown tool") {
		t.Errorf("error %v, want unknown tool", err)
	}
	if n := len(h.Org.Requests()); n != 0 {
		t.Errorf("%d requests reached Okta", n)
	}
}

// TestLinksOnlyOnRequest: the reset link and the activation link reach the
// result only with send_email false (the prompt says so), and never the
// audit log.
func TestLinksOnlyOnRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ tool, id, key string }{
		{"okta_users_reset_password", sandbox.JaneDoeID, "resetPasswordUrl"},
		{"okta_users_activate", sandbox.EmilyChenID, "activationUrl"},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}, AuditPath: auditPath})
			res := h.Call(t, tc.tool, map[string]any{"id": tc.id})
			if strings.Contains(mcptest.Text(res), tc.key) {
				t.Errorf("emailed: the result has a link: %s", mcptest.Text(res))
			}
			h2 := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}, AuditPath: auditPath})
			var out writeOut
			res = h2.Call(t, tc.tool, map[string]any{"id": tc.id, "send_email": false})
			mcptest.Decode(t, res, &out)
			if link, _ := out.Result[tc.key].(string); !strings.HasPrefix(link, h2.URL+"/") || !strings.Contains(out.Message, "link will be shown to the AI agent") {
				t.Errorf("send_email false: result %v, message %q", out.Result, out.Message)
			}
			raw, _ := os.ReadFile(auditPath)
			if strings.Contains(string(raw), tc.key) || strings.Contains(string(raw), "token") || strings.Count(string(raw), "\n") != 2 {
				t.Errorf("audit log: %s", raw)
			}
		})
	}
}
