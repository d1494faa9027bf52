package tools

import (
	"fmt"
	"strings"
)

// MarkdownTable is the README's tool table: name, class, tags, the OAuth
// scopes it needs (RequiredScopes, then any OptionalScopes), read-only,
// destructive and the first sentence of the description.
func MarkdownTable(ts []Tool) string {
	var b strings.Builder
	b.WriteString("| tool | class | tags | OAuth scopes | read-only | destructive | description |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	yesNo := map[bool]string{true: "yes", false: "no"}
	for _, t := range ts {
		a := t.Def.Annotations
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", t.Name(), t.Class, strings.Join(t.Tags, ", "), scopesCell(t),
			yesNo[a.ReadOnlyHint], yesNo[a.DestructiveHint != nil && *a.DestructiveHint], firstSentence(t.Def.Description))
	}
	return b.String()
}

// scopesCell lists a tool's scopes as code: "`a`, `b`", then
// " (optional: `c`)" when it has optional ones.
func scopesCell(t Tool) string {
	code := func(ss []string) string { return "`" + strings.Join(ss, "`, `") + "`" }
	s := code(RequiredScopes(t))
	if opt := OptionalScopes(t); len(opt) > 0 {
		s += " (optional: " + code(opt) + ")"
	}
	return s
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
