package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/okta-mcp/okta-mcp/config"
	"github.com/okta-mcp/okta-mcp/credentials"
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
	// Hidden tools pass the filters but are not registered: the stored
	// OAuth credential lacks MissingScopes.
	Hidden        bool     `json:"hidden,omitempty"`
	MissingScopes []string `json:"missing_scopes,omitempty"`
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
	// With an OAuth credential stored for the org, the granted scopes
	// decide (as at serve time); say which tools that hides and why.
	var hidden []tools.Hidden
	credNote := ""
	if cfg.OrgURL != "" && !cfg.Sandbox {
		cred, _, err := resolveCredential(cfg, env)
		switch {
		case err != nil && !errors.Is(err, credentials.ErrNotFound):
			fmt.Fprintf(env.Stderr, "okta-mcp: note: could not read the stored credential, so tools are not filtered by OAuth scopes: %v\n", err)
		case err == nil && isOAuth(cred.Kind):
			selected, hidden = tools.ByScopes(selected, cred.Scopes)
			credNote = fmt.Sprintf("the stored %s credential (client %s) is granted: %s", cred.Kind, cred.ClientID, strings.Join(cred.Scopes, " "))
		}
	}
	infos := make([]toolInfo, 0, len(selected)+len(hidden))
	info := func(t tools.Tool) toolInfo {
		a := t.Def.Annotations
		return toolInfo{Name: t.Name(), Class: string(t.Class), Tags: t.Tags, ReadOnly: a.ReadOnlyHint, Destructive: a.DestructiveHint != nil && *a.DestructiveHint, Title: t.Def.Title}
	}
	for _, t := range selected {
		infos = append(infos, info(t))
	}
	for _, h := range hidden {
		i := info(h.Tool)
		i.Hidden, i.MissingScopes = true, h.Missing
		infos = append(infos, i)
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
	for _, i := range infos[:len(selected)] {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", i.Name, i.Class, strings.Join(i.Tags, ","), i.ReadOnly, i.Title)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "\n%d of %d tools selected\n", len(selected), len(tools.All()))
	if len(hidden) > 0 {
		fmt.Fprintf(env.Stdout, "\n%d more pass the filters but are hidden: %s.\n\n", len(hidden), credNote)
		tw = tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "HIDDEN TOOL\tCLASS\tTAGS\tMISSING SCOPES")
		for _, i := range infos[len(selected):] {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", i.Name, i.Class, strings.Join(i.Tags, ","), strings.Join(i.MissingScopes, " "))
		}
		tw.Flush()
	}
	return ExitOK
}
