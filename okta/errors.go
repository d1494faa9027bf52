package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/okta-mcp/okta-mcp/ratelimit"
)

// Codes of errors where no valid HTTP answer from Okta arrived (Status 0).
const (
	CodeTimeout         = "timeout"
	CodeConnection      = "connection_error"
	CodeInvalidResponse = "invalid_response"
	CodeReserve         = "rate_limit_reserve"
	CodeCancelled       = "cancelled"
)

// Error is a failed Okta request in the shape tools report (SPEC §6).
type Error struct {
	Status     int        `json:"status"`
	Code       string     `json:"code"`
	Summary    string     `json:"summary"`
	Causes     []string   `json:"causes"`
	RequestID  string     `json:"okta_request_id,omitempty"`
	RetryAfter *int       `json:"retry_after,omitempty"`
	Hint       string     `json:"hint,omitempty"`
	RateLimit  *RateLimit `json:"rate_limit,omitempty"`
}

// MarshalJSON writes the error with causes as a list, [] when there are
// none: SPEC §6 promises the model a causes array.
func (e *Error) MarshalJSON() ([]byte, error) {
	type plain Error
	p := plain(*e)
	if p.Causes == nil {
		p.Causes = []string{}
	}
	return json.Marshal(p)
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("okta: %s: %s", e.Code, e.Summary)
	}
	return fmt.Sprintf("okta: %d %s: %s", e.Status, e.Code, e.Summary)
}

// oktaErrorBody is Okta's error JSON.
type oktaErrorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorID      string `json:"errorId"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

var scopeRE = regexp.MustCompile(`scope="([^"]*)"`)

// errorFromResponse maps an HTTP error answer to an *Error. Okta's body is
// parsed directly: the SDK's typed model is nil for most statuses.
func errorFromResponse(status int, h http.Header, body []byte, rate *RateLimit) *Error {
	e := &Error{Status: status, Causes: []string{}, RequestID: h.Get("X-Okta-Request-Id"), RateLimit: rate}
	var b oktaErrorBody
	if json.Unmarshal(body, &b) == nil && (b.ErrorCode != "" || b.ErrorSummary != "") {
		e.Code, e.Summary = b.ErrorCode, b.ErrorSummary
		for _, c := range b.ErrorCauses {
			if c.ErrorSummary != "" {
				e.Causes = append(e.Causes, c.ErrorSummary)
			}
		}
		if e.RequestID == "" {
			e.RequestID = b.ErrorID
		}
	} else {
		e.Summary = http.StatusText(status)
		if e.Summary == "" {
			e.Summary = "HTTP " + strconv.Itoa(status)
		}
	}
	if status == http.StatusTooManyRequests {
		wait := 0
		if rate != nil {
			wait = rate.Reset
		}
		if ra, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && ra > wait {
			wait = ra
		}
		e.RetryAfter = &wait
	}
	if auth := h.Get("WWW-Authenticate"); status == http.StatusForbidden && strings.Contains(auth, "insufficient_scope") {
		scope := ""
		if m := scopeRE.FindStringSubmatch(auth); m != nil {
			scope = m[1]
		}
		if e.Code == "" {
			e.Code = "insufficient_scope"
		}
		if e.Summary == "" || e.Summary == http.StatusText(status) {
			e.Summary = "The access token lacks the scope this request needs"
		}
		if scope != "" {
			e.Causes = append(e.Causes, "missing scope: "+scope)
			e.Hint = fmt.Sprintf("Grant the scope %s to the OAuth app in Okta (Okta API Scopes tab), then sign in again with okta-mcp auth login.", scope)
		}
	}
	if e.Code == "" {
		// Not Okta's error JSON (a proxy's or load balancer's page): the
		// status still says what happened.
		e.Code = "http_" + strconv.Itoa(status)
	}
	if e.Hint == "" {
		e.Hint = hintFor(status, e.Code)
	}
	return e
}

// hintFor says what the model or the admin can do about an error.
func hintFor(status int, code string) string {
	switch code {
	case "E0000011", "E0000004":
		return "Okta rejected the credential: it is invalid, expired or revoked. The admin should store a new one (okta-mcp auth login) or fix OKTA_API_TOKEN."
	case "E0000006":
		return "The credential's admin role does not allow this operation."
	case "E0000007":
		return "No such resource: check the ID (or login) and try a list or search tool to find it."
	case "E0000031", "E0000053":
		return "The search or filter expression is invalid: check attribute names (case-sensitive), operators and quoting, e.g. profile.department eq \"Engineering\"."
	case "E0000033":
		return "Use either search or filter, not both."
	case "E0000047":
		return "Okta's rate limit for this endpoint is spent: wait retry_after seconds before calling again."
	}
	switch {
	case status == http.StatusTooManyRequests:
		return "Rate limited: wait retry_after seconds before calling again."
	case status == http.StatusUnauthorized:
		return "Okta rejected the credential. The admin should check it with okta-mcp auth status."
	case status >= 500:
		return "Okta had a server error; retrying later may work."
	}
	return ""
}

// transportFailure maps a failure where no valid HTTP answer arrived.
func transportFailure(ctx context.Context, err error) *Error {
	var re *ratelimit.ReserveError
	if errors.As(err, &re) {
		wait := int((re.RetryAfter + time.Second - 1) / time.Second)
		rl := &RateLimit{Limit: re.Rate.Limit, Remaining: re.Rate.Remaining, Reset: re.Rate.ResetIn(time.Now())}
		return &Error{Code: CodeReserve, Causes: []string{}, RetryAfter: &wait, RateLimit: rl,
			Summary: fmt.Sprintf("not sent: bucket %s is at or below the configured --rate-limit-reserve", re.Bucket),
			Hint:    "The admin keeps part of this rate-limit bucket in reserve; wait retry_after seconds."}
	}
	if ctx.Err() != nil {
		return &Error{Code: CodeCancelled, Causes: []string{}, Summary: "the request was cancelled"}
	}
	var te *ratelimit.TransportError
	if errors.As(err, &te) && te.Kind == CodeTimeout {
		return &Error{Code: CodeTimeout, Causes: []string{}, Summary: "Okta did not answer within --timeout", Hint: "Try again, or narrow the query (smaller limit, tighter filter)."}
	}
	return &Error{Code: CodeConnection, Causes: []string{}, Summary: "could not reach Okta: " + err.Error(), Hint: "Check the org URL and the network connection."}
}
