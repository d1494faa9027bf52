package ratelimit

import "strings"

// literalSegments are the path segments of Okta's management API that name a
// collection or an operation. Every other segment is a resource identifier (an Okta
// ID, a login, a role type or label, ...) and becomes "{id}" in a bucket name.
var literalSegments = map[string]bool{
	// prefixes
	"api": true, "v1": true, "oauth2": true,
	// collections
	"users": true, "groups": true, "logs": true, "sessions": true, "roles": true,
	"iam": true, "resource-sets": true, "me": true, "apps": true, "factors": true,
	"targets": true, "catalog": true, "rules": true, "members": true, "bindings": true,
	"resources": true, "permissions": true, "grants": true, "tokens": true,
	"clients": true, "credentials": true, "linkedObjects": true, "keys": true,
	"subscriptions": true, "blocks": true, "assignees": true,
	// operations
	"lifecycle": true, "activate": true, "reactivate": true, "deactivate": true,
	"suspend": true, "unsuspend": true, "unlock": true, "reset_password": true,
	"expire_password": true, "expire_password_with_temp_password": true,
	"reset_factors": true, "refresh": true, "change_password": true,
	"forgot_password": true, "change_recovery_question": true,
	// OAuth endpoints (token requests pass through the same transport)
	"token": true, "device": true, "authorize": true, "revoke": true, "introspect": true,
}

// Bucket names the rate-limit bucket of a request: the upper-cased method, a space,
// and the path with every segment that is not a known literal replaced by "{id}".
// The query and fragment are ignored, and empty segments are dropped:
//
//	Bucket("GET", "/api/v1/users/00u1a2b3c4d5e6f7g8h9/groups") == "GET /api/v1/users/{id}/groups"
//	Bucket("GET", "/api/v1/users/jane.doe%40company.com")      == "GET /api/v1/users/{id}"
//
// Pass the escaped path (url.URL.EscapedPath) so that an escaped "/" inside an
// identifier does not split it. An empty method means GET, as in net/http.
func Bucket(method, path string) string {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = "GET"
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	var b strings.Builder
	b.Grow(len(method) + 1 + len(path))
	b.WriteString(method)
	b.WriteByte(' ')
	n := 0
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" {
			continue
		}
		b.WriteByte('/')
		if literalSegments[seg] {
			b.WriteString(seg)
		} else {
			b.WriteString("{id}")
		}
		n++
	}
	if n == 0 {
		b.WriteByte('/')
	}
	return b.String()
}
