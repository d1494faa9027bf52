package credentials

// Store and Resolve logic against in-process fakes of the keyring (see
// store_test.go for the real Secret Service, nobus_test.go for real D-Bus
// failures). These tests swap package state: none is parallel.

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestAccount(t *testing.T) {
	good := map[string]string{
		"acme.okta.com":                "acme.okta.com",
		" ACME.Okta.com ":              "acme.okta.com",
		"acme.okta.com:443":            "acme.okta.com",
		"https://Acme.okta.com/":       "acme.okta.com",
		"http://127.0.0.1:8080":        "127.0.0.1:8080",
		"localhost:9":                  "localhost:9",
		"[::1]:1234":                   "[::1]:1234",
		"https://acme.okta.com:8443":   "acme.okta.com:8443",
		"acme-admin.oktapreview.com":   "acme-admin.oktapreview.com",
		"https://acme.oktapreview.com": "acme.oktapreview.com",
	}
	for in, want := range good {
		if got, err := Account(in); err != nil || got != want {
			t.Errorf("Account(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "  ", "acme.okta.com/api", "user@acme.okta.com", "http://acme.okta.com", "acme_okta.com", "a b"} {
		if got, err := Account(bad); err == nil {
			t.Errorf("Account(%q) = %q, want an error", bad, got)
		}
	}
}

func TestStoreRoundTripAndIsolation(t *testing.T) {
	mem := newMem()
	useBackend(t, mem)
	ctx := context.Background()
	s := Store{Service: "svc"}
	a, b := apiTokenCred("https://a.okta.com"), serviceAppCred(t, "https://b.okta.com")
	before := time.Now().Add(-time.Second)
	if err := s.Save(ctx, "A.okta.com", a); err != nil {
		t.Fatal(err)
	}
	if a.SavedAt.Before(before) || a.SavedAt.After(time.Now()) {
		t.Errorf("SavedAt = %v, want now", a.SavedAt)
	}
	if err := s.Save(ctx, "https://b.okta.com", b); err != nil {
		t.Fatal(err)
	}
	raw, ok := mem.raw("svc", "a.okta.com")
	if !ok || !strings.Contains(raw, `"kind":"api_token"`) || strings.Contains(raw, "\n") {
		t.Errorf("stored value = %q, want compact credential JSON under account a.okta.com", raw)
	}
	gotA, err := s.Load(ctx, "a.okta.com")
	if err != nil || gotA.APIToken != secretAPIToken || !gotA.SavedAt.Equal(a.SavedAt) {
		t.Fatalf("Load(a) = %v, %v", gotA, err)
	}
	gotB, err := s.Load(ctx, "b.okta.com")
	if err != nil || gotB.PrivateKeyPEM != b.PrivateKeyPEM || gotB.KeyID != "kid-1" {
		t.Fatalf("Load(b) = %v, %v", gotB, err)
	}
	// Another service name is another namespace.
	if _, err := (Store{Service: "other"}).Load(ctx, "a.okta.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("other service: %v, want ErrNotFound", err)
	}
	// Empty service is the default one.
	if err := (Store{}).Save(ctx, "a.okta.com", apiTokenCred("https://a.okta.com")); err != nil {
		t.Fatal(err)
	}
	if _, ok := mem.raw(DefaultService, "a.okta.com"); !ok {
		t.Error("Store{} did not use the default service name")
	}
	if err := s.Delete(ctx, "a.okta.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "a.okta.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "a.okta.com"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "a.okta.com") {
		t.Errorf("second Delete: %v, want ErrNotFound naming the org", err)
	}
	if _, err := s.Load(ctx, "b.okta.com"); err != nil {
		t.Errorf("b touched by a's delete: %v", err)
	}
}

func TestSaveRefusesBeforeTouchingTheKeyring(t *testing.T) {
	mem := newMem()
	useBackend(t, mem)
	ctx := context.Background()
	s := Store{Service: "svc"}
	if err := s.Save(ctx, "b.okta.com", apiTokenCred("https://a.okta.com")); err == nil || !strings.Contains(err.Error(), "a.okta.com, not b.okta.com") {
		t.Errorf("org mismatch: %v", err)
	}
	if err := s.Save(ctx, "a.okta.com", &Credential{Kind: KindAPIToken, OrgURL: "https://a.okta.com"}); err == nil {
		t.Error("invalid credential saved")
	}
	if err := s.Save(ctx, "a.okta.com/x", apiTokenCred("https://a.okta.com")); err == nil {
		t.Error("bad host accepted")
	}
	if mem.sets != 0 {
		t.Errorf("keyring written %d times", mem.sets)
	}
}

func TestLoadCorruptEntries(t *testing.T) {
	mem := newMem()
	useBackend(t, mem)
	ctx := context.Background()
	s := Store{Service: "svc"}
	for name, value := range map[string]string{
		"garbage":         "not json " + secretAPIToken,
		"truncated":       `{"kind":"api_token","org_url":"https://a.okta.com","api_token":"` + secretAPIToken,
		"wrong types":     `{"kind":"api_token","org_url":"https://a.okta.com","api_token":"` + secretAPIToken + `","scopes":"x"}`,
		"two values":      `{"kind":"api_token","org_url":"https://a.okta.com","api_token":"` + secretAPIToken + `"} {}`,
		"invalid":         `{"kind":"api_token","org_url":"https://a.okta.com"}`,
		"unknown kind":    `{"kind":"password","org_url":"https://a.okta.com","api_token":"` + secretAPIToken + `"}`,
		"another org":     `{"kind":"api_token","org_url":"https://evil.example.com","api_token":"` + secretAPIToken + `"}`,
		"empty":           ``,
		"json null":       `null`,
		"base64 (darwin)": "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(secretAPIToken)),
	} {
		mem.put("svc", "a.okta.com", value)
		_, err := s.Load(ctx, "a.okta.com")
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Errorf("%s: Load = %v, want *CorruptError", name, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "okta-mcp auth logout") || !strings.Contains(msg, "okta-mcp auth login") || !strings.Contains(msg, "a.okta.com") {
			t.Errorf("%s: message lacks the way out: %s", name, msg)
		}
		assertNoSecret(t, name, msg, secretAPIToken)
	}
	// Unknown fields from a newer version are fine.
	mem.put("svc", "a.okta.com", `{"kind":"api_token","org_url":"https://a.okta.com","api_token":"`+secretAPIToken+`","future":1}`)
	if _, err := s.Load(ctx, "a.okta.com"); err != nil {
		t.Errorf("unknown field: %v", err)
	}
}

func TestHungKeyringTimesOut(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	useBackend(t, blockingBackend{release})
	ctx := context.Background()
	s := Store{Service: "svc", Timeout: 100 * time.Millisecond}
	ops := map[string]func() error{
		"Load":   func() error { _, err := s.Load(ctx, "a.okta.com"); return err },
		"Save":   func() error { return s.Save(ctx, "a.okta.com", apiTokenCred("https://a.okta.com")) },
		"Delete": func() error { return s.Delete(ctx, "a.okta.com") },
		"Resolve": func() error {
			_, _, err := Resolve(ctx, s, "https://a.okta.com", func(string) string { return "" })
			return err
		},
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		took := time.Since(start)
		var ue *UnavailableError
		if !errors.As(err, &ue) {
			t.Errorf("%s: %v, want *UnavailableError", name, err)
			continue
		}
		if took < 100*time.Millisecond || took > 2*time.Second {
			t.Errorf("%s took %v, want about the 100ms timeout", name, took)
		}
		if !strings.Contains(err.Error(), "100ms") || !strings.Contains(err.Error(), "OKTA_API_TOKEN") {
			t.Errorf("%s: message %q should give the timeout and the env fallback", name, err)
		}
	}
	// With OKTA_API_TOKEN, a hung keyring is only a warning.
	cred, warning, err := Resolve(ctx, s, "https://a.okta.com", envWith(secretAPIToken))
	if err != nil || cred.APIToken != secretAPIToken || !strings.Contains(warning, "did not answer") {
		t.Errorf("Resolve = %v, %q, %v", cred, warning, err)
	}
}

func TestDefaultTimeoutIsFiveSeconds(t *testing.T) {
	if got := (Store{}).timeout(); got != 5*time.Second {
		t.Errorf("default timeout %v", got)
	}
	if got := (Store{Timeout: time.Second}).timeout(); got != time.Second {
		t.Errorf("timeout %v", got)
	}
}

func TestContextEndsAKeyringWait(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	useBackend(t, blockingBackend{release})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := Store{Timeout: time.Minute}.Load(ctx, "a.okta.com")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load = %v, want context.Canceled", err)
	}
	if _, err := (Store{}).Load(ctx, "a.okta.com"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a done ctx = %v", err)
	}
}

func TestBackendFailuresAreUnavailable(t *testing.T) {
	useGOOS(t, "linux")
	useBackend(t, errBackend{errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files")})
	_, err := Store{}.Load(context.Background(), "a.okta.com")
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("Load = %v, want *UnavailableError", err)
	}
	for _, want := range []string{"OS keyring unavailable", "org.freedesktop.secrets", "OKTA_API_TOKEN", "Secret Service", "gnome-keyring", "unlocked"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %s", want, err)
		}
	}
	useGOOS(t, "darwin")
	if msg := err.Error(); strings.Contains(msg, "gnome-keyring") || !strings.Contains(msg, "OKTA_API_TOKEN") {
		t.Errorf("darwin message: %s", msg)
	}
}

func TestBackendErrorsAreScrubbed(t *testing.T) {
	useBackend(t, errBackend{errors.New("cannot store " + secretAPIToken + " and " + secretRefreshToken)})
	c := deviceCred("https://a.okta.com", secretRefreshToken)
	err := Store{}.Save(context.Background(), "a.okta.com", c)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("Save = %v", err)
	}
	assertNoSecret(t, "Save error", err.Error(), secretRefreshToken)
	err = Store{}.Save(context.Background(), "a.okta.com", apiTokenCred("https://a.okta.com"))
	assertNoSecret(t, "Save error", err.Error(), secretAPIToken)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("no redaction mark: %s", err)
	}
}

func TestTooLarge(t *testing.T) {
	keys(t)
	mem := newMem()
	useBackend(t, mem)
	ctx := context.Background()
	big := &Credential{Kind: KindServiceApp, OrgURL: "https://a.okta.com", ClientID: "0oaCLIENT", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8PEM(t, rsa4096)}

	useGOOS(t, "windows")
	err := Store{}.Save(ctx, "a.okta.com", big)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Max != 2560 || tl.Size <= 2560 {
		t.Fatalf("Save(RSA 4096) on windows = %v, want *TooLargeError{Max: 2560}", err)
	}
	if !strings.Contains(err.Error(), "EC P-256") || !strings.Contains(err.Error(), "2560") {
		t.Errorf("message: %s", err)
	}
	assertNoSecret(t, "TooLargeError", err.Error(), pemBody(big.PrivateKeyPEM))
	if mem.sets != 0 {
		t.Error("the keyring was called with a value it would refuse")
	}
	// An EC P-256 key and an RSA 2048 key fit.
	for _, c := range []*Credential{serviceAppCred(t, "https://a.okta.com"),
		{Kind: KindServiceApp, OrgURL: "https://a.okta.com", ClientID: "0oa1234567890abcdefg", KeyID: "k-0123456789abcdef", Scopes: []string{"okta.users.read", "okta.groups.manage", "okta.logs.read", "okta.roles.read"}, PrivateKeyPEM: pkcs8PEM(t, rsa2048)}} {
		if err := (Store{}).Save(ctx, "a.okta.com", c); err != nil {
			t.Errorf("Save(%s) on windows: %v", c.KeyDescription(), err)
		}
	}

	// On Linux the Secret Service has no limit.
	useGOOS(t, "linux")
	if err := (Store{}).Save(ctx, "a.okta.com", big); err != nil {
		t.Errorf("Save(RSA 4096) on linux: %v", err)
	}

	// The backend's own "too big" becomes a TooLargeError too.
	useBackend(t, errBackend{keyring.ErrSetDataTooBig})
	useGOOS(t, "darwin")
	err = Store{}.Save(ctx, "a.okta.com", serviceAppCred(t, "https://a.okta.com"))
	if !errors.As(err, &tl) || tl.Size == 0 || tl.Max != maxValueSize("darwin", DefaultService, "a.okta.com") {
		t.Errorf("backend ErrSetDataTooBig: %v (%+v)", err, tl)
	}
	useGOOS(t, "linux")
	err = Store{}.Save(ctx, "a.okta.com", serviceAppCred(t, "https://a.okta.com"))
	if !errors.As(err, &tl) || tl.Max != 0 || !strings.Contains(err.Error(), "EC P-256") {
		t.Errorf("backend ErrSetDataTooBig on linux: %v", err)
	}
}

// TestDarwinLimitMatchesGoKeyring rebuilds the command line go-keyring
// v0.2.8 sends to `security -i` and checks the computed limit is exact.
func TestDarwinLimitMatchesGoKeyring(t *testing.T) {
	command := func(service, account, value string) string {
		pw := "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(value))
		return "add-generic-password -U -s " + shellQuote(service) + " -a " + shellQuote(account) + " -w " + shellQuote(pw) + "\n"
	}
	for _, sa := range [][2]string{{"okta-mcp", "acme.okta.com"}, {"my service", "[::1]:8443"}, {"it's", "a.b"}, {"", "x"}} {
		limit := maxValueSize("darwin", sa[0], sa[1])
		if limit <= 0 {
			t.Fatalf("%v: limit %d", sa, limit)
		}
		if n := len(command(sa[0], sa[1], strings.Repeat("x", limit))); n > 4096 {
			t.Errorf("%v: %d bytes fit by our limit make a %d-byte command", sa, limit, n)
		}
		if n := len(command(sa[0], sa[1], strings.Repeat("x", limit+1))); n <= 4096 {
			t.Errorf("%v: limit %d is not the largest (one more makes %d bytes)", sa, limit, n)
		}
	}
	if got := maxValueSize("darwin", strings.Repeat("s", 5000), "a"); got != 1 {
		t.Errorf("huge service name: limit %d", got)
	}
	for g, want := range map[string]int{"windows": 2560, "linux": 0, "freebsd": 0} {
		if got := maxValueSize(g, "okta-mcp", "acme.okta.com"); got != want {
			t.Errorf("maxValueSize(%s) = %d, want %d", g, got, want)
		}
	}
	for in, want := range map[string]string{"abc-1.2_x@y%z+=:,./": "abc-1.2_x@y%z+=:,./", "a b": "'a b'", "it's": `'it'"'"'s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckSessionBus(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	none := func(string) bool { return false }
	if err := checkSessionBus("linux", env(nil), 1000, none); err == nil || !strings.Contains(err.Error(), "/run/user/1000") {
		t.Errorf("no bus at all: %v", err)
	}
	if err := checkSessionBus("linux", env(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}), 1000, none); err != nil {
		t.Errorf("address set: %v", err)
	}
	if err := checkSessionBus("linux", env(map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:"}), 1000, none); err != nil {
		t.Errorf("explicit autolaunch: %v", err)
	}
	for _, f := range []string{"/run/user/1000/bus", "/run/user/1000/dbus-session"} {
		if err := checkSessionBus("linux", env(nil), 1000, func(p string) bool { return p == f }); err != nil {
			t.Errorf("%s exists: %v", f, err)
		}
	}
	for _, g := range []string{"darwin", "windows"} {
		if err := checkSessionBus(g, env(nil), 1000, none); err != nil {
			t.Errorf("%s: %v", g, err)
		}
	}
	if err := checkSessionBus("freebsd", env(nil), 1000, none); err == nil {
		t.Error("freebsd without a bus: no error")
	}
}

func TestNoSessionBusIsUnavailableWithoutCallingTheKeyring(t *testing.T) {
	mem := newMem()
	useBackend(t, mem)
	sessionBusMissing = func() error { return errors.New("no D-Bus session bus: test") }
	_, err := Store{}.Load(context.Background(), "a.okta.com")
	var ue *UnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no D-Bus session bus") {
		t.Errorf("Load = %v", err)
	}
	if mem.gets != 0 {
		t.Error("keyring called without a bus")
	}
}

func envWith(token string) func(string) string {
	return func(k string) string {
		if k == EnvAPIToken {
			return token
		}
		return ""
	}
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	s := Store{Service: "svc"}
	noEnv := func(string) string { return "" }

	t.Run("keyring entry", func(t *testing.T) {
		mem := newMem()
		useBackend(t, mem)
		if err := s.Save(ctx, "acme.okta.com", serviceAppCred(t, "https://acme.okta.com")); err != nil {
			t.Fatal(err)
		}
		c, w, err := Resolve(ctx, s, "https://ACME.okta.com/", noEnv)
		if err != nil || c.Kind != KindServiceApp || w != "" {
			t.Fatalf("Resolve = %v, %q, %v", c, w, err)
		}
		c, w, err = Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken))
		if err != nil || c.Kind != KindServiceApp || !strings.Contains(w, "OKTA_API_TOKEN is set but ignored") {
			t.Errorf("keyring + env: %v, %q, %v", c, w, err)
		}
		assertNoSecret(t, "warning", w, secretAPIToken)
	})
	t.Run("no entry, env", func(t *testing.T) {
		useBackend(t, newMem())
		c, w, err := Resolve(ctx, s, "https://acme.okta.com", envWith("  "+secretAPIToken+"\n"))
		if err != nil || w != "" || c.Kind != KindAPIToken || c.APIToken != secretAPIToken || c.OrgURL != "https://acme.okta.com" {
			t.Errorf("Resolve = %v, %q, %v", c, w, err)
		}
	})
	t.Run("neither", func(t *testing.T) {
		useBackend(t, newMem())
		_, _, err := Resolve(ctx, s, "https://acme.okta.com:443", noEnv)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Resolve = %v, want ErrNotFound", err)
		}
		for _, want := range []string{"okta-mcp auth login --org-url https://acme.okta.com", "OKTA_API_TOKEN"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q: %s", want, err)
			}
		}
	})
	t.Run("keyring unavailable, env", func(t *testing.T) {
		useBackend(t, errBackend{errors.New("dbus: connection refused")})
		c, w, err := Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken))
		if err != nil || c.APIToken != secretAPIToken {
			t.Fatalf("Resolve = %v, %v", c, err)
		}
		if !strings.Contains(w, "OS keyring unavailable (dbus: connection refused)") || !strings.Contains(w, "OKTA_API_TOKEN") {
			t.Errorf("warning = %q", w)
		}
		assertNoSecret(t, "warning", w, secretAPIToken)
	})
	t.Run("keyring unavailable, no env", func(t *testing.T) {
		useBackend(t, errBackend{errors.New("dbus: connection refused")})
		_, _, err := Resolve(ctx, s, "https://acme.okta.com", noEnv)
		var ue *UnavailableError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "OKTA_API_TOKEN") {
			t.Errorf("Resolve = %v", err)
		}
	})
	t.Run("corrupt entry beats env", func(t *testing.T) {
		mem := newMem()
		useBackend(t, mem)
		mem.put("svc", "acme.okta.com", "{")
		_, _, err := Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken))
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Errorf("Resolve = %v, want *CorruptError", err)
		}
	})
	t.Run("bad env token", func(t *testing.T) {
		useBackend(t, newMem())
		_, _, err := Resolve(ctx, s, "https://acme.okta.com", envWith("SSWS "+secretAPIToken))
		if err == nil || !strings.Contains(err.Error(), "OKTA_API_TOKEN") {
			t.Fatalf("Resolve = %v", err)
		}
		assertNoSecret(t, "error", err.Error(), secretAPIToken)
	})
	t.Run("bad org URL", func(t *testing.T) {
		mem := newMem()
		useBackend(t, mem)
		for _, u := range []string{"", "http://acme.okta.com", "https://admin:" + secretAPIToken + "@acme.okta.com"} {
			_, _, err := Resolve(ctx, s, u, envWith(secretAPIToken))
			if err == nil {
				t.Errorf("Resolve(%q) succeeded", u)
				continue
			}
			assertNoSecret(t, "error", err.Error(), secretAPIToken)
		}
		if mem.gets != 0 {
			t.Error("keyring read for a bad org URL")
		}
	})
	t.Run("nil getenv reads the environment", func(t *testing.T) {
		useBackend(t, newMem())
		t.Setenv(EnvAPIToken, secretAPIToken)
		c, _, err := Resolve(ctx, s, "https://acme.okta.com", nil)
		if err != nil || c.APIToken != secretAPIToken {
			t.Errorf("Resolve = %v, %v", c, err)
		}
	})
}
