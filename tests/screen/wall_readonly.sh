#!/usr/bin/env bash
# The wall cannot change anything: `opsdeck --wall` against a private
# dockerd in Swarm mode (real services that a scale, restart or rollback
# would change) in tmux.  Every action key of every screen (S R B s y Y
# Enter / : e x d ...) and every mutating ":" command typed blind: no
# dialog, prompt or command line ever opens, nothing is audited (no audit
# file at all), every service's version index and replicas are unchanged
# at the server, it saw no service update event, and --debug-log holds only
# GET requests.  [wall] screens naming a screen whose backend is not
# configured (topology without Zipkin) is skipped: the position counts the
# screens shown (1/1); with none left the header says which were skipped
# (and density large drops the columns a room cannot read).
# An unknown screen name is refused at start with the known ones listed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-wro.XXXXXX) # short: dockerd's sockets live under it
DKDIR=$T/dk
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH OPSDECK_ENV NO_COLOR DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY \
	OPSDECK_ZIPKIN_URL OPSDECK_ELASTICSEARCH_URL OPSDECK_ALERTMANAGER_URL
mkdir -p "$HOME" "$T/config/opsdeck"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-wall-ro-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/dockerd.sh" stop "$DKDIR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# Refused before anything starts: an unknown screen, with the known ones named.
printf '[wall]\nscreens = overview, graphs\n' >"$T/bad.ini"
out=$("$OPSDECK_BIN" --wall --config "$T/bad.ini" --docker unix:///nonexistent 2>&1 </dev/null)
rc=$?
check "an unknown [wall] screen is refused: exit 1 ($rc)" test "$rc" = 1
check "the message quotes it and lists the known ones ($out)" \
	grep -q "\[wall\] screens: unknown screen 'graphs' (known: overview, alerts, topology, traces, logs)" <<<"$out"

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
versions() {
	dk service ls -q | xargs /usr/bin/docker -H "$DOCKER_HOST" service inspect \
		--format '{{.Spec.Name}} {{.Version.Index}} {{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{else}}global{{end}}' | sort
}
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
header() { screen | head -1; }
has() { screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# Nothing on screen that takes typing: a dialog, a count, a command line, a filter, a query.
no_prompt() {
	local s
	s=$(screen)
	! grep -Eq 'y confirm|how many replicas|type the service name|Filter \(PCRE2|^:|Query \(|Search \(|Silence' <<<"$s"
}
export -f screen header has
export SOCK

cat >"$T/config/opsdeck/config.ini" <<EOF
[wall]
screens = overview, topology
rotate = 2s
EOF
before=$(versions)
since=$(date +%s.%N)
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --wall --docker '$DOCKER_HOST' --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

check "the wall lists the Swarm services" \
	wait_for 60 bash -c "s=\$(screen); for r in 'gateway +OK +2/2' 'orders +OK +2/2' 'payments +OK +2/2' 'inventory +OK +1/1'; do grep -Eq \"^\$r\" <<<\"\$s\" || exit 1; done"
check "topology (no Zipkin) is skipped: the Overview is 1/1" \
	bash -c "header | grep -q 'opsdeck . Overview  1/1 '"
check "the header shows docker's freshness" bash -c "header | grep -Eq 'docker [0-9]+s'"

# Every key that acts somewhere in the console, on each kind of screen the
# console has, typed blind, twice; then the mutating commands.
n=0
for round in 1 2; do
	for k in S R B s y Y Enter / e x d D K a p l L t T c g G j k o O m M i u + - = '<' '>' '\\' Tab Escape; do
		keys "$k"
		n=$((n + 1))
	done
	keys y Enter
	for c in "scale orders 1" "restart orders" "rollback orders" "scale payments 5" "silence HighErrorRate 2h"; do
		keys : "$c" Enter y
	done
	keys -l 'orders'
	keys Enter y
done
keys r
check "after $n keys and 10 typed commands no dialog, prompt or command line is open" no_prompt
check "the wall still shows the services and rotates on (1/1)" \
	wait_for 10 bash -c "header | grep -q 'Overview  1/1' && has payments"
check "the status line offers no typing, a discreet q quit" \
	wait_for 10 bash -c "screen | tail -1 | grep -q 'q quit' && ! screen | tail -1 | grep -q 'filter'"

keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"
check "every service's version index and replicas are unchanged at the server (5 services)" \
	test "$(versions)" = "$before" -a "$(echo "$before" | grep -c .)" = 5
check "the server saw no service update event" \
	test -z "$(dk events --since "$since" --until "$(date +%s.%N)" --filter type=service --format '{{.Action}}')"
check "the debug log has requests, and every one is a GET" \
	bash -c "grep -q ' GET .*/services' '$T/debug.log' && ! grep -v '^[^ ]* GET ' '$T/debug.log' | grep -q ."
check "nothing was audited: no audit log at all" test ! -e "$AUDIT"

# None of the rotation can be shown: the Overview, and the header says why;
# density large keeps the columns that read from across a room.
cat >"$T/config/opsdeck/config.ini" <<EOF
[wall]
screens = traces, logs
rotate = 2s
density = large
EOF
tmux -L "$SOCK" kill-session -t t 2>/dev/null
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --wall --docker '$DOCKER_HOST' --refresh 1s; echo \"EXITED \$?\"; sleep 600"
check "with no screen of the rotation configured, the header says which were skipped" \
	wait_for 20 bash -c "header | grep -q 'opsdeck . Overview  traces, logs not configured'"
check "and the Overview shows the services" wait_for 30 has payments
check "density large: service, status, replicas; no trends, CPU, version or runtime" \
	bash -c "screen | grep -Eq '^SERVICE +STATUS. +REPL ' && ! has 'TREND' && ! has 'CPU' && ! has 'VERSION' && ! has 'RUNTIME'"
keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"

tmux -L "$SOCK" kill-server 2>/dev/null
check "dockerd and its containers stop" "$ROOT/tests/stack/dockerd.sh" stop "$DKDIR"
finish
