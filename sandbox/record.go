package sandbox

import (
	"net/http"
	"slices"
	"sync"
)

// Request is one request the org received, for tests.
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header // Authorization value replaced by "REDACTED"
	Body                   []byte
	Status                 int // status answered; 0 if none was written (e.g. client went away)
}

// requestLog records requests and tracks how many are in flight.
type requestLog struct {
	mu       sync.Mutex
	entries  []*Request
	inflight int
	// spans are the requests since New or ResetRequests, in the order of
	// a logical clock (tick), for MaxInFlight.
	spans []*span
	tick  int
}

// span is when one request was being served, on the log's clock; end is 0
// while it is.
type span struct {
	start, end int
	abandoned  bool // the client went away before the answer was complete
}

func (l *requestLog) enter() *span {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight++
	l.tick++
	sp := &span{start: l.tick}
	l.spans = append(l.spans, sp)
	return sp
}

func (l *requestLog) leave(sp *span, abandoned bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	l.tick++
	sp.end = l.tick
	sp.abandoned = sp.abandoned || abandoned
}

// abandon marks a request the org itself gives up on (a dropped
// connection) before the client can notice.
func (l *requestLog) abandon(sp *span) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sp.abandoned = true
}

// add records r in arrival order and returns its entry.
func (l *requestLog) add(r *http.Request, body []byte) *Request {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if _, ok := h["Authorization"]; ok {
		h["Authorization"] = []string{"REDACTED"}
	}
	e := &Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: h, Body: body}
	l.mu.Lock()
	l.entries = append(l.entries, e)
	l.mu.Unlock()
	return e
}

func (l *requestLog) setStatus(e *Request, status int) {
	l.mu.Lock()
	e.Status = status
	l.mu.Unlock()
}

// Requests returns every request received since New or ResetRequests, in
// arrival order, faulted ones included. The Authorization header's value is
// replaced by "REDACTED".
func (o *Org) Requests() []Request {
	l := &o.log
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, len(l.entries))
	for i, e := range l.entries {
		out[i] = *e
		out[i].Header = e.Header.Clone()
		out[i].Body = append([]byte(nil), e.Body...)
	}
	return out
}

// ResetRequests forgets the recorded requests and restarts MaxInFlight from
// the requests in flight now.
func (o *Org) ResetRequests() {
	l := &o.log
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
	l.spans = slices.DeleteFunc(l.spans, func(sp *span) bool { return sp.end != 0 })
}

// MaxInFlight is the peak number of requests served at once since New or
// ResetRequests, leaving out requests the client abandoned (its context
// ended before the answer was complete): a client that gives up on a
// request frees its own slot at once, while the org may go on serving it
// for a moment, so only requests a client saw through are held to the
// client's concurrency limit.
func (o *Org) MaxInFlight() int {
	l := &o.log
	l.mu.Lock()
	defer l.mu.Unlock()
	type edge struct{ at, delta int }
	var edges []edge
	for _, sp := range l.spans {
		if sp.abandoned {
			continue
		}
		edges = append(edges, edge{sp.start, 1})
		if sp.end != 0 {
			edges = append(edges, edge{sp.end, -1})
		}
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at - b.at })
	n, peak := 0, 0
	for _, e := range edges {
		n += e.delta
		peak = max(peak, n)
	}
	return peak
}
