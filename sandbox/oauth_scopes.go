package sandbox

import (
	"net/http"
	"strings"
)

// routeScopes is the OAuth scope an access token needs per route: key
// "METHOD template", with the route template as registered on the router.
// Parameter names do not matter ("{id}" and "{userId}" are the same), and a
// key ending in "/*" covers every template below that prefix that has no
// entry of its own. A route without an entry needs no scope beyond a valid
// token. x.manage implies x.read (hasScope). Keep this in step with the
// routes: TestScopeTableCoversRoutes lists any registered route missing here.
var routeScopes = map[string]string{
	// Users
	"GET /api/v1/users":                     "okta.users.read",
	"POST /api/v1/users":                    "okta.users.manage",
	"GET /api/v1/users/{id}":                "okta.users.read",
	"POST /api/v1/users/{id}":               "okta.users.manage",
	"PUT /api/v1/users/{id}":                "okta.users.manage",
	"DELETE /api/v1/users/{id}":             "okta.users.manage",
	"GET /api/v1/users/{id}/groups":         "okta.users.read",
	"POST /api/v1/users/{id}/lifecycle/*":   "okta.users.manage",
	"DELETE /api/v1/users/{id}/sessions":    "okta.users.manage",
	"GET /api/v1/users/{id}/roles":          "okta.roles.read",
	"POST /api/v1/users/{id}/roles":         "okta.roles.manage",
	"GET /api/v1/users/{id}/roles/*":        "okta.roles.read",
	"POST /api/v1/users/{id}/roles/*":       "okta.roles.manage",
	"PUT /api/v1/users/{id}/roles/*":        "okta.roles.manage",
	"DELETE /api/v1/users/{id}/roles/*":     "okta.roles.manage",
	"POST /api/v1/users/{id}/credentials/*": "okta.users.manage",

	// Groups
	"GET /api/v1/groups":                     "okta.groups.read",
	"POST /api/v1/groups":                    "okta.groups.manage",
	"GET /api/v1/groups/{id}":                "okta.groups.read",
	"PUT /api/v1/groups/{id}":                "okta.groups.manage",
	"DELETE /api/v1/groups/{id}":             "okta.groups.manage",
	"GET /api/v1/groups/{id}/users":          "okta.groups.read",
	"PUT /api/v1/groups/{id}/users/{userId}": "okta.groups.manage",
	"DELETE /api/v1/groups/{id}/users/{uid}": "okta.groups.manage",
	"GET /api/v1/groups/{id}/roles":          "okta.roles.read",
	"POST /api/v1/groups/{id}/roles":         "okta.roles.manage",
	"GET /api/v1/groups/{id}/roles/*":        "okta.roles.read",
	"POST /api/v1/groups/{id}/roles/*":       "okta.roles.manage",
	"PUT /api/v1/groups/{id}/roles/*":        "okta.roles.manage",
	"DELETE /api/v1/groups/{id}/roles/*":     "okta.roles.manage",
	"GET /api/v1/groups/rules":               "okta.groups.read",
	"GET /api/v1/groups/rules/*":             "okta.groups.read",
	"POST /api/v1/groups/rules":              "okta.groups.manage",
	"POST /api/v1/groups/rules/*":            "okta.groups.manage",
	"PUT /api/v1/groups/rules/*":             "okta.groups.manage",
	"DELETE /api/v1/groups/rules/*":          "okta.groups.manage",

	// Custom roles, resource sets, role assignments (IAM)
	"GET /api/v1/iam/*":    "okta.roles.read",
	"POST /api/v1/iam/*":   "okta.roles.manage",
	"PUT /api/v1/iam/*":    "okta.roles.manage",
	"PATCH /api/v1/iam/*":  "okta.roles.manage",
	"DELETE /api/v1/iam/*": "okta.roles.manage",

	// Sessions and the System Log
	"GET /api/v1/sessions/{id}":              "okta.sessions.read",
	"DELETE /api/v1/sessions/{id}":           "okta.sessions.manage",
	"POST /api/v1/sessions/{id}/lifecycle/*": "okta.sessions.manage",
	"GET /api/v1/logs":                       "okta.logs.read",
}

// scopeIndex is routeScopes with parameter names erased, built once.
var scopeIndex = func() map[string]string {
	idx := make(map[string]string, len(routeScopes))
	for k, v := range routeScopes {
		method, template, _ := strings.Cut(k, " ")
		idx[method+" "+eraseParams(template)] = v
	}
	return idx
}()

// eraseParams writes every "{name}" segment of a template as "{}".
func eraseParams(template string) string {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// requiredScope is the scope method on template needs, "" for none. HEAD
// needs what GET needs.
func requiredScope(method, template string) string {
	if template == "" {
		return ""
	}
	if method == http.MethodHead {
		method = http.MethodGet
	}
	t := eraseParams(template)
	if s, ok := scopeIndex[method+" "+t]; ok {
		return s
	}
	for i := strings.LastIndexByte(t, '/'); i > 0; i = strings.LastIndexByte(t, '/') {
		t = t[:i]
		if s, ok := scopeIndex[method+" "+t+"/*"]; ok {
			return s
		}
	}
	return ""
}
