package cli

import (
	"context"
	"fmt"

	"github.com/okta-mcp/okta-mcp/sandbox"
)

func runSandbox(ctx context.Context, args []string, env Env) int {
	fs := flagSet("sandbox", env, false)
	users := fs.Int("users", 0, "generated users beyond the fixtures (0 = about 500 in all)")
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	srv, err := sandbox.Start(sandbox.Options{ExtraUsers: *users})
	if err != nil {
		return fail(env, err)
	}
	defer srv.Close()
	fmt.Fprintf(env.Stdout, "OKTA_ORG_URL=%s\nOKTA_API_TOKEN=%s\n", srv.URL, srv.Org.Token())
	fmt.Fprintf(env.Stderr, "sandbox Okta org serving on %s until interrupted; point okta-mcp at it with --org-url %s and OKTA_API_TOKEN\n", srv.URL, srv.URL)
	<-ctx.Done()
	return ExitOK
}
