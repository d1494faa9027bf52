// Package sandbox is a simulated Okta org served over real HTTP on loopback.
//
// It backs okta-mcp's --sandbox mode and the project's tests. Requests go
// through the real okta-sdk-golang client, so the org behaves like Okta where
// the server depends on it: SSWS token check, Okta error bodies, cursor
// pagination with one Link header line per relation, search/filter/q
// semantics, per-bucket X-Rate-Limit-* headers with 429 E0000047, and fault
// injection (latency, error statuses, 429 storms, dropped connections).
//
// Seed data is deterministic: the same Options give the same users, groups,
// admin roles, sessions and System Log events.
package sandbox

import (
	"crypto/subtle"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultToken is the SSWS API token accepted when Options.Token is empty.
const DefaultToken = "sandbox-token-0123456789"

// Defaults for Options fields left at zero.
const (
	defaultTotalUsers = 500
	defaultRateLimit  = 600
	defaultWindow     = 60 * time.Second
)

// Options configures a simulated org.
type Options struct {
	// Token is the SSWS API token accepted; "" means DefaultToken.
	Token string
	// ExtraUsers is the number of generated users beyond the fixtures;
	// 0 means enough for about 500 users in total.
	ExtraUsers int
	// Now is the clock; nil means time.Now. Seed timestamps are relative to
	// Now() at New, and rate-limit windows follow this clock.
	Now func() time.Time
	// RateLimit is the default number of requests per window per bucket; 0 means 600.
	RateLimit int
	// Window is the rate-limit window; 0 means 60s.
	Window time.Duration
	// ExtraEvents is the number of System Log events generated beyond the
	// seeded ~5000 (for scale tests); 0 means none.
	ExtraEvents int
}

// Org is a simulated Okta org. It is an http.Handler and safe for concurrent use.
type Org struct {
	token []byte
	now   func() time.Time

	// mu guards the directory data below. Handlers take the read lock;
	// writes (lifecycle, group changes, ...) take the write lock.
	mu           sync.RWMutex
	users        []*user          // ordered by id: list order and cursor order
	usersByID    map[string]*user // id → user
	usersByLogin map[string]*user // lower-cased login → user
	usersByShort map[string][]*user
	groups       []*group // ordered by id
	groupsByID   map[string]*group

	// Admin roles, sessions and the System Log (roles.go, sessions.go,
	// logs.go), guarded by mu like the directory.
	roleAssigns  map[string][]*roleAssignment // user or group id → its own assignments, by created
	customRoles  []*customRole                // ordered by id
	resourceSets []*resourceSet               // ordered by id
	iamPageSize  int                          // page size of /api/v1/iam/roles and resource-sets
	sessions     map[string]*session          // id → session, live or ended
	userSessions map[string][]*session        // user id → sessions, by createdAt
	events       eventLog

	limits rateLimiter
	faults faultSet
	log    requestLog
	seq    atomic.Uint64 // request counter, part of X-Okta-Request-Id
	oauth  oauthState    // apps, tokens, device codes (oauth.go)
}

// New builds an org with deterministic seed data.
func New(opts Options) *Org {
	o := &Org{now: opts.Now}
	if o.now == nil {
		o.now = time.Now
	}
	tok := opts.Token
	if tok == "" {
		tok = DefaultToken
	}
	o.token = []byte(tok)
	limit, window := opts.RateLimit, opts.Window
	if limit <= 0 {
		limit = defaultRateLimit
	}
	if window <= 0 {
		window = defaultWindow
	}
	o.limits.init(limit, window)
	seedOrg(o, opts.ExtraUsers, opts.ExtraEvents, o.now())
	return o
}

// Token returns the SSWS API token the org accepts.
func (o *Org) Token() string { return string(o.token) }

// validToken reports whether tok is the org's API token, in constant time.
func (o *Org) validToken(tok string) bool {
	return subtle.ConstantTimeCompare([]byte(tok), o.token) == 1
}

// UserInfo is a read-only view of a user, for tests.
type UserInfo struct {
	ID, Login, Email, FirstName, LastName, Status, Department, Title string
	LastLogin                                                        *time.Time
}

// Users returns all users, DEPROVISIONED included, in list order.
func (o *Org) Users() []UserInfo {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]UserInfo, len(o.users))
	for i, u := range o.users {
		out[i] = UserInfo{
			ID:         u.id,
			Login:      u.profile.str("login"),
			Email:      u.profile.str("email"),
			FirstName:  u.profile.str("firstName"),
			LastName:   u.profile.str("lastName"),
			Status:     u.status,
			Department: u.profile.str("department"),
			Title:      u.profile.str("title"),
			LastLogin:  copyTime(u.lastLogin),
		}
	}
	return out
}

// GroupInfo is a read-only view of a group, for tests.
type GroupInfo struct {
	ID, Name, Type string
	MemberIDs      []string // in member list order (by user id)
}

// Groups returns all groups in list order.
func (o *Org) Groups() []GroupInfo {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]GroupInfo, len(o.groups))
	for i, g := range o.groups {
		out[i] = GroupInfo{
			ID:        g.id,
			Name:      g.profile.str("name"),
			Type:      g.typ,
			MemberIDs: append([]string(nil), g.members...),
		}
	}
	return out
}

// addUser inserts u keeping o.users ordered by id. Caller holds o.mu for writing.
func (o *Org) addUser(u *user) {
	i := sort.Search(len(o.users), func(i int) bool { return o.users[i].id >= u.id })
	o.users = append(o.users, nil)
	copy(o.users[i+1:], o.users[i:])
	o.users[i] = u
	o.indexUser(u)
}

// indexUser (re)adds u's id, login and login short name to the lookup maps.
// Caller holds o.mu for writing.
func (o *Org) indexUser(u *user) {
	o.usersByID[u.id] = u
	login := lower(u.profile.str("login"))
	o.usersByLogin[login] = u
	if short := shortName(login); short != "" {
		o.usersByShort[short] = append(o.usersByShort[short], u)
	}
}

// addGroup inserts g keeping o.groups ordered by id. Caller holds o.mu for writing.
func (o *Org) addGroup(g *group) {
	i := sort.Search(len(o.groups), func(i int) bool { return o.groups[i].id >= g.id })
	o.groups = append(o.groups, nil)
	copy(o.groups[i+1:], o.groups[i:])
	o.groups[i] = g
	o.groupsByID[g.id] = g
}

// findUser resolves an id, a login or a unique login short name (the part
// before '@'), the way GET /api/v1/users/{idOrLogin} does. Logins compare
// case-insensitively. Caller holds o.mu.
func (o *Org) findUser(idOrLogin string) *user {
	if u := o.usersByID[idOrLogin]; u != nil {
		return u
	}
	l := lower(idOrLogin)
	if u := o.usersByLogin[l]; u != nil {
		return u
	}
	if us := o.usersByShort[l]; len(us) == 1 {
		return us[0]
	}
	return nil
}

// oktaTimeLayout is how Okta writes timestamps: UTC with milliseconds and Z.
const oktaTimeLayout = "2006-01-02T15:04:05.000Z"

func oktaTime(t time.Time) string { return t.UTC().Format(oktaTimeLayout) }

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
