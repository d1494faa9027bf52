package sandbox

import (
	"crypto"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// OAuth 2.0 for the management API, as Okta's org authorization server does
// it: POST /oauth2/v1/token (client credentials with a private_key_jwt
// assertion, device code, refresh token with rotation), optional DPoP, and
// access tokens accepted on /api/v1 with per-route scopes (oauth_scopes.go).
//
// Client-signed times (assertion iat/exp/nbf, DPoP iat) are checked against
// the wall clock, since clients sign with it; everything the org issues
// (access token and device code lifetimes, polling intervals, nonces)
// follows Options.Now.

const (
	tokenPath          = "/oauth2/v1/token"
	deviceAuthPath     = "/oauth2/v1/device/authorize"
	authorizePath      = "/oauth2/v1/authorize"
	jwtBearerType      = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	deviceGrantType    = "urn:ietf:params:oauth:grant-type:device_code"
	defaultTokenTTL    = time.Hour
	maxAssertionLife   = time.Hour
	assertionLeeway    = 5 * time.Second // iat and exp are whole seconds taken at slightly different instants
	clockSkew          = time.Minute     // how far in the future iat/nbf may be
	realmMyAccountAPI  = "IdpMyAccountAPI"
	invalidTokenDesc   = "The access token is invalid."
	insufficientScDesc = "The access token provided does not contain the required scopes."
)

// OAuthApp is an OAuth client registered with the org.
type OAuthApp struct {
	ClientID string
	// PublicKeys verify client assertions: *rsa.PublicKey (2048 bits or
	// more) or *ecdsa.PublicKey (P-256, P-384, P-521).
	PublicKeys []crypto.PublicKey
	// KeyIDs names PublicKeys (same length); an assertion's kid picks the
	// key, and "" matches an assertion without kid.
	KeyIDs []string
	// Scopes are the okta.* scopes granted to the app; a token request for
	// any other is refused with invalid_scope. Device apps may also ask for
	// openid, profile, email and offline_access.
	Scopes []string
	// RequireDPoP makes the token endpoint demand a DPoP proof (with the
	// nonce dance); its tokens are then DPoP-bound and API calls need proofs.
	RequireDPoP bool
	// Device allows the device grant and the refresh token grant as a public
	// client (client_id only, no key); offline_access gives refresh tokens.
	Device bool
}

// keyFor returns the registered key named kid.
func (a *OAuthApp) keyFor(kid string) crypto.PublicKey {
	for i, k := range a.PublicKeys {
		id := ""
		if i < len(a.KeyIDs) {
			id = a.KeyIDs[i]
		}
		if id == kid {
			return k
		}
	}
	return nil
}

// oauthState is the org's authorization server. Its zero value is ready.
type oauthState struct {
	mu             sync.Mutex
	apps           map[string]*OAuthApp // client_id → app; an app is never modified once stored
	ttl            time.Duration        // 0: defaultTokenTTL
	tokens         map[string]*accessToken
	refresh        map[string]*refreshToken
	devices        deviceAuthorizations
	assertionJTIs  replayCache
	proofJTIs      replayCache
	nonce          string // current DPoP-Nonce of the token endpoint
	prevNonce      string
	nonceAt        time.Time
	tokenRequests  int
	tokensLastScan time.Time
}

type accessToken struct {
	clientID string
	scopes   []string
	jkt      string // DPoP key thumbprint; "" for a Bearer token
	expires  time.Time
	expired  bool // ExpireAccessTokens
}

type refreshToken struct {
	clientID string
	scopes   []string
	jkt      string
	spent    bool // rotated or revoked
}

// RegisterOAuthApp adds app, or replaces the app with the same ClientID.
func (o *Org) RegisterOAuthApp(app OAuthApp) {
	app.PublicKeys = slices.Clone(app.PublicKeys)
	app.KeyIDs = slices.Clone(app.KeyIDs)
	app.Scopes = slices.Clone(app.Scopes)
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apps == nil {
		s.apps = map[string]*OAuthApp{}
	}
	s.apps[app.ClientID] = &app
}

// AccessTokenTTL sets the lifetime of access tokens issued from now on;
// d <= 0 restores the default, 1 h. expires_in is in whole seconds (at
// least 1). Note that the SDK caches a token for expires_in − 2 s, and for
// 5 minutes when that is 0.
func (o *Org) AccessTokenTTL(d time.Duration) {
	o.oauth.mu.Lock()
	o.oauth.ttl = d
	o.oauth.mu.Unlock()
}

// ExpireAccessTokens makes every access token issued so far expired.
func (o *Org) ExpireAccessTokens() {
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expired = true
	}
}

// RevokeRefreshTokens revokes every refresh token issued to clientID.
func (o *Org) RevokeRefreshTokens(clientID string) {
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.refresh {
		if t.clientID == clientID {
			t.spent = true
		}
	}
}

// TokenRequests is the number of requests that reached POST
// /oauth2/v1/token, failed ones included (the SDK's DPoP flow makes three
// per token: no proof, proof without nonce, proof with nonce).
func (o *Org) TokenRequests() int {
	o.oauth.mu.Lock()
	defer o.oauth.mu.Unlock()
	return o.oauth.tokenRequests
}

func (o *Org) app(clientID string) *OAuthApp {
	o.oauth.mu.Lock()
	defer o.oauth.mu.Unlock()
	return o.oauth.apps[clientID]
}

func registerOAuthRoutes(rt *router) {
	rt.handle(http.MethodPost, tokenPath, handleToken)
	rt.handle(http.MethodPost, deviceAuthPath, handleDeviceAuthorize)
}

// oauthError is an RFC 6749 error answer of the OAuth endpoints.
type oauthError struct {
	status int
	code   string
	desc   string
	nonce  string // DPoP-Nonce header, for use_dpop_nonce
}

func errInvalidClient(desc string) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", desc: desc}
}

func errInvalidGrant(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_grant", desc: desc}
}

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", desc: desc}
}

func errInvalidScope(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_scope", desc: desc}
}

func errUnauthorizedClient() *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "unauthorized_client",
		desc: "The client is not authorized to use the provided grant type."}
}

// oauthReply writes an OAuth endpoint answer; they are never cached.
func (c *call) oauthReply(status int, v any) {
	h := c.w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	b, _ := json.Marshal(v) // maps and strings only
	c.reply(status, b)
}

func (c *call) oauthFail(e *oauthError) {
	if e.nonce != "" {
		c.w.Header().Set("DPoP-Nonce", e.nonce)
	}
	c.oauthReply(e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// oauthForm parses the parameters of an OAuth request: the URL query (the
// SDK sends the token request there, with an empty body) and an
// application/x-www-form-urlencoded body, the body winning.
func (c *call) oauthForm() (url.Values, *oauthError) {
	if err := c.r.ParseForm(); err != nil {
		return nil, errInvalidRequest("The request parameters are malformed.")
	}
	return c.r.Form, nil
}

// handleToken is POST /oauth2/v1/token.
func handleToken(c *call) {
	o := c.o
	o.oauth.mu.Lock()
	o.oauth.tokenRequests++
	o.oauth.mu.Unlock()
	form, e := c.oauthForm()
	if e == nil {
		switch gt := form.Get("grant_type"); gt {
		case "client_credentials":
			e = o.grantClientCredentials(c, form)
		case deviceGrantType:
			e = o.grantDeviceCode(c, form)
		case "refresh_token":
			e = o.grantRefreshToken(c, form)
		case "":
			e = errInvalidRequest("The 'grant_type' parameter is required.")
		default:
			e = &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type",
				desc: "The authorization grant type is not supported by the authorization server: '" + gt + "'."}
		}
	}
	if e != nil {
		c.oauthFail(e)
	}
}

// assertion is a verified client assertion, whose jti is spent only when a
// token is issued (the SDK resends the same assertion through the DPoP
// nonce dance).
type assertion struct {
	app *OAuthApp
	jti string
	exp time.Time
}

// clientAssertion authenticates the client with its private_key_jwt
// assertion: signature by the registered key named by kid, iss = sub =
// client_id, aud = this org's token endpoint, exp in the future and at
// most an hour away. jti is optional (the SDK sends none); a jti already
// spent is refused when the token would be issued.
func (o *Org) clientAssertion(c *call, form url.Values) (*assertion, *oauthError) {
	if t := form.Get("client_assertion_type"); t != jwtBearerType {
		return nil, errInvalidClient("The client_assertion_type must be " + jwtBearerType + ".")
	}
	j, err := parseJWS(form.Get("client_assertion"))
	if err != nil {
		return nil, errInvalidClient("The client_assertion is not a valid JWT: " + err.Error())
	}
	cl := j.claims
	clientID := form.Get("client_id")
	if clientID == "" {
		clientID = cl.Sub
	}
	app := o.app(clientID)
	if app == nil || clientID == "" {
		return nil, errInvalidClient("Invalid value for 'client_id' parameter.")
	}
	if cl.Iss != clientID || cl.Sub != clientID {
		return nil, errInvalidClient("The client_assertion 'iss' and 'sub' claims must both be the client_id.")
	}
	key := app.keyFor(j.header.Kid)
	if key == nil {
		if j.header.Kid == "" {
			return nil, errInvalidClient("The client_assertion has no 'kid' header and the client has no key without one.")
		}
		return nil, errInvalidClient("The client_assertion 'kid' " + strconv.Quote(j.header.Kid) + " does not name a key of the client.")
	}
	if err := j.verify(key); err != nil {
		return nil, errInvalidClient("The client_assertion signature is invalid: " + err.Error())
	}
	if !cl.Aud.contains(c.base + tokenPath) {
		return nil, errInvalidClient("The audience claim for client_assertion must be the endpoint invoking the client_assertion.")
	}
	now := time.Now()
	if cl.Exp == nil {
		return nil, errInvalidClient("The client_assertion token must have an 'exp' claim.")
	}
	if !now.Before(cl.Exp.Time) {
		return nil, errInvalidClient("The client_assertion token is expired.")
	}
	limit := now.Add(maxAssertionLife + assertionLeeway)
	if cl.Iat != nil && cl.Iat.Add(maxAssertionLife+assertionLeeway).Before(limit) {
		limit = cl.Iat.Add(maxAssertionLife + assertionLeeway)
	}
	if cl.Exp.After(limit) {
		return nil, errInvalidClient("The client_assertion token has an expiration too far into the future.")
	}
	if cl.Iat != nil && cl.Iat.After(now.Add(clockSkew)) {
		return nil, errInvalidClient("The client_assertion token was issued in the future.")
	}
	if cl.Nbf != nil && cl.Nbf.After(now.Add(clockSkew)) {
		return nil, errInvalidClient("The client_assertion token is not valid yet.")
	}
	return &assertion{app: app, jti: cl.Jti, exp: cl.Exp.Time}, nil
}

// spendLocked spends the assertion's jti, if it has one. Caller holds o.oauth.mu.
func (a *assertion) spendLocked(s *oauthState) *oauthError {
	if a == nil || a.jti == "" {
		return nil
	}
	if !s.assertionJTIs.use(a.app.ClientID+"\x00"+a.jti, a.exp, time.Now()) {
		return errInvalidClient("The client_assertion 'jti' has already been used.")
	}
	return nil
}

// publicOrAssertedClient identifies the client of a device code or refresh
// token request: by its assertion when it sends one, else by client_id as a
// public client (an app with Device set).
func (o *Org) publicOrAssertedClient(c *call, form url.Values) (*OAuthApp, *assertion, *oauthError) {
	if form.Get("client_assertion") != "" || form.Get("client_assertion_type") != "" {
		a, e := o.clientAssertion(c, form)
		if e != nil {
			return nil, nil, e
		}
		return a.app, a, nil
	}
	clientID := form.Get("client_id")
	app := o.app(clientID)
	if app == nil || clientID == "" {
		return nil, nil, errInvalidClient("Invalid value for 'client_id' parameter.")
	}
	if !app.Device {
		return nil, nil, errInvalidClient("Client authentication is required: send a client_assertion.")
	}
	return app, nil, nil
}

// oidcScopes are the scopes a device (human sign-in) app may always ask for.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "email": true, "offline_access": true}

// checkScopes parses the scope parameter and refuses scopes not granted to app.
func checkScopes(app *OAuthApp, param string) ([]string, *oauthError) {
	scopes := strings.Fields(param)
	if len(scopes) == 0 {
		return nil, errInvalidScope("The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
	}
	var bad []string
	for _, sc := range scopes {
		if !slices.Contains(app.Scopes, sc) && !(app.Device && oidcScopes[sc]) {
			bad = append(bad, sc)
		}
	}
	if len(bad) > 0 {
		return nil, errInvalidScope("One or more scopes are not configured for the authorization server resource: " + strings.Join(bad, " ") + ".")
	}
	return dedupe(scopes), nil
}

func dedupe(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (o *Org) grantClientCredentials(c *call, form url.Values) *oauthError {
	a, e := o.clientAssertion(c, form)
	if e != nil {
		return e
	}
	scopes, e := checkScopes(a.app, form.Get("scope"))
	if e != nil {
		return e
	}
	if slices.Contains(scopes, "offline_access") {
		return errInvalidScope("The client_credentials grant cannot issue refresh tokens: drop offline_access.")
	}
	jkt, e := o.tokenEndpointDPoP(c, a.app)
	if e != nil {
		return e
	}
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := a.spendLocked(s); e != nil {
		return e
	}
	c.oauthReply(http.StatusOK, s.mintLocked(a.app.ClientID, scopes, jkt, false, o.now()))
	return nil
}

func (o *Org) grantRefreshToken(c *call, form url.Values) *oauthError {
	app, a, e := o.publicOrAssertedClient(c, form)
	if e != nil {
		return e
	}
	tok := form.Get("refresh_token")
	if tok == "" {
		return errInvalidRequest("The 'refresh_token' parameter is required.")
	}
	jkt, e := o.tokenEndpointDPoP(c, app)
	if e != nil {
		return e
	}
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[tok]
	if rt == nil || rt.spent || rt.clientID != app.ClientID {
		return errInvalidGrant("The refresh token is invalid or expired.")
	}
	scopes := rt.scopes
	if p := form.Get("scope"); p != "" {
		scopes = dedupe(strings.Fields(p))
		for _, sc := range scopes {
			if !slices.Contains(rt.scopes, sc) {
				return errInvalidScope("The requested scope '" + sc + "' was not granted to the refresh token.")
			}
		}
	}
	if rt.jkt != "" && jkt != rt.jkt {
		return &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof",
			desc: "The DPoP proof key does not match the refresh token's binding."}
	}
	if e := a.spendLocked(s); e != nil {
		return e
	}
	rt.spent = true
	resp := s.mintLocked(app.ClientID, scopes, jkt, false, o.now())
	resp["refresh_token"] = s.newRefreshLocked(app.ClientID, rt.scopes, jkt)
	c.oauthReply(http.StatusOK, resp)
	return nil
}

// mintLocked issues an access token (and a refresh token if asked) and
// returns the token response. Caller holds s.mu.
func (s *oauthState) mintLocked(clientID string, scopes []string, jkt string, withRefresh bool, now time.Time) map[string]any {
	if s.tokens == nil {
		s.tokens = map[string]*accessToken{}
	}
	// Forget long-expired tokens now and then so the map stays small.
	if now.Sub(s.tokensLastScan) > time.Hour {
		for k, t := range s.tokens {
			if now.Sub(t.expires) > time.Hour {
				delete(s.tokens, k)
			}
		}
		s.tokensLastScan = now
	}
	ttl := s.ttl
	if ttl <= 0 {
		ttl = defaultTokenTTL
	}
	tok := randomToken(48)
	s.tokens[tok] = &accessToken{clientID: clientID, scopes: slices.Clone(scopes), jkt: jkt, expires: now.Add(ttl)}
	typ := "Bearer"
	if jkt != "" {
		typ = "DPoP"
	}
	resp := map[string]any{
		"token_type":   typ,
		"expires_in":   max(1, int(math.Ceil(ttl.Seconds()))),
		"access_token": tok,
		"scope":        strings.Join(scopes, " "),
	}
	if withRefresh {
		resp["refresh_token"] = s.newRefreshLocked(clientID, scopes, jkt)
	}
	return resp
}

func (s *oauthState) newRefreshLocked(clientID string, scopes []string, jkt string) string {
	if s.refresh == nil {
		s.refresh = map[string]*refreshToken{}
	}
	tok := randomToken(48)
	s.refresh[tok] = &refreshToken{clientID: clientID, scopes: slices.Clone(scopes), jkt: jkt}
	return tok
}

// denial is a refused API call: 401 with Okta's E0000011 body, or 403 with
// an empty body, plus WWW-Authenticate for OAuth tokens.
type denial struct {
	status  int
	wwwAuth string
	err     *apiError // nil: empty body
}

func (d *denial) write(c *call) {
	if d.wwwAuth != "" {
		c.w.Header().Set("WWW-Authenticate", d.wwwAuth)
	}
	if d.err != nil {
		c.fail(d.err)
		return
	}
	c.reply(d.status, nil)
}

// deniedSSWS is the answer to a missing or wrong API token: E0000011, no challenge.
func deniedSSWS() *denial {
	return &denial{status: http.StatusUnauthorized, err: errInvalidToken()}
}

// wwwAuthenticate builds the challenge Okta sends: scheme Bearer, or DPoP
// with its algs, then authorization_uri, realm and the given pairs.
func wwwAuthenticate(c *call, dpop bool, pairs ...string) string {
	var b strings.Builder
	if dpop {
		b.WriteString(`DPoP algs="` + dpopAlgs + `", `)
	} else {
		b.WriteString("Bearer ")
	}
	b.WriteString(`authorization_uri="` + c.base + authorizePath + `", realm="` + realmMyAccountAPI + `"`)
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString(", " + pairs[i] + `="` + quoteEscaper.Replace(pairs[i+1]) + `"`)
	}
	return b.String()
}

// quoteEscaper escapes a value for an HTTP quoted-string.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func deniedToken(c *call, dpop bool) *denial {
	return &denial{status: http.StatusUnauthorized, err: errInvalidToken(),
		wwwAuth: wwwAuthenticate(c, dpop, "error", "invalid_token", "error_description", invalidTokenDesc)}
}

func deniedDPoP(c *call, desc string) *denial {
	return &denial{status: http.StatusUnauthorized, err: errInvalidToken(),
		wwwAuth: wwwAuthenticate(c, true, "error", "invalid_dpop_proof", "error_description", desc)}
}

// authorizeOAuth checks an API call made with an access token issued by the
// org ("Bearer" or "DPoP" scheme) and the scope its route needs.
func (o *Org) authorizeOAuth(c *call, rt *route, scheme, tok string) *denial {
	dpopScheme := strings.EqualFold(scheme, "DPoP")
	s := &o.oauth
	s.mu.Lock()
	var at accessToken
	t := s.tokens[tok]
	if t != nil {
		at = *t
	}
	s.mu.Unlock()
	if t == nil || at.expired || !o.now().Before(at.expires) {
		return deniedToken(c, dpopScheme)
	}
	bound := at.jkt != ""
	if bound != dpopScheme {
		// A DPoP-bound token used as a Bearer token, or the reverse.
		return deniedToken(c, bound)
	}
	if bound {
		if d := o.apiDPoP(c, tok, at.jkt); d != nil {
			return d
		}
	}
	var template string
	if rt != nil {
		template = rt.template
	}
	if need := requiredScope(c.r.Method, template); need != "" && !hasScope(at.scopes, need) {
		return &denial{status: http.StatusForbidden, wwwAuth: wwwAuthenticate(c, bound,
			"scope", need, "error", "insufficient_scope", "error_description", insufficientScDesc,
			"resource", c.r.URL.Path)}
	}
	return nil
}

// hasScope reports whether granted holds need; x.manage implies x.read.
func hasScope(granted []string, need string) bool {
	if slices.Contains(granted, need) {
		return true
	}
	if base, ok := strings.CutSuffix(need, ".read"); ok {
		return slices.Contains(granted, base+".manage")
	}
	return false
}
