package server

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// filter runs filterLines over input and returns what it forwarded to the
// session and what it answered itself.
func filter(t *testing.T, input string) (forwarded, answered []string) {
	t.Helper()
	pr, pw := io.Pipe()
	var out bytes.Buffer
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(pr)
		done <- b
	}()
	filterLines(strings.NewReader(input), pw, &out, new(atomic.Bool))
	fw := strings.TrimSpace(string(<-done))
	if fw != "" {
		forwarded = strings.Split(fw, "\n")
	}
	if a := strings.TrimSpace(out.String()); a != "" {
		answered = strings.Split(a, "\n")
	}
	return forwarded, answered
}

func TestFilterLines(t *testing.T) {
	t.Parallel()
	ping := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	tests := []struct {
		name      string
		input     string
		forwarded int
		codes     []int
		ids       []any
	}{
		{"valid lines pass", ping + "\n" + ping + "\r\n", 2, nil, nil},
		{"blank lines skipped", "\n  \n" + ping + "\n", 1, nil, nil},
		{"no trailing newline", ping, 1, nil, nil},
		{"not json", "hello\n" + ping + "\n", 1, []int{-32700}, []any{nil}},
		{"truncated json", `{"jsonrpc":"2.0","id":1,` + "\n" + ping + "\n", 1, []int{-32700}, []any{nil}},
		{"not a message keeps id", `{"jsonrpc":"2.0","id":7,"method":5}` + "\n", 0, []int{-32600}, []any{float64(7)}},
		{"json scalar", "42\n", 0, []int{-32600}, []any{nil}},
		{"batch passes to the session", "[" + ping + "]\n", 1, nil, nil},
		{"too long", `{"x":"` + strings.Repeat("a", MaxLineLength) + "\"}\n" + ping + "\n", 1, []int{-32600}, []any{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fw, ans := filter(t, tt.input)
			if len(fw) != tt.forwarded {
				t.Errorf("forwarded %d lines, want %d", len(fw), tt.forwarded)
			}
			if len(ans) != len(tt.codes) {
				t.Fatalf("answered %q, want codes %v", ans, tt.codes)
			}
			for i, a := range ans {
				var m struct {
					JSONRPC string `json:"jsonrpc"`
					ID      any    `json:"id"`
					Error   struct {
						Code int `json:"code"`
					} `json:"error"`
				}
				if err := json.Unmarshal([]byte(a), &m); err != nil || m.JSONRPC != "2.0" || m.Error.Code != tt.codes[i] || m.ID != tt.ids[i] {
					t.Errorf("answer %q: want code %d id %v", a, tt.codes[i], tt.ids[i])
				}
			}
		})
	}
}
