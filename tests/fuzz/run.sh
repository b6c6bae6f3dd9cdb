#!/usr/bin/env bash
# tests/fuzz/run.sh - build every tests/fuzz/fuzz_*.c with libFuzzer (clang,
# ASan + UBSan) and run each for N seconds on a copy of its corpus.
#
# Usage: tests/fuzz/run.sh [SECONDS] [NAME...]     (default 30 s, all harnesses)
#
# Objects and binaries go to build-fuzz/; the corpus is copied to
# build-fuzz/corpus/NAME so new inputs never dirty the tree (copy the
# interesting ones into tests/fuzz/corpus/NAME by hand).  Crashes are written
# to build-fuzz/artifacts/NAME/.  Exits non-zero if any harness failed to
# build or found a crash.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECS=${1:-30}
shift || true
CC=${FUZZ_CC:-clang}
OUT=build-fuzz
SAN='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DOPSDECK_VERSION=\"fuzz\" -DTESTS_DIR=\"tests\""
INC="-Ilib -Ibackends -Iwidgets -Itui"
PKG=$(pkg-config --cflags libcurl jansson libpcre2-8 yaml-0.1 libxml-2.0)
LIBS="$(pkg-config --libs libcurl jansson libpcre2-8 yaml-0.1 libxml-2.0) -lm"

if ! command -v "$CC" >/dev/null; then
	echo "fuzz: $CC not found (apt-get install clang)" >&2
	exit 1
fi
mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/corpus" "$OUT/artifacts"

# Sources the harnesses may call: everything but the curses front end.
srcs=()
for f in lib/*.c backends/*.c widgets/*.c tui/*.c tui/screens/*.c; do
	[ -f "$f" ] || continue
	case $f in tui/main.c | tui/term.c | tui/app.c | tui/app_*.c) continue ;; esac
	srcs+=("$f")
done

objs=()
for f in "${srcs[@]}"; do
	o=$OUT/obj/${f%.c}.o
	mkdir -p "$(dirname "$o")"
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find "$(dirname "$f")" -name '*.h' -newer "$o" -print -quit)" ]; then
		# shellcheck disable=SC2086
		if ! $CC $CFLAGS $SAN -fsanitize=fuzzer-no-link $INC $PKG -c -o "$o" "$f"; then
			echo "fuzz: cannot compile $f" >&2
			exit 1
		fi
	fi
	objs+=("$o")
done

failed=0
harnesses=()
if [ $# -gt 0 ]; then
	for n in "$@"; do harnesses+=("tests/fuzz/fuzz_${n#fuzz_}.c"); done
else
	harnesses=(tests/fuzz/fuzz_*.c)
fi
for h in "${harnesses[@]}"; do
	name=$(basename "$h" .c)
	short=${name#fuzz_}
	bin=$OUT/bin/$name
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS $SAN -fsanitize=fuzzer $INC $PKG -o "$bin" "$h" "${objs[@]}" $LIBS; then
		echo "FAIL $name: build" >&2
		failed=1
		continue
	fi
	corpus=$OUT/corpus/$short
	mkdir -p "$corpus" "$OUT/artifacts/$short"
	[ -d "tests/fuzz/corpus/$short" ] && cp -n "tests/fuzz/corpus/$short"/* "$corpus"/ 2>/dev/null
	echo "fuzz: $name for ${SECS}s on $(find "$corpus" -type f | wc -l) inputs"
	if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$OUT/artifacts/$short/" "$corpus" \
		>"$OUT/$name.log" 2>&1; then
		echo "PASS $name ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$name.log" | grep -o '[0-9]*$') runs)"
	else
		echo "FAIL $name: see $OUT/$name.log and $OUT/artifacts/$short/"
		grep -E 'ERROR|SUMMARY|runtime error' "$OUT/$name.log" | head -5
		failed=1
	fi
done
exit $failed
