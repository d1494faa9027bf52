package sandbox

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const readScopes = "okta.users.read okta.groups.read"

// TestOAuthSDKPrivateKey: the real SDK in PrivateKey mode (RSA as PKCS#1,
// EC P-256 as PKCS#8) gets a token with its query-string token request and
// calls the API with it; the token is cached.
func TestOAuthSDKPrivateKey(t *testing.T) {
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey(0))}))
	for _, tc := range []struct {
		name, pem, kid string
		pub            crypto.PublicKey
	}{
		{"RSA", rsaPEM, "rsa-kid", &rsaKey(0).PublicKey},
		{"EC", pkcs8PEM(t, ecKey(0)), "ec-kid", &ecKey(0).PublicKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oaservice", PublicKeys: []crypto.PublicKey{tc.pub},
				KeyIDs: []string{tc.kid}, Scopes: []string{"okta.users.read", "okta.groups.manage"}})
			c := privateKeySDK(t, s, "0oaservice", tc.pem, tc.kid, "okta.users.read", "okta.groups.manage")
			for i := 0; i < 2; i++ {
				if st, _, err := sdkListUsers(t, c); err != nil || st != 200 {
					t.Fatalf("ListUsers #%d: %d %v", i, st, err)
				}
			}
			if _, _, err := c.GroupAPI.ListGroups(context.Background()).Execute(); err != nil {
				t.Fatalf("ListGroups (okta.groups.manage implies read): %v", err)
			}
			if n := s.Org.TokenRequests(); n != 1 {
				t.Errorf("%d token requests, want 1 (the SDK caches the token)", n)
			}
			var sawToken, sawAPI bool
			for _, r := range s.Org.Requests() {
				switch r.Path {
				case tokenPath:
					sawToken = true
					q, _ := url.ParseQuery(r.RawQuery)
					if len(r.Body) != 0 || q.Get("grant_type") != "client_credentials" || q.Get("client_assertion") == "" {
						t.Errorf("SDK token request: query %q body %q", r.RawQuery, r.Body)
					}
				case "/api/v1/users":
					sawAPI = true
					if r.Header.Get("DPoP") != "" || r.Status != 200 {
						t.Errorf("API call: status %d DPoP %q", r.Status, r.Header.Get("DPoP"))
					}
				}
			}
			if !sawToken || !sawAPI {
				t.Errorf("requests: token %v api %v", sawToken, sawAPI)
			}
		})
	}
}

// TestOAuthSDKDPoP: with an app that requires DPoP, the SDK goes through
// invalid_dpop_proof → use_dpop_nonce → DPoP token and sends proofs.
func TestOAuthSDKDPoP(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oadpop", PublicKeys: []crypto.PublicKey{&ecKey(0).PublicKey},
		KeyIDs: []string{"k1"}, Scopes: []string{"okta.users.read"}, RequireDPoP: true})
	c := privateKeySDK(t, s, "0oadpop", pkcs8PEM(t, ecKey(0)), "k1", "okta.users.read")
	for i := 0; i < 3; i++ {
		if st, _, err := sdkListUsers(t, c); err != nil || st != 200 {
			t.Fatalf("ListUsers #%d: %d %v", i, st, err)
		}
	}
	var tokenStatuses []int
	apiCalls := 0
	for _, r := range s.Org.Requests() {
		switch r.Path {
		case tokenPath:
			tokenStatuses = append(tokenStatuses, r.Status)
		case "/api/v1/users":
			apiCalls++
			if r.Header.Get("DPoP") == "" || r.Status != 200 {
				t.Errorf("API call: status %d, DPoP %q", r.Status, r.Header.Get("DPoP"))
			}
		}
	}
	if len(tokenStatuses) != 3 || tokenStatuses[0] != 400 || tokenStatuses[1] != 400 || tokenStatuses[2] != 200 {
		t.Errorf("token request statuses %v, want [400 400 200]", tokenStatuses)
	}
	if apiCalls != 3 || s.Org.TokenRequests() != 3 {
		t.Errorf("%d API calls, %d token requests", apiCalls, s.Org.TokenRequests())
	}
}

// TestOAuthSDKInsufficientScope: a token without okta.users.read gets 403,
// an empty body and the insufficient_scope challenge.
func TestOAuthSDKInsufficientScope(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oagroups", PublicKeys: []crypto.PublicKey{&rsaKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.groups.read"}})
	c := privateKeySDK(t, s, "0oagroups", pkcs8PEM(t, rsaKey(0)), "", "okta.groups.read")
	st, resp, err := sdkListUsers(t, c)
	if err == nil || st != http.StatusForbidden {
		t.Fatalf("ListUsers: %d %v, want 403", st, err)
	}
	want := `Bearer authorization_uri="` + s.URL + `/oauth2/v1/authorize", realm="IdpMyAccountAPI", scope="okta.users.read", ` +
		`error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/users"`
	if got := resp.Header.Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate\n got %s\nwant %s", got, want)
	}
	if resp.ContentLength != 0 {
		t.Errorf("Content-Length %d, want an empty body", resp.ContentLength)
	}
	if _, _, err := c.GroupAPI.ListGroups(context.Background()).Execute(); err != nil {
		t.Errorf("ListGroups: %v", err)
	}
}

// TestOAuthClientAssertionErrors: each broken assertion gets invalid_client
// (401); an ungranted scope invalid_scope; a bad grant type its error.
func TestOAuthClientAssertionErrors(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oaapp", PublicKeys: []crypto.PublicKey{&rsaKey(0).PublicKey, &ecKey(0).PublicKey},
		KeyIDs: []string{"r1", "e1"}, Scopes: []string{"okta.users.read", "okta.groups.read"}})
	good := func(mod func(h, c map[string]any)) (string, map[string]any) {
		h, c := map[string]any{"kid": "r1"}, assertionClaims(s, "0oaapp")
		if mod != nil {
			mod(h, c)
		}
		alg, key := "RS256", crypto.Signer(rsaKey(0))
		if h["kid"] == "e1" {
			alg, key = "ES256", ecKey(0)
		}
		if a, ok := h["_alg"].(string); ok {
			alg = a
			delete(h, "_alg")
		}
		if k, ok := h["_key"].(crypto.Signer); ok {
			key = k
			delete(h, "_key")
		}
		return signJWS(t, key, alg, h, c), c
	}

	// The good ones first: RSA and EC keys, query or form body, RS512 too.
	a, _ := good(nil)
	r := postOAuth(t, s, tokenPath, ccForm(a, readScopes), true)
	wantToken(t, "RS256 in query", r, "Bearer", readScopes)
	if r.body["expires_in"] != float64(3600) {
		t.Errorf("expires_in %v, want 3600", r.body["expires_in"])
	}
	a, _ = good(func(h, c map[string]any) { h["kid"] = "e1" })
	wantToken(t, "ES256 in body", postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), false), "Bearer", "okta.users.read")
	a, _ = good(func(h, c map[string]any) { h["_alg"] = "RS512"; c["aud"] = []string{"x", s.URL + tokenPath} })
	wantToken(t, "RS512, aud array", postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), false), "Bearer", "okta.users.read")
	a, _ = good(func(h, c map[string]any) { delete(c, "jti") })
	form := ccForm(a, "okta.users.read")
	form.Set("client_id", "0oaapp")
	wantToken(t, "no jti (as the SDK), client_id given", postOAuth(t, s, tokenPath, form, false), "Bearer", "okta.users.read")
	wantToken(t, "no jti again", postOAuth(t, s, tokenPath, form, false), "Bearer", "okta.users.read")

	// Replay: the same jti twice.
	a, _ = good(nil)
	wantToken(t, "first use", postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), true), "Bearer", "okta.users.read")
	wantOAuthError(t, "replayed jti", postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), true), 401, "invalid_client")

	now := time.Now().Unix()
	for _, tc := range []struct {
		name, desc string // desc: part of the error_description
		mod        func(h, c map[string]any)
	}{
		{"wrong key", "signature is invalid", func(h, c map[string]any) { h["_key"] = rsaKey(1) }},
		{"wrong kid", `"nope" does not name a key`, func(h, c map[string]any) { h["kid"] = "nope" }},
		{"no kid", "no 'kid'", func(h, c map[string]any) { delete(h, "kid") }},
		{"alg of the other key type", "does not suit an EC key", func(h, c map[string]any) { h["kid"] = "e1"; h["_alg"] = "RS256"; h["_key"] = rsaKey(0) }},
		{"expired", "expired", func(h, c map[string]any) { c["iat"], c["exp"] = now-600, now-10 }},
		{"exp too far", "too far", func(h, c map[string]any) { c["iat"], c["exp"] = now, now+7200 }},
		{"exp more than 1h after iat", "too far", func(h, c map[string]any) { c["iat"], c["exp"] = now-3000, now+1000 }},
		{"no exp", "'exp'", func(h, c map[string]any) { delete(c, "exp") }},
		{"iat in the future", "in the future", func(h, c map[string]any) { c["iat"] = now + 600 }},
		{"wrong aud", "audience", func(h, c map[string]any) { c["aud"] = "https://example.okta.com/oauth2/v1/token" }},
		{"iss not client", "'iss' and 'sub'", func(h, c map[string]any) { c["iss"] = "someone" }},
		{"unknown client", "client_id", func(h, c map[string]any) { c["iss"], c["sub"] = "0oaother", "0oaother" }},
	} {
		a, _ := good(tc.mod)
		r := postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), true)
		wantOAuthError(t, tc.name, r, 401, "invalid_client")
		if !strings.Contains(r.str("error_description"), tc.desc) {
			t.Errorf("%s: description %q, want it to say %q", tc.name, r.str("error_description"), tc.desc)
		}
	}
	// A tampered payload fails the signature.
	a, _ = good(nil)
	parts := strings.Split(a, ".")
	parts[1] = b64.EncodeToString([]byte(`{"iss":"0oaapp","sub":"0oaapp","aud":"` + s.URL + tokenPath + `","exp":9999999999}`))
	wantOAuthError(t, "tampered", postOAuth(t, s, tokenPath, ccForm(strings.Join(parts, "."), "okta.users.read"), true), 401, "invalid_client")
	none := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	wantOAuthError(t, "alg none", postOAuth(t, s, tokenPath, ccForm(none, "okta.users.read"), true), 401, "invalid_client")
	wantOAuthError(t, "garbage", postOAuth(t, s, tokenPath, ccForm("not-a-jwt", "okta.users.read"), true), 401, "invalid_client")
	a, _ = good(nil)
	f := ccForm(a, "okta.users.read")
	f.Set("client_assertion_type", "urn:other")
	wantOAuthError(t, "wrong assertion type", postOAuth(t, s, tokenPath, f, false), 401, "invalid_client")

	a, _ = good(nil)
	r = postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read okta.users.manage"), true)
	wantOAuthError(t, "ungranted scope", r, 400, "invalid_scope")
	if !strings.Contains(r.str("error_description"), "okta.users.manage") {
		t.Errorf("invalid_scope description %q does not name the scope", r.str("error_description"))
	}
	a, _ = good(nil)
	wantOAuthError(t, "no scope", postOAuth(t, s, tokenPath, ccForm(a, ""), true), 400, "invalid_scope")
	a, _ = good(nil)
	f = ccForm(a, "okta.users.read")
	f.Set("grant_type", "password")
	wantOAuthError(t, "password grant", postOAuth(t, s, tokenPath, f, false), 400, "unsupported_grant_type")
	f.Del("grant_type")
	wantOAuthError(t, "no grant type", postOAuth(t, s, tokenPath, f, false), 400, "invalid_request")

	// A GET is not the token endpoint.
	if r := do(t, s, http.MethodGet, tokenPath, "-"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d", r.status)
	}
}

// TestOAuthAPIAccess: Bearer tokens on the API: scopes, 403 and 401
// answers, expiry by clock and by ExpireAccessTokens; SSWS unchanged.
func TestOAuthAPIAccess(t *testing.T) {
	clock := newFakeClock(time.Now())
	s := startServer(t, Options{Now: clock.Now})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oaapp", PublicKeys: []crypto.PublicKey{&rsaKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.manage", "okta.groups.read", "okta.logs.read"}})
	token := func(scope string) string {
		t.Helper()
		a := signJWS(t, rsaKey(0), "RS256", nil, assertionClaims(s, "0oaapp"))
		return wantToken(t, scope, postOAuth(t, s, tokenPath, ccForm(a, scope), false), "Bearer", scope)
	}
	users := token("okta.users.manage")
	groups := token("okta.groups.read")

	for _, p := range []string{"/api/v1/users", "/api/v1/users/" + JaneDoeID, "/api/v1/users/" + JaneDoeID + "/groups"} {
		if r := doAuth(t, s, "GET", p, "Bearer "+users, ""); r.status != 200 {
			t.Errorf("GET %s with okta.users.manage: %d %s", p, r.status, r.body)
		}
	}
	if r := doAuth(t, s, "GET", "/api/v1/groups", "bearer "+groups, ""); r.status != 200 {
		t.Errorf("GET groups with okta.groups.read (scheme in lower case): %d %s", r.status, r.body)
	}
	r := doAuth(t, s, "GET", "/api/v1/groups?limit=2", "Bearer "+users, "")
	want := `Bearer authorization_uri="` + s.URL + `/oauth2/v1/authorize", realm="IdpMyAccountAPI", scope="okta.groups.read", ` +
		`error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/groups"`
	if r.status != 403 || len(r.body) != 0 || r.header.Get("WWW-Authenticate") != want {
		t.Errorf("groups with a users token: %d %q %s", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
	if r.header.Get("X-Rate-Limit-Limit") == "" || r.header.Get("X-Okta-Request-Id") == "" {
		t.Errorf("403 headers %v", r.header)
	}

	wantInvalid := func(what string, r response) {
		t.Helper()
		want := `Bearer authorization_uri="` + s.URL + `/oauth2/v1/authorize", realm="IdpMyAccountAPI", error="invalid_token", error_description="The access token is invalid."`
		var body oktaErrorBody
		_ = json.Unmarshal(r.body, &body)
		if r.status != 401 || body.ErrorCode != codeInvalidToken || r.header.Get("WWW-Authenticate") != want {
			t.Errorf("%s: %d %s %q", what, r.status, r.body, r.header.Get("WWW-Authenticate"))
		}
	}
	wantInvalid("unknown token", doAuth(t, s, "GET", "/api/v1/users", "Bearer nope", ""))
	wantInvalid("Bearer token with DPoP scheme", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+users, ""))

	// SSWS as before: full access, and no challenge when it is wrong.
	if r := get(t, s, "/api/v1/groups?limit=1"); r.status != 200 {
		t.Errorf("SSWS: %d", r.status)
	}
	for _, auth := range []string{"-", "SSWS " + users, "Basic abc"} {
		if r := do(t, s, "GET", "/api/v1/users", auth); r.status != 401 || r.header.Get("WWW-Authenticate") != "" || !strings.Contains(string(r.body), codeInvalidToken) {
			t.Errorf("%q: %d %s %q", auth, r.status, r.body, r.header.Get("WWW-Authenticate"))
		}
	}

	// Expiry follows the org clock.
	clock.Advance(59 * time.Minute)
	if r := doAuth(t, s, "GET", "/api/v1/users/"+JaneDoeID, "Bearer "+users, ""); r.status != 200 {
		t.Errorf("after 59 min: %d", r.status)
	}
	clock.Advance(time.Minute)
	wantInvalid("after 1 h", doAuth(t, s, "GET", "/api/v1/users/"+JaneDoeID, "Bearer "+users, ""))

	s.Org.AccessTokenTTL(90 * time.Second)
	a := signJWS(t, rsaKey(0), "RS256", nil, assertionClaims(s, "0oaapp"))
	r2 := postOAuth(t, s, tokenPath, ccForm(a, "okta.logs.read"), false)
	if e, _ := r2.body["expires_in"].(float64); e != 90 {
		t.Errorf("expires_in %v after AccessTokenTTL(90s)", r2.body["expires_in"])
	}
	fresh := token("okta.users.manage")
	if r := doAuth(t, s, "GET", "/api/v1/users/"+JaneDoeID, "Bearer "+fresh, ""); r.status != 200 {
		t.Errorf("fresh token: %d", r.status)
	}
	s.Org.ExpireAccessTokens()
	wantInvalid("after ExpireAccessTokens", doAuth(t, s, "GET", "/api/v1/users/"+JaneDoeID, "Bearer "+fresh, ""))
}

// TestOAuthDPoPByHand walks the DPoP dance and API proofs without the SDK.
func TestOAuthDPoPByHand(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oadpop", PublicKeys: []crypto.PublicKey{&rsaKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.read"}, RequireDPoP: true})
	form := func() url.Values {
		return ccForm(signJWS(t, rsaKey(0), "RS256", nil, assertionClaims(s, "0oadpop")), "okta.users.read")
	}
	dk := ecKey(1)
	htu := s.URL + tokenPath

	r := postOAuth(t, s, tokenPath, form(), false)
	wantOAuthError(t, "no proof", r, 400, "invalid_dpop_proof")
	if r.str("error_description") != "DPoP proof is missing" {
		t.Errorf("description %q", r.str("error_description"))
	}
	r = postOAuth(t, s, tokenPath, form(), false, "DPoP", dpopProofFor(t, dk, "POST", htu, "", ""))
	wantOAuthError(t, "no nonce", r, 400, "use_dpop_nonce")
	nonce := r.header.Get("DPoP-Nonce")
	if nonce == "" {
		t.Fatal("no DPoP-Nonce header")
	}
	wantOAuthError(t, "wrong nonce", postOAuth(t, s, tokenPath, form(), false, "DPoP", dpopProofFor(t, dk, "POST", htu, "stale", "")), 400, "use_dpop_nonce")
	wantOAuthError(t, "wrong htu", postOAuth(t, s, tokenPath, form(), false, "DPoP", dpopProofFor(t, dk, "POST", s.URL+"/oauth2/v1/other", nonce, "")), 400, "invalid_dpop_proof")
	wantOAuthError(t, "wrong htm", postOAuth(t, s, tokenPath, form(), false, "DPoP", dpopProofFor(t, dk, "GET", htu, nonce, "")), 400, "invalid_dpop_proof")
	proof := dpopProofFor(t, dk, "POST", htu+"?ignored=1", nonce, "")
	tok := wantToken(t, "with nonce", postOAuth(t, s, tokenPath, form(), true, "DPoP", proof), "DPoP", "okta.users.read")
	wantOAuthError(t, "replayed proof", postOAuth(t, s, tokenPath, form(), true, "DPoP", proof), 400, "invalid_dpop_proof")

	api := s.URL + "/api/v1/users"
	wantDPoPChallenge := func(what string, r response, errCode, desc string) {
		t.Helper()
		auth := r.header.Get("WWW-Authenticate")
		if r.status != 401 || !strings.HasPrefix(auth, `DPoP algs="RS256 ES256", authorization_uri="`+s.URL+`/oauth2/v1/authorize", realm="IdpMyAccountAPI", error="`+errCode+`"`) ||
			!strings.Contains(auth, desc) || !strings.Contains(string(r.body), codeInvalidToken) {
			t.Errorf("%s: %d %q, want error %s saying %q", what, r.status, auth, errCode, desc)
		}
	}
	good := dpopProofFor(t, dk, "GET", api, nonce, tok)
	if r := doAuth(t, s, "GET", "/api/v1/users?limit=3", "DPoP "+tok, good); r.status != 200 {
		t.Fatalf("DPoP call: %d %s %s", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
	wantDPoPChallenge("same proof again", doAuth(t, s, "GET", "/api/v1/users?limit=3", "DPoP "+tok, good), "invalid_dpop_proof", "already been used")
	wantDPoPChallenge("as Bearer", doAuth(t, s, "GET", "/api/v1/users", "Bearer "+tok, dpopProofFor(t, dk, "GET", api, "", tok)), "invalid_token", "The access token is invalid.")
	wantDPoPChallenge("no proof", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, ""), "invalid_dpop_proof", "missing")
	wantDPoPChallenge("wrong ath", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, dpopProofFor(t, dk, "GET", api, "", tok+"x")), "invalid_dpop_proof", "'ath'")
	wantDPoPChallenge("no ath", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, dpopProofFor(t, dk, "GET", api, "", "")), "invalid_dpop_proof", "'ath'")
	wantDPoPChallenge("other key", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, dpopProofFor(t, ecKey(0), "GET", api, "", tok)), "invalid_dpop_proof", "binding")
	wantDPoPChallenge("wrong htu", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, dpopProofFor(t, dk, "GET", s.URL+"/api/v1/groups", "", tok)), "invalid_dpop_proof", "'htu'")
	wantDPoPChallenge("wrong htm", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, dpopProofFor(t, dk, "POST", api, "", tok)), "invalid_dpop_proof", "'htm'")
	old := signJWS(t, dk, "ES256", map[string]any{"typ": "dpop+jwt", "jwk": jwkOf(t, dk)},
		map[string]any{"htm": "GET", "htu": api, "iat": time.Now().Add(-10 * time.Minute).Unix(), "jti": "old", "ath": athOf(tok)})
	wantDPoPChallenge("old iat", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, old), "invalid_dpop_proof", "'iat'")
	notTyp := signJWS(t, dk, "ES256", map[string]any{"typ": "JWT", "jwk": jwkOf(t, dk)},
		map[string]any{"htm": "GET", "htu": api, "iat": time.Now().Unix(), "jti": "t1", "ath": athOf(tok)})
	wantDPoPChallenge("typ JWT", doAuth(t, s, "GET", "/api/v1/users", "DPoP "+tok, notTyp), "invalid_dpop_proof", "'typ'")

	// Scope check with the DPoP challenge.
	r3 := doAuth(t, s, "GET", "/api/v1/groups", "DPoP "+tok, dpopProofFor(t, dk, "GET", s.URL+"/api/v1/groups", "", tok))
	if auth := r3.header.Get("WWW-Authenticate"); r3.status != 403 || len(r3.body) != 0 ||
		!strings.HasPrefix(auth, `DPoP algs="RS256 ES256", `) || !strings.Contains(auth, `scope="okta.groups.read", error="insufficient_scope"`) {
		t.Errorf("groups: %d %q %q", r3.status, r3.body, auth)
	}
}

func athOf(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return b64.EncodeToString(sum[:])
}

// TestOAuthDPoPRetryAfter429: a request answered 429 by the rate limiter
// may be re-sent with the very same proof, as the SDK's retry does.
func TestOAuthDPoPRetryAfter429(t *testing.T) {
	clock := newFakeClock(time.Now())
	s := startServer(t, Options{Now: clock.Now})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oadpop", PublicKeys: []crypto.PublicKey{&ecKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.read"}, RequireDPoP: true})
	s.Org.SetRateLimit("GET /api/v1/users/{id}", 1, time.Minute)
	dk := rsaKey(1)
	htu := s.URL + tokenPath
	form := ccForm(signJWS(t, ecKey(0), "ES256", nil, assertionClaims(s, "0oadpop")), "okta.users.read")
	nonce := postOAuth(t, s, tokenPath, form, false, "DPoP", dpopProofFor(t, dk, "POST", htu, "", "")).header.Get("DPoP-Nonce")
	tok := wantToken(t, "token", postOAuth(t, s, tokenPath, form, false, "DPoP", dpopProofFor(t, dk, "POST", htu, nonce, "")), "DPoP", "okta.users.read")
	p := "/api/v1/users/" + JaneDoeID
	if r := doAuth(t, s, "GET", p, "DPoP "+tok, dpopProofFor(t, dk, "GET", s.URL+p, "", tok)); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	proof := dpopProofFor(t, dk, "GET", s.URL+p, "", tok)
	if r := doAuth(t, s, "GET", p, "DPoP "+tok, proof); r.status != 429 {
		t.Fatalf("second: %d, want 429", r.status)
	}
	clock.Advance(time.Minute)
	if r := doAuth(t, s, "GET", p, "DPoP "+tok, proof); r.status != 200 {
		t.Fatalf("retry with the same proof: %d %s %s", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
	if r := doAuth(t, s, "GET", p, "DPoP "+tok, proof); r.status != 401 {
		t.Fatalf("replay after success: %d", r.status)
	}
}

// TestOAuthOwnRateBucket: the token endpoint has its own bucket and no SSWS.
func TestOAuthOwnRateBucket(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oaapp", PublicKeys: []crypto.PublicKey{&rsaKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.read"}})
	s.Org.SetRateLimit("POST /oauth2/v1/token", 2, time.Minute)
	before := rateOf(t, get(t, s, "/api/v1/users?limit=1"))
	for i, want := range []int{200, 200, 429} {
		a := signJWS(t, rsaKey(0), "RS256", nil, assertionClaims(s, "0oaapp"))
		r := postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), false)
		if r.status != want || r.header.Get("X-Rate-Limit-Limit") != "2" {
			t.Errorf("token #%d: %d limit %q", i, r.status, r.header.Get("X-Rate-Limit-Limit"))
		}
	}
	after := rateOf(t, get(t, s, "/api/v1/users?limit=1"))
	if after.remaining != before.remaining-1 {
		t.Errorf("users bucket remaining %d → %d: token requests counted against it", before.remaining, after.remaining)
	}
}

// TestScopeTable: parameter names and wildcards; every registered API
// route has a scope.
func TestScopeTable(t *testing.T) {
	for _, tc := range []struct{ method, template, want string }{
		{"GET", "/api/v1/users", "okta.users.read"},
		{"HEAD", "/api/v1/users", "okta.users.read"},
		{"GET", "/api/v1/users/{userId}", "okta.users.read"},
		{"POST", "/api/v1/users/{userId}/lifecycle/suspend", "okta.users.manage"},
		{"POST", "/api/v1/users/{id}/lifecycle/{op}", "okta.users.manage"},
		{"DELETE", "/api/v1/users/{id}/sessions", "okta.users.manage"},
		{"DELETE", "/api/v1/groups/{groupId}/users/{userId}", "okta.groups.manage"},
		{"GET", "/api/v1/iam/roles", "okta.roles.read"},
		{"GET", "/api/v1/iam/resource-sets/{id}/resources", "okta.roles.read"},
		{"POST", "/api/v1/iam/roles", "okta.roles.manage"},
		{"DELETE", "/api/v1/users/{userId}/roles/{roleId}", "okta.roles.manage"},
		{"GET", "/api/v1/logs", "okta.logs.read"},
		{"GET", "/api/v1/sessions/{sessionId}", "okta.sessions.read"},
		{"GET", "/api/v1/unknown", ""},
		{"GET", "", ""},
	} {
		if got := requiredScope(tc.method, tc.template); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.method, tc.template, got, tc.want)
		}
	}
	for _, r := range apiRouter.routes {
		if !strings.HasPrefix(r.template, apiPrefix) {
			continue
		}
		for m := range r.methods {
			if requiredScope(m, r.template) == "" {
				t.Errorf("route %s %s has no OAuth scope: add it to routeScopes (oauth_scopes.go)", m, r.template)
			}
		}
	}
	for _, g := range []struct {
		granted []string
		need    string
		ok      bool
	}{
		{[]string{"okta.users.manage"}, "okta.users.read", true},
		{[]string{"okta.users.read"}, "okta.users.manage", false},
		{[]string{"okta.groups.manage"}, "okta.users.read", false},
	} {
		if hasScope(g.granted, g.need) != g.ok {
			t.Errorf("hasScope(%v, %s) != %v", g.granted, g.need, g.ok)
		}
	}
}

// TestJWSVerify: algorithms, key types, and what must be refused.
func TestJWSVerify(t *testing.T) {
	claims := map[string]any{"sub": "x"}
	for _, tc := range []struct {
		alg string
		key crypto.Signer
		pub crypto.PublicKey
		ok  bool
	}{
		{"RS256", rsaKey(0), &rsaKey(0).PublicKey, true},
		{"RS384", rsaKey(0), &rsaKey(0).PublicKey, true},
		{"RS512", rsaKey(0), &rsaKey(0).PublicKey, true},
		{"ES256", ecKey(0), &ecKey(0).PublicKey, true},
		{"RS256", rsaKey(0), &rsaKey(1).PublicKey, false},
		{"ES256", ecKey(0), &ecKey(1).PublicKey, false},
		{"ES384", ecKey(0), &ecKey(0).PublicKey, false}, // P-256 key with ES384
	} {
		j, err := parseJWS(signJWS(t, tc.key, tc.alg, nil, claims))
		if err != nil {
			t.Fatal(err)
		}
		if err := j.verify(tc.pub); (err == nil) != tc.ok {
			t.Errorf("%s %T: %v, want ok=%v", tc.alg, tc.pub, err, tc.ok)
		}
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := parseJWS(signJWS(t, small, "RS256", nil, claims))
	if err := j.verify(&small.PublicKey); err == nil {
		t.Error("1024-bit RSA key accepted")
	}
	for _, bad := range []string{"", "a.b", "a.b.c.d", "e30.e30.", "bm90anNvbg.e30.AA"} {
		if j, err := parseJWS(bad); err == nil {
			if j.verify(&rsaKey(0).PublicKey) == nil {
				t.Errorf("%q verified", bad)
			}
		}
	}
	// JWK thumbprint, RFC 7638 §3.1 example.
	_, jkt, err := parseJWK(json.RawMessage(`{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`))
	if err != nil || jkt != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("thumbprint %q %v", jkt, err)
	}
	if _, _, err := parseJWK(json.RawMessage(`{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}`)); err == nil {
		t.Error("bad EC point accepted")
	}
	if _, _, err := parseJWK(json.RawMessage(`{"kty":"oct","k":"AAAA"}`)); err == nil {
		t.Error("symmetric jwk accepted")
	}
}

// TestOAuthConcurrent: token requests, API calls and test controls at once
// (for -race).
func TestOAuthConcurrent(t *testing.T) {
	s := startServer(t, Options{})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oaapp", PublicKeys: []crypto.PublicKey{&ecKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.read"}})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oadpop", PublicKeys: []crypto.PublicKey{&ecKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.read"}, RequireDPoP: true})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				c := privateKeySDK(t, s, "0oadpop", pkcs8PEM(t, ecKey(0)), "", "okta.users.read")
				for j := 0; j < 3; j++ {
					// 401 once ExpireAccessTokens has run: the SDK keeps its token.
					if st, _, err := sdkListUsers(t, c); st != 200 && st != 401 {
						t.Errorf("DPoP SDK: %d %v", st, err)
					}
				}
				return
			}
			a := signJWS(t, ecKey(0), "ES256", nil, assertionClaims(s, "0oaapp"))
			r := postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), false)
			if r.status != 200 {
				t.Errorf("token: %d %s", r.status, r.raw)
				return
			}
			for j := 0; j < 3; j++ {
				doAuth(t, s, "GET", "/api/v1/users/"+JaneDoeID, "Bearer "+r.str("access_token"), "")
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Org.ExpireAccessTokens()
		s.Org.AccessTokenTTL(time.Hour)
		_ = s.Org.TokenRequests()
		s.Org.DeviceDecision("", DevicePending)
		_ = s.Org.PendingDeviceCodes()
	}()
	wg.Wait()
}
