package tools

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a confirmation prompt: a longer one keeps its beginning (the
// action and the target's name) and its end (login, ID, current status and
// consequences), with the middle left out.
const (
	promptMax  = 2000 // runes
	promptHead = 1200
	promptTail = 600
)

// humanText makes a confirmation prompt safe to show a human. Prompts quote
// names from the org, which the people named can choose: a control
// character (an ANSI escape sequence for the terminal of okta-mcp call, a
// line break that starts a fake paragraph) or a bidirectional override
// (text that reads differently from what it is) is shown as an escape like
// \x1b or \u202e instead, and a huge name cannot push the question out of
// sight.
func humanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteString(`\ufffd`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if n := utf8.RuneCountInString(out); n > promptMax {
		runes := []rune(out)
		out = string(runes[:promptHead]) + fmt.Sprintf(" … [%d characters left out] … ", n-promptHead-promptTail) + string(runes[n-promptTail:])
	}
	return out
}
