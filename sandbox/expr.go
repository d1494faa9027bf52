package sandbox

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file holds the one expression language behind Okta's `search` and
// `filter` query parameters (a SCIM-like subset):
//
//	expr    = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" "(" expr ")" | "(" expr ")" | compare
//	compare = attrPath op [value]      ; no value for "pr"
//	value   = "double-quoted string with backslash escapes" | number | true | false | null
//
// Keywords and operators are case-insensitive; attribute names are
// case-sensitive. Parsing is purely syntactic; a schema (what each resource
// and parameter admits) is applied afterwards by check, and eval runs the
// checked tree against one object.

// maxExprLen and maxExprDepth bound the work one expression can cause.
const (
	maxExprLen   = 4096
	maxExprDepth = 32
)

// exprError is a parse or schema error; its text goes into errorCauses.
type exprError struct{ msg string }

func (e *exprError) Error() string { return e.msg }

func exprErrorf(format string, args ...any) *exprError {
	return &exprError{msg: fmt.Sprintf(format, args...)}
}

type expr interface{ isExpr() }

type logicalExpr struct {
	or          bool // false: and
	left, right expr
}

type notExpr struct{ x expr }

type compareExpr struct {
	attr string
	op   string // eq ne sw ew co gt ge lt le pr (lower case)
	val  literal

	kind attrKind  // set by check
	t    time.Time // parsed val for time attributes, set by check
}

func (*logicalExpr) isExpr() {}
func (*notExpr) isExpr()     {}
func (*compareExpr) isExpr() {}

type litKind int

const (
	litNone litKind = iota // "pr" has no value
	litString
	litNumber
	litBool
	litNull
)

type literal struct {
	kind litKind
	s    string
	n    float64
	b    bool
}

var knownOps = map[string]bool{
	"eq": true, "ne": true, "sw": true, "ew": true, "co": true,
	"gt": true, "ge": true, "lt": true, "le": true, "pr": true,
}

// ---- lexer ----

type tokKind int

const (
	tokEOF tokKind = iota
	tokLParen
	tokRParen
	tokWord   // attribute, operator, keyword, number, true/false/null
	tokString // decoded double-quoted string
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '"' {
					break
				}
			}
			if j >= len(s) {
				return nil, exprErrorf("unterminated string starting at position %d", i)
			}
			raw := s[i : j+1]
			var v string
			if err := json.Unmarshal([]byte(raw), &v); err != nil {
				return nil, exprErrorf("invalid escape in string %s", raw)
			}
			toks = append(toks, token{tokString, v, i})
			i = j + 1
		case c == '\'':
			return nil, exprErrorf("string values must be in double quotes (position %d)", i)
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()\"", rune(s[j])) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], i})
			i = j
		}
	}
	return append(toks, token{tokEOF, "", len(s)}), nil
}

// ---- parser ----

type parser struct {
	toks  []token
	pos   int
	depth int
}

// parseExpr parses s into a tree, checking syntax only.
func parseExpr(s string) (expr, error) {
	if len(s) > maxExprLen {
		return nil, exprErrorf("expression longer than %d characters", maxExprLen)
	}
	if strings.TrimSpace(s) == "" {
		return nil, exprErrorf("empty expression")
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, exprErrorf("unexpected %s at position %d", describe(t), t.pos)
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return strconv.Quote(t.text)
	default:
		return "'" + t.text + "'"
	}
}

func (p *parser) parseOr() (expr, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		p.next()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &logicalExpr{or: true, left: left, right: right}
	}
	return left, nil
}

func (p *parser) parseAnd() (expr, error) {
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		p.next()
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		left = &logicalExpr{left: left, right: right}
	}
	return left, nil
}

func (p *parser) parseUnary() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExprDepth {
		return nil, exprErrorf("expression nested deeper than %d levels", maxExprDepth)
	}
	if p.isKeyword("not") {
		p.next()
		if t := p.peek(); t.kind != tokLParen {
			return nil, exprErrorf("expected '(' after 'not' at position %d, found %s", t.pos, describe(t))
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	if p.peek().kind == tokLParen {
		open := p.next()
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tokRParen {
			return nil, exprErrorf("missing ')' for '(' at position %d, found %s", open.pos, describe(t))
		}
		return x, nil
	}
	return p.parseCompare()
}

func (p *parser) parseCompare() (expr, error) {
	t := p.next()
	if t.kind != tokWord {
		return nil, exprErrorf("expected an attribute name at position %d, found %s", t.pos, describe(t))
	}
	if !validAttrPath(t.text) {
		return nil, exprErrorf("invalid attribute name '%s' at position %d", t.text, t.pos)
	}
	c := &compareExpr{attr: t.text}
	o := p.next()
	if o.kind != tokWord {
		return nil, exprErrorf("expected an operator after '%s' at position %d, found %s", c.attr, o.pos, describe(o))
	}
	c.op = strings.ToLower(o.text)
	if !knownOps[c.op] {
		return nil, exprErrorf("unknown operator '%s' at position %d", o.text, o.pos)
	}
	if c.op == "pr" {
		return c, nil
	}
	v := p.next()
	switch v.kind {
	case tokString:
		c.val = literal{kind: litString, s: v.text}
	case tokWord:
		switch lw := strings.ToLower(v.text); {
		case lw == "true" || lw == "false":
			c.val = literal{kind: litBool, b: lw == "true"}
		case lw == "null":
			c.val = literal{kind: litNull}
		default:
			n, err := strconv.ParseFloat(v.text, 64)
			if err != nil {
				return nil, exprErrorf("value '%s' at position %d must be a double-quoted string, a number, true, false or null", v.text, v.pos)
			}
			c.val = literal{kind: litNumber, n: n}
		}
	default:
		return nil, exprErrorf("expected a value after '%s %s' at position %d, found %s", c.attr, o.text, v.pos, describe(v))
	}
	return c, nil
}

// validAttrPath: dot-separated identifiers, e.g. "profile.firstName", "type.id".
func validAttrPath(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			if !(r == '_' || r == '$' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
				return false
			}
		}
	}
	return true
}

// ---- schema ----

type attrKind int

const (
	kindString attrKind = iota // free text, compared case-insensitively
	kindExact                  // ids and enums, compared exactly
	kindTime                   // timestamps, compared as instants
)

// exprSchema says which attributes and operators one parameter of one
// resource admits.
type exprSchema struct {
	param    string // "search" or "filter", for messages
	allowNot bool
	// attr reports the kind of an attribute, or false when it is not
	// searchable; the string explains why (may be empty).
	attr func(name string) (attrKind, string, bool)
	// op reports whether op is allowed on the attribute.
	op func(name string, kind attrKind, op string) bool
}

// check validates e against s and prepares it for eval.
func (s *exprSchema) check(e expr) error {
	switch e := e.(type) {
	case *logicalExpr:
		if err := s.check(e.left); err != nil {
			return err
		}
		return s.check(e.right)
	case *notExpr:
		if !s.allowNot {
			return exprErrorf("'not' is not supported in %s", s.param)
		}
		return s.check(e.x)
	case *compareExpr:
		kind, why, ok := s.attr(e.attr)
		if !ok {
			if why != "" {
				return exprErrorf("%s", why)
			}
			return exprErrorf("attribute '%s' is not supported in %s", e.attr, s.param)
		}
		if !s.op(e.attr, kind, e.op) {
			return exprErrorf("operator '%s' is not supported for attribute '%s' in %s", e.op, e.attr, s.param)
		}
		e.kind = kind
		if e.op == "pr" {
			return nil
		}
		switch kind {
		case kindTime:
			if e.val.kind != litString {
				return exprErrorf("value for '%s' must be a double-quoted timestamp such as \"2024-01-02T03:04:05.000Z\"", e.attr)
			}
			t, err := parseExprTime(e.val.s)
			if err != nil {
				return exprErrorf("invalid timestamp %q for '%s'", e.val.s, e.attr)
			}
			e.t = t
		case kindExact:
			if e.val.kind != litString {
				return exprErrorf("value for '%s' must be a double-quoted string", e.attr)
			}
		case kindString:
			if e.val.kind == litNull && e.op != "eq" && e.op != "ne" {
				return exprErrorf("null can only be compared with eq or ne")
			}
			if e.val.kind != litString && (e.op == "sw" || e.op == "ew" || e.op == "co") {
				return exprErrorf("operator '%s' needs a double-quoted string value", e.op)
			}
		}
		return nil
	}
	return exprErrorf("unsupported expression")
}

// parseExprTime accepts RFC 3339 timestamps with or without fractional
// seconds, and Okta's older "+0000" offset style.
func parseExprTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.000-0700", s)
}

// compileExpr parses and checks src; errors are E0000031 answers.
func compileExpr(src string, s *exprSchema) (expr, *apiError) {
	e, err := parseExpr(src)
	if err == nil {
		err = s.check(e)
	}
	if err != nil {
		return nil, errInvalidSearch(s.param + ": " + err.Error())
	}
	return e, nil
}

// ---- evaluation ----

// getter returns an attribute's value: string, time.Time, float64, bool, or
// nil when absent or null.
type getter func(attr string) any

func eval(e expr, get getter) bool {
	switch e := e.(type) {
	case *logicalExpr:
		if e.or {
			return eval(e.left, get) || eval(e.right, get)
		}
		return eval(e.left, get) && eval(e.right, get)
	case *notExpr:
		return !eval(e.x, get)
	case *compareExpr:
		return e.match(get(e.attr))
	}
	return false
}

func (c *compareExpr) match(v any) bool {
	if c.op == "pr" {
		switch v := v.(type) {
		case nil:
			return false
		case string:
			return v != ""
		}
		return true
	}
	if c.val.kind == litNull {
		isNull := v == nil
		if c.op == "ne" {
			return !isNull
		}
		return isNull
	}
	if v == nil {
		return c.op == "ne"
	}
	switch c.kind {
	case kindTime:
		t, ok := v.(time.Time)
		if !ok {
			return false
		}
		return ordered(c.op, t.Compare(c.t))
	case kindExact:
		s, ok := v.(string)
		if !ok {
			return false
		}
		return stringOp(c.op, s, c.val.s)
	}
	// kindString: profile and other free-text attributes.
	switch v := v.(type) {
	case string:
		if c.val.kind != litString {
			return c.op == "ne"
		}
		return stringOp(c.op, strings.ToLower(v), strings.ToLower(c.val.s))
	case float64:
		if c.val.kind != litNumber {
			return c.op == "ne"
		}
		return ordered(c.op, cmpFloat(v, c.val.n))
	case int:
		if c.val.kind != litNumber {
			return c.op == "ne"
		}
		return ordered(c.op, cmpFloat(float64(v), c.val.n))
	case bool:
		if c.val.kind != litBool {
			return c.op == "ne"
		}
		if c.op == "ne" {
			return v != c.val.b
		}
		return c.op == "eq" && v == c.val.b
	case []string:
		// Multi-valued attribute: "ne" holds when no element is equal,
		// every other operator when some element matches.
		if c.op == "ne" {
			for _, s := range v {
				if !c.match(s) {
					return false
				}
			}
			return true
		}
		for _, s := range v {
			if c.match(s) {
				return true
			}
		}
		return false
	}
	return false
}

func stringOp(op, v, want string) bool {
	switch op {
	case "sw":
		return strings.HasPrefix(v, want)
	case "ew":
		return strings.HasSuffix(v, want)
	case "co":
		return strings.Contains(v, want)
	}
	return ordered(op, strings.Compare(v, want))
}

// ordered applies eq/ne/gt/ge/lt/le to a comparison result.
func ordered(op string, cmp int) bool {
	switch op {
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	case "le":
		return cmp <= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// opSet is a small helper for schema operator tables.
func opSet(ops ...string) map[string]bool {
	m := make(map[string]bool, len(ops))
	for _, o := range ops {
		m[o] = true
	}
	return m
}

// timeOp reports whether op compares timestamps: eq, gt, ge, lt, le.
func timeOp(op string) bool {
	return op == "eq" || op == "gt" || op == "ge" || op == "lt" || op == "le"
}

// filterOp is the operator rule of the users and groups filter parameter:
// eq on every attribute, plus gt/ge/lt/le on timestamps.
func filterOp(_ string, k attrKind, op string) bool {
	if k == kindTime {
		return timeOp(op)
	}
	return op == "eq"
}

// attrTable is a schema's attr function for a fixed set of attributes.
func attrTable(kinds map[string]attrKind) func(string) (attrKind, string, bool) {
	return func(n string) (attrKind, string, bool) {
		k, ok := kinds[n]
		return k, "", ok
	}
}

// compileListExpr compiles the filter parameter when it is set, else the
// search parameter, each against its own schema.
func compileListExpr(search, filter string, searchSchema, filterSchema *exprSchema) (expr, *apiError) {
	if filter != "" {
		return compileExpr(filter, filterSchema)
	}
	return compileExpr(search, searchSchema)
}
