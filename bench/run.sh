#!/usr/bin/env bash
# bench/run.sh [--quick] [--profile DIR] [--strict]
#
# Builds okta-mcp once, then runs every measurement of issue 6 against the
# simulated org on loopback and prints one line per figure: value, unit,
# target and whether it is met. BENCHMARKS.md explains the figures.
#
#   --quick        a few iterations of each (CI's smoke run); figures are noisy
#   --profile DIR  also write CPU and memory profiles of the in-process
#                  benchmarks to DIR (inspect with go tool pprof)
#   --strict       exit 1 when a target is not met (default: exit 0 once
#                  everything ran)
#
# Takes about 30 s on the 2-core development machine (--quick: ~15 s).
# The machine is shared: compare figures taken in one run.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0 strict=0 profile=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--strict) strict=1 ;;
	--profile) profile="$2"; shift ;;
	-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

work=$(mktemp -d "${TMPDIR:-/tmp}/okta-mcp-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== build (once)"
go build -o "$work/okta-mcp" .
go test -c -o "$work/bench.test" ./bench/
export OKTA_MCP_BIN="$work/okta-mcp" BENCH_REPORT="$work/report.txt"
: >"$BENCH_REPORT"

if [ "$quick" = 1 ]; then
	n_start=5 n_call=10 n_small=2 n_inproc=5x
else
	n_start=40 n_call=200 n_small=10 n_inproc=2s
fi

# run PATTERN BENCHTIME [extra test flags]: one benchmark run of the test binary.
run() {
	local pattern=$1 benchtime=$2 status=0
	shift 2
	(cd bench && "$work/bench.test" -test.run '^$' -test.bench "$pattern" -test.benchtime "$benchtime" -test.timeout 10m "$@") \
		>"$work/out.txt" 2>&1 || status=$?
	grep -E '^Benchmark' "$work/out.txt" || true
	if [ "$status" != 0 ]; then
		cat "$work/out.txt" >&2
		echo "bench/run.sh: $pattern failed" >&2
		exit 1
	fi
}

echo "== machine"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -h | awk '/^Mem:/ {print $2}') memory, $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== spawned binary against the sandbox"
run '^BenchmarkStartup$' "${n_start}x"
run '^BenchmarkCallOverhead$' "${n_call}x"
run '^BenchmarkContextEconomy$' 1x
run '^BenchmarkCatalogSize$' 1x
run '^BenchmarkThroughput$' "${n_small}x"
run '^BenchmarkScale$' 1x

# Start-up again with a real, unlocked Secret Service that has no entry for
# the org (as on a desktop): the keyring lookup is on the start-up path.
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
	echo "== start-up with a Secret Service (gnome-keyring, no entry)"
	BENCH_STARTUP_LABEL="gnome-keyring, no entry" bash .ci/keyring-session.sh \
		sh -c "cd bench && '$work/bench.test' -test.run '^\$' -test.bench '^BenchmarkStartup\$' -test.benchtime ${n_start}x" 2>/dev/null |
		grep -E '^Benchmark' || echo "(keyring session failed; skipped)"
else
	echo "== start-up with a Secret Service: skipped (needs dbus and gnome-keyring)"
fi

echo "== in-process (what the profiles look at)"
prof=()
if [ -n "$profile" ]; then
	mkdir -p "$profile"
	cp "$work/bench.test" "$profile/bench.test"
fi
for b in InProcessServe InProcessStartup InProcessListUsers InProcessListLogs SDKResponseEncoding; do
	prof=()
	if [ -n "$profile" ]; then
		prof=(-test.cpuprofile "$(cd "$profile" && pwd)/$b.cpu" -test.memprofile "$(cd "$profile" && pwd)/$b.mem")
	fi
	run "^Benchmark$b\$" "$n_inproc" -test.benchmem "${prof[@]}"
done

echo
echo "== figures"
printf '%-54s %12s %-8s %-18s %s\n' figure value unit target verdict
cat "$BENCH_REPORT"
met=$(grep -c ' met$' "$BENCH_REPORT" || true)
notmet=$(grep -c ' not met$' "$BENCH_REPORT" || true)
echo "targets: $met met, $notmet not met"
if [ "$strict" = 1 ] && [ "$notmet" != 0 ]; then
	exit 1
fi
