package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// settledGoroutines waits until the goroutine count stops changing and
// returns it. It collects garbage first: the Okta SDK's cache janitor
// goroutine ends when its client is finalised.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for stable := 0; stable < 5; {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if m := runtime.NumGoroutine(); m == n {
			stable++
		} else {
			n, stable = m, 0
		}
	}
	return n
}

// TestConcurrentCallsWithFaults makes 200 mixed calls at once (reads,
// errors, dry runs, writes, cancellations) while the org injects latency,
// 5xx, dropped connections and 429s. Every call ends with a result or a
// structured tool error (a cancelled one with the caller's context error),
// the concurrency limit holds, every write tool call is audited once, and
// once the session and the org are closed no goroutine is left behind. Not
// parallel: it counts the process's goroutines.
func TestConcurrentCallsWithFaults(t *testing.T) {
	before := settledGoroutines()
	t.Run("calls", func(t *testing.T) {
		const maxConcurrency = 4
		auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
		h := mcptest.Start(t, mcptest.Options{NoContract: true, Safety: tools.Safety{NoConfirm: true}, AuditPath: auditPath,
			Policy: ratelimit.Policy{MaxConcurrency: maxConcurrency, MaxRetries: 2, MaxWait: 2 * time.Second, Timeout: 2 * time.Second,
				Jitter: func() time.Duration { return time.Millisecond }}})
		now := strconv.FormatInt(time.Now().Unix()-10, 10)
		for _, f := range []sandbox.Fault{
			{Method: "GET", PathPrefix: "/api/v1/users/", Latency: 30 * time.Millisecond, Times: 40},
			{Method: "GET", PathPrefix: "/api/v1/groups", Status: 503, Times: 10},
			{Method: "GET", PathPrefix: "/api/v1/users", Drop: true, Times: 10},
			{Method: "GET", PathPrefix: "/api/v1/logs", Status: 429, Times: 10, Header: map[string][]string{"X-Rate-Limit-Reset": {now}}},
			{Method: "POST", PathPrefix: "/api/v1/users/", Status: 502, Times: 3},
			{Method: "GET", PathPrefix: "/api/v1/users", Status: 500, Times: 5},
		} {
			h.Org.InjectFault(f)
		}
		victims := activeUsers(h)
		groups := h.Org.Groups()

		type call struct {
			tool   string
			args   map[string]any
			cancel bool // cancelled after 20 ms
		}
		var calls []call
		writesCalled := 0
		for i := range 200 {
			var c call
			switch i % 10 {
			case 0:
				c = call{tool: "list_all_okta_users", args: map[string]any{"limit": 5}}
			case 1:
				c = call{tool: "get_single_okta_user_by_id", args: map[string]any{"id": victims[i%len(victims)]}}
			case 2:
				c = call{tool: "list_all_okta_groups", args: map[string]any{"limit": 3}}
			case 3:
				c = call{tool: "get_single_okta_group_by_id", args: map[string]any{"id": groups[i%len(groups)].ID}}
			case 4:
				c = call{tool: "list_all_okta_system_logs", args: map[string]any{"limit": 10}}
			case 5:
				c = call{tool: "get_single_okta_user_by_id", args: map[string]any{"id": "not/an id"}}
			case 6:
				c = call{tool: "okta_users_suspend", args: map[string]any{"id": victims[i], "dry_run": true}}
				writesCalled++
			case 7:
				c = call{tool: "okta_users_suspend", args: map[string]any{"id": victims[i]}}
				writesCalled++
			case 8:
				c = call{tool: "list_all_okta_users", args: map[string]any{"search": `profile.department eq "Engineering"`, "limit": 20}, cancel: true}
			case 9:
				c = call{tool: "list_all_okta_group_members", args: map[string]any{"group_id": groups[i%len(groups)].ID, "limit": 5}}
			}
			calls = append(calls, c)
		}

		var wg sync.WaitGroup
		errs := make(chan error, len(calls))
		for _, c := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if c.cancel {
					var stop context.CancelFunc
					ctx, stop = context.WithCancel(ctx)
					time.AfterFunc(20*time.Millisecond, stop)
				}
				res, err := h.Session.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
				switch {
				case err != nil && c.cancel && errors.Is(err, context.Canceled):
				case err != nil:
					errs <- fmt.Errorf("%s %v: %v", c.tool, c.args, err)
				case res.IsError:
					if e := toolError(res); e == nil {
						errs <- fmt.Errorf("%s %v: error result is not {\"error\":{...}}: %s", c.tool, c.args, mcptest.Text(res))
					}
				case res.StructuredContent == nil:
					errs <- fmt.Errorf("%s %v: no structured content", c.tool, c.args)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		waitFor(t, "the org to finish serving", func() bool { return h.Org.InFlight() == 0 })
		if n := h.Okta.InFlight(); n != 0 {
			t.Errorf("%d concurrency slots held after every call returned", n)
		}
		if n := h.Org.MaxInFlight(); n > maxConcurrency {
			t.Errorf("the org served %d requests at once; --max-concurrency is %d", n, maxConcurrency)
		}
		if n := len(readAuditLog(t, auditPath)); n != writesCalled {
			t.Errorf("%d audit records for %d write tool calls", n, writesCalled)
		}
	})
	// Closing the session, the server and the org (the subtest's cleanup)
	// leaves no goroutine behind.
	deadline := time.Now().Add(10 * time.Second)
	after := settledGoroutines()
	for after > before && time.Now().Before(deadline) {
		after = settledGoroutines()
	}
	if after > before {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines before, %d after the calls:\n%s", before, after, bytes.TrimSpace(buf))
	}
}

// toolError decodes the {"error": {...}} text of an error result, or nil.
func toolError(res *mcp.CallToolResult) *mcptest.ToolError {
	var e struct {
		Error *mcptest.ToolError `json:"error"`
	}
	if err := json.Unmarshal([]byte(mcptest.Text(res)), &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Summary == "" || e.Error.Causes == nil || res.StructuredContent != nil {
		return nil
	}
	return e.Error
}
