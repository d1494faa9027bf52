// Package okta is the one way okta-mcp talks to an Okta org. It owns
// okta-sdk-golang: it configures the SDK so that no stray file or environment
// variable can change where credentials go, routes every request through the
// rate-limiting transport, and hands callers the raw response body, the
// rate-limit state and the next page, or a structured *Error.
package okta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/okta-mcp/okta-mcp/orgurl"
	"github.com/okta-mcp/okta-mcp/pagination"
	"github.com/okta-mcp/okta-mcp/ratelimit"
)

// Options configure a Client.
type Options struct {
	// OrgURL is the org's base URL, e.g. https://acme.okta.com. http:// is
	// accepted only for loopback hosts (the sandbox and tests).
	OrgURL string
	// Credential authenticates requests.
	Credential Credential
	// Policy governs concurrency, rate-limit waits, retries and timeouts.
	Policy ratelimit.Policy
	// Base is the transport under the rate limiter; nil means a tuned
	// http.Transport.
	Base http.RoundTripper
	// UserAgent is appended to the SDK's User-Agent.
	UserAgent string
}

// Credential is how requests are authenticated: exactly one of its fields
// is set. The zero value is invalid. Its String, GoString and Format
// methods never print a secret.
type Credential struct {
	// APIToken is an Okta API token, sent as "Authorization: SSWS <token>".
	APIToken string
	// ServiceApp is an OAuth service app: the SDK's PrivateKey mode gets
	// the access tokens (private-key JWT assertion, DPoP when the org
	// demands it) through the client's own transport, from the org only.
	ServiceApp *ServiceApp
	// Device hands out OAuth access tokens (a signed-in admin's), set as
	// "Authorization: Bearer …" on each request by the client's transport.
	Device *TokenSource
}

// Client calls the Okta Management API.
type Client struct {
	sdk      atomic.Pointer[sdk.APIClient] // replaced when a service app's token is refused
	cfg      *sdk.Configuration
	orgHost  string
	limiter  *ratelimit.Transport
	auth     string      // authSSWS, authPrivateKey or authBearer
	clientID string      // service app
	tokens   *tokenState // service app: outcome of the SDK's token requests
}

// New checks the options and builds a client. It makes no request.
func New(opts Options) (*Client, error) {
	u, err := CheckOrgURL(opts.OrgURL)
	if err != nil {
		return nil, err
	}
	auth, err := opts.Credential.kind()
	if err != nil {
		return nil, err
	}
	base := opts.Base
	if base == nil {
		base = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        100,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
	}
	limiter := ratelimit.NewTransport(base, opts.Policy)
	var authed http.RoundTripper = limiter
	tokens := &tokenState{}
	switch auth {
	case authPrivateKey:
		// The SDK's token requests use this client too (no context, so
		// captureTransport passes them through); tokenWatch reads Okta's
		// answer to them and keeps them on the org.
		authed = tokenWatch{state: tokens, org: u, next: limiter}
	case authBearer:
		authed = bearerTransport{src: opts.Credential.Device, org: u, next: limiter}
	}
	httpClient := &http.Client{
		Transport: captureTransport{next: authed},
		// Okta's API does not redirect; following one could carry the
		// Authorization header's target elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	cfg, err := sdk.NewConfiguration()
	if err != nil {
		return nil, fmt.Errorf("configure Okta SDK: %w", err)
	}
	// NewConfiguration has read ~/.okta/okta.yaml and OKTA_CLIENT_* variables.
	// Forget all of it (org URL, token, proxy, retries, cache, debug dumps)
	// and set every option explicitly.
	reflect.ValueOf(&cfg.Okta).Elem().SetZero()
	cfg.Debug = false
	cfg.DefaultHeader = map[string]string{}
	cfg.Context = context.Background() // NewConfiguration put OKTA_CLIENT_TOKEN there
	cfg.PrivateKeySigner = nil
	cfg.CacheManager = nil
	cfg.Okta.Client.OrgUrl = u.String()
	cfg.Okta.Client.AuthorizationMode = auth
	switch auth {
	case authSSWS:
		cfg.Okta.Client.Token = opts.Credential.APIToken
	case authPrivateKey:
		app := opts.Credential.ServiceApp
		cfg.Okta.Client.ClientId = app.ClientID
		cfg.Okta.Client.Scopes = append([]string(nil), app.Scopes...)
		cfg.Okta.Client.PrivateKey = app.PrivateKeyPEM
		cfg.Okta.Client.PrivateKeyId = app.KeyID
	case authBearer:
		// bearerTransport sets the Authorization header of each request.
		cfg.Okta.Client.Token = ""
	}
	cfg.Okta.Client.Cache.Enabled = false
	cfg.Okta.Client.RateLimit.MaxRetries = 0 // the ratelimit transport retries
	cfg.Okta.Client.RequestTimeout = 0       // the ratelimit transport bounds each attempt
	cfg.HTTPClient = httpClient
	// The SDK keeps only the hostname; keep the port too.
	cfg.Host = u.Host
	cfg.Scheme = u.Scheme
	if opts.UserAgent != "" {
		cfg.UserAgent += " " + opts.UserAgent
	}
	c := &Client{cfg: cfg, orgHost: u.Host, limiter: limiter, auth: auth, tokens: tokens}
	c.sdk.Store(sdk.NewAPIClient(cfg))
	if auth == authPrivateKey {
		c.clientID = opts.Credential.ServiceApp.ClientID
	}
	return c, nil
}

// CheckOrgURL parses an org URL: https, or http for loopback hosts only, with
// no path, query, fragment or user info (package orgurl's rule).
func CheckOrgURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("no Okta org URL: pass --org-url https://your-org.okta.com (or set OKTA_ORG_URL), or use --sandbox")
	}
	norm, err := orgurl.Normalize(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid org URL: %w; want https://your-org.okta.com", err)
	}
	return url.Parse(norm)
}

// InFlight reports how many requests hold a concurrency slot now.
func (c *Client) InFlight() int { return c.limiter.InFlight() }

// Response is a successful answer from Okta.
type Response struct {
	Status    int
	Body      []byte // the raw JSON body; decode loosely
	Rate      *RateLimit
	RequestID string
	// NextAfter is the "after" value of the rel="next" link, "" on the last page.
	NextAfter string
}

// RateLimit is a bucket's budget in the shape of the IETF RateLimit fields:
// Reset is seconds from now.
type RateLimit struct {
	Limit     int `json:"limit"`
	Remaining int `json:"remaining"`
	Reset     int `json:"reset"`
}

// exchange is what captureTransport saw of the final attempt of a request.
type exchange struct {
	status int
	header http.Header
	body   []byte
	err    error
}

type exchangeKey struct{}

// captureTransport records the final response (or failure) of each request
// in the exchange carried by its context. The SDK drains 429 bodies, loses
// headers after its own retries, and loops on io.EOF; reading the outcome
// here instead keeps status, headers and body intact for every response.
type captureTransport struct{ next http.RoundTripper }

func (t captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	resp, err := t.next.RoundTrip(req)
	if ex == nil {
		return resp, err
	}
	if err != nil {
		ex.err = err
		// Never hand the SDK an error that unwraps to io.EOF: it retries those forever.
		return nil, errors.New("okta request failed")
	}
	body, rerr := readBody(resp)
	resp.Body.Close()
	if rerr != nil {
		ex.err = &ratelimit.TransportError{Kind: "connection_error", Err: rerr}
		return nil, errors.New("okta request failed")
	}
	ex.status, ex.header, ex.body = resp.StatusCode, resp.Header, body
	// The outcome is read from ex. Handing the SDK an empty body spares it
	// decoding every page into its typed models (most of the CPU of a list
	// call, and a failure on any odd value), which nothing uses.
	resp.Body, resp.ContentLength = http.NoBody, 0
	return resp, nil
}

// readBody reads a response body whole. The rate-limit transport has
// already read it into memory: its bytes are taken as they are. Otherwise
// (a transport under test) it is read into one buffer of ContentLength's
// size: io.ReadAll would grow its buffer step by step, about five times
// the body's size in garbage for a 2 MB page of log events.
func readBody(resp *http.Response) ([]byte, error) {
	if b, ok := resp.Body.(*ratelimit.Body); ok {
		return b.Bytes(), nil // no copy: the rate limiter read it whole
	}
	if n := resp.ContentLength; n >= 0 && n <= ratelimit.MaxBodyBytes {
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead)) // ReadFrom wants MinRead free to see EOF
		_, err := buf.ReadFrom(resp.Body)
		return buf.Bytes(), err
	}
	return io.ReadAll(resp.Body)
}

// do runs one SDK call and turns its outcome into a Response or an *Error.
// api is the SDK client the next request goes through.
func (c *Client) api() *sdk.APIClient { return c.sdk.Load() }

// do runs one SDK call and turns what happened on the wire into a Response
// or an *Error. A service app's access token that Okta refuses (401: revoked,
// expired early, its app's keys or scopes changed) is dropped and the call
// made once more with a new one: the SDK would otherwise keep sending it
// until its expiry. Okta processed nothing it answered 401, so this never
// repeats a write.
func (c *Client) do(ctx context.Context, call func(ctx context.Context) error) (*Response, error) {
	used := c.api()
	resp, err := c.doOnce(ctx, call)
	var e *Error
	if c.auth == authPrivateKey && errors.As(err, &e) && e.Status == http.StatusUnauthorized && ctx.Err() == nil {
		// Another call may have renewed it already; then use that one.
		c.sdk.CompareAndSwap(used, sdk.NewAPIClient(c.cfg))
		resp, err = c.doOnce(ctx, call)
	}
	return resp, err
}

func (c *Client) doOnce(ctx context.Context, call func(ctx context.Context) error) (*Response, error) {
	ex := &exchange{}
	gen := c.tokens.generation()
	sdkErr := call(context.WithValue(ctx, exchangeKey{}, ex))
	if e := c.authError(ctx, ex, sdkErr, gen); e != nil {
		return nil, e
	}
	switch {
	case ex.err != nil:
		return nil, transportFailure(ctx, ex.err)
	case ex.status == 0:
		if ctx.Err() != nil {
			return nil, transportFailure(ctx, ctx.Err())
		}
		if sdkErr == nil {
			sdkErr = errors.New("no response")
		}
		return nil, &Error{Code: CodeConnection, Summary: "the request was not sent: " + redactURLs(sdkErr.Error())}
	}
	rate := rateOf(ex.header)
	reqID := ex.header.Get("X-Okta-Request-Id")
	if ex.status >= 300 {
		return nil, errorFromResponse(ex.status, ex.header, ex.body, rate)
	}
	if len(ex.body) > 0 && !looksJSON(ex.header, ex.body) {
		return nil, &Error{Code: CodeInvalidResponse, Summary: fmt.Sprintf("Okta answered %d with a body that is not JSON (Content-Type %q)", ex.status, ex.header.Get("Content-Type")), RequestID: reqID, RateLimit: rate}
	}
	after, err := pagination.NextAfter(ex.header, c.orgHost)
	if err != nil {
		return nil, foreignNext(err, reqID, rate)
	}
	return &Response{Status: ex.status, Body: ex.body, Rate: rate, RequestID: reqID, NextAfter: after}, nil
}

// foreignNext is the error for a page whose next-page link leaves the org:
// returning the page without a cursor would pass it off as the last one.
func foreignNext(err error, reqID string, rate *RateLimit) *Error {
	return &Error{Code: CodeInvalidResponse, Causes: []string{},
		Summary:   "Okta's answer is one page of more, but " + err.Error() + "; okta-mcp never follows a link off the org, so this list cannot be continued",
		Hint:      "If the org is reached through another domain (a custom URL domain), set --org-url to the host Okta uses in its links.",
		RequestID: reqID, RateLimit: rate}
}

func rateOf(h http.Header) *RateLimit {
	r, ok := ratelimit.Parse(h)
	if !ok {
		return nil
	}
	return &RateLimit{Limit: r.Limit, Remaining: r.Remaining, Reset: r.ResetIn(time.Now())}
}

func looksJSON(h http.Header, body []byte) bool {
	if ct := h.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return false
	}
	b := bytes.TrimLeft(body, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}
