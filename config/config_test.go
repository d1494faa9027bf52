package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// load registers the flags on a fresh FlagSet, parses args and loads with env
// as the whole environment.
func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("okta-mcp", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return Load(fs, func(k string) string { return env[k] })
}

// writeFile writes a config file into a fresh temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "okta-mcp.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// usageError asserts err is a *UsageError whose message contains every want.
func usageError(t *testing.T, err error, want ...string) *UsageError {
	t.Helper()
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want a *UsageError", err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	return ue
}

func TestDefault(t *testing.T) {
	t.Parallel()
	want := Config{
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
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Default() = %+v, want %+v", got, want)
	}
	// Default returns a fresh slice each time.
	d := Default()
	d.Methods[0] = "write"
	if Default().Methods[0] != "read" {
		t.Error("Default() shares its Methods slice")
	}

	for name, fn := range map[string]func() (Config, error){
		"nothing set":         func() (Config, error) { return load(t, nil, nil) },
		"nil flags, nil env":  func() (Config, error) { return Load(nil, nil) },
		"empty env ignored":   func() (Config, error) { return load(t, nil, allEnvEmpty()) },
		"default texts agree": func() (Config, error) { return load(t, defaultArgs(), nil) },
	} {
		got, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, Default()) {
			t.Errorf("%s: got %+v, want Default() %+v", name, got, Default())
		}
	}
}

// allEnvEmpty sets every variable to "", which must count as unset.
func allEnvEmpty() map[string]string {
	env := map[string]string{}
	for _, s := range settings {
		env[s.env] = ""
	}
	return env
}

// defaultArgs gives every flag that has a default its default text, which
// must parse to Default()'s value (the help shows that text).
func defaultArgs() []string {
	var args []string
	for _, s := range settings {
		if s.def != "" {
			args = append(args, "--"+s.name+"="+s.def)
		}
	}
	return args
}

func TestEnvNames(t *testing.T) {
	t.Parallel()
	for _, s := range settings {
		want := "OKTA_MCP_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
		if s.name == "org-url" {
			want = "OKTA_ORG_URL"
		}
		if s.env != want {
			t.Errorf("%s: env %s, want %s", s.name, s.env, want)
		}
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	keys := Keys()
	if slices.Contains(keys, "config") {
		t.Error(`Keys() contains "config"`)
	}
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	AddFlags(fs)
	for _, k := range keys {
		if fs.Lookup(k) == nil {
			t.Errorf("key %q is not a flag", k)
		}
	}
	// Every flag but --config is a key.
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name != "config" && !slices.Contains(keys, f.Name) {
			t.Errorf("flag --%s is not a config-file key", f.Name)
		}
	})
	// The Config struct has one field per flag.
	if n := reflect.TypeFor[Config]().NumField(); n != len(keys)+1 {
		t.Errorf("Config has %d fields, flags %d", n, len(keys)+1)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	AddFlags(fs)
	usage := fs.FlagUsages()
	for _, s := range settings {
		var line string
		for l := range strings.Lines(usage) {
			if strings.HasPrefix(strings.TrimSpace(l), "--"+s.name+" ") || strings.HasPrefix(strings.TrimSpace(l), "--"+s.name+"[") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("no help line for --%s in\n%s", s.name, usage)
			continue
		}
		for _, want := range []string{"[env " + s.env + "]", "(default "} {
			if !strings.Contains(line, want) {
				t.Errorf("help for --%s lacks %q: %s", s.name, want, line)
			}
		}
	}
	for _, want := range []string{"auto", "never", "debug, info, warn or error", "1 to 75", "0 to 10", "0 to 99", "10m"} {
		if !strings.Contains(usage, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if !strings.Contains(usage, "--sandbox[=true|false]") {
		t.Errorf("--sandbox is not a bare boolean flag:\n%s", usage)
	}
}

// TestPrecedence checks flag > env > file > default for a string, an int, a
// duration, a list and a bool.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	type layers struct {
		file string // JSON value of the key
		env  string
		flag []string // args
	}
	settings := []struct {
		key, env string
		get      func(Config) any
		file     string
		envVal   string
		flag     []string
		def      any
		fromFile any
		fromEnv  any
		fromFlag any
	}{
		{"confirm", "OKTA_MCP_CONFIRM", func(c Config) any { return c.Confirm },
			`"never"`, "auto", []string{"--confirm", "NEVER"},
			"auto", "never", "auto", "never"},
		{"max-retries", "OKTA_MCP_MAX_RETRIES", func(c Config) any { return c.MaxRetries },
			`5`, "7", []string{"--max-retries=0"},
			2, 5, 7, 0},
		{"max-wait", "OKTA_MCP_MAX_WAIT", func(c Config) any { return c.MaxWait },
			`"1m"`, "90s", []string{"--max-wait", "0s"},
			30 * time.Second, time.Minute, 90 * time.Second, time.Duration(0)},
		{"tools", "OKTA_MCP_TOOLS", func(c Config) any { return c.Tools },
			`["list_all_okta_users"]`, "get_single_okta_user_by_id, list_all_okta_groups", []string{"--tools", "okta_users_activate"},
			[]string(nil), []string{"list_all_okta_users"}, []string{"get_single_okta_user_by_id", "list_all_okta_groups"}, []string{"okta_users_activate"}},
		{"sandbox", "OKTA_MCP_SANDBOX", func(c Config) any { return c.Sandbox },
			`true`, "false", []string{"--sandbox"},
			false, true, false, true},
	}
	for _, s := range settings {
		t.Run(s.key, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, `{"`+s.key+`": `+s.file+`}`)
			cases := []struct {
				name string
				l    layers
				want any
			}{
				{"default", layers{}, s.def},
				{"file", layers{file: path}, s.fromFile},
				{"empty env keeps file", layers{file: path, env: ""}, s.fromFile},
				{"env beats file", layers{file: path, env: s.envVal}, s.fromEnv},
				{"env beats default", layers{env: s.envVal}, s.fromEnv},
				{"flag beats env and file", layers{file: path, env: s.envVal, flag: s.flag}, s.fromFlag},
				{"flag beats default", layers{flag: s.flag}, s.fromFlag},
			}
			for _, tc := range cases {
				env := map[string]string{s.env: tc.l.env}
				var args []string
				if tc.l.file != "" {
					args = append(args, "--config", tc.l.file)
				}
				args = append(args, tc.l.flag...)
				c, err := load(t, args, env)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if got := s.get(c); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: %s = %#v, want %#v", tc.name, s.key, got, tc.want)
				}
			}
		})
	}
}

func TestConfigFileSource(t *testing.T) {
	t.Parallel()
	fromEnv := writeFile(t, `{"log-level": "debug"}`)
	fromFlag := writeFile(t, `{"log-level": "warn"}`)
	env := map[string]string{"OKTA_MCP_CONFIG": fromEnv}

	c, err := load(t, nil, env)
	if err != nil || c.LogLevel != "debug" || c.ConfigFile != fromEnv {
		t.Errorf("OKTA_MCP_CONFIG: %+v, %v", c, err)
	}
	c, err = load(t, []string{"--config", fromFlag}, env)
	if err != nil || c.LogLevel != "warn" || c.ConfigFile != fromFlag {
		t.Errorf("--config beats OKTA_MCP_CONFIG: %+v, %v", c, err)
	}
	c, err = load(t, []string{"--config="}, env)
	if err != nil || c.LogLevel != "info" || c.ConfigFile != "" {
		t.Errorf(`--config "" means no file: %+v, %v`, c, err)
	}
}

func TestLists(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  string // OKTA_MCP_TAGS
		file string // JSON value of "tags", or "" for no file
		args []string
		want []string
	}{
		{"env comma list", "users, GROUPS ,,logs", "", nil, []string{"users", "groups", "logs"}},
		{"env duplicates dropped", "users,Users,users", "", nil, []string{"users"}},
		{"env only commas is all", " , ,", "", nil, nil},
		{"file array", "", `["Users", " groups "]`, nil, []string{"users", "groups"}},
		{"file array with commas", "", `["users,groups", "logs"]`, nil, []string{"users", "groups", "logs"}},
		{"file comma string", "", `"users, groups"`, nil, []string{"users", "groups"}},
		{"file empty array is all", "", `[]`, nil, nil},
		{"file empty string is all", "", `""`, nil, nil},
		{"repeated flag adds", "", "", []string{"--tags", "users", "--tags", "roles,logs"}, []string{"users", "roles", "logs"}},
		{"empty flag clears file", "", `["users"]`, []string{"--tags="}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", writeFile(t, `{"tags": `+tc.file+`}`)}, args...)
			}
			c, err := load(t, args, map[string]string{"OKTA_MCP_TAGS": tc.env})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Tags, tc.want) {
				t.Errorf("Tags = %#v, want %#v", c.Tags, tc.want)
			}
		})
	}

	// The same parser serves methods, tools and exclude-tools.
	c, err := load(t, []string{"--methods", "Read, WRITE", "--exclude-tools", "Delete_A_Okta_User_By_Id"},
		map[string]string{"OKTA_MCP_TOOLS": "okta_users_unlock,"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Methods, []string{"read", "write"}) ||
		!reflect.DeepEqual(c.Tools, []string{"okta_users_unlock"}) ||
		!reflect.DeepEqual(c.ExcludeTools, []string{"delete_a_okta_user_by_id"}) {
		t.Errorf("lists: %+v", c)
	}
	// Method classes, tags and tool names are not validated here.
	c, err = load(t, []string{"--methods", "bogus", "--tags", "nope", "--tools", "no_such_tool"}, nil)
	if err != nil || c.Methods[0] != "bogus" || c.Tags[0] != "nope" || c.Tools[0] != "no_such_tool" {
		t.Errorf("names must pass through: %+v, %v", c, err)
	}
}

func TestFileAllKinds(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "\xef\xbb\xbf"+`{
		"org-url": "https://ACME.okta.com/",
		"methods": "read,custom",
		"tags": ["users"],
		"tools": "okta_users_unlock",
		"exclude-tools": ["delete_a_okta_user_by_id"],
		"confirm": "never",
		"expires-at": "2999-01-02T15:04:05Z",
		"audit-log": "/var/log/okta-mcp audit.jsonl",
		"max-retries": 10,
		"max-wait": "10m",
		"max-concurrency": 75,
		"rate-limit-reserve": 99,
		"timeout": "1m30s",
		"sandbox": true,
		"log-level": "debug",
		"log-file": "okta-mcp.log",
		"keyring-service": "okta-mcp-test"
	}`)
	c, err := load(t, []string{"--config", path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		OrgURL:           "https://acme.okta.com",
		ConfigFile:       path,
		Methods:          []string{"read", "custom"},
		Tags:             []string{"users"},
		Tools:            []string{"okta_users_unlock"},
		ExcludeTools:     []string{"delete_a_okta_user_by_id"},
		Confirm:          "never",
		ExpiresAt:        time.Date(2999, 1, 2, 15, 4, 5, 0, time.UTC),
		AuditLog:         "/var/log/okta-mcp audit.jsonl",
		MaxRetries:       10,
		MaxWait:          10 * time.Minute,
		MaxConcurrency:   75,
		RateLimitReserve: 99,
		Timeout:          90 * time.Second,
		Sandbox:          true,
		LogLevel:         "debug",
		LogFile:          "okta-mcp.log",
		KeyringService:   "okta-mcp-test",
	}
	if !c.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ExpiresAt = %v, want %v", c.ExpiresAt, want.ExpiresAt)
	}
	c.ExpiresAt = want.ExpiresAt
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestFileErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		content string
		want    []string
	}{
		{"unknown key", `{"confirm": "auto", "org_url": "https://a.okta.com"}`,
			[]string{`config file key "org_url"`, "unknown key at line 1", "valid values are org-url, methods, tags", "keyring-service"}},
		{"config is not a key", `{"config": "other.json"}`,
			[]string{`config file key "config"`, "unknown key"}},
		{"key case matters", `{"Confirm": "auto"}`, []string{`"Confirm"`, "unknown key"}},
		{"duplicate key", "{\"confirm\": \"auto\",\n\"confirm\": \"never\"}", []string{`"confirm"`, "duplicate key at line 2"}},
		{"int as string", `{"max-retries": "2"}`,
			[]string{`"max-retries" in `, `a JSON string; expected a JSON number`, "integers from 0 to 10"}},
		{"int as float", `{"max-retries": 2.5}`, []string{`"max-retries" in `, `"2.5" (not an integer)`}},
		{"duration as number", `{"max-wait": 30}`, []string{`"max-wait" in `, `a JSON number; expected a JSON string such as "30s"`}},
		{"duration without unit", `{"timeout": "30"}`, []string{`"timeout" in `, "not a duration"}},
		{"bool as string", `{"sandbox": "true"}`, []string{`"sandbox" in `, "a JSON string; expected a JSON boolean"}},
		{"string as number", `{"confirm": 1}`, []string{`"confirm" in `, "a JSON number; expected a JSON string", "auto, never"}},
		{"list as object", `{"methods": {"read": true}}`, []string{`"methods" in `, "a JSON object; expected a JSON array of strings or a comma-separated string"}},
		{"list with a number", `{"tags": ["users", 3]}`, []string{`"tags" in `, "item 2 is a JSON number"}},
		{"list with null", `{"tags": ["users", null]}`, []string{`"tags" in `, "item 2 is a JSON null"}},
		{"null value", `{"log-level": null}`, []string{`"log-level" in `, "a JSON null; expected a JSON string"}},
		{"empty methods", `{"methods": []}`, []string{`"methods" in `, "empty list", "non-empty"}},
		{"bad value", `{"log-level": "verbose"}`, []string{`"log-level" in `, `"verbose": valid values are debug, info, warn, error`}},
		{"malformed", "{\n  \"confirm\": \"auto\",\n  \"max-retries\": ,\n}", []string{"config file", "line 3, column 18", "invalid character ','"}},
		{"trailing comma", "{\"confirm\": \"auto\",\n}", []string{"line 2, column 1"}},
		{"unterminated", `{"confirm": "auto"`, []string{"config file", "line 1", "unexpected end"}},
		{"empty file", "", []string{"config file", "unexpected end"}},
		{"two objects", `{} {}`, []string{"config file", "line 1, column 4"}},
		{"array", `["read"]`, []string{"config file", "not a JSON object"}},
		{"string", `"read"`, []string{"config file", "not a JSON object"}},
		{"null", `null`, []string{"config file", "not a JSON object"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, []string{"--config", writeFile(t, tc.content)}, nil)
			usageError(t, err, tc.want...)
		})
	}
}

func TestFileUnreadable(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.json")

	_, err := load(t, []string{"--config", missing}, nil)
	usageError(t, err, `invalid --config "`+missing+`"`, "no such file")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: errors.Is(err, fs.ErrNotExist) is false for %v", err)
	}

	_, err = load(t, nil, map[string]string{"OKTA_MCP_CONFIG": missing})
	usageError(t, err, `invalid OKTA_MCP_CONFIG "`+missing+`"`)

	_, err = load(t, []string{"--config", t.TempDir()}, nil)
	usageError(t, err, "--config", "not a regular file")

	big := writeFile(t, `{"log-file": "`+strings.Repeat("x", maxFileSize)+`"}`)
	_, err = load(t, []string{"--config", big}, nil)
	usageError(t, err, "--config", "larger than")
}

// A value in a lower layer is validated even when a higher one overrides it.
func TestOverriddenValuesAreValidated(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `{"max-retries": 50}`)
	_, err := load(t, []string{"--config", path, "--max-retries", "3"}, nil)
	usageError(t, err, `"max-retries" in `+path, `"50" (out of range)`)

	_, err = load(t, []string{"--confirm", "never"}, map[string]string{"OKTA_MCP_CONFIRM": "sometimes"})
	usageError(t, err, `invalid OKTA_MCP_CONFIRM "sometimes": valid values are auto, never`)
}

func TestValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args  []string
		env   map[string]string
		exact string   // the whole message, if set
		want  []string // substrings
	}{
		{args: []string{"--confirm", "sometimes"}, exact: `invalid --confirm "sometimes": valid values are auto, never`},
		{env: map[string]string{"OKTA_MCP_CONFIRM": "yes"}, exact: `invalid OKTA_MCP_CONFIRM "yes": valid values are auto, never`},
		{args: []string{"--log-level", "trace"}, exact: `invalid --log-level "trace": valid values are debug, info, warn, error`},
		{env: map[string]string{"OKTA_MCP_LOG_LEVEL": "warning"}, want: []string{"OKTA_MCP_LOG_LEVEL", "debug, info, warn, error"}},
		{args: []string{"--max-retries", "11"}, exact: `invalid --max-retries "11" (out of range): valid values are integers from 0 to 10`},
		{args: []string{"--max-retries", "-1"}, want: []string{"--max-retries", "out of range", "0 to 10"}},
		{args: []string{"--max-retries", "two"}, want: []string{"--max-retries", "not an integer", "0 to 10"}},
		{args: []string{"--max-retries", "99999999999999999999999"}, want: []string{"out of range"}},
		{env: map[string]string{"OKTA_MCP_MAX_RETRIES": "1.5"}, want: []string{"OKTA_MCP_MAX_RETRIES", "not an integer"}},
		{args: []string{"--max-concurrency", "0"}, want: []string{"--max-concurrency", "out of range", "integers from 1 to 75", "concurrency limit"}},
		{args: []string{"--max-concurrency", "76"}, want: []string{"--max-concurrency", "1 to 75"}},
		{args: []string{"--rate-limit-reserve", "100"}, want: []string{"--rate-limit-reserve", "0 to 99"}},
		{args: []string{"--max-wait", "11m"}, want: []string{"--max-wait", "out of range", "0s to 10m"}},
		{args: []string{"--max-wait", "-1s"}, want: []string{"--max-wait", "out of range"}},
		{args: []string{"--max-wait", "soon"}, want: []string{"--max-wait", "not a duration", "0s to 10m"}},
		{args: []string{"--timeout", "0s"}, want: []string{"--timeout", "out of range", "above 0s up to 10m"}},
		{args: []string{"--timeout", "0"}, want: []string{"--timeout", "out of range"}},
		{args: []string{"--timeout", "10m1s"}, want: []string{"--timeout", "out of range"}},
		{args: []string{"--sandbox=maybe"}, exact: `invalid --sandbox "maybe": valid values are true, false`},
		{env: map[string]string{"OKTA_MCP_SANDBOX": "on"}, want: []string{"OKTA_MCP_SANDBOX", "true, false"}},
		{args: []string{"--keyring-service", " "}, want: []string{"--keyring-service", "non-empty"}},
		{args: []string{"--methods", " , "}, want: []string{"--methods", "empty list", "read, write, custom, all"}},
		{args: []string{"--expires-at", "tomorrow"}, want: []string{"--expires-at", "not an RFC 3339 time", "RFC 3339 times in the future"}},
		{args: []string{"--expires-at", "2030-01-02 15:04:05"}, want: []string{"not an RFC 3339 time"}},
		{args: []string{"--expires-at", "2001-01-02T15:04:05Z"}, want: []string{"--expires-at", "not in the future", "RFC 3339 times in the future"}},
		{env: map[string]string{"OKTA_MCP_EXPIRES_AT": "2001-01-02T15:04:05+02:00"}, want: []string{"OKTA_MCP_EXPIRES_AT", "not in the future"}},
		{args: []string{"--org-url", "http://example.com"}, want: []string{"--org-url", "http is allowed only for a loopback host", "https://HOST[:PORT]"}},
		{env: map[string]string{"OKTA_ORG_URL": "acme.okta.com"}, want: []string{"OKTA_ORG_URL", "not an absolute URL; include https://"}},
	}
	for _, tc := range cases {
		name := strings.Join(tc.args, " ")
		for k, v := range tc.env {
			name += k + "=" + v
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tc.args, tc.env)
			ue := usageError(t, err, tc.want...)
			if tc.exact != "" && err.Error() != tc.exact {
				t.Errorf("error = %q, want %q", err, tc.exact)
			}
			if ue.Valid == "" || !strings.Contains(err.Error(), "valid values are "+ue.Valid) {
				t.Errorf("error %q does not list the valid values", err)
			}
		})
	}
}

func TestExpiresAt(t *testing.T) {
	t.Parallel()
	c, err := load(t, []string{"--expires-at", "2999-12-31T23:59:59.5+01:00"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2999, 12, 31, 22, 59, 59, 5e8, time.UTC); !c.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", c.ExpiresAt, want)
	}
	// An empty value clears a lower layer's expiry.
	path := writeFile(t, `{"expires-at": "2999-01-01T00:00:00Z"}`)
	c, err = load(t, []string{"--config", path}, map[string]string{})
	if err != nil || c.ExpiresAt.IsZero() {
		t.Fatalf("file expiry: %v, %v", c.ExpiresAt, err)
	}
	c, err = load(t, []string{"--config", path, "--expires-at="}, nil)
	if err != nil || !c.ExpiresAt.IsZero() {
		t.Errorf(`--expires-at "": %v, %v`, c.ExpiresAt, err)
	}
}

// TestExpiresAtPinnedClock replaces Now, so it is not parallel (parallel tests
// start only after the serial ones are done).
func TestExpiresAtPinnedClock(t *testing.T) {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	saved := Now
	Now = func() time.Time { return now }
	defer func() { Now = saved }()

	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"2030-06-01T12:00:01Z", true},
		{"2030-06-01T14:00:01+02:00", true},
		{"2030-06-01T12:00:00Z", false}, // the very instant is not in the future
		{"2030-06-01T11:59:59Z", false},
	} {
		c, err := load(t, []string{"--expires-at", tc.value}, nil)
		if tc.ok {
			if err != nil || c.ExpiresAt.IsZero() {
				t.Errorf("%s: %v, %v", tc.value, c.ExpiresAt, err)
			}
			continue
		}
		usageError(t, err, "not in the future; now is 2030-06-01T12:00:00Z")
	}
}

func TestOrgURL(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"https://acme.okta.com":               "https://acme.okta.com",
		"https://acme.okta.com/":              "https://acme.okta.com",
		"  https://acme.okta.com/  ":          "https://acme.okta.com",
		"HTTPS://ACME.Okta.COM":               "https://acme.okta.com",
		"https://acme.okta.com:443/":          "https://acme.okta.com",
		"https://acme.okta.com:8443":          "https://acme.okta.com:8443",
		"https://acme-admin.oktapreview.com":  "https://acme-admin.oktapreview.com",
		"https://login.example.com":           "https://login.example.com",
		"http://127.0.0.1:54321":              "http://127.0.0.1:54321",
		"http://127.8.9.10:8080/":             "http://127.8.9.10:8080",
		"http://localhost:8080":               "http://localhost:8080",
		"http://LOCALHOST:80":                 "http://localhost",
		"http://[::1]:9000":                   "http://[::1]:9000",
		"http://[::1]":                        "http://[::1]",
		"https://[2001:db8::1]:8443":          "https://[2001:db8::1]:8443",
		"https://192.0.2.7":                   "https://192.0.2.7",
		"":                                    "",
		"   ":                                 "",
		"https://xn--bcher-kva.example.com/":  "https://xn--bcher-kva.example.com",
		"https://a.okta.com:00443":            "https://a.okta.com",
		"http://[::ffff:127.0.0.1]:8080":      "http://[::ffff:127.0.0.1]:8080",
		"https://acme.okta.com:65535":         "https://acme.okta.com:65535",
		"https://1-2.okta.com":                "https://1-2.okta.com",
		"https://acme.okta-emea.com/":         "https://acme.okta-emea.com",
		"https://acme.okta.com:8443/":         "https://acme.okta.com:8443",
		"http://127.0.0.1":                    "http://127.0.0.1",
		"http://127.255.255.254:1":            "http://127.255.255.254:1",
		"https://localhost":                   "https://localhost",
		"https://127.0.0.1:8443":              "https://127.0.0.1:8443",
		"https://ACME.OKTA.COM:443":           "https://acme.okta.com",
		"https://acme.okta.com:443":           "https://acme.okta.com",
		"https://example.com":                 "https://example.com",
		"https://sub.domain.example.co.uk:99": "https://sub.domain.example.co.uk:99",
	}
	for in, want := range good {
		t.Run("ok "+in, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, []string{"--org-url", in}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.OrgURL != want {
				t.Errorf("OrgURL = %q, want %q", c.OrgURL, want)
			}
		})
	}

	bad := map[string]string{
		"http://example.com":               "http is allowed only for a loopback host",
		"http://acme.okta.com:80":          "http is allowed only for a loopback host",
		"http://128.0.0.1":                 "http is allowed only for a loopback host",
		"http://localhost.example.com":     "http is allowed only for a loopback host",
		"http://[::2]":                     "http is allowed only for a loopback host",
		"https://x/path?":                  "has a query",
		"https://x/path":                   "has a path",
		"https://acme.okta.com/api/v1":     "has a path",
		"https://acme.okta.com//":          "has a path",
		"https://acme.okta.com?":           "has a query",
		"https://acme.okta.com/?a=b":       "has a query",
		"https://acme.okta.com#":           "has a fragment",
		"https://acme.okta.com/#frag":      "has a fragment",
		"https://admin@acme.okta.com":      "has user info",
		"https://admin:pw@acme.okta.com":   "has user info",
		"https://@acme.okta.com":           "has user info",
		"ftp://acme.okta.com":              "scheme must be https",
		"acme.okta.com":                    "not an absolute URL",
		"//acme.okta.com":                  "not an absolute URL",
		"https:acme.okta.com":              "not an absolute URL",
		"https://":                         "not an absolute URL",
		"https://:443":                     "no host",
		"https://acme.okta.com:0":          "bad port",
		"https://acme.okta.com:65536":      "bad port",
		"https://acme.okta.com:x":          "not a URL",
		"https://acme_okta.com":            "bad host name",
		"https://-acme.okta.com":           "bad host name",
		"https://acme..okta.com":           "bad host name",
		"https://acme.okta.com.":           "bad host name",
		"https://ac%C3%A9me.okta.com":      "bad host name",
		"https://[fe80::1%25eth0]:8443":    "IPv6 zone not allowed",
		"https://acme.okta.com\\@evil.com": "",
		"https://acme okta.com":            "",
	}
	for in, reason := range bad {
		t.Run("bad "+in, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, []string{"--org-url", in}, nil)
			usageError(t, err, "invalid --org-url", reason, "valid values are https://HOST[:PORT]")
		})
	}
}

// A rejected org URL may carry a credential: the error must not repeat it.
func TestOrgURLErrorRedactsSecrets(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"https://admin:s3cr3t@acme.okta.com",
		"https://s3cr3t@acme.okta.com/",
		"https://acme.okta.com/?token=s3cr3t",
		"https://acme.okta.com/#s3cr3t",
		"http://u:s3cr3t@example.com/x?y",
	} {
		_, err := load(t, []string{"--org-url", in}, nil)
		ue := usageError(t, err, "REDACTED")
		if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(ue.Value, "s3cr3t") {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
	for _, content := range []string{
		`{"org-url": "https://a:s3cr3t@acme.okta.com"}`,
		`{"org-url": ["https://a:s3cr3t@acme.okta.com"]}`,
	} {
		_, err := load(t, []string{"--config", writeFile(t, content)}, nil)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("file error repeats the secret: %v", err)
		}
	}
}

func TestUsageErrorText(t *testing.T) {
	t.Parallel()
	inner := errors.New("boom")
	cases := []struct {
		e    UsageError
		want string
	}{
		{UsageError{Setting: "--confirm", Value: "sometimes", Valid: "auto, never"},
			`invalid --confirm "sometimes": valid values are auto, never`},
		{UsageError{Setting: "--x", Value: "v", Err: inner}, `invalid --x "v" (boom)`},
		{UsageError{Setting: "--x", Value: "a\nb", Valid: "c", Err: inner}, `invalid --x "a\nb" (boom): valid values are c`},
		{UsageError{Setting: "--x", Value: strings.Repeat("é", 200)}, `invalid --x "` + strings.Repeat("é", maxShownValue) + `…"`},
	}
	for _, tc := range cases {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	e := &UsageError{Err: inner}
	if !errors.Is(e, inner) {
		t.Error("Unwrap does not expose Err")
	}
}

// Flags keep the user's text until Load: pflag itself never rejects a value.
func TestFlagsParseLazily(t *testing.T) {
	t.Parallel()
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse([]string{"--max-retries", "lots", "--max-retries", "3", "--timeout", "later", "--sandbox"}); err != nil {
		t.Fatal(err)
	}
	_, err := Load(fs, nil)
	usageError(t, err, `invalid --timeout "later"`)
	// The last of a repeated scalar flag wins; pflag's typed getters work.
	if n, err := fs.GetInt("max-retries"); err != nil || n != 3 {
		t.Errorf("GetInt(max-retries) = %d, %v", n, err)
	}
	if b, err := fs.GetBool("sandbox"); err != nil || !b {
		t.Errorf("GetBool(sandbox) = %v, %v", b, err)
	}
}
