package tools

import (
	"encoding/json"
	"testing"
)

// TestPublication: schemas are resolved at a tool's first call now, not
// at registration, so check here that every tool's input and output
// schemas resolve, and that the published output schema is the outline of
// the full one (its type and required properties).
func TestPublication(t *testing.T) {
	t.Parallel()
	for _, tool := range All() {
		def := tool.pub.get()
		if _, err := resolve(tool.pub.in); err != nil {
			t.Errorf("%s: input schema: %v", tool.Name(), err)
		}
		if _, err := resolve(tool.pub.out); err != nil {
			t.Errorf("%s: output schema: %v", tool.Name(), err)
		}
		var outline struct {
			Type     string   `json:"type"`
			Required []string `json:"required"`
		}
		raw, _ := def.OutputSchema.(json.RawMessage)
		if err := json.Unmarshal(raw, &outline); err != nil || outline.Type != "object" {
			t.Errorf("%s: published output schema %s", tool.Name(), raw)
		}
		if len(outline.Required) != len(tool.pub.out.Required) {
			t.Errorf("%s: outline requires %v, the output schema %v", tool.Name(), outline.Required, tool.pub.out.Required)
		}
		if in, _ := def.InputSchema.(json.RawMessage); len(in) == 0 {
			t.Errorf("%s: no published input schema", tool.Name())
		}
	}
}
