#!/usr/bin/env bash
# tests/stack/stop.sh DIR [NAME...] - stop the stack started by start.sh DIR.
#
# Sends TERM to every process in DIR/*.pid (or only DIR/NAME.pid for the
# given names: prometheus, shopsim, node_exporter, elasticsearch, zipkin), waits up to
# STOP_TIMEOUT seconds (default 15), then KILLs what is left.  A PID is only signalled while its
# command line still names DIR, so a stale PID file never hits a stranger.
# Idempotent: exits 0 when nothing of DIR's is left running.
set -u
[ $# -ge 1 ] || { echo "usage: $0 DIR [NAME...]" >&2; exit 1; }
[ -d "$1" ] || exit 0
DIR=$(cd "$1" && pwd)
shift
TIMEOUT=${STOP_TIMEOUT:-15}

files=()
if [ $# -gt 0 ]; then
	for n in "$@"; do files+=("$DIR/$n.pid"); done
else
	for f in "$DIR"/*.pid; do [ -f "$f" ] && files+=("$f"); done
fi

# ours PID : the process exists, is not a zombie, and was started for DIR.
ours() {
	[ -r "/proc/$1/stat" ] || return 1
	grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null && return 1
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR"
}

pids=()
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	pid=$(tr -dc '0-9' <"$f")
	if [ -n "$pid" ] && ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null && pids+=("$pid:$(basename "$f" .pid)")
	fi
done

left() {
	local p out=()
	for p in "${pids[@]}"; do ours "${p%%:*}" && out+=("$p"); done
	pids=("${out[@]}")
	[ ${#pids[@]} -gt 0 ]
}

deadline=$(( $(date +%s) + TIMEOUT ))
while [ ${#pids[@]} -gt 0 ] && left && [ "$(date +%s)" -lt "$deadline" ]; do
	sleep 0.1
done
if [ ${#pids[@]} -gt 0 ] && left; then
	for p in "${pids[@]}"; do
		echo "stop.sh: ${p#*:} (pid ${p%%:*}) ignored TERM for ${TIMEOUT}s, killing" >&2
		kill -KILL "${p%%:*}" 2>/dev/null
	done
	deadline=$(( $(date +%s) + 5 ))
	while left && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
fi
for f in "${files[@]}"; do rm -f "$f"; done
if [ ${#pids[@]} -gt 0 ] && left; then
	echo "stop.sh: still running: ${pids[*]}" >&2
	exit 1
fi
exit 0
