#!/usr/bin/env bash
# The Query screen in tmux against the real Prometheus of the local stack
# (scraping shopsim, node_exporter and itself): p opens it on the
# expression line, `up` gives a table with a row per target; it is asked
# again every refresh while on top; Tab draws it as a chart with a legend
# per target; a bad expression shows Prometheus's message verbatim and a
# caret under the column it names; Up on the line recalls the previous
# expression; Esc goes back to the Overview and no query is asked after
# that (the HTTP debug log is the referee, while the Overview's own
# rounds go on); ":query up" opens it again, at 80x24 too; the history is
# in its own file.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v prometheus >/dev/null || { echo "prometheus is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
export SOCK=opsdeck-query-$$
export LOG=$T/http.log
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

if ! "$ROOT/tests/stack/start.sh" "$STACK" --steady --no-history --no-logs --no-traces >"$T/stack.log" 2>&1; then
	cat "$T/stack.log"; not_ok "local stack starts"; finish
fi
. "$STACK/env"
three_up() {
	curl -sfG "$PROMETHEUS_URL/api/v1/query" --data-urlencode 'query=count(up == 1)' | grep -q '"value":\[[0-9.]*,"3"\]'
}
check "Prometheus has scraped its three targets" wait_for 30 three_up

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# The requests the Query screen made for its expressions (up, or the bad one).
asked() { grep -cE '/api/v1/query(_range)?\?query=(up&|sum%28rate%28x)' "$LOG" 2>/dev/null || true; }
# Every other Prometheus query: the Overview's rounds.
rounds() { grep '/api/v1/query' "$LOG" 2>/dev/null | grep -cvE 'query=(up&|sum%28rate%28x)' || true; }
# Table rows: lines with a target's address.
rows() { screen | grep -cE '^ +127\.0\.0\.1:[0-9]+ +[a-z]+ +1$'; }

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --prometheus '$PROMETHEUS_URL' --refresh 1s --debug-log '$LOG'; echo \"EXITED \$?\"; sleep 600"

check "the Overview lists shopsim's services" wait_for 20 has 'payments'
keys p
check "p opens the Query screen on the expression line" wait_for 10 bash -c "$(declare -f screen has); has 'Overview › Query' && screen | tail -1 | grep -q '^PromQL'"
check "the screen says how to start" has 'Type a PromQL expression'
keys -l 'up'
keys Enter
check "up: one row per target, value 1" wait_for 10 bash -c "$(declare -f screen rows); [ \"\$(rows)\" -eq 3 ]"
check "the targets' jobs are in the rows" bash -c "$(declare -f screen has); has ' shopsim ' && has ' node ' && has ' prometheus '"
check "the table's header: INSTANCE JOB VALUE" has 'INSTANCE *JOB *VALUE'
check "what all rows share is said once" has 'common up$'
check "the title and mode line say 3 series" bash -c "$(declare -f screen has); has '3 series' && has 'Instant'"
screen | sed -n '2,9p' | sed 's/^/# /'
n0=$(asked)
check "it is asked again every refresh while on top" wait_for 10 bash -c "$(declare -f asked); [ \"\$(asked)\" -ge $((n0 + 2)) ]"
grep -m1 'query?query=up&' "$LOG" | sed 's/^/# log: /'

keys Tab
check "Tab draws a range chart with a legend line per target" wait_for 10 bash -c "$(declare -f screen has); has '3 series over 1h' && [ \$(screen | grep -cE '^ ── [1-3] \{instance=\"127\.0\.0\.1:[0-9]+\", job=\"[a-z]+\"\} +1\$') -eq 3 ]"
check "the chart has its y axis and time labels" bash -c "$(declare -f screen has); has '┤' && screen | grep -qE '[0-9]{2}:[0-9]{2} +[0-9]{2}:[0-9]{2}'"
check "the range request asks a step that fits the chart" wait_for 10 grep -qE '/api/v1/query_range\?query=up&start=[0-9.]+&end=[0-9.]+&step=(20|15|10|30)( |$)' "$LOG"
grep -m1 'query_range?query=up&' "$LOG" | sed 's/^/# log: /'
keys Tab
check "Tab again: back to the table" wait_for 10 bash -c "$(declare -f screen rows); [ \"\$(rows)\" -eq 3 ]"

keys e C-u
keys -l 'sum(rate(x[5m])'
keys Enter
check "a bad expression: Prometheus's message verbatim" wait_for 10 has '1:16: parse error: unclosed left parenthesis'
caret_ok() {
	local s line col caret
	s=$(screen)
	line=$(printf '%s\n' "$s" | grep -n 'PromQL sum(rate(x\[5m\])' | head -1 | cut -d: -f1)
	[ -n "$line" ] || return 1
	col=$(printf '%s\n' "$s" | sed -n "${line}p" | awk '{ print index($0, "sum(rate") }')
	caret=$(printf '%s\n' "$s" | sed -n "$((line + 1))p" | awk '{ print index($0, "^") }')
	# 1:16 is the 16th byte: just past the 15 of the expression
	[ "$caret" -eq $((col + 15)) ]
}
check "the caret is under column 16 of the expression" wait_for 5 caret_ok
screen | sed -n '2,8p' | sed 's/^/# /'
check "the title says it was refused" has 'refused'
check "no table is left from before" bash -c "$(declare -f screen rows); [ \"\$(rows)\" -eq 0 ]"

keys e
check "e puts the expression on the line" wait_for 5 bash -c "$(declare -f screen); screen | tail -1 | grep -q 'sum(rate(x\[5m\])'"
keys Up
check "Up recalls the previous expression" wait_for 5 bash -c "$(declare -f screen); screen | tail -1 | grep -qE '^PromQL.*: up *\$'"
keys Escape
check "Esc leaves the line, the screen stays" wait_for 5 bash -c "$(declare -f screen has); has 'Overview › Query' && ! screen | tail -1 | grep -q '^PromQL'"
keys Escape
check "Esc again: back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'Query' && has 'payments'"
n1=$(asked)
r1=$(rounds)
check "the Overview's own rounds go on" wait_for 15 bash -c "$(declare -f rounds); [ \"\$(rounds)\" -ge $((r1 + 10)) ]"
n2=$(asked)
check "nothing is asked for the closed screen ($n1 before, $n2 after)" [ "$n2" -eq "$n1" ]

check "the history is in its own file" bash -c "grep -qx 'up' '$XDG_STATE_HOME/opsdeck/query_history' && grep -qxF 'sum(rate(x[5m])' '$XDG_STATE_HOME/opsdeck/query_history'"
check "the logs' history is untouched" bash -c "! grep -q 'rate' '$XDG_STATE_HOME/opsdeck/history' 2>/dev/null"

keys :
keys -l 'query up'
keys Enter
check ":query up opens it again with the table" wait_for 10 bash -c "$(declare -f screen has rows); has 'Overview › Query' && [ \"\$(rows)\" -eq 3 ]"
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "the table relayouts at 80x24" wait_for 10 bash -c "$(declare -f screen rows); [ \"\$(rows)\" -eq 3 ] && [ \$(screen | wc -L) -le 80 ]"
keys Tab
check "the chart fits 80x24 with its legend" wait_for 10 bash -c "$(declare -f screen); [ \$(screen | grep -cE '^ ── [1-3] \{instance=') -eq 3 ] && [ \$(screen | wc -L) -le 80 ]"
screen | sed 's/^/# /'
keys q
check "q goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'Query' && has 'payments'"
keys q
check "q there quits with status 0" wait_for 10 has 'EXITED 0'
finish
