package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// pageResult is what paging reads of each page.
type pageResult struct {
	Count      int    `json:"count"`
	NextCursor string `json:"next_cursor"`
}

// scaleRun is one paging run through a fresh server process.
type scaleRun struct {
	items    int
	pages    int
	requests int
	wall     time.Duration
	peakRSS  int64
}

// pageToEnd pages tool through p until next_cursor is absent.
func pageToEnd(p *proc, tool string, first map[string]any) (items, pages int, err error) {
	args := first
	for {
		line, err := p.callTool(tool, args)
		if err != nil {
			return items, pages, err
		}
		tr, err := decodeTool(line)
		if err != nil {
			return items, pages, err
		}
		var page pageResult
		if err := json.Unmarshal(tr.Result.StructuredContent, &page); err != nil {
			return items, pages, err
		}
		items += page.Count
		pages++
		if page.NextCursor == "" {
			return items, pages, nil
		}
		if pages > 10000 {
			return items, pages, fmt.Errorf("%s: paging does not end", tool)
		}
		args = map[string]any{"next_cursor": page.NextCursor}
	}
}

// scale starts a server against s, pages tool to the end and reads the
// server's peak RSS.
func scale(b *testing.B, s *sandbox.Server, tool string, first map[string]any) scaleRun {
	p := started(b, s)
	s.Org.ResetRequests()
	start := time.Now()
	items, pages, err := pageToEnd(p, tool, first)
	if err != nil {
		b.Fatal(err)
	}
	r := scaleRun{items: items, pages: pages, wall: time.Since(start), requests: len(s.Org.Requests())}
	if r.peakRSS, err = p.peakRSS(); err != nil {
		b.Fatal(err)
	}
	if err := p.stop(); err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkScale pages, through a fresh server process each time, every
// user of a 1,000-user and of a 10,000-user org (list_all_okta_users,
// limit 200) and 50,000+ System Log events (list_all_okta_system_logs,
// limit 1000), and reports wall time, Okta requests made and the server's
// peak RSS (VmHWM). Targets: peak RSS ≤ 40 MB; RSS at 10,000 users within
// 10 % of RSS at 1,000.
func BenchmarkScale(b *testing.B) {
	small := startSandbox(b, sandbox.Options{ExtraUsers: 1000})
	big := startSandbox(b, sandbox.Options{ExtraUsers: 10000})
	logs := startSandbox(b, sandbox.Options{ExtraEvents: 50000})
	users := map[string]any{"limit": 200}
	until := time.Now().UTC().Truncate(time.Second)
	logArgs := map[string]any{"limit": 1000, "since": until.Add(-31 * 24 * time.Hour).Format(time.RFC3339), "until": until.Format(time.RFC3339)}
	var u1k, u10k, l50k scaleRun
	for b.Loop() {
		u1k = scale(b, small, "list_all_okta_users", users)
		u10k = scale(b, big, "list_all_okta_users", users)
		l50k = scale(b, logs, "list_all_okta_system_logs", logArgs)
	}
	const mb = 1 << 20
	for _, r := range []struct {
		name string
		run  scaleRun
	}{{"scale: users (1,000-user org)", u1k}, {"scale: users (10,000-user org)", u10k}, {"scale: log events (50,000+)", l50k}} {
		report(b, r.name+", items paged", float64(r.run.items), "items", "", false)
		report(b, r.name+", pages", float64(r.run.pages), "pages", "", false)
		report(b, r.name+", Okta requests", float64(r.run.requests), "requests", "", false)
		report(b, r.name+", wall time", ms(r.run.wall), "ms", "", false)
		rss := float64(r.run.peakRSS) / mb
		report(b, r.name+", server peak RSS", math.Round(rss*10)/10, "MB", "<= 40 MB", rss <= 40)
	}
	growth := 100 * (float64(u10k.peakRSS)/float64(u1k.peakRSS) - 1)
	report(b, "scale: peak RSS 10,000 vs 1,000 users", math.Round(growth*10)/10, "%", "within 10 %", math.Abs(growth) <= 10)
}
