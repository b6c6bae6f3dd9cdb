#!/usr/bin/env bash
# The wall monitor in tmux against the local stack (Prometheus with its
# alerting rules, Alertmanager, the Elasticsearch and Zipkin test servers,
# shopsim): [wall] screens = overview, alerts, topology, logs with rotate =
# 3s rotates the four screens in order, each title and its position in the
# header, the clock ticks; n skips ahead, P pauses and resumes; no cursor
# row.  The
# stale banner: Prometheus stopped mid-test brings "DATA STALE: prometheus
# last answered ..." within three refresh intervals (plus a margin) and the
# header marks it STALE; started again on the same port, the wall resumes
# by itself and the banner goes.  An alert posted to Alertmanager brings
# "1 ALERT FIRING: HighErrorRate payments"; resolved, it goes.  A shopsim
# incident (orders failing) fires Prometheus' HighErrorRatio rule through
# Alertmanager: the banner names it.  Then the same at 80x24, and q quits.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v prometheus >/dev/null || { echo "prometheus is not installed"; exit 77; }
command -v prometheus-alertmanager >/dev/null || { echo "prometheus-alertmanager is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_CONFIG OPSDECK_READ_ONLY OPSDECK_REFRESH OPSDECK_ENV NO_COLOR
export SOCK=opsdeck-wall-$$
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
PROM_PORT=${PROMETHEUS_URL##*:}
AM_URL=${ALERTMANAGER_URL:-}
check "the stack names its Alertmanager ($AM_URL) and it answers" \
	wait_for 20 curl -sf "$AM_URL/-/ready"

mkdir -p "$T/config/opsdeck"
cat >"$T/config/opsdeck/config.ini" <<EOF
[wall]
screens = overview, alerts, topology, logs
rotate = 3s
EOF

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
header() { screen | head -1; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# header_is TITLE POS : the header names the screen and its position.
# (the screens above the Overview are titled "Overview › Topology").
header_is() { header | grep -Eq -- "opsdeck . (Overview › )?$1  $2 "; }
export -f screen header has hasE lacks header_is
export SOCK

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --wall --prometheus '$PROMETHEUS_URL' --zipkin '$ZIPKIN_URL' --elasticsearch '$ELASTICSEARCH_URL' --alertmanager '$AM_URL' --refresh 1s; echo \"EXITED \$?\"; sleep 600"

check "the wall opens on the Overview, 1/4, shopsim's services listed" \
	wait_for 30 bash -c "header_is Overview 1/4 && has payments && has gateway"
check "the header shows each backend's freshness (prometheus Ns)" \
	wait_for 10 bash -c "header | grep -Eq 'prometheus [0-9]+s' && header | grep -Eq 'elasticsearch [0-9]+s'"
screen | head -1 | sed 's/^/# header: /'
check "no prompt and no key hints that invite typing (a discreet q quit)" \
	bash -c "screen | tail -1 | grep -q 'q quit' && ! screen | tail -1 | grep -Eq '/ filter|: command|S scale'"
# The cursor row is drawn reversed; the wall draws none: no service row has reverse video.
check "no cursor row on the Overview" \
	bash -c "! tmux -L '$SOCK' capture-pane -e -p -t t | grep -E 'gateway|payments|orders|inventory' | grep -q \$'\\e\\[[0-9;]*7m *[a-z]'"

# Rotation: Alerts, Topology, Logs, then the Overview again, each within rotate (3 s) + 3 s.
wait_for 12 header_is Overview 1/4 >/dev/null
t0=$(now_ms)
check "after 3 s the Alerts show, 2/4" wait_for 6 header_is Alerts 2/4
check "then the Topology, 3/4" wait_for 6 header_is Topology 3/4
t1=$(now_ms)
check "the Topology draws the call graph (gateway, payments)" wait_for 2 bash -c "has gateway && has payments"
check "... without the key hints of the console (the wall takes no Enter, t or +/-)" lacks "Enter detail"
check "then the Logs, 4/4" wait_for 6 header_is Logs 4/4
t2=$(now_ms)
check "the Logs screen draws shopsim's lines" wait_for 2 bash -c "has MESSAGE && hasE '^ [0-9:.]+ +(info|warn|error) +(gateway|orders|payments|users|inventory) '"
check "and offers no typing on the wall (no 'e edits')" bash -c "has 'query \\* (everything)' && ! has 'e edits'"
check "then the Overview again, 1/4" wait_for 6 header_is Overview 1/4
t3=$(now_ms)
echo "# rotation seen after $((t1 - t0)) ms, $((t2 - t1)) ms, $((t3 - t2)) ms"
check "each turn lasts about rotate (2 to 5 s): $((t2 - t1)) ms, $((t3 - t2)) ms" \
	bash -c "[ $((t2 - t1)) -ge 2000 ] && [ $((t2 - t1)) -le 5000 ] && [ $((t3 - t2)) -ge 2000 ] && [ $((t3 - t2)) -le 5000 ]"
c1=$(header | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *$')
check "the clock ticks (was $c1)" wait_for 4 bash -c "header | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *\$' | grep -vq '^$c1'"

# n skips ahead at once; P pauses; P again resumes.
wait_for 12 header_is Overview 1/4 >/dev/null
keys n
check "n shows the next screen at once" wait_for 2 header_is Alerts 2/4
keys p
check "p goes back to the previous one" wait_for 2 header_is Overview 1/4
keys n n
check "n twice: the Topology" wait_for 2 header_is Topology 3/4
keys P
check "P pauses: the header says paused" wait_for 2 bash -c "header | grep -q '3/4 paused'"
sleep_until=$(( $(date +%s) + 5 ))
while [ "$(date +%s)" -lt "$sleep_until" ]; do
	header_is Topology "3/4 paused" || break
	sleep 0.2
done
check "paused, the Topology stays for longer than a turn (5 s)" header_is Topology "3/4 paused"
keys P
check "P again resumes the rotation" wait_for 6 header_is Logs 4/4

# Stale: Prometheus stops mid-test.
check "no banner while everything answers" bash -c "! screen | grep -Eq 'DATA STALE|FIRING'"
"$ROOT/tests/stack/stop.sh" "$STACK" prometheus >/dev/null 2>&1
ts=$(now_ms)
check "Prometheus stopped" bash -c "! curl -sf --max-time 2 '$PROMETHEUS_URL/-/ready'"
check "within 3 refresh intervals + 4 s the banner says DATA STALE: prometheus last answered ... ago" \
	wait_for 7 bash -c "screen | sed -n 2p | grep -Eq 'DATA STALE: prometheus last answered [0-9]+s ago \\(.*\\)'"
echo "# stale banner after $(( $(now_ms) - ts )) ms: $(screen | sed -n 2p | sed 's/  */ /g')"
check "the header marks it: 'prometheus Ns STALE'" \
	bash -c "header | grep -Eq 'prometheus [0-9]+s STALE'"
check "the wall keeps rotating while stale (the clock, the screens)" \
	wait_for 16 bash -c "header_is Overview 1/4"
check "the Overview marks the services' data STALE" wait_for 10 bash -c "screen | grep -Eq '^ *payments +STALE'"

# Prometheus again, same port, same data: the wall resumes by itself.
setsid prometheus --config.file="$STACK/prometheus.yml" --storage.tsdb.path="$STACK/data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle --rules.alert.resend-delay=1s \
	>>"$STACK/prometheus.log" 2>&1 </dev/null &
echo $! >"$STACK/prometheus.pid"
check "Prometheus is back on port $PROM_PORT" wait_for 30 curl -sf "$PROMETHEUS_URL/-/ready"
check "the stale banner goes by itself" wait_for 20 bash -c "! screen | grep -q 'DATA STALE'"
check "and the header shows prometheus fresh again" \
	wait_for 10 bash -c "header | grep -Eq 'prometheus [0-9]+s' && ! header | grep -q STALE"

# An alert fires in Alertmanager.
post_alert() { # ENDS_AT
	curl -sf -X POST -H 'Content-Type: application/json' "$AM_URL/api/v2/alerts" -d "[{
		\"labels\": {\"alertname\": \"HighErrorRate\", \"service\": \"payments\", \"severity\": \"critical\"},
		\"annotations\": {\"summary\": \"payments fails 9% of requests\"}, \"endsAt\": \"$1\"}]"
}
check "an alert is posted to Alertmanager" post_alert "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
check "the banner says 1 ALERT FIRING: HighErrorRate payments" \
	wait_for 10 bash -c "screen | sed -n 2p | grep -q '1 ALERT FIRING: HighErrorRate payments'"
check "the alert is resolved in Alertmanager" post_alert "$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)"
check "the alert banner goes" wait_for 10 bash -c "! screen | grep -q 'ALERT FIRING'"

# A real incident: orders fails, Prometheus' rule fires, Alertmanager has it, the wall shows it.
check "shopsim starts failing orders" curl -sf -o /dev/null -X POST "$SHOPSIM_URL/incident/orders-errors"
check "the banner names HighErrorRatio orders (the rule, through Alertmanager)" \
	wait_for 60 bash -c "screen | sed -n 2p | grep -Eq '[0-9]+ ALERTS? FIRING: .*HighErrorRatio orders'"
curl -sf -X DELETE "$SHOPSIM_URL/incident/orders-errors" >/dev/null

# 80x24: the header still names the screen and the clock; the banner still shows.
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "at 80x24 the header still has the title, position and clock" \
	wait_for 8 bash -c "header | grep -Eq 'opsdeck . (Overview|Overview › (Alerts|Topology|Logs))  [1-4]/4 ' && header | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2} *\$'"
"$ROOT/tests/stack/stop.sh" "$STACK" prometheus >/dev/null 2>&1
check "at 80x24 the stale banner shows too (first, the alerts one under it)" \
	wait_for 8 bash -c "screen | sed -n 2p | grep -q 'DATA STALE: prometheus'"
screen | head -3 | sed 's/^/# 80x24: /'

keys q
check "q quits with status 0" wait_for 10 has "EXITED 0"
finish
