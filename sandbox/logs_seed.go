package sandbox

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// This file generates the System Log of the seed org: about 5000 events
// over the 30 days before Now, deterministic, consistent with the directory
// (each user's last user.session.start is at their lastLogin; status changes
// inside the window have their lifecycle event), plus attacks and the
// incident-response fixture around jane.doe. Every successful sign-in
// starts a session; sessions started in the last hours and not ended are
// live.

const (
	logWindow      = 30 * day
	liveWindow     = 10 * time.Hour // sessions started this recently may still be live
	sessionIdle    = 2 * time.Hour  // ended sessions expired this long after their last use
	maxSessionLife = 24 * time.Hour // live sessions expire this long after they started
)

// Fixture addresses (RFC 5737 documentation ranges: no real network is named).
const (
	JaneUnusualIP = "192.0.2.146" // jane.doe's failed and successful sign-ins in the last day (Bucharest)
	SprayIP       = "192.0.2.23"  // password spray across many users (Amsterdam hosting)
	BruteForceIP  = "192.0.2.88"  // repeated failures and lockouts (Moscow)
	MFAFatigueIP  = "192.0.2.201" // rejected Okta Verify pushes (São Paulo)
)

// office is an office network and the home networks of the people there.
type office struct {
	city  string // matches the profile city
	ip    string
	place *geoPlace
	homes []homeNet
}

type homeNet struct {
	prefix string // first three octets
	first  int    // first host number of the block
	place  *geoPlace
}

func newPlace(city, state, country, postal string, lat, lon float64, as int, org, isp, domain string) *geoPlace {
	return &geoPlace{city: city, state: state, country: country, postal: postal, lat: lat, lon: lon,
		asNumber: as, asOrg: org, isp: isp, domain: domain}
}

var officeNets = map[string]*office{
	"San Francisco": {ip: "198.51.100.10", place: newPlace("San Francisco", "California", "United States", "94105", 37.7897, -122.3942, 7018, "at&t services inc.", "at&t services inc.", "att.net"),
		homes: []homeNet{
			{"203.0.113", 1, newPlace("Oakland", "California", "United States", "94612", 37.8044, -122.2712, 7922, "comcast cable communications llc", "comcast cable", "comcast.net")},
			{"203.0.113", 21, newPlace("San Jose", "California", "United States", "95113", 37.3382, -121.8863, 7922, "comcast cable communications llc", "comcast cable", "comcast.net")},
			{"203.0.113", 41, newPlace("Berkeley", "California", "United States", "94704", 37.8716, -122.2727, 7018, "at&t services inc.", "at&t internet services", "sbcglobal.net")},
		}},
	"New York": {ip: "198.51.100.20", place: newPlace("New York", "New York", "United States", "10001", 40.7506, -73.9971, 701, "verizon business", "verizon business", "verizon.net"),
		homes: []homeNet{
			{"203.0.113", 61, newPlace("Brooklyn", "New York", "United States", "11201", 40.6943, -73.9918, 11351, "charter communications inc", "spectrum", "rr.com")},
			{"203.0.113", 81, newPlace("Jersey City", "New Jersey", "United States", "07302", 40.7178, -74.0431, 701, "verizon business", "verizon fios", "verizon.net")},
		}},
	"Austin": {ip: "198.51.100.30", place: newPlace("Austin", "Texas", "United States", "78701", 30.2672, -97.7431, 11427, "charter communications inc", "spectrum", "rr.com"),
		homes: []homeNet{
			{"203.0.113", 101, newPlace("Round Rock", "Texas", "United States", "78664", 30.5083, -97.6789, 7018, "at&t services inc.", "at&t internet services", "sbcglobal.net")},
		}},
	"London": {ip: "198.51.100.40", place: newPlace("London", "England", "United Kingdom", "EC2A", 51.5246, -0.0793, 2856, "british telecommunications plc", "bt", "bt.com"),
		homes: []homeNet{
			{"203.0.113", 121, newPlace("Croydon", "England", "United Kingdom", "CR0", 51.3762, -0.0982, 5607, "sky uk limited", "sky broadband", "sky.com")},
		}},
	"Berlin": {ip: "198.51.100.50", place: newPlace("Berlin", "Land Berlin", "Germany", "10115", 52.5321, 13.3849, 3320, "deutsche telekom ag", "deutsche telekom ag", "telekom.de"),
		homes: []homeNet{
			{"203.0.113", 141, newPlace("Potsdam", "Brandenburg", "Germany", "14467", 52.3906, 13.0645, 3209, "vodafone gmbh", "vodafone germany", "vodafone.de")},
		}},
	"Toronto": {ip: "198.51.100.60", place: newPlace("Toronto", "Ontario", "Canada", "M5V", 43.6426, -79.3871, 812, "rogers communications canada inc.", "rogers", "rogers.com"),
		homes: []homeNet{
			{"203.0.113", 161, newPlace("Mississauga", "Ontario", "Canada", "L5B", 43.5890, -79.6441, 577, "bell canada", "bell canada", "bell.ca")},
		}},
}

var (
	placeBucharest = newPlace("Bucharest", "Bucuresti", "Romania", "010011", 44.4268, 26.1025, 9009, "m247 europe srl", "m247 europe", "m247.com")
	placeAmsterdam = newPlace("Amsterdam", "North Holland", "Netherlands", "1012", 52.3740, 4.8897, 60781, "leaseweb netherlands b.v.", "leaseweb", "leaseweb.com")
	placeMoscow    = newPlace("Moscow", "Moscow", "Russia", "101000", 55.7522, 37.6156, 12389, "pjsc rostelecom", "rostelecom", "rt.ru")
	placeSaoPaulo  = newPlace("Sao Paulo", "Sao Paulo", "Brazil", "01310", -23.5475, -46.6361, 28573, "claro nxt telecomunicacoes ltda", "claro", "claro.com.br")
)

func init() {
	for city, o := range officeNets {
		o.city = city
	}
	placeBucharest.proxy = true
	placeAmsterdam.proxy = true
}

var (
	uaMacChrome   = &userAgent{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Mac OS X", "CHROME", "Computer"}
	uaMacSafari   = &userAgent{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", "Mac OS X", "SAFARI", "Computer"}
	uaWinChrome   = &userAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Windows 10", "CHROME", "Computer"}
	uaWinEdge     = &userAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80", "Windows 10", "EDGE", "Computer"}
	uaWinFirefox  = &userAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", "Windows 10", "FIREFOX", "Computer"}
	uaIPhone      = &userAgent{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "iOS", "MOBILE SAFARI", "Mobile"}
	uaPython      = &userAgent{"python-requests/2.31.0", "Unknown", "UNKNOWN", "Unknown"}
	uaCurl        = &userAgent{"curl/8.4.0", "Unknown", "UNKNOWN", "Unknown"}
	uaLinuxChrome = &userAgent{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", "Linux", "CHROME", "Computer"}

	computerUAs = []*userAgent{uaMacChrome, uaMacChrome, uaMacSafari, uaWinChrome, uaWinChrome, uaWinEdge, uaWinFirefox}
)

// apps are the SSO targets.
var ssoApps = []struct{ id, name, label string }{
	{"0oa1sf2b3c4d5e6f7g8h", "salesforce", "Salesforce.com"},
	{"0oa1sl2b3c4d5e6f7g8h", "slack", "Slack"},
	{"0oa1gh2b3c4d5e6f7g8h", "github_enterprise_cloud", "GitHub Enterprise Cloud"},
	{"0oa1aw2b3c4d5e6f7g8h", "amazon_aws", "AWS Production"},
	{"0oa1zm2b3c4d5e6f7g8h", "zoomus", "Zoom"},
	{googleAppID, "google", "Google Workspace"},
	{"0oa1wd2b3c4d5e6f7g8h", "workday", "Workday"},
}

// logGen builds the seed log.
type logGen struct {
	o       *Org
	r       *rand.Rand
	base    time.Time // Now at New, to the millisecond
	start   time.Time // beginning of the window
	events  []*logEvent
	limit   int // stop adding events beyond this many (0: no limit)
	clients map[string]*logClient
	actors  map[string]*logEntity
	appEnts []*logEntity
	policy  []*logEntity // sign-on policy and rule targets
	factor  *logEntity
	ids     map[string]bool
	admins  []*user // who performs admin actions
}

// seedLog generates the System Log and the sessions it records.
func seedLog(o *Org, base time.Time, extra int) {
	g := &logGen{
		o:       o,
		r:       rand.New(rand.NewPCG(0x5e55_1075, 0x10c5_eed5)),
		base:    base,
		start:   base.Add(-logWindow + 10*time.Minute), // room for what precedes a sign-in
		clients: map[string]*logClient{},
		actors:  map[string]*logEntity{},
		ids:     map[string]bool{},
	}
	o.sessions = map[string]*session{}
	o.userSessions = map[string][]*session{}
	for _, a := range ssoApps {
		g.appEnts = append(g.appEnts, newEntity(a.id, "AppInstance", a.label, a.label))
	}
	g.policy = []*logEntity{
		newEntity("00p1a2b3c4d5e6f7g8h9", "PolicyEntity", "", "Default Policy"),
		newEntity("0pr1a2b3c4d5e6f7g8h9", "PolicyRule", "00p1a2b3c4d5e6f7g8h9", "MFA for all users"),
	}
	g.factor = newEntity("pfd1a2b3c4d5e6f7g8h9", "AuthenticatorEnrollment", "", "Okta Verify")
	for _, id := range []string{AlexKimID} {
		if u := o.usersByID[id]; u != nil {
			g.admins = append(g.admins, u)
		}
	}
	for _, u := range o.users {
		for _, ra := range o.roleAssigns[u.id] {
			if (ra.typ == "ORG_ADMIN" || ra.typ == "HELP_DESK_ADMIN") && u.status == StatusActive && !slices.Contains(g.admins, u) {
				g.admins = append(g.admins, u)
			}
		}
	}

	g.directory()
	g.attacks()
	g.jane()

	if extra > 0 {
		g.limit = len(g.events) + extra
		active := make([]*user, 0, len(o.users))
		for _, u := range o.users {
			if u.status == StatusActive {
				active = append(active, u)
			}
		}
		for len(g.events) < g.limit && len(active) > 0 {
			u := active[g.r.IntN(len(active))]
			t := g.between(g.start, g.base.Add(-liveWindow))
			g.signIn(u, t, g.homeClient(u), false)
		}
	}

	slices.SortStableFunc(g.events, func(a, b *logEvent) int { return a.published.Compare(b.published) })
	for i, e := range g.events {
		e.seq = uint64(i + 1)
	}
	o.events = eventLog{list: g.events, seq: uint64(len(g.events))}
	for _, ss := range o.userSessions {
		slices.SortFunc(ss, func(a, b *session) int { return a.createdAt.Compare(b.createdAt) })
	}
}

// ---- building blocks ----

func (g *logGen) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(g.r.Int64N(int64(b.Sub(a))))).Truncate(time.Millisecond)
}

func (g *logGen) secs(lo, hi int) time.Duration {
	return time.Duration(lo*1000+g.r.IntN((hi-lo)*1000+1)) * time.Millisecond
}

func (g *logGen) token(prefix string, n int) string {
	for {
		b := make([]byte, 0, len(prefix)+n)
		b = append(b, prefix...)
		for len(b) < len(prefix)+n {
			b = append(b, idAlphabet[g.r.IntN(len(idAlphabet))])
		}
		if s := string(b); !g.ids[s] {
			g.ids[s] = true
			return s
		}
	}
}

func (g *logGen) uuid() string {
	var u [16]byte
	for i := range u {
		u[i] = byte(g.r.IntN(256))
	}
	return formatUUID(u)
}

func (g *logGen) client(ip string, geo *geoPlace, ua *userAgent) *logClient {
	key := ip + "|" + ua.raw
	if c := g.clients[key]; c != nil {
		return c
	}
	c := newClient(ip, geo, ua)
	g.clients[key] = c
	return c
}

func (g *logGen) actor(u *user) *logEntity {
	if a := g.actors[u.id]; a != nil {
		return a
	}
	a := userEntity(u)
	g.actors[u.id] = a
	return a
}

// add appends one event; false once the limit is reached.
func (g *logGen) add(e *logEvent) bool {
	if g.limit > 0 && len(g.events) >= g.limit {
		return false
	}
	if e.uuid == "" {
		e.uuid = g.uuid()
	}
	if e.result == "" {
		e.result = "SUCCESS"
	}
	if e.result == "FAILURE" || e.result == "DENY" {
		if e.severity == "" {
			e.severity = "WARN"
		}
	}
	g.events = append(g.events, e)
	return true
}

// officeOf is the user's office (by profile city).
func netOf(u *user) *office {
	if o := officeNets[u.profile.str("city")]; o != nil {
		return o
	}
	return officeNets["San Francisco"]
}

// userHash is a stable small number per user, for per-user choices that
// must not consume the random stream.
func userHash(u *user) int {
	h := 0
	for i := 0; i < len(u.id); i++ {
		h = h*31 + int(u.id[i])
	}
	if h < 0 {
		h = -h
	}
	return h
}

func (g *logGen) officeClient(u *user) *logClient {
	of := netOf(u)
	return g.client(of.ip, of.place, computerUAs[userHash(u)%len(computerUAs)])
}

func (g *logGen) homeClient(u *user) *logClient {
	of := netOf(u)
	h := userHash(u)
	hn := of.homes[h%len(of.homes)]
	ip := hn.prefix + "." + itoa(hn.first+(h/7)%20)
	return g.client(ip, hn.place, computerUAs[h%len(computerUAs)])
}

func (g *logGen) mobileClient(u *user) *logClient {
	of := netOf(u)
	h := userHash(u)
	hn := of.homes[(h/3)%len(of.homes)]
	ip := hn.prefix + "." + itoa(hn.first+(h/11)%20)
	return g.client(ip, hn.place, uaIPhone)
}

// usualClient is where a user signs in from on an ordinary day.
func (g *logGen) usualClient(u *user) *logClient {
	switch k := g.r.IntN(10); {
	case k < 5:
		return g.officeClient(u)
	case k < 8:
		return g.homeClient(u)
	default:
		return g.mobileClient(u)
	}
}

// signIn records a successful sign-in whose user.session.start is at t:
// sign-on policy, MFA, the session start, some app sign-ons and perhaps a
// sign-out. The session is live when live is set. Returns the session.
func (g *logGen) signIn(u *user, t time.Time, cl *logClient, live bool) *session {
	a := g.actor(u)
	sid := g.token("102", 22)
	tx := g.token("", 27)
	mfa := g.r.IntN(10) < 8
	risk := riskLow
	if cl.ua == uaIPhone || g.r.IntN(10) == 0 {
		risk = riskMedium
	}
	t0 := t.Add(-g.secs(4, 30))
	result, reason := "ALLOW", "Sign-on policy evaluation resulted in ALLOW"
	if mfa {
		result, reason = "CHALLENGE", "Sign-on policy evaluation resulted in CHALLENGE"
	}
	if !g.add(&logEvent{published: t0, kind: kindPolicyEval, result: result, reason: reason, actor: a, client: cl, targets: g.policy, sessionID: sid, txID: tx, risk: risk}) {
		return nil
	}
	s := &session{id: sid, userID: u.id, login: u.profile.str("login"), status: "ACTIVE", createdAt: t, lastPassword: t0.Add(g.secs(1, 3))}
	if mfa {
		tf := t.Add(-g.secs(1, 3))
		s.lastFactor = &tf
		if !g.add(&logEvent{published: tf, kind: kindMFA, actor: a, client: cl, targets: []*logEntity{g.factor}, sessionID: sid, txID: tx, risk: risk}) {
			return nil
		}
	}
	if !g.add(&logEvent{published: t, kind: kindSessionStart, actor: a, client: cl, sessionID: sid, txID: tx, risk: risk}) {
		return nil
	}
	g.o.addSession(s)
	// App sign-ons during the session.
	last := t
	for range g.r.IntN(3) {
		last = last.Add(g.secs(20, 3000))
		if last.After(g.base) {
			break
		}
		app := g.appEnts[g.r.IntN(len(g.appEnts))]
		if !g.add(&logEvent{published: last, kind: kindSSO, actor: a, client: cl, targets: []*logEntity{app}, sessionID: sid, txID: g.token("", 27)}) {
			return s
		}
	}
	if live {
		// Live sessions last their maximum lifetime, so the fixtures hold
		// for a day of sandbox use.
		s.live = true
		s.expiresAt = t.Add(maxSessionLife)
		return s
	}
	s.expiresAt = last.Add(sessionIdle)
	if g.r.IntN(10) < 4 {
		end := last.Add(g.secs(60, 4*3600))
		if end.Before(g.base) {
			g.add(&logEvent{published: end, kind: kindSessionEnd, actor: a, client: cl, sessionID: sid, txID: g.token("", 27)})
			s.expiresAt = end
		}
	}
	return s
}

// failedSignIn records a wrong password (or an unknown user) at t.
func (g *logGen) failedSignIn(a *logEntity, t time.Time, cl *logClient, reason string, risk uint8) bool {
	return g.add(&logEvent{published: t, kind: kindSessionStart, result: "FAILURE", reason: reason, actor: a, client: cl, txID: g.token("", 27), risk: risk})
}

// adminEvent records an admin action on targets at t.
func (g *logGen) adminEvent(t time.Time, kind *eventKind, extra string, targets ...*logEntity) {
	if len(g.admins) == 0 {
		return
	}
	adm := g.admins[g.r.IntN(len(g.admins))]
	g.add(&logEvent{published: t, kind: kind, actor: g.actor(adm), client: g.officeClient(adm), targets: targets,
		sessionID: g.token("102", 22), txID: g.token("", 27), extra: extra})
}

func (g *logGen) inWindow(t *time.Time) bool {
	return t != nil && t.After(g.start) && !t.After(g.base)
}

// ---- the story ----

// directory records what the directory says happened in the window:
// sign-ins up to each user's lastLogin, account creations, activations,
// status changes, group membership changes and role grants.
func (g *logGen) directory() {
	o := g.o
	for _, u := range o.users {
		if u.id == JaneDoeID {
			continue // see jane
		}
		ue := g.actor(u)
		// Lifecycle events inside the window.
		if g.inWindow(&u.created) {
			g.adminEvent(u.created, kindCreate, "", ue)
		}
		if g.inWindow(u.activated) && u.status != StatusStaged {
			g.adminEvent(*u.activated, kindActivate, "", ue)
		}
		if g.inWindow(u.statusChanged) && (u.activated == nil || !u.statusChanged.Equal(*u.activated)) {
			g.statusEvent(u)
		}
		// Sign-ins up to lastLogin.
		if !g.inWindow(u.lastLogin) {
			continue
		}
		ll := *u.lastLogin
		n := g.r.IntN(6)
		for range n {
			t := g.between(maxTime(g.start, u.created), ll.Add(-time.Hour))
			if g.r.IntN(20) == 0 {
				g.failedSignIn(ue, t.Add(-g.secs(20, 90)), g.usualClient(u), "INVALID_CREDENTIALS", riskLow)
			}
			g.signIn(u, t, g.usualClient(u), false)
		}
		live := u.status == StatusActive && g.base.Sub(ll) < liveWindow
		g.signIn(u, ll, g.usualClient(u), live)
	}
	// Group membership changes.
	for _, gr := range o.groups {
		if gr.typ != GroupTypeOkta || len(gr.members) == 0 || !g.inWindow(&gr.lastMembershipUpdated) {
			continue
		}
		if m := o.usersByID[gr.members[g.r.IntN(len(gr.members))]]; m != nil {
			g.adminEvent(gr.lastMembershipUpdated, kindMemberAdd, "", g.actor(m), groupEntity(gr))
		}
	}
	// Role grants.
	for _, u := range o.users {
		for _, ra := range o.roleAssigns[u.id] {
			if g.inWindow(&ra.created) {
				g.add(&logEvent{published: ra.created, kind: kindPrivGrant, actor: g.actor(o.usersByID[AlexKimID]),
					client: g.officeClient(o.usersByID[AlexKimID]), targets: []*logEntity{g.actor(u)},
					sessionID: g.token("102", 22), txID: g.token("", 27), extra: privilegeExtra(ra)})
			}
		}
	}
	for _, gr := range o.groups {
		for _, ra := range o.roleAssigns[gr.id] {
			if g.inWindow(&ra.created) {
				g.add(&logEvent{published: ra.created, kind: kindGroupGrant, actor: g.actor(o.usersByID[AlexKimID]),
					client: g.officeClient(o.usersByID[AlexKimID]), targets: []*logEntity{groupEntity(gr)},
					sessionID: g.token("102", 22), txID: g.token("", 27), extra: privilegeExtra(ra)})
			}
		}
	}
}

func privilegeExtra(ra *roleAssignment) string {
	return `"privilegeGranted":` + string(appendJSONStr(nil, ra.label()))
}

// statusEvent records the event behind a user's current status.
func (g *logGen) statusEvent(u *user) {
	t := *u.statusChanged
	ue := g.actor(u)
	switch u.status {
	case StatusSuspended:
		g.adminEvent(t, kindSuspend, "", ue)
	case StatusDeprovisioned:
		g.adminEvent(t, kindDeactivate, "", ue)
	case StatusPasswordExpired:
		g.adminEvent(t, kindExpirePw, "", ue)
	case StatusRecovery:
		g.adminEvent(t, kindResetPw, "", ue)
	case StatusLockedOut:
		// Wrong passwords, then the lock. Carlos Rivera is locked out by
		// the brute-force source; the others forgot their password.
		cl := g.usualClient(u)
		risk := riskLow
		if u.id == CarlosRiveraID {
			cl, risk = g.client(BruteForceIP, placeMoscow, uaLinuxChrome), riskHigh
		}
		for i := 5; i >= 1; i-- {
			g.failedSignIn(ue, t.Add(-time.Duration(i)*g.secs(15, 60)), cl, "INVALID_CREDENTIALS", risk)
		}
		g.add(&logEvent{published: t, kind: kindAccountLock, result: "FAILURE", reason: "LOCKED_OUT", actor: ue, client: cl, txID: g.token("", 27), risk: risk})
	}
}

// attacks: a password spray, brute force with lockouts, and MFA fatigue.
func (g *logGen) attacks() {
	o := g.o
	var targets []*user
	for _, u := range o.users {
		if u.status != StatusDeprovisioned && u.id != JaneDoeID {
			targets = append(targets, u)
		}
	}
	// Password spray: one attempt per user for many users within two hours.
	spray := g.client(SprayIP, placeAmsterdam, uaPython)
	t := g.base.Add(-19*day - 7*time.Hour)
	for i := 0; i < 140; i++ {
		t = t.Add(g.secs(10, 60))
		u := targets[g.r.IntN(len(targets))]
		g.failedSignIn(g.actor(u), t, spray, "INVALID_CREDENTIALS", riskHigh)
	}
	for _, local := range []string{"admin", "administrator", "root", "test", "it", "helpdesk", "support", "info", "hr", "finance", "ceo", "backup"} {
		t = t.Add(g.secs(10, 60))
		a := newEntity("unknown", "User", local+"@company.com", "unknown")
		g.failedSignIn(a, t, spray, "VERIFICATION_ERROR", riskHigh)
		t = t.Add(g.secs(10, 60))
		g.failedSignIn(a, t, g.client(SprayIP, placeAmsterdam, uaCurl), "VERIFICATION_ERROR", riskHigh)
	}
	// Brute force: bursts against a few users over the last week.
	brute := g.client(BruteForceIP, placeMoscow, uaLinuxChrome)
	for i := 0; i < 8; i++ {
		u := targets[g.r.IntN(len(targets))]
		t := g.between(g.base.Add(-7*day), g.base.Add(-day))
		for j := 0; j < 8+g.r.IntN(5); j++ {
			t = t.Add(g.secs(3, 20))
			g.failedSignIn(g.actor(u), t, brute, "INVALID_CREDENTIALS", riskHigh)
		}
	}
	// MFA fatigue: the password was right; the pushes were rejected.
	fatigue := g.client(MFAFatigueIP, placeSaoPaulo, uaWinChrome)
	picked := 0
	for _, u := range targets {
		if picked == 2 {
			break
		}
		if u.status != StatusActive || u.lastLogin == nil || userHash(u)%9 != 4 {
			continue
		}
		picked++
		a := g.actor(u)
		t := g.between(g.base.Add(-12*day), g.base.Add(-2*day))
		tx := g.token("", 27)
		g.add(&logEvent{published: t, kind: kindPolicyEval, result: "CHALLENGE", reason: "Sign-on policy evaluation resulted in CHALLENGE",
			actor: a, client: fatigue, targets: g.policy, txID: tx, risk: riskHigh})
		for j := 0; j < 6+g.r.IntN(4); j++ {
			t = t.Add(g.secs(30, 120))
			g.add(&logEvent{published: t, kind: kindDenyPush, result: "FAILURE", reason: "User rejected Okta push verify",
				actor: a, client: fatigue, targets: []*logEntity{g.factor}, txID: tx, risk: riskHigh})
			g.add(&logEvent{published: t.Add(g.secs(0, 1)), kind: kindMFA, result: "FAILURE", reason: "INVALID_CREDENTIALS",
				actor: a, client: fatigue, targets: []*logEntity{g.factor}, txID: tx, risk: riskHigh})
		}
	}
}

// jane is the incident-response fixture: ordinary sign-ins over the month;
// in the last day, failed sign-ins from an unusual foreign IP, rejected
// pushes, then a successful sign-in from it (a live session) and app access;
// and her own sign-in from the office at lastLogin (the second live session).
func (g *logGen) jane() {
	u := g.o.usersByID[JaneDoeID]
	if u == nil || u.lastLogin == nil {
		return
	}
	for i := 0; i < 6; i++ {
		t := g.between(maxTime(g.start, u.created), g.base.Add(-2*day))
		g.signIn(u, t, g.usualClient(u), false)
	}
	a := g.actor(u)
	bad := g.client(JaneUnusualIP, placeBucharest, uaWinChrome)
	t := g.base.Add(-6 * time.Hour)
	for i := 0; i < 6; i++ {
		t = t.Add(g.secs(40, 300))
		g.failedSignIn(a, t, bad, "INVALID_CREDENTIALS", riskHigh)
	}
	sid := g.token("102", 22)
	tx := g.token("", 27)
	t = g.base.Add(-5*time.Hour - 10*time.Minute)
	g.add(&logEvent{published: t, kind: kindPolicyEval, result: "CHALLENGE", reason: "Sign-on policy evaluation resulted in CHALLENGE",
		actor: a, client: bad, targets: g.policy, sessionID: sid, txID: tx, risk: riskHigh})
	for i := 0; i < 2; i++ {
		t = t.Add(g.secs(40, 90))
		g.add(&logEvent{published: t, kind: kindDenyPush, result: "FAILURE", reason: "User rejected Okta push verify",
			actor: a, client: bad, targets: []*logEntity{g.factor}, sessionID: sid, txID: tx, risk: riskHigh})
	}
	tf := g.base.Add(-5*time.Hour - g.secs(5, 20))
	g.add(&logEvent{published: tf, kind: kindMFA, actor: a, client: bad, targets: []*logEntity{g.factor}, sessionID: sid, txID: tx, risk: riskHigh})
	ts := g.base.Add(-5 * time.Hour)
	g.add(&logEvent{published: ts, kind: kindSessionStart, actor: a, client: bad, sessionID: sid, txID: tx, risk: riskHigh})
	g.o.addSession(&session{id: sid, userID: u.id, login: u.profile.str("login"), status: "ACTIVE", createdAt: ts,
		lastPassword: tf.Add(-g.secs(5, 30)), lastFactor: &tf, expiresAt: ts.Add(maxSessionLife), live: true})
	for i, app := range []int{3, 2} { // AWS Production, GitHub
		g.add(&logEvent{published: ts.Add(time.Duration(4+i*7) * time.Minute), kind: kindSSO, actor: a, client: bad,
			targets: []*logEntity{g.appEnts[app]}, sessionID: sid, txID: g.token("", 27), risk: riskHigh})
	}
	g.signIn(u, *u.lastLogin, g.officeClient(u), true)
}

// ---- small helpers ----

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// formatUUID formats 16 random bytes as a version 4 UUID.
func formatUUID(u [16]byte) string {
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b strings.Builder
	b.Grow(36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b.WriteByte('-')
		}
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

// newUUID is a random UUID for events recorded at run time.
func newUUID() string {
	var u [16]byte
	for i := range u {
		u[i] = byte(rand.IntN(256))
	}
	return formatUUID(u)
}
