package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxBodyBytes bounds a response body (and a request body) held in memory. A larger
// response gives a TransportError of KindInvalidResponse.
const MaxBodyBytes = 64 << 20

// defaultConcurrency is the number of slots when Policy.MaxConcurrency is <= 0.
const defaultConcurrency = 8

// Policy configures a Transport.
type Policy struct {
	// MaxRetries is the number of 429 retries per request; 0 returns a 429 at once.
	MaxRetries int
	// MaxWait is the longest single wait (reset plus jitter). A needed wait longer
	// than this is not waited: the 429 is returned, or the reserve refuses, at once.
	MaxWait time.Duration
	// MaxConcurrency caps requests in flight across the whole Transport; <= 0 means 8.
	MaxConcurrency int
	// ReservePct (0..99) keeps that percentage of every bucket unspent: a request to
	// a bucket at or below it waits for the bucket's reset (within MaxWait) or is
	// refused with *ReserveError. 0 disables the reserve.
	ReservePct int
	// Timeout bounds one HTTP attempt, including reading the response body; 0 = none.
	Timeout time.Duration
	// Jitter returns the extra delay added to every wait; nil means random 100–500 ms.
	Jitter func() time.Duration
	// Now is the clock used to turn reset instants into waits; nil means time.Now.
	Now func() time.Time
}

// Wait describes a pause the Transport is about to take.
type Wait struct {
	Bucket  string        // the request's bucket
	Attempt int           // number (1-based) of the attempt that follows the wait
	Delay   time.Duration // how long the wait will be
	Reason  string        // "rate limited (429)", "rate-limit reserve", "retrying after 503", ...
}

// Reasons given in Wait.Reason.
const (
	ReasonRateLimited = "rate limited (429)"
	ReasonReserve     = "rate-limit reserve"
	ReasonDropped     = "retrying after dropped connection"
	// For 502/503/504 the reason is "retrying after " followed by the status code.
)

type observerKey struct{}

// WithObserver returns a context whose requests report each wait to f. f is called
// right before the wait starts, on the goroutine that called RoundTrip.
func WithObserver(ctx context.Context, f func(Wait)) context.Context {
	return context.WithValue(ctx, observerKey{}, f)
}

func observerFrom(ctx context.Context) func(Wait) {
	f, _ := ctx.Value(observerKey{}).(func(Wait))
	return f
}

// Transport is an http.RoundTripper that enforces a Policy on top of next. It is safe
// for concurrent use.
type Transport struct {
	next   http.RoundTripper
	policy Policy
	sem    chan struct{}

	mu    sync.Mutex
	rates map[string]Rate
}

// NewTransport wraps next (nil means http.DefaultTransport) with p.
func NewTransport(next http.RoundTripper, p Policy) *Transport {
	if next == nil {
		next = http.DefaultTransport
	}
	if p.MaxConcurrency <= 0 {
		p.MaxConcurrency = defaultConcurrency
	}
	p.MaxRetries = max(p.MaxRetries, 0)
	p.MaxWait = max(p.MaxWait, 0)
	p.Timeout = max(p.Timeout, 0)
	p.ReservePct = min(max(p.ReservePct, 0), 99)
	if p.Jitter == nil {
		p.Jitter = func() time.Duration {
			return 100*time.Millisecond + rand.N(400*time.Millisecond)
		}
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return &Transport{
		next:   next,
		policy: p,
		sem:    make(chan struct{}, p.MaxConcurrency),
		rates:  make(map[string]Rate),
	}
}

// InFlight is the number of requests holding a concurrency slot right now.
func (t *Transport) InFlight() int { return len(t.sem) }

// Rate is the last known state of a bucket (as Bucket names it).
func (t *Transport) Rate(bucket string) (Rate, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.rates[bucket]
	return r, ok
}

// record stores a bucket's state. Responses can arrive out of order, so a report for
// an older window is ignored and, within one window, the lowest Remaining wins.
// A report with Limit 0 is Okta's concurrency-limit signal, not the bucket's budget,
// and is not stored.
func (t *Transport) record(bucket string, r Rate) {
	if r.Limit <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old, ok := t.rates[bucket]
	switch {
	case !ok || r.Reset.After(old.Reset):
		t.rates[bucket] = r
	case r.Reset.Equal(old.Reset):
		r.Remaining = min(r.Remaining, old.Remaining)
		t.rates[bucket] = r
	}
}

func (t *Transport) jitter() time.Duration { return max(t.policy.Jitter(), 0) }

// RoundTrip sends req under the Policy. The returned response's body is already read
// into memory (the concurrency slot is free by the time RoundTrip returns).
//
// Errors: the caller's context error when its context ends; *ReserveError when the
// reserve refuses; *TransportError when no usable response arrived.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, hasBody, err := bufferBody(req)
	if err != nil {
		return nil, err
	}
	if req.URL == nil {
		return nil, errors.New("ratelimit: request has no URL")
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	bucket := Bucket(method, req.URL.EscapedPath())
	idempotent := method == http.MethodGet || method == http.MethodHead
	observe := observerFrom(ctx)

	var (
		retries429  int    // 429 retries made
		retriedOnce bool   // the one transient-failure retry of a GET/HEAD is used
		retryFor    string // X-Okta-Request-Id of the last 429, sent back on the retry
	)
	for attempt := 1; ; attempt++ {
		if err := t.reserve(ctx, bucket, attempt, observe); err != nil {
			return nil, err
		}
		resp, err := t.attempt(ctx, req, body, hasBody, retryFor, retries429)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			var te *TransportError
			if idempotent && !retriedOnce && errors.As(err, &te) && te.Kind == KindConnection {
				retriedOnce = true
				w := Wait{Bucket: bucket, Attempt: attempt + 1, Delay: t.jitter(), Reason: ReasonDropped}
				if err := t.sleep(ctx, observe, w); err != nil {
					return nil, err
				}
				continue
			}
			return nil, err
		}

		rate, ok := Parse(resp.Header)
		if ok {
			t.record(bucket, rate)
		}
		switch code := resp.StatusCode; {
		case code == http.StatusTooManyRequests:
			// Okta did not process the request: retrying is safe for every method.
			if retries429 >= t.policy.MaxRetries {
				return resp, nil
			}
			delay := t.jitter()
			if ok {
				if until := rate.Reset.Sub(t.policy.Now()); until > 0 {
					delay += until
				}
			}
			if delay > t.policy.MaxWait {
				return resp, nil
			}
			retries429++
			retryFor = resp.Header.Get("X-Okta-Request-Id")
			w := Wait{Bucket: bucket, Attempt: attempt + 1, Delay: delay, Reason: ReasonRateLimited}
			if err := t.sleep(ctx, observe, w); err != nil {
				return nil, err
			}
			continue
		case idempotent && !retriedOnce && (code == http.StatusBadGateway ||
			code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout):
			retriedOnce = true
			w := Wait{Bucket: bucket, Attempt: attempt + 1, Delay: t.jitter(), Reason: "retrying after " + strconv.Itoa(code)}
			if err := t.sleep(ctx, observe, w); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
}

// reserve waits for the bucket's reset when its last known state is at or below the
// reserve, or refuses with *ReserveError when that wait would exceed MaxWait.
func (t *Transport) reserve(ctx context.Context, bucket string, attempt int, observe func(Wait)) error {
	if t.policy.ReservePct <= 0 {
		return nil
	}
	r, ok := t.Rate(bucket)
	if !ok || !atOrBelowReserve(r.Remaining, r.Limit, t.policy.ReservePct) {
		return nil
	}
	until := r.Reset.Sub(t.policy.Now())
	if until <= 0 {
		return nil // the window has reset since: the budget is back
	}
	delay := until + t.jitter()
	if delay > t.policy.MaxWait {
		return &ReserveError{Bucket: bucket, Rate: r, RetryAfter: until}
	}
	return t.sleep(ctx, observe, Wait{Bucket: bucket, Attempt: attempt, Delay: delay, Reason: ReasonReserve})
}

// sleep tells the observer about w, then waits w.Delay or until ctx ends. No
// concurrency slot is held while sleeping.
func (t *Transport) sleep(ctx context.Context, observe func(Wait), w Wait) error {
	if observe != nil {
		observe(w)
	}
	if w.Delay <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(w.Delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt makes one HTTP attempt while holding a concurrency slot, reads the whole
// response body, and releases the slot before returning.
func (t *Transport) attempt(ctx context.Context, req *http.Request, body []byte, hasBody bool, retryFor string, retries int) (*http.Response, error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-t.sem }()

	var (
		actx   context.Context
		cancel context.CancelFunc
	)
	if t.policy.Timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, t.policy.Timeout)
	} else {
		actx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	r := req.Clone(actx)
	if hasBody {
		if len(body) == 0 {
			r.Body = http.NoBody
			r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		r.ContentLength = int64(len(body))
	}
	if retries > 0 {
		if retryFor != "" {
			r.Header.Set("X-Okta-Retry-For", retryFor)
		}
		r.Header.Set("X-Okta-Retry-Count", strconv.Itoa(retries))
	}

	resp, err := t.next.RoundTrip(r)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, t.classify(ctx, actx, err)
	}
	if resp == nil {
		return nil, &TransportError{Kind: KindConnection, Err: errors.New("no response and no error from the underlying transport")}
	}
	var data []byte
	if resp.Body != nil {
		data, err = readLimited(resp.Body, resp.ContentLength)
		resp.Body.Close()
		if err != nil {
			return nil, t.classify(ctx, actx, err)
		}
	}
	if len(data) > MaxBodyBytes {
		return nil, &TransportError{Kind: KindInvalidResponse, Err: fmt.Errorf("response body larger than %d bytes", MaxBodyBytes)}
	}
	resp.Body = &Body{Reader: bytes.NewReader(data), data: data}
	resp.ContentLength = int64(len(data))
	resp.Request = req
	return resp, nil
}

// Body is the body of a response RoundTrip returns: already in memory.
type Body struct {
	*bytes.Reader
	data []byte
}

// Close does nothing.
func (*Body) Close() error { return nil }

// Bytes returns the whole body, without copying it, whatever has been read
// of it. The caller must not modify it.
func (b *Body) Bytes() []byte { return b.data }

// readLimited reads at most MaxBodyBytes+1 bytes of a response body. With a
// Content-Length the buffer is allocated once at that size; io.ReadAll
// would grow it step by step (about five times the body in garbage for a
// 2 MB page of log events).
func readLimited(body io.Reader, contentLength int64) ([]byte, error) {
	r := io.LimitReader(body, MaxBodyBytes+1)
	if contentLength < 0 || contentLength > MaxBodyBytes {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, contentLength+bytes.MinRead)) // ReadFrom wants MinRead free to see EOF
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// classify turns a failure of one attempt into the caller's context error (when the
// caller gave up) or a *TransportError.
func (t *Transport) classify(ctx, actx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return &TransportError{Kind: KindTimeout, Err: fmt.Errorf("no complete response within %s", t.policy.Timeout)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &TransportError{Kind: KindTimeout, Err: err}
	}
	return &TransportError{Kind: KindConnection, Err: err}
}

// bufferBody reads and closes req.Body so that every attempt can send an identical
// copy. hasBody is false when the request has no body at all.
func bufferBody(req *http.Request) (body []byte, hasBody bool, err error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, req.Body == http.NoBody, nil
	}
	defer req.Body.Close()
	body, err = io.ReadAll(io.LimitReader(req.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, false, fmt.Errorf("ratelimit: reading request body: %v", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, false, fmt.Errorf("ratelimit: request body larger than %d bytes", MaxBodyBytes)
	}
	return body, true, nil
}
