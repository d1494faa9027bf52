package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

// rawGet is the baseline a client without okta-mcp pays: GET with Go's
// net/http (keep-alive) and Okta's body read whole.
func rawGet(s *sandbox.Server, hc *http.Client, pathQuery string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, s.URL+pathQuery, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "SSWS "+s.Org.Token())
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", pathQuery, resp.StatusCode, body)
	}
	return body, nil
}

// BenchmarkCallOverhead alternates, in one run, one list_all_okta_users
// call (limit 200) through the spawned binary and the same GET
// /api/v1/users?limit=200 made directly with net/http. Each side decodes
// what it receives into generic Go values: the raw side Okta's array into
// []map[string]any, the MCP side the whole JSON-RPC response (structured
// content and its text copy) into map[string]any, as a generic MCP client
// does. Target: MCP median ≤ 1.3 × raw median.
//
// It also reports where the time goes, from the same run: each side's
// decode alone, and an MCP ping's round trip (the two pipe hops and the
// server's dispatch, with no work).
func BenchmarkCallOverhead(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	p := started(b, s)
	hc := &http.Client{Timeout: time.Minute}
	args := map[string]any{"limit": 200}

	var mcpDecode, rawDecode, pings []time.Duration
	mcpCall := func() error {
		line, err := p.callTool("list_all_okta_users", args)
		if err != nil {
			return err
		}
		start := time.Now()
		var v map[string]any
		if err := json.Unmarshal(line, &v); err != nil {
			return err
		}
		mcpDecode = append(mcpDecode, time.Since(start))
		if res, _ := v["result"].(map[string]any); res == nil || res["isError"] == true {
			return fmt.Errorf("tool error: %.300s", line)
		}
		return nil
	}
	rawCall := func() error {
		body, err := rawGet(s, hc, "/api/v1/users?limit=200")
		if err != nil {
			return err
		}
		start := time.Now()
		var users []map[string]any
		if err := json.Unmarshal(body, &users); err != nil {
			return err
		}
		rawDecode = append(rawDecode, time.Since(start))
		if len(users) != 200 {
			return fmt.Errorf("raw page has %d users", len(users))
		}
		return nil
	}
	// Warm both paths: the server builds its Okta client on the first call,
	// and both sides open a keep-alive connection.
	for range 5 {
		if err := mcpCall(); err != nil {
			b.Fatal(err)
		}
		if err := rawCall(); err != nil {
			b.Fatal(err)
		}
	}
	var mcpT, rawT []time.Duration
	i := 0
	for b.Loop() {
		// Alternate which side goes first.
		for j := range 2 {
			start := time.Now()
			if (i+j)%2 == 0 {
				if err := mcpCall(); err != nil {
					b.Fatal(err)
				}
				mcpT = append(mcpT, time.Since(start))
			} else {
				if err := rawCall(); err != nil {
					b.Fatal(err)
				}
				rawT = append(rawT, time.Since(start))
			}
		}
		start := time.Now()
		if _, err := p.call("ping", nil); err != nil {
			b.Fatal(err)
		}
		pings = append(pings, time.Since(start))
		i++
	}
	m, r := median(mcpT), median(rawT)
	ratio := float64(m) / float64(r)
	report(b, "call overhead: MCP list 200 users, median", ms(m), "ms", "", false)
	report(b, "call overhead: raw GET+decode, median", ms(r), "ms", "", false)
	report(b, "call overhead: MCP / raw", ratio, "x", "<= 1.3", ratio <= 1.3)
	report(b, "call overhead: MCP side, client's decode alone", ms(median(mcpDecode)), "ms", "", false)
	report(b, "call overhead: raw side, decode alone", ms(median(rawDecode)), "ms", "", false)
	report(b, "call overhead: MCP ping round trip", ms(median(pings)), "ms", "", false)
}

// BenchmarkContextEconomy compares the bytes of the tool's text result with
// the bytes of Okta's JSON for the same 200 users and the same 1000 System
// Log events. Targets: users ≤ 25 %, logs ≤ 35 %.
func BenchmarkContextEconomy(b *testing.B) {
	s := startSandbox(b, sandbox.Options{})
	p := started(b, s)
	hc := &http.Client{Timeout: time.Minute}
	// A fixed range that holds more than 1000 events, oldest first.
	until := time.Now().UTC().Truncate(time.Second)
	since := until.Add(-89 * 24 * time.Hour)
	var userPct, logPct, userFloor, logFloor float64
	for b.Loop() {
		res, err := p.callTool("list_all_okta_users", map[string]any{"limit": 200})
		if err != nil {
			b.Fatal(err)
		}
		tr, err := decodeTool(res)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := rawGet(s, hc, "/api/v1/users?limit=200")
		if err != nil {
			b.Fatal(err)
		}
		checkSameIDs(b, tr.text(), raw, "id")
		userPct = 100 * float64(len(tr.text())) / float64(len(raw))
		userFloor = 100 * float64(valueBytes(b, tr.text())) / float64(len(raw))

		res, err = p.callTool("list_all_okta_system_logs", map[string]any{"limit": 1000,
			"since": since.Format(time.RFC3339), "until": until.Format(time.RFC3339)})
		if err != nil {
			b.Fatal(err)
		}
		if tr, err = decodeTool(res); err != nil {
			b.Fatal(err)
		}
		q := url.Values{"limit": {"1000"}, "since": {since.Format(time.RFC3339)}, "until": {until.Format(time.RFC3339)}}
		raw, err = rawGet(s, hc, "/api/v1/logs?"+q.Encode())
		if err != nil {
			b.Fatal(err)
		}
		checkSameIDs(b, tr.text(), raw, "uuid")
		logPct = 100 * float64(len(tr.text())) / float64(len(raw))
		logFloor = 100 * float64(valueBytes(b, tr.text())) / float64(len(raw))
	}
	report(b, "context economy: 200 users, text / Okta JSON", userPct, "%", "<= 25 %", userPct <= 25)
	report(b, "context economy: 1000 log events, text / Okta JSON", logPct, "%", "<= 35 %", logPct <= 35)
	// What no JSON rendering of the same compact items can go below: the
	// items' values alone, each as JSON, with one separator each.
	report(b, "context economy: 200 users, their values alone", userFloor, "%", "", false)
	report(b, "context economy: 1000 events, their values alone", logFloor, "%", "", false)
}

// valueBytes is the size of the scalar values of a list result's items,
// each encoded as JSON plus one separator: the items without their keys,
// braces and brackets.
func valueBytes(b *testing.B, text string) int {
	b.Helper()
	var page struct {
		Items []any `json:"items"`
	}
	if err := json.Unmarshal([]byte(text), &page); err != nil {
		b.Fatal(err)
	}
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		default:
			enc, err := json.Marshal(t)
			if err != nil {
				b.Fatal(err)
			}
			n += len(enc) + 1
		}
	}
	walk(page.Items)
	return n
}

// checkSameIDs fails unless the tool's text and Okta's array hold the same
// objects (by key), in the same order, and the expected number of them.
func checkSameIDs(b *testing.B, text string, raw []byte, key string) {
	b.Helper()
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(text), &page); err != nil {
		b.Fatalf("tool text is not JSON: %v", err)
	}
	var okta []map[string]any
	if err := json.Unmarshal(raw, &okta); err != nil {
		b.Fatal(err)
	}
	if len(page.Items) != len(okta) || len(okta) == 0 {
		b.Fatalf("tool returned %d items, Okta %d", len(page.Items), len(okta))
	}
	for i := range okta {
		if page.Items[i][key] != okta[i][key] {
			b.Fatalf("item %d: %v vs %v", i, page.Items[i][key], okta[i][key])
		}
	}
}
