package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/okta-mcp/okta-mcp/orgurl"
)

// DefaultService is the keyring service name when Store.Service is empty.
const DefaultService = "okta-mcp"

// DefaultTimeout bounds one keyring call when Store.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// ErrNotFound means the keyring has no entry for the org.
var ErrNotFound = errors.New("no credentials stored in the OS keyring for this org")

// UnavailableError means the OS keyring could not be used: no Secret
// Service on the D-Bus session bus, a locked keyring, no session bus at
// all, or no answer within Store.Timeout.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string {
	msg := "OS keyring unavailable"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	msg += ". To run without the keyring, set OKTA_API_TOKEN in the environment"
	if goos == "linux" {
		msg += "; on Linux the keyring is a Secret Service (e.g. gnome-keyring) that must be running and unlocked in this D-Bus session"
	}
	return msg
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// TooLargeError means the credential's JSON value is bigger than the
// platform's keyring accepts (Windows Credential Manager: 2560 bytes).
type TooLargeError struct{ Size, Max int }

func (e *TooLargeError) Error() string {
	if e.Max <= 0 {
		return fmt.Sprintf("credential (%d bytes) is too large for the OS keyring; use an EC P-256 private key instead of RSA (it is far smaller)", e.Size)
	}
	return fmt.Sprintf("credential is %d bytes, more than the %d bytes the OS keyring accepts for one value; "+
		"use an EC P-256 private key instead of RSA (e.g. `openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt`)", e.Size, e.Max)
}

// CorruptError means the keyring entry for the org is not a valid
// credential.
type CorruptError struct{ Err error }

func (e *CorruptError) Error() string {
	msg := "the OS keyring entry is not a valid okta-mcp credential"
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg + ": run `okta-mcp auth logout` and then `okta-mcp auth login` to store it again"
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Store is the OS keyring for one service name. The account of an entry is
// the org host (host[:port], lower-case, default port dropped), so several
// orgs never overwrite each other.
//
// Every keyring call runs in its own goroutine and is abandoned after
// Timeout (0 → DefaultTimeout): a hung D-Bus or a keyring waiting for an
// unlock prompt gives an UnavailableError, never a hang. An abandoned call
// may still complete later.
type Store struct {
	Service string        // "" → DefaultService
	Timeout time.Duration // 0 → DefaultTimeout
}

func (s Store) service() string {
	if s.Service == "" {
		return DefaultService
	}
	return s.Service
}

func (s Store) timeout() time.Duration {
	if s.Timeout <= 0 {
		return DefaultTimeout
	}
	return s.Timeout
}

// Load reads the org's credential. Errors: ErrNotFound (wrapped),
// *UnavailableError, *CorruptError (not credential JSON, fails Validate, or
// stored for another org), or the context's error.
func (s Store) Load(ctx context.Context, orgHost string) (*Credential, error) {
	account, err := Account(orgHost)
	if err != nil {
		return nil, err
	}
	value, err := s.call(ctx, func(b backend) (string, error) { return b.Get(s.service(), account) })
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", account, ErrNotFound)
		}
		return nil, err
	}
	var c Credential
	dec := json.NewDecoder(strings.NewReader(value))
	if err := dec.Decode(&c); err != nil || dec.More() {
		// json's messages can quote bytes of the value; say only what is wrong.
		return nil, &CorruptError{Err: fmt.Errorf("entry for %s is not credential JSON", account)}
	}
	if err := c.Validate(); err != nil {
		return nil, &CorruptError{Err: fmt.Errorf("entry for %s: %w", account, err)}
	}
	if got, _ := OrgHost(c.OrgURL); got != account {
		return nil, &CorruptError{Err: fmt.Errorf("entry for %s holds a credential for another org", account)}
	}
	return &c, nil
}

// Save validates c, sets c.SavedAt to now, and stores it as the org's entry,
// replacing any earlier one. c.OrgURL must be on orgHost. Errors: a
// validation error, *TooLargeError, *UnavailableError, or the context's
// error.
func (s Store) Save(ctx context.Context, orgHost string, c *Credential) error {
	account, err := Account(orgHost)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if got, _ := OrgHost(c.OrgURL); got != account {
		return fmt.Errorf("credential is for org %s, not %s", got, account)
	}
	c.SavedAt = time.Now().UTC().Truncate(time.Second)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return errors.New("credential cannot be encoded as JSON")
	}
	value := strings.TrimSuffix(buf.String(), "\n")
	if limit := maxValueSize(goos, s.service(), account); limit > 0 && len(value) > limit {
		return &TooLargeError{Size: len(value), Max: limit}
	}
	_, err = s.call(ctx, func(b backend) (string, error) { return "", b.Set(s.service(), account, value) },
		value, c.APIToken, c.PrivateKeyPEM, c.RefreshToken)
	var tl *TooLargeError
	if errors.As(err, &tl) {
		tl.Size, tl.Max = len(value), maxValueSize(goos, s.service(), account)
	}
	return err
}

// Delete removes the org's entry. Errors: ErrNotFound (wrapped) when there
// is none, *UnavailableError, or the context's error.
func (s Store) Delete(ctx context.Context, orgHost string) error {
	account, err := Account(orgHost)
	if err != nil {
		return err
	}
	_, err = s.call(ctx, func(b backend) (string, error) { return "", b.Delete(s.service(), account) })
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%s: %w", account, ErrNotFound)
	}
	return err
}

// call runs op against the keyring backend in a goroutine, bounded by the
// store's timeout and ctx, and maps the backend's errors. secrets are
// scrubbed from any error text the backend returns.
func (s Store) call(ctx context.Context, op func(backend) (string, error), secrets ...string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := sessionBusMissing(); err != nil {
		return "", &UnavailableError{Err: err}
	}
	b := kr
	timeout := s.timeout()
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned call never blocks
	go func() {
		v, err := op(b)
		done <- result{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, mapBackendError(r.err, secrets)
	case <-timer.C:
		return "", &UnavailableError{Err: fmt.Errorf("the keyring did not answer within %s (is it locked and waiting for a password prompt?)", timeout)}
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func mapBackendError(err error, secrets []string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &TooLargeError{}
	}
	return &UnavailableError{Err: scrub(err, secrets)}
}

// scrub replaces err by a plain error when its text contains one of the
// secrets (a keyring backend has no business echoing them, but be sure).
func scrub(err error, secrets []string) error {
	msg := err.Error()
	leaked := false
	for _, s := range secrets {
		if len(s) >= 4 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			leaked = true
		}
	}
	if leaked {
		return errors.New(msg)
	}
	return err
}

// Account returns the keyring account for an org: its host[:port],
// lower-case, default port dropped. It accepts a host ("Acme.Okta.com") or
// an org URL ("https://acme.okta.com/").
func Account(orgHost string) (string, error) {
	h := strings.TrimSpace(orgHost)
	if h == "" {
		return "", errors.New("org host is empty")
	}
	if strings.Contains(h, "://") {
		return OrgHost(h)
	}
	if strings.ContainsAny(h, "/?#@") {
		return "", errors.New("org host must be host[:port], like acme.okta.com")
	}
	norm, err := orgurl.Normalize("https://" + h)
	if err != nil {
		return "", fmt.Errorf("org host: %w", err)
	}
	return strings.TrimPrefix(norm, "https://"), nil
}

// OrgHost checks an org URL (orgurl.Normalize) and returns its host[:port],
// the keyring account.
func OrgHost(orgURL string) (string, error) {
	norm, err := orgurl.Normalize(orgURL)
	if err != nil {
		return "", fmt.Errorf("org URL: %w", err)
	}
	if norm == "" {
		return "", errors.New("org URL is empty")
	}
	_, host, _ := strings.Cut(norm, "://")
	return host, nil
}

// goos is runtime.GOOS; tests replace it (never from parallel tests) to
// check other platforms' limits and messages on Linux.
var goos = runtime.GOOS

// maxValueSize is the largest credential JSON value, in bytes, that
// go-keyring stores on platform goos for this service and account; 0 means
// no limit.
//
//   - windows: the credential blob is limited to 2560 bytes.
//   - darwin: go-keyring hands `security -i` the line
//     "add-generic-password -U -s SVC -a ACCT -w go-keyring-base64:B64\n"
//     (SVC and ACCT shell-quoted) and refuses lines over 4096 bytes.
//   - linux and the BSDs (Secret Service): no limit.
func maxValueSize(goos, service, account string) int {
	switch goos {
	case "windows":
		return 2560
	case "darwin":
		fixed := len("add-generic-password -U -s ") + len(shellQuote(service)) +
			len(" -a ") + len(shellQuote(account)) + len(" -w ") + len("go-keyring-base64:") + len("\n")
		room := 4096 - fixed
		if room < 4 {
			return 1 // nothing fits; 0 would mean "no limit"
		}
		return room / 4 * 3 // base64: 4 characters per 3 bytes; '+', '/', '=' need no quoting
	}
	return 0
}

// shellQuote is the quoting go-keyring applies on macOS (its
// internal/shellescape): unchanged when made of [\w@%+=:,./-], else in
// single quotes with ' written as '"'"'.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("_@%+=:,./-", ch) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// backend is the part of go-keyring the store uses; tests swap kr for
// fakes that block or fail, without touching go-keyring's global provider.
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
	Delete(service, user string) error
}

type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, value string) error    { return keyring.Set(service, user, value) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

var kr backend = goKeyring{}
