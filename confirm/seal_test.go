package confirm

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

type payload struct {
	Tool string `json:"tool"`
	Hash string `json:"hash"`
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	s := NewSealer(nil)
	sealed, err := s.Seal(payload{"okta_users_suspend", "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "okta_users_suspend") {
		t.Error("state is not encrypted")
	}
	var got payload
	if err := s.Open(sealed, &got); err != nil || got.Tool != "okta_users_suspend" || got.Hash != "abc" {
		t.Fatalf("Open = %+v, %v", got, err)
	}
	// Replayed.
	if err := s.Open(sealed, &got); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "already used") {
		t.Errorf("replay: %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	s := NewSealer(clock)
	sealed, _ := s.Seal(payload{"t", "h"})
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	raw[len(raw)-1] ^= 1
	flipped := base64.RawURLEncoding.EncodeToString(raw)
	other, _ := NewSealer(clock).Seal(payload{"t", "h"})
	tests := map[string]string{
		"tampered":      flipped,
		"truncated":     sealed[:len(sealed)/2],
		"not base64":    "!!",
		"empty":         "",
		"other process": other,
	}
	for name, st := range tests {
		var p payload
		if err := s.Open(st, &p); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Open = %v, want ErrInvalid", name, err)
		}
	}
	now = now.Add(Lifetime + time.Second)
	var p payload
	if err := s.Open(sealed, &p); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired: %v", err)
	}
}
