package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/server"
)

func runCall(ctx context.Context, args []string, env Env) int {
	fs := flagSet("call TOOL", env, true)
	argsJSON := fs.String("args", "{}", "the tool's arguments as a JSON object")
	yes := fs.Bool("yes", false, "accept confirmation prompts without asking")
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return fail(env, errors.Join(errUsage, errors.New("call needs exactly one tool name: okta-mcp call TOOL [--args JSON]")))
	}
	name := fs.Arg(0)
	var arguments map[string]any
	if err := json.Unmarshal([]byte(*argsJSON), &arguments); err != nil || arguments == nil {
		return fail(env, errors.Join(errUsage, fmt.Errorf("--args must be a JSON object, like '{\"limit\":5}'")))
	}
	r, err := setup(fs, env)
	if err != nil {
		return fail(env, err)
	}
	defer r.close()
	known := false
	for _, t := range r.selected {
		known = known || t.Name() == name
	}
	if !known {
		return fail(env, errors.Join(errUsage, fmt.Errorf("tool %q is not among the tools these flags expose; see okta-mcp tools (and --methods, --tags, --tools)", name)))
	}

	srv := server.New(r.serverOptions(nil))
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		return fail(env, err)
	}
	defer ss.Close()
	client := mcp.NewClient(&mcp.Implementation{Name: "okta-mcp-call", Version: Version()}, &mcp.ClientOptions{
		ElicitationHandler: terminalConfirm(env, *yes),
	})
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		return fail(env, err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: arguments})
	if err != nil {
		return fail(env, err)
	}
	out := res.StructuredContent
	if out == nil || res.IsError {
		out = textOf(res)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fail(env, err)
	}
	if res.IsError {
		return ExitToolError
	}
	return ExitOK
}

// textOf returns a result's text content, decoded when it is JSON.
func textOf(res *mcp.CallToolResult) any {
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			var v any
			if json.Unmarshal([]byte(t.Text), &v) == nil {
				return v
			}
			return map[string]any{"error": map[string]any{"summary": t.Text}}
		}
	}
	return nil
}

// terminalConfirm answers confirmation prompts: accepted with --yes, else
// asked on stderr and answered with y or yes on stdin; anything else,
// including end of input, declines.
func terminalConfirm(env Env, yes bool) func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
	in := bufio.NewReader(env.Stdin)
	return func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		if yes {
			fmt.Fprintf(env.Stderr, "%s\n(accepted by --yes)\n", req.Params.Message)
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{}}, nil
		}
		fmt.Fprintf(env.Stderr, "%s\nProceed? [y/N] ", req.Params.Message)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(env.Stderr, "\n(no answer: cancelled)")
			return &mcp.ElicitResult{Action: "cancel"}, nil
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{}}, nil
		}
		return &mcp.ElicitResult{Action: "decline"}, nil
	}
}
