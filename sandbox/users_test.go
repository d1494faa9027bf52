package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func notDeprovisioned(u UserInfo) bool { return u.Status != StatusDeprovisioned }

func TestListUsersPagesToEnd(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		limit string
		max   int
	}{
		{"default limit", Options{}, "", 200},
		{"limit 37", Options{}, "37", 37},
		{"limit 1 small org", Options{ExtraUsers: 5}, "1", 1},
		{"large org", Options{ExtraUsers: 3000}, "200", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, tc.opts)
			first := "/api/v1/users"
			if tc.limit != "" {
				first = path(first, "limit", tc.limit)
			}
			all := pageAll(t, s, first, tc.max)
			want := usersWhere(s.Org, notDeprovisioned)
			sameSet(t, "plain list", ids(all), want)
			if !slices.Equal(ids(all), want) {
				t.Error("pages are not in the stable list order")
			}
			for _, u := range all {
				if u["status"] == StatusDeprovisioned {
					t.Errorf("plain list returned DEPROVISIONED %v", u["id"])
				}
			}
		})
	}
}

func TestListUsersLinkHeaders(t *testing.T) {
	s := startServer(t, Options{})
	r := get(t, s, path("/api/v1/users", "limit", "3", "sortBy", "id"))
	if n := len(r.header.Values("Link")); n != 2 {
		t.Fatalf("%d Link header lines, want 2 (self and next): %q", n, r.header.Values("Link"))
	}
	l := links(t, r)
	page := objects(t, r)
	next, err := url.Parse(l["next"])
	if err != nil {
		t.Fatal(err)
	}
	if next.Host != strings.TrimPrefix(s.URL, "http://") || next.Scheme != "http" || next.Path != "/api/v1/users" {
		t.Errorf("next link %q: want absolute URL on the request's host", l["next"])
	}
	q := next.Query()
	if q.Get("after") != page[2]["id"] || q.Get("limit") != "3" || q.Get("sortBy") != "id" {
		t.Errorf("next link query %v: want after=last id, limit=3 and the original parameters", q)
	}
	if !strings.HasSuffix(l["self"], "/api/v1/users?limit=3&sortBy=id") {
		t.Errorf("self link %q", l["self"])
	}

	// The last page has only the self link.
	last := get(t, s, path("/api/v1/users", "after", "00uzzzzzzzzzzzzzzzzz"))
	if got := objects(t, last); len(got) != 0 {
		t.Errorf("after the last id: %d users", len(got))
	}
	if l := links(t, last); l["next"] != "" {
		t.Errorf("next link on the last page: %q", l["next"])
	}
}

func TestListUsersLimit(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct {
		limit string
		want  int // items; 0 = expect 400
	}{
		{"5", 5},
		{"200", 200},
		{"201", 200},
		{"100000", 200},
		{"99999999999999999999999", 200},
		{"0", 0},
		{"-3", 0},
		{"abc", 0},
		{"1.5", 0},
	} {
		t.Run(tc.limit, func(t *testing.T) {
			r := get(t, s, path("/api/v1/users", "limit", tc.limit))
			if tc.want == 0 {
				e := wantError(t, r, http.StatusBadRequest, "E0000001")
				if !strings.Contains(e.ErrorSummary, "limit") || len(e.ErrorCauses) != 1 || !strings.Contains(e.ErrorCauses[0].ErrorSummary, "limit") {
					t.Errorf("error does not name limit: %+v", e)
				}
				return
			}
			if got := len(objects(t, r)); got != tc.want {
				t.Errorf("%d users, want %d", got, tc.want)
			}
		})
	}
}

func TestListUsersQ(t *testing.T) {
	s := startServer(t, Options{})
	all := s.Org.Users()
	prefix := func(q string) []string {
		var out []string
		lq := strings.ToLower(q)
		for _, u := range all {
			if u.Status == StatusDeprovisioned {
				continue
			}
			for _, v := range []string{u.FirstName, u.LastName, u.Email, u.Login} {
				if strings.HasPrefix(strings.ToLower(v), lq) {
					out = append(out, u.ID)
					break
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		q, limit string
		want     []string // nil: compute with prefix()
		wantN    int      // when want is nil and the result is capped
	}{
		{q: "jane.doe@company.com", want: []string{JaneDoeID}},
		{q: "JANE.DOE", want: []string{JaneDoeID}},
		{q: "Doe", limit: "200"},
		{q: "priya.p", want: []string{PriyaPatelID}},
		{q: "michael.johnson@", want: []string{}}, // DEPROVISIONED is omitted
		{q: "alex.kim", want: []string{AlexKimID, AlexKimPartnerID}},
		{q: "a", wantN: 10}, // default limit 10
		{q: "a", limit: "25", wantN: 25},
	} {
		t.Run(tc.q+"/"+tc.limit, func(t *testing.T) {
			p := path("/api/v1/users", "q", tc.q)
			if tc.limit != "" {
				p = path("/api/v1/users", "q", tc.q, "limit", tc.limit)
			}
			r := get(t, s, p)
			got := ids(objects(t, r))
			if l := links(t, r); l["next"] != "" {
				t.Errorf("q results are not pageable, got next %q", l["next"])
			}
			switch {
			case tc.wantN > 0:
				if len(got) != tc.wantN {
					t.Errorf("%d users, want %d", len(got), tc.wantN)
				}
				matching := prefix(tc.q)
				for _, id := range got {
					if !slices.Contains(matching, id) {
						t.Errorf("%s does not match q=%s", id, tc.q)
					}
				}
			case tc.want == nil:
				sameSet(t, "q="+tc.q, got, prefix(tc.q))
			default:
				sameSet(t, "q="+tc.q, got, tc.want)
			}
		})
	}
}

func TestListUsersSearch(t *testing.T) {
	s := startServer(t, Options{})
	all := s.Org.Users()
	where := func(f func(UserInfo) bool) []string { return usersWhere(s.Org, f) }
	eng := func(u UserInfo) bool { return u.Department == "Engineering" }
	for _, tc := range []struct {
		search string
		want   []string
	}{
		{`profile.department eq "Engineering"`, where(eng)},
		{`profile.department eq "engineering"`, where(eng)},
		{`status eq "DEPROVISIONED"`, where(func(u UserInfo) bool { return u.Status == StatusDeprovisioned })},
		{`id eq "` + JaneDoeID + `"`, []string{JaneDoeID}},
		{`profile.login eq "jane.doe@company.com"`, []string{JaneDoeID}},
		{`profile.lastName sw "Do"`, where(func(u UserInfo) bool { return strings.HasPrefix(u.LastName, "Do") })},
		{`profile.email co "n.doe@"`, where(func(u UserInfo) bool { return strings.Contains(u.Email, "n.doe@") })},
		{`profile.firstName co "LEX"`, where(func(u UserInfo) bool { return strings.Contains(strings.ToLower(u.FirstName), "lex") })},
		{`profile.department eq "Engineering" and (status eq "SUSPENDED" or status eq "DEPROVISIONED")`,
			where(func(u UserInfo) bool {
				return eng(u) && (u.Status == StatusSuspended || u.Status == StatusDeprovisioned)
			})},
		{`profile.department eq "Sales" or profile.department eq "Legal" and status eq "ACTIVE"`, // and binds tighter
			where(func(u UserInfo) bool {
				return u.Department == "Sales" || (u.Department == "Legal" && u.Status == StatusActive)
			})},
		{`not (status eq "ACTIVE") AND profile.department EQ "Finance"`,
			where(func(u UserInfo) bool { return u.Status != StatusActive && u.Department == "Finance" })},
		{`profile.mobilePhone pr and profile.department eq "HR"`, nil}, // checked below
		{`type.id eq "` + defaultUserTypeID + `"`, where(func(UserInfo) bool { return true })},
		{`created lt "2000-01-01T00:00:00.000Z"`, nil},
		{`created gt "2000-01-01T00:00:00Z"`, where(func(UserInfo) bool { return true })},
		{`profile.lastName eq "O\"Brien"`, nil},
		{`profile.nickName eq "nobody"`, nil},
	} {
		t.Run(tc.search, func(t *testing.T) {
			got := ids(pageAll(t, s, path("/api/v1/users", "search", tc.search, "limit", "200"), 200))
			if tc.search == `profile.mobilePhone pr and profile.department eq "HR"` {
				if len(got) == 0 {
					t.Fatal("no HR user with a mobile phone")
				}
				for _, id := range got {
					u := object(t, get(t, s, "/api/v1/users/"+id))
					p := u["profile"].(map[string]any)
					if p["mobilePhone"] == nil || p["department"] != "HR" {
						t.Errorf("%s does not match: %v", id, p)
					}
				}
				return
			}
			sameSet(t, tc.search, got, tc.want)
		})
	}
	if len(all) == 0 {
		t.Fatal("no users")
	}
}

func TestListUsersFilter(t *testing.T) {
	s := startServer(t, Options{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	where := func(f func(UserInfo) bool) []string { return usersWhere(s.Org, f) }
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`status eq "ACTIVE"`, where(func(u UserInfo) bool { return u.Status == StatusActive })},
		{`status eq "DEPROVISIONED"`, where(func(u UserInfo) bool { return u.Status == StatusDeprovisioned })},
		{`status eq "SUSPENDED" or status eq "LOCKED_OUT"`,
			where(func(u UserInfo) bool { return u.Status == StatusSuspended || u.Status == StatusLockedOut })},
		{`profile.login eq "Jane.Doe@company.com"`, []string{JaneDoeID}},
		{`(profile.firstName eq "Alex" and profile.lastName eq "Kim")`, []string{AlexKimID, AlexKimPartnerID}},
		{`id eq "` + MichaelJohnsonID + `"`, []string{MichaelJohnsonID}},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			got := ids(pageAll(t, s, path("/api/v1/users", "filter", tc.filter, "limit", "100"), 100))
			sameSet(t, tc.filter, got, tc.want)
		})
	}

	// lastUpdated ranges split the whole org, DEPROVISIONED included.
	cut := "2025-06-01T00:00:00.000Z"
	before := ids(pageAll(t, s, path("/api/v1/users", "filter", `lastUpdated le "`+cut+`"`), 200))
	after := ids(pageAll(t, s, path("/api/v1/users", "filter", `lastUpdated gt "`+cut+`"`), 200))
	if len(before) == 0 || len(after) == 0 {
		t.Fatalf("lastUpdated split %d/%d: want users on both sides", len(before), len(after))
	}
	sameSet(t, "lastUpdated le + gt", append(before, after...), where(func(UserInfo) bool { return true }))
}

func TestListUsersExpressionErrors(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct {
		param, expr, cause string
	}{
		{"filter", `profile.department eq "Engineering"`, "profile.department"},
		{"filter", `profile.lastName sw "Do"`, "sw"},
		{"filter", `status gt "ACTIVE"`, "gt"},
		{"filter", `not (status eq "ACTIVE")`, "not"},
		{"search", `lastLogin gt "2024-01-01T00:00:00.000Z"`, "lastLogin"},
		{"search", `profile.department co "Eng"`, "co"},
		{"search", `status ne "ACTIVE"`, "ne"},
		{"search", `profile.lastName xx "Doe"`, "xx"},
		{"search", `profile.lastName eq Doe`, "double-quoted"},
		{"search", `profile.lastName eq 'Doe'`, "double quotes"},
		{"search", `profile.lastName eq "Doe`, "unterminated"},
		{"search", `profile.lastName eq`, "value"},
		{"search", `(status eq "ACTIVE"`, ")"},
		{"search", `status eq "ACTIVE")`, ")"},
		{"search", `status eq "ACTIVE" and`, "attribute"},
		{"search", `status eq "ACTIVE" xor status eq "STAGED"`, "xor"},
		{"search", `created gt "yesterday"`, "timestamp"},
		{"search", `lastUpdated sw "2024"`, "sw"},
		{"search", `Profile.lastName eq "Doe"`, "Profile.lastName"}, // attribute names are case-sensitive
		{"search", `credentials.provider.type eq "OKTA"`, "credentials"},
		{"search", `   `, "empty"},
		{"search", strings.Repeat("(", 40) + `status eq "ACTIVE"` + strings.Repeat(")", 40), "nested"},
	} {
		t.Run(tc.param+" "+tc.expr, func(t *testing.T) {
			r := get(t, s, path("/api/v1/users", tc.param, tc.expr))
			e := wantError(t, r, http.StatusBadRequest, "E0000031")
			if e.ErrorSummary != "Invalid search criteria." {
				t.Errorf("errorSummary %q", e.ErrorSummary)
			}
			if len(e.ErrorCauses) != 1 || !strings.Contains(e.ErrorCauses[0].ErrorSummary, tc.cause) {
				t.Errorf("errorCauses %+v, want one mentioning %q", e.ErrorCauses, tc.cause)
			}
		})
	}

	t.Run("search and filter together", func(t *testing.T) {
		r := get(t, s, path("/api/v1/users", "search", `status eq "ACTIVE"`, "filter", `status eq "ACTIVE"`))
		wantError(t, r, http.StatusBadRequest, "E0000033")
	})
}

func TestGetUser(t *testing.T) {
	s := startServer(t, Options{})
	for _, tc := range []struct {
		name, path, wantID string
	}{
		{"id", "/api/v1/users/" + JaneDoeID, JaneDoeID},
		{"login", "/api/v1/users/jane.doe@company.com", JaneDoeID},
		{"escaped login", "/api/v1/users/jane.doe%40company.com", JaneDoeID},
		{"login case-insensitive", "/api/v1/users/Jane.Doe@Company.com", JaneDoeID},
		{"short name", "/api/v1/users/jane.doe", JaneDoeID},
		{"login with plus", "/api/v1/users/dana.white+admin@company.com", DanaWhiteID},
		{"escaped plus", "/api/v1/users/dana.white%2Badmin%40company.com", DanaWhiteID},
		{"short name with plus", "/api/v1/users/dana.white%2Badmin", DanaWhiteID},
		{"second login of a shared short name", "/api/v1/users/alex.kim@partner.example.com", AlexKimPartnerID},
		{"deprovisioned by id", "/api/v1/users/" + MichaelJohnsonID, MichaelJohnsonID},
		{"ambiguous short name", "/api/v1/users/alex.kim", ""},
		{"unknown id", "/api/v1/users/00uxxxxxxxxxxxxxxxxx", ""},
		{"unknown login", "/api/v1/users/nobody@company.com", ""},
		{"escaped slash", "/api/v1/users/jane.doe%2Fcompany.com", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, tc.path)
			if tc.wantID == "" {
				e := wantError(t, r, http.StatusNotFound, "E0000007")
				if !strings.HasPrefix(e.ErrorSummary, "Not found: Resource not found: ") {
					t.Errorf("errorSummary %q", e.ErrorSummary)
				}
				return
			}
			u := object(t, r)
			if u["id"] != tc.wantID {
				t.Fatalf("got %v, want %s", u["id"], tc.wantID)
			}
			ls := u["_links"].(map[string]any)
			self := ls["self"].(map[string]any)["href"]
			if self != s.URL+"/api/v1/users/"+tc.wantID {
				t.Errorf("self href %v", self)
			}
		})
	}

	t.Run("lifecycle links follow status", func(t *testing.T) {
		for id, want := range map[string]string{
			JaneDoeID:        "suspend",
			JohnSmithID:      "unsuspend",
			CarlosRiveraID:   "unlock",
			EmilyChenID:      "activate",
			MichaelJohnsonID: "activate",
		} {
			u := object(t, get(t, s, "/api/v1/users/"+id))
			ls := u["_links"].(map[string]any)
			l, ok := ls[want].(map[string]any)
			if !ok || !strings.HasSuffix(l["href"].(string), "/api/v1/users/"+id+lifecyclePaths[want]) || l["method"] != "POST" {
				t.Errorf("%s (%v): %s link %v", id, u["status"], want, ls[want])
			}
		}
	})
}

func TestUserJSONShape(t *testing.T) {
	s := startServer(t, Options{})
	tsRE := `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`
	users := pageAll(t, s, path("/api/v1/users", "search", `id pr or status pr`), 200)
	if len(users) != len(s.Org.Users()) {
		t.Fatalf("search returned %d of %d users", len(users), len(s.Org.Users()))
	}
	for _, u := range users {
		for _, k := range []string{"id", "status", "created", "activated", "statusChanged", "lastLogin", "lastUpdated", "passwordChanged", "type", "profile", "credentials", "_links"} {
			if _, ok := u[k]; !ok {
				t.Fatalf("user %v lacks %q", u["id"], k)
			}
		}
		for _, k := range []string{"created", "lastUpdated", "activated", "statusChanged", "lastLogin", "passwordChanged"} {
			v := u[k]
			if v == nil {
				continue
			}
			if !matchRE(tsRE, v.(string)) {
				t.Errorf("%v %s = %q, want RFC 3339 with milliseconds and Z", u["id"], k, v)
			}
		}
		ls := u["_links"].(map[string]any)
		if len(ls) != 1 || ls["self"] == nil {
			t.Errorf("list _links should hold only self: %v", ls)
		}
		switch u["status"] {
		case StatusStaged:
			if u["activated"] != nil || u["lastLogin"] != nil {
				t.Errorf("STAGED %v has activated/lastLogin", u["id"])
			}
		case StatusDeprovisioned:
			if u["statusChanged"] == nil {
				t.Errorf("DEPROVISIONED %v has no statusChanged", u["id"])
			}
		}
		created, _ := time.Parse(time.RFC3339, u["created"].(string))
		updated, _ := time.Parse(time.RFC3339, u["lastUpdated"].(string))
		if updated.Before(created) {
			t.Errorf("%v lastUpdated before created", u["id"])
		}
		p := u["profile"].(map[string]any)
		if p["login"] != p["email"] || p["department"] == "" || p["employeeNumber"] == "" {
			t.Errorf("profile %v", p)
		}
		cred := u["credentials"].(map[string]any)["provider"].(map[string]any)
		if cred["type"] != "OKTA" || cred["name"] != "OKTA" {
			t.Errorf("credentials.provider %v", cred)
		}
	}
}

func TestListUserGroups(t *testing.T) {
	s := startServer(t, Options{})
	var want []string
	names := map[string]string{}
	for _, g := range s.Org.Groups() {
		names[g.ID] = g.Name
		if slices.Contains(g.MemberIDs, JaneDoeID) {
			want = append(want, g.ID)
		}
	}
	got := ids(pageAll(t, s, "/api/v1/users/jane.doe@company.com/groups", userGroupsDefault))
	sameSet(t, "jane's groups", got, want)
	var gotNames []string
	for _, id := range got {
		gotNames = append(gotNames, names[id])
	}
	for _, n := range []string{"Everyone", "Engineering", "AWS Production Admins"} {
		if !slices.Contains(gotNames, n) {
			t.Errorf("jane is not in %q: %v", n, gotNames)
		}
	}
	got3 := ids(pageAll(t, s, path("/api/v1/users/"+JaneDoeID+"/groups", "limit", "3"), 3))
	if !slices.Equal(got, got3) {
		t.Errorf("paging by 3 gives %v, default gives %v", got3, got)
	}
	wantError(t, get(t, s, "/api/v1/users/nobody/groups"), http.StatusNotFound, "E0000007")
}

func matchRE(re, s string) bool {
	return regexp.MustCompile(re).MatchString(s)
}
