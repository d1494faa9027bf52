package bench

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// BenchmarkThroughput sends 64 concurrent get_single_okta_user_by_id calls
// from one client session to a server started with --max-concurrency 8,
// against a sandbox that delays every answer by 20 ms. Targets: all
// answered, at most 8 requests in flight at the sandbox, and the batch done
// within 1.25 × 64/8 × 20 ms = 200 ms (median over iterations).
func BenchmarkThroughput(b *testing.B) {
	const calls, slots, latency = 64, 8, 20 * time.Millisecond
	s := startSandbox(b, sandbox.Options{})
	users := s.Org.Users()
	if len(users) < calls {
		b.Fatalf("sandbox has %d users", len(users))
	}
	s.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users/", Latency: latency})
	p := started(b, s, "--max-concurrency", fmt.Sprint(slots))
	// The first call builds the server's Okta client.
	if _, err := p.callTool("get_single_okta_user_by_id", map[string]any{"id": users[0].ID}); err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	peak, answered := 0, 0
	for b.Loop() {
		s.Org.ResetRequests()
		var wg sync.WaitGroup
		errs := make(chan error, calls)
		start := time.Now()
		for i := range calls {
			wg.Go(func() {
				line, err := p.callTool("get_single_okta_user_by_id", map[string]any{"id": users[i].ID})
				if err == nil {
					_, err = decodeTool(line)
				}
				errs <- err
			})
		}
		wg.Wait()
		took = append(took, time.Since(start))
		close(errs)
		n := 0
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		answered = n
		if got := len(s.Org.Requests()); got != calls {
			b.Fatalf("%d requests reached the sandbox, want %d", got, calls)
		}
		peak = max(peak, s.Org.MaxInFlight())
	}
	ideal := calls / slots * latency
	med := median(took)
	report(b, "throughput: 64 calls answered", float64(answered), "calls", "64", answered == calls)
	report(b, "throughput: max in flight at the sandbox", float64(peak), "requests", "<= 8", peak <= slots)
	report(b, "throughput: 64 calls, median total", ms(med), "ms", fmt.Sprintf("<= %v", time.Duration(1.25*float64(ideal))), med <= time.Duration(1.25*float64(ideal)))
	report(b, "throughput: total / ideal (160 ms)", float64(med)/float64(ideal), "x", "<= 1.25", float64(med) <= 1.25*float64(ideal))
}
