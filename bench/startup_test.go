package bench

import (
	"os"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// BenchmarkStartup spawns `okta-mcp serve --methods all` and times process
// start → initialize answered → tools/list answered, once per iteration
// (run.sh: -benchtime 30x). Target: median ≤ 12 ms.
//
// The keyring is consulted as in production (an entry there wins over
// OKTA_API_TOKEN). Without a D-Bus session bus that fails at once; run.sh
// also runs this benchmark inside a session bus with a real, unlocked
// gnome-keyring that has no entry for the org (BENCH_STARTUP_LABEL says
// which).
func BenchmarkStartup(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	env := serverEnv(b, s.Org.Token())
	label := os.Getenv("BENCH_STARTUP_LABEL")
	if label == "" {
		label = "no session bus"
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
			label = "session bus"
		}
	}
	var took []time.Duration
	for b.Loop() {
		p := spawn(b, env, "--org-url", s.URL, "--methods", "all")
		if err := p.initialize(); err != nil {
			b.Fatal(err)
		}
		line, err := p.call("tools/list", nil)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(p.started))
		if err := rpcError(line); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := p.stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	med := median(took)
	report(b, "start-up median, "+label, ms(med), "ms", "<= 12 ms", med <= 12*time.Millisecond)
	report(b, "start-up runs, "+label, float64(len(took)), "runs", ">= 20", len(took) >= 20)
}
