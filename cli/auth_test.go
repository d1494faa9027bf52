package cli

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/credentials"
	"github.com/okta-mcp/okta-mcp/sandbox"
)

// needKeyring skips tests that store credentials unless a real OS keyring
// is there for them (.ci/keyring-session.sh sets OKTA_MCP_KEYRING_TEST=1).
func needKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("OKTA_MCP_KEYRING_TEST") != "1" {
		t.Skip("needs a real OS keyring: run `bash .ci/keyring-session.sh go test ./cli/` (it sets OKTA_MCP_KEYRING_TEST=1)")
	}
}

// testService is a keyring service name of the test's own; its entry for
// the sandbox is removed at the end.
func testService(t *testing.T, s *sandbox.Server) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := "okta-mcp-test-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-") + "-" + hex.EncodeToString(b)
	t.Cleanup(func() { credentials.Store{Service: name}.Delete(context.Background(), s.URL) })
	return name
}

func startOrg(t *testing.T) *sandbox.Server {
	t.Helper()
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// stored is the keyring entry of the sandbox org, nil when there is none.
func stored(t *testing.T, svc string, s *sandbox.Server) *credentials.Credential {
	t.Helper()
	c, err := credentials.Store{Service: svc}.Load(t.Context(), s.URL)
	if err != nil {
		if strings.Contains(err.Error(), "no credentials stored") {
			return nil
		}
		t.Fatal(err)
	}
	return c
}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// noSecret fails when any output holds one of the secrets.
func noSecret(t *testing.T, outputs []string, secrets ...string) {
	t.Helper()
	for _, o := range outputs {
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(o, s) {
				t.Errorf("output holds a secret (%s…):\n%s", s[:4], o)
			}
		}
	}
}

func TestAuthUsageErrors(t *testing.T) {
	t.Parallel()
	org := []string{"--org-url", "https://acme.okta.com"}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"auth"}, ExitUsage, "login|status|logout"},
		{[]string{"auth", "frobnicate"}, ExitUsage, "unknown auth subcommand"},
		{[]string{"auth", "help"}, ExitOK, ""},
		{[]string{"auth", "login", "--help"}, ExitOK, "--private-key-file"},
		{[]string{"auth", "login", "--api-token-stdin"}, ExitUsage, "--org-url"},
		{[]string{"auth", "status"}, ExitUsage, "--org-url"},
		{[]string{"auth", "logout", "--org-url", "http://acme.okta.com"}, ExitUsage, "https"},
		{append([]string{"auth", "login", "--api-token", "00abc"}, org...), ExitUsage, "unknown flag"},
		{append([]string{"auth", "login"}, org...), ExitUsage, "--api-token-stdin"},
		{append([]string{"auth", "login", "--client-id", "0oa1"}, org...), ExitUsage, "--private-key-file"},
		{append([]string{"auth", "login", "--device", "--private-key-file", "k.pem", "--client-id", "0oa1", "--scopes", "okta.users.read"}, org...), ExitUsage, "one"},
		{append([]string{"auth", "login", "--device", "--client-id", "0oa1"}, org...), ExitUsage, "--scopes"},
		{append([]string{"auth", "login", "--device", "--scopes", "okta.users.read"}, org...), ExitUsage, "--client-id"},
		{append([]string{"auth", "login", "--device", "--client-id", "0oa1", "--scopes", "okta.users.read", "--api-token-stdin"}, org...), ExitUsage, "--api-token-stdin"},
		{append([]string{"auth", "login", "--device", "--client-id", "0oa1", "--scopes", "okta.users.read", "--key-id", "k"}, org...), ExitUsage, "--key-id"},
		{append([]string{"auth", "login", "--api-token-stdin", "--scopes", "okta.users.read"}, org...), ExitUsage, "--scopes"},
		{append([]string{"auth", "status", "extra"}, org...), ExitUsage, "unexpected argument"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("%q: exit %d (want %d), output:\n%s%s\nwant it to mention %q", tt.args, code, tt.code, stdout, stderr, tt.want)
		}
		if strings.Contains(stderr, "00abc") {
			t.Errorf("%q: stderr repeats the token", tt.args)
		}
	}
}

// TestCallWithEnvToken: without a keyring entry, serve-time loading falls
// back to OKTA_API_TOKEN (whether a keyring is there or not).
func TestCallWithEnvToken(t *testing.T) {
	t.Parallel()
	s := startOrg(t)
	env := map[string]string{"OKTA_API_TOKEN": s.Org.Token(), "OKTA_MCP_KEYRING_SERVICE": "okta-mcp-test-none"}
	code, stdout, stderr := run(t, env, "call", "list_all_okta_users", "--org-url", s.URL, "--args", `{"limit":2}`)
	if code != ExitOK || !strings.Contains(stdout, `"count": 2`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	noSecret(t, []string{stdout, stderr}, s.Org.Token())
	// Without either, the tool error says how to store a credential.
	code, stdout, _ = run(t, map[string]string{"OKTA_MCP_KEYRING_SERVICE": "okta-mcp-test-none"}, "call", "list_all_okta_users", "--org-url", s.URL)
	if code != ExitToolError || !strings.Contains(stdout, "OKTA_API_TOKEN") {
		t.Fatalf("exit %d, stdout %s", code, stdout)
	}
}

func TestAuthAPIToken(t *testing.T) {
	needKeyring(t)
	t.Parallel()
	s := startOrg(t)
	svc := testService(t, s)
	tok := s.Org.Token()
	flags := []string{"--org-url", s.URL, "--keyring-service", svc}
	var outputs []string
	do := func(stdin string, env map[string]string, args ...string) (int, string, string) {
		code, stdout, stderr := runIn(t, stdin, env, append(args, flags...)...)
		outputs = append(outputs, stdout, stderr)
		return code, stdout, stderr
	}

	// A wrong token is refused and not stored.
	if code, _, stderr := do("wrong-token-123456\n", nil, "auth", "login", "--api-token-stdin"); code != ExitToolError || !strings.Contains(stderr, "nothing was stored") || !strings.Contains(stderr, "E0000011") {
		t.Fatalf("wrong token: exit %d: %s", code, stderr)
	}
	if stored(t, svc, s) != nil {
		t.Fatal("a refused token was stored")
	}

	if code, stdout, stderr := do(tok+"\n", nil, "auth", "login", "--api-token-stdin"); code != ExitOK || !strings.Contains(stdout, "stored it for") {
		t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
	}
	if c := stored(t, svc, s); c == nil || c.Kind != credentials.KindAPIToken || c.APIToken != tok {
		t.Fatalf("stored %v", c)
	}
	code, stdout, stderr := do("", nil, "auth", "status")
	if code != ExitOK || !regexp.MustCompile(`kind:\s+api_token`).MatchString(stdout) || !strings.Contains(stdout, "api_token:  …"+tok[len(tok)-4:]) ||
		!regexp.MustCompile(`accepted:\s+yes`).MatchString(stdout) {
		t.Fatalf("status: exit %d\n%s%s", code, stdout, stderr)
	}
	var rep statusReport
	if code, stdout, _ := do("", nil, "auth", "status", "--json"); code != ExitOK || json.Unmarshal([]byte(stdout), &rep) != nil || !rep.Accepted || rep.Credential["kind"] != "api_token" {
		t.Fatalf("status --json: exit %d %s", code, stdout)
	}

	// serve-time loading: the keyring entry wins over the environment.
	env := map[string]string{"OKTA_API_TOKEN": "stray-env-token"}
	if code, stdout, stderr := do("", env, "call", "list_all_okta_users", "--args", `{"limit":2}`, "--log-level", "warn"); code != ExitOK || !strings.Contains(stdout, `"count": 2`) || !strings.Contains(stderr, "OKTA_API_TOKEN is set but ignored") {
		t.Fatalf("call: exit %d\n%s%s", code, stdout, stderr)
	}

	if code, stdout, _ := do("", nil, "auth", "logout"); code != ExitOK || !strings.Contains(stdout, "Removed") {
		t.Fatalf("logout: exit %d %s", code, stdout)
	}
	if code, _, stderr := do("", nil, "auth", "status"); code != ExitToolError || !strings.Contains(stderr, "no credentials stored") {
		t.Fatalf("status after logout: exit %d %s", code, stderr)
	}
	if code, stdout, _ := do("", nil, "auth", "logout"); code != ExitOK || !strings.Contains(stdout, "Nothing was stored") {
		t.Fatalf("second logout: exit %d %s", code, stdout)
	}
	noSecret(t, outputs, tok, "wrong-token-123456")
}

func TestAuthServiceApp(t *testing.T) {
	needKeyring(t)
	t.Parallel()
	s := startOrg(t)
	svc := testService(t, s)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	sec1, _ := x509.MarshalECPrivateKey(key)
	keyFile := writePEM(t, "EC PRIVATE KEY", sec1) // SEC1: stored as given, handed to the SDK as PKCS#8
	otherFile := writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(other))
	s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oasvc", PublicKeys: []crypto.PublicKey{&key.PublicKey}, KeyIDs: []string{"kid-1"},
		Scopes: []string{"okta.users.read", "okta.groups.read"}})
	flags := []string{"--org-url", s.URL, "--keyring-service", svc}
	var outputs []string
	do := func(args ...string) (int, string, string) {
		code, stdout, stderr := run(t, nil, append(args, flags...)...)
		outputs = append(outputs, stdout, stderr)
		return code, stdout, stderr
	}
	login := []string{"auth", "login", "--client-id", "0oasvc", "--scopes", "okta.users.read"}

	for _, bad := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"wrong key id", []string{"--private-key-file", keyFile, "--key-id", "kid-2"}, `'kid' "kid-2" does not name a key`},
		{"wrong private key", []string{"--private-key-file", otherFile, "--key-id", "kid-1"}, "signature is invalid"},
		{"scope not granted", []string{"--private-key-file", keyFile, "--key-id", "kid-1", "--scopes", "okta.users.manage"}, "invalid_scope"},
	} {
		code, _, stderr := do(append(append([]string{}, login...), bad.extra...)...)
		if code != ExitToolError || !strings.Contains(stderr, bad.want) || !strings.Contains(stderr, "nothing was stored") {
			t.Errorf("%s: exit %d: %s", bad.name, code, stderr)
		}
		if stored(t, svc, s) != nil {
			t.Fatalf("%s: stored", bad.name)
		}
	}

	if code, stdout, stderr := do(append(login, "--private-key-file", keyFile, "--key-id", "kid-1")...); code != ExitOK {
		t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
	}
	if c := stored(t, svc, s); c == nil || c.Kind != credentials.KindServiceApp || c.KeyID != "kid-1" || !strings.Contains(c.PrivateKeyPEM, "EC PRIVATE KEY") {
		t.Fatalf("stored %v", c)
	}
	code, stdout, _ := do("auth", "status")
	for _, want := range []string{"service_app", "0oasvc", "okta.users.read", "kid-1", "EC P-256", "accepted:"} {
		if code != ExitOK || !strings.Contains(stdout, want) {
			t.Errorf("status: exit %d, no %q in\n%s", code, want, stdout)
		}
	}

	// Only okta.users.read is granted: tools that need more are hidden.
	code, stdout, _ = do("tools", "--json")
	var infos []toolInfo
	if code != ExitOK || json.Unmarshal([]byte(stdout), &infos) != nil {
		t.Fatalf("tools: exit %d %s", code, stdout)
	}
	got := map[string]toolInfo{}
	for _, i := range infos {
		got[i.Name] = i
	}
	if i := got["list_all_okta_users"]; i.Name == "" || i.Hidden {
		t.Errorf("list_all_okta_users: %+v", i)
	}
	// A user's groups are a users operation (GET /api/v1/users/{userId}/groups):
	// okta.users.read is enough, whatever the tool's tags.
	if i := got["list_all_okta_user_groups"]; i.Name == "" || i.Hidden {
		t.Errorf("list_all_okta_user_groups: %+v", i)
	}
	if i := got["list_all_okta_group_members"]; !i.Hidden || strings.Join(i.MissingScopes, " ") != "okta.groups.read" {
		t.Errorf("list_all_okta_group_members: %+v", i)
	}
	if _, stdout, _ := do("tools"); !regexp.MustCompile(`list_all_okta_group_members\s+list\s+groups,users\s+okta\.groups\.read`).MatchString(stdout) {
		t.Errorf("tools table does not show the hidden tool and its scope:\n%s", stdout)
	}
	// A hidden tool is not registered.
	if code, _, stderr := do("call", "list_all_okta_group_members", "--args", `{"group_id":"00g1a2b3c4d5e6f7g8h9"}`); code != ExitUsage || !strings.Contains(stderr, "not among the tools") {
		t.Errorf("hidden tool call: exit %d %s", code, stderr)
	}
	if code, stdout, stderr := do("call", "get_single_okta_user_by_id", "--args", `{"id":"jane.doe@company.com"}`); code != ExitOK || !strings.Contains(stdout, "jane.doe@company.com") {
		t.Fatalf("call: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := do("call", "list_all_okta_user_groups", "--args", `{"user_id":"00u1a2b3c4d5e6f7g8h9"}`); code != ExitOK || !strings.Contains(stdout, "AWS Production Admins") {
		t.Fatalf("user groups with okta.users.read: exit %d\n%s%s", code, stdout, stderr)
	}
	pemLines := strings.Split(stored(t, svc, s).PrivateKeyPEM, "\n")
	noSecret(t, outputs, pemLines[1], pemLines[2])
}

func TestAuthDevice(t *testing.T) {
	needKeyring(t)
	t.Parallel()
	s := startOrg(t)
	svc := testService(t, s)
	s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oadevice", Device: true, Scopes: []string{"okta.users.read", "okta.logs.read"}})
	s.Org.DeviceInterval(time.Second)
	flags := []string{"--org-url", s.URL, "--keyring-service", svc}
	var outputs []string
	do := func(args ...string) (int, string, string) {
		code, stdout, stderr := run(t, nil, append(args, flags...)...)
		outputs = append(outputs, stdout, stderr)
		return code, stdout, stderr
	}
	login := []string{"auth", "login", "--device", "--client-id", "0oadevice", "--scopes", "okta.users.read"}

	s.Org.DeviceDecision("", sandbox.DeviceDenied)
	if code, _, stderr := do(login...); code != ExitToolError || !strings.Contains(stderr, "denied") || !strings.Contains(stderr, "/activate") {
		t.Fatalf("denied: exit %d %s", code, stderr)
	}
	if stored(t, svc, s) != nil {
		t.Fatal("a denied sign-in was stored")
	}

	s.Org.DeviceDecision("", sandbox.DeviceApproved)
	code, stdout, stderr := do(login...)
	if code != ExitOK || !regexp.MustCompile(`enter the code [B-Z]{4}-[B-Z]{4}`).MatchString(stderr) {
		t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
	}
	first := stored(t, svc, s)
	if first == nil || first.Kind != credentials.KindDevice || first.RefreshToken == "" || strings.Join(first.Scopes, " ") != "okta.users.read offline_access" {
		t.Fatalf("stored %v", first)
	}
	// status refreshes, and stores the rotated refresh token.
	if code, stdout, _ := do("auth", "status"); code != ExitOK || !strings.Contains(stdout, "device") {
		t.Fatalf("status: exit %d %s", code, stdout)
	}
	second := stored(t, svc, s)
	if second.RefreshToken == first.RefreshToken {
		t.Error("the rotated refresh token was not stored")
	}
	if code, stdout, stderr := do("call", "list_all_okta_users", "--args", `{"limit":1}`); code != ExitOK {
		t.Fatalf("call: exit %d\n%s%s", code, stdout, stderr)
	}
	third := stored(t, svc, s)

	s.Org.RevokeRefreshTokens("0oadevice")
	code, stdout, _ = do("auth", "status")
	if code != ExitToolError || !strings.Contains(stdout, "auth login --org-url "+s.URL+" --device --client-id 0oadevice") {
		t.Fatalf("status after revocation: exit %d %s", code, stdout)
	}
	code, stdout, _ = do("call", "list_all_okta_users", "--args", `{"limit":1}`)
	if code != ExitToolError || !strings.Contains(stdout, "oauth_sign_in_required") || !strings.Contains(stdout, "--device") {
		t.Fatalf("call after revocation: exit %d %s", code, stdout)
	}
	if last := stored(t, svc, s); last.RefreshToken != third.RefreshToken {
		t.Error("the keyring entry changed after the revocation")
	}
	noSecret(t, outputs, first.RefreshToken, second.RefreshToken, third.RefreshToken)
}
