package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testDeviceClient = "0oaDEVICEapp456"
	testUserCode     = "WDJB-MJHT"
)

// fakeOkta implements the org authorization server's device authorization
// (RFC 8628) and token (RFC 6749) endpoints, scripted per test.
type fakeOkta struct {
	t   *testing.T
	srv *httptest.Server
	url string

	mu          sync.Mutex
	polls       []string // answers to device-code polls, in order; then "pending" forever
	pollCount   int
	interval    int
	expiresIn   int
	rotate      bool
	lifetime    int // access token expires_in; 0 → 3600
	refresh     map[string]bool
	refreshes   int
	block       chan struct{} // refresh requests wait on it when set
	echoSecrets bool          // error descriptions quote the token they got
	n           int
	badRequests []string
}

func newFakeOkta(t *testing.T) *fakeOkta {
	f := &fakeOkta{t: t, refresh: map[string]bool{}, interval: 5, expiresIn: 600}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.url = f.srv.URL
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, b := range f.badRequests {
			t.Errorf("fake Okta got a bad request: %s", b)
		}
	})
	return f
}

func (f *fakeOkta) client() *http.Client { return f.srv.Client() }

func (f *fakeOkta) issueRefresh() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.newRefreshLocked()
}

func (f *fakeOkta) newRefreshLocked() string {
	f.n++
	rt := fmt.Sprintf("%s-%d", secretRefreshToken, f.n)
	f.refresh[rt] = true
	return rt
}

func (f *fakeOkta) refreshValid(rt string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refresh[rt]
}

func (f *fakeOkta) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh = map[string]bool{}
}

func (f *fakeOkta) counts() (polls, refreshes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pollCount, f.refreshes
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (f *fakeOkta) bad(format string, args ...any) {
	f.mu.Lock()
	f.badRequests = append(f.badRequests, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fakeOkta) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.bad("%s %s", r.Method, r.URL.Path)
		oauthErr(w, 405, "invalid_request", "POST only")
		return
	}
	if r.URL.RawQuery != "" {
		f.bad("parameters in the URL query: %s", r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		f.bad("Content-Type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		f.bad("form: %v", err)
	}
	if got := r.PostForm.Get("client_id"); got != testDeviceClient {
		oauthErr(w, 401, "invalid_client", "Invalid value for 'client_id' parameter.")
		return
	}
	switch r.URL.Path {
	case DeviceAuthorizePath:
		scopes := strings.Fields(r.PostForm.Get("scope"))
		if !slices.Contains(scopes, "offline_access") {
			f.bad("device authorize without offline_access: %v", scopes)
		}
		writeJSON(w, 200, map[string]any{
			"device_code": secretDeviceCode, "user_code": testUserCode,
			"verification_uri":          f.url + "/activate",
			"verification_uri_complete": f.url + "/activate?user_code=" + testUserCode,
			"expires_in":                f.expiresIn, "interval": f.interval,
		})
	case TokenPath:
		switch r.PostForm.Get("grant_type") {
		case "urn:ietf:params:oauth:grant-type:device_code":
			f.poll(w, r)
		case "refresh_token":
			f.refreshGrant(w, r)
		default:
			oauthErr(w, 400, "unsupported_grant_type", "The grant type is not supported.")
		}
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeOkta) tokenAnswerLocked(withRefresh bool) map[string]any {
	f.n++
	life := f.lifetime
	if life == 0 {
		life = 3600
	}
	a := map[string]any{
		"token_type": "Bearer", "expires_in": life, "scope": "okta.users.read offline_access",
		"access_token": fmt.Sprintf("%s-%d", secretAccessToken, f.n),
	}
	if withRefresh {
		a["refresh_token"] = f.newRefreshLocked()
	}
	return a
}

func (f *fakeOkta) poll(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.PostForm.Get("device_code") != secretDeviceCode {
		oauthErr(w, 400, "invalid_grant", "The device code is invalid.")
		return
	}
	next := "pending"
	if f.pollCount < len(f.polls) {
		next = f.polls[f.pollCount]
	}
	f.pollCount++
	desc := ""
	if f.echoSecrets {
		desc = " (device_code " + secretDeviceCode + ")"
	}
	switch next {
	case "pending":
		oauthErr(w, 400, "authorization_pending", "The device authorization is pending. Please try again later."+desc)
	case "slow_down":
		oauthErr(w, 400, "slow_down", "The client is polling too fast."+desc)
	case "denied":
		oauthErr(w, 400, "access_denied", "The resource owner or authorization server denied the request."+desc)
	case "expired":
		oauthErr(w, 400, "expired_token", "The device code has expired."+desc)
	case "503":
		w.WriteHeader(503)
		_, _ = w.Write([]byte("<html>down " + secretDeviceCode + "</html>"))
	case "429":
		writeJSON(w, 429, map[string]any{"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."})
	case "approve":
		writeJSON(w, 200, f.tokenAnswerLocked(true))
	case "approve-no-refresh":
		writeJSON(w, 200, f.tokenAnswerLocked(false))
	case "approve-dpop":
		a := f.tokenAnswerLocked(false)
		a["token_type"] = "DPoP"
		writeJSON(w, 200, a)
	default:
		f.t.Errorf("unknown scripted poll answer %q", next)
	}
}

func (f *fakeOkta) refreshGrant(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.refreshes++
	block := f.block
	f.mu.Unlock()
	if block != nil {
		<-block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rt := r.PostForm.Get("refresh_token")
	if !f.refresh[rt] {
		desc := "The refresh token is invalid or expired."
		if f.echoSecrets {
			desc += " Token: " + rt
		}
		oauthErr(w, 400, "invalid_grant", desc)
		return
	}
	if s := r.PostForm.Get("scope"); s != "" && s != "okta.users.read offline_access" {
		f.badRequests = append(f.badRequests, "refresh scope "+s)
	}
	if f.rotate {
		delete(f.refresh, rt)
	}
	writeJSON(w, 200, f.tokenAnswerLocked(f.rotate))
}

// fakeSleep records the waits and returns at once.
type fakeSleep struct {
	mu     sync.Mutex
	waits  []time.Duration
	cancel func() // called at the Nth wait when set
	at     int
}

func (s *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	n := len(s.waits)
	s.mu.Unlock()
	if s.cancel != nil && n == s.at {
		s.cancel()
	}
	return ctx.Err()
}

func secs(d ...int) []time.Duration {
	out := make([]time.Duration, len(d))
	for i, s := range d {
		out[i] = time.Duration(s) * time.Second
	}
	return out
}

func TestStartDevice(t *testing.T) {
	f := newFakeOkta(t)
	dc, err := StartDevice(context.Background(), f.client(), f.url+"/", testDeviceClient, []string{"okta.users.read"})
	if err != nil {
		t.Fatal(err)
	}
	want := DeviceCode{DeviceCode: secretDeviceCode, UserCode: testUserCode, VerificationURI: f.url + "/activate",
		VerificationURIComplete: f.url + "/activate?user_code=" + testUserCode, ExpiresIn: 600, Interval: 5}
	if *dc != want {
		t.Errorf("StartDevice = %+v, want %+v", dc.String(), want.String())
	}
	// offline_access is not added twice, and the caller's slice is left alone.
	scopes := make([]string, 1, 4)
	scopes[0] = "okta.users.read"
	if _, err := StartDevice(context.Background(), f.client(), f.url, testDeviceClient, scopes); err != nil {
		t.Fatal(err)
	}
	if got := scopes[:cap(scopes)][1]; got != "" {
		t.Errorf("caller's backing array written: %q", got)
	}
	if _, err := StartDevice(context.Background(), f.client(), f.url, testDeviceClient, []string{"offline_access", "okta.users.read"}); err != nil {
		t.Fatal(err)
	}
	// interval defaults to 5 s when Okta sends none.
	f.interval = 0
	dc, err = StartDevice(context.Background(), f.client(), f.url, testDeviceClient, []string{"okta.users.read"})
	if err != nil || dc.Interval != 5 {
		t.Errorf("default interval: %+v, %v", dc, err)
	}
}

func TestStartDeviceErrors(t *testing.T) {
	f := newFakeOkta(t)
	ctx := context.Background()
	_, err := StartDevice(ctx, f.client(), f.url, "0oaUNKNOWN", []string{"okta.users.read"})
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || oe.Status != 401 || !strings.Contains(oe.Description, "client_id") {
		t.Errorf("unknown client: %v", err)
	}
	if _, err := StartDevice(ctx, f.client(), "http://acme.okta.com", testDeviceClient, []string{"x"}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("http org: %v", err)
	}
	if _, err := StartDevice(ctx, f.client(), f.url, "", []string{"x"}); err == nil {
		t.Error("empty client id accepted")
	}
	if _, err := StartDevice(ctx, f.client(), f.url, testDeviceClient, nil); err == nil {
		t.Error("no scopes accepted")
	}
	for name, h := range map[string]http.HandlerFunc{
		"not JSON":       func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) },
		"missing fields": func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, map[string]any{"device_code": "x"}) },
		"HTML 502": func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		},
		"Okta error body": func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 400, map[string]any{"errorCode": "E0000022", "errorSummary": "The endpoint does not support the provided HTTP method"})
		},
	} {
		srv := httptest.NewServer(h)
		_, err := StartDevice(ctx, srv.Client(), srv.URL, testDeviceClient, []string{"okta.users.read"})
		srv.Close()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		switch name {
		case "HTML 502":
			if !errors.As(err, &oe) || oe.Status != 502 || oe.Code != "" || strings.Contains(err.Error(), "html") {
				t.Errorf("%s: %v", name, err)
			}
		case "Okta error body":
			if !errors.As(err, &oe) || oe.Code != "E0000022" || !strings.Contains(err.Error(), "does not support") {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

func startFlow(t *testing.T, f *fakeOkta) *DeviceCode {
	t.Helper()
	dc, err := StartDevice(context.Background(), f.client(), f.url, testDeviceClient, []string{"okta.users.read"})
	if err != nil {
		t.Fatal(err)
	}
	return dc
}

func TestPollDeviceApproved(t *testing.T) {
	f := newFakeOkta(t)
	f.polls = []string{"pending", "slow_down", "pending", "slow_down", "approve"}
	dc := startFlow(t, f)
	var s fakeSleep
	before := time.Now()
	tok, err := PollDevice(context.Background(), f.client(), f.url, testDeviceClient, dc, s.sleep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, secretAccessToken) || !strings.HasPrefix(tok.RefreshToken, secretRefreshToken) ||
		tok.TokenType != "Bearer" || tok.Scope != "okta.users.read offline_access" {
		t.Errorf("token = %v", tok)
	}
	if tok.Expiry.Before(before.Add(3599*time.Second)) || tok.Expiry.After(time.Now().Add(3600*time.Second)) {
		t.Errorf("expiry %v, want about an hour from now", tok.Expiry)
	}
	if want := secs(5, 5, 10, 10, 15); !slices.Equal(s.waits, want) {
		t.Errorf("waits = %v, want %v (slow_down adds 5 s each time)", s.waits, want)
	}
	if polls, _ := f.counts(); polls != 5 {
		t.Errorf("%d polls, want 5", polls)
	}
}

func TestPollDeviceDeniedAndExpired(t *testing.T) {
	for answer, code := range map[string]string{"denied": "access_denied", "expired": "expired_token"} {
		f := newFakeOkta(t)
		f.polls = []string{"pending", answer, "approve"}
		f.echoSecrets = true
		var s fakeSleep
		_, err := PollDevice(context.Background(), f.client(), f.url, testDeviceClient, startFlow(t, f), s.sleep)
		var oe *OAuthError
		if !errors.As(err, &oe) || oe.Code != code || oe.Status != 400 {
			t.Errorf("%s: %v, want *OAuthError %s", answer, err, code)
			continue
		}
		assertNoSecret(t, answer, err.Error(), secretDeviceCode)
		if polls, _ := f.counts(); polls != 2 {
			t.Errorf("%s: %d polls, want 2 (stop at once)", answer, polls)
		}
		if answer == "denied" && !strings.Contains(err.Error(), "denied") {
			t.Errorf("message: %v", err)
		}
		if answer == "expired" && !strings.Contains(err.Error(), "okta-mcp auth login --device") {
			t.Errorf("message: %v", err)
		}
	}
}

func TestPollDeviceGivesUpAtExpiresIn(t *testing.T) {
	f := newFakeOkta(t)
	f.expiresIn = 12 // pending forever
	var s fakeSleep
	_, err := PollDevice(context.Background(), f.client(), f.url, testDeviceClient, startFlow(t, f), s.sleep)
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "expired_token" {
		t.Fatalf("PollDevice = %v, want expired_token", err)
	}
	if want := secs(5, 5, 5); !slices.Equal(s.waits, want) {
		t.Errorf("waits = %v, want %v", s.waits, want)
	}
}

func TestPollDeviceTransientFailures(t *testing.T) {
	f := newFakeOkta(t)
	f.polls = []string{"503", "429", "503", "pending", "approve"}
	var s fakeSleep
	tok, err := PollDevice(context.Background(), f.client(), f.url, testDeviceClient, startFlow(t, f), s.sleep)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("PollDevice = %v, %v", tok, err)
	}
	if want := secs(5, 5, 10, 10, 10); !slices.Equal(s.waits, want) {
		t.Errorf("waits = %v, want %v (429 slows down)", s.waits, want)
	}

	f = newFakeOkta(t)
	f.polls = []string{"503", "503", "503", "503", "approve"}
	_, err = PollDevice(context.Background(), f.client(), f.url, testDeviceClient, startFlow(t, f), (&fakeSleep{}).sleep)
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Status != 503 {
		t.Errorf("four 503s in a row: %v", err)
	} else {
		assertNoSecret(t, "503 error", err.Error(), secretDeviceCode)
	}

	// Connection refused: a transport error, retried, then reported.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	_, err = PollDevice(context.Background(), nil, deadURL, testDeviceClient, &DeviceCode{DeviceCode: secretDeviceCode, Interval: 1}, (&fakeSleep{}).sleep)
	if err == nil || !strings.Contains(err.Error(), "polling for the device sign-in") {
		t.Errorf("dead server: %v", err)
	}
}

func TestPollDeviceOddAnswers(t *testing.T) {
	for answer, want := range map[string]string{"approve-dpop": "not supported", "approve-no-refresh": ""} {
		f := newFakeOkta(t)
		f.polls = []string{answer}
		tok, err := PollDevice(context.Background(), f.client(), f.url, testDeviceClient, startFlow(t, f), (&fakeSleep{}).sleep)
		if want == "" {
			if err != nil || tok.RefreshToken != "" || tok.AccessToken == "" {
				t.Errorf("%s: %v, %v", answer, tok, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", answer, err)
		}
	}
	if _, err := PollDevice(context.Background(), nil, "https://acme.okta.com", testDeviceClient, nil, nil); err == nil {
		t.Error("nil device code accepted")
	}
}

func TestPollDeviceHonoursContext(t *testing.T) {
	f := newFakeOkta(t)
	dc := startFlow(t, f)

	// Real timer: a cancelled context ends the wait at once.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := PollDevice(ctx, f.client(), f.url, testDeviceClient, dc, nil)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Errorf("PollDevice = %v after %v, want context.Canceled quickly", err, time.Since(start))
	}

	// Cancelled during the third wait: no fourth poll.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	s := &fakeSleep{cancel: cancel, at: 3}
	_, err = PollDevice(ctx, f.client(), f.url, testDeviceClient, dc, s.sleep)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("PollDevice = %v", err)
	}
	if polls, _ := f.counts(); polls != 2 {
		t.Errorf("%d polls, want 2", polls)
	}
}

func TestRefreshToken(t *testing.T) {
	f := newFakeOkta(t)
	f.rotate = true
	f.echoSecrets = true
	rt := f.issueRefresh()
	ctx := context.Background()
	tok, err := RefreshToken(ctx, f.client(), f.url, testDeviceClient, rt, []string{"okta.users.read", "offline_access"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.RefreshToken == rt || !f.refreshValid(tok.RefreshToken) || tok.AccessToken == "" {
		t.Errorf("rotated token = %v", tok)
	}
	// The old one is spent now: invalid_grant, and the error quotes no token.
	_, err = RefreshToken(ctx, f.client(), f.url, testDeviceClient, rt, nil)
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.Status != 400 {
		t.Fatalf("spent token: %v", err)
	}
	if !strings.Contains(oe.Description, "[redacted]") {
		t.Errorf("description not scrubbed: %q", oe.Description)
	}
	assertNoSecret(t, "invalid_grant", err.Error(), rt)
	if _, err := RefreshToken(ctx, f.client(), f.url, testDeviceClient, "", nil); err == nil {
		t.Error("empty refresh token accepted")
	}
	if _, err := RefreshToken(ctx, f.client(), "https://u:p@acme.okta.com", testDeviceClient, rt, nil); err == nil {
		t.Error("org URL with user info accepted")
	}
}

// TestTokenRequestsNeverFollowRedirects: a redirect from the org must not
// carry the refresh token anywhere else.
func TestTokenRequestsNeverFollowRedirects(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		leaked = append(leaked, r.PostForm.Get("refresh_token"))
		mu.Unlock()
		writeJSON(w, 200, map[string]any{"access_token": "x", "token_type": "Bearer"})
	}))
	defer elsewhere.Close()
	org := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer org.Close()
	_, err := RefreshToken(context.Background(), org.Client(), org.URL, testDeviceClient, secretRefreshToken, nil)
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Status != 307 {
		t.Errorf("RefreshToken = %v, want an HTTP 307 error", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 0 {
		t.Errorf("the redirect was followed; the other host got %d requests", len(leaked))
	}
}

func TestOAuthErrorText(t *testing.T) {
	for e, want := range map[*OAuthError]string{
		{Code: "invalid_grant", Description: "The refresh token is invalid or expired.", Status: 400}: "okta oauth: invalid_grant: The refresh token is invalid or expired. (HTTP 400)",
		{Status: 502}:                    "okta oauth: unexpected answer (HTTP 502)",
		{Code: "slow_down"}:              "okta oauth: slow_down",
		{Code: "x", Description: "y"}:    "okta oauth: x: y",
		{Description: "only", Status: 1}: "okta oauth: only (HTTP 1)",
	} {
		if got := e.Error(); got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	}
	if got := cleanText("a\nb\x00c "+secretRefreshToken+strings.Repeat("z", 400), []string{secretRefreshToken}, 20); got != "a b c [redacted]zzzz…" {
		t.Errorf("cleanText = %q", got)
	}
}

func TestFlexSecs(t *testing.T) {
	for in, want := range map[string]flexSecs{`3600`: 3600, `"600"`: 600, `null`: 0, `""`: 0, `5.0`: 5} {
		var f flexSecs
		if err := json.Unmarshal([]byte(in), &f); err != nil || f != want {
			t.Errorf("%s → %d, %v", in, f, err)
		}
	}
	for _, in := range []string{`-1`, `"x"`, `1e12`} {
		var f flexSecs
		if err := json.Unmarshal([]byte(in), &f); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}
