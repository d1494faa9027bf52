package sandbox

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The store helpers that write paths build on keep list order and indexes.
func TestStoreHelpers(t *testing.T) {
	o := New(Options{ExtraUsers: 20})
	now := time.Now()
	p := newAttrs(4)
	p.set("firstName", "Zed")
	p.set("lastName", "New")
	p.set("login", "Zed.New@company.com")
	p.set("email", "zed.new@company.com")
	u := &user{id: "00u5zzzzzzzzzzzzzzzz", status: StatusStaged, created: now, lastUpdated: now, typeID: defaultUserTypeID, provider: "OKTA", profile: p}

	o.mu.Lock()
	o.addUser(u)
	g := o.groupsByID[AWSProdAdminsID]
	added := g.addMember(u.id)
	again := g.addMember(u.id)
	o.mu.Unlock()

	if !added || again {
		t.Errorf("addMember: %v then %v", added, again)
	}
	all := o.Users()
	if !slices.IsSortedFunc(all, func(a, b UserInfo) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("users out of id order after addUser")
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, key := range []string{u.id, "zed.new@company.com", "ZED.NEW@COMPANY.COM", "zed.new"} {
		if o.findUser(key) != u {
			t.Errorf("findUser(%q) misses the added user", key)
		}
	}
	if !slices.IsSorted(g.members) || !g.hasMember(u.id) {
		t.Error("group members out of order or missing after addMember")
	}
}
