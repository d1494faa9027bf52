package bench

import (
	"encoding/json"
	"testing"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// BenchmarkCatalogSize measures the bytes of the tools/list answer (the
// whole JSON-RPC response line, without its newline) of the spawned binary
// for --methods all and --methods read. Target: all ≤ 28 KB (28,672 bytes).
func BenchmarkCatalogSize(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	sizes := map[string]int{}
	counts := map[string]int{}
	for b.Loop() {
		for _, methods := range []string{"all", "read"} {
			p := started(b, s, "--methods", methods)
			line, err := p.call("tools/list", nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := rpcError(line); err != nil {
				b.Fatal(err)
			}
			var r struct {
				Result struct {
					Tools []json.RawMessage `json:"tools"`
				} `json:"result"`
			}
			if err := json.Unmarshal(line, &r); err != nil {
				b.Fatal(err)
			}
			sizes[methods] = len(line) - 1
			counts[methods] = len(r.Result.Tools)
			if err := p.stop(); err != nil {
				b.Fatal(err)
			}
		}
	}
	report(b, "tool catalog: tools/list bytes, --methods all", float64(sizes["all"]), "bytes", "<= 28 KB (28672)", sizes["all"] <= 28<<10)
	report(b, "tool catalog: tools, --methods all", float64(counts["all"]), "tools", "", false)
	report(b, "tool catalog: tools/list bytes, --methods read", float64(sizes["read"]), "bytes", "", false)
	report(b, "tool catalog: tools, --methods read", float64(counts["read"]), "tools", "", false)
}
