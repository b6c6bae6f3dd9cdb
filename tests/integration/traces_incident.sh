#!/usr/bin/env bash
# The payments-latency incident seen through traces: on the local stack,
# once shopsim's incident starts, a search for slow payments spans finds
# traces, and the waterfall of one of them has its critical path through
# payments (the service with the largest share), in JSON and on the text
# screen.  Prints how long after the incident began the first slow trace
# could be opened.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
cleanup() {
	"$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state TZ=UTC

if ! "$ROOT/tests/stack/start.sh" "$STACK" --steady --no-history >"$T/stack.log" 2>&1; then
	cat "$T/stack.log"; not_ok "local stack starts"; finish
fi
. "$STACK/env"
[ -n "${ZIPKIN_URL:-}" ] || { not_ok "the stack names its Zipkin (ZIPKIN_URL)"; finish; }
export OPSDECK_ZIPKIN_URL=$ZIPKIN_URL
unset OPSDECK_PROMETHEUS_URL OPSDECK_ELASTICSEARCH_URL DOCKER_HOST

jqt() { jq -en "$@" >/dev/null; }
slow() { # the slow payments traces of the last minute, as JSON in $T/slow.json
	"$OPSDECK_BIN" snapshot --screen traces --query 'service=payments >1s' --since 1m \
		--format json --timeout 5s >"$T/slow.json" 2>/dev/null &&
		jq -en 'input | .screens.traces.traces | length > 0' "$T/slow.json" >/dev/null
}
check "no slow payments traces before the incident" bash -c "$(declare -f slow); T=$T OPSDECK_BIN=$OPSDECK_BIN; ! slow"

t0=$(date +%s%N)
check "the incident starts" curl -sf -X POST -o /dev/null "$SHOPSIM_URL/incident/payments-latency"
check "slow payments traces are found" wait_for 30 slow
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# first slow payments trace listed ${ms} ms after the incident began"
ID=$(jq -r '.screens.traces.traces | max_by(.duration_ms) | .trace_id' "$T/slow.json")
"$OPSDECK_BIN" snapshot --screen "trace:$ID" --format json >"$T/trace.json"
check "the slowest trace opens" jqt 'input | .screens[] | .error == null and (.spans | length) > 2' "$T/trace.json"
check "its critical path runs through payments" jqt 'input | .screens[] | .critical_service == "payments"' "$T/trace.json"
check "payments' spans on it are slow (over 1 s)" \
	jq -en 'input | .screens[] | [.spans[] | select(.service == "payments" and .critical_ms > 0) | .duration_ms] | max > 1000' "$T/trace.json"
"$OPSDECK_BIN" snapshot --screen "trace:$ID" --width 120 --height 30 >"$T/trace.txt"
check "the waterfall says the path is mostly payments" grep -q "mostly payments" "$T/trace.txt"
finish
