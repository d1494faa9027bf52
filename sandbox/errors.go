package sandbox

import (
	"encoding/json"
	"net/http"
)

// apiError is an Okta error answer: HTTP status plus the Okta error body fields.
type apiError struct {
	status  int
	code    string
	summary string
	causes  []string
}

// oktaErrorBody is the JSON shape of every Okta error (schema Error).
type oktaErrorBody struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// body renders e as Okta's error JSON with a fresh errorId.
func (e *apiError) body() []byte {
	b := oktaErrorBody{
		ErrorCode:    e.code,
		ErrorSummary: e.summary,
		ErrorLink:    e.code,
		ErrorID:      newErrorID(),
		ErrorCauses:  make([]errorCause, 0, len(e.causes)),
	}
	for _, c := range e.causes {
		b.ErrorCauses = append(b.ErrorCauses, errorCause{ErrorSummary: c})
	}
	out, _ := json.Marshal(b) // cannot fail: strings only
	return out
}

// Okta error codes used by the sandbox (see OKTA-API-NOTES "Errors").
const (
	codeValidation     = "E0000001" // 400 Api validation failed
	codeForbidden      = "E0000006" // 403
	codeNotFound       = "E0000007" // 404
	codeInternal       = "E0000009" // 500
	codeInvalidToken   = "E0000011" // 401
	codeMethod         = "E0000022" // 405
	codeInvalidSearch  = "E0000031" // 400
	codeSearchFilter   = "E0000033" // 400 search and filter together
	codeRateLimited    = "E0000047" // 429
	codeServiceUnavail = "E0000010" // 503
)

func errInvalidToken() *apiError {
	return &apiError{status: http.StatusUnauthorized, code: codeInvalidToken, summary: "Invalid token provided"}
}

// errNotFound is Okta's 404 for a missing resource; kind is Okta's resource
// name, e.g. "User" or "UserGroup".
func errNotFound(id, kind string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound,
		summary: "Not found: Resource not found: " + id + " (" + kind + ")"}
}

func errMethodNotAllowed() *apiError {
	return &apiError{status: http.StatusMethodNotAllowed, code: codeMethod,
		summary: "The endpoint does not support the provided HTTP method"}
}

func errRateLimited() *apiError {
	return &apiError{status: http.StatusTooManyRequests, code: codeRateLimited,
		summary: "API call exceeded rate limit due to too many requests."}
}

// errValidation is E0000001 naming the offending field.
func errValidation(field, cause string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeValidation,
		summary: "Api validation failed: " + field, causes: []string{field + ": " + cause}}
}

func errInvalidSearch(cause string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeInvalidSearch,
		summary: "Invalid search criteria.", causes: []string{cause}}
}

func errSearchAndFilter() *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeSearchFilter,
		summary: "Bad request. Can't specify a search query and filter in the same request."}
}

// errForStatus is the default Okta error body for an arbitrary status, used
// by injected faults that give no body.
func errForStatus(status int) *apiError {
	switch status {
	case http.StatusBadRequest:
		return &apiError{status: status, code: codeValidation, summary: "Api validation failed"}
	case http.StatusUnauthorized:
		return errInvalidToken()
	case http.StatusForbidden:
		return &apiError{status: status, code: codeForbidden,
			summary: "You do not have permission to perform the requested action"}
	case http.StatusNotFound:
		return &apiError{status: status, code: codeNotFound, summary: "Not found: Resource not found"}
	case http.StatusMethodNotAllowed:
		return errMethodNotAllowed()
	case http.StatusTooManyRequests:
		return errRateLimited()
	case http.StatusServiceUnavailable:
		return &apiError{status: status, code: codeServiceUnavail, summary: "Service is in read only mode"}
	}
	summary := http.StatusText(status)
	if summary == "" {
		summary = "Internal Server Error"
	}
	return &apiError{status: status, code: codeInternal, summary: summary}
}
