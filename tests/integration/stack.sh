#!/usr/bin/env bash
# The local stack: start.sh brings up shopsim, node exporter, Prometheus and
# the Elasticsearch and Zipkin test servers on loopback, Prometheus's request
# rates match shopsim's truth, Zipkin names the shop's services, stop.sh
# leaves nothing running.
# shellcheck disable=SC2317  # functions called through trap and check
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/stack/helpers.sh
. tests/stack/helpers.sh
stack_need

T=$(mktemp -d)
S=$T/stack
trap 'tests/stack/stop.sh "$S" >/dev/null 2>&1; rm -rf "$T"' EXIT

t0=$(date +%s)
if tests/stack/start.sh "$S" --steady --timeout 60 >"$T/start.out" 2>&1; then
	ok "start.sh: $(head -1 "$T/start.out")"
else
	not_ok "start.sh failed"; sed 's/^/  | /' "$T/start.out"; finish
fi
# shellcheck source=/dev/null
. "$S/env"
check "env names all six URLs" test -n "${PROMETHEUS_URL:-}" -a -n "${SHOPSIM_URL:-}" -a -n "${NODE_EXPORTER_URL:-}" -a -n "${ELASTICSEARCH_URL:-}" -a -n "${ZIPKIN_URL:-}" -a -n "${ALERTMANAGER_URL:-}"
check "the env file has ZIPKIN_URL=http://127.0.0.1:PORT" grep -qx 'ZIPKIN_URL=http://127\.0\.0\.1:[0-9]*' "$S/env"
mapfile -t PIDS < <(stack_pids "$S")
check "six PID files (${PIDS[*]})" test "${#PIDS[@]}" -eq 6
check "the Alertmanager is ready" curl -sf -o /dev/null "$ALERTMANAGER_URL/-/ready"
check "Prometheus sends its alerts to it" wait_for 10 sh -c "curl -sf '$PROMETHEUS_URL/api/v1/alertmanagers' | jq -en 'input | .data.activeAlertmanagers | length == 1' >/dev/null"
check "Prometheus loaded the alerting rules" sh -c "curl -sf '$PROMETHEUS_URL/api/v1/rules?type=alert' | jq -en 'input | [.data.groups[].rules[].name] == [\"HighErrorRatio\", \"HighLatency\"]' >/dev/null"
check "Elasticsearch holds shopsim's logs" sh -c "curl -sf '$ELASTICSEARCH_URL/logs-*/_count' | jq -en 'input | .count > 0' >/dev/null"
# zipkin_services : Zipkin's /api/v2/services are the shop's six services
zipkin_services() {
	curl -sf --max-time 5 "$ZIPKIN_URL/api/v2/services" |
		jq -en 'input | . == ["gateway","inventory","notifications","orders","payments","users"]' >/dev/null
}
check "Zipkin answers /api/v2/services with the shop's services" wait_for 30 zipkin_services
check "Zipkin links gateway to orders" sh -c "curl -sf '$ZIPKIN_URL/api/v2/dependencies?endTs=$(( $(date +%s) * 1000 ))' | jq -en 'input | any(.[]; .parent == \"gateway\" and .child == \"orders\" and .callCount > 0)' >/dev/null"
for p in "${PIDS[@]}"; do check "pid $p running" pid_alive "$p"; done

addrs=$(listening_addresses "${PIDS[@]}" | sort -u | tr '\n' ' ')
check "listening on loopback only: $addrs" sh -c "[ -n '$addrs' ] && ! printf '%s\n' $addrs | grep -qv '^127\.0\.0\.1:'"

Q='sum by (service) (rate(http_requests_total[1m]))'
curl -sf "$SHOPSIM_URL/truth" >"$T/truth.json"
# rates_match : every shopsim service is in Prometheus within 20% of the truth
rates_match() {
	prom_query "$PROMETHEUS_URL" "$Q" >"$T/rates.json" || return 1
	jq -e -n --slurpfile r "$T/rates.json" --slurpfile t "$T/truth.json" '
		($r[0] | map({key: .metric.service, value: (.value[1] | tonumber)}) | from_entries) as $got
		| $t[0].services | to_entries
		| length == 6 and all(.[]; ($got[.key] // -1) as $g | ($g - .value.rps | fabs) <= 0.2 * .value.rps)
	' >/dev/null
}
if wait_for 60 rates_match; then
	ok "Prometheus: $Q within 20% of the truth for all 6 services ($(( $(date +%s) - t0 ))s after start)"
else
	not_ok "Prometheus rates: $(cat "$T/rates.json") truth: $(jq -c '.services | map_values(.rps)' "$T/truth.json")"
fi
check "Prometheus has per-service latency" sh -c "prom_query() { curl -sfG '$PROMETHEUS_URL/api/v1/query' --data-urlencode \"query=\$1\"; }; prom_query 'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[1m])))' | jq -en 'input | .data.result | length == 6' >/dev/null"
check "Prometheus scrapes the node exporter" sh -c "curl -sfG '$PROMETHEUS_URL/api/v1/query' --data-urlencode 'query=count(node_cpu_seconds_total)' | jq -en 'input | .data.result | length == 1' >/dev/null"
check "history was backfilled (30 min of samples)" sh -c "curl -sfG '$PROMETHEUS_URL/api/v1/query' --data-urlencode 'query=count_over_time(http_requests_total{job=\"shopsim\",service=\"orders\",code=\"200\"}[25m] offset 2m)' | jq -en 'input | .data.result[0].value[1] | tonumber > 100' >/dev/null"
check "backfilled and scraped series are one series each" sh -c "curl -sfG '$PROMETHEUS_URL/api/v1/query' --data-urlencode 'query=count by (service) (process_resident_memory_bytes{job=\"shopsim\"})' | jq -en 'input | .data.result | length == 6 and all(.[]; .value[1] == \"1\")' >/dev/null"

check "start.sh refuses a second start in the same DIR" sh -c "! tests/stack/start.sh '$S' >/dev/null 2>&1"

# stopping one part
prom_pid=$(cat "$S/prometheus.pid")
check "stop.sh DIR prometheus" tests/stack/stop.sh "$S" prometheus
check "Prometheus is gone" sh -c "! kill -0 $prom_pid 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$prom_pid/stat"
check "shopsim still answers" curl -sf -o /dev/null "$SHOPSIM_URL/healthz"

# stopping everything
check "stop.sh DIR" tests/stack/stop.sh "$S"
left=0
for p in "${PIDS[@]}"; do pid_alive "$p" && left=$((left + 1)); done
check "no started process remains" test "$left" -eq 0
check "no process names the stack dir: $(procs_under "$S" | tr '\n' ';')" test -z "$(procs_under "$S")"
check "stop.sh is idempotent" tests/stack/stop.sh "$S"
check "shopsim port closed" sh -c "! curl -sf -o /dev/null --max-time 2 '$SHOPSIM_URL/healthz'"
check "Zipkin port closed" sh -c "! curl -sf -o /dev/null --max-time 2 '$ZIPKIN_URL/health'"
finish
