// Package ratelimit is the http.RoundTripper that stands between the Okta SDK and the
// network. It owns everything about pacing requests to Okta: it parses the
// X-Rate-Limit-* headers of every response and remembers them per bucket, caps the
// number of requests in flight, keeps a configurable reserve of each bucket unspent,
// waits for a bucket's reset and retries after a 429, retries idempotent reads once
// after a transient failure, and bounds each attempt with a timeout.
//
// Writes (POST, PUT, PATCH, DELETE) are only ever retried after a 429, which Okta
// answers without processing the request, so a retry never duplicates a write.
//
// The package never logs or prints; everything it has to say is in its return values
// and in the Wait notifications given to an observer (see WithObserver).
package ratelimit

import (
	"math"
	"math/bits"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names Okta uses for a bucket's budget.
const (
	headerLimit     = "X-Rate-Limit-Limit"
	headerRemaining = "X-Rate-Limit-Remaining"
	headerReset     = "X-Rate-Limit-Reset"
)

// maxResetEpoch is the last second of year 9999. A larger reset value is junk, not a
// time, and is rejected so that time arithmetic on it stays meaningful.
const maxResetEpoch = 253402300799

// Rate is one bucket's budget as Okta reported it.
type Rate struct {
	Limit     int       // requests allowed in the bucket's window
	Remaining int       // requests left in the current window
	Reset     time.Time // absolute instant the window resets (from epoch seconds)
}

// Parse reads X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset
// (epoch seconds). ok is false when any of them is missing or is not a non-negative
// decimal integer; surrounding whitespace is tolerated. Parse never panics.
func Parse(h http.Header) (r Rate, ok bool) {
	if h == nil {
		return Rate{}, false
	}
	limit, ok := parseUint(h.Get(headerLimit))
	if !ok || limit > math.MaxInt {
		return Rate{}, false
	}
	remaining, ok := parseUint(h.Get(headerRemaining))
	if !ok || remaining > math.MaxInt {
		return Rate{}, false
	}
	reset, ok := parseUint(h.Get(headerReset))
	if !ok || reset > maxResetEpoch {
		return Rate{}, false
	}
	return Rate{
		Limit:     int(limit),
		Remaining: int(remaining),
		Reset:     time.Unix(int64(reset), 0),
	}, true
}

// parseUint accepts only ASCII digits (after trimming whitespace): no sign, no
// exponent, no fraction, no underscores.
func parseUint(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// ResetIn is the number of whole seconds from now until Reset, rounded up; never
// negative (a reset in the past, or a zero Rate, gives 0).
func (r Rate) ResetIn(now time.Time) int {
	if r.Reset.IsZero() || !r.Reset.After(now) {
		return 0
	}
	// Whole seconds from Unix(), not Sub: a Duration saturates after about 292 years.
	s := r.Reset.Unix() - now.Unix()
	if r.Reset.Nanosecond() > now.Nanosecond() {
		s++
	}
	if s < 0 || s > int64(math.MaxInt) { // overflow on absurd instants
		return math.MaxInt
	}
	return int(s)
}

// atOrBelowReserve reports whether remaining*100 <= pct*limit, without overflow.
func atOrBelowReserve(remaining, limit, pct int) bool {
	if remaining < 0 || limit <= 0 || pct <= 0 {
		return false
	}
	if remaining > limit {
		return false // more than 100% left cannot be at a reserve below 100%
	}
	// remaining <= limit <= MaxInt and pct <= 99: compare in 128 bits to be safe.
	lhsHi, lhsLo := bits.Mul64(uint64(remaining), 100)
	rhsHi, rhsLo := bits.Mul64(uint64(limit), uint64(pct))
	return lhsHi < rhsHi || (lhsHi == rhsHi && lhsLo <= rhsLo)
}
