package credentials

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// deviceSetup stores a device credential for the fake org in an in-memory
// keyring and returns a source for it.
func deviceSetup(t *testing.T, f *fakeOkta) (*DeviceSource, *memBackend, Store, string, *fakeClock) {
	t.Helper()
	mem := newMem()
	useBackend(t, mem)
	s := Store{Service: "svc"}
	host, err := OrgHost(f.url)
	if err != nil {
		t.Fatal(err)
	}
	cred := deviceCred(f.url, f.issueRefresh())
	if err := s.Save(context.Background(), host, cred); err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	return NewDeviceSource(s, host, cred, f.client(), clock.now), mem, s, host, clock
}

func storedRefresh(t *testing.T, s Store, host string) string {
	t.Helper()
	c, err := s.Load(context.Background(), host)
	if err != nil {
		t.Fatal(err)
	}
	return c.RefreshToken
}

func TestDeviceSourceCachesAndRefreshesBeforeExpiry(t *testing.T) {
	f := newFakeOkta(t)
	f.rotate = true
	ds, _, s, host, clock := deviceSetup(t, f)
	ctx := context.Background()
	first := storedRefresh(t, s, host)

	tok1, err := ds.Token(ctx)
	if err != nil || !strings.HasPrefix(tok1, secretAccessToken) {
		t.Fatalf("Token = %q, %v", tok1, err)
	}
	rt := storedRefresh(t, s, host)
	if rt == first || !f.refreshValid(rt) {
		t.Error("the rotated refresh token was not written back")
	}
	if tok, _ := ds.Token(ctx); tok != tok1 {
		t.Error("second Token refreshed again")
	}
	clock.add(3600*time.Second - 61*time.Second)
	if tok, _ := ds.Token(ctx); tok != tok1 {
		t.Error("refreshed 61 s before expiry")
	}
	if _, n := f.counts(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	clock.add(time.Second) // 60 s before expiry
	tok2, err := ds.Token(ctx)
	if err != nil || tok2 == tok1 {
		t.Errorf("Token 60 s before expiry = %q (same: %v), %v", tok2, tok2 == tok1, err)
	}
	if _, n := f.counts(); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
	if got := storedRefresh(t, s, host); got == rt || !f.refreshValid(got) {
		t.Error("second rotation not written back")
	}
	if ds.SaveError() != nil {
		t.Errorf("SaveError = %v", ds.SaveError())
	}
}

func TestDeviceSourceShortLivedTokens(t *testing.T) {
	f := newFakeOkta(t)
	f.lifetime = 30
	ds, _, _, _, clock := deviceSetup(t, f)
	ctx := context.Background()
	tok1, _ := ds.Token(ctx)
	clock.add(14 * time.Second)
	if tok, _ := ds.Token(ctx); tok != tok1 {
		t.Error("refreshed before half the lifetime")
	}
	clock.add(time.Second)
	if tok, _ := ds.Token(ctx); tok == tok1 {
		t.Error("not refreshed at half the lifetime")
	}
}

func TestDeviceSourceWithoutRotationDoesNotWrite(t *testing.T) {
	f := newFakeOkta(t)
	ds, mem, _, _, _ := deviceSetup(t, f)
	sets := mem.sets
	if _, err := ds.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if mem.sets != sets {
		t.Error("keyring written without a rotation")
	}
}

func TestDeviceSourceOneRefreshAtATime(t *testing.T) {
	f := newFakeOkta(t)
	f.rotate = true
	f.block = make(chan struct{})
	ds, _, _, _, _ := deviceSetup(t, f)
	const n = 20
	var wg sync.WaitGroup
	toks := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], errs[i] = ds.Token(context.Background())
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, r := f.counts(); r >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let every caller arrive
	f.mu.Lock()
	close(f.block)
	f.block = nil
	f.mu.Unlock()
	wg.Wait()
	for i := range n {
		if errs[i] != nil || toks[i] != toks[0] {
			t.Errorf("caller %d: %q, %v", i, toks[i], errs[i])
		}
	}
	if _, r := f.counts(); r != 1 {
		t.Errorf("%d refreshes for %d concurrent callers, want 1", r, n)
	}
}

func TestDeviceSourceInvalidate(t *testing.T) {
	f := newFakeOkta(t)
	ds, _, _, _, _ := deviceSetup(t, f)
	ctx := context.Background()
	tok1, _ := ds.Token(ctx)
	ds.Invalidate()
	tok2, err := ds.Token(ctx)
	if err != nil || tok2 == tok1 {
		t.Errorf("after Invalidate: %q (same: %v), %v", tok2, tok2 == tok1, err)
	}
	if _, r := f.counts(); r != 2 {
		t.Errorf("%d refreshes, want 2", r)
	}
}

func TestDeviceSourceRevokedRefreshToken(t *testing.T) {
	f := newFakeOkta(t)
	f.echoSecrets = true
	ds, _, s, host, _ := deviceSetup(t, f)
	ctx := context.Background()
	old := storedRefresh(t, s, host)
	f.revokeAll()

	_, err := ds.Token(ctx)
	var re *ReauthError
	var oe *OAuthError
	if !errors.As(err, &re) || !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Fatalf("Token = %v, want *ReauthError wrapping invalid_grant", err)
	}
	for _, want := range []string{"okta-mcp auth login --org-url " + f.url + " --device", "--client-id " + testDeviceClient, "--scopes okta.users.read,offline_access", "invalid_grant"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %s", want, err)
		}
	}
	assertNoSecret(t, "ReauthError", err.Error(), old)
	_, before := f.counts()

	// Asking again does not hammer Okta with a token it already refused.
	if _, err := ds.Token(ctx); !errors.As(err, &re) {
		t.Errorf("second Token = %v", err)
	}
	if _, after := f.counts(); after != before {
		t.Errorf("%d more refresh requests with a refused token", after-before)
	}

	// `auth login --device` in another terminal stores a new refresh token:
	// the running source picks it up.
	fresh := deviceCred(f.url, f.issueRefresh())
	if err := s.Save(ctx, host, fresh); err != nil {
		t.Fatal(err)
	}
	tok, err := ds.Token(ctx)
	if err != nil || tok == "" {
		t.Errorf("after a new sign-in: %q, %v", tok, err)
	}
}

// TestDeviceSourceAdoptsRotationByAnotherProcess: two servers share the
// org's keyring entry; each one's rotation is picked up by the other.
func TestDeviceSourceAdoptsRotationByAnotherProcess(t *testing.T) {
	f := newFakeOkta(t)
	f.rotate = true
	a, _, s, host, clock := deviceSetup(t, f)
	cred, err := s.Load(context.Background(), host)
	if err != nil {
		t.Fatal(err)
	}
	b := NewDeviceSource(s, host, cred, f.client(), clock.now)
	ctx := context.Background()
	if _, err := a.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Token(ctx); err != nil { // b's refresh token was spent by a
		t.Fatalf("b: %v", err)
	}
	a.Invalidate()
	if _, err := a.Token(ctx); err != nil { // and a's by b
		t.Fatalf("a: %v", err)
	}
	if _, n := f.counts(); n != 5 { // a, b (refused), b, a (refused), a
		t.Errorf("%d refresh requests, want 5", n)
	}
	if rt := storedRefresh(t, s, host); !f.refreshValid(rt) {
		t.Error("the keyring does not hold the live refresh token")
	}
}

func TestDeviceSourceSaveFailureIsKeptAndRetried(t *testing.T) {
	f := newFakeOkta(t)
	f.rotate = true
	ds, mem, s, host, _ := deviceSetup(t, f)
	ctx := context.Background()
	old := storedRefresh(t, s, host)
	mem.setFail(errors.New("org.freedesktop.Secret.Error.IsLocked: collection is locked"))

	if _, err := ds.Token(ctx); err != nil {
		t.Fatalf("Token with a failing keyring write: %v", err)
	}
	var ue *UnavailableError
	if err := ds.SaveError(); !errors.As(err, &ue) {
		t.Errorf("SaveError = %v, want *UnavailableError", err)
	}
	if storedRefresh(t, s, host) != old {
		t.Error("store changed although Set failed")
	}
	// The rotated token lives on in memory: the next refresh uses it and
	// writes it once the keyring works again.
	mem.setFail(nil)
	ds.Invalidate()
	if _, err := ds.Token(ctx); err != nil {
		t.Fatalf("refresh with the in-memory rotated token: %v", err)
	}
	if ds.SaveError() != nil {
		t.Errorf("SaveError = %v after a good write", ds.SaveError())
	}
	if rt := storedRefresh(t, s, host); rt == old || !f.refreshValid(rt) {
		t.Error("the live refresh token was not written")
	}
}

// TestDeviceSourceCallerCancelDoesNotLoseRotation: the caller gives up
// during a refresh; the refresh still completes and its rotated refresh
// token is stored.
func TestDeviceSourceCallerCancelDoesNotLoseRotation(t *testing.T) {
	f := newFakeOkta(t)
	f.rotate = true
	block := make(chan struct{})
	f.block = block
	ds, _, s, host, _ := deviceSetup(t, f)
	old := storedRefresh(t, s, host)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ds.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Token = %v, want the caller's deadline", err)
	}
	f.mu.Lock()
	f.block = nil
	f.mu.Unlock()
	close(block)
	deadline := time.Now().Add(5 * time.Second)
	for storedRefresh(t, s, host) == old {
		if time.Now().After(deadline) {
			t.Fatal("the rotated refresh token was never stored")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := ds.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, n := f.counts(); n != 1 {
		t.Errorf("%d refreshes, want 1 (the finished one is used)", n)
	}
}

func TestDeviceSourceTransientErrorIsRetried(t *testing.T) {
	f := newFakeOkta(t)
	ds, _, _, _, _ := deviceSetup(t, f)
	f.srv.Close()
	_, err := ds.Token(context.Background())
	var re *ReauthError
	if err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), "refreshing the Okta access token") {
		t.Errorf("Token with Okta down = %v", err)
	}
}

func TestDeviceSourceBadArguments(t *testing.T) {
	useBackend(t, newMem())
	for name, ds := range map[string]*DeviceSource{
		"nil":        NewDeviceSource(Store{}, "", nil, nil, nil),
		"api token":  NewDeviceSource(Store{}, "", apiTokenCred("https://a.okta.com"), nil, nil),
		"bad host":   NewDeviceSource(Store{}, "a/b", deviceCred("https://a.okta.com", secretRefreshToken), nil, nil),
		"no refresh": NewDeviceSource(Store{}, "", deviceCred("https://a.okta.com", ""), nil, nil),
	} {
		if _, err := ds.Token(context.Background()); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			assertNoSecret(t, name, err.Error(), secretRefreshToken, secretAPIToken)
		}
	}
}
