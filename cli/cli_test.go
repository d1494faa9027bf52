package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the command line in-process with the given environment.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runIn(t, "", env, args...)
}

// runIn is run with stdin.
func runIn(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(t.Context(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	badConfig := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(badConfig, []byte(`{"methods":["read"],"colour":"blue"}`), 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string // in stderr
	}{
		{"unknown command", nil, []string{"frobnicate"}, ExitUsage, "unknown command"},
		{"unknown tool in --tools", nil, []string{"serve", "--sandbox", "--tools", "list_all_okta_userz"}, ExitUsage, "list_all_okta_userz"},
		{"unknown method", nil, []string{"tools", "--methods", "reed"}, ExitUsage, "valid values are read, write"},
		{"unknown tag", nil, []string{"tools", "--tags", "apps"}, ExitUsage, "users, groups, roles, sessions, logs"},
		{"bad confirm", nil, []string{"tools", "--confirm", "sometimes"}, ExitUsage, "auto, never"},
		{"unknown config key", nil, []string{"tools", "--config", badConfig}, ExitUsage, "colour"},
		{"bad env value", map[string]string{"OKTA_MCP_MAX_RETRIES": "many"}, []string{"tools"}, ExitUsage, "OKTA_MCP_MAX_RETRIES"},
		{"no org url", nil, []string{"serve"}, ExitUsage, "--org-url"},
		{"http org url", nil, []string{"serve", "--org-url", "http://acme.okta.com"}, ExitUsage, "https"},
		{"call without tool", nil, []string{"call", "--sandbox"}, ExitUsage, "exactly one tool"},
		{"call bad args", nil, []string{"call", "list_all_okta_users", "--sandbox", "--args", "[1]"}, ExitUsage, "JSON object"},
		{"call filtered-out tool", nil, []string{"call", "list_all_okta_users", "--sandbox", "--tags", "groups"}, ExitUsage, "not among the tools"},
		{"call tool error", nil, []string{"call", "get_single_okta_user_by_id", "--sandbox", "--args", `{"id":"a/b"}`}, ExitToolError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := run(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to mention %q", code, tt.code, stderr, tt.want)
			}
		})
	}
}

func TestCallOnSandbox(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := run(t, nil, "call", "list_all_okta_users", "--sandbox", "--args", `{"limit":3}`)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var page struct {
		Count      int    `json:"count"`
		NextCursor string `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(stdout), &page); err != nil || page.Count != 3 || page.NextCursor == "" {
		t.Fatalf("stdout %s (%v)", stdout, err)
	}

	code, stdout, _ = run(t, nil, "call", "get_single_okta_user_by_id", "--sandbox", "--args", `{"id":"nobody.here"}`)
	var e struct {
		Error struct {
			Status int    `json:"status"`
			Code   string `json:"code"`
		} `json:"error"`
	}
	if code != ExitToolError || json.Unmarshal([]byte(stdout), &e) != nil || e.Error.Status != 404 {
		t.Fatalf("exit %d, stdout %s", code, stdout)
	}
}

func TestToolsCommand(t *testing.T) {
	t.Parallel()
	code, stdout, _ := run(t, nil, "tools", "--methods", "all", "--json")
	var infos []toolInfo
	if code != ExitOK || json.Unmarshal([]byte(stdout), &infos) != nil || len(infos) == 0 {
		t.Fatalf("exit %d, stdout %s", code, stdout)
	}
	_, stdout, _ = run(t, nil, "tools", "--methods", "read", "--tags", "groups")
	if strings.Contains(stdout, "list_all_okta_users") {
		t.Errorf("--tags groups lists a user-only tool:\n%s", stdout)
	}
	_, stdout, _ = run(t, map[string]string{"OKTA_MCP_EXCLUDE_TOOLS": "list_all_okta_users"}, "tools")
	if strings.Contains(stdout, "list_all_okta_users") || !strings.Contains(stdout, "get_single_okta_user_by_id") {
		t.Errorf("env exclude not applied:\n%s", stdout)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, stdout, _ := run(t, nil, "version")
	if code != ExitOK || !strings.HasPrefix(stdout, "okta-mcp ") || !strings.Contains(stdout, "go1.") {
		t.Fatalf("exit %d: %q", code, stdout)
	}
}

func TestCallAsksOnTheTerminal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stdin string
		extra       []string
		outcome     string
	}{
		{"yes typed", "y\n", nil, "done"},
		{"no typed", "n\n", nil, "declined"},
		{"no answer", "", nil, "cancelled"},
		{"--yes", "", []string{"--yes"}, "done"},
		{"dry run asks nothing", "", []string{"--args", `{"id":"jane.doe@company.com","dry_run":true}`}, "dry_run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
			args := append([]string{"call", "okta_users_suspend", "--sandbox", "--methods", "all", "--audit-log", auditPath, "--args", `{"id":"jane.doe@company.com"}`}, tt.extra...)
			code, stdout, stderr := runIn(t, tt.stdin, nil, args...)
			var out struct {
				Outcome string `json:"outcome"`
			}
			if code != ExitOK || json.Unmarshal([]byte(stdout), &out) != nil || out.Outcome != tt.outcome {
				t.Fatalf("exit %d, stdout %s, stderr %s; want outcome %s", code, stdout, stderr, tt.outcome)
			}
			if tt.outcome != "dry_run" && !strings.Contains(stderr, "Suspend Jane Doe (jane.doe@company.com") {
				t.Errorf("the prompt was not shown: %s", stderr)
			}
			if raw, _ := os.ReadFile(auditPath); strings.Count(string(raw), "\n") != 1 {
				t.Errorf("audit log has %q, want one line", raw)
			}
		})
	}
}

func TestUnwritableAuditLogIsAStartupError(t *testing.T) {
	t.Parallel()
	code, _, stderr := run(t, nil, "call", "list_all_okta_users", "--sandbox", "--audit-log", filepath.Join(t.TempDir(), "no-such-dir", "audit.jsonl"))
	if code != ExitUsage || !strings.Contains(stderr, "audit-log") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestHelpHasExamples(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		if c.name == "auth" {
			continue // auth has subcommands with their own help
		}
		code, stdout, _ := run(t, nil, c.name, "--help")
		if code != ExitOK || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "okta-mcp "+c.name) || !strings.Contains(stdout, "Flags:") {
			t.Errorf("%s --help: exit %d\n%s", c.name, code, stdout)
		}
	}
	if _, stdout, _ := run(t, nil, "serve", "--help"); !strings.Contains(stdout, "--max-concurrency") {
		t.Errorf("serve --help lacks the shared flags:\n%s", stdout)
	}
}
