package tools

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/audit"
	"github.com/okta-mcp/okta-mcp/confirm"
	"github.com/okta-mcp/okta-mcp/okta"
)

// Safety is the write policy the admin chose.
type Safety struct {
	// NoConfirm is --confirm never: writes are sent without asking.
	NoConfirm bool
	// Sealer seals the confirmation state that travels through the client.
	Sealer *confirm.Sealer
	// Audit records every write attempt; nil records nothing.
	Audit *audit.Log
}

// DryRunOption is embedded in the arguments of every write and custom tool.
type DryRunOption struct {
	DryRun bool `json:"dry_run,omitempty" jsonschema:"Preview; send nothing."`
}

func (d DryRunOption) dryRun() bool { return d.DryRun }

type dryRunner interface{ dryRun() bool }

// writePlan is what a write tool will do, worked out before asking anyone.
type writePlan struct {
	Writes []*okta.Write   // sent in order; the first failure stops the rest
	Target json.RawMessage // the target's current state, compact; nil for a create
	Prompt string          // plain words for the human: what happens to whom
	// Result projects Okta's answer for the tool result; nil means none.
	Result func(body []byte) (json.RawMessage, error)
}

// planner validates arguments, reads the target and plans the write. It
// must not change anything.
type planner[In any] func(ctx context.Context, c *okta.Client, in In) (*writePlan, error)

// Write outcomes.
const (
	OutcomeDone      = "done"
	OutcomeDryRun    = "dry_run"
	OutcomeDeclined  = "declined"
	OutcomeCancelled = "cancelled"
)

// writeResult is the result of every write tool.
type writeResult struct {
	Outcome  string          `json:"outcome"`
	Message  string          `json:"message"`
	Requests []*okta.Write   `json:"requests"`
	Target   json.RawMessage `json:"target,omitempty"`
	Result   json.RawMessage `json:"result,omitempty"`
	Rated
}

var writeResultSchema = object("", map[string]*jsonschema.Schema{
	"outcome": {Type: "string", Enum: []any{OutcomeDone, OutcomeDryRun, OutcomeDeclined, OutcomeCancelled}, Description: "done: sent and accepted by Okta; dry_run: nothing sent; declined/cancelled: the human said no, nothing sent"},
	"message": str("what happened, in words"),
	"requests": {Type: "array", Description: "the exact requests, in order (sent, or that would be sent)", Items: object("", map[string]*jsonschema.Schema{
		"method": str(""), "path": str(""), "query": {Type: "object"}, "body": loose("JSON body"),
	}, "method", "path")},
	"target":     loose("the target's state before the write (compact)"),
	"result":     loose("Okta's answer (compact), when it has one"),
	"rate_limit": rateLimitSchema,
}, "outcome", "message", "requests")

// defineWrite builds a write or custom tool: dry run, confirmation, audit
// and sending are the same for every one of them.
func defineWrite[In dryRunner](def *mcp.Tool, class Class, tags []string, plan planner[In]) Tool {
	def.OutputSchema = writeResultSchema
	return defineRaw(def, class, tags, func(ctx context.Context, cl call, in In) (*mcp.CallToolResult, writeResult, error) {
		return runWrite(ctx, cl, def.Name, in, plan)
	})
}

// confirmState is sealed into the request state while the human decides.
type confirmState struct {
	Tool string `json:"tool"`
	Args string `json:"args"` // digest of the arguments
	Plan string `json:"plan"` // digest of the planned requests and the target's state
}

func digest(v ...any) string {
	h := sha256.New()
	for _, x := range v {
		b, _ := json.Marshal(x)
		h.Write(b)
		h.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

const confirmKey = "confirm"

// runWrite plans the write, then returns the dry run, asks the human (or
// reads their answer), or sends it; every attempt is audited once.
func runWrite[In dryRunner](ctx context.Context, cl call, tool string, in In, plan planner[In]) (*mcp.CallToolResult, writeResult, error) {
	req, c, safety := cl.req, cl.okta, cl.safety
	var args map[string]any
	_ = json.Unmarshal(req.Params.Arguments, &args)
	entry := audit.Entry{Tool: tool, Arguments: args}
	// record audits the attempt; an audit failure is reported with the
	// outcome, never hidden.
	record := func(confirmation string, status int, reqID string, err error) error {
		entry.Confirmation, entry.Status, entry.RequestID, entry.Time = confirmation, status, reqID, time.Now().UTC()
		if err != nil {
			entry.Error = err.Error()
		}
		if aerr := safety.Audit.Record(ctx, entry); aerr != nil {
			return &Error{Err: &okta.Error{Code: "audit_failed", Causes: []string{aerr.Error()},
				Summary: fmt.Sprintf("The attempt (outcome: %s, Okta status %d) could not be written to the audit log.", orNone(confirmation), status),
				Hint:    "Tell the admin: the audit log is not being written."}}
		}
		return err
	}

	p, err := plan(ctx, c, in)
	if err != nil {
		return nil, writeResult{}, record("", errStatus(err), errRequestID(err), err)
	}
	p.Prompt = humanText(p.Prompt)
	last := p.Writes[len(p.Writes)-1]
	entry.Method, entry.Path = last.Method, last.Path
	if in.dryRun() {
		if err := record(audit.DryRun, 0, "", nil); err != nil {
			return nil, writeResult{}, err
		}
		return nil, writeResult{Outcome: OutcomeDryRun, Message: "Dry run: nothing was sent. " + p.Prompt, Requests: p.Writes, Target: p.Target}, nil
	}

	confirmation := audit.NotAsked
	if !safety.NoConfirm {
		state := confirmState{Tool: tool, Args: digest(args), Plan: digest(p.Writes, p.Target)}
		if req.Params.InputResponses == nil {
			if caps := req.ClientCapabilities(); caps == nil || caps.Elicitation == nil || safety.Sealer == nil {
				err := &Error{Err: &okta.Error{Code: "confirmation_unavailable", Causes: []string{},
					Summary: "This write needs a human's confirmation, but the MCP client cannot ask (it does not support elicitation). Nothing was sent.",
					Hint:    "Use a client that supports elicitation, or the admin can start okta-mcp with --confirm never for unattended use."}}
				return nil, writeResult{}, record(audit.Unsupported, 0, "", err)
			}
			sealed, err := safety.Sealer.Seal(state)
			if err != nil {
				return nil, writeResult{}, err
			}
			return &mcp.CallToolResult{
				InputRequests: mcp.InputRequestMap{confirmKey: &mcp.ElicitParams{
					Message:         p.Prompt,
					RequestedSchema: &jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{}},
				}},
				RequestState: sealed,
			}, writeResult{}, nil
		}
		var got confirmState
		if safety.Sealer == nil {
			return nil, writeResult{}, refusal(record, errors.New("no confirmation was requested by this server"))
		}
		if err := safety.Sealer.Open(req.Params.RequestState, &got); err != nil {
			return nil, writeResult{}, refusal(record, err)
		}
		if got.Tool != state.Tool || got.Args != state.Args {
			return nil, writeResult{}, refusal(record, errors.New("the confirmation was given for a different tool call"))
		}
		if got.Plan != state.Plan {
			return nil, writeResult{}, refusal(record, errors.New("the target changed since the human was asked; call the tool again to ask about its current state"))
		}
		er, _ := req.Params.InputResponses[confirmKey].(*mcp.ElicitResult)
		action := ""
		if er != nil {
			action = er.Action
		}
		switch action {
		case "accept":
			confirmation = audit.Accepted
		case "decline":
			if err := record(audit.Declined, 0, "", nil); err != nil {
				return nil, writeResult{}, err
			}
			return nil, writeResult{Outcome: OutcomeDeclined, Message: "The human declined. Nothing was sent to Okta.", Requests: p.Writes, Target: p.Target}, nil
		default:
			if err := record(audit.Cancelled, 0, "", nil); err != nil {
				return nil, writeResult{}, err
			}
			return nil, writeResult{Outcome: OutcomeCancelled, Message: "The human dismissed the confirmation. Nothing was sent to Okta.", Requests: p.Writes, Target: p.Target}, nil
		}
	}

	var resp *okta.Response
	for i, w := range p.Writes {
		entry.Method, entry.Path = w.Method, w.Path
		if resp, err = c.Send(ctx, w); err != nil {
			if oe := (*okta.Error)(nil); i > 0 && errors.As(err, &oe) {
				// Be honest about the part that did happen.
				for _, done := range p.Writes[:i] {
					oe.Causes = append(oe.Causes, fmt.Sprintf("already done before this failure: %s %s", done.Method, done.Path))
				}
			}
			return nil, writeResult{}, record(confirmation, errStatus(err), errRequestID(err), err)
		}
	}
	if err := record(confirmation, resp.Status, resp.RequestID, nil); err != nil {
		return nil, writeResult{}, err
	}
	out := writeResult{Outcome: OutcomeDone, Message: "Done. " + p.Prompt, Requests: p.Writes, Target: p.Target, Rated: Rated{resp.Rate}}
	if p.Result != nil && len(resp.Body) > 0 {
		if out.Result, err = p.Result(resp.Body); err != nil {
			return nil, writeResult{}, err
		}
	}
	return nil, out, nil
}

// refusal audits and returns a refused confirmation.
func refusal(record func(string, int, string, error) error, cause error) error {
	return record(audit.Refused, 0, "", &Error{Err: &okta.Error{Code: "confirmation_invalid", Causes: []string{cause.Error()},
		Summary: "The confirmation could not be verified, so nothing was sent.",
		Hint:    "Call the tool again so the human is asked afresh."}})
}

func orNone(s string) string {
	if s == "" {
		return "failed before sending"
	}
	return s
}

func errStatus(err error) int {
	var oe *okta.Error
	if errors.As(err, &oe) {
		return oe.Status
	}
	return 0
}

func errRequestID(err error) string {
	var oe *okta.Error
	if errors.As(err, &oe) {
		return oe.RequestID
	}
	return ""
}
