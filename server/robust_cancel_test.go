package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// cancelBound is how soon a cancellation must show at the org.
const cancelBound = 2 * time.Second

// TestCancelAbortsOktaRequest: notifications/cancelled for a call whose Okta
// request hangs closes that request's connection (the org's handler stops:
// its request context ended) and frees its concurrency slot at once, so
// the next call, with a single slot, goes through.
func TestCancelAbortsOktaRequest(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{NoContract: true, Policy: ratelimit.Policy{MaxConcurrency: 1, Timeout: time.Minute}})
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users", Latency: time.Hour, Times: 1})

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := h.Session.CallTool(ctx, &mcp.CallToolParams{Name: "list_all_okta_users", Arguments: map[string]any{"limit": 5}})
		done <- err
	}()
	waitFor(t, "the request to hang at the org", func() bool { return h.Org.InFlight() == 1 && h.Okta.InFlight() == 1 })

	start := time.Now()
	cancel() // the client sends notifications/cancelled
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call returned %v", err)
	}
	waitFor(t, "the org's handler to stop", func() bool { return h.Org.InFlight() == 0 })
	waitFor(t, "the concurrency slot to be freed", func() bool { return h.Okta.InFlight() == 0 })
	if took := time.Since(start); took > cancelBound {
		t.Errorf("the cancellation reached the org after %s", took)
	}
	reqs := h.Org.Requests()
	if len(reqs) != 1 || reqs[0].Status != 0 {
		t.Fatalf("org requests %+v; want one, never answered", reqs)
	}

	start = time.Now()
	var p page
	mcptest.Decode(t, h.Call(t, "list_all_okta_users", map[string]any{"limit": 1}), &p)
	if took := time.Since(start); p.Count != 1 || took > cancelBound {
		t.Errorf("next call: %d items after %s", p.Count, took)
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCancelledWritesAudited: a write cancelled after Okta answered is
// audited with Okta's status and request id (it happened); one cancelled
// while Okta had not answered is audited as cancelled with no status, and
// the org never processed it.
func TestCancelledWritesAudited(t *testing.T) {
	t.Parallel()
	var cancelCall context.CancelFunc
	answered := make(chan struct{}, 1)
	underlying := &http.Transport{}
	t.Cleanup(underlying.CloseIdleConnections)
	// After Okta's answer to the suspend is in, the client cancels the
	// call, and the answer is handed on only once the server has seen the
	// cancellation.
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := underlying.RoundTrip(r)
		if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/lifecycle/suspend") {
			return resp, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		answered <- struct{}{}
		cancelCall()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			t.Error("the cancellation never reached the tool call")
		}
		return resp, nil
	})
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	h := mcptest.Start(t, mcptest.Options{NoContract: true, Base: base, Safety: tools.Safety{NoConfirm: true}, AuditPath: auditPath})
	victims := activeUsers(h)

	ctx, cancelFirst := context.WithCancel(t.Context())
	defer cancelFirst()
	cancelCall = cancelFirst
	_, err := h.Session.CallTool(ctx, &mcp.CallToolParams{Name: "okta_users_suspend", Arguments: map[string]any{"id": victims[0]}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("call cancelled after Okta answered returned %v", err)
	}
	<-answered
	var entry audit.Entry
	waitFor(t, "the audit record", func() bool {
		entries := readAuditLog(t, auditPath)
		if len(entries) > 0 {
			entry = entries[0]
		}
		return len(entries) > 0
	})
	if entry.Tool != "okta_users_suspend" || entry.Status != 200 || entry.RequestID == "" || entry.Error != "" || entry.Confirmation != audit.NotAsked {
		t.Errorf("audit record of the write Okta did: %+v", entry)
	}
	if got := userStatus(h, victims[0]); got != sandbox.StatusSuspended {
		t.Errorf("user status %s, want SUSPENDED", got)
	}

	// Cancelled while Okta has not answered.
	h.Org.InjectFault(sandbox.Fault{Method: "POST", PathPrefix: "/api/v1/users/" + victims[1], Latency: time.Hour, Times: 1})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := h.Session.CallTool(ctx, &mcp.CallToolParams{Name: "okta_users_suspend", Arguments: map[string]any{"id": victims[1]}})
		done <- err
	}()
	waitFor(t, "the write to hang at the org", func() bool {
		return count(h, http.MethodPost, "/api/v1/users/"+victims[1]) == 1 && h.Org.InFlight() == 1
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write returned %v", err)
	}
	waitFor(t, "the audit record", func() bool { return len(readAuditLog(t, auditPath)) == 2 })
	if e := readAuditLog(t, auditPath)[1]; e.Tool != "okta_users_suspend" || e.Status != 0 || e.Method != http.MethodPost || !strings.Contains(e.Error, "cancelled") {
		t.Errorf("audit record of the write cancelled in flight: %+v", e)
	}
	waitFor(t, "the org's handler to stop", func() bool { return h.Org.InFlight() == 0 })
	if got := userStatus(h, victims[1]); got != sandbox.StatusActive {
		t.Errorf("user status %s after a cancelled suspend, want ACTIVE", got)
	}
}
