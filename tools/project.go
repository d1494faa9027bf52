package tools

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"regexp"
	"strings"
	"sync"

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

// fieldPathRE is compiled at the first fields argument: its counted
// repetitions make a large program, a fifth of a millisecond of start-up.
var fieldPathRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_]{1,100}(\.[A-Za-z0-9_]{1,100}){0,4}$`)
})

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
		if !fieldPathRE().MatchString(path) {
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

// Projection reads each object once, token by token, validating all of it
// as encoding/json would and copying the kept values byte for byte; no
// object is decoded into a map. The answers are those of decoding each
// object into map[string]json.RawMessage: for a repeated key the last value
// wins, and a key written with escapes matches its decoded name.

const (
	errNotObject = "an object in Okta's answer is not a JSON object"
	errNotArray  = "Okta's answer is not a JSON array"
)

// scratch buffers for building one projected object.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// apply projects one JSON object.
func (p *projection) apply(raw json.RawMessage) (json.RawMessage, error) {
	if p.all {
		return p.whole(raw)
	}
	s := jsonScan{b: raw}
	s.ws()
	if s.literal("null") {
		// As decoding null into a map: no fields.
		if s.ws(); s.i != len(s.b) {
			return nil, invalidResponse(errNotObject)
		}
		return json.RawMessage("{}"), nil
	}
	if s.i == len(s.b) || s.b[s.i] != '{' {
		return nil, invalidResponse(errNotObject)
	}
	bp := scratch.Get().(*[]byte)
	out, err := p.object((*bp)[:0], &s, p.fields, 1)
	if err == nil {
		if s.ws(); s.i != len(s.b) {
			err = invalidResponse(errNotObject)
		}
	}
	if err == nil {
		*bp = out[:0] // keep the buffer as grown
		out = bytes.Clone(out)
	}
	scratch.Put(bp)
	return out, err
}

// applyAll is splitArray followed by apply on each element, in one pass
// over the page: the same items and the same errors (an invalid page before
// an element that is not an object). The items share one buffer.
func (p *projection) applyAll(body []byte) ([]json.RawMessage, error) {
	if p.all {
		items, err := splitArray(body)
		for i := range items {
			if err == nil {
				items[i], err = p.whole(items[i])
			}
		}
		return items, err
	}
	var (
		out     = make([]byte, 0, len(body)/2)
		ends    []int
		itemErr error // the first element that is valid JSON but not a projectable object
	)
	null, err := eachElement(body, func(s *jsonScan) bool {
		start := s.i
		switch {
		case itemErr == nil && s.b[s.i] == '{':
			o, err := p.object(out, s, p.fields, 2)
			if err == nil {
				out, ends = o, append(ends, len(o))
				return true
			}
			// Invalid JSON makes the page invalid; a valid object
			// that does not fit the projection is the element's error.
			if s.i = start; !s.value(1) {
				return false
			}
			itemErr = err
		case itemErr == nil && s.literal("null"):
			out, ends = append(out, "{}"...), append(ends, len(out)+2)
		default:
			if !s.value(1) {
				return false
			}
			if itemErr == nil {
				itemErr = invalidResponse(errNotObject)
			}
		}
		return true
	})
	switch {
	case err != nil:
		return nil, err
	case itemErr != nil:
		return nil, itemErr
	case null:
		return nil, nil
	}
	items := make([]json.RawMessage, len(ends))
	prev := 0
	for i, end := range ends {
		items[i] = out[prev:end:end]
		prev = end
	}
	return items, nil
}

// whole is ["*"]: the object without _links, keys sorted.
func (p *projection) whole(raw json.RawMessage) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, invalidResponse(errNotObject)
	}
	delete(obj, "_links")
	b, err := json.Marshal(obj) // keys sorted
	if err != nil {
		return nil, invalidResponse("Okta's answer holds invalid JSON")
	}
	return b, nil
}

// span is where a kept value lies in the object's text.
type span struct{ start, end int }

// object appends the projection of the JSON object at s.i to out,
// validating the object as it goes (as jsonScan.value does; depth is the
// object's own nesting depth), and leaves s.i after it. A kept subtree is
// projected from the bytes already validated.
func (p *projection) object(out []byte, s *jsonScan, fields []field, depth int) ([]byte, error) {
	var found [32]span
	spans := found[:0]
	if len(fields) > len(found) {
		spans = make([]span, 0, len(fields))
	}
	spans = spans[:len(fields)]
	obj := s.b
	bad := invalidResponse(errNotObject)
	s.i++ // '{'
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
	} else {
		for {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return nil, bad
			}
			ks, esc, ok := s.strOK()
			if !ok {
				return nil, bad
			}
			key := obj[ks+1 : s.i-1]
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return nil, bad
			}
			s.i++
			s.ws()
			vs := s.i
			if !s.value(depth) {
				return nil, bad
			}
			for i := range fields {
				if keyIs(key, esc, fields[i].name) {
					spans[i] = span{vs, s.i}
					break
				}
			}
			s.ws()
			if s.i >= len(s.b) {
				return nil, bad
			}
			if s.b[s.i] == '}' {
				s.i++
				break
			}
			if s.b[s.i] != ',' {
				return nil, bad
			}
			s.i++
			s.ws()
		}
	}
	out = append(out, '{')
	n := 0
	for i, f := range fields {
		sp := spans[i]
		if sp.end == 0 {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		n++
		out = appendKey(out, f.name)
		v := obj[sp.start:sp.end]
		var err error
		switch {
		case f.children == nil || v[0] == 'n':
			out = append(out, v...)
		case v[0] == '[':
			out, err = p.array(out, v, f.children)
		case v[0] == '{':
			out, err = p.object(out, &jsonScan{b: v}, f.children, 1)
		default:
			err = bad
		}
		if err != nil {
			return nil, err
		}
	}
	return append(out, '}'), nil
}

// array projects each object of a valid JSON array (a log event's target[])
// through the same subtree; null and other elements are copied as they are.
func (p *projection) array(out []byte, arr []byte, fields []field) ([]byte, error) {
	out = append(out, '[')
	s := jsonScan{b: arr, i: 1}
	n := 0
	for {
		s.ws()
		if s.b[s.i] == ']' {
			break
		}
		vs := s.i
		s.value(0)
		if n > 0 {
			out = append(out, ',')
		}
		n++
		if arr[vs] == '{' {
			var err error
			if out, err = p.object(out, &jsonScan{b: arr[vs:s.i]}, fields, 1); err != nil {
				return nil, err
			}
		} else {
			out = append(out, arr[vs:s.i]...)
		}
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
	return append(out, ']'), nil
}

// keyIs reports whether the key text (between its quotes) names name.
func keyIs(key []byte, escaped bool, name string) bool {
	if !escaped {
		return string(key) == name
	}
	var k string
	q := make([]byte, 0, len(key)+2)
	q = append(append(append(q, '"'), key...), '"')
	return json.Unmarshal(q, &k) == nil && k == name
}

// appendKey appends "name": .
func appendKey(out []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			kb, _ := json.Marshal(name)
			return append(append(out, kb...), ':')
		}
	}
	out = append(out, '"')
	out = append(out, name...)
	return append(out, '"', ':')
}

// splitArray splits a JSON array into its elements without decoding them.
// The elements share body's memory. As decoding into []json.RawMessage:
// null is no elements, anything else but an array is an error.
func splitArray(body []byte) ([]json.RawMessage, error) {
	items := make([]json.RawMessage, 0, 16)
	null, err := eachElement(body, func(s *jsonScan) bool {
		vs := s.i
		if !s.value(1) {
			return false
		}
		items = append(items, body[vs:s.i:s.i])
		return true
	})
	if err != nil || null {
		return nil, err
	}
	return items, nil
}

// eachElement walks the JSON array body, calling visit with s at the first
// byte of each element; visit consumes the element, validating it, and
// reports whether it was valid JSON. An invalid element, or anything but
// an array, is errNotArray; null is reported (decoding null into a slice
// gives no elements).
func eachElement(body []byte, visit func(s *jsonScan) bool) (null bool, err error) {
	notArray := invalidResponse(errNotArray)
	s := jsonScan{b: body}
	s.ws()
	if s.literal("null") {
		if s.ws(); s.i != len(s.b) {
			return false, notArray
		}
		return true, nil
	}
	if s.i == len(s.b) || s.b[s.i] != '[' {
		return false, notArray
	}
	s.i++
	for first := true; ; first = false {
		s.ws()
		if first && s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			break
		}
		if s.i >= len(s.b) || !visit(&s) {
			return false, notArray
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			break
		}
		return false, notArray
	}
	if s.ws(); s.i != len(s.b) {
		return false, notArray
	}
	return false, nil
}

func invalidResponse(summary string) error {
	return &okta.Error{Code: okta.CodeInvalidResponse, Summary: summary, Causes: []string{}}
}

// jsonScan walks JSON text and checks it against JSON's grammar (as
// encoding/json does: any bytes but control characters in strings, at
// most maxDepth nested arrays and objects) without decoding anything.
type jsonScan struct {
	b []byte
	i int
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

func (s *jsonScan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// literal consumes word if it is next.
func (s *jsonScan) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// value consumes one value at s.i (no leading whitespace) and reports
// whether it is valid.
func (s *jsonScan) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, ok := s.strOK()
		return ok
	case c == '{':
		if depth++; depth > maxDepth {
			return false
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			return true
		}
		for {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return false
			}
			if _, _, ok := s.strOK(); !ok {
				return false
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return false
			}
			s.i++
			s.ws()
			if !s.value(depth) {
				return false
			}
			s.ws()
			if s.i >= len(s.b) {
				return false
			}
			switch s.b[s.i] {
			case ',':
				s.i++
				s.ws()
			case '}':
				s.i++
				return true
			default:
				return false
			}
		}
	case c == '[':
		if depth++; depth > maxDepth {
			return false
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			if !s.value(depth) {
				return false
			}
			s.ws()
			if s.i >= len(s.b) {
				return false
			}
			switch s.b[s.i] {
			case ',':
				s.i++
				s.ws()
			case ']':
				s.i++
				return true
			default:
				return false
			}
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	return false
}

// strOK consumes a string at s.i.
func (s *jsonScan) strOK() (start int, escaped, ok bool) {
	start = s.i
	i := s.i + 1
	for i < len(s.b) {
		// Eight bytes at a time (most of Okta's JSON is string contents),
		// straight to the first quote, backslash or control character.
		if i+8 <= len(s.b) {
			m := specialBytes(binary.LittleEndian.Uint64(s.b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return start, escaped, true
		case c == '\\':
			escaped = true
			if i+1 >= len(s.b) {
				return start, escaped, false
			}
			switch s.b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s.b) {
					return start, escaped, false
				}
				for _, h := range s.b[i+2 : i+6] {
					if !isHex(h) {
						return start, escaped, false
					}
				}
				i += 6
			default:
				return start, escaped, false
			}
		case c < 0x20:
			return start, escaped, false
		default:
			i++
		}
	}
	return start, escaped, false
}

// specialBytes marks, in the high bit of each byte's place, the bytes of x
// that are '"', '\\' or below 0x20 (bytes of 0x80 and above are never
// marked). Marks above the lowest one may be false (a borrow carries into
// the next byte); the lowest is always the first such byte.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(ones*'"'), x^(ones*'\\')
	return ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x) & highs
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number consumes -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *jsonScan) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}
