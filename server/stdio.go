package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// MaxLineLength bounds one inbound JSON-RPC line.
const MaxLineLength = 16 << 20

// StdioTransport serves MCP over newline-delimited JSON on a reader and a
// writer, like the SDK's stdio transport, but a line that is not a JSON-RPC
// message gets a JSON-RPC error answer and the session goes on: the SDK's own
// transport ends the session on the first bad line.
type StdioTransport struct {
	In  io.Reader
	Out io.Writer
	// Outbox, when it is also the server's Options.Outbox, lets the
	// transport write large tool results that the server encoded once.
	Outbox *Outbox
}

// Connect implements mcp.Transport. When ctx ends (SIGTERM, SIGINT,
// --expires-at), the session sees the end of its input, as if stdin had
// closed: the SDK then cancels the calls in flight, which abort their Okta
// requests and write their audit records, and the session ends when they
// have returned. (Server.Run on its own only stops accepting calls and waits
// for the running ones, however long their Okta requests take.)
func (t *StdioTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	out := &lockedWriter{w: t.Out}
	pr, pw := io.Pipe()
	context.AfterFunc(ctx, func() { pw.CloseWithError(io.EOF) })
	calls := new(calls)
	go filterLines(t.In, pw, out, calls)
	conn, err := (&mcp.IOTransport{Reader: pr, Writer: out, MaxLineLength: MaxLineLength + 1}).Connect(ctx)
	if err != nil {
		return nil, err
	}
	if t.Outbox != nil {
		t.Outbox.connected.Store(true)
	}
	return &stdioConn{Connection: conn, outbox: t.Outbox, out: out, calls: calls}, nil
}

// calls is what the line filter saw of the client's requests: whether a
// batch came in (responses may then be batched), and which calls are in
// flight and which of those the client cancelled.
type calls struct {
	batches  atomic.Bool
	mu       sync.Mutex
	inFlight map[jsonrpc.ID]bool // true: cancelled
}

// saw records an incoming message.
func (c *calls) saw(msg jsonrpc.Message) {
	req, ok := msg.(*jsonrpc.Request)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight == nil {
		c.inFlight = map[jsonrpc.ID]bool{}
	}
	if req.IsCall() {
		c.inFlight[req.ID] = false
		return
	}
	if req.Method != "notifications/cancelled" {
		return
	}
	var p struct {
		RequestID any `json:"requestId"`
	}
	if json.Unmarshal(req.Params, &p) != nil {
		return
	}
	if id, err := jsonrpc.MakeID(p.RequestID); err == nil {
		if _, ok := c.inFlight[id]; ok {
			c.inFlight[id] = true
		}
	}
}

// answered forgets a call and reports whether the client cancelled it: MCP
// says a cancelled request SHOULD NOT be answered.
func (c *calls) answered(id jsonrpc.ID) (cancelled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cancelled = c.inFlight[id]
	delete(c.inFlight, id)
	return cancelled
}

// lockedWriter serialises whole-message writes from the session and from
// the line filter.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return nil }

// filterLines copies well-formed lines from in to pw and answers the others
// on out. It closes pw when in ends. It records each message in c before
// passing it on.
func filterLines(in io.Reader, pw *io.PipeWriter, out io.Writer, c *calls) {
	r := bufio.NewReaderSize(in, 64<<10)
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > MaxLineLength {
				tooLong, line = true, line[:0]
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		var werr error
		if tooLong {
			werr = answer(out, nil, jsonrpc.CodeInvalidRequest, "request too large: a message may be at most 16 MiB")
		} else {
			werr = forward(line, pw, out, c)
		}
		if werr != nil {
			pw.CloseWithError(werr)
			return
		}
		line, tooLong = line[:0], false
		if err != nil {
			pw.Close()
			return
		}
	}
}

// forward passes one line on, or answers it with a JSON-RPC error.
func forward(line []byte, pw io.Writer, out io.Writer, c *calls) error {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return nil
	}
	if !json.Valid(trimmed) {
		return answer(out, nil, jsonrpc.CodeParseError, "parse error: the line is not valid JSON")
	}
	if trimmed[0] == '{' {
		msg, err := jsonrpc.DecodeMessage(trimmed)
		if err != nil {
			return answer(out, idOf(trimmed), jsonrpc.CodeInvalidRequest, "invalid request: not a JSON-RPC 2.0 message")
		}
		c.saw(msg)
	} else if trimmed[0] != '[' {
		return answer(out, nil, jsonrpc.CodeInvalidRequest, "invalid request: a message must be a JSON object")
	} else {
		c.batches.Store(true)
	}
	_, err := pw.Write(append(trimmed, '\n'))
	return err
}

// idOf extracts a usable id from a malformed request, or nil.
func idOf(b []byte) any {
	var m struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	switch m.ID.(type) {
	case string, float64:
		return m.ID
	}
	return nil
}

func answer(out io.Writer, id any, code int64, msg string) error {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "error": map[string]any{"code": code, "message": msg}})
	_, err := out.Write(append(b, '\n'))
	return err
}

// stdioConn is the go-sdk's connection with two changes to what it
// writes: it drops the answer to a call the client cancelled, and writes
// presealed results itself.
type stdioConn struct {
	mcp.Connection
	outbox *Outbox // nil: nothing is presealed
	out    *lockedWriter
	calls  *calls
}

func (c *stdioConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	resp, ok := msg.(*jsonrpc.Response)
	if !ok {
		return c.Connection.Write(ctx, msg)
	}
	var body []byte
	if c.outbox != nil && resp.Error == nil {
		body, _ = c.outbox.take(resp.Result)
	}
	if c.calls.answered(resp.ID) {
		return nil
	}
	if body == nil {
		return c.Connection.Write(ctx, msg)
	}
	if c.calls.batches.Load() {
		// The go-sdk collects a batch's responses: let it, with the
		// result in place of its ticket.
		copied := *resp
		copied.Result = body[headroom:]
		return c.Connection.Write(ctx, &copied)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	id, err := json.Marshal(resp.ID.Raw())
	if err != nil {
		return err
	}
	head := append(append([]byte(`{"jsonrpc":"2.0","id":`), id...), `,"result":`...)
	var line []byte
	if len(head) <= headroom {
		line = body[headroom-len(head):]
		copy(line, head)
	} else {
		line = append(head, body[headroom:]...)
	}
	_, err = c.out.Write(append(line, "}\n"...))
	return err
}

func (c *stdioConn) Close() error {
	if c.outbox != nil {
		c.outbox.drop()
	}
	return c.Connection.Close()
}
