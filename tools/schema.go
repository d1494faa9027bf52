package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// inputSchema infers the input schema of In (descriptions from jsonschema
// tags, optional fields from omitempty) and forbids unknown arguments, so a
// misspelt argument is an error rather than silently ignored.
func inputSchema[In any]() *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("input schema: %v", err))
	}
	s.AdditionalProperties = &jsonschema.Schema{Not: &jsonschema.Schema{}}
	return s
}

// object is a schema of an object with the given properties.
func object(desc string, props map[string]*jsonschema.Schema, required ...string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "object", Description: desc, Properties: props, Required: required}
}

// loose describes an Okta value passed through as Okta sent it: any JSON type.
func loose(desc string) *jsonschema.Schema { return &jsonschema.Schema{Description: desc} }

func str(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Description: desc}
}
func integer(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "integer", Description: desc}
}

// rateLimitSchema is the rate_limit block of every result that touched Okta.
var rateLimitSchema = object("Okta rate-limit budget of the endpoint just called, as in the IETF RateLimit header fields.",
	map[string]*jsonschema.Schema{
		"limit":     integer("requests allowed in the current window"),
		"remaining": integer("requests left in the current window"),
		"reset":     integer("seconds until the window resets"),
	}, "limit", "remaining", "reset")

// listSchema is the output schema of a list tool whose items match item.
func listSchema(item *jsonschema.Schema) *jsonschema.Schema {
	return object("", map[string]*jsonschema.Schema{
		"items":       {Type: "array", Items: item},
		"count":       integer("number of items on this page"),
		"next_cursor": str("pass back as next_cursor to get the next page; absent on the last page"),
		"limit":       integer("page size used"),
		"rate_limit":  rateLimitSchema,
	}, "items", "count", "limit")
}

// singleSchema is the output schema of a tool returning one resource under key.
func singleSchema(key string, item *jsonschema.Schema) *jsonschema.Schema {
	return object("", map[string]*jsonschema.Schema{key: item, "rate_limit": rateLimitSchema}, key)
}

// publication is a tool's definition as tools/list shows it: the input
// schema, and the outline of the output schema, encoded as JSON once.
//
// The outline is the output schema's type and required properties. The
// full output schema documents every field for developers and is what
// results are checked against in tests (CheckOutputs); every result that
// passes it passes the outline. The model reads what the fields mean in
// the tool's description, not in the output schema.
type publication struct {
	def    *mcp.Tool
	output func() *jsonschema.Schema // the full output schema

	once    sync.Once
	tool    *mcp.Tool
	in, out *jsonschema.Schema
}

func (p *publication) get() *mcp.Tool {
	p.once.Do(func() {
		in, _ := p.def.InputSchema.(*jsonschema.Schema)
		if in == nil {
			panic(fmt.Sprintf("tool %s: no input schema", p.def.Name))
		}
		p.in, p.out = in, p.output()
		t := *p.def
		t.InputSchema = encodeSchema(p.in)
		t.OutputSchema = encodeSchema(&jsonschema.Schema{Type: p.out.Type, Types: p.out.Types, Required: p.out.Required})
		p.tool = &t
	})
	return p.tool
}

func encodeSchema(s *jsonschema.Schema) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("encode schema: %v", err))
	}
	return b
}

// outputSchemaOf is def's output schema, or the one the SDK would infer
// from Out.
func outputSchemaOf[Out any](def *mcp.Tool) *jsonschema.Schema {
	if s, ok := def.OutputSchema.(*jsonschema.Schema); ok && s != nil {
		return s
	}
	rt := reflect.TypeFor[Out]()
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	s, err := jsonschema.ForType(rt, &jsonschema.ForOptions{})
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", def.Name, err))
	}
	return s
}

// resolve prepares a schema for validation, as the SDK's typed AddTool does.
func resolve(s *jsonschema.Schema) (*jsonschema.Resolved, error) {
	return s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
}
