package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// filter runs filterLines over input and returns what it forwarded to the
// session and what it answered itself.
func filter(t *testing.T, input string) (forwarded, answered []string) {
	t.Helper()
	pr, pw := io.Pipe()
	var out bytes.Buffer
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(pr)
		done <- b
	}()
	filterLines(strings.NewReader(input), pw, &out, new(calls))
	fw := strings.TrimSpace(string(<-done))
	if fw != "" {
		forwarded = strings.Split(fw, "\n")
	}
	if a := strings.TrimSpace(out.String()); a != "" {
		answered = strings.Split(a, "\n")
	}
	return forwarded, answered
}

func TestFilterLines(t *testing.T) {
	t.Parallel()
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	tests := []struct {
		name      string
		input     string
		forwarded int
		codes     []int
		ids       []any
	}{
		{"valid lines pass", ping + "\n" + ping + "\r\n", 2, nil, nil},
		{"blank lines skipped", "\n  \n" + ping + "\n", 1, nil, nil},
		{"no trailing newline", ping, 1, nil, nil},
		{"not json", "hello\n" + ping + "\n", 1, []int{-32700}, []any{nil}},
		{"truncated json", `{"jsonrpc":"2.0","id":1,` + "\n" + ping + "\n", 1, []int{-32700}, []any{nil}},
		{"not a message keeps id", `{"jsonrpc":"2.0","id":7,"method":5}` + "\n", 0, []int{-32600}, []any{float64(7)}},
		{"json scalar", "42\n", 0, []int{-32600}, []any{nil}},
		{"batch passes to the session", "[" + ping + "]\n", 1, nil, nil},
		{"too long", `{"x":"` + strings.Repeat("a", MaxLineLength) + "\"}\n" + ping + "\n", 1, []int{-32600}, []any{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fw, ans := filter(t, tt.input)
			if len(fw) != tt.forwarded {
				t.Errorf("forwarded %d lines, want %d", len(fw), tt.forwarded)
			}
			if len(ans) != len(tt.codes) {
				t.Fatalf("answered %q, want codes %v", ans, tt.codes)
			}
			for i, a := range ans {
				var m struct {
					JSONRPC string `json:"jsonrpc"`
					ID      any    `json:"id"`
					Error   struct {
						Code int `json:"code"`
					} `json:"error"`
				}
				if err := json.Unmarshal([]byte(a), &m); err != nil || m.JSONRPC != "2.0" || m.Error.Code != tt.codes[i] || m.ID != tt.ids[i] {
					t.Errorf("answer %q: want code %d id %v", a, tt.codes[i], tt.ids[i])
				}
			}
		})
	}
}

// TestCancelledCallNotAnswered: a call the client cancels gets no answer
// (MCP: a cancelled request SHOULD NOT be answered), a cancellation for a
// call already answered or never made changes nothing, and other calls
// are answered as usual.
func TestCancelledCallNotAnswered(t *testing.T) {
	t.Parallel()
	srv := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "1"}, nil)
	started, returned := make(chan struct{}, 1), make(chan struct{}, 1)
	mcp.AddTool(srv, &mcp.Tool{Name: "wait"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		defer func() { returned <- struct{}{} }()
		started <- struct{}{}
		<-ctx.Done()
		return nil, nil, ctx.Err()
	})
	in, toServer := io.Pipe()
	fromServer, out := io.Pipe()
	t.Cleanup(func() { toServer.Close(); out.Close() })
	go srv.Run(t.Context(), &StdioTransport{In: in, Out: out})
	// Every answer's id, in order, read as soon as it is written.
	ids := make(chan any, 16)
	go func() {
		lines := bufio.NewScanner(fromServer)
		for lines.Scan() {
			var m struct {
				ID any `json:"id"`
			}
			if json.Unmarshal(lines.Bytes(), &m) != nil {
				m.ID = "unparsable: " + lines.Text()
			}
			ids <- m.ID
		}
		close(ids)
	}()
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(toServer, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	// await reads answers up to the one with id want and fails on an
	// answer to the cancelled call.
	await := func(want any) {
		t.Helper()
		for id := range ids {
			if id == "w" {
				t.Fatal("the cancelled call was answered")
			}
			if id == want {
				return
			}
		}
		t.Fatalf("no answer with id %v", want)
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	await(float64(1))
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":"w","method":"tools/call","params":{"name":"wait","arguments":{}}}`)
	<-started // (cancelled before it starts, the go-sdk answers without running it; that answer is dropped too)
	send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"w","reason":"user"}}`)
	<-returned                                                                             // the handler saw the cancellation and returned
	send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}`)  // answered long ago
	send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}`) // never made
	for id := 2; id <= 4; id++ {
		send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ping"}`, id))
		await(float64(id))
	}
}
