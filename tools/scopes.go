package tools

import (
	"slices"
	"strings"
)

// OAuth scopes. An OAuth credential (service app or device sign-in) holds
// a fixed set of Okta API scopes; a tool that needs a scope the credential
// lacks would only ever get 403 insufficient_scope, so it is not
// registered, and `okta-mcp tools` says which scope is missing.

// RequiredScopes returns the Okta API scopes t needs, sorted: for each of
// its tags, okta.<tag>.read when the tool only reads (class get or list),
// okta.<tag>.manage otherwise (create, update, delete, custom). A tool with
// several tags needs the scope of each.
func RequiredScopes(t Tool) []string {
	suffix := ".manage"
	if t.Class.ReadOnly() {
		suffix = ".read"
	}
	var out []string
	for _, tag := range t.Tags {
		s := "okta." + tag + suffix
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// HasScope reports whether granted holds need; okta.X.manage implies
// okta.X.read, as in Okta.
func HasScope(granted []string, need string) bool {
	if slices.Contains(granted, need) {
		return true
	}
	if base, ok := strings.CutSuffix(need, ".read"); ok {
		return slices.Contains(granted, base+".manage")
	}
	return false
}

// MissingScopes returns the scopes of RequiredScopes(t) that granted lacks.
func MissingScopes(t Tool, granted []string) []string {
	var out []string
	for _, s := range RequiredScopes(t) {
		if !HasScope(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

// Hidden is a tool left out because the credential lacks scopes.
type Hidden struct {
	Tool    Tool
	Missing []string
}

// ByScopes splits ts (already filtered by Select) into the tools the
// granted scopes allow, in order, and those they do not.
func ByScopes(ts []Tool, granted []string) (kept []Tool, hidden []Hidden) {
	for _, t := range ts {
		if m := MissingScopes(t, granted); len(m) > 0 {
			hidden = append(hidden, Hidden{Tool: t, Missing: m})
			continue
		}
		kept = append(kept, t)
	}
	return kept, hidden
}
