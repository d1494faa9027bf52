package sandbox

import (
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the System Log: the event store, the LogEvent JSON, and
// GET /api/v1/logs with Okta's bounded and polling semantics, filter and q.
// logs_seed.go generates the seeded events.

// System Log query limits (OKTA-API-NOTES "System Log").
const (
	logsDefaultLimit  = 100
	logsMaxLimit      = 1000
	logsDefaultWindow = 7 * day   // since defaults to 7 days before until
	logsMaxAge        = 180 * day // since may not be older
	logsMaxKeywords   = 10
	logsMaxKeywordLen = 40
)

// codeInvalidFilter is Okta's E0000053 ("Invalid SCIM filter"), which the
// System Log answers for bad filter expressions and bad parameter values.
// codeInvalidPaging is E0000029 for a cursor that was not one Okta issued.
const (
	codeInvalidFilter = "E0000053"
	codeInvalidPaging = "E0000029"
)

// eventKind is what every event of one eventType shares.
type eventKind struct {
	typ, display string
	legacy       string // "" → null
	legacyFail   string // legacyEventType of failures, when it differs
	severity     string // default severity; failures are raised to WARN
	txType       string // transaction.type: WEB or JOB
	uri          string // debugData.requestUri
	// authenticationContext providers and credential type; "" → null.
	authProvider, credProvider, credType string
	lower                                string // lower-cased type and display message, for q
}

func newKind(typ, display, legacy, severity, uri string) *eventKind {
	k := &eventKind{typ: typ, display: display, legacy: legacy, severity: severity, txType: "WEB", uri: uri}
	k.lower = lower(typ + " " + display)
	return k
}

// legacyType is the event's legacyEventType ("" → null).
func (e *logEvent) legacyType() string {
	if e.result == "FAILURE" && e.kind.legacyFail != "" {
		return e.kind.legacyFail
	}
	return e.kind.legacy
}

// The event types the sandbox records.
var (
	kindPolicyEval   = newKind("policy.evaluate_sign_on", "Evaluation of sign-on policy", "", "INFO", "/idp/idx/identify")
	kindSessionStart = func() *eventKind {
		k := newKind("user.session.start", "User login to Okta", "core.user_auth.login_success", "INFO", "/idp/idx/challenge/answer")
		k.legacyFail = "core.user_auth.login_failed"
		k.authProvider, k.credProvider, k.credType = "OKTA_AUTHENTICATION_PROVIDER", "OKTA_CREDENTIAL_PROVIDER", "PASSWORD"
		return k
	}()
	kindMFA = func() *eventKind {
		k := newKind("user.authentication.auth_via_mfa", "Authentication of user via MFA", "core.user.factor.attempt_success", "INFO", "/idp/idx/authenticators/poll")
		k.legacyFail = "core.user.factor.attempt_fail"
		k.authProvider, k.credProvider, k.credType = "FACTOR_PROVIDER", "OKTA_CREDENTIAL_PROVIDER", "OTP"
		return k
	}()
	kindDenyPush = func() *eventKind {
		k := newKind("user.mfa.okta_verify.deny_push", "User rejected Okta push verify", "core.user.factor.attempt_fail", "WARN", "/idp/idx/authenticators/poll")
		k.authProvider, k.credProvider, k.credType = "FACTOR_PROVIDER", "OKTA_CREDENTIAL_PROVIDER", "OTP"
		return k
	}()
	kindSSO          = newKind("user.authentication.sso", "User single sign on to app", "app.auth.sso", "INFO", "/app/sso")
	kindAccountLock  = newKind("user.account.lock", "Max sign in attempts exceeded", "core.user_auth.account_locked", "WARN", "/idp/idx/challenge/answer")
	kindSessionEnd   = newKind("user.session.end", "User logout from Okta", "core.user_auth.logout_success", "INFO", "/login/signout")
	kindSessionClear = newKind("user.session.clear", "Clear user session", "", "INFO", "/api/v1/users/sessions")
	kindCreate       = newKind("user.lifecycle.create", "Create Okta user", "core.user.config.user_creation.success", "INFO", "/api/v1/users")
	kindActivate     = newKind("user.lifecycle.activate", "Activate Okta user", "core.user.config.user_activated", "INFO", "/api/v1/users/lifecycle/activate")
	kindReactivate   = newKind("user.lifecycle.reactivate", "Reactivate Okta user", "", "INFO", "/api/v1/users/lifecycle/reactivate")
	kindDeactivate   = newKind("user.lifecycle.deactivate", "Deactivate Okta user", "core.user.config.user_deactivated", "INFO", "/api/v1/users/lifecycle/deactivate")
	kindSuspend      = newKind("user.lifecycle.suspend", "Suspend Okta user", "core.user.config.user_status.suspended", "INFO", "/api/v1/users/lifecycle/suspend")
	kindUnsuspend    = newKind("user.lifecycle.unsuspend", "Unsuspend Okta user", "core.user.config.user_status.unsuspended", "INFO", "/api/v1/users/lifecycle/unsuspend")
	kindDelete       = newKind("user.lifecycle.delete.initiated", "Delete Okta user", "", "INFO", "/api/v1/users")
	kindUnlock       = newKind("user.account.unlock", "Unlock user account", "core.user.config.user_status.account_unlock", "INFO", "/api/v1/users/lifecycle/unlock")
	kindResetPw      = newKind("user.account.reset_password", "Reset user password", "core.user.config.password_reset", "INFO", "/api/v1/users/lifecycle/reset_password")
	kindExpirePw     = newKind("user.account.expire_password", "Expire user password", "core.user.config.password_expired", "INFO", "/api/v1/users/lifecycle/expire_password")
	kindResetFactors = newKind("user.mfa.factor.reset_all", "Reset all factors for user", "core.user.factor.reset_all", "INFO", "/api/v1/users/lifecycle/reset_factors")
	kindProfile      = newKind("user.account.update_profile", "Update user profile for Okta", "core.user.config.profile_update.success", "INFO", "/api/v1/users")
	kindMemberAdd    = newKind("group.user_membership.add", "Add user to group membership", "core.user_group_member.user_add", "INFO", "/api/v1/groups/users")
	kindMemberRemove = newKind("group.user_membership.remove", "Remove user from group membership", "core.user_group_member.user_remove", "INFO", "/api/v1/groups/users")
	kindGroupCreate  = newKind("group.lifecycle.create", "Create Okta group", "core.user_group.created", "INFO", "/api/v1/groups")
	kindGroupDelete  = newKind("group.lifecycle.delete", "Delete Okta group", "core.user_group.deleted", "INFO", "/api/v1/groups")
	kindGroupUpdate  = newKind("group.profile.update", "Update group profile", "", "INFO", "/api/v1/groups")
	kindPrivGrant    = newKind("user.account.privilege.grant", "Grant user privilege", "core.user.admin_privilege.granted", "INFO", "/api/v1/users/roles")
	kindPrivRevoke   = newKind("user.account.privilege.revoke", "Revoke user privilege", "core.user.admin_privilege.revoked", "INFO", "/api/v1/users/roles")
	kindGroupGrant   = newKind("group.privilege.grant", "Grant group privilege", "", "INFO", "/api/v1/groups/roles")
	kindGroupRevoke  = newKind("group.privilege.revoke", "Revoke group privilege", "", "INFO", "/api/v1/groups/roles")
)

// logEntity is an actor or a target; entities are shared between events and
// their JSON is built once.
type logEntity struct {
	id, typ, alternateID, displayName string
	json                              []byte // the whole object, detailEntry null
	lower                             string // lower-cased text for q
}

// newEntity builds an actor or target. An empty alternateId or displayName
// is sent as null (admitted for targets only; actors always have both).
func newEntity(id, typ, alternateID, displayName string) *logEntity {
	e := &logEntity{id: id, typ: typ, alternateID: alternateID, displayName: displayName}
	b := []byte(`{"id":`)
	b = appendJSONStr(b, id)
	b = append(b, `,"type":`...)
	b = appendJSONStr(b, typ)
	b = append(b, `,"alternateId":`...)
	b = appendOptStr(b, alternateID)
	b = append(b, `,"displayName":`...)
	b = appendOptStr(b, displayName)
	b = append(b, `,"detailEntry":null}`...)
	e.json = b
	e.lower = lower(id + " " + typ + " " + alternateID + " " + displayName)
	return e
}

// geoPlace is where an IP address is located, with its network owner.
type geoPlace struct {
	city, state, country, postal string
	lat, lon                     float64
	asNumber                     int
	asOrg, isp, domain           string
	proxy                        bool
}

// userAgent is a browser or client as Okta parses it.
type userAgent struct {
	raw, os, browser, device string
}

// logClient is the client of an event (IP address, place, user agent). It
// also yields the event's request.ipChain and securityContext. Shared and
// built once.
type logClient struct {
	ip                                    string
	geo                                   *geoPlace // nil: unresolved (loopback, private)
	ua                                    *userAgent
	clientJSON, requestJSON, securityJSON []byte
	lower                                 string
}

func newClient(ip string, geo *geoPlace, ua *userAgent) *logClient {
	c := &logClient{ip: ip, geo: geo, ua: ua}
	geoJSON := []byte("null")
	if geo != nil {
		g := []byte(`{"city":`)
		g = appendJSONStr(g, geo.city)
		g = append(g, `,"state":`...)
		g = appendJSONStr(g, geo.state)
		g = append(g, `,"country":`...)
		g = appendJSONStr(g, geo.country)
		g = append(g, `,"postalCode":`...)
		g = appendOptStr(g, geo.postal)
		g = append(g, `,"geolocation":{"lat":`...)
		g = strconv.AppendFloat(g, geo.lat, 'f', 4, 64)
		g = append(g, `,"lon":`...)
		g = strconv.AppendFloat(g, geo.lon, 'f', 4, 64)
		g = append(g, `}}`...)
		geoJSON = g
	}
	version := "V4"
	if strings.Contains(ip, ":") {
		version = "V6"
	}
	b := []byte(`{"userAgent":{"rawUserAgent":`)
	b = appendJSONStr(b, ua.raw)
	b = append(b, `,"os":`...)
	b = appendJSONStr(b, ua.os)
	b = append(b, `,"browser":`...)
	b = appendJSONStr(b, ua.browser)
	b = append(b, `},"zone":"null","device":`...)
	b = appendJSONStr(b, ua.device)
	b = append(b, `,"id":null,"ipAddress":`...)
	b = appendJSONStr(b, ip)
	b = append(b, `,"geographicalContext":`...)
	b = append(b, geoJSON...)
	b = append(b, '}')
	c.clientJSON = b

	r := []byte(`{"ipChain":[{"ip":`)
	r = appendJSONStr(r, ip)
	r = append(r, `,"geographicalContext":`...)
	r = append(r, geoJSON...)
	r = append(r, `,"version":"`+version+`","source":null}]}`...)
	c.requestJSON = r

	if geo != nil && geo.asNumber != 0 {
		s := []byte(`{"asNumber":`)
		s = strconv.AppendInt(s, int64(geo.asNumber), 10)
		s = append(s, `,"asOrg":`...)
		s = appendJSONStr(s, geo.asOrg)
		s = append(s, `,"isp":`...)
		s = appendJSONStr(s, geo.isp)
		s = append(s, `,"domain":`...)
		s = appendJSONStr(s, geo.domain)
		s = append(s, `,"isProxy":`...)
		s = strconv.AppendBool(s, geo.proxy)
		s = append(s, '}')
		c.securityJSON = s
	} else {
		c.securityJSON = []byte(`{"asNumber":null,"asOrg":null,"isp":null,"domain":null,"isProxy":null}`)
	}
	text := ip + " " + ua.raw + " " + ua.os + " " + ua.browser + " " + ua.device
	if geo != nil {
		text += " " + geo.city + " " + geo.state + " " + geo.country + " " + geo.postal + " " + geo.isp + " " + geo.asOrg + " " + geo.domain
	}
	c.lower = lower(text)
	return c
}

// Risk assessments carried in debugData (Okta's behaviors and risk).
const (
	riskNone   uint8 = iota // no risk data
	riskLow                 // known device and place
	riskMedium              // new device or new place
	riskHigh                // new place, new device, threat suspected
)

// logEvent is one System Log event. Events are immutable once stored.
type logEvent struct {
	published time.Time
	seq       uint64 // insertion order; breaks ties in published
	uuid      string
	kind      *eventKind
	result    string // outcome.result
	reason    string // outcome.reason; "" → null
	severity  string // "" → kind.severity
	actor     *logEntity
	client    *logClient
	targets   []*logEntity // nil → null
	sessionID string       // authenticationContext.externalSessionId; "" → "unknown"
	txID      string
	risk      uint8
	// extra is more debugData, as a JSON object body without braces
	// (e.g. `"privilegeGranted":"Super administrator"`); may be "".
	extra string
}

func (e *logEvent) sev() string {
	if e.severity != "" {
		return e.severity
	}
	return e.kind.severity
}

func (e *logEvent) session() string {
	if e.sessionID == "" {
		return "unknown"
	}
	return e.sessionID
}

var riskJSON = [...]string{
	riskLow:    `,"threatSuspected":"false","risk":"{level=LOW}","behaviors":"{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"`,
	riskMedium: `,"threatSuspected":"false","risk":"{level=MEDIUM, reasons=New Device}","behaviors":"{New Geo-Location=NEGATIVE, New Device=POSITIVE, New IP=POSITIVE, New State=NEGATIVE, New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"`,
	riskHigh:   `,"threatSuspected":"true","risk":"{level=HIGH, reasons=Anomalous Location, New Device, New IP}","behaviors":"{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE, New State=POSITIVE, New Country=POSITIVE, Velocity=POSITIVE, New City=POSITIVE}"`,
}

// appendJSON writes the event as Okta's LogEvent, in Okta's field order.
func (e *logEvent) appendJSON(b []byte) []byte {
	b = append(b, `{"actor":`...)
	b = append(b, e.actor.json...)
	b = append(b, `,"client":`...)
	b = append(b, e.client.clientJSON...)
	k := e.kind
	b = append(b, `,"authenticationContext":{"authenticationProvider":`...)
	b = appendOptStr(b, k.authProvider)
	b = append(b, `,"credentialProvider":`...)
	b = appendOptStr(b, k.credProvider)
	b = append(b, `,"credentialType":`...)
	b = appendOptStr(b, k.credType)
	b = append(b, `,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":`...)
	b = appendJSONStr(b, e.session())
	b = append(b, `},"displayMessage":`...)
	b = appendJSONStr(b, k.display)
	b = append(b, `,"eventType":`...)
	b = appendJSONStr(b, k.typ)
	b = append(b, `,"outcome":{"result":`...)
	b = appendJSONStr(b, e.result)
	b = append(b, `,"reason":`...)
	b = appendOptStr(b, e.reason)
	b = append(b, `},"published":"`...)
	b = e.published.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","securityContext":`...)
	b = append(b, e.client.securityJSON...)
	b = append(b, `,"severity":`...)
	b = appendJSONStr(b, e.sev())
	b = append(b, `,"debugContext":{"debugData":{"requestId":`...)
	b = appendJSONStr(b, e.txID)
	b = append(b, `,"requestUri":`...)
	b = appendJSONStr(b, k.uri)
	b = append(b, `,"url":`...)
	b = appendJSONStr(b, k.uri+"?")
	if e.risk != riskNone {
		b = append(b, riskJSON[e.risk]...)
	}
	if e.extra != "" {
		b = append(b, ',')
		b = append(b, e.extra...)
	}
	b = append(b, `}},"legacyEventType":`...)
	b = appendOptStr(b, e.legacyType())
	b = append(b, `,"transaction":{"type":"`+k.txType+`","id":`...)
	b = appendJSONStr(b, e.txID)
	b = append(b, `,"detail":{}},"uuid":`...)
	b = appendJSONStr(b, e.uuid)
	b = append(b, `,"version":"0","request":`...)
	b = append(b, e.client.requestJSON...)
	b = append(b, `,"target":`...)
	if e.targets == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range e.targets {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, t.json...)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// matchQ reports whether every keyword (lower-cased) occurs in some text
// field of the event.
func (e *logEvent) matchQ(keywords []string) bool {
	for _, kw := range keywords {
		if !e.contains(kw) {
			return false
		}
	}
	return true
}

func (e *logEvent) contains(kw string) bool {
	if strings.Contains(e.kind.lower, kw) || strings.Contains(lower(e.legacyType()), kw) || strings.Contains(e.actor.lower, kw) ||
		strings.Contains(e.client.lower, kw) || strings.Contains(e.uuid, kw) ||
		strings.Contains(lower(e.result), kw) || strings.Contains(lower(e.reason), kw) ||
		strings.Contains(lower(e.sessionID), kw) || strings.Contains(lower(e.txID), kw) ||
		strings.Contains(lower(e.sev()), kw) {
		return true
	}
	for _, t := range e.targets {
		if strings.Contains(t.lower, kw) {
			return true
		}
	}
	return false
}

// ---- the store ----

// eventLog holds the events ordered by (published, seq). Guarded by Org.mu.
type eventLog struct {
	list []*logEvent
	seq  uint64 // last seq handed out
}

// add stores e, giving it the next seq and keeping the order.
func (l *eventLog) add(e *logEvent) {
	l.seq++
	e.seq = l.seq
	n := len(l.list)
	if n == 0 || !e.published.Before(l.list[n-1].published) {
		l.list = append(l.list, e)
		return
	}
	i := sort.Search(n, func(i int) bool { return l.list[i].published.After(e.published) })
	l.list = append(l.list, nil)
	copy(l.list[i+1:], l.list[i:])
	l.list[i] = e
}

// EventInfo is a read-only view of a System Log event, for tests.
type EventInfo struct {
	UUID      string
	Published time.Time
	EventType string
	Outcome   string // outcome.result
	ActorID   string
	TargetIDs []string
	IP        string // client.ipAddress
	SessionID string // authenticationContext.externalSessionId ("unknown" when none)
}

// Events returns every System Log event in published order.
func (o *Org) Events() []EventInfo {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]EventInfo, len(o.events.list))
	for i, e := range o.events.list {
		var tids []string
		for _, t := range e.targets {
			tids = append(tids, t.id)
		}
		out[i] = EventInfo{UUID: e.uuid, Published: e.published, EventType: e.kind.typ, Outcome: e.result,
			ActorID: e.actor.id, TargetIDs: tids, IP: e.client.ip, SessionID: e.session()}
	}
	return out
}

// ---- events from API writes ----

// apiActor is the principal API writes are attributed to: the admin the
// SSWS token belongs to.
func (o *Org) apiActor() *logEntity {
	if u := o.usersByID[AlexKimID]; u != nil {
		return userEntity(u)
	}
	return newEntity(AlexKimID, "User", "alex.kim@company.com", "Alex Kim")
}

func userEntity(u *user) *logEntity {
	return newEntity(u.id, "User", u.profile.str("login"), strings.TrimSpace(u.profile.str("firstName")+" "+u.profile.str("lastName")))
}

func groupEntity(g *group) *logEntity {
	return newEntity(g.id, "UserGroup", g.profile.str("name"), g.profile.str("name"))
}

// requestClient describes the caller of an API request (loopback: no place).
func (c *call) requestClient() *logClient {
	host, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		host = c.r.RemoteAddr
	}
	raw := c.r.UserAgent()
	if raw == "" {
		raw = "UNKNOWN"
	}
	return newClient(host, nil, &userAgent{raw: raw, os: "Unknown", browser: "UNKNOWN", device: "Unknown"})
}

// record appends an event for an API write, at the org's now, attributed to
// the token's admin; its transaction id is the request's X-Okta-Request-Id.
// Caller holds Org.mu for writing.
func (c *call) record(kind *eventKind, targets []*logEntity, extra string) {
	o := c.o
	e := &logEvent{
		published: o.now().UTC().Truncate(time.Millisecond),
		uuid:      newUUID(),
		kind:      kind,
		result:    "SUCCESS",
		actor:     o.apiActor(),
		client:    c.requestClient(),
		targets:   targets,
		txID:      c.w.Header().Get("X-Okta-Request-Id"),
		extra:     extra,
	}
	o.events.add(e)
}

// ---- GET /api/v1/logs ----

func registerLogRoutes(rt *router) {
	rt.handle(http.MethodGet, "/api/v1/logs", handleListLogs)
}

// logCursor is a position in the log: after an event (ascending) or before
// it (descending). Descending cursors also carry the lower bound, because a
// next link may not repeat since alongside after.
type logCursor struct {
	millis   int64
	seq      uint64
	since    int64 // descending only: lower bound, Unix millis
	hasSince bool
}

func (k logCursor) String() string {
	s := strconv.FormatInt(k.millis, 10) + "_" + strconv.FormatUint(k.seq, 10)
	if k.hasSince {
		s += "_" + strconv.FormatInt(k.since, 10)
	}
	return s
}

func parseCursor(s string) (logCursor, bool) {
	parts := strings.Split(s, "_")
	if len(parts) < 2 || len(parts) > 3 {
		return logCursor{}, false
	}
	m, err1 := strconv.ParseInt(parts[0], 10, 64)
	q, err2 := strconv.ParseUint(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return logCursor{}, false
	}
	k := logCursor{millis: m, seq: q}
	if len(parts) == 3 {
		since, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			return logCursor{}, false
		}
		k.since, k.hasSince = since, true
	}
	return k, true
}

// cmpPos orders an event against a position.
func cmpPos(e *logEvent, millis int64, seq uint64) int {
	em := e.published.UnixMilli()
	switch {
	case em < millis:
		return -1
	case em > millis:
		return 1
	case e.seq < seq:
		return -1
	case e.seq > seq:
		return 1
	}
	return 0
}

func errLogDate(param string) *apiError {
	c1 := param + ": The date format in your query is not recognized. Please enter dates using ISO8601 string format."
	c2 := param + ": must be a valid date-time or empty."
	return &apiError{status: http.StatusBadRequest, code: codeValidation,
		summary: "Api validation failed: '" + param + "': The date format in your query is not recognized. Please enter dates using ISO8601 string format.. '" +
			param + "': must be a valid date-time or empty.",
		causes: []string{c1, c2}}
}

func errLogParam(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeInvalidFilter, summary: "Invalid parameter: " + msg}
}

func errLogQ(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeValidation,
		summary: "Api validation failed: 'q': " + msg, causes: []string{"q: " + msg}}
}

// logQuery is a parsed GET /api/v1/logs request.
type logQuery struct {
	desc     bool
	polling  bool  // no until, ascending: endless pages
	since    int64 // lower bound (inclusive), Unix millis
	until    int64 // upper bound (inclusive), Unix millis; bounded only
	after    *logCursor
	limit    int
	filter   expr
	keywords []string
}

// parseLogTime accepts what Okta does: RFC 3339 with or without fractional
// seconds, and the "+0000" offset style.
func parseLogTime(q url.Values, param string) (time.Time, bool, *apiError) {
	v := strings.TrimSpace(q.Get(param))
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err := parseExprTime(v)
	if err != nil {
		return time.Time{}, false, errLogDate(param)
	}
	return t, true, nil
}

func ceilMillis(t time.Time) int64 {
	m := t.UnixMilli()
	if t.Sub(time.UnixMilli(m)) > 0 {
		m++
	}
	return m
}

func handleListLogs(c *call) {
	q := c.r.URL.Query()
	now := c.o.now()
	limit, aerr := parseLimit(q, logsDefaultLimit, logsMaxLimit)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	since, hasSince, aerr := parseLogTime(q, "since")
	if aerr != nil {
		c.fail(aerr)
		return
	}
	until, hasUntil, aerr := parseLogTime(q, "until")
	if aerr != nil {
		c.fail(aerr)
		return
	}
	lq := &logQuery{limit: limit}
	switch so := strings.ToUpper(strings.TrimSpace(q.Get("sortOrder"))); so {
	case "", "ASCENDING":
	case "DESCENDING":
		lq.desc = true
	default:
		c.fail(&apiError{status: http.StatusBadRequest, code: codeValidation,
			summary: "Api validation failed: 'sortOrder': must be ASCENDING or DESCENDING",
			causes:  []string{"sortOrder: must be ASCENDING or DESCENDING, got '" + q.Get("sortOrder") + "'"}})
		return
	}
	if a := q.Get("after"); a != "" {
		if hasSince {
			c.fail(errLogParam("The since and after parameters are mutually exclusive and can't be specified simultaneously."))
			return
		}
		k, ok := parseCursor(a)
		if !ok {
			c.fail(&apiError{status: http.StatusBadRequest, code: codeInvalidPaging,
				summary: "Invalid paging request. Ensure the pagination cursor has not been altered",
				causes:  []string{"after: '" + a + "' is not a cursor from a next link"}})
			return
		}
		lq.after = &k
	}
	if hasSince && since.Before(now.Add(-logsMaxAge)) {
		c.fail(errLogParam("The since parameter is over 180 days prior to the current day."))
		return
	}
	lq.polling = !hasUntil && !lq.desc
	if !hasUntil {
		until = now
	}
	if !hasSince {
		since = until.Add(-logsDefaultWindow)
	}
	lq.since, lq.until = ceilMillis(since), until.UnixMilli()
	if lq.desc && lq.after != nil && lq.after.hasSince {
		lq.since = lq.after.since
	}
	if f := q.Get("filter"); f != "" {
		e, aerr := compileLogFilter(f)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		lq.filter = e
	}
	if s := q.Get("q"); strings.TrimSpace(s) != "" {
		kws := strings.Fields(s)
		if len(kws) > logsMaxKeywords {
			c.fail(errLogQ("Freeform search cannot contain more than 10 items. Please remove items from your search or use an advanced filter to query by specific fields."))
			return
		}
		for _, kw := range kws {
			if utf8.RuneCountInString(kw) > logsMaxKeywordLen {
				c.fail(errLogQ("Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields."))
				return
			}
			lq.keywords = append(lq.keywords, lower(kw))
		}
	}

	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	page, more := c.o.events.query(lq)
	b := make([]byte, 0, len(page)*1800+2)
	b = append(b, '[')
	for i, e := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendJSON(b)
	}
	b = append(b, ']')

	next := ""
	switch {
	case len(page) > 0 && (more || lq.polling):
		last := page[len(page)-1]
		k := logCursor{millis: last.published.UnixMilli(), seq: last.seq}
		if lq.desc {
			k.since, k.hasSince = lq.since, true
		}
		next = k.String()
	case lq.polling && lq.after != nil:
		next = lq.after.String() // nothing new yet: poll again from the same place
	case lq.polling:
		next = logCursor{millis: lq.since, seq: 0}.String()
	}
	c.setLogLinks(next, limit)
	c.reply(http.StatusOK, b)
}

// query returns one page and whether more matching events remain in range.
// Caller holds Org.mu.
func (l *eventLog) query(lq *logQuery) ([]*logEvent, bool) {
	list := l.list
	keep := func(e *logEvent) bool {
		if lq.filter != nil && !evalLog(lq.filter, e) {
			return false
		}
		return lq.keywords == nil || e.matchQ(lq.keywords)
	}
	if !lq.desc {
		// From the lower bound (since, or just after the cursor) up to
		// until; polling has no upper bound.
		var start int
		if lq.after != nil {
			k := lq.after
			start = sort.Search(len(list), func(i int) bool { return cmpPos(list[i], k.millis, k.seq) > 0 })
		} else {
			start = sort.Search(len(list), func(i int) bool { return list[i].published.UnixMilli() >= lq.since })
		}
		end := len(list)
		if !lq.polling {
			end = max(start, sort.Search(len(list), func(i int) bool { return list[i].published.UnixMilli() > lq.until }))
		}
		return takePage(nil, slices.Values(list[start:end]), lq.limit, keep)
	}
	// Descending: from just before the upper bound (until, or the cursor) down to since.
	end := sort.Search(len(list), func(i int) bool { return list[i].published.UnixMilli() > lq.until })
	if lq.after != nil {
		k := lq.after
		end = min(end, sort.Search(len(list), func(i int) bool { return cmpPos(list[i], k.millis, k.seq) >= 0 }))
	}
	start := min(end, sort.Search(len(list), func(i int) bool { return list[i].published.UnixMilli() >= lq.since }))
	return takePage(nil, backward(list[start:end]), lq.limit, keep)
}

// setLogLinks adds the self link and, when next is set, a next link that
// carries every original parameter except since, after and limit.
func (c *call) setLogLinks(next string, limit int) {
	u := c.addSelfLink()
	if next == "" {
		return
	}
	c.addNextLink(u+"?limit="+strconv.Itoa(limit)+"&after="+url.QueryEscape(next), "after", "limit", "since")
}

// ---- filter ----

// logExactAttrs are compared exactly (ids, enums, types); the other string
// attributes compare case-insensitively.
var logExactAttrs = map[string]bool{
	"uuid": true, "eventType": true, "legacyEventType": true, "severity": true, "version": true,
	"outcome.result": true, "actor.id": true, "actor.type": true, "target.id": true, "target.type": true,
	"client.ipAddress": true, "client.id": true, "transaction.id": true, "transaction.type": true,
	"authenticationContext.externalSessionId": true, "request.ipChain.ip": true,
	"debugContext.debugData.requestId": true,
}

// logTextAttrs are the other fixed LogEvent attributes; numeric ones are
// marked true.
var logTextAttrs = map[string]bool{
	"displayMessage": false, "outcome.reason": false,
	"actor.alternateId": false, "actor.displayName": false,
	"target.alternateId": false, "target.displayName": false,
	"client.zone": false, "client.device": false,
	"client.userAgent.rawUserAgent": false, "client.userAgent.os": false, "client.userAgent.browser": false,
	"client.geographicalContext.city": false, "client.geographicalContext.state": false,
	"client.geographicalContext.country": false, "client.geographicalContext.postalCode": false,
	"client.geographicalContext.geolocation.lat": true, "client.geographicalContext.geolocation.lon": true,
	"request.ipChain.version": false, "request.ipChain.source": false,
	"request.ipChain.geographicalContext.city": false, "request.ipChain.geographicalContext.state": false,
	"request.ipChain.geographicalContext.country": false, "request.ipChain.geographicalContext.postalCode": false,
	"authenticationContext.authenticationProvider": false, "authenticationContext.credentialProvider": false,
	"authenticationContext.credentialType": false, "authenticationContext.interface": false,
	"authenticationContext.authenticationStep": true,
	"authenticationContext.issuer.id":          false, "authenticationContext.issuer.type": false,
	"securityContext.asNumber": true, "securityContext.asOrg": false, "securityContext.isp": false,
	"securityContext.domain": false, "securityContext.isProxy": false,
}

// Free-form maps whose keys are any names.
var logMapPrefixes = []string{"debugContext.debugData.", "actor.detailEntry.", "target.detailEntry.",
	"target.changeDetails.", "transaction.detail."}

// logFilterErr marks a check failure that Okta answers with E0000031.
type logFilterErr struct{ op, field string }

var logFilter = &exprSchema{
	param:    "filter",
	allowNot: true,
	attr: func(n string) (attrKind, string, bool) {
		if logExactAttrs[n] {
			return kindExact, "", true
		}
		if _, ok := logTextAttrs[n]; ok {
			return kindString, "", true
		}
		for _, p := range logMapPrefixes {
			if strings.HasPrefix(n, p) {
				return kindString, "", true
			}
		}
		return 0, "", false
	},
	op: func(n string, k attrKind, op string) bool {
		switch op {
		case "gt", "ge", "lt", "le":
			return logTextAttrs[n] // numeric attributes only
		case "co":
			return n != "debugContext.debugData.url" && n != "debugContext.debugData.requestUri"
		}
		return true
	},
}

// compileLogFilter parses and checks a filter the way the System Log
// answers: a bad expression or unknown field is E0000053; an operator a
// field does not support is E0000031.
func compileLogFilter(src string) (expr, *apiError) {
	e, err := parseExpr(src)
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: codeInvalidFilter,
			summary: "Invalid filter '" + src + "': " + err.Error()}
	}
	if bad := firstBadLogAttr(e); bad != "" {
		return nil, &apiError{status: http.StatusBadRequest, code: codeInvalidFilter,
			summary: "field is not valid: " + bad}
	}
	if lfe := firstBadLogOp(e); lfe != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: codeInvalidSearch,
			summary: "The supplied combination of operator and field is not currently supported. Operator: " + lfe.op + ", Field: " + lfe.field}
	}
	if err := logFilter.check(e); err != nil {
		return nil, &apiError{status: http.StatusBadRequest, code: codeInvalidFilter,
			summary: "Invalid filter '" + src + "': " + err.Error()}
	}
	return e, nil
}

// firstBadLogAttr returns the first attribute that is not a LogEvent field
// (published included: it is not filterable), or "".
func firstBadLogAttr(e expr) string {
	switch e := e.(type) {
	case *logicalExpr:
		if b := firstBadLogAttr(e.left); b != "" {
			return b
		}
		return firstBadLogAttr(e.right)
	case *notExpr:
		return firstBadLogAttr(e.x)
	case *compareExpr:
		if _, _, ok := logFilter.attr(e.attr); !ok {
			return e.attr
		}
	}
	return ""
}

func firstBadLogOp(e expr) *logFilterErr {
	switch e := e.(type) {
	case *logicalExpr:
		if b := firstBadLogOp(e.left); b != nil {
			return b
		}
		return firstBadLogOp(e.right)
	case *notExpr:
		return firstBadLogOp(e.x)
	case *compareExpr:
		kind, _, _ := logFilter.attr(e.attr)
		if !logFilter.op(e.attr, kind, e.op) {
			return &logFilterErr{op: e.op, field: e.attr}
		}
	}
	return nil
}

// evalLog is eval for events: a multi-valued attribute (target.*,
// request.ipChain.*) matches when some value does; "ne" when none is equal.
func evalLog(e expr, ev *logEvent) bool {
	switch e := e.(type) {
	case *logicalExpr:
		if e.or {
			return evalLog(e.left, ev) || evalLog(e.right, ev)
		}
		return evalLog(e.left, ev) && evalLog(e.right, ev)
	case *notExpr:
		return !evalLog(e.x, ev)
	case *compareExpr:
		v := ev.get(e.attr)
		vs, multi := v.([]string)
		if !multi {
			return e.match(v)
		}
		if len(vs) == 0 {
			return e.match(nil)
		}
		if e.op == "ne" {
			for _, s := range vs {
				if !e.match(s) {
					return false
				}
			}
			return true
		}
		for _, s := range vs {
			if e.match(s) {
				return true
			}
		}
		return false
	}
	return false
}

// get returns an attribute for filter evaluation: string, float64, bool,
// []string for attributes of every target, or nil.
func (e *logEvent) get(attr string) any {
	k, cl := e.kind, e.client
	geo := cl.geo
	geoStr := func(f func(g *geoPlace) string) any {
		if geo == nil {
			return nil
		}
		return nilIfEmpty(f(geo))
	}
	switch attr {
	case "uuid":
		return e.uuid
	case "eventType":
		return k.typ
	case "legacyEventType":
		return nilIfEmpty(e.legacyType())
	case "displayMessage":
		return k.display
	case "severity":
		return e.sev()
	case "version":
		return "0"
	case "outcome.result":
		return e.result
	case "outcome.reason":
		return nilIfEmpty(e.reason)
	case "actor.id":
		return e.actor.id
	case "actor.type":
		return e.actor.typ
	case "actor.alternateId":
		return nilIfEmpty(e.actor.alternateID)
	case "actor.displayName":
		return nilIfEmpty(e.actor.displayName)
	case "target.id", "target.type", "target.alternateId", "target.displayName":
		out := make([]string, 0, len(e.targets))
		for _, t := range e.targets {
			var s string
			switch attr {
			case "target.id":
				s = t.id
			case "target.type":
				s = t.typ
			case "target.alternateId":
				s = t.alternateID
			default:
				s = t.displayName
			}
			if s != "" {
				out = append(out, s)
			}
		}
		return out
	case "client.ipAddress", "request.ipChain.ip":
		return cl.ip
	case "client.zone":
		return "null"
	case "client.userAgent.rawUserAgent", "client.userAgent.os", "client.userAgent.browser", "client.device":
		return uaField(cl, attr)
	case "client.geographicalContext.city", "request.ipChain.geographicalContext.city":
		return geoStr(func(g *geoPlace) string { return g.city })
	case "client.geographicalContext.state", "request.ipChain.geographicalContext.state":
		return geoStr(func(g *geoPlace) string { return g.state })
	case "client.geographicalContext.country", "request.ipChain.geographicalContext.country":
		return geoStr(func(g *geoPlace) string { return g.country })
	case "client.geographicalContext.postalCode", "request.ipChain.geographicalContext.postalCode":
		return geoStr(func(g *geoPlace) string { return g.postal })
	case "client.geographicalContext.geolocation.lat":
		if geo == nil {
			return nil
		}
		return roundGeo(geo.lat)
	case "client.geographicalContext.geolocation.lon":
		if geo == nil {
			return nil
		}
		return roundGeo(geo.lon)
	case "request.ipChain.version":
		if strings.Contains(cl.ip, ":") {
			return "V6"
		}
		return "V4"
	case "transaction.id", "debugContext.debugData.requestId":
		return e.txID
	case "transaction.type":
		return k.txType
	case "debugContext.debugData.requestUri":
		return k.uri
	case "debugContext.debugData.url":
		return k.uri + "?"
	case "debugContext.debugData.threatSuspected":
		switch e.risk {
		case riskNone:
			return nil
		case riskHigh:
			return "true"
		}
		return "false"
	case "authenticationContext.authenticationProvider":
		return nilIfEmpty(k.authProvider)
	case "authenticationContext.credentialProvider":
		return nilIfEmpty(k.credProvider)
	case "authenticationContext.credentialType":
		return nilIfEmpty(k.credType)
	case "authenticationContext.authenticationStep":
		return float64(0)
	case "authenticationContext.externalSessionId":
		return e.session()
	case "securityContext.asNumber":
		if geo == nil || geo.asNumber == 0 {
			return nil
		}
		return float64(geo.asNumber)
	case "securityContext.asOrg":
		return geoStr(func(g *geoPlace) string { return g.asOrg })
	case "securityContext.isp":
		return geoStr(func(g *geoPlace) string { return g.isp })
	case "securityContext.domain":
		return geoStr(func(g *geoPlace) string { return g.domain })
	case "securityContext.isProxy":
		if geo == nil || geo.asNumber == 0 {
			return nil
		}
		return geo.proxy
	}
	return nil
}

func uaField(cl *logClient, attr string) any {
	switch attr {
	case "client.userAgent.rawUserAgent":
		return cl.ua.raw
	case "client.userAgent.os":
		return cl.ua.os
	case "client.userAgent.browser":
		return cl.ua.browser
	}
	return cl.ua.device
}

func roundGeo(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ---- JSON helpers ----

const hexDigits = "0123456789abcdef"

// appendJSONStr appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendJSONStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendOptStr appends s as a JSON string, or null when s is empty.
func appendOptStr(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendJSONStr(b, s)
}
