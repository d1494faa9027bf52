package ratelimit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// resetEpoch is the X-Rate-Limit-Reset the test servers send. Tests put their
// injected clock a few milliseconds before (or after) it, so waits stay tiny.
const resetEpoch = 2000000000

var resetTime = time.Unix(resetEpoch, 0)

const testJitter = time.Millisecond

const body429 = `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oae1","errorCauses":[]}`

// clock is an injectable Policy.Now.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

// seen is one request as the server saw it.
type seen struct {
	method, path, body string
	header             http.Header
	contentLength      int64
}

// server is an httptest server that records requests and answers the n-th (1-based)
// with handle.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
	n    atomic.Int32
}

func newServer(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, string(b), r.Header.Clone(), r.ContentLength})
		s.mu.Unlock()
		handle(int(s.n.Add(1)), w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func (s *server) count() int { return int(s.n.Load()) }

func setRate(w http.ResponseWriter, limit, remaining int, reset int64) {
	w.Header().Set(headerLimit, strconv.Itoa(limit))
	w.Header().Set(headerRemaining, strconv.Itoa(remaining))
	w.Header().Set(headerReset, strconv.FormatInt(reset, 10))
}

func write429(w http.ResponseWriter, withRate bool) {
	if withRate {
		setRate(w, 100, 0, resetEpoch)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Okta-Request-Id", "req-429")
	w.WriteHeader(http.StatusTooManyRequests)
	io.WriteString(w, body429)
}

// writeOK answers in the window after the one write429 reports exhausted.
func writeOK(w http.ResponseWriter, status int) {
	setRate(w, 100, 99, resetEpoch+60)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, `{"ok":true}`)
}

// dropConnection closes the connection without answering.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// basePolicy is fast: 1 ms jitter, a clock 30 ms before the servers' reset.
func basePolicy(c *clock) Policy {
	return Policy{
		MaxRetries:     2,
		MaxWait:        time.Second,
		MaxConcurrency: 4,
		Jitter:         func() time.Duration { return testJitter },
		Now:            c.Now,
	}
}

// newTestTransport gives a Transport over a fresh, keep-alive-free http.Transport:
// net/http itself retries some requests on reused connections, which would blur the
// attempt counts these tests check.
func newTestTransport(t *testing.T, p Policy) *Transport {
	t.Helper()
	base := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(base.CloseIdleConnections)
	return NewTransport(base, p)
}

type waits struct {
	mu sync.Mutex
	w  []Wait
}

func (ws *waits) observe(w Wait) {
	ws.mu.Lock()
	ws.w = append(ws.w, w)
	ws.mu.Unlock()
}

func (ws *waits) list() []Wait {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return append([]Wait(nil), ws.w...)
}

func do(t *testing.T, tr http.RoundTripper, ctx context.Context, method, u, body string) (*http.Response, string, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(b), nil
}

func TestConcurrencyCap(t *testing.T) {
	var tr *Transport
	var cur, peak atomic.Int32
	var overInFlight atomic.Bool
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		c := cur.Add(1)
		for {
			p := peak.Load()
			if c <= p || peak.CompareAndSwap(p, c) {
				break
			}
		}
		if tr.InFlight() > 4 {
			overInFlight.Store(true)
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
		writeOK(w, http.StatusOK)
	})
	p := basePolicy(newClock(resetTime.Add(-time.Minute)))
	p.MaxConcurrency = 4
	tr = NewTransport(&http.Transport{MaxIdleConnsPerHost: 8}, p)

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			resp, body, err := do(t, tr, context.Background(), "GET", srv.URL+"/api/v1/users/00u"+strconv.Itoa(i), "")
			if err != nil {
				errs <- err
				return
			}
			if resp.StatusCode != 200 || body != `{"ok":true}` {
				errs <- errors.New("unexpected response " + resp.Status + " " + body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := srv.count(); got != 50 {
		t.Errorf("server saw %d requests, want 50", got)
	}
	if got := peak.Load(); got > 4 || got < 2 {
		t.Errorf("peak concurrency at the server = %d, want 2..4", got)
	}
	if overInFlight.Load() {
		t.Error("InFlight() exceeded MaxConcurrency")
	}
	if got := tr.InFlight(); got != 0 {
		t.Errorf("InFlight() after all requests = %d, want 0", got)
	}
	if r, ok := tr.Rate("GET /api/v1/users/{id}"); !ok || r.Limit != 100 || r.Remaining != 99 {
		t.Errorf("Rate = %+v, %v", r, ok)
	}
}

func TestDefaultConcurrency(t *testing.T) {
	for _, n := range []int{0, -3} {
		if got := cap(NewTransport(nil, Policy{MaxConcurrency: n}).sem); got != 8 {
			t.Errorf("MaxConcurrency %d gives %d slots, want 8", n, got)
		}
	}
}

func Test429RetriedAfterReset(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			write429(w, true)
			return
		}
		writeOK(w, http.StatusOK)
	})
	tr := newTestTransport(t, basePolicy(newClock(resetTime.Add(-30*time.Millisecond))))
	var ws waits
	var inFlightDuringWait atomic.Int32
	inFlightDuringWait.Store(-1)
	ctx := WithObserver(context.Background(), func(w Wait) {
		inFlightDuringWait.Store(int32(tr.InFlight()))
		ws.observe(w)
	})

	resp, body, err := do(t, tr, ctx, "GET", srv.URL+"/api/v1/users?limit=2", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || body != `{"ok":true}` {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[0].method != "GET" || reqs[1].path != "/api/v1/users" {
		t.Fatalf("server saw %+v", reqs)
	}
	if reqs[0].header.Get("X-Okta-Retry-Count") != "" {
		t.Error("first attempt carries X-Okta-Retry-Count")
	}
	if got := reqs[1].header.Get("X-Okta-Retry-For"); got != "req-429" {
		t.Errorf("retry X-Okta-Retry-For = %q", got)
	}
	if got := reqs[1].header.Get("X-Okta-Retry-Count"); got != "1" {
		t.Errorf("retry X-Okta-Retry-Count = %q", got)
	}
	want := []Wait{{Bucket: "GET /api/v1/users", Attempt: 2, Delay: 30*time.Millisecond + testJitter, Reason: ReasonRateLimited}}
	if got := ws.list(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("waits = %+v, want %+v", got, want)
	}
	if got := inFlightDuringWait.Load(); got != 0 {
		t.Errorf("InFlight() during the wait = %d, want 0 (slot released)", got)
	}
	if r, ok := tr.Rate("GET /api/v1/users"); !ok || r.Remaining != 99 || !r.Reset.Equal(resetTime.Add(time.Minute)) {
		t.Errorf("Rate = %+v, %v", r, ok)
	}
}

func Test429ReturnedAsIs(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		maxWait    time.Duration
		now        time.Time
		wantCalls  int
		wantWaits  int
	}{
		{"MaxRetries 0", 0, time.Second, resetTime.Add(-30 * time.Millisecond), 1, 0},
		{"wait beyond MaxWait", 2, time.Second, resetTime.Add(-10 * time.Second), 1, 0},
		{"wait equal to reset but jitter tips it over MaxWait", 2, 30 * time.Millisecond, resetTime.Add(-30 * time.Millisecond), 1, 0},
		{"retries used up", 2, time.Second, resetTime.Add(-5 * time.Millisecond), 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { write429(w, true) })
			p := basePolicy(newClock(tt.now))
			p.MaxRetries, p.MaxWait = tt.maxRetries, tt.maxWait
			tr := newTestTransport(t, p)
			var ws waits
			start := time.Now()
			resp, body, err := do(t, tr, WithObserver(context.Background(), ws.observe), "DELETE", srv.URL+"/api/v1/groups/00g1", "")
			if err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
				t.Errorf("took %v", elapsed)
			}
			if resp.StatusCode != 429 || body != body429 {
				t.Errorf("got %d %q, want the 429 as is", resp.StatusCode, body)
			}
			if got, ok := Parse(resp.Header); !ok || got.Remaining != 0 || !got.Reset.Equal(resetTime) {
				t.Errorf("429 rate headers lost: %+v %v", got, ok)
			}
			if got := srv.count(); got != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", got, tt.wantCalls)
			}
			if got := len(ws.list()); got != tt.wantWaits {
				t.Errorf("%d waits, want %d", got, tt.wantWaits)
			}
			if tr.InFlight() != 0 {
				t.Errorf("InFlight = %d", tr.InFlight())
			}
		})
	}
}

func Test429JitterOnly(t *testing.T) {
	tests := []struct {
		name     string
		withRate bool
		now      time.Time
	}{
		{"reset in the past", true, resetTime.Add(10 * time.Second)},
		{"reset equals now", true, resetTime},
		{"headers missing", false, resetTime.Add(-time.Hour)}, // a clock far before any reset: only jitter counts
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					write429(w, tt.withRate)
					return
				}
				writeOK(w, http.StatusOK)
			})
			tr := newTestTransport(t, basePolicy(newClock(tt.now)))
			var ws waits
			resp, _, err := do(t, tr, WithObserver(context.Background(), ws.observe), "GET", srv.URL+"/api/v1/logs", "")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || srv.count() != 2 {
				t.Fatalf("status %d after %d requests", resp.StatusCode, srv.count())
			}
			want := Wait{Bucket: "GET /api/v1/logs", Attempt: 2, Delay: testJitter, Reason: ReasonRateLimited}
			if got := ws.list(); len(got) != 1 || got[0] != want {
				t.Fatalf("waits = %+v, want [%+v]", got, want)
			}
		})
	}
}

func TestRetriesNeverDuplicateWrites(t *testing.T) {
	type failure struct {
		name   string
		status int // 0: drop the connection
	}
	failures := []failure{{"502", 502}, {"503", 503}, {"504", 504}, {"dropped connection", 0}, {"500 (never retried)", 500}}
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	for _, f := range failures {
		for _, m := range methods {
			for _, recovers := range []bool{false, true} {
				name := m + "/" + f.name
				if recovers {
					name += "/then ok"
				}
				t.Run(name, func(t *testing.T) {
					srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
						if recovers && n > 1 {
							writeOK(w, http.StatusOK)
							return
						}
						if f.status == 0 {
							dropConnection(t, w)
							return
						}
						w.WriteHeader(f.status)
					})
					tr := newTestTransport(t, basePolicy(newClock(resetTime)))
					var ws waits
					body := ""
					if m != "GET" && m != "HEAD" && m != "DELETE" {
						body = `{"profile":{"name":"x"}}`
					}
					resp, _, err := do(t, tr, WithObserver(context.Background(), ws.observe), m, srv.URL+"/api/v1/groups/00g1", body)

					retried := (m == "GET" || m == "HEAD") && f.status != 500
					wantCalls := 1
					if retried {
						wantCalls = 2
					}
					if got := srv.count(); got != wantCalls {
						t.Fatalf("server saw %d requests, want %d", got, wantCalls)
					}
					for _, r := range srv.requests() {
						if r.method != m || r.body != body {
							t.Errorf("server saw %s %q", r.method, r.body)
						}
					}
					if got := len(ws.list()); got != wantCalls-1 {
						t.Errorf("%d waits, want %d", got, wantCalls-1)
					}
					switch {
					case retried && recovers:
						if err != nil || resp.StatusCode != 200 {
							t.Fatalf("got %v %v, want 200 after one retry", resp, err)
						}
						reason := "retrying after " + f.name
						if f.status == 0 {
							reason = ReasonDropped
						}
						if w := ws.list()[0]; w.Reason != reason || w.Attempt != 2 || w.Delay != testJitter {
							t.Errorf("wait = %+v", w)
						}
					case f.status == 0:
						var te *TransportError
						if !errors.As(err, &te) || te.Kind != KindConnection {
							t.Fatalf("err = %v, want a connection_error TransportError", err)
						}
						if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
							t.Errorf("error exposes io.EOF, the SDK would retry it forever: %v", err)
						}
					default:
						if err != nil || resp.StatusCode != f.status {
							t.Fatalf("got %v %v, want status %d as is", resp, err, f.status)
						}
					}
					if tr.InFlight() != 0 {
						t.Errorf("InFlight = %d", tr.InFlight())
					}
				})
			}
		}
	}
}

// opaqueReader hides its type so http.NewRequest cannot set GetBody, as with the SDK.
type opaqueReader struct{ r io.Reader }

func (o *opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func Test429OnWriteRetriedWithIdenticalBody(t *testing.T) {
	const payload = `{"profile":{"login":"jane.doe@company.com","email":"jane.doe@company.com"}}`
	tests := []struct {
		name    string
		method  string
		body    func() io.Reader
		want    string
		wantLen int64
	}{
		{"POST with GetBody", "POST", func() io.Reader { return bytes.NewReader([]byte(payload)) }, payload, int64(len(payload))},
		{"POST without GetBody", "POST", func() io.Reader { return &opaqueReader{strings.NewReader(payload)} }, payload, int64(len(payload))},
		{"PUT", "PUT", func() io.Reader { return strings.NewReader(payload) }, payload, int64(len(payload))},
		{"lifecycle POST with empty body", "POST", func() io.Reader { return http.NoBody }, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					write429(w, true)
					return
				}
				writeOK(w, http.StatusCreated)
			})
			tr := newTestTransport(t, basePolicy(newClock(resetTime.Add(-5*time.Millisecond))))
			req, err := http.NewRequest(tt.method, srv.URL+"/api/v1/users?activate=true", tt.body())
			if err != nil {
				t.Fatal(err)
			}
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d", resp.StatusCode)
			}
			reqs := srv.requests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(reqs))
			}
			for i, r := range reqs {
				if r.method != tt.method || r.body != tt.want || r.contentLength != tt.wantLen {
					t.Errorf("attempt %d: %s body %q length %d, want %s %q length %d",
						i+1, r.method, r.body, r.contentLength, tt.method, tt.want, tt.wantLen)
				}
			}
			if got := reqs[1].header.Get("Content-Length"); got != strconv.FormatInt(tt.wantLen, 10) {
				t.Errorf("retry Content-Length header = %q", got)
			}
		})
	}
}

func TestReserve(t *testing.T) {
	tests := []struct {
		name       string
		remaining  int       // what the first response reports (limit 100)
		now        time.Time // clock for the second request
		maxWait    time.Duration
		path2      string
		wantWait   bool
		wantRefuse bool
	}{
		{"at reserve waits for reset", 10, resetTime.Add(-30 * time.Millisecond), time.Second, "/api/v1/users", true, false},
		{"below reserve waits for reset", 0, resetTime.Add(-30 * time.Millisecond), time.Second, "/api/v1/users", true, false},
		{"beyond MaxWait refuses", 5, resetTime.Add(-30 * time.Millisecond), 10 * time.Millisecond, "/api/v1/users", false, true},
		{"above reserve proceeds", 11, resetTime.Add(-30 * time.Millisecond), time.Second, "/api/v1/users", false, false},
		{"reset passed proceeds", 5, resetTime.Add(time.Millisecond), time.Second, "/api/v1/users", false, false},
		{"other bucket proceeds", 5, resetTime.Add(-30 * time.Millisecond), 10 * time.Millisecond, "/api/v1/groups", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				setRate(w, 100, tt.remaining, resetEpoch)
				w.WriteHeader(http.StatusOK)
			})
			c := newClock(resetTime.Add(-time.Minute))
			p := basePolicy(c)
			p.ReservePct, p.MaxWait = 10, tt.maxWait
			tr := newTestTransport(t, p)
			if _, _, err := do(t, tr, context.Background(), "GET", srv.URL+"/api/v1/users", ""); err != nil {
				t.Fatal(err)
			}
			c.Set(tt.now)
			var ws waits
			resp, _, err := do(t, tr, WithObserver(context.Background(), ws.observe), "GET", srv.URL+tt.path2, "")
			if tt.wantRefuse {
				var re *ReserveError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want *ReserveError", err)
				}
				if re.Bucket != "GET /api/v1/users" || re.Rate.Remaining != tt.remaining || re.Rate.Limit != 100 || re.RetryAfter != 30*time.Millisecond {
					t.Errorf("ReserveError = %+v", re)
				}
				if !strings.Contains(re.Error(), "GET /api/v1/users") {
					t.Errorf("Error() = %q", re.Error())
				}
				if srv.count() != 1 {
					t.Errorf("server saw %d requests; a refused request must not be sent", srv.count())
				}
				return
			}
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("got %v %v", resp, err)
			}
			if srv.count() != 2 {
				t.Errorf("server saw %d requests, want 2", srv.count())
			}
			got := ws.list()
			if !tt.wantWait {
				if len(got) != 0 {
					t.Errorf("waits = %+v, want none", got)
				}
				return
			}
			want := Wait{Bucket: "GET /api/v1/users", Attempt: 1, Delay: 30*time.Millisecond + testJitter, Reason: ReasonReserve}
			if len(got) != 1 || got[0] != want {
				t.Errorf("waits = %+v, want [%+v]", got, want)
			}
		})
	}
}

func TestReserveDisabledByZero(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		setRate(w, 100, 0, resetEpoch)
		w.WriteHeader(http.StatusOK)
	})
	p := basePolicy(newClock(resetTime.Add(-10 * time.Second)))
	p.MaxWait = 0
	tr := newTestTransport(t, p)
	for range 2 {
		if _, _, err := do(t, tr, context.Background(), "GET", srv.URL+"/api/v1/users", ""); err != nil {
			t.Fatal(err)
		}
	}
	if srv.count() != 2 {
		t.Errorf("server saw %d requests", srv.count())
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name   string
		method string
		handle func(w http.ResponseWriter, r *http.Request)
	}{
		{"no headers", "GET", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}},
		{"body stalls", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"partial":`)
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}},
		{"POST", "POST", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { tt.handle(w, r) })
			p := basePolicy(newClock(resetTime))
			p.Timeout = 50 * time.Millisecond
			tr := newTestTransport(t, p)
			start := time.Now()
			body := ""
			if tt.method == "POST" {
				body = "{}"
			}
			_, _, err := do(t, tr, context.Background(), tt.method, srv.URL+"/api/v1/users", body)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("took %v", elapsed)
			}
			var te *TransportError
			if !errors.As(err, &te) || te.Kind != KindTimeout {
				t.Fatalf("err = %v, want a timeout TransportError", err)
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error exposes its cause to errors.Is: %v", err)
			}
			var ue *url.Error
			if !errors.As(err, &ue) || !ue.Timeout() {
				t.Errorf("url.Error.Timeout() is false for %v", err)
			}
			if srv.count() != 1 {
				t.Errorf("server saw %d requests; a timeout is not retried", srv.count())
			}
			if tr.InFlight() != 0 {
				t.Errorf("InFlight = %d", tr.InFlight())
			}
		})
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { write429(w, true) })
	p := basePolicy(newClock(resetTime.Add(-5 * time.Second))) // a 5 s wait, within MaxWait
	p.MaxWait = 10 * time.Second
	tr := newTestTransport(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan Wait, 1)
	ctx = WithObserver(ctx, func(w Wait) { waiting <- w })
	go func() {
		<-waiting
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	_, _, err := do(t, tr, ctx, "GET", srv.URL+"/api/v1/users", "")
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("cancel took %v to take effect", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if tr.InFlight() != 0 {
		t.Errorf("InFlight = %d", tr.InFlight())
	}
	if srv.count() != 1 {
		t.Errorf("server saw %d requests", srv.count())
	}
}

func TestCancelInFlight(t *testing.T) {
	aborted := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			close(aborted)
		case <-time.After(5 * time.Second):
		}
	})
	tr := newTestTransport(t, basePolicy(newClock(resetTime)))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := do(t, tr, ctx, "GET", srv.URL+"/api/v1/users", "")
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("cancel took %v to take effect", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var te *TransportError
	if errors.As(err, &te) {
		t.Errorf("a cancellation is not a TransportError: %v", err)
	}
	if tr.InFlight() != 0 {
		t.Errorf("InFlight = %d", tr.InFlight())
	}
	select {
	case <-aborted:
	case <-time.After(2 * time.Second):
		t.Error("the server never saw the request aborted")
	}
	if srv.count() != 1 {
		t.Errorf("server saw %d requests; a cancelled GET is not retried", srv.count())
	}
}

func TestAcquireHonoursContext(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusOK)
	})
	p := basePolicy(newClock(resetTime))
	p.MaxConcurrency = 1
	tr := newTestTransport(t, p)

	first := make(chan error, 1)
	go func() {
		_, _, err := do(t, tr, context.Background(), "GET", srv.URL+"/api/v1/users", "")
		first <- err
	}()
	for srv.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	if tr.InFlight() != 1 {
		t.Errorf("InFlight = %d, want 1", tr.InFlight())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := do(t, tr, ctx, "GET", srv.URL+"/api/v1/groups", "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("took %v", elapsed)
	}
	if srv.count() != 1 {
		t.Errorf("server saw %d requests; the second must never be sent", srv.count())
	}
	if tr.InFlight() != 1 {
		t.Errorf("InFlight = %d, want 1 (the blocked request's slot only)", tr.InFlight())
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if tr.InFlight() != 0 {
		t.Errorf("InFlight = %d", tr.InFlight())
	}
}

func TestSlotFreeWhileWaiting(t *testing.T) {
	// MaxConcurrency 1: a request waiting out a 429 must not block another request.
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/users" && n == 1 {
			write429(w, true)
			return
		}
		writeOK(w, http.StatusOK)
	})
	p := basePolicy(newClock(resetTime.Add(-300 * time.Millisecond)))
	p.MaxConcurrency = 1
	tr := newTestTransport(t, p)
	waiting := make(chan struct{})
	ctx := WithObserver(context.Background(), func(Wait) { close(waiting) })
	slow := make(chan time.Time, 1)
	go func() {
		do(t, tr, ctx, "GET", srv.URL+"/api/v1/users", "")
		slow <- time.Now()
	}()
	<-waiting
	if _, _, err := do(t, tr, context.Background(), "GET", srv.URL+"/api/v1/groups", ""); err != nil {
		t.Fatal(err)
	}
	fastDone := time.Now()
	if slowDone := <-slow; !fastDone.Before(slowDone) {
		t.Error("the second request waited for the first one's rate-limit wait")
	}
	if srv.count() != 3 {
		t.Errorf("server saw %d requests, want 3", srv.count())
	}
}

func TestRecord(t *testing.T) {
	tr := NewTransport(nil, Policy{})
	b := "GET /api/v1/users"
	at := func(sec int64) time.Time { return time.Unix(sec, 0) }
	steps := []struct {
		in   Rate
		want Rate
	}{
		{Rate{100, 90, at(1000)}, Rate{100, 90, at(1000)}},
		{Rate{100, 95, at(1000)}, Rate{100, 90, at(1000)}}, // same window, late response: keep the lower
		{Rate{100, 80, at(1000)}, Rate{100, 80, at(1000)}},
		{Rate{100, 99, at(940)}, Rate{100, 80, at(1000)}},  // older window: ignored
		{Rate{0, 0, at(2000)}, Rate{100, 80, at(1000)}},    // concurrency 429: not the bucket's budget
		{Rate{100, 99, at(1060)}, Rate{100, 99, at(1060)}}, // next window
	}
	for i, s := range steps {
		tr.record(b, s.in)
		got, ok := tr.Rate(b)
		if !ok || got.Limit != s.want.Limit || got.Remaining != s.want.Remaining || !got.Reset.Equal(s.want.Reset) {
			t.Fatalf("step %d: Rate = %+v, want %+v", i, got, s.want)
		}
	}
	if _, ok := tr.Rate("GET /api/v1/groups"); ok {
		t.Error("unknown bucket reported as known")
	}
}

func TestErrorTexts(t *testing.T) {
	te := &TransportError{Kind: KindConnection, Err: io.EOF}
	if got := te.Error(); got != "okta request failed: connection_error: EOF" {
		t.Errorf("Error() = %q", got)
	}
	if errors.Is(te, io.EOF) || errors.Unwrap(te) != nil {
		t.Error("TransportError exposes its cause")
	}
	if te.Timeout() || !(&TransportError{Kind: KindTimeout}).Timeout() {
		t.Error("Timeout() wrong")
	}
	re := &ReserveError{Bucket: "GET /api/v1/logs", Rate: Rate{Limit: 100, Remaining: 3}, RetryAfter: 1500 * time.Millisecond}
	if got := re.Error(); !strings.Contains(got, "3 of 100") || !strings.Contains(got, "2s") {
		t.Errorf("Error() = %q", got)
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
	tr := newTestTransport(t, basePolicy(newClock(resetTime)))
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/users", strings.NewReader("{}"))
	req.Header.Set("Authorization", "SSWS 00secretTOKENvalue")
	_, err := tr.RoundTrip(req)
	if err == nil || strings.Contains(err.Error(), "00secretTOKENvalue") {
		t.Fatalf("err = %v", err)
	}
}
