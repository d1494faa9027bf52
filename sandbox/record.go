package sandbox

import (
	"net/http"
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
	peak     int
}

func (l *requestLog) enter() {
	l.mu.Lock()
	l.inflight++
	if l.inflight > l.peak {
		l.peak = l.inflight
	}
	l.mu.Unlock()
}

func (l *requestLog) leave() {
	l.mu.Lock()
	l.inflight--
	l.mu.Unlock()
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
// the number of requests in flight now.
func (o *Org) ResetRequests() {
	l := &o.log
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
	l.peak = l.inflight
}

// MaxInFlight is the peak number of concurrently served requests since New
// or ResetRequests.
func (o *Org) MaxInFlight() int {
	l := &o.log
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.peak
}
