package audit

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordAppendsRedactedLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"id": "00u1", "profile": map[string]any{"title": "CTO", "password": "hunter2"}, "api_token": "s3cr3t"}
	for _, c := range []string{Accepted, Declined} {
		if err := l.Record(t.Context(), Entry{Tool: "okta_users_suspend", Arguments: args, Confirmation: c, Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "hunter2") || strings.Contains(string(raw), "s3cr3t") {
		t.Fatalf("secret in audit log: %s", raw)
	}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	var n int
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Tool != "okta_users_suspend" || e.Time.IsZero() {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d lines, want 2", n)
	}
	// The caller's arguments are not modified.
	if args["api_token"] != "s3cr3t" {
		t.Error("Redact modified its input")
	}
}

func TestOpenUnwritable(t *testing.T) {
	t.Parallel()
	if _, err := Open(filepath.Join(t.TempDir(), "missing-dir", "audit.jsonl"), nil); err == nil {
		t.Fatal("unwritable audit file accepted")
	}
}
