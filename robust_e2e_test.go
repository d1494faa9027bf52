package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// These tests drive the built binary over real stdio against a sandbox org
// started here (so that faults can be injected and requests observed), with
// the org's API token in OKTA_API_TOKEN.

// rssLimitKB bounds the server's peak resident memory in these tests.
const rssLimitKB = 200 << 10

func startOrg(t *testing.T, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// serveOrg starts `okta-mcp serve` for org, with the API token in the
// environment and a keyring service of its own (so no stored credential
// applies), plus extra flags.
func serveOrg(t *testing.T, org *sandbox.Server, extra ...string) *rawServer {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	args := append([]string{"serve", "--org-url", org.URL, "--keyring-service", "okta-mcp-robust-" + hex.EncodeToString(b)}, extra...)
	return startRawEnv(t, buildBinary(t), append(hostileEnv(), "OKTA_API_TOKEN="+org.Org.Token()), args...)
}

// request sends one JSON-RPC request (or a notification when id is nil).
func (r *rawServer) request(id any, method string, params any) {
	r.t.Helper()
	m := map[string]any{"jsonrpc": "2.0", "method": method}
	if id != nil {
		m["id"] = id
	}
	if params != nil {
		m["params"] = params
	}
	b, err := json.Marshal(m)
	if err != nil {
		r.t.Fatal(err)
	}
	r.send(string(b))
}

// response reads stdout until the response to id, skipping notifications.
func (r *rawServer) response(id float64) map[string]any {
	r.t.Helper()
	for {
		m := r.next()
		if m["method"] != nil {
			continue // a notification (or a request we do not answer)
		}
		if m["id"] == id {
			return m
		}
		r.t.Fatalf("response to %v while waiting for %v: %v", m["id"], id, m)
	}
}

// call calls a tool and returns the tool result; a JSON-RPC error fails.
func (r *rawServer) call(id float64, tool string, args any) map[string]any {
	r.t.Helper()
	r.request(id, "tools/call", map[string]any{"name": tool, "arguments": args})
	m := r.response(id)
	res, _ := m["result"].(map[string]any)
	if res == nil {
		r.t.Fatalf("%s: no result: %v", tool, m)
	}
	return res
}

// toolErrorOf decodes an isError result's {"error": {...}} text; it fails
// the test on anything else.
func toolErrorOf(t *testing.T, res map[string]any) map[string]any {
	t.Helper()
	if res["isError"] != true {
		t.Fatalf("want a tool error, got %.300v", res)
	}
	content, _ := res["content"].([]any)
	if len(content) == 0 {
		t.Fatalf("error without content: %v", res)
	}
	text, _ := content[0].(map[string]any)["text"].(string)
	var e struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal([]byte(text), &e); err != nil || e.Error == nil {
		t.Fatalf("error text is not {\"error\":{...}}: %.300s", text)
	}
	return e.Error
}

// rpcError returns the JSON-RPC error of a response, failing without one.
func rpcError(t *testing.T, m map[string]any) (code float64, message string) {
	t.Helper()
	e, _ := m["error"].(map[string]any)
	if e == nil {
		t.Fatalf("want a JSON-RPC error, got %.300v", m)
	}
	code, _ = e["code"].(float64)
	message, _ = e["message"].(string)
	if message == "" {
		t.Fatalf("JSON-RPC error without a message: %v", m)
	}
	return code, message
}

// peakRSSKB is the process's peak resident set size (VmHWM), in kB.
func peakRSSKB(t *testing.T, pid int) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmHWM %q", v)
			}
			return kb
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// apiRequests returns the Management API requests the org received (not
// the OAuth token requests of an OAuth credential).
func apiRequests(org *sandbox.Server) []sandbox.Request {
	var out []sandbox.Request
	for _, r := range org.Org.Requests() {
		if strings.HasPrefix(r.Path, "/api/") {
			out = append(out, r)
		}
	}
	return out
}

// writeRequests counts the requests other than GET.
func writeRequests(reqs []sandbox.Request) int {
	n := 0
	for _, r := range reqs {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

// TestProtocolAbuseOverStdio sends the built server every malformed thing:
// a call before initialize, a line that is not JSON, an unknown method, a
// message that is not JSON-RPC, 10 MB arguments, a line over the 16 MiB
// limit, invalid UTF-8 and NUL characters in arguments, and 1,000 requests
// without waiting. Each gets its JSON-RPC or MCP answer, nothing bad
// reaches Okta, the server keeps serving, its peak RSS stays under 200 MB,
// and it exits 0 when stdin closes.
func TestProtocolAbuseOverStdio(t *testing.T) {
	t.Parallel()
	org := startOrg(t, sandbox.Options{})
	r := serveOrg(t, org, "--methods", "all", "--confirm", "never")
	abuse(t, r, org)
	r.stdin.Close()
	for l := range r.lines {
		if !isJSONRPC(l) {
			t.Errorf("stdout line is not JSON-RPC: %.200q", l)
		}
	}
	if code := r.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d; stderr: %s", code, r.stderr.String())
	}
}

// abuse runs the protocol abuse of TestProtocolAbuseOverStdio on a server
// that has not been initialised yet, and leaves it initialised and serving.
func abuse(t *testing.T, r *rawServer, org *sandbox.Server) {
	t.Helper()
	earlier := len(apiRequests(org)) // e.g. auth login's check
	// A tool call before initialize: an error answer with its id.
	r.request(1, "tools/call", map[string]any{"name": "list_all_okta_users", "arguments": map[string]any{}})
	if _, msg := rpcError(t, r.response(1)); !strings.Contains(msg, "initializ") {
		t.Errorf("call before initialize: %q", msg)
	}
	if n := len(apiRequests(org)) - earlier; n != 0 {
		t.Fatalf("%d requests reached Okta before initialize", n)
	}
	r.initialize(`{}`)

	// A line that is not JSON: parse error with id null.
	r.send(`{"jsonrpc":"2.0","id":2,"method":"tools/list"`)
	if m := r.next(); m["id"] != nil {
		t.Errorf("parse error with id %v", m["id"])
	} else if code, _ := rpcError(t, m); code != -32700 {
		t.Errorf("malformed line: code %v", code)
	}
	// A valid line with an unknown method.
	r.request(3, "okta/steal_everything", map[string]any{})
	if code, _ := rpcError(t, r.response(3)); code != -32601 {
		t.Errorf("unknown method: code %v", code)
	}
	// JSON that is not a JSON-RPC message.
	r.send(`{"jsonrpc":"2.0","id":4,"method":17}`)
	if code, _ := rpcError(t, r.response(4)); code != -32600 {
		t.Errorf("not JSON-RPC: code %v", code)
	}

	before := len(apiRequests(org))
	// 10 MB arguments: a tool error saying what is wrong.
	big := strings.Repeat("a", 10<<20)
	for i, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"get_single_okta_user_by_id", map[string]any{"id": big}},
		{"list_all_okta_users", map[string]any{"q": big}},
		{"list_all_okta_system_logs", map[string]any{"filter": `eventType eq "` + big + `"`}},
		{"create_a_okta_user", map[string]any{"profile": map[string]any{"login": "big@example.com", "firstName": big}}},
		{"okta_users_suspend", map[string]any{"id": sandbox.JaneDoeID, "extra": big}},
		{"list_all_okta_users", map[string]any{"limit": big}},
	} {
		e := toolErrorOf(t, r.call(float64(10+i), tc.tool, tc.args))
		if e["code"] != "invalid_argument" {
			t.Errorf("%s with a 10 MB argument: %.300v", tc.tool, e)
		}
		if s, _ := e["summary"].(string); len(s) > 2000 {
			t.Errorf("%s: the error repeats the argument (%d bytes)", tc.tool, len(s))
		}
	}
	// A line over the 16 MiB limit: invalid request, and the session goes on.
	r.send(`{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"list_all_okta_users","arguments":{"q":"` + strings.Repeat("b", 17<<20) + `"}}}`)
	if m := r.next(); m["id"] != nil {
		t.Errorf("oversized line answered with id %v", m["id"])
	} else if code, _ := rpcError(t, m); code != -32600 {
		t.Errorf("oversized line: code %v", code)
	}

	// Invalid UTF-8 and NUL characters in string arguments.
	for i, line := range []string{
		`{"jsonrpc":"2.0","id":30,"method":"tools/call","params":{"name":"get_single_okta_user_by_id","arguments":{"id":"jane` + "\xff" + `.doe@company.com"}}}`,
		`{"jsonrpc":"2.0","id":31,"method":"tools/call","params":{"name":"list_all_okta_users","arguments":{"q":"ja` + "\xc3" + `ne"}}}`,
		`{"jsonrpc":"2.0","id":32,"method":"tools/call","params":{"name":"update_a_okta_user_by_id","arguments":{"id":"` + sandbox.JaneDoeID + `","profile":{"title":"` + "\xed\xa0\x80" + `"}}}}`,
		`{"jsonrpc":"2.0","id":33,"method":"tools/call","params":{"name":"get_single_okta_user_by_id","arguments":{"id":"jane\u0000.doe@company.com"}}}`,
		`{"jsonrpc":"2.0","id":34,"method":"tools/call","params":{"name":"create_a_okta_user","arguments":{"profile":{"login":"nul@example.com","firstName":"A\u0000B","lastName":"C"}}}}`,
		`{"jsonrpc":"2.0","id":35,"method":"tools/call","params":{"name":"list_all_okta_system_logs","arguments":{"event_type":"user.session.start\u0000"}}}`,
		`{"jsonrpc":"2.0","id":36,"method":"tools/call","params":{"name":"update_a_okta_user_by_id","arguments":{"id":"` + sandbox.JaneDoeID + `","profile":{"ti\u0000tle":"x"}}}}`,
	} {
		r.send(line)
		m := r.response(float64(30 + i))
		res, _ := m["result"].(map[string]any)
		if e := toolErrorOf(t, res); e["code"] != "invalid_argument" {
			t.Errorf("line %d: %.300v", 30+i, e)
		}
	}
	if n := len(apiRequests(org)) - before; n != 0 {
		for _, q := range apiRequests(org)[before:] {
			t.Errorf("reached Okta: %s %s?%.100s", q.Method, q.Path, q.RawQuery)
		}
	}

	// 1,000 requests without waiting for answers.
	const burst = 1000
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := range burst {
			id := 1000 + i
			var line string
			switch i % 4 {
			case 0:
				line = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ping"}`, id)
			case 1:
				line = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/list"}`, id)
			case 2:
				line = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_single_okta_user_by_id","arguments":{"id":"no/such/id"}}}`, id)
			case 3:
				line = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_single_okta_user_by_id","arguments":{"id":"jane.doe@company.com"}}}`, id)
			}
			if _, err := fmt.Fprintln(r.stdin, line); err != nil {
				return
			}
		}
	}()
	answered := map[int]bool{}
	for len(answered) < burst {
		m := r.next()
		idf, _ := m["id"].(float64)
		id := int(idf)
		if id < 1000 || id >= 1000+burst || answered[id] {
			t.Fatalf("unexpected message in the burst: %.300v", m)
		}
		answered[id] = true
		res, _ := m["result"].(map[string]any)
		if res == nil {
			t.Fatalf("request %d: %.300v", id, m)
		}
		switch (id - 1000) % 4 {
		case 1:
			if tl, _ := res["tools"].([]any); len(tl) == 0 {
				t.Errorf("tools/list %d: %.200v", id, res)
			}
		case 2:
			if e := toolErrorOf(t, res); e["code"] != "invalid_argument" {
				t.Errorf("bad id %d: %v", id, e)
			}
		case 3:
			if res["isError"] == true || res["structuredContent"] == nil {
				t.Errorf("get user %d: %.300v", id, res)
			}
		}
	}
	<-sent

	// Still serving.
	if res := r.call(5000, "list_all_okta_users", map[string]any{"limit": 2}); res["isError"] == true {
		t.Errorf("after the abuse: %.300v", res)
	}
	if kb := peakRSSKB(t, r.cmd.Process.Pid); kb > rssLimitKB {
		t.Errorf("peak RSS %d MB, limit %d MB", kb>>10, rssLimitKB>>20)
	} else {
		t.Logf("peak RSS %d MB", kb>>10)
	}
	if n := writeRequests(apiRequests(org)[earlier:]); n != 0 {
		t.Errorf("%d write requests reached Okta", n)
	}
}

// TestShutdownWithCallsInFlight: with a write and a read hanging at Okta,
// closing stdin or SIGTERM ends the process within 2 s with exit code 0;
// the org sees both connections close unanswered, the write is in the
// audit log (cancelled, no status), and it did not happen.
func TestShutdownWithCallsInFlight(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"stdin closed", "SIGTERM"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			org := startOrg(t, sandbox.Options{})
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			r := serveOrg(t, org, "--methods", "all", "--confirm", "never", "--audit-log", auditPath, "--timeout", "5m")
			r.initialize(`{}`)
			inFlight(t, r, org, how)
			entries := auditLines(t, auditPath)
			if len(entries) != 1 || entries[0]["tool"] != "okta_users_suspend" || entries[0]["status"] != nil ||
				!strings.Contains(fmt.Sprint(entries[0]["error"]), "cancelled") || entries[0]["method"] != "POST" {
				t.Errorf("audit log: %v", entries)
			}
		})
	}
}

// inFlight leaves a suspend of Jane Doe and a group list hanging at the
// org, then ends the server by closing stdin or SIGTERM, and checks that it
// exits 0 within 2 s and that the org saw both requests go unanswered.
func inFlight(t *testing.T, r *rawServer, org *sandbox.Server, how string) {
	t.Helper()
	org.Org.InjectFault(sandbox.Fault{Method: "POST", PathPrefix: "/api/v1/users/" + sandbox.JaneDoeID + "/lifecycle/", Latency: time.Hour})
	org.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/groups", Latency: time.Hour})
	base := len(org.Org.Requests())
	r.request(900, "tools/call", map[string]any{"name": "okta_users_suspend", "arguments": map[string]any{"id": sandbox.JaneDoeID}})
	r.request(901, "tools/call", map[string]any{"name": "list_all_okta_groups", "arguments": map[string]any{"limit": 5}})
	hanging := func() (n int) {
		for _, q := range org.Org.Requests()[base:] {
			if q.Method == "POST" && strings.HasPrefix(q.Path, "/api/v1/users/") || strings.HasPrefix(q.Path, "/api/v1/groups") {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(20 * time.Second); hanging() < 2 || org.Org.InFlight() < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the calls never reached the org; stderr: %s", r.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	switch how {
	case "stdin closed":
		r.stdin.Close()
	case "SIGTERM":
		if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	drained := make(chan []string)
	go func() {
		var rest []string
		for l := range r.lines {
			rest = append(rest, l)
		}
		drained <- rest
	}()
	code := r.wait(10 * time.Second)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("%s: the process took %s to exit", how, took)
	}
	for _, l := range <-drained {
		r.seen = append(r.seen, l)
		if !isJSONRPC(l) {
			t.Errorf("stdout line is not JSON-RPC: %.200q", l)
		}
	}
	if code != 0 {
		t.Errorf("%s: exit code %d; stderr: %s", how, code, r.stderr.String())
	}
	for deadline := time.Now().Add(5 * time.Second); org.Org.InFlight() != 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the org is still serving %d requests", org.Org.InFlight())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, q := range org.Org.Requests()[base:] {
		if q.Status != 0 && q.Method == "POST" && strings.HasPrefix(q.Path, "/api/") {
			t.Errorf("the write was answered: %s %s → %d", q.Method, q.Path, q.Status)
		}
	}
	for _, u := range org.Org.Users() {
		if u.ID == sandbox.JaneDoeID && u.Status != sandbox.StatusActive {
			t.Errorf("Jane Doe is %s after a cancelled suspend", u.Status)
		}
	}
	org.Org.ClearFaults()
}

// auditLines reads the audit log's JSON lines.
func auditLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}
