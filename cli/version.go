package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Stamped with -ldflags "-X github.com/okta-mcp/okta-mcp/cli.version=v1.2.3 -X ...cli.commit=abc".
var version, commit string

// Version is the module version: the -ldflags stamp, else the build info's.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Commit is the VCS revision the binary was built from, if known.
func Commit() string {
	if commit != "" {
		return commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}

func runVersion(ctx context.Context, args []string, env Env) int {
	fs := flagSet("version", env, false)
	if code := parse(fs, args, env); code >= 0 {
		return code
	}
	fmt.Fprintf(env.Stdout, "okta-mcp %s\ncommit %s\n%s %s/%s\n", Version(), Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}
