package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/okta-mcp/okta-mcp/orgurl"
)

// kind is the shape of a setting's value: it decides the flag's type name in
// help, how a repeated flag combines, and which JSON type the config file must
// use. The value itself is always parsed from text by the setting's parser.
type kind int

const (
	kindString   kind = iota // JSON string
	kindList                 // JSON array of strings or a comma-separated string
	kindInt                  // JSON number
	kindDuration             // JSON string such as "30s"
	kindBool                 // JSON true/false
)

// setting describes one setting: its flag/key name, environment variable,
// help text, default text and its single parser.
type setting struct {
	name        string // flag name and config-file key
	env         string // environment variable
	kind        kind
	inFile      bool   // a config-file key (all but --config)
	usage       string // help text; a `NAME` in back quotes names the value; the env variable is appended
	helpDefault string // default shown in help where pflag shows none (a zero value)
	def         string // the default as text, shown in help; parses to Default()'s value
	valid       string // "valid values are ..." for errors and help
	// parse is the one parser of this setting: it turns the text from a flag,
	// an environment variable or a config-file value into the Config field.
	// An error is a short reason; errNotValid means "not one of Valid" and
	// adds nothing to the message.
	parse func(c *Config, text string, now time.Time) error
	// redact, when set, turns a rejected value into what an error may show.
	redact func(string) string
}

// errNotValid: the value is simply not one of the valid values.
var errNotValid = errors.New("not a valid value")

// apply runs the setting's parser on text that came from the source named by
// where (a flag, a variable or a config-file key), wrapping a failure in a
// *UsageError.
func (s *setting) apply(c *Config, text, where string, now time.Time) error {
	err := s.parse(c, text, now)
	if err == nil {
		return nil
	}
	if err == errNotValid {
		err = nil
	}
	shown := text
	if s.redact != nil {
		shown = s.redact(text)
	}
	return &UsageError{Setting: where, Value: shown, Valid: s.valid, Err: err}
}

// Limits (SPEC §3, §8).
const (
	maxRetriesMax     = 10
	maxWaitMax        = 10 * time.Minute
	maxConcurrencyMax = 75 // Okta's org-wide concurrent-request limit
	reserveMax        = 99
	timeoutMax        = 10 * time.Minute
)

var configSetting = &setting{
	name:        "config",
	env:         "OKTA_MCP_CONFIG",
	kind:        kindString,
	usage:       "JSON `FILE` whose keys are the flag names (see config.example.json); flags and env override it",
	helpDefault: "none",
	// No parser: Load reads --config and OKTA_MCP_CONFIG itself.
}

// settings, in help order. All but --config are config-file keys.
var settings = []*setting{
	{
		name:        "org-url",
		env:         "OKTA_ORG_URL",
		kind:        kindString,
		inFile:      true,
		usage:       "Okta org `URL`, e.g. https://acme.okta.com (https; http only for a loopback host); required unless --sandbox",
		helpDefault: "none",
		valid:       "https://HOST[:PORT] such as https://acme.okta.com, or http://HOST[:PORT] for a loopback host (localhost, 127.0.0.0/8, ::1), with no path, query, fragment or user info",
		parse: func(c *Config, text string, _ time.Time) error {
			u, err := orgurl.Normalize(text)
			if err != nil {
				return err
			}
			c.OrgURL = u
			return nil
		},
		redact: redactURL,
	},
	configSetting,
	{
		name:   "methods",
		env:    "OKTA_MCP_METHODS",
		kind:   kindList,
		inFile: true,
		usage:  "comma-separated `LIST` of method classes to expose: read (= get,list), write (= create,update,delete), custom, all, or exact classes get, list, create, update, delete",
		def:    "read",
		valid:  "a non-empty comma-separated list of method classes (read, write, custom, all, get, list, create, update, delete)",
		parse: func(c *Config, text string, _ time.Time) error {
			l := parseList(text)
			if len(l) == 0 {
				return errors.New("empty list")
			}
			c.Methods = l
			return nil
		},
	},
	{
		name:        "tags",
		env:         "OKTA_MCP_TAGS",
		kind:        kindList,
		inFile:      true,
		usage:       "comma-separated `LIST` of tags (users, groups, roles, sessions, logs); a tool is kept when one of its tags is listed; empty = all",
		helpDefault: "all",
		valid:       "a comma-separated list of tags (users, groups, roles, sessions, logs)",
		parse: func(c *Config, text string, _ time.Time) error {
			c.Tags = parseList(text)
			return nil
		},
	},
	{
		name:        "tools",
		env:         "OKTA_MCP_TOOLS",
		kind:        kindList,
		inFile:      true,
		usage:       "comma-separated `LIST` of exact tool names to add back after the filters",
		helpDefault: "none",
		valid:       "a comma-separated list of tool names",
		parse: func(c *Config, text string, _ time.Time) error {
			c.Tools = parseList(text)
			return nil
		},
	},
	{
		name:        "exclude-tools",
		env:         "OKTA_MCP_EXCLUDE_TOOLS",
		kind:        kindList,
		inFile:      true,
		usage:       "comma-separated `LIST` of exact tool names to remove after the filters",
		helpDefault: "none",
		valid:       "a comma-separated list of tool names",
		parse: func(c *Config, text string, _ time.Time) error {
			c.ExcludeTools = parseList(text)
			return nil
		},
	},
	{
		name:   "confirm",
		env:    "OKTA_MCP_CONFIRM",
		kind:   kindString,
		inFile: true,
		usage:  "confirmation `MODE` of write and custom tools: auto (ask the human through MCP elicitation) or never (unattended runners)",
		def:    "auto",
		valid:  "auto, never",
		parse: func(c *Config, text string, _ time.Time) error {
			v, err := oneOf(text, "auto", "never")
			if err != nil {
				return err
			}
			c.Confirm = v
			return nil
		},
	},
	{
		name:        "expires-at",
		env:         "OKTA_MCP_EXPIRES_AT",
		kind:        kindString,
		inFile:      true,
		usage:       "instant (`RFC3339`, e.g. 2030-01-02T15:04:05Z) after which every tool call is refused and the server exits; must be in the future",
		helpDefault: "none",
		valid:       "RFC 3339 times in the future such as 2030-01-02T15:04:05Z, or empty for none",
		parse: func(c *Config, text string, now time.Time) error {
			text = strings.TrimSpace(text)
			if text == "" {
				c.ExpiresAt = time.Time{}
				return nil
			}
			t, err := time.Parse(time.RFC3339, text)
			if err != nil {
				return errors.New("not an RFC 3339 time")
			}
			if !t.After(now) {
				return fmt.Errorf("not in the future; now is %s", now.UTC().Format(time.RFC3339))
			}
			c.ExpiresAt = t
			return nil
		},
	},
	{
		name:        "audit-log",
		env:         "OKTA_MCP_AUDIT_LOG",
		kind:        kindString,
		inFile:      true,
		usage:       "append one JSON line per write attempt to `FILE`",
		helpDefault: "none",
		valid:       "file paths, or empty for none",
		parse: func(c *Config, text string, _ time.Time) error {
			c.AuditLog = text
			return nil
		},
	},
	{
		name:   "max-retries",
		env:    "OKTA_MCP_MAX_RETRIES",
		kind:   kindInt,
		inFile: true,
		usage:  "`N` retries of an Okta request answered 429, 0 to 10; 0 passes 429 straight through",
		def:    "2",
		valid:  fmt.Sprintf("integers from 0 to %d", maxRetriesMax),
		parse:  intParser(func(c *Config) *int { return &c.MaxRetries }, 0, maxRetriesMax),
	},
	{
		name:   "max-wait",
		env:    "OKTA_MCP_MAX_WAIT",
		kind:   kindDuration,
		inFile: true,
		usage:  "longest single wait for a rate-limit reset, a `DURATION` from 0s to 10m",
		def:    "30s",
		valid:  "durations from 0s to 10m such as 30s or 2m",
		parse:  durationParser(func(c *Config) *time.Duration { return &c.MaxWait }, false, maxWaitMax),
	},
	{
		name:   "max-concurrency",
		env:    "OKTA_MCP_MAX_CONCURRENCY",
		kind:   kindInt,
		inFile: true,
		usage:  "at most `N` Okta requests in flight at once across all tool calls, 1 to 75 (Okta's org-wide concurrency limit)",
		def:    "8",
		valid:  fmt.Sprintf("integers from 1 to %d (Okta's org-wide concurrency limit)", maxConcurrencyMax),
		parse:  intParser(func(c *Config) *int { return &c.MaxConcurrency }, 1, maxConcurrencyMax),
	},
	{
		name:        "rate-limit-reserve",
		env:         "OKTA_MCP_RATE_LIMIT_RESERVE",
		kind:        kindInt,
		inFile:      true,
		usage:       "never spend a rate-limit bucket below `PCT` percent remaining: wait (within --max-wait) or fail; 0 to 99",
		helpDefault: "0",
		def:         "0",
		valid:       fmt.Sprintf("integers from 0 to %d (percent)", reserveMax),
		parse:       intParser(func(c *Config) *int { return &c.RateLimitReserve }, 0, reserveMax),
	},
	{
		name:   "timeout",
		env:    "OKTA_MCP_TIMEOUT",
		kind:   kindDuration,
		inFile: true,
		usage:  "time limit of one Okta HTTP request, a `DURATION` above 0s and at most 10m",
		def:    "30s",
		valid:  "durations above 0s up to 10m such as 30s or 2m",
		parse:  durationParser(func(c *Config) *time.Duration { return &c.Timeout }, true, timeoutMax),
	},
	{
		name:        "sandbox",
		env:         "OKTA_MCP_SANDBOX",
		kind:        kindBool,
		inFile:      true,
		usage:       "use an in-process simulated Okta org on a loopback port instead of --org-url",
		helpDefault: "false",
		def:         "false",
		valid:       "true, false",
		parse: func(c *Config, text string, _ time.Time) error {
			b, err := strconv.ParseBool(strings.TrimSpace(text))
			if err != nil {
				return errNotValid
			}
			c.Sandbox = b
			return nil
		},
	},
	{
		name:   "log-level",
		env:    "OKTA_MCP_LOG_LEVEL",
		kind:   kindString,
		inFile: true,
		usage:  "log `LEVEL`: debug, info, warn or error",
		def:    "info",
		valid:  "debug, info, warn, error",
		parse: func(c *Config, text string, _ time.Time) error {
			v, err := oneOf(text, "debug", "info", "warn", "error")
			if err != nil {
				return err
			}
			c.LogLevel = v
			return nil
		},
	},
	{
		name:        "log-file",
		env:         "OKTA_MCP_LOG_FILE",
		kind:        kindString,
		inFile:      true,
		usage:       "write structured logs to `FILE` instead of stderr; never stdout",
		helpDefault: "stderr",
		valid:       "file paths, or empty for stderr",
		parse: func(c *Config, text string, _ time.Time) error {
			c.LogFile = text
			return nil
		},
	},
	{
		name:   "keyring-service",
		env:    "OKTA_MCP_KEYRING_SERVICE",
		kind:   kindString,
		inFile: true,
		usage:  "OS keyring service `NAME` under which credentials are stored",
		def:    "okta-mcp",
		valid:  "non-empty names",
		parse: func(c *Config, text string, _ time.Time) error {
			text = strings.TrimSpace(text)
			if text == "" {
				return errors.New("empty")
			}
			c.KeyringService = text
			return nil
		},
	},
}

// settingByName maps config-file keys to their settings.
var settingByName = func() map[string]*setting {
	m := make(map[string]*setting, len(settings))
	for _, s := range settings {
		if s.inFile {
			m[s.name] = s
		}
	}
	return m
}()

// parseList splits on commas, trims spaces, drops empty items and
// duplicates, and lower-cases (method classes, tags and tool names are all
// lower case). An empty result is nil.
func parseList(text string) []string {
	var out []string
	seen := map[string]bool{}
	for item := range strings.SplitSeq(text, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		if item == "" || seen[item] {
			continue
		}
		seen[item] = true
		out = append(out, item)
	}
	return out
}

// oneOf matches text, trimmed and case-insensitively, against valid.
func oneOf(text string, valid ...string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(text))
	for _, ok := range valid {
		if v == ok {
			return v, nil
		}
	}
	return "", errNotValid
}

func intParser(field func(*Config) *int, lo, hi int) func(*Config, string, time.Time) error {
	return func(c *Config, text string, _ time.Time) error {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if errors.Is(err, strconv.ErrRange) {
			return errors.New("out of range")
		}
		if err != nil {
			return errors.New("not an integer")
		}
		if n < lo || n > hi {
			return errors.New("out of range")
		}
		*field(c) = n
		return nil
	}
}

// durationParser accepts Go durations ("30s", "2m", "1m30s") from 0 (or
// above 0 when positive is set) to hi.
func durationParser(field func(*Config) *time.Duration, positive bool, hi time.Duration) func(*Config, string, time.Time) error {
	return func(c *Config, text string, _ time.Time) error {
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil {
			return errors.New("not a duration; use a unit, e.g. 30s")
		}
		if d < 0 || (positive && d == 0) || d > hi {
			return errors.New("out of range")
		}
		*field(c) = d
		return nil
	}
}

// redactURL hides whatever a rejected org URL carries in its user info,
// query or fragment, which may be a credential, before an error repeats it.
func redactURL(text string) string {
	if i := strings.IndexAny(text, "?#"); i >= 0 {
		text = text[:i+1] + "REDACTED"
	}
	rest := text
	prefix := ""
	if i := strings.Index(text, "://"); i >= 0 {
		prefix, rest = text[:i+3], text[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		return prefix + "REDACTED" + rest[at:]
	}
	return text
}
