package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/server"
	"github.com/okta-mcp/okta-mcp/tools"
)

// TestPresealedResultsOverStdio: concurrent large results over the stdio
// transport each reach the call that asked for them, whole: a page of
// limit L is the first L users of one larger page.
func TestPresealedResultsOverStdio(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	type page struct {
		Items []json.RawMessage `json:"items"`
		Count int               `json:"count"`
	}
	var ref page
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 40}), &ref)
	if ref.Count != 40 {
		t.Fatalf("reference page has %d users", ref.Count)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			limit := 20 + i
			res := h.Call(t, "list_all_okta_users", map[string]any{"limit": limit})
			var p page
			mcptest.Decode(t, res, &p)
			got, _ := json.Marshal(p.Items)
			want, _ := json.Marshal(ref.Items[:limit])
			if p.Count != limit || string(got) != string(want) {
				t.Errorf("limit %d: got %d items (count %d), not the first %d of the reference page", limit, len(p.Items), p.Count, limit)
			}
			var text page
			if err := json.Unmarshal([]byte(mcptest.Text(res)), &text); err != nil || text.Count != limit {
				t.Errorf("limit %d: the text content is not the result's JSON (%v)", limit, err)
			}
			if res.Meta["ratelimit-limit"] == nil {
				t.Errorf("limit %d: _meta %v lacks the rate limit", limit, res.Meta)
			}
		})
	}
	wg.Wait()
}

// withOutbox is a server with every tool and the outbox, whose Okta client
// talks to a fresh sandbox org.
func withOutbox(t *testing.T, ob *server.Outbox) *mcp.Server {
	h := mcptest.Start(t, mcptest.Options{InMemory: true})
	sel, err := tools.Select(tools.All(), tools.Filter{Methods: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	return server.New(server.Options{Version: "test", Tools: sel, Outbox: ob, Deps: tools.Deps{Okta: func() (*okta.Client, error) { return h.Okta, nil }}})
}

// TestPresealedInBatch: a presealed result answers a long string id; once
// a client sends a batch, presealed results go back through the go-sdk,
// which answers a batch with one array.
func TestPresealedInBatch(t *testing.T) {
	t.Parallel()
	ob := new(server.Outbox)
	srv := withOutbox(t, ob)
	in, toServer := io.Pipe()
	fromServer, out := io.Pipe()
	t.Cleanup(func() { toServer.Close(); out.Close() })
	go srv.Run(t.Context(), &server.StdioTransport{In: in, Out: out, Outbox: ob})
	lines := bufio.NewReaderSize(fromServer, 1<<20)
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(toServer, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		t.Helper()
		l, err := lines.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	read()
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	// A string id longer than the room kept for the line's start.
	longID := strings.Repeat("request-", 12)
	send(`{"jsonrpc":"2.0","id":"` + longID + `","method":"tools/call","params":{"name":"list_all_okta_users","arguments":{"limit":25}}}`)
	var single struct {
		ID     string `json:"id"`
		Result struct {
			StructuredContent struct {
				Count int `json:"count"`
			} `json:"structuredContent"`
		} `json:"result"`
	}
	if line := read(); json.Unmarshal([]byte(line), &single) != nil || single.ID != longID || single.Result.StructuredContent.Count != 25 {
		t.Fatalf("answer to a long id: %.300s", line)
	}
	send(`[{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_all_okta_users","arguments":{"limit":30}}},` +
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_all_okta_users","arguments":{"limit":40}}}]`)
	var batch []struct {
		ID     int `json:"id"`
		Result struct {
			StructuredContent struct {
				Count int `json:"count"`
			} `json:"structuredContent"`
		} `json:"result"`
	}
	line := read()
	if err := json.Unmarshal([]byte(line), &batch); err != nil {
		t.Fatalf("batch answer %.300s: %v", line, err)
	}
	counts := map[int]int{}
	for _, r := range batch {
		counts[r.ID] = r.Result.StructuredContent.Count
	}
	if len(batch) != 2 || counts[2] != 30 || counts[3] != 40 {
		t.Fatalf("batch answer %.300s: counts %v", line, counts)
	}
	if strings.Contains(line, "okta-mcp/presealed") {
		t.Fatal("a ticket reached the client")
	}
}

// TestOutboxUnusedOffStdio: a server with an outbox but connected over
// another transport encodes every result itself.
func TestOutboxUnusedOffStdio(t *testing.T) {
	t.Parallel()
	srv := withOutbox(t, new(server.Outbox))
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "list_all_okta_users", Arguments: map[string]any{"limit": 50}})
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Count int `json:"count"`
	}
	mcptest.Decode(t, res, &page)
	if page.Count != 50 {
		t.Fatalf("count %d, want 50", page.Count)
	}
}
