package contract

import (
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Operations and their OAuth scopes, as openapi.yaml states them. An operation is
// named "METHOD /path/template", the path exactly as the document spells it
// ("GET /api/v1/users/{userId}"): that is how a table of the operations a tool calls
// (tools.Operations) is checked against the document.

// Operation names the operation req is routed to, "METHOD /path/template", or ""
// when none matches.
func (v *Validator) Operation(req *http.Request) string {
	route, _, err := v.route(req)
	if err != nil || route.Operation == nil {
		return ""
	}
	return route.Method + " " + route.Path
}

// HasOperation reports whether the document has op, "METHOD /path/template" with
// the path spelled as in the document.
func (v *Validator) HasOperation(op string) bool {
	_, ok := v.operation(op)
	return ok
}

// OAuthScopes returns the scopes the document's security requirement "oauth2" of op
// lists, sorted (Okta names one per operation); ok is false when the document has
// no such operation. An operation without an oauth2 requirement (Okta's own session
// endpoints, say) has none.
func (v *Validator) OAuthScopes(op string) (scopes []string, ok bool) {
	o, ok := v.operation(op)
	if !ok {
		return nil, false
	}
	reqs := v.doc.Security
	if o.Security != nil {
		reqs = *o.Security
	}
	for _, r := range reqs {
		for _, s := range r["oauth2"] {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	slices.Sort(scopes)
	return scopes, true
}

// Operations lists every operation of the document, sorted.
func (v *Validator) Operations() []string {
	var out []string
	for path, item := range v.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

func (v *Validator) operation(op string) (*openapi3.Operation, bool) {
	method, path, ok := strings.Cut(op, " ")
	if !ok {
		return nil, false
	}
	item := v.doc.Paths.Value(path)
	if item == nil {
		return nil, false
	}
	o := item.GetOperation(method)
	if o == nil {
		return nil, false
	}
	return o, true
}
