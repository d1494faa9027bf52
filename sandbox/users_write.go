package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// User writes: create, partial update, strict replace, delete, the
// lifecycle operations with Okta's state machine and errors.

// Okta error codes of the user lifecycle.
const (
	codeMalformedBody = "E0000003" // 400 The request body was not well-formed.
	codeAlreadyActive = "E0000016" // 403 Activation failed because the user is already active
	codeUnlockRefused = "E0000032" // 403 Unlock is not allowed for this user.
	codeStatusRefused = "E0000038" // 403 This operation is not allowed in the user's current status.
	minPasswordLength = 8
)

// profileAttrs are the attributes of Okta's default user profile schema
// (UserProfile), true when the schema declares them nullable. Attributes
// not listed are refused, as in an org without custom attributes.
var profileAttrs = map[string]bool{
	"login": false, "email": false, "firstName": true, "lastName": true,
	"department": false, "employeeNumber": false, "locale": false,
	"city": true, "costCenter": true, "countryCode": true, "displayName": true, "division": true,
	"honorificPrefix": true, "honorificSuffix": true, "manager": true, "managerId": true,
	"middleName": true, "mobilePhone": true, "nickName": true, "organization": true,
	"postalAddress": true, "preferredLanguage": true, "primaryPhone": true, "profileUrl": true,
	"secondEmail": true, "state": true, "streetAddress": true, "timezone": true, "title": true,
	"userType": true, "zipCode": true,
}

// requiredProfile are the attributes every user must have.
var requiredProfile = []string{"login", "email", "firstName", "lastName"}

// profileMaxLen are the schema's maximum lengths.
var profileMaxLen = map[string]int{
	"login": 100, "email": 100, "secondEmail": 100, "firstName": 50, "lastName": 50,
	"countryCode": 2, "city": 128, "state": 128, "mobilePhone": 100, "primaryPhone": 100,
	"zipCode": 50, "streetAddress": 1024, "postalAddress": 4096,
}

// ---- request helpers ----

// decodeBody reads the JSON request body into v; malformed JSON is 400
// E0000003, an empty body 400 E0000003 too.
func (c *call) decodeBody(v any) *apiError {
	var body []byte
	if c.r.Body != nil {
		body, _ = io.ReadAll(c.r.Body)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errMalformedBody("The request body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return errMalformedBody(err.Error())
	}
	if dec.More() {
		return errMalformedBody("unexpected data after the JSON value")
	}
	return nil
}

func errMalformedBody(cause string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeMalformedBody,
		summary: "The request body was not well-formed.", causes: []string{cause}}
}

// boolParam reads a true/false query parameter; def when absent.
func boolParam(c *call, name string, def bool) (bool, *apiError) {
	v := strings.TrimSpace(c.r.URL.Query().Get(name))
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errValidation(name, "must be true or false, got '"+v+"'")
	}
	return b, nil
}

// fieldErrors collects validation causes; the first names the summary.
type fieldErrors []string

func (f *fieldErrors) add(field, msg string) { *f = append(*f, field+": "+msg) }

func (f fieldErrors) err() *apiError {
	if len(f) == 0 {
		return nil
	}
	field, _, _ := strings.Cut(f[0], ":")
	return &apiError{status: http.StatusBadRequest, code: codeValidation,
		summary: "Api validation failed: " + field, causes: f}
}

// profileUpdate is a profile as sent: attributes in order, JSON null kept.
type profileUpdate struct {
	keys []string
	vals map[string]any // nil value: JSON null
}

func (p *profileUpdate) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("profile must be a JSON object")
	}
	p.vals = map[string]any{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if _, dup := p.vals[k]; !dup {
			p.keys = append(p.keys, k)
		}
		p.vals[k] = v
	}
	_, err = dec.Token()
	return err
}

// checkValues refuses attributes the schema lacks and values of the wrong type.
func (p *profileUpdate) checkValues(errs *fieldErrors) {
	for _, k := range p.keys {
		if _, ok := profileAttrs[k]; !ok {
			errs.add(k, "Property name '"+k+"' is not defined in profile")
			continue
		}
		switch v := p.vals[k].(type) {
		case nil:
		case string:
			if m := profileMaxLen[k]; m > 0 && len([]rune(v)) > m {
				errs.add(k, "The field cannot exceed "+strconv.Itoa(m)+" characters")
			}
		default:
			errs.add(k, "Property value must be a string or null")
		}
	}
}

// validateProfile checks the attributes every user must have and the
// formats of login and emails.
func validateProfile(p *attrs, errs *fieldErrors) {
	for _, k := range requiredProfile {
		if strings.TrimSpace(p.str(k)) == "" {
			errs.add(k, "The field cannot be left blank")
		}
	}
	if l := p.str("login"); l != "" && !plausibleEmail(l) {
		errs.add("login", "Username must be in the form of an email address")
	}
	for _, k := range []string{"email", "secondEmail"} {
		if v := p.str(k); v != "" && !plausibleEmail(v) {
			errs.add(k, "Does not match required pattern")
		}
	}
}

// plausibleEmail: local@domain.tld without spaces, as Okta's default login
// pattern requires.
func plausibleEmail(s string) bool {
	if len(s) < 5 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// setProfileValue applies one attribute: a string sets it; null clears it
// (a nullable attribute is kept as null, others are removed).
func setProfileValue(p *attrs, k string, v any) {
	if v == nil {
		if profileAttrs[k] {
			p.set(k, nil)
			return
		}
		deleteAttr(p, k)
		return
	}
	p.set(k, v)
}

// deleteAttr removes k from p (attrs has no delete of its own).
func deleteAttr(p *attrs, k string) {
	if _, ok := p.vals[k]; !ok {
		return
	}
	delete(p.vals, k)
	p.keys = slices.DeleteFunc(p.keys, func(x string) bool { return x == k })
}

func cloneAttrs(p *attrs) *attrs {
	c := newAttrs(len(p.keys))
	for _, k := range p.keys {
		c.set(k, p.vals[k])
	}
	return c
}

// userWriteBody is the body of create, update and replace.
type userWriteBody struct {
	Profile     *profileUpdate `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value *string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
	Type     *struct {
		ID string `json:"id"`
	} `json:"type"`
}

func (b *userWriteBody) password() (string, bool) {
	if b.Credentials == nil || b.Credentials.Password == nil || b.Credentials.Password.Value == nil {
		return "", false
	}
	return *b.Credentials.Password.Value, true
}

func checkPassword(pw string, errs *fieldErrors) {
	if len([]rune(pw)) < minPasswordLength {
		errs.add("password", "Password requirements were not met. Password requirements: at least "+
			strconv.Itoa(minPasswordLength)+" characters.")
	}
}

// ---- ids ----

// newRuntimeID returns prefix + 17 random characters, unique among the
// org's users, groups, role assignments and roles. Caller holds Org.mu.
func (o *Org) newRuntimeID(prefix string) string {
	for {
		b := make([]byte, 0, 20)
		b = append(b, prefix...)
		for len(b) < 20 {
			b = append(b, idChars[rand.IntN(len(idChars))])
		}
		id := string(b)
		if o.usersByID[id] == nil && o.groupsByID[id] == nil && o.roleAssigns[id] == nil && !o.roleIDTaken(id) {
			return id
		}
	}
}

func (o *Org) roleIDTaken(id string) bool {
	for _, ras := range o.roleAssigns {
		for _, ra := range ras {
			if ra.id == id {
				return true
			}
		}
	}
	return false
}

// randomOTT is an activation or recovery token.
func randomOTT(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b)
}

// ---- directory maintenance ----

// unindexUser drops u's login and short name from the lookup maps. Caller
// holds Org.mu for writing.
func (o *Org) unindexUser(u *user) {
	login := lower(u.profile.str("login"))
	if o.usersByLogin[login] == u {
		delete(o.usersByLogin, login)
	}
	if short := shortName(login); short != "" {
		us := slices.DeleteFunc(o.usersByShort[short], func(x *user) bool { return x == u })
		if len(us) == 0 {
			delete(o.usersByShort, short)
		} else {
			o.usersByShort[short] = us
		}
	}
}

// removeUser deletes u from the org: list, lookups, groups, roles and
// sessions. Caller holds Org.mu for writing.
func (o *Org) removeUser(u *user, now time.Time) {
	i := sort.Search(len(o.users), func(i int) bool { return o.users[i].id >= u.id })
	if i < len(o.users) && o.users[i] == u {
		o.users = slices.Delete(o.users, i, i+1)
	}
	o.unindexUser(u)
	delete(o.usersByID, u.id)
	for _, g := range o.groups {
		if removeMember(g, u.id) {
			g.lastMembershipUpdated = now
			g.touch()
		}
	}
	delete(o.roleAssigns, u.id)
	o.endUserSessions(u.id)
}

// removeMember drops a user id from a group; false when not a member.
func removeMember(g *group, userID string) bool {
	if !g.hasMember(userID) {
		return false
	}
	if i, ok := slices.BinarySearch(g.members, userID); ok {
		g.members = slices.Delete(g.members, i, i+1)
	}
	delete(g.memberSet, userID)
	return true
}

// everyone is the BUILT_IN group every user belongs to.
func (o *Org) everyone() *group {
	for _, g := range o.groups {
		if g.typ == GroupTypeBuiltIn {
			return g
		}
	}
	return nil
}

// setStatus moves u to status at now. Caller holds Org.mu for writing.
func setStatus(u *user, status string, now time.Time) {
	u.status = status
	u.statusChanged = ptr(now)
	u.lastUpdated = now
	u.touch()
}

func (c *call) nowMillis() time.Time { return c.o.now().UTC().Truncate(time.Millisecond) }

func (c *call) replyUser(u *user) {
	var buf bytes.Buffer
	u.appendFullJSON(&buf, c.jsonBase())
	c.reply(http.StatusOK, buf.Bytes())
}

// ---- routes ----

func registerUserWriteRoutes(rt *router) {
	rt.handle(http.MethodPost, "/api/v1/users", handleCreateUser)
	rt.handle(http.MethodPost, "/api/v1/users/{id}", handleUpdateUser)
	rt.handle(http.MethodPut, "/api/v1/users/{id}", handleReplaceUser)
	rt.handle(http.MethodDelete, "/api/v1/users/{id}", handleDeleteUser)
	for _, op := range []string{"activate", "reactivate", "deactivate", "suspend", "unsuspend", "unlock",
		"expire_password", "reset_password", "reset_factors"} {
		rt.handle(http.MethodPost, "/api/v1/users/{id}/lifecycle/"+op, lifecycleHandler(op))
	}
}

// handleCreateUser is POST /api/v1/users?activate=true|false.
func handleCreateUser(c *call) {
	activate, aerr := boolParam(c, "activate", true)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	var body userWriteBody
	if aerr := c.decodeBody(&body); aerr != nil {
		c.fail(aerr)
		return
	}
	var errs fieldErrors
	if body.Profile == nil {
		errs.add("profile", "The field cannot be left blank")
		c.fail(errs.err())
		return
	}
	body.Profile.checkValues(&errs)
	if body.Type != nil && body.Type.ID != "" && body.Type.ID != defaultUserTypeID {
		errs.add("type", "User type '"+body.Type.ID+"' does not exist")
	}
	pw, hasPW := body.password()
	if hasPW {
		checkPassword(pw, &errs)
	}
	if aerr := errs.err(); aerr != nil {
		c.fail(aerr)
		return
	}
	p := newAttrs(len(body.Profile.keys) + 2)
	for _, k := range body.Profile.keys {
		if v := body.Profile.vals[k]; v != nil || profileAttrs[k] {
			p.set(k, v)
		}
	}
	for _, k := range []string{"mobilePhone", "secondEmail"} {
		if _, ok := p.get(k); !ok {
			p.set(k, nil)
		}
	}
	validateProfile(p, &errs)
	if aerr := errs.err(); aerr != nil {
		c.fail(aerr)
		return
	}

	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	if c.o.usersByLogin[lower(p.str("login"))] != nil {
		c.fail(errValidation("login", "An object with this field already exists in the current organization"))
		return
	}
	var groups []*group
	for _, gid := range body.GroupIDs {
		g := c.o.groupsByID[gid]
		switch {
		case g == nil:
			errs.add("groupIds", "Group '"+gid+"' does not exist")
		case g.typ != GroupTypeOkta:
			errs.add("groupIds", "Group '"+gid+"' is of type "+g.typ+"; users can only be added to OKTA_GROUP groups")
		default:
			groups = append(groups, g)
		}
	}
	if aerr := errs.err(); aerr != nil {
		c.fail(aerr)
		return
	}
	now := c.nowMillis()
	u := &user{id: c.o.newRuntimeID("00u"), status: StatusStaged, created: now, lastUpdated: now,
		typeID: defaultUserTypeID, profile: p, provider: "OKTA", hasPassword: hasPW}
	if hasPW {
		u.passwordChanged = ptr(now)
	}
	if activate {
		// Without a password the user must finish Okta's welcome flow
		// first: PROVISIONED until then.
		u.status = StatusActive
		if !hasPW {
			u.status = StatusProvisioned
		}
		u.activated, u.statusChanged = ptr(now), ptr(now)
	}
	c.o.addUser(u)
	ue := userEntity(u)
	c.record(kindCreate, []*logEntity{ue}, "")
	if activate {
		c.record(kindActivate, []*logEntity{ue}, "")
	}
	if ev := c.o.everyone(); ev != nil {
		ev.addMember(u.id)
		ev.lastMembershipUpdated = now
		ev.touch()
	}
	for _, g := range groups {
		if g.addMember(u.id) {
			g.lastMembershipUpdated = now
			g.touch()
			c.record(kindMemberAdd, []*logEntity{ue, groupEntity(g)}, "")
		}
	}
	c.replyUser(u)
}

// findUserOr404 resolves the {id} path parameter. Caller holds Org.mu.
func (c *call) findUserOr404() *user {
	id := c.param(0)
	u := c.o.findUser(id)
	if u == nil {
		c.fail(errNotFound(id, "User"))
	}
	return u
}

// handleUpdateUser is POST /api/v1/users/{id}: a partial update; only the
// attributes sent change, null clears one.
func handleUpdateUser(c *call) {
	c.writeUser(false)
}

// handleReplaceUser is PUT /api/v1/users/{id}: strict replace; attributes
// not sent are removed.
func handleReplaceUser(c *call) {
	c.writeUser(true)
}

func (c *call) writeUser(replace bool) {
	var body userWriteBody
	if aerr := c.decodeBody(&body); aerr != nil {
		c.fail(aerr)
		return
	}
	var errs fieldErrors
	if replace && body.Profile == nil {
		errs.add("profile", "The field cannot be left blank")
	}
	if body.Profile != nil {
		body.Profile.checkValues(&errs)
	}
	pw, hasPW := body.password()
	if hasPW {
		checkPassword(pw, &errs)
	}
	if aerr := errs.err(); aerr != nil {
		c.fail(aerr)
		return
	}

	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	u := c.findUserOr404()
	if u == nil {
		return
	}
	var p *attrs
	switch {
	case body.Profile == nil:
		p = u.profile
	case replace:
		p = newAttrs(len(body.Profile.keys))
		for _, k := range body.Profile.keys {
			if v := body.Profile.vals[k]; v != nil || profileAttrs[k] {
				p.set(k, v)
			}
		}
	default:
		p = cloneAttrs(u.profile)
		for _, k := range body.Profile.keys {
			setProfileValue(p, k, body.Profile.vals[k])
		}
	}
	validateProfile(p, &errs)
	if aerr := errs.err(); aerr != nil {
		c.fail(aerr)
		return
	}
	oldLogin, newLogin := lower(u.profile.str("login")), lower(p.str("login"))
	if newLogin != oldLogin {
		if other := c.o.usersByLogin[newLogin]; other != nil && other != u {
			c.fail(errValidation("login", "An object with this field already exists in the current organization"))
			return
		}
	}
	now := c.nowMillis()
	if p != u.profile {
		c.o.unindexUser(u)
		u.profile = p
		c.o.indexUser(u)
	}
	if hasPW {
		u.hasPassword = true
		u.passwordChanged = ptr(now)
	}
	u.lastUpdated = now
	u.touch()
	c.record(kindProfile, []*logEntity{userEntity(u)}, "")
	c.replyUser(u)
}

// handleDeleteUser is DELETE /api/v1/users/{id}: a user that is not
// DEPROVISIONED is deactivated, a DEPROVISIONED one is deleted; 204 both.
func handleDeleteUser(c *call) {
	if _, aerr := boolParam(c, "sendEmail", false); aerr != nil {
		c.fail(aerr)
		return
	}
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	u := c.findUserOr404()
	if u == nil {
		return
	}
	now := c.nowMillis()
	ue := userEntity(u)
	if u.status != StatusDeprovisioned {
		setStatus(u, StatusDeprovisioned, now)
		c.o.endUserSessions(u.id)
		c.record(kindDeactivate, []*logEntity{ue}, "")
	} else {
		c.o.removeUser(u, now)
		c.record(kindDelete, []*logEntity{ue}, "")
	}
	c.reply(http.StatusNoContent, nil)
}

// ---- lifecycle ----

func errUserStatus() *apiError {
	return &apiError{status: http.StatusForbidden, code: codeStatusRefused,
		summary: "This operation is not allowed in the user's current status."}
}

// errLifecycleValidation is the 400 E0000001 whose summary and only cause
// say why.
func errLifecycleValidation(why string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeValidation,
		summary: "Api validation failed: " + why, causes: []string{why}}
}

// lifecycleError is Okta's answer to op on a user in status, or nil when
// the operation is allowed.
func lifecycleError(op, status string) *apiError {
	switch op {
	case "activate":
		if status == StatusStaged || status == StatusDeprovisioned {
			return nil
		}
		return &apiError{status: http.StatusForbidden, code: codeAlreadyActive,
			summary: "Activation failed because the user is already active"}
	case "reactivate":
		if status == StatusProvisioned {
			return nil
		}
	case "deactivate":
		if status != StatusDeprovisioned {
			return nil
		}
	case "suspend":
		if status == StatusActive {
			return nil
		}
		return errLifecycleValidation("Cannot suspend a user that is not active")
	case "unsuspend":
		if status == StatusSuspended {
			return nil
		}
		return errLifecycleValidation("Cannot unsuspend a user that is not suspended")
	case "unlock":
		if status == StatusLockedOut {
			return nil
		}
		return &apiError{status: http.StatusForbidden, code: codeUnlockRefused,
			summary: "Unlock is not allowed for this user.", causes: []string{"The user is not locked out."}}
	case "expire_password", "reset_password":
		switch status {
		case StatusActive, StatusRecovery, StatusLockedOut, StatusPasswordExpired:
			return nil
		}
	case "reset_factors":
		switch status {
		case StatusActive, StatusRecovery, StatusLockedOut, StatusPasswordExpired, StatusSuspended:
			return nil
		}
	}
	return errUserStatus()
}

// lifecycleTarget is the status an allowed operation leads to ("" when the
// status does not change).
var lifecycleTarget = map[string]string{
	"activate":        StatusActive,
	"reactivate":      StatusProvisioned,
	"deactivate":      StatusDeprovisioned,
	"suspend":         StatusSuspended,
	"unsuspend":       StatusActive,
	"unlock":          StatusActive,
	"expire_password": StatusPasswordExpired,
	"reset_password":  StatusRecovery,
	"reset_factors":   "",
}

var lifecycleKinds = map[string]*eventKind{
	"activate": kindActivate, "reactivate": kindReactivate, "deactivate": kindDeactivate,
	"suspend": kindSuspend, "unsuspend": kindUnsuspend, "unlock": kindUnlock,
	"expire_password": kindExpirePw, "reset_password": kindResetPw, "reset_factors": kindResetFactors,
}

// lifecycleHandler answers POST /api/v1/users/{id}/lifecycle/{op}.
func lifecycleHandler(op string) handlerFunc {
	return func(c *call) {
		sendEmail := false
		switch op {
		case "activate", "reset_password":
			// Required by the spec; Okta sends the email when it is absent.
			var aerr *apiError
			if sendEmail, aerr = boolParam(c, "sendEmail", true); aerr != nil {
				c.fail(aerr)
				return
			}
		case "reactivate", "deactivate":
			var aerr *apiError
			if sendEmail, aerr = boolParam(c, "sendEmail", false); aerr != nil {
				c.fail(aerr)
				return
			}
		}
		revoke := false
		if op == "reset_password" {
			var aerr *apiError
			if revoke, aerr = boolParam(c, "revokeSessions", false); aerr != nil {
				c.fail(aerr)
				return
			}
		}
		c.o.mu.Lock()
		defer c.o.mu.Unlock()
		u := c.findUserOr404()
		if u == nil {
			return
		}
		if aerr := lifecycleError(op, u.status); aerr != nil {
			c.fail(aerr)
			return
		}
		now := c.nowMillis()
		if to := lifecycleTarget[op]; op == "activate" && !u.hasPassword {
			// No password: PROVISIONED until the user finishes the
			// welcome flow (Okta's activation link).
			setStatus(u, StatusProvisioned, now)
		} else if to != "" {
			setStatus(u, to, now)
		} else {
			u.lastUpdated = now
			u.touch()
		}
		switch op {
		case "activate":
			u.activated = ptr(now)
		case "deactivate":
			c.o.endUserSessions(u.id)
		case "reset_password":
			if revoke {
				c.o.endUserSessions(u.id)
			}
		}
		c.record(lifecycleKinds[op], []*logEntity{userEntity(u)}, "")

		switch op {
		case "activate", "reactivate":
			if sendEmail {
				c.reply(http.StatusOK, []byte(`{}`))
				return
			}
			tok := randomOTT(20)
			b := []byte(`{"activationUrl":`)
			b = appendJSONStr(b, c.base+"/welcome/"+tok)
			b = append(b, `,"activationToken":`...)
			b = appendJSONStr(b, tok)
			c.reply(http.StatusOK, append(b, '}'))
		case "reset_password":
			if sendEmail {
				c.reply(http.StatusOK, []byte(`{}`))
				return
			}
			b := []byte(`{"resetPasswordUrl":`)
			b = appendJSONStr(b, c.base+"/signin/reset-password/"+randomOTT(20))
			c.reply(http.StatusOK, append(b, '}'))
		case "expire_password":
			c.replyUser(u)
		default:
			c.reply(http.StatusOK, nil)
		}
	}
}
