#!/usr/bin/env bash
# `opsdeck snapshot --check` against the real local stack (shopsim,
# Prometheus with its alerting rules, Alertmanager, Elasticsearch, Zipkin):
# the exit status is the health verdict and stderr names each problem's
# service and signal.
#   - a steady shop: 0 and no problem line (also --screen all);
#   - shopsim's payments-latency incident with [thresholds] p99_crit = 60s:
#     1 (WARN payments: p99 ... >= 500ms, the HighLatency warning alert);
#     with the default thresholds 2 (CRIT payments: p99 ... >= 2.0s);
#   - the orders-errors incident: 2 (CRIT orders: error ratio ... >= 5%,
#     then the HighErrorRatio critical alert firing);
#   - Elasticsearch stopped under that incident: still 2 (CRIT wins over
#     UNKNOWN) with the UNKNOWN line; Prometheus stopped, an unreachable
#     URL: 3 naming the backend and its address;
#   - a bad flag, a bad --screen, a bad config file: 3 under --check, 1
#     without; a dead backend without --check: 2 as before.
# shellcheck disable=SC2317  # functions called through trap and wait_for
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/stack/helpers.sh
. tests/stack/helpers.sh

if [ ! -x "$OPSDECK_BIN" ]; then
	echo "no opsdeck binary at $OPSDECK_BIN (run make)"; exit 77
fi
stack_need

T=$(mktemp -d)
trap 'tests/stack/stop.sh "$T/a" >/dev/null 2>&1; tests/stack/stop.sh "$T/b" >/dev/null 2>&1; rm -rf "$T"' EXIT
mkdir -p "$T/home/.config"

# snap OUT [ARGS...] : opsdeck snapshot with a clean home; RC, stdout in OUT, stderr in OUT.err
snap() {
	local out=$1; shift
	env -u OPSDECK_PROMETHEUS_URL -u OPSDECK_ELASTICSEARCH_URL -u OPSDECK_ZIPKIN_URL \
		-u OPSDECK_ALERTMANAGER_URL -u OPSDECK_ENV HOME="$T/home" \
		XDG_CONFIG_HOME="$T/home/.config" \
		timeout 90 "$OPSDECK_BIN" snapshot "$@" >"$out" 2>"$out.err"
	RC=$?
}
# check_rc WANT OUT DESC : ok when the last snap exited WANT, else show its output
check_rc() {
	if [ "$RC" -eq "$1" ]; then ok "$3"; else
		not_ok "$3 (exit $RC)"
		echo "  | stdout: $(head -c 400 "$2")"; echo "  | stderr: $(head -c 800 "$2.err")"
	fi
}
# has FILE REGEX : a line of FILE matches the extended REGEX
has() { grep -Eq -- "$2" "$1"; }
hasnt() { ! grep -Eq -- "$2" "$1"; }

# --- usage and configuration errors: 3 under --check, 1 without ----------------
snap "$T/bogus" --bogus --check
check_rc 3 "$T/bogus" "--check --bogus exits 3 (UNKNOWN)"
check "... and says what is wrong" has "$T/bogus.err" "unknown option '--bogus'"
snap "$T/bogus1" --bogus
check_rc 1 "$T/bogus1" "--bogus without --check exits 1"
snap "$T/screen" --screen nosuch --check --prometheus http://127.0.0.1:9
check_rc 3 "$T/screen" "--check --screen nosuch exits 3"
check "... and lists the screens" has "$T/screen.err" "overview, service:NAME, logs, traces, trace:ID, topology, alerts, all"
snap "$T/screen1" --screen nosuch --prometheus http://127.0.0.1:9
check_rc 1 "$T/screen1" "--screen nosuch without --check exits 1"
snap "$T/cfg" -c tests/fixtures/config/unknown_key.ini --check
check_rc 3 "$T/cfg" "--check with a bad config file exits 3"
check "... and names the key and the line" has "$T/cfg.err" "unknown_key.ini:[0-9]+.*tokn_file"
snap "$T/cfg1" -c tests/fixtures/config/unknown_key.ini
check_rc 1 "$T/cfg1" "a bad config file without --check exits 1"
snap "$T/logs" --screen logs --check --prometheus http://127.0.0.1:9
check_rc 3 "$T/logs" "--check --screen logs without Elasticsearch exits 3"

# --- an unreachable URL -------------------------------------------------------------
DEAD=$(free_port)
snap "$T/dead" --prometheus "http://127.0.0.1:$DEAD" --check --timeout 5s
check_rc 3 "$T/dead" "--check, Prometheus unreachable: exits 3"
check "UNKNOWN prometheus: the line names the address" \
	has "$T/dead.err" "^UNKNOWN prometheus: .*http://127\\.0\\.0\\.1:$DEAD"
check "... and stdout still has the snapshot" has "$T/dead" "Overview"
snap "$T/dead1" --prometheus "http://127.0.0.1:$DEAD" --timeout 5s
check_rc 2 "$T/dead1" "without --check a dead Prometheus exits 2 as before"
check "... with no verdict lines on stderr" hasnt "$T/dead1.err" "^(UNKNOWN|CRIT|WARN) "

# --- stack b: payments slow from the start ------------------------------------------
if tests/stack/start.sh "$T/b" --steady --incident payments-latency --no-traces >"$T/b.out" 2>&1; then
	ok "stack with payments-latency: $(head -1 "$T/b.out")"
else
	not_ok "stack b did not start"; sed 's/^/  | /' "$T/b.out"; finish
fi
# shellcheck source=/dev/null
. "$T/b/env"
printf '[thresholds]\np99_crit = 60s\n' >"$T/lenient.ini"
lenient() {
	snap "$T/warn" -c "$T/lenient.ini" --prometheus "$PROMETHEUS_URL" \
		--alertmanager "$ALERTMANAGER_URL" --check --timeout 20s
	[ "$RC" -eq 1 ] && has "$T/warn.err" "^WARN payments: p99 [0-9.]+m?s >= 500ms$"
}
t0=$(date +%s)
if wait_for 120 lenient; then
	ok "p99 over p99_warn only: exits 1 (after $(($(date +%s) - t0))s)"
else
	not_ok "payments' latency did not give exit 1 (exit $RC): $(head -c 600 "$T/warn.err")"
fi
check "WARN payments: p99 ... >= 500ms on stderr" has "$T/warn.err" "^WARN payments: p99 [0-9.]+m?s >= 500ms$"
check "no CRIT line with p99_crit = 60s" hasnt "$T/warn.err" "^CRIT "
check "stdout still has the snapshot" has "$T/warn" "payments"
alert_warn() {
	lenient || return 1
	has "$T/warn.err" "^WARN alert HighLatency \\(service=payments, severity=warning\\) firing since [0-9]{2}:[0-9]{2}$"
}
check "the HighLatency warning alert is a WARN line naming service and severity" wait_for 60 alert_warn
snap "$T/crit" --prometheus "$PROMETHEUS_URL" --check --timeout 20s
check_rc 2 "$T/crit" "the same latency with the default thresholds: exits 2"
check "CRIT payments: p99 ... >= 2.0s on stderr" has "$T/crit.err" "^CRIT payments: p99 [0-9.]+s >= 2\\.0s$"
tests/stack/stop.sh "$T/b" >/dev/null 2>&1

# --- stack a: a steady shop, then orders fails ----------------------------------------
if tests/stack/start.sh "$T/a" --steady >"$T/a.out" 2>&1; then
	ok "steady stack: $(head -1 "$T/a.out")"
else
	not_ok "stack a did not start"; sed 's/^/  | /' "$T/a.out"; finish
fi
# shellcheck source=/dev/null
. "$T/a/env"
ALL=(--prometheus "$PROMETHEUS_URL" --alertmanager "$ALERTMANAGER_URL"
	--elasticsearch "$ELASTICSEARCH_URL" --zipkin "$ZIPKIN_URL")
snap "$T/ok" "${ALL[@]}" --check --timeout 20s
check_rc 0 "$T/ok" "a steady shop: exits 0"
check "... no problem line on stderr" test ! -s "$T/ok.err"
check "... the Overview on stdout" has "$T/ok" "gateway"
snap "$T/okall" "${ALL[@]}" --screen all --check --timeout 20s
check_rc 0 "$T/okall" "a steady shop, --screen all: exits 0"
check "... every screen's heading" bash -c "for s in Overview Alerts Logs Traces Topology; do grep -q \"^== \$s =\" '$T/okall' || exit 1; done"

check "POST /incident/orders-errors" curl -sf -X POST -o /dev/null "$SHOPSIM_URL/incident/orders-errors"
orders_crit() {
	snap "$T/err" "${ALL[@]}" --check --timeout 20s
	[ "$RC" -eq 2 ] && has "$T/err.err" "^CRIT orders: error ratio [0-9.]+% >= 5%$"
}
t0=$(date +%s)
if wait_for 150 orders_crit; then
	ok "orders' errors: exits 2 (after $(($(date +%s) - t0))s)"
else
	not_ok "orders' errors did not give exit 2 (exit $RC): $(head -c 600 "$T/err.err")"
fi
check "CRIT orders: error ratio ... >= 5% on stderr" has "$T/err.err" "^CRIT orders: error ratio [0-9.]+% >= 5%$"
alert_crit() {
	orders_crit || return 1
	has "$T/err.err" "^CRIT alert HighErrorRatio \\(service=orders, severity=critical\\) firing since [0-9]{2}:[0-9]{2}$"
}
check "the HighErrorRatio critical alert is a CRIT line naming service and severity" wait_for 90 alert_crit
snap "$T/alerts" "${ALL[@]}" --screen alerts --format json --check --timeout 20s
check_rc 2 "$T/alerts" "--screen alerts --check: exits 2 too"
check "... its JSON lists the alert firing" \
	jq -e '.screens.alerts.alerts | any(.name == "HighErrorRatio" and .state == "firing" and .service == "orders")' "$T/alerts" >/dev/null

check "stop Elasticsearch" tests/stack/stop.sh "$T/a" elasticsearch
snap "$T/both" "${ALL[@]}" --screen all --check --timeout 10s
check_rc 2 "$T/both" "a CRIT service and a dead Elasticsearch: CRIT wins, exits 2"
hostport=${ELASTICSEARCH_URL#http://}
check "... with the UNKNOWN elasticsearch line naming its address" has "$T/both.err" "^UNKNOWN elasticsearch: .*$hostport"
check "... and the CRIT line" has "$T/both.err" "^CRIT orders: error ratio"

check "stop Prometheus" tests/stack/stop.sh "$T/a" prometheus
snap "$T/noprom" --prometheus "$PROMETHEUS_URL" --check --timeout 10s
check_rc 3 "$T/noprom" "Prometheus stopped: exits 3"
hostport=${PROMETHEUS_URL#http://}
check "UNKNOWN prometheus: the line names its address" has "$T/noprom.err" "^UNKNOWN prometheus: .*$hostport"
check "no CRIT or WARN line without data" hasnt "$T/noprom.err" "^(CRIT|WARN) "
finish
