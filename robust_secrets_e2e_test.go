package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// TestSecretsNeverWritten runs the robustness scenarios (protocol abuse,
// Okta faults, a write, a cancellation, SIGTERM with calls in flight)
// against the built server with each kind of credential, and sweeps all it
// wrote (stdout with every tool result, stderr, --log-file at debug level,
// --audit-log, and what `auth login` printed) for the secrets: the API
// token, the service app's private key and client assertions, the device
// sign-in's refresh tokens. None may appear.
func TestSecretsNeverWritten(t *testing.T) {
	t.Parallel()
	scopes := []string{"okta.users.manage", "okta.groups.read", "okta.logs.read"}

	t.Run("api token", func(t *testing.T) {
		t.Parallel()
		org := startOrg(t, sandbox.Options{})
		dir := t.TempDir()
		r := serveOrg(t, org, serveFlags(dir)...)
		written := runScenario(t, r, org, dir)
		sweep(t, written, org.Org.Token())
	})

	t.Run("service app", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, sandbox.Options{})
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		der, _ := x509.MarshalPKCS8PrivateKey(key)
		keyPath, keyBody := pemFile(t, "PRIVATE KEY", der)
		e.org.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oarobust", PublicKeys: []crypto.PublicKey{&key.PublicKey}, KeyIDs: []string{"k1"}, Scopes: scopes})
		if code, stdout, stderr := e.run("", "auth", "login", "--client-id", "0oarobust", "--scopes", strings.Join(scopes, ","), "--private-key-file", keyPath, "--key-id", "k1"); code != 0 {
			t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
		}
		dir := t.TempDir()
		r := startRawEnv(t, e.bin, hostileEnv(), append(append([]string{"serve"}, e.flags()...), serveFlags(dir)...)...)
		written := append(runScenario(t, r, e.org, dir), e.outputs...)
		assertions := e.assertions()
		if len(assertions) < 2 { // the login's check and the server's token requests
			t.Fatalf("%d client assertions seen", len(assertions))
		}
		sweep(t, written, append(keyBody, assertions...)...)
	})

	t.Run("device sign-in", func(t *testing.T) {
		t.Parallel()
		e := newE2E(t, sandbox.Options{})
		e.org.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oarobustdev", Device: true, Scopes: scopes})
		e.org.Org.DeviceInterval(time.Second)
		e.org.Org.DeviceDecision("", sandbox.DeviceApproved)
		if code, stdout, stderr := e.run("", "auth", "login", "--device", "--client-id", "0oarobustdev", "--scopes", strings.Join(scopes, ",")); code != 0 {
			t.Fatalf("login: exit %d\n%s%s", code, stdout, stderr)
		}
		first := e.stored()
		if first == nil || first.RefreshToken == "" {
			t.Fatal("no refresh token stored")
		}
		dir := t.TempDir()
		r := startRawEnv(t, e.bin, hostileEnv(), append(append([]string{"serve"}, e.flags()...), serveFlags(dir)...)...)
		written := append(runScenario(t, r, e.org, dir), e.outputs...)
		refresh := []string{first.RefreshToken}
		if last := e.stored(); last != nil && !slices.Contains(refresh, last.RefreshToken) {
			refresh = append(refresh, last.RefreshToken)
		}
		refresh = append(refresh, sentParams(e.org, "refresh_token")...)
		if len(refresh) < 2 {
			t.Fatalf("the server never refreshed: refresh tokens %d", len(refresh))
		}
		sweep(t, written, refresh...)
	})
}

// serveFlags are the serve flags of the sweep: every tool, no confirmation,
// debug logs and the audit log in dir.
func serveFlags(dir string) []string {
	return []string{"--methods", "all", "--confirm", "never", "--max-concurrency", "2",
		"--log-level", "debug", "--log-file", filepath.Join(dir, "server.log"), "--audit-log", filepath.Join(dir, "audit.jsonl")}
}

// runScenario puts a fresh server through the robustness scenarios and
// returns everything it wrote.
func runScenario(t *testing.T, r *rawServer, org *sandbox.Server, dir string) []string {
	t.Helper()
	abuse(t, r, org)

	// Okta faults: each ends in a result or a structured tool error.
	now := time.Now().Unix()
	for i, f := range []sandbox.Fault{
		{Status: 401},
		{Status: 403, Header: http.Header{"WWW-Authenticate": {`Bearer error="insufficient_scope", scope="okta.users.read"`}}},
		{Status: 500},
		{Status: 502, Times: 2, Body: "<html>Bad Gateway</html>", ContentType: "text/html"},
		{Drop: true, Times: 2},
		{Status: 429, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(now+86400, 10)}}},
		{Status: 200, Body: "not JSON at all"},
	} {
		f.Method, f.PathPrefix = "GET", "/api/v1/users"
		if f.Times == 0 {
			f.Times = 1
		}
		org.Org.InjectFault(f)
		res := r.call(float64(6000+i), "list_all_okta_users", map[string]any{"limit": 2})
		if res["isError"] == true {
			toolErrorOf(t, res)
		}
		org.Org.ClearFaults()
	}

	// A write, audited with its arguments, and a dry run.
	victim := ""
	for _, u := range org.Org.Users() {
		if u.Status == sandbox.StatusActive && u.ID != sandbox.JaneDoeID {
			victim = u.ID
			break
		}
	}
	if res := r.call(6100, "okta_users_suspend", map[string]any{"id": victim}); res["isError"] == true {
		t.Errorf("suspend: %.300v", res)
	}
	if res := r.call(6101, "okta_users_unsuspend", map[string]any{"id": victim, "dry_run": true}); res["isError"] == true {
		t.Errorf("dry run: %.300v", res)
	}

	// notifications/cancelled aborts a call hanging at Okta; its slot is
	// free again for the next call.
	org.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/groups", Latency: time.Hour, Times: 1})
	groupCalls := func() (n int) {
		for _, q := range apiRequests(org) {
			if strings.HasPrefix(q.Path, "/api/v1/groups") {
				n++
			}
		}
		return n
	}
	calls := groupCalls()
	r.request(6200, "tools/call", map[string]any{"name": "list_all_okta_groups", "arguments": map[string]any{"limit": 3}})
	waitOrg(t, "the call to hang at the org", func() bool { return groupCalls() == calls+1 && org.Org.InFlight() == 1 })
	start := time.Now()
	r.request(nil, "notifications/cancelled", map[string]any{"requestId": 6200, "reason": "the user changed their mind"})
	waitOrg(t, "the org to see the connection close", func() bool { return org.Org.InFlight() == 0 })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the cancellation reached the org after %s", took)
	}
	// The SDK may still answer the cancelled call (MCP says it SHOULD NOT):
	// then with a cancelled tool error.
	r.request(6201, "tools/call", map[string]any{"name": "list_all_okta_groups", "arguments": map[string]any{"limit": 3}})
	for {
		m := r.next()
		if m["method"] != nil {
			continue
		}
		res, _ := m["result"].(map[string]any)
		if m["id"] == float64(6200) {
			if e := toolErrorOf(t, res); e["code"] != "cancelled" {
				t.Errorf("answer to the cancelled call: %v", e)
			}
			continue
		}
		if m["id"] != float64(6201) || res == nil || res["isError"] == true {
			t.Errorf("call after a cancellation: %.300v", m)
		}
		break
	}

	// SIGTERM with calls in flight.
	inFlight(t, r, org, "SIGTERM")

	written := append([]string{r.stderr.String()}, r.seen...)
	for _, name := range []string{"server.log", "audit.jsonl"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %d bytes, %v", name, len(b), err)
		}
		written = append(written, string(b))
	}
	return written
}

func waitOrg(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sentParams returns the distinct values of a form or query parameter in
// the requests the org received.
func sentParams(org *sandbox.Server, name string) []string {
	var out []string
	for _, r := range org.Org.Requests() {
		for _, raw := range []string{r.RawQuery, string(r.Body)} {
			q, _ := url.ParseQuery(raw)
			if v := q.Get(name); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// sweep fails when any written text holds one of the secrets.
func sweep(t *testing.T, written []string, secrets ...string) {
	t.Helper()
	if len(secrets) == 0 {
		t.Fatal("no secrets to look for")
	}
	total := 0
	for _, w := range written {
		total += len(w)
	}
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %q too short to look for", s)
		}
		for _, w := range written {
			if i := strings.Index(w, s); i >= 0 {
				t.Errorf("a secret (%.6s…) was written: …%.200s…", s, w[max(0, i-100):])
			}
		}
	}
	t.Logf("swept %d outputs (%d bytes) for %d secrets", len(written), total, len(secrets))
}
