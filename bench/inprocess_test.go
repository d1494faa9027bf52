package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/cli"
	"github.com/okta-mcp/okta-mcp/confirm"
	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/server"
	"github.com/okta-mcp/okta-mcp/tools"
)

// The benchmarks in this file run the server in the test process (real
// HTTP to the sandbox on loopback, the real Okta client, an MCP session
// over the server's stdio transport on pipes, with serve's outbox), so `go test -cpuprofile/-memprofile` sees the server's own
// work. run.sh reports their figures too; BENCHMARKS.md has what the
// profiles showed.

// inProcess connects a client session to a server built as serve builds it.
func inProcess(b *testing.B, s *sandbox.Server, methods ...string) *mcp.ClientSession {
	b.Helper()
	c, err := okta.New(okta.Options{OrgURL: s.URL, Credential: okta.Credential{APIToken: s.Org.Token()},
		Policy: ratelimit.Policy{MaxRetries: 2, MaxWait: 30 * time.Second, MaxConcurrency: 8, Timeout: 30 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	if len(methods) == 0 {
		methods = []string{"read"}
	}
	selected, err := tools.Select(tools.All(), tools.Filter{Methods: methods})
	if err != nil {
		b.Fatal(err)
	}
	ob := new(server.Outbox)
	srv := server.New(server.Options{Version: "bench", Tools: selected, Outbox: ob,
		Deps: tools.Deps{Okta: func() (*okta.Client, error) { return c, nil }, Safety: tools.Safety{Sealer: confirm.NewSealer(nil)}}})
	st, ct := mcptest.StdioPipes(b, ob)
	ctx := context.Background()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cs.Close() })
	return cs
}

func callInProcess(b *testing.B, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		b.Fatal(err)
	}
	if res.IsError {
		b.Fatalf("%s: tool error %v", name, res.Content)
	}
	return res
}

// BenchmarkInProcessListUsers is one list_all_okta_users call (limit 200).
func BenchmarkInProcessListUsers(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	cs := inProcess(b, s)
	args := map[string]any{"limit": 200}
	b.ReportAllocs()
	for b.Loop() {
		callInProcess(b, cs, "list_all_okta_users", args)
	}
	report(b, "in-process: list_all_okta_users (200), per call", ms(b.Elapsed()/time.Duration(b.N)), "ms", "", false)
}

// BenchmarkInProcessListLogs is one list_all_okta_system_logs call (limit 1000).
func BenchmarkInProcessListLogs(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	cs := inProcess(b, s)
	until := time.Now().UTC().Truncate(time.Second)
	args := map[string]any{"limit": 1000, "since": until.Add(-29 * 24 * time.Hour).Format(time.RFC3339), "until": until.Format(time.RFC3339)}
	b.ReportAllocs()
	for b.Loop() {
		callInProcess(b, cs, "list_all_okta_system_logs", args)
	}
	report(b, "in-process: list_all_okta_system_logs (1000), per call", ms(b.Elapsed()/time.Duration(b.N)), "ms", "", false)
}

// BenchmarkInProcessStartup is what serve does before it can answer
// tools/list: select the tools, build the server (schemas), and list them.
func BenchmarkInProcessStartup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		selected, err := tools.Select(tools.All(), tools.Filter{Methods: []string{"all"}})
		if err != nil {
			b.Fatal(err)
		}
		srv := server.New(server.Options{Version: "bench", Tools: selected, Deps: tools.Deps{Okta: func() (*okta.Client, error) { return nil, nil }}})
		st, ct := mcp.NewInMemoryTransports()
		ss, err := srv.Connect(context.Background(), st, nil)
		if err != nil {
			b.Fatal(err)
		}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(context.Background(), ct, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cs.ListTools(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		cs.Close()
		ss.Close()
	}
	report(b, "in-process: build server + tools/list, per run", ms(b.Elapsed()/time.Duration(b.N)), "ms", "", false)
}

// BenchmarkInProcessServe runs the serve command in-process (cli.Main, as
// main does) over pipes: initialize, tools/list, then end of input. It is
// the start-up path minus exec and the Go runtime's own start.
func BenchmarkInProcessServe(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	env := map[string]string{}
	for _, kv := range serverEnv(b, s.Org.Token()) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	b.ReportAllocs()
	for b.Loop() {
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- cli.Main(context.Background(), []string{"serve", "--org-url", s.URL, "--methods", "all"},
				cli.Env{Stdin: inR, Stdout: outW, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }})
			outW.Close()
		}()
		br := bufio.NewReader(outR)
		fmt.Fprintln(inW, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}`)
		if _, err := br.ReadBytes('\n'); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		fmt.Fprintln(inW, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
		if _, err := br.ReadBytes('\n'); err != nil {
			b.Fatal(err)
		}
		inW.Close()
		go io.Copy(io.Discard, outR)
		if code := <-done; code != 0 {
			b.Fatalf("serve exited %d", code)
		}
	}
	report(b, "in-process: serve to tools/list answered, per run", ms(b.Elapsed()/time.Duration(b.N)), "ms", "", false)
}

// BenchmarkSDKResponseEncoding measures what the go-sdk does to send the
// result of one list_all_okta_users call (limit 200) that the tool has
// already built: encode the CallToolResult (structured content and its
// text copy) to JSON, then the JSON-RPC response around it, as its
// jsonrpc2 connection does for every response. The call overhead figure
// cannot go below this plus the client's decode of what it sends.
func BenchmarkSDKResponseEncoding(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	cs := inProcess(b, s)
	res := callInProcess(b, cs, "list_all_okta_users", map[string]any{"limit": 200})
	text := res.Content[0].(*mcp.TextContent).Text
	sent := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}, StructuredContent: json.RawMessage(text)}
	id, err := jsonrpc.MakeID(float64(2))
	if err != nil {
		b.Fatal(err)
	}
	var line []byte
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(sent); err != nil {
			b.Fatal(err)
		}
		if line, err = jsonrpc.EncodeMessage(&jsonrpc.Response{ID: id, Result: bytes.TrimRight(buf.Bytes(), "\n")}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, "go-sdk: encoding one 200-user result, per call", ms(b.Elapsed()/time.Duration(b.N)), "ms", "", false)
	report(b, "go-sdk: bytes of that response line", float64(len(line)), "bytes", "", false)
}
