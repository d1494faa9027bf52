package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DPoP (RFC 9449): proofs are verified against the wall clock (the client
// signs with it), nonces and replay windows are kept per org.

const (
	// dpopMaxAge is how old a proof's iat may be; dpopMaxSkew how far in
	// the future.
	dpopMaxAge  = 5 * time.Minute
	dpopMaxSkew = time.Minute
	// nonceLifetime is how long the token endpoint's DPoP-Nonce stays
	// current (org clock); the previous nonce is accepted too.
	nonceLifetime = 5 * time.Minute
	// dpopAlgs is what WWW-Authenticate advertises for the DPoP scheme.
	dpopAlgs = "RS256 ES256"
)

// dpopProof is a proof whose signature, method, URL, age and ath passed.
type dpopProof struct {
	jkt   string // RFC 7638 thumbprint of the proof key
	jti   string
	iat   time.Time
	nonce string
}

// checkDPoPProof verifies one DPoP header value for a request to method and
// htu (scheme://host/path, no query). accessToken, if not empty, must match
// the proof's ath. Nonce and jti replay are the caller's to check. The error
// text is fit for error_description.
func checkDPoPProof(proof, method, htu, accessToken string, now time.Time) (*dpopProof, error) {
	j, err := parseJWS(proof)
	if err != nil {
		return nil, errors.New("The DPoP proof is not a valid JWT: " + err.Error())
	}
	if !strings.EqualFold(j.header.Typ, "dpop+jwt") {
		return nil, errors.New(`The DPoP proof 'typ' header must be "dpop+jwt".`)
	}
	if !supportedAlgs[j.header.Alg] {
		return nil, errors.New("The DPoP proof 'alg' is not supported: " + j.header.Alg)
	}
	if len(j.header.JWK) == 0 {
		return nil, errors.New("The DPoP proof has no 'jwk' header.")
	}
	key, jkt, err := parseJWK(j.header.JWK)
	if err != nil {
		return nil, errors.New("The DPoP proof 'jwk' header is invalid: " + err.Error())
	}
	if err := j.verify(key); err != nil {
		return nil, errors.New("The DPoP proof signature is invalid: " + err.Error())
	}
	cl := j.claims
	if cl.Htm != method {
		return nil, errors.New("The DPoP proof 'htm' claim does not match the request method.")
	}
	if !sameHTU(cl.Htu, htu) {
		return nil, errors.New("The DPoP proof 'htu' claim does not match the request URL.")
	}
	if cl.Iat == nil {
		return nil, errors.New("The DPoP proof has no 'iat' claim.")
	}
	if cl.Iat.Before(now.Add(-dpopMaxAge)) || cl.Iat.After(now.Add(dpopMaxSkew)) {
		return nil, errors.New("The DPoP proof 'iat' claim is too far from the current time.")
	}
	if cl.Jti == "" {
		return nil, errors.New("The DPoP proof has no 'jti' claim.")
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		if cl.Ath != b64.EncodeToString(sum[:]) {
			return nil, errors.New("The DPoP proof 'ath' claim does not match the access token.")
		}
	}
	return &dpopProof{jkt: jkt, jti: cl.Jti, iat: cl.Iat.Time, nonce: cl.Nonce}, nil
}

// sameHTU compares a proof's htu with the request URL, ignoring the htu's
// query and fragment, case in scheme and host, and path escaping.
func sameHTU(claim, want string) bool {
	cu, err := url.Parse(claim)
	if err != nil {
		return false
	}
	wu, err := url.Parse(want)
	if err != nil {
		return false
	}
	cp, wp := cu.Path, wu.Path
	if cp == "" {
		cp = "/"
	}
	if wp == "" {
		wp = "/"
	}
	return strings.EqualFold(cu.Scheme, wu.Scheme) && strings.EqualFold(cu.Host, wu.Host) && cp == wp
}

// replayCache remembers single-use identifiers (jti) until they expire.
type replayCache struct {
	seen      map[string]time.Time // key → forget after
	lastSweep time.Time
}

// use records key until the given time and reports whether it was unused.
func (rc *replayCache) use(key string, until, now time.Time) bool {
	if rc.seen == nil {
		rc.seen = map[string]time.Time{}
	}
	if now.Sub(rc.lastSweep) > time.Minute {
		for k, t := range rc.seen {
			if now.After(t) {
				delete(rc.seen, k)
			}
		}
		rc.lastSweep = now
	}
	if t, ok := rc.seen[key]; ok && !now.After(t) {
		return false
	}
	rc.seen[key] = until
	return true
}

func (rc *replayCache) forget(key string) { delete(rc.seen, key) }

// tokenEndpointDPoP checks the DPoP proof of a token request. It returns
// the thumbprint to bind the tokens to, "" when no proof was sent and app
// does not require one. Caller does not hold o.oauth.mu.
func (o *Org) tokenEndpointDPoP(c *call, app *OAuthApp) (string, *oauthError) {
	proofs := c.r.Header.Values("DPoP")
	if len(proofs) == 0 {
		if app.RequireDPoP {
			return "", &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", desc: "DPoP proof is missing"}
		}
		return "", nil
	}
	if len(proofs) > 1 {
		return "", &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", desc: "More than one DPoP proof was sent."}
	}
	wall := time.Now()
	p, err := checkDPoPProof(proofs[0], http.MethodPost, c.base+tokenPath, "", wall)
	if err != nil {
		return "", &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", desc: err.Error()}
	}
	s := &o.oauth
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.currentNonceLocked(o.now())
	if p.nonce == "" || (p.nonce != cur && p.nonce != s.prevNonce) {
		return "", &oauthError{status: http.StatusBadRequest, code: "use_dpop_nonce",
			desc: "Authorization server requires nonce in DPoP proof.", nonce: cur}
	}
	if !s.proofJTIs.use(p.jti, p.iat.Add(dpopMaxAge+dpopMaxSkew), wall) {
		return "", &oauthError{status: http.StatusBadRequest, code: "invalid_dpop_proof", desc: "The DPoP proof 'jti' has already been used."}
	}
	return p.jkt, nil
}

// currentNonceLocked returns the DPoP-Nonce to hand out, rotating it when
// it is older than nonceLifetime. Caller holds o.oauth.mu.
func (s *oauthState) currentNonceLocked(now time.Time) string {
	if s.nonce == "" || now.Sub(s.nonceAt) >= nonceLifetime || now.Before(s.nonceAt) {
		s.prevNonce = s.nonce
		s.nonce = randomToken(24)
		s.nonceAt = now
	}
	return s.nonce
}

// apiDPoP verifies the DPoP proof of an API call made with a DPoP-bound
// access token. A proof is single use, except that a request answered 429
// (which the SDK retries with the very same headers) gives its jti back.
func (o *Org) apiDPoP(c *call, tok string, jkt string) *denial {
	proofs := c.r.Header.Values("DPoP")
	if len(proofs) != 1 {
		return deniedDPoP(c, "The DPoP proof is missing or not unique.")
	}
	wall := time.Now()
	p, err := checkDPoPProof(proofs[0], c.r.Method, c.base+c.r.URL.Path, tok, wall)
	if err != nil {
		return deniedDPoP(c, err.Error())
	}
	if p.jkt != jkt {
		return deniedDPoP(c, "The DPoP proof key does not match the access token's binding.")
	}
	s := &o.oauth
	s.mu.Lock()
	fresh := s.proofJTIs.use(p.jti, p.iat.Add(dpopMaxAge+dpopMaxSkew), wall)
	s.mu.Unlock()
	if !fresh {
		return deniedDPoP(c, "The DPoP proof 'jti' has already been used.")
	}
	prev := c.w.onStatus
	c.w.onStatus = func(code int) {
		if prev != nil {
			prev(code)
		}
		if code == http.StatusTooManyRequests {
			s.mu.Lock()
			s.proofJTIs.forget(p.jti)
			s.mu.Unlock()
		}
	}
	return nil
}

// randomToken is n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return b64.EncodeToString(b)
}
