#!/usr/bin/env bash
# tests/bench/run.sh - `make bench`: speed and memory figures, no thresholds.
#
# 1. $B/bench/bench_* (parse and Overview micro-benchmarks, in process).
# 2. The real binary against the real local stack (tests/stack/start.sh
#    --steady --history 600, everything on 127.0.0.1):
#      - launch to first full frame in tmux 120x40 (median of 3)
#      - VmRSS / VmHWM of the running console after ~20 s at --refresh 1s
#      - `opsdeck snapshot --format json` wall time (median of 5), max RSS
#      - HTTP requests per refresh at 6 and at 206 services (--debug-log)
# Every figure is one line "FIGURE<TAB>name<TAB>value<TAB>unit<TAB>what" in
# a file; the table at the end is printed from it.  A part that cannot run
# gives "n/a (reason)" and the others go on.  Exit status 1 only when a part
# failed (not when a tool is missing), after the table.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=${B:-build}
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-bench.XXXXXX") || exit 1
FIG=$T/figures
: >"$FIG"
STACK_A=$T/stack-a
STACK_B=$T/stack-b
SOCK=opsdeck-bench-$$
FAILED=0
mkdir -p "$T/tmux" "$T/home"
chmod 700 "$T/tmux"
# A clean environment: no config file, no OPSDECK_* settings from the caller.
for v in $(compgen -e); do
	case $v in OPSDECK_BIN) ;; OPSDECK_*) unset "$v" ;; esac
done
export TMUX_TMPDIR=$T/tmux HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	"$ROOT/tests/stack/stop.sh" "$STACK_A" >/dev/null 2>&1
	"$ROOT/tests/stack/stop.sh" "$STACK_B" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

SHOP_SERVICES=(gateway orders payments inventory users notifications)
T_START=$(date +%s)

# fig NAME VALUE UNIT WHAT
fig() { printf 'FIGURE\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$FIG"; }
# na NAME REASON WHAT : a figure that could not be measured (a failure).
na() { fig "$1" "n/a ($2)" "" "$3"; FAILED=1; }
# skip NAME REASON WHAT : could not be measured for want of a tool.
skip() { fig "$1" "n/a ($2)" "" "$3"; }
log() { echo "bench: $*"; }
now_ns() { date +%s%N; }
# median of the numbers given as arguments (printed with 1 decimal).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
kb_to_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# status_kb PID KEY : VmRSS/VmHWM of PID in KiB.
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# ---------------------------------------------------------------- 1. in process
for b in bench_parse bench_overview bench_trace bench_wall; do
	bin=$B/bench/$b
	if [ ! -x "$bin" ]; then
		na "$b" "not built: make $bin" "in-process benchmark"
		continue
	fi
	log "running $b"
	timeout 120 "$bin" >"$T/$b.out" 2>"$T/$b.err"
	rc=$?
	grep '^FIGURE' "$T/$b.out" >>"$FIG"
	if [ "$rc" -ne 0 ]; then
		na "$b" "exit $rc: $(tail -1 "$T/$b.err" | cut -c1-60)" "figures above are partial"
	fi
done

# ---------------------------------------------------------------- 2. end to end
E2E_FIGS=("first full frame" "console RSS after 20 s" "console VmHWM after 20 s" "wall console RSS after 45 s"
	"snapshot json wall time" "snapshot json max RSS"
	"requests per refresh, 6 services" "requests per refresh, 206 services")
e2e_na() { local f; for f in "${E2E_FIGS[@]}"; do "$1" "$f" "$2" "end to end"; done; }

screen() { tmux -L "$SOCK" capture-pane -p -t "$1" 2>/dev/null; }
# full_frame SESSION : every shopsim service and "prometheus ok" are on screen.
full_frame() {
	local s name
	s=$(screen "$1") || return 1
	for name in "${SHOP_SERVICES[@]}"; do
		grep -q -- "$name" <<<"$s" || return 1
	done
	grep -q 'prometheus ok' <<<"$s"
}
# launch SESSION ARGS... : opsdeck in a new 120x40 tmux session; the shell
# writes the launch time to T/SESSION.t0 and execs opsdeck (so the pane's
# PID is the console's).
launch() {
	local s=$1 q
	shift
	q=$(printf '%q ' "$OPSDECK_BIN" "$@")
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$s" -x 120 -y 40 \
		"TERM=tmux-256color; export TERM; date +%s%N >'$T/$s.t0'; exec $q"
}
# wait_frame SESSION SECONDS : poll every ~20 ms until a full frame; prints
# the ms since launch.  Returns 1 at the deadline or if the pane died.
wait_frame() {
	local s=$1 deadline=$(( $(date +%s) + $2 )) t1 t0
	while [ "$(date +%s)" -lt "$deadline" ]; do
		if full_frame "$s"; then
			t1=$(now_ns)
			t0=$(cat "$T/$s.t0" 2>/dev/null) || return 1
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
			return 0
		fi
		tmux -L "$SOCK" has-session -t "$s" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
prom_url() { (. "$1/env" && echo "$PROMETHEUS_URL"); }
# count_requests URL TAG : `opsdeck snapshot --debug-log` line count and the
# number of services in the JSON, as "COUNT SERVICES BYTES".
count_requests() {
	local dbg=$T/debug-$2.log
	rm -f "$dbg"
	timeout 60 "$OPSDECK_BIN" snapshot --prometheus "$1" --format json --debug-log "$dbg" \
		>"$T/snap-$2.json" 2>"$T/snap-$2.err" || return 1
	printf '%s %s %s\n' "$(wc -l <"$dbg")" "$(jq '.screens.overview.services | length' "$T/snap-$2.json")" \
		"$(awk '{ b += $NF } END { printf "%d", b }' "$dbg")"
}

if [ ! -x "$OPSDECK_BIN" ]; then
	e2e_na na "no binary at $OPSDECK_BIN"
elif ! command -v prometheus >/dev/null || ! command -v jq >/dev/null; then
	e2e_na skip "no local stack: make deps"
else
	log "starting the local stack (6 services, 600 s history)"
	if ! "$ROOT/tests/stack/start.sh" "$STACK_A" --steady --history 600 --timeout 40 \
		>"$T/stack-a.log" 2>&1; then
		tail -5 "$T/stack-a.log" | sed 's/^/  | /'
		e2e_na na "stack did not start"
	else
		PROM=$(prom_url "$STACK_A")

		# Launch to first full frame.
		if ! command -v tmux >/dev/null; then
			skip "first full frame" "tmux not installed" "end to end"
		else
			log "launch to first frame, 3 times"
			times=()
			for i in 1 2 3; do
				launch "ff$i" --prometheus "$PROM"
				if ms=$(wait_frame "ff$i" 30); then
					times+=("$ms")
				else
					screen "ff$i" | tail -3 | sed 's/^/  | /'
				fi
				tmux -L "$SOCK" kill-session -t "ff$i" 2>/dev/null
			done
			if [ ${#times[@]} -eq 3 ]; then
				fig "first full frame" "$(median "${times[@]}")" "ms" \
					"launch in tmux 120x40 to 6 services + 'prometheus ok' (median of 3: ${times[*]})"
			else
				na "first full frame" "${#times[@]} of 3 launches drew it within 30 s" "end to end"
			fi

			# RSS of the running console.
			log "console at --refresh 1s for 20 s"
			launch rss --prometheus "$PROM" --refresh 1s
			pid=$(tmux -L "$SOCK" display-message -p -t rss '#{pane_pid}' 2>/dev/null)
			if [ -n "$pid" ] && wait_frame rss 30 >/dev/null; then
				rss0=$(status_kb "$pid" VmRSS)
				end=$(( $(date +%s) + 20 ))
				while [ "$(date +%s)" -lt "$end" ] && [ -d "/proc/$pid" ]; do sleep 0.5; done
				rss=$(status_kb "$pid" VmRSS)
				hwm=$(status_kb "$pid" VmHWM)
				if [ -n "$rss" ] && [ -n "$hwm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = opsdeck ]; then
					fig "console RSS at first frame" "$(kb_to_mib "$rss0")" "MiB" "VmRSS of opsdeck when the first frame is drawn"
					fig "console RSS after 20 s" "$(kb_to_mib "$rss")" "MiB" "VmRSS of opsdeck, 6 services, --refresh 1s, ~20 rounds later"
					fig "console VmHWM after 20 s" "$(kb_to_mib "$hwm")" "MiB" "peak RSS of the same process"
				else
					na "console RSS after 20 s" "opsdeck exited" "end to end"
				fi
			else
				na "console RSS after 20 s" "no full frame within 30 s" "end to end"
			fi
			tmux -L "$SOCK" kill-session -t rss 2>/dev/null

			# The wall monitor's soak: every screen in turn, one every 100 ms.
			log "wall at rotate 100ms for 85 s"
			printf '[wall]\nscreens = overview, alerts, topology, traces, logs\nrotate = 100ms\n' >"$T/wall.ini"
			launch wall --wall --config "$T/wall.ini" --refresh 1s --prometheus "$PROM" \
				--elasticsearch "$(. "$STACK_A/env" && echo "$ELASTICSEARCH_URL")" \
				--zipkin "$(. "$STACK_A/env" && echo "$ZIPKIN_URL")"
			pid=$(tmux -L "$SOCK" display-message -p -t wall '#{pane_pid}' 2>/dev/null)
			if [ -n "$pid" ] && wait_for 30 bash -c "tmux -L '$SOCK' capture-pane -p -t wall | grep -q 'opsdeck . Overview.*prometheus [0-9]'"; then
				end=$(( $(date +%s) + 5 ))
				while [ "$(date +%s)" -lt "$end" ] && [ -d "/proc/$pid" ]; do sleep 0.5; done
				rss0=$(status_kb "$pid" VmRSS)
				end=$(( $(date +%s) + 40 ))
				while [ "$(date +%s)" -lt "$end" ] && [ -d "/proc/$pid" ]; do sleep 0.5; done
				rss1=$(status_kb "$pid" VmRSS)
				end=$(( $(date +%s) + 40 ))
				while [ "$(date +%s)" -lt "$end" ] && [ -d "/proc/$pid" ]; do sleep 0.5; done
				rss=$(status_kb "$pid" VmRSS)
				if [ -n "$rss0" ] && [ -n "$rss" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = opsdeck ]; then
					fig "wall console RSS after 5 s" "$(kb_to_mib "$rss0")" "MiB" "opsdeck --wall, 5 screens, rotate 100ms (~50 rotations)"
					fig "wall console RSS after 45 s" "$(kb_to_mib "$rss1")" "MiB" "~400 rotations later (every screen opened and closed ~80 times; caches fill)"
					fig "wall console RSS after 85 s" "$(kb_to_mib "$rss")" "MiB" "~800 rotations later"
					fig "wall console RSS growth 45-85 s" "$(( rss - rss1 ))" "KiB" "VmRSS after 85 s minus after 45 s (caches full: about 0)"
				else
					na "wall console RSS after 45 s" "opsdeck exited" "end to end"
				fi
			else
				na "wall console RSS after 45 s" "no wall frame within 30 s" "end to end"
			fi
			tmux -L "$SOCK" kill-session -t wall 2>/dev/null
		fi

		# Snapshot: wall time and max RSS.
		log "opsdeck snapshot --format json, 5 times"
		have_time=0
		[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 && have_time=1
		times=() rsses=() ok=1
		for i in 1 2 3 4 5; do
			t0=$(now_ns)
			if [ "$have_time" = 1 ]; then
				/usr/bin/time -f %M -o "$T/snap.rss" timeout 60 "$OPSDECK_BIN" snapshot \
					--prometheus "$PROM" --format json >"$T/snap.json" 2>"$T/snap.err"
			else
				timeout 60 "$OPSDECK_BIN" snapshot --prometheus "$PROM" --format json \
					>"$T/snap.json" 2>"$T/snap.err"
			fi
			rc=$?
			t1=$(now_ns)
			if [ "$rc" -ne 0 ] || [ "$(jq '.screens.overview.services | length' "$T/snap.json" 2>/dev/null)" != 6 ]; then
				ok=0
				break
			fi
			times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')")
			[ "$have_time" = 1 ] && rsses+=("$(tail -1 "$T/snap.rss")")
		done
		if [ "$ok" = 1 ]; then
			fig "snapshot json wall time" "$(median "${times[@]}")" "ms" \
				"opsdeck snapshot --format json, 6 services (median of 5: ${times[*]})"
			if [ "$have_time" = 1 ]; then
				fig "snapshot json max RSS" "$(kb_to_mib "$(printf '%s\n' "${rsses[@]}" | sort -n | tail -1)")" "MiB" \
					"/usr/bin/time %M, largest of 5"
			else
				skip "snapshot json max RSS" "no GNU /usr/bin/time" "end to end"
			fi
		else
			na "snapshot json wall time" "exit $rc: $(head -c 60 "$T/snap.err")" "end to end"
		fi

		# Requests per refresh at 6 services.
		log "requests per refresh at 6 services"
		if r=$(count_requests "$PROM" 6); then
			read -r n6 s6 b6 <<<"$r"
			fig "requests per refresh, 6 services" "$n6" "requests" "snapshot --debug-log lines, $s6 services in the JSON, $b6 bytes"
		else
			na "requests per refresh, 6 services" "snapshot failed" "end to end"
		fi
		"$ROOT/tests/stack/stop.sh" "$STACK_A" >/dev/null 2>&1

		# ... and at 206.
		log "starting a stack with 200 extra services"
		extra=()
		for i in $(seq -f '%03g' 0 199); do extra+=(--extra-service "svc$i"); done
		if ! "$ROOT/tests/stack/start.sh" "$STACK_B" --steady --history 600 --timeout 40 \
			"${extra[@]}" >"$T/stack-b.log" 2>&1; then
			tail -5 "$T/stack-b.log" | sed 's/^/  | /'
			na "requests per refresh, 206 services" "stack with 206 services did not start" "end to end"
		elif r=$(count_requests "$(prom_url "$STACK_B")" 206); then
			read -r n206 s206 b206 <<<"$r"
			fig "requests per refresh, 206 services" "$n206" "requests" "snapshot --debug-log lines, $s206 services in the JSON, $b206 bytes"
		else
			na "requests per refresh, 206 services" "snapshot failed" "end to end"
		fi
		"$ROOT/tests/stack/stop.sh" "$STACK_B" >/dev/null 2>&1
	fi
fi

# ---------------------------------------------------------------- the table
echo
echo "opsdeck bench - $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
	"$(nproc) CPU, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(( $(date +%s) - T_START )) s"
awk -F'\t' '
	BEGIN { printf "%-38s %12s  %-9s %s\n", "FIGURE", "VALUE", "UNIT", "WHAT"
		printf "%-38s %12s  %-9s %s\n", "------", "-----", "----", "----" }
	$1 == "FIGURE" {
		v = $3
		if (v ~ /^-?[0-9.]+$/) {
			x = v + 0
			if (x == int(x) && v !~ /\./) v = sprintf("%d", x)
			else if (x < 10 && x > -10) v = sprintf("%.3f", x)
			else if (x < 1000 && x > -1000) v = sprintf("%.1f", x)
			else v = sprintf("%.0f", x)
			printf "%-38s %12s  %-9s %s\n", $2, v, $4, $5
		} else {
			printf "%-38s %s  [%s]\n", $2, v, $5
		}
	}' "$FIG"
exit "$FAILED"
