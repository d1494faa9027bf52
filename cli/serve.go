package cli

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/okta-mcp/okta-mcp/server"
)

func runServe(ctx context.Context, args []string, env Env) int {
	fs := flagSet("serve", env, true)
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return fail(env, errors.Join(errUsage, errors.New("serve takes no arguments")))
	}
	gcOn := pauseGC()
	defer gcOn()
	r, err := setup(fs, env)
	if err != nil {
		return fail(env, err)
	}
	defer r.close()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if !r.cfg.ExpiresAt.IsZero() {
		// At the --expires-at instant the server stops; calls racing it are refused.
		t := time.AfterFunc(time.Until(r.cfg.ExpiresAt), func() {
			r.logger.Warn("--expires-at reached: shutting down", "expires_at", r.cfg.ExpiresAt)
			stop()
		})
		defer t.Stop()
	}
	opts := r.serverOptions(stop)
	opts.Outbox = new(server.Outbox)
	srv := server.New(opts)
	gcOn()
	limitMemory(r.cfg.Sandbox, env)
	r.logger.Info("serving MCP on stdio", "tools", len(r.selected), "version", Version())
	if n := growPipe(env.Stdout); n > 0 {
		r.logger.Debug("stdout pipe buffer enlarged", "bytes", n)
	}
	err = srv.Run(ctx, &server.StdioTransport{In: env.Stdin, Out: env.Stdout, Outbox: opts.Outbox})
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		r.logger.Error("server stopped", "error", err.Error())
		return ExitToolError
	}
	r.logger.Info("server stopped")
	return ExitOK
}

// pauseGC turns the garbage collector off until the returned function is
// called (once or more). Serve calls it when the server is built: start-up
// allocates a few MB, once, and collecting them in a process whose code is
// not yet paged in cost about 2 ms of the ~10 ms between exec and the
// answer to initialize (BENCHMARKS.md). Not in a test binary, where the
// setting would be process-wide.
func pauseGC() func() {
	if testing.Testing() {
		return func() {}
	}
	old := debug.SetGCPercent(-1)
	var once sync.Once
	return func() { once.Do(func() { debug.SetGCPercent(old) }) }
}

// serveMemoryLimit is the Go runtime's soft memory limit while serving. A
// stdio server lives beside its client for hours and pages through large
// answers (a 1000-event System Log page is ~2 MB from Okta, encoded twice
// more for the client); with the default GC settings the heap grows to
// twice the largest page's garbage. Near the limit the collector runs more
// often instead; below it nothing changes. Measured in BENCHMARKS.md.
const serveMemoryLimit = 16 << 20

// limitMemory sets serveMemoryLimit unless GOMEMLIMIT is set, and not with
// --sandbox (the simulated org lives in the same heap) or in a test binary
// (the limit is process-wide; tests run serve in-process).
func limitMemory(sandbox bool, env Env) {
	if sandbox || env.Getenv("GOMEMLIMIT") != "" || testing.Testing() {
		return
	}
	debug.SetMemoryLimit(serveMemoryLimit)
}
