package sandbox

import (
	"net/http"
	"strings"
	"time"
)

// orgID is the org's id, which Okta uses as the idp id of sessions signed
// in with Okta credentials.
const orgID = "00o1a2b3c4d5e6f7g8h9"

// session is one Okta browser session. Every session a user started is kept
// (its user.session.start event names it); only live ones can be read over
// the API. Guarded by Org.mu.
type session struct {
	id, userID, login string
	status            string // ACTIVE, MFA_REQUIRED, MFA_ENROLL
	createdAt         time.Time
	expiresAt         time.Time
	lastPassword      time.Time
	lastFactor        *time.Time // nil: no MFA in this session
	live              bool
}

// SessionInfo is a read-only view of a session, for tests.
type SessionInfo struct {
	ID, UserID, Status string
	Live               bool // readable with GET /api/v1/sessions/{id}; false once ended or expired
}

// Sessions returns every session userID started that the org remembers,
// live or ended, oldest first.
func (o *Org) Sessions(userID string) []SessionInfo {
	o.mu.RLock()
	defer o.mu.RUnlock()
	now := o.now()
	var out []SessionInfo
	for _, s := range o.userSessions[userID] {
		out = append(out, SessionInfo{ID: s.id, UserID: s.userID, Status: s.status, Live: s.isLive(now)})
	}
	return out
}

// isLive: not ended and not expired.
func (s *session) isLive(now time.Time) bool {
	return s.live && now.Before(s.expiresAt)
}

// addSession registers a session. Caller holds Org.mu for writing (or is seeding).
func (o *Org) addSession(s *session) {
	if o.sessions == nil {
		o.sessions = map[string]*session{}
		o.userSessions = map[string][]*session{}
	}
	o.sessions[s.id] = s
	o.userSessions[s.userID] = append(o.userSessions[s.userID], s)
}

// endUserSessions ends every live session of a user and reports how many
// there were. Caller holds Org.mu for writing.
func (o *Org) endUserSessions(userID string) int {
	n := 0
	now := o.now()
	for _, s := range o.userSessions[userID] {
		if s.isLive(now) {
			n++
		}
		s.live = false
	}
	return n
}

// appendJSON writes the session as GET /api/v1/sessions/{id} does.
func (s *session) appendJSON(b []byte, jsonBase, displayName string) []byte {
	self := jsonBase + "/api/v1/sessions/" + s.id
	b = append(b, `{"id":`...)
	b = appendJSONStr(b, s.id)
	b = append(b, `,"userId":`...)
	b = appendJSONStr(b, s.userID)
	b = append(b, `,"login":`...)
	b = appendJSONStr(b, s.login)
	b = append(b, `,"createdAt":"`...)
	b = s.createdAt.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","expiresAt":"`...)
	b = s.expiresAt.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","status":`...)
	b = appendJSONStr(b, s.status)
	b = append(b, `,"lastPasswordVerification":"`...)
	b = s.lastPassword.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, '"')
	if s.lastFactor != nil {
		b = append(b, `,"lastFactorVerification":"`...)
		b = s.lastFactor.UTC().AppendFormat(b, oktaTimeLayout)
		b = append(b, '"')
	}
	if s.lastFactor != nil {
		b = append(b, `,"amr":["pwd","mfa","swk"]`...)
	} else {
		b = append(b, `,"amr":["pwd"]`...)
	}
	b = append(b, `,"idp":{"id":"`+orgID+`","type":"OKTA"},"mfaActive":`...)
	if s.lastFactor != nil {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	b = append(b, `,"_links":{"self":{"href":`...)
	b = appendJSONStr(b, self)
	b = append(b, `,"hints":{"allow":["GET","DELETE"]}},"refresh":{"href":`...)
	b = appendJSONStr(b, self+"/lifecycle/refresh")
	b = append(b, `,"hints":{"allow":["POST"]}},"user":{"name":`...)
	b = appendJSONStr(b, displayName)
	b = append(b, `,"href":`...)
	b = appendJSONStr(b, jsonBase+"/api/v1/users/"+s.userID)
	b = append(b, `,"hints":{"allow":["GET"]}}}}`...)
	return b
}

func errSessionNotFound(id string) *apiError { return errNotFound(id, "Session") }

func registerSessionRoutes(rt *router) {
	rt.handle(http.MethodGet, "/api/v1/sessions/{id}", handleGetSession)
	rt.handle(http.MethodDelete, "/api/v1/sessions/{id}", handleRevokeSession)
	rt.handle(http.MethodDelete, "/api/v1/users/{id}/sessions", handleRevokeUserSessions)
}

// handleGetSession is GET /api/v1/sessions/{id}: 404 E0000007 unless live.
func handleGetSession(c *call) {
	id := c.param(0)
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	s := c.o.sessions[id]
	if s == nil || !s.isLive(c.o.now()) {
		c.fail(errSessionNotFound(id))
		return
	}
	name := s.login
	if u := c.o.usersByID[s.userID]; u != nil {
		name = strings.TrimSpace(u.profile.str("firstName") + " " + u.profile.str("lastName"))
	}
	c.reply(http.StatusOK, s.appendJSON(nil, c.jsonBase(), name))
}

// handleRevokeSession is DELETE /api/v1/sessions/{id}: 204, or 404 when the
// session is unknown or already ended.
func handleRevokeSession(c *call) {
	id := c.param(0)
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	s := c.o.sessions[id]
	if s == nil || !s.isLive(c.o.now()) {
		c.fail(errSessionNotFound(id))
		return
	}
	s.live = false
	var targets []*logEntity
	if u := c.o.usersByID[s.userID]; u != nil {
		targets = []*logEntity{userEntity(u)}
	}
	c.record(kindSessionClear, targets, `"revokedSessionId":`+string(appendJSONStr(nil, s.id)))
	c.reply(http.StatusNoContent, nil)
}

// handleRevokeUserSessions is DELETE /api/v1/users/{id}/sessions
// (oauthTokens=true|false): ends every session of the user; 204.
func handleRevokeUserSessions(c *call) {
	id := c.param(0)
	oauth, aerr := boolParam(c, "oauthTokens", false)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	u := c.o.findUser(id)
	if u == nil {
		c.fail(errNotFound(id, "User"))
		return
	}
	c.o.endUserSessions(u.id)
	extra := `"revokeOauthTokens":"false"`
	if oauth {
		extra = `"revokeOauthTokens":"true"`
	}
	c.record(kindSessionClear, []*logEntity{userEntity(u)}, extra)
	c.reply(http.StatusNoContent, nil)
}
