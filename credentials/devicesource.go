package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	// refreshBefore: a token is refreshed this long before it expires (or
	// halfway through its life, when that is shorter).
	refreshBefore = 60 * time.Second
	// assumedLifetime is used when Okta sends no expires_in (its access
	// tokens live one hour).
	assumedLifetime = time.Hour
	// refreshTimeout bounds one refresh, including writing a rotated
	// refresh token back to the keyring. A refresh is not cancelled with
	// the caller's context: a rotation Okta has done must not be lost.
	refreshTimeout = 60 * time.Second
)

// ReauthError means the stored refresh token no longer works (revoked,
// expired, rotated elsewhere): the admin has to sign in again.
type ReauthError struct {
	OrgURL, ClientID string
	Scopes           []string
	Err              error // the *OAuthError, e.g. invalid_grant
}

func (e *ReauthError) Error() string {
	why := ""
	var oe *OAuthError
	if errors.As(e.Err, &oe) && oe.Code != "" {
		why = " (" + oe.Code + ")"
	}
	cmd := "okta-mcp auth login --org-url " + e.OrgURL + " --device --client-id " + e.ClientID
	if len(e.Scopes) > 0 {
		cmd += " --scopes " + strings.Join(e.Scopes, ",")
	}
	return fmt.Sprintf("the stored Okta sign-in for %s is no longer valid%s: run `%s` again", e.OrgURL, why, cmd)
}

func (e *ReauthError) Unwrap() error { return e.Err }

// DeviceSource hands out access tokens for a device credential. It
// refreshes shortly (60 s) before expiry (without a scope parameter, so
// Okta grants what the refresh token was granted), writes a rotated refresh token
// back to the Store, and runs one refresh at a time however many goroutines
// ask. When Okta rejects the refresh token (invalid_grant) it first looks
// in the Store for a newer one (another okta-mcp process may have rotated
// it, or the admin signed in again); failing that, Token returns a
// *ReauthError until the Store holds a different refresh token.
type DeviceSource struct {
	store Store
	host  string
	hc    *http.Client
	now   func() time.Time

	mu        sync.Mutex
	initErr   error
	cred      Credential
	access    string
	refreshAt time.Time
	inflight  *refreshCall
	reauth    error
	saveErr   error
}

type refreshCall struct {
	done  chan struct{}
	token string
	err   error
}

// NewDeviceSource returns a token source for cred, a KindDevice credential
// stored under orgHost ("" → the host of cred.OrgURL). hc nil → a client
// with a 30 s timeout; now nil → time.Now. A bad argument shows up as the
// error of every Token call.
func NewDeviceSource(store Store, orgHost string, cred *Credential, hc *http.Client, now func() time.Time) *DeviceSource {
	if now == nil {
		now = time.Now
	}
	d := &DeviceSource{store: store, hc: hc, now: now}
	switch {
	case cred == nil:
		d.initErr = errors.New("device token source: no credential")
	case cred.Kind != KindDevice:
		d.initErr = fmt.Errorf("device token source: credential kind is %s, not device", cred.Kind)
	default:
		d.cred = *cred
		d.cred.Scopes = append([]string(nil), cred.Scopes...)
		if orgHost == "" {
			orgHost = cred.OrgURL
		}
		d.host, d.initErr = Account(orgHost)
		if d.initErr == nil {
			d.initErr = d.cred.Validate()
		}
	}
	return d
}

// Token returns an access token that is valid for at least another minute
// (or half its lifetime), refreshing it when needed. Callers that arrive
// during a refresh wait for it (or for their ctx).
func (d *DeviceSource) Token(ctx context.Context) (string, error) {
	d.mu.Lock()
	if d.initErr != nil {
		err := d.initErr
		d.mu.Unlock()
		return "", err
	}
	if d.access != "" && d.now().Before(d.refreshAt) {
		tok := d.access
		d.mu.Unlock()
		return tok, nil
	}
	c := d.inflight
	if c == nil {
		c = &refreshCall{done: make(chan struct{})}
		d.inflight = c
		go d.run(context.WithoutCancel(ctx), c)
	}
	d.mu.Unlock()
	select {
	case <-c.done:
		return c.token, c.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Invalidate drops the current access token (after Okta answered 401 to
// it), so the next Token call refreshes.
func (d *DeviceSource) Invalidate() {
	d.mu.Lock()
	d.access = ""
	d.refreshAt = time.Time{}
	d.mu.Unlock()
}

// SaveError is the error of the last attempt to write a rotated refresh
// token back to the Store, nil when it succeeded (or none was needed). The
// rotated token is kept in memory and written again at the next refresh;
// until then a restart would find only the old one in the keyring.
func (d *DeviceSource) SaveError() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.saveErr
}

// String never shows a token.
func (d *DeviceSource) String() string {
	if d == nil {
		return "credentials.DeviceSource(nil)"
	}
	return "credentials.DeviceSource{org=" + d.host + "}"
}

// GoString is String.
func (d *DeviceSource) GoString() string { return d.String() }

// Format prints String for every verb.
func (d *DeviceSource) Format(f fmt.State, verb rune) { formatSafe(f, verb, d.String()) }

func (d *DeviceSource) run(ctx context.Context, c *refreshCall) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	tok, err := d.refresh(ctx)
	d.mu.Lock()
	d.inflight = nil
	d.mu.Unlock()
	c.token, c.err = tok, err
	close(c.done)
}

func (d *DeviceSource) refresh(ctx context.Context) (string, error) {
	d.mu.Lock()
	cred := d.cred
	reauth := d.reauth
	d.mu.Unlock()

	if reauth != nil && !d.adoptStored(ctx, &cred) {
		return "", reauth // only a new sign-in helps; do not hammer Okta
	}
	tr, err := refresh(ctx, d.hc, cred.OrgURL, cred.ClientID, cred.RefreshToken, nil)
	if isInvalidGrant(err) && reauth == nil && d.adoptStored(ctx, &cred) {
		tr, err = refresh(ctx, d.hc, cred.OrgURL, cred.ClientID, cred.RefreshToken, nil)
	}
	if err != nil {
		if isInvalidGrant(err) {
			re := &ReauthError{OrgURL: cred.OrgURL, ClientID: cred.ClientID, Scopes: cred.Scopes, Err: err}
			d.mu.Lock()
			d.reauth, d.access, d.cred = re, "", cred
			d.mu.Unlock()
			return "", re
		}
		return "", fmt.Errorf("refreshing the Okta access token for %s: %w", d.host, err)
	}

	now := d.now()
	life := time.Duration(tr.ExpiresIn) * time.Second
	if life <= 0 {
		life = assumedLifetime
	}
	margin := min(refreshBefore, life/2)
	rotated := tr.RefreshToken != "" && tr.RefreshToken != cred.RefreshToken
	if rotated {
		cred.RefreshToken = tr.RefreshToken
	}
	d.mu.Lock()
	d.access, d.refreshAt, d.reauth, d.cred = tr.AccessToken, now.Add(life-margin), nil, cred
	needSave := rotated || d.saveErr != nil
	d.mu.Unlock()

	if needSave {
		save := cred
		err := d.store.Save(ctx, d.host, &save)
		d.mu.Lock()
		d.saveErr = err
		if err == nil {
			d.cred.SavedAt = save.SavedAt
		}
		d.mu.Unlock()
	}
	return tr.AccessToken, nil
}

// adoptStored replaces *cred by the Store's entry when that holds a
// different device refresh token; it reports whether it did.
func (d *DeviceSource) adoptStored(ctx context.Context, cred *Credential) bool {
	stored, err := d.store.Load(ctx, d.host)
	if err != nil || stored.Kind != KindDevice || stored.RefreshToken == cred.RefreshToken {
		return false
	}
	*cred = *stored
	return true
}

func isInvalidGrant(err error) bool {
	var oe *OAuthError
	return errors.As(err, &oe) && oe.Code == "invalid_grant"
}
