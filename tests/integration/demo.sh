#!/usr/bin/env bash
# `make demo`'s script (tests/stack/demo.sh) in tmux: it refuses to run
# without a terminal, opens the console on the local stack, and stops the
# whole stack when the console quits and when the terminal hangs up.
# shellcheck disable=SC2317  # functions called through trap and check
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/stack/helpers.sh
. tests/stack/helpers.sh
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no opsdeck binary at $OPSDECK_BIN"; exit 77; }
stack_need

T=$(mktemp -d)
export TMUX_TMPDIR=$T LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
SOCK=opsdeck-demo-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	for d in "$T"/d*/opsdeck-demo.*; do [ -d "$d" ] && tests/stack/stop.sh "$d/stack" >/dev/null 2>&1; done
	rm -rf "$T"
}
trap cleanup EXIT

tests/stack/demo.sh </dev/null >"$T/notty.out" 2>&1
rc=$?
check "without a terminal: exit 1 (got $rc)" test "$rc" -eq 1
check "without a terminal: explains why" grep -q "needs a terminal" "$T/notty.out"

screen() { tmux -L "$SOCK" capture-pane -p -t t 2>/dev/null; }
on_screen() { screen | grep -q -- "$1"; }
# no_stack_left DIR : nothing runs that names DIR, and the demo's temp dir is gone
no_stack_left() { [ -z "$(procs_under "$1/opsdeck-demo.")" ] && [ -z "$(ls -A "$1" 2>/dev/null)" ]; }

# demo_start N : run the demo with its temp dir under $T/dN
demo_start() {
	mkdir -p "$T/d$1"
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
		"env HOME='$T' XDG_CONFIG_HOME='$T/config' TMPDIR='$T/d$1' DEMO_NO_PAUSE=1 OPSDECK_BIN='$OPSDECK_BIN' \
		OPSDECK_ARGS='--refresh 1s' tests/stack/demo.sh; echo \"DEMO-EXITED \$?\"; sleep 600"
}

# 1. quitting the console stops the stack
demo_start 1
# up_or_gone : the console shows the shop, or the demo has already ended
up_or_gone() { on_screen payments || on_screen DEMO-EXITED; }
wait_for 90 up_or_gone
check "demo shows the console with payments" on_screen payments
check "the stack is running meanwhile" test -n "$(procs_under "$T/d1/opsdeck-demo.")"
tmux -L "$SOCK" send-keys -t t q
wait_for 60 on_screen DEMO-EXITED
check "q ends the demo with status 0" on_screen "DEMO-EXITED 0"
check "nothing left running after q" wait_for 90 no_stack_left "$T/d1"
tmux -L "$SOCK" kill-server 2>/dev/null

# 2. a hangup (the terminal goes away) stops the stack too
demo_start 2
wait_for 90 up_or_gone
check "demo runs again" on_screen payments
tmux -L "$SOCK" kill-server
check "nothing left running after SIGHUP: $(procs_under "$T/d2/opsdeck-demo." | tr '\n' ';')" wait_for 90 no_stack_left "$T/d2"
finish
