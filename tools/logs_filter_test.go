package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// splitLiteral reads the double-quoted literal at the start of s the way
// Okta's filter lexer does (a backslash escapes the next character) and
// returns its decoded value and the rest of s.
func splitLiteral(t *testing.T, s string) (string, string) {
	t.Helper()
	if !strings.HasPrefix(s, `"`) {
		t.Fatalf("no string literal at %q", s)
	}
	j := 1
	for ; j < len(s) && s[j] != '"'; j++ {
		if s[j] == '\\' {
			j++
		}
	}
	if j >= len(s) {
		t.Fatalf("unterminated literal %q", s)
	}
	var v string
	if err := json.Unmarshal([]byte(s[:j+1]), &v); err != nil {
		t.Fatalf("literal %s does not decode: %v", s[:j+1], err)
	}
	return v, s[j+1:]
}

// closingParen returns the index of the ')' closing the '(' at s[0],
// skipping string literals, or -1.
func closingParen(s string) int {
	depth, inStr := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// FuzzComposeFilter checks that whatever the values, each shortcut stays
// one condition whose string literal decodes back to the value, and that a
// caller's filter accepted by the composer is one parenthesised operand.
func FuzzComposeFilter(f *testing.F) {
	f.Add("", "user.session.start", "00u1a2b3c4d5e6f7g8h9")
	f.Add("", `x" or actor.id pr or "`, `\`)
	f.Add(`eventType sw "user." or actor.id pr`, `a\"b`, "ü\u2028\x00\x7f")
	f.Add(`(eventType eq "a")`, `") or (true`, "\xff\xfe")
	f.Add(`eventType eq "a") or (actor.id pr`, "x", "y")
	f.Add(`eventType eq "a\") or (b"`, "x", "y")
	f.Add(`"unterminated`, "", "")
	f.Add(`a eq "\`, "and", "or")
	f.Fuzz(func(t *testing.T, filter, v1, v2 string) {
		conds := []filterCond{{"eventType", v1}, {"actor.id", v2}}
		out, err := composeFilter(filter, conds)
		if err != nil {
			if strings.TrimSpace(filter) == "" {
				t.Fatalf("error without a filter: %v", err)
			}
			return
		}
		rest := out
		if strings.TrimSpace(filter) != "" {
			want := "(" + filter + ") and "
			if !strings.HasPrefix(out, want) {
				t.Fatalf("filter not parenthesised: %q", out)
			}
			if i := closingParen(out); i != len(filter)+1 {
				t.Fatalf("the caller's filter %q closes the parenthesis at %d, not %d: %q", filter, i, len(filter)+1, out)
			}
			rest = out[len(want):]
		}
		for i, c := range conds {
			if i > 0 {
				var ok bool
				if rest, ok = strings.CutPrefix(rest, " and "); !ok {
					t.Fatalf("conditions not joined by and: %q", out)
				}
			}
			var ok bool
			if rest, ok = strings.CutPrefix(rest, c.attr+" eq "); !ok {
				t.Fatalf("condition %d does not start with %s eq: %q", i, c.attr, out)
			}
			var got string
			got, rest = splitLiteral(t, rest)
			// Invalid UTF-8 bytes become U+FFFD, one per byte.
			if want := string([]rune(c.value)); got != want {
				t.Fatalf("literal decodes to %q, want %q (filter %q)", got, want, out)
			}
		}
		if rest != "" {
			t.Fatalf("trailing text %q after the conditions in %q", rest, out)
		}
	})
}

func TestComposeFilter(t *testing.T) {
	t.Parallel()
	got, err := composeFilter("", []filterCond{{"eventType", `x" or actor.id pr or "`}, {"outcome.result", "FAILURE"}})
	if want := `eventType eq "x\" or actor.id pr or \"" and outcome.result eq "FAILURE"`; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	got, err = composeFilter(`eventType eq "a" or eventType eq "b"`, []filterCond{{"actor.id", "00u1"}})
	if want := `(eventType eq "a" or eventType eq "b") and actor.id eq "00u1"`; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	if got, err := composeFilter(`eventType eq "a"`, nil); err != nil || got != `eventType eq "a"` {
		t.Errorf("a lone filter changed: %q, %v", got, err)
	}
	for _, bad := range []string{`eventType eq "a") or (actor.id pr`, `(eventType eq "a"`, `eventType eq "a`, `eventType eq "a\"`} {
		if _, err := composeFilter(bad, []filterCond{{"actor.id", "00u1"}}); err == nil {
			t.Errorf("unbalanced filter %q accepted", bad)
		}
	}
}
