#!/usr/bin/env bash
# Podman's Docker-compatible API through the same code as Docker Engine: a
# private rootful podman service (tests/stack/podman.sh --containers) with
# a compose-labelled group (shop/mail, 2 containers) and a bare container
# (adhoc).  The snapshot (JSON and text) shows the group as one compose
# row and the container as its own row, with the image tags as versions,
# and Podman's 404 on /services and /tasks is no failure.  In tmux,
# `:restart mail` restarts both containers (StartedAt moves at the server,
# one after the other), and `:scale` / `:rollback` are refused with the
# reason.  Nothing is left running afterwards.  Exits 77 when podman
# cannot run here (the reason is the last line).
# shellcheck disable=SC2317  # functions called through trap, check and wait_for
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-pm.XXXXXX) # short: the podman socket lives under it
PMDIR=$T/pm
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_PROMETHEUS_PASSWORD OPSDECK_CONFIG \
	OPSDECK_READ_ONLY OPSDECK_REFRESH NO_COLOR DOCKER_HOST DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY
mkdir -p "$HOME"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
SOCK=opsdeck-podman-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/podman.sh" stop "$PMDIR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

"$ROOT/tests/stack/podman.sh" start "$PMDIR" --containers >"$T/podman-start.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	tail -1 "$T/podman-start.log"
	exit 77
elif [ "$rc" -ne 0 ]; then
	cat "$T/podman-start.log"
	not_ok "private podman service with a compose group and a bare container starts"
	finish
fi
ok "private podman service with a compose group and a bare container starts ($(head -1 "$T/podman-start.log"))"
# shellcheck source=/dev/null
. "$PMDIR/podman.env"
export CONTAINERS_CONF CONTAINERS_STORAGE_CONF # podman (the CLI) on the service's storage

jqe() { jq -e "$@" >/dev/null; }
started() { podman inspect --format '{{json .State.StartedAt}}' "$1" | tr -d '"'; }

# ---- the snapshot, JSON ----
"$OPSDECK_BIN" snapshot --docker "$DOCKER_HOST" --format json >"$T/snap.json" 2>"$T/snap.err"
rc=$?
check "snapshot --format json exits 0 (got $rc$([ -s "$T/snap.err" ] && echo ": $(head -c 200 "$T/snap.err")"))" test "$rc" = 0
check "backends.docker.ok is true, no error (Podman's 404 on /services and /tasks is not a failure)" \
	jqe '.backends.docker.ok == true and .backends.docker.error == null' "$T/snap.json"
# shellcheck disable=SC2016  # jq variables
check "the compose group is ONE service: mail, kind compose, running 2 of desired 2 (got: $(jq -c '[.screens.overview.services[] | {name, kind: .runtime.kind, running: .runtime.running, desired: .runtime.desired}]' "$T/snap.json" 2>/dev/null))" \
	jqe '[.screens.overview.services[] | select(.runtime.name == "mail" or (.name | startswith("shop")))] as $m
		| ($m | length) == 1 and $m[0].name == "mail" and $m[0].runtime.kind == "compose"
		and $m[0].runtime.running == 2 and $m[0].runtime.desired == 2 and $m[0].status == "OK"' "$T/snap.json"
# shellcheck disable=SC2016  # jq variables
check "the bare container is its own service: adhoc, kind container, running 1 of 1" \
	jqe '[.screens.overview.services[] | select(.name == "adhoc")] as $a | ($a | length) == 1
		and $a[0].runtime.kind == "container" and $a[0].runtime.running == 1 and $a[0].runtime.desired == 1' "$T/snap.json"
check "versions are the image tags (mail 1 from localhost/local/busybox:1, adhoc 2) and nothing else is listed" \
	jqe '[.screens.overview.services[] | [.name, .runtime.version]] | sort == [["adhoc", "2"], ["mail", "1"]]' "$T/snap.json"

# ---- the snapshot, text ----
"$OPSDECK_BIN" snapshot --docker "$DOCKER_HOST" >"$T/snap.txt" 2>&1
rc=$?
check "the text snapshot exits 0 and shows 'mail OK 2/2 … 1 … compose' and 'adhoc OK 1/1 … 2 … container'" \
	bash -c "[ $rc = 0 ] && grep -Eq '^mail +OK +2/2 .* 1 .* compose' '$T/snap.txt' &&
		grep -Eq '^adhoc +OK +1/1 .* 2 .* container' '$T/snap.txt' && grep -Eq 'docker ok [0-9]+ms' '$T/snap.txt'"

# ---- the console in tmux ----
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
status_has() { screen | tail -1 | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --docker '$DOCKER_HOST' --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"
rows_ok() { hasE '^mail +OK +2/2 .* compose' && hasE '^adhoc +OK +1/1 .* container'; }
check "the console shows mail (compose 2/2) and adhoc (container 1/1)" wait_for 30 rows_ok

before1=$(started shop-mail-1) before2=$(started shop-mail-2)
keys : "restart mail" Enter
check ":restart mail opens the dialog: 'mail — compose @ local — restart, one at a time, of 2 instances'" \
	wait_for 20 has "mail — compose @ local — restart, one at a time, of 2 instances"
t_confirm=$(date +%s)
keys y
check "y restarts: status line says 'mail: restart done'" wait_for 60 status_has "mail: restart done"
after1=$(started shop-mail-1) after2=$(started shop-mail-2)
check "both containers were restarted at the server (StartedAt moved: $before1 -> $after1, $before2 -> $after2)" \
	test "$after1" != "$before1" -a "$after2" != "$before2" -a -n "$after1" -a -n "$after2"
# One at a time: the first container is running again before the other
# one stops (podman's own events, in order).
one_at_a_time() {
	podman events --stream=false --since "$t_confirm" --filter event=start --filter event=died \
		--format '{{.Status}} {{.Name}}' 2>/dev/null | tee "$T/events.txt" |
		awk '$1 == "died" && !a { a = $2; next }
			a && $1 == "start" && $2 == a && !sa { sa = NR }
			a && $1 == "died" && $2 != a && !db { db = NR }
			END { exit !(sa && db && sa < db) }'
}
check "one at a time: one container was running again before the other stopped (podman events)" one_at_a_time
check "the row is back to mail OK 2/2" wait_for 30 hasE '^mail +OK +2/2 '

keys : "scale mail 3" Enter
check ":scale mail 3 is refused: 'mail: scaling needs Swarm, Kubernetes or ECS'" \
	wait_for 20 status_has "mail: scaling needs Swarm, Kubernetes or ECS"
keys : "rollback mail" Enter
check ":rollback mail is refused: 'mail: rollback needs a Swarm service'" \
	wait_for 20 status_has "mail: rollback needs a Swarm service"
check "the refusals sent nothing: the only POSTs are the 2 container restarts" \
	test "$(grep -c ' POST ' "$T/debug.log")" = 2 -a "$(grep ' POST ' "$T/debug.log" | grep -c '/containers/[0-9a-f]*/restart')" = 2
check "the audit log has the restart (succeeded) and the two refusals" \
	test "$(jq -r -c '[.service, .runtime, .action, .result] | join(" ")' "$AUDIT" 2>/dev/null | tr '\n' ';')" \
	= "mail compose restart succeeded;mail compose scale refused;mail compose rollback refused;"
keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"
tmux -L "$SOCK" kill-server 2>/dev/null

# ---- nothing left running ----
check "podman.sh stop: the service, conmon and the containers stop" "$ROOT/tests/stack/podman.sh" stop "$PMDIR"
# pgrep never matches itself; conmon, the service and podman's cleanup all name T.
no_leftovers() { ! pgrep -f -- "$T" >/dev/null; }
check "no process of this test is left running (podman, conmon)" wait_for 10 no_leftovers
check "the service's storage, run and tmp dirs and its socket are removed" \
	bash -c "! ls -d '$PMDIR'/storage '$PMDIR'/run '$PMDIR'/tmp '$PMDIR'/podman.sock 2>/dev/null | grep -q ."
rm -rf "$T"
check "the test's temporary directory is removed" test ! -e "$T"
finish
