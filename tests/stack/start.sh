#!/usr/bin/env bash
# tests/stack/start.sh DIR [options] - start the local stack under DIR.
#
# Starts, each on 127.0.0.1 and a free port, with every file under DIR:
#   elasticsearch             the Elasticsearch test server (tests/stack/esserver.py)
#   zipkin                    the Zipkin test server (tests/stack/zipkinserver.py)
#   shopsim                   the simulated shop (tests/shopsim/shopsim.py),
#                             writing its request logs to Elasticsearch and
#                             the spans of the same requests to Zipkin
#   prometheus-node-exporter  the real one
#   prometheus-alertmanager   the real one (no receiver: alerts and silences only)
#   prometheus                the real one, scraping both, with alerting
#                             rules on shopsim's metrics (HighErrorRatio
#                             critical: error ratio > 10%, orders-errors
#                             fires it; HighLatency warning: p99 > 1.5s,
#                             payments-latency fires it; both labelled
#                             with the service), sending to the Alertmanager
# then waits until Prometheus is ready and has scraped shopsim at least
# twice, the logs-* indices hold documents and Zipkin holds spans, writes
# DIR/env (PROMETHEUS_URL, SHOPSIM_URL, NODE_EXPORTER_URL, ELASTICSEARCH_URL,
# ZIPKIN_URL, ALERTMANAGER_URL, STACK_DIR; source it) and returns.  PIDs are in DIR/*.pid;
# stop with tests/stack/stop.sh DIR.  On failure everything started is
# stopped again.
#
# Options:
#   --scrape-interval D     Prometheus scrape and rule interval (default 1s)
#   --incident NAME         shopsim incident active from the start (repeatable)
#   --steady                constant shopsim rates (no noise, no bursts)
#   --seed N                shopsim seed (default 1)
#   --extra-service NAME    add a shopsim service (repeatable)
#   --history SECONDS       backfill this much shopsim history into Prometheus
#                           before it starts (default 1800; 0 = none)
#   --no-history            same as --history 0
#   --log-history SECONDS   shopsim's logs and spans written for this much past
#                           at start (default: --history, at most 900)
#   --log-sample F          fraction of shopsim's requests logged and traced
#                           (default auto, about 50 lines a second)
#   --no-logs               no Elasticsearch server, no logs
#   --no-traces             no Zipkin server, no spans
#   --no-alertmanager       no Alertmanager (Prometheus still evaluates the rules)
#   --timeout SECONDS       deadline for each wait (default 60)
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"

usage() {
	sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//' >&2
	exit 1
}

[ $# -ge 1 ] || usage
case $1 in -h|--help|-*) usage ;; esac
DIR=$1
shift
INTERVAL=1s
HISTORY=1800
TIMEOUT=60
LOGS=1
TRACES=1
ALERTMANAGER=1
LOG_HISTORY=
SHOPSIM_ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--scrape-interval) INTERVAL=${2:?}; shift ;;
	--incident) SHOPSIM_ARGS+=(--incident "${2:?}"); shift ;;
	--steady) SHOPSIM_ARGS+=(--steady) ;;
	--seed) SHOPSIM_ARGS+=(--seed "${2:?}"); shift ;;
	--extra-service) SHOPSIM_ARGS+=(--extra-service "${2:?}"); shift ;;
	--history) HISTORY=${2:?}; shift ;;
	--no-history) HISTORY=0 ;;
	--log-history) LOG_HISTORY=${2:?}; shift ;;
	--log-sample) SHOPSIM_ARGS+=(--log-sample "${2:?}"); shift ;;
	--no-logs) LOGS=0 ;;
	--no-traces) TRACES=0 ;;
	--no-alertmanager) ALERTMANAGER=0 ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	*) echo "start.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
PYTHON=${PYTHON:-python3}
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
for cmd in "$PYTHON" prometheus "$NODE_EXPORTER" curl jq setsid; do
	command -v "$cmd" >/dev/null 2>&1 || { echo "start.sh: $cmd not found (run tests/stack/install.sh)" >&2; exit 1; }
done

for f in "$DIR"/*.pid; do
	[ -f "$f" ] || continue
	pid=$(cat "$f" 2>/dev/null)
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		echo "start.sh: a stack is already running in $DIR (tests/stack/stop.sh $DIR)" >&2
		exit 1
	fi
done
rm -f "$DIR"/*.pid "$DIR/env"

t_start=$(date +%s%N)
elapsed() { awk -v ns="$(( $(date +%s%N) - t_start ))" 'BEGIN { printf "%.1f", ns / 1e9 }'; }

fail() {
	echo "start.sh: $*" >&2
	for log in "$DIR"/*.log; do
		[ -f "$log" ] || continue
		echo "--- $log (last lines)" >&2
		tail -n 15 "$log" >&2
	done
	"$HERE/stop.sh" "$DIR" >&2
	exit 1
}

alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null; }

http_ok() { curl -sf -o /dev/null --max-time 2 "$1"; }

# launch NAME READY_PATH CMD... : start CMD (with @PORT@ replaced by a free
# port) in its own session, logging to DIR/NAME.log, PID in DIR/NAME.pid;
# wait until http://127.0.0.1:PORT/READY_PATH answers.  Retries with another
# port if the process dies first (the port was taken meanwhile).
# Sets PORT.
launch() {
	local name=$1 ready=$2 attempt pid deadline arg
	shift 2
	for attempt in 1 2 3; do
		PORT=$(free_port)
		local cmd=()
		for arg in "$@"; do cmd+=("${arg//@PORT@/$PORT}"); done
		[ "$name" = prometheus ] && write_prometheus_config "$PORT"
		setsid "${cmd[@]}" >>"$DIR/$name.log" 2>&1 </dev/null &
		pid=$!
		echo "$pid" >"$DIR/$name.pid"
		deadline=$(( $(date +%s) + TIMEOUT ))
		while alive "$pid"; do
			if http_ok "http://127.0.0.1:$PORT/$ready"; then return 0; fi
			[ "$(date +%s)" -ge "$deadline" ] && fail "$name did not answer on 127.0.0.1:$PORT within ${TIMEOUT}s"
			sleep 0.1
		done
		echo "start.sh: $name exited early (attempt $attempt, port $PORT)" >&2
		rm -f "$DIR/$name.pid"
	done
	fail "$name would not start"
}

write_prometheus_config() {
	cat >"$DIR/prometheus.yml" <<-EOF
	# written by tests/stack/start.sh
	global:
	  scrape_interval: $INTERVAL
	  scrape_timeout: $INTERVAL
	  evaluation_interval: $INTERVAL
	rule_files:
	  - $DIR/rules.yml
	EOF
	if [ -n "$ALERTMANAGER_PORT" ]; then
		cat >>"$DIR/prometheus.yml" <<-EOF
		alerting:
		  alertmanagers:
		    - static_configs:
		        - targets: ['127.0.0.1:$ALERTMANAGER_PORT']
		EOF
	fi
	cat >>"$DIR/prometheus.yml" <<-EOF
	scrape_configs:
	  - job_name: shopsim
	    static_configs:
	      - targets: ['127.0.0.1:$SHOPSIM_PORT']
	  - job_name: node
	    static_configs:
	      - targets: ['127.0.0.1:$NODE_PORT']
	  - job_name: prometheus
	    static_configs:
	      - targets: ['127.0.0.1:$1']
	EOF
}

# Prometheus instant query; succeeds when the result is a non-empty vector.
prom_has() {
	curl -sfG --max-time 5 "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$1" |
		jq -e '.status == "success" and (.data.result | length > 0)' >/dev/null
}

# 0. the Elasticsearch test server, for shopsim's logs
ELASTICSEARCH_URL=
if [ "$LOGS" = 1 ]; then
	launch elasticsearch "" "$PYTHON" "$ROOT/tests/stack/esserver.py" --listen "127.0.0.1:@PORT@" \
		--pid-file "$DIR/elasticsearch.pid"
	ELASTICSEARCH_URL=http://127.0.0.1:$PORT
	SHOPSIM_ARGS+=(--elasticsearch "$ELASTICSEARCH_URL")
fi
# 0b. the Zipkin test server, for the spans of the same requests (at most
# 200,000 spans: about half an hour of shopsim's, the oldest traces go first)
ZIPKIN_URL=
if [ "$TRACES" = 1 ]; then
	launch zipkin health "$PYTHON" "$ROOT/tests/stack/zipkinserver.py" --listen "127.0.0.1:@PORT@" \
		--pid-file "$DIR/zipkin.pid" --max-spans 200000
	ZIPKIN_URL=http://127.0.0.1:$PORT
	SHOPSIM_ARGS+=(--zipkin "$ZIPKIN_URL")
fi
if [ "$LOGS" = 1 ] || [ "$TRACES" = 1 ]; then
	if [ -z "$LOG_HISTORY" ]; then
		LOG_HISTORY=$(awk -v h="$HISTORY" 'BEGIN { print (h > 900 ? 900 : h) }')
	fi
	SHOPSIM_ARGS+=(--log-history "$LOG_HISTORY")
fi

# 1. shopsim (with the history window simulated up front)
launch shopsim healthz "$PYTHON" "$ROOT/tests/shopsim/shopsim.py" --listen "127.0.0.1:@PORT@" \
	--pid-file "$DIR/shopsim.pid" --history "$HISTORY" "${SHOPSIM_ARGS[@]}"
SHOPSIM_PORT=$PORT
SHOPSIM_URL=http://127.0.0.1:$SHOPSIM_PORT

# 2. backfill that history into a fresh TSDB, before Prometheus starts
rm -rf "$DIR/data"
if [ "$HISTORY" != 0 ]; then
	if ! command -v promtool >/dev/null 2>&1; then
		echo "start.sh: promtool not found, no history backfill" >&2
	elif curl -sfG --max-time 30 "$SHOPSIM_URL/history" -o "$DIR/history.om" \
		--data-urlencode job=shopsim --data-urlencode "instance=127.0.0.1:$SHOPSIM_PORT" &&
		promtool tsdb create-blocks-from openmetrics "$DIR/history.om" "$DIR/data" >"$DIR/backfill.log" 2>&1; then
		:
	else
		echo "start.sh: history backfill failed (see $DIR/backfill.log); continuing without" >&2
		rm -rf "$DIR/data"
	fi
	rm -f "$DIR/history.om"
fi

# 3. node exporter
mkdir -p "$DIR/textfile"
launch node_exporter metrics "$NODE_EXPORTER" --web.listen-address="127.0.0.1:@PORT@" \
	--collector.textfile.directory="$DIR/textfile" --no-collector.systemd
NODE_PORT=$PORT
NODE_EXPORTER_URL=http://127.0.0.1:$NODE_PORT

# 4. Alertmanager, without a receiver: it holds alerts and silences
ALERTMANAGER_PORT=
ALERTMANAGER_URL=
if [ "$ALERTMANAGER" = 1 ]; then
	command -v prometheus-alertmanager >/dev/null 2>&1 ||
		fail "prometheus-alertmanager not found (run tests/stack/install.sh, or --no-alertmanager)"
	printf "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n" >"$DIR/alertmanager.yml"
	rm -rf "$DIR/alertmanager"
	launch alertmanager -/ready prometheus-alertmanager --config.file="$DIR/alertmanager.yml" \
		--storage.path="$DIR/alertmanager" --web.listen-address="127.0.0.1:@PORT@" \
		--cluster.listen-address=
	ALERTMANAGER_PORT=$PORT
	ALERTMANAGER_URL=http://127.0.0.1:$PORT
fi

# Alerting rules on shopsim's metrics, labelled with the service (and
# severity) as a real setup would; shopsim's incidents fire them.
# Prometheus finds the Alertmanager on its 5 s discovery tick, after the
# first evaluations: --rules.alert.resend-delay=1s sends firing alerts
# again within a second instead of a minute.
cat >"$DIR/rules.yml" <<'EOF'
groups:
  - name: shopsim
    rules:
      - alert: HighErrorRatio
        expr: >-
          sum by (service) (rate(http_requests_total{job="shopsim",code=~"5.."}[30s]))
          / sum by (service) (rate(http_requests_total{job="shopsim"}[30s])) > 0.1
        for: 3s
        labels:
          severity: critical
        annotations:
          summary: '{{ $labels.service }}: {{ $value | humanizePercentage }} of requests fail'
      - alert: HighLatency
        expr: >-
          histogram_quantile(0.99, sum by (service, le)
          (rate(http_request_duration_seconds_bucket{job="shopsim"}[30s]))) > 1.5
        for: 3s
        labels:
          severity: warning
        annotations:
          summary: '{{ $labels.service }}: p99 {{ $value | humanizeDuration }} above 1.5s'
EOF

# 5. Prometheus
launch prometheus -/ready prometheus --config.file="$DIR/prometheus.yml" \
	--storage.tsdb.path="$DIR/data" --web.listen-address="127.0.0.1:@PORT@" \
	--web.enable-lifecycle --rules.alert.resend-delay=1s
PROMETHEUS_URL=http://127.0.0.1:$PORT
t_ready=$(elapsed)

# 6. wait for two scrapes of shopsim (targets are applied on a 5 s tick)
wait_for "$TIMEOUT" prom_has 'count_over_time(up{job="shopsim"}[5m]) >= 2 and up{job="shopsim"} == 1' ||
	fail "Prometheus did not scrape shopsim twice within ${TIMEOUT}s"
wait_for "$TIMEOUT" prom_has 'count(rate(http_requests_total{job="shopsim"}[1m]) > 0)' ||
	fail "no request rates in Prometheus within ${TIMEOUT}s"
wait_for "$TIMEOUT" prom_has 'up{job="node"} == 1' ||
	fail "Prometheus did not scrape the node exporter within ${TIMEOUT}s"

# 7. shopsim's logs are searchable
# (jq -n 'input' fails on an empty answer, where jq 1.6 -e alone would pass)
es_has_logs() {
	curl -sf --max-time 5 "$ELASTICSEARCH_URL/logs-*/_count" | jq -en 'input | .count > 0' >/dev/null
}
if [ "$LOGS" = 1 ]; then
	wait_for "$TIMEOUT" es_has_logs ||
		fail "no shopsim logs in Elasticsearch within ${TIMEOUT}s ($(curl -s --max-time 5 "$SHOPSIM_URL/logs" | jq -c '{sent, errors, last_error}' 2>/dev/null))"
fi

# 8. shopsim's spans are stored: Zipkin names services
zipkin_has_spans() {
	curl -sf --max-time 5 "$ZIPKIN_URL/api/v2/services" | jq -en 'input | length > 0' >/dev/null
}
if [ "$TRACES" = 1 ]; then
	wait_for "$TIMEOUT" zipkin_has_spans ||
		fail "no shopsim spans in Zipkin within ${TIMEOUT}s ($(curl -s --max-time 5 "$SHOPSIM_URL/spans-stats" | jq -c '{sent, errors, last_error}' 2>/dev/null))"
fi

cat >"$DIR/env.tmp" <<EOF
PROMETHEUS_URL=$PROMETHEUS_URL
SHOPSIM_URL=$SHOPSIM_URL
NODE_EXPORTER_URL=$NODE_EXPORTER_URL
ELASTICSEARCH_URL=$ELASTICSEARCH_URL
ZIPKIN_URL=$ZIPKIN_URL
ALERTMANAGER_URL=$ALERTMANAGER_URL
STACK_DIR=$DIR
EOF
mv "$DIR/env.tmp" "$DIR/env"
hist=none
[ -d "$DIR/data" ] && [ "$HISTORY" != 0 ] && hist="${HISTORY}s backfilled"
logs=none
[ "$LOGS" = 1 ] && logs="${LOG_HISTORY}s written"
traces=none
[ "$TRACES" = 1 ] && traces="${LOG_HISTORY}s reported"
echo "stack up in $(elapsed)s (Prometheus ready at ${t_ready}s; history: $hist; logs: $logs; traces: $traces)"
echo "  PROMETHEUS_URL=$PROMETHEUS_URL  SHOPSIM_URL=$SHOPSIM_URL  NODE_EXPORTER_URL=$NODE_EXPORTER_URL"
if [ "$LOGS" = 1 ]; then echo "  ELASTICSEARCH_URL=$ELASTICSEARCH_URL"; fi
if [ "$TRACES" = 1 ]; then echo "  ZIPKIN_URL=$ZIPKIN_URL"; fi
if [ "$ALERTMANAGER" = 1 ]; then echo "  ALERTMANAGER_URL=$ALERTMANAGER_URL"; fi
