package credentials

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// sessionBusMissing reports, on the platforms where go-keyring talks to a
// Secret Service over D-Bus, that there is no session bus to talk to.
//
// Left alone, godbus would then "autolaunch" one (dbus-launch), leaving a
// stray dbus-daemon behind and D-Bus-activating a keyring that nobody can
// unlock. Here it is an UnavailableError instead, before any D-Bus call.
// The address godbus would use: DBUS_SESSION_BUS_ADDRESS (any value,
// including an explicit "autolaunch:"), else /run/user/UID/bus or the
// address in /run/user/UID/dbus-session.
var sessionBusMissing = func() error {
	return checkSessionBus(goos, os.Getenv, os.Getuid(), fileExists)
}

func checkSessionBus(goos string, getenv func(string) string, uid int, exists func(string) bool) error {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
	default:
		return nil
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	dir := filepath.Join("/run/user", strconv.Itoa(uid))
	if exists(filepath.Join(dir, "bus")) || exists(filepath.Join(dir, "dbus-session")) {
		return nil
	}
	return fmt.Errorf("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set and %s has none", dir)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
