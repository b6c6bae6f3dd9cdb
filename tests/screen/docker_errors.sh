#!/usr/bin/env bash
# Docker's error cases in the real console, against a private dockerd
# (tests/stack/dockerd.sh) driven in tmux:
#   (a) a node that is not a Swarm manager (it left the swarm): its plain
#       containers are rows (a compose-labelled pair as one compose row),
#       /services answering 503 "not a swarm manager" is no error (the
#       status line says docker ok), and S or :scale on those rows is
#       refused with "scaling needs Swarm, Kubernetes or ECS", nothing sent;
#   (c) dockerd stopped under the running console: the status line names
#       the failure and the age of the last good data, the rows stay; a new
#       dockerd on the same socket and the console recovers by itself;
#   (b) a Swarm service updated to an image that does not exist: its tasks
#       are Rejected "No such image", the Overview row turns WARN/CRIT, the
#       Service detail shows the daemon's error, and so does the snapshot's
#       JSON.
# (c) runs before (b): dockerd.sh start makes the restarted node a manager.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-dke.XXXXXX) # short: dockerd's sockets live under it
DKDIR=$T/dk
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_PROMETHEUS_PASSWORD OPSDECK_CONFIG \
	OPSDECK_READ_ONLY OPSDECK_REFRESH NO_COLOR DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY
mkdir -p "$HOME"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
SOCKS=()
cleanup() {
	local s
	for s in "${SOCKS[@]}"; do tmux -L "$s" kill-server 2>/dev/null; done
	"$ROOT/tests/stack/dockerd.sh" stop "$DKDIR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# start_dockerd : tests/stack/dockerd.sh start, exit 77 if dockerd cannot run here.
start_dockerd() {
	local rc
	"$ROOT/tests/stack/dockerd.sh" start "$DKDIR" >"$T/dockerd-start.log" 2>&1
	rc=$?
	if [ "$rc" -eq 77 ]; then
		tail -1 "$T/dockerd-start.log"
		exit 77
	fi
	[ "$rc" -eq 0 ] || cat "$T/dockerd-start.log"
	return "$rc"
}
if ! start_dockerd; then
	not_ok "private dockerd starts"
	finish
fi
. "$DKDIR/docker.env"
export DOCKER_CONFIG=$T/docker-cli # keep the CLI away from ~/.docker
SOCKET=${DOCKER_HOST#unix://}

dk() { /usr/bin/docker -H "$DOCKER_HOST" "$@"; }
api_status() { curl -s --unix-socket "$SOCKET" -o "$T/api.out" -w '%{http_code}' "http://localhost/v1.41$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

SOCK=
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
status_line() { screen | tail -1; }
status_has() { status_line | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# start NAME ARGS... : opsdeck in a fresh tmux server; the shell line prints
# the exit status when it returns.
start() {
	export SOCK=opsdeck-dkerr-$$-$1
	SOCKS+=("$SOCK")
	shift
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
		"'$OPSDECK_BIN' $* ; echo \"EXITED \$?\"; sleep 600"
}
# console_pid : the opsdeck process in the pane (a child of the pane's shell).
console_pid() { pgrep -P "$(tmux -L "$SOCK" list-panes -t t -F '#{pane_pid}')" | head -1; }
# filter_to NAME : the Overview shows exactly that service.
filter_to() {
	keys / C-u "$1" Enter
	wait_for 20 hasE "1 of [0-9]+ services /$1/" && wait_for 10 hasE "^$1 "
}
last_audit_is() { # SERVICE ACTION RESULT
	tail -n 1 "$AUDIT" 2>/dev/null | jq -e --arg s "$1" --arg a "$2" --arg r "$3" \
		'.service == $s and .action == $a and .result == $r' >/dev/null
}

# ---- (a) not a Swarm manager: plain containers only ----
dk swarm leave --force >"$T/leave.log" 2>&1 || cat "$T/leave.log"
not_manager() { [ "$(api_status /services)" = 503 ] && grep -q 'not a swarm manager' "$T/api.out"; }
check "after swarm leave, GET /services answers 503 \"not a swarm manager\"" not_manager
# --restart always: they come back with the restarted dockerd in (c).
dk run -d --network none --init --restart always --name shop-mail-1 \
	--label com.docker.compose.project=shop --label com.docker.compose.service=mail \
	local/busybox:1 sleep 100000 >/dev/null || not_ok "docker run shop-mail-1"
dk run -d --network none --init --restart always --name scratch local/busybox:1 sleep 100000 \
	>/dev/null || not_ok "docker run scratch"

start a --docker "'$DOCKER_HOST'" --refresh 1s --debug-log "'$T/debug-a.log'"
check "the compose-labelled container is one compose row (mail 1/1 compose)" \
	wait_for 30 hasE '^mail +OK +1/1 .* compose'
check "the bare container is its own row (scratch 1/1 container)" hasE '^scratch +OK +1/1 .* container'
check "two rows and no Swarm service" hasE ' 2 services · '
check "the console asked for /services and got 503" \
	wait_for 10 grep -Eq ' GET unix://[^ ]*:/v1\.41/services[?/ ][^ ]* 503 ' "$T/debug-a.log"
check "503 on /services is not an error: the status line says docker ok" \
	wait_for 10 bash -c "$(declare -f screen status_line); status_line | grep -Eq '^ docker ok [0-9]+ms'"
check "no Swarm error on screen" lacks "swarm manager"

filter_to mail >/dev/null
keys S
check "S on the compose row is refused: scaling needs Swarm, Kubernetes or ECS" \
	wait_for 20 status_has "mail: scaling needs Swarm, Kubernetes or ECS"
check "no count prompt was opened for the compose row" lacks "how many replicas"
check "the refusal is audited" last_audit_is mail scale refused
filter_to scratch >/dev/null
keys S
check "S on the plain container row is refused: scaling needs Swarm, Kubernetes or ECS" \
	wait_for 20 status_has "scratch: scaling needs Swarm, Kubernetes or ECS"
keys : "scale mail 3" Enter
check ":scale mail 3 is refused the same way" \
	wait_for 20 status_has "mail: scaling needs Swarm, Kubernetes or ECS"
check "nothing but GETs reached dockerd" bash -c "! grep -v ' GET ' '$T/debug-a.log' | grep -q ."

# ---- (c) dockerd stops under the running console, then a new one starts ----
keys / C-u Enter
wait_for 20 bash -c "$(declare -f screen hasE); hasE '^mail ' && hasE '^scratch '" >/dev/null
wait_for 10 bash -c "$(declare -f screen status_line); status_line | grep -q '^ docker ok'" >/dev/null
PID_A=$(console_pid)
DPID=$(tr -dc '0-9' <"$DKDIR/dockerd.pid")
t0=$(now_ms)
kill -TERM "$DPID"
gone() { ! kill -0 "$DPID" 2>/dev/null; }
check "dockerd stops on TERM" wait_for 30 gone
check "the status line names the Docker failure (cannot connect to the socket)" \
	wait_for 20 status_has "docker, last good .* ago: cannot connect to unix://"
# At 120 columns the long error is cut; the age of the last good data must still show.
check "at 120 columns the status line shows the age of the last good data" \
	wait_for 5 bash -c "$(declare -f screen status_line); status_line | grep -Eq 'last good [0-9.]+(ms|s|m)'"
tmux -L "$SOCK" resize-window -t t -x 220 -y 40
check "at 220 columns the status line shows the failure and 'last good N ago'" \
	wait_for 10 bash -c "$(declare -f screen status_line); status_line | grep -Eq 'docker, last good [0-9.]+(ms|s|m[0-9]*s?) ago: cannot connect to .*check \\[docker\\] host'"
age_s() { status_line | sed -n 's/.*last good \([0-9.]*\)s ago.*/\1/p' | cut -d. -f1; }
age_at_least() { local a; a=$(age_s); [ -n "$a" ] && [ "$a" -ge "$1" ]; }
check "the age grows while dockerd is down (reaches 3s)" wait_for 20 age_at_least 3
check "the rows stay, from the last good data (mail and scratch, STALE)" \
	bash -c "$(declare -f screen hasE); hasE '^mail +STALE .* compose' && hasE '^scratch +STALE .* container'"
tmux -L "$SOCK" resize-window -t t -x 120 -y 40

if start_dockerd; then
	ok "a new dockerd starts on the same socket"
else
	not_ok "a new dockerd starts on the same socket"
	finish
fi
check "the console recovers by itself: docker ok again" \
	wait_for 30 bash -c "$(declare -f screen status_line); status_line | grep -Eq '^ docker ok [0-9]+ms'"
check "the rows are live again (mail and scratch OK 1/1)" \
	wait_for 30 bash -c "$(declare -f screen hasE); hasE '^mail +OK +1/1 .* compose' && hasE '^scratch +OK +1/1 .* container'"
check "same console process, never restarted (pid $PID_A)" \
	bash -c "[ \"\$(pgrep -P \"\$(tmux -L '$SOCK' list-panes -t t -F '#{pane_pid}')\" | head -1)\" = '$PID_A' ]"
check "the console did not exit" lacks "EXITED"
echo "# timing: down and back: $(($(now_ms) - t0)) ms from TERM to docker ok on screen"

# ---- (b) a Swarm update to a missing image: tasks Rejected "No such image" ----
FAST=(--init --stop-grace-period 1s --update-parallelism 0 --update-delay 0s --update-monitor 1s
	--rollback-parallelism 0 --rollback-delay 0s --rollback-monitor 1s --no-resolve-image)
dk service create -q -d --name probe --replicas 1 "${FAST[@]}" local/busybox:1 sleep 100000 \
	>/dev/null || not_ok "service create probe"
check "the Swarm service appears (probe OK 1/1 swarm)" wait_for 60 hasE '^probe +OK +1/1 .* swarm'
dk service update -q -d --image local/busybox:404 --no-resolve-image --update-failure-action pause \
	--update-parallelism 0 --update-delay 0s --update-monitor 1s probe >"$T/update.log" 2>&1 ||
	cat "$T/update.log"
rejected() {
	dk service ps --no-trunc --format '{{.CurrentState}} {{.Error}}' probe | grep -q '^Rejected .*No such image'
}
check "the server rejects the new tasks: No such image" wait_for 60 rejected
daemon_err=$(dk service ps --no-trunc --format '{{.Error}}' probe | sed -n 's/^"\{0,1\}\(No such image[^"]*\)"\{0,1\}$/\1/p' | head -1)
check "the daemon's error is \"No such image: local/busybox:404\" (got: $daemon_err)" \
	test "$daemon_err" = "No such image: local/busybox:404"
check "the Overview row turns WARN or CRIT" wait_for 30 hasE '^probe +(WARN|CRIT) +0/1 '
filter_to probe >/dev/null
keys Enter
check "Enter opens the Service detail of probe" wait_for 20 has "Overview › probe"
check "the detail shows the daemon's error verbatim" wait_for 20 has "$daemon_err"
check "the detail shows the rollout paused" has "rollout paused"
check "the detail's instances are rejected" hasE '^ [a-z0-9]{12} +1 rejected '
keys Escape
wait_for 20 has "SERVICE " >/dev/null

"$OPSDECK_BIN" snapshot --docker "$DOCKER_HOST" --screen service:probe --format json \
	>"$T/snap.json" 2>"$T/snap.err"
rc=$?
check "snapshot --screen service:probe --format json exits 0 (docker answered)" test "$rc" = 0
jq_ok() { jq "$@" >/dev/null; }
check "the snapshot's status is WARN or CRIT" jq_ok -e '.screens["service:probe"] | .status == "WARN" or .status == "CRIT"' "$T/snap.json"
check "the snapshot carries the failed task's error verbatim" \
	jq_ok -e --arg e "$daemon_err" '.screens["service:probe"].failed_task.error == $e' "$T/snap.json"
check "the snapshot's rejected instances carry the error" \
	jq_ok -e --arg e "$daemon_err" '[.screens["service:probe"].instances[] | select(.state == "rejected")] | length > 0 and all(.error == $e)' "$T/snap.json"
check "the snapshot's rollout is paused" jq_ok -e '.screens["service:probe"].rollout.state == "paused"' "$T/snap.json"

keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"

# ---- nothing left running ----
for s in "${SOCKS[@]}"; do tmux -L "$s" kill-server 2>/dev/null; done
check "dockerd and its containers stop" "$ROOT/tests/stack/dockerd.sh" stop "$DKDIR"
no_leftovers() { ! pgrep -f -- "$T" >/dev/null; } # pgrep never matches itself
check "no process of this test is left running" wait_for 10 no_leftovers
finish
