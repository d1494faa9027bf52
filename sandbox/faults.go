package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is an injected misbehaviour. The first matching active fault applies
// to a request, after the request is recorded and before any other handling
// (so it applies to unauthenticated requests too, and spends no rate budget).
type Fault struct {
	Method     string // "" = any
	PathPrefix string // "" = any, e.g. "/api/v1/users"
	Times      int    // how many requests it applies to; 0 = until cleared
	// Latency is a sleep before answering. If the client goes away (or the
	// Server closes) meanwhile, the handler stops at once and aborts with
	// http.ErrAbortHandler, so nothing is answered.
	Latency time.Duration
	// Status, if non-zero, is the answer's status, with Body (default: an
	// Okta error JSON for that status). With Status 0 and Drop false, the
	// request is answered normally after Latency.
	Status      int
	Body        string
	ContentType string      // default application/json
	Header      http.Header // extra headers, replacing defaults (e.g. X-Rate-Limit-Reset for a 429 storm)
	// Drop hijacks the connection, writes the status line, headers and part
	// of the body (declaring a longer Content-Length), and closes it.
	Drop bool
}

type activeFault struct {
	f    Fault
	left int // requests left; 0 = unlimited
}

type faultSet struct {
	mu   sync.Mutex
	list []*activeFault
}

// InjectFault adds f after the faults already active.
func (o *Org) InjectFault(f Fault) {
	if f.Times < 0 {
		f.Times = 0
	}
	f.Header = f.Header.Clone()
	o.faults.mu.Lock()
	defer o.faults.mu.Unlock()
	o.faults.list = append(o.faults.list, &activeFault{f: f, left: f.Times})
}

// ClearFaults removes every active fault.
func (o *Org) ClearFaults() {
	o.faults.mu.Lock()
	defer o.faults.mu.Unlock()
	o.faults.list = nil
}

// take returns the first fault matching the request and uses one of its
// applications up.
func (s *faultSet) take(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, af := range s.list {
		if af.f.Method != "" && !strings.EqualFold(af.f.Method, method) {
			continue
		}
		if !strings.HasPrefix(path, af.f.PathPrefix) {
			continue
		}
		if af.left > 0 {
			af.left--
			if af.left == 0 {
				s.list = append(s.list[:i:i], s.list[i+1:]...)
			}
		}
		return af.f, true
	}
	return Fault{}, false
}

// applyFault performs f. It reports whether the request has been dealt with;
// false means: carry on with normal handling.
func (o *Org) applyFault(c *call, f Fault) bool {
	if f.Latency > 0 && !sleepCtx(c.r.Context(), f.Latency) {
		// The client went away or the server is closing: end the
		// exchange without an answer (net/http closes the connection).
		panic(http.ErrAbortHandler)
	}
	if !f.Drop && f.Status == 0 {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := c.w.Header()
	if c.bucket != "" {
		st := o.limits.peek(c.bucket, o.now())
		if status == http.StatusTooManyRequests {
			st.remaining = 0
		}
		setRateHeaders(h, st)
	}
	if f.ContentType != "" {
		h.Set("Content-Type", f.ContentType)
	}
	for k, vs := range f.Header {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	body := []byte(f.Body)
	if f.Body == "" {
		if f.Drop && status < 300 {
			body = []byte(`[{"id":"00u1a2b3c4d5e6f7g8h9","status":"ACTIVE","created":"2020-01-01T00:00:00.000Z","profile":{"login":"jane.doe@company.com"}}]`)
		} else {
			body = errForStatus(status).body()
		}
	}
	if f.Drop {
		// The client sees the connection end before this handler returns:
		// the request is abandoned from here on (see MaxInFlight).
		o.log.abandon(c.span)
		dropConnection(c.w, status, body)
		return true
	}
	c.reply(status, body)
	return true
}

// dropConnection writes the head of a response and part of its body straight
// to the connection and closes it, so the client sees an unexpected EOF.
func dropConnection(w *statusWriter, status int, body []byte) {
	partial := body[:len(body)/2]
	if len(partial) == 0 && len(body) > 0 {
		partial = body[:1]
	}
	w.setStatus(status)
	conn, buf, err := w.Hijack()
	if err != nil {
		// Cannot take the connection over (e.g. HTTP/2): send a partial
		// body and abort the handler, which resets the stream.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
		w.WriteHeader(status)
		_, _ = w.Write(partial)
		w.Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	h := w.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("Connection", "close")
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(partial)
	_ = buf.Flush()
}

// sleepCtx sleeps for d or until ctx ends; it reports whether it slept fully.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
