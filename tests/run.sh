#!/usr/bin/env bash
# tests/run.sh - the whole suite, as `make test` and `make asan` run it.
#
# Runs: the layering check, every unit test binary (cmocka), every fuzz
# harness over its corpus, then the shell tests (golden, integration,
# screen).  Prints one line per failing check and a closing
# "N passed, N failed" line; exits non-zero when anything failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
B=${B:-build}
export ROOT B
export OPSDECK_BIN=${OPSDECK_BIN:-$ROOT/opsdeck}
ASAN=0
[ "${1:-}" = "--asan" ] && ASAN=1
passed=0 failed=0 skipped=0
failures=()
LOG=$ROOT/$B/test-logs
rm -rf "$LOG"; mkdir -p "$LOG"

# Count the "ok"/"not ok" lines of a shell test's output.
count_tap() {
	local name=$1 out=$2 rc=$3 p f
	p=$(grep -c '^ok ' "$out" || true)
	f=$(grep -c '^not ok ' "$out" || true)
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1)); echo "SKIP $name: $(tail -1 "$out")"; return
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
		echo "FAIL $name (log: $out)"; grep '^not ok ' "$out" | sed 's/^/  /'
		[ "$rc" -ne 0 ] && tail -20 "$out" | sed 's/^/  | /'
	else
		echo "PASS $name ($p checks)"
	fi
}

t0=$(date +%s)
out=$LOG/layering.log
tests/layering.sh >"$out" 2>&1; count_tap layering "$out" $?

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t"); out=$LOG/$name.log
	"$t" >"$out" 2>&1; rc=$?
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$name"); echo "FAIL $name"; grep -E 'FAILED|ERROR|Failure|error:' "$out" | head -20 | sed 's/^/  /'
	else
		echo "PASS $name ($p tests)"
	fi
done

for h in "$B"/fuzz-replay/fuzz_*; do
	[ -x "$h" ] || continue
	name=$(basename "$h"); corpus=tests/fuzz/corpus/${name#fuzz_}
	out=$LOG/$name.log
	if "$h" "$corpus" >"$out" 2>&1; then
		passed=$((passed + 1)); echo "PASS $name ($(wc -l <"$out") inputs)"
	else
		failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name"; tail -20 "$out" | sed 's/^/  /'
	fi
done

for s in tests/golden/*.sh tests/integration/*.sh tests/screen/*.sh; do
	[ -f "$s" ] || continue
	name=${s#tests/}; out=$LOG/${name//\//_}.log
	ASAN=$ASAN bash "$s" >"$out" 2>&1; count_tap "$name" "$out" $?
done

echo
echo "suite took $(( $(date +%s) - t0 ))s; logs in $LOG"
[ "$skipped" -gt 0 ] && echo "$skipped scripts skipped"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
