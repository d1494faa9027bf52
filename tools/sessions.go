package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/okta"
)

// sessionFields is the compact session.
var sessionFields = []string{"id", "userId", "login", "status", "createdAt", "expiresAt",
	"lastPasswordVerification", "lastFactorVerification", "amr", "idp"}

var sessionSchema = &jsonschema.Schema{
	Type:        "object",
	Description: "An Okta session, compact: Okta's own field names; values exactly as Okta sent them.",
	Properties: map[string]*jsonschema.Schema{
		"id":                       str("session ID"),
		"userId":                   loose("the user's ID"),
		"login":                    loose("the user's login"),
		"status":                   loose("ACTIVE, MFA_REQUIRED or MFA_ENROLL"),
		"createdAt":                loose("RFC 3339 timestamp"),
		"expiresAt":                loose("RFC 3339 timestamp"),
		"lastPasswordVerification": loose("RFC 3339 timestamp"),
		"lastFactorVerification":   loose("RFC 3339 timestamp; absent without MFA"),
		"amr":                      loose("authentication methods, e.g. [\"pwd\", \"mfa\"]"),
		"idp":                      loose("{id, type} of the identity provider"),
	},
	Required: []string{"id"},
}

// Session discovery bounds.
const (
	sessionsDefaultLimit = 50
	sessionsMaxLimit     = 200
	sessionsMaxEvents    = 10000 // user.session.start events read per call
	sessionsConcurrency  = 8
)

// Session states of list_all_okta_sessions.
const (
	sessionActive = "active"
	sessionEnded  = "ended_or_unknown"
)

type getSessionIn struct {
	ID     string   `json:"id" jsonschema:"Session ID (e.g. 102…), as in a log event's authenticationContext.externalSessionId."`
	Fields []string `json:"fields,omitempty" jsonschema:"Extra dotted paths or [\"*\"]."`
}

type sessionResult struct {
	Session json.RawMessage `json:"session"`
	Rated
}

type deleteSessionIn struct {
	ID string `json:"id" jsonschema:"Session ID (e.g. 102…)."`
	DryRunOption
}

type listSessionsIn struct {
	UserID string `json:"user_id" jsonschema:"User ID (00u…), login or login short name."`
	Since  string `json:"since,omitempty" jsonschema:"Sessions started since, RFC 3339 (default 24 hours ago; at most 90 days ago)."`
	Limit  int    `json:"limit,omitempty" jsonschema:"Check at most this many sessions, newest first, 1-200 (default 50)."`
}

type sessionItem struct {
	ID      string          `json:"id"`
	State   string          `json:"state"`
	Started json.RawMessage `json:"started"`
	Client  json.RawMessage `json:"client,omitempty"`
	Session json.RawMessage `json:"session,omitempty"`
}

type sessionsResult struct {
	Items     []sessionItem `json:"items"`
	Count     int           `json:"count"`
	Active    int           `json:"active"`
	Limit     int           `json:"limit"`
	UserID    string        `json:"user_id"`
	Login     string        `json:"login,omitempty"`
	Since     string        `json:"since"`
	Until     string        `json:"until"`
	Truncated bool          `json:"truncated"`
	Rated
}

var sessionsListSchema = object("", map[string]*jsonschema.Schema{
	"items": {Type: "array", Items: object("A session the user started, newest first.", map[string]*jsonschema.Schema{
		"id":      str("session ID"),
		"state":   {Type: "string", Enum: []any{sessionActive, sessionEnded}, Description: "active: Okta returns the session now; ended_or_unknown: Okta answers 404 (ended, revoked or expired)"},
		"started": loose("published time of its user.session.start event"),
		"client":  loose("where it was started: {ipAddress, geographicalContext{city, state, country}, userAgent{rawUserAgent}}"),
		"session": sessionSchema,
	}, "id", "state", "started")},
	"count":      integer("number of sessions listed"),
	"active":     integer("how many of them are active"),
	"limit":      integer("most sessions checked"),
	"user_id":    str("the user's ID"),
	"login":      str("the user's login; absent when the credential cannot read users"),
	"since":      str("start of the time range searched (RFC 3339)"),
	"until":      str("end of the time range searched (RFC 3339)"),
	"truncated":  {Type: "boolean", Description: "true when the user started more sessions in the range than were checked (the oldest were left out)"},
	"rate_limit": rateLimitSchema,
}, "items", "count", "active", "limit", "user_id", "since", "until", "truncated")

func sessionTools() []Tool {
	return []Tool{
		define(&mcp.Tool{
			Name:         "get_single_okta_session_by_id",
			Title:        "Get an Okta session",
			Description:  "Get a session by ID: user, status, creation and expiry, last password and factor verification, authentication methods. Okta answers 404 once it has ended.",
			InputSchema:  inputSchema[getSessionIn](),
			OutputSchema: singleSchema("session", sessionSchema),
		}, ClassGet, []string{"sessions"}, getSession),
		defineWrite(&mcp.Tool{
			Name:        "delete_a_okta_session_by_id",
			Title:       "End an Okta session",
			Description: "End one session now: its browser or device must sign in again. For all of a user's sessions: okta_users_clear_sessions.",
			InputSchema: inputSchema[deleteSessionIn](),
		}, ClassDelete, []string{"sessions"}, planDeleteSession),
		define(&mcp.Tool{
			Name:  "list_all_okta_sessions",
			Title: "List a user's Okta sessions",
			Description: "List sessions a user started recently and whether each is still active. Okta cannot list sessions, so each successful user.session.start log event of the user " +
				"since since names one, checked with GET /api/v1/sessions/{id}: active (with status, expiresAt) or ended_or_unknown (404: ended, revoked or expired). " +
				"Sessions started earlier or without such an event are missed.",
			InputSchema:  inputSchema[listSessionsIn](),
			OutputSchema: sessionsListSchema,
		}, ClassList, []string{"sessions", "logs"}, listSessions),
	}
}

func getSession(ctx context.Context, c *okta.Client, in getSessionIn) (sessionResult, error) {
	if err := checkID("id", in.ID); err != nil {
		return sessionResult{}, err
	}
	proj, err := newProjection(sessionFields, in.Fields)
	if err != nil {
		return sessionResult{}, err
	}
	resp, err := c.GetSession(ctx, in.ID)
	if err != nil {
		return sessionResult{}, sessionError(err)
	}
	s, err := proj.apply(resp.Body)
	if err != nil {
		return sessionResult{}, err
	}
	return sessionResult{Session: s, Rated: Rated{resp.Rate}}, nil
}

// sessionError says what a 404 means for a session.
func sessionError(err error) error {
	var oe *okta.Error
	if errors.As(err, &oe) && oe.Status == 404 {
		oe.Hint = "Okta knows no live session with this ID: it has ended, been revoked or expired (or the ID is wrong). list_all_okta_sessions shows a user's recent sessions."
	}
	return err
}

func planDeleteSession(ctx context.Context, c *okta.Client, in deleteSessionIn) (*writePlan, error) {
	if err := checkID("id", in.ID); err != nil {
		return nil, err
	}
	resp, err := c.GetSession(ctx, in.ID)
	if err != nil {
		return nil, sessionError(err)
	}
	var s struct {
		ID, UserID, Login, Status, CreatedAt, ExpiresAt string
	}
	_ = json.Unmarshal(resp.Body, &s) // loose: an odd field leaves it empty
	proj, _ := newProjection(sessionFields, nil)
	compact, err := proj.apply(resp.Body)
	if err != nil {
		return nil, err
	}
	who := s.Login
	if s.UserID != "" && idRE.MatchString(s.UserID) {
		u, err := readUser(ctx, c, s.UserID)
		var oe *okta.Error
		switch {
		case err == nil:
			who = u.describe()
		case errors.As(err, &oe) && (oe.Status == 404 || oe.Status == 403):
			// Gone, or the credential may not read users: the session's login still names them.
			who = fmt.Sprintf("%s (%s)", s.Login, s.UserID)
		default:
			return nil, err
		}
	}
	prompt := fmt.Sprintf("End Okta session %s of %s, created %s (status %s, expires %s)? That browser or device must sign in again.",
		in.ID, unknownIfEmpty(who), unknownIfEmpty(s.CreatedAt), unknownIfEmpty(s.Status), unknownIfEmpty(s.ExpiresAt))
	return &writePlan{Writes: []*okta.Write{c.RevokeSession(in.ID)}, Target: compact, Prompt: prompt}, nil
}

func unknownIfEmpty(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// sessionUser finds the ID and login of a user given by ID or login. A
// credential without okta.users.read (403) can still use an ID as given.
func sessionUser(ctx context.Context, c *okta.Client, idOrLogin string) (id, login string, err error) {
	u, err := readUser(ctx, c, idOrLogin)
	var oe *okta.Error
	switch {
	case err == nil:
		return u.ID, u.Login, nil
	case errors.As(err, &oe) && oe.Status == 403 && idRE.MatchString(idOrLogin):
		return idOrLogin, "", nil
	case oe != nil && oe.Status == 403:
		oe.Hint = "This credential may not read users (okta.users.read), so a login cannot be resolved: pass the user's ID (00u…) as user_id."
	}
	return "", "", err
}

// startedSession is a session found in the System Log.
type startedSession struct {
	item sessionItem
	rate *okta.RateLimit
}

func listSessions(ctx context.Context, c *okta.Client, in listSessionsIn) (sessionsResult, error) {
	if err := checkIDOrLogin("user_id", in.UserID); err != nil {
		return sessionsResult{}, err
	}
	switch {
	case in.Limit == 0:
		in.Limit = sessionsDefaultLimit
	case in.Limit < 1 || in.Limit > sessionsMaxLimit:
		return sessionsResult{}, argError("limit: %d is out of range; valid values are 1 to %d", in.Limit, sessionsMaxLimit)
	}
	since, until, err := logWindow(in.Since, "", time.Now(), logsDefaultWindow)
	if err != nil {
		return sessionsResult{}, err
	}
	userID, login, err := sessionUser(ctx, c, in.UserID)
	if err != nil {
		return sessionsResult{}, err
	}
	filter, err := composeFilter("", []filterCond{{"eventType", "user.session.start"}, {"outcome.result", "SUCCESS"}, {"actor.id", userID}})
	if err != nil {
		return sessionsResult{}, err
	}
	q := okta.LogQuery{Since: since, Until: until, Filter: filter, SortOrder: "DESCENDING"}
	clientProj, _ := newProjection([]string{"ipAddress", "geographicalContext.city", "geographicalContext.state", "geographicalContext.country", "userAgent.rawUserAgent"}, nil)

	var found []*startedSession
	seen := map[string]bool{}
	var ev struct {
		Published json.RawMessage `json:"published"`
		Client    json.RawMessage `json:"client"`
		AuthCtx   struct {
			ExternalSessionID lval `json:"externalSessionId"`
		} `json:"authenticationContext"`
	}
	_, more, rate, err := eachLogEvent(ctx, c, q, sessionsMaxEvents, func(dec *json.Decoder) error {
		ev.Published, ev.Client, ev.AuthCtx.ExternalSessionID = nil, nil, nil
		var te *json.UnmarshalTypeError
		if err := dec.Decode(&ev); err != nil && !errors.As(err, &te) {
			return invalidResponse("Okta's answer holds an event that is not valid JSON")
		}
		id := ev.AuthCtx.ExternalSessionID.str()
		if id == "" || id == "unknown" || seen[id] || !idRE.MatchString(id) {
			return nil
		}
		if len(found) == in.Limit {
			return errStopScan
		}
		seen[id] = true
		it := sessionItem{ID: id, State: sessionEnded, Started: logRawOrNull(ev.Published)}
		if len(ev.Client) > 0 && ev.Client[0] == '{' {
			cl, err := clientProj.apply(ev.Client)
			if err != nil {
				return err
			}
			it.Client = cl
		}
		found = append(found, &startedSession{item: it})
		return nil
	})
	if err != nil {
		return sessionsResult{}, err
	}

	// Check each session; the rate-limit transport bounds the requests in
	// flight across all tool calls, this bounds one call's share. The first
	// failure other than 404 cancels the rest and is the call's error.
	proj, _ := newProjection(sessionFields, nil)
	sem := make(chan struct{}, sessionsConcurrency)
	var wg sync.WaitGroup
	var failOnce sync.Once
	var failure error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := func(err error) {
		failOnce.Do(func() { failure = err })
		cancel()
	}
	for _, s := range found {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			resp, err := c.GetSession(ctx, s.item.ID)
			var oe *okta.Error
			switch {
			case err == nil:
				s.rate = resp.Rate
				if s.item.Session, err = proj.apply(resp.Body); err != nil {
					fail(err)
					return
				}
				s.item.State = sessionActive
			case errors.As(err, &oe) && oe.Status == 404:
				s.rate = oe.RateLimit
			default:
				fail(err)
			}
		}()
	}
	wg.Wait()
	if failure == nil && ctx.Err() != nil {
		failure = &okta.Error{Code: okta.CodeCancelled, Causes: []string{}, Summary: "the request was cancelled"}
	}
	if failure != nil {
		return sessionsResult{}, failure
	}
	out := sessionsResult{Items: make([]sessionItem, 0, len(found)), Limit: in.Limit, UserID: userID, Login: login,
		Since: fmtLogTime(since), Until: fmtLogTime(until), Truncated: more, Rated: Rated{rate}}
	for _, s := range found { // newest first, as the log returned them
		if s.rate != nil && (out.RateLimit == nil || s.rate.Remaining <= out.RateLimit.Remaining) {
			out.RateLimit = s.rate
		}
		out.Items = append(out.Items, s.item)
		if s.item.State == sessionActive {
			out.Active++
		}
	}
	out.Count = len(out.Items)
	return out, nil
}

// logRawOrNull is a decoded value, or null when it was absent.
func logRawOrNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}
