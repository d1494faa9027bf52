package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxRequestBody bounds how much of a request body is read and recorded.
const maxRequestBody = 1 << 20

// apiPrefix is where the SSWS check applies.
const apiPrefix = "/api/v1/"

// call carries one request through routing and its handler.
type call struct {
	o      *Org
	w      *statusWriter
	r      *http.Request
	params []string // path parameters, unescaped, in template order
	base   string   // scheme://host of the request, for absolute links
	bucket string   // rate-limit bucket: method + " " + path template
	span   *span    // this request in the org's request log
}

// handlerFunc answers one routed request.
type handlerFunc func(c *call)

// route is one path template with its handlers per method.
type route struct {
	template string   // e.g. "/api/v1/users/{id}/groups"
	segs     []string // template split on '/', params as "{...}"
	literals int      // number of literal segments, for precedence
	methods  map[string]handlerFunc
}

// router matches escaped request paths against templates. It is built once
// and read-only afterwards.
type router struct {
	routes []*route
}

// handle registers h for method on template. Resource files add their
// endpoints through register* functions listed in newRouter.
func (rt *router) handle(method, template string, h handlerFunc) {
	for _, r := range rt.routes {
		if r.template == template {
			r.methods[method] = h
			return
		}
	}
	segs := strings.Split(strings.TrimPrefix(template, "/"), "/")
	lit := 0
	for _, s := range segs {
		if !strings.HasPrefix(s, "{") {
			lit++
		}
	}
	rt.routes = append(rt.routes, &route{template: template, segs: segs, literals: lit,
		methods: map[string]handlerFunc{method: h}})
}

// match finds the route for an escaped path. A template with more literal
// segments wins over one with parameters in the same place
// (e.g. /api/v1/users/me over /api/v1/users/{id}).
func (rt *router) match(escapedPath string) (*route, []string) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var best *route
	var bestParams []string
	for _, r := range rt.routes {
		if len(r.segs) != len(segs) || (best != nil && r.literals <= best.literals) {
			continue
		}
		params, ok := r.matchSegs(segs)
		if ok {
			best, bestParams = r, params
		}
	}
	return best, bestParams
}

func (r *route) matchSegs(segs []string) ([]string, bool) {
	var params []string
	for i, t := range r.segs {
		if strings.HasPrefix(t, "{") {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return nil, false
			}
			params = append(params, v)
			continue
		}
		if segs[i] != t {
			return nil, false
		}
	}
	return params, true
}

// allow lists the methods of r for an Allow header.
func (r *route) allow() string {
	ms := make([]string, 0, len(r.methods))
	for m := range r.methods {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	return strings.Join(ms, ", ")
}

var apiRouter = newRouter()

func newRouter() *router {
	rt := &router{}
	registerUserRoutes(rt)
	registerGroupRoutes(rt)
	registerOAuthRoutes(rt)
	registerUserWriteRoutes(rt)
	registerGroupWriteRoutes(rt)
	registerRoleRoutes(rt)
	registerSessionRoutes(rt)
	registerLogRoutes(rt)
	return rt
}

// ServeHTTP answers one request the way Okta would: record it, apply an
// injected fault if one matches, check the SSWS token, route, count it
// against its rate-limit bucket, and run the handler.
func (o *Org) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sp := o.log.enter()
	// A request whose context ended while it was served was abandoned by
	// its client (a normal request's context ends only after this returns).
	defer func() { o.log.leave(sp, r.Context().Err() != nil) }()

	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	entry := o.log.add(r, body)
	// The status is recorded as it is written, before the client can see
	// the answer, so Requests() right after a response already has it.
	sw := &statusWriter{ResponseWriter: w, onStatus: func(code int) { o.log.setStatus(entry, code) }}

	h := sw.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Okta-Request-Id", o.newRequestID())
	h.Set("Date", o.now().UTC().Format(http.TimeFormat))

	c := &call{o: o, w: sw, r: r, base: baseURL(r), span: sp}
	rt, params := apiRouter.match(r.URL.EscapedPath())
	isAPI := strings.HasPrefix(r.URL.Path, apiPrefix)
	switch {
	case rt != nil:
		c.bucket = r.Method + " " + rt.template
		c.params = params
	case isAPI:
		c.bucket = r.Method + " /api/v1/*" // Okta's catch-all bucket
	}

	if f, ok := o.faults.take(r.Method, r.URL.Path); ok {
		if o.applyFault(c, f) {
			return
		}
	}

	if isAPI {
		if denied := o.authorized(c, rt); denied != nil {
			if c.bucket != "" {
				setRateHeaders(h, o.limits.peek(c.bucket, o.now()))
			}
			denied.write(c)
			return
		}
	}
	if c.bucket != "" {
		st, ok := o.limits.take(c.bucket, o.now())
		setRateHeaders(h, st)
		if !ok {
			c.fail(errRateLimited())
			return
		}
	}
	if rt == nil {
		c.fail(&apiError{status: http.StatusNotFound, code: codeNotFound,
			summary: "Not found: Resource not found: " + r.URL.Path + " (Path)"})
		return
	}
	hf := rt.methods[r.Method]
	if hf == nil {
		h.Set("Allow", rt.allow())
		c.fail(errMethodNotAllowed())
		return
	}
	hf(c)
}

// authorized checks the Authorization header of an API call: the SSWS
// token in constant time (full access), or an access token the org issued,
// "Bearer" or "DPoP" with its proof, holding the scope the route needs
// (oauth.go). It returns nil when the call may proceed.
func (o *Org) authorized(c *call, rt *route) *denial {
	scheme, tok, ok := strings.Cut(c.r.Header.Get("Authorization"), " ")
	switch {
	case ok && strings.EqualFold(scheme, "SSWS") && o.validToken(strings.TrimSpace(tok)):
		return nil
	case ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP")):
		return o.authorizeOAuth(c, rt, scheme, strings.TrimSpace(tok))
	}
	return deniedSSWS()
}

// baseURL is scheme://host of the request, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// jsonBase is the base URL escaped for embedding inside a JSON string.
func (c *call) jsonBase() string {
	b, _ := json.Marshal(c.base)
	return string(b[1 : len(b)-1])
}

// reply writes a JSON body with the given status.
func (c *call) reply(status int, body []byte) {
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// fail writes an Okta error answer.
func (c *call) fail(e *apiError) { c.reply(e.status, e.body()) }

// param returns the i-th path parameter.
func (c *call) param(i int) string { return c.params[i] }

// statusWriter reports the status as it is written, and passes Flush and
// Hijack on.
type statusWriter struct {
	http.ResponseWriter
	status   int
	onStatus func(int)
}

// setStatus notes the first status of the answer.
func (w *statusWriter) setStatus(code int) {
	if w.status == 0 {
		w.status = code
		if w.onStatus != nil {
			w.onStatus(code)
		}
	}
}

func (w *statusWriter) WriteHeader(code int) {
	w.setStatus(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.setStatus(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

var errNoHijack = errors.New("sandbox: response writer cannot hijack")

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errNoHijack
	}
	return hj.Hijack()
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newRequestID returns a unique X-Okta-Request-Id: random characters plus a
// per-org counter, 27 characters like Okta's.
func (o *Org) newRequestID() string {
	n := o.seq.Add(1)
	var b [27]byte
	for i := 0; i < 19; i++ {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	for i := 26; i >= 19; i-- {
		b[i] = idAlphabet[n%62]
		n /= 62
	}
	return string(b[:])
}

// newErrorID returns an errorId like Okta's "oae…" identifiers.
func newErrorID() string {
	var b [25]byte
	copy(b[:], "oae")
	for i := 3; i < len(b); i++ {
		b[i] = idAlphabet[rand.IntN(len(idAlphabet))]
	}
	return string(b[:])
}
