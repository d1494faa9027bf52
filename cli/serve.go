package cli

import (
	"context"
	"errors"
	"io"
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
	srv := server.New(r.serverOptions(stop))
	r.logger.Info("serving MCP on stdio", "tools", len(r.selected), "version", Version())
	err = srv.Run(ctx, &server.StdioTransport{In: env.Stdin, Out: env.Stdout})
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		r.logger.Error("server stopped", "error", err.Error())
		return ExitToolError
	}
	r.logger.Info("server stopped")
	return ExitOK
}
