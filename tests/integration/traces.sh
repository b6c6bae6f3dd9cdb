#!/usr/bin/env bash
# Traces and topology through `opsdeck snapshot` against the Zipkin test
# server (tests/stack/zipkinserver.py) holding traces this test posts, with
# known answers: the search by service, duration and tag; the waterfall's
# rows, repairs and critical path (through payments, which dominates it);
# the dependency links; and the failures a user meets: an unknown trace, a
# trace id that is not one, a trace over [traces] max_spans (refused with
# its size), a dead Zipkin and an answer that is not JSON.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8
unset OPSDECK_PROMETHEUS_URL OPSDECK_ELASTICSEARCH_URL DOCKER_HOST

PORT=$(free_port)
python3 "$ROOT/tests/stack/zipkinserver.py" --listen "127.0.0.1:$PORT" >"$T/zipkin.log" 2>&1 &
PIDS+=($!)
if ! wait_for 15 grep -q "^listening on 127.0.0.1:$PORT" "$T/zipkin.log"; then
	not_ok "the Zipkin test server starts"; cat "$T/zipkin.log"; finish
fi
ZK=http://127.0.0.1:$PORT
export OPSDECK_ZIPKIN_URL=$ZK

# One checkout, in microseconds from NOW (16 spans with shared client/server ids):
#   gateway SERVER 0..100ms
#     gateway CLIENT -> orders 5..92, orders SERVER (shared) 6..90
#       orders CLIENT -> inventory 8..20, inventory SERVER (shared) 9..19
#       orders CLIENT -> payments 22..88, payments SERVER (shared) 23..87, error
# The critical path: gateway, orders, payments; payments has the largest share.
NOW=$(( $(date +%s) * 1000000 - 5000000 ))
TID=4bf92f3577b34da6a3ce929d0e0e4736
ORPHAN=00000000000000000000000000000abc
span() { # id parent kind service name start_ms dur_ms [remote] [error]
	local rem=${8:-} err=${9:-}
	printf '{"traceId":"%s","id":"%s",%s"kind":"%s","name":"%s","timestamp":%d,"duration":%d,"localEndpoint":{"serviceName":"%s"}%s,"tags":{"http.method":"POST"%s}%s}' \
		"${TID}" "$1" "$([ -n "$2" ] && printf '"parentId":"%s",' "$2")" "$3" "$5" \
		$((NOW + $6 * 1000)) $(($7 * 1000)) "$4" \
		"$([ -n "$rem" ] && printf ',"remoteEndpoint":{"serviceName":"%s"}' "$rem")" \
		"$([ -n "$err" ] && printf ',"error":"%s","http.status_code":"500"' "$err")" \
		"$([ "$3" = SERVER ] && [ -n "$2" ] && printf ',"shared":true')"
}
{
	printf '['
	span 000000000000000a "" SERVER gateway "post /checkout" 0 100; printf ','
	span 000000000000000b 000000000000000a CLIENT gateway "post /orders" 5 87 orders; printf ','
	span 000000000000000b 000000000000000a SERVER orders "post /orders" 6 84; printf ','
	span 000000000000000c 000000000000000b CLIENT orders "get /stock" 8 12 inventory; printf ','
	span 000000000000000c 000000000000000b SERVER inventory "get /stock" 9 10; printf ','
	span 000000000000000d 000000000000000b CLIENT orders "post /charge" 22 66 payments 500; printf ','
	span 000000000000000d 000000000000000b SERVER payments "post /charge" 23 64 "" 500
	printf ']'
} >"$T/trace.json"
post() { curl -sf -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$1" "$ZK/api/v2/spans"; }
check "the test trace is accepted (202)" [ "$(post "$T/trace.json")" = 202 ]
# A trace whose root was never reported: its spans are orphans.
sed -e "s/$TID/$ORPHAN/g" "$T/trace.json" | jq -c '[.[] | select(.localEndpoint.serviceName != "gateway")]' >"$T/orphan.json"
check "the orphan trace is accepted" [ "$(post "$T/orphan.json")" = 202 ]
# A trace of 30 spans, for [traces] max_spans = 20.
{
	printf '['
	for i in $(seq 1 30); do
		[ "$i" -gt 1 ] && printf ','
		printf '{"traceId":"00000000000000000000000000000bbb","id":"%016x","name":"step","timestamp":%d,"duration":500,"localEndpoint":{"serviceName":"batch"}}' \
			"$((4096 + i))" "$((NOW + i * 1000))"
	done
	printf ']'
} >"$T/big2.json"
check "the big trace is accepted" [ "$(post "$T/big2.json")" = 202 ]

jqt() { jq -en "$@" >/dev/null; }
snap() { # OUT ARGS... : a snapshot; its status in OUT.rc
	"$OPSDECK_BIN" snapshot "${@:2}" >"$1" 2>"$1.err"
	echo $? >"$1.rc"
}
rc() { cat "$1.rc"; }

# ---- the search ------------------------------------------------------------------
snap "$T/s1" --screen traces --query 'service=payments' --format json
check "search by service: exit 0 (was $(rc "$T/s1"))" [ "$(rc "$T/s1")" = 0 ]
check "search by service finds the checkout" \
	jqt --arg t "$TID" 'input | .screens[] | [.traces[].trace_id] | index($t) != null' "$T/s1"
check "the trace's root is gateway's post /checkout" \
	jqt --arg t "$TID" 'input | .screens[] | .traces[] | select(.trace_id == $t) | .root_service == "gateway" and .root_span == "post /checkout"' "$T/s1"
check "its duration (100 ms), spans (7) and errors (2) are listed" \
	jqt --arg t "$TID" 'input | .screens[] | .traces[] | select(.trace_id == $t) | .duration_ms == 100 and .spans == 7 and .errors == 2' "$T/s1"
check "the services touched are listed" \
	jqt --arg t "$TID" 'input | .screens[] | .traces[] | select(.trace_id == $t) | .services == ["gateway","inventory","orders","payments"]' "$T/s1"
snap "$T/s2" --screen traces --query 'service=payments >500ms' --format json
check "a minimum duration above it leaves the checkout out" \
	jqt --arg t "$TID" 'input | .screens[] | [.traces[].trace_id] | index($t) == null' "$T/s2"
snap "$T/s3" --screen traces --query 'service=inventory error' --format json
check "a tag term applies to the service's own spans (inventory has no error)" \
	jqt --arg t "$TID" 'input | .screens[] | [.traces[].trace_id] | index($t) == null' "$T/s3"
snap "$T/s4" --screen traces --query 'http.status_code=500' --format json
check "a tag term alone finds the failed charge" \
	jqt --arg t "$TID" 'input | .screens[] | [.traces[].trace_id] | index($t) != null' "$T/s4"
snap "$T/s5" --screen traces --query 'service=payments >fast' --format json
check "a bad duration is a usage error (exit 1)" [ "$(rc "$T/s5")" = 1 ]
check "and the message names the word" grep -q "fast" "$T/s5.err"
snap "$T/s6" --screen traces --query 'service=payments' --width 100 --height 24
check "the text screen lists the trace under Traces" grep -q "Traces" "$T/s6"
check "the text screen shows gateway as a root" grep -q "gateway" "$T/s6"

# ---- one trace -------------------------------------------------------------------
snap "$T/t1" --screen "trace:$TID" --format json
check "trace: exit 0 (was $(rc "$T/t1"); $(head -c 200 "$T/t1.err"))" [ "$(rc "$T/t1")" = 0 ]
check "every reported span has a row (7) under the root" \
	jqt 'input | .screens[] | (.spans | length) == 7 and .spans[0].depth == 0 and .spans[0].service == "gateway"' "$T/t1"
check "a shared client/server id is two rows: the server half is the client's child" \
	jqt 'input | .screens[] | [.spans[] | select(.id == "000000000000000d")] | length == 2 and .[0].kind == "CLIENT" and .[1].kind == "SERVER" and .[1].depth == .[0].depth + 1' "$T/t1"
check "the critical path's shares add up to the trace's duration" \
	jqt 'input | .screens[] | ([.spans[].critical_ms] | add) as $s | ($s - .duration_ms | fabs) < 0.01' "$T/t1"
check "payments dominates the critical path" \
	jqt 'input | .screens[] | .critical_service == "payments"' "$T/t1"
check "the inventory call, before the charge, is on the path too (sequential calls add up)" \
	jqt 'input | .screens[] | ([.spans[] | select(.service == "inventory") | .critical_ms] | add) > 0' "$T/t1"
check "payments' share is larger than inventory's" \
	jqt 'input | .screens[] | ([.spans[] | select(.service == "payments") | .critical_ms] | add) > ([.spans[] | select(.service == "inventory") | .critical_ms] | add)' "$T/t1"
check "the failed charge is marked an error" \
	jqt 'input | .screens[] | [.spans[] | select(.service == "payments") | .error] | all' "$T/t1"
snap "$T/t2" --screen "trace:$TID" --width 120 --height 30
check "the waterfall shows every service" \
	bash -c 'for s in gateway orders inventory payments; do grep -q "$s" "$1" || exit 1; done' _ "$T/t2"
snap "$T/t3" --screen "trace:$ORPHAN" --format json
check "a trace without its root: exit 0" [ "$(rc "$T/t3")" = 0 ]
check "its spans hang under a synthetic root, marked orphan" \
	jqt 'input | .screens[] | .orphans >= 1 and .spans[0].id == null and ([.spans[] | select(.orphan)] | length) >= 1' "$T/t3"

snap "$T/t4" --screen trace:00000000000000000000000000000fff --format json
check "an unknown trace: exit 2" [ "$(rc "$T/t4")" = 2 ]
check "an unknown trace: the error says not found" jqt 'input | .screens[] | .error | test("not found")' "$T/t4"
snap "$T/t5" --screen trace:xyz --format json
check "a trace id that is not hex: exit 1" [ "$(rc "$T/t5")" = 1 ]
check "a trace id that is not hex: the message shows a valid one" grep -q "hex" "$T/t5.err"
mkdir -p "$T/config/opsdeck"
printf '[traces]\nmax_spans = 20\n' >"$T/config/opsdeck/config.ini"
snap "$T/t6" --screen trace:00000000000000000000000000000bbb --format json
check "a trace over max_spans: exit 2" [ "$(rc "$T/t6")" = 2 ]
check "a trace over max_spans: refused with its size and the setting" \
	jqt 'input | .screens[] | (.error | test("30")) and (.error | test("max_spans")) and (.spans | length) == 0' "$T/t6"
rm "$T/config/opsdeck/config.ini"

# ---- topology --------------------------------------------------------------------
snap "$T/g1" --screen topology --since 1h --format json
check "topology: exit 0 (was $(rc "$T/g1"))" [ "$(rc "$T/g1")" = 0 ]
check "gateway calls orders once" \
	jqt 'input | .screens[] | [.links[] | select(.parent == "gateway" and .child == "orders")][0].calls >= 1' "$T/g1"
check "orders calls payments, with an error" \
	jqt 'input | .screens[] | [.links[] | select(.parent == "orders" and .child == "payments")][0].errors >= 1' "$T/g1"
snap "$T/g2" --screen topology --width 120 --height 30
check "the graph draws the services" \
	bash -c 'for s in gateway orders inventory payments; do grep -q "$s" "$1" || exit 1; done' _ "$T/g2"
snap "$T/g3" --screen topology --format markdown
check "markdown: one row per link" grep -q "orders.*payments" "$T/g3"

# ---- a dead Zipkin, and an answer that is not JSON -------------------------------
DEAD=$(free_port)
OPSDECK_ZIPKIN_URL=http://127.0.0.1:$DEAD snap "$T/d1" --screen traces --format json --timeout 5s
check "a dead Zipkin: exit 2" [ "$(rc "$T/d1")" = 2 ]
check "a dead Zipkin: the error names zipkin and the address" \
	jqt --arg p "$DEAD" 'input | .screens[] | (.error | test("zipkin")) and (.error | test($p))' "$T/d1"
mkdir -p "$T/www/api/v2"
echo '<html>not json</html>' >"$T/www/api/v2/traces"
WWW=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$WWW" >"$T/www.log" 2>&1 &
PIDS+=($!)
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$WWW/api/v2/traces" || true
OPSDECK_ZIPKIN_URL=http://127.0.0.1:$WWW snap "$T/d2" --screen traces --format json --timeout 5s
check "an answer that is not JSON: exit 2" [ "$(rc "$T/d2")" = 2 ]
check "an answer that is not JSON: the error says so" \
	jqt 'input | .screens[] | .error | test("zipkin") and test("JSON|json")' "$T/d2"
unset OPSDECK_ZIPKIN_URL
snap "$T/d3" --screen traces --format json
check "no Zipkin configured: exit 1" [ "$(rc "$T/d3")" = 1 ]
check "no Zipkin configured: the message says how to set it" grep -q "OPSDECK_ZIPKIN_URL" "$T/d3.err"
finish
