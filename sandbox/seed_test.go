package sandbox

import (
	"reflect"
	"regexp"
	"testing"
	"time"
)

func TestSeedDeterministic(t *testing.T) {
	now := time.Date(2026, 2, 3, 4, 5, 6, 7_000_000, time.UTC)
	clock := func() time.Time { return now }
	for _, opts := range []Options{{Now: clock}, {Now: clock, ExtraUsers: 50}, {Now: clock, ExtraUsers: 3000}} {
		a, b := New(opts), New(opts)
		if !reflect.DeepEqual(a.Users(), b.Users()) {
			t.Errorf("ExtraUsers %d: Users() differ between two New", opts.ExtraUsers)
		}
		if !reflect.DeepEqual(a.Groups(), b.Groups()) {
			t.Errorf("ExtraUsers %d: Groups() differ between two New", opts.ExtraUsers)
		}
	}

	// Another clock moves timestamps but keeps IDs, names and statuses.
	a := New(Options{Now: clock})
	b := New(Options{Now: func() time.Time { return now.Add(1000 * time.Hour) }})
	ua, ub := a.Users(), b.Users()
	for i := range ua {
		x, y := ua[i], ub[i]
		x.LastLogin, y.LastLogin = nil, nil
		if x != y {
			t.Fatalf("user %d differs across clocks: %+v vs %+v", i, x, y)
		}
		if (ua[i].LastLogin == nil) != (ub[i].LastLogin == nil) ||
			(ua[i].LastLogin != nil && !ua[i].LastLogin.Add(1000*time.Hour).Equal(*ub[i].LastLogin)) {
			t.Fatalf("user %d lastLogin not relative to Now: %v vs %v", i, ua[i].LastLogin, ub[i].LastLogin)
		}
	}
}

func TestSeedShape(t *testing.T) {
	now := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	o := New(Options{Now: func() time.Time { return now }})
	users := o.Users()
	if len(users) != defaultTotalUsers {
		t.Errorf("%d users, want %d", len(users), defaultTotalUsers)
	}
	idRE := regexp.MustCompile(`^00u[a-z0-9]{17}$`)
	byStatus := map[string]int{}
	logins := map[string]bool{}
	inactive, active := 0, 0
	for i, u := range users {
		if !idRE.MatchString(u.ID) {
			t.Errorf("user id %q", u.ID)
		}
		if i > 0 && users[i-1].ID >= u.ID {
			t.Errorf("users not in id order at %d", i)
		}
		if logins[u.Login] {
			t.Errorf("login %q twice", u.Login)
		}
		logins[u.Login] = true
		byStatus[u.Status]++
		if u.Status == StatusActive {
			active++
			if u.LastLogin == nil || now.Sub(*u.LastLogin) > 90*24*time.Hour {
				inactive++
			}
		}
		if u.Status == StatusStaged && u.LastLogin != nil {
			t.Errorf("STAGED %s has a lastLogin", u.ID)
		}
		if u.LastLogin != nil && u.LastLogin.After(now) {
			t.Errorf("%s lastLogin in the future", u.ID)
		}
		if u.Department == "" || u.Title == "" || u.Email != u.Login {
			t.Errorf("user %+v", u)
		}
	}
	for _, st := range []string{StatusActive, StatusStaged, StatusProvisioned, StatusSuspended, StatusLockedOut, StatusPasswordExpired, StatusRecovery, StatusDeprovisioned} {
		if byStatus[st] == 0 {
			t.Errorf("no %s users", st)
		}
	}
	if byStatus[StatusActive]*2 < len(users) {
		t.Errorf("ACTIVE %d of %d: want a majority", byStatus[StatusActive], len(users))
	}
	if ratio := float64(inactive) / float64(active); ratio < 0.12 || ratio > 0.3 {
		t.Errorf("%d of %d ACTIVE users inactive for 90 days (%.2f), want about a fifth", inactive, active, ratio)
	}

	groups := o.Groups()
	if len(groups) < 35 || len(groups) > 45 {
		t.Errorf("%d groups, want about 40", len(groups))
	}
	types := map[string]int{}
	names := map[string]bool{}
	for _, g := range groups {
		types[g.Type]++
		names[g.Name] = true
		if !regexp.MustCompile(`^00g[a-z0-9]{17}$`).MatchString(g.ID) {
			t.Errorf("group id %q", g.ID)
		}
		if g.Name == "Everyone" {
			if g.Type != GroupTypeBuiltIn || len(g.MemberIDs) != len(users) {
				t.Errorf("Everyone: %s with %d members", g.Type, len(g.MemberIDs))
			}
		}
	}
	if types[GroupTypeBuiltIn] != 1 || types[GroupTypeApp] < 3 || types[GroupTypeOkta] < 20 {
		t.Errorf("group types %v", types)
	}
	for _, d := range departments {
		if !names[d.name] {
			t.Errorf("no group for department %s", d.name)
		}
	}
}

func TestSeedFixtures(t *testing.T) {
	o := New(Options{ExtraUsers: 1})
	byID := map[string]UserInfo{}
	for _, u := range o.Users() {
		byID[u.ID] = u
	}
	jane, ok := byID["00u1a2b3c4d5e6f7g8h9"]
	if !ok {
		t.Fatal("no Jane Doe fixture")
	}
	if jane.Login != "jane.doe@company.com" || jane.FirstName != "Jane" || jane.LastName != "Doe" ||
		jane.Status != StatusActive || jane.Department != "Engineering" {
		t.Errorf("jane %+v", jane)
	}
	if jane.LastLogin == nil || time.Since(*jane.LastLogin) > 24*time.Hour {
		t.Errorf("jane lastLogin %v, want recent", jane.LastLogin)
	}
	for id, st := range map[string]string{JohnSmithID: StatusSuspended, MichaelJohnsonID: StatusDeprovisioned,
		PriyaPatelID: StatusActive, CarlosRiveraID: StatusLockedOut, EmilyChenID: StatusStaged} {
		if byID[id].Status != st {
			t.Errorf("%s status %s, want %s", id, byID[id].Status, st)
		}
	}
	if rb := byID[RobertBrownID]; rb.LastLogin == nil || time.Since(*rb.LastLogin) < 150*24*time.Hour {
		t.Errorf("Robert Brown lastLogin %v, want about 200 days ago", rb.LastLogin)
	}
}

func TestSeedLargeOrgIsFast(t *testing.T) {
	start := time.Now()
	o := New(Options{ExtraUsers: 10000})
	d := time.Since(start)
	if n := len(o.Users()); n != 10000+len(fixtureUsers()) {
		t.Errorf("%d users", n)
	}
	limit := time.Second
	if raceEnabled {
		limit = 5 * time.Second
	}
	if d > limit {
		t.Errorf("building 10k users took %v", d)
	}
	t.Logf("built 10k users in %v", d)
}

func TestPagingLargeOrg(t *testing.T) {
	s := startServer(t, Options{ExtraUsers: 10000})
	start := time.Now()
	all := pageAll(t, s, "/api/v1/users?limit=200", 200)
	d := time.Since(start)
	sameSet(t, "10k org", ids(all), usersWhere(s.Org, notDeprovisioned))
	t.Logf("paged %d users in %v", len(all), d)
	limit := 3 * time.Second
	if raceEnabled {
		limit = 20 * time.Second
	}
	if d > limit {
		t.Errorf("paging 10k users took %v", d)
	}
}
