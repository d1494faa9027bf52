package main

import (
	"bytes"
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
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/credentials"
	"github.com/okta-mcp/okta-mcp/sandbox"
)

// These tests drive `okta-mcp auth login` and `okta-mcp serve` as built
// binaries against a sandbox org started here, with a real OS keyring
// (run them with `bash .ci/keyring-session.sh go test -race .`).

func needKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("OKTA_MCP_KEYRING_TEST") != "1" {
		t.Skip("needs a real OS keyring: run `bash .ci/keyring-session.sh go test .` (it sets OKTA_MCP_KEYRING_TEST=1)")
	}
}

// e2e is one test's org, keyring service and everything the binary said.
type e2e struct {
	t       *testing.T
	bin     string
	org     *sandbox.Server
	service string
	mu      sync.Mutex
	outputs []string // stdout, stderr and tool results, for the secret check
}

func newE2E(t *testing.T, opts sandbox.Options) *e2e {
	t.Helper()
	needKeyring(t)
	bin := buildBinary(t)
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b := make([]byte, 4)
	rand.Read(b)
	svc := "okta-mcp-e2e-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-") + "-" + hex.EncodeToString(b)
	t.Cleanup(func() { credentials.Store{Service: svc}.Delete(context.Background(), s.URL) })
	return &e2e{t: t, bin: bin, org: s, service: svc}
}

func (e *e2e) flags() []string {
	return []string{"--org-url", e.org.URL, "--keyring-service", e.service}
}

func (e *e2e) record(s ...string) {
	e.mu.Lock()
	e.outputs = append(e.outputs, s...)
	e.mu.Unlock()
}

// run runs the binary to its end.
func (e *e2e) run(stdin string, args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, append(args, e.flags()...)...)
	cmd.Env = hostileEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		e.t.Fatalf("%v: %v", args, err)
	}
	e.record(out.String(), errb.String())
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// stored is the org's keyring entry, nil when there is none.
func (e *e2e) stored() *credentials.Credential {
	e.t.Helper()
	c, err := credentials.Store{Service: e.service}.Load(e.t.Context(), e.org.URL)
	if errors.Is(err, credentials.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// safeBuffer is a bytes.Buffer for a child's stderr read while it runs.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve starts `okta-mcp serve` over stdio with the go-sdk client.
func (e *e2e) serve(extra ...string) (*mcp.ClientSession, *safeBuffer) {
	e.t.Helper()
	cmd := exec.Command(e.bin, append(append([]string{"serve"}, e.flags()...), extra...)...)
	cmd.Env = hostileEnv()
	stderr := &safeBuffer{}
	cmd.Stderr = stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-auth", Version: "test"}, nil)
	cs, err := client.Connect(e.t.Context(), &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, nil)
	if err != nil {
		e.t.Fatalf("connect: %v\nstderr: %s", err, stderr.String())
	}
	e.t.Cleanup(func() {
		cs.Close()
		e.record(stderr.String())
	})
	return cs, stderr
}

// call calls a tool and returns its result's text.
func (e *e2e) call(cs *mcp.ClientSession, name string, args map[string]any) (isError bool, text string) {
	e.t.Helper()
	res, err := cs.CallTool(e.t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text += tc.Text
		}
	}
	b, _ := json.Marshal(res)
	e.record(string(b))
	return res.IsError, text
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	lt, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range lt.Tools {
		names = append(names, tl.Name)
	}
	return names
}

// noSecrets fails when anything the binary said holds one of the secrets.
func (e *e2e) noSecrets(secrets ...string) {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		for _, o := range e.outputs {
			if strings.Contains(o, s) {
				e.t.Errorf("output holds a secret (%s…):\n%s", s[:6], o)
			}
		}
	}
}

// assertions are the client assertions the org received.
func (e *e2e) assertions() []string {
	var out []string
	for _, r := range e.org.Org.Requests() {
		if r.Path != "/oauth2/v1/token" {
			continue
		}
		q, _ := url.ParseQuery(r.RawQuery)
		if a := q.Get("client_assertion"); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func pemFile(t *testing.T, typ string, der []byte) (path string, body []string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "key.pem")
	text := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	return path, lines[1 : len(lines)-1]
}

func TestAuthE2EAPIToken(t *testing.T) {
	t.Parallel()
	e := newE2E(t, sandbox.Options{})
	tok := e.org.Org.Token()

	if code, _, stderr := e.run("not-the-token-42\n", "auth", "login", "--api-token-stdin"); code != 1 || !strings.Contains(stderr, "nothing was stored") {
		t.Fatalf("wrong token: exit %d: %s", code, stderr)
	}
	if e.stored() != nil {
		t.Fatal("a wrong token was stored")
	}
	if code, stdout, stderr := e.run(tok+"\n", "auth", "login", "--api-token-stdin"); code != 0 {
		t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
	}
	cs, stderr := e.serve()
	if isErr, text := e.call(cs, "list_all_okta_users", map[string]any{"limit": 3}); isErr || !strings.Contains(text, `"count":3`) {
		t.Fatalf("list users: %s\nstderr: %s", text, stderr.String())
	}
	cs.Close()
	e.noSecrets(tok, "not-the-token-42")
}

func TestAuthE2EServiceApp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		dpop bool
		ec   bool
	}{
		{"RSA", false, false},
		{"EC with DPoP", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, sandbox.Options{})
			var pub crypto.PublicKey
			var keyPath, wrongPath string
			var keyBody, wrongBody []string
			if tc.ec {
				k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				w, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				kd, _ := x509.MarshalECPrivateKey(k)
				wd, _ := x509.MarshalPKCS8PrivateKey(w)
				keyPath, keyBody = pemFile(t, "EC PRIVATE KEY", kd)
				wrongPath, wrongBody = pemFile(t, "PRIVATE KEY", wd)
				pub = &k.PublicKey
			} else {
				k, _ := rsa.GenerateKey(rand.Reader, 2048)
				w, _ := rsa.GenerateKey(rand.Reader, 2048)
				kd, _ := x509.MarshalPKCS8PrivateKey(k)
				keyPath, keyBody = pemFile(t, "PRIVATE KEY", kd)
				wrongPath, wrongBody = pemFile(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(w))
				pub = &k.PublicKey
			}
			e.org.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oaservice", PublicKeys: []crypto.PublicKey{pub}, KeyIDs: []string{"key-1"},
				Scopes: []string{"okta.users.read", "okta.logs.read"}, RequireDPoP: tc.dpop})
			login := []string{"auth", "login", "--client-id", "0oaservice", "--scopes", "okta.users.read,okta.logs.read"}

			for _, bad := range []struct{ name, key, kid, want string }{
				{"wrong private key", wrongPath, "key-1", "signature is invalid"},
				{"wrong key id", keyPath, "key-9", `does not name a key of the client`},
			} {
				code, _, stderr := e.run("", append(login, "--private-key-file", bad.key, "--key-id", bad.kid)...)
				if code != 1 || !strings.Contains(stderr, "invalid_client") || !strings.Contains(stderr, bad.want) || !strings.Contains(stderr, "nothing was stored") {
					t.Errorf("%s: exit %d: %s", bad.name, code, stderr)
				}
				if e.stored() != nil {
					t.Fatalf("%s: stored", bad.name)
				}
			}

			if code, stdout, stderr := e.run("", append(login, "--private-key-file", keyPath, "--key-id", "key-1")...); code != 0 {
				t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
			}
			cs, stderr := e.serve("--methods", "all", "--confirm", "never")
			names := toolNames(t, cs)
			if !slices.Contains(names, "list_all_okta_users") || !slices.Contains(names, "list_all_okta_user_groups") ||
				slices.Contains(names, "list_all_okta_group_members") || slices.Contains(names, "create_a_okta_user") {
				t.Errorf("tools with okta.users.read and okta.logs.read: %v", names)
			}
			if isErr, text := e.call(cs, "list_all_okta_users", map[string]any{"limit": 2}); isErr || !strings.Contains(text, `"count":2`) {
				t.Fatalf("list users: %s\nstderr: %s", text, stderr.String())
			}
			if isErr, text := e.call(cs, "get_single_okta_user_by_id", map[string]any{"id": "jane.doe@company.com"}); isErr {
				t.Fatalf("get user: %s", text)
			}
			cs.Close()
			apiCalls := 0
			for _, r := range e.org.Org.Requests() {
				if strings.HasPrefix(r.Path, "/api/v1/users") {
					apiCalls++
					if r.Status != 200 || (r.Header.Get("DPoP") != "") != tc.dpop {
						t.Errorf("%s: status %d, DPoP %q", r.Path, r.Status, r.Header.Get("DPoP"))
					}
				}
			}
			if apiCalls < 3 { // the check at login, and the two tool calls
				t.Errorf("%d API calls", apiCalls)
			}
			e.noSecrets(append(append(keyBody, wrongBody...), e.assertions()...)...)
		})
	}
}

// TestAuthE2EDevice: the device sign-in through pending → slow_down →
// approved; serve refreshes (rotating the stored refresh token), refreshes
// again after the org expired the access token, and after the refresh
// token was revoked says to sign in again.
func TestAuthE2EDevice(t *testing.T) {
	t.Parallel()
	// The org's clock stands still until the sign-in has seen slow_down:
	// the login's second poll, a second after the first, looks too early.
	var frozen atomic.Bool
	frozen.Store(true)
	t0 := time.Now()
	e := newE2E(t, sandbox.Options{Now: func() time.Time {
		if frozen.Load() {
			return t0
		}
		return time.Now()
	}})
	e.org.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oadevice", Device: true, Scopes: []string{"okta.users.read"}})
	e.org.Org.DeviceInterval(time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, append([]string{"auth", "login", "--device", "--client-id", "0oadevice", "--scopes", "okta.users.read"}, e.flags()...)...)
	cmd.Env = hostileEnv()
	var stdout bytes.Buffer
	stderr := &safeBuffer{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	devicePolls := func() (statuses []int) {
		for _, r := range e.org.Org.Requests() {
			if r.Path == "/oauth2/v1/token" && strings.Contains(r.RawQuery+string(r.Body), "device_code") && r.Status != 0 {
				statuses = append(statuses, r.Status)
			}
		}
		return statuses
	}
	// Two answered polls (authorization_pending, then slow_down) → the
	// user approves, and the clock runs again.
	var approvedAt time.Time
	for deadline := time.Now().Add(30 * time.Second); ; {
		if len(devicePolls()) >= 2 {
			frozen.Store(false)
			e.org.Org.DeviceDecision("", sandbox.DeviceApproved)
			approvedAt = time.Now()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the login did not poll twice; stderr: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	e.record(stdout.String(), stderr.String())
	if got := devicePolls(); slices.Compare(got, []int{400, 400, 200}) != 0 {
		t.Errorf("device polls answered %v, want [400 400 200]", got)
	}
	// After slow_down the login waits its interval plus 5 s.
	if waited := time.Since(approvedAt); waited < 4*time.Second {
		t.Errorf("the login polled again %s after slow_down", waited)
	}
	if !regexp.MustCompile(`open ` + regexp.QuoteMeta(e.org.URL) + `/activate in a browser and enter the code [B-Z]{4}-[B-Z]{4}`).MatchString(stderr.String()) {
		t.Errorf("stderr does not show the verification URL and code:\n%s", stderr.String())
	}
	first := e.stored()
	if first == nil || first.Kind != credentials.KindDevice || first.RefreshToken == "" {
		t.Fatalf("stored %v", first)
	}
	refreshTokens := []string{first.RefreshToken}

	cs, serveErr := e.serve()
	if isErr, text := e.call(cs, "list_all_okta_users", map[string]any{"limit": 1}); isErr {
		t.Fatalf("list users: %s\nstderr: %s", text, serveErr.String())
	}
	second := e.stored()
	if second.RefreshToken == first.RefreshToken {
		t.Error("serve's first refresh did not store the rotated refresh token")
	}
	refreshTokens = append(refreshTokens, second.RefreshToken)

	// A forced expiry: 401, refresh (rotating again), the call succeeds.
	e.org.Org.ExpireAccessTokens()
	if isErr, text := e.call(cs, "get_single_okta_user_by_id", map[string]any{"id": "jane.doe@company.com"}); isErr {
		t.Fatalf("after expiry: %s\nstderr: %s", text, serveErr.String())
	}
	third := e.stored()
	if third.RefreshToken == second.RefreshToken {
		t.Error("the refresh after the expiry did not store a rotated refresh token")
	}
	refreshTokens = append(refreshTokens, third.RefreshToken)

	// Revoked: a tool error that says to sign in again; nothing changes
	// in the keyring.
	e.org.Org.RevokeRefreshTokens("0oadevice")
	e.org.Org.ExpireAccessTokens()
	isErr, text := e.call(cs, "list_all_okta_users", map[string]any{"limit": 1})
	if !isErr || !strings.Contains(text, "oauth_sign_in_required") || !strings.Contains(text, "okta-mcp auth login --org-url "+e.org.URL+" --device --client-id 0oadevice") {
		t.Fatalf("after revocation: %v %s", isErr, text)
	}
	cs.Close()
	if last := e.stored(); last.RefreshToken != third.RefreshToken {
		t.Error("the keyring entry changed after the revocation")
	}
	if code, stdout, _ := e.run("", "auth", "status"); code != 1 || !regexp.MustCompile(`accepted:\s+no: .*auth login`).MatchString(stdout) {
		t.Errorf("status after revocation: exit %d\n%s", code, stdout)
	}
	e.noSecrets(refreshTokens...)
}
