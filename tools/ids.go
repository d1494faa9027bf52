package tools

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// checkID validates an Okta ID before any request is made.
func checkID(arg, v string) error {
	if !idRE.MatchString(v) {
		return argError("%s: %q is not an Okta ID (1-64 characters of A-Z, a-z, 0-9, _ and -, like 00u1a2b3c4d5e6f7g8h9)", arg, truncate(v))
	}
	return nil
}

// maxLoginLen is Okta's limit on profile.login.
const maxLoginLen = 100

// checkIDOrLogin validates a value that may be an ID or a login (or login
// short name): no path or query syntax, no control characters.
func checkIDOrLogin(arg, v string) error {
	if idRE.MatchString(v) {
		return nil
	}
	bad := v == "" || v == "." || len(v) > maxLoginLen || !utf8.ValidString(v) ||
		strings.ContainsAny(v, "/?#\\%") || strings.Contains(v, "..") ||
		strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0
	if bad {
		return argError("%s: %q is neither an Okta ID nor a plausible login (a login like jane.doe@company.com, at most %d characters, without spaces, /, ?, #, %%, \\, .. or control characters, and not a lone dot)", arg, truncate(v), maxLoginLen)
	}
	return nil
}

// truncate shortens a value quoted back in an error message.
func truncate(v string) string {
	if len(v) <= 80 {
		return v
	}
	for i := 80; i > 70; i-- {
		if utf8.RuneStart(v[i]) {
			return v[:i] + "…"
		}
	}
	return v[:80] + "…"
}
