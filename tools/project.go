package tools

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/okta-mcp/okta-mcp/okta"
)

// projection is an ordered tree of the fields a compact result keeps.
// Values are copied from Okta's JSON byte for byte, so an odd type or a new
// field never breaks a read.
type projection struct {
	all    bool // ["*"]: every field but _links
	fields []field
}

type field struct {
	name     string
	children []field // nil: keep the whole value
}

// dropped are never returned: links, embedded bulk and credentials.
var dropped = map[string]bool{"_links": true, "_embedded": true, "credentials": true}

// maxFields bounds the fields argument.
const maxFields = 50

var fieldPathRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,100}(\.[A-Za-z0-9_]{1,100}){0,4}$`)

// newProjection builds the projection of base paths plus the caller's extra
// paths; ["*"] selects the whole object.
func newProjection(base []string, extra []string) (*projection, error) {
	p := &projection{}
	if len(extra) == 1 && extra[0] == "*" {
		p.all = true
		return p, nil
	}
	if len(extra) > maxFields {
		return nil, argError("fields: at most %d paths, got %d", maxFields, len(extra))
	}
	for _, path := range base {
		p.add(path)
	}
	for _, path := range extra {
		if path == "*" {
			return nil, argError(`fields: "*" must be the only entry`)
		}
		if !fieldPathRE.MatchString(path) {
			return nil, argError("fields: %q is not a dotted field path; use paths like profile.employeeNumber, or [\"*\"] for every field", path)
		}
		if dropped[strings.SplitN(path, ".", 2)[0]] {
			return nil, argError("fields: %q cannot be returned (links, embedded resources and credentials are never included)", path)
		}
		p.add(path)
	}
	return p, nil
}

func (p *projection) add(path string) {
	parts := strings.Split(path, ".")
	level := &p.fields
	for i, name := range parts {
		idx := -1
		for j := range *level {
			if (*level)[j].name == name {
				idx = j
				break
			}
		}
		if idx < 0 {
			*level = append(*level, field{name: name})
			idx = len(*level) - 1
			if i < len(parts)-1 {
				(*level)[idx].children = []field{}
			}
		} else if i == len(parts)-1 || (*level)[idx].children == nil {
			// A whole value already kept covers deeper paths; a shorter path
			// widens a subtree to the whole value.
			if i == len(parts)-1 {
				(*level)[idx].children = nil
			}
			return
		}
		level = &(*level)[idx].children
	}
}

// apply projects one JSON object.
func (p *projection) apply(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := p.write(&buf, raw, p.fields, true); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (p *projection) write(buf *bytes.Buffer, raw json.RawMessage, fields []field, top bool) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return invalidResponse("an object in Okta's answer is not a JSON object")
	}
	buf.WriteByte('{')
	n := 0
	key := func(k string) {
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
	}
	if top && p.all {
		delete(obj, "_links")
		b, err := json.Marshal(obj) // keys sorted
		if err != nil {
			return invalidResponse("Okta's answer holds invalid JSON")
		}
		buf.Reset()
		buf.Write(b)
		return nil
	}
	for _, f := range fields {
		v, ok := obj[f.name]
		if !ok {
			continue
		}
		key(f.name)
		tv := bytes.TrimSpace(v)
		if f.children == nil || bytes.Equal(tv, []byte("null")) {
			buf.Write(v)
			continue
		}
		if len(tv) > 0 && tv[0] == '[' {
			if err := p.writeArray(buf, tv, f.children); err != nil {
				return err
			}
			continue
		}
		if err := p.write(buf, v, f.children, false); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// writeArray projects each object of an array (a log event's target[])
// through the same subtree; null and other elements are copied as they are.
func (p *projection) writeArray(buf *bytes.Buffer, raw json.RawMessage, fields []field) error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return invalidResponse("an array in Okta's answer is not valid JSON")
	}
	buf.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if len(it) == 0 || it[0] != '{' {
			buf.Write(it)
			continue
		}
		if err := p.write(buf, it, fields, false); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

// splitArray splits a JSON array into its elements without decoding them.
func splitArray(body []byte) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, invalidResponse("Okta's answer is not a JSON array")
	}
	return items, nil
}

func invalidResponse(summary string) error {
	return &okta.Error{Code: okta.CodeInvalidResponse, Summary: summary, Causes: []string{}}
}
