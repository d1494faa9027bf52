package sandbox

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// logEvents decodes a page of LogEvents.
func logEvents(t *testing.T, r response) []map[string]any {
	t.Helper()
	return objects(t, r)
}

func published(t *testing.T, e map[string]any) time.Time {
	t.Helper()
	p, err := time.Parse(time.RFC3339Nano, e["published"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// logRef is the part of a LogEvent the paging tests look at.
type logRef struct {
	UUID      string
	Published time.Time
}

// scanLogRefs picks each event's uuid and published out of a page without
// decoding it (decoding thousands of events is slow under -race; the shape
// of events is checked by TestLogEventShape and the contract test). Each
// event has exactly one "published" and one "uuid" key.
func scanLogRefs(t *testing.T, body []byte) []logRef {
	t.Helper()
	var out []logRef
	rest := string(body)
	for {
		i := strings.Index(rest, `"published":"`)
		if i < 0 {
			break
		}
		rest = rest[i+len(`"published":"`):]
		pub, err := time.Parse(time.RFC3339Nano, rest[:strings.IndexByte(rest, '"')])
		if err != nil {
			t.Fatalf("published: %v", err)
		}
		j := strings.Index(rest, `"uuid":"`)
		if j < 0 {
			t.Fatal("event without uuid")
		}
		rest = rest[j+len(`"uuid":"`):]
		out = append(out, logRef{UUID: rest[:strings.IndexByte(rest, '"')], Published: pub})
	}
	if n := strings.Count(string(body), `"uuid":"`); n != len(out) {
		t.Fatalf("%d uuids, %d published", n, len(out))
	}
	return out
}

// pageLogs follows next links from first until a page has none (bounded),
// a page is empty (polling caught up) or maxPages pages were read; it checks
// each page's size and returns the events' uuids in order.
func pageLogs(t *testing.T, s *Server, first string, limit, maxPages int) (all []string, pages int, lastNext string) {
	t.Helper()
	next := first
	var prev time.Time
	desc := strings.Contains(first, "DESCENDING")
	for next != "" && pages < maxPages {
		r := get(t, s, next)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		page := scanLogRefs(t, r.body)
		if len(page) > limit {
			t.Fatalf("page of %d events, limit %d", len(page), limit)
		}
		pages++
		for _, e := range page {
			if !prev.IsZero() && (!desc && e.Published.Before(prev) || desc && e.Published.After(prev)) {
				t.Fatalf("event %s out of order", e.UUID)
			}
			prev = e.Published
			all = append(all, e.UUID)
		}
		l := links(t, r)
		if len(page) == 0 {
			return all, pages, l["next"] // polling caught up
		}
		next = l["next"]
		lastNext = next
		if next != "" {
			u, err := url.Parse(next)
			if err != nil || u.Query().Get("after") == "" || u.Query().Has("since") {
				t.Fatalf("next link %q: want after and no since", next)
			}
		}
	}
	return all, pages, lastNext
}

func TestLogsBoundedPagingSeesEachEventOnce(t *testing.T) {
	s := startServer(t, Options{})
	now := s.Org.now()
	all := s.Org.Events()
	if n := len(all); n < 4500 || n > 6500 {
		t.Fatalf("%d seeded events, want about 5000", n)
	}
	since, until := oktaTime(now.Add(-31*day)), oktaTime(now)

	asc, pages, _ := pageLogs(t, s, path("/api/v1/logs", "since", since, "until", until, "limit", "700"), 700, 100)
	if want := (len(all) + 699) / 700; pages != want {
		t.Errorf("%d pages, want %d", pages, want)
	}
	var want []string
	for _, e := range all {
		want = append(want, e.UUID)
	}
	if !slices.Equal(asc, want) {
		t.Errorf("ascending pages: %d events, want the %d events in published order", len(asc), len(want))
	}

	desc, _, _ := pageLogs(t, s, path("/api/v1/logs", "since", since, "until", until, "limit", "1000", "sortOrder", "DESCENDING"), 1000, 100)
	slices.Reverse(want)
	if !slices.Equal(desc, want) {
		t.Errorf("descending pages: %d events, want %d in reverse order", len(desc), len(want))
	}

	// A window in the middle: exactly the events published in it.
	from, to := now.Add(-10*day), now.Add(-9*day)
	mid, _, _ := pageLogs(t, s, path("/api/v1/logs", "since", oktaTime(from), "until", oktaTime(to), "limit", "50"), 50, 1000)
	var wantMid []string
	for _, e := range all {
		if !e.Published.Before(from) && !e.Published.After(to) {
			wantMid = append(wantMid, e.UUID)
		}
	}
	if !slices.Equal(mid, wantMid) || len(mid) == 0 {
		t.Errorf("window: %d events, want %d", len(mid), len(wantMid))
	}

	// Defaults: limit 100, since 7 days before until.
	r := get(t, s, path("/api/v1/logs", "until", until))
	page := logEvents(t, r)
	if len(page) != 100 || published(t, page[0]).Before(now.Add(-7*day)) {
		t.Errorf("defaults: %d events from %v", len(page), page[0]["published"])
	}
	// limit above the maximum is the maximum.
	if n := len(logEvents(t, get(t, s, path("/api/v1/logs", "since", since, "until", until, "limit", "5000")))); n != 1000 {
		t.Errorf("limit=5000 gave %d events", n)
	}
}

func TestLogsPolling(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC))
	s := startServer(t, Options{Now: clock.Now})
	since := oktaTime(clock.Now().Add(-2 * time.Hour))
	events, pages, next := pageLogs(t, s, path("/api/v1/logs", "since", since, "limit", "5"), 5, 50)
	if pages == 50 {
		t.Fatal("polling did not catch up")
	}
	if next == "" {
		t.Fatal("polling: no next link on the last (empty) page")
	}
	if len(events) == 0 {
		t.Fatal("no events in the last two hours")
	}
	// Empty page, still a next link; it does not move.
	r := get(t, s, next)
	if len(logEvents(t, r)) != 0 || links(t, r)["next"] != next {
		t.Errorf("empty poll: next %q, want %q", links(t, r)["next"], next)
	}
	// New events show up on the next poll, once.
	clock.Advance(time.Minute)
	wantStatus(t, send(t, s, "POST", "/api/v1/users/"+DanaWhiteID+"/lifecycle/suspend", ""), 200)
	r = get(t, s, next)
	page := logEvents(t, r)
	if len(page) != 1 || page[0]["eventType"] != "user.lifecycle.suspend" {
		t.Fatalf("after a suspend: %d events", len(page))
	}
	ev := page[0]
	if ev["actor"].(map[string]any)["id"] != AlexKimID || ev["target"].([]any)[0].(map[string]any)["id"] != DanaWhiteID ||
		ev["transaction"].(map[string]any)["id"] == "" || ev["published"] != oktaTime(clock.Now()) {
		t.Errorf("suspend event %v", ev)
	}
	again := get(t, s, links(t, r)["next"])
	if len(logEvents(t, again)) != 0 || links(t, again)["next"] == "" {
		t.Error("the event came twice, or the next link is gone")
	}
	// A first poll that finds nothing still has a next link, which later
	// finds what came after.
	r = get(t, s, path("/api/v1/logs", "since", oktaTime(clock.Now().Add(time.Second)), "filter", `eventType eq "user.lifecycle.unsuspend"`))
	if len(logEvents(t, r)) != 0 || links(t, r)["next"] == "" {
		t.Fatalf("empty first poll: %s", r.body)
	}
	clock.Advance(time.Minute)
	wantStatus(t, send(t, s, "POST", "/api/v1/users/"+DanaWhiteID+"/lifecycle/unsuspend", ""), 200)
	if page := logEvents(t, get(t, s, links(t, r)["next"])); len(page) != 1 {
		t.Errorf("later poll: %d events", len(page))
	}
}

func TestLogsFilter(t *testing.T) {
	s := startServer(t, Options{})
	all := s.Org.Events()
	since, until := oktaTime(s.Org.now().Add(-31*day)), oktaTime(s.Org.now())
	query := func(t *testing.T, filter string) []string {
		t.Helper()
		got, _, _ := pageLogs(t, s, path("/api/v1/logs", "since", since, "until", until, "limit", "1000", "filter", filter), 1000, 100)
		return got
	}
	where := func(f func(e EventInfo) bool) []string {
		var out []string
		for _, e := range all {
			if f(e) {
				out = append(out, e.UUID)
			}
		}
		return out
	}
	has := func(ids []string, id string) bool { return slices.Contains(ids, id) }
	for _, tc := range []struct {
		filter string
		want   func(e EventInfo) bool
	}{
		{`eventType eq "user.session.start"`, func(e EventInfo) bool { return e.EventType == "user.session.start" }},
		{`eventType sw "user.session"`, func(e EventInfo) bool { return strings.HasPrefix(e.EventType, "user.session") }},
		{`eventType co "mfa"`, func(e EventInfo) bool { return strings.Contains(e.EventType, "mfa") }},
		{`eventType ew "_push"`, func(e EventInfo) bool { return strings.HasSuffix(e.EventType, "_push") }},
		{`eventType eq "user.session.start" and outcome.result eq "FAILURE"`, func(e EventInfo) bool {
			return e.EventType == "user.session.start" && e.Outcome == "FAILURE"
		}},
		{`actor.id eq "` + JaneDoeID + `"`, func(e EventInfo) bool { return e.ActorID == JaneDoeID }},
		{`actor.id ne "` + JaneDoeID + `" and eventType eq "user.session.end"`, func(e EventInfo) bool {
			return e.ActorID != JaneDoeID && e.EventType == "user.session.end"
		}},
		{`target.id eq "` + AWSProdAdminsID + `"`, func(e EventInfo) bool { return has(e.TargetIDs, AWSProdAdminsID) }},
		{`client.ipAddress eq "` + JaneUnusualIP + `"`, func(e EventInfo) bool { return e.IP == JaneUnusualIP }},
		{`(client.ipAddress eq "` + SprayIP + `" or client.ipAddress eq "` + BruteForceIP + `") and outcome.result eq "FAILURE"`, func(e EventInfo) bool {
			return (e.IP == SprayIP || e.IP == BruteForceIP) && e.Outcome == "FAILURE"
		}},
		{`authenticationContext.externalSessionId eq "` + liveSessions(s.Org, JaneDoeID)[0] + `"`, func(e EventInfo) bool {
			return e.SessionID == liveSessions(s.Org, JaneDoeID)[0]
		}},
		{`client.geographicalContext.country eq "Romania"`, func(e EventInfo) bool { return e.IP == JaneUnusualIP }},
		{`not (outcome.result eq "SUCCESS") and eventType eq "user.account.lock"`, func(e EventInfo) bool {
			return e.EventType == "user.account.lock"
		}},
		{`eventType eq "no.such.event"`, func(e EventInfo) bool { return false }},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			want := where(tc.want)
			got := query(t, tc.filter)
			if !slices.Equal(got, want) {
				t.Errorf("%d events, want %d", len(got), len(want))
			}
		})
	}
	if len(query(t, `debugContext.debugData.threatSuspected eq "true"`)) == 0 {
		t.Error("no threat-suspected events")
	}

	for _, tc := range []struct {
		filter, code, summary string
	}{
		{`eventType eqq "user.session.start"`, "E0000053", `Invalid filter 'eventType eqq "user.session.start"': unknown operator 'eqq'`},
		{`eventType eq "x`, "E0000053", "Invalid filter"},
		{`eventType eq "a" and`, "E0000053", "Invalid filter"},
		{`(eventType eq "a"`, "E0000053", "Invalid filter"},
		{`eventType eq 'a'`, "E0000053", "Invalid filter"},
		{`published gt "2024-01-01T00:00:00.000Z"`, "E0000053", "field is not valid: published"},
		{`shoeSize eq "44"`, "E0000053", "field is not valid: shoeSize"},
		{`debugContext.debugData.url co "/oauth/"`, "E0000031", "The supplied combination of operator and field is not currently supported. Operator: co, Field: debugContext.debugData.url"},
		{`eventType gt "a"`, "E0000031", "The supplied combination"},
		{`actor.id eq 5`, "E0000053", "Invalid filter"},
	} {
		t.Run("error "+tc.filter, func(t *testing.T) {
			e := wantError(t, get(t, s, path("/api/v1/logs", "filter", tc.filter)), 400, tc.code)
			if !strings.HasPrefix(e.ErrorSummary, tc.summary) {
				t.Errorf("errorSummary %q, want prefix %q", e.ErrorSummary, tc.summary)
			}
		})
	}
}

func TestLogsKeywords(t *testing.T) {
	s := startServer(t, Options{})
	since, until := oktaTime(s.Org.now().Add(-31*day)), oktaTime(s.Org.now())
	q := func(t *testing.T, kw string) []map[string]any {
		t.Helper()
		return logEvents(t, get(t, s, path("/api/v1/logs", "since", since, "until", until, "limit", "1000", "q", kw)))
	}
	var fromBucharest int
	for _, e := range s.Org.Events() {
		if e.IP == JaneUnusualIP {
			fromBucharest++
		}
	}
	for _, kw := range []string{"Bucharest", "bucharest ROMANIA", JaneUnusualIP} {
		if got := q(t, kw); len(got) != fromBucharest {
			t.Errorf("q=%q: %d events, want %d", kw, len(got), fromBucharest)
		}
	}
	fails := q(t, "jane.doe@company.com bucharest invalid_credentials")
	if len(fails) < 3 {
		t.Errorf("jane's failures from Bucharest: %d", len(fails))
	}
	for _, e := range fails {
		if e["outcome"].(map[string]any)["reason"] != "INVALID_CREDENTIALS" || e["actor"].(map[string]any)["id"] != JaneDoeID ||
			e["legacyEventType"] != "core.user_auth.login_failed" || e["severity"] != "WARN" {
			t.Errorf("q matched %v", e["uuid"])
		}
	}
	if got := q(t, "Bucharest Amsterdam"); len(got) != 0 {
		t.Errorf("all keywords must match: %d events", len(got))
	}
	if got := q(t, "Okta Verify rejected"); len(got) == 0 {
		t.Error("no rejected pushes")
	}

	e := wantError(t, get(t, s, path("/api/v1/logs", "q", strings.Repeat("a ", 11))), 400, "E0000001")
	if !strings.Contains(e.ErrorSummary, "'q'") {
		t.Errorf("too many keywords: %q", e.ErrorSummary)
	}
	e = wantError(t, get(t, s, path("/api/v1/logs", "q", strings.Repeat("x", 41))), 400, "E0000001")
	if e.ErrorSummary != "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields." {
		t.Errorf("long keyword: %q", e.ErrorSummary)
	}
	if n := len(logEvents(t, get(t, s, path("/api/v1/logs", "q", "a b c d e f g h i no-such-word!", "until", until)))); n != 0 {
		t.Errorf("ten keywords: %d events", n)
	}
}

func TestLogsParameterErrors(t *testing.T) {
	s := startServer(t, Options{})
	now := s.Org.now()
	for _, tc := range []struct {
		name  string
		query []string
		code  string
		cause string
	}{
		{"bad since", []string{"since", "yesterday"}, "E0000001", "since: The date format in your query is not recognized. Please enter dates using ISO8601 string format."},
		{"bad until", []string{"until", "2024-13-45"}, "E0000001", "until: The date format in your query is not recognized. Please enter dates using ISO8601 string format."},
		{"since and after", []string{"since", oktaTime(now.Add(-time.Hour)), "after", "1_1"}, "E0000053", ""},
		{"old since", []string{"since", oktaTime(now.Add(-181 * day))}, "E0000053", ""},
		{"bad limit", []string{"limit", "ten"}, "E0000001", "limit: The limit must be a positive integer, got 'ten'"},
		{"zero limit", []string{"limit", "0"}, "E0000001", ""},
		{"bad sortOrder", []string{"sortOrder", "SIDEWAYS"}, "E0000001", ""},
		{"bad after", []string{"after", "not-a-cursor"}, "E0000029", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, get(t, s, path("/api/v1/logs", tc.query...)), 400, tc.code)
			if tc.cause != "" && !slices.Contains(causes(e), tc.cause) {
				t.Errorf("causes %q, want %q", causes(e), tc.cause)
			}
		})
	}
	// Accepted time formats.
	for _, v := range []string{"2025-01-02T03:04:05Z", "2025-01-02T03:04:05.123Z", "2025-01-02T03:04:05+01:00", "2025-01-02T03:04:05.000+0000"} {
		if r := get(t, s, path("/api/v1/logs", "until", v)); r.status != 200 {
			t.Errorf("until=%s: %d %s", v, r.status, r.body)
		}
	}
}

// TestLogEventShape checks one event field by field, and that the SDK
// decodes pages of events.
func TestLogEventShape(t *testing.T) {
	s := startServer(t, Options{})
	r := get(t, s, path("/api/v1/logs", "q", "Bucharest", "filter", `eventType eq "user.session.start" and outcome.result eq "SUCCESS"`,
		"since", oktaTime(s.Org.now().Add(-day))))
	page := logEvents(t, r)
	if len(page) != 1 {
		t.Fatalf("%d successful sign-ins from Bucharest", len(page))
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(mustJSON(t, page[0]), &raw)
	for _, k := range []string{"uuid", "published", "eventType", "version", "severity", "legacyEventType", "displayMessage", "actor",
		"client", "outcome", "target", "transaction", "debugContext", "authenticationContext", "securityContext", "request"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %s", k)
		}
	}
	e := page[0]
	actor := e["actor"].(map[string]any)
	client := e["client"].(map[string]any)
	geo := client["geographicalContext"].(map[string]any)
	auth := e["authenticationContext"].(map[string]any)
	if e["version"] != "0" || e["severity"] != "INFO" || e["legacyEventType"] != "core.user_auth.login_success" || e["target"] != nil {
		t.Errorf("event %v", e)
	}
	if v, ok := actor["detailEntry"]; !ok || v != nil || actor["type"] != "User" || actor["alternateId"] != "jane.doe@company.com" || actor["displayName"] != "Jane Doe" {
		t.Errorf("actor %v", actor)
	}
	if client["ipAddress"] != JaneUnusualIP || geo["country"] != "Romania" || geo["city"] != "Bucharest" || client["zone"] != "null" {
		t.Errorf("client %v", client)
	}
	if _, ok := geo["geolocation"].(map[string]any)["lat"].(float64); !ok {
		t.Errorf("geolocation %v", geo["geolocation"])
	}
	if auth["credentialType"] != "PASSWORD" || auth["authenticationStep"] != 0.0 || !slices.Contains(liveSessions(s.Org, JaneDoeID), auth["externalSessionId"].(string)) {
		t.Errorf("authenticationContext %v", auth)
	}
	if e["outcome"].(map[string]any)["result"] != "SUCCESS" || e["outcome"].(map[string]any)["reason"] != nil {
		t.Errorf("outcome %v", e["outcome"])
	}
	ipChain := e["request"].(map[string]any)["ipChain"].([]any)
	if len(ipChain) != 1 || ipChain[0].(map[string]any)["ip"] != JaneUnusualIP {
		t.Errorf("ipChain %v", ipChain)
	}
	if e["debugContext"].(map[string]any)["debugData"].(map[string]any)["threatSuspected"] != "true" {
		t.Errorf("debugData %v", e["debugContext"])
	}

	// The SDK decodes events (version and postalCode are strings there).
	c := sdkClient(t, s)
	events, resp, err := c.SystemLogAPI.ListLogEvents(context.Background()).
		Since(s.Org.now().Add(-2 * day)).Until(s.Org.now()).Limit(1000).Execute()
	if err != nil {
		t.Fatalf("ListLogEvents: %v", err)
	}
	if len(events) == 0 || !resp.HasNextPage() && len(events) == 1000 {
		t.Fatalf("%d events", len(events))
	}
	for _, ev := range events {
		if ev.GetUuid() == "" || ev.Published == nil || ev.Actor == nil || ev.Actor.GetId() == "" || ev.GetVersion() != "0" {
			t.Fatalf("decoded %+v", ev)
		}
	}
	var typed []okta.LogEvent
	if err := json.Unmarshal(r.body, &typed); err != nil || typed[0].Client.GetIpAddress() != JaneUnusualIP {
		t.Errorf("okta.LogEvent: %v", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSeedLogConsistency: sign-ins end at each user's lastLogin, every
// successful sign-in started a known session, status changes in the window
// have their events, and the fixtures are there.
func TestSeedLogConsistency(t *testing.T) {
	o := New(Options{})
	now := o.now()
	lastStart := map[string]time.Time{}
	sessionsOf := map[string]map[string]bool{}
	for _, u := range o.Users() {
		sessionsOf[u.ID] = map[string]bool{}
		for _, s := range o.Sessions(u.ID) {
			sessionsOf[u.ID][s.ID] = true
		}
	}
	startedBy := map[string]string{} // session id → user id
	for _, e := range o.Events() {
		if e.Published.After(now) || e.Published.Before(now.Add(-30*day)) {
			t.Fatalf("event %s at %v, outside the 30 days before %v", e.UUID, e.Published, now)
		}
		if e.EventType != "user.session.start" || e.Outcome != "SUCCESS" {
			continue
		}
		lastStart[e.ActorID] = e.Published
		if !sessionsOf[e.ActorID][e.SessionID] {
			t.Errorf("session %s started by %s is unknown", e.SessionID, e.ActorID)
		}
		startedBy[e.SessionID] = e.ActorID
	}
	for _, u := range o.Users() {
		if u.LastLogin == nil || u.LastLogin.Before(now.Add(-30*day)) {
			if _, ok := lastStart[u.ID]; ok {
				t.Errorf("%s signed in within 30 days but lastLogin is %v", u.Login, u.LastLogin)
			}
			continue
		}
		if !lastStart[u.ID].Equal(*u.LastLogin) {
			t.Errorf("%s: last user.session.start %v, lastLogin %v", u.Login, lastStart[u.ID], *u.LastLogin)
		}
		for _, s := range o.Sessions(u.ID) {
			if startedBy[s.ID] != u.ID {
				t.Errorf("%s: session %s has no user.session.start", u.Login, s.ID)
			}
			if s.Live && u.Status != StatusActive {
				t.Errorf("%s (%s) has a live session", u.Login, u.Status)
			}
		}
	}
	// jane.doe: two live sessions, one from the unusual IP after failures there.
	live := liveSessions(o, JaneDoeID)
	if len(live) != 2 {
		t.Fatalf("jane has %d live sessions", len(live))
	}
	var fails, unusualStarts int
	liveFrom := map[string]string{}
	for _, e := range o.Events() {
		if e.ActorID != JaneDoeID || e.Published.Before(now.Add(-day)) {
			continue
		}
		if e.EventType == "user.session.start" && e.IP == JaneUnusualIP {
			if e.Outcome == "FAILURE" {
				fails++
			} else {
				unusualStarts++
			}
		}
		if e.EventType == "user.session.start" && e.Outcome == "SUCCESS" {
			liveFrom[e.SessionID] = e.IP
		}
	}
	if fails < 3 || unusualStarts != 1 {
		t.Errorf("jane in the last day: %d failures, %d successes from %s", fails, unusualStarts, JaneUnusualIP)
	}
	if liveFrom[live[0]] == "" || liveFrom[live[1]] == "" || liveFrom[live[0]] == liveFrom[live[1]] {
		t.Errorf("jane's live sessions come from %v", liveFrom)
	}
	// Attacks: many failures from the attack sources, rejected pushes.
	byIP := map[string]int{}
	denied := 0
	for _, e := range o.Events() {
		if e.Outcome == "FAILURE" {
			byIP[e.IP]++
		}
		if e.EventType == "user.mfa.okta_verify.deny_push" {
			denied++
		}
	}
	if byIP[SprayIP] < 100 || byIP[BruteForceIP] < 50 || byIP[MFAFatigueIP] < 10 || denied < 10 {
		t.Errorf("attacks: failures by IP %v, %d rejected pushes", byIP, denied)
	}
	// Status changes inside the window have their events.
	statusEvent := map[string]string{StatusSuspended: "user.lifecycle.suspend", StatusDeprovisioned: "user.lifecycle.deactivate",
		StatusPasswordExpired: "user.account.expire_password", StatusRecovery: "user.account.reset_password"}
	inWindow := 0
	for _, u := range o.Users() {
		et := statusEvent[u.Status]
		if et == "" {
			continue
		}
		info := userInfoFull(o, u.ID)
		if info.statusChanged.After(now.Add(-30*day + 10*time.Minute)) {
			inWindow++
			if len(eventsOf(o, et, u.ID)) != 1 {
				t.Errorf("%s (%s since %v): no %s event", u.Login, u.Status, info.statusChanged, et)
			}
		} else if len(eventsOf(o, et, u.ID)) != 0 {
			t.Errorf("%s: %s event outside the window", u.Login, et)
		}
	}
	if inWindow == 0 {
		t.Error("no status change in the window")
	}
	locked := false
	for _, e := range o.Events() {
		locked = locked || (e.EventType == "user.account.lock" && e.ActorID == CarlosRiveraID && e.IP == BruteForceIP)
	}
	if !locked {
		t.Error("Carlos Rivera's lockout is not in the log")
	}
	if len(eventsOf(o, "user.account.privilege.grant", DanaWhiteID)) != 1 {
		t.Error("Dana White's recent role grant is not in the log")
	}
}

func TestSeedLogDeterministicAndScales(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, b := New(Options{Now: clock}), New(Options{Now: clock})
	ea, eb := a.Events(), b.Events()
	if len(ea) != len(eb) {
		t.Fatalf("%d and %d events", len(ea), len(eb))
	}
	for i := range ea {
		if ea[i].UUID != eb[i].UUID || !ea[i].Published.Equal(eb[i].Published) || ea[i].SessionID != eb[i].SessionID {
			t.Fatalf("event %d differs", i)
		}
	}

	start := time.Now()
	big := New(Options{Now: clock, ExtraEvents: 50000})
	took := time.Since(start)
	limit := time.Second
	if raceEnabled {
		limit = 5 * time.Second
	}
	if took > limit {
		t.Errorf("50,000 extra events took %v to build", took)
	}
	eb = big.Events()
	if len(eb) != len(ea)+50000 {
		t.Errorf("%d events, want %d", len(eb), len(ea)+50000)
	}
	// ExtraEvents changes nothing else: same users, and the seeded events are still there.
	if len(big.Users()) != len(a.Users()) || len(liveSessions(big, JaneDoeID)) != 2 {
		t.Error("ExtraEvents changed the directory or the fixtures")
	}
	seen := map[string]bool{}
	for _, e := range eb {
		seen[e.UUID] = true
	}
	for _, e := range ea {
		if !seen[e.UUID] {
			t.Fatalf("seeded event %s missing with ExtraEvents", e.UUID)
		}
	}
}

type userTimes struct{ statusChanged time.Time }

func userInfoFull(o *Org, id string) userTimes {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u := o.usersByID[id]
	if u == nil || u.statusChanged == nil {
		return userTimes{}
	}
	return userTimes{statusChanged: *u.statusChanged}
}
