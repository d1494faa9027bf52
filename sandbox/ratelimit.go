package sandbox

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter keeps Okta-style fixed windows per bucket. A bucket's window
// starts at its first request (not clock-aligned) and lasts the bucket's
// window duration; each authenticated request spends one unit.
type rateLimiter struct {
	mu        sync.Mutex
	limit     int           // default budget per window
	window    time.Duration // default window
	overrides map[string]bucketConf
	buckets   map[string]*bucketState
}

type bucketConf struct {
	limit  int
	window time.Duration
}

type bucketState struct {
	bucketConf
	start time.Time // zero: no window open
	used  int
}

// rateStatus is what the X-Rate-Limit-* headers say.
type rateStatus struct {
	limit, remaining int
	reset            time.Time // end of the current window
}

func (l *rateLimiter) init(limit int, window time.Duration) {
	l.limit, l.window = limit, window
	l.overrides = map[string]bucketConf{}
	l.buckets = map[string]*bucketState{}
}

// state returns the bucket, rolling its window over when it has ended.
// Caller holds l.mu.
func (l *rateLimiter) state(bucket string, now time.Time) *bucketState {
	b := l.buckets[bucket]
	if b == nil {
		conf, ok := l.overrides[bucket]
		if !ok {
			conf = bucketConf{limit: l.limit, window: l.window}
		}
		b = &bucketState{bucketConf: conf}
		l.buckets[bucket] = b
	}
	if !b.start.IsZero() && !now.Before(b.start.Add(b.window)) {
		b.start, b.used = time.Time{}, 0
	}
	return b
}

func (b *bucketState) status(now time.Time) rateStatus {
	start := b.start
	if start.IsZero() {
		start = now
	}
	rem := b.limit - b.used
	if rem < 0 {
		rem = 0
	}
	return rateStatus{limit: b.limit, remaining: rem, reset: start.Add(b.window)}
}

// take spends one request from bucket. ok is false when the budget of the
// current window is exhausted; the status then has remaining 0.
func (l *rateLimiter) take(bucket string, now time.Time) (rateStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.state(bucket, now)
	if b.start.IsZero() {
		b.start = now
	}
	if b.used >= b.limit {
		return b.status(now), false
	}
	b.used++
	return b.status(now), true
}

// peek reports the bucket's status without spending anything.
func (l *rateLimiter) peek(bucket string, now time.Time) rateStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state(bucket, now).status(now)
}

// SetRateLimit overrides the budget and window of one bucket and starts its
// window afresh. A bucket is method + " " + path template, e.g.
// "GET /api/v1/users" or "GET /api/v1/groups/{id}/users". A limit of 0 makes
// every request in the bucket answer 429; a window <= 0 means the org's
// default window.
func (o *Org) SetRateLimit(bucket string, limit int, window time.Duration) {
	l := &o.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	if limit < 0 {
		limit = 0
	}
	if window <= 0 {
		window = l.window
	}
	l.overrides[bucket] = bucketConf{limit: limit, window: window}
	delete(l.buckets, bucket)
}

// ResetRateLimits drops every override made with SetRateLimit and empties
// every bucket: all windows start afresh with the org's default budget.
func (o *Org) ResetRateLimits() {
	l := &o.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	l.overrides = map[string]bucketConf{}
	l.buckets = map[string]*bucketState{}
}

// setRateHeaders writes X-Rate-Limit-Limit, -Remaining and -Reset (UTC epoch
// seconds, rounded up so that a client waiting until then finds a new window).
func setRateHeaders(h http.Header, st rateStatus) {
	reset := st.reset.Unix()
	if st.reset.Nanosecond() != 0 {
		reset++
	}
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(st.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(st.remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
}
