package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/okta-mcp/okta-mcp/config"
	"github.com/okta-mcp/okta-mcp/tools"
)

// toolInfo is one line of `okta-mcp tools`.
type toolInfo struct {
	Name        string   `json:"name"`
	Class       string   `json:"class"`
	Tags        []string `json:"tags"`
	ReadOnly    bool     `json:"read_only"`
	Destructive bool     `json:"destructive"`
	Title       string   `json:"title"`
}

func runTools(ctx context.Context, args []string, env Env) int {
	fs := flagSet("tools", env, true)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	cfg, err := config.Load(fs, env.Getenv)
	if err != nil {
		return fail(env, err)
	}
	selected, err := tools.Select(tools.All(), tools.Filter{Methods: cfg.Methods, Tags: cfg.Tags, Tools: cfg.Tools, ExcludeTools: cfg.ExcludeTools})
	if err != nil {
		return fail(env, err)
	}
	infos := make([]toolInfo, 0, len(selected))
	for _, t := range selected {
		a := t.Def.Annotations
		infos = append(infos, toolInfo{Name: t.Name(), Class: string(t.Class), Tags: t.Tags, ReadOnly: a.ReadOnlyHint, Destructive: a.DestructiveHint != nil && *a.DestructiveHint, Title: t.Def.Title})
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(infos); err != nil {
			return fail(env, err)
		}
		return ExitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCLASS\tTAGS\tREAD-ONLY\tTITLE")
	for _, i := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", i.Name, i.Class, strings.Join(i.Tags, ","), i.ReadOnly, i.Title)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "\n%d of %d tools selected\n", len(infos), len(tools.All()))
	return ExitOK
}
