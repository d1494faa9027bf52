package tools_test

import (
	"os"
	"strings"
	"testing"

	"github.com/okta-mcp/okta-mcp/tools"
)

// TestREADMEToolTable fails when README.md's tool table is not what the
// registry generates. UPDATE_README=1 rewrites it.
func TestREADMEToolTable(t *testing.T) {
	const path, begin, end = "../README.md", "<!-- tools:begin -->\n", "<!-- tools:end -->"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", begin, end)
	}
	want := tools.MarkdownTable(tools.All())
	if got := s[i+len(begin) : j]; got != want {
		if os.Getenv("UPDATE_README") == "1" {
			if err := os.WriteFile(path, []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md tool table is stale; run UPDATE_README=1 go test ./tools/ -run TestREADMEToolTable\nwant:\n%s", want)
	}
}
