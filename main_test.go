package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain removes the binary the end-to-end tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds okta-mcp once for all the end-to-end tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "okta-mcp-e2e"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "okta-mcp")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// hostileEnv is the environment of the tests: SDK variables that would
// redirect requests or print to stdout if the server let them.
func hostileEnv() []string {
	return append(os.Environ(),
		"OKTA_CLIENT_ORGURL=http://127.0.0.9:1",
		"OKTA_CLIENT_TOKEN=stray-token",
		"OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES=x",
		"OKTA_CLIENT_PROXY_HOST=127.0.0.9",
		"OKTA_CLIENT_PROXY_PORT=1",
		"OKTA_API_TOKEN=",
	)
}

// TestEndToEnd drives the built binary over real stdio with the SDK client.
func TestEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "serve", "--sandbox", "--log-level", "debug")
	cmd.Env = hostileEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "test"}, nil)
	cs, err := client.Connect(t.Context(), &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nstderr: %s", err, stderr.String())
	}
	if got := cs.InitializeResult().ServerInfo.Name; got != "okta-mcp" {
		t.Errorf("serverInfo.name = %q", got)
	}
	lt, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range lt.Tools {
		if !tool.Annotations.ReadOnlyHint {
			t.Errorf("default --methods read exposes %s", tool.Name)
		}
	}
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "list_all_okta_users", Arguments: map[string]any{"limit": 5}})
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError {
		t.Fatalf("list users: %v\nstderr: %s", res.Content, stderr.String())
	}
	var page struct {
		Count int `json:"count"`
	}
	b, _ := json.Marshal(res.StructuredContent)
	if json.Unmarshal(b, &page); page.Count != 5 {
		t.Errorf("count = %d, want 5", page.Count)
	}
	// Closing stdin ends the process with exit code 0.
	if err := cs.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("exit state %v\nstderr: %s", cmd.ProcessState, stderr.String())
	}
	if strings.Contains(stderr.String(), "stray-token") {
		t.Error("stderr mentions a token")
	}
}

// rawServer is the built binary spoken to in raw JSON lines.
type rawServer struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *safeBuffer // written by the child while the test reads it
	seen   []string    // the stdout lines next returned
}

func startRaw(t *testing.T, bin string, args ...string) *rawServer {
	t.Helper()
	return startRawEnv(t, bin, hostileEnv(), args...)
}

// startRawEnv is startRaw with the child's environment given.
func startRawEnv(t *testing.T, bin string, env []string, args ...string) *rawServer {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	r := &rawServer{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 100), stderr: &safeBuffer{}}
	cmd.Stderr = r.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	return r
}

func (r *rawServer) send(s string) { fmt.Fprintln(r.stdin, s) }

// next returns the next stdout message, failing unless it is JSON-RPC.
func (r *rawServer) next() map[string]any {
	r.t.Helper()
	select {
	case l, ok := <-r.lines:
		if !ok {
			r.t.Fatalf("stdout closed early; stderr: %s", r.stderr.String())
		}
		r.seen = append(r.seen, l)
		if !isJSONRPC(l) {
			r.t.Fatalf("stdout line is not JSON-RPC: %q", l)
		}
		var m map[string]any
		json.Unmarshal([]byte(l), &m)
		return m
	case <-time.After(20 * time.Second):
		r.t.Fatalf("no answer; stderr: %s", r.stderr.String())
	}
	return nil
}

// initialize performs the handshake with the given client capabilities.
func (r *rawServer) initialize(caps string) {
	r.t.Helper()
	r.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":` + caps + `,"clientInfo":{"name":"raw","version":"1"}}}`)
	if m := r.next(); m["result"] == nil {
		r.t.Fatalf("initialize: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
}

// wait waits for the process to exit by itself and returns its exit code.
func (r *rawServer) wait(within time.Duration) int {
	r.t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
		return r.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		r.t.Fatalf("server still running after %s; stderr: %s", within, r.stderr.String())
	}
	return -1
}

// TestStdoutIsJSONRPCOnly speaks raw JSON lines to the binary, including a
// malformed one, and checks every stdout line is a JSON-RPC message.
func TestStdoutIsJSONRPCOnly(t *testing.T) {
	r := startRaw(t, buildBinary(t), "--sandbox")
	r.initialize(`{}`)
	r.send(`this is not json`)
	if m := r.next(); m["error"].(map[string]any)["code"].(float64) != -32700 {
		t.Fatalf("malformed line: %v", m)
	}
	r.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_single_okta_user_by_id","arguments":{"id":"jane.doe@company.com"}}}`)
	m := r.next()
	if res, _ := m["result"].(map[string]any); res == nil || res["isError"] == true {
		t.Fatalf("call after a malformed line: %v", m)
	}
	r.stdin.Close()
	for l := range r.lines {
		if !isJSONRPC(l) {
			t.Errorf("stdout line is not JSON-RPC: %q", l)
		}
	}
	if code := r.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d; stderr: %s", code, r.stderr.String())
	}
}

// TestConfirmationOverStdio: a client on an older protocol version that can
// elicit is asked through elicitation/create (the go-sdk bridges its
// multi-round-trip input requests); accepting suspends the user, and the
// audit log holds the attempt.
func TestConfirmationOverStdio(t *testing.T) {
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	r := startRaw(t, buildBinary(t), "--sandbox", "--methods", "all", "--audit-log", auditPath)
	r.initialize(`{"elicitation":{}}`)
	for i, answer := range []string{"decline", "accept"} {
		id := 10 + i
		r.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"okta_users_suspend","arguments":{"id":"jane.doe@company.com"}}}`, id))
		ask := r.next()
		params, _ := ask["params"].(map[string]any)
		if ask["method"] != "elicitation/create" || !strings.Contains(fmt.Sprint(params["message"]), "Suspend Jane Doe (jane.doe@company.com") {
			t.Fatalf("want an elicitation naming Jane Doe, got %v", ask)
		}
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": ask["id"], "result": map[string]any{"action": answer}})
		r.send(string(b))
		res := r.next()
		sc, _ := res["result"].(map[string]any)["structuredContent"].(map[string]any)
		want := map[string]string{"decline": "declined", "accept": "done"}[answer]
		if sc["outcome"] != want {
			t.Fatalf("%s: result %v", answer, res)
		}
	}
	r.stdin.Close()
	if code := r.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	raw, err := os.ReadFile(auditPath)
	if err != nil || strings.Count(string(raw), "\n") != 2 || !strings.Contains(string(raw), `"confirmation":"declined"`) || !strings.Contains(string(raw), `"confirmation":"accepted"`) {
		t.Errorf("audit log: %s (%v)", raw, err)
	}
}

// TestExpiresAtEndsTheServer: after --expires-at the process exits by itself.
func TestExpiresAtEndsTheServer(t *testing.T) {
	r := startRaw(t, buildBinary(t), "--sandbox", "--expires-at", time.Now().Add(2*time.Second).UTC().Format(time.RFC3339))
	r.initialize(`{}`)
	if code := r.wait(15 * time.Second); code != 0 {
		t.Errorf("exit code %d; stderr: %s", code, r.stderr.String())
	}
	if !strings.Contains(r.stderr.String(), "expires-at") {
		t.Errorf("stderr does not say why it stopped: %s", r.stderr.String())
	}
}

// isJSONRPC reports whether line is one JSON-RPC 2.0 message. The SDK's
// decoder rejects error responses with a null id, which JSON-RPC requires
// for parse errors, so those are checked by hand.
func isJSONRPC(line string) bool {
	if _, err := jsonrpc.DecodeMessage([]byte(line)); err == nil {
		return true
	}
	var m struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	return json.Unmarshal([]byte(line), &m) == nil && m.JSONRPC == "2.0" && string(m.ID) == "null" && m.Error != nil && m.Error.Message != ""
}
