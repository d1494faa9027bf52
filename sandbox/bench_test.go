package sandbox

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func benchGet(b *testing.B, o *Org, target string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "SSWS "+o.Token())
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		o.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		if n++; n%10000 == 0 {
			o.ResetRequests() // keep the request log small
		}
	}
}

// A page of 200 users from a 10,000-user org.
func BenchmarkListUsersPage(b *testing.B) {
	o := New(Options{ExtraUsers: 10000, RateLimit: 1 << 30})
	benchGet(b, o, "http://sandbox.test/api/v1/users?limit=200&after=00um")
}

func BenchmarkSearchUsersPage(b *testing.B) {
	o := New(Options{ExtraUsers: 10000, RateLimit: 1 << 30})
	benchGet(b, o, `http://sandbox.test/api/v1/users?limit=200&search=profile.department+eq+%22Engineering%22+and+status+eq+%22ACTIVE%22`)
}

func BenchmarkGetUser(b *testing.B) {
	o := New(Options{RateLimit: 1 << 30})
	benchGet(b, o, "http://sandbox.test/api/v1/users/jane.doe@company.com")
}

func BenchmarkNew10k(b *testing.B) {
	for b.Loop() {
		New(Options{ExtraUsers: 10000})
	}
}
