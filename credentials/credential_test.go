package credentials

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestValidateAcceptsEachKind(t *testing.T) {
	keys(t)
	cases := map[string]*Credential{
		"api token":                 apiTokenCred("https://acme.okta.com"),
		"api token, loopback http":  apiTokenCred("http://127.0.0.1:8080"),
		"service app, EC P-256 p8":  serviceAppCred(t, "https://acme.okta.com"),
		"service app, EC P-384 p8":  {Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "c", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8PEM(t, ecP384)},
		"service app, EC P-521 sec": {Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "c", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: sec1PEM(t, ecP521)},
		"service app, EC P-256 sec": {Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "c", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: sec1PEM(t, ecP256)},
		"service app, RSA 2048 p1":  {Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "c", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs1PEM(rsa2048)},
		"service app, RSA 4096 p8":  {Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "c", KeyID: "k", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: pkcs8PEM(t, rsa4096)},
		"service app, PEM with CRs": {Kind: KindServiceApp, OrgURL: "https://acme.okta.com", ClientID: "c", Scopes: []string{"okta.users.read"}, PrivateKeyPEM: "\n" + strings.ReplaceAll(pkcs8PEM(t, ecP256), "\n", "\r\n")},
		"device":                    deviceCred("https://acme.oktapreview.com", secretRefreshToken),
	}
	for name, c := range cases {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: Validate() = %v, want nil", name, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	keys(t)
	ok := func() *Credential { return serviceAppCred(t, "https://acme.okta.com") }
	edDER, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 building an encrypted PEM on purpose, to see it refused
	encBlock, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsa2048), []byte("pw"), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		mod  func(c *Credential)
		want string
	}{
		{"nil-like kind", func(c *Credential) { c.Kind = "" }, "kind is missing"},
		{"unknown kind", func(c *Credential) { c.Kind = "password" }, "unknown kind"},
		{"no org", func(c *Credential) { c.OrgURL = "" }, "org_url is missing"},
		{"http org", func(c *Credential) { c.OrgURL = "http://acme.okta.com" }, "org_url"},
		{"org with user info", func(c *Credential) { c.OrgURL = "https://admin:" + secretAPIToken + "@acme.okta.com" }, "user info"},
		{"org with path", func(c *Credential) { c.OrgURL = "https://acme.okta.com/api/v1" }, "path"},
		{"no client id", func(c *Credential) { c.ClientID = "" }, "client_id is missing"},
		{"client id with space", func(c *Credential) { c.ClientID = "a b" }, "client_id contains white space"},
		{"no scopes", func(c *Credential) { c.Scopes = nil }, "scopes are missing"},
		{"empty scope", func(c *Credential) { c.Scopes = []string{"okta.users.read", ""} }, "scope #2"},
		{"scope with space", func(c *Credential) { c.Scopes = []string{"okta.users.read okta.groups.read"} }, "scope #1"},
		{"key id with newline", func(c *Credential) { c.KeyID = "k\n1" }, "key_id contains"},
		{"no key", func(c *Credential) { c.PrivateKeyPEM = " " }, "private_key_pem is missing"},
		{"not PEM", func(c *Credential) { c.PrivateKeyPEM = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + secretAPIToken }, "not a PEM block"},
		{"two blocks", func(c *Credential) { c.PrivateKeyPEM = pkcs8PEM(t, ecP256) + pkcs8PEM(t, ecP384) }, "more than one PEM block"},
		{"public key", func(c *Credential) {
			der, _ := x509.MarshalPKIXPublicKey(&ecP256.PublicKey)
			c.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		}, `"PUBLIC KEY" block`},
		{"garbage DER", func(c *Credential) {
			c.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte(secretAPIToken)}))
		}, "does not parse"},
		{"PKCS#1 label on PKCS#8", func(c *Credential) {
			c.PrivateKeyPEM = strings.ReplaceAll(pkcs8PEM(t, rsa2048), "PRIVATE KEY", "RSA PRIVATE KEY")
		}, "does not parse"},
		{"encrypted PKCS#1", func(c *Credential) { c.PrivateKeyPEM = string(pem.EncodeToMemory(encBlock)) }, "encrypted"},
		{"encrypted PKCS#8", func(c *Credential) {
			c.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
		}, "encrypted"},
		{"RSA 1024", func(c *Credential) { c.PrivateKeyPEM = pkcs8PEM(t, rsa1024) }, "1024 bits"},
		{"EC P-224", func(c *Credential) { c.PrivateKeyPEM = pkcs8PEM(t, ecP224k) }, "not on P-256"},
		{"Ed25519", func(c *Credential) {
			c.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER}))
		}, "Ed25519 keys are not supported"},
	}
	for _, tc := range cases {
		c := ok()
		tc.mod(c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tc.name, err, tc.want)
			continue
		}
		assertNoSecret(t, tc.name, err.Error(), secretAPIToken, pemBody(pkcs8PEM(t, ecP256)), pemBody(pkcs8PEM(t, rsa2048)))
	}

	kindCases := []struct {
		c    *Credential
		want string
	}{
		{&Credential{Kind: KindAPIToken, OrgURL: "https://acme.okta.com"}, "api_token is missing"},
		{&Credential{Kind: KindAPIToken, OrgURL: "https://acme.okta.com", APIToken: "SSWS " + secretAPIToken}, "api_token contains white space"},
		{&Credential{Kind: KindAPIToken, OrgURL: "https://acme.okta.com", APIToken: "\xff\xfe"}, "not valid UTF-8"},
		{&Credential{Kind: KindDevice, OrgURL: "https://acme.okta.com", ClientID: "c", Scopes: []string{"s"}}, "refresh_token is missing"},
		{&Credential{Kind: KindDevice, OrgURL: "https://acme.okta.com", RefreshToken: "r", Scopes: []string{"s"}}, "client_id is missing"},
		{&Credential{Kind: KindDevice, OrgURL: "https://acme.okta.com", ClientID: "c", RefreshToken: "r"}, "scopes are missing"},
	}
	for _, tc := range kindCases {
		err := tc.c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: Validate() = %v, want %q", tc.c, err, tc.want)
		}
		if err != nil {
			assertNoSecret(t, "validate error", err.Error(), secretAPIToken)
		}
	}
	var nilCred *Credential
	if nilCred.Validate() == nil {
		t.Error("nil credential validated")
	}
}

func TestParsePrivateKeyTypes(t *testing.T) {
	keys(t)
	k, err := ParsePrivateKey(sec1PEM(t, ecP384))
	if err != nil {
		t.Fatal(err)
	}
	if ec, ok := k.(*ecdsa.PrivateKey); !ok || !ec.Equal(ecP384) {
		t.Errorf("SEC1 P-384 parsed to %T, not the same key", k)
	}
	k, err = ParsePrivateKey(pkcs1PEM(rsa2048))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := k.(*rsa.PrivateKey); !ok || !r.Equal(rsa2048) {
		t.Errorf("PKCS#1 RSA parsed to %T, not the same key", k)
	}
}

func TestPKCS8PrivateKeyPEMConvertsForTheSDK(t *testing.T) {
	keys(t)
	for name, in := range map[string]string{"SEC1": sec1PEM(t, ecP256), "PKCS#1": pkcs1PEM(rsa2048), "PKCS#8": pkcs8PEM(t, ecP256)} {
		c := &Credential{PrivateKeyPEM: in}
		out, err := c.PKCS8PrivateKeyPEM()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		block, _ := pem.Decode([]byte(out))
		if block == nil || block.Type != "PRIVATE KEY" {
			t.Fatalf("%s: result is not a PRIVATE KEY block", name)
		}
		got, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, _ := ParsePrivateKey(in)
		if !want.(interface{ Equal(crypto.PrivateKey) bool }).Equal(got) {
			t.Errorf("%s: converted key differs", name)
		}
	}
	if _, err := (&Credential{PrivateKeyPEM: "x"}).PKCS8PrivateKeyPEM(); err == nil {
		t.Error("no error for a bad key")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"a":                         "****",
		"12345678":                  "****",
		"123456789":                 "…6789",
		secretAPIToken:              "…fXYZ",
		"ééééééééézzzé":             "…zzzé",
		"00abcdefghijklmnopqrstuvw": "…tuvw",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummary(t *testing.T) {
	keys(t)
	saved := time.Date(2026, 11, 29, 3, 4, 5, 0, time.UTC)
	c := serviceAppCred(t, "https://acme.okta.com")
	c.SavedAt = saved
	got := c.Summary()
	want := map[string]string{
		"kind": "service_app", "org": "https://acme.okta.com", "client_id": "0oaSERVICEapp123",
		"scopes": "okta.users.read okta.groups.read", "key_id": "kid-1", "key": "EC P-256",
		"private_key": Mask(strings.TrimSpace(c.PrivateKeyPEM)), "saved_at": "2026-11-29T03:04:05Z",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Summary() = %v\nwant %v", got, want)
	}

	api := apiTokenCred("https://acme.okta.com").Summary()
	if api["api_token"] != "…fXYZ" || api["kind"] != "api_token" || len(api) != 3 {
		t.Errorf("api token summary = %v", api)
	}
	dev := deviceCred("https://acme.okta.com", secretRefreshToken).Summary()
	if dev["refresh_token"] != Mask(secretRefreshToken) || dev["client_id"] != "0oaDEVICEapp456" || dev["scopes"] != "okta.users.read offline_access" {
		t.Errorf("device summary = %v", dev)
	}
	rsaCred := &Credential{PrivateKeyPEM: pkcs1PEM(rsa2048)}
	if got := rsaCred.Summary()["key"]; got != "RSA 2048" {
		t.Errorf("key = %q, want RSA 2048", got)
	}
	var nilCred *Credential
	if len(nilCred.Summary()) != 0 {
		t.Error("nil summary not empty")
	}
}

// TestFormattingNeverShowsSecrets formats credentials, tokens, device codes
// and a device source with every common verb.
func TestFormattingNeverShowsSecrets(t *testing.T) {
	keys(t)
	rsaPEM := pkcs8PEM(t, rsa2048)
	everything := Credential{
		Kind: KindServiceApp, OrgURL: "https://acme.okta.com", APIToken: secretAPIToken, ClientID: "0oaCLIENT",
		Scopes: []string{"okta.users.read"}, KeyID: "kid", PrivateKeyPEM: rsaPEM, RefreshToken: secretRefreshToken,
		SavedAt: time.Now(),
	}
	tok := Token{AccessToken: secretAccessToken, RefreshToken: secretRefreshToken, TokenType: "Bearer", Scope: "okta.users.read", Expiry: time.Now()}
	dc := DeviceCode{DeviceCode: secretDeviceCode, UserCode: "WDJB-MJHT", VerificationURI: "https://acme.okta.com/activate", ExpiresIn: 600, Interval: 5}
	ds := NewDeviceSource(Store{}, "", deviceCred("https://acme.okta.com", secretRefreshToken), nil, nil)
	ds.access = secretAccessToken

	values := map[string]any{
		"Credential": everything, "*Credential": &everything, "[]Credential": []Credential{everything},
		"map": map[string]*Credential{"x": &everything}, "struct": struct{ C Credential }{everything},
		"Token": tok, "*Token": &tok, "DeviceCode": dc, "*DeviceCode": &dc, "*DeviceSource": ds,
	}
	secrets := []string{secretAPIToken, secretRefreshToken, secretAccessToken, secretDeviceCode, pemBody(rsaPEM)}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%T", "%10.3v"} {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, name+" "+verb, out, secrets...)
		}
		assertNoSecret(t, name+" Sprint", fmt.Sprint(v), secrets...)
		assertNoSecret(t, name+" Sprintln", fmt.Sprintln(v), secrets...)
	}
	if s := everything.String(); !strings.Contains(s, "client_id=0oaCLIENT") || !strings.Contains(s, "api_token="+Mask(secretAPIToken)) ||
		!strings.HasPrefix(s, "credentials.Credential{kind=service_app org=https://acme.okta.com") {
		t.Errorf("String() = %s", s)
	}
	if s := fmt.Sprintf("%q", everything); !strings.HasPrefix(s, `"credentials.Credential{`) {
		t.Errorf("%%q = %s", s)
	}
	var nilCred *Credential
	if s := fmt.Sprintf("%v", nilCred); s != "<nil>" {
		t.Errorf("nil *Credential prints %q", s)
	}
	if s := dc.String(); !strings.Contains(s, "WDJB-MJHT") || !strings.Contains(s, "https://acme.okta.com/activate") {
		t.Errorf("DeviceCode.String() hides what the admin needs: %s", s)
	}
	// The keyring value itself, of course, carries the secrets.
	b, _ := json.Marshal(everything)
	if !strings.Contains(string(b), secretAPIToken) {
		t.Error("json.Marshal lost the api token")
	}
}
