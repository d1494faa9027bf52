package tools_test

import (
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/ratelimit"
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
