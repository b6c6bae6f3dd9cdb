#!/usr/bin/env bash
# The mouse in tmux: the real binary against the ECS test server (six
# rows).  tmux passes the xterm mouse reports (ESC [ M b x y, the kmous of
# tmux-256color) into the pane as a terminal would.  A click on the third
# row puts the cursor there and Enter opens that service's detail; a click
# on the row under the cursor opens it; a click on "Overview" in the title
# bar goes back; the wheel moves the cursor three rows down and up.  The
# console asks the terminal for the mouse (the pane's mouse flag) unless
# --no-mouse or [general] mouse = off.  The help's Mouse section says what
# clicks do and that Shift+drag still selects text.  Then, against the local
# stack (Prometheus, shopsim, the Elasticsearch and Zipkin test servers):
# on the Logs a click on the third line moves the cursor there and a click
# on it opens the line; on the Traces a click on the third trace moves the
# cursor and a click on it opens the waterfall; on the Alerts (three alerts
# put into the Alertmanager) a click on the third moves the cursor and a
# click on it opens its service's detail.
# shellcheck disable=SC2317  # functions called through check and trap
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
infocmp tmux-256color >/dev/null 2>&1 || { echo "no terminfo for tmux-256color"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/ecs.sh" ] || { echo "tests/stack/ecs.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-mouse.XXXXXX)
E=$T/ecs
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH OPSDECK_THEME NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT AWS_PROFILE \
	AWS_SESSION_TOKEN
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
CONFIG=$XDG_CONFIG_HOME/opsdeck/config.ini
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[ecs]\ncluster = shop\n' >"$CONFIG"
export SOCK=opsdeck-mouse-$$
STACK=$T/stack
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/ecs.sh" stop "$E" >/dev/null 2>&1
	[ -f "$STACK/env" ] && "$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

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
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# The service under the cursor: the row drawn in reverse video.
cursor() { tmux -L "$SOCK" capture-pane -p -e -t t | sed -n '3,$p' | grep $'^\e\\[[0-9;]*7m' | sed 's/\x1b\[[0-9;]*m//g' | awk '{print $1; exit}'; }
cursor_is() { [ "$(cursor)" = "$1" ]; }
# mouse BUTTON COL ROW: an xterm (X10) mouse report, 1-based column and row.
mouse() { tmux -L "$SOCK" send-keys -t t -H 1b 5b 4d "$(printf %x $((32 + $1)))" \
	"$(printf %x $((32 + $2)))" "$(printf %x $((32 + $3)))"; }
click() { mouse 0 "$1" "$2"; mouse 3 "$1" "$2"; } # press, release
wheel_down() { mouse 65 10 5; }
wheel_up() { mouse 64 10 5; }
mouse_flag() { tmux -L "$SOCK" display -p -t t '#{mouse_any_flag}'; }

start() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	wait_for 10 bash -c "! tmux -L '$SOCK' has-session 2>/dev/null" >/dev/null
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 30 \
		"'$OPSDECK_BIN' --refresh 1s $*; echo \"EXITED \$?\"; sleep 600"
	wait_for 60 bash -c "$(declare -f screen); screen | grep -Eq '^users +OK +2/2'"
}

# Rows: 1 title, 2 header, 3 gateway, 4 inventory, 5 notifications, 6 orders, ...
start
check "the Overview lists the six services, the cursor on the first" \
	wait_for 10 cursor_is gateway
check "the console asks the terminal for the mouse" wait_for 5 bash -c "[ \"\$(tmux -L '$SOCK' display -p -t t '#{mouse_any_flag}')\" = 1 ]"
click 5 5
check "a click on the third row puts the cursor there" wait_for 10 cursor_is notifications
keys Enter
check "Enter then opens that service's detail (its title names it)" \
	wait_for 10 has "Overview › notifications"
click 12 1
check "a click on 'Overview' in the title bar goes back" \
	wait_for 10 bash -c "$(declare -f screen has); has ' opsdeck · Overview ' && ! has 'Overview ›'"
check "the cursor is still on the clicked row" wait_for 10 cursor_is notifications
click 5 6
check "a click on the fourth row moves the cursor" wait_for 10 cursor_is orders
click 30 6
check "a click on the row under the cursor opens it" wait_for 10 has "Overview › orders"
keys Escape
wait_for 10 has ' opsdeck · Overview ' >/dev/null
keys g
wait_for 10 cursor_is gateway >/dev/null
wheel_down
check "the wheel down moves the cursor three rows (gateway -> orders)" wait_for 10 cursor_is orders
wheel_down
check "and again to the last row (users)" wait_for 10 cursor_is users
wheel_up
check "the wheel up moves it three rows back (users -> notifications)" \
	wait_for 10 cursor_is notifications
click 5 2
keys j
check "a click on the header row changes nothing (j moves on from notifications)" \
	wait_for 10 cursor_is orders
keys '?'
wait_for 10 has 'opsdeck keys' >/dev/null
# shellcheck disable=SC2046
keys $(printf 'j %.0s' $(seq 200)) # to the end of the help
check "the help's Mouse section: click, wheel, title bar" \
	wait_for 10 bash -c "$(declare -f screen); s=\$(screen); grep -q '│ Mouse' <<<\"\$s\" &&
	grep -Eq 'click +a row: the cursor goes there' <<<\"\$s\" && grep -Eq 'wheel +move the cursor three rows' <<<\"\$s\""
check "the help says Shift+drag selects text and --no-mouse leaves the mouse alone" \
	wait_for 10 bash -c "$(declare -f screen); screen | grep -Eq 'Shift\+drag +selects text in most terminals \(the mouse is off with --no-mouse\)'"
keys Escape

start --no-mouse
check "--no-mouse: the terminal keeps the mouse (the pane's mouse flag is off)" \
	bash -c "[ \"\$(tmux -L '$SOCK' display -p -t t '#{mouse_any_flag}')\" = 0 ]"

printf '[general]\nmouse = off\n' >>"$CONFIG"
start
check "[general] mouse = off: the pane's mouse flag is off too" \
	bash -c "[ \"\$(tmux -L '$SOCK' display -p -t t '#{mouse_any_flag}')\" = 0 ]"

# ---- Logs and Traces, against the local stack ----
if ! "$ROOT/tests/stack/start.sh" "$STACK" --steady --no-history >"$T/stack.log" 2>&1; then
	tail -3 "$T/stack.log"
	echo "# the local stack did not start: Logs and Traces clicks not tested"
	finish
fi
. "$STACK/env"
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n' >"$CONFIG"
tmux -L "$SOCK" kill-server 2>/dev/null
wait_for 10 bash -c "! tmux -L '$SOCK' has-session 2>/dev/null" >/dev/null
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --refresh 1s --prometheus '$PROMETHEUS_URL' --elasticsearch '$ELASTICSEARCH_URL' \
	--zipkin '$ZIPKIN_URL' --alertmanager '$ALERTMANAGER_URL'; echo \"EXITED \$?\"; sleep 600"
# Three alerts for the Alerts screen, straight into the Alertmanager.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for a in BackupFailed:inventory DiskFilling:payments CertExpiring:users; do
	curl -sf -X POST -H 'Content-Type: application/json' "$ALERTMANAGER_URL/api/v2/alerts" \
		-d '[{"labels":{"alertname":"'"${a%%:*}"'","service":"'"${a#*:}"'","severity":"warning"},"startsAt":"'"$now"'"}]' >/dev/null
done
wait_for 60 bash -c "$(declare -f screen); screen | grep -Eq '^gateway +[A-Z]+'" >/dev/null
# The screen row (1-based) of the line that starts in reverse video between
# the title and the status bar (the cursor), and its text.
rev_row() { tmux -L "$SOCK" capture-pane -p -e -t t | grep -nE $'^( |\e\\[[0-9;]*m)*\e\\[([0-9]+;)*7m' | awk -F: -v last="$(screen | wc -l)" '$1 > 2 && $1 < last { print $1; exit }'; }
rev_text() { local r; r=$(rev_row); [ -n "$r" ] && tmux -L "$SOCK" capture-pane -p -t t | sed -n "${r}p"; }
# click_third HEADER: a click on the third row under the header that starts
# with HEADER; true when the cursor is then on what that row showed (the
# list may move under the click: then the next try).
click_third() {
	local r want
	r=$(screen | awk -v h="$1" 'index($1, h) == 1 { print NR + 3; exit }')
	[ -n "$r" ] || return 1
	want=$(screen | sed -n "${r}p" | awk '{print $1}')
	click 30 "$r"
	sleep 0.3
	rev_text | grep -q -- "$want"
}
# click_cursor: a click on the row under the cursor.
click_cursor() { local r; r=$(rev_row); [ -n "$r" ] && click 30 "$r"; }
FUNCS="$(declare -f screen mouse click rev_row rev_text click_third click_cursor)"

keys L
check "Logs: the lines arrive" wait_for 30 bash -c "$FUNCS; screen | grep -Eq '^ [0-9:.]{12} +(info|warn|error)'"
check "Logs: a click on the third line moves the cursor there" \
	wait_for 20 bash -c "$FUNCS; click_third TIME"
check "Logs: a click on the line under the cursor opens it (every field)" \
	wait_for 20 bash -c "$FUNCS; screen | grep -q '^ message: ' || { click_cursor; sleep 0.5; screen | grep -q '^ message: '; }"
keys Escape
wait_for 10 bash -c "$FUNCS; ! screen | grep -q '^ message: '" >/dev/null
keys Escape
wait_for 10 has ' opsdeck · Overview ' >/dev/null
keys g t
check "Traces: the list arrives" wait_for 30 bash -c "$FUNCS; screen | grep -Eq '^ [0-9:.]{12} gateway '"
check "Traces: a click on the third trace moves the cursor there" \
	wait_for 20 bash -c "$FUNCS; click_third START"
check "Traces: a click on the trace under the cursor opens its waterfall" \
	wait_for 20 bash -c "$FUNCS; screen | head -1 | grep -q '› Trace ' || { click_cursor; sleep 0.5; screen | head -1 | grep -q '› Trace '; }"

keys Escape
wait_for 10 bash -c "$FUNCS; screen | head -1 | grep -q 'Traces' && ! screen | head -1 | grep -q '› Trace '" >/dev/null
keys Escape
wait_for 10 has ' opsdeck · Overview ' >/dev/null
keys a
check "Alerts: the three injected alerts are listed" \
	wait_for 30 bash -c "$FUNCS; s=\$(screen); for n in BackupFailed DiskFilling CertExpiring; do grep -Eq \"^FIRING +warning +\$n \" <<<\"\$s\" || exit 1; done"
check "Alerts: a click on the third row moves the cursor there" \
	wait_for 20 bash -c "$FUNCS; click_third STATE"
svc=$(rev_text | awk '{print $4}')
check "Alerts: a click on the row under the cursor opens its service ($svc)" \
	wait_for 20 bash -c "$FUNCS; screen | head -1 | grep -q '› $svc ' || { click_cursor; sleep 0.5; screen | head -1 | grep -q '› $svc '; }"

finish
