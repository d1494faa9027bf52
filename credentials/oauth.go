package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/okta-mcp/okta-mcp/orgurl"
)

// Endpoints of the org authorization server (relative to the org URL).
const (
	DeviceAuthorizePath = "/oauth2/v1/device/authorize"
	TokenPath           = "/oauth2/v1/token"

	deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"
	// OfflineAccessScope makes Okta issue a refresh token.
	OfflineAccessScope = "offline_access"

	defaultInterval = 5 * time.Second // RFC 8628 §3.2
	slowDownStep    = 5 * time.Second // RFC 8628 §3.5
	maxBodyBytes    = 1 << 20
	maxTransient    = 3 // network errors, 429 or 5xx in a row before PollDevice gives up
)

// OAuthError is an error answer of Okta's OAuth endpoints (RFC 6749 §5.2,
// RFC 8628 §3.5): Code is e.g. "invalid_grant" (revoked or expired refresh
// token), "authorization_pending", "slow_down", "access_denied",
// "expired_token"; Status the HTTP status. Error() never includes a token.
type OAuthError struct {
	Code, Description string
	Status            int
}

func (e *OAuthError) Error() string {
	var b strings.Builder
	b.WriteString("okta oauth")
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.Code == "" && e.Description == "" {
		b.WriteString(": unexpected answer")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	return b.String()
}

// DeviceCode is the answer of the device authorization endpoint. Show the
// admin VerificationURI and UserCode (or VerificationURIComplete); keep
// DeviceCode to poll with. ExpiresIn and Interval are seconds.
type DeviceCode struct {
	DeviceCode, UserCode, VerificationURI, VerificationURIComplete string
	ExpiresIn, Interval                                            int
}

// String shows what the admin needs and masks the device code.
func (d DeviceCode) String() string {
	return fmt.Sprintf("credentials.DeviceCode{verification_uri=%s user_code=%s device_code=%s expires_in=%d interval=%d}",
		d.VerificationURI, d.UserCode, Mask(d.DeviceCode), d.ExpiresIn, d.Interval)
}

// GoString is String.
func (d DeviceCode) GoString() string { return d.String() }

// Format prints String for every verb.
func (d DeviceCode) Format(f fmt.State, verb rune) { formatSafe(f, verb, d.String()) }

// Token is an answer of the token endpoint. RefreshToken is "" when Okta
// did not send one (no offline_access, or no rotation on refresh: keep the
// old one then). Expiry is zero when Okta sent no expires_in.
type Token struct {
	AccessToken, RefreshToken, TokenType, Scope string
	Expiry                                      time.Time
}

// String masks both tokens.
func (t Token) String() string {
	exp := "unknown"
	if !t.Expiry.IsZero() {
		exp = t.Expiry.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("credentials.Token{token_type=%s scope=%q expiry=%s access_token=%s refresh_token=%s}",
		t.TokenType, t.Scope, exp, Mask(t.AccessToken), Mask(t.RefreshToken))
}

// GoString is String.
func (t Token) GoString() string { return t.String() }

// Format prints String for every verb.
func (t Token) Format(f fmt.State, verb rune) { formatSafe(f, verb, t.String()) }

// StartDevice begins the device authorization grant (RFC 8628 §3.1):
// a form POST of client_id and scope to <org>/oauth2/v1/device/authorize.
// offline_access is added to scopes when missing, since the point of the
// device credential is a stored refresh token. hc nil → a client with a
// 30 s timeout; redirects are never followed.
func StartDevice(ctx context.Context, hc *http.Client, orgURL, clientID string, scopes []string) (*DeviceCode, error) {
	base, err := oauthBase(orgURL, clientID)
	if err != nil {
		return nil, err
	}
	if err := checkScopes(scopes); err != nil {
		return nil, err
	}
	if !slices.Contains(scopes, OfflineAccessScope) {
		scopes = append(slices.Clip(scopes), OfflineAccessScope)
	}
	form := url.Values{"client_id": {clientID}, "scope": {strings.Join(scopes, " ")}}
	body, err := postForm(ctx, hc, base+DeviceAuthorizePath, form, nil)
	if err != nil {
		return nil, err
	}
	var r struct {
		DeviceCode              string   `json:"device_code"`
		UserCode                string   `json:"user_code"`
		VerificationURI         string   `json:"verification_uri"`
		VerificationURIComplete string   `json:"verification_uri_complete"`
		ExpiresIn               flexSecs `json:"expires_in"`
		Interval                flexSecs `json:"interval"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, errors.New("okta oauth: the device authorization answer is not JSON")
	}
	if r.DeviceCode == "" || r.UserCode == "" || r.VerificationURI == "" {
		return nil, errors.New("okta oauth: the device authorization answer lacks device_code, user_code or verification_uri")
	}
	dc := &DeviceCode{
		DeviceCode:              r.DeviceCode,
		UserCode:                r.UserCode,
		VerificationURI:         r.VerificationURI,
		VerificationURIComplete: r.VerificationURIComplete,
		ExpiresIn:               int(r.ExpiresIn),
		Interval:                int(r.Interval),
	}
	if dc.Interval <= 0 {
		dc.Interval = int(defaultInterval / time.Second)
	}
	return dc, nil
}

// PollDevice polls <org>/oauth2/v1/token with the device code (RFC 8628
// §3.4) every dc.Interval seconds, first after one interval, until the
// admin approves (the token), denies (an error wrapping *OAuthError
// "access_denied"), the code expires ("expired_token", also when
// dc.ExpiresIn seconds of waiting pass without an answer) or ctx ends.
// "slow_down" adds 5 s to the interval for the rest of the polling; up to 3
// network errors, 429s or 5xx answers in a row are waited out the same way.
// sleep nil → a timer that honours ctx.
func PollDevice(ctx context.Context, hc *http.Client, orgURL, clientID string, dc *DeviceCode, sleep func(context.Context, time.Duration) error) (*Token, error) {
	base, err := oauthBase(orgURL, clientID)
	if err != nil {
		return nil, err
	}
	if dc == nil || dc.DeviceCode == "" {
		return nil, errors.New("okta oauth: no device code to poll with")
	}
	if sleep == nil {
		sleep = sleepCtx
	}
	interval := time.Duration(dc.Interval) * time.Second
	if interval <= 0 {
		interval = defaultInterval
	}
	limit := time.Duration(dc.ExpiresIn) * time.Second
	var waited time.Duration
	transient := 0
	form := url.Values{"grant_type": {deviceGrantType}, "device_code": {dc.DeviceCode}, "client_id": {clientID}}
	for {
		if limit > 0 && waited >= limit {
			return nil, expiredErr(&OAuthError{Code: "expired_token", Description: "the device code expired while waiting for approval"})
		}
		if err := sleep(ctx, interval); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		waited += interval
		tr, err := tokenCall(ctx, hc, base, form, dc.DeviceCode)
		if err == nil {
			return tr.token(time.Now()), nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		var oe *OAuthError
		var te *transportError
		if errors.As(err, &te) || (errors.As(err, &oe) && (oe.Status == http.StatusTooManyRequests || oe.Status >= 500)) {
			transient++
			if transient > maxTransient {
				return nil, fmt.Errorf("polling for the device sign-in: %w", err)
			}
			if oe != nil && oe.Status == http.StatusTooManyRequests {
				interval += slowDownStep
			}
			continue
		}
		transient = 0
		if oe == nil {
			return nil, err
		}
		switch oe.Code {
		case "authorization_pending":
		case "slow_down":
			interval += slowDownStep
		case "access_denied":
			return nil, fmt.Errorf("the sign-in was denied: %w", err)
		case "expired_token":
			return nil, expiredErr(err)
		default:
			return nil, fmt.Errorf("polling for the device sign-in: %w", err)
		}
	}
}

func expiredErr(err error) error {
	return fmt.Errorf("the sign-in code expired before it was approved; run `okta-mcp auth login --device` again: %w", err)
}

// RefreshToken redeems a refresh token (RFC 6749 §6) at
// <org>/oauth2/v1/token. scopes may be nil (then Okta grants the original
// scopes). A revoked, expired or already-rotated refresh token gives
// *OAuthError "invalid_grant". Okta may rotate the refresh token: then
// Token.RefreshToken is the new one and must be stored.
func RefreshToken(ctx context.Context, hc *http.Client, orgURL, clientID, refreshToken string, scopes []string) (*Token, error) {
	tr, err := refresh(ctx, hc, orgURL, clientID, refreshToken, scopes)
	if err != nil {
		return nil, err
	}
	return tr.token(time.Now()), nil
}

func refresh(ctx context.Context, hc *http.Client, orgURL, clientID, refreshToken string, scopes []string) (*tokenResponse, error) {
	base, err := oauthBase(orgURL, clientID)
	if err != nil {
		return nil, err
	}
	if refreshToken == "" {
		return nil, errors.New("okta oauth: no refresh token")
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {clientID}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	return tokenCall(ctx, hc, base, form, refreshToken)
}

type tokenResponse struct {
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    flexSecs `json:"expires_in"`
	RefreshToken string   `json:"refresh_token"`
	Scope        string   `json:"scope"`
}

func (r *tokenResponse) token(now time.Time) *Token {
	t := &Token{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, TokenType: r.TokenType, Scope: r.Scope}
	if r.ExpiresIn > 0 {
		t.Expiry = now.Add(time.Duration(r.ExpiresIn) * time.Second)
	}
	return t
}

// tokenCall POSTs form to the token endpoint and decodes a token answer.
func tokenCall(ctx context.Context, hc *http.Client, base string, form url.Values, secret string) (*tokenResponse, error) {
	body, err := postForm(ctx, hc, base+TokenPath, form, []string{secret})
	if err != nil {
		return nil, err
	}
	var r tokenResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, errors.New("okta oauth: the token answer is not JSON")
	}
	if r.AccessToken == "" {
		return nil, errors.New("okta oauth: the token answer has no access_token")
	}
	if r.TokenType != "" && !strings.EqualFold(r.TokenType, "Bearer") {
		return nil, fmt.Errorf("okta oauth: token type %q is not supported for this credential (only Bearer)", r.TokenType)
	}
	return &r, nil
}

// oauthBase checks the org URL and client ID and returns the normalized
// org URL.
func oauthBase(orgURL, clientID string) (string, error) {
	base, err := orgurl.Normalize(orgURL)
	if err != nil {
		return "", fmt.Errorf("org URL: %w", err)
	}
	if base == "" {
		return "", errors.New("org URL is empty")
	}
	if err := checkToken("client_id", clientID); err != nil {
		return "", err
	}
	return base, nil
}

// postForm sends a form POST and returns the body of a 2xx answer; any
// other answer is an *OAuthError whose description has secrets scrubbed.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values, secrets []string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("okta oauth: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := noRedirects(hc).Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, &transportError{scrub(err, secrets)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, &transportError{scrub(err, secrets)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return body, nil
	}
	oe := &OAuthError{Status: resp.StatusCode}
	var e struct {
		Error        string `json:"error"`
		Description  string `json:"error_description"`
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &e) == nil {
		oe.Code, oe.Description = e.Error, e.Description
		if oe.Code == "" {
			oe.Code, oe.Description = e.ErrorCode, e.ErrorSummary
		}
	}
	oe.Code = cleanText(oe.Code, secrets, 100)
	oe.Description = cleanText(oe.Description, secrets, 300)
	return nil, oe
}

// cleanText removes secrets and control characters from server text and
// caps its length.
func cleanText(s string, secrets []string, max int) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
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

// transportError is a request that got no HTTP answer (connection refused,
// reset, timeout…).
type transportError struct{ err error }

func (e *transportError) Error() string { return "okta oauth: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// noRedirects returns a copy of hc that never follows a redirect: a token
// request (and its refresh token) goes to the org and nowhere else.
func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = defaultHTTPClient
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flexSecs decodes a number of seconds sent as a JSON number or string.
type flexSecs int64

func (f *flexSecs) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 1e9 {
		return errors.New("bad number of seconds")
	}
	*f = flexSecs(n)
	return nil
}
