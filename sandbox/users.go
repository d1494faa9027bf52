package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// User statuses.
const (
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"
	StatusActive          = "ACTIVE"
	StatusRecovery        = "RECOVERY"
	StatusLockedOut       = "LOCKED_OUT"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
)

// Users list defaults and maxima (OKTA-API-NOTES "Pagination").
const (
	usersDefaultLimit  = 200
	usersMaxLimit      = 200
	usersQDefaultLimit = 10
	userGroupsDefault  = 20
	userGroupsMax      = 200
)

// user is one directory user. Fields are guarded by Org.mu; after changing
// any of them under the write lock, call touch so the cached JSON is rebuilt.
type user struct {
	id     string
	status string

	created, lastUpdated                                 time.Time
	activated, statusChanged, lastLogin, passwordChanged *time.Time

	typeID      string
	profile     *attrs
	hasPassword bool
	provider    string // credentials.provider type and name, e.g. "OKTA"

	// head is the user's JSON without "_links" and without the closing
	// brace, built lazily (two readers may both build it; both results are
	// identical) and dropped by touch.
	head atomic.Pointer[[]byte]
}

// touch drops cached JSON after a change. Caller holds Org.mu for writing.
func (u *user) touch() { u.head.Store(nil) }

// cursor is the user's position in id-ordered lists (the after parameter).
func (u *user) cursor() string { return u.id }

// userDoc fixes the field order of a user as Okta sends it. Nullable
// timestamps are JSON null.
type userDoc struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	Created         string    `json:"created"`
	Activated       *string   `json:"activated"`
	StatusChanged   *string   `json:"statusChanged"`
	LastLogin       *string   `json:"lastLogin"`
	LastUpdated     string    `json:"lastUpdated"`
	PasswordChanged *string   `json:"passwordChanged"`
	Type            typeRef   `json:"type"`
	Profile         *attrs    `json:"profile"`
	Credentials     userCreds `json:"credentials"`
}

type typeRef struct {
	ID string `json:"id"`
}

type userCreds struct {
	Password *struct{}    `json:"password,omitempty"`
	Provider credProvider `json:"provider"`
}

type credProvider struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := oktaTime(*t)
	return &s
}

// jsonHead returns the cached head, building it if needed. Caller holds Org.mu.
func (u *user) jsonHead() []byte {
	if p := u.head.Load(); p != nil {
		return *p
	}
	doc := userDoc{
		ID:              u.id,
		Status:          u.status,
		Created:         oktaTime(u.created),
		Activated:       optTime(u.activated),
		StatusChanged:   optTime(u.statusChanged),
		LastLogin:       optTime(u.lastLogin),
		LastUpdated:     oktaTime(u.lastUpdated),
		PasswordChanged: optTime(u.passwordChanged),
		Type:            typeRef{ID: u.typeID},
		Profile:         u.profile,
		Credentials:     userCreds{Provider: credProvider{Type: u.provider, Name: u.provider}},
	}
	if u.hasPassword {
		doc.Credentials.Password = &struct{}{}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Profile values are JSON-safe by construction; keep serving.
		b = []byte(`{"id":"` + u.id + `"}`)
	}
	b = b[:len(b)-1] // drop '}'
	u.head.Store(&b)
	return b
}

// appendListJSON appends the user as list endpoints send it: _links has only
// "self" (schema User__links: "For a collection of users, the Links object
// contains only the self link").
func (u *user) appendListJSON(buf *bytes.Buffer, jsonBase string) {
	buf.Write(u.jsonHead())
	buf.WriteString(`,"_links":{"self":{"href":"`)
	buf.WriteString(jsonBase)
	buf.WriteString("/api/v1/users/")
	buf.WriteString(u.id)
	buf.WriteString(`"}}}`)
}

// lifecycleLinks lists the lifecycle operations Okta offers for a status.
var lifecycleLinks = map[string][]string{
	StatusStaged:          {"activate", "deactivate"},
	StatusProvisioned:     {"reactivate", "deactivate"},
	StatusActive:          {"suspend", "resetPassword", "expirePassword", "forgotPassword", "changeRecoveryQuestion", "deactivate", "changePassword", "resetFactors"},
	StatusRecovery:        {"resetPassword", "expirePassword", "deactivate", "resetFactors"},
	StatusLockedOut:       {"unlock", "resetPassword", "expirePassword", "deactivate", "resetFactors"},
	StatusPasswordExpired: {"resetPassword", "expirePassword", "forgotPassword", "deactivate", "changePassword", "resetFactors"},
	StatusSuspended:       {"unsuspend", "deactivate", "resetFactors"},
	StatusDeprovisioned:   {"activate"},
}

// lifecycle path segment per link name.
var lifecyclePaths = map[string]string{
	"activate":               "/lifecycle/activate",
	"reactivate":             "/lifecycle/reactivate",
	"deactivate":             "/lifecycle/deactivate",
	"suspend":                "/lifecycle/suspend",
	"unsuspend":              "/lifecycle/unsuspend",
	"unlock":                 "/lifecycle/unlock",
	"resetPassword":          "/lifecycle/reset_password",
	"expirePassword":         "/lifecycle/expire_password",
	"resetFactors":           "/lifecycle/reset_factors",
	"forgotPassword":         "/credentials/forgot_password",
	"changePassword":         "/credentials/change_password",
	"changeRecoveryQuestion": "/credentials/change_recovery_question",
}

// appendFullJSON appends the user as GET /api/v1/users/{id} sends it, with
// the links available for its current status.
func (u *user) appendFullJSON(buf *bytes.Buffer, jsonBase string) {
	buf.Write(u.jsonHead())
	self := jsonBase + "/api/v1/users/" + u.id
	buf.WriteString(`,"_links":{`)
	for _, name := range lifecycleLinks[u.status] {
		buf.WriteString(`"` + name + `":{"href":"` + self + lifecyclePaths[name] + `","method":"POST"},`)
	}
	buf.WriteString(`"schema":{"href":"` + jsonBase + `/api/v1/meta/schemas/user/` + userSchemaID + `"},`)
	buf.WriteString(`"type":{"href":"` + jsonBase + `/api/v1/meta/types/user/` + u.typeID + `"},`)
	buf.WriteString(`"self":{"href":"` + self + `"}}}`)
}

// get returns an attribute for search and filter evaluation.
func (u *user) get(attr string) any {
	switch attr {
	case "id":
		return u.id
	case "status":
		return u.status
	case "type.id":
		return u.typeID
	case "created":
		return u.created
	case "lastUpdated":
		return u.lastUpdated
	case "activated":
		return timeOrNil(u.activated)
	case "statusChanged":
		return timeOrNil(u.statusChanged)
	}
	if name, ok := strings.CutPrefix(attr, "profile."); ok {
		v, _ := u.profile.get(name)
		return v
	}
	return nil
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// qMatch is the `q` parameter: case-insensitive prefix of firstName,
// lastName, email or login. lq is already lower-cased.
func (u *user) qMatch(lq string) bool {
	for _, k := range [...]string{"firstName", "lastName", "email", "login"} {
		if strings.HasPrefix(lower(u.profile.str(k)), lq) {
			return true
		}
	}
	return false
}

// ---- schemas for search and filter ----

var coUserAttrs = map[string]bool{
	"profile.firstName": true, "profile.lastName": true, "profile.email": true, "profile.login": true,
}

var (
	userSearchTimeOps   = opSet("eq", "gt", "ge", "lt", "le", "pr")
	userSearchExactOps  = opSet("eq", "sw", "pr")
	userSearchStringOps = opSet("eq", "sw", "co", "gt", "ge", "lt", "le", "pr")
)

// userSearch: any profile attribute plus id, status, created, activated,
// statusChanged, lastUpdated and type.id; eq, sw, co (co only on first and
// last name, email and login), gt, ge, lt, le, pr; and, or, not(...).
var userSearch = &exprSchema{
	param:    "search",
	allowNot: true,
	attr: func(n string) (attrKind, string, bool) {
		switch n {
		case "id", "status", "type.id":
			return kindExact, "", true
		case "created", "activated", "statusChanged", "lastUpdated":
			return kindTime, "", true
		case "lastLogin", "passwordChanged":
			return 0, "attribute '" + n + "' is not searchable", false
		}
		if name, ok := strings.CutPrefix(n, "profile."); ok && name != "" && !strings.Contains(name, ".") {
			return kindString, "", true
		}
		return 0, "", false
	},
	op: func(n string, k attrKind, op string) bool {
		switch k {
		case kindTime:
			return userSearchTimeOps[op]
		case kindExact:
			return userSearchExactOps[op]
		}
		if op == "co" {
			return coUserAttrs[n]
		}
		return userSearchStringOps[op]
	},
}

// userFilter: status, lastUpdated, id, profile.login, profile.email,
// profile.firstName, profile.lastName; eq, plus gt/ge/lt/le on lastUpdated;
// and, or.
var userFilter = &exprSchema{
	param: "filter",
	attr: attrTable(map[string]attrKind{
		"status": kindExact, "id": kindExact, "lastUpdated": kindTime,
		"profile.login": kindString, "profile.email": kindString, "profile.firstName": kindString, "profile.lastName": kindString,
	}),
	op: filterOp,
}

// ---- handlers ----

func registerUserRoutes(rt *router) {
	rt.handle(http.MethodGet, "/api/v1/users", handleListUsers)
	rt.handle(http.MethodGet, "/api/v1/users/{id}", handleGetUser)
	rt.handle(http.MethodGet, "/api/v1/users/{id}/groups", handleListUserGroups)
}

// handleListUsers is GET /api/v1/users with q, filter, search, after, limit.
func handleListUsers(c *call) {
	q := c.r.URL.Query()
	search, filter, qq := q.Get("search"), q.Get("filter"), q.Get("q")
	if search != "" && filter != "" {
		c.fail(errSearchAndFilter())
		return
	}
	def := usersDefaultLimit
	if qq != "" && search == "" && filter == "" {
		def = usersQDefaultLimit
	}
	limit, aerr := parseLimit(q, def, usersMaxLimit)
	if aerr != nil {
		c.fail(aerr)
		return
	}

	var keep func(u *user) bool
	pageable := true
	switch {
	case search != "" || filter != "":
		e, aerr := compileListExpr(search, filter, userSearch, userFilter)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		keep = func(u *user) bool { return eval(e, u.get) } // includes DEPROVISIONED
	case qq != "":
		lq := lower(qq)
		pageable = false
		keep = func(u *user) bool { return u.status != StatusDeprovisioned && u.qMatch(lq) }
	default:
		keep = func(u *user) bool { return u.status != StatusDeprovisioned }
	}
	after := ""
	if pageable {
		after = q.Get("after")
	}

	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	page, next := pageAfter(c.o.users, (*user).cursor, after, limit, keep)
	if !pageable {
		next = ""
	}
	c.writeUsers(page, next, limit)
}

// writeUsers answers a user list page with its Link headers.
// Caller holds Org.mu for reading.
func (c *call) writeUsers(page []*user, next string, limit int) {
	jb := c.jsonBase()
	c.replyPage(len(page), 1100, next, limit, func(buf *bytes.Buffer, i int) { page[i].appendListJSON(buf, jb) })
}

// handleGetUser is GET /api/v1/users/{idOrLogin}.
func handleGetUser(c *call) {
	id := c.param(0)
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	u := c.o.findUser(id)
	if u == nil {
		c.fail(errNotFound(id, "User"))
		return
	}
	var buf bytes.Buffer
	u.appendFullJSON(&buf, c.jsonBase())
	c.reply(http.StatusOK, buf.Bytes())
}

// handleListUserGroups is GET /api/v1/users/{id}/groups with after and limit.
func handleListUserGroups(c *call) {
	id := c.param(0)
	q := c.r.URL.Query()
	limit, aerr := parseLimit(q, userGroupsDefault, userGroupsMax)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	u := c.o.findUser(id)
	if u == nil {
		c.fail(errNotFound(id, "User"))
		return
	}
	page, next := pageAfter(c.o.groups, (*group).cursor, q.Get("after"), limit, func(g *group) bool { return g.hasMember(u.id) })
	c.writeGroups(page, next, limit, false)
}

func lower(s string) string { return strings.ToLower(s) }

// shortName is the part of a login before '@', or "" when there is none.
func shortName(login string) string {
	if i := strings.IndexByte(login, '@'); i > 0 {
		return login[:i]
	}
	return ""
}
