// Package credentials keeps an Okta org's credential in the OS keyring
// (macOS Keychain, Windows Credential Manager, a Secret Service such as
// gnome-keyring on Linux), falls back to OKTA_API_TOKEN for headless runners,
// and runs the OAuth device authorization and refresh flows (SPEC §4).
//
// Nothing here logs or prints. No secret (API token, private key, refresh or
// access token, device code) ever appears in an error text or in the output
// of a String, GoString or Format method.
package credentials

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/okta-mcp/okta-mcp/orgurl"
)

// Kind says which of the three credential kinds a Credential is.
type Kind string

const (
	// KindAPIToken is an SSWS API token.
	KindAPIToken Kind = "api_token"
	// KindServiceApp is an OAuth service app: client credentials with a
	// private-key JWT assertion (and DPoP when the org demands it).
	KindServiceApp Kind = "service_app"
	// KindDevice is a human admin signed in with the OAuth device
	// authorization grant; the refresh token is stored.
	KindDevice Kind = "device"
)

// MinRSABits is the smallest RSA key Validate accepts.
const MinRSABits = 2048

// Credential is one org's stored credential: one JSON value in the keyring.
//
// Its String, GoString and Format methods never print a secret, so %v, %+v,
// %#v, %s, %q, %d… of a Credential or *Credential are all safe. json.Marshal
// of course includes the secrets: that is the keyring value.
type Credential struct {
	Kind          Kind      `json:"kind"`
	OrgURL        string    `json:"org_url"`
	APIToken      string    `json:"api_token,omitempty"`
	ClientID      string    `json:"client_id,omitempty"`
	Scopes        []string  `json:"scopes,omitempty"`
	KeyID         string    `json:"key_id,omitempty"`
	PrivateKeyPEM string    `json:"private_key_pem,omitempty"` // PKCS#8 or PKCS#1 RSA, or EC (SEC1/PKCS#8)
	RefreshToken  string    `json:"refresh_token,omitempty"`
	SavedAt       time.Time `json:"saved_at"`
}

// Validate checks the fields the credential's kind needs:
//
//   - every kind: a known Kind and an org URL that passes orgurl.Normalize
//     (https, or http for a loopback host);
//   - api_token: APIToken;
//   - service_app: ClientID, Scopes, and PrivateKeyPEM holding one
//     unencrypted RSA key of at least 2048 bits or an EC key on P-256, P-384
//     or P-521 (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1
//     "EC PRIVATE KEY"); KeyID is optional (Okta picks the key when the app
//     has only one);
//   - device: ClientID, Scopes and RefreshToken.
//
// Tokens, IDs and scopes must not contain white space or control
// characters (they end up in HTTP headers and form fields). Error texts
// name the field, never its value.
func (c *Credential) Validate() error {
	if c == nil {
		return errors.New("credential: missing")
	}
	switch c.Kind {
	case KindAPIToken, KindServiceApp, KindDevice:
	case "":
		return errors.New("credential: kind is missing")
	default:
		return errors.New("credential: unknown kind; want api_token, service_app or device")
	}
	if strings.TrimSpace(c.OrgURL) == "" {
		return errors.New("credential: org_url is missing")
	}
	if _, err := orgurl.Normalize(c.OrgURL); err != nil {
		return fmt.Errorf("credential: org_url: %w", err)
	}
	switch c.Kind {
	case KindAPIToken:
		return checkToken("api_token", c.APIToken)
	case KindServiceApp:
		if err := checkToken("client_id", c.ClientID); err != nil {
			return err
		}
		if err := checkScopes(c.Scopes); err != nil {
			return err
		}
		if c.KeyID != "" {
			if err := checkToken("key_id", c.KeyID); err != nil {
				return err
			}
		}
		if strings.TrimSpace(c.PrivateKeyPEM) == "" {
			return errors.New("credential: private_key_pem is missing")
		}
		_, err := ParsePrivateKey(c.PrivateKeyPEM)
		return err
	default: // KindDevice
		if err := checkToken("client_id", c.ClientID); err != nil {
			return err
		}
		if err := checkScopes(c.Scopes); err != nil {
			return err
		}
		return checkToken("refresh_token", c.RefreshToken)
	}
}

// checkToken requires a non-empty value without white space or control
// characters. The error names the field, never the value.
func checkToken(field, v string) error {
	if v == "" {
		return fmt.Errorf("credential: %s is missing", field)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("credential: %s is not valid UTF-8", field)
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("credential: %s contains white space or control characters", field)
		}
	}
	return nil
}

// checkScopes requires at least one scope, each an RFC 6749 scope-token
// (printable ASCII except space, '"' and '\').
func checkScopes(scopes []string) error {
	if len(scopes) == 0 {
		return errors.New("credential: scopes are missing (OAuth credentials need at least one, e.g. okta.users.read)")
	}
	for i, s := range scopes {
		if !validScope(s) {
			return fmt.Errorf("credential: scope #%d is empty or has characters a scope cannot have", i+1)
		}
	}
	return nil
}

func validScope(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\' {
			return false
		}
	}
	return true
}

// ParsePrivateKey parses the private key of a service-app credential: one
// unencrypted PEM block, "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY" (PKCS#1)
// or "EC PRIVATE KEY" (SEC1); RSA of at least 2048 bits, or ECDSA on P-256,
// P-384 or P-521. The result is an *rsa.PrivateKey or *ecdsa.PrivateKey.
// Errors never quote the key.
func ParsePrivateKey(pemText string) (crypto.Signer, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("credential: private_key_pem is not a PEM block (want -----BEGIN PRIVATE KEY-----)")
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return nil, errors.New("credential: private_key_pem has more than one PEM block; give only the private key")
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, errors.New("credential: private_key_pem is encrypted; store an unencrypted key (the keyring protects it), e.g. `openssl pkcs8 -topk8 -nocrypt -in key.pem`")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("credential: private_key_pem holds a %q block; want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		// The parser's own message can describe the DER; keep it out.
		return nil, fmt.Errorf("credential: private_key_pem: the %s block does not parse", block.Type)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("credential: private_key_pem: RSA key has %d bits; Okta needs at least %d", bits, MinRSABits)
		}
		return k, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return k, nil
		}
		return nil, errors.New("credential: private_key_pem: EC key is not on P-256, P-384 or P-521")
	default:
		return nil, fmt.Errorf("credential: private_key_pem: %s keys are not supported; use RSA (≥ 2048 bits) or EC P-256", keyTypeName(key))
	}
}

func keyTypeName(key any) string {
	switch key.(type) {
	case ed25519.PrivateKey:
		return "Ed25519"
	case *ecdh.PrivateKey:
		return "X25519"
	}
	return "such"
}

// KeyDescription describes the service-app key without revealing it:
// "RSA 2048", "EC P-256". "" when there is no parsable key.
func (c *Credential) KeyDescription() string {
	if c == nil || c.PrivateKeyPEM == "" {
		return ""
	}
	k, err := ParsePrivateKey(c.PrivateKeyPEM)
	if err != nil {
		return ""
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return "RSA " + strconv.Itoa(k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "EC " + k.Curve.Params().Name
	}
	return ""
}

// PKCS8PrivateKeyPEM returns the service-app key re-encoded as a PKCS#8
// "PRIVATE KEY" PEM block. okta-sdk-golang v5.0.2 reads only PKCS#8 and
// PKCS#1 blocks, so hand it this rather than PrivateKeyPEM (which may be
// SEC1 "EC PRIVATE KEY").
func (c *Credential) PKCS8PrivateKeyPEM() (string, error) {
	k, err := ParsePrivateKey(c.PrivateKeyPEM)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", errors.New("credential: private key cannot be encoded as PKCS#8")
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// Mask hides a secret for display: "" stays "", anything of 8 characters
// or fewer becomes "****", a longer value "…" followed by its last 4
// characters.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	r := []rune(secret)
	if len(r) <= 8 {
		return "****"
	}
	return "…" + string(r[len(r)-4:])
}

// Summary describes the credential for `auth status`: kind, org,
// client_id, scopes (space-separated), key_id, key (e.g. "EC P-256"),
// saved_at (RFC 3339), and each secret present masked with Mask
// (api_token, private_key, refresh_token). Empty fields are left out.
func (c *Credential) Summary() map[string]string {
	m := map[string]string{}
	if c == nil {
		return m
	}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put("kind", string(c.Kind))
	put("org", c.OrgURL)
	put("client_id", c.ClientID)
	put("scopes", strings.Join(c.Scopes, " "))
	put("key_id", c.KeyID)
	put("key", c.KeyDescription())
	put("api_token", Mask(c.APIToken))
	put("private_key", Mask(strings.TrimSpace(c.PrivateKeyPEM)))
	put("refresh_token", Mask(c.RefreshToken))
	if !c.SavedAt.IsZero() {
		m["saved_at"] = c.SavedAt.UTC().Format(time.RFC3339)
	}
	return m
}

// String describes the credential with every secret masked, e.g.
// `credentials.Credential{kind=api_token org=https://acme.okta.com api_token=…x9Zq}`.
func (c Credential) String() string {
	s := c.Summary()
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	order := map[string]int{"kind": 0, "org": 1, "client_id": 2, "scopes": 3, "key_id": 4, "key": 5}
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	b.WriteString("credentials.Credential{")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := s[k]
		if strings.ContainsAny(v, " \t\n\"{}") {
			v = strconv.Quote(v)
		}
		b.WriteString(k + "=" + v)
	}
	b.WriteByte('}')
	return b.String()
}

// GoString is String: %#v never prints a secret either.
func (c Credential) GoString() string { return c.String() }

// Format makes every fmt verb (not only %v and %s) print String, so no
// verb can walk the struct and print a secret field.
func (c Credential) Format(f fmt.State, verb rune) { formatSafe(f, verb, c.String()) }

// formatSafe writes s for any verb; %q quotes it.
func formatSafe(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}
