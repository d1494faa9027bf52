package credentials

// The real go-keyring/godbus stack when the Secret Service cannot be used:
// an unreachable bus address, no session bus at all, a bus without any
// Secret Service, and a locked gnome-keyring. godbus reads
// DBUS_SESSION_BUS_ADDRESS when it first connects and then keeps the
// connection for the life of the process, so each case runs this test
// binary again as a subprocess with its own environment (TestMain
// dispatches on credentialsHelperEnv).

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

const (
	credentialsHelperEnv = "OKTA_MCP_CREDENTIALS_HELPER"
	helperServiceEnv     = "OKTA_MCP_CREDENTIALS_HELPER_SERVICE"
	helperTimeout        = 3 * time.Second
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(credentialsHelperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

// runHelper is the subprocess side. It writes what went wrong to stdout
// and returns the exit code.
func runHelper(mode string) int {
	ctx := context.Background()
	service := os.Getenv(helperServiceEnv)
	if service == "" {
		service = "okta-mcp-test-helper"
	}
	s := Store{Service: service, Timeout: helperTimeout}
	cred := &Credential{Kind: KindAPIToken, OrgURL: "https://acme.okta.com", APIToken: secretAPIToken}
	fail := func(format string, args ...any) int {
		fmt.Printf("FAIL: "+format+"\n", args...)
		return 1
	}
	switch mode {
	case "unavailable":
		ops := []struct {
			name string
			run  func() error
		}{
			{"Load", func() error { _, err := s.Load(ctx, "acme.okta.com"); return err }},
			{"Save", func() error { return s.Save(ctx, "acme.okta.com", cred) }},
			{"Delete", func() error { return s.Delete(ctx, "acme.okta.com") }},
		}
		for _, op := range ops {
			start := time.Now()
			err := op.run()
			took := time.Since(start)
			var ue *UnavailableError
			if !errors.As(err, &ue) {
				return fail("%s = %v (%T), want *UnavailableError", op.name, err, err)
			}
			if took > helperTimeout+time.Second {
				return fail("%s took %v", op.name, took)
			}
			if !strings.Contains(err.Error(), "OKTA_API_TOKEN") || strings.Contains(err.Error(), secretAPIToken) {
				return fail("%s message: %v", op.name, err)
			}
			fmt.Printf("%s: %v\n", op.name, err)
		}
		c, warning, err := Resolve(ctx, s, "https://acme.okta.com", envWith(secretAPIToken))
		if err != nil || c.APIToken != secretAPIToken || !strings.Contains(warning, "using OKTA_API_TOKEN") {
			return fail("Resolve with OKTA_API_TOKEN = %v, %q, %v", c, warning, err)
		}
		_, _, err = Resolve(ctx, s, "https://acme.okta.com", envWith(""))
		var ue *UnavailableError
		if !errors.As(err, &ue) {
			return fail("Resolve without OKTA_API_TOKEN = %v, want *UnavailableError", err)
		}
		fmt.Println("OK")
		return 0
	case "save":
		if err := s.Save(ctx, "acme.okta.com", cred); err != nil {
			return fail("Save: %v", err)
		}
		fallthrough
	case "load":
		got, err := s.Load(ctx, "acme.okta.com")
		if err != nil || got.APIToken != secretAPIToken {
			return fail("Load = %v, %v", got, err)
		}
		fmt.Println("OK")
		return 0
	}
	return fail("unknown helper mode %q", mode)
}

// runHelperProcess runs this test binary in helper mode with env (on top
// of the current environment minus D-Bus and Okta variables) and fails the
// test unless it exits 0.
func runHelperProcess(t *testing.T, mode string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") || strings.HasPrefix(kv, "OKTA_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, credentialsHelperEnv+"="+mode)
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper %s: %v after %v\n%s", mode, err, time.Since(start), out)
	}
	if !strings.Contains(string(out), "OK") {
		t.Fatalf("helper %s said:\n%s", mode, out)
	}
	t.Logf("helper %s:\n%s", mode, out)
	return string(out)
}

func requireLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service (D-Bus) backend is used on Linux")
	}
}

// requireTool skips when a program is missing, except in the keyring CI
// session, where .ci/run must have installed it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(keyringTestEnv) == "1" {
			t.Fatalf("%s not found; .ci/run must apt-get install dbus gnome-keyring (see .ci/keyring-session.sh)", name)
		}
		t.Skipf("%s not installed (Debian: apt-get install dbus gnome-keyring; CI runs this under .ci/keyring-session.sh)", name)
	}
	return p
}

func TestUnreachableBusIsUnavailable(t *testing.T) {
	requireLinux(t)
	out := runHelperProcess(t, "unavailable", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/okta-mcp-test-bus")
	if !strings.Contains(out, "/nonexistent/okta-mcp-test-bus") {
		t.Errorf("the error does not name the bus it tried:\n%s", out)
	}
}

func TestNoSessionBusIsUnavailable(t *testing.T) {
	requireLinux(t)
	dir := "/run/user/" + strconv.Itoa(os.Getuid())
	if fileExists(dir+"/bus") || fileExists(dir+"/dbus-session") {
		t.Skipf("%s has a session bus; godbus would find it", dir)
	}
	out := runHelperProcess(t, "unavailable")
	if !strings.Contains(out, "no D-Bus session bus") {
		t.Errorf("output:\n%s", out)
	}
}

func TestBusWithoutSecretServiceIsUnavailable(t *testing.T) {
	requireLinux(t)
	addr := privateBus(t)
	out := runHelperProcess(t, "unavailable", "DBUS_SESSION_BUS_ADDRESS="+addr)
	if !strings.Contains(out, "org.freedesktop.secrets") {
		t.Errorf("the error does not say the Secret Service is missing:\n%s", out)
	}
}

// TestLockedSecretServiceIsUnavailable stores a credential in a fresh
// gnome-keyring, restarts the daemon without unlocking it (nothing can
// prompt for the password on this private bus), and expects
// UnavailableError; unlocked again, the credential is still there.
func TestLockedSecretServiceIsUnavailable(t *testing.T) {
	requireLinux(t)
	requireTool(t, "gnome-keyring-daemon")
	addr := privateBus(t)
	home := t.TempDir()
	const password = "okta-mcp-test-password"
	env := []string{"DBUS_SESSION_BUS_ADDRESS=" + addr, helperServiceEnv + "=okta-mcp-test-locked"}

	stop := startKeyring(t, addr, home, password)
	runHelperProcess(t, "save", env...)
	stop()

	stop = startKeyring(t, addr, home, "")
	out := runHelperProcess(t, "unavailable", env...)
	stop()
	if !strings.Contains(out, "unlock") {
		t.Errorf("the error does not say the keyring is locked:\n%s", out)
	}

	stop = startKeyring(t, addr, home, password)
	runHelperProcess(t, "load", env...)
	stop()
}

// privateBus starts a D-Bus session bus of this test's own, with no
// activatable services at all (so nothing is started on demand), and
// returns its address. The daemon is stopped at the end of the test.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon := requireTool(t, "dbus-daemon")
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	config := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=` + dir + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(conf, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start")
	}
	return ""
}

// startKeyring runs gnome-keyring-daemon (secrets only) in the foreground
// on the bus at addr, its files under home. With a password it creates or
// unlocks the login keyring; without, the keyring stays locked. The
// returned func stops it (also done at the end of the test).
func startKeyring(t *testing.T, addr, home, password string) (stop func()) {
	t.Helper()
	bin := requireTool(t, "gnome-keyring-daemon")
	args := []string{"--foreground", "--components=secrets"}
	if password != "" {
		args = append(args, "--unlock")
	}
	cmd := exec.Command(bin, args...)
	run := filepath.Join(home, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "DBUS_SESSION_BUS_ADDRESS=" + addr,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "XDG_RUNTIME_DIR=" + run,
	}
	if password != "" {
		cmd.Stdin = strings.NewReader(password)
	}
	var logBuf strings.Builder
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		waitForName(t, addr, "org.freedesktop.secrets", false)
	}
	t.Cleanup(stop)
	select {
	case <-exited:
		t.Fatalf("gnome-keyring-daemon exited at start")
	default:
	}
	waitForName(t, addr, "org.freedesktop.secrets", true)
	return stop
}

// waitForName waits (up to 10 s) until name has (or has no) owner on the
// bus at addr.
func waitForName(t *testing.T, addr, name string, owned bool) {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connecting to the private bus: %v", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var has bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has); err != nil {
			t.Fatalf("NameHasOwner: %v", err)
		}
		if has == owned {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s owned = %v after 10s, want %v", name, has, owned)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
