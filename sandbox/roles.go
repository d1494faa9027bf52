package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Admin roles: standard role assignments, custom roles and resource sets.

// roleLabels are the standard role types (spec 2024.06.1) and the labels
// Okta shows for them.
var roleLabels = map[string]string{
	"SUPER_ADMIN":                 "Super Administrator",
	"ORG_ADMIN":                   "Organizational Administrator",
	"APP_ADMIN":                   "Application Administrator",
	"USER_ADMIN":                  "Group Administrator",
	"HELP_DESK_ADMIN":             "Help Desk Administrator",
	"READ_ONLY_ADMIN":             "Read-Only Administrator",
	"MOBILE_ADMIN":                "Mobile Administrator",
	"API_ACCESS_MANAGEMENT_ADMIN": "API Access Management Administrator",
	"API_ADMIN":                   "API Administrator",
	"GROUP_MEMBERSHIP_ADMIN":      "Group Membership Administrator",
	"REPORT_ADMIN":                "Report Administrator",
}

// roleTypeCustom is the type of custom role assignments.
const roleTypeCustom = "CUSTOM"

// codeDuplicateRole is Okta's E0000090 (409).
const codeDuplicateRole = "E0000090"

const iamDefaultPageSize = 20

// customRole is an IAM custom role (/api/v1/iam/roles).
type customRole struct {
	id, label, description string
	permissions            []string
	created, lastUpdated   time.Time
}

// resourceSet is an IAM resource set (/api/v1/iam/resource-sets).
type resourceSet struct {
	id, label, description string
	resources              []string // REST URLs, relative to the org
	created, lastUpdated   time.Time
}

// roleAssignment is one role assigned to a user or a group.
type roleAssignment struct {
	id        string
	principal string // user or group id
	group     bool   // assigned to a group
	typ       string
	role      *customRole  // CUSTOM only
	set       *resourceSet // CUSTOM only
	created   time.Time
	updated   time.Time
}

func (ra *roleAssignment) label() string {
	if ra.role != nil {
		return ra.role.label
	}
	return roleLabels[ra.typ]
}

// sameRole reports whether ra gives what typ/role/set would.
func (ra *roleAssignment) sameRole(typ string, role *customRole, set *resourceSet) bool {
	if ra.typ != typ {
		return false
	}
	return typ != roleTypeCustom || (ra.role == role && ra.set == set)
}

// appendJSON writes the assignment as a Role. assignmentType says how the
// principal asked about holds it (USER, or GROUP when through a group).
func (ra *roleAssignment) appendJSON(b []byte, jsonBase string) []byte {
	assignee := jsonBase + "/api/v1/users/" + ra.principal
	atype := "USER"
	if ra.group {
		assignee = jsonBase + "/api/v1/groups/" + ra.principal
		atype = "GROUP"
	}
	b = append(b, `{"id":`...)
	b = appendJSONStr(b, ra.id)
	if ra.role != nil {
		b = append(b, `,"role":`...)
		b = appendJSONStr(b, ra.role.id)
	}
	b = append(b, `,"label":`...)
	b = appendJSONStr(b, ra.label())
	b = append(b, `,"type":`...)
	b = appendJSONStr(b, ra.typ)
	b = append(b, `,"status":"ACTIVE","created":"`...)
	b = ra.created.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","lastUpdated":"`...)
	b = ra.updated.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","assignmentType":"`+atype+`"`...)
	if ra.set != nil {
		b = append(b, `,"resource-set":`...)
		b = appendJSONStr(b, ra.set.id)
	}
	b = append(b, `,"_links":{"assignee":{"href":`...)
	b = appendJSONStr(b, assignee)
	b = append(b, '}')
	if ra.role != nil {
		b = append(b, `,"role":{"href":`...)
		b = appendJSONStr(b, jsonBase+"/api/v1/iam/roles/"+ra.role.id)
		b = append(b, `},"resource-set":{"href":`...)
		b = appendJSONStr(b, jsonBase+"/api/v1/iam/resource-sets/"+ra.set.id)
		b = append(b, `},"permissions":{"href":`...)
		b = appendJSONStr(b, jsonBase+"/api/v1/iam/roles/"+ra.role.id+"/permissions")
		b = append(b, `},"member":{"href":`...)
		b = appendJSONStr(b, jsonBase+"/api/v1/iam/resource-sets/"+ra.set.id+"/bindings/"+ra.role.id+"/members/"+ra.id)
		b = append(b, '}')
	}
	return append(b, `}}`...)
}

// appendIAMHead appends the fields custom roles and resource sets share, up
// to and including their _links.self href (the caller closes the object).
func appendIAMHead(b []byte, id, label, description string, created, lastUpdated time.Time, self string) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONStr(b, id)
	b = append(b, `,"label":`...)
	b = appendJSONStr(b, label)
	b = append(b, `,"description":`...)
	b = appendJSONStr(b, description)
	b = append(b, `,"created":"`...)
	b = created.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","lastUpdated":"`...)
	b = lastUpdated.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","_links":{"self":{"href":`...)
	return appendJSONStr(b, self)
}

func (r *customRole) appendJSON(b []byte, jsonBase string) []byte {
	self := jsonBase + "/api/v1/iam/roles/" + r.id
	b = appendIAMHead(b, r.id, r.label, r.description, r.created, r.lastUpdated, self)
	b = append(b, `},"permissions":{"href":`...)
	b = appendJSONStr(b, self+"/permissions")
	return append(b, `}}}`...)
}

func (s *resourceSet) appendJSON(b []byte, jsonBase string) []byte {
	self := jsonBase + "/api/v1/iam/resource-sets/" + s.id
	b = appendIAMHead(b, s.id, s.label, s.description, s.created, s.lastUpdated, self)
	b = append(b, `},"resources":{"href":`...)
	b = appendJSONStr(b, self+"/resources")
	b = append(b, `},"bindings":{"href":`...)
	b = appendJSONStr(b, self+"/bindings")
	return append(b, `}}}`...)
}

// RoleInfo is a read-only view of a role assignment, for tests.
type RoleInfo struct {
	ID, Type, Label string
	AssignmentType  string // USER or GROUP (GROUP: held through the group GroupID)
	GroupID         string
	Role            string // custom role id (CUSTOM only)
	ResourceSet     string // resource set id (CUSTOM only)
}

// Roles returns the roles a user holds (directly, then through groups) or a
// group holds, as GET .../roles lists them.
func (o *Org) Roles(principalID string) []RoleInfo {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []RoleInfo
	for _, ra := range o.rolesOf(principalID) {
		ri := RoleInfo{ID: ra.id, Type: ra.typ, Label: ra.label(), AssignmentType: "USER"}
		if ra.group {
			ri.AssignmentType, ri.GroupID = "GROUP", ra.principal
		}
		if ra.role != nil {
			ri.Role, ri.ResourceSet = ra.role.id, ra.set.id
		}
		out = append(out, ri)
	}
	return out
}

// rolesOf lists what a user holds directly and through its groups, or what
// a group holds. Caller holds Org.mu.
func (o *Org) rolesOf(principalID string) []*roleAssignment {
	out := append([]*roleAssignment(nil), o.roleAssigns[principalID]...)
	if o.usersByID[principalID] == nil {
		return out
	}
	for _, g := range o.groups {
		if ras := o.roleAssigns[g.id]; len(ras) > 0 && g.hasMember(principalID) {
			out = append(out, ras...)
		}
	}
	return out
}

func (o *Org) addRole(ra *roleAssignment) {
	if o.roleAssigns == nil {
		o.roleAssigns = map[string][]*roleAssignment{}
	}
	o.roleAssigns[ra.principal] = append(o.roleAssigns[ra.principal], ra)
}

// findCustomRole finds a custom role by id or label.
func (o *Org) findCustomRole(idOrLabel string) *customRole {
	for _, r := range o.customRoles {
		if r.id == idOrLabel || strings.EqualFold(r.label, idOrLabel) {
			return r
		}
	}
	return nil
}

func (o *Org) findResourceSet(idOrLabel string) *resourceSet {
	for _, s := range o.resourceSets {
		if s.id == idOrLabel || strings.EqualFold(s.label, idOrLabel) {
			return s
		}
	}
	return nil
}

// ---- seed ----

// seedRoles creates the custom roles, resource sets and role assignments:
// a super admin, an org admin, a help desk admin, read-only and report
// admins, an app admin who is suspended, a custom role, and two groups with
// roles. generated are the non-fixture users in creation order.
func (s *seeder) seedRoles(o *Org, generated []*user) {
	o.roleAssigns = map[string][]*roleAssignment{}
	groupByName := func(name string) *group {
		for _, g := range o.groups {
			if g.profile.str("name") == name {
				return g
			}
		}
		return nil
	}
	urlOf := func(g *group) string {
		if g == nil {
			return "/api/v1/groups"
		}
		return "/api/v1/groups/" + g.id + "/users"
	}
	mk := func(created time.Time) (time.Time, time.Time) { return created, s.between(created, s.base) }

	rsDefs := []struct{ label, desc, res string }{
		{"HR users", "Members of the HR department", urlOf(groupByName("HR"))},
		{"Engineering users", "Members of the Engineering department", urlOf(groupByName("Engineering"))},
		{"Production apps", "Applications used in production", "/api/v1/apps"},
	}
	for _, d := range rsDefs {
		c, u := mk(s.ago(200, 700))
		o.resourceSets = append(o.resourceSets, &resourceSet{id: s.newID("iam"), label: d.label, description: d.desc,
			resources: []string{d.res}, created: c, lastUpdated: u})
	}
	crDefs := []struct {
		label, desc string
		perms       []string
	}{
		{"HR User Manager", "Manages the profiles and lifecycle of HR-owned users", []string{"okta.users.read", "okta.users.manage", "okta.users.lifecycle.manage"}},
		{"Password Reset Operator", "Resets passwords and unlocks accounts", []string{"okta.users.read", "okta.users.credentials.resetPassword", "okta.users.lifecycle.unlock"}},
		{"Application Auditor", "Reads application assignments for audits", []string{"okta.apps.read", "okta.groups.read"}},
	}
	for _, d := range crDefs {
		c, u := mk(s.ago(200, 700))
		o.customRoles = append(o.customRoles, &customRole{id: s.newID("cr0"), label: d.label, description: d.desc,
			permissions: d.perms, created: c, lastUpdated: u})
	}
	slices.SortFunc(o.customRoles, func(a, b *customRole) int { return strings.Compare(a.id, b.id) })
	slices.SortFunc(o.resourceSets, func(a, b *resourceSet) int { return strings.Compare(a.id, b.id) })

	pick := func(dept, title string) *user {
		for _, u := range generated {
			if u.status == StatusActive && u.profile.str("department") == dept && (title == "" || u.profile.str("title") == title) {
				return u
			}
		}
		return nil
	}
	assign := func(principal string, group bool, typ string, created time.Time, role *customRole, set *resourceSet) {
		if principal == "" {
			return
		}
		prefix := "ra1"
		if role != nil {
			prefix = "irb"
		}
		o.addRole(&roleAssignment{id: s.newID(prefix), principal: principal, group: group, typ: typ,
			role: role, set: set, created: created, updated: created})
	}
	idOf := func(u *user) string {
		if u == nil {
			return ""
		}
		return u.id
	}
	orgAdmin := pick("IT", "IT Manager")
	if orgAdmin == nil {
		orgAdmin = pick("IT", "")
	}
	helpDesk := pick("IT", "Help Desk Technician")
	if helpDesk == nil {
		helpDesk = pick("Support", "")
	}
	assign(AlexKimID, false, "SUPER_ADMIN", s.ago(700, 900), nil, nil)
	assign(idOf(orgAdmin), false, "ORG_ADMIN", s.ago(300, 600), nil, nil)
	assign(idOf(helpDesk), false, "HELP_DESK_ADMIN", s.ago(100, 300), nil, nil)
	assign(PriyaPatelID, false, "READ_ONLY_ADMIN", s.ago(60, 200), nil, nil)
	assign(RobertBrownID, false, "REPORT_ADMIN", s.ago(400, 500), nil, nil)
	assign(JohnSmithID, false, "APP_ADMIN", s.ago(200, 300), nil, nil)
	var hrRole *customRole
	var hrSet *resourceSet
	for _, r := range o.customRoles {
		if r.label == "HR User Manager" {
			hrRole = r
		}
	}
	for _, rs := range o.resourceSets {
		if rs.label == "HR users" {
			hrSet = rs
		}
	}
	assign(DanaWhiteID, false, roleTypeCustom, s.ago(8, 10), hrRole, hrSet)
	if g := groupByName("Okta Administrators"); g != nil {
		assign(g.id, true, "USER_ADMIN", s.ago(300, 800), nil, nil)
	}
	if g := groupByName("Help Desk"); g != nil {
		assign(g.id, true, "HELP_DESK_ADMIN", s.ago(11, 13), nil, nil)
	}
}

// ---- handlers ----

func registerRoleRoutes(rt *router) {
	rt.handle(http.MethodGet, "/api/v1/users/{id}/roles", handleListRoles(false))
	rt.handle(http.MethodPost, "/api/v1/users/{id}/roles", handleAssignRole(false))
	rt.handle(http.MethodGet, "/api/v1/users/{id}/roles/{roleId}", handleGetRole(false))
	rt.handle(http.MethodDelete, "/api/v1/users/{id}/roles/{roleId}", handleUnassignRole(false))
	rt.handle(http.MethodGet, "/api/v1/groups/{id}/roles", handleListRoles(true))
	rt.handle(http.MethodPost, "/api/v1/groups/{id}/roles", handleAssignRole(true))
	rt.handle(http.MethodGet, "/api/v1/groups/{id}/roles/{roleId}", handleGetRole(true))
	rt.handle(http.MethodDelete, "/api/v1/groups/{id}/roles/{roleId}", handleUnassignRole(true))
	rt.handle(http.MethodGet, "/api/v1/iam/roles", handleListCustomRoles)
	rt.handle(http.MethodGet, "/api/v1/iam/resource-sets", handleListResourceSets)
}

// principal resolves the user or group of a roles request. Caller holds Org.mu.
func (c *call) principal(group bool) (string, *apiError) {
	id := c.param(0)
	if group {
		g := c.o.groupsByID[id]
		if g == nil {
			return "", errNotFound(id, "UserGroup")
		}
		return g.id, nil
	}
	u := c.o.findUser(id)
	if u == nil {
		return "", errNotFound(id, "User")
	}
	return u.id, nil
}

func errRoleNotFound(id string) *apiError { return errNotFound(id, "Role") }

func handleListRoles(group bool) handlerFunc {
	return func(c *call) {
		c.o.mu.RLock()
		defer c.o.mu.RUnlock()
		pid, aerr := c.principal(group)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		jb := c.jsonBase()
		b := []byte{'['}
		for i, ra := range c.o.rolesOf(pid) {
			if i > 0 {
				b = append(b, ',')
			}
			b = ra.appendJSON(b, jb)
		}
		c.reply(http.StatusOK, append(b, ']'))
	}
}

func handleGetRole(group bool) handlerFunc {
	return func(c *call) {
		c.o.mu.RLock()
		defer c.o.mu.RUnlock()
		pid, aerr := c.principal(group)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		rid := c.param(1)
		for _, ra := range c.o.rolesOf(pid) {
			if ra.id == rid {
				c.reply(http.StatusOK, ra.appendJSON(nil, c.jsonBase()))
				return
			}
		}
		c.fail(errRoleNotFound(rid))
	}
}

// assignRoleBody is AssignRoleRequest plus the custom-role fields.
type assignRoleBody struct {
	Type        *string `json:"type"`
	Role        *string `json:"role"`
	ResourceSet *string `json:"resource-set"`
}

func handleAssignRole(group bool) handlerFunc {
	return func(c *call) {
		var body assignRoleBody
		if aerr := c.decodeBody(&body); aerr != nil {
			c.fail(aerr)
			return
		}
		typ := ""
		if body.Type != nil {
			typ = strings.TrimSpace(*body.Type)
		}
		if typ == "" {
			c.fail(errValidation("type", "The field cannot be left blank"))
			return
		}
		if _, ok := roleLabels[typ]; !ok && typ != roleTypeCustom {
			c.fail(errValidation("type", "Invalid role type '"+typ+"'. Valid types: "+strings.Join(sortedRoleTypes(), ", ")))
			return
		}
		c.o.mu.Lock()
		defer c.o.mu.Unlock()
		pid, aerr := c.principal(group)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		var role *customRole
		var set *resourceSet
		if typ == roleTypeCustom {
			var causes []string
			switch {
			case body.Role == nil || strings.TrimSpace(*body.Role) == "":
				causes = append(causes, "role: The field cannot be left blank")
			default:
				if role = c.o.findCustomRole(strings.TrimSpace(*body.Role)); role == nil {
					causes = append(causes, "role: No custom role with id or label '"+*body.Role+"'")
				}
			}
			switch {
			case body.ResourceSet == nil || strings.TrimSpace(*body.ResourceSet) == "":
				causes = append(causes, "resource-set: The field cannot be left blank")
			default:
				if set = c.o.findResourceSet(strings.TrimSpace(*body.ResourceSet)); set == nil {
					causes = append(causes, "resource-set: No resource set with id or label '"+*body.ResourceSet+"'")
				}
			}
			if len(causes) > 0 {
				field, _, _ := strings.Cut(causes[0], ":")
				c.fail(&apiError{status: http.StatusBadRequest, code: codeValidation,
					summary: "Api validation failed: " + field, causes: causes})
				return
			}
		}
		for _, ra := range c.o.roleAssigns[pid] {
			if ra.sameRole(typ, role, set) {
				c.fail(&apiError{status: http.StatusConflict, code: codeDuplicateRole,
					summary: "The role specified is already assigned to the user."})
				return
			}
		}
		now := c.o.now().UTC().Truncate(time.Millisecond)
		prefix := "ra1"
		if role != nil {
			prefix = "irb"
		}
		ra := &roleAssignment{id: c.o.newRuntimeID(prefix), principal: pid, group: group, typ: typ,
			role: role, set: set, created: now, updated: now}
		c.o.addRole(ra)
		kind, target := kindPrivGrant, (*logEntity)(nil)
		if group {
			kind, target = kindGroupGrant, groupEntity(c.o.groupsByID[pid])
		} else {
			target = userEntity(c.o.usersByID[pid])
		}
		c.record(kind, []*logEntity{target}, privilegeExtra(ra))
		c.reply(http.StatusCreated, ra.appendJSON(nil, c.jsonBase()))
	}
}

func handleUnassignRole(group bool) handlerFunc {
	return func(c *call) {
		c.o.mu.Lock()
		defer c.o.mu.Unlock()
		pid, aerr := c.principal(group)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		rid := c.param(1)
		ras := c.o.roleAssigns[pid]
		i := slices.IndexFunc(ras, func(ra *roleAssignment) bool { return ra.id == rid })
		if i < 0 {
			c.fail(errRoleNotFound(rid))
			return
		}
		ra := ras[i]
		c.o.roleAssigns[pid] = slices.Delete(ras, i, i+1)
		kind, target := kindPrivRevoke, (*logEntity)(nil)
		if group {
			kind, target = kindGroupRevoke, groupEntity(c.o.groupsByID[pid])
		} else {
			target = userEntity(c.o.usersByID[pid])
		}
		c.record(kind, []*logEntity{target}, `"privilegeRevoked":`+string(appendJSONStr(nil, ra.label())))
		c.reply(http.StatusNoContent, nil)
	}
}

func sortedRoleTypes() []string {
	out := make([]string, 0, len(roleLabels)+1)
	for t := range roleLabels {
		out = append(out, t)
	}
	out = append(out, roleTypeCustom)
	slices.Sort(out)
	return out
}

// iamPage pages a body-paged IAM list by id. Caller holds Org.mu.
func (c *call) iamPage(n int, id func(i int) string) (start, end int, next string) {
	size := c.o.iamPageSize
	if size <= 0 {
		size = iamDefaultPageSize
	}
	start = indexAfter(n, id, c.r.URL.Query().Get("after"))
	end = min(n, start+size)
	if end < n {
		next = c.base + c.r.URL.EscapedPath() + "?after=" + id(end-1)
	}
	return start, end, next
}

func appendNextLinks(b []byte, next string) []byte {
	if next == "" {
		return append(b, `"_links":{}}`...)
	}
	b = append(b, `"_links":{"next":{"href":`...)
	b = appendJSONStr(b, next)
	return append(b, `}}}`...)
}

// replyIAMList answers a body-paged IAM list, {"<key>":[...],"_links":...}.
// Caller holds Org.mu.
func replyIAMList[T interface {
	appendJSON(b []byte, jsonBase string) []byte
}](c *call, key string, items []T, id func(T) string) {
	start, end, next := c.iamPage(len(items), func(i int) string { return id(items[i]) })
	jb := c.jsonBase()
	b := []byte(`{"` + key + `":[`)
	for i, it := range items[start:end] {
		if i > 0 {
			b = append(b, ',')
		}
		b = it.appendJSON(b, jb)
	}
	b = append(b, "],"...)
	c.reply(http.StatusOK, appendNextLinks(b, next))
}

// handleListCustomRoles is GET /api/v1/iam/roles: {roles, _links.next}.
func handleListCustomRoles(c *call) {
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	replyIAMList(c, "roles", c.o.customRoles, func(r *customRole) string { return r.id })
}

// handleListResourceSets is GET /api/v1/iam/resource-sets:
// {"resource-sets", _links.next}.
func handleListResourceSets(c *call) {
	c.o.mu.RLock()
	defer c.o.mu.RUnlock()
	replyIAMList(c, "resource-sets", c.o.resourceSets, func(s *resourceSet) string { return s.id })
}
