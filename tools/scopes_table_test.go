package tools

import (
	"slices"
	"strings"
	"testing"

	"github.com/okta-mcp/okta-mcp/internal/contract"
)

// TestOperationTableMatchesOpenAPI checks the operation tables of scopes.go
// against Okta's OpenAPI document (the SDK's okta/api/openapi.yaml): every
// tool of the catalog has an entry and every entry a tool; every operation
// exists in the document and has there the scope oktaScopes gives it; and
// RequiredScopes is the minimal set granting the document's scopes of the
// operations the tool needs. (Which operations the handlers really call is
// TestToolOperationsObserved's business.)
func TestOperationTableMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	v, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}

	catalog := map[string]Tool{}
	for _, tl := range All() {
		catalog[tl.Name()] = tl
		if _, ok := toolOperations[tl.Name()]; !ok {
			t.Errorf("%s: no entry in toolOperations", tl.Name())
		}
	}
	for name := range toolOperations {
		if _, ok := catalog[name]; !ok {
			t.Errorf("toolOperations has %s, which is not a tool", name)
		}
	}

	// Every scope table entry is Okta's, and used.
	used := map[string]bool{}
	for _, tc := range toolOperations {
		for _, op := range slices.Concat(tc.calls, tc.tolerated) {
			used[op] = true
		}
	}
	for op, scope := range oktaScopes {
		doc, ok := v.OAuthScopes(op)
		switch {
		case !ok:
			t.Errorf("oktaScopes: %q is not an operation of openapi.yaml", op)
		case !slices.Equal(doc, []string{scope}):
			t.Errorf("oktaScopes: %s needs %v in openapi.yaml, not %s", op, doc, scope)
		}
		if !used[op] {
			t.Errorf("oktaScopes: no tool calls %s", op)
		}
	}

	for name, tc := range toolOperations {
		tl, ok := catalog[name]
		if !ok {
			continue
		}
		if len(tc.calls) == 0 {
			t.Errorf("%s: calls nothing", name)
		}
		var docScopes []string
		seen := map[string]bool{}
		for i, op := range slices.Concat(tc.calls, tc.tolerated) {
			if seen[op] {
				t.Errorf("%s: %s listed twice", name, op)
			}
			seen[op] = true
			if !v.HasOperation(op) {
				t.Errorf("%s: %q is not an operation of openapi.yaml (write it as METHOD and the path as the document spells it)", name, op)
				continue
			}
			if _, ok := oktaScopes[op]; !ok {
				t.Errorf("%s: %s has no entry in oktaScopes", name, op)
			}
			s, _ := v.OAuthScopes(op)
			if len(s) != 1 {
				t.Errorf("%s: %s has OAuth scopes %v in openapi.yaml; want exactly one", name, op, s)
			}
			if i < len(tc.calls) {
				docScopes = append(docScopes, s...)
			}
		}
		want := minimalFromDoc(docScopes)
		if got := RequiredScopes(tl); !slices.Equal(got, want) {
			t.Errorf("%s: RequiredScopes %v; openapi.yaml's scopes of its operations make %v", name, got, want)
		}
		for _, s := range OptionalScopes(tl) {
			if HasScope(RequiredScopes(tl), s) {
				t.Errorf("%s: optional scope %s is already required", name, s)
			}
		}
	}
}

// minimalFromDoc is the minimal sorted scope set granting each of scopes,
// written independently of minimalScopes.
func minimalFromDoc(scopes []string) []string {
	set := map[string]bool{}
	for _, s := range scopes {
		set[s] = true
	}
	var out []string
	for s := range set {
		if base, ok := strings.CutSuffix(s, ".read"); ok && set[base+".manage"] {
			continue
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestUntabledToolIsHidden: a tool the table does not know needs a scope no
// credential holds, so it is hidden rather than shown to fail.
func TestUntabledToolIsHidden(t *testing.T) {
	t.Parallel()
	tl := All()[0]
	def := *tl.Def
	def.Name = "okta_not_in_the_table"
	tl.Def = &def
	if got := RequiredScopes(tl); !slices.Equal(got, []string{unknownScope}) {
		t.Errorf("RequiredScopes = %v", got)
	}
	all := []string{"okta.users.manage", "okta.groups.manage", "okta.roles.manage", "okta.sessions.manage", "okta.logs.read"}
	if kept, hidden := ByScopes([]Tool{tl}, all); len(kept) != 0 || len(hidden) != 1 {
		t.Errorf("kept %d, hidden %d", len(kept), len(hidden))
	}
	if ops := Operations(tl); ops != nil {
		t.Errorf("Operations = %v", ops)
	}
}

func TestMinimalScopes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"okta.users.read", "okta.users.read"}, []string{"okta.users.read"}},
		{[]string{"okta.users.read", "okta.users.manage"}, []string{"okta.users.manage"}},
		{[]string{"okta.users.manage", "okta.users.read", "okta.groups.read"}, []string{"okta.groups.read", "okta.users.manage"}},
		{[]string{"okta.roles.manage", "okta.users.read", "okta.groups.read", "okta.roles.read"}, []string{"okta.groups.read", "okta.roles.manage", "okta.users.read"}},
	} {
		if got := minimalScopes(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("minimalScopes(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
