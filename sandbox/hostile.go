package sandbox

import (
	"strings"
	"time"
)

// Test hooks for hostile data: text an attacker can place in a real org
// (their own profile fields, names and user agents that end up in the
// System Log), and a view of the requests being served.

// SetUserProfileField sets one profile attribute of the user with the given
// ID to value, as the user or a provisioning app could. It reports whether
// the user exists. The login cannot be changed this way (it is indexed).
func (o *Org) SetUserProfileField(id, key, value string) bool {
	if key == "login" {
		panic("sandbox: SetUserProfileField cannot change the login")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	u := o.usersByID[id]
	if u == nil {
		return false
	}
	u.profile.set(key, value)
	u.lastUpdated = o.now().UTC().Truncate(time.Millisecond)
	u.touch()
	return true
}

// EventSpec is a System Log event made of free text, for AddEvent.
type EventSpec struct {
	EventType      string // "" means "user.account.update_profile"
	DisplayMessage string
	Result         string // outcome.result; "" means SUCCESS
	Reason         string // outcome.reason; "" is null
	// The actor; an empty ActorID means the admin Alex Kim.
	ActorID, ActorAlternateID, ActorDisplayName string
	// One target when TargetID is set.
	TargetID, TargetAlternateID, TargetDisplayName string
	IPAddress, UserAgent                           string // "" means 198.51.100.7 and "UNKNOWN"
	Published                                      time.Time
	// SessionID is authenticationContext.externalSessionId; "" is "unknown".
	SessionID string
}

// AddEvent stores a System Log event built from s and returns its uuid.
// Published defaults to the org's now.
func (o *Org) AddEvent(s EventSpec) string {
	typ := s.EventType
	if typ == "" {
		typ = "user.account.update_profile"
	}
	result := s.Result
	if result == "" {
		result = "SUCCESS"
	}
	ip, ua := s.IPAddress, s.UserAgent
	if ip == "" {
		ip = "198.51.100.7"
	}
	if ua == "" {
		ua = "UNKNOWN"
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	actor := o.apiActor()
	if s.ActorID != "" {
		actor = newEntity(s.ActorID, "User", s.ActorAlternateID, s.ActorDisplayName)
	}
	var targets []*logEntity
	if s.TargetID != "" {
		targets = []*logEntity{newEntity(s.TargetID, "User", s.TargetAlternateID, s.TargetDisplayName)}
	}
	published := s.Published
	if published.IsZero() {
		published = o.now()
	}
	e := &logEvent{
		published: published.UTC().Truncate(time.Millisecond),
		uuid:      newUUID(),
		kind:      newKind(typ, s.DisplayMessage, "", "INFO", "/api/v1/users"),
		result:    result,
		reason:    s.Reason,
		actor:     actor,
		client:    newClient(ip, nil, &userAgent{raw: ua, os: "Unknown", browser: "UNKNOWN", device: "Unknown"}),
		targets:   targets,
		sessionID: s.SessionID,
		txID:      strings.ReplaceAll(newUUID(), "-", "")[:27],
	}
	o.events.add(e)
	return e.uuid
}

// InFlight is the number of requests the org is serving right now. A
// request whose client went away stops counting once its handler has
// returned (a Latency fault returns at once when the connection closes).
func (o *Org) InFlight() int {
	o.log.mu.Lock()
	defer o.log.mu.Unlock()
	return o.log.inflight
}
