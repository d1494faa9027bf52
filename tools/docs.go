package tools

import (
	"fmt"
	"strings"
)

// MarkdownTable is the README's tool table: name, class, tags, read-only,
// destructive and the first sentence of the description.
func MarkdownTable(ts []Tool) string {
	var b strings.Builder
	b.WriteString("| tool | class | tags | read-only | destructive | description |\n| --- | --- | --- | --- | --- | --- |\n")
	yesNo := map[bool]string{true: "yes", false: "no"}
	for _, t := range ts {
		a := t.Def.Annotations
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", t.Name(), t.Class, strings.Join(t.Tags, ", "),
			yesNo[a.ReadOnlyHint], yesNo[a.DestructiveHint != nil && *a.DestructiveHint], firstSentence(t.Def.Description))
	}
	return b.String()
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
