package sandbox

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// The bit of JWS (RFC 7515) and JWT (RFC 7519) the OAuth endpoints need:
// compact serialization only, asymmetric signatures RS256/384/512 and
// ES256/384/512, no encryption, no "crit" extensions.

// minRSABits is the smallest RSA modulus accepted, as Okta requires.
const minRSABits = 2048

// jwsHeader is the protected header of a compact JWS.
type jwsHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid,omitempty"`
	Typ  string          `json:"typ,omitempty"`
	JWK  json.RawMessage `json:"jwk,omitempty"`
	Crit []string        `json:"crit,omitempty"`
}

// jwtClaims are the claims the sandbox reads, client assertions and DPoP
// proofs alike.
type jwtClaims struct {
	Iss   string       `json:"iss"`
	Sub   string       `json:"sub"`
	Aud   audience     `json:"aud"`
	Exp   *numericDate `json:"exp"`
	Iat   *numericDate `json:"iat"`
	Nbf   *numericDate `json:"nbf"`
	Jti   string       `json:"jti"`
	Htm   string       `json:"htm"`
	Htu   string       `json:"htu"`
	Nonce string       `json:"nonce"`
	Ath   string       `json:"ath"`
}

// audience is "aud": one string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New(`"aud" is neither a string nor an array of strings`)
	}
	*a = many
	return nil
}

func (a audience) contains(s string) bool {
	for _, v := range a {
		if v == s {
			return true
		}
	}
	return false
}

// numericDate is a JWT NumericDate: seconds since the epoch, maybe fractional.
type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return errors.New("not a NumericDate")
	}
	sec, frac := math.Modf(f)
	d.Time = time.Unix(int64(sec), int64(frac*1e9))
	return nil
}

// jws is a parsed, not yet verified, compact JWS whose payload is a JWT.
type jws struct {
	header       jwsHeader
	claims       jwtClaims
	signingInput []byte // base64url(header) "." base64url(payload)
	signature    []byte
}

var b64 = base64.RawURLEncoding

// parseJWS splits and decodes a compact JWS. It checks the form only; call
// verify for the signature.
func parseJWS(s string) (*jws, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS (want three dot-separated parts)")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("the JWS header is not base64url")
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("the JWS payload is not base64url")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("the JWS signature is not base64url")
	}
	j := &jws{signingInput: []byte(parts[0] + "." + parts[1]), signature: sig}
	if err := strictUnmarshal(hb, &j.header); err != nil {
		return nil, fmt.Errorf("the JWS header is not a JSON object: %v", err)
	}
	if len(j.header.Crit) > 0 {
		return nil, errors.New(`unsupported "crit" header`)
	}
	if err := strictUnmarshal(pb, &j.claims); err != nil {
		return nil, fmt.Errorf("the JWT claims are not valid: %v", err)
	}
	return j, nil
}

// strictUnmarshal decodes one JSON object with nothing after it.
func strictUnmarshal(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// supportedAlgs are the JWS algorithms the sandbox verifies, as Okta lists
// them for private_key_jwt and DPoP.
var supportedAlgs = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true,
	"ES256": true, "ES384": true, "ES512": true,
}

// verify checks the signature with key, which must suit the header's alg.
func (j *jws) verify(key crypto.PublicKey) error {
	alg := j.header.Alg
	if !supportedAlgs[alg] {
		return fmt.Errorf("unsupported alg %q", alg)
	}
	var h crypto.Hash
	switch alg[2:] {
	case "256":
		h = crypto.SHA256
	case "384":
		h = crypto.SHA384
	default:
		h = crypto.SHA512
	}
	digest := hashOf(h, j.signingInput)
	switch k := key.(type) {
	case *rsa.PublicKey:
		if alg[0] != 'R' {
			return fmt.Errorf("alg %s does not suit an RSA key", alg)
		}
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits; at least %d required", k.N.BitLen(), minRSABits)
		}
		if err := rsa.VerifyPKCS1v15(k, h, digest, j.signature); err != nil {
			return errors.New("signature mismatch")
		}
		return nil
	case *ecdsa.PublicKey:
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		if want == nil || k.Curve != want {
			return fmt.Errorf("alg %s does not suit an EC key on %s", alg, k.Curve.Params().Name)
		}
		size := (want.Params().BitSize + 7) / 8
		if len(j.signature) != 2*size {
			return errors.New("signature mismatch")
		}
		r := new(big.Int).SetBytes(j.signature[:size])
		s := new(big.Int).SetBytes(j.signature[size:])
		if !ecdsa.Verify(k, digest, r, s) {
			return errors.New("signature mismatch")
		}
		return nil
	}
	return fmt.Errorf("unsupported key type %T", key)
}

func hashOf(h crypto.Hash, b []byte) []byte {
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256(b)
		return s[:]
	case crypto.SHA384:
		s := sha512.Sum384(b)
		return s[:]
	default:
		s := sha512.Sum512(b)
		return s[:]
	}
}

// publicJWK is a public JSON Web Key (RFC 7517), as embedded in a DPoP proof.
type publicJWK struct {
	Kty string `json:"kty"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	D   string `json:"d"` // must be absent: a private key
}

// parseJWK decodes a public RSA or EC key and its RFC 7638 thumbprint
// (base64url SHA-256 of the required members in lexicographic order).
func parseJWK(raw json.RawMessage) (crypto.PublicKey, string, error) {
	var k publicJWK
	if err := strictUnmarshal(raw, &k); err != nil {
		return nil, "", fmt.Errorf("the jwk is not a JSON object: %v", err)
	}
	if k.D != "" {
		return nil, "", errors.New("the jwk holds a private key")
	}
	var canon string
	var pub crypto.PublicKey
	switch k.Kty {
	case "RSA":
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, "", errors.New("the RSA jwk's n or e is invalid")
		}
		ev := new(big.Int).SetBytes(e)
		if ev.Int64() < 3 || ev.Int64()%2 == 0 {
			return nil, "", errors.New("the RSA jwk's e is invalid")
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ev.Int64())}
		canon = `{"e":"` + k.E + `","kty":"RSA","n":"` + k.N + `"}`
	case "EC":
		curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[k.Crv]
		if curve == nil {
			return nil, "", fmt.Errorf("unsupported EC curve %q", k.Crv)
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, "", errors.New("the EC jwk's x or y is invalid")
		}
		point := append(append([]byte{4}, x...), y...)
		ek, err := ecdsa.ParseUncompressedPublicKey(curve, point)
		if err != nil {
			return nil, "", errors.New("the EC jwk is not a point on its curve")
		}
		pub = ek
		canon = `{"crv":"` + k.Crv + `","kty":"EC","x":"` + k.X + `","y":"` + k.Y + `"}`
	default:
		return nil, "", fmt.Errorf("unsupported jwk kty %q", k.Kty)
	}
	sum := sha256.Sum256([]byte(canon))
	return pub, b64.EncodeToString(sum[:]), nil
}
