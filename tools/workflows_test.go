package tools_test

import (
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/sandbox"
)

// TestIncidentResponseWorkflow runs the incident-response workflow the way
// the incident_response prompt lays it out, through the MCP session only.
func TestIncidentResponseWorkflow(t *testing.T) {
	t.Parallel()
	var prompts atomic.Int32
	var last atomic.Value
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	h := mcptest.Start(t, mcptest.Options{Client: answering("accept", &prompts, &last), AuditPath: auditPath})

	// 1. Find the user.
	var user struct {
		User struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"user"`
	}
	mcptest.Decode(t, h.Call(t, "get_single_okta_user_by_id", map[string]any{"id": "jane.doe@company.com"}), &user)
	id := user.User.ID
	if id != sandbox.JaneDoeID || user.User.Status != "ACTIVE" {
		t.Fatalf("user: %+v", user.User)
	}

	// 2. Her failed sign-ins of the last 24 hours.
	var failures struct {
		Items []struct {
			EventType string `json:"eventType"`
			Outcome   struct {
				Result string `json:"result"`
			} `json:"outcome"`
			Client struct {
				IPAddress string `json:"ipAddress"`
			} `json:"client"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_system_logs", map[string]any{"actor_id": id, "event_type": "user.session.start", "outcome": "FAILURE", "limit": 1000}), &failures)
	if len(failures.Items) == 0 || failures.NextCursor != "" {
		t.Fatalf("failed sign-ins: %d items, cursor %q", len(failures.Items), failures.NextCursor)
	}
	byIP := map[string]int{}
	for _, e := range failures.Items {
		if e.EventType != "user.session.start" || e.Outcome.Result != "FAILURE" {
			t.Errorf("filter let through %+v", e)
		}
		byIP[e.Client.IPAddress]++
	}
	if byIP[sandbox.JaneUnusualIP] == 0 {
		t.Errorf("no failures from the unusual IP %s: %v", sandbox.JaneUnusualIP, byIP)
	}

	// 3. Counted by IP server-side, the same numbers.
	var counts struct {
		Groups []struct {
			Key   map[string]string `json:"key"`
			Count int               `json:"count"`
		} `json:"groups"`
		TotalEvents int  `json:"total_events"`
		Truncated   bool `json:"truncated"`
	}
	mcptest.Decode(t, h.Call(t, "okta_system_logs_count", map[string]any{"actor_id": id, "event_type": "user.session.start", "outcome": "FAILURE", "group_by": []string{"client.ipAddress"}}), &counts)
	if counts.Truncated || counts.TotalEvents != len(failures.Items) || len(counts.Groups) != len(byIP) {
		t.Errorf("count: %+v; pages gave %v", counts, byIP)
	}
	for _, g := range counts.Groups {
		if byIP[g.Key["client.ipAddress"]] != g.Count {
			t.Errorf("count for %v = %d, pages say %d", g.Key, g.Count, byIP[g.Key["client.ipAddress"]])
		}
	}

	// 4. Suspend her (the human confirms).
	var out writeOut
	mcptest.Decode(t, h.Call(t, "okta_users_suspend", map[string]any{"id": id}), &out)
	if out.Outcome != "done" {
		t.Fatalf("suspend: %+v", out)
	}

	// 5. Her sessions, then revoke them.
	var sessions struct {
		Items []struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"items"`
		Active int `json:"active"`
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": id}), &sessions)
	if sessions.Active != 2 {
		t.Errorf("%d active sessions, want the fixture's 2: %+v", sessions.Active, sessions.Items)
	}
	mcptest.Decode(t, h.Call(t, "okta_users_clear_sessions", map[string]any{"id": id, "revoke_oauth_tokens": true}), &out)
	if out.Outcome != "done" {
		t.Fatalf("clear sessions: %+v", out)
	}

	// Afterwards: SUSPENDED, no live session, both writes audited and confirmed.
	if got := status(h, id); got != "SUSPENDED" {
		t.Errorf("status %s", got)
	}
	for _, s := range h.Org.Sessions(id) {
		if s.Live {
			t.Errorf("session %s still live", s.ID)
		}
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": id}), &sessions)
	if sessions.Active != 0 {
		t.Errorf("list_all_okta_sessions still shows %d active", sessions.Active)
	}
	entries := readAudit(t, auditPath)
	if len(entries) != 2 || entries[0].Tool != "okta_users_suspend" || entries[1].Tool != "okta_users_clear_sessions" {
		t.Fatalf("audit: %+v", entries)
	}
	for _, e := range entries {
		if e.Confirmation != audit.Accepted || e.Status/100 != 2 {
			t.Errorf("audit entry %+v", e)
		}
	}
	if prompts.Load() != 2 {
		t.Errorf("%d confirmation prompts, want 2", prompts.Load())
	}
}

// TestAccessAuditWorkflow: the AWS Production Admins members, with the
// suspended, deprovisioned and non-Engineering ones found from the compact
// results alone.
func TestAccessAuditWorkflow(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var groups struct {
		Items []struct {
			ID      string `json:"id"`
			Profile struct {
				Name string `json:"name"`
			} `json:"profile"`
		} `json:"items"`
	}
	mcptest.Decode(t, h.Call(t, "list_all_okta_groups", map[string]any{"q": "AWS Production"}), &groups)
	if len(groups.Items) != 1 || groups.Items[0].Profile.Name != "AWS Production Admins" {
		t.Fatalf("groups: %+v", groups.Items)
	}
	var suspended, deprovisioned, outside []string
	args := map[string]any{"group_id": groups.Items[0].ID, "limit": 5}
	for pages := 0; ; pages++ {
		var page struct {
			Items []struct {
				ID      string `json:"id"`
				Status  string `json:"status"`
				Profile struct {
					Department string `json:"department"`
				} `json:"profile"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		mcptest.Decode(t, h.Call(t, "list_all_okta_group_members", args), &page)
		for _, m := range page.Items {
			switch {
			case m.Status == "SUSPENDED":
				suspended = append(suspended, m.ID)
			case m.Status == "DEPROVISIONED":
				deprovisioned = append(deprovisioned, m.ID)
			case m.Profile.Department != "Engineering":
				outside = append(outside, m.ID)
			}
		}
		if page.NextCursor == "" {
			break
		}
		if pages > 50 {
			t.Fatal("member paging does not end")
		}
		args = map[string]any{"next_cursor": page.NextCursor}
	}
	if len(suspended) != 1 || suspended[0] != sandbox.JohnSmithID ||
		len(deprovisioned) != 1 || deprovisioned[0] != sandbox.MichaelJohnsonID ||
		len(outside) != 1 || outside[0] != sandbox.PriyaPatelID {
		t.Errorf("flagged: suspended %v, deprovisioned %v, outside Engineering %v", suspended, deprovisioned, outside)
	}
}
