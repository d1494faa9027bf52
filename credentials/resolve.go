package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/okta-mcp/okta-mcp/orgurl"
)

// EnvAPIToken is the environment variable Resolve falls back to.
const EnvAPIToken = "OKTA_API_TOKEN"

// Resolve picks the credential to serve orgURL with: the keyring entry for
// the org, else an API token from OKTA_API_TOKEN (getenv nil → os.Getenv).
//
//   - keyring entry found: it, and a warning when OKTA_API_TOKEN is set too
//     (the environment is ignored then);
//   - no entry, OKTA_API_TOKEN set: the env credential;
//   - keyring unavailable, OKTA_API_TOKEN set: the env credential and a
//     warning that says why the keyring was skipped;
//   - keyring unavailable, no env: the *UnavailableError (it names
//     OKTA_API_TOKEN);
//   - neither: an error wrapping ErrNotFound that names
//     `okta-mcp auth login --org-url …` and OKTA_API_TOKEN;
//   - a corrupt entry is an error (*CorruptError) even when OKTA_API_TOKEN is
//     set: a broken entry needs the admin, not a silent switch of identity.
//
// The warning never contains a secret; the caller logs it.
func Resolve(ctx context.Context, s Store, orgURL string, getenv func(string) string) (cred *Credential, warning string, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	norm, err := orgurl.Normalize(orgURL)
	if err != nil {
		return nil, "", fmt.Errorf("org URL: %w", err)
	}
	if norm == "" {
		return nil, "", errors.New("org URL is empty: give --org-url (or OKTA_ORG_URL)")
	}
	host, _ := OrgHost(norm)
	envToken := strings.TrimSpace(getenv(EnvAPIToken))

	stored, err := s.Load(ctx, host)
	if err == nil {
		if envToken != "" {
			warning = fmt.Sprintf("%s is set but ignored: the OS keyring holds a %s credential for %s", EnvAPIToken, stored.Kind, host)
		}
		return stored, warning, nil
	}
	var unavailable *UnavailableError
	switch {
	case errors.Is(err, ErrNotFound):
		if envToken == "" {
			return nil, "", fmt.Errorf("no credentials for %s: run `okta-mcp auth login --org-url %s` to store them in the OS keyring, or set %s: %w",
				host, norm, EnvAPIToken, ErrNotFound)
		}
	case errors.As(err, &unavailable):
		if envToken == "" {
			return nil, "", err
		}
		why := "no answer"
		if unavailable.Err != nil {
			why = unavailable.Err.Error()
		}
		warning = fmt.Sprintf("OS keyring unavailable (%s); using %s from the environment", why, EnvAPIToken)
	default:
		return nil, "", err
	}
	env := &Credential{Kind: KindAPIToken, OrgURL: norm, APIToken: envToken}
	if err := env.Validate(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", EnvAPIToken, err)
	}
	return env, warning, nil
}
