package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ---- helpers shared by the write, roles, sessions and logs tests ----

// send sends method + path with a JSON body ("" for none) and the org's token.
func send(t *testing.T, s *Server, method, p, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+p, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+s.Org.Token())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// wantStatus fails unless r has status; it returns the decoded JSON object
// (nil for an empty body).
func wantStatus(t *testing.T, r response, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return out
}

// causes lists an error's errorCauses summaries.
func causes(e oktaErr) []string {
	var out []string
	for _, c := range e.ErrorCauses {
		out = append(out, c.ErrorSummary)
	}
	return out
}

func liveSessions(o *Org, userID string) []string {
	var out []string
	for _, s := range o.Sessions(userID) {
		if s.Live {
			out = append(out, s.ID)
		}
	}
	return out
}

// endedSession is some session that has ended.
func endedSession(t *testing.T, o *Org) string {
	t.Helper()
	for _, s := range o.Sessions(JaneDoeID) {
		if !s.Live {
			return s.ID
		}
	}
	t.Fatal("jane has no ended session")
	return ""
}

func groupOfType(o *Org, typ string) string {
	for _, g := range o.Groups() {
		if g.Type == typ {
			return g.ID
		}
	}
	return ""
}

func appGroupID(o *Org) string { return groupOfType(o, GroupTypeApp) }
func everyoneID(o *Org) string { return groupOfType(o, GroupTypeBuiltIn) }
func userStatus(o *Org, id string) string {
	for _, u := range o.Users() {
		if u.ID == id {
			return u.Status
		}
	}
	return ""
}

func userByStatus(t *testing.T, o *Org, status string, skip ...string) string {
	t.Helper()
next:
	for _, u := range o.Users() {
		if u.Status != status {
			continue
		}
		for _, s := range skip {
			if s == u.ID {
				continue next
			}
		}
		return u.ID
	}
	t.Fatalf("no %s user", status)
	return ""
}

func eventsOf(o *Org, eventType, targetID string) []EventInfo {
	var out []EventInfo
	for _, e := range o.Events() {
		if e.EventType != eventType {
			continue
		}
		for _, id := range e.TargetIDs {
			if id == targetID {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

const newUserBody = `{"profile":{"firstName":"Nora","lastName":"New","email":"nora.new@company.com","login":"nora.new@company.com","department":"Engineering"},"credentials":{"password":{"value":"Tr0ub4dor&3"}}}`

// ---- create ----

func TestCreateUser(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC))
	s := startServer(t, Options{Now: clock.Now})
	everyone := everyoneID(s.Org)

	clock.Advance(time.Minute)
	u := wantStatus(t, send(t, s, "POST", "/api/v1/users?activate=true",
		`{"profile":{"firstName":"Nora","lastName":"New","email":"nora.new@company.com","login":"nora.new@company.com","department":"Engineering","title":null},"credentials":{"password":{"value":"Tr0ub4dor&3"}},"groupIds":["`+AWSProdAdminsID+`"]}`), 200)
	id, _ := u["id"].(string)
	if !strings.HasPrefix(id, "00u") || len(id) != 20 || u["status"] != "ACTIVE" {
		t.Fatalf("created %v", u)
	}
	want := oktaTime(clock.Now())
	for _, k := range []string{"created", "activated", "statusChanged", "lastUpdated", "passwordChanged"} {
		if u[k] != want {
			t.Errorf("%s = %v, want %s", k, u[k], want)
		}
	}
	if u["lastLogin"] != nil {
		t.Errorf("lastLogin %v", u["lastLogin"])
	}
	p := u["profile"].(map[string]any)
	if p["login"] != "nora.new@company.com" || p["department"] != "Engineering" {
		t.Errorf("profile %v", p)
	}
	if v, ok := p["title"]; !ok || v != nil {
		t.Errorf("title %v %v, want null", v, ok)
	}
	if _, ok := u["credentials"].(map[string]any)["password"]; !ok {
		t.Error("no credentials.password")
	}
	// Found by id and login; member of Everyone and the requested group.
	wantStatus(t, get(t, s, "/api/v1/users/nora.new@company.com"), 200)
	for _, g := range s.Org.Groups() {
		in := false
		for _, m := range g.MemberIDs {
			in = in || m == id
		}
		if (g.ID == everyone || g.ID == AWSProdAdminsID) != in {
			t.Errorf("member of %s (%s): %v", g.Name, g.Type, in)
		}
	}
	if len(eventsOf(s.Org, "user.lifecycle.create", id)) != 1 || len(eventsOf(s.Org, "user.lifecycle.activate", id)) != 1 ||
		len(eventsOf(s.Org, "group.user_membership.add", id)) != 1 {
		t.Error("create, activate and membership events not all recorded")
	}

	staged := wantStatus(t, send(t, s, "POST", "/api/v1/users?activate=false",
		`{"profile":{"firstName":"Sam","lastName":"Staged","email":"sam.staged@company.com","login":"sam.staged@company.com"}}`), 200)
	if staged["status"] != "STAGED" || staged["activated"] != nil || staged["statusChanged"] != nil {
		t.Errorf("staged %v", staged)
	}
	if _, ok := staged["credentials"].(map[string]any)["password"]; ok {
		t.Error("a user created without a password has credentials.password")
	}
	def := wantStatus(t, send(t, s, "POST", "/api/v1/users",
		`{"profile":{"firstName":"Dee","lastName":"Fault","email":"dee.fault@company.com","login":"dee.fault@company.com"}}`), 200)
	if def["status"] != "PROVISIONED" || def["activated"] == nil {
		t.Errorf("activate defaults to true; without a password the user is PROVISIONED: %v", def["status"])
	}
	withPW := wantStatus(t, send(t, s, "POST", "/api/v1/users",
		`{"profile":{"firstName":"Pat","lastName":"Word","email":"pat.word@company.com","login":"pat.word@company.com"},"credentials":{"password":{"value":"Tr0ub4dor&3-horse"}}}`), 200)
	if withPW["status"] != "ACTIVE" {
		t.Errorf("activated with a password: %v, want ACTIVE", withPW["status"])
	}
}

func TestCreateUserErrors(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct {
		name, query, body string
		status            int
		code              string
		cause             string // expected first cause
	}{
		{"duplicate login", "", `{"profile":{"firstName":"J","lastName":"D","email":"jane.doe@company.com","login":"JANE.DOE@company.com"}}`,
			400, "E0000001", "login: An object with this field already exists in the current organization"},
		{"missing fields", "", `{"profile":{"firstName":"J","login":"x.y@company.com"}}`, 400, "E0000001", "email: The field cannot be left blank"},
		{"no profile", "", `{"credentials":{}}`, 400, "E0000001", "profile: The field cannot be left blank"},
		{"login not an email", "", `{"profile":{"firstName":"J","lastName":"D","email":"j@company.com","login":"jdoe"}}`, 400, "E0000001", "login: Username must be in the form of an email address"},
		{"bad email", "", `{"profile":{"firstName":"J","lastName":"D","email":"not-an-email","login":"j.d@company.com"}}`, 400, "E0000001", "email: Does not match required pattern"},
		{"unknown attribute", "", `{"profile":{"firstName":"J","lastName":"D","email":"j.d@company.com","login":"j.d@company.com","shoeSize":"44"}}`, 400, "E0000001", "shoeSize: Property name 'shoeSize' is not defined in profile"},
		{"wrong type", "", `{"profile":{"firstName":7,"lastName":"D","email":"j.d@company.com","login":"j.d@company.com"}}`, 400, "E0000001", "firstName: Property value must be a string or null"},
		{"too long", "", `{"profile":{"firstName":"` + strings.Repeat("x", 51) + `","lastName":"D","email":"j.d@company.com","login":"j.d@company.com"}}`, 400, "E0000001", "firstName: The field cannot exceed 50 characters"},
		{"weak password", "", `{"profile":{"firstName":"J","lastName":"D","email":"j.d@company.com","login":"j.d@company.com"},"credentials":{"password":{"value":"short"}}}`, 400, "E0000001", ""},
		{"unknown group", "", `{"profile":{"firstName":"J","lastName":"D","email":"j.d@company.com","login":"j.d@company.com"},"groupIds":["00gnope"]}`, 400, "E0000001", "groupIds: Group '00gnope' does not exist"},
		{"app group", "", `{"profile":{"firstName":"J","lastName":"D","email":"j.d@company.com","login":"j.d@company.com"},"groupIds":["` + appGroupID(s.Org) + `"]}`, 400, "E0000001", ""},
		{"bad activate", "?activate=maybe", newUserBody, 400, "E0000001", ""},
		{"malformed", "", `{"profile":`, 400, "E0000003", ""},
		{"empty body", "", ``, 400, "E0000003", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantError(t, send(t, s, "POST", "/api/v1/users"+tc.query, tc.body), tc.status, tc.code)
			if tc.cause != "" && (len(e.ErrorCauses) == 0 || e.ErrorCauses[0].ErrorSummary != tc.cause) {
				t.Errorf("causes %q, want first %q", causes(e), tc.cause)
			}
			if tc.code == "E0000001" && !strings.HasPrefix(e.ErrorSummary, "Api validation failed: ") {
				t.Errorf("errorSummary %q", e.ErrorSummary)
			}
		})
	}
	if n := len(s.Org.Users()); n != defaultTotalUsers {
		t.Errorf("%d users after failed creates, want %d", n, defaultTotalUsers)
	}
}

// ---- update and replace ----

func TestPartialUpdateVersusReplace(t *testing.T) {
	s := startServer(t, Options{})
	before := object(t, get(t, s, "/api/v1/users/"+PriyaPatelID))["profile"].(map[string]any)
	if before["mobilePhone"] == nil || before["department"] != "Finance" {
		t.Fatalf("fixture changed: %v", before)
	}

	// POST: only what is sent changes; null clears (nullable → null, others removed).
	u := wantStatus(t, send(t, s, "POST", "/api/v1/users/"+PriyaPatelID,
		`{"profile":{"title":"Senior Financial Analyst","mobilePhone":null,"employeeNumber":null,"nickName":"Pri"}}`), 200)
	p := u["profile"].(map[string]any)
	if p["title"] != "Senior Financial Analyst" || p["nickName"] != "Pri" || p["department"] != "Finance" ||
		p["firstName"] != "Priya" || p["email"] != before["email"] {
		t.Errorf("partial update: %v", p)
	}
	if v, ok := p["mobilePhone"]; !ok || v != nil {
		t.Errorf("mobilePhone %v %v, want null", v, ok)
	}
	if _, ok := p["employeeNumber"]; ok {
		t.Error("employeeNumber (not nullable) kept after null")
	}
	wantError(t, send(t, s, "POST", "/api/v1/users/"+PriyaPatelID, `{"profile":{"lastName":null}}`), 400, "E0000001")
	// Credentials alone: the profile stays, passwordChanged moves.
	u2 := wantStatus(t, send(t, s, "POST", "/api/v1/users/"+PriyaPatelID, `{"credentials":{"password":{"value":"N3w-Passw0rd"}}}`), 200)
	if u2["profile"].(map[string]any)["nickName"] != "Pri" || u2["passwordChanged"] == u["passwordChanged"] {
		t.Errorf("credentials update: %v", u2)
	}

	// PUT: everything not sent is removed; the required attributes must be sent.
	r := wantStatus(t, send(t, s, "PUT", "/api/v1/users/"+PriyaPatelID,
		`{"profile":{"firstName":"Priya","lastName":"Patel-Shah","email":"priya.patel@company.com","login":"priya.patel@company.com","city":null}}`), 200)
	p = r["profile"].(map[string]any)
	if len(p) != 5 || p["lastName"] != "Patel-Shah" || p["city"] != nil {
		t.Errorf("replace kept %v", p)
	}
	e := wantError(t, send(t, s, "PUT", "/api/v1/users/"+PriyaPatelID, `{"profile":{"firstName":"Priya","lastName":"Patel"}}`), 400, "E0000001")
	if got := causes(e); len(got) != 2 || got[0] != "login: The field cannot be left blank" || got[1] != "email: The field cannot be left blank" {
		t.Errorf("causes %q", got)
	}
	wantError(t, send(t, s, "PUT", "/api/v1/users/"+PriyaPatelID, `{"credentials":{}}`), 400, "E0000001")

	// Login changes: the new login resolves, the old one no longer does; a
	// taken login is refused.
	wantStatus(t, send(t, s, "POST", "/api/v1/users/"+PriyaPatelID, `{"profile":{"login":"priya.shah@company.com"}}`), 200)
	wantStatus(t, get(t, s, "/api/v1/users/priya.shah@company.com"), 200)
	wantError(t, get(t, s, "/api/v1/users/priya.patel@company.com"), 404, "E0000007")
	e = wantError(t, send(t, s, "POST", "/api/v1/users/"+PriyaPatelID, `{"profile":{"login":"jane.doe@company.com"}}`), 400, "E0000001")
	if got := causes(e); len(got) != 1 || got[0] != "login: An object with this field already exists in the current organization" {
		t.Errorf("causes %q", got)
	}
	wantError(t, send(t, s, "POST", "/api/v1/users/nobody", `{"profile":{"title":"x"}}`), 404, "E0000007")
	if len(eventsOf(s.Org, "user.account.update_profile", PriyaPatelID)) != 4 {
		t.Errorf("update events: %d", len(eventsOf(s.Org, "user.account.update_profile", PriyaPatelID)))
	}
}

// ---- delete ----

func TestDeleteUser(t *testing.T) {
	s := startServer(t, Options{})
	if len(liveSessions(s.Org, JaneDoeID)) != 2 {
		t.Fatal("fixture: jane has two live sessions")
	}
	// Not DEPROVISIONED: the first DELETE deactivates (sessions end).
	wantStatus(t, send(t, s, "DELETE", "/api/v1/users/"+JaneDoeID, ""), 204)
	if st := userStatus(s.Org, JaneDoeID); st != StatusDeprovisioned {
		t.Fatalf("after first DELETE: %s", st)
	}
	if len(liveSessions(s.Org, JaneDoeID)) != 0 {
		t.Error("sessions survive deactivation")
	}
	// DEPROVISIONED: the second deletes, everywhere.
	wantStatus(t, send(t, s, "DELETE", "/api/v1/users/"+JaneDoeID+"?sendEmail=false", ""), 204)
	wantError(t, get(t, s, "/api/v1/users/"+JaneDoeID), 404, "E0000007")
	wantError(t, get(t, s, "/api/v1/users/jane.doe@company.com"), 404, "E0000007")
	wantError(t, send(t, s, "DELETE", "/api/v1/users/"+JaneDoeID, ""), 404, "E0000007")
	for _, g := range s.Org.Groups() {
		for _, m := range g.MemberIDs {
			if m == JaneDoeID {
				t.Errorf("still a member of %s", g.Name)
			}
		}
	}
	// The login is free again.
	wantStatus(t, send(t, s, "POST", "/api/v1/users",
		`{"profile":{"firstName":"Jane","lastName":"Doe","email":"jane.doe@company.com","login":"jane.doe@company.com"}}`), 200)
	if len(eventsOf(s.Org, "user.lifecycle.delete.initiated", JaneDoeID)) != 1 {
		t.Error("no delete event")
	}
}

// ---- lifecycle ----

// TestLifecycleStateMachine runs every operation from every status.
func TestLifecycleStateMachine(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC))
	s := startServer(t, Options{Now: clock.Now})
	all := []string{StatusStaged, StatusProvisioned, StatusActive, StatusRecovery, StatusLockedOut,
		StatusPasswordExpired, StatusSuspended, StatusDeprovisioned}
	type outcome struct {
		to   string // new status ("=" for unchanged)
		code string // or Okta error code
	}
	ok := func(to string) outcome { return outcome{to: to} }
	fail := func(code string) outcome { return outcome{code: code} }
	const (
		already = "E0000016"
		valid   = "E0000001"
		unlock  = "E0000032"
		status  = "E0000038"
	)
	table := map[string]map[string]outcome{
		// Seeded STAGED users have no password: they stay PROVISIONED
		// until they finish the welcome flow. DEPROVISIONED ones had one.
		"activate": {StatusStaged: ok(StatusProvisioned), StatusDeprovisioned: ok(StatusActive),
			StatusProvisioned: fail(already), StatusActive: fail(already), StatusRecovery: fail(already), StatusLockedOut: fail(already),
			StatusPasswordExpired: fail(already), StatusSuspended: fail(already)},
		"reactivate": {StatusProvisioned: ok(StatusProvisioned),
			StatusStaged: fail(status), StatusActive: fail(status), StatusRecovery: fail(status), StatusLockedOut: fail(status),
			StatusPasswordExpired: fail(status), StatusSuspended: fail(status), StatusDeprovisioned: fail(status)},
		"deactivate": {StatusStaged: ok(StatusDeprovisioned), StatusProvisioned: ok(StatusDeprovisioned), StatusActive: ok(StatusDeprovisioned),
			StatusRecovery: ok(StatusDeprovisioned), StatusLockedOut: ok(StatusDeprovisioned), StatusPasswordExpired: ok(StatusDeprovisioned),
			StatusSuspended: ok(StatusDeprovisioned), StatusDeprovisioned: fail(status)},
		"suspend": {StatusActive: ok(StatusSuspended),
			StatusStaged: fail(valid), StatusProvisioned: fail(valid), StatusRecovery: fail(valid), StatusLockedOut: fail(valid),
			StatusPasswordExpired: fail(valid), StatusSuspended: fail(valid), StatusDeprovisioned: fail(valid)},
		"unsuspend": {StatusSuspended: ok(StatusActive),
			StatusStaged: fail(valid), StatusProvisioned: fail(valid), StatusActive: fail(valid), StatusRecovery: fail(valid),
			StatusLockedOut: fail(valid), StatusPasswordExpired: fail(valid), StatusDeprovisioned: fail(valid)},
		"unlock": {StatusLockedOut: ok(StatusActive),
			StatusStaged: fail(unlock), StatusProvisioned: fail(unlock), StatusActive: fail(unlock), StatusRecovery: fail(unlock),
			StatusPasswordExpired: fail(unlock), StatusSuspended: fail(unlock), StatusDeprovisioned: fail(unlock)},
		"expire_password": {StatusActive: ok(StatusPasswordExpired), StatusRecovery: ok(StatusPasswordExpired),
			StatusLockedOut: ok(StatusPasswordExpired), StatusPasswordExpired: ok(StatusPasswordExpired),
			StatusStaged: fail(status), StatusProvisioned: fail(status), StatusSuspended: fail(status), StatusDeprovisioned: fail(status)},
		"reset_password": {StatusActive: ok(StatusRecovery), StatusRecovery: ok(StatusRecovery),
			StatusLockedOut: ok(StatusRecovery), StatusPasswordExpired: ok(StatusRecovery),
			StatusStaged: fail(status), StatusProvisioned: fail(status), StatusSuspended: fail(status), StatusDeprovisioned: fail(status)},
		"reset_factors": {StatusActive: ok("="), StatusRecovery: ok("="), StatusLockedOut: ok("="), StatusPasswordExpired: ok("="),
			StatusSuspended: ok("="), StatusStaged: fail(status), StatusProvisioned: fail(status), StatusDeprovisioned: fail(status)},
	}
	// One user per (operation, status) pair, so the table runs in any order.
	used := map[string]bool{}
	pickUser := func(status string) string {
		for _, u := range s.Org.Users() {
			if u.Status == status && !used[u.ID] && u.ID != JaneDoeID {
				used[u.ID] = true
				return u.ID
			}
		}
		t.Fatalf("out of %s users", status)
		return ""
	}
	query := map[string]string{"activate": "?sendEmail=false", "reset_password": "?sendEmail=false", "deactivate": "?sendEmail=true"}
	for op, row := range table {
		for _, from := range all {
			want, defined := row[from]
			if !defined {
				t.Fatalf("table misses %s from %s", op, from)
			}
			id := pickUser(from)
			clock.Advance(time.Second)
			r := send(t, s, "POST", "/api/v1/users/"+id+"/lifecycle/"+op+query[op], "")
			if want.code != "" {
				e := wantError(t, r, map[string]int{already: 403, valid: 400, unlock: 403, status: 403}[want.code], want.code)
				if st := userStatus(s.Org, id); st != from {
					t.Errorf("%s from %s: refused but status became %s", op, from, st)
				}
				switch op {
				case "suspend":
					if got := causes(e); len(got) != 1 || got[0] != "Cannot suspend a user that is not active" {
						t.Errorf("suspend from %s: causes %q", from, got)
					}
				case "unsuspend":
					if got := causes(e); len(got) != 1 || got[0] != "Cannot unsuspend a user that is not suspended" {
						t.Errorf("unsuspend from %s: causes %q", from, got)
					}
				case "activate":
					if e.ErrorSummary != "Activation failed because the user is already active" {
						t.Errorf("activate from %s: %q", from, e.ErrorSummary)
					}
				}
				continue
			}
			if r.status != 200 {
				t.Errorf("%s from %s: status %d; body %s", op, from, r.status, r.body)
				continue
			}
			to := want.to
			if to == "=" {
				to = from
			}
			if st := userStatus(s.Org, id); st != to {
				t.Errorf("%s from %s: status %s, want %s", op, from, st, to)
			}
			u := object(t, get(t, s, "/api/v1/users/"+id))
			if u["lastUpdated"] != oktaTime(clock.Now()) {
				t.Errorf("%s from %s: lastUpdated %v", op, from, u["lastUpdated"])
			}
			if want.to != "=" && u["statusChanged"] != oktaTime(clock.Now()) {
				t.Errorf("%s from %s: statusChanged %v", op, from, u["statusChanged"])
			}
		}
	}
}

func TestLifecycleResponses(t *testing.T) {
	s := startServer(t, Options{})
	// activate: a token when no email is sent, {} otherwise.
	a := wantStatus(t, send(t, s, "POST", "/api/v1/users/"+EmilyChenID+"/lifecycle/activate?sendEmail=false", ""), 200)
	if tok, _ := a["activationToken"].(string); tok == "" || !strings.HasSuffix(a["activationUrl"].(string), tok) {
		t.Errorf("activate: %v", a)
	}
	staged := userByStatus(t, s.Org, StatusStaged, EmilyChenID)
	if r := send(t, s, "POST", "/api/v1/users/"+staged+"/lifecycle/activate?sendEmail=true", ""); r.status != 200 || string(r.body) != "{}" {
		t.Errorf("activate sendEmail=true: %d %s", r.status, r.body)
	}
	// reset_password: a URL when no email is sent, RECOVERY either way.
	rp := wantStatus(t, send(t, s, "POST", "/api/v1/users/"+AlexKimID+"/lifecycle/reset_password?sendEmail=false", ""), 200)
	if u, _ := rp["resetPasswordUrl"].(string); !strings.HasPrefix(u, s.URL+"/") || len(rp) != 1 {
		t.Errorf("reset_password: %v", rp)
	}
	if st := userStatus(s.Org, AlexKimID); st != StatusRecovery {
		t.Errorf("after reset_password: %s", st)
	}
	// reset_password with revokeSessions ends the sessions.
	wantStatus(t, send(t, s, "POST", "/api/v1/users/"+JaneDoeID+"/lifecycle/reset_password?sendEmail=true&revokeSessions=true", ""), 200)
	if len(liveSessions(s.Org, JaneDoeID)) != 0 {
		t.Error("revokeSessions=true left sessions")
	}
	// expire_password returns the user.
	u := wantStatus(t, send(t, s, "POST", "/api/v1/users/"+PriyaPatelID+"/lifecycle/expire_password", ""), 200)
	if u["id"] != PriyaPatelID || u["status"] != StatusPasswordExpired {
		t.Errorf("expire_password: %v", u)
	}
	// suspend, unsuspend, unlock, deactivate: 200 with no body.
	for _, p := range []string{
		"/api/v1/users/" + DanaWhiteID + "/lifecycle/suspend",
		"/api/v1/users/" + JohnSmithID + "/lifecycle/unsuspend",
		"/api/v1/users/" + CarlosRiveraID + "/lifecycle/unlock",
		"/api/v1/users/" + RobertBrownID + "/lifecycle/deactivate",
	} {
		if r := send(t, s, "POST", p, ""); r.status != 200 || len(r.body) != 0 {
			t.Errorf("%s: %d %q", p, r.status, r.body)
		}
	}
	if len(eventsOf(s.Org, "user.lifecycle.suspend", DanaWhiteID)) != 1 || len(eventsOf(s.Org, "user.account.unlock", CarlosRiveraID)) != 1 {
		t.Error("lifecycle events not recorded")
	}
	// Errors that are not about the status.
	wantError(t, send(t, s, "POST", "/api/v1/users/nobody/lifecycle/suspend", ""), 404, "E0000007")
	wantError(t, send(t, s, "POST", "/api/v1/users/"+AlexKimID+"/lifecycle/deactivate?sendEmail=perhaps", ""), 400, "E0000001")
	e := wantError(t, send(t, s, "POST", "/api/v1/users/"+AlexKimID+"/lifecycle/unlock", ""), 403, "E0000032")
	if e.ErrorSummary != "Unlock is not allowed for this user." {
		t.Errorf("unlock: %q", e.ErrorSummary)
	}
	// The user's _links follow the status.
	j := object(t, get(t, s, "/api/v1/users/"+DanaWhiteID))
	if _, ok := j["_links"].(map[string]any)["unsuspend"]; !ok {
		t.Errorf("suspended user's links: %v", j["_links"])
	}
}

func TestClearUserSessions(t *testing.T) {
	s := startServer(t, Options{})
	if len(liveSessions(s.Org, JaneDoeID)) != 2 {
		t.Fatal("fixture")
	}
	wantError(t, send(t, s, "DELETE", "/api/v1/users/nobody/sessions", ""), 404, "E0000007")
	wantError(t, send(t, s, "DELETE", "/api/v1/users/"+JaneDoeID+"/sessions?oauthTokens=sure", ""), 400, "E0000001")
	for _, q := range []string{"?oauthTokens=true", "?oauthTokens=false", ""} {
		if r := send(t, s, "DELETE", "/api/v1/users/"+JaneDoeID+"/sessions"+q, ""); r.status != 204 || len(r.body) != 0 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
	}
	if len(liveSessions(s.Org, JaneDoeID)) != 0 {
		t.Error("sessions survive")
	}
	for _, id := range s.Org.Sessions(JaneDoeID) {
		wantError(t, get(t, s, "/api/v1/sessions/"+id.ID), 404, "E0000007")
	}
	if len(eventsOf(s.Org, "user.session.clear", JaneDoeID)) != 3 {
		t.Error("no user.session.clear events")
	}
}
