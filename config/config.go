// Package config defines okta-mcp's settings, registers them as command-line
// flags and loads them from flags, environment variables and a JSON config
// file, in that order of precedence, falling back to defaults (SPEC §3).
//
// Every setting has exactly one parser. A value from a flag, an environment
// variable or the config file goes through that parser as text, so the three
// sources accept and reject the same things. Secrets never live here:
// credentials come from the keyring or the environment elsewhere.
package config

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"
)

// Config holds every setting of serve, tools and call.
type Config struct {
	OrgURL           string        // --org-url, env OKTA_ORG_URL; normalised to scheme://host[:port]; "" = not set
	ConfigFile       string        // --config, env OKTA_MCP_CONFIG (not a file key); "" = none
	Methods          []string      // --methods, default ["read"]; env OKTA_MCP_METHODS
	Tags             []string      // --tags, default nil = all; env OKTA_MCP_TAGS
	Tools            []string      // --tools; env OKTA_MCP_TOOLS
	ExcludeTools     []string      // --exclude-tools; env OKTA_MCP_EXCLUDE_TOOLS
	Confirm          string        // --confirm auto|never, default auto; env OKTA_MCP_CONFIRM
	ExpiresAt        time.Time     // --expires-at RFC3339; zero = none; env OKTA_MCP_EXPIRES_AT
	AuditLog         string        // --audit-log FILE; env OKTA_MCP_AUDIT_LOG
	MaxRetries       int           // --max-retries, default 2 (0..10)
	MaxWait          time.Duration // --max-wait, default 30s (0..10m)
	MaxConcurrency   int           // --max-concurrency, default 8 (1..75: Okta's org-wide concurrency limit)
	RateLimitReserve int           // --rate-limit-reserve PCT, default 0 (0..99)
	Timeout          time.Duration // --timeout, default 30s (>0, ≤ 10m)
	Sandbox          bool          // --sandbox; env OKTA_MCP_SANDBOX
	LogLevel         string        // --log-level debug|info|warn|error, default info
	LogFile          string        // --log-file, default "" = stderr
	KeyringService   string        // --keyring-service, default "okta-mcp"
}

// Now is the clock Load checks --expires-at against. Tests may replace it
// (not from parallel tests).
var Now func() time.Time = time.Now

// Default returns the defaults.
func Default() Config {
	return Config{
		Methods:          []string{"read"},
		Confirm:          "auto",
		MaxRetries:       2,
		MaxWait:          30 * time.Second,
		MaxConcurrency:   8,
		RateLimitReserve: 0,
		Timeout:          30 * time.Second,
		LogLevel:         "info",
		KeyringService:   "okta-mcp",
	}
}

// Keys lists every config-file key, in the order of the flags' help. Each is
// also the name of a flag registered by AddFlags.
func Keys() []string {
	keys := make([]string, 0, len(settings))
	for _, s := range settings {
		if s.inFile {
			keys = append(keys, s.name)
		}
	}
	return keys
}

// Load builds the Config from fs (already parsed; nil means no flags), the
// environment (getenv; os.Getenv in production; nil means an empty
// environment) and the JSON config file named by --config or OKTA_MCP_CONFIG.
//
// Precedence per setting: a flag the user set (fs.Changed) > the environment
// variable if non-empty > the config file key if present > the default. Every
// value that is present is parsed and validated, including one that a higher
// layer overrides, so a bad value in the file or the environment is reported
// rather than left to surprise a later run.
//
// Every error about a value the user gave is a *UsageError (main exits 2).
// The org URL is not required here; the caller decides (--sandbox needs none).
func Load(fs *pflag.FlagSet, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	now := Now()
	c := Default()

	// Which config file, if any: --config beats OKTA_MCP_CONFIG. An explicit
	// --config "" means no file even when the variable is set.
	path, pathSetting := "", ""
	if raw, ok := flagValue(fs, configSetting.name); ok {
		path, pathSetting = raw, "--"+configSetting.name
	} else if v := getenv(configSetting.env); v != "" {
		path, pathSetting = v, configSetting.env
	}
	if path != "" {
		data, err := readConfigFile(path, pathSetting)
		if err != nil {
			return Config{}, err
		}
		if err := applyFile(&c, path, data, now); err != nil {
			return Config{}, err
		}
	}

	for _, s := range settings {
		if !s.inFile {
			continue // --config, handled above
		}
		if v := getenv(s.env); v != "" {
			if err := s.apply(&c, v, s.env, now); err != nil {
				return Config{}, err
			}
		}
	}

	for _, s := range settings {
		if !s.inFile {
			continue
		}
		if raw, ok := flagValue(fs, s.name); ok {
			if err := s.apply(&c, raw, "--"+s.name, now); err != nil {
				return Config{}, err
			}
		}
	}

	c.ConfigFile = path
	return c, nil
}

// UsageError marks a bad value from the user; main exits with code 2 on it.
//
// Setting says where the value came from: a flag ("--confirm"), an
// environment variable ("OKTA_MCP_CONFIRM"), a config-file key
// (`"confirm" in okta-mcp.json`), or the config file itself. Value is the
// rejected value, Valid describes the valid values ("" when there is nothing
// useful to list) and Err, when not nil, says more about what is wrong.
type UsageError struct {
	Setting, Value, Valid string
	Err                   error
}

// maxShownValue bounds how much of a rejected value Error repeats.
const maxShownValue = 120

// Error reads e.g. `invalid --confirm "sometimes": valid values are auto, never`
// or `invalid --max-retries "11" (out of range): valid values are integers from 0 to 10`.
func (e *UsageError) Error() string {
	var b strings.Builder
	b.WriteString("invalid ")
	b.WriteString(e.Setting)
	b.WriteByte(' ')
	b.WriteString(strconv.Quote(shorten(e.Value, maxShownValue)))
	if e.Err != nil {
		b.WriteString(" (")
		b.WriteString(e.Err.Error())
		b.WriteByte(')')
	}
	if e.Valid != "" {
		b.WriteString(": valid values are ")
		b.WriteString(e.Valid)
	}
	return b.String()
}

// Unwrap returns the underlying error, e.g. fs.ErrNotExist for a missing
// config file.
func (e *UsageError) Unwrap() error { return e.Err }

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// flagValue returns the text the user gave for the flag name, if they set it.
func flagValue(fs *pflag.FlagSet, name string) (string, bool) {
	if fs == nil || !fs.Changed(name) {
		return "", false
	}
	f := fs.Lookup(name)
	if f == nil {
		return "", false
	}
	if v, ok := f.Value.(*flagText); ok {
		return v.text, true
	}
	// A flag registered by someone else under the same name: its text form
	// is the best we have.
	return f.Value.String(), true
}
