// Package tools is the catalog of MCP tools okta-mcp offers: one list of every
// tool with its method class, tags and annotations, the filters that choose
// which of them a server registers, and their handlers. Tools talk to Okta only
// through package okta and never see HTTP.
package tools

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/okta"
)

// Class is a tool's method class, the unit --methods selects.
type Class string

// The method classes.
const (
	ClassGet    Class = "get"
	ClassList   Class = "list"
	ClassCreate Class = "create"
	ClassUpdate Class = "update"
	ClassDelete Class = "delete"
	ClassCustom Class = "custom"
)

// Classes lists every class in display order.
var Classes = []Class{ClassGet, ClassList, ClassCreate, ClassUpdate, ClassDelete, ClassCustom}

// ReadOnly reports whether tools of the class never change the org.
func (c Class) ReadOnly() bool { return c == ClassGet || c == ClassList }

// methodGroups are the shorthand names --methods accepts besides the classes.
var methodGroups = map[string][]Class{
	"read":  {ClassGet, ClassList},
	"write": {ClassCreate, ClassUpdate, ClassDelete},
	"all":   Classes,
}

// Tags are the areas --tags selects.
var Tags = []string{"users", "groups", "roles", "sessions", "logs"}

// Deps are what handlers need at call time. Okta is called on the first
// tool call, so listing tools needs no credentials.
type Deps struct {
	Okta func() (*okta.Client, error)
	// Safety governs write tools; the zero value asks for confirmation
	// (and so refuses every write: no sealer) and audits nothing.
	Safety Safety
}

// Tool is one entry of the catalog.
type Tool struct {
	Def   *mcp.Tool
	Class Class
	Tags  []string
	// add registers the tool and its handler on a server.
	add func(s *mcp.Server, d Deps)
	// pub is the definition as tools/list shows it, encoded once.
	pub *publication
}

// Name is the tool's MCP name.
func (t Tool) Name() string { return t.Def.Name }

// All returns the whole catalog, in a stable order.
func All() []Tool {
	all := slices.Concat(userTools(), userWriteTools(), groupTools(), roleTools(), logTools(), sessionTools(), inactiveTools())
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all
}

// Filter is what the admin chose on the command line.
type Filter struct {
	Methods      []string // classes or read, write, all; empty means read
	Tags         []string // empty means every tag
	Tools        []string // names added back after the method and tag filters
	ExcludeTools []string // names removed last
}

// FilterError is a bad --methods, --tags, --tools or --exclude-tools value.
type FilterError struct{ Setting, Value, Valid string }

func (e *FilterError) Error() string {
	return fmt.Sprintf("invalid --%s %q: valid values are %s", e.Setting, e.Value, e.Valid)
}

// Select returns the tools of all that pass f: a tool is kept when its class
// is among the methods AND one of its tags is among the tags; then the named
// tools are added back and the excluded ones removed.
func Select(all []Tool, f Filter) ([]Tool, error) {
	classes := map[Class]bool{}
	methods := f.Methods
	if len(methods) == 0 {
		methods = []string{"read"}
	}
	for _, m := range methods {
		m = strings.ToLower(strings.TrimSpace(m))
		if g, ok := methodGroups[m]; ok {
			for _, c := range g {
				classes[c] = true
			}
			continue
		}
		if !slices.Contains(Classes, Class(m)) {
			valid := []string{"read", "write", "custom", "all"}
			for _, c := range Classes {
				if c != ClassCustom {
					valid = append(valid, string(c))
				}
			}
			return nil, &FilterError{"methods", m, strings.Join(valid, ", ")}
		}
		classes[Class(m)] = true
	}
	tags := map[string]bool{}
	for _, tg := range f.Tags {
		tg = strings.ToLower(strings.TrimSpace(tg))
		if !slices.Contains(Tags, tg) {
			return nil, &FilterError{"tags", tg, strings.Join(Tags, ", ")}
		}
		tags[tg] = true
	}
	byName := map[string]bool{}
	for _, t := range all {
		byName[t.Name()] = true
	}
	names := func(setting string, list []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, n := range list {
			if !byName[n] {
				return nil, &FilterError{setting, n, "the tool names that `okta-mcp tools --methods all` lists"}
			}
			set[n] = true
		}
		return set, nil
	}
	add, err := names("tools", f.Tools)
	if err != nil {
		return nil, err
	}
	exclude, err := names("exclude-tools", f.ExcludeTools)
	if err != nil {
		return nil, err
	}
	var out []Tool
	for _, t := range all {
		keep := classes[t.Class] && (len(tags) == 0 || slices.ContainsFunc(t.Tags, func(s string) bool { return tags[s] }))
		if (keep || add[t.Name()]) && !exclude[t.Name()] {
			out = append(out, t)
		}
	}
	return out, nil
}

// Register adds the tools to s. Their schemas are published as JSON,
// encoded once per tool (see Warm); an input schema is resolved for
// validation at its tool's first call, so nothing but tools/list's bytes
// is computed at start-up.
func Register(s *mcp.Server, ts []Tool, d Deps) {
	for _, t := range ts {
		t.add(s, d)
	}
}

// Warm encodes the tools' definitions for tools/list now, so that a server
// started later registers them at once. serve runs it while it waits for
// the OS keyring. Safe to call concurrently with Register.
func Warm(ts []Tool) {
	for _, t := range ts {
		t.pub.get()
	}
}

// annotations derives a tool's MCP hints from its class; every hint is set.
// The title is the tool's own (top-level) title, not repeated here.
func annotations(c Class) *mcp.ToolAnnotations {
	yes, no := true, false
	a := &mcp.ToolAnnotations{ReadOnlyHint: c.ReadOnly(), OpenWorldHint: &yes, DestructiveHint: &no, IdempotentHint: c.ReadOnly()}
	switch c {
	case ClassUpdate:
		a.DestructiveHint, a.IdempotentHint = &yes, true
	case ClassDelete:
		a.DestructiveHint, a.IdempotentHint = &yes, true
	case ClassCustom:
		a.DestructiveHint = &yes
	}
	return a
}

// define builds a catalog entry for a read tool.
func define[In, Out any](def *mcp.Tool, class Class, tags []string, h handler[In, Out]) Tool {
	return defineRaw(def, class, tags, plain(h))
}

// defineRaw builds a catalog entry. Every tool is registered this one way:
// the SDK's raw AddTool with the tool's schemas as JSON, and a handler
// (sdkHandler) that does what the SDK's typed AddTool would, except decode
// the result it has just encoded to check it against the output schema.
func defineRaw[In, Out any](def *mcp.Tool, class Class, tags []string, h rawHandler[In, Out]) Tool {
	if def.Annotations == nil {
		def.Annotations = annotations(class)
	}
	pub := &publication{def: def, output: func() *jsonschema.Schema { return outputSchemaOf[Out](def) }}
	return Tool{Def: def, Class: class, Tags: tags, pub: pub, add: func(s *mcp.Server, d Deps) {
		s.AddTool(pub.get(), sdkHandler(pub, wrap(d, h)))
	}}
}
