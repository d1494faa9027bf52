package tools

import (
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
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
