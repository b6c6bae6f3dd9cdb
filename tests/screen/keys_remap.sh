#!/usr/bin/env bash
# [keys] remapping in tmux: the real binary against the ECS test server
# (six services that can be scaled) with
#     scale = x          refresh = F2          logs_all = t
# x opens the scale prompt on the Overview and S no longer does; F2
# refreshes and r no longer does; t, taken from traces, says at start that
# traces has no key left on the Overview; the help overlay lists x for
# scale, F2 for refresh and traces under "-".  A wrong action or key name
# is refused with its file and line by 'opsdeck config' and by the console.
# Tab on the : line completes the command, then a service or an environment,
# listing the candidates and cycling through them on repeated Tabs.
# shellcheck disable=SC2317  # functions called through check and trap
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/ecs.sh" ] || { echo "tests/stack/ecs.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-keys.XXXXXX)
E=$T/ecs
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH OPSDECK_THEME NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT AWS_PROFILE \
	AWS_SESSION_TOKEN
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
CONFIG=$T/keys.ini
cat >"$CONFIG" <<'EOF'
[docker]
host =
[kubernetes]
kubeconfig =
[ecs]
cluster = shop
[keys]
scale = x
refresh = F2
logs_all = t
[env "staging"]
general.refresh = 2s
[env "prod-eu"]
protected = true
[env "prod-us"]
protected = true
EOF
export SOCK=opsdeck-keys-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/ecs.sh" stop "$E" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# Wrong names first: no server needed.
printf '[keys]\nscale = x\nrestart = Ctl-R\n' >"$T/bad-key.ini"
out=$("$OPSDECK_BIN" -c "$T/bad-key.ini" config 2>&1)
rc=$?
check "opsdeck config refuses an unknown key name (status $rc)" [ "$rc" -ne 0 ]
check "the message names file:line, the key and the valid forms" \
	grep -q "bad-key.ini:3: \[keys\] restart: unknown key 'Ctl-R' (keys: a character (x, G, /), Space, .* F1..F10 or Ctrl-A..Ctrl-Z" <<<"$out"
printf '[keys]\nsacle = x\n' >"$T/bad-action.ini"
out=$("$OPSDECK_BIN" -c "$T/bad-action.ini" --prometheus http://127.0.0.1:1 2>&1 </dev/null)
rc=$?
check "the console refuses an unknown action before it starts (status $rc)" [ "$rc" -ne 0 ]
check "the message names file:line, the action and the forms" \
	grep -q "bad-action.ini:2: \[keys\] unknown action 'sacle' (use an action .* or context.action (overview.scale" <<<"$out"
out=$("$OPSDECK_BIN" -c "$CONFIG" config 2>&1)
check "opsdeck config accepts the remapping" [ $? -eq 0 ]

bash "$ROOT/tests/stack/ecs.sh" start "$E" --shop >"$T/ecs.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	tail -1 "$T/ecs.log"
	exit 77
elif [ "$rc" -ne 0 ]; then
	cat "$T/ecs.log"
	not_ok "the ECS test server starts"
	finish
fi
set -a
# shellcheck source=/dev/null
. "$E/env"
set +a
export AWS_CONFIG_FILE=$ECS_AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$ECS_AWS_CREDENTIALS_FILE

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 60 \
	"'$OPSDECK_BIN' -c '$CONFIG' --refresh 1s; echo \"EXITED \$?\"; sleep 600"
check "the Overview lists the shop's services" \
	wait_for 60 bash -c "$(declare -f screen); screen | grep -Eq '^users +OK +2/2'"
check "at start: t took the last key of traces on the Overview, said with file:line" \
	wait_for 10 has "keys.ini:10: \[keys\] logs_all = t takes the last key of traces on Overview"

# S then /: had S opened the count prompt, the / would be typed into it.
keys S /
check "S no longer scales: the next key opens the filter, no count prompt" \
	wait_for 10 bash -c "$(declare -f screen has lacks); has 'Filter (PCRE2' && lacks 'how many replicas'"
keys Escape
wait_for 10 lacks 'Filter (PCRE2' >/dev/null
keys x
check "x opens the scale prompt for the selected service" \
	wait_for 10 has "Scale gateway to how many replicas?"
keys Escape
wait_for 10 lacks 'how many replicas' >/dev/null

keys r /
check "r no longer refreshes: no 'refreshing...' before the filter opens" \
	wait_for 10 bash -c "$(declare -f screen has lacks); has 'Filter (PCRE2' && lacks 'refreshing...'"
keys Escape
wait_for 10 lacks 'Filter (PCRE2' >/dev/null
keys F2
check "F2 refreshes" wait_for 10 has "refreshing..."

keys '?'
check "the help lists x for scale" \
	wait_for 10 hasE "│ x +scale the selected service"
check "the help lists F2 (alone) for refresh" hasE "│ F2 +refresh now"
check "the help lists t for the logs of every service" hasE "│ t +logs of every service"
check "the help shows traces with no key on the Overview" \
	hasE "│ - +traces of the selected service \(Zipkin\) \(no key: see \[keys\]\)"
check "the help no longer lists S" bash -c "$(declare -f screen); ! screen | grep -Eq '│ S +scale'"
keys Escape
wait_for 10 lacks 'opsdeck keys' >/dev/null

last() { screen | tail -1; }
keys : r e s Tab
check "Tab completes the command (res -> restart)" wait_for 10 bash -c "$(declare -f screen last); last | grep -q '^:restart *\$'"
keys o Tab
check "then the service name (o -> orders)" wait_for 10 bash -c "$(declare -f screen last); last | grep -q '^:restart orders *\$'"
keys C-u s c a l e Space Tab
check "several services: the candidates listed above the line" \
	wait_for 10 bash -c "$(declare -f screen); screen | tail -2 | head -1 | grep -q 'gateway  inventory  notifications  orders  payments  users'"
keys Tab
check "a second Tab puts in the first, marked in the list" \
	wait_for 10 bash -c "$(declare -f screen); s=\$(screen | tail -2); grep -q '\[gateway\]  inventory' <<<\"\$s\" && grep -q '^:scale gateway\$' <<<\"\$s\""
keys Tab
check "a third Tab cycles to the next" \
	wait_for 10 bash -c "$(declare -f screen last); last | grep -q '^:scale inventory\$'"
keys C-u e n v Space p r Tab
check "environments: 'pr' completes to what prod-eu and prod-us share" \
	wait_for 10 bash -c "$(declare -f screen); s=\$(screen | tail -2); grep -q '^:env prod-\$' <<<\"\$s\" && grep -q 'prod-eu  prod-us' <<<\"\$s\""
keys C-u z z Tab
check "no command starts with zz: said" wait_for 10 has "no command starts with 'zz'"
keys Escape

finish
