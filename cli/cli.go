// Package cli implements okta-mcp's commands: serve, tools, call, auth,
// sandbox and version. It wires config, okta, tools and server together.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/config"
	"github.com/okta-mcp/okta-mcp/confirm"
	"github.com/okta-mcp/okta-mcp/credentials"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/server"
	"github.com/okta-mcp/okta-mcp/tools"
)

// Exit codes.
const (
	ExitOK        = 0
	ExitToolError = 1 // call: the tool returned an error; other commands: a runtime failure
	ExitUsage     = 2 // bad command line, flag, environment or config file
)

// Env is the process's outside world, so tests can run commands in-process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, env Env) int
}

func commands() []command {
	return []command{
		{"serve", "MCP server on stdin/stdout (the default command)", runServe},
		{"tools", "print the tools the flags would expose", runTools},
		{"call", "run one tool through an in-process MCP session and print its result", runCall},
		{"auth", "store, show or remove the org's credentials in the OS keyring (login, status, logout)", runAuth},
		{"sandbox", "serve the simulated Okta org on loopback", runSandbox},
		{"version", "print version information", runVersion},
	}
}

// Main runs the command line args and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args, env)
		}
	}
	if name == "help" {
		usage(env.Stdout)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "okta-mcp: unknown command %q\n\n", name)
	usage(env.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: okta-mcp [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'okta-mcp COMMAND --help' for a command's flags.")
}

// examples are shown by each command's --help.
var examples = map[string]string{
	"serve": `  okta-mcp serve --org-url https://acme.okta.com                 # read-only tools (the default)
  okta-mcp serve --org-url https://acme.okta.com --methods all --audit-log audit.jsonl
  okta-mcp serve --sandbox --methods all                          # try it against the simulated org`,
	"tools": `  okta-mcp tools                                                  # what the default exposes
  okta-mcp tools --methods read --tags groups
  okta-mcp tools --methods all --json`,
	"call": `  okta-mcp call list_all_okta_users --sandbox --args '{"limit":5}'
  okta-mcp call okta_users_suspend --sandbox --methods all --args '{"id":"jane.doe@company.com","dry_run":true}'
  okta-mcp call okta_users_suspend --org-url https://acme.okta.com --methods custom --args '{"id":"jane.doe@company.com"}'`,
	"auth": `  okta-mcp auth login --org-url https://acme.okta.com --api-token-stdin < token.txt
  okta-mcp auth login --org-url https://acme.okta.com --client-id 0oa… --private-key-file key.pem --key-id kid1 --scopes okta.users.read,okta.logs.read
  okta-mcp auth login --org-url https://acme.okta.com --device --client-id 0oa… --scopes okta.users.read
  okta-mcp auth status --org-url https://acme.okta.com`,
	"sandbox": `  okta-mcp sandbox                       # prints OKTA_ORG_URL and OKTA_API_TOKEN, serves until Ctrl-C
  okta-mcp sandbox --users 10000`,
	"version": `  okta-mcp version`,
}

// flagSet makes a command's flag set with the shared settings when
// withConfig; --help prints the command's summary, examples and flags to
// stdout.
func flagSet(name string, env Env, withConfig bool) *pflag.FlagSet {
	fs := pflag.NewFlagSet("okta-mcp "+name, pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.SortFlags = false
	if withConfig {
		config.AddFlags(fs)
	}
	cmd, _, _ := strings.Cut(name, " ")
	fs.Usage = func() {
		summary := ""
		for _, c := range commands() {
			if c.name == cmd {
				summary = c.summary
			}
		}
		fmt.Fprintf(env.Stdout, "Usage: okta-mcp %s [flags]\n\n%s.\n", name, summary)
		if ex := examples[cmd]; ex != "" {
			fmt.Fprintf(env.Stdout, "\nExamples:\n%s\n", ex)
		}
		fmt.Fprintf(env.Stdout, "\nFlags:\n%s\nExit codes: 0 ok, 1 tool error (call) or runtime failure, 2 usage or configuration error.\n", fs.FlagUsages())
	}
	return fs
}

// badValueRE matches pflag's message for a flag value it cannot parse.
var badValueRE = regexp.MustCompile(`^invalid argument ".*" for "([^"]*)" flag`)

// parse parses args and says what was wrong with the command line
// (pflag's ContinueOnError prints nothing); it returns an exit code to stop
// with, or -1 to go on. A value pflag rejects is not
// repeated: it could be a secret typed in the wrong place.
func parse(fs *pflag.FlagSet, args []string, env Env) int {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return -1
	case errors.Is(err, pflag.ErrHelp):
		return ExitOK
	}
	msg := err.Error()
	if m := badValueRE.FindStringSubmatch(msg); m != nil {
		msg = "invalid value for the " + m[1] + " flag"
	}
	fmt.Fprintf(env.Stderr, "okta-mcp %s: %s\n", strings.TrimPrefix(fs.Name(), "okta-mcp "), msg)
	return ExitUsage
}

// fail reports err on stderr and returns the exit code it deserves.
func fail(env Env, err error) int {
	fmt.Fprintf(env.Stderr, "okta-mcp: %v\n", err)
	var ue *config.UsageError
	var fe *tools.FilterError
	if errors.As(err, &ue) || errors.As(err, &fe) || errors.Is(err, errUsage) {
		return ExitUsage
	}
	return ExitToolError
}

var errUsage = errors.New("usage error")

// app is what serve and call share: settings, the chosen tools, and a
// lazily built Okta client.
type app struct {
	cfg      config.Config
	selected []tools.Tool
	deps     tools.Deps
	logger   *slog.Logger
	closers  []func()
	cred     *credentials.Credential // the org's credential (not with --sandbox)
	credErr  error                   // why there is none
}

// serverOptions are the server settings serve and call share.
func (r *app) serverOptions(onExpire func()) server.Options {
	return server.Options{Version: Version(), Tools: r.selected, Deps: r.deps, Logger: r.logger, ExpiresAt: r.cfg.ExpiresAt, OnExpire: onExpire}
}

func (r *app) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// setup loads settings, selects tools and prepares the Okta client.
func setup(fs *pflag.FlagSet, env Env) (*app, error) {
	cfg, err := config.Load(fs, env.Getenv)
	if err != nil {
		return nil, err
	}
	selected, err := tools.Select(tools.All(), tools.Filter{Methods: cfg.Methods, Tags: cfg.Tags, Tools: cfg.Tools, ExcludeTools: cfg.ExcludeTools})
	if err != nil {
		return nil, err
	}
	// Encode the tools' definitions while the keyring is asked (serve
	// registers them next); it takes about as long.
	go tools.Warm(selected)
	r := &app{cfg: cfg, selected: selected}
	if r.logger, err = newLogger(cfg, env, &r.closers); err != nil {
		r.close()
		return nil, err
	}
	if !cfg.Sandbox {
		if _, err := okta.CheckOrgURL(cfg.OrgURL); err != nil {
			r.close()
			return nil, fmt.Errorf("%w (%w)", err, errUsage)
		}
		r.loadCredential(env)
	}
	auditLog, err := audit.Open(cfg.AuditLog, r.logger)
	if err != nil {
		r.close()
		return nil, fmt.Errorf("%w (%w)", err, errUsage)
	}
	r.closers = append(r.closers, func() { auditLog.Close() })
	r.deps.Safety = tools.Safety{NoConfirm: cfg.Confirm == "never", Sealer: confirm.NewSealer(nil), Audit: auditLog}
	var once sync.Once
	var client *okta.Client
	var clientErr error
	r.deps.Okta = func() (*okta.Client, error) {
		once.Do(func() { client, clientErr = r.newClient(env) })
		return client, clientErr
	}
	return r, nil
}

// newClient builds the Okta client: against the in-process sandbox with
// --sandbox, else against --org-url with the credential setup loaded (the
// keyring entry for the org, else OKTA_API_TOKEN).
func (r *app) newClient(env Env) (*okta.Client, error) {
	orgURL := r.cfg.OrgURL
	var cred okta.Credential
	if r.cfg.Sandbox {
		srv, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			return nil, fmt.Errorf("start sandbox: %w", err)
		}
		r.closers = append(r.closers, func() { srv.Close() })
		orgURL, cred = srv.URL, okta.Credential{APIToken: srv.Org.Token()}
		r.logger.Info("sandbox org started", "url", srv.URL)
	} else {
		if r.credErr != nil {
			return nil, r.credErr
		}
		if r.cred == nil {
			return nil, errors.New("no Okta credential loaded")
		}
		var err error
		hc := &http.Client{Timeout: r.cfg.Timeout}
		if cred, err = oktaCredential(r.cred, credentials.Store{Service: r.cfg.KeyringService}, hc, r.logger); err != nil {
			return nil, err
		}
	}
	return okta.New(okta.Options{
		OrgURL:     orgURL,
		Credential: cred,
		UserAgent:  "okta-mcp/" + Version(),
		Policy: ratelimit.Policy{
			MaxRetries:     r.cfg.MaxRetries,
			MaxWait:        r.cfg.MaxWait,
			MaxConcurrency: r.cfg.MaxConcurrency,
			ReservePct:     r.cfg.RateLimitReserve,
			Timeout:        r.cfg.Timeout,
		},
	})
}

func newLogger(cfg config.Config, env Env, closers *[]func()) (*slog.Logger, error) {
	var w io.Writer = env.Stderr
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open --log-file: %w (%w)", err, errUsage)
		}
		*closers = append(*closers, func() { f.Close() })
		w = f
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), nil
}
