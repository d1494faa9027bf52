package sandbox

import (
	"bytes"
	"net/http"
	"strings"
)

// Group writes: create, replace, delete, add and remove members. Only
// OKTA_GROUP groups can be changed; APP_GROUP groups belong to their source
// application and the BUILT_IN Everyone group to Okta.

// groupWriteBody is the Group sent to create or replace.
type groupWriteBody struct {
	Profile *profileUpdate `json:"profile"`
}

// groupProfile validates a sent group profile: name is required, both
// attributes are strings (description may be null), nothing else exists.
func groupProfile(b *groupWriteBody) (*attrs, *apiError) {
	var errs fieldErrors
	if b.Profile == nil {
		errs.add("profile", "The field cannot be left blank")
		return nil, errs.err()
	}
	for _, k := range b.Profile.keys {
		if k != "name" && k != "description" {
			errs.add(k, "Property name '"+k+"' is not defined in the group profile")
			continue
		}
		switch v := b.Profile.vals[k].(type) {
		case nil:
		case string:
			if len([]rune(v)) > 255 {
				errs.add(k, "The field cannot exceed 255 characters")
			}
		default:
			errs.add(k, "Property value must be a string or null")
		}
	}
	name, _ := b.Profile.vals["name"].(string)
	if strings.TrimSpace(name) == "" {
		errs.add("name", "The field cannot be left blank")
	}
	if aerr := errs.err(); aerr != nil {
		return nil, aerr
	}
	p := newAttrs(2)
	p.set("name", name)
	p.set("description", b.Profile.vals["description"]) // nil when absent: null, as Okta sends
	return p, nil
}

// nameTaken reports whether another OKTA_GROUP or BUILT_IN group has name
// (case-insensitively). Caller holds Org.mu.
func (o *Org) nameTaken(name string, except *group) bool {
	for _, g := range o.groups {
		if g != except && g.typ != GroupTypeApp && strings.EqualFold(g.profile.str("name"), name) {
			return true
		}
	}
	return false
}

// errGroupNotModifiable is the refusal to change a group Okta does not own
// the way OKTA_GROUP groups are owned.
func errGroupNotModifiable(g *group, what string) *apiError {
	why := "it is imported from an application (APP_GROUP); change it in its source"
	if g.typ == GroupTypeBuiltIn {
		why = "it is Okta's built-in group (BUILT_IN)"
	}
	return &apiError{status: http.StatusForbidden, code: codeForbidden,
		summary: "You do not have permission to perform the requested action",
		causes:  []string{"Cannot " + what + " group " + g.id + ": " + why + "; only OKTA_GROUP groups can be changed"}}
}

func registerGroupWriteRoutes(rt *router) {
	rt.handle(http.MethodPost, "/api/v1/groups", handleCreateGroup)
	rt.handle(http.MethodPut, "/api/v1/groups/{id}", handleReplaceGroup)
	rt.handle(http.MethodDelete, "/api/v1/groups/{id}", handleDeleteGroup)
	rt.handle(http.MethodPut, "/api/v1/groups/{id}/users/{userId}", handleAddGroupMember)
	rt.handle(http.MethodDelete, "/api/v1/groups/{id}/users/{userId}", handleRemoveGroupMember)
}

func (c *call) replyGroup(g *group) {
	var buf bytes.Buffer
	g.appendJSON(&buf, c.jsonBase(), false)
	c.reply(http.StatusOK, buf.Bytes())
}

// handleCreateGroup is POST /api/v1/groups: a new OKTA_GROUP.
func handleCreateGroup(c *call) {
	var body groupWriteBody
	if aerr := c.decodeBody(&body); aerr != nil {
		c.fail(aerr)
		return
	}
	p, aerr := groupProfile(&body)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	if c.o.nameTaken(p.str("name"), nil) {
		c.fail(errValidation("name", "An object with this field already exists in the current organization"))
		return
	}
	now := c.nowMillis()
	g := &group{id: c.o.newRuntimeID("00g"), typ: GroupTypeOkta, created: now, lastUpdated: now,
		lastMembershipUpdated: now, objectClass: []string{"okta:user_group"}, profile: p,
		memberSet: map[string]struct{}{}}
	c.o.addGroup(g)
	c.record(kindGroupCreate, []*logEntity{groupEntity(g)}, "")
	c.replyGroup(g)
}

// findGroupOr404 resolves {id}. Caller holds Org.mu.
func (c *call) findGroupOr404() *group {
	id := c.param(0)
	g := c.o.groupsByID[id]
	if g == nil {
		c.fail(errNotFound(id, "UserGroup"))
	}
	return g
}

// findModifiableGroup resolves {id} and checks Okta lets what change it.
// Caller holds Org.mu.
func (c *call) findModifiableGroup(what string) *group {
	g := c.findGroupOr404()
	if g == nil || !c.groupModifiable(g, what) {
		return nil
	}
	return g
}

// groupModifiable fails the call unless g is an OKTA_GROUP, the only type
// what may change.
func (c *call) groupModifiable(g *group, what string) bool {
	if g.typ != GroupTypeOkta {
		c.fail(errGroupNotModifiable(g, what))
		return false
	}
	return true
}

// handleReplaceGroup is PUT /api/v1/groups/{id}: the whole profile.
func handleReplaceGroup(c *call) {
	var body groupWriteBody
	if aerr := c.decodeBody(&body); aerr != nil {
		c.fail(aerr)
		return
	}
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	g := c.findModifiableGroup("update")
	if g == nil {
		return
	}
	p, aerr := groupProfile(&body)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	if c.o.nameTaken(p.str("name"), g) {
		c.fail(errValidation("name", "An object with this field already exists in the current organization"))
		return
	}
	g.profile = p
	g.lastUpdated = c.nowMillis()
	g.touch()
	c.record(kindGroupUpdate, []*logEntity{groupEntity(g)}, "")
	c.replyGroup(g)
}

// handleDeleteGroup is DELETE /api/v1/groups/{id}: 204.
func handleDeleteGroup(c *call) {
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	g := c.findModifiableGroup("delete")
	if g == nil {
		return
	}
	ge := groupEntity(g)
	for i, x := range c.o.groups {
		if x == g {
			c.o.groups = append(c.o.groups[:i:i], c.o.groups[i+1:]...)
			break
		}
	}
	delete(c.o.groupsByID, g.id)
	delete(c.o.roleAssigns, g.id)
	c.record(kindGroupDelete, []*logEntity{ge}, "")
	c.reply(http.StatusNoContent, nil)
}

// memberCall resolves the group and user of a membership request and
// checks the group can be changed. Caller holds Org.mu for writing.
func (c *call) memberCall(what string) (*group, *user) {
	g := c.findGroupOr404()
	if g == nil {
		return nil, nil
	}
	uid := c.param(1)
	u := c.o.usersByID[uid]
	if u == nil {
		c.fail(errNotFound(uid, "User"))
		return nil, nil
	}
	if !c.groupModifiable(g, what) {
		return nil, nil
	}
	return g, u
}

// handleAddGroupMember is PUT /api/v1/groups/{gid}/users/{uid}: 204,
// idempotent.
func handleAddGroupMember(c *call) {
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	g, u := c.memberCall("change the members of")
	if g == nil {
		return
	}
	if g.addMember(u.id) {
		g.lastMembershipUpdated = c.nowMillis()
		g.touch()
		c.record(kindMemberAdd, []*logEntity{userEntity(u), groupEntity(g)}, "")
	}
	c.reply(http.StatusNoContent, nil)
}

// handleRemoveGroupMember is DELETE /api/v1/groups/{gid}/users/{uid}: 204,
// also when the user was not a member.
func handleRemoveGroupMember(c *call) {
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	g, u := c.memberCall("change the members of")
	if g == nil {
		return
	}
	if removeMember(g, u.id) {
		g.lastMembershipUpdated = c.nowMillis()
		g.touch()
		c.record(kindMemberRemove, []*logEntity{userEntity(u), groupEntity(g)}, "")
	}
	c.reply(http.StatusNoContent, nil)
}
