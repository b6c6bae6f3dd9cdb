#!/usr/bin/env bash
# Traces in tmux against the local stack (shopsim reporting its spans to
# the Zipkin test server): t on payments searches its traces, Enter opens
# the newest in a waterfall, Space folds and unfolds the root's subtree,
# c shows the critical path, Enter shows a span's details, T jumps to the
# topology with the callers and callees of the selected service, and Esc
# walks back down the screen stack to the Overview.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
export SOCK=opsdeck-traces-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

if ! "$ROOT/tests/stack/start.sh" "$STACK" --steady --no-history >"$T/stack.log" 2>&1; then
	cat "$T/stack.log"; not_ok "local stack starts"; finish
fi
. "$STACK/env"
[ -n "${ZIPKIN_URL:-}" ] || { not_ok "the stack names its Zipkin (ZIPKIN_URL)"; finish; }
payments_traced() { curl -sf "$ZIPKIN_URL/api/v2/traces?serviceName=payments&limit=1" | grep -q payments; }
check "shopsim's payments spans are in Zipkin" wait_for 30 payments_traced

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# The waterfall's rows: the lines below the column header, above the status line.
rows() { screen | sed -n '/SERVICE SPAN/,$p' | sed '1d;$d' | grep -v '^ *$'; }

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --prometheus '$PROMETHEUS_URL' --zipkin '$ZIPKIN_URL' --elasticsearch '$ELASTICSEARCH_URL' --refresh 1s; echo \"EXITED \$?\"; sleep 600"

check "the Overview lists payments" wait_for 20 has 'payments'
keys / ; keys -l '^payments$'; keys Enter
check "the filter leaves payments" wait_for 10 bash -c "$(declare -f screen has lacks); has 'payments' && lacks 'inventory'"
check "Zipkin, asked only for the traces screens, is not 'connecting...' on the Overview" \
	bash -c "$(declare -f screen); ! screen | tail -1 | grep -q 'zipkin'"
keys t
check "t opens the Traces screen for payments" wait_for 10 bash -c "$(declare -f screen has); has 'Traces' && has 'service=payments'"
check "the traces arrive, gateway at their root" wait_for 15 bash -c "$(declare -f screen has); has 'gateway' && screen | grep -Eq '[0-9]+ traces'"
check "the status line shows zipkin ok" wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'zipkin ok [0-9]+ms'"
screen | tail -1 | sed "s/^/# status: /"

keys Enter
check "Enter opens the trace's waterfall" wait_for 10 bash -c "$(declare -f screen has); has 'Trace ' && has 'SERVICE SPAN'"
check "the waterfall shows payments' span" wait_for 10 bash -c "$(declare -f screen rows); rows | grep -q payments"
n_open=$(rows | wc -l)
check "the waterfall has a row per span ($n_open rows)" [ "$n_open" -ge 4 ]
keys g Space
check "Space on the root folds its subtree to one row" wait_for 10 bash -c "$(declare -f screen rows); [ \$(rows | wc -l) -eq 1 ] && ! rows | grep -q payments"
keys Space
check "Space again unfolds it" wait_for 10 bash -c "$(declare -f screen rows); [ \$(rows | wc -l) -eq $n_open ] && rows | grep -q payments"
keys c
check "c shows the critical path and who dominates it" wait_for 10 bash -c "$(declare -f screen has); has 'critical path' && screen | grep -Eq 'mostly [a-z]+: '"
check "the rows on the path carry their share" bash -c "$(declare -f screen rows); rows | grep -Eq '[0-9]+%'"
keys j Enter
check "Enter shows the span's details" wait_for 10 bash -c "$(declare -f screen has); has 'http.status_code'"
keys Escape
check "Esc closes the details, the trace stays" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'http.status_code' && has 'SERVICE SPAN'"

keys d
check "d opens the detail of the service dominating the path" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'SERVICE SPAN' && has 'INSTANCES\|requests/s\|REQ/S'"
keys Escape
check "Esc goes back to the trace" wait_for 10 bash -c "$(declare -f screen has); has 'SERVICE SPAN'"
keys l
check "l opens the span's logs for its trace id" wait_for 10 bash -c "$(declare -f screen has); has 'Logs' && has 'trace.id:'"
keys Escape
check "Esc goes back to the trace again" wait_for 10 bash -c "$(declare -f screen has); has 'SERVICE SPAN'"
keys T
check "T opens the topology" wait_for 10 bash -c "$(declare -f screen has); has 'Topology' && has 'CALLEES'"
check "the graph draws the shop's services" wait_for 15 bash -c "$(declare -f screen has); has 'orders' && has 'payments' && has 'inventory'"
keys Escape
check "Esc goes back to the trace" wait_for 10 bash -c "$(declare -f screen has); has 'SERVICE SPAN'"
keys Escape
check "Esc again to the list of traces" wait_for 10 bash -c "$(declare -f screen has lacks); has 'service=payments' && lacks 'SERVICE SPAN'"
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "the list relayouts at 80x24" wait_for 10 bash -c "$(declare -f screen has); has 'gateway' && [ \$(screen | wc -L) -le 80 ]"
keys e C-u
keys -l 'service=payments >100s'
keys Enter
check "a search with no answer says what to do" wait_for 10 bash -c "$(declare -f screen has); has 'no traces'"
keys Escape
check "Esc goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); has 'Overview' && lacks 'Traces'"
keys q
check "q quits with status 0" wait_for 10 has 'EXITED 0'
finish
