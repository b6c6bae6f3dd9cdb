#!/usr/bin/env bash
# The actions end to end: the real binary in tmux against a private dockerd
# in Swarm mode (tests/stack/dockerd.sh --services).  Scale 2 -> 3 through
# the real keys, checked at the server; a second action while one is in
# flight is refused and only one update reaches the server; a cancelled
# dialog changes nothing; restart replaces every task; an image update
# done outside is rolled back with B; the daemon's errors are shown
# verbatim; usage errors and refusals for non-Swarm rows; confirm = name;
# the audit log has one valid JSON line per attempt and never the planted
# Prometheus token.  Each action prints a "# timing:" line (from the
# confirming key to "done" on screen).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-act.XXXXXX) # short: dockerd's sockets live under it
DKDIR=$T/dk
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_PROMETHEUS_PASSWORD OPSDECK_CONFIG \
	OPSDECK_READ_ONLY OPSDECK_REFRESH NO_COLOR DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY
mkdir -p "$HOME"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
SECRET=planted-secret-XYZ
SOCKS=()
PROM_PID=
cleanup() {
	local s
	for s in "${SOCKS[@]}"; do tmux -L "$s" kill-server 2>/dev/null; done
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null
	"$ROOT/tests/stack/dockerd.sh" stop "$DKDIR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

"$ROOT/tests/stack/dockerd.sh" start "$DKDIR" --services >"$T/dockerd.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	tail -1 "$T/dockerd.log"
	exit 77
elif [ "$rc" -ne 0 ]; then
	cat "$T/dockerd.log"
	not_ok "private dockerd with Swarm services starts"
	finish
fi
. "$DKDIR/docker.env"
export DOCKER_CONFIG=$T/docker-cli # keep the CLI away from ~/.docker

dk() { /usr/bin/docker -H "$DOCKER_HOST" "$@"; }
insp() { dk service inspect --format "$2" "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
running_tasks() { dk service ps -q --filter desired-state=running "$1" | sort; }
# update_events SINCE NAME : the server's "service update" events for NAME.
update_events() {
	dk events --since "$1" --until "$(date +%s.%N)" --filter type=service --filter event=update \
		--format '{{json .Actor.Attributes}}' | jq -c --arg n "$2" 'select(.name == $n)'
}

# A Prometheus stand-in that records the Authorization header it gets.
PROM_PORT=$(free_port)
python3 "$ROOT/tests/screen/promrec.py" "$PROM_PORT" "$T/prom.log" &
PROM_PID=$!
wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$PROM_PORT/api/v1/query?query=up" ||
	{ not_ok "Prometheus stand-in answers"; finish; }

SOCK=
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
status_has() { screen | tail -1 | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# start NAME ARGS... : opsdeck in a fresh tmux server; the shell line prints
# the exit status when it returns.
start() {
	export SOCK=opsdeck-actions-$$-$1
	SOCKS+=("$SOCK")
	shift
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
		"'$OPSDECK_BIN' $* ; echo \"EXITED \$?\"; sleep 600"
}
# filter_to NAME : the Overview shows exactly that service.
filter_to() {
	keys / C-u "$1" Enter
	wait_for 20 hasE "1 of [0-9]+ services /$1/" && wait_for 10 hasE "^$1 "
}
# col NAME N : the Nth blank-separated field of NAME's row.
col() { screen | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'; }
col_is() { [ "$(col "$1" "$2")" = "$3" ]; }
last_audit() { tail -n 1 "$AUDIT" 2>/dev/null; }
# last_audit_is SERVICE ACTION RESULT : the newest audit line is that attempt.
last_audit_is() {
	last_audit | jq -e --arg s "$1" --arg a "$2" --arg r "$3" \
		'.service == $s and .action == $a and .result == $r' >/dev/null
}
timing() { # timing WHAT T0_MS
	echo "# timing: $1: $(($(now_ms) - $2)) ms from the confirming key to 'done' on screen ($(screen | tail -1 | grep -o 'done in [^ ]*'))"
}

# ---- session A: the console with Docker and a (recording) Prometheus ----
export OPSDECK_PROMETHEUS_TOKEN=$SECRET
start a --docker "'$DOCKER_HOST'" --prometheus "http://127.0.0.1:$PROM_PORT" --refresh 1s \
	--debug-log "'$T/debug-a.log'"
unset OPSDECK_PROMETHEUS_TOKEN

check "Swarm services appear with their replicas (gateway/orders/payments 2/2, inventory 1/1, users global 1/1)" \
	wait_for 60 bash -c "$(declare -f screen); s=\$(screen);
	for r in 'gateway +OK +2/2 ' 'orders +OK +2/2 ' 'payments +OK +2/2 ' 'inventory +OK +1/1 ' 'users +OK +1/1 '; do
		grep -Eq \"^\$r.* swarm\" <<<\"\$s\" || exit 1; done"
check "the compose group is one row (notifications 2/2 compose)" hasE '^notifications +OK +2/2 .* compose'
check "the bare container is its own row (adhoc-debug 1/1 container)" hasE '^adhoc-debug +OK +1/1 .* container'
check "status line says docker ok" wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'docker ok [0-9]+ms'"
check "the planted token is in use (the Prometheus stand-in received it)" \
	wait_for 20 grep -q "Bearer $SECRET" "$T/prom.log"

# -- scale payments 2 -> 3 with the real keys
filter_to payments
keys S
wait_for 20 has "Scale payments to how many replicas?"
keys 3 Enter
check "S 3 Enter opens the dialog with the exact change" \
	wait_for 20 has "payments — swarm @ local — replicas 2 → 3"
t0=$(now_ms)
keys y
if wait_for 60 status_has "payments: scale done"; then
	ok "y scales payments: status line says scale done"
	timing "scale payments 2→3" "$t0"
else
	not_ok "y scales payments: status line says scale done"
fi
check "the server has 3 replicas of payments" \
	test "$(insp payments '{{.Spec.Mode.Replicated.Replicas}}')" = 3
check "the row shows 3/3" wait_for 20 col_is payments 3 3/3

# -- a second action while the first is in flight: refused, one update at the server
filter_to orders
since=$(date +%s.%N)
keys S
wait_for 20 has "Scale orders to how many replicas?"
keys 3 Enter
wait_for 20 has "orders — swarm @ local — replicas 2 → 3"
# One burst: confirm, then S and ":scale orders 4" at once, while the first is in flight.
keys y S : "scale orders 4" Enter
check "a second S and :scale while in flight are refused, naming the running action" \
	wait_for 20 status_has "orders: scale is still in flight"
check "the row shows BUSY while in flight" hasE '^orders +BUSY '
check "the first scale still completes" wait_for 60 status_has "orders: scale done"
check "the server has 3 replicas of orders (never 4)" \
	test "$(insp orders '{{.Spec.Mode.Replicated.Replicas}}')" = 3
ev=$(update_events "$since" orders)
check "exactly one update reached the server (one service update event, 2 → 3)" \
	test "$(echo "$ev" | grep -c .)" = 1 -a "$(echo "$ev" | jq -r '."replicas.old" + ">" + ."replicas.new"')" = "2>3"
check "the previous spec at the server is the original one (2 replicas)" \
	test "$(insp orders '{{.PreviousSpec.Mode.Replicated.Replicas}}')" = 2
check "opsdeck sent exactly one update request for orders" \
	test "$(grep -c "POST .*/services/$(insp orders '{{.ID}}')/update" "$T/debug-a.log")" = 1

# -- cancel: n at the dialog changes nothing
v0=$(insp orders '{{.Version.Index}}')
keys R
wait_for 20 has "Restart orders?"
keys n
check "n cancels the dialog" wait_for 20 bash -c "$(declare -f screen has lacks); lacks 'Restart orders?' && screen | tail -1 | grep -q cancelled"
check "cancelled: the version index of orders is unchanged at the server" \
	test "$(insp orders '{{.Version.Index}}')" = "$v0"
check "cancelled: the audit log has a cancelled line" last_audit_is orders restart cancelled

# -- restart gateway
filter_to gateway
old_tasks=$(running_tasks gateway)
f0=$(insp gateway '{{.Spec.TaskTemplate.ForceUpdate}}')
keys R
wait_for 20 has "gateway — swarm @ local — rolling restart of 2 instances"
t0=$(now_ms)
keys y
busy=0
wait_for 20 hasE '^gateway +BUSY ' && busy=1
if wait_for 60 status_has "gateway: restart done"; then
	ok "R y restarts gateway: status line says restart done"
	timing "restart gateway (2 tasks)" "$t0"
else
	not_ok "R y restarts gateway: status line says restart done"
fi
check "the row showed BUSY during the restart" test "$busy" = 1
check "ForceUpdate went up by one" test "$(insp gateway '{{.Spec.TaskTemplate.ForceUpdate}}')" = $((f0 + 1))
new_tasks=$(running_tasks gateway)
check "every task was replaced (2 new task ids, none of the old ones)" \
	test "$(echo "$new_tasks" | grep -c .)" = 2 -a -z "$(comm -12 <(echo "$old_tasks") <(echo "$new_tasks"))"

# -- an image update done outside, then B rolls it back
dk service update -q --image local/busybox:2 --no-resolve-image --update-parallelism 0 \
	--update-delay 0s --update-monitor 1s --rollback-parallelism 0 --rollback-delay 0s \
	--rollback-monitor 1s inventory >"$T/update.log" 2>&1 || cat "$T/update.log"
inventory_is() { [ "$(insp inventory '{{.Spec.TaskTemplate.ContainerSpec.Image}} {{.UpdateStatus.State}}')" = "$1" ]; }
wait_for 60 inventory_is "local/busybox:2 completed" >/dev/null
filter_to inventory
check "the outside image update shows as version 2" wait_for 30 col_is inventory 9 2
keys B
check "B opens the rollback dialog with the version" wait_for 20 has "inventory — swarm @ local — version 2 → previous"
t0=$(now_ms)
keys y
if wait_for 60 status_has "inventory: rollback done"; then
	ok "B y rolls back inventory: status line says rollback done"
	timing "rollback inventory 2→1" "$t0"
else
	not_ok "B y rolls back inventory: status line says rollback done"
fi
# "done" on screen must mean done at the server.
check "when the screen says done, the server runs local/busybox:1 again, rollback_completed" \
	inventory_is "local/busybox:1 rollback_completed"
if wait_for 60 inventory_is "local/busybox:1 rollback_completed"; then
	echo "# timing: rollback inventory 2→1 at the server: $(($(now_ms) - t0)) ms from the confirming key to rollback_completed"
fi
check "the row shows version 1" wait_for 20 col_is inventory 9 1

# -- keys typed faster than a redraw: the action is for the row the filter leaves
keys / C-u gateway Enter R
wait_for 20 hasE '(Restart|needs a Swarm)' >/dev/null
check "/gateway Enter R typed in one burst asks to restart gateway (not the row selected before the filter)" \
	has "Restart gateway?"
keys Escape
wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -q cancelled" >/dev/null

# -- rollback without a previous spec: the daemon's error verbatim
keys : "rollback users" Enter
wait_for 20 has "Roll back users?"
keys y
check "rollback of a never-updated service fails with the daemon's error" \
	wait_for 30 status_has "users: rollback failed: docker: "
# The daemon's own words, from Debian's CLI (it fails the same way, changing nothing).
daemon_err=$(dk service rollback users 2>&1 | sed -n 's/.*Error response from daemon: //p')
tmux -L "$SOCK" resize-window -t t -x 220 -y 40
check "the status line shows the daemon's text verbatim (\"does not have a previous spec\")" \
	wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -qF -- \"users: rollback failed: docker: \$1\" && screen | tail -1 | grep -q 'does not have a previous spec'" _ "$daemon_err"
tmux -L "$SOCK" resize-window -t t -x 120 -y 40
check "the audit line says failed with that error" \
	bash -c "tail -n 1 '$AUDIT' | jq -e --arg e \"docker: \$1\" '.service == \"users\" and .action == \"rollback\" and .result == \"failed\" and .error == \$e' >/dev/null" _ "$daemon_err"

# -- usage errors and refusals
keys : "scale nosuch 2" Enter
check ":scale nosuch 2 says unknown service" wait_for 20 status_has "unknown service 'nosuch'"
keys : "scale orders x" Enter
check ":scale orders x says the count is not a number" wait_for 20 status_has "scale: invalid number 'x'"
keys : "scale notifications 3" Enter
check ":scale on the compose group is refused (scaling needs Swarm, Kubernetes or ECS)" \
	wait_for 20 status_has "notifications: scaling needs Swarm, Kubernetes or ECS"
keys : "rollback adhoc-debug" Enter
check ":rollback on the bare container is refused (needs a Swarm service)" \
	wait_for 20 status_has "adhoc-debug: rollback needs a Swarm service"
# A plain container restarts through the containers API, confirmed like any action.
started_before=$(dk inspect --format '{{.State.StartedAt}}' adhoc-debug)
keys : "restart adhoc-debug" Enter
check ":restart on the bare container asks to restart it, one at a time" \
	wait_for 20 has "adhoc-debug — container @ local — restart, one at a time, of 1 instance"
keys y
check "the bare container restart completes" wait_for 60 status_has "adhoc-debug: restart done"
check "the daemon restarted it (StartedAt moved)" \
	bash -c "test \"\$(/usr/bin/docker -H '$DOCKER_HOST' inspect --format '{{.State.StartedAt}}' adhoc-debug)\" != '$started_before'"
filter_to adhoc-debug
keys S
check "S on the bare container is refused before the count prompt" \
	wait_for 20 bash -c "$(declare -f screen lacks); screen | tail -1 | grep -q 'adhoc-debug: scaling needs Swarm, Kubernetes or ECS' && lacks 'how many replicas'"

keys q
check "q quits with status 0 (session A)" wait_for 20 has "EXITED 0"

# ---- session B: confirm = name ----
mkdir -p "$T/config"
printf '[general]\nconfirm = name\n' >"$T/name.ini"
start b --config "'$T/name.ini'" --docker "'$DOCKER_HOST'" --refresh 1s --debug-log "'$T/debug-b.log'"
wait_for 60 hasE '^payments +OK +3/3 ' >/dev/null
keys : "scale payments 2" Enter
wait_for 20 has "type the service name to confirm" >/dev/null
v0=$(insp payments '{{.Version.Index}}')
keys y Enter
check "confirm = name: y (and Enter) alone does not confirm" \
	wait_for 20 bash -c "$(declare -f screen has); has '> y ' && has 'not the name yet' && has 'replicas 3 → 2'"
keys C-u paymentz Enter
check "confirm = name: a wrong name + Enter does nothing" \
	wait_for 20 bash -c "$(declare -f screen has); has '> paymentz ' && has 'not the name yet' && has 'replicas 3 → 2'"
check "confirm = name: nothing reached the server yet (version index, no POST)" \
	test "$(insp payments '{{.Version.Index}}')" = "$v0" -a "$(grep -c ' POST ' "$T/debug-b.log")" = 0
keys C-u payments
wait_for 20 has "Enter confirms" >/dev/null
t0=$(now_ms)
keys Enter
if wait_for 60 status_has "payments: scale done"; then
	ok "confirm = name: the exact name + Enter confirms and the scale completes"
	timing "scale payments 3→2 (confirm = name)" "$t0"
else
	not_ok "confirm = name: the exact name + Enter confirms and the scale completes"
fi
check "the server has 2 replicas of payments" test "$(insp payments '{{.Spec.Mode.Replicated.Replicas}}')" = 2
keys q
check "q quits with status 0 (session B)" wait_for 20 has "EXITED 0"

# ---- the audit log ----
jq_ok() { jq "$@" >/dev/null; }
check "every audit line is valid JSON" jq_ok -e -R 'fromjson | type == "object"' "$AUDIT"
check "every line has exactly time/user/host/mode/runtime/context/service/action/before/after/result/error" \
	jq_ok -e -R -s 'split("\n") | map(select(length > 0) | fromjson) | length > 0 and
	all(keys_unsorted == ["time","user","host","mode","runtime","context","service","action","before","after","result","error"]
	    and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and (.user | length > 0)
	    and (.host | length > 0) and .mode == "console" and .context == "local")' "$AUDIT"
# What we did: succeeded payments scale, orders scale, gateway restart,
# inventory rollback, payments scale (typed); cancelled orders restart and
# the burst's dialog; refused S and :scale while in flight, notifications,
# adhoc-debug twice; failed users rollback.  Usage errors are no attempt.
counts=$(jq -r -R -s 'split("\n") | map(select(length > 0) | fromjson) | group_by(.result)
	| map("\(.[0].result)=\(length)") | join(" ")' "$AUDIT")
check "one line per attempt: cancelled=2 failed=1 refused=5 succeeded=6 (got: $counts)" \
	test "$counts" = "cancelled=2 failed=1 refused=5 succeeded=6"
check "the succeeded lines are the actions done, with before/after" \
	test "$(jq -r -c 'select(.result == "succeeded") | [.service, .action, .before, .after] | join(" ")' "$AUDIT" | tr '\n' ';')" \
	= "payments scale 2 3;orders scale 2 3;gateway restart 1 1;inventory rollback 2 previous;adhoc-debug restart 1 1;payments scale 3 2;"
check "the in-flight refusals name the running action" \
	test "$(jq -r 'select(.result == "refused" and (.error // "" | test("orders: scale is still in flight"))) | .service' "$AUDIT" | grep -c orders)" = 2
check "the planted secret never appears in the audit log" bash -c "! grep -q '$SECRET' '$AUDIT'"
check "the planted secret is not in the debug log either" bash -c "! grep -q '$SECRET' '$T/debug-a.log'"
check "the audit log is private (mode 600)" test "$(stat -c %a "$AUDIT")" = 600

# ---- nothing left running ----
for s in "${SOCKS[@]}"; do tmux -L "$s" kill-server 2>/dev/null; done
kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
PROM_PID=
check "dockerd and its containers stop" "$ROOT/tests/stack/dockerd.sh" stop "$DKDIR"
no_leftovers() { ! pgrep -f -- "$T" >/dev/null; } # pgrep never matches itself
check "no process of this test is left running" wait_for 10 no_leftovers
finish
