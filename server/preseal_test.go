package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	segjson "github.com/segmentio/encoding/json"

	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/tools"
)

// structured builds structured content as the tool handler encodes it.
func structured(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := segjson.Append(nil, v, segjson.EscapeHTML|segjson.SortMapKeys)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkPresealed holds appendToolResult to the go-sdk's own encoding of the
// same result, byte for byte.
func checkPresealed(t *testing.T, r *mcp.CallToolResult) {
	t.Helper()
	got, ok := appendToolResult(nil, r)
	if !ok {
		t.Fatalf("not presealed: %+v", r)
	}
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("presealed encoding differs from the go-sdk's:\n got %.300s\nwant %.300s", got, want)
	}
}

func TestEncodeToolResultMatchesSDK(t *testing.T) {
	t.Parallel()
	tricky := []string{"plain", `quote " and \ backslash`, "<script>&amp;</script>", "line\nbreak\ttab\x01ctl", "\u2028\u2029 separators", "ünïcödé 名前 🙂", "bad utf8 \xff\xfe"}
	for i, s := range tricky {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			var items []string
			for n := 0; n < 2*presealMin; n += len(s) {
				items = append(items, s)
			}
			sc := structured(t, map[string]any{"items": items, "count": len(items)})
			for _, meta := range []mcp.Meta{nil, tools.RateMeta(&okta.RateLimit{Limit: 600, Remaining: 599, Reset: 42})} {
				checkPresealed(t, &mcp.CallToolResult{Meta: meta, StructuredContent: sc, Content: []mcp.Content{&mcp.TextContent{Text: string(sc)}}})
			}
		})
	}
}

func FuzzEncodeToolResult(f *testing.F) {
	f.Add("alice@example.com", "Alice <admin>")
	f.Add("\x00\x1f\"\\", "\u2028")
	f.Add("\xc3\x28", "\xed\xa0\x80")
	f.Fuzz(func(t *testing.T, a, b string) {
		sc := structured(t, map[string]any{"items": []map[string]string{{"login": a, "name": b}}, "pad": strings.Repeat("x", presealMin)})
		checkPresealed(t, &mcp.CallToolResult{StructuredContent: sc, Content: []mcp.Content{&mcp.TextContent{Text: string(sc)}}})
	})
}

// TestEncodeToolResultLeavesOthers: errors, input requests, small or
// non-JSON results and extra content keep the go-sdk's encoding.
func TestEncodeToolResultLeavesOthers(t *testing.T) {
	t.Parallel()
	big := structured(t, map[string]any{"pad": strings.Repeat("x", presealMin)})
	text := func(s string) []mcp.Content { return []mcp.Content{&mcp.TextContent{Text: s}} }
	cases := map[string]*mcp.CallToolResult{
		"small":          {StructuredContent: json.RawMessage(`{"a":1}`), Content: text(`{"a":1}`)},
		"error":          {IsError: true, StructuredContent: big, Content: text(string(big))},
		"not raw":        {StructuredContent: map[string]any{"pad": strings.Repeat("x", presealMin)}, Content: text(string(big))},
		"two contents":   {StructuredContent: big, Content: append(text(string(big)), &mcp.TextContent{Text: "more"})},
		"annotated":      {StructuredContent: big, Content: []mcp.Content{&mcp.TextContent{Text: string(big), Annotations: &mcp.Annotations{Priority: 1}}}},
		"image":          {StructuredContent: big, Content: []mcp.Content{&mcp.ImageContent{Data: []byte("x"), MIMEType: "image/png"}}},
		"request state":  {StructuredContent: big, Content: text(string(big)), RequestState: "s"},
		"input requests": {StructuredContent: big, Content: text(string(big)), InputRequests: mcp.InputRequestMap{"a": &mcp.ElicitParams{Message: "ok?"}}},
	}
	for name, r := range cases {
		if b, ok := appendToolResult(nil, r); ok {
			t.Errorf("%s: presealed as %.100s", name, b)
		}
	}
}

func TestOutboxTickets(t *testing.T) {
	t.Parallel()
	var o Outbox
	t1, t2 := o.put([]byte("one")), o.put([]byte("two"))
	if b, ok := o.take(t2); !ok || string(b) != "two" {
		t.Fatalf("take(%s) = %q, %v", t2, b, ok)
	}
	if _, ok := o.take(t2); ok {
		t.Fatal("a ticket was taken twice")
	}
	for _, raw := range []string{`{"content":[]}`, `{"okta-mcp/presealed":}`, `{"okta-mcp/presealed":99}`, `{"okta-mcp/presealed":1x}`, ``} {
		if b, ok := o.take(json.RawMessage(raw)); ok {
			t.Errorf("take(%s) = %q, want not a ticket", raw, b)
		}
	}
	o.drop()
	if _, ok := o.take(t1); ok {
		t.Fatal("drop kept a result")
	}
}
