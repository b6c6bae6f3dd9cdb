# tests/lib.sh - shared helpers for the shell tests (sourced).
#
# Every check prints one TAP-style line: "ok - what" or "not ok - what";
# tests/run.sh counts them.  Waiting is always for a condition with a
# deadline, never a fixed sleep.

TESTS_FAILED=0
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OPSDECK_BIN=${OPSDECK_BIN:-$ROOT/opsdeck}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; TESTS_FAILED=$((TESTS_FAILED + 1)); }

# check DESC CMD... : run CMD, ok if it succeeds.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# wait_for SECONDS CMD... : poll CMD every 0.1 s until it succeeds or the
# deadline passes.  Returns CMD's last status.
wait_for() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
	while :; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		if [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ]; then
			"$@"
			return 1
		fi
		sleep 0.1
	done
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Exit with the right status at the end of a test script.
finish() {
	[ "$TESTS_FAILED" -eq 0 ]
	exit $?
}
