package okta

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
)

var (
	testRSA = sync.OnceValue(func() *rsa.PrivateKey { k, _ := rsa.GenerateKey(rand.Reader, 2048); return k })
	testEC  = sync.OnceValue(func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k })
	otherEC = sync.OnceValue(func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k })
)

func pkcs8(t *testing.T, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recorder is a base transport that remembers every request it carried.
type recorder struct {
	mu   sync.Mutex
	seen []string // "METHOD scheme://host/path"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.Scheme+"://"+req.URL.Host+req.URL.Path)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

func fastPolicy() ratelimit.Policy {
	return ratelimit.Policy{Timeout: 10 * time.Second, Jitter: func() time.Duration { return time.Millisecond }}
}

// TestServiceAppTokenGoesThroughOurClient: in PrivateKey mode the SDK's
// token request is carried by our transport, to the configured org (not to
// OKTA_CLIENT_ORGURL), and the token is cached.
func TestServiceAppTokenGoesThroughOurClient(t *testing.T) {
	t.Setenv("OKTA_CLIENT_ORGURL", "http://127.0.0.9:1")
	t.Setenv("OKTA_CLIENT_AUTHORIZATIONMODE", "SSWS")
	t.Setenv("OKTA_CLIENT_CLIENTID", "0oastray")
	t.Setenv("OKTA_CLIENT_PRIVATEKEYID", "stray")
	t.Setenv("OKTA_CLIENT_SCOPES", "okta.apps.manage")
	s := startSandbox(t)
	s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oasvc", PublicKeys: []crypto.PublicKey{&testRSA().PublicKey},
		KeyIDs: []string{"k1"}, Scopes: []string{"okta.users.read"}})
	rec := &recorder{}
	c, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Base: rec, Credential: Credential{ServiceApp: &ServiceApp{
		ClientID: "0oasvc", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8(t, testRSA()), KeyID: "k1"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.ListUsers(t.Context(), SearchQuery{Limit: 2}); err != nil {
			t.Fatalf("ListUsers #%d: %v", i, err)
		}
	}
	want := []string{"POST " + s.URL + "/oauth2/v1/token", "GET " + s.URL + "/api/v1/users", "GET " + s.URL + "/api/v1/users"}
	if got := rec.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests through our transport:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := s.Org.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if warn, err := c.Verify(t.Context(), []string{"okta.users.read"}); err != nil || warn != "" {
		t.Errorf("Verify: %q %v", warn, err)
	}
}

// TestServiceAppDPoP: an app that requires DPoP works through the SDK's
// nonce dance, and API calls carry proofs.
func TestServiceAppDPoP(t *testing.T) {
	t.Parallel()
	s := startSandbox(t)
	s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oadpop", PublicKeys: []crypto.PublicKey{&testEC().PublicKey},
		KeyIDs: []string{"e1"}, Scopes: []string{"okta.users.read", "okta.groups.read"}, RequireDPoP: true})
	c, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{ServiceApp: &ServiceApp{
		ClientID: "0oadpop", Scopes: []string{"okta.users.read", "okta.groups.read"}, PrivateKeyPEM: pkcs8(t, testEC()), KeyID: "e1"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.GetUser(t.Context(), "jane.doe@company.com"); err != nil {
			t.Fatalf("GetUser #%d: %v", i, err)
		}
	}
	for _, r := range s.Org.Requests() {
		if strings.HasPrefix(r.Path, "/api/") && (r.Header.Get("DPoP") == "" || r.Status != 200) {
			t.Errorf("API call %s: status %d, DPoP %q", r.Path, r.Status, r.Header.Get("DPoP"))
		}
	}
}

// TestServiceAppTokenRenewedOn401: an access token Okta stops accepting
// before its expiry (here: the org expires every token) is dropped and the
// call made once more with a new token, reads and writes alike; the write
// reaches Okta once. With DPoP and without, and from concurrent calls.
func TestServiceAppTokenRenewedOn401(t *testing.T) {
	t.Parallel()
	for _, dpop := range []bool{false, true} {
		t.Run(fmt.Sprintf("dpop=%v", dpop), func(t *testing.T) {
			t.Parallel()
			s := startSandbox(t)
			s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oasvc", PublicKeys: []crypto.PublicKey{&testEC().PublicKey},
				KeyIDs: []string{"e1"}, Scopes: []string{"okta.users.manage"}, RequireDPoP: dpop})
			c, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{ServiceApp: &ServiceApp{
				ClientID: "0oasvc", Scopes: []string{"okta.users.manage"}, PrivateKeyPEM: pkcs8(t, testEC()), KeyID: "e1"}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetUser(t.Context(), sandbox.JaneDoeID); err != nil {
				t.Fatal(err)
			}
			s.Org.ExpireAccessTokens()
			if _, err := c.GetUser(t.Context(), sandbox.JaneDoeID); err != nil {
				t.Fatalf("read after the token was refused: %v", err)
			}
			s.Org.ExpireAccessTokens()
			if _, err := c.Send(t.Context(), c.Lifecycle(sandbox.JaneDoeID, OpSuspend, false)); err != nil {
				t.Fatalf("write after the token was refused: %v", err)
			}
			var statuses []int
			for _, r := range s.Org.Requests() {
				if strings.HasPrefix(r.Path, "/api/") {
					statuses = append(statuses, r.Status)
				}
			}
			if fmt.Sprint(statuses) != "[200 401 200 401 200]" {
				t.Errorf("API statuses %v, want [200 401 200 401 200]: each refused token renewed once, the write sent once more", statuses)
			}
			for _, u := range s.Org.Users() {
				if u.ID == sandbox.JaneDoeID && u.Status != "SUSPENDED" {
					t.Errorf("status %s after the suspend", u.Status)
				}
			}

			s.Org.ExpireAccessTokens()
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if _, err := c.ListUsers(t.Context(), SearchQuery{Limit: 1}); err != nil {
						t.Errorf("concurrent read after the token was refused: %v", err)
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestServiceAppTokenErrors: the SDK's "Empty access token" becomes a
// structured error that says what the token endpoint said, and never
// carries the client assertion.
func TestServiceAppTokenErrors(t *testing.T) {
	t.Parallel()
	s := startSandbox(t)
	s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oasvc", PublicKeys: []crypto.PublicKey{&testEC().PublicKey},
		KeyIDs: []string{"good"}, Scopes: []string{"okta.users.read"}})
	tests := []struct {
		name, kid, want string
		key             crypto.Signer
		scopes          []string
		status          int
	}{
		{"wrong key id", "nope", `'kid' "nope" does not name a key`, testEC(), []string{"okta.users.read"}, 401},
		{"wrong private key", "good", "signature is invalid", otherEC(), []string{"okta.users.read"}, 401},
		{"scope not granted", "good", "invalid_scope", testEC(), []string{"okta.users.manage"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{ServiceApp: &ServiceApp{
				ClientID: "0oasvc", Scopes: tt.scopes, PrivateKeyPEM: pkcs8(t, tt.key), KeyID: tt.kid}}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListUsers(t.Context(), SearchQuery{Limit: 1})
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeOAuthTokenFailed || e.Status != tt.status || !strings.Contains(e.Summary, tt.want) || e.Hint == "" {
				t.Fatalf("got %#v", err)
			}
			b, _ := json.Marshal(e)
			if strings.Contains(string(b), "eyJ") || strings.Contains(string(b), "client_assertion=") {
				t.Errorf("error carries the assertion: %s", b)
			}
		})
	}
	// No server at all: a connection error that names the token request,
	// without the token URL's query.
	dead := startSandbox(t)
	deadURL := dead.URL
	dead.Close()
	c, err := New(Options{OrgURL: deadURL, Policy: fastPolicy(), Credential: Credential{ServiceApp: &ServiceApp{
		ClientID: "0oasvc", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8(t, testEC()), KeyID: "good"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(t.Context(), SearchQuery{})
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 || e.Code != CodeConnection || !strings.Contains(e.Summary, "access token") || strings.Contains(e.Summary, "client_assertion") {
		t.Fatalf("got %#v", err)
	}
}

// deviceTokens signs in through the sandbox's device grant (approved at
// once) and returns an access and a refresh token.
func deviceTokens(t *testing.T, s *sandbox.Server, clientID string) (access, refresh string) {
	t.Helper()
	s.Org.DeviceDecision("", sandbox.DeviceApproved)
	var dc struct {
		DeviceCode string `json:"device_code"`
	}
	postJSON(t, s.URL+"/oauth2/v1/device/authorize", url.Values{"client_id": {clientID}, "scope": {"okta.users.read offline_access"}}, &dc)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	postJSON(t, s.URL+"/oauth2/v1/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dc.DeviceCode}, "client_id": {clientID}}, &tok)
	return tok.AccessToken, tok.RefreshToken
}

func postJSON(t *testing.T, u string, form url.Values, v any) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// refreshSource is a TokenSource over the sandbox's refresh grant.
type refreshSource struct {
	t                 *testing.T
	url, clientID     string
	mu                sync.Mutex
	access, refresh   string
	calls, invalidate atomic.Int32
}

func (r *refreshSource) token(ctx context.Context) (string, error) {
	r.calls.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.access != "" {
		return r.access, nil
	}
	resp, err := http.PostForm(r.url+"/oauth2/v1/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.refresh}, "client_id": {r.clientID}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", &TokenError{Status: resp.StatusCode, OAuthCode: "invalid_grant", SignInAgain: true,
			Err: fmt.Errorf("the stored Okta sign-in is no longer valid: run `okta-mcp auth login --device` again")}
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return "", err
	}
	r.access, r.refresh = tok.AccessToken, tok.RefreshToken
	return r.access, nil
}

func (r *refreshSource) drop() {
	r.invalidate.Add(1)
	r.mu.Lock()
	r.access = ""
	r.mu.Unlock()
}

// TestDeviceTokenSource: the access token goes out as a Bearer token; a
// 401 after the org expired it invalidates, refreshes and retries once; a
// revoked refresh token is an oauth_sign_in_required error.
func TestDeviceTokenSource(t *testing.T) {
	t.Parallel()
	s := startSandbox(t)
	s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oadevice", Device: true, Scopes: []string{"okta.users.read"}})
	access, refresh := deviceTokens(t, s, "0oadevice")
	src := &refreshSource{t: t, url: s.URL, clientID: "0oadevice", access: access, refresh: refresh}
	c, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{Device: &TokenSource{Token: src.token, Invalidate: src.drop}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListUsers(t.Context(), SearchQuery{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	s.Org.ExpireAccessTokens()
	if _, err := c.ListUsers(t.Context(), SearchQuery{Limit: 1}); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := src.invalidate.Load(); n != 1 {
		t.Errorf("%d invalidations, want 1", n)
	}
	var statuses []int
	for _, r := range s.Org.Requests() {
		if r.Path == "/api/v1/users" {
			statuses = append(statuses, r.Status)
		}
	}
	if fmt.Sprint(statuses) != "[200 401 200]" {
		t.Errorf("API statuses %v, want [200 401 200]", statuses)
	}

	s.Org.RevokeRefreshTokens("0oadevice")
	s.Org.ExpireAccessTokens()
	_, err = c.ListUsers(t.Context(), SearchQuery{Limit: 1})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeSignInRequired || !strings.Contains(e.Summary, "auth login --device") || e.Status != 400 {
		t.Fatalf("revoked: %#v", err)
	}
}

func TestBearerTransportStaysOnTheOrg(t *testing.T) {
	t.Parallel()
	org, _ := url.Parse("http://127.0.0.1:8080")
	bt := bearerTransport{src: &TokenSource{Token: func(context.Context) (string, error) { return "secret-access", nil }}, org: org, next: http.DefaultTransport}
	req, _ := http.NewRequest("GET", "http://127.0.0.2:8080/api/v1/users", nil)
	if _, err := bt.RoundTrip(req); err == nil || strings.Contains(err.Error(), "secret-access") {
		t.Fatalf("another host: %v", err)
	}
}

func TestCredentialKinds(t *testing.T) {
	t.Parallel()
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(testEC())
	bad := []struct {
		name string
		cred Credential
		want string
	}{
		{"none", Credential{}, "auth login"},
		{"two", Credential{APIToken: "x", Device: &TokenSource{Token: func(context.Context) (string, error) { return "", nil }}}, "exactly one"},
		{"no client id", Credential{ServiceApp: &ServiceApp{Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8(t, testEC())}}, "client ID"},
		{"no scopes", Credential{ServiceApp: &ServiceApp{ClientID: "0oa1", PrivateKeyPEM: pkcs8(t, testEC())}}, "scopes"},
		{"P-384", Credential{ServiceApp: &ServiceApp{ClientID: "0oa1", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8(t, p384)}}, "P-256"},
		{"SEC1", Credential{ServiceApp: &ServiceApp{ClientID: "0oa1", Scopes: []string{"okta.users.read"},
			PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}))}}, "PKCS#8"},
		{"no token func", Credential{Device: &TokenSource{}}, "Token"},
	}
	for _, tt := range bad {
		if _, err := New(Options{OrgURL: "https://acme.okta.com", Credential: tt.cred}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
	key := pkcs8(t, testRSA())
	c := Credential{ServiceApp: &ServiceApp{ClientID: "0oa1", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: key, KeyID: "k"}}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v %#v %s %q", c, c, c, c), fmt.Sprintf("%#v %+v", *c.ServiceApp, *c.ServiceApp), fmt.Sprintf("%v", Credential{APIToken: "secret-ssws"})} {
		if strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, "secret-ssws") || strings.Contains(s, strings.Split(key, "\n")[1]) {
			t.Errorf("formatted credential shows a secret: %s", s)
		}
	}
	if _, err := New(Options{OrgURL: "https://acme.okta.com", Credential: c}); err != nil {
		t.Errorf("RSA PKCS#8 service app: %v", err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	s := startSandbox(t)
	good, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{APIToken: s.Org.Token()}})
	if err != nil {
		t.Fatal(err)
	}
	if warn, err := good.Verify(t.Context(), nil); err != nil || warn != "" {
		t.Errorf("good token: %q %v", warn, err)
	}
	bad, _ := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{APIToken: "wrong-token"}})
	_, err = bad.Verify(t.Context(), nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 401 {
		t.Errorf("bad token: %v", err)
	}
	// A service app with only a logs or a sessions scope is checked with a
	// request those scopes allow.
	for _, scope := range []string{"okta.logs.read", "okta.sessions.read", "okta.groups.manage", "okta.roles.read"} {
		s.Org.RegisterOAuthApp(sandbox.OAuthApp{ClientID: "0oa" + scope, PublicKeys: []crypto.PublicKey{&testEC().PublicKey}, KeyIDs: []string{""}, Scopes: []string{scope}})
		c, err := New(Options{OrgURL: s.URL, Policy: fastPolicy(), Credential: Credential{ServiceApp: &ServiceApp{
			ClientID: "0oa" + scope, Scopes: []string{scope}, PrivateKeyPEM: pkcs8(t, testEC())}}})
		if err != nil {
			t.Fatal(err)
		}
		if warn, err := c.Verify(t.Context(), []string{scope}); err != nil || warn != "" {
			t.Errorf("%s: %q %v", scope, warn, err)
		}
	}
	if _, err := good.Verify(t.Context(), []string{"openid"}); err == nil {
		t.Error("Verify with no usable scope passed")
	}
}
