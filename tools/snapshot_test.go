package tools_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/server"
	"github.com/okta-mcp/okta-mcp/tools"
)

// listedTools returns tools/list as a client sees it, for every tool.
func listedTools(t *testing.T) []*mcp.Tool {
	t.Helper()
	all, err := tools.Select(tools.All(), tools.Filter{Methods: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{Version: "test", Tools: all, Deps: tools.Deps{Okta: func() (*okta.Client, error) { return nil, nil }}})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "snap", Version: "test"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != len(all) {
		t.Fatalf("tools/list has %d tools, the registry %d", len(res.Tools), len(all))
	}
	return res.Tools
}

// TestToolSnapshots compares each tool's definition (name, description,
// annotations, schemas) with tools/testdata/NAME.snap. UPDATE_TOOLSNAPS=1
// rewrites them.
func TestToolSnapshots(t *testing.T) {
	update := os.Getenv("UPDATE_TOOLSNAPS") == "1"
	seen := map[string]bool{}
	for _, tool := range listedTools(t) {
		got, err := json.MarshalIndent(tool, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", tool.Name+".snap")
		seen[filepath.Base(path)] = true
		if update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no snapshot (run UPDATE_TOOLSNAPS=1 go test ./tools/ and review the diff): %v", tool.Name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: definition differs from %s; if the change is intended, run UPDATE_TOOLSNAPS=1 go test ./tools/ and review the diff.\ngot:\n%s", tool.Name, path, got)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.snap"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			if update {
				os.Remove(f)
			} else {
				t.Errorf("stale snapshot %s: no such tool", f)
			}
		}
	}
}

// TestToolDefinitionsGuard checks what every tool must declare.
func TestToolDefinitionsGuard(t *testing.T) {
	t.Parallel()
	classOf := map[string]tools.Class{}
	for _, tool := range tools.All() {
		classOf[tool.Name()] = tool.Class
		if len(tool.Tags) == 0 {
			t.Errorf("%s has no tags", tool.Name())
		}
	}
	for _, tool := range listedTools(t) {
		raw, err := json.Marshal(tool)
		if err != nil {
			t.Fatal(err)
		}
		var def struct {
			Title       string                     `json:"title"`
			Description string                     `json:"description"`
			Annotations map[string]any             `json:"annotations"`
			InputSchema map[string]json.RawMessage `json:"inputSchema"`
			Output      map[string]json.RawMessage `json:"outputSchema"`
		}
		if err := json.Unmarshal(raw, &def); err != nil {
			t.Fatal(err)
		}
		if def.Title == "" || def.Description == "" {
			t.Errorf("%s: title or description missing", tool.Name)
		}
		for _, hint := range []string{"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} {
			if _, ok := def.Annotations[hint]; !ok {
				t.Errorf("%s: annotation %s not set", tool.Name, hint)
			}
		}
		if ro, _ := def.Annotations["readOnlyHint"].(bool); ro != classOf[tool.Name].ReadOnly() {
			t.Errorf("%s: readOnlyHint %v but class %s", tool.Name, ro, classOf[tool.Name])
		}
		if string(def.InputSchema["type"]) != `"object"` {
			t.Errorf("%s: input schema type is %s, want object", tool.Name, def.InputSchema["type"])
		}
		for _, k := range []string{"anyOf", "oneOf", "allOf"} {
			if _, ok := def.InputSchema[k]; ok {
				t.Errorf("%s: input schema has top-level %s (clients reject it)", tool.Name, k)
			}
		}
		if def.Output == nil {
			t.Errorf("%s: no output schema", tool.Name)
		}
	}
}
