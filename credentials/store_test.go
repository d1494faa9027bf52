package credentials

// Tests against the REAL OS keyring: a Secret Service (gnome-keyring) on
// the D-Bus session bus that .ci/keyring-session.sh starts. They run only
// when OKTA_MCP_KEYRING_TEST=1 (the script sets it) and skip otherwise, so
// a developer's own keyring is never touched by a plain `go test`.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

const keyringTestEnv = "OKTA_MCP_KEYRING_TEST"

// realStore skips unless the real-keyring session is set up, and returns a
// store with a service name of its own (removed at the end).
func realStore(t *testing.T) Store {
	t.Helper()
	if os.Getenv(keyringTestEnv) != "1" {
		t.Skipf("real Secret Service test: run under .ci/keyring-session.sh (it sets %s=1 in a private D-Bus session with gnome-keyring)", keyringTestEnv)
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("%s=1 but DBUS_SESSION_BUS_ADDRESS is not set: run the tests through .ci/keyring-session.sh", keyringTestEnv)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	s := Store{Service: "okta-mcp-test-" + hex.EncodeToString(b), Timeout: 10 * time.Second}
	t.Cleanup(func() { _ = keyring.DeleteAll(s.Service) })
	return s
}

func TestRealKeyringTwoOrgs(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	a := apiTokenCred("https://acme.okta.com")
	b := serviceAppCred(t, "https://acme.oktapreview.com")

	if err := s.Save(ctx, "acme.okta.com", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "acme.oktapreview.com", b); err != nil {
		t.Fatal(err)
	}
	gotA, err := s.Load(ctx, "https://ACME.okta.com")
	if err != nil || gotA.Kind != KindAPIToken || gotA.APIToken != secretAPIToken || !gotA.SavedAt.Equal(a.SavedAt) {
		t.Fatalf("Load(a) = %v, %v", gotA, err)
	}
	gotB, err := s.Load(ctx, "acme.oktapreview.com")
	if err != nil || gotB.Kind != KindServiceApp || gotB.PrivateKeyPEM != b.PrivateKeyPEM || strings.Join(gotB.Scopes, " ") != "okta.users.read okta.groups.read" {
		t.Fatalf("Load(b) = %v, %v", gotB, err)
	}

	// Replace a's entry with another kind: b stays as it was.
	a2 := deviceCred("https://acme.okta.com", secretRefreshToken)
	if err := s.Save(ctx, "acme.okta.com", a2); err != nil {
		t.Fatal(err)
	}
	gotA, err = s.Load(ctx, "acme.okta.com")
	if err != nil || gotA.Kind != KindDevice || gotA.RefreshToken != secretRefreshToken || gotA.APIToken != "" {
		t.Fatalf("Load(a) after replace = %v, %v", gotA, err)
	}
	if got, err := s.Load(ctx, "acme.oktapreview.com"); err != nil || got.PrivateKeyPEM != b.PrivateKeyPEM {
		t.Fatalf("b changed by a's replace: %v, %v", got, err)
	}
	// The same org under another service name is another entry.
	other := Store{Service: s.Service + "-other", Timeout: s.Timeout}
	t.Cleanup(func() { _ = keyring.DeleteAll(other.Service) })
	if _, err := other.Load(ctx, "acme.okta.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("other service: %v, want ErrNotFound", err)
	}

	// Delete a: b stays.
	if err := s.Delete(ctx, "acme.okta.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "acme.okta.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load(a) after Delete: %v, want ErrNotFound", err)
	}
	if got, err := s.Load(ctx, "acme.oktapreview.com"); err != nil || got.ClientID != b.ClientID {
		t.Errorf("b gone with a: %v, %v", got, err)
	}
	if err := s.Delete(ctx, "acme.oktapreview.com"); err != nil {
		t.Fatal(err)
	}
}

func TestRealKeyringDeleteMissing(t *testing.T) {
	s := realStore(t)
	err := s.Delete(context.Background(), "never-stored.okta.com")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete of a missing entry = %v, want ErrNotFound", err)
	}
	if _, err := s.Load(context.Background(), "never-stored.okta.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load of a missing entry = %v, want ErrNotFound", err)
	}
}

func TestRealKeyringCorruptEntry(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	if err := keyring.Set(s.Service, "acme.okta.com", "}garbage{ "+secretAPIToken); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx, "acme.okta.com")
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Load = %v, want *CorruptError", err)
	}
	if !strings.Contains(err.Error(), "okta-mcp auth logout") {
		t.Errorf("message: %s", err)
	}
	assertNoSecret(t, "CorruptError", err.Error(), secretAPIToken)
	if _, _, err := Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken)); !errors.As(err, &ce) {
		t.Errorf("Resolve = %v, want *CorruptError", err)
	}
	// logout + login repairs it.
	if err := s.Delete(ctx, "acme.okta.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "acme.okta.com", apiTokenCred("https://acme.okta.com")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "acme.okta.com"); err != nil {
		t.Errorf("after logout and login: %v", err)
	}
}

// TestRealKeyringLargeValue: the Secret Service has no size limit, so an
// RSA 4096 key (too big for Windows) is stored on Linux.
func TestRealKeyringLargeValue(t *testing.T) {
	s := realStore(t)
	keys(t)
	c := &Credential{Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "0oaCLIENT", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs1PEM(rsa4096)}
	if err := s.Save(context.Background(), "acme.okta.com", c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(context.Background(), "acme.okta.com")
	if err != nil || got.PrivateKeyPEM != c.PrivateKeyPEM {
		t.Fatalf("Load = %v, %v", got, err)
	}
}

func TestRealKeyringResolve(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	if _, _, err := Resolve(ctx, s, "https://acme.okta.com", envWith("")); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty keyring, no env: %v", err)
	}
	c, w, err := Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken))
	if err != nil || w != "" || c.APIToken != secretAPIToken {
		t.Errorf("empty keyring, env: %v %q %v", c, w, err)
	}
	if err := s.Save(ctx, "acme.okta.com", deviceCred("https://acme.okta.com", secretRefreshToken)); err != nil {
		t.Fatal(err)
	}
	c, w, err = Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken))
	if err != nil || c.Kind != KindDevice || c.RefreshToken != secretRefreshToken || w == "" {
		t.Errorf("keyring entry: %v %q %v", c, w, err)
	}
}

// TestRealKeyringDeviceSourceWritesRotation: a refresh token Okta rotates
// ends up in the real keyring.
func TestRealKeyringDeviceSourceWritesRotation(t *testing.T) {
	s := realStore(t)
	ctx := context.Background()
	okta := newFakeOkta(t)
	okta.rotate = true
	rt := okta.issueRefresh()
	cred := deviceCred(okta.url, rt)
	host, _ := OrgHost(okta.url)
	if err := s.Save(ctx, host, cred); err != nil {
		t.Fatal(err)
	}
	ds := NewDeviceSource(s, host, cred, okta.client(), nil)
	tok, err := ds.Token(ctx)
	if err != nil || tok == "" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	stored, err := s.Load(ctx, host)
	if err != nil {
		t.Fatal(err)
	}
	if stored.RefreshToken == rt || !okta.refreshValid(stored.RefreshToken) {
		t.Errorf("keyring holds the old or an unknown refresh token after rotation")
	}
	if ds.SaveError() != nil {
		t.Errorf("SaveError = %v", ds.SaveError())
	}
}
