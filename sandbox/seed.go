package sandbox

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fixed identifiers of the seed data.
const (
	defaultUserTypeID = "oty1a2b3c4d5e6f7g8h9" // the org's default user type
	userSchemaID      = "osc1a2b3c4d5e6f7g8h9" // the default user profile schema
	adAppID           = "0oa1ad2b3c4d5e6f7g8h" // Active Directory app instance (APP_GROUP source)
	googleAppID       = "0oa1go2b3c4d5e6f7g8h" // Google Workspace app instance (APP_GROUP source)
)

// Fixture user IDs: short, recognizable, stable across every Options.
const (
	JaneDoeID        = "00u1a2b3c4d5e6f7g8h9" // jane.doe@company.com, ACTIVE, Engineering, recent sign-in
	JohnSmithID      = "00u2b3c4d5e6f7g8h9i0" // SUSPENDED engineer, AWS Production Admins
	MichaelJohnsonID = "00u3c4d5e6f7g8h9i0j1" // DEPROVISIONED engineer, AWS Production Admins
	PriyaPatelID     = "00u4d5e6f7g8h9i0j1k2" // ACTIVE, Finance, AWS Production Admins
	RobertBrownID    = "00u5e6f7g8h9i0j1k2l3" // ACTIVE engineer, last sign-in 200 days ago, AWS Production Admins
	CarlosRiveraID   = "00u6f7g8h9i0j1k2l3m4" // LOCKED_OUT, Sales
	EmilyChenID      = "00u7g8h9i0j1k2l3m4n5" // STAGED, Marketing
	AlexKimID        = "00u8h9i0j1k2l3m4n5o6" // alex.kim@company.com, ACTIVE, IT
	AlexKimPartnerID = "00u9i0j1k2l3m4n5o6p7" // alex.kim@partner.example.com: makes short name "alex.kim" ambiguous
	DanaWhiteID      = "00u0j1k2l3m4n5o6p7q8" // dana.white+admin@company.com (a '+' in the login)
	AWSProdAdminsID  = "00g1a2b3c4d5e6f7g8h9" // group "AWS Production Admins"
)

const day = 24 * time.Hour

type department struct {
	name   string
	weight int
	titles []string
}

var departments = []department{
	{"Engineering", 30, []string{"Software Engineer", "Senior Software Engineer", "Staff Engineer", "Principal Engineer", "Engineering Manager", "DevOps Engineer", "Site Reliability Engineer", "QA Engineer", "Director of Engineering"}},
	{"Sales", 18, []string{"Account Executive", "Sales Development Representative", "Sales Engineer", "Regional Sales Manager", "VP of Sales"}},
	{"Support", 12, []string{"Support Engineer", "Customer Support Specialist", "Support Manager", "Technical Account Manager"}},
	{"Marketing", 10, []string{"Marketing Coordinator", "Content Strategist", "Product Marketing Manager", "Growth Marketer", "Director of Marketing"}},
	{"IT", 8, []string{"IT Administrator", "Systems Administrator", "Help Desk Technician", "Security Engineer", "IT Manager"}},
	{"Finance", 8, []string{"Financial Analyst", "Accountant", "Controller", "Payroll Specialist", "Chief Financial Officer"}},
	{"HR", 7, []string{"HR Generalist", "Recruiter", "HR Business Partner", "People Operations Manager"}},
	{"Legal", 7, []string{"Corporate Counsel", "Paralegal", "Compliance Analyst", "General Counsel"}},
}

var statusWeights = []struct {
	status string
	weight int
}{
	{StatusActive, 74},
	{StatusStaged, 4},
	{StatusProvisioned, 4},
	{StatusSuspended, 4},
	{StatusLockedOut, 3},
	{StatusPasswordExpired, 3},
	{StatusRecovery, 2},
	{StatusDeprovisioned, 6},
}

var offices = []struct{ city, country string }{
	{"San Francisco", "US"}, {"San Francisco", "US"}, {"New York", "US"}, {"New York", "US"},
	{"Austin", "US"}, {"London", "GB"}, {"Berlin", "DE"}, {"Toronto", "CA"},
}

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
	"Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
	"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie",
	"Ronald", "Rebecca", "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Amy",
	"Jacob", "Kathleen", "Gary", "Angela", "Nicholas", "Shirley", "Eric", "Brenda", "Jonathan", "Emma",
	"Wei", "Priya", "Aisha", "Mateo", "Sofia", "Hiroshi", "Yuki", "Olga", "Lars", "Ingrid",
	"Omar", "Fatima", "Raj", "Ananya", "Diego", "Lucia", "Kwame", "Amara", "Chen", "Mei",
	"Noah", "Olivia", "Liam", "Ava", "Ethan", "Mia", "Lucas", "Chloe", "Aiden", "Zoe",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
	"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
	"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
	"Patel", "Shah", "Chen", "Wang", "Li", "Zhang", "Tanaka", "Sato", "Muller", "Schmidt",
	"Okafor", "Mensah", "Ivanova", "Larsen", "Nakamura", "Haddad", "Kowalski", "Novak", "Silva", "Costa",
}

// seeder generates the org deterministically: one PCG stream with a fixed
// seed, consumed in a fixed order.
type seeder struct {
	r      *rand.Rand
	base   time.Time // Now() at New, to the millisecond
	ids    map[string]bool
	logins map[string]int // generated login → how many times it was wanted
	empNo  int
}

// userSpec describes one user to build; zero fields are chosen at random.
type userSpec struct {
	id, first, last, login string
	status, dept, title    string
	userType               string
	// lastLoginDays: days since the last sign-in; 0 = by status at random;
	// -1 = never signed in.
	lastLoginDays float64
	// statusDays: days since the status changed; 0 = by status at random.
	statusDays float64
	mobile     string
}

func seedOrg(o *Org, extra, extraEvents int, now time.Time) {
	s := &seeder{
		r:      rand.New(rand.NewPCG(0x0c7a5eed, 0x5a4db0c5)),
		base:   now.UTC().Truncate(time.Millisecond),
		ids:    map[string]bool{},
		logins: map[string]int{},
		empNo:  100000,
	}
	fixtures := fixtureUsers()
	for _, f := range fixtures {
		s.ids[f.id] = true
		s.logins[lower(f.login)]++
	}
	s.ids[AWSProdAdminsID] = true
	if extra <= 0 {
		extra = defaultTotalUsers - len(fixtures)
	}

	all := make([]*user, 0, len(fixtures)+extra)
	for _, f := range fixtures {
		all = append(all, s.build(f))
	}
	generated := make([]*user, 0, extra)
	for range extra {
		u := s.build(s.randomSpec())
		generated = append(generated, u)
		all = append(all, u)
	}
	slices.SortFunc(all, func(a, b *user) int { return strings.Compare(a.id, b.id) })
	o.users = all
	o.usersByID = make(map[string]*user, len(all))
	o.usersByLogin = make(map[string]*user, len(all))
	o.usersByShort = make(map[string][]*user, len(all))
	for _, u := range all {
		o.indexUser(u)
	}

	o.groupsByID = map[string]*group{}
	for _, g := range s.groups(all, generated) {
		o.addGroup(g)
	}

	// Admin roles draw from the same stream, after the directory; the
	// System Log (with the sessions it records) has a stream of its own, so
	// ExtraEvents changes nothing else.
	s.seedRoles(o, generated)
	seedLog(o, s.base, extraEvents)
}

// fixtureUsers are the users the classic workflows and tests rely on.
func fixtureUsers() []userSpec {
	return []userSpec{
		{id: JaneDoeID, first: "Jane", last: "Doe", login: "jane.doe@company.com", status: StatusActive,
			dept: "Engineering", title: "Senior Software Engineer", userType: "Employee", lastLoginDays: 2.0 / 24, mobile: "+1 415 555 0142"},
		{id: JohnSmithID, first: "John", last: "Smith", login: "john.smith@company.com", status: StatusSuspended,
			dept: "Engineering", title: "DevOps Engineer", userType: "Employee", lastLoginDays: 21, statusDays: 14},
		{id: MichaelJohnsonID, first: "Michael", last: "Johnson", login: "michael.johnson@company.com", status: StatusDeprovisioned,
			dept: "Engineering", title: "Site Reliability Engineer", userType: "Employee", lastLoginDays: 75, statusDays: 60},
		{id: PriyaPatelID, first: "Priya", last: "Patel", login: "priya.patel@company.com", status: StatusActive,
			dept: "Finance", title: "Financial Analyst", userType: "Employee", lastLoginDays: 1, mobile: "+1 212 555 0187"},
		{id: RobertBrownID, first: "Robert", last: "Brown", login: "robert.brown@company.com", status: StatusActive,
			dept: "Engineering", title: "Staff Engineer", userType: "Employee", lastLoginDays: 200},
		{id: CarlosRiveraID, first: "Carlos", last: "Rivera", login: "carlos.rivera@company.com", status: StatusLockedOut,
			dept: "Sales", title: "Account Executive", userType: "Employee", lastLoginDays: 3, statusDays: 0.5},
		{id: EmilyChenID, first: "Emily", last: "Chen", login: "emily.chen@company.com", status: StatusStaged,
			dept: "Marketing", title: "Marketing Coordinator", userType: "Employee", lastLoginDays: -1},
		{id: AlexKimID, first: "Alex", last: "Kim", login: "alex.kim@company.com", status: StatusActive,
			dept: "IT", title: "IT Administrator", userType: "Employee", lastLoginDays: 0.5, mobile: "+1 512 555 0110"},
		{id: AlexKimPartnerID, first: "Alex", last: "Kim", login: "alex.kim@partner.example.com", status: StatusActive,
			dept: "IT", title: "IT Consultant", userType: "Contractor", lastLoginDays: 12},
		{id: DanaWhiteID, first: "Dana", last: "White", login: "dana.white+admin@company.com", status: StatusActive,
			dept: "HR", title: "People Operations Manager", userType: "Employee", lastLoginDays: 4},
	}
}

// randomSpec draws a generated user's attributes.
func (s *seeder) randomSpec() userSpec {
	first := firstNames[s.r.IntN(len(firstNames))]
	last := lastNames[s.r.IntN(len(lastNames))]
	d := s.pickDept()
	sp := userSpec{
		first:    first,
		last:     last,
		login:    s.uniqueLogin(lower(first)+"."+lower(last), "company.com"),
		status:   s.pickStatus(),
		dept:     d.name,
		title:    d.titles[s.r.IntN(len(d.titles))],
		userType: "Employee",
	}
	if s.r.IntN(10) == 0 {
		sp.userType = "Contractor"
	}
	if s.r.IntN(10) < 6 {
		sp.mobile = "+1 " + strconv.Itoa(200+s.r.IntN(800)) + " 555 01" + twoDigits(s.r.IntN(100))
	}
	return sp
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// uniqueLogin returns local@domain, adding a number (2, 3, …) when taken.
func (s *seeder) uniqueLogin(local, domain string) string {
	for {
		n := s.logins[local+"@"+domain]
		s.logins[local+"@"+domain] = n + 1
		if n == 0 {
			return local + "@" + domain
		}
		cand := local + strconv.Itoa(n+1) + "@" + domain
		if s.logins[cand] == 0 {
			s.logins[cand] = 1
			return cand
		}
	}
}

func (s *seeder) pickDept() department {
	total := 0
	for _, d := range departments {
		total += d.weight
	}
	n := s.r.IntN(total)
	for _, d := range departments {
		if n < d.weight {
			return d
		}
		n -= d.weight
	}
	return departments[0]
}

func (s *seeder) pickStatus() string {
	total := 0
	for _, w := range statusWeights {
		total += w.weight
	}
	n := s.r.IntN(total)
	for _, w := range statusWeights {
		if n < w.weight {
			return w.status
		}
		n -= w.weight
	}
	return StatusActive
}

const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns prefix + 17 characters of [a-z0-9], unique in this org.
func (s *seeder) newID(prefix string) string {
	for {
		b := make([]byte, 0, 20)
		b = append(b, prefix...)
		for len(b) < 20 {
			b = append(b, idChars[s.r.IntN(len(idChars))])
		}
		id := string(b)
		if !s.ids[id] {
			s.ids[id] = true
			return id
		}
	}
}

// ago is a random instant between minDays and maxDays before base.
func (s *seeder) ago(minDays, maxDays float64) time.Time {
	d := minDays + s.r.Float64()*(maxDays-minDays)
	return s.base.Add(-time.Duration(d * float64(day))).Truncate(time.Millisecond)
}

// between is a random instant in [a, b] (a when b is not after a).
func (s *seeder) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(s.r.Int64N(int64(b.Sub(a))))).Truncate(time.Millisecond)
}

func (s *seeder) daysAgo(d float64) time.Time {
	return s.base.Add(-time.Duration(d * float64(day))).Truncate(time.Millisecond)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

func ptr(t time.Time) *time.Time { return &t }

// build turns a spec into a user with a consistent timeline:
// created ≤ activated ≤ passwordChanged/lastLogin ≤ statusChanged (for
// users who can no longer sign in) ≤ lastUpdated ≤ now.
func (s *seeder) build(sp userSpec) *user {
	u := &user{id: sp.id, status: sp.status, typeID: defaultUserTypeID, provider: "OKTA"}
	if u.id == "" {
		u.id = s.newID("00u")
	}
	s.timeline(u, sp)

	s.empNo++
	p := newAttrs(12)
	p.set("firstName", sp.first)
	p.set("lastName", sp.last)
	if sp.mobile != "" {
		p.set("mobilePhone", sp.mobile)
	} else {
		p.set("mobilePhone", nil)
	}
	p.set("secondEmail", nil)
	p.set("login", sp.login)
	p.set("email", sp.login)
	p.set("title", sp.title)
	p.set("department", sp.dept)
	p.set("employeeNumber", strconv.Itoa(s.empNo))
	p.set("userType", sp.userType)
	off := offices[s.r.IntN(len(offices))]
	p.set("city", off.city)
	p.set("countryCode", off.country)
	u.profile = p
	return u
}

func (s *seeder) timeline(u *user, sp userSpec) {
	switch u.status {
	case StatusStaged:
		u.created = s.ago(1, 45)
		u.lastUpdated = s.between(u.created, minTime(u.created.Add(5*day), s.base))
		return
	case StatusProvisioned:
		u.created = s.ago(2, 120)
		act := s.between(u.created, minTime(u.created.Add(2*day), s.base))
		u.activated, u.statusChanged = ptr(act), ptr(act)
		u.lastUpdated = act
		return
	}

	// Users who have been active: choose how long ago the status changed
	// and the last sign-in, then place creation before both.
	statusDays := sp.statusDays
	if statusDays == 0 {
		switch u.status {
		case StatusSuspended:
			statusDays = 1 + s.r.Float64()*89
		case StatusLockedOut:
			statusDays = s.r.Float64() * 7
		case StatusPasswordExpired:
			statusDays = s.r.Float64() * 30
		case StatusRecovery:
			statusDays = s.r.Float64() * 14
		case StatusDeprovisioned:
			statusDays = 1 + s.r.Float64()*399
		}
	}
	llDays := sp.lastLoginDays
	if llDays == 0 {
		switch u.status {
		case StatusActive:
			// About a fifth of active users are inactive: half never
			// signed in, half not within 90 days.
			switch k := s.r.IntN(10); {
			case k == 0:
				llDays = -1
			case k == 1:
				llDays = 91 + s.r.Float64()*309
			default:
				llDays = s.r.Float64() * 30
			}
		default:
			if s.r.IntN(10) == 0 && u.status != StatusLockedOut {
				llDays = -1
			} else {
				llDays = statusDays + s.r.Float64()*60
			}
		}
	}
	oldest := max(statusDays, llDays, 30)
	u.created = s.ago(oldest+5, oldest+1200)
	act := s.between(u.created, u.created.Add(3*day))
	u.activated = ptr(act)
	u.hasPassword = true

	sc := act
	if u.status != StatusActive {
		sc = maxTime(act, s.daysAgo(statusDays))
	}
	u.statusChanged = ptr(sc)

	if llDays >= 0 {
		ll := maxTime(act, s.daysAgo(llDays))
		u.lastLogin = ptr(ll)
	}
	// Password last set: at activation for users who never signed in,
	// otherwise some time before the last sign-in (or the status change).
	var pwEnd time.Time
	switch {
	case u.lastLogin != nil:
		pwEnd = *u.lastLogin
	case u.status != StatusActive:
		pwEnd = sc
	default:
		pwEnd = act
	}
	if u.status == StatusPasswordExpired {
		pwEnd = minTime(pwEnd, sc.Add(-90*day))
	}
	u.passwordChanged = ptr(s.between(act, maxTime(act, pwEnd)))

	u.lastUpdated = maxTime(u.created, act, sc, *u.passwordChanged)
	if s.r.IntN(10) < 3 { // a later profile edit
		u.lastUpdated = s.between(u.lastUpdated, s.base)
	}
}

// groupSpec describes one seeded group.
type groupSpec struct {
	id, name, desc, typ string
	source              string // app instance id for APP_GROUP
	ad                  bool   // imported from Active Directory (extra profile attributes)
	member              func(u *user) bool
}

// groups builds about 40 groups over users (ordered by id; member draws
// iterate in that order). generated are the non-fixture users in creation
// order, used to pick the AWS Production Admins members.
func (s *seeder) groups(users, generated []*user) []*group {
	dept := func(name string) func(*user) bool {
		return func(u *user) bool { return u.profile.str("department") == name }
	}
	chance := func(p float64, also func(*user) bool) func(*user) bool {
		return func(u *user) bool { return (also == nil || also(u)) && s.r.Float64() < p }
	}
	titleHas := func(words ...string) func(*user) bool {
		return func(u *user) bool {
			t := u.profile.str("title")
			for _, w := range words {
				if strings.Contains(t, w) {
					return true
				}
			}
			return false
		}
	}
	city := func(c string) func(*user) bool {
		return func(u *user) bool { return u.profile.str("city") == c }
	}
	anyOf := func(fs ...func(*user) bool) func(*user) bool {
		return func(u *user) bool {
			for _, f := range fs {
				if f(u) {
					return true
				}
			}
			return false
		}
	}

	// AWS Production Admins: mostly ACTIVE engineers, plus exactly one
	// SUSPENDED, one DEPROVISIONED and one ACTIVE user outside Engineering
	// (all fixtures).
	aws := map[string]bool{JaneDoeID: true, JohnSmithID: true, MichaelJohnsonID: true, PriyaPatelID: true, RobertBrownID: true}
	picked := 0
	for _, u := range generated {
		if picked == 7 {
			break
		}
		if u.status == StatusActive && u.profile.str("department") == "Engineering" {
			aws[u.id] = true
			picked++
		}
	}

	specs := []groupSpec{
		{name: "Everyone", desc: "All users in your organization", typ: GroupTypeBuiltIn, member: func(*user) bool { return true }},
	}
	for _, d := range departments {
		specs = append(specs, groupSpec{name: d.name, desc: "All members of the " + d.name + " department", typ: GroupTypeOkta, member: dept(d.name)})
	}
	specs = append(specs,
		groupSpec{id: AWSProdAdminsID, name: "AWS Production Admins", desc: "Administrator access to the production AWS accounts", typ: GroupTypeOkta,
			member: func(u *user) bool { return aws[u.id] }},
		groupSpec{name: "AWS Staging Developers", desc: "Developer access to the staging AWS accounts", typ: GroupTypeOkta, member: chance(0.6, dept("Engineering"))},
		groupSpec{name: "AWS Billing Viewers", desc: "Read-only access to AWS billing", typ: GroupTypeOkta, member: chance(0.3, dept("Finance"))},
		groupSpec{name: "GitHub Users", desc: "Members of the company GitHub organization", typ: GroupTypeOkta, member: chance(0.9, dept("Engineering"))},
		groupSpec{name: "GitHub Admins", desc: "Owners of the company GitHub organization", typ: GroupTypeOkta,
			member: func(u *user) bool { return dept("Engineering")(u) && titleHas("Principal", "Director")(u) }},
		groupSpec{name: "VPN Users", desc: "Allowed to connect to the corporate VPN", typ: GroupTypeOkta, member: chance(0.4, nil)},
		groupSpec{name: "Contractors", desc: "External contractors and consultants", typ: GroupTypeOkta,
			member: func(u *user) bool { return u.profile.str("userType") == "Contractor" }},
		groupSpec{name: "Managers", desc: "People managers", typ: GroupTypeOkta, member: titleHas("Manager", "Director", "VP", "Chief", "Controller", "General Counsel")},
		groupSpec{name: "Executives", desc: "Executive leadership team", typ: GroupTypeOkta, member: titleHas("VP", "Chief", "General Counsel")},
		groupSpec{name: "Remote Workers", desc: "Employees working remotely", typ: GroupTypeOkta, member: chance(0.25, nil)},
		groupSpec{name: "Security Team", desc: "Information security team", typ: GroupTypeOkta, member: anyOf(titleHas("Security Engineer"), chance(0.2, dept("IT")))},
		groupSpec{name: "Help Desk", desc: "First-line IT support", typ: GroupTypeOkta, member: anyOf(titleHas("Help Desk"), chance(0.3, dept("Support")))},
		groupSpec{name: "Okta Administrators", desc: "Administrators of this Okta org", typ: GroupTypeOkta,
			member: func(u *user) bool { return u.id == AlexKimID || (dept("IT")(u) && titleHas("IT Manager")(u)) }},
		groupSpec{name: "Salesforce Users", desc: "Salesforce CRM access", typ: GroupTypeOkta, member: anyOf(dept("Sales"), dept("Support"))},
		groupSpec{name: "Salesforce Admins", desc: "Salesforce CRM administrators", typ: GroupTypeOkta, member: func(u *user) bool { return dept("Sales")(u) && titleHas("Manager", "VP")(u) }},
		groupSpec{name: "Payroll Access", desc: "Access to the payroll system", typ: GroupTypeOkta, member: chance(0.5, anyOf(dept("Finance"), dept("HR")))},
		groupSpec{name: "Office - San Francisco", desc: "San Francisco office", typ: GroupTypeOkta, member: city("San Francisco")},
		groupSpec{name: "Office - New York", desc: "New York office", typ: GroupTypeOkta, member: city("New York")},
		groupSpec{name: "Office - London", desc: "London office", typ: GroupTypeOkta, member: city("London")},
		groupSpec{name: "Office - Berlin", desc: "Berlin office", typ: GroupTypeOkta, member: city("Berlin")},
		groupSpec{name: "New Hires", desc: "Accounts not yet activated", typ: GroupTypeOkta,
			member: func(u *user) bool { return u.status == StatusStaged || u.status == StatusProvisioned }},
		groupSpec{name: "Beta Testers", desc: "Early access to new features", typ: GroupTypeOkta, member: chance(0.05, nil)},
		groupSpec{name: "Zoom Users", desc: "Zoom licence holders", typ: GroupTypeOkta, member: chance(0.7, nil)},
		groupSpec{name: "Break Glass Accounts", desc: "Emergency access accounts, managed manually", typ: GroupTypeOkta, member: func(*user) bool { return false }},
		groupSpec{name: "Domain Users", desc: "All domain users", typ: GroupTypeApp, source: adAppID, ad: true,
			member: func(u *user) bool { return u.status != StatusStaged && u.profile.str("userType") == "Employee" }},
		groupSpec{name: "Domain Admins", desc: "Designated administrators of the domain", typ: GroupTypeApp, source: adAppID, ad: true, member: chance(0.15, dept("IT"))},
		groupSpec{name: "Finance-FileShare", desc: "Read/write access to the finance file share", typ: GroupTypeApp, source: adAppID, ad: true, member: dept("Finance")},
		groupSpec{name: "Build-Servers", desc: "Log-on rights on the build servers", typ: GroupTypeApp, source: adAppID, ad: true, member: chance(0.5, dept("Engineering"))},
		groupSpec{name: "engineering-all", desc: "Engineering mailing list (Google Workspace)", typ: GroupTypeApp, source: googleAppID, member: dept("Engineering")},
		groupSpec{name: "sales-team", desc: "Sales mailing list (Google Workspace)", typ: GroupTypeApp, source: googleAppID, member: dept("Sales")},
		groupSpec{name: "all-hands", desc: "Company-wide announcements (Google Workspace)", typ: GroupTypeApp, source: googleAppID,
			member: func(u *user) bool { return u.status == StatusActive }},
	)

	orgCreated := s.daysAgo(1600)
	out := make([]*group, 0, len(specs))
	for _, sp := range specs {
		g := &group{id: sp.id, typ: sp.typ, sourceID: sp.source, memberSet: map[string]struct{}{}}
		if g.id == "" {
			g.id = s.newID("00g")
		}
		if sp.typ == GroupTypeBuiltIn {
			g.created = orgCreated
		} else {
			g.created = s.ago(200, 1500)
		}
		g.lastUpdated = s.between(g.created, s.base)
		g.objectClass = []string{"okta:user_group"}
		p := newAttrs(8)
		p.set("name", sp.name)
		p.set("description", sp.desc)
		if sp.ad {
			g.objectClass = []string{"okta:windows_security_principal"}
			sam := strings.ReplaceAll(sp.name, " ", "")
			p.set("groupType", "Security")
			p.set("groupScope", "Global")
			p.set("samAccountName", sam)
			p.set("dn", "CN="+sp.name+",OU=Groups,DC=corp,DC=company,DC=com")
			p.set("windowsDomainQualifiedName", `CORP\`+sam)
			p.set("externalId", s.newID("ext"))
		}
		g.profile = p
		for _, u := range users {
			if sp.member(u) {
				g.members = append(g.members, u.id) // users are id-ordered
				g.memberSet[u.id] = struct{}{}
			}
		}
		g.lastMembershipUpdated = s.between(g.created, s.base)
		out = append(out, g)
	}
	return out
}
