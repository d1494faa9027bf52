package contract

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Violation is one request or one response that does not match openapi.yaml.
type Violation struct {
	Method string
	Path   string
	Status int    // the response status; 0 for a request violation
	Kind   string // "request" or "response"
	Err    string // operation id, field and reason for every problem found
}

func (v Violation) String() string {
	if v.Kind == "response" {
		return fmt.Sprintf("%s %s → %d: %s", v.Method, v.Path, v.Status, v.Err)
	}
	return fmt.Sprintf("%s %s: %s", v.Method, v.Path, v.Err)
}

// Option configures a Recorder.
type Option func(*Recorder)

// SkipPathPrefix leaves requests whose path starts with one of prefixes unchecked (and
// uncounted): for endpoints outside the management API document, such as the OAuth
// authorization server's /oauth2/v1/token.
func SkipPathPrefix(prefixes ...string) Option {
	return func(r *Recorder) { r.skip = append(r.skip, prefixes...) }
}

// Recorder is an http.Handler that passes every exchange to the handler it wraps,
// validates the request and the response against openapi.yaml, and records violations.
// Safe for concurrent use.
type Recorder struct {
	v    *Validator
	next http.Handler
	skip []string

	mu            sync.Mutex
	violations    []Violation
	checked       int
	inFlight      int
	keepExchanges bool // RecordExchanges was called
	exchanges     []Exchange
}

// Exchange is one checked request and the operation it matched, so a test can see
// which operations a client used (and what came back).
type Exchange struct {
	Method string
	Path   string // the request's path
	// Operation is "METHOD /path/template" as openapi.yaml spells it (see
	// [Validator.Operation]); "" when no operation matched.
	Operation string
	Status    int         // the response status; 0 when the handler panicked or hijacked the connection
	Header    http.Header // the response header as sent; nil with Status 0
}

// settleTimeout bounds how long the accessors wait for exchanges in flight.
const settleTimeout = 2 * time.Second

// settle locks r.mu once no exchange is in flight, or after settleTimeout. A client
// can see the end of a response (or of a dropped connection) before the handler that
// produced it has returned and been recorded; waiting here makes an assertion made
// right after the last request see that request.
func (r *Recorder) settle() {
	deadline := time.Now().Add(settleTimeout)
	r.mu.Lock()
	for r.inFlight > 0 && time.Now().Before(deadline) {
		r.mu.Unlock()
		time.Sleep(time.Millisecond)
		r.mu.Lock()
	}
}

// Middleware wraps next (the sandbox, typically) in a Recorder.
func (v *Validator) Middleware(next http.Handler, opts ...Option) *Recorder {
	r := &Recorder{v: v, next: next}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Violations returns what was recorded so far, in the order the exchanges ended. It
// first waits (up to 2s) for exchanges still in flight.
func (r *Recorder) Violations() []Violation {
	r.settle()
	defer r.mu.Unlock()
	return append([]Violation(nil), r.violations...)
}

// Checked is how many exchanges were validated (request and response), so a test can
// assert that the contract was exercised at all. It first waits (up to 2s) for
// exchanges still in flight.
func (r *Recorder) Checked() int {
	r.settle()
	defer r.mu.Unlock()
	return r.checked
}

// Err joins all violations into one error, or returns nil.
func (r *Recorder) Err() error {
	vs := r.Violations()
	if len(vs) == 0 {
		return nil
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return fmt.Errorf("%d contract violation(s):\n%s", len(vs), strings.Join(lines, "\n"))
}

// RecordExchanges makes r keep every exchange checked from now on, for
// [Recorder.Exchanges]. Off by default: a long test (or a fuzzer) would pile them up.
func (r *Recorder) RecordExchanges() {
	r.mu.Lock()
	r.keepExchanges = true
	r.mu.Unlock()
}

// Exchanges returns the exchanges checked since RecordExchanges (or the last Reset),
// in the order they ended. It first waits (up to 2s) for exchanges still in flight.
func (r *Recorder) Exchanges() []Exchange {
	r.settle()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}

// Reset forgets the violations, the count and the exchanges (after waiting, as
// Violations does).
func (r *Recorder) Reset() {
	r.settle()
	defer r.mu.Unlock()
	r.violations, r.checked, r.exchanges = nil, 0, nil
}

func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.skipped(req) {
		r.next.ServeHTTP(w, req)
		return
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			r.record(Violation{Method: req.Method, Path: req.URL.Path, Kind: "request", Err: "reading the request body: " + err.Error()})
			http.Error(w, "contract: reading the request body failed", http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.inFlight++
	r.mu.Unlock()

	// Validate on a copy: the handler may read and change the original.
	orig := req.Clone(req.Context())
	reqErr := r.v.ValidateRequest(orig, body)

	cw := &captureWriter{ResponseWriter: w}
	defer func() {
		// A handler may panic (http.ErrAbortHandler is how a server drops a
		// connection): the request is still recorded, there is no response to check.
		p := recover()
		var resErr error
		status := cw.status
		if status == 0 {
			status = http.StatusOK
		}
		if p == nil && !cw.hijacked && !isRouteError(reqErr) {
			resErr = r.v.ValidateResponse(orig, status, cw.sentHeader(), cw.body.Bytes())
		}
		r.mu.Lock()
		keep := r.keepExchanges
		r.mu.Unlock()
		var ex Exchange
		if keep {
			ex = Exchange{Method: req.Method, Path: req.URL.Path, Operation: r.v.Operation(orig)}
			if p == nil && !cw.hijacked {
				ex.Status, ex.Header = status, cw.sentHeader()
			}
		}
		r.mu.Lock()
		r.inFlight--
		r.checked++
		if keep {
			r.exchanges = append(r.exchanges, ex)
		}
		if reqErr != nil {
			r.violations = append(r.violations, Violation{Method: req.Method, Path: req.URL.Path, Kind: "request", Err: reqErr.Error()})
		}
		if resErr != nil {
			r.violations = append(r.violations, Violation{Method: req.Method, Path: req.URL.Path, Status: status, Kind: "response", Err: resErr.Error()})
		}
		r.mu.Unlock()
		if p != nil {
			panic(p)
		}
	}()
	r.next.ServeHTTP(cw, req)
}

func (r *Recorder) record(v Violation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checked++
	r.violations = append(r.violations, v)
}

func (r *Recorder) skipped(req *http.Request) bool {
	for _, p := range r.skip {
		if strings.HasPrefix(req.URL.Path, p) {
			return true
		}
	}
	return false
}

// isRouteError: no operation matched, so the response cannot be checked either.
func isRouteError(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.Operation == ""
}

// captureWriter passes everything through to the real ResponseWriter and keeps a copy
// of the status and the body.
type captureWriter struct {
	http.ResponseWriter
	status   int
	header   http.Header // as sent with the status line
	body     bytes.Buffer
	hijacked bool
}

// started records the status and the header as they go on the wire.
func (c *captureWriter) started(status int) {
	if c.status == 0 {
		c.status = status
		c.header = c.ResponseWriter.Header().Clone()
	}
}

// sentHeader is the header that went out (or, if nothing was written, the one that
// net/http sends when the handler returns).
func (c *captureWriter) sentHeader() http.Header {
	if c.header != nil {
		return c.header
	}
	return c.ResponseWriter.Header().Clone()
}

func (c *captureWriter) WriteHeader(status int) {
	if status >= 200 {
		c.started(status)
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.started(http.StatusOK)
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

// Flush lets a handler stream through the recorder.
func (c *captureWriter) Flush() {
	c.started(http.StatusOK)
	_ = http.NewResponseController(c.ResponseWriter).Flush()
}

// Hijack lets fault injection drop the connection; the exchange then has no response
// to check.
func (c *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(c.ResponseWriter).Hijack()
	if err == nil {
		c.hijacked = true
	}
	return conn, rw, err
}

// Unwrap serves http.ResponseController.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
