package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	segjson "github.com/segmentio/encoding/json"

	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/ratelimit"
)

// handler is a read tool's logic: validated arguments in, a result or an error out.
type handler[In, Out any] func(ctx context.Context, c *okta.Client, in In) (Out, error)

// call is what a handler has at hand besides its arguments.
type call struct {
	req    *mcp.CallToolRequest // write tools need its input responses and request state
	okta   *okta.Client
	safety Safety
}

// rawHandler is a tool's logic with the whole call at hand. A non-nil
// result is returned as is (for input requests).
type rawHandler[In, Out any] func(ctx context.Context, cl call, in In) (*mcp.CallToolResult, Out, error)

// plain adapts a read handler.
func plain[In, Out any](h handler[In, Out]) rawHandler[In, Out] {
	return func(ctx context.Context, cl call, in In) (*mcp.CallToolResult, Out, error) {
		out, err := h(ctx, cl.okta, in)
		return nil, out, err
	}
}

// Error is a failed tool call. Its text (Error) is the JSON object
// {"error": {...}} of SPEC §6, which MCP clients show the model as the
// result's text content with isError set.
type Error struct {
	Err *okta.Error
}

func (e *Error) Error() string {
	b, err := json.Marshal(struct {
		Error *okta.Error `json:"error"`
	}{e.Err})
	if err != nil {
		return `{"error":{"status":0,"code":"internal","summary":"unencodable error"}}`
	}
	return string(b)
}

// CodeInvalidArgument marks an argument the model can correct.
const CodeInvalidArgument = "invalid_argument"

// argError is an argument error: what was wrong and what is valid.
func argError(format string, a ...any) error {
	return &Error{Err: &okta.Error{Code: CodeInvalidArgument, Summary: fmt.Sprintf(format, a...), Causes: []string{},
		Hint: "Correct the argument and call the tool again; nothing was sent to Okta."}}
}

// toolError turns any handler error into an *Error.
func toolError(err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var oe *okta.Error
	if errors.As(err, &oe) {
		return &Error{Err: oe}
	}
	return &Error{Err: &okta.Error{Code: "internal", Summary: err.Error(), Causes: []string{}}}
}

// rated is implemented by results that carry a rate-limit block.
type rated interface{ rate() *okta.RateLimit }

// Rated is embedded in every result of a tool that calls Okta.
type Rated struct {
	RateLimit *okta.RateLimit `json:"rate_limit,omitempty"`
}

func (r Rated) rate() *okta.RateLimit { return r.RateLimit }

// RateMeta is the rate-limit block as result _meta keys.
func RateMeta(r *okta.RateLimit) mcp.Meta {
	if r == nil {
		return nil
	}
	return mcp.Meta{"ratelimit-limit": r.Limit, "ratelimit-remaining": r.Remaining, "ratelimit-reset": r.Reset}
}

// wrap adapts a handler to the SDK: it gets the Okta client, reports
// rate-limit waits as progress, maps errors to §6 error results and puts the
// rate-limit block into _meta.
func wrap[In, Out any](d Deps, h rawHandler[In, Out]) mcp.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		var zero Out
		c, err := d.Okta()
		if err != nil {
			return nil, zero, &Error{Err: &okta.Error{Code: "not_configured", Summary: err.Error(), Causes: []string{}}}
		}
		if tok := req.Params.GetProgressToken(); tok != nil && req.Session != nil {
			ctx = ratelimit.WithObserver(ctx, progressReporter(ctx, req.Session, tok))
		}
		res, out, err := h(ctx, call{req: req, okta: c, safety: d.Safety}, in)
		if err != nil {
			return nil, zero, toolError(err)
		}
		if res != nil {
			return res, out, nil
		}
		res = &mcp.CallToolResult{}
		if r, ok := any(out).(rated); ok {
			res.Meta = RateMeta(r.rate())
		}
		return res, out, nil
	}
}

// progressReporter sends one MCP progress notification before each
// rate-limit wait.
func progressReporter(ctx context.Context, ss *mcp.ServerSession, tok any) func(ratelimit.Wait) {
	n := 0
	return func(w ratelimit.Wait) {
		n++
		_ = ss.NotifyProgress(ctx, &mcp.ProgressNotificationParams{
			ProgressToken: tok,
			Progress:      float64(n),
			Message:       fmt.Sprintf("%s: waiting %s before attempt %d (%s)", w.Reason, w.Delay.Round(100_000_000), w.Attempt+1, w.Bucket),
		})
	}
}

// CheckOutputs makes every tool check its result against its output schema
// before returning it, as the SDK's typed AddTool does on every call. That
// check decodes the whole result again, which costs more than the rest of
// a large list call, so the server skips it; tests turn it on (the
// default in a test binary), so every result a test produces is checked.
var CheckOutputs = testing.Testing()

// sdkHandler adapts a tool to the SDK's raw AddTool, whose definition is
// pub. The handler does what the SDK's typed AddTool does: it validates
// the arguments against the input schema (resolved at the first call) and
// decodes them into In; it returns Out as the structured content and the
// same JSON as the text content; an error becomes an isError result.
// Unlike the SDK it encodes the result once, and checks it against the
// output schema only when CheckOutputs is set. (Out is a struct for every
// tool, so the SDK's special case of a nil pointer result cannot arise.)
func sdkHandler[In, Out any](pub *publication, h mcp.ToolHandlerFor[In, Out]) mcp.ToolHandler {
	def := pub.get()
	in, out := pub.in, pub.out
	var (
		once                   sync.Once
		inResolved, outResolve *jsonschema.Resolved
		resolveErr             error
		lastSize               atomic.Int64 // bytes of the last result
	)
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		once.Do(func() {
			if inResolved, resolveErr = resolve(in); resolveErr == nil && CheckOutputs {
				outResolve, resolveErr = resolve(out)
			}
		})
		if resolveErr != nil {
			return nil, fmt.Errorf("tool %s: schema: %w", def.Name, resolveErr)
		}
		args, err := checkArguments(req.Params.Arguments, inResolved)
		if err != nil {
			res := &mcp.CallToolResult{}
			res.SetError(fmt.Errorf("validating \"arguments\": %v", err))
			return res, nil
		}
		var input In
		if args != nil {
			if err := decodeArguments(args, &input); err != nil {
				res := &mcp.CallToolResult{}
				res.SetError(err)
				return res, nil
			}
		}
		res, output, err := h(ctx, req, input)
		if err != nil {
			if wireErr, ok := err.(*jsonrpc.Error); ok {
				return nil, wireErr
			}
			res := &mcp.CallToolResult{}
			res.SetError(err)
			return res, nil
		}
		if res == nil {
			res = &mcp.CallToolResult{}
		}
		if res.InputRequests != nil {
			return res, nil // content and input requests are exclusive on the wire
		}
		// segmentio's encoder writes what encoding/json's Marshal would
		// (RawMessage values checked, compacted, HTML-escaped) in half the
		// time, here into a buffer the size of this tool's last result.
		// Projected list items were validated when they were projected:
		// they are copied as they are unless one spans lines.
		flags := segjson.EscapeHTML | segjson.SortMapKeys
		if p, ok := any(output).(projectedList); ok && singleLine(p.projected()) {
			flags = segjson.TrustRawMessage | segjson.SortMapKeys
		}
		b, err := segjson.Append(make([]byte, 0, lastSize.Load()+lastSize.Load()/8+512), output, flags)
		if err != nil {
			return nil, fmt.Errorf("marshaling output: %w", err)
		}
		lastSize.Store(int64(len(b)))
		if outResolve != nil {
			if err := checkOutput(b, outResolve); err != nil {
				return nil, fmt.Errorf("validating tool output: %w", err)
			}
		}
		// The text content is the same JSON: it shares b's memory (nothing
		// writes to b from here on) instead of copying a result that can
		// be megabytes.
		text := unsafe.String(unsafe.SliceData(b), len(b))
		res.StructuredContent = json.RawMessage(b)
		if res.Content == nil {
			res.Content = []mcp.Content{&mcp.TextContent{Text: text}}
		} else if len(b) == 0 || b[0] != '{' {
			res.Content = append(res.Content, &mcp.TextContent{Text: text})
		}
		return res, nil
	}
}

// projectedList is a list result whose items are all the projector's
// output (or another validating decoder's): valid JSON, checked once.
type projectedList interface{ projected() []json.RawMessage }

func (r listResult) projected() []json.RawMessage     { return r.Items }
func (r logsListResult) projected() []json.RawMessage { return r.Items }

// singleLine reports whether no item holds a line break, which would end
// the stdio transport's line (JSON strings cannot hold one unescaped, so a
// line break is whitespace between tokens, which encoding compacts away).
func singleLine(items []json.RawMessage) bool {
	for _, it := range items {
		if bytes.IndexByte(it, '\n') >= 0 || bytes.IndexByte(it, '\r') >= 0 {
			return false
		}
	}
	return true
}

// maxArgumentDepth is the SDK's nesting limit for decoding arguments.
const maxArgumentDepth = 1000

// checkArguments validates raw arguments as the SDK does: decoded into a
// map (absent arguments are {}), schema defaults applied, validated, and
// encoded again.
func checkArguments(raw json.RawMessage, schema *jsonschema.Resolved) (json.RawMessage, error) {
	v := make(map[string]any)
	if len(raw) > 0 {
		if err := decodeArguments(raw, &v); err != nil {
			return nil, fmt.Errorf("unmarshaling arguments: %w", err)
		}
	}
	var args any = v
	if err := schema.ApplyDefaults(&args); err != nil {
		return nil, fmt.Errorf("applying schema defaults:\n%w", err)
	}
	if err := schema.Validate(&args); err != nil {
		return nil, err
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("marshalling with defaults: %v", err)
	}
	return b, nil
}

// decodeArguments decodes JSON as the SDK decodes arguments: with
// segmentio's decoder, field names matched exactly, nesting bounded.
func decodeArguments(data []byte, v any) error {
	if depth, deepest := 0, 0; len(data) > 0 {
		inString, escaped := false, false
		for _, c := range data {
			switch {
			case inString && escaped:
				escaped = false
			case inString && c == '\\':
				escaped = true
			case inString && c == '"':
				inString = false
			case inString:
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
				deepest = max(deepest, depth)
			case c == '}' || c == ']':
				depth--
			}
		}
		if deepest > maxArgumentDepth {
			return fmt.Errorf("json: exceeded maximum nesting depth of %d", maxArgumentDepth)
		}
	}
	dec := segjson.NewDecoder(bytes.NewReader(data))
	dec.DontMatchCaseInsensitiveStructFields()
	return dec.Decode(v)
}

// checkOutput checks an encoded result against the output schema, as the
// SDK's typed AddTool does.
func checkOutput(b []byte, schema *jsonschema.Resolved) error {
	var v any
	if err := decodeArguments(b, &v); err != nil {
		return fmt.Errorf("unmarshaling output: %w", err)
	}
	if _, ok := v.(map[string]any); ok {
		if err := schema.ApplyDefaults(&v); err != nil {
			return fmt.Errorf("applying schema defaults:\n%w", err)
		}
	}
	return schema.Validate(&v)
}
