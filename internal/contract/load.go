// Package contract checks HTTP exchanges with an Okta org against Okta's own OpenAPI
// document, the okta/api/openapi.yaml shipped in the okta-sdk-golang/v5 module (SPEC §10).
//
// It is a test helper: tests of other packages wrap the sandbox with
// [Validator.Middleware], drive the server, and assert that [Recorder.Violations] is
// empty and [Recorder.Checked] is not. The document is read from the module cache, never
// copied into the repository, and parsed once per test binary.
//
//	v, err := contract.Load()
//	if err != nil {
//		t.Fatal(err)
//	}
//	rec := v.Middleware(org, contract.SkipPathPrefix("/oauth2/"))
//	srv := httptest.NewServer(rec)
//	// ... run the tools against srv.URL ...
//	if rec.Checked() == 0 {
//		t.Fatal("no exchange was checked")
//	}
//	if err := rec.Err(); err != nil {
//		t.Error(err)
//	}
//
// Every request is checked, including its Authorization header: a test that sends
// requests without one on purpose (to see the sandbox's 401) will find them recorded as
// violations, and should filter them or use an unwrapped handler.
//
// The document is loaded as it is, with three changes made before any validation:
//   - its servers are replaced by a single "/" server, so routing matches on the path
//     alone and any host (the sandbox's 127.0.0.1:PORT) is accepted;
//   - the differences between real Okta and the document listed in [Deviations] are
//     admitted (and nothing else);
//   - the x-okta-known-values listed in [KnownValues] are enforced as enums.
//
// doc.Validate is not called: the document's own examples fail it.
package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SDKModule is the module whose okta/api/openapi.yaml is the contract.
const SDKModule = "github.com/okta/okta-sdk-golang/v5"

// specInModule is where the document sits inside SDKModule.
const specInModule = "okta/api/openapi.yaml"

// Validator validates requests to and responses from an Okta org against the document.
// It is safe for concurrent use.
type Validator struct {
	doc         *openapi3.T
	router      routers.Router
	errorSchema *openapi3.SchemaRef
	path        string
	loadTime    time.Duration
}

var (
	loadOnce sync.Once
	loaded   *Validator
	loadErr  error
)

// Load parses the SDK's openapi.yaml and builds a router, once per process; later calls
// return the same Validator (or the same error).
func Load() (*Validator, error) {
	loadOnce.Do(func() {
		loaded, loadErr = load()
	})
	return loaded, loadErr
}

// Path is the file the document was read from.
func (v *Validator) Path() string { return v.path }

// LoadDuration is how long finding, parsing and preparing the document took.
func (v *Validator) LoadDuration() time.Duration { return v.loadTime }

// Doc is the loaded document, with the changes described in the package comment.
// Treat it as read-only.
func (v *Validator) Doc() *openapi3.T { return v.doc }

func load() (*Validator, error) {
	start := time.Now()
	path, err := SpecPath()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: parse %s: %w", path, err)
	}
	if doc.Components == nil || doc.Components.Schemas["Error"] == nil {
		return nil, fmt.Errorf("contract: %s has no components.schemas.Error", path)
	}

	// Route on the path alone: the document's only server is https://{yourOktaDomain},
	// the sandbox listens on http://127.0.0.1:PORT.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	for _, item := range doc.Paths.Map() {
		item.Servers = nil
		for _, op := range item.Operations() {
			op.Servers = nil
		}
	}

	if err := applyDeviations(doc, Deviations); err != nil {
		return nil, fmt.Errorf("contract: %s: %w", path, err)
	}
	if err := applyKnownValues(doc, KnownValues); err != nil {
		return nil, fmt.Errorf("contract: %s: %w", path, err)
	}

	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contract: build router: %w", err)
	}
	return &Validator{
		doc:         doc,
		router:      router,
		errorSchema: doc.Components.Schemas["Error"],
		path:        path,
		loadTime:    time.Since(start),
	}, nil
}

// SpecPath finds openapi.yaml in the module cache: the directory `go list -m` reports
// for SDKModule, run from the root of the module the test runs in, or else GOMODCACHE
// plus the version `go list -m` reports.
func SpecPath() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	var tried []string
	dir, err := goCmd(root, "list", "-m", "-f", "{{.Dir}}", SDKModule)
	if err == nil && dir != "" {
		p := filepath.Join(dir, filepath.FromSlash(specInModule))
		if fileExists(p) {
			return p, nil
		}
		tried = append(tried, p)
	} else if err != nil {
		tried = append(tried, err.Error())
	}

	version, verr := goCmd(root, "list", "-m", "-f", "{{.Version}}", SDKModule)
	cache, cerr := goCmd(root, "env", "GOMODCACHE")
	if verr == nil && cerr == nil && version != "" && cache != "" {
		escaped, eerr := escapeModulePath(SDKModule + "@" + version)
		if eerr == nil {
			p := filepath.Join(cache, filepath.FromSlash(escaped), filepath.FromSlash(specInModule))
			if fileExists(p) {
				return p, nil
			}
			tried = append(tried, p)
		}
	} else {
		tried = append(tried, fmt.Sprint(errors.Join(verr, cerr)))
	}
	return "", fmt.Errorf("contract: cannot find %s of %s (is the module downloaded? run `go mod download %s`); tried: %s",
		specInModule, SDKModule, SDKModule, strings.Join(tried, "; "))
}

// moduleRoot is the nearest directory at or above the working directory with a go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("contract: %w", err)
	}
	for dir := wd; ; {
		if fileExists(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("contract: no go.mod at or above %s", wd)
		}
		dir = parent
	}
}

func goCmd(dir string, args ...string) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if root := os.Getenv("GOROOT"); root != "" {
			goBin = filepath.Join(root, "bin", "go")
		} else {
			return "", fmt.Errorf("contract: go command not found: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// escapeModulePath applies the module cache's case encoding: each upper-case letter
// becomes '!' followed by its lower-case form.
func escapeModulePath(p string) (string, error) {
	var b strings.Builder
	for _, r := range p {
		switch {
		case r == '!':
			return "", fmt.Errorf("invalid module path %q", p)
		case 'A' <= r && r <= 'Z':
			b.WriteByte('!')
			b.WriteRune(r + ('a' - 'A'))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
