package tools_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/internal/mcptest"
	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

type sessionsOut struct {
	Items []struct {
		ID      string         `json:"id"`
		State   string         `json:"state"`
		Started string         `json:"started"`
		Client  map[string]any `json:"client"`
		Session map[string]any `json:"session"`
	} `json:"items"`
	Count     int            `json:"count"`
	Active    int            `json:"active"`
	Limit     int            `json:"limit"`
	UserID    string         `json:"user_id"`
	Login     string         `json:"login"`
	Since     string         `json:"since"`
	Until     string         `json:"until"`
	Truncated bool           `json:"truncated"`
	RateLimit map[string]int `json:"rate_limit"`
}

// liveSessions are the user's sessions the sandbox can still serve.
func liveSessions(h *mcptest.Harness, userID string) map[string]bool {
	out := map[string]bool{}
	for _, s := range h.Org.Sessions(userID) {
		if s.Live {
			out[s.ID] = true
		}
	}
	return out
}

func TestListSessionsJane(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	live := liveSessions(h, sandbox.JaneDoeID)
	if len(live) != 2 {
		t.Fatalf("fixture: jane has %d live sessions, want 2", len(live))
	}
	for _, tc := range []struct {
		name string
		args map[string]any
		d    time.Duration
	}{
		{"by login, last day", map[string]any{"user_id": "jane.doe@company.com"}, 24 * time.Hour},
		{"by ID, 30 days", map[string]any{"user_id": sandbox.JaneDoeID, "since": time.Now().UTC().Add(-30 * 24 * time.Hour).Format(time.RFC3339)}, 30 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out sessionsOut
			mcptest.Decode(t, h.Call(t, "list_all_okta_sessions", tc.args), &out)
			since, err1 := time.Parse(time.RFC3339, out.Since)
			until, err2 := time.Parse(time.RFC3339, out.Until)
			if err1 != nil || err2 != nil || out.UserID != sandbox.JaneDoeID || out.Login != "jane.doe@company.com" || out.Truncated || out.RateLimit["limit"] == 0 {
				t.Fatalf("result header: %+v", out)
			}
			// Every session jane started in the range is listed once, newest first.
			started := eventsIn(h, since, until, func(e sandbox.EventInfo) bool {
				return e.EventType == "user.session.start" && e.Outcome == "SUCCESS" && e.ActorID == sandbox.JaneDoeID
			})
			want := map[string]bool{}
			for _, e := range started {
				want[e.SessionID] = true
			}
			if out.Count != len(want) || len(out.Items) != len(want) {
				t.Errorf("%d sessions, want %d", out.Count, len(want))
			}
			active := 0
			for i, it := range out.Items {
				if !want[it.ID] {
					t.Errorf("session %s was not started in the range", it.ID)
				}
				if i > 0 && it.Started > out.Items[i-1].Started {
					t.Errorf("not newest first at %d", i)
				}
				switch {
				case live[it.ID]:
					active++
					if it.State != "active" || it.Session["status"] != "ACTIVE" || it.Session["expiresAt"] == nil || it.Session["id"] != it.ID {
						t.Errorf("live session %s: %+v", it.ID, it)
					}
				case it.State != "ended_or_unknown" || it.Session != nil:
					t.Errorf("ended session %s: %+v", it.ID, it)
				}
				if it.Client["ipAddress"] == nil {
					t.Errorf("session %s: no client: %+v", it.ID, it)
				}
			}
			if active != 2 || out.Active != 2 {
				t.Errorf("%d (reported %d) active sessions, want jane's 2 live ones", active, out.Active)
			}
		})
	}
	// The session from the unusual IP is among them.
	var out sessionsOut
	mcptest.Decode(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": "jane.doe"}), &out)
	found := false
	for _, it := range out.Items {
		if it.Client["ipAddress"] == sandbox.JaneUnusualIP && it.State == "active" {
			found = true
		}
	}
	if !found {
		t.Errorf("no active session from %s: %+v", sandbox.JaneUnusualIP, out.Items)
	}

	// limit keeps the newest and says the list is truncated.
	mcptest.Decode(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": sandbox.JaneDoeID, "limit": 1}), &out)
	if out.Count != 1 || !out.Truncated || out.Limit != 1 {
		t.Errorf("limit 1: count %d truncated %v", out.Count, out.Truncated)
	}
}

func TestListSessionsErrors(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	for _, tt := range []struct {
		name string
		args map[string]any
		want string
	}{
		{"empty user", map[string]any{"user_id": ""}, "user_id"},
		{"bad user", map[string]any{"user_id": "../users"}, "user_id"},
		{"since too old", map[string]any{"user_id": sandbox.JaneDoeID, "since": time.Now().Add(-91 * 24 * time.Hour).Format(time.RFC3339)}, "90 days"},
		{"since in the future", map[string]any{"user_id": sandbox.JaneDoeID, "since": time.Now().Add(time.Hour).Format(time.RFC3339)}, "after until"},
		{"malformed since", map[string]any{"user_id": sandbox.JaneDoeID, "since": "24h"}, "RFC 3339"},
		{"limit", map[string]any{"user_id": sandbox.JaneDoeID, "limit": 201}, "1 to 200"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.Org.Requests())
			e := mcptest.Err(t, h.Call(t, "list_all_okta_sessions", tt.args))
			if e.Code != tools.CodeInvalidArgument || !strings.Contains(e.Summary, tt.want) {
				t.Errorf("got %+v, want invalid_argument mentioning %q", e, tt.want)
			}
			if n := len(h.Org.Requests()) - before; n != 0 {
				t.Errorf("%d requests reached Okta", n)
			}
		})
	}
	// A missing required argument is refused by the input schema.
	if res := h.Call(t, "list_all_okta_sessions", map[string]any{}); !res.IsError || !strings.Contains(mcptest.Text(res), "user_id") {
		t.Errorf("no user_id: %s", mcptest.Text(res))
	}
	e := mcptest.Err(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": "nobody@company.com"}))
	if e.Status != 404 || e.Code != "E0000007" {
		t.Errorf("unknown user: %+v", e)
	}
	// A failure while checking sessions fails the call (no partial answer).
	h = mcptest.Start(t, mcptest.Options{NoContract: true})
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/sessions/", Status: 500, Times: 100})
	if e := mcptest.Err(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": sandbox.JaneDoeID})); e.Status != 500 {
		t.Errorf("session check failing: %+v", e)
	}
}

func TestGetSession(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{})
	var liveID, endedID string
	for _, s := range h.Org.Sessions(sandbox.JaneDoeID) {
		if s.Live {
			liveID = s.ID
		} else {
			endedID = s.ID
		}
	}
	var got struct {
		Session   map[string]any `json:"session"`
		RateLimit map[string]int `json:"rate_limit"`
	}
	res := h.Call(t, "get_single_okta_session_by_id", map[string]any{"id": liveID})
	mcptest.Decode(t, res, &got)
	s := got.Session
	if s["id"] != liveID || s["userId"] != sandbox.JaneDoeID || s["login"] != "jane.doe@company.com" || s["status"] != "ACTIVE" ||
		s["createdAt"] == nil || s["expiresAt"] == nil || s["amr"] == nil || s["idp"] == nil || got.RateLimit["limit"] == 0 || res.Meta["ratelimit-limit"] == nil {
		t.Errorf("session: %v", got)
	}
	for _, k := range []string{"_links", "mfaActive"} {
		if _, ok := s[k]; ok {
			t.Errorf("compact session has %q", k)
		}
	}
	mcptest.Decode(t, h.Call(t, "get_single_okta_session_by_id", map[string]any{"id": liveID, "fields": []string{"mfaActive"}}), &got)
	if _, ok := got.Session["mfaActive"]; !ok {
		t.Errorf("fields: %v", got.Session)
	}

	e := mcptest.Err(t, h.Call(t, "get_single_okta_session_by_id", map[string]any{"id": endedID}))
	if e.Status != 404 || e.Code != "E0000007" || !strings.Contains(e.Hint, "ended") {
		t.Errorf("ended session: %+v", e)
	}
	h.Org.ResetRequests()
	for _, bad := range []string{"", "a/b", "../x", strings.Repeat("1", 65), "102 x"} {
		if e := mcptest.Err(t, h.Call(t, "get_single_okta_session_by_id", map[string]any{"id": bad})); e.Code != tools.CodeInvalidArgument {
			t.Errorf("id %q: %+v", bad, e)
		}
	}
	if n := len(h.Org.Requests()); n != 0 {
		t.Errorf("bad IDs made %d requests", n)
	}
}

func TestDeleteSession(t *testing.T) {
	t.Parallel()
	live := func(h *mcptest.Harness) []string {
		var ids []string
		for _, s := range h.Org.Sessions(sandbox.JaneDoeID) {
			if s.Live {
				ids = append(ids, s.ID)
			}
		}
		return ids
	}
	t.Run("confirm never", func(t *testing.T) {
		t.Parallel()
		h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
		ids := live(h)
		var out writeOut
		mcptest.Decode(t, h.Call(t, "delete_a_okta_session_by_id", map[string]any{"id": ids[0]}), &out)
		if out.Outcome != "done" || out.Target["id"] != ids[0] || out.Target["userId"] != sandbox.JaneDoeID {
			t.Errorf("delete: %+v", out)
		}
		if got := live(h); len(got) != 1 || got[0] != ids[1] {
			t.Errorf("live sessions after deleting %s: %v", ids[0], got)
		}
		var deletes []string
		for _, r := range h.Org.Requests() {
			if r.Method == "DELETE" {
				deletes = append(deletes, r.Path)
			}
		}
		if len(deletes) != 1 || deletes[0] != "/api/v1/sessions/"+ids[0] {
			t.Errorf("DELETE requests %v", deletes)
		}
		// Deleting it again: Okta's 404, and no DELETE is sent.
		h.Org.ResetRequests()
		if e := mcptest.Err(t, h.Call(t, "delete_a_okta_session_by_id", map[string]any{"id": ids[0]})); e.Status != 404 || writes(h) != 0 {
			t.Errorf("second delete: %+v, %d writes", e, writes(h))
		}
	})
	t.Run("prompt and decline", func(t *testing.T) {
		t.Parallel()
		for _, action := range []string{"decline", "accept"} {
			var prompts atomic.Int32
			var last atomic.Value
			h := mcptest.Start(t, mcptest.Options{Client: answering(action, &prompts, &last)})
			ids := live(h)
			var out writeOut
			mcptest.Decode(t, h.Call(t, "delete_a_okta_session_by_id", map[string]any{"id": ids[1]}), &out)
			msg, _ := last.Load().(string)
			created, _ := out.Target["createdAt"].(string)
			if prompts.Load() != 1 || !strings.Contains(msg, "Jane Doe") || !strings.Contains(msg, "jane.doe@company.com") || created == "" || !strings.Contains(msg, created) || !strings.Contains(msg, ids[1]) {
				t.Errorf("prompt %q should name the session, its user and creation time %q", msg, created)
			}
			wantLive := map[string]int{"decline": 2, "accept": 1}[action]
			if got := live(h); len(got) != wantLive {
				t.Errorf("%s: %d live sessions, want %d", action, len(got), wantLive)
			}
		}
	})
	t.Run("dry run", func(t *testing.T) {
		t.Parallel()
		h := mcptest.Start(t, mcptest.Options{Safety: tools.Safety{NoConfirm: true}})
		ids := live(h)
		var out struct {
			Outcome  string `json:"outcome"`
			Requests []struct {
				Method, Path string
			} `json:"requests"`
		}
		mcptest.Decode(t, h.Call(t, "delete_a_okta_session_by_id", map[string]any{"id": ids[0], "dry_run": true}), &out)
		if out.Outcome != "dry_run" || len(out.Requests) != 1 || out.Requests[0].Method != "DELETE" || out.Requests[0].Path != "/api/v1/sessions/"+ids[0] || writes(h) != 0 {
			t.Errorf("dry run: %+v, %d writes", out, writes(h))
		}
		if len(live(h)) != 2 {
			t.Error("a dry run ended a session")
		}
		h.Org.ResetRequests()
		if e := mcptest.Err(t, h.Call(t, "delete_a_okta_session_by_id", map[string]any{"id": "x?y"})); e.Code != tools.CodeInvalidArgument || len(h.Org.Requests()) != 0 {
			t.Errorf("bad id: %+v", e)
		}
	})
}

// TestSessionsWithoutUsersScope: a credential that may not read users
// (403 insufficient_scope on /api/v1/users) can still list a user's sessions
// by ID and end a session; a login cannot be resolved and says so.
func TestSessionsWithoutUsersScope(t *testing.T) {
	t.Parallel()
	h := mcptest.Start(t, mcptest.Options{NoContract: true, Safety: tools.Safety{NoConfirm: true}})
	h.Org.InjectFault(sandbox.Fault{Method: "GET", PathPrefix: "/api/v1/users/", Status: 403, Body: " ",
		Header: map[string][]string{"Www-Authenticate": {`Bearer authorization_uri="x", realm="IdpError", scope="okta.users.read", error="insufficient_scope"`}}})
	var out sessionsOut
	mcptest.Decode(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": sandbox.JaneDoeID}), &out)
	if out.UserID != sandbox.JaneDoeID || out.Login != "" || out.Active != 2 {
		t.Errorf("by ID without users scope: %+v", out)
	}
	e := mcptest.Err(t, h.Call(t, "list_all_okta_sessions", map[string]any{"user_id": "jane.doe@company.com"}))
	if e.Status != 403 || !strings.Contains(e.Hint, "ID") {
		t.Errorf("by login without users scope: %+v", e)
	}
	var live string
	for id := range liveSessions(h, sandbox.JaneDoeID) {
		live = id
	}
	var w writeOut
	mcptest.Decode(t, h.Call(t, "delete_a_okta_session_by_id", map[string]any{"id": live}), &w)
	if w.Outcome != "done" || !strings.Contains(w.Message, "jane.doe@company.com") || liveSessions(h, sandbox.JaneDoeID)[live] {
		t.Errorf("delete without users scope: %+v", w)
	}
}
