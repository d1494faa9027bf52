package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// authenticate accepts any request that carries an Authorization header, whatever the
// scheme the operation names (apiToken: "SSWS …", oauth2: "Bearer …" or "DPoP …").
// Whether the token is good is the sandbox's business, not the contract's.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get("Authorization")) == "" {
		return errors.New("no Authorization header")
	}
	return nil
}

func (v *Validator) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:          true,
		AuthenticationFunc:  authenticate,
		SkipSettingDefaults: true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.DisableSchemaErrorDetails(),
		},
	}
}

// route finds the operation of req. The router's only server is "/", so it matches the
// (escaped) path alone, whatever the scheme and host.
func (v *Validator) route(req *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		switch {
		case errors.Is(err, routers.ErrMethodNotAllowed):
			return nil, nil, fmt.Errorf("%s %s: openapi.yaml has this path but no %s operation on it", req.Method, req.URL.Path, req.Method)
		case errors.Is(err, routers.ErrPathNotFound):
			return nil, nil, fmt.Errorf("%s %s: no operation in openapi.yaml matches this path", req.Method, req.URL.Path)
		}
		return nil, nil, fmt.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return route, params, nil
}

// OperationID names the operation req is routed to, or "" when none matches.
func (v *Validator) OperationID(req *http.Request) string {
	route, _, err := v.route(req)
	if err != nil || route.Operation == nil {
		return ""
	}
	return route.Operation.OperationID
}

// ValidateRequest checks method, path, query parameters (values, and that each is
// declared for the operation), the Authorization header, and the JSON body of an
// outgoing request. body is the request body; req.Body is not read.
func (v *Validator) ValidateRequest(req *http.Request, body []byte) error {
	route, params, err := v.route(req)
	if err != nil {
		return &Error{Method: req.Method, Path: req.URL.Path, Problems: []string{err.Error()}}
	}
	in := v.requestInput(req, body, route, params)
	var problems []string
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		problems = describe(err, "")
	}
	problems = append(problems, undeclaredQuery(req, route)...)
	return v.result(req, route, "request", 0, problems)
}

func (v *Validator) requestInput(req *http.Request, body []byte, route *routers.Route, params map[string]string) *openapi3filter.RequestValidationInput {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
	return &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options:    v.options(),
	}
}

// undeclaredQuery reports query parameters the operation does not declare: Okta
// ignores them, so sending one is a bug in the client (or a name typo).
func undeclaredQuery(req *http.Request, route *routers.Route) []string {
	declared := map[string]bool{}
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	var out []string
	names := make([]string, 0, len(req.URL.Query()))
	for name := range req.URL.Query() {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !declared[name] {
			known := make([]string, 0, len(declared))
			for d := range declared {
				known = append(known, d)
			}
			slices.Sort(known)
			out = append(out, fmt.Sprintf("query parameter %q: not declared for this operation (declared: %s)", name, strings.Join(known, ", ")))
		}
	}
	return out
}

// ValidateResponse checks the status, Content-Type and JSON body of the response to req.
//
// A status the operation does not declare is not a violation in itself (Okta answers
// 401, 400, 429, 5xx where the document is silent), but its body, if any, must then be
// an Okta error: JSON matching the document's Error schema. A 204 must have no body.
// Empty bodies are admitted only where [Deviations] says so.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := v.route(req)
	if err != nil {
		return &Error{Method: req.Method, Path: req.URL.Path, Status: status, Problems: []string{err.Error()}}
	}
	if header == nil {
		header = http.Header{}
	}
	empty := len(bytes.TrimSpace(body)) == 0
	var problems []string
	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		ref = route.Operation.Responses.Default()
	}
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified:
		if !empty {
			problems = append(problems, fmt.Sprintf("status %d must not have a body (%d bytes sent)", status, len(body)))
		}
	case empty && emptyBodyAdmitted(status, header):
		// Admitted deviation (see Deviations).
	case empty && ref != nil && ref.Value != nil && len(ref.Value.Content) > 0:
		types := make([]string, 0, len(ref.Value.Content))
		for ct := range ref.Value.Content {
			types = append(types, ct)
		}
		slices.Sort(types)
		problems = append(problems, fmt.Sprintf("empty body, but openapi.yaml declares a %s body for status %d%s",
			strings.Join(types, " or "), status, admittedEmptyHint(status)))
	case ref == nil:
		problems = v.checkErrorBody(status, header, body)
	default:
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: v.requestInput(req, nil, route, params),
			Status:                 status,
			Header:                 header,
			Body:                   io.NopCloser(bytes.NewReader(body)),
			Options:                v.options(),
		}
		if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
			problems = describe(err, "")
		}
	}
	return v.result(req, route, "response", status, problems)
}

// checkErrorBody validates the body of a response whose status the operation does not
// declare: empty, or an Okta Error object.
func (v *Validator) checkErrorBody(status int, header http.Header, body []byte) []string {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	where := fmt.Sprintf("status %d is not declared for this operation, so its body must be an Okta Error", status)
	if p := checkJSONContentType(header); p != "" {
		return []string{where + ": " + p}
	}
	var value any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&value); err != nil {
		return []string{fmt.Sprintf("%s: body is not JSON: %v", where, err)}
	}
	err := v.errorSchema.Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails())
	if err == nil {
		return nil
	}
	var out []string
	for _, p := range describe(err, "body") {
		out = append(out, where+": "+p)
	}
	return out
}

func checkJSONContentType(header http.Header) string {
	ct := header.Get("Content-Type")
	if ct == "" {
		return "no Content-Type header"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("bad Content-Type %q: %v", ct, err)
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return fmt.Sprintf("Content-Type is %q, want application/json", ct)
	}
	return ""
}

func (v *Validator) result(req *http.Request, route *routers.Route, kind string, status int, problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &Error{
		Operation: route.Operation.OperationID,
		Method:    req.Method,
		Path:      req.URL.Path,
		Template:  route.Path,
		Kind:      kind,
		Status:    status,
		Problems:  problems,
	}
}

// Error is what ValidateRequest and ValidateResponse return: every problem found in
// one request or one response.
type Error struct {
	Operation string // operationId in openapi.yaml; "" when no operation matched
	Method    string
	Path      string // the request's path
	Template  string // the document's path template, e.g. /api/v1/users/{userId}
	Kind      string // "request" or "response"; "" when no operation matched
	Status    int    // the response status, for Kind "response"
	Problems  []string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Operation != "" {
		fmt.Fprintf(&b, "%s (%s %s)", e.Operation, e.Method, e.Template)
		if e.Kind == "response" {
			fmt.Fprintf(&b, " response %d", e.Status)
		} else if e.Kind != "" {
			b.WriteString(" " + e.Kind)
		}
		b.WriteString(": ")
	}
	b.WriteString(strings.Join(e.Problems, "; "))
	return b.String()
}

// describe flattens a kin-openapi validation error into one line per problem, each
// naming the field (parameter, header or JSON path in the body) and the reason.
func describe(err error, where string) []string {
	var (
		me     openapi3.MultiError
		reqErr *openapi3filter.RequestError
		resErr *openapi3filter.ResponseError
		secErr *openapi3filter.SecurityRequirementsError
		schErr *openapi3.SchemaError
		parErr *openapi3filter.ParseError
	)
	switch {
	case asDirect(err, &me):
		var out []string
		for _, e := range me {
			out = append(out, describe(e, where)...)
		}
		return dedupe(out)
	case asDirect(err, &reqErr):
		w := where
		switch {
		case reqErr.Parameter != nil:
			w = fmt.Sprintf("%s parameter %q", reqErr.Parameter.In, reqErr.Parameter.Name)
		case reqErr.RequestBody != nil:
			w = "body"
		}
		return describeWithReason(reqErr.Reason, reqErr.Err, w)
	case asDirect(err, &resErr):
		w := where
		switch {
		case strings.HasPrefix(resErr.Reason, "response header"):
			// About a header (Content-Type included): says so itself.
		case w == "":
			w = "body"
		}
		return describeWithReason(resErr.Reason, resErr.Err, w)
	case asDirect(err, &secErr):
		var reasons []string
		for _, e := range secErr.Errors {
			reasons = append(reasons, e.Error())
		}
		return []string{"authentication: " + strings.Join(dedupe(reasons), "; ")}
	case asDirect(err, &schErr):
		// allOf failed: every failing part is a problem of its own, with its full path.
		if schErr.SchemaField == "allOf" && schErr.Origin != nil {
			var inner openapi3.MultiError
			if errors.As(schErr.Origin, &inner) && len(inner) > 0 {
				return describe(inner, where)
			}
		}
		return []string{describeSchemaError(schErr, where)}
	case asDirect(err, &parErr):
		return []string{prefix(where, parErr.Error())}
	}
	return []string{prefix(where, err.Error())}
}

// describeWithReason describes inner (if any) under where, keeping reason as context
// when inner is not a schema error that already says what is wrong.
func describeWithReason(reason string, inner error, where string) []string {
	if inner == nil {
		return []string{prefix(where, reason)}
	}
	var schErr *openapi3.SchemaError
	var me openapi3.MultiError
	if errors.As(inner, &schErr) || errors.As(inner, &me) {
		return describe(inner, where)
	}
	if reason == "" {
		return []string{prefix(where, inner.Error())}
	}
	return []string{prefix(where, reason+": "+inner.Error())}
}

func describeSchemaError(e *openapi3.SchemaError, where string) string {
	field := where
	for _, k := range e.JSONPointer() {
		if _, err := strconv.Atoi(k); err == nil {
			field += "[" + k + "]"
		} else if field == "" {
			field = k
		} else {
			field += "." + k
		}
	}
	reason := e.Reason
	switch {
	case reason == "":
		reason = fmt.Sprintf("does not match %q", e.SchemaField)
	case e.SchemaField == "format":
		// Drop the regular expression kin-openapi appends.
		reason, _, _ = strings.Cut(reason, " (")
	case e.SchemaField == "enum" && e.Value == nil:
		reason = "Value is not nullable, and " + reason
	case e.SchemaField == "enum" && e.Schema != nil && e.Schema.Type != nil && !e.Schema.Type.Permits(jsonType(e.Value)):
		reason = fmt.Sprintf("value must be a %s, and %s", strings.Join(e.Schema.Type.Slice(), " or "), reason)
	}
	if e.Origin != nil && e.SchemaField != "format" && !strings.Contains(reason, e.Origin.Error()) {
		reason += ": " + e.Origin.Error()
	}
	if s := scalar(e.Value); s != "" {
		reason += " (got " + s + ")"
	} else if e.Value == nil && (e.SchemaField == "nullable" || e.SchemaField == "enum") {
		reason += " (got null)"
	}
	if field == "" {
		return reason
	}
	return field + ": " + reason
}

// jsonType is the JSON Schema type name of a decoded JSON value.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return openapi3.TypeNull
	case bool:
		return openapi3.TypeBoolean
	case string:
		return openapi3.TypeString
	case []any:
		return openapi3.TypeArray
	case map[string]any:
		return openapi3.TypeObject
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return openapi3.TypeInteger
		}
		return openapi3.TypeNumber
	case float64:
		if x == float64(int64(x)) {
			return openapi3.TypeInteger
		}
		return openapi3.TypeNumber
	}
	return ""
}

// scalar renders a short scalar value for an error message, or "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 60 {
			x = x[:57] + "..."
		}
		return strconv.Quote(x)
	case bool, float64, json.Number, int, int64:
		return fmt.Sprint(x)
	}
	return ""
}

func prefix(where, msg string) string {
	if where == "" {
		return msg
	}
	return where + ": " + msg
}

// asDirect is errors.As restricted to err itself (no unwrapping), so that wrapped
// errors are described by their outermost kin-openapi type.
func asDirect[T error](err error, target *T) bool {
	t, ok := err.(T)
	if ok {
		*target = t
	}
	return ok
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
