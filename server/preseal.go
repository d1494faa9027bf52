package server

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	segjson "github.com/segmentio/encoding/json"
)

// A tools/call result is encoded by the go-sdk three times over: the
// result's MarshalJSON compacts its structured content and escapes its text
// copy, the JSON-RPC layer compacts that, and the transport compacts the
// whole message again. For a 200-user page (178 KB) that is ~1.9 ms, more
// than the raw Okta call it answers (BENCHMARKS.md). The tool handler has
// already encoded and checked the structured content, so a large result is
// encoded here once instead, in the same bytes the go-sdk would write, and
// handed to the stdio transport through an Outbox; the go-sdk only sees a
// small ticket in its place.

// presealMin is the size of structured content from which a result is
// presealed: below it the go-sdk's encoding costs microseconds.
const presealMin = 4 << 10

// ticketKey is the only member of a ticket, {"okta-mcp/presealed":N}. No
// MCP result has a member of that name.
const ticketKey = `{"okta-mcp/presealed":`

// Outbox carries presealed tools/call results from the server's middleware
// to a StdioTransport. Give the same Outbox to Options and to the
// transport; results are presealed only once that transport is connected,
// so a session on any other transport gets the go-sdk's own encoding.
type Outbox struct {
	connected atomic.Bool
	mu        sync.Mutex
	next      uint64
	bodies    map[uint64][]byte
}

// put stores an encoded result and returns the ticket that stands for it.
func (o *Outbox) put(body []byte) []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bodies == nil {
		o.bodies = map[uint64][]byte{}
	}
	o.next++
	o.bodies[o.next] = body
	return append(strconv.AppendUint([]byte(ticketKey), o.next, 10), '}')
}

// take returns and forgets the result a ticket stands for; ok is false when
// raw is not a ticket of this outbox.
func (o *Outbox) take(raw json.RawMessage) (body []byte, ok bool) {
	rest, found := bytes.CutPrefix(raw, []byte(ticketKey))
	if !found || len(rest) < 2 || rest[len(rest)-1] != '}' {
		return nil, false
	}
	n, err := strconv.ParseUint(string(rest[:len(rest)-1]), 10, 64)
	if err != nil {
		return nil, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	body, ok = o.bodies[n]
	delete(o.bodies, n)
	return body, ok
}

// drop forgets every stored result (the connection is gone).
func (o *Outbox) drop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.bodies)
}

// presealed stands in for a tools/call result whose JSON is in the outbox.
// Embedding the result keeps it an mcp.Result for the go-sdk's middleware;
// only its encoding differs.
type presealed struct {
	*mcp.CallToolResult
	ticket []byte
}

func (p *presealed) MarshalJSON() ([]byte, error) { return p.ticket, nil }

// preseal is the receiving middleware that encodes large tool results
// once, for the outbox's transport.
func preseal(o *Outbox) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		if o == nil {
			return next
		}
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			res, err := next(ctx, method, req)
			if err != nil || method != "tools/call" || !o.connected.Load() {
				return res, err
			}
			r, ok := res.(*mcp.CallToolResult)
			if !ok || r == nil {
				return res, err
			}
			body, ok := appendToolResult(make([]byte, headroom), r)
			if !ok {
				return res, err
			}
			return &presealed{CallToolResult: r, ticket: o.put(body)}, nil
		}
	}
}

// appendToolResult appends a successful result with JSON structured
// content and one plain text content as the go-sdk would write it: the
// members in the same order, the text HTML-escaped as encoding/json escapes
// it, the structured content as it is (the tool encoder's output is
// compact, HTML-escaped, valid JSON). Any other result (errors, input
// requests, annotations, small results) is left to the go-sdk: ok is false.
func appendToolResult(dst []byte, r *mcp.CallToolResult) (b []byte, ok bool) {
	sc, isRaw := r.StructuredContent.(json.RawMessage)
	if !isRaw || len(sc) < presealMin || r.IsError || r.InputRequests != nil || r.RequestState != "" || len(r.Content) != 1 {
		return nil, false
	}
	tc, isText := r.Content[0].(*mcp.TextContent)
	if !isText || tc.Meta != nil || tc.Annotations != nil {
		return nil, false
	}
	b = slices.Grow(dst, len(sc)+len(tc.Text)+len(tc.Text)/8+256)
	b = append(b, '{')
	if len(r.Meta) > 0 {
		meta, err := json.Marshal(r.Meta)
		if err != nil {
			return nil, false
		}
		b = append(b, `"_meta":`...)
		b = append(append(b, meta...), ',')
	}
	b = append(b, `"content":[{"type":"text","text":`...)
	b, err := segjson.Append(b, tc.Text, segjson.EscapeHTML)
	if err != nil {
		return nil, false
	}
	b = append(b, `}],"structuredContent":`...)
	b = append(b, sc...)
	return append(b, '}'), true
}

// headroom is how many bytes before a presealed result are kept free for
// the start of its JSON-RPC line, {"jsonrpc":"2.0","id":ID,"result":, so
// the line is written without copying the result.
const headroom = 64
