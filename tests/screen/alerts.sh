#!/usr/bin/env bash
# Alerts in the console (tmux) against the real Prometheus and
# Alertmanager of the local stack, shopsim's orders-errors incident firing
# the HighErrorRatio rule:
#  - the Overview marks orders with its firing alert (ALERTS "!1", in the
#    CRIT colour), a opens the Alerts screen listing it FIRING;
#  - s asks the duration (the configured 2h offered, 90m typed), then a
#    comment (refused empty), then a dialog with every label as a matcher
#    and the end; y creates the silence: the Alertmanager's GET
#    /api/v2/silences holds one active silence with exactly those
#    matchers, the comment, createdBy "opsdeck (USER)" and an end 90 m
#    away; the row turns SILENCED until that end; one audit line;
#  - s on the silenced alert says it is silenced already; / filters the
#    list (\ clears it); n at the dialog cancels (audited, nothing created);
#  - confirm = name (what a protected environment forces): the dialog asks
#    for the service's name, y alone creates nothing, the name does;
#  - --read-only: s is refused with a message and an audit line, no prompt
#    opens, no silence is created and no POST leaves the process.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v prometheus-alertmanager >/dev/null || { echo "prometheus-alertmanager is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-alerts.XXXXXX)
STACK=$T/stack
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_CONFIG OPSDECK_READ_ONLY OPSDECK_REFRESH OPSDECK_ELASTICSEARCH_URL OPSDECK_ZIPKIN_URL \
	DOCKER_HOST NO_COLOR KUBECONFIG
mkdir -p "$HOME"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-alerts-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	tmux -L "$SOCK-ro" kill-server 2>/dev/null
	tmux -L "$SOCK-name" kill-server 2>/dev/null
	"$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

if ! "$ROOT/tests/stack/start.sh" "$STACK" --no-logs --no-traces --history 120 \
	--incident orders-errors >"$T/stack.log" 2>&1; then
	cat "$T/stack.log"; not_ok "local stack starts"; finish
fi
. "$STACK/env"
[ -n "${ALERTMANAGER_URL:-}" ] || { not_ok "the stack names its Alertmanager (ALERTMANAGER_URL)"; finish; }
export OPSDECK_PROMETHEUS_URL=$PROMETHEUS_URL OPSDECK_ALERTMANAGER_URL=$ALERTMANAGER_URL

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
audit_count() { if [ -f "$AUDIT" ]; then grep -c . "$AUDIT"; else echo 0; fi; }
silences() { curl -sf --max-time 5 "$ALERTMANAGER_URL/api/v2/silences"; }
active_silences() { silences | jq '[.[] | select(.status.state == "active")] | length'; }
am_has() {
	curl -sf --max-time 5 "$ALERTMANAGER_URL/api/v2/alerts" |
		jq -en --arg n "$1" 'input | map(select(.labels.alertname == $n)) | length > 0' >/dev/null
}
jqt() { jq -en "$@" >/dev/null; }
start() { # start ARGS... : opsdeck in tmux session t of server $SOCK
	tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
		"'$OPSDECK_BIN' --refresh 1s $*; echo \"EXITED \$?\"; sleep 600"
}

check "the HighErrorRatio rule fires and reaches the Alertmanager" wait_for 60 am_has HighErrorRatio
start --debug-log "$T/debug.log"

# The Overview: orders carries its firing alert in the CRIT colour.
check "Overview: orders is marked with one firing alert (ALERTS !1)" \
	wait_for 30 hasE "^orders +[A-Z]+ +!1 "
# (the cursor row is drawn reversed: move it off orders, then back)
keys G
wait_for 5 bash -c "$(declare -f screen); ! tmux -L \"\$SOCK\" capture-pane -e -p -t t | grep -q \$'^\\e\\[0;7m.*orders'"
row=$(tmux -L "$SOCK" capture-pane -e -p -t t | grep -E '^(.\[[0-9;]*m)*orders')
keys g
check "... the mark in the CRIT colour (red)" grep -Eq $'\e\\[([0-9;]*;)?31(;[0-9;]*)?m!1' <<<"$row"

keys a
check "a opens the Alerts screen: HighErrorRatio FIRING, critical, on orders" \
	wait_for 10 hasE "^FIRING +critical +HighErrorRatio +orders "
check "... the title bar counts the firing alerts" wait_for 5 hasE "[0-9]+ firing"
# The critical alert is the first row, where the cursor is.
keys s
check "s asks how long, offering [alerts] silence_duration (2h)" \
	wait_for 5 has "Silence HighErrorRatio for how long? 2h"
keys C-u 90m Enter
check "a duration, then the comment is asked" wait_for 5 has "Comment (why, who; required):"
keys Enter
check "an empty comment is refused, the prompt says why" wait_for 5 has "A silence needs a comment"
keys "orders fix deploying, kim" Enter
check "the dialog: Silence HighErrorRatio?" wait_for 5 has "Silence HighErrorRatio?"
check "... every label as a matcher" bash -c "$(declare -f screen); s=\$(screen | tr -d '│\n' | tr -s ' ');
	grep -q 'alertname=\"HighErrorRatio\"' <<<\"\$s\" && grep -q 'service=\"orders\"' <<<\"\$s\" &&
	grep -q 'severity=\"critical\"' <<<\"\$s\""
check "... the service, the duration and the end" hasE "HighErrorRatio on orders — for 1h30m, until [0-9]{2}:[0-9]{2}"
before=$(active_silences)
t_confirm=$(date +%s)
keys y
created() { [ "$(active_silences)" = "$((before + 1))" ]; }
check "y: the Alertmanager holds a new active silence" wait_for 10 created
silences | jq '[.[] | select(.status.state == "active")] | max_by(.updatedAt)' >"$T/silence.json"
labels=$(curl -sf "$ALERTMANAGER_URL/api/v2/alerts" |
	jq -c '[.[] | select(.labels.alertname == "HighErrorRatio" and .labels.service == "orders")][0].labels | to_entries | map({name: .key, value: .value}) | sort_by(.name)')
check "... its matchers are exactly the alert's labels, equality" \
	jqt --argjson l "$labels" 'input | (.matchers | map({name, value}) | sort_by(.name)) == $l and
		all(.matchers[]; .isRegex == false and .isEqual == true)' "$T/silence.json"
check "... with the comment and createdBy opsdeck (user)" \
	jqt 'input | .comment == "orders fix deploying, kim" and (.createdBy | test("^opsdeck \\(.+\\)$"))' "$T/silence.json"
ends=$(jq -r .endsAt "$T/silence.json")
ends_s=$(date -u -d "$ends" +%s)
check "... ending 90 minutes after the confirmation ($ends)" \
	test $((ends_s - t_confirm)) -ge 5390 -a $((ends_s - t_confirm)) -le 5410
hhmm=$(date -u -d "$ends" +%H:%M)
check "the row turns SILENCED until $hhmm" wait_for 10 hasE "^SILENCED until $hhmm +critical +HighErrorRatio +orders"
check "the status line names the silence" has "silenced HighErrorRatio until $hhmm (silence $(jq -r .id "$T/silence.json"))"
check "one audit line: silence, succeeded, the comment and the silence id" \
	bash -c "[ \$(grep -c . '$AUDIT') = 1 ] && jq -en >/dev/null --arg id '$(jq -r .id "$T/silence.json")' 'input |
		.action == \"silence\" and .runtime == \"alertmanager\" and .service == \"orders\" and
		.result == \"succeeded\" and (.before | startswith(\"HighErrorRatio{\")) and
		(.after | test(\"for 1h30m until .*; comment: orders fix deploying, kim; id \" + \$id))' '$AUDIT'"
check "the Overview's mark is gone once silenced" bash -c "$(declare -f screen keys hasE lacks has wait_for); keys Escape;
	wait_for 10 hasE '^orders +[A-Z]+ ' && ! screen | grep -Eq '^orders +[A-Z]+ +!1 '"
keys a
wait_for 5 hasE "^SILENCED until" >/dev/null
keys G s
check "s on the silenced alert: already silenced until $hhmm" wait_for 5 has "HighErrorRatio is already silenced until $hhmm"
check "... no prompt opened" lacks "for how long?"

# Cancel at the dialog: audited, nothing created.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -sf -X POST -H 'Content-Type: application/json' "$ALERTMANAGER_URL/api/v2/alerts" \
	-d '[{"labels":{"alertname":"BackupFailed","service":"inventory","severity":"warning"},"startsAt":"'"$now"'"}]' >/dev/null
check "an injected alert appears" wait_for 10 hasE "^FIRING +warning +BackupFailed +inventory"
keys / "backup|inventory" Enter
check "/ filters the alerts: only BackupFailed left, the title shows the pattern" \
	wait_for 5 bash -c "$(declare -f screen has lacks); has '/backup|inventory/' && ! screen | head -n -1 | grep -q 'HighErrorRatio' && has 'BackupFailed'"
keys s Enter "not now" Enter
check "its dialog opens" wait_for 5 has "Silence BackupFailed?"
keys n
check "n cancels" wait_for 5 bash -c "$(declare -f screen); screen | tail -1 | grep -q cancelled"
check "... audited as cancelled, no silence created" \
	bash -c "[ \$(grep -c . '$AUDIT') = 2 ] && tail -1 '$AUDIT' | jq -e '.result == \"cancelled\" and (.before | startswith(\"BackupFailed{\"))' >/dev/null &&
	[ \"\$($(declare -f silences active_silences); ALERTMANAGER_URL=$ALERTMANAGER_URL active_silences)\" = $((before + 1)) ]"
keys '\'
check "\\ clears the filter" wait_for 5 has "HighErrorRatio"
check "no POST but the one silence left the process" \
	bash -c "[ \$(grep -c ' POST ' '$T/debug.log') = 1 ] && grep -q ' POST .*/api/v2/silences 200 ' '$T/debug.log'"

# confirm = name (as in a protected environment): y alone does not silence,
# the service's name typed does.
tmux -L "$SOCK" kill-server
export SOCK=$SOCK-name
mkdir -p "$XDG_CONFIG_HOME/opsdeck"
printf '[general]\nconfirm = name\n' >"$XDG_CONFIG_HOME/opsdeck/config.ini"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
curl -sf -X POST -H 'Content-Type: application/json' "$ALERTMANAGER_URL/api/v2/alerts" \
	-d '[{"labels":{"alertname":"CertExpiring","service":"payments","severity":"warning"},"startsAt":"'"$now"'"}]' >/dev/null
start
keys a
check "confirm = name: the Alerts screen lists CertExpiring" wait_for 20 hasE "^FIRING +warning +CertExpiring +payments"
keys / "CertExpiring" Enter
wait_for 5 has "/CertExpiring/" >/dev/null
keys s Enter "renewal under way" Enter
check "confirm = name: the dialog asks for the service's name" wait_for 5 has "type the service name"
keys y
check "confirm = name: y alone creates nothing, the dialog stays" bash -c "$(declare -f screen has); has 'type the service name' && [ \"\$($(declare -f silences active_silences); ALERTMANAGER_URL=$ALERTMANAGER_URL active_silences)\" = $((before + 1)) ]"
keys BSpace payments Enter
check "confirm = name: the name typed creates the silence" wait_for 10 bash -c "[ \"\$($(declare -f silences active_silences); ALERTMANAGER_URL=$ALERTMANAGER_URL active_silences)\" = $((before + 2)) ]"
rm -f "$XDG_CONFIG_HOME/opsdeck/config.ini"
before=$((before + 1))

# --read-only: refused before anything is asked, and nothing reaches the server.
tmux -L "$SOCK" kill-server
export SOCK=$SOCK-ro
start --read-only --debug-log "$T/debug-ro.log"
keys a
check "read-only: the Alerts screen lists the alerts" wait_for 20 hasE "^FIRING +warning +BackupFailed +inventory"
# Other alerts may fire first (gateway's error ratio follows orders'): pick BackupFailed.
keys / BackupFailed Enter
wait_for 5 has "/BackupFailed/" >/dev/null
wait_for 5 true
keys s
check "read-only: s is refused with a message" wait_for 5 has "read-only: silencing BackupFailed refused"
check "read-only: no prompt or dialog opened" bash -c "$(declare -f screen lacks); lacks 'for how long?' && lacks 'y confirm'"
check "read-only: one more audit line, refused" \
	bash -c "[ \$(grep -c . '$AUDIT') = 4 ] && tail -1 '$AUDIT' | jq -e '.action == \"silence\" and .result == \"refused\"' >/dev/null"
check "read-only: no silence created at the server" test "$(active_silences)" = "$((before + 1))"
check "read-only: only GETs left the process" bash -c "grep -q ' GET ' '$T/debug-ro.log' && ! grep -Eq ' (POST|PUT|DELETE|PATCH) ' '$T/debug-ro.log'"
finish
