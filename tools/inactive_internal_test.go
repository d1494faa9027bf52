package tools

import (
	"encoding/json"
	"testing"
	"time"
)

// TestInactiveItemBoundary: a user is inactive when lastLogin is strictly
// before the cutoff, or null.
func TestInactiveItemBoundary(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cutoff := asOf.Add(-90 * 24 * time.Hour)
	proj, _ := newProjection(userFields, nil)
	ms := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
	cases := []struct {
		lastLogin string
		want      string // "" = not inactive
	}{
		{`"` + ms(cutoff) + `"`, ""},
		{`"` + ms(cutoff.Add(time.Millisecond)) + `"`, ""},
		{`"` + ms(cutoff.Add(-time.Millisecond)) + `"`, `{"id":"u","lastLogin":"` + ms(cutoff.Add(-time.Millisecond)) + `","days_since_login":90,"never_logged_in":false}`},
		{`"` + ms(asOf.Add(-400*24*time.Hour-time.Hour)) + `"`, `{"id":"u","lastLogin":"` + ms(asOf.Add(-400*24*time.Hour-time.Hour)) + `","days_since_login":400,"never_logged_in":false}`},
		{`null`, `{"id":"u","lastLogin":null,"days_since_login":null,"never_logged_in":true}`},
		{`42`, ""},          // unreadable: not reported
		{`"yesterday"`, ""}, // unreadable: not reported
	}
	for _, tc := range cases {
		raw := json.RawMessage(`{"id":"u","lastLogin":` + tc.lastLogin + `,"_links":{}}`)
		got, err := inactiveItem(raw, proj, asOf, cutoff)
		if err != nil || string(got) != tc.want {
			t.Errorf("lastLogin %s: got %s, %v; want %s", tc.lastLogin, got, err, tc.want)
		}
	}
	// Absent lastLogin counts as never, and an empty projection still
	// yields a valid object.
	empty, _ := newProjection([]string{"nothing"}, nil)
	if got, err := inactiveItem(json.RawMessage(`{"id":"u"}`), empty, asOf, cutoff); err != nil || string(got) != `{"days_since_login":null,"never_logged_in":true}` {
		t.Errorf("no lastLogin: %s, %v", got, err)
	}
}
