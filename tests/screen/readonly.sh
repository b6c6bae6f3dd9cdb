#!/usr/bin/env bash
# --read-only against a private dockerd in Swarm mode: every action key
# (S, R, B) and every mutating ":" command answers "read-only: actions are
# disabled" and is audited as refused; no dialog or count prompt opens;
# the services still load; nothing changes at the server (every service's
# version index, no service update event) and the debug log holds only
# GET requests.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-ro.XXXXXX) # short: dockerd's sockets live under it
DKDIR=$T/dk
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH NO_COLOR DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY
mkdir -p "$HOME"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-readonly-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
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
export DOCKER_CONFIG=$T/docker-cli

dk() { /usr/bin/docker -H "$DOCKER_HOST" "$@"; }
# Every service's name, version index and replica count, one line each.
versions() {
	dk service ls -q | xargs /usr/bin/docker -H "$DOCKER_HOST" service inspect \
		--format '{{.Spec.Name}} {{.Version.Index}} {{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{else}}global{{end}}' | sort
}
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
audit_count() { if [ -f "$AUDIT" ]; then grep -c . "$AUDIT"; else echo 0; fi; }
# refused_after N : the status line says read-only and the audit log has N lines.
refused_after() {
	screen | tail -1 | grep -q "read-only: actions are disabled" && [ "$(audit_count)" = "$1" ]
}
jq_ok() { jq "$@" >/dev/null; }
no_dialog() { lacks "y confirm" && lacks "how many replicas" && lacks "type the service name"; }

before=$(versions)
since=$(date +%s.%N)
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --read-only --docker '$DOCKER_HOST' --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

check "read-only: the Swarm services, the compose group and the container still load" \
	wait_for 60 bash -c "$(declare -f screen); s=\$(screen);
	for r in 'gateway +OK +2/2 .* swarm' 'orders +OK +2/2 .* swarm' 'payments +OK +2/2 .* swarm' \
		'inventory +OK +1/1 .* swarm' 'users +OK +1/1 .* swarm' 'notifications +OK +2/2 .* compose' \
		'adhoc-debug +OK +1/1 .* container'; do
		grep -Eq \"^\$r\" <<<\"\$s\" || exit 1; done"
check "read-only: the status line says docker ok" \
	wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'docker ok [0-9]+ms'"

keys / C-u orders Enter
wait_for 20 hasE "1 of [0-9]+ services /orders/" >/dev/null
n=0
for k in S R B; do
	# r first: its "refreshing..." replaces the previous refusal, so each answer is new.
	keys r
	wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -q refreshing" >/dev/null
	keys "$k"
	n=$((n + 1))
	check "read-only: $k answers \"read-only: actions are disabled\" (and is audited)" \
		wait_for 20 refused_after "$n"
	check "read-only: $k opens no prompt or dialog" no_dialog
done
for c in "scale orders 1" "restart orders" "rollback orders" "scale payments 5" "restart users" "rollback inventory"; do
	keys r
	wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -q refreshing" >/dev/null
	keys : "$c" Enter
	n=$((n + 1))
	check "read-only: :$c answers \"read-only: actions are disabled\" (and is audited)" \
		wait_for 20 refused_after "$n"
done
check "read-only: no dialog opened for any command" no_dialog

keys q
check "read-only: q quits with status 0" wait_for 20 has "EXITED 0"

check "read-only: every service's version index and replicas are unchanged at the server (5 services)" \
	test "$(versions)" = "$before" -a "$(echo "$before" | grep -c .)" = 5
check "read-only: the server saw no service update event" \
	test -z "$(dk events --since "$since" --until "$(date +%s.%N)" --filter type=service --format '{{.Action}}')"
check "read-only: the debug log has requests, and every one is a GET" \
	bash -c "grep -q ' GET .*/services' '$T/debug.log' && ! grep -v '^[^ ]* GET ' '$T/debug.log' | grep -q ."
check "read-only: the audit log has one valid JSON line per refusal ($n), all refused with the read-only reason" \
	jq_ok -e -R -s --argjson n "$n" 'split("\n") | map(select(length > 0) | fromjson) | length == $n and
	all(.result == "refused" and .error == "read-only: actions are disabled" and .mode == "console")' "$AUDIT"
check "read-only: the refusals name what was asked (scale, restart, rollback on the services typed)" \
	test "$(jq -r -c '[.service, .action] | join(" ")' "$AUDIT" | tr '\n' ';')" \
	= "orders scale;orders restart;orders rollback;orders scale;orders restart;orders rollback;payments scale;users restart;inventory rollback;"

tmux -L "$SOCK" kill-server 2>/dev/null
check "read-only: dockerd and its containers stop" "$ROOT/tests/stack/dockerd.sh" stop "$DKDIR"
finish
