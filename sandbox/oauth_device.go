package sandbox

import (
	"crypto/rand"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// OAuth 2.0 device authorization grant (RFC 8628), for a human admin
// signing in: POST /oauth2/v1/device/authorize, then polling the token
// endpoint. Tests play the user with DeviceDecision.

// DeviceState is the user's decision on a device authorization.
type DeviceState int

const (
	DevicePending  DeviceState = iota // the user has not decided yet
	DeviceApproved                    // the user signed in and allowed the device
	DeviceDenied                      // the user refused
	DeviceExpired                     // the device code expired
)

const (
	deviceCodeLifetime    = 600 * time.Second
	defaultDeviceInterval = 5 * time.Second
	slowDownStep          = 5 * time.Second // RFC 8628 §3.5
	// userCodeAlphabet has no vowels (no words) and no look-alike letters.
	userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"
)

type deviceAuth struct {
	deviceCode string
	userCode   string // "ABCD-EFGH"
	clientID   string
	scopes     []string
	state      DeviceState
	expires    time.Time
	interval   time.Duration
	lastPoll   time.Time
	issued     bool // tokens were handed out; the device code is spent
}

// deviceAuthorizations are the org's device codes. The zero value is ready.
type deviceAuthorizations struct {
	interval     time.Duration // 0: defaultDeviceInterval
	decision     DeviceState   // applied to new authorizations (DeviceDecision(""))
	byDeviceCode map[string]*deviceAuth
	byUserCode   map[string]*deviceAuth // normalized user code
	order        []*deviceAuth          // creation order
}

// normalizeUserCode upper-cases a user code and drops dashes and spaces.
func normalizeUserCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// DeviceInterval sets the polling interval of device authorizations made
// from now on; d <= 0 restores the default, 5 s. The JSON "interval" carries
// whole seconds (at least 1); slow_down is judged against d itself.
func (o *Org) DeviceInterval(d time.Duration) {
	o.oauth.mu.Lock()
	o.oauth.devices.interval = d
	o.oauth.mu.Unlock()
}

// DeviceDecision plays the user: it sets the state of the device
// authorization with userCode (dashes and case do not matter; an unknown
// code is ignored). userCode "" applies d to every authorization still
// pending and to every one made afterwards, until the next
// DeviceDecision("", ...).
func (o *Org) DeviceDecision(userCode string, d DeviceState) {
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	if userCode == "" {
		s.devices.decision = d
		for _, a := range s.devices.order {
			if a.state == DevicePending && !a.issued {
				a.state = d
			}
		}
		return
	}
	if a := s.devices.byUserCode[normalizeUserCode(userCode)]; a != nil {
		a.state = d
	}
}

// PendingDeviceCodes returns the user codes awaiting a decision (not
// expired, not yet decided), oldest first.
func (o *Org) PendingDeviceCodes() []string {
	now := o.now()
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.devices.order {
		if a.state == DevicePending && !a.issued && now.Before(a.expires) {
			out = append(out, a.userCode)
		}
	}
	return out
}

func newUserCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 0, 9)
	for i, v := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, userCodeAlphabet[int(v)%len(userCodeAlphabet)])
	}
	return string(out)
}

// handleDeviceAuthorize is POST /oauth2/v1/device/authorize.
func handleDeviceAuthorize(c *call) {
	if e := c.o.deviceAuthorize(c); e != nil {
		c.oauthFail(e)
	}
}

func (o *Org) deviceAuthorize(c *call) *oauthError {
	form, e := c.oauthForm()
	if e != nil {
		return e
	}
	clientID := form.Get("client_id")
	app := o.app(clientID)
	if app == nil || clientID == "" {
		return errInvalidClient("Invalid value for 'client_id' parameter.")
	}
	if !app.Device {
		return errUnauthorizedClient()
	}
	scopes, e := checkScopes(app, form.Get("scope"))
	if e != nil {
		return e
	}
	now := o.now()
	s := &o.oauth
	s.mu.Lock()
	dv := &s.devices
	if dv.byDeviceCode == nil {
		dv.byDeviceCode = map[string]*deviceAuth{}
		dv.byUserCode = map[string]*deviceAuth{}
	}
	// Forget authorizations expired long ago.
	keep := dv.order[:0]
	for _, a := range dv.order {
		if now.Sub(a.expires) > time.Hour {
			delete(dv.byDeviceCode, a.deviceCode)
			delete(dv.byUserCode, normalizeUserCode(a.userCode))
			continue
		}
		keep = append(keep, a)
	}
	clear(dv.order[len(keep):])
	dv.order = keep
	interval := dv.interval
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	a := &deviceAuth{deviceCode: randomToken(32), clientID: clientID, scopes: scopes,
		state: dv.decision, expires: now.Add(deviceCodeLifetime), interval: interval}
	for {
		a.userCode = newUserCode()
		if dv.byUserCode[normalizeUserCode(a.userCode)] == nil {
			break
		}
	}
	dv.byDeviceCode[a.deviceCode] = a
	dv.byUserCode[normalizeUserCode(a.userCode)] = a
	dv.order = append(dv.order, a)
	s.mu.Unlock()

	verify := c.base + "/activate"
	c.oauthReply(http.StatusOK, map[string]any{
		"device_code":               a.deviceCode,
		"user_code":                 a.userCode,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?user_code=" + url.QueryEscape(a.userCode),
		"expires_in":                int(deviceCodeLifetime / time.Second),
		"interval":                  max(1, int(math.Ceil(interval.Seconds()))),
	})
	return nil
}

// grantDeviceCode is the token request of a polling device.
func (o *Org) grantDeviceCode(c *call, form url.Values) *oauthError {
	app, asrt, e := o.publicOrAssertedClient(c, form)
	if e != nil {
		return e
	}
	if !app.Device {
		return errUnauthorizedClient()
	}
	code := form.Get("device_code")
	if code == "" {
		return errInvalidRequest("The 'device_code' parameter is required.")
	}
	jkt, e := o.tokenEndpointDPoP(c, app)
	if e != nil {
		return e
	}
	now := o.now()
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.devices.byDeviceCode[code]
	if a == nil || a.clientID != app.ClientID || a.issued {
		return errInvalidGrant("The device code is invalid or has expired.")
	}
	if a.state == DeviceExpired || !now.Before(a.expires) {
		return &oauthError{status: http.StatusBadRequest, code: "expired_token", desc: "The device code has expired."}
	}
	switch a.state {
	case DeviceDenied:
		return &oauthError{status: http.StatusBadRequest, code: "access_denied",
			desc: "The resource owner or authorization server denied the request."}
	case DevicePending:
		last := a.lastPoll
		a.lastPoll = now
		if !last.IsZero() && now.Sub(last) < a.interval {
			a.interval += slowDownStep
			return &oauthError{status: http.StatusBadRequest, code: "slow_down",
				desc: "The client is polling too frequently; wait the interval between requests."}
		}
		return &oauthError{status: http.StatusBadRequest, code: "authorization_pending",
			desc: "The device authorization is pending. Please try again later."}
	}
	if e := asrt.spendLocked(s); e != nil {
		return e
	}
	a.issued = true
	resp := s.mintLocked(app.ClientID, a.scopes, jkt, slices.Contains(a.scopes, "offline_access"), now)
	c.oauthReply(http.StatusOK, resp)
	return nil
}
