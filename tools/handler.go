package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

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
