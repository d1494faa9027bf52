package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func groupIDsWhere(o *Org, f func(GroupInfo) bool) []string {
	var out []string
	for _, g := range o.Groups() {
		if f(g) {
			out = append(out, g.ID)
		}
	}
	return out
}

func TestListGroups(t *testing.T) {
	s := startServer(t, Options{})
	all := groupIDsWhere(s.Org, func(GroupInfo) bool { return true })
	where := func(f func(GroupInfo) bool) []string { return groupIDsWhere(s.Org, f) }

	t.Run("default page holds every group", func(t *testing.T) {
		r := get(t, s, "/api/v1/groups")
		if l := links(t, r); l["next"] != "" {
			t.Errorf("next link with %d groups and default limit 200", len(all))
		}
		if got := ids(objects(t, r)); !slices.Equal(got, all) {
			t.Errorf("got %d groups, want %d in list order", len(got), len(all))
		}
	})
	for _, limit := range []string{"1", "7", "39"} {
		t.Run("paging by "+limit, func(t *testing.T) {
			n, _ := strconv.Atoi(limit)
			got := ids(pageAll(t, s, path("/api/v1/groups", "limit", limit), n))
			if !slices.Equal(got, all) {
				t.Errorf("paging gives %d groups, want %d in order", len(got), len(all))
			}
		})
	}

	for _, tc := range []struct {
		name, param, value string
		want               []string
	}{
		{"q prefix", "q", "AWS", where(func(g GroupInfo) bool { return strings.HasPrefix(g.Name, "AWS") })},
		{"q case-insensitive", "q", "aws prod", []string{AWSProdAdminsID}},
		{"q office", "q", "Office - ", where(func(g GroupInfo) bool { return strings.HasPrefix(g.Name, "Office - ") })},
		{"search name eq", "search", `profile.name eq "AWS Production Admins"`, []string{AWSProdAdminsID}},
		{"search name co", "search", `profile.name co "admins"`, where(func(g GroupInfo) bool { return strings.Contains(strings.ToLower(g.Name), "admins") })},
		{"search type", "search", `type eq "APP_GROUP"`, where(func(g GroupInfo) bool { return g.Type == GroupTypeApp })},
		{"search built-in", "search", `type eq "BUILT_IN"`, where(func(g GroupInfo) bool { return g.Name == "Everyone" })},
		{"search source", "search", `source.id eq "` + adAppID + `"`, where(func(g GroupInfo) bool {
			return slices.Contains([]string{"Domain Users", "Domain Admins", "Finance-FileShare", "Build-Servers"}, g.Name)
		})},
		{"search or", "search", `type eq "BUILT_IN" or profile.name sw "Office"`, where(func(g GroupInfo) bool {
			return g.Type == GroupTypeBuiltIn || strings.HasPrefix(g.Name, "Office")
		})},
		{"search created", "search", `created gt "2000-01-01T00:00:00.000Z"`, all},
		{"filter type", "filter", `type eq "OKTA_GROUP"`, where(func(g GroupInfo) bool { return g.Type == GroupTypeOkta })},
		{"filter id", "filter", `id eq "` + AWSProdAdminsID + `" or id eq "nope"`, []string{AWSProdAdminsID}},
		{"filter lastMembershipUpdated", "filter", `lastMembershipUpdated gt "2000-01-01T00:00:00.000Z"`, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, path("/api/v1/groups", tc.param, tc.value))
			got := ids(objects(t, r))
			sameSet(t, tc.param+"="+tc.value, got, tc.want)
			for _, g := range objects(t, r) {
				if tc.param == "q" && !strings.HasPrefix(strings.ToLower(g["profile"].(map[string]any)["name"].(string)), strings.ToLower(tc.value)) {
					t.Errorf("%v does not start with %q", g["profile"], tc.value)
				}
			}
		})
	}

	t.Run("q is not pageable", func(t *testing.T) {
		r := get(t, s, path("/api/v1/groups", "q", "O", "limit", "1"))
		if got := objects(t, r); len(got) != 1 {
			t.Errorf("%d groups, want 1", len(got))
		}
		if l := links(t, r); l["next"] != "" {
			t.Errorf("next link for q: %q", l["next"])
		}
	})

	for _, tc := range []struct{ param, value, code string }{
		{"filter", `profile.name eq "Everyone"`, "E0000031"},
		{"filter", `type sw "OKTA"`, "E0000031"},
		{"search", `type co "GROUP"`, "E0000031"},
		{"search", `profile.name eq`, "E0000031"},
		{"limit", "0", "E0000001"},
		{"limit", "x", "E0000001"},
	} {
		t.Run(tc.param+" "+tc.value, func(t *testing.T) {
			wantError(t, get(t, s, path("/api/v1/groups", tc.param, tc.value)), http.StatusBadRequest, tc.code)
		})
	}
	t.Run("search and filter", func(t *testing.T) {
		r := get(t, s, path("/api/v1/groups", "search", `type eq "BUILT_IN"`, "filter", `type eq "BUILT_IN"`))
		wantError(t, r, http.StatusBadRequest, "E0000033")
	})

	t.Run("expand=stats", func(t *testing.T) {
		members := map[string]int{}
		for _, g := range s.Org.Groups() {
			members[g.ID] = len(g.MemberIDs)
		}
		for _, g := range objects(t, get(t, s, path("/api/v1/groups", "expand", "stats"))) {
			stats := g["_embedded"].(map[string]any)["stats"].(map[string]any)
			if int(stats["usersCount"].(float64)) != members[g["id"].(string)] {
				t.Errorf("%v usersCount %v, want %d", g["id"], stats["usersCount"], members[g["id"].(string)])
			}
		}
	})
}

func TestGroupJSONShape(t *testing.T) {
	s := startServer(t, Options{})
	for _, g := range objects(t, get(t, s, "/api/v1/groups")) {
		for _, k := range []string{"id", "created", "lastUpdated", "lastMembershipUpdated", "objectClass", "type", "profile", "_links"} {
			if _, ok := g[k]; !ok {
				t.Errorf("group %v lacks %q", g["id"], k)
			}
		}
		if _, ok := g["_embedded"]; ok {
			t.Errorf("group %v has _embedded without expand", g["id"])
		}
		ls := g["_links"].(map[string]any)
		id := g["id"].(string)
		if ls["users"].(map[string]any)["href"] != s.URL+"/api/v1/groups/"+id+"/users" {
			t.Errorf("users link %v", ls["users"])
		}
		if ls["apps"] == nil || len(ls["logo"].([]any)) != 2 {
			t.Errorf("links %v", ls)
		}
		p := g["profile"].(map[string]any)
		if p["name"] == "" || p["description"] == nil {
			t.Errorf("profile %v", p)
		}
		if !matchRE(`^00g[a-z0-9]{17}$`, id) {
			t.Errorf("group id %q", id)
		}
	}
}

func TestGetGroup(t *testing.T) {
	s := startServer(t, Options{})
	g := object(t, get(t, s, "/api/v1/groups/"+AWSProdAdminsID))
	if g["profile"].(map[string]any)["name"] != "AWS Production Admins" || g["type"] != GroupTypeOkta {
		t.Errorf("fixture group %v", g)
	}
	if ocs := g["objectClass"].([]any); len(ocs) != 1 || ocs[0] != "okta:user_group" {
		t.Errorf("objectClass %v", ocs)
	}
	e := wantError(t, get(t, s, "/api/v1/groups/00gnope"), http.StatusNotFound, "E0000007")
	if !strings.Contains(e.ErrorSummary, "00gnope") {
		t.Errorf("errorSummary %q", e.ErrorSummary)
	}
	wantError(t, get(t, s, "/api/v1/groups/00gnope/users"), http.StatusNotFound, "E0000007")
}

func TestAWSProductionAdminsMembers(t *testing.T) {
	s := startServer(t, Options{})
	users := map[string]UserInfo{}
	for _, u := range s.Org.Users() {
		users[u.ID] = u
	}
	members := objects(t, get(t, s, "/api/v1/groups/"+AWSProdAdminsID+"/users"))
	var fixture []string
	for _, g := range s.Org.Groups() {
		if g.ID == AWSProdAdminsID {
			fixture = g.MemberIDs
		}
	}
	if !slices.Equal(ids(members), fixture) {
		t.Fatalf("members over HTTP %v, Groups() %v", ids(members), fixture)
	}
	var suspended, deprovisioned, outside, activeEng int
	for _, m := range members {
		id := m["id"].(string)
		u := users[id]
		if m["status"] != u.Status {
			t.Errorf("%s status %v vs %s", id, m["status"], u.Status)
		}
		switch {
		case u.Status == StatusSuspended:
			suspended++
		case u.Status == StatusDeprovisioned:
			deprovisioned++
		case u.Department != "Engineering":
			outside++
			if u.Status != StatusActive {
				t.Errorf("non-Engineering member %s is %s", id, u.Status)
			}
		case u.Status == StatusActive:
			activeEng++
		default:
			t.Errorf("unexpected member %s: %s %s", id, u.Status, u.Department)
		}
	}
	if suspended != 1 || deprovisioned != 1 || outside != 1 {
		t.Errorf("suspended %d, deprovisioned %d, outside Engineering %d; want 1 each", suspended, deprovisioned, outside)
	}
	if activeEng <= suspended+deprovisioned+outside {
		t.Errorf("only %d ACTIVE Engineering members: should be most", activeEng)
	}
	for _, id := range []string{JaneDoeID, JohnSmithID, MichaelJohnsonID, PriyaPatelID} {
		if !slices.Contains(fixture, id) {
			t.Errorf("fixture member %s missing", id)
		}
	}

	// The users search language works on members too.
	got := ids(objects(t, get(t, s, path("/api/v1/groups/"+AWSProdAdminsID+"/users", "search", `status eq "SUSPENDED"`))))
	if !slices.Equal(got, []string{JohnSmithID}) {
		t.Errorf("suspended members %v", got)
	}
}

func TestGroupMembersPaging(t *testing.T) {
	s := startServer(t, Options{ExtraUsers: 1500})
	var everyone GroupInfo
	for _, g := range s.Org.Groups() {
		if g.Name == "Everyone" {
			everyone = g
		}
	}
	if len(everyone.MemberIDs) != len(s.Org.Users()) {
		t.Fatalf("Everyone has %d members, org %d users", len(everyone.MemberIDs), len(s.Org.Users()))
	}
	for _, tc := range []struct {
		limit string
		max   int
	}{
		{"", membersDefaultLimit},
		{"5000", membersMaxLimit},
		{"333", 333},
	} {
		t.Run("limit "+tc.limit, func(t *testing.T) {
			p := "/api/v1/groups/" + everyone.ID + "/users"
			if tc.limit != "" {
				p = path(p, "limit", tc.limit)
			}
			r := get(t, s, p)
			if got := len(objects(t, r)); got != tc.max {
				t.Errorf("first page %d members, want %d", got, tc.max)
			}
			got := ids(pageAll(t, s, p, tc.max))
			if !slices.Equal(got, everyone.MemberIDs) {
				t.Errorf("paged %d members, want %d in order", len(got), len(everyone.MemberIDs))
			}
		})
	}
}
