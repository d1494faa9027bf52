package ratelimit

import (
	"fmt"
	"time"
)

// Kinds of TransportError. They match the `code` of a status-0 error result (SPEC §6).
const (
	KindTimeout         = "timeout"          // an attempt did not complete within Policy.Timeout
	KindConnection      = "connection_error" // no valid HTTP answer: refused, reset, dropped, TLS, ...
	KindInvalidResponse = "invalid_response" // an answer arrived but cannot be used (body too large)
)

// ReserveError is returned, before any request is sent, when a bucket is at or below
// Policy.ReservePct and waiting for its reset would take longer than Policy.MaxWait.
type ReserveError struct {
	Bucket     string        // the bucket, as Bucket names it
	Rate       Rate          // the bucket's last known state
	RetryAfter time.Duration // time until the bucket's reset
}

func (e *ReserveError) Error() string {
	return fmt.Sprintf("rate-limit reserve: bucket %q has %d of %d requests left; it resets in %ds, longer than the maximum wait",
		e.Bucket, e.Rate.Remaining, e.Rate.Limit, secondsUp(e.RetryAfter))
}

// TransportError is returned when no usable HTTP response arrived. Kind is one of
// KindTimeout, KindConnection or KindInvalidResponse. Err holds the cause, whose text
// is part of Error().
//
// Unwrap deliberately returns nil: okta-sdk-golang retries without end on any error
// for which errors.Is(err, io.EOF) holds, and a dropped connection usually surfaces as
// io.EOF. Retrying is this package's job, so the cause is not exposed to errors.Is or
// errors.As. Read the Err field directly if the cause matters.
type TransportError struct {
	Kind string
	Err  error
}

func (e *TransportError) Error() string {
	if e.Err == nil {
		return "okta request failed: " + e.Kind
	}
	return "okta request failed: " + e.Kind + ": " + e.Err.Error()
}

// Unwrap returns nil; see the type's documentation.
func (e *TransportError) Unwrap() error { return nil }

// Timeout reports whether the attempt timed out. With it, (*url.Error).Timeout and
// net.Error-style checks see a per-attempt timeout as a timeout.
func (e *TransportError) Timeout() bool { return e.Kind == KindTimeout }

// secondsUp rounds a duration up to whole seconds, never below 0.
func secondsUp(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}
