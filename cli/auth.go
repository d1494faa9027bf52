package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/okta-mcp/okta-mcp/config"
	"github.com/okta-mcp/okta-mcp/credentials"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/tools"
)

// maxKeyFileBytes bounds --private-key-file: a PEM private key is a few KB.
const maxKeyFileBytes = 64 << 10

// maxTokenLineBytes bounds the API token line read from stdin.
const maxTokenLineBytes = 8 << 10

func authUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: okta-mcp auth login|status|logout --org-url URL [flags]

  login    verify a credential against the org, then store it in the OS keyring:
             API token:   --api-token-stdin (one line on stdin), or typed at a hidden prompt
             service app: --client-id ID --private-key-file PEM --key-id KID --scopes a,b
             admin:       --device --client-id ID --scopes a,b (OAuth device sign-in)
  status   show what is stored for the org (secrets masked) and whether Okta accepts it
  logout   remove the org's credentials from the OS keyring

Run 'okta-mcp auth SUBCOMMAND --help' for its flags.
`)
}

func runAuth(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		authUsage(env.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "login":
		return runAuthLogin(ctx, args[1:], env)
	case "status":
		return runAuthStatus(ctx, args[1:], env)
	case "logout":
		return runAuthLogout(ctx, args[1:], env)
	case "help", "-h", "--help":
		authUsage(env.Stdout)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "okta-mcp: unknown auth subcommand %q\n\n", args[0])
	authUsage(env.Stderr)
	return ExitUsage
}

// authFlags registers the settings every auth subcommand shares. They have
// the names (and environment variables, and config-file keys) of serve's.
func authFlags(name string, env Env) *pflag.FlagSet {
	fs := flagSet(name, env, false)
	fs.String("org-url", "", "the org, e.g. https://your-org.okta.com [env OKTA_ORG_URL]")
	fs.String("keyring-service", "", "OS keyring service `NAME` [env OKTA_MCP_KEYRING_SERVICE] (default okta-mcp)")
	fs.String("config", "", "JSON config `FILE` to read org-url, keyring-service and timeout from [env OKTA_MCP_CONFIG]")
	fs.String("timeout", "", "bound on one HTTP request to Okta [env OKTA_MCP_TIMEOUT] (default 30s)")
	return fs
}

// authTarget is what an auth subcommand works on.
type authTarget struct {
	cfg   config.Config
	host  string // keyring account
	store credentials.Store
}

// loadAuthTarget reads the shared settings; the org URL is required.
func loadAuthTarget(fs *pflag.FlagSet, env Env) (*authTarget, error) {
	if fs.NArg() > 0 {
		return nil, errors.Join(errUsage, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	cfg, err := config.Load(fs, env.Getenv)
	if err != nil {
		return nil, err
	}
	if _, err := okta.CheckOrgURL(cfg.OrgURL); err != nil {
		return nil, fmt.Errorf("%w (%w)", err, errUsage)
	}
	host, err := credentials.OrgHost(cfg.OrgURL)
	if err != nil {
		return nil, fmt.Errorf("%w (%w)", err, errUsage)
	}
	return &authTarget{cfg: cfg, host: host, store: credentials.Store{Service: cfg.KeyringService}}, nil
}

func (a *authTarget) httpClient() *http.Client { return &http.Client{Timeout: a.cfg.Timeout} }

func (a *authTarget) policy() ratelimit.Policy {
	return ratelimit.Policy{MaxRetries: a.cfg.MaxRetries, MaxWait: a.cfg.MaxWait, MaxConcurrency: 1, Timeout: a.cfg.Timeout}
}

// ---------------------------------------------------------------------------
// auth login

func runAuthLogin(ctx context.Context, args []string, env Env) int {
	fs := authFlags("auth login", env)
	tokenStdin := fs.Bool("api-token-stdin", false, "API token: read it from one line of stdin (without this flag it is asked for at a hidden prompt)")
	clientID := fs.String("client-id", "", "OAuth client `ID` of the service app (with --private-key-file) or of the sign-in app (with --device)")
	keyFile := fs.String("private-key-file", "", "service app: `PEM` file with its private key (RSA ≥ 2048 bits or EC P-256; PKCS#8, PKCS#1 or SEC1); read once, stored in the keyring")
	keyID := fs.String("key-id", "", "service app: `KID` of the app's public key in Okta")
	scopes := fs.StringSlice("scopes", nil, "OAuth scopes to request, comma-separated, e.g. okta.users.read,okta.groups.read")
	device := fs.Bool("device", false, "sign in as an admin with the OAuth device authorization flow (needs --client-id and --scopes)")
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	a, err := loadAuthTarget(fs, env)
	if err != nil {
		return fail(env, err)
	}
	usage := func(format string, args ...any) int {
		return fail(env, errors.Join(errUsage, fmt.Errorf(format, args...)))
	}
	kind := credentials.KindAPIToken
	switch {
	case *device && *keyFile != "":
		return usage("--device and --private-key-file are two different credentials: give one")
	case *device:
		kind = credentials.KindDevice
	case *keyFile != "":
		kind = credentials.KindServiceApp
	case *clientID != "":
		return usage("--client-id needs --private-key-file (a service app) or --device (an admin sign-in)")
	}
	if kind != credentials.KindAPIToken {
		if *tokenStdin {
			return usage("--api-token-stdin is for API tokens; it does not go with --client-id, --private-key-file or --device")
		}
		if *clientID == "" {
			return usage("--client-id is required with --%s", map[credentials.Kind]string{credentials.KindDevice: "device", credentials.KindServiceApp: "private-key-file"}[kind])
		}
		if len(*scopes) == 0 {
			return usage("--scopes is required for OAuth credentials, e.g. --scopes okta.users.read,okta.groups.read")
		}
	} else if len(*scopes) > 0 || *keyID != "" {
		return usage("--scopes and --key-id belong to OAuth credentials (--private-key-file or --device)")
	}
	if kind == credentials.KindDevice && *keyID != "" {
		return usage("--key-id belongs to a service app (--private-key-file), not to --device")
	}
	if kind == credentials.KindAPIToken && !*tokenStdin && !isTerminal(env.Stdin) {
		return usage("stdin is not a terminal: pipe the API token in with --api-token-stdin (it is never accepted as a flag value)")
	}
	var cleanScopes []string
	for _, s := range *scopes {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(cleanScopes, s) {
			cleanScopes = append(cleanScopes, s)
		}
	}

	// The keyring must work before anyone types a token or signs in.
	if old, err := a.store.Load(ctx, a.host); err == nil {
		fmt.Fprintf(env.Stderr, "okta-mcp: the %s credential stored for %s will be replaced once Okta accepts the new one\n", old.Kind, a.host)
	} else if !errors.Is(err, credentials.ErrNotFound) {
		var ce *credentials.CorruptError
		if !errors.As(err, &ce) { // a corrupt entry is about to be replaced
			return fail(env, err)
		}
	}

	norm, _ := okta.CheckOrgURL(a.cfg.OrgURL)
	cred := &credentials.Credential{Kind: kind, OrgURL: norm.String(), ClientID: *clientID, Scopes: cleanScopes, KeyID: *keyID}
	var access string // device: the access token that came with the refresh token
	switch kind {
	case credentials.KindAPIToken:
		tok, err := readAPIToken(env, *tokenStdin, a.host)
		if err != nil {
			return fail(env, err)
		}
		cred.APIToken = tok
	case credentials.KindServiceApp:
		pemText, err := readKeyFile(*keyFile)
		if err != nil {
			return fail(env, err)
		}
		cred.PrivateKeyPEM = pemText
	case credentials.KindDevice:
		tok, granted, err := deviceSignIn(ctx, env, a, *clientID, cleanScopes)
		if err != nil {
			return fail(env, err)
		}
		cred.RefreshToken, cred.Scopes, access = tok.RefreshToken, granted, tok.AccessToken
	}
	if err := cred.Validate(); err != nil {
		return fail(env, err)
	}

	warning, err := a.verify(ctx, cred, access, nil)
	if err != nil {
		msg := fmt.Sprintf("Okta did not accept the credential, so nothing was stored: %v", err)
		var oe *okta.Error
		if errors.As(err, &oe) && oe.Hint != "" {
			msg += "\nhint: " + oe.Hint
		}
		return fail(env, errors.New(msg))
	}
	if warning != "" {
		fmt.Fprintf(env.Stderr, "okta-mcp: warning: %s\n", warning)
	}
	if err := a.store.Save(ctx, a.host, cred); err != nil {
		return fail(env, fmt.Errorf("Okta accepted the credential, but storing it failed: %w", err))
	}
	what := map[credentials.Kind]string{
		credentials.KindAPIToken:   "API token",
		credentials.KindServiceApp: "service app " + cred.ClientID,
		credentials.KindDevice:     "device sign-in of app " + cred.ClientID,
	}[kind]
	fmt.Fprintf(env.Stdout, "Okta accepted the %s; stored it for %s in the OS keyring (service %s).\n", what, a.host, a.store.Service)
	if kind != credentials.KindAPIToken {
		fmt.Fprintf(env.Stdout, "Scopes: %s\n", strings.Join(cred.Scopes, " "))
	}
	return ExitOK
}

// readAPIToken reads the token from one line of stdin, or from a hidden
// prompt when stdin is a terminal. Never from a flag.
func readAPIToken(env Env, fromStdin bool, host string) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(env.Stdin, maxTokenLineBytes)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the API token from stdin: %w", err)
		}
		tok := strings.TrimSpace(line)
		if tok == "" {
			return "", errors.New("no API token on stdin (--api-token-stdin reads one line)")
		}
		return tok, nil
	}
	if !isTerminal(env.Stdin) {
		return "", errors.Join(errUsage, errors.New("stdin is not a terminal: pipe the API token in with --api-token-stdin (it is never accepted as a flag value)"))
	}
	f := env.Stdin.(*os.File)
	fmt.Fprintf(env.Stderr, "Okta API token for %s (input hidden): ", host)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", fmt.Errorf("reading the API token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("no API token typed")
	}
	return tok, nil
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// readKeyFile reads a private-key PEM file once.
func readKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("--private-key-file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("--private-key-file: %w", err)
	}
	if len(b) > maxKeyFileBytes {
		return "", fmt.Errorf("--private-key-file: more than %d bytes; a PEM private key is far smaller", maxKeyFileBytes)
	}
	if _, err := credentials.ParsePrivateKey(string(b)); err != nil {
		return "", fmt.Errorf("--private-key-file %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// deviceSignIn runs the OAuth device authorization flow: it shows the
// verification URL and code on stderr and polls until the admin approved.
// It returns the tokens and the granted scopes.
func deviceSignIn(ctx context.Context, env Env, a *authTarget, clientID string, scopes []string) (*credentials.Token, []string, error) {
	hc := a.httpClient()
	dc, err := credentials.StartDevice(ctx, hc, a.cfg.OrgURL, clientID, scopes)
	if err != nil {
		return nil, nil, fmt.Errorf("starting the device sign-in: %w", err)
	}
	fmt.Fprintf(env.Stderr, "To sign in to %s, open %s in a browser and enter the code %s\n", a.host, dc.VerificationURI, dc.UserCode)
	if dc.VerificationURIComplete != "" {
		fmt.Fprintf(env.Stderr, "(or open %s)\n", dc.VerificationURIComplete)
	}
	if dc.ExpiresIn > 0 {
		fmt.Fprintf(env.Stderr, "Waiting for the sign-in; the code expires in %s…\n", time.Duration(dc.ExpiresIn)*time.Second)
	}
	tok, err := credentials.PollDevice(ctx, hc, a.cfg.OrgURL, clientID, dc, nil)
	if err != nil {
		return nil, nil, err
	}
	if tok.RefreshToken == "" {
		return nil, nil, errors.New("Okta issued no refresh token: allow the Refresh Token grant on the app and grant it offline_access; nothing was stored")
	}
	granted := strings.Fields(tok.Scope)
	if len(granted) == 0 {
		granted = scopes
	}
	if !slices.Contains(granted, credentials.OfflineAccessScope) {
		granted = append(slices.Clip(granted), credentials.OfflineAccessScope)
	}
	fmt.Fprintln(env.Stderr, "Signed in.")
	return tok, granted, nil
}

// verify checks cred against the org with one small read request. access,
// for a device credential, is an access token to check with; "" makes a
// refreshing token source (which writes a rotated refresh token back to the
// keyring).
func (a *authTarget) verify(ctx context.Context, cred *credentials.Credential, access string, logger *slog.Logger) (string, error) {
	var oc okta.Credential
	var err error
	if cred.Kind == credentials.KindDevice && access != "" {
		oc = okta.Credential{Device: &okta.TokenSource{Token: func(context.Context) (string, error) { return access, nil }}}
	} else if oc, err = oktaCredential(cred, a.store, a.httpClient(), logger); err != nil {
		return "", err
	}
	c, err := okta.New(okta.Options{OrgURL: cred.OrgURL, Credential: oc, Policy: a.policy(), UserAgent: "okta-mcp/" + Version()})
	if err != nil {
		return "", err
	}
	var scopes []string
	if cred.Kind != credentials.KindAPIToken {
		scopes = cred.Scopes
	}
	return c.Verify(ctx, scopes)
}

// ---------------------------------------------------------------------------
// auth status

// statusReport is `auth status --json`.
type statusReport struct {
	Org        string            `json:"org"`
	Source     string            `json:"source"`
	Credential map[string]string `json:"credential"`
	Accepted   bool              `json:"accepted"`
	Warning    string            `json:"warning,omitempty"`
	Error      *okta.Error       `json:"error,omitempty"`
}

func runAuthStatus(ctx context.Context, args []string, env Env) int {
	fs := authFlags("auth status", env)
	asJSON := fs.Bool("json", false, "print JSON")
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	a, err := loadAuthTarget(fs, env)
	if err != nil {
		return fail(env, err)
	}
	source := "OS keyring (service " + a.store.Service + ", account " + a.host + ")"
	cred, err := a.store.Load(ctx, a.host)
	if err != nil {
		var ue *credentials.UnavailableError
		envTok := strings.TrimSpace(env.Getenv(credentials.EnvAPIToken))
		if envTok == "" || !(errors.Is(err, credentials.ErrNotFound) || errors.As(err, &ue)) {
			if errors.Is(err, credentials.ErrNotFound) {
				err = fmt.Errorf("no credentials stored for %s in the OS keyring (service %s): run `okta-mcp auth login --org-url %s`", a.host, a.store.Service, a.cfg.OrgURL)
			}
			return fail(env, err)
		}
		if ue != nil {
			fmt.Fprintf(env.Stderr, "okta-mcp: warning: %v\n", err)
		}
		norm, _ := okta.CheckOrgURL(a.cfg.OrgURL)
		cred = &credentials.Credential{Kind: credentials.KindAPIToken, OrgURL: norm.String(), APIToken: envTok}
		source = "environment (" + credentials.EnvAPIToken + "); nothing stored in the OS keyring"
	}
	rep := statusReport{Org: cred.OrgURL, Source: source, Credential: cred.Summary()}
	delete(rep.Credential, "org")
	if _, ok := rep.Credential["private_key"]; ok {
		rep.Credential["private_key"] = "stored in the keyring" // its last characters are the PEM footer
	}
	rep.Warning, err = a.verify(ctx, cred, "", nil)
	rep.Accepted = err == nil
	if err != nil {
		var oe *okta.Error
		if !errors.As(err, &oe) {
			oe = &okta.Error{Code: "check_failed", Summary: err.Error(), Causes: []string{}}
		}
		rep.Error = oe
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail(env, err)
		}
	} else {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "org:\t%s\n", rep.Org)
		fmt.Fprintf(tw, "source:\t%s\n", rep.Source)
		for _, k := range []string{"kind", "client_id", "scopes", "key_id", "key", "api_token", "private_key", "refresh_token", "saved_at"} {
			if v, ok := rep.Credential[k]; ok {
				fmt.Fprintf(tw, "%s:\t%s\n", k, v)
			}
		}
		switch {
		case rep.Accepted && rep.Warning != "":
			fmt.Fprintf(tw, "accepted:\tyes (warning: %s)\n", rep.Warning)
		case rep.Accepted:
			fmt.Fprintf(tw, "accepted:\tyes\n")
		default:
			fmt.Fprintf(tw, "accepted:\tno: %s\n", rep.Error.Summary)
			if rep.Error.Hint != "" {
				fmt.Fprintf(tw, "hint:\t%s\n", rep.Error.Hint)
			}
		}
		tw.Flush()
	}
	if !rep.Accepted {
		return ExitToolError
	}
	return ExitOK
}

// ---------------------------------------------------------------------------
// auth logout

func runAuthLogout(ctx context.Context, args []string, env Env) int {
	fs := authFlags("auth logout", env)
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	a, err := loadAuthTarget(fs, env)
	if err != nil {
		return fail(env, err)
	}
	if err := a.store.Delete(ctx, a.host); err != nil {
		if errors.Is(err, credentials.ErrNotFound) {
			fmt.Fprintf(env.Stdout, "Nothing was stored for %s in the OS keyring (service %s).\n", a.host, a.store.Service)
			return ExitOK
		}
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "Removed the credentials for %s from the OS keyring (service %s).\n", a.host, a.store.Service)
	return ExitOK
}

// ---------------------------------------------------------------------------
// Serve time.

// oktaCredential maps a stored credential to the Okta client's. A device
// credential gets a token source that refreshes the access token and writes
// a rotated refresh token back to store (logging when that fails).
func oktaCredential(c *credentials.Credential, store credentials.Store, hc *http.Client, logger *slog.Logger) (okta.Credential, error) {
	switch c.Kind {
	case credentials.KindAPIToken:
		return okta.Credential{APIToken: c.APIToken}, nil
	case credentials.KindServiceApp:
		pemText, err := c.PKCS8PrivateKeyPEM()
		if err != nil {
			return okta.Credential{}, err
		}
		return okta.Credential{ServiceApp: &okta.ServiceApp{ClientID: c.ClientID, Scopes: c.Scopes, PrivateKeyPEM: pemText, KeyID: c.KeyID}}, nil
	case credentials.KindDevice:
		host, err := credentials.OrgHost(c.OrgURL)
		if err != nil {
			return okta.Credential{}, err
		}
		ds := credentials.NewDeviceSource(store, host, c, hc, nil)
		return okta.Credential{Device: &okta.TokenSource{Token: deviceToken(ds, logger), Invalidate: ds.Invalidate}}, nil
	}
	return okta.Credential{}, fmt.Errorf("unknown credential kind %q", c.Kind)
}

// deviceToken adapts a DeviceSource to okta.TokenSource.Token: errors
// become *okta.TokenError, and a failure to store a rotated refresh token
// is logged (once per distinct failure).
func deviceToken(ds *credentials.DeviceSource, logger *slog.Logger) func(context.Context) (string, error) {
	var mu sync.Mutex
	lastSaveErr := ""
	return func(ctx context.Context) (string, error) {
		tok, err := ds.Token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return "", err
			}
			te := &okta.TokenError{Err: err}
			var re *credentials.ReauthError
			te.SignInAgain = errors.As(err, &re)
			var oe *credentials.OAuthError
			if errors.As(err, &oe) {
				te.Status, te.OAuthCode = oe.Status, oe.Code
			}
			return "", te
		}
		if logger != nil {
			msg := ""
			if serr := ds.SaveError(); serr != nil {
				msg = serr.Error()
			}
			mu.Lock()
			changed := msg != lastSaveErr
			lastSaveErr = msg
			mu.Unlock()
			if changed && msg != "" {
				logger.Warn("Okta rotated the refresh token, but writing it to the OS keyring failed; it is kept in memory and written again at the next refresh", "error", msg)
			}
		}
		return tok, nil
	}
}

// isOAuth reports whether a credential kind carries granted scopes.
func isOAuth(k credentials.Kind) bool {
	return k == credentials.KindServiceApp || k == credentials.KindDevice
}

// resolveCredential loads the org's credential (keyring entry, then
// OKTA_API_TOKEN) for serve, call and tools.
func resolveCredential(cfg config.Config, env Env) (*credentials.Credential, string, error) {
	// Resolve bounds each keyring call by the store's timeout; this bounds
	// the whole.
	ctx, cancel := context.WithTimeout(context.Background(), 2*credentials.DefaultTimeout)
	defer cancel()
	return credentials.Resolve(ctx, credentials.Store{Service: cfg.KeyringService}, cfg.OrgURL, env.Getenv)
}

// loadCredential resolves the credential at startup. Warnings and a
// failure go to the log; a failure is reported again by every tool call.
// For OAuth credentials, the tools whose scopes are not granted are
// removed from r.selected.
func (r *app) loadCredential(env Env) {
	cred, warning, err := resolveCredential(r.cfg, env)
	if warning != "" {
		r.logger.Warn(warning)
	}
	if err != nil {
		r.credErr = err
		r.logger.Warn("no usable Okta credential: tool calls fail until one is stored", "error", err.Error())
		return
	}
	r.cred = cred
	host, _ := credentials.OrgHost(cred.OrgURL)
	r.logger.Info("Okta credential loaded", "org", host, "kind", string(cred.Kind), "client_id", cred.ClientID, "scopes", strings.Join(cred.Scopes, " "))
	if !isOAuth(cred.Kind) {
		return
	}
	kept, hidden := tools.ByScopes(r.selected, cred.Scopes)
	if len(hidden) > 0 {
		list := make([]string, len(hidden))
		for i, h := range hidden {
			list[i] = h.Tool.Name() + " (" + strings.Join(h.Missing, " ") + ")"
		}
		r.logger.Info("tools hidden: the credential is not granted the scopes they need (see okta-mcp tools)", "hidden", strings.Join(list, ", "))
	}
	r.selected = kept
}
