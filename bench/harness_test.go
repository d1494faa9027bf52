// Package bench measures okta-mcp as its users run it: the built binary
// spawned over stdio, talking to the simulated org (package sandbox) on
// loopback. bench/run.sh builds the binary once and runs every benchmark;
// each benchmark reports its figures with b.ReportMetric and, when
// BENCH_REPORT names a file, appends one line per figure with its target
// and whether it is met.
package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/sandbox"
	"github.com/okta-mcp/okta-mcp/tools"
)

// binary is the okta-mcp binary under test: $OKTA_MCP_BIN (run.sh builds it
// once), else built here once per test process.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func binary(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("OKTA_MCP_BIN"); p != "" {
			binPath, binErr = filepath.Abs(p)
			return
		}
		binDir, binErr = os.MkdirTemp("", "okta-mcp-bench-bin")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "okta-mcp")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/okta-mcp/okta-mcp")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	// The in-process benchmarks measure the server as it runs: tests check
	// every result against its output schema, the server does not.
	tools.CheckOutputs = false
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// startSandbox serves a simulated org on loopback for the benchmark. The
// rate limit is lifted unless opts sets one: the figures are about
// okta-mcp, not about waiting for a window to reset.
func startSandbox(tb testing.TB, opts sandbox.Options) *sandbox.Server {
	tb.Helper()
	if opts.RateLimit == 0 {
		opts.RateLimit = 1 << 30
	}
	s, err := sandbox.Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// serverEnv is the environment of a spawned server: this process's, minus
// every OKTA_* setting, plus the org's API token, a temporary HOME and a
// keyring service name nobody uses. The keyring is still asked (it always
// is: an entry there wins over OKTA_API_TOKEN), and answers "not found" or
// "unavailable" at once; the start-up figure includes that lookup.
func serverEnv(tb testing.TB, token string) []string {
	tb.Helper()
	home := tb.TempDir()
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OKTA_") || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "OKTA_API_TOKEN="+token,
		"OKTA_MCP_KEYRING_SERVICE=okta-mcp-bench-"+strconv.Itoa(os.Getpid()), "OKTA_MCP_LOG_LEVEL=warn")
}

// proc is a spawned okta-mcp serve process and a JSON-RPC client on its
// stdio. Calls may be made concurrently; responses are matched by id.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	stderr  bytes.Buffer
	started time.Time // just before the process was started

	wmu     sync.Mutex
	id      atomic.Int64
	mu      sync.Mutex
	pending map[int64]chan []byte
	done    chan struct{}
	readErr error
}

// spawn starts the binary with serve args in env. It returns once the
// process runs; nothing has been sent yet.
func spawn(tb testing.TB, env []string, args ...string) *proc {
	tb.Helper()
	p := &proc{pending: map[int64]chan []byte{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary(tb), append([]string{"serve"}, args...)...)
	p.cmd.Env = env
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go p.read(stdout)
	return p
}

func (p *proc) read(r io.Reader) {
	defer close(p.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if h, err := readHead(line); err == nil && h.id != nil {
				p.mu.Lock()
				ch := p.pending[*h.id]
				delete(p.pending, *h.id)
				p.mu.Unlock()
				if ch != nil {
					ch <- line
				}
			}
		}
		if err != nil {
			p.mu.Lock()
			p.readErr = err
			p.mu.Unlock()
			return
		}
	}
}

func (p *proc) send(msg map[string]any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err = p.stdin.Write(append(b, '\n'))
	return err
}

// call sends a request and returns the raw response line.
func (p *proc) call(method string, params any) ([]byte, error) {
	id := p.id.Add(1)
	ch := make(chan []byte, 1)
	p.mu.Lock()
	p.pending[id] = ch
	p.mu.Unlock()
	msg := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if err := p.send(msg); err != nil {
		return nil, err
	}
	select {
	case line := <-ch:
		return line, nil
	case <-p.done:
		select {
		case line := <-ch:
			return line, nil
		default:
		}
		return nil, fmt.Errorf("server closed stdout before answering %s (stderr: %s)", method, p.stderr.String())
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("no answer to %s within 60s", method)
	}
}

// initialize runs the MCP handshake.
func (p *proc) initialize() error {
	line, err := p.call("initialize", map[string]any{
		"protocolVersion": "2025-06-18",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "okta-mcp-bench", "version": "1"},
	})
	if err != nil {
		return err
	}
	if err := rpcError(line); err != nil {
		return err
	}
	return p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
}

// callTool calls a tool and returns the raw response line.
func (p *proc) callTool(name string, args any) ([]byte, error) {
	line, err := p.call("tools/call", map[string]any{"name": name, "arguments": args})
	if err != nil {
		return nil, err
	}
	return line, rpcError(line)
}

// toolResult is the part of a tools/call response the benchmarks read.
type toolResult struct {
	Result struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent json.RawMessage `json:"structuredContent"`
		IsError           bool            `json:"isError"`
	} `json:"result"`
}

// decodeTool decodes a tools/call response line and fails on a tool error.
func decodeTool(line []byte) (*toolResult, error) {
	var r toolResult
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, err
	}
	if r.Result.IsError {
		return nil, fmt.Errorf("tool error: %.500s", line)
	}
	return &r, nil
}

// text is the result's text content.
func (r *toolResult) text() string {
	for _, c := range r.Result.Content {
		if c.Type == "text" {
			return c.Text
		}
	}
	return ""
}

// head is what the client needs of a message to route it: its id, and
// its error if it is an error response.
type head struct {
	id     *int64
	result bool
	err    json.RawMessage
}

// readHead reads a message's top-level members up to "result" or "error",
// so that routing a large response does not decode it (the SDK writes
// jsonrpc and id before result). The decode is the client's to time.
func readHead(line []byte) (head, error) {
	var h head
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return h, fmt.Errorf("not a JSON object: %.100q", line)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return h, err
		}
		switch tok {
		case "result":
			h.result = true
			return h, nil
		case "error":
			err = dec.Decode(&h.err)
			return h, err
		case "id":
			var id int64
			if err := dec.Decode(&id); err == nil {
				h.id = &id
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return h, err
			}
		}
	}
	return h, nil
}

func rpcError(line []byte) error {
	h, err := readHead(line)
	if err != nil {
		return fmt.Errorf("bad response line %.200q: %v", line, err)
	}
	if h.err != nil {
		return fmt.Errorf("JSON-RPC error: %s", h.err)
	}
	if !h.result {
		return fmt.Errorf("response without result: %.200q", line)
	}
	return nil
}

// peakRSS is the process's VmHWM (peak resident set) in bytes.
func (p *proc) peakRSS() (int64, error) {
	return procStatus(p.cmd.Process.Pid, "VmHWM")
}

func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			f := strings.Fields(v)
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// stop closes stdin (the server exits on EOF) and waits for the process.
func (p *proc) stop() error {
	p.stdin.Close()
	errc := make(chan error, 1)
	go func() { errc <- p.cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("%v (stderr: %s)", err, p.stderr.String())
		}
		return nil
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-errc
		return errors.New("server did not exit within 10s of stdin closing")
	}
}

// started spawns a server and completes the handshake; it is stopped when
// the benchmark ends.
func started(tb testing.TB, s *sandbox.Server, args ...string) *proc {
	tb.Helper()
	p := spawn(tb, serverEnv(tb, s.Org.Token()), append([]string{"--org-url", s.URL}, args...)...)
	tb.Cleanup(func() { p.stop() })
	if err := p.initialize(); err != nil {
		tb.Fatal(err)
	}
	return p
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report records one figure: as a benchmark metric, and as a line of the
// BENCH_REPORT file that run.sh prints. target is "" for figures that are
// shown but have no target.
func report(b *testing.B, figure string, value float64, unit, target string, met bool) {
	// A benchmark keeps one metric per unit: name the unit after the figure.
	b.ReportMetric(value, unit+"("+metricName(figure)+")")
	path := os.Getenv("BENCH_REPORT")
	if path == "" {
		return
	}
	verdict := "-"
	if target != "" {
		verdict = "not met"
		if met {
			verdict = "met"
		}
	}
	v := strconv.FormatFloat(value, 'f', -1, 64)
	if value != float64(int64(value)) {
		v = strconv.FormatFloat(value, 'f', 3, 64)
	}
	line := fmt.Sprintf("%-54s %12s %-8s %-18s %s\n", figure, v, unit, target, verdict)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		b.Fatal(err)
	}
}

// metricName shortens a figure's name into a benchmark unit: no spaces.
func metricName(figure string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(figure) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
