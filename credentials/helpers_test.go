package credentials

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"
)

// Recognizable secrets: tests check that none of them (nor a long piece of
// one) ever shows up in an error text or a formatted value.
const (
	secretAPIToken     = "00SECRETapiTOKENvalue0123456789abcdefXYZ"
	secretRefreshToken = "SECRETrefreshTOKEN-9f8e7d6c5b4a39281706"
	secretAccessToken  = "SECRETaccessTOKEN.eyJhbGciOiJSUzI1NiJ9.payload.sig"
	secretDeviceCode   = "SECRETdeviceCODE-4c3b2a1908f7e6d5"
)

var (
	keyOnce                         sync.Once
	rsa2048, rsa4096, rsa1024       *rsa.PrivateKey
	ecP256, ecP384, ecP521, ecP224k *ecdsa.PrivateKey
)

func keys(t testing.TB) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		must := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		var e error
		rsa2048, e = rsa.GenerateKey(rand.Reader, 2048)
		must(e)
		rsa4096, e = rsa.GenerateKey(rand.Reader, 4096)
		must(e)
		rsa1024, e = rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // deliberately too small
		must(e)
		ecP256, e = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(e)
		ecP384, e = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		must(e)
		ecP521, e = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		must(e)
		ecP224k, e = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
		must(e)
		if err != nil {
			panic(err)
		}
	})
}

func pkcs8PEM(t testing.TB, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func pkcs1PEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func sec1PEM(t testing.TB, k *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

// pemBody is a long piece of the base64 inside a PEM block: it must never
// appear in output.
func pemBody(p string) string {
	lines := strings.Split(strings.TrimSpace(p), "\n")
	return lines[1]
}

func apiTokenCred(org string) *Credential {
	return &Credential{Kind: KindAPIToken, OrgURL: org, APIToken: secretAPIToken}
}

func serviceAppCred(t testing.TB, org string) *Credential {
	keys(t)
	return &Credential{Kind: KindServiceApp, OrgURL: org, ClientID: "0oaSERVICEapp123", KeyID: "kid-1",
		Scopes: []string{"okta.users.read", "okta.groups.read"}, PrivateKeyPEM: pkcs8PEM(t, ecP256)}
}

func deviceCred(org, refresh string) *Credential {
	return &Credential{Kind: KindDevice, OrgURL: org, ClientID: "0oaDEVICEapp456",
		Scopes: []string{"okta.users.read", "offline_access"}, RefreshToken: refresh}
}

// assertNoSecret fails when text contains any of the secrets, or a
// 12-character piece of one (Mask may show the last 4 characters).
func assertNoSecret(t testing.TB, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(text, s) {
			t.Errorf("%s contains a secret: %s", what, text)
			continue
		}
		for i := 0; i+12 <= len(s); i += 6 {
			if strings.Contains(text, s[i:i+12]) {
				t.Errorf("%s contains a piece of a secret (%q): %s", what, s[i:i+12], text)
				break
			}
		}
	}
}

// memBackend is an in-memory keyring, safe for concurrent use. failSet,
// when set, is returned by Set.
type memBackend struct {
	mu      sync.Mutex
	m       map[string]string
	failSet error
	gets    int
	sets    int
}

func newMem() *memBackend { return &memBackend{m: map[string]string{}} }

func (b *memBackend) Get(service, user string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gets++
	v, ok := b.m[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *memBackend) Set(service, user, value string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sets++
	if b.failSet != nil {
		return b.failSet
	}
	b.m[service+"\x00"+user] = value
	return nil
}

func (b *memBackend) Delete(service, user string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := service + "\x00" + user
	if _, ok := b.m[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(b.m, k)
	return nil
}

func (b *memBackend) raw(service, user string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[service+"\x00"+user]
	return v, ok
}

func (b *memBackend) put(service, user, value string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[service+"\x00"+user] = value
}

func (b *memBackend) setFail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failSet = err
}

// blockingBackend never answers until release is closed: a hung D-Bus.
type blockingBackend struct{ release chan struct{} }

func (b blockingBackend) Get(string, string) (string, error) {
	<-b.release
	return "", errors.New("late")
}

func (b blockingBackend) Set(string, string, string) error {
	<-b.release
	return errors.New("late")
}

func (b blockingBackend) Delete(string, string) error {
	<-b.release
	return errors.New("late")
}

// errBackend fails every call with err.
type errBackend struct{ err error }

func (b errBackend) Get(string, string) (string, error) { return "", b.err }
func (b errBackend) Set(string, string, string) error   { return b.err }
func (b errBackend) Delete(string, string) error        { return b.err }

// useBackend swaps the keyring backend (and the session-bus check, which
// would otherwise fail outside a D-Bus session) for the test. Tests that
// call it must not be parallel.
func useBackend(t *testing.T, b backend) {
	t.Helper()
	oldKr, oldBus := kr, sessionBusMissing
	kr = b
	sessionBusMissing = func() error { return nil }
	t.Cleanup(func() { kr, sessionBusMissing = oldKr, oldBus })
}

// useGOOS pretends to run on another platform (limits, messages).
func useGOOS(t *testing.T, g string) {
	t.Helper()
	old := goos
	goos = g
	t.Cleanup(func() { goos = old })
}
