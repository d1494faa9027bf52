package config

import (
	"github.com/okta-mcp/okta-mcp/orgurl"

	"errors"
	"os"
	"testing"
	"time"
)

// FuzzLoadFile feeds arbitrary bytes to the config-file parser: it never
// panics, every failure is a *UsageError, and whatever it accepts is valid.
func FuzzLoadFile(f *testing.F) {
	if example, err := os.ReadFile(exampleFile); err == nil {
		f.Add(example)
	}
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `{"confirm": "never"}`, `{"max-retries": 1e3}`,
		`{"tags": ["a", "b,c", ""]}`, `{"tags": "a, b"}`, `{"methods": []}`,
		`{"max-wait": "1h"}`, `{"timeout": 30}`, `{"sandbox": "yes"}`,
		`{"org-url": "http://[::1]:1/"}`, `{"org-url": "https://u:p@x"}`,
		`{"expires-at": "2999-01-01T00:00:00Z"}`, `{"bogus": 1}`,
		`{"confirm": "auto", "confirm": "never"}`, "\xef\xbb\xbf{}", "{\"a\":\n", `{"log-file": "\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		err := applyFile(&c, "fuzz.json", data, now)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v (%T) is not a *UsageError", err, err)
			}
			_ = err.Error()
			return
		}
		if c.MaxRetries < 0 || c.MaxRetries > maxRetriesMax ||
			c.MaxConcurrency < 1 || c.MaxConcurrency > maxConcurrencyMax ||
			c.RateLimitReserve < 0 || c.RateLimitReserve > reserveMax ||
			c.MaxWait < 0 || c.MaxWait > maxWaitMax ||
			c.Timeout <= 0 || c.Timeout > timeoutMax ||
			len(c.Methods) == 0 || c.KeyringService == "" ||
			(c.Confirm != "auto" && c.Confirm != "never") ||
			(!c.ExpiresAt.IsZero() && !c.ExpiresAt.After(now)) {
			t.Fatalf("accepted an invalid config: %+v", c)
		}
		if c.OrgURL != "" {
			if got, err := orgurl.Normalize(c.OrgURL); err != nil || got != c.OrgURL {
				t.Fatalf("org URL %q is not normalised: %q, %v", c.OrgURL, got, err)
			}
		}
	})
}
