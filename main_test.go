package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"

	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// buildBinary builds okta-mcp once for the end-to-end tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "okta-mcp")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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

// TestStdoutIsJSONRPCOnly speaks raw JSON lines to the binary, including a
// malformed one, and checks every stdout line is a JSON-RPC message.
func TestStdoutIsJSONRPCOnly(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "--sandbox")
	cmd.Env = hostileEnv()
	stdin, _ := cmd.StdinPipe()
	stdoutPipe, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdoutPipe)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() map[string]any {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stdout closed early; stderr: %s", stderr.String())
			}
			if !isJSONRPC(l) {
				t.Fatalf("stdout line is not JSON-RPC: %q", l)
			}
			var m map[string]any
			json.Unmarshal([]byte(l), &m)
			return m
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer; stderr: %s", stderr.String())
		}
		return nil
	}
	send := func(s string) { fmt.Fprintln(stdin, s) }

	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	if m := next(); m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`this is not json`)
	if m := next(); m["error"].(map[string]any)["code"].(float64) != -32700 {
		t.Fatalf("malformed line: %v", m)
	}
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_single_okta_user_by_id","arguments":{"id":"jane.doe@company.com"}}}`)
	m := next()
	res, _ := m["result"].(map[string]any)
	if res == nil || res["isError"] == true {
		t.Fatalf("call after a malformed line: %v", m)
	}
	stdin.Close()
	for l := range lines {
		if !isJSONRPC(l) {
			t.Errorf("stdout line is not JSON-RPC: %q", l)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not exit after stdin closed")
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
