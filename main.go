// Command okta-mcp is an MCP server over stdin/stdout that lets an AI agent
// audit and administer an Okta org. main only guards stdout and hands the
// command line to package cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/okta-mcp/okta-mcp/cli"
)

func main() {
	// The stdio transport owns the real stdout. Anything else that prints to
	// os.Stdout (the Okta SDK does, on a bad OKTA_CLIENT_* value) goes to stderr.
	stdout := os.Stdout
	os.Stdout = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
