#!/usr/bin/env bash
# shellcheck disable=SC2016  # jq programs in single quotes
# `opsdeck snapshot` against the real local stack (shopsim, node exporter,
# Prometheus): per-service figures against shopsim's truth, an incident
# turning a service CRIT, a dead Prometheus reported with exit status 2, and
# the command line's errors.
# shellcheck disable=SC2317  # functions called through trap and check
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/stack/helpers.sh
. tests/stack/helpers.sh

if [ ! -x "$OPSDECK_BIN" ]; then
	echo "no opsdeck binary at $OPSDECK_BIN (run make)"; exit 77
fi
if ! "$OPSDECK_BIN" snapshot --help >/dev/null 2>&1; then
	echo "$OPSDECK_BIN snapshot --help fails: snapshot command not available"; exit 77
fi
stack_need

T=$(mktemp -d)
S=$T/stack
trap 'tests/stack/stop.sh "$S" >/dev/null 2>&1; rm -rf "$T"' EXIT
mkdir -p "$T/home/.config"

if tests/stack/start.sh "$S" --steady >"$T/start.out" 2>&1; then
	ok "stack: $(head -1 "$T/start.out")"
else
	not_ok "stack did not start"; sed 's/^/  | /' "$T/start.out"; finish
fi
# shellcheck source=/dev/null
. "$S/env"
# jqt [--arg N V]... FILTER FILE: true only for a real answer (jq -e alone exits 0 on empty input)
jqt() {
	local args=()
	while [ "$1" = --arg ]; do args+=("$1" "$2" "$3"); shift 3; done
	local f=$1; shift
	jq -en "${args[@]}" "input | ($f)" "$@" >/dev/null
}
SERVICES=(gateway orders payments inventory users notifications)

# snap OUT [ARGS...] : run opsdeck snapshot with a clean home; sets RC,
# stdout in OUT, stderr in OUT.err.
snap() {
	local out=$1; shift
	env HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" \
		timeout 90 "$OPSDECK_BIN" snapshot "$@" >"$out" 2>"$out.err"
	RC=$?
}
json_snap() { snap "$1" --prometheus "$PROMETHEUS_URL" --format json --timeout 20s; }
# check_rc WANT OUT DESC : ok when the last snap exited WANT, else show its output
check_rc() {
	if [ "$RC" -eq "$1" ]; then ok "$3"; else
		not_ok "$3 (exit $RC)"
		echo "  | stdout: $(head -c 600 "$2")"; echo "  | stderr: $(head -c 600 "$2.err")"
	fi
}

# --- a healthy shop ---------------------------------------------------------
json_snap "$T/s1.json"
check_rc 0 "$T/s1.json" "snapshot exits 0"
check "output is JSON" jqt . "$T/s1.json"
check "generated_at is RFC 3339" jqt '.generated_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")' "$T/s1.json"
check ".backends.prometheus.ok == true" jqt '.backends.prometheus.ok == true' "$T/s1.json"
check ".backends.prometheus.latency_ms is a number" jqt '.backends.prometheus.latency_ms | type == "number"' "$T/s1.json"
for s in "${SERVICES[@]}"; do
	check "service $s listed" jqt --arg s "$s" 'any(.screens.overview.services[]; .name == $s)' "$T/s1.json"
done
check "every service has a number .error_ratio" jqt '(.screens.overview.services | length) > 0 and all(.screens.overview.services[]; .error_ratio | type == "number")' "$T/s1.json"
check "every .status is OK/WARN/CRIT/STALE" jqt 'all(.screens.overview.services[]; .status | IN("OK", "WARN", "CRIT", "STALE"))' "$T/s1.json"

curl -sf "$SHOPSIM_URL/truth" >"$T/truth.json"
# rps_match FILE : every service's .rps within 20% of shopsim's truth
rps_match() {
	json_snap "$1"    # the exit status is checked above; here only the figures
	jq -e -n --slurpfile o "$1" --slurpfile t "$T/truth.json" '
		($o[0].screens.overview.services | map({key: .name, value: .rps}) | from_entries) as $got
		| $t[0].services | to_entries
		| all(.[]; ($got[.key] | type == "number") and (($got[.key] - .value.rps) | fabs) <= 0.2 * .value.rps)
	' >/dev/null
}
t0=$(date +%s)
if wait_for 90 rps_match "$T/s2.json"; then
	ok "rps of every service within 20% of the truth (after $(( $(date +%s) - t0 ))s)"
else
	not_ok "rps against truth: got $(jq -c '[.screens.overview.services[] | {(.name): .rps}] | add' "$T/s2.json" 2>/dev/null) want $(jq -c '.services | map_values(.rps)' "$T/truth.json")"
fi
check "no service CRIT in a steady shop" jqt 'all(.screens.overview.services[]; .status != "CRIT")' "$T/s2.json"

# --- text format and command-line errors -------------------------------------
snap "$T/text.out" --prometheus "$PROMETHEUS_URL" --format text --timeout 20s
check_rc 0 "$T/text.out" "--format text exits 0"
check "--format text mentions payments" grep -q payments "$T/text.out"
snap "$T/bogus.out" --bogus
check_rc 1 "$T/bogus.out" "--bogus exits 1"
check "--bogus prints usage on stderr" grep -qi usage "$T/bogus.out.err"

# --- an incident: orders returns 5xx for ~20% of requests ---------------------
check "POST /incident/orders-errors" curl -sf -X POST -o /dev/null "$SHOPSIM_URL/incident/orders-errors"
orders_crit() {
	json_snap "$T/s3.json"
	jq -e 'any(.screens.overview.services[]; .name == "orders" and .status == "CRIT")' "$T/s3.json" >/dev/null
}
t0=$(date +%s)
if wait_for 150 orders_crit; then
	ok "orders turns CRIT (after $(( $(date +%s) - t0 ))s)"
else
	not_ok "orders not CRIT: $(jq -c '.screens.overview.services[] | select(.name == "orders")' "$T/s3.json" 2>/dev/null)"
fi
check "orders .error_ratio above 5%" jqt 'any(.screens.overview.services[]; .name == "orders" and .error_ratio > 0.05)' "$T/s3.json"
check "payments not CRIT" jqt 'all(.screens.overview.services[]; .name != "payments" or .status != "CRIT")' "$T/s3.json"

# --- Prometheus goes away -----------------------------------------------------
check "stop Prometheus only" tests/stack/stop.sh "$S" prometheus
check "Prometheus no longer answers" sh -c "! curl -sf -o /dev/null --max-time 2 '$PROMETHEUS_URL/-/ready'"
json_snap "$T/s4.json"
check_rc 2 "$T/s4.json" "snapshot exits 2 without Prometheus"
check "still prints JSON" jqt . "$T/s4.json"
check ".backends.prometheus.ok == false" jqt '.backends.prometheus.ok == false' "$T/s4.json"
hostport=${PROMETHEUS_URL#http://}
check "the error names the Prometheus URL ($hostport)" jqt --arg u "$hostport" '.backends.prometheus.error | type == "string" and length > 0 and contains($u)' "$T/s4.json"
finish
