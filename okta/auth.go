package okta

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// How a Client authenticates (Credential.kind).
const (
	authSSWS       = "SSWS"       // API token
	authPrivateKey = "PrivateKey" // OAuth service app: the SDK's PrivateKey mode
	authBearer     = "Bearer"     // OAuth access tokens from a TokenSource (device sign-in)
)

// tokenPath is the org authorization server's token endpoint.
const tokenPath = "/oauth2/v1/token"

// Codes of credential errors (besides Okta's own).
const (
	// CodeOAuthTokenFailed: no access token could be had (the token
	// endpoint refused the request, or a refresh failed).
	CodeOAuthTokenFailed = "oauth_token_failed"
	// CodeSignInRequired: the stored sign-in no longer works (a revoked or
	// expired refresh token); only a new `okta-mcp auth login` helps.
	CodeSignInRequired = "oauth_sign_in_required"
)

// ServiceApp is an OAuth service app (client credentials with a
// private-key JWT assertion). The SDK's PrivateKey mode gets and caches
// the access tokens and does DPoP when the org demands it.
type ServiceApp struct {
	ClientID string
	Scopes   []string
	// PrivateKeyPEM is one unencrypted "PRIVATE KEY" (PKCS#8: RSA or EC
	// P-256) or "RSA PRIVATE KEY" (PKCS#1) block: all the SDK reads.
	PrivateKeyPEM string
	// KeyID is the kid of the app's public key; "" sends none.
	KeyID string
}

// TokenSource hands out OAuth access tokens, sent as "Authorization:
// Bearer …" on every request (device sign-in).
type TokenSource struct {
	// Token returns a valid access token. Its error may be a *TokenError.
	Token func(ctx context.Context) (string, error)
	// Invalidate, when set, is called after Okta answered 401 to a token,
	// so that the next Token call gets a new one. The request is then
	// retried once.
	Invalidate func()
}

// TokenError is a failure of a TokenSource.
type TokenError struct {
	// Status is the token endpoint's HTTP status, 0 when it gave no answer.
	Status int
	// OAuthCode is the token endpoint's error code, e.g. invalid_grant.
	OAuthCode string
	// SignInAgain means only a new sign-in helps (revoked refresh token).
	SignInAgain bool
	// Err says what happened; its text is shown and must hold no secret.
	Err error
}

func (e *TokenError) Error() string { return e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// kind returns how c authenticates, or an error when it names no kind or
// more than one.
func (c Credential) kind() (string, error) {
	var kinds []string
	if c.APIToken != "" {
		kinds = append(kinds, authSSWS)
	}
	if c.ServiceApp != nil {
		kinds = append(kinds, authPrivateKey)
	}
	if c.Device != nil {
		kinds = append(kinds, authBearer)
	}
	switch len(kinds) {
	case 0:
		return "", errors.New("no Okta credential: run `okta-mcp auth login --org-url …` or set OKTA_API_TOKEN")
	case 1:
	default:
		return "", errors.New("okta credential: give exactly one of an API token, a service app and a token source")
	}
	switch kinds[0] {
	case authPrivateKey:
		return authPrivateKey, c.ServiceApp.check()
	case authBearer:
		if c.Device.Token == nil {
			return "", errors.New("okta credential: the token source has no Token function")
		}
	}
	return kinds[0], nil
}

// check validates the service app's fields. Errors never quote the key.
func (s *ServiceApp) check() error {
	if strings.TrimSpace(s.ClientID) == "" {
		return errors.New("okta credential: the service app has no client ID")
	}
	if len(s.Scopes) == 0 {
		return errors.New("okta credential: the service app has no scopes")
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(s.PrivateKeyPEM)))
	if block == nil {
		return errors.New("okta credential: the service app's private key is not a PEM block")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return fmt.Errorf("okta credential: the Okta SDK reads PKCS#8 (PRIVATE KEY) or PKCS#1 (RSA PRIVATE KEY) keys, not %q", block.Type)
	}
	if err != nil {
		return errors.New("okta credential: the service app's private key does not parse")
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
	case *ecdsa.PrivateKey:
		// The SDK signs every EC key with ES256.
		if k.Curve != elliptic.P256() {
			return errors.New("okta credential: the Okta SDK signs EC keys with ES256 only: use an EC P-256 or an RSA key")
		}
	default:
		return errors.New("okta credential: the service app's key must be RSA or EC P-256")
	}
	return nil
}

// String describes the credential without its secrets.
func (c Credential) String() string {
	switch {
	case c.APIToken != "":
		return "okta.Credential{api_token}"
	case c.ServiceApp != nil:
		return fmt.Sprintf("okta.Credential{service_app client_id=%s scopes=%s key_id=%s}", c.ServiceApp.ClientID, strings.Join(c.ServiceApp.Scopes, ","), c.ServiceApp.KeyID)
	case c.Device != nil:
		return "okta.Credential{token_source}"
	}
	return "okta.Credential{}"
}

// GoString is String.
func (c Credential) GoString() string { return c.String() }

// Format prints String for every verb, so no verb walks into a secret.
func (c Credential) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// String describes the service app without its key.
func (s ServiceApp) String() string {
	return fmt.Sprintf("okta.ServiceApp{client_id=%s scopes=%s key_id=%s}", s.ClientID, strings.Join(s.Scopes, ","), s.KeyID)
}

// GoString is String.
func (s ServiceApp) GoString() string { return s.String() }

// Format prints String for every verb.
func (s ServiceApp) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, s.String()) }

// ---------------------------------------------------------------------------
// Device sign-in: a bearer token set on each request.

// tokenSourceError is what bearerTransport returns when its source fails;
// captureTransport records it, and Client.do maps it to an *Error.
type tokenSourceError struct{ err error }

func (e *tokenSourceError) Error() string { return "okta: no access token: " + e.err.Error() }
func (e *tokenSourceError) Unwrap() error { return e.err }

// bearerTransport sets "Authorization: Bearer <token>" from the source on
// every request to the org, and after a 401 invalidates the token and
// retries once with a new one (Okta did not process a request it answered
// 401, so even a write is safe to resend).
type bearerTransport struct {
	src  *TokenSource
	org  *url.URL
	next http.RoundTripper
}

func (t bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sameOrigin(req.URL, t.org) {
		return nil, fmt.Errorf("okta: refusing to send the access token to %s, which is not the org", req.URL.Host)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	send := func(tok string) (*http.Response, error) {
		r := req.Clone(req.Context())
		r.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		return t.next.RoundTrip(r)
	}
	tok, err := t.src.Token(req.Context())
	if err != nil {
		return nil, &tokenSourceError{err}
	}
	resp, err := send(tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || t.src.Invalidate == nil {
		return resp, err
	}
	t.src.Invalidate()
	fresh, terr := t.src.Token(req.Context())
	if terr != nil {
		resp.Body.Close()
		return nil, &tokenSourceError{terr}
	}
	if fresh == tok {
		return resp, nil // the source has nothing newer: keep Okta's 401
	}
	resp.Body.Close()
	return send(fresh)
}

// sameOrigin reports whether u is on the org's scheme and host[:port].
func sameOrigin(u, org *url.URL) bool {
	return u != nil && org != nil && strings.EqualFold(u.Scheme, org.Scheme) && strings.EqualFold(u.Host, org.Host)
}

// ---------------------------------------------------------------------------
// Service app: watching the SDK's token requests.
//
// okta-sdk-golang v5.0.2 turns every refused token request into the bare
// error "Empty access token" (and a failed one into an error whose text is
// the token URL, client assertion included). tokenWatch sees the token
// endpoint's real answer on the way through, so the tool error can say what
// Okta said, and keeps the token request on the org.

// tokenFailure is what the token endpoint said when it refused.
type tokenFailure struct {
	status      int // 0: no HTTP answer
	code        string
	description string
	requestID   string
	transport   error // when status is 0
}

// tokenState records the outcome of the SDK's token requests.
type tokenState struct {
	mu   sync.Mutex
	gen  uint64
	last *tokenFailure // nil after a success
}

func (s *tokenState) record(f *tokenFailure) {
	s.mu.Lock()
	s.gen++
	s.last = f
	s.mu.Unlock()
}

func (s *tokenState) generation() uint64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// since returns the last failure when a token request ended after
// generation gen.
func (s *tokenState) since(gen uint64) *tokenFailure {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == gen {
		return nil
	}
	return s.last
}

type tokenWatch struct {
	state *tokenState
	org   *url.URL
	next  http.RoundTripper
}

func (t tokenWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != tokenPath {
		return t.next.RoundTrip(req)
	}
	if !sameOrigin(req.URL, t.org) {
		t.state.record(&tokenFailure{transport: errors.New("the token request was not addressed to the org; refused")})
		return nil, errors.New("okta: token request refused: not addressed to the org")
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.state.record(&tokenFailure{transport: err})
		// The SDK puts this error's text next to the token URL (with the
		// client assertion); keep it plain.
		return nil, errors.New("okta: the token request failed")
	}
	if resp.StatusCode < 300 {
		t.state.record(nil)
		return resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	f := &tokenFailure{status: resp.StatusCode, requestID: resp.Header.Get("X-Okta-Request-Id")}
	var e struct {
		Error        string `json:"error"`
		Description  string `json:"error_description"`
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
	}
	if json.Unmarshal(body, &e) == nil {
		f.code, f.description = e.Error, e.Description
		if f.code == "" {
			f.code, f.description = e.ErrorCode, e.ErrorSummary
		}
	}
	f.code, f.description = cleanText(f.code, 100), cleanText(f.description, 400)
	t.state.record(f)
	return resp, nil
}

// authError maps a failure to authenticate a request to an *Error, nil
// when the failure was something else.
func (c *Client) authError(ctx context.Context, ex *exchange, sdkErr error, gen uint64) *Error {
	if ctx.Err() != nil {
		return nil // cancelled: transportFailure says so
	}
	var tse *tokenSourceError
	if ex.err != nil && errors.As(ex.err, &tse) {
		return tokenSourceFailure(tse.err)
	}
	if c.auth != authPrivateKey || ex.status != 0 || ex.err != nil || sdkErr == nil {
		return nil
	}
	// The SDK failed before sending the API request: in PrivateKey mode
	// that is getting the access token.
	if f := c.tokens.since(gen); f != nil {
		return f.toError(c.clientID)
	}
	return &Error{Code: CodeOAuthTokenFailed, Causes: []string{},
		Summary: "the Okta SDK could not get an access token for service app " + c.clientID + ": " + redactURLs(sdkErr.Error()),
		Hint:    serviceAppHint("")}
}

func (f *tokenFailure) toError(clientID string) *Error {
	if f.status == 0 {
		e := transportFailure(context.Background(), f.transport)
		e.Summary = "could not get an access token for service app " + clientID + ": " + redactURLs(e.Summary)
		return e
	}
	what := f.code
	if f.description != "" {
		what += ": " + f.description
	}
	if what == "" {
		what = fmt.Sprintf("HTTP %d", f.status)
	}
	e := &Error{Status: f.status, Code: CodeOAuthTokenFailed, Causes: []string{}, RequestID: f.requestID,
		Summary: "Okta refused the access-token request of service app " + clientID + ": " + what,
		Hint:    serviceAppHint(f.code)}
	if f.code != "" {
		e.Causes = append(e.Causes, "token endpoint error: "+f.code)
	}
	return e
}

func serviceAppHint(code string) string {
	const relogin = " Then store it again with okta-mcp auth login --client-id … --private-key-file … --key-id … --scopes …; check with okta-mcp auth status."
	switch code {
	case "invalid_client":
		return "Okta did not accept the client assertion: check the client ID, that the app's Public Keys hold the public half of the stored private key, and the key ID (kid)." + relogin
	case "invalid_scope":
		return "The app is not granted one of the scopes asked for: grant it on the app's Okta API Scopes tab, or log in with fewer --scopes." + relogin
	case "unauthorized_client":
		return "The app may not use the client credentials grant: make it an API Services app (Client Credentials grant)." + relogin
	case "invalid_dpop_proof", "use_dpop_nonce":
		return "The DPoP exchange with Okta failed; try again, and check the app's DPoP setting."
	}
	return "The admin should check the service app with okta-mcp auth status." + relogin
}

// tokenSourceFailure maps a TokenSource error.
func tokenSourceFailure(err error) *Error {
	var te *TokenError
	if errors.As(err, &te) {
		e := &Error{Status: te.Status, Code: CodeOAuthTokenFailed, Causes: []string{}, Summary: te.Err.Error(),
			Hint: "Refreshing the access token failed; check the network and okta-mcp auth status."}
		if te.OAuthCode != "" {
			e.Causes = append(e.Causes, "token endpoint error: "+te.OAuthCode)
		}
		if te.SignInAgain {
			e.Code = CodeSignInRequired
			e.Hint = "The stored sign-in is no longer valid (the refresh token was revoked or expired). The admin must sign in again with okta-mcp auth login --device (the command is in the summary); a running server picks the new sign-in up from the keyring."
		}
		return e
	}
	return &Error{Code: CodeOAuthTokenFailed, Causes: []string{}, Summary: "could not get an access token: " + redactURLs(err.Error()),
		Hint: "Check the network and okta-mcp auth status."}
}

// urlQueryRE matches the query of a URL in an error text.
var urlQueryRE = regexp.MustCompile(`(https?://[^\s"'?]*)\?[^\s"']*`)

// redactURLs drops the query strings of URLs in s: the SDK's token request
// carries the client assertion there.
func redactURLs(s string) string { return urlQueryRE.ReplaceAllString(s, "$1?[redacted]") }

// cleanText strips control characters and caps the length of server text.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strings.TrimSpace(s)
}

// ---------------------------------------------------------------------------
// Verify.

// Verify makes one small read request that the granted scopes allow and
// returns nil when Okta accepted the credential. scopes nil (an API token)
// or holding okta.users.*: GET /api/v1/users?limit=1; else the first of
// groups (GET /api/v1/groups?limit=1), logs (GET /api/v1/logs?limit=1),
// roles (GET /api/v1/iam/roles), sessions (GET /api/v1/sessions/{id} of a
// session that does not exist: 404 means accepted).
//
// A 403 that is not about a missing scope means Okta accepted the
// credential but its admin role does not allow the probe: Verify returns
// nil and a warning. Any other failure is the *Error.
func (c *Client) Verify(ctx context.Context, scopes []string) (warning string, err error) {
	probe := "users"
	if scopes != nil {
		probe = ""
		for _, area := range []string{"users", "groups", "logs", "roles", "sessions"} {
			if hasScopeFor(scopes, area) {
				probe = area
				break
			}
		}
		if probe == "" {
			return "", errors.New("none of the scopes is one okta-mcp uses (okta.users.read, okta.groups.read, okta.roles.read, okta.sessions.read, okta.logs.read or their .manage forms)")
		}
	}
	_, err = c.do(ctx, func(ctx context.Context) error {
		var err error
		switch probe {
		case "users":
			_, _, err = c.api().UserAPI.ListUsers(ctx).Limit(1).Execute()
		case "groups":
			_, _, err = c.api().GroupAPI.ListGroups(ctx).Limit(1).Execute()
		case "logs":
			now := time.Now().UTC()
			_, _, err = c.api().SystemLogAPI.ListLogEvents(ctx).Limit(1).Since(now.Add(-time.Hour)).Until(now).Execute()
		case "roles":
			_, _, err = c.api().RoleAPI.ListRoles(ctx).Execute()
		case "sessions":
			_, _, err = c.api().SessionAPI.GetSession(ctx, "okta-mcp-credential-check").Execute()
		}
		return err
	})
	var oe *Error
	if errors.As(err, &oe) {
		switch {
		case probe == "sessions" && oe.Status == http.StatusNotFound:
			return "", nil
		case oe.Status == http.StatusForbidden && oe.Code != "insufficient_scope":
			return "Okta accepted the credential, but its admin role does not allow " + probe + " reads (" + oe.Summary + "): assign the admin role the tools need", nil
		}
	}
	return "", err
}

// hasScopeFor reports whether scopes hold okta.<area>.read or .manage.
func hasScopeFor(scopes []string, area string) bool {
	for _, s := range scopes {
		if s == "okta."+area+".read" || s == "okta."+area+".manage" {
			return true
		}
	}
	return false
}
