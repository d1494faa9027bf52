package sandbox

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

func TestGetAndRevokeSession(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC))
	s := startServer(t, Options{Now: clock.Now})
	live := liveSessions(s.Org, JaneDoeID)
	if len(live) != 2 {
		t.Fatalf("jane has %d live sessions", len(live))
	}
	j := wantStatus(t, get(t, s, "/api/v1/sessions/"+live[0]), 200)
	if j["id"] != live[0] || j["userId"] != JaneDoeID || j["login"] != "jane.doe@company.com" || j["status"] != "ACTIVE" {
		t.Errorf("session %v", j)
	}
	for _, k := range []string{"createdAt", "expiresAt", "lastPasswordVerification", "lastFactorVerification"} {
		v, _ := j[k].(string)
		ts, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t.Errorf("%s = %v", k, j[k])
			continue
		}
		if k == "expiresAt" && !ts.After(clock.Now()) || k != "expiresAt" && ts.After(clock.Now()) {
			t.Errorf("%s = %v, now %v", k, ts, clock.Now())
		}
	}
	if amr, _ := j["amr"].([]any); len(amr) == 0 || amr[0] != "pwd" {
		t.Errorf("amr %v", j["amr"])
	}
	if idp := j["idp"].(map[string]any); idp["type"] != "OKTA" || idp["id"] != orgID {
		t.Errorf("idp %v", idp)
	}
	if self := j["_links"].(map[string]any)["self"].(map[string]any)["href"]; self != s.URL+"/api/v1/sessions/"+live[0] {
		t.Errorf("self %v", self)
	}

	wantError(t, get(t, s, "/api/v1/sessions/"+endedSession(t, s.Org)), 404, "E0000007")
	e := wantError(t, get(t, s, "/api/v1/sessions/102nope"), 404, "E0000007")
	if e.ErrorSummary != "Not found: Resource not found: 102nope (Session)" {
		t.Errorf("errorSummary %q", e.ErrorSummary)
	}

	if r := send(t, s, "DELETE", "/api/v1/sessions/"+live[0], ""); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	wantError(t, get(t, s, "/api/v1/sessions/"+live[0]), 404, "E0000007")
	wantError(t, send(t, s, "DELETE", "/api/v1/sessions/"+live[0], ""), 404, "E0000007")
	if got := liveSessions(s.Org, JaneDoeID); len(got) != 1 || got[0] != live[1] {
		t.Errorf("live after one revoke: %v", got)
	}
	// Sessions expire with time (at most a day after they started).
	clock.Advance(23 * time.Hour)
	wantError(t, get(t, s, "/api/v1/sessions/"+live[1]), 404, "E0000007")
	if len(liveSessions(s.Org, JaneDoeID)) != 0 {
		t.Error("an expired session is live")
	}
}

// TestSessionsMatchLog: every live session is the externalSessionId of a
// successful user.session.start of its user, and GET agrees with Live.
func TestSessionsMatchLog(t *testing.T) {
	s := startServer(t, Options{})
	starts := map[string]string{}
	for _, e := range s.Org.Events() {
		if e.EventType == "user.session.start" && e.Outcome == "SUCCESS" {
			starts[e.SessionID] = e.ActorID
		}
	}
	total, checked := 0, 0
	for _, u := range s.Org.Users() {
		for _, ss := range s.Org.Sessions(u.ID) {
			if starts[ss.ID] != u.ID {
				t.Errorf("session %s of %s has no user.session.start", ss.ID, u.Login)
			}
			if !ss.Live {
				continue
			}
			total++
			r := get(t, s, "/api/v1/sessions/"+ss.ID)
			if r.status != 200 {
				t.Errorf("live session %s: %d", ss.ID, r.status)
			}
			checked++
		}
	}
	if total < 3 || checked != total {
		t.Errorf("%d live sessions, %d checked", total, checked)
	}
}

func TestSessionsThroughSDK(t *testing.T) {
	s := startServer(t, Options{})
	c := sdkClient(t, s)
	ctx := context.Background()
	live := liveSessions(s.Org, JaneDoeID)
	sess, _, err := c.SessionAPI.GetSession(ctx, live[0]).Execute()
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	if sess.GetUserId() != JaneDoeID || sess.GetStatus() != "ACTIVE" || sess.ExpiresAt == nil || len(sess.Amr) == 0 {
		t.Errorf("decoded %+v", sess)
	}
	if _, err := c.SessionAPI.RevokeSession(ctx, live[0]).Execute(); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	_, _, err = c.SessionAPI.GetSession(ctx, live[0]).Execute()
	var apiErr *okta.GenericOpenAPIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("GetSession after revoke: %v", err)
	}
	if _, err := c.UserAPI.RevokeUserSessions(ctx, JaneDoeID).OauthTokens(true).Execute(); err != nil {
		t.Fatalf("RevokeUserSessions: %v", err)
	}
	if len(liveSessions(s.Org, JaneDoeID)) != 0 {
		t.Error("sessions left")
	}
	reqs := s.Org.Requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodDelete || last.RawQuery != "oauthTokens=true" || last.Status != 204 {
		t.Errorf("last request %+v", last)
	}
}
