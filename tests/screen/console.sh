#!/usr/bin/env bash
# The real binary in tmux against the real local stack: the Overview
# appears, /pay filters to payments, an invalid pattern shows PCRE2's
# message and keeps the filter, sort keys move the mark, a resize to 80x24
# relayouts, ? opens the help, Enter opens the Service detail and q goes
# back, q quits and the terminal is restored.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
export SOCK=opsdeck-screen-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

if ! "$ROOT/tests/stack/start.sh" "$STACK" --steady --history 120 --extra-service 주문 >"$T/stack.log" 2>&1; then
	cat "$T/stack.log"; not_ok "local stack starts"; finish
fi
. "$STACK/env"

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }

# The shell line prints a marker and the exit status when opsdeck returns,
# so we can tell that it quit and that the screen was restored.
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"printf 'BEFORE-OPSDECK\n'; '$OPSDECK_BIN' --prometheus '$PROMETHEUS_URL' --refresh 1s; echo \"EXITED \$?\"; stty -a | grep -o -- '-\\?icanon' ; sleep 600"

check "overview lists every shopsim service" wait_for 40 bash -c "$(declare -f screen has); has gateway && has orders && has payments && has inventory && has users && has notifications"
check "Korean service name is drawn" wait_for 10 has "주문"
check "status line shows prometheus ok with latency" wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'prometheus ok [0-9]+ms'"
check "title bar counts services" wait_for 10 has "7 services"
check "column headers are shown" has "REQ/S"
check "sparklines are drawn" wait_for 20 bash -c "$(declare -f screen); screen | grep -q '[▁▂▃▄▅▆▇█]'"

keys / p a y
check "incremental filter keeps payments" wait_for 10 bash -c "$(declare -f screen has lacks); has payments && lacks inventory"
keys Enter
check "filter shown in the title after Enter" wait_for 10 bash -c "$(declare -f screen has); has '1 of 7 services /pay/'"

keys / '('
check "invalid pattern shows PCRE2's message" wait_for 10 bash -c "$(declare -f screen has); has 'missing closing parenthesis'"
keys Enter
check "invalid pattern keeps the previous filter" wait_for 10 bash -c "$(declare -f screen has lacks); has '/pay/' && lacks inventory"
keys '\\'
check "backslash clears the filter" wait_for 10 bash -c "$(declare -f screen has); has inventory && has '7 services'"

keys '<'
check "sort moves to SERVICE with a mark" wait_for 10 bash -c "$(declare -f screen); screen | grep -Eq 'SERVICE *[▲▼]'"

tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "resize to 80x24 relayouts" wait_for 10 bash -c "$(declare -f screen has); has payments && [ \$(screen | wc -L) -le 80 ] && screen | head -2 | grep -q STATUS"

keys '?'
check "? opens the help overlay" wait_for 10 bash -c "$(declare -f screen has); has 'opsdeck keys'"
keys Escape
check "Esc closes the help" wait_for 10 bash -c "$(declare -f screen lacks); lacks 'opsdeck keys'"

tmux -L "$SOCK" resize-window -t t -x 200 -y 50
check "resize to 200x50 shows every column" wait_for 10 bash -c "$(declare -f screen has); has 'ERR TREND' && has MEM"

keys Enter
check "Enter opens the Service detail" wait_for 10 bash -c "$(declare -f screen has); has 'Overview › ' && has 'range 1h'"
check "the detail charts requests/s with a time axis" wait_for 20 bash -c "$(declare -f screen has); has 'requests/s' && screen | grep -q '└─*┬'"
check "the detail says no runtime is configured" has 'no container runtime configured'
keys +
check "+ widens the charts to 6h" wait_for 10 has 'range 6h'
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "the detail relayouts at 80x24" wait_for 10 bash -c "$(declare -f screen has); has 'requests/s' && [ \$(screen | wc -L) -le 80 ]"
tmux -L "$SOCK" resize-window -t t -x 200 -y 50
keys q
check "q goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); has 'ERR TREND' && lacks 'Overview ›'"

keys q
check "q quits with status 0" wait_for 10 bash -c "$(declare -f screen has); has 'EXITED 0'"
check "the screen before opsdeck is restored" has BEFORE-OPSDECK
check "the terminal is back in canonical mode" bash -c "$(declare -f screen); screen | grep -qx 'icanon'"
finish
