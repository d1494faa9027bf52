// Package audit records every write attempt: one JSON line per attempt,
// appended to the --audit-log file and flushed to disk before the tool
// returns, and an info line in the server log.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// Confirmation outcomes.
const (
	Accepted    = "accepted"     // the human accepted the prompt
	Declined    = "declined"     // the human declined
	Cancelled   = "cancelled"    // the human dismissed the prompt
	NotAsked    = "not_required" // --confirm never
	DryRun      = "dry_run"      // nothing sent
	Unsupported = "unsupported"  // the client cannot elicit; refused
	Refused     = "refused"      // the confirmation state was invalid or the target changed
)

// Entry is one write attempt.
type Entry struct {
	Time         time.Time      `json:"time"`
	Tool         string         `json:"tool"`
	Arguments    map[string]any `json:"arguments"`
	Confirmation string         `json:"confirmation"`
	Method       string         `json:"method,omitempty"`
	Path         string         `json:"path,omitempty"`
	Status       int            `json:"status,omitempty"` // Okta's HTTP status; 0 when nothing was sent or no answer came
	RequestID    string         `json:"okta_request_id,omitempty"`
	Error        string         `json:"error,omitempty"`
}

// Log writes entries. A nil *Log or one without a file only logs to slog.
type Log struct {
	logger *slog.Logger
	mu     sync.Mutex
	f      *os.File
}

// Open opens (creating, appending) the audit file; path "" means no file.
// An unwritable file is an error, never a silent loss.
func Open(path string, logger *slog.Logger) (*Log, error) {
	l := &Log{logger: logger}
	if path == "" {
		return l, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open --audit-log: %w", err)
	}
	l.f = f
	return l, nil
}

// Close closes the file.
func (l *Log) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// Record writes e, with secrets in its arguments redacted, and syncs the file.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if l == nil {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	e.Arguments = Redact(e.Arguments)
	if l.logger != nil {
		l.logger.InfoContext(ctx, "write attempt", "tool", e.Tool, "confirmation", e.Confirmation, "status", e.Status, "okta_request_id", e.RequestID, "error", e.Error)
	}
	if l.f == nil {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit: write: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit: sync: %w", err)
	}
	return nil
}

// secretKeys are argument names whose values never reach the audit log.
var secretKeys = []string{"password", "secret", "token", "credential", "private_key", "recovery"}

// Redact returns a copy of args with secret-looking values replaced.
func Redact(args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		out[k] = redactValue(k, v)
	}
	return out
}

func redactValue(key string, v any) any {
	lk := strings.ToLower(key)
	for _, s := range secretKeys {
		if strings.Contains(lk, s) {
			return "[REDACTED]"
		}
	}
	switch t := v.(type) {
	case map[string]any:
		return Redact(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = redactValue(key, x)
		}
		return out
	}
	return v
}
