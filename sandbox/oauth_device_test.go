package sandbox

import (
	"crypto"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"
)

const deviceClient = "0oadevice"

// startDeviceOrg is an org with a fake clock and a public device app.
func startDeviceOrg(t *testing.T) (*Server, *fakeClock) {
	t.Helper()
	clock := newFakeClock(time.Now())
	s := startServer(t, Options{Now: clock.Now})
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: deviceClient, Device: true,
		Scopes: []string{"okta.users.read", "okta.groups.read"}})
	return s, clock
}

func deviceAuthorize(t *testing.T, s *Server, scope string) (deviceCode, userCode string) {
	t.Helper()
	r := postOAuth(t, s, deviceAuthPath, url.Values{"client_id": {deviceClient}, "scope": {scope}}, false)
	if r.status != http.StatusOK {
		t.Fatalf("device/authorize: %d %s", r.status, r.raw)
	}
	return r.str("device_code"), r.str("user_code")
}

func devicePoll(t *testing.T, s *Server, deviceCode string) oauthResp {
	t.Helper()
	return postOAuth(t, s, tokenPath, url.Values{"grant_type": {deviceGrantType},
		"device_code": {deviceCode}, "client_id": {deviceClient}}, false)
}

func refresh(t *testing.T, s *Server, tok, scope string) oauthResp {
	t.Helper()
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}, "client_id": {deviceClient}}
	if scope != "" {
		f.Set("scope", scope)
	}
	return postOAuth(t, s, tokenPath, f, false)
}

// TestOAuthDeviceFlow: pending → slow_down → approved → refresh rotation →
// reuse of the old refresh token refused; revocation.
func TestOAuthDeviceFlow(t *testing.T) {
	s, clock := startDeviceOrg(t)
	s.Org.DeviceInterval(200 * time.Millisecond)
	const scope = "openid okta.users.read offline_access"

	r := postOAuth(t, s, deviceAuthPath, url.Values{"client_id": {deviceClient}, "scope": {scope}}, false)
	dc, uc := r.str("device_code"), r.str("user_code")
	if r.status != 200 || dc == "" || !regexp.MustCompile(`^[A-Z]{4}-[A-Z]{4}$`).MatchString(uc) ||
		r.str("verification_uri") != s.URL+"/activate" || r.str("verification_uri_complete") != s.URL+"/activate?user_code="+uc ||
		r.body["expires_in"] != float64(600) || r.body["interval"] != float64(1) {
		t.Fatalf("device/authorize: %d %s", r.status, r.raw)
	}
	if got := s.Org.PendingDeviceCodes(); !slices.Equal(got, []string{uc}) {
		t.Errorf("PendingDeviceCodes %v", got)
	}

	wantOAuthError(t, "first poll", devicePoll(t, s, dc), 400, "authorization_pending")
	clock.Advance(100 * time.Millisecond)
	wantOAuthError(t, "too fast", devicePoll(t, s, dc), 400, "slow_down")
	clock.Advance(time.Second) // the interval is now 5.2 s
	wantOAuthError(t, "still too fast", devicePoll(t, s, dc), 400, "slow_down")
	clock.Advance(11 * time.Second) // 10.2 s
	wantOAuthError(t, "slow enough", devicePoll(t, s, dc), 400, "authorization_pending")

	s.Org.DeviceDecision(uc[:4]+uc[5:], DeviceApproved) // dashes do not matter
	if got := s.Org.PendingDeviceCodes(); len(got) != 0 {
		t.Errorf("PendingDeviceCodes after approval %v", got)
	}
	r = devicePoll(t, s, dc)
	at := wantToken(t, "approved", r, "Bearer", scope)
	rt := r.str("refresh_token")
	if rt == "" {
		t.Fatalf("no refresh token with offline_access: %s", r.raw)
	}
	wantOAuthError(t, "device code used twice", devicePoll(t, s, dc), 400, "invalid_grant")
	if r := doAuth(t, s, "GET", "/api/v1/users?limit=1", "Bearer "+at, ""); r.status != 200 {
		t.Errorf("API with the device token: %d %s", r.status, r.body)
	}
	if r := doAuth(t, s, "GET", "/api/v1/groups?limit=1", "Bearer "+at, ""); r.status != 403 {
		t.Errorf("groups without okta.groups.read: %d", r.status)
	}

	r = refresh(t, s, rt, "")
	at2 := wantToken(t, "refresh", r, "Bearer", scope)
	rt2 := r.str("refresh_token")
	if rt2 == "" || rt2 == rt || at2 == at {
		t.Fatalf("refresh did not rotate: %s", r.raw)
	}
	wantOAuthError(t, "old refresh token", refresh(t, s, rt, ""), 400, "invalid_grant")
	wantOAuthError(t, "scope not granted", refresh(t, s, rt2, "okta.groups.read"), 400, "invalid_scope")
	r = refresh(t, s, rt2, "okta.users.read")
	wantToken(t, "narrower scope", r, "Bearer", "okta.users.read")
	rt3 := r.str("refresh_token")
	wantOAuthError(t, "spent", refresh(t, s, rt2, ""), 400, "invalid_grant")
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt3}, "client_id": {"0oaother"}}
	wantOAuthError(t, "other client", postOAuth(t, s, tokenPath, f, false), 401, "invalid_client")

	s.Org.RevokeRefreshTokens(deviceClient)
	wantOAuthError(t, "revoked", refresh(t, s, rt3, ""), 400, "invalid_grant")
}

// TestOAuthDeviceOutcomes: denied, expired (by decision and by clock), no
// refresh token without offline_access, a standing decision, bad requests.
func TestOAuthDeviceOutcomes(t *testing.T) {
	s, clock := startDeviceOrg(t)

	dc, uc := deviceAuthorize(t, s, "okta.users.read")
	s.Org.DeviceDecision(uc, DeviceDenied)
	wantOAuthError(t, "denied", devicePoll(t, s, dc), 400, "access_denied")

	dc, uc = deviceAuthorize(t, s, "okta.users.read")
	s.Org.DeviceDecision(uc, DeviceExpired)
	wantOAuthError(t, "expired by decision", devicePoll(t, s, dc), 400, "expired_token")

	dc, _ = deviceAuthorize(t, s, "okta.users.read")
	wantOAuthError(t, "pending", devicePoll(t, s, dc), 400, "authorization_pending")
	clock.Advance(600 * time.Second)
	wantOAuthError(t, "expired by clock", devicePoll(t, s, dc), 400, "expired_token")
	if got := s.Org.PendingDeviceCodes(); len(got) != 0 {
		t.Errorf("PendingDeviceCodes %v, want none (expired)", got)
	}

	dc, uc = deviceAuthorize(t, s, "okta.users.read")
	s.Org.DeviceDecision(uc, DeviceApproved)
	r := devicePoll(t, s, dc)
	wantToken(t, "no offline_access", r, "Bearer", "okta.users.read")
	if _, ok := r.body["refresh_token"]; ok {
		t.Errorf("refresh token without offline_access: %s", r.raw)
	}

	// A standing decision for codes nobody reads (e.g. a CLI under test).
	s.Org.DeviceDecision("", DeviceApproved)
	dc, _ = deviceAuthorize(t, s, "okta.groups.read")
	wantToken(t, "standing approval", devicePoll(t, s, dc), "Bearer", "okta.groups.read")
	s.Org.DeviceDecision("", DevicePending)

	wantOAuthError(t, "unknown device code", devicePoll(t, s, "nope"), 400, "invalid_grant")
	r = postOAuth(t, s, deviceAuthPath, url.Values{"client_id": {deviceClient}, "scope": {"okta.users.manage"}}, false)
	wantOAuthError(t, "ungranted scope", r, 400, "invalid_scope")
	r = postOAuth(t, s, deviceAuthPath, url.Values{"client_id": {"0oaother"}, "scope": {"okta.users.read"}}, true)
	wantOAuthError(t, "unknown client", r, 401, "invalid_client")

	// A service app (keys, no Device) may not use the device grant, and a
	// device app may not use client credentials without a key.
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: "0oaservice", PublicKeys: []crypto.PublicKey{&ecKey(0).PublicKey},
		KeyIDs: []string{""}, Scopes: []string{"okta.users.read"}})
	r = postOAuth(t, s, deviceAuthPath, url.Values{"client_id": {"0oaservice"}, "scope": {"okta.users.read"}}, false)
	wantOAuthError(t, "service app", r, 400, "unauthorized_client")
	a := signJWS(t, ecKey(0), "ES256", nil, assertionClaims(s, deviceClient))
	wantOAuthError(t, "client credentials for the device app", postOAuth(t, s, tokenPath, ccForm(a, "okta.users.read"), false), 401, "invalid_client")
}

// TestOAuthDeviceDPoP: a device app that requires DPoP gets bound tokens,
// and its refresh token needs a proof by the same key.
func TestOAuthDeviceDPoP(t *testing.T) {
	s, _ := startDeviceOrg(t)
	s.Org.RegisterOAuthApp(OAuthApp{ClientID: deviceClient, Device: true, RequireDPoP: true,
		Scopes: []string{"okta.users.read"}})
	s.Org.DeviceDecision("", DeviceApproved)
	dc, _ := deviceAuthorize(t, s, "okta.users.read offline_access")
	wantOAuthError(t, "no proof", devicePoll(t, s, dc), 400, "invalid_dpop_proof")
	htu := s.URL + tokenPath
	dk := ecKey(1)
	poll := func(proof string) oauthResp {
		return postOAuth(t, s, tokenPath, url.Values{"grant_type": {deviceGrantType}, "device_code": {dc}, "client_id": {deviceClient}},
			false, "DPoP", proof)
	}
	nonce := poll(dpopProofFor(t, dk, "POST", htu, "", "")).header.Get("DPoP-Nonce")
	r := poll(dpopProofFor(t, dk, "POST", htu, nonce, ""))
	tok := wantToken(t, "DPoP device token", r, "DPoP", "okta.users.read offline_access")
	if got := doAuth(t, s, "GET", "/api/v1/users/"+JaneDoeID, "DPoP "+tok, dpopProofFor(t, dk, "GET", s.URL+"/api/v1/users/"+JaneDoeID, "", tok)); got.status != 200 {
		t.Errorf("API: %d %s", got.status, got.header.Get("WWW-Authenticate"))
	}
	rf := func(key crypto.Signer) oauthResp {
		return postOAuth(t, s, tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.str("refresh_token")}, "client_id": {deviceClient}},
			false, "DPoP", dpopProofFor(t, key, "POST", htu, nonce, ""))
	}
	wantOAuthError(t, "refresh with another key", rf(ecKey(0)), 400, "invalid_dpop_proof")
	wantToken(t, "refresh with the key", rf(dk), "DPoP", "okta.users.read offline_access")
}
