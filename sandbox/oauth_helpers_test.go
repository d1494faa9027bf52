package sandbox

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// Keys are generated once per test binary: RSA generation is slow under -race.
var (
	rsaKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
		var ks [2]*rsa.PrivateKey
		for i := range ks {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}
		return ks
	})
	ecKeys = sync.OnceValue(func() [2]*ecdsa.PrivateKey {
		var ks [2]*ecdsa.PrivateKey
		for i := range ks {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}
		return ks
	})
)

func rsaKey(i int) *rsa.PrivateKey  { return rsaKeys()[i] }
func ecKey(i int) *ecdsa.PrivateKey { return ecKeys()[i] }

// signJWS makes a compact JWS of claims with key: alg RS* for RSA, ES* for EC.
func signJWS(t *testing.T, key crypto.Signer, alg string, header, claims map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": alg}
	for k, v := range header {
		h[k] = v
	}
	hb, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := b64.EncodeToString(hb) + "." + b64.EncodeToString(cb)
	hash := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[alg[2:]]
	hh := hash.New()
	hh.Write([]byte(input))
	digest := hh.Sum(nil)
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, hash, digest)
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, k, digest)
		size := (k.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*size)
		if err == nil {
			r.FillBytes(sig[:size])
			s.FillBytes(sig[size:])
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// jwkOf is the public JWK of key.
func jwkOf(t *testing.T, key crypto.Signer) map[string]any {
	t.Helper()
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "n": b64.EncodeToString(k.N.Bytes()),
			"e": b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
	case *ecdsa.PublicKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		n := (len(b) - 1) / 2
		return map[string]any{"kty": "EC", "crv": k.Curve.Params().Name,
			"x": b64.EncodeToString(b[1 : 1+n]), "y": b64.EncodeToString(b[1+n:])}
	}
	t.Fatalf("key %T", key)
	return nil
}

// pkcs8PEM is key as a "PRIVATE KEY" PEM block.
func pkcs8PEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// assertionClaims are valid client assertion claims for clientID at s.
func assertionClaims(s *Server, clientID string) map[string]any {
	now := time.Now().Unix()
	return map[string]any{"iss": clientID, "sub": clientID, "aud": s.URL + tokenPath,
		"iat": now, "exp": now + 300, "jti": randomToken(12)}
}

// ccForm is a client_credentials token request with the given assertion.
func ccForm(assertion, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {jwtBearerType}, "client_assertion": {assertion}}
}

// dpopProofFor is a DPoP proof by key for method and htu.
func dpopProofFor(t *testing.T, key crypto.Signer, method, htu, nonce, accessToken string) string {
	t.Helper()
	alg := "ES256"
	if _, ok := key.(*rsa.PrivateKey); ok {
		alg = "RS256"
	}
	claims := map[string]any{"htm": method, "htu": htu, "iat": time.Now().Unix(), "jti": randomToken(12)}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = b64.EncodeToString(sum[:])
	}
	return signJWS(t, key, alg, map[string]any{"typ": "dpop+jwt", "jwk": jwkOf(t, key)}, claims)
}

// oauthResp is an answer of an OAuth endpoint, JSON decoded.
type oauthResp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (r oauthResp) str(k string) string { s, _ := r.body[k].(string); return s }

// postOAuth posts form to an OAuth endpoint: in the URL query with an
// empty body (as the SDK does) or as a form body. extra are header pairs.
func postOAuth(t *testing.T, s *Server, path string, form url.Values, inQuery bool, extra ...string) oauthResp {
	t.Helper()
	u := s.URL + path
	var body io.Reader
	if inQuery {
		u += "?" + form.Encode()
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(http.MethodPost, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Add(extra[i], extra[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := oauthResp{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		t.Fatalf("POST %s: %d %q is not a JSON object", path, resp.StatusCode, raw)
	}
	return out
}

// wantOAuthError checks an RFC 6749 error answer.
func wantOAuthError(t *testing.T, what string, r oauthResp, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code || r.str("error_description") == "" {
		t.Errorf("%s: %d %s, want %d error %q with a description", what, r.status, r.raw, status, code)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: Cache-Control %q", what, r.header.Get("Cache-Control"))
	}
}

// wantToken checks a token answer and returns the access token.
func wantToken(t *testing.T, what string, r oauthResp, typ, scope string) string {
	t.Helper()
	if r.status != http.StatusOK || r.str("token_type") != typ || r.str("scope") != scope || r.str("access_token") == "" {
		t.Fatalf("%s: %d %s, want a %s token for %q", what, r.status, r.raw, typ, scope)
	}
	if e, _ := r.body["expires_in"].(float64); e < 1 {
		t.Errorf("%s: expires_in %v", what, r.body["expires_in"])
	}
	return r.str("access_token")
}

// doAuth sends an API call with the given Authorization and DPoP headers.
func doAuth(t *testing.T, s *Server, method, path, authorization, dpop string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	if dpop != "" {
		req.Header.Set("DPoP", dpop)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// privateKeySDK is a real SDK client in PrivateKey mode against s.
func privateKeySDK(t *testing.T, s *Server, clientID, keyPEM, kid string, scopes ...string) *okta.APIClient {
	t.Helper()
	cfg, err := okta.NewConfiguration(
		okta.WithOrgUrl(s.URL),
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(clientID),
		okta.WithScopes(scopes),
		okta.WithPrivateKey(keyPEM),
		okta.WithPrivateKeyId(kid),
		okta.WithCache(false),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRequestTimeout(30),
		okta.WithHttpClientPtr(&http.Client{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host = u.Host
	return okta.NewAPIClient(cfg)
}

// sdkListUsers lists one page of users and returns the status.
func sdkListUsers(t *testing.T, c *okta.APIClient) (int, *okta.APIResponse, error) {
	t.Helper()
	users, resp, err := c.UserAPI.ListUsers(context.Background()).Limit(5).Execute()
	if err != nil {
		if resp != nil && resp.Response != nil {
			return resp.StatusCode, resp, err
		}
		return 0, resp, err
	}
	if len(users) != 5 {
		t.Errorf("ListUsers: %d users", len(users))
	}
	return resp.StatusCode, resp, nil
}
