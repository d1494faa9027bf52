package sandbox

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

type rateHeaders struct {
	limit, remaining int
	reset            int64
}

func rateOf(t *testing.T, r response) rateHeaders {
	t.Helper()
	var h rateHeaders
	var err error
	if h.limit, err = strconv.Atoi(r.header.Get("X-Rate-Limit-Limit")); err != nil {
		t.Fatalf("X-Rate-Limit-Limit %q", r.header.Get("X-Rate-Limit-Limit"))
	}
	if h.remaining, err = strconv.Atoi(r.header.Get("X-Rate-Limit-Remaining")); err != nil {
		t.Fatalf("X-Rate-Limit-Remaining %q", r.header.Get("X-Rate-Limit-Remaining"))
	}
	if h.reset, err = strconv.ParseInt(r.header.Get("X-Rate-Limit-Reset"), 10, 64); err != nil {
		t.Fatalf("X-Rate-Limit-Reset %q", r.header.Get("X-Rate-Limit-Reset"))
	}
	return h
}

func TestRateLimitBudget(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := newFakeClock(start)
	s := startServer(t, Options{Now: clock.Now})
	s.Org.SetRateLimit("GET /api/v1/users", 3, time.Minute)
	wantReset := start.Add(time.Minute).Unix()

	for i, wantRemaining := range []int{2, 1, 0} {
		clock.Advance(time.Second) // the window started at the first request
		if i == 0 {
			wantReset = clock.Now().Add(time.Minute).Unix()
		}
		r := get(t, s, "/api/v1/users?limit=1")
		if r.status != http.StatusOK {
			t.Fatalf("request %d: status %d", i, r.status)
		}
		if h := rateOf(t, r); h != (rateHeaders{3, wantRemaining, wantReset}) {
			t.Errorf("request %d: headers %+v, want {3 %d %d}", i, h, wantRemaining, wantReset)
		}
	}
	r := get(t, s, "/api/v1/users?limit=1")
	e := wantError(t, r, http.StatusTooManyRequests, "E0000047")
	if e.ErrorSummary != "API call exceeded rate limit due to too many requests." || len(e.ErrorCauses) != 0 {
		t.Errorf("429 body %s", r.body)
	}
	if h := rateOf(t, r); h != (rateHeaders{3, 0, wantReset}) {
		t.Errorf("429 headers %+v", h)
	}

	// Other buckets are separate, with the org's default budget.
	if h := rateOf(t, get(t, s, "/api/v1/users/"+JaneDoeID)); h.limit != 600 || h.remaining != 599 {
		t.Errorf("GET /api/v1/users/{id}: %+v", h)
	}
	if h := rateOf(t, get(t, s, "/api/v1/users/jane.doe@company.com")); h.remaining != 598 {
		t.Errorf("same template, other id: %+v, want one bucket", h)
	}
	if h := rateOf(t, get(t, s, "/api/v1/groups")); h.remaining != 599 {
		t.Errorf("GET /api/v1/groups: %+v", h)
	}

	// Unauthenticated requests spend nothing.
	r401 := do(t, s, http.MethodGet, "/api/v1/groups", "SSWS wrong")
	wantError(t, r401, http.StatusUnauthorized, "E0000011")
	if h := rateOf(t, get(t, s, "/api/v1/groups")); h.remaining != 598 {
		t.Errorf("after a 401: %+v, want 598", h)
	}

	// A new window opens once the reset time has passed.
	clock.Advance(time.Minute)
	if h := rateOf(t, get(t, s, "/api/v1/users?limit=1")); h.remaining != 2 || h.reset != clock.Now().Add(time.Minute).Unix() {
		t.Errorf("new window: %+v", h)
	}

	// ResetRateLimits drops the override.
	s.Org.ResetRateLimits()
	if h := rateOf(t, get(t, s, "/api/v1/users?limit=1")); h.limit != 600 || h.remaining != 599 {
		t.Errorf("after ResetRateLimits: %+v", h)
	}
}

func TestRateLimitOptions(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 500_000_000, time.UTC))
	s := startServer(t, Options{Now: clock.Now, RateLimit: 2, Window: 10 * time.Second})
	for i := 0; i < 2; i++ {
		if r := get(t, s, "/api/v1/groups"); r.status != http.StatusOK {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := get(t, s, "/api/v1/groups")
	wantError(t, r, http.StatusTooManyRequests, "E0000047")
	// The reset rounds up to the next whole second after the window's end.
	if h := rateOf(t, r); h.limit != 2 || h.remaining != 0 || h.reset != time.Date(2026, 1, 1, 0, 0, 11, 0, time.UTC).Unix() {
		t.Errorf("429 headers %+v", h)
	}
	clock.Advance(10 * time.Second)
	if r := get(t, s, "/api/v1/groups"); r.status != http.StatusOK {
		t.Errorf("after the window: %d", r.status)
	}

	// A zero budget makes every request 429.
	s.Org.SetRateLimit("GET /api/v1/groups/{id}", 0, 0)
	wantError(t, get(t, s, "/api/v1/groups/"+AWSProdAdminsID), http.StatusTooManyRequests, "E0000047")
}
