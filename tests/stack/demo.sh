#!/usr/bin/env bash
# tests/stack/demo.sh - `make demo`: the console on a local stack.
#
# Starts shopsim, node exporter, Prometheus (with 30 minutes of backfilled
# history), the Elasticsearch test server (with shopsim's logs of the last
# 15 minutes) and the Zipkin test server (with the spans of the same
# requests) in a temporary directory, runs ./opsdeck against it in the
# foreground, and stops the stack when the console exits, on Ctrl-C and on
# hangup.  Extra console arguments: OPSDECK_ARGS="--wall".  Extra stack
# arguments: STACK_ARGS="--incident payments-latency --seed 3".
# shellcheck disable=SC2317  # cleanup runs from a trap
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
BIN=${OPSDECK_BIN:-$ROOT/opsdeck}

if [ ! -t 0 ] || [ ! -t 1 ]; then
	cat >&2 <<-EOF
	demo.sh: the demo opens the interactive console and needs a terminal on
	stdin and stdout.  Without one, start the stack and take a snapshot:
	    tests/stack/start.sh /tmp/stack && . /tmp/stack/env
	    ./opsdeck snapshot --prometheus "\$PROMETHEUS_URL"
	    tests/stack/stop.sh /tmp/stack
	EOF
	exit 1
fi
if [ ! -x "$BIN" ]; then
	echo "demo.sh: no console binary at $BIN (run make)" >&2
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-demo.XXXXXX") || exit 1
S=$T/stack
cleanup() {
	trap - EXIT
	trap "" INT TERM HUP # finish stopping the stack even if more signals come
	{ echo "demo.sh: stopping the stack"; } 2>/dev/null
	if [ -n "${DOCKER_START_PID:-}" ]; then
		# Interrupted while dockerd was starting: end the start, then stop what it began.
		kill -TERM "$DOCKER_START_PID" 2>/dev/null
		wait "$DOCKER_START_PID" 2>/dev/null
	fi
	# The stack and a private dockerd stop side by side: dockerd takes longest.
	tests/stack/stop.sh "$S" >/dev/null 2>&1 &
	[ -n "${OWN_DOCKER:-}" ] && tests/stack/dockerd.sh stop "$T/docker" >/dev/null 2>&1
	wait
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

read -ra stack_args <<<"${STACK_ARGS:-}"
read -ra console_args <<<"${OPSDECK_ARGS:-}"
echo "demo.sh: starting the local stack in $S ..."
tests/stack/start.sh "$S" "${stack_args[@]}" || exit 1
# shellcheck source=/dev/null
. "$S/env"
cat <<EOF
demo.sh: Prometheus  $PROMETHEUS_URL
         shopsim     $SHOPSIM_URL   (truth: $SHOPSIM_URL/truth)
         node        $NODE_EXPORTER_URL
         elastic     ${ELASTICSEARCH_URL:-none}   (shopsim writes logs-shop)
         zipkin      ${ZIPKIN_URL:-none}   (shopsim reports the spans of the same requests)
         alertmgr    ${ALERTMANAGER_URL:-none}   (the incidents fire Prometheus' rules; a, then s silences)
         logs        $S/*.log
  Incidents, from another terminal:
    curl -X POST   $SHOPSIM_URL/incident/payments-latency
    curl -X POST   $SHOPSIM_URL/incident/orders-errors
    curl -X DELETE $SHOPSIM_URL/incident/orders-errors
EOF
# Docker: an endpoint that answers, else a private dockerd with Swarm and
# shop-named services when we are root, else none (the console says so).
docker_answers() { # HOST
	case $1 in
	unix://*) curl -sf --max-time 3 --unix-socket "${1#unix://}" http://localhost/_ping >/dev/null ;;
	tcp://*) curl -sf --max-time 3 "http://${1#tcp://}/_ping" >/dev/null ;;
	*) return 1 ;;
	esac
}
docker_args=()
if [ -n "${DOCKER_HOST:-}" ] && docker_answers "$DOCKER_HOST"; then
	echo "demo.sh: Docker        $DOCKER_HOST (yours, it answers)"
	docker_args=(--docker "$DOCKER_HOST")
elif [ -z "${DOCKER_HOST:-}" ] && docker_answers unix:///var/run/docker.sock; then
	echo "demo.sh: Docker        unix:///var/run/docker.sock (yours, it answers)"
	docker_args=(--docker unix:///var/run/docker.sock)
elif [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null; then
	echo "demo.sh: starting a private dockerd with Swarm and shop services ..."
	OWN_DOCKER=1 # before the start: a hangup during it must still stop it
	tests/stack/dockerd.sh start "$T/docker" --services >"$T/dockerd-start.log" 2>&1 &
	DOCKER_START_PID=$!
	if wait "$DOCKER_START_PID"; then
		DOCKER_START_PID=
		# shellcheck source=/dev/null
		. "$T/docker/docker.env"
		echo "demo.sh: Docker        $DOCKER_HOST (private, Swarm; try S, R, B on a service)"
		docker_args=(--docker "$DOCKER_HOST")
	else
		DOCKER_START_PID=
		echo "demo.sh: no Docker: the private dockerd did not start (see $T/dockerd-start.log)"
	fi
else
	echo "demo.sh: no Docker endpoint answers and we are not root: the runtime stays unconfigured"
fi
if [ -z "${DEMO_NO_PAUSE:-}" ]; then
	read -r -t 5 -p "Starting the console in 5 s (Enter: now) " _ || true
	echo
fi
es_args=()
if [ -n "${ELASTICSEARCH_URL:-}" ] && "$BIN" --help 2>&1 | grep -q -- '--elasticsearch'; then
	es_args=(--elasticsearch "$ELASTICSEARCH_URL")
fi
# the console reads the Zipkin endpoint from the environment
if [ -n "${ZIPKIN_URL:-}" ]; then
	export OPSDECK_ZIPKIN_URL=$ZIPKIN_URL
fi
am_args=()
if [ -n "${ALERTMANAGER_URL:-}" ]; then
	am_args=(--alertmanager "$ALERTMANAGER_URL")
fi
"$BIN" --prometheus "$PROMETHEUS_URL" "${am_args[@]}" "${es_args[@]}" "${docker_args[@]}" "${console_args[@]}"
status=$?
exit "$status"
