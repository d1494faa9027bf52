package tools_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/ratelimit"
	"github.com/okta-mcp/okta-mcp/sandbox"
)

const janeID = "00u1a2b3c4d5e6f7g8h9"

func TestRateLimitRemainingFalls(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	h.Org.SetRateLimit("GET /api/v1/users/{id}", 5, time.Minute)
	prev := 1 << 30
	for i := 0; i < 4; i++ {
		var got struct {
			RateLimit struct{ Limit, Remaining, Reset int } `json:"rate_limit"`
		}
		mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &got)
		rl := got.RateLimit
		if rl.Limit != 5 || rl.Remaining >= prev || rl.Reset < 0 || rl.Reset > 61 {
			t.Fatalf("call %d: rate_limit %+v (previous remaining %d)", i, rl, prev)
		}
		prev = rl.Remaining
	}
}

func TestRateLimit429WithoutRetries(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Policy: ratelimit.Policy{MaxRetries: 0, MaxWait: time.Minute}})
	h.Org.SetRateLimit("GET /api/v1/users/{id}", 1, time.Minute)
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	res := h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID})
	e := mcptest.Err(t, res)
	if e.Status != 429 || e.Code != "E0000047" || e.RetryAfter == nil || *e.RetryAfter <= 0 || *e.RetryAfter > 61 {
		t.Fatalf("429 error: %+v", e)
	}
	if res.Meta["ratelimit-remaining"] == nil {
		t.Errorf("429 result has no ratelimit _meta: %v", res.Meta)
	}
	if n := len(h.Org.Requests()); n != 2 {
		t.Errorf("%d requests reached the sandbox, want 2 (no retry)", n)
	}
}

func TestRateLimit429RetriedAfterReset(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Policy: ratelimit.Policy{MaxRetries: 2, MaxWait: 5 * time.Second}})
	h.Org.SetRateLimit("GET /api/v1/users/{id}", 1, 1500*time.Millisecond)
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	reqs := h.Org.Requests()
	if len(reqs) < 3 || reqs[1].Status != 429 || reqs[len(reqs)-1].Status != 200 {
		var got []int
		for _, r := range reqs {
			got = append(got, r.Status)
		}
		t.Errorf("statuses seen by the sandbox %v; want 200, 429, …, 200", got)
	}
}

func TestRateLimitWaitBeyondMaxWait(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Policy: ratelimit.Policy{MaxRetries: 2, MaxWait: time.Second}})
	h.Org.SetRateLimit("GET /api/v1/users/{id}", 1, time.Minute)
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	e := mcptest.Err(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}))
	if e.Status != 429 || e.RetryAfter == nil {
		t.Fatalf("want a 429 error with retry_after, got %+v", e)
	}
	if n := len(h.Org.Requests()); n != 2 {
		t.Errorf("%d requests reached the sandbox; want 2: a reset beyond --max-wait is not waited for", n)
	}
}

func TestRateLimitWaitSendsProgress(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var msgs []string
	h := mcptest.Start(t, mcptest.Options{
		Policy: ratelimit.Policy{MaxRetries: 2, MaxWait: 5 * time.Second},
		Client: &mcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			msgs = append(msgs, req.Params.Message)
		}},
	})
	h.Org.SetRateLimit("GET /api/v1/users/{id}", 1, 1200*time.Millisecond)
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	params := &mcp.CallToolParams{Name: "get_single_okta_user_by_id", Arguments: map[string]any{"id": janeID}}
	params.SetProgressToken("wait-1")
	res, err := h.Session.CallTool(t.Context(), params)
	if err != nil || res.IsError {
		t.Fatalf("call: %v %v", err, res)
	}
	// Notifications may still be in flight when the result arrives.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(msgs)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(msgs) == 0 || !strings.Contains(msgs[0], "429") {
		t.Fatalf("progress messages %q; want one about the 429 wait", msgs)
	}
}

func TestReserveRefusesBeyondMaxWait(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Policy: ratelimit.Policy{ReservePct: 50, MaxWait: time.Second}})
	h.Org.SetRateLimit("GET /api/v1/users/{id}", 4, time.Minute)
	for i := 0; i < 2; i++ { // 4 → 3 → 2 remaining: at the 50% reserve
		mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	}
	e := mcptest.Err(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}))
	if e.Status != 0 || e.Code != "rate_limit_reserve" || e.RetryAfter == nil {
		t.Fatalf("want a rate_limit_reserve refusal, got %+v", e)
	}
	if n := len(h.Org.Requests()); n != 2 {
		t.Errorf("%d requests reached the sandbox; the reserve should have kept the third", n)
	}
}

func TestGETRetriedOnceOn502(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{NoContract: true})
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users", Status: 502, Times: 1})
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
	reqs := h.Org.Requests()
	if len(reqs) != 2 || reqs[0].Status != 502 || reqs[1].Status != 200 {
		t.Fatalf("requests %+v; want 502 then 200", reqs)
	}
	h.Org.ResetRequests()
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users", Status: 503, Times: 2})
	e := mcptest.Err(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}))
	if e.Status != 503 || len(h.Org.Requests()) != 2 {
		t.Fatalf("second 503: %+v after %d requests; want the 503 after one retry", e, len(h.Org.Requests()))
	}
}

func TestCancelAbortsInFlightRequest(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{Policy: ratelimit.Policy{MaxConcurrency: 1}})
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users", Latency: time.Minute, Times: 1})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := h.Session.CallTool(ctx, &mcp.CallToolParams{Name: "get_single_okta_user_by_id", Arguments: map[string]any{"id": janeID}})
		done <- err
	}()
	// The sandbox has the request (and is holding it) before we cancel.
	waitFor(t, func() bool { return len(h.Org.Requests()) == 1 && h.Okta.InFlight() == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled call returned no error")
	}
	// The slot is freed: with --max-concurrency 1 the next call goes through.
	waitFor(t, func() bool { return h.Okta.InFlight() == 0 })
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": janeID}), &struct{}{})
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
