package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Group types.
const (
	GroupTypeOkta    = "OKTA_GROUP"
	GroupTypeApp     = "APP_GROUP"
	GroupTypeBuiltIn = "BUILT_IN"
)

// Groups list and group members defaults and maxima. Okta's sources
// conflict on the groups list default (spec 10000, docs 200); 200 is used.
const (
	groupsDefaultLimit  = 200
	groupsMaxLimit      = 10000
	membersDefaultLimit = 1000
	membersMaxLimit     = 1000
)

// groupLogo is where Okta's CDN serves the default group logos.
const groupLogoBase = "https://op1static.oktacdn.com/assets/img/logos/groups/odyssey/okta-"

// group is one directory group. Fields are guarded by Org.mu; call touch
// after changing any of them under the write lock.
type group struct {
	id  string
	typ string

	created, lastUpdated, lastMembershipUpdated time.Time

	objectClass []string
	profile     *attrs
	sourceID    string // APP_GROUP: the app instance it was imported from

	members   []string // user ids, sorted: member list order and cursor order
	memberSet map[string]struct{}

	head atomic.Pointer[[]byte] // JSON without _links/_embedded and closing brace
}

func (g *group) touch() { g.head.Store(nil) }

// cursor is the group's position in id-ordered lists (the after parameter).
func (g *group) cursor() string { return g.id }

func (g *group) hasMember(userID string) bool {
	_, ok := g.memberSet[userID]
	return ok
}

// addMember adds a user id keeping members sorted. Caller holds Org.mu for writing.
func (g *group) addMember(userID string) bool {
	if g.hasMember(userID) {
		return false
	}
	i, _ := slices.BinarySearch(g.members, userID)
	g.members = slices.Insert(g.members, i, userID)
	g.memberSet[userID] = struct{}{}
	return true
}

// groupDoc fixes the field order of a group as Okta sends it.
type groupDoc struct {
	ID                    string   `json:"id"`
	Created               string   `json:"created"`
	LastUpdated           string   `json:"lastUpdated"`
	LastMembershipUpdated string   `json:"lastMembershipUpdated"`
	ObjectClass           []string `json:"objectClass"`
	Type                  string   `json:"type"`
	Profile               *attrs   `json:"profile"`
}

func (g *group) jsonHead() []byte {
	if p := g.head.Load(); p != nil {
		return *p
	}
	b, err := json.Marshal(groupDoc{
		ID:                    g.id,
		Created:               oktaTime(g.created),
		LastUpdated:           oktaTime(g.lastUpdated),
		LastMembershipUpdated: oktaTime(g.lastMembershipUpdated),
		ObjectClass:           g.objectClass,
		Type:                  g.typ,
		Profile:               g.profile,
	})
	if err != nil {
		b = []byte(`{"id":"` + g.id + `"}`)
	}
	b = b[:len(b)-1]
	g.head.Store(&b)
	return b
}

// appendJSON appends the group with its _links (logo, users, apps, and
// source for app groups) and, with stats, _embedded.stats.
func (g *group) appendJSON(buf *bytes.Buffer, jsonBase string, stats bool) {
	buf.Write(g.jsonHead())
	self := jsonBase + "/api/v1/groups/" + g.id
	buf.WriteString(`,"_links":{"logo":[{"name":"medium","href":"` + groupLogoBase + `medium.png","type":"image/png"},` +
		`{"name":"large","href":"` + groupLogoBase + `large.png","type":"image/png"}],`)
	if g.sourceID != "" {
		buf.WriteString(`"source":{"href":"` + jsonBase + `/api/v1/apps/` + g.sourceID + `"},`)
	}
	buf.WriteString(`"users":{"href":"` + self + `/users"},"apps":{"href":"` + self + `/apps"}}`)
	if stats {
		apps := 0
		if g.sourceID != "" {
			apps = 1
		}
		buf.WriteString(`,"_embedded":{"stats":{"usersCount":` + strconv.Itoa(len(g.members)) +
			`,"appsCount":` + strconv.Itoa(apps) + `,"groupPushMappingsCount":0,"hasAdminPrivilege":false,` +
			`"_links":{"self":{"href":"` + self + `/stats"}}}}`)
	}
	buf.WriteByte('}')
}

func (g *group) get(attr string) any {
	switch attr {
	case "id":
		return g.id
	case "type":
		return g.typ
	case "source.id":
		if g.sourceID == "" {
			return nil
		}
		return g.sourceID
	case "created":
		return g.created
	case "lastUpdated":
		return g.lastUpdated
	case "lastMembershipUpdated":
		return g.lastMembershipUpdated
	}
	if name, ok := strings.CutPrefix(attr, "profile."); ok {
		v, _ := g.profile.get(name)
		return v
	}
	return nil
}

// ---- schemas for search and filter ----

// groupSearch: profile attributes plus id, created, lastUpdated,
// lastMembershipUpdated, type and source.id; eq, sw, co (co only on
// profile.name and profile.description), and gt/ge/lt/le on timestamps.
var groupSearch = &exprSchema{
	param: "search",
	attr: func(n string) (attrKind, string, bool) {
		switch n {
		case "id", "type", "source.id":
			return kindExact, "", true
		case "created", "lastUpdated", "lastMembershipUpdated":
			return kindTime, "", true
		}
		if name, ok := strings.CutPrefix(n, "profile."); ok && name != "" && !strings.Contains(name, ".") {
			return kindString, "", true
		}
		return 0, "", false
	},
	op: func(n string, k attrKind, op string) bool {
		switch k {
		case kindTime:
			return timeOp(op)
		case kindExact:
			return op == "eq" || op == "sw"
		}
		if op == "co" {
			return n == "profile.name" || n == "profile.description"
		}
		return op == "eq" || op == "sw"
	},
}

// groupFilter: id and type with eq; lastUpdated and lastMembershipUpdated
// with eq, gt, ge, lt, le; and, or.
var groupFilter = &exprSchema{
	param: "filter",
	attr: attrTable(map[string]attrKind{
		"id": kindExact, "type": kindExact,
		"lastUpdated": kindTime, "lastMembershipUpdated": kindTime,
	}),
	op: filterOp,
}

// ---- handlers ----

func registerGroupRoutes(rt *router) {
	rt.handle(http.MethodGet, "/api/v1/groups", handleListGroups)
	rt.handle(http.MethodGet, "/api/v1/groups/{id}", handleGetGroup)
	rt.handle(http.MethodGet, "/api/v1/groups/{id}/users", handleListGroupUsers)
}

// wantsStats reports expand=stats.
func wantsStats(c *call) bool {
	for _, v := range strings.Split(c.r.URL.Query().Get("expand"), ",") {
		if strings.TrimSpace(v) == "stats" {
			return true
		}
	}
	return false
}

// handleListGroups is GET /api/v1/groups with q, filter, search, after,
// limit and expand=stats.
func handleListGroups(c *call) {
	q := c.r.URL.Query()
	search, filter, qq := q.Get("search"), q.Get("filter"), q.Get("q")
	if search != "" && filter != "" {
		c.fail(errSearchAndFilter())
		return
	}
	limit, aerr := parseLimit(q, groupsDefaultLimit, groupsMaxLimit)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	keep := func(*group) bool { return true }
	pageable := true
	switch {
	case search != "" || filter != "":
		e, aerr := compileListExpr(search, filter, groupSearch, groupFilter)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		keep = func(g *group) bool { return eval(e, g.get) }
	case qq != "":
		lq := lower(qq)
		pageable = false
		keep = func(g *group) bool { return strings.HasPrefix(lower(g.profile.str("name")), lq) }
	}
	after := ""
	if pageable {
		after = q.Get("after")
	}

	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	page, next := pageAfter(c.o.groups, (*group).cursor, after, limit, keep)
	if !pageable {
		next = ""
	}
	c.writeGroups(page, next, limit, wantsStats(c))
}

// writeGroups answers a group list page with its Link headers.
// Caller holds Org.mu for reading.
func (c *call) writeGroups(page []*group, next string, limit int, stats bool) {
	jb := c.jsonBase()
	c.replyPage(len(page), 0, next, limit, func(buf *bytes.Buffer, i int) { page[i].appendJSON(buf, jb, stats) })
}

// handleGetGroup is GET /api/v1/groups/{id}.
func handleGetGroup(c *call) {
	id := c.param(0)
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	g := c.o.groupsByID[id]
	if g == nil {
		c.fail(errNotFound(id, "UserGroup"))
		return
	}
	var buf bytes.Buffer
	g.appendJSON(&buf, c.jsonBase(), wantsStats(c))
	c.reply(http.StatusOK, buf.Bytes())
}

// handleListGroupUsers is GET /api/v1/groups/{id}/users with after, limit
// and search (the users search language). Members of every status are listed.
func handleListGroupUsers(c *call) {
	id := c.param(0)
	q := c.r.URL.Query()
	limit, aerr := parseLimit(q, membersDefaultLimit, membersMaxLimit)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	var e expr
	if s := q.Get("search"); s != "" {
		if e, aerr = compileExpr(s, userSearch); aerr != nil {
			c.fail(aerr)
			return
		}
	}
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	g := c.o.groupsByID[id]
	if g == nil {
		c.fail(errNotFound(id, "UserGroup"))
		return
	}
	ids, next := pageAfter(g.members, func(uid string) string { return uid }, q.Get("after"), limit, func(uid string) bool {
		u := c.o.usersByID[uid]
		return u != nil && (e == nil || eval(e, u.get))
	})
	page := make([]*user, len(ids))
	for i, uid := range ids {
		page[i] = c.o.usersByID[uid]
	}
	c.writeUsers(page, next, limit)
}
