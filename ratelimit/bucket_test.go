package ratelimit

import "testing"

func TestBucket(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/api/v1/users", "GET /api/v1/users"},
		{"GET", "/api/v1/users?limit=200&after=00u1", "GET /api/v1/users"},
		{"GET", "/api/v1/users/00u1a2b3c4d5e6f7g8h9", "GET /api/v1/users/{id}"},
		{"GET", "/api/v1/users/00u1a2b3c4d5e6f7g8h9/groups", "GET /api/v1/users/{id}/groups"},
		{"GET", "/api/v1/users/jane.doe%40company.com", "GET /api/v1/users/{id}"},
		{"GET", "/api/v1/users/jane.doe@company.com", "GET /api/v1/users/{id}"},
		{"GET", "/api/v1/users/a%2Fb", "GET /api/v1/users/{id}"},
		{"GET", "/api/v1/users/me", "GET /api/v1/users/me"},
		{"POST", "/api/v1/users/00uX/lifecycle/suspend", "POST /api/v1/users/{id}/lifecycle/suspend"},
		{"post", "/api/v1/users/00uX/lifecycle/reset_password?sendEmail=false", "POST /api/v1/users/{id}/lifecycle/reset_password"},
		{"PUT", "/api/v1/groups/00g1/users/00u2", "PUT /api/v1/groups/{id}/users/{id}"},
		{"DELETE", "/api/v1/users/00u1/roles/ra1abc", "DELETE /api/v1/users/{id}/roles/{id}"},
		{"DELETE", "/api/v1/users/00u1/sessions?oauthTokens=true", "DELETE /api/v1/users/{id}/sessions"},
		{"GET", "/api/v1/sessions/102abcDEF", "GET /api/v1/sessions/{id}"},
		{"GET", "/api/v1/logs?since=2024-01-01T00:00:00Z", "GET /api/v1/logs"},
		{"GET", "/api/v1/iam/roles", "GET /api/v1/iam/roles"},
		{"GET", "/api/v1/iam/resource-sets/iamABC/resources", "GET /api/v1/iam/resource-sets/{id}/resources"},
		{"POST", "/oauth2/v1/token", "POST /oauth2/v1/token"},
		{"GET", "/api/v1/users/", "GET /api/v1/users"},
		{"GET", "//api//v1/users", "GET /api/v1/users"},
		{"", "/api/v1/groups", "GET /api/v1/groups"},
		{"GET", "", "GET /"},
		{"GET", "/", "GET /"},
		{"GET", "/api/v1/users#frag", "GET /api/v1/users"},
	}
	for _, tt := range tests {
		if got := Bucket(tt.method, tt.path); got != tt.want {
			t.Errorf("Bucket(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
