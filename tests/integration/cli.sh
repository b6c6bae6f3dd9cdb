#!/usr/bin/env bash
# The command line as a user meets it: --help, --version and the man page
# agree; wrong flags and bad config say what failed and exit 1; `opsdeck
# config` names where each value came from and redacts secrets; --debug-log
# writes one line per request without credentials; a backend that answers
# HTML is reported, not crashed on.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
B=$OPSDECK_BIN
T=$(mktemp -d)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null; rm -rf "$T"' EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config LANG=C.UTF-8
unset OPSDECK_PROMETHEUS_URL OPSDECK_CONFIG OPSDECK_REFRESH OPSDECK_PROMETHEUS_TOKEN NO_COLOR

# --help, --version, man page
"$B" --help >"$T/help" 2>&1; rc=$?
check "--help exits 0" [ $rc -eq 0 ]
check "--help lists the commands" grep -q "opsdeck snapshot" "$T/help"
check "--version prints the version" bash -c "'$B' --version | grep -Eq '^opsdeck [0-9]+\.[0-9]+\.[0-9]+$'"
if command -v man >/dev/null; then
	MANWIDTH=200 man -l "$ROOT/man/opsdeck.1" >"$T/man" 2>/dev/null
	check "the man page renders" grep -q "terminal operations console" "$T/man"
	missing=
	for opt in $(grep -oE -- '--[a-z][a-z-]+' "$T/help" | sort -u); do
		grep -q -- "$opt" "$T/man" || missing="$missing $opt"
	done
	check "every option of --help is in the man page${missing:+ (missing:$missing)}" [ -z "$missing" ]
	missing=
	for opt in $(grep -oE -- '--[a-z][a-z-]+' "$T/man" | sort -u); do
		grep -q -- "$opt" "$T/help" || missing="$missing $opt"
	done
	check "every option of the man page is in --help${missing:+ (extra:$missing)}" [ -z "$missing" ]
fi

# Usage errors: exit 1, a message naming the problem, a pointer to --help.
"$B" --bogus >"$T/out" 2>"$T/err"; rc=$?
check "unknown flag exits 1" [ $rc -eq 1 ]
check "unknown flag is named" grep -q "unknown option '--bogus'" "$T/err"
check "unknown flag points to --help" grep -q "opsdeck --help" "$T/err"
"$B" snapshoot >/dev/null 2>"$T/err"; rc=$?
check "unknown command exits 1 and names it" bash -c "[ $rc -eq 1 ] && grep -q \"unknown command 'snapshoot'\" '$T/err'"
"$B" --format json >/dev/null 2>"$T/err"; rc=$?
check "snapshot options without snapshot are refused" bash -c "[ $rc -eq 1 ] && grep -q 'belong to' '$T/err'"
"$B" snapshot --format yaml >/dev/null 2>"$T/err"; rc=$?
check "unknown format exits 1 naming the choices" bash -c "[ $rc -eq 1 ] && grep -q 'text, ansi, markdown or json' '$T/err'"
"$B" --prometheus >/dev/null 2>"$T/err"; rc=$?
check "a flag missing its value exits 1" bash -c "[ $rc -eq 1 ] && grep -q 'needs a value' '$T/err'"

# Config errors: file:line and what to write.
mkdir -p "$T/config/opsdeck"
printf '[general]\nrefresh = 2s\n[prometheus]\ntokn_file = /x\n' >"$T/bad.ini"
"$B" --config "$T/bad.ini" config >/dev/null 2>"$T/err"; rc=$?
check "unknown key exits 1" [ $rc -eq 1 ]
check "unknown key names file:line and suggests" grep -q "bad.ini:4: unknown key 'tokn_file' in \[prometheus\].*token_file" "$T/err"
printf '[general]\nrefresh = 2x\n' >"$T/bad2.ini"
"$B" --config "$T/bad2.ini" config >/dev/null 2>"$T/err"
check "bad duration shows an example" grep -q "bad2.ini:2: .*'2x'.*2s" "$T/err"
"$B" --config "$T/nonexistent.ini" config >/dev/null 2>"$T/err"; rc=$?
check "a missing --config file exits 1 naming it" bash -c "[ $rc -eq 1 ] && grep -q nonexistent.ini '$T/err'"
"$B" --prometheus 'http://admin:hunter2@127.0.0.1:9090' config >"$T/out" 2>"$T/err"; rc=$?
check "credentials in a URL are refused" [ $rc -eq 1 ]
check "the refused URL's password is not echoed" bash -c "! grep -q hunter2 '$T/err' '$T/out'"

# opsdeck config: origins and redaction.
printf '[prometheus]\nurl = http://127.0.0.1:1\nservice_label = app\n[thresholds]\nerror_warn = 2%%\n' >"$T/config/opsdeck/config.ini"
OPSDECK_REFRESH=5s OPSDECK_PROMETHEUS_TOKEN=s3cr3t-t0ken "$B" config --prometheus http://127.0.0.1:2 >"$T/cfg" 2>&1
check "config: a flag wins and is named" grep -Eq '^url = http://127.0.0.1:2 +; flag --prometheus' "$T/cfg"
check "config: the environment is named" grep -Eq '^refresh = 5s +; env OPSDECK_REFRESH' "$T/cfg"
check "config: file:line is named" grep -Eq "^service_label = app +; .*config.ini:3" "$T/cfg"
check "config: defaults are named" grep -Eq '^error_crit = 5% +; default' "$T/cfg"
check "config: the token is redacted" grep -q '<redacted>' "$T/cfg"
check "config: the token never appears" bash -c "! grep -q s3cr3t '$T/cfg'"

# A static server of captured Prometheus answers, to see the debug log and
# the secret handling without a full stack.
mkdir -p "$T/www/api/v1"
cp "$ROOT/tests/fixtures/prometheus/vector.json" "$T/www/api/v1/query"
cp "$ROOT/tests/fixtures/prometheus/matrix.json" "$T/www/api/v1/query_range"
PORT=$(free_port)
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$PORT") >"$T/www.log" 2>&1 &
SERVER_PID=$!
wait_for 20 curl -sf "http://127.0.0.1:$PORT/api/v1/query" >/dev/null
rm -f "$T/config/opsdeck/config.ini"
OPSDECK_PROMETHEUS_TOKEN=s3cr3t-t0ken "$B" snapshot --prometheus "http://127.0.0.1:$PORT" --debug-log "$T/debug.log" --format json >"$T/snap.json" 2>"$T/snap.err"; rc=$?
check "snapshot against captured answers exits 0" [ $rc -eq 0 ]
check "debug log: one line per request (5 metrics + 2 trends)" [ "$(wc -l <"$T/debug.log")" -eq 7 ]
check "debug log: method, URL, status, latency, bytes" grep -Eq "GET http://127.0.0.1:$PORT/api/v1/query\?query=[^ ]+ 200 [0-9]+ms [0-9]+B$" "$T/debug.log"
check "debug log: no token" bash -c "! grep -q s3cr3t '$T/debug.log'"
check "snapshot output: no token" bash -c "! grep -q s3cr3t '$T/snap.json' '$T/snap.err'"

# A proxy's HTML error page instead of JSON: exit 2, named in the output.
mkdir -p "$T/html/api/v1"
printf '<html><body>502 Bad Gateway</body></html>\n' >"$T/html/api/v1/query"
cp "$T/html/api/v1/query" "$T/html/api/v1/query_range"
kill $SERVER_PID; wait $SERVER_PID 2>/dev/null
PORT=$(free_port)
(cd "$T/html" && exec python3 -m http.server --bind 127.0.0.1 "$PORT") >"$T/www.log" 2>&1 &
SERVER_PID=$!
wait_for 20 curl -sf "http://127.0.0.1:$PORT/api/v1/query" >/dev/null
"$B" snapshot --prometheus "http://127.0.0.1:$PORT" --format json >"$T/snap.json" 2>"$T/snap.err"; rc=$?
check "non-JSON answer: exit 2" [ $rc -eq 2 ]
check "non-JSON answer: the error says so" bash -c "jq -r .backends.prometheus.error '$T/snap.json' | grep -qi 'non-JSON'"
"$B" snapshot --prometheus "http://127.0.0.1:$PORT" --width 80 --height 12 >"$T/snap.txt" 2>&1
check "non-JSON answer: the text snapshot's status line names it" bash -c "tail -1 '$T/snap.txt' | grep -qi 'prometheus'"
finish
