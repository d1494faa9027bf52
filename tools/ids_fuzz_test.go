package tools

import (
	"encoding/json"
	"errors"
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// isOktaID is an independent statement of the ID rule: 1 to 64 of
// A-Z, a-z, 0-9, '_' and '-'.
func isOktaID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// FuzzIDValidation checks the ID and login checks made before any request:
// checkID accepts exactly Okta IDs; whatever checkIDOrLogin accepts stays one
// path segment under /api/v1/users/ once escaped, with no traversal, query,
// fragment, control character or invalid UTF-8; and a refusal is an
// invalid_argument error whose JSON text stays small whatever the input.
func FuzzIDValidation(f *testing.F) {
	for _, s := range []string{
		"00u1a2b3c4d5e6f7g8h9", "jane.doe@company.com", "jane.doe", "", "-", strings.Repeat("a", 64), strings.Repeat("a", 65),
		"../admin", "a/b", "a?b", "a#b", `a\b`, "a%2Fb", "a..b", "a b", "a\tb", "a\x00b", "a\u202eb", "a\u2028b",
		"\xff", "é@exämple.com", strings.Repeat("é", 60), "x@y\r\nHost: evil", ".", "..", "a.", "%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		idErr := checkID("id", s)
		if (idErr == nil) != isOktaID(s) {
			t.Fatalf("checkID(%q) = %v, but the ID rule says %v", s, idErr, isOktaID(s))
		}
		loginErr := checkIDOrLogin("id", s)
		if idErr == nil && loginErr != nil {
			t.Fatalf("an ID %q is refused as ID or login: %v", s, loginErr)
		}
		for _, err := range []error{idErr, loginErr} {
			if err == nil {
				continue
			}
			var te *Error
			if !errors.As(err, &te) || te.Err.Code != CodeInvalidArgument {
				t.Fatalf("refusal of %q is not an invalid_argument *Error: %v", s, err)
			}
			text := err.Error()
			if !json.Valid([]byte(text)) {
				t.Fatalf("refusal text of %q is not JSON: %s", s, text)
			}
			if len(text) > 1000 {
				t.Fatalf("refusal text of a %d-byte value is %d bytes", len(s), len(text))
			}
		}
		if loginErr != nil {
			return
		}
		// Accepted: safe to put in a URL path.
		if s == "" || len(s) > maxLoginLen && !isOktaID(s) || !utf8.ValidString(s) {
			t.Fatalf("accepted %q (length %d)", s, len(s))
		}
		if strings.ContainsAny(s, "/?#\\%") || strings.Contains(s, "..") {
			t.Fatalf("accepted path or query syntax in %q", s)
		}
		for _, r := range s {
			if unicode.IsControl(r) || unicode.IsSpace(r) {
				t.Fatalf("accepted control or space %U in %q", r, s)
			}
		}
		p := "/api/v1/users/" + url.PathEscape(s)
		if got := path.Clean(p); got != p {
			t.Fatalf("%q escapes its path segment: %s cleans to %s", s, p, got)
		}
		u, err := url.Parse("https://acme.okta.com" + p)
		if err != nil || u.Host != "acme.okta.com" || u.RawQuery != "" || u.Fragment != "" || u.Path != "/api/v1/users/"+s {
			t.Fatalf("%q changes the request URL: %v (%v)", s, u, err)
		}
	})
}
