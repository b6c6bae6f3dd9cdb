#!/usr/bin/env bash
# Themes in tmux, each at 16 and 256 colours: the real binary against the
# ECS test server (six OK rows) with a Prometheus that refuses connections
# (a CRIT message on the status line).  capture-pane -e shows the SGR codes
# each theme gives the OK status, the CRIT message and the dim cells:
#   default        OK 32, CRIT bold 31, dim 90 (16) / 38;5;245 (256), at 8
#                  colours (TERM=screen) dim is faint (2) and no bright code
#   light          OK 32 / 38;5;28, CRIT bold 31 / 38;5;160, dim 90 / 38;5;242
#   high-contrast  OK bold 92, CRIT 97 on 41 (16) / 38;5;231 on
#                  48;5;196 (256), dim plain 37
#   mono           no colour code anywhere; CRIT bold and underlined
# The 16-colour terminal is tmux-256color with colors#16, compiled by tic.
# shellcheck disable=SC2317  # functions called through check and trap
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v tic >/dev/null || { echo "tic (ncurses-bin) is not installed"; exit 77; }
infocmp tmux-256color >/dev/null 2>&1 || { echo "no terminfo for tmux-256color"; exit 77; }
infocmp screen >/dev/null 2>&1 || { echo "no terminfo for screen"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/ecs.sh" ] || { echo "tests/stack/ecs.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-themes.XXXXXX)
E=$T/ecs
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH OPSDECK_THEME NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT AWS_PROFILE \
	AWS_SESSION_TOKEN
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[ecs]\ncluster = shop\n' \
	>"$XDG_CONFIG_HOME/opsdeck/config.ini"
export SOCK=opsdeck-themes-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/ecs.sh" stop "$E" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# A 16-colour terminal: tmux-256color with colors#16 and the 16-colour setaf/setab.
cat >"$T/16color.src" <<'EOF'
opsdeck-16color|tmux with 16 colours,
	colors#16, pairs#256,
	setab=\E[%?%p1%{8}%<%t4%p1%d%e10%p1%{8}%-%d%;m,
	setaf=\E[%?%p1%{8}%<%t3%p1%d%e9%p1%{8}%-%d%;m,
	use=tmux-256color,
EOF
if ! tic -x -o "$T/terminfo" "$T/16color.src" 2>"$T/tic.log"; then
	cat "$T/tic.log"
	not_ok "tic compiles the 16-colour terminal"
	finish
fi

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
capture() { tmux -L "$SOCK" capture-pane -p -e -t t; }
# sgr REGEX: the SGR parameters of the group in REGEX (a run of escape
# sequences) in the coloured capture, one per line ("38;5;245" stays one).
sgr() {
	capture | python3 -c '
import re, sys
m = re.search(sys.argv[1], sys.stdin.read())
if not m:
    sys.exit(1)
for p in re.findall(r"\x1b\[([0-9;]*)m", m.group(1)):
    ps = p.split(";")
    i = 0
    while i < len(ps):
        if ps[i] in ("38", "48") and i + 2 < len(ps) and ps[i + 1] == "5":
            print(";".join(ps[i:i + 3])); i += 3
        else:
            print(ps[i]); i += 1
' "$1"
}
SGR='((?:\x1b\[[0-9;]*m)*)'
OK_RE="inventory +$SGR"'OK '
CRIT_RE="$SGR"'prometheus, no data'
DIM_RE="inventory +[^\n]*?2/2 $SGR"' +-'
# has_codes RE CODE...: the run before RE holds every CODE.
has_codes() {
	local re=$1 got c
	shift
	got=$(sgr "$re") || return 1
	for c in "$@"; do grep -qx -- "$c" <<<"$got" || { echo "no $c in: $got" | tr '\n' ' '; return 1; }; done
}
# lacks_codes RE CODE...: the run before RE holds none of the CODEs.
lacks_codes() {
	local re=$1 got c
	shift
	got=$(sgr "$re") || return 1
	for c in "$@"; do ! grep -qx -- "$c" <<<"$got" || return 1; done
}
no_colour() { ! capture | grep -Eq $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'; }

# run THEME TERMINAL: opsdeck in a fresh pane, the rows and the CRIT message on screen.
run() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	wait_for 10 bash -c "! tmux -L '$SOCK' has-session 2>/dev/null" >/dev/null
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 140 -y 30 \
		"TERMINFO='$T/terminfo' TERM=$2 '$OPSDECK_BIN' --theme $1 --refresh 1s \
		--prometheus http://127.0.0.1:1; echo \"EXITED \$?\"; sleep 600"
	wait_for 60 bash -c "$(declare -f screen); screen | grep -Eq '^inventory +OK +2/2' &&
		screen | tail -1 | grep -q 'prometheus, no data yet'"
}

run default tmux-256color
check "default at 256 colours: the console is up (six ecs rows, the CRIT message)" \
	bash -c "$(declare -f screen); screen | grep -Eq '^users +OK'"
check "default at 256: OK is green (32)" has_codes "$OK_RE" 32
check "default at 256: CRIT is bold red (1, 31)" has_codes "$CRIT_RE" 1 31
check "default at 256: dim cells are grey 245" has_codes "$DIM_RE" '38;5;245'

run default opsdeck-16color
check "default at 16: OK is green (32)" has_codes "$OK_RE" 32
check "default at 16: CRIT is bold red (1, 31)" has_codes "$CRIT_RE" 1 31
check "default at 16: dim cells are bright black (90)" has_codes "$DIM_RE" 90
check "default at 16: no 256-colour code anywhere" \
	bash -c "$(declare -f capture); ! capture | grep -q $'\e\\\\[[0-9;]*38;5;'"

run default screen
check "default at 8 colours: OK is green (32)" has_codes "$OK_RE" 32
check "default at 8: dim cells are faint (2), not bright black" \
	bash -c "$(declare -f capture sgr has_codes lacks_codes); has_codes '$DIM_RE' 2 && lacks_codes '$DIM_RE' 90"

run light tmux-256color
check "light at 256: OK is dark green (38;5;28)" has_codes "$OK_RE" '38;5;28'
check "light at 256: CRIT is bold red 160" has_codes "$CRIT_RE" 1 '38;5;160'
check "light at 256: dim cells are a darker grey (242)" has_codes "$DIM_RE" '38;5;242'
run light opsdeck-16color
check "light at 16: OK is green (32)" has_codes "$OK_RE" 32
check "light at 16: CRIT is bold red (1, 31)" has_codes "$CRIT_RE" 1 31
check "light at 16: dim cells are bright black (90)" has_codes "$DIM_RE" 90

run high-contrast tmux-256color
check "high-contrast at 256: OK is bold bright green (1, 92)" has_codes "$OK_RE" 1 92
check "high-contrast at 256: CRIT is white on red (38;5;231, 48;5;196)" \
	has_codes "$CRIT_RE" '38;5;231' '48;5;196'
check "high-contrast at 256: dim cells are plain white, not faint (37)" \
	bash -c "$(declare -f capture sgr has_codes lacks_codes); has_codes '$DIM_RE' 37 && lacks_codes '$DIM_RE' 2"
run high-contrast opsdeck-16color
check "high-contrast at 16: OK is bold bright green (1, 92)" has_codes "$OK_RE" 1 92
check "high-contrast at 16: CRIT is bright white on red (97, 41)" has_codes "$CRIT_RE" 97 41

run mono tmux-256color
check "mono: the console is up" bash -c "$(declare -f screen); screen | grep -Eq '^users +OK'"
check "mono: no colour code anywhere on the screen" no_colour
check "mono: CRIT is bold and underlined (1, 4)" has_codes "$CRIT_RE" 1 4
check "mono: the title bar is still reversed" \
	bash -c "$(declare -f capture); capture | head -1 | grep -q $'\e\\\\[[0-9;]*7m'"

finish
