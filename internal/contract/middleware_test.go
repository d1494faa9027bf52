package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// tinyOkta answers a handful of routes the way the sandbox would, some of them wrongly.
func tinyOkta() http.Handler {
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Okta-Request-Id", "req-1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
	mux.HandleFunc("GET /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, usersPage)
	})
	mux.HandleFunc("GET /api/v1/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "00u1a2b3c4d5e":
			// One user, but with a status the contract does not know.
			user := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(usersPage), "["), "]")
			user = user[:strings.Index(user, "\n  },")+4]
			writeJSON(w, http.StatusOK, strings.Replace(user, `"status": "ACTIVE"`, `"status": "ENABLED"`, 1))
		default:
			writeJSON(w, http.StatusNotFound, notFoundBody)
		}
	})
	mux.HandleFunc("POST /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		// The handler must still see the body the recorder read.
		b, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(b), `"login"`) {
			writeJSON(w, http.StatusBadRequest, `{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorCauses":[{"errorSummary":"login: The field cannot be left blank"}]}`)
			return
		}
		user := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(usersPage), "["), "]")
		writeJSON(w, http.StatusOK, user[:strings.Index(user, "\n  },")+4])
	})
	mux.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusTooManyRequests, rateLimitedBody)
	})
	mux.HandleFunc("DELETE /api/v1/sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /api/v1/sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		// Fault injection: drop the connection.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	mux.HandleFunc("POST /oauth2/v1/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"access_token":"x","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, notFoundBody)
	})
	return mux
}

func do(t *testing.T, client *http.Client, method, url, body string) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS 00abcdefghijklmnopqrstuvwxyz")
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0 // dropped connection
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestMiddlewareRecordsViolations(t *testing.T) {
	v := validator(t)
	rec := v.Middleware(tinyOkta(), SkipPathPrefix("/oauth2/"))
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := srv.Client()

	// Valid exchanges.
	if got := do(t, c, "GET", srv.URL+"/api/v1/users?limit=2", ""); got != 200 {
		t.Fatalf("list users: status %d", got)
	}
	do(t, c, "GET", srv.URL+"/api/v1/users/00unope", "")
	do(t, c, "GET", srv.URL+"/api/v1/groups?limit=1", "")
	do(t, c, "DELETE", srv.URL+"/api/v1/sessions/102abcDEF", "")
	if got := do(t, c, "POST", srv.URL+"/api/v1/users?activate=false", `{"profile":{"firstName":"A","lastName":"B","email":"a.b@company.com","login":"a.b@company.com"}}`); got != 200 {
		t.Fatalf("create user: status %d (the handler did not get the body?)", got)
	}
	do(t, c, "POST", srv.URL+"/oauth2/v1/token?grant_type=client_credentials", "") // skipped
	// Hijacked: the request is checked, there is no response. A fresh connection, so
	// that the client does not retry the GET on a reused one.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if got := do(t, fresh, "GET", srv.URL+"/api/v1/sessions/102dropped", ""); got != 0 {
		t.Fatalf("dropped connection: status %d", got)
	}
	if n := len(rec.Violations()); n != 0 {
		t.Fatalf("valid exchanges recorded violations: %v", rec.Err())
	}
	if got := rec.Checked(); got != 6 {
		t.Errorf("Checked() = %d after 6 checked exchanges (and one skipped)", got)
	}

	// Invalid ones.
	do(t, c, "GET", srv.URL+"/api/v1/users?limit=abc", "")
	do(t, c, "GET", srv.URL+"/api/v1/users/00u1a2b3c4d5e", "")
	do(t, c, "GET", srv.URL+"/api/v1/nowhere", "")
	do(t, c, "POST", srv.URL+"/api/v1/users", `{"profile":{"firstName":"A"},"credentials":{"password":{"value":1}}}`)

	got := rec.Violations()
	want := []struct {
		v     Violation
		inErr []string
	}{
		{Violation{Method: "GET", Path: "/api/v1/users", Kind: "request"}, []string{"listUsers", `query parameter "limit"`, "abc"}},
		{Violation{Method: "GET", Path: "/api/v1/users/00u1a2b3c4d5e", Kind: "response", Status: 200}, []string{"getUser", "body.status", `"ENABLED"`, "allowed values"}},
		{Violation{Method: "GET", Path: "/api/v1/nowhere", Kind: "request"}, []string{"no operation in openapi.yaml"}},
		// Its response, a well-formed 400 Okta error, is no violation.
		{Violation{Method: "POST", Path: "/api/v1/users", Kind: "request"}, []string{"createUser", "body.credentials.password.value", "string"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d violations, want %d:\n%v", len(got), len(want), rec.Err())
	}
	for i, w := range want {
		g := got[i]
		if g.Method != w.v.Method || g.Path != w.v.Path || g.Kind != w.v.Kind || g.Status != w.v.Status {
			t.Errorf("violation %d = %+v, want %+v", i, g, w.v)
		}
		for _, f := range w.inErr {
			if !strings.Contains(g.Err, f) {
				t.Errorf("violation %d: %q does not contain %q", i, g.Err, f)
			}
		}
	}
	if got := rec.Checked(); got != 10 {
		t.Errorf("Checked() = %d, want 10", got)
	}
	if err := rec.Err(); err == nil || !strings.Contains(err.Error(), "4 contract violation(s)") {
		t.Errorf("Err() = %v", err)
	}
	rec.Reset()
	if rec.Checked() != 0 || rec.Violations() != nil {
		t.Errorf("Reset left %d checked, %v", rec.Checked(), rec.Violations())
	}
}

func TestMiddlewareConcurrent(t *testing.T) {
	v := validator(t)
	rec := v.Middleware(tinyOkta())
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%4 == 0 {
				do(t, srv.Client(), "GET", srv.URL+"/api/v1/users?limit=abc", "")
			} else {
				do(t, srv.Client(), "GET", srv.URL+"/api/v1/users?limit=2", "")
			}
		}()
	}
	wg.Wait()
	if got := rec.Checked(); got != 16 {
		t.Errorf("Checked() = %d, want 16", got)
	}
	if got := len(rec.Violations()); got != 4 {
		t.Errorf("%d violations, want 4: %v", got, rec.Err())
	}
}

func TestMiddlewareHandlerPanic(t *testing.T) {
	v := validator(t)
	rec := v.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler) // how a handler drops a connection
	}))
	srv := httptest.NewServer(rec)
	defer srv.Close()
	do(t, srv.Client(), "GET", srv.URL+"/api/v1/users?limit=abc", "")
	vs := rec.Violations()
	if rec.Checked() != 1 || len(vs) != 1 || vs[0].Kind != "request" {
		t.Errorf("after a panicking handler: checked %d, violations %v", rec.Checked(), vs)
	}
}
