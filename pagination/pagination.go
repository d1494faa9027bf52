// Package pagination turns Okta's Link headers into the next page's query and
// carries that query to the model as an opaque cursor bound to one tool.
//
// Only the "after" value of a rel="next" link is ever kept: a link never
// decides which host or path the next request goes to, so a hostile or broken
// Link header cannot move requests off the configured org.
package pagination

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// OffOrgError is a next-page link that does not point to the org: another
// host, or not a URL one could follow on the org. The link is never
// followed; the list cannot be continued, and saying so is better than a
// last page that is not the last.
type OffOrgError struct {
	Link, OrgHost string
}

func (e *OffOrgError) Error() string {
	link := e.Link
	if len(link) > 200 {
		link = link[:200] + "…"
	}
	return fmt.Sprintf("its next-page link %q does not point to the org (%s)", link, e.OrgHost)
}

// NextAfter returns the "after" parameter of the rel="next" link in h, ""
// on the last page. Okta sends one Link header line per relation; a
// comma-joined header is handled too. A next link that does not point to
// orgHost (host or host:port of the configured org) is an *OffOrgError,
// unless another next link points to the org. orgHost "" skips the host
// check.
func NextAfter(h http.Header, orgHost string) (string, error) {
	var offOrg error
	for _, line := range h.Values("Link") {
		for _, link := range splitLinks(line) {
			target, params, found := parseLink(link)
			if !found || !hasRel(params, "next") {
				continue
			}
			a, err := AfterOf(target, orgHost)
			if err != nil {
				offOrg = err
				continue
			}
			if a != "" {
				return a, nil
			}
		}
	}
	return "", offOrg
}

// AfterOf returns the "after" parameter of a next-page URL (a Link header's
// target or a body's _links.next.href), "" when it has none, and an
// *OffOrgError when it is not a URL on the org: another host, or a scheme
// without a host. orgHost "" skips the host check.
func AfterOf(target, orgHost string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Host != "" && orgHost != "" && !strings.EqualFold(u.Host, orgHost)) ||
		(u.Host == "" && (u.Scheme != "" || u.Opaque != "")) {
		return "", &OffOrgError{Link: target, OrgHost: orgHost}
	}
	return u.Query().Get("after"), nil
}

// splitLinks splits a Link header value into its links at commas that are
// outside the angle-bracketed target and outside quoted parameter values.
func splitLinks(v string) []string {
	var out []string
	inURL, inQuote, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '<':
			inURL = true
		case c == '>':
			inURL = false
		case c == '"' && !inURL:
			inQuote = true
		case c == ',' && !inURL:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// parseLink splits `<target>; k="v"; k2=v2` into the target and its parameters.
func parseLink(link string) (target string, params map[string]string, ok bool) {
	link = strings.TrimSpace(link)
	if !strings.HasPrefix(link, "<") {
		return "", nil, false
	}
	end := strings.IndexByte(link, '>')
	if end < 0 {
		return "", nil, false
	}
	target = link[1:end]
	params = map[string]string{}
	for _, p := range strings.Split(link[end+1:], ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		params[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return target, params, true
}

func hasRel(params map[string]string, rel string) bool {
	for _, r := range strings.Fields(params["rel"]) {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// version is the cursor format; a cursor of another version is rejected.
const version = 1

// envelope is what a cursor encodes. Sum guards against truncation and
// accidental edits; the query it carries is re-validated by the tool anyway,
// so a forged cursor can ask for nothing the arguments could not.
type envelope struct {
	V     int               `json:"v"`
	Tool  string            `json:"t"`
	Query map[string]string `json:"q"`
	Sum   string            `json:"s,omitempty"`
}

// ErrInvalid is wrapped by every Decode error.
var ErrInvalid = errors.New("invalid next_cursor")

// Encode returns the opaque cursor for tool's next page with query q (which
// holds "after" and every filter parameter of the request).
func Encode(tool string, q map[string]string) string {
	if q != nil {
		// JSON carries UTF-8 alone: json.Marshal would turn invalid bytes
		// into U+FFFD, and Decode's checksum of what it reads back would
		// then differ from the one computed here. Make them valid first.
		clean := make(map[string]string, len(q))
		for k, v := range q {
			clean[strings.ToValidUTF8(k, "\uFFFD")] = strings.ToValidUTF8(v, "\uFFFD")
		}
		q = clean
	}
	e := envelope{V: version, Tool: tool, Query: q}
	e.Sum = checksum(e)
	b, err := json.Marshal(e)
	if err != nil { // a map[string]string always marshals
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns the query carried by a cursor that Encode made for tool.
// A cursor of another tool, a truncated or edited one, is an error that
// says so and wraps ErrInvalid.
func Decode(tool, cursor string) (map[string]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(cursor, "="))
	if err != nil {
		return nil, fmt.Errorf("%w: not a cursor returned by this server (bad encoding); pass next_cursor back exactly as received", ErrInvalid)
	}
	var e envelope
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("%w: truncated or altered; pass next_cursor back exactly as received", ErrInvalid)
	}
	if e.V != version {
		return nil, fmt.Errorf("%w: cursor format version %d is not supported; start again without next_cursor", ErrInvalid, e.V)
	}
	if e.Sum != checksum(e) {
		return nil, fmt.Errorf("%w: truncated or altered; pass next_cursor back exactly as received", ErrInvalid)
	}
	if e.Tool != tool {
		return nil, fmt.Errorf("%w: this cursor belongs to tool %q, not %q", ErrInvalid, e.Tool, tool)
	}
	if e.Query == nil {
		e.Query = map[string]string{}
	}
	return e.Query, nil
}

// checksum is a short digest of the envelope's content without Sum.
func checksum(e envelope) string {
	e.Sum = ""
	b, _ := json.Marshal(e)
	s := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(s[:9])
}
