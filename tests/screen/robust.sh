#!/usr/bin/env bash
# The console without a working backend, in other locales and under
# signals: nothing configured shows how to configure; a dead Prometheus is
# not fatal and is named in the status line; C locale draws ASCII;
# NO_COLOR draws no colours; SIGHUP and SIGTERM restore the terminal;
# Ctrl-Z suspends with the terminal restored and fg redraws.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config TZ=UTC TERM=tmux-256color
# A fresh tmux server per scenario: restarting one under the same name races its shutdown.
N=0
export SOCK=opsdeck-robust-$$-0
new_server() { tmux -L "$SOCK" kill-server 2>/dev/null; N=$((N + 1)); SOCK=opsdeck-robust-$$-$N; }
trap 'for i in $(seq 0 $N); do tmux -L opsdeck-robust-$$-$i kill-server 2>/dev/null; done; rm -rf "$T"' EXIT
unset OPSDECK_PROMETHEUS_URL OPSDECK_CONFIG NO_COLOR

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
start() { # start LOCALE ARGS...
	local loc=$1; shift
	new_server
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 \
		"LANG=$loc LC_ALL=$loc $* ; echo \"EXITED \$?\"; stty -a | grep -o -- '-\\?icanon'; sleep 600"
}

start C.UTF-8 "'$OPSDECK_BIN'"
check "no backend: the console explains how to configure one" wait_for 15 has "No backend is configured"
check "no backend: it names the flag" has "opsdeck --prometheus"
keys q
check "q quits" wait_for 10 has "EXITED 0"

# A port nothing listens on: connection refused.
start C.UTF-8 "'$OPSDECK_BIN' --prometheus http://127.0.0.1:9 --refresh 1s"
check "dead Prometheus: console opens" wait_for 15 has "opsdeck · Overview"
check "dead Prometheus: status line names the failure and the URL" wait_for 15 bash -c "$(declare -f screen); screen | tail -1 | grep -q 'prometheus, no data yet: cannot connect to http://127.0.0.1:9'"
check "dead Prometheus: the table says it waits" has "waiting for the first answer"
keys '?'
check "dead Prometheus: keys still work (help opens)" wait_for 10 has "opsdeck keys"
PID=$(pgrep -n -x opsdeck)
kill -HUP "$PID"
check "SIGHUP exits (status 129)" wait_for 10 has "EXITED 129"
check "SIGHUP restores the terminal" wait_for 5 bash -c "$(declare -f screen); screen | grep -qx icanon"

start C "'$OPSDECK_BIN' --prometheus http://127.0.0.1:9"
check "C locale: ASCII title separator" wait_for 15 has "opsdeck - Overview"
check "C locale: no UTF-8 on screen" bash -c "$(declare -f screen); ! screen | grep -qP '[^\\x00-\\x7f]'"
PID=$(pgrep -n -x opsdeck)
kill -TERM "$PID"
check "SIGTERM exits (status 143)" wait_for 10 has "EXITED 143"

# Colours: the title bar is drawn with a colour pair unless NO_COLOR.
new_server
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 "LANG=C.UTF-8 '$OPSDECK_BIN' --prometheus http://127.0.0.1:9; sleep 600"
check "colour by default" wait_for 15 bash -c "tmux -L $SOCK capture-pane -e -p -t t | grep -q \$'\\e\\[[0-9;]*3[0-7]m'"
new_server
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 "NO_COLOR=1 LANG=C.UTF-8 '$OPSDECK_BIN' --prometheus http://127.0.0.1:9; sleep 600"
wait_for 15 has "opsdeck · Overview" >/dev/null
check "NO_COLOR: no colour codes" bash -c "! tmux -L $SOCK capture-pane -e -p -t t | grep -q \$'\\e\\[[0-9;]*3[0-7]m'"
check "NO_COLOR: the title bar is still reversed" bash -c "tmux -L $SOCK capture-pane -e -p -t t | head -1 | grep -q \$'\\e\\[[0-9;]*7m'"

# Ctrl-Z from an interactive shell, then fg.
new_server
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 "env -i HOME=$T TERM=$TERM PATH=$PATH LANG=C.UTF-8 PS1='PROMPT> ' bash --norc --noprofile -i"
wait_for 10 has "PROMPT>" >/dev/null
keys "'$OPSDECK_BIN' --prometheus http://127.0.0.1:9" Enter
check "console starts from a shell" wait_for 15 has "opsdeck · Overview"
keys C-z
check "Ctrl-Z suspends and gives the shell back" wait_for 10 bash -c "$(declare -f screen); screen | grep -qi 'stopped'"
check "the suspended console left the screen" lacks "opsdeck · Overview"
keys "fg" Enter
check "fg redraws the console" wait_for 10 has "opsdeck · Overview"
keys Q
check "Q quits back to the shell" wait_for 10 bash -c "$(declare -f screen); screen | grep -v '^$' | tail -1 | grep -q 'PROMPT> *$'"
check "the shell prompt is usable after quitting" bash -c "$(declare -f screen); screen | grep -q 'PROMPT> fg'"
finish
