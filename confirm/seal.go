// Package confirm seals the state a write tool hands the MCP client while it
// asks the human for confirmation, so that what comes back is exactly what
// the human was asked about: authenticated encryption under a per-process
// key, a short lifetime, and single use.
package confirm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Lifetime is how long a sealed state may wait for the human's answer.
const Lifetime = 10 * time.Minute

// ErrInvalid is wrapped by every Open error.
var ErrInvalid = errors.New("invalid confirmation state")

// Sealer seals and opens confirmation states.
type Sealer struct {
	aead cipher.AEAD
	now  func() time.Time

	mu   sync.Mutex
	used map[string]time.Time // state IDs already opened, until they expire
}

// NewSealer makes a sealer with a fresh random key.
func NewSealer(now func() time.Time) *Sealer {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	if now == nil {
		now = time.Now
	}
	return &Sealer{aead: aead, now: now, used: map[string]time.Time{}}
}

// envelope is what is sealed: the caller's payload plus an ID and expiry.
type envelope struct {
	ID      string          `json:"id"`
	Expires time.Time       `json:"exp"`
	Payload json.RawMessage `json:"p"`
}

// Seal encrypts and authenticates payload (marshalled as JSON).
func (s *Sealer) Seal(payload any) (string, error) {
	p, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	id := make([]byte, 12)
	rand.Read(id)
	plain, err := json.Marshal(envelope{ID: base64.RawURLEncoding.EncodeToString(id), Expires: s.now().Add(Lifetime), Payload: p})
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, nil)), nil
}

// Open checks and decrypts a sealed state into payload. A state that was
// altered, sealed by another process, expired or already opened is refused.
func (s *Sealer) Open(sealed string, payload any) error {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errors.Join(ErrInvalid, errors.New("the request state is not one this server issued"))
	}
	nonce, ct := raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():]
	plain, err := s.aead.Open(nil, nonce, ct, nil)
	if err != nil {
		return errors.Join(ErrInvalid, errors.New("the request state was altered or issued by another server process"))
	}
	var e envelope
	if err := json.Unmarshal(plain, &e); err != nil {
		return errors.Join(ErrInvalid, err)
	}
	now := s.now()
	if now.After(e.Expires) {
		return errors.Join(ErrInvalid, errors.New("the confirmation expired; call the tool again"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, exp := range s.used {
		if now.After(exp) {
			delete(s.used, id)
		}
	}
	if _, ok := s.used[e.ID]; ok {
		return errors.Join(ErrInvalid, errors.New("this confirmation was already used; call the tool again"))
	}
	if err := json.Unmarshal(e.Payload, payload); err != nil {
		return errors.Join(ErrInvalid, err)
	}
	s.used[e.ID] = e.Expires
	return nil
}
