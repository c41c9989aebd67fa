# tests/lib.sh: sourced by every shell test (tests/cli/*.t). TAP output for prove.
#
#   plan N                      the number of tests
#   ok COND DESC                one test: COND is a shell command (evaluated)
#   is GOT WANT DESC            string equality
#   run STATUS DESC -- CMD...   runs CMD with stdout in $out and stderr in $err
#                               (files), one test: its exit status is STATUS
#   sim_start [ARGS...]         starts provider-sim on a free loopback port;
#                               sets SIM_URL (http://127.0.0.1:PORT) and SIM_PID;
#                               it is stopped when the test exits
#   sim_stop                    stops it now; its exit status is sim_status
#
# Programs are found on PATH through CRATE_BUILD (empty: the normal build;
# "asan/": the sanitizer build), so the same tests run on both builds.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/${CRATE_BUILD:-}"
build=${build%/}
PATH="$build/bin:$build/parse:$build/fetch:$build/validate:$build/store:$build/checkpoint:$build/tests/sim:$top/scripts:$PATH"
export PATH
fixtures="$top/tests/fixtures"
shared_fixtures="$top/../shared/fixtures"
[ -d "$top/tests/fixtures/shared" ] && shared_fixtures="$top/tests/fixtures/shared"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crate-test.XXXXXX")
out="$tmp/stdout"
err="$tmp/stderr"
t_n=0
t_failed=0
SIM_PID=

cleanup() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

plan() { echo "1..$1"; }

ok() {
	t_n=$((t_n + 1))
	if eval "$1"; then
		echo "ok $t_n - $2"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $2"
		echo "#   failed: $1"
	fi
}

is() {
	t_n=$((t_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $t_n - $3"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2" | head -20
	fi
}

run() {
	want=$1 desc=$2
	shift 3
	"$@" >"$out" 2>"$err"
	rc=$?
	t_n=$((t_n + 1))
	if [ "$rc" -eq "$want" ]; then
		echo "ok $t_n - $desc (exit $rc)"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_n - $desc: exit $rc, expected $want"
		sed 's/^/#   stderr: /' "$err" | head -20
	fi
}

sim_stop() {
	sim_status=
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		sim_status=$?
		SIM_PID=
	fi
}

sim_start() {
	rm -f "$tmp/sim.port"
	provider-sim --port 0 --port-file "$tmp/sim.port" "$@" >"$tmp/sim.out" 2>"$tmp/sim.err" &
	SIM_PID=$!
	i=0
	while [ ! -s "$tmp/sim.port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if [ ! -s "$tmp/sim.port" ]; then
		echo "Bail out! provider-sim did not start: $(cat "$tmp/sim.err")"
		exit 1
	fi
	SIM_URL="http://127.0.0.1:$(cat "$tmp/sim.port")"
}
