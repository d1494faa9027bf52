#!/bin/sh
# keyring-session.sh COMMAND [ARG...]
#
# Runs COMMAND inside a private D-Bus session bus with a real, unlocked
# Secret Service (gnome-keyring) on it, so the credentials package's tests
# exercise the OS keyring for real, not only go-keyring's mock. Exits with
# COMMAND's exit status. Works from a non-interactive shell without X.
#
#   .ci/keyring-session.sh go test -race ./credentials/
#
# It installs nothing. .ci/run must first (as root, Debian/Ubuntu):
#
#   apt-get update
#   apt-get install -y --no-install-recommends dbus gnome-keyring
#   # optional, only for debugging by hand (secret-tool):
#   apt-get install -y --no-install-recommends libsecret-tools
#
# (dbus provides dbus-daemon and dbus-run-session; dbus-x11 is not needed
# here but does no harm.)
#
# Inside the session:
#   - OKTA_MCP_KEYRING_TEST=1 is exported: the real-keyring tests run
#     instead of skipping;
#   - the keyring files live in a temporary XDG_DATA_HOME, deleted at the
#     end, so the runner's own keyrings are neither read nor changed;
#   - the login keyring is created and unlocked with a throw-away password.
#   - gnome-keyring-daemon leaves with the bus when COMMAND ends.
set -eu

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG...]" >&2
	exit 2
fi

for tool in dbus-run-session gnome-keyring-daemon; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found; install the Debian packages dbus and gnome-keyring (see the top of this script)" >&2
		exit 127
	fi
done

# The inner script runs under dbus-run-session, which sets
# DBUS_SESSION_BUS_ADDRESS to a fresh bus and ends the bus (and with it
# gnome-keyring-daemon) when the script exits.
inner='
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/okta-mcp-keyring.XXXXXX")
trap '"'"'rm -rf "$tmp"'"'"' EXIT
mkdir -m 700 "$tmp/data" "$tmp/run"

# --unlock reads the password from stdin, creates the login keyring when
# it does not exist, and unlocks it. The daemon forks; the parent returns
# once the Secret Service is on the bus, printing variables to export.
if ! out=$(printf %s "okta-mcp-ci" | XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" \
	gnome-keyring-daemon --unlock --components=secrets 2>"$tmp/daemon.err"); then
	echo "keyring-session: gnome-keyring-daemon failed:" >&2
	cat "$tmp/daemon.err" >&2
	exit 1
fi
# Lines like GNOME_KEYRING_CONTROL=/path. Export only NAME=value lines.
for line in $out; do
	case "$line" in
	[A-Z_]*=*) export "$line" ;;
	esac
done

# Wait (up to 5 s) until org.freedesktop.secrets has an owner.
i=0
while :; do
	if command -v dbus-send >/dev/null 2>&1; then
		if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
			break
		fi
	else
		sleep 1
		break
	fi
	i=$((i + 1))
	if [ "$i" -ge 50 ]; then
		echo "keyring-session: the Secret Service did not appear on the session bus" >&2
		cat "$tmp/daemon.err" >&2
		exit 1
	fi
	sleep 0.1
done

export OKTA_MCP_KEYRING_TEST=1
"$@"
status=$?
exit "$status"
'

exec dbus-run-session -- sh -c "$inner" keyring-session "$@"
