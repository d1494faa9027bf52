package sandbox

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

func TestGroupWrites(t *testing.T) {
	clock := newFakeClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC))
	s := startServer(t, Options{Now: clock.Now})

	clock.Advance(time.Minute)
	g := wantStatus(t, send(t, s, "POST", "/api/v1/groups", `{"profile":{"name":"Incident Responders"}}`), 200)
	id, _ := g["id"].(string)
	p := g["profile"].(map[string]any)
	if !strings.HasPrefix(id, "00g") || g["type"] != "OKTA_GROUP" || p["name"] != "Incident Responders" ||
		g["created"] != oktaTime(clock.Now()) || g["objectClass"].([]any)[0] != "okta:user_group" {
		t.Fatalf("created %v", g)
	}
	if v, ok := p["description"]; !ok || v != nil {
		t.Errorf("description %v %v, want null", v, ok)
	}
	wantStatus(t, get(t, s, "/api/v1/groups/"+id), 200)
	for _, tc := range []struct{ body, cause string }{
		{`{"profile":{"name":"incident responders"}}`, "name: An object with this field already exists in the current organization"},
		{`{"profile":{"name":"AWS Production Admins"}}`, "name: An object with this field already exists in the current organization"},
		{`{"profile":{"description":"no name"}}`, "name: The field cannot be left blank"},
		{`{"profile":{"name":"X","owner":"me"}}`, "owner: Property name 'owner' is not defined in the group profile"},
		{`{}`, "profile: The field cannot be left blank"},
	} {
		e := wantError(t, send(t, s, "POST", "/api/v1/groups", tc.body), 400, "E0000001")
		if got := causes(e); len(got) == 0 || got[0] != tc.cause {
			t.Errorf("%s: causes %q", tc.body, got)
		}
	}
	// An app group's name can be reused by an Okta group.
	wantStatus(t, send(t, s, "POST", "/api/v1/groups", `{"profile":{"name":"Domain Users"}}`), 200)

	// Replace: the whole profile.
	clock.Advance(time.Minute)
	r := wantStatus(t, send(t, s, "PUT", "/api/v1/groups/"+id, `{"profile":{"name":"IR Team","description":"On call for incidents"}}`), 200)
	if r["profile"].(map[string]any)["name"] != "IR Team" || r["lastUpdated"] != oktaTime(clock.Now()) || r["created"] == r["lastUpdated"] {
		t.Errorf("replaced %v", r)
	}
	wantError(t, send(t, s, "PUT", "/api/v1/groups/"+id, `{"profile":{"name":"Engineering"}}`), 400, "E0000001")
	wantError(t, send(t, s, "PUT", "/api/v1/groups/00gnope", `{"profile":{"name":"X"}}`), 404, "E0000007")
	for _, other := range []string{appGroupID(s.Org), everyoneID(s.Org)} {
		e := wantError(t, send(t, s, "PUT", "/api/v1/groups/"+other, `{"profile":{"name":"Renamed"}}`), 403, "E0000006")
		if got := causes(e); len(got) != 1 || !strings.Contains(got[0], "only OKTA_GROUP groups can be changed") {
			t.Errorf("causes %q", got)
		}
		wantError(t, send(t, s, "DELETE", "/api/v1/groups/"+other, ""), 403, "E0000006")
		wantError(t, send(t, s, "PUT", "/api/v1/groups/"+other+"/users/"+EmilyChenID, ""), 403, "E0000006")
		wantError(t, send(t, s, "DELETE", "/api/v1/groups/"+other+"/users/"+JaneDoeID, ""), 403, "E0000006")
	}

	// Members: add (idempotent), remove (idempotent); lastMembershipUpdated
	// moves only when membership changes.
	members := "/api/v1/groups/" + id + "/users"
	clock.Advance(time.Minute)
	for i := 0; i < 2; i++ {
		if r := send(t, s, "PUT", members+"/"+JaneDoeID, ""); r.status != 204 || len(r.body) != 0 {
			t.Fatalf("PUT member: %d %s", r.status, r.body)
		}
	}
	added := oktaTime(clock.Now())
	clock.Advance(time.Minute)
	wantStatus(t, send(t, s, "PUT", members+"/"+JaneDoeID, ""), 204)
	gj := object(t, get(t, s, "/api/v1/groups/"+id))
	if gj["lastMembershipUpdated"] != added {
		t.Errorf("lastMembershipUpdated %v, want %s", gj["lastMembershipUpdated"], added)
	}
	if got := ids(objects(t, get(t, s, members))); len(got) != 1 || got[0] != JaneDoeID {
		t.Errorf("members %v", got)
	}
	wantError(t, send(t, s, "PUT", members+"/00unope", ""), 404, "E0000007")
	wantError(t, send(t, s, "PUT", "/api/v1/groups/00gnope/users/"+JaneDoeID, ""), 404, "E0000007")
	for i := 0; i < 2; i++ {
		wantStatus(t, send(t, s, "DELETE", members+"/"+JaneDoeID, ""), 204)
	}
	if n := len(objects(t, get(t, s, members))); n != 0 {
		t.Errorf("%d members after removal", n)
	}
	if len(eventsOf(s.Org, "group.user_membership.add", id)) != 1 || len(eventsOf(s.Org, "group.user_membership.remove", id)) != 1 {
		t.Error("one add and one remove event expected")
	}

	// Delete.
	if r := send(t, s, "DELETE", "/api/v1/groups/"+id, ""); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	wantError(t, get(t, s, "/api/v1/groups/"+id), 404, "E0000007")
	wantError(t, send(t, s, "DELETE", "/api/v1/groups/"+id, ""), 404, "E0000007")
	for _, e := range []string{"group.lifecycle.create", "group.profile.update", "group.lifecycle.delete"} {
		if len(eventsOf(s.Org, e, id)) != 1 {
			t.Errorf("no %s event", e)
		}
	}
}

// TestWritesThroughSDK drives user and group writes with the real client.
func TestWritesThroughSDK(t *testing.T) {
	s := startServer(t, Options{})
	c := sdkClient(t, s)
	ctx := context.Background()
	body := okta.CreateUserRequest{Profile: okta.UserProfile{
		FirstName: *okta.NewNullableString(okta.PtrString("Sdk")), LastName: *okta.NewNullableString(okta.PtrString("User")),
		Email: okta.PtrString("sdk.user@company.com"), Login: okta.PtrString("sdk.user@company.com"),
	}, GroupIds: []string{AWSProdAdminsID},
		// With a password, activation makes the user ACTIVE (without one,
		// PROVISIONED), so the lifecycle below can run.
		Credentials: &okta.UserCredentials{Password: &okta.PasswordCredential{Value: okta.PtrString("Correct-Horse-9")}}}
	u, _, err := c.UserAPI.CreateUser(ctx).Body(body).Activate(false).Execute()
	if err != nil || u.GetStatus() != "STAGED" {
		t.Fatalf("CreateUser: %+v %v", u, err)
	}
	tok, _, err := c.UserAPI.ActivateUser(ctx, u.GetId()).SendEmail(false).Execute()
	if err != nil || tok.GetActivationToken() == "" {
		t.Fatalf("ActivateUser: %+v %v", tok, err)
	}
	if _, err := c.UserAPI.SuspendUser(ctx, u.GetId()).Execute(); err != nil {
		t.Fatalf("SuspendUser: %v", err)
	}
	resp, err := c.UserAPI.SuspendUser(ctx, u.GetId()).Execute()
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("second SuspendUser: %v", err)
	}
	if _, err := c.UserAPI.UnsuspendUser(ctx, u.GetId()).Execute(); err != nil {
		t.Fatalf("UnsuspendUser: %v", err)
	}
	rp, _, err := c.UserAPI.GenerateResetPasswordToken(ctx, u.GetId()).SendEmail(false).Execute()
	if err != nil || rp.GetResetPasswordUrl() == "" {
		t.Fatalf("GenerateResetPasswordToken: %+v %v", rp, err)
	}
	ex, _, err := c.UserAPI.ExpirePassword(ctx, u.GetId()).Execute()
	if err != nil || ex.GetStatus() != "PASSWORD_EXPIRED" {
		t.Fatalf("ExpirePassword: %+v %v", ex, err)
	}
	upd, _, err := c.UserAPI.UpdateUser(ctx, u.GetId()).User(okta.UpdateUserRequest{Profile: &okta.UserProfile{Title: *okta.NewNullableString(okta.PtrString("SDK Tester"))}}).Execute()
	if err != nil || upd.Profile.GetTitle() != "SDK Tester" || upd.Profile.GetFirstName() != "Sdk" {
		t.Fatalf("UpdateUser: %+v %v", upd, err)
	}
	if _, err := c.UserAPI.DeactivateUser(ctx, u.GetId()).Execute(); err != nil {
		t.Fatalf("DeactivateUser: %v", err)
	}
	if _, err := c.UserAPI.DeleteUser(ctx, u.GetId()).Execute(); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}

	gp := okta.NewGroupProfile()
	gp.SetName("SDK Group")
	g, _, err := c.GroupAPI.CreateGroup(ctx).Group(okta.Group{Profile: gp}).Execute()
	if err != nil || g.GetType() != "OKTA_GROUP" {
		t.Fatalf("CreateGroup: %+v %v", g, err)
	}
	if _, err := c.GroupAPI.AssignUserToGroup(ctx, g.GetId(), JaneDoeID).Execute(); err != nil {
		t.Fatalf("AssignUserToGroup: %v", err)
	}
	if _, err := c.GroupAPI.UnassignUserFromGroup(ctx, g.GetId(), JaneDoeID).Execute(); err != nil {
		t.Fatalf("UnassignUserFromGroup: %v", err)
	}
	if _, err := c.GroupAPI.DeleteGroup(ctx, g.GetId()).Execute(); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
}

// TestWriteEndpointsAuthAndRateLimits: new endpoints need the token like
// the others and count against their own buckets.
func TestWriteEndpointsAuthAndRateLimits(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct{ method, path string }{
		{"POST", "/api/v1/users"},
		{"POST", "/api/v1/users/" + JaneDoeID + "/lifecycle/suspend"},
		{"DELETE", "/api/v1/groups/" + AWSProdAdminsID},
		{"GET", "/api/v1/logs"},
		{"GET", "/api/v1/sessions/x"},
		{"GET", "/api/v1/iam/roles"},
		{"POST", "/api/v1/groups/" + AWSProdAdminsID + "/roles"},
	} {
		wantError(t, do(t, s, tc.method, tc.path, "-"), 401, "E0000011")
		wantError(t, do(t, s, tc.method, tc.path, "SSWS wrong"), 401, "E0000011")
	}
	if st := userStatus(s.Org, JaneDoeID); st != StatusActive {
		t.Fatalf("an unauthenticated request changed jane: %s", st)
	}
	s.Org.SetRateLimit("POST /api/v1/users/{id}/lifecycle/suspend", 1, time.Minute)
	r := send(t, s, "POST", "/api/v1/users/"+JaneDoeID+"/lifecycle/suspend", "")
	if r.status != 200 || r.header.Get("X-Rate-Limit-Limit") != "1" || r.header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Fatalf("first suspend: %d %v", r.status, r.header)
	}
	wantError(t, send(t, s, "POST", "/api/v1/users/"+AlexKimID+"/lifecycle/suspend", ""), 429, "E0000047")
	if st := userStatus(s.Org, AlexKimID); st != StatusActive {
		t.Errorf("a rate-limited request changed alex: %s", st)
	}
	// Other buckets are unaffected.
	wantStatus(t, send(t, s, "POST", "/api/v1/users/"+JaneDoeID+"/lifecycle/unsuspend", ""), 200)
	if got := send(t, s, "GET", "/api/v1/logs?limit=1", ""); got.header.Get("X-Rate-Limit-Limit") != "600" {
		t.Errorf("logs bucket limit %q", got.header.Get("X-Rate-Limit-Limit"))
	}
}
