#!/usr/bin/env bash
# Alerts from the real Prometheus and the real Alertmanager on the local
# stack: shopsim's orders-errors incident makes Prometheus' HighErrorRatio
# rule fire, Prometheus sends it to the Alertmanager, and an alert
# injected straight into the Alertmanager (POST /api/v2/alerts) joins it.
# `opsdeck snapshot --screen alerts` lists both in JSON (the rule's alert
# once, from both sources, critical, on orders; the injected one from
# Alertmanager alone), Markdown and text; a silence made with the
# Alertmanager's API shows the alert SILENCED with the silence's end;
# --alertmanager at a dead port keeps Prometheus' alerts and exits 2
# naming the Alertmanager; without any source the screen is refused.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v prometheus-alertmanager >/dev/null || { echo "prometheus-alertmanager is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
cleanup() {
	"$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state TZ=UTC LANG=C.UTF-8

if ! "$ROOT/tests/stack/start.sh" "$STACK" --no-logs --no-traces --history 120 \
	--incident orders-errors >"$T/stack.log" 2>&1; then
	cat "$T/stack.log"; not_ok "local stack starts"; finish
fi
. "$STACK/env"
[ -n "${ALERTMANAGER_URL:-}" ] || { not_ok "the stack names its Alertmanager (ALERTMANAGER_URL)"; finish; }
unset OPSDECK_ELASTICSEARCH_URL OPSDECK_ZIPKIN_URL DOCKER_HOST
export OPSDECK_PROMETHEUS_URL=$PROMETHEUS_URL OPSDECK_ALERTMANAGER_URL=$ALERTMANAGER_URL

jqt() { jq -en "$@" >/dev/null; }
am_has() { # the Alertmanager holds an alert named $1
	curl -sf --max-time 5 "$ALERTMANAGER_URL/api/v2/alerts" |
		jq -en --arg n "$1" 'input | map(select(.labels.alertname == $n)) | length > 0' >/dev/null
}
snap() { # snapshot --screen alerts in format $1 into $T/alerts.$1
	"$OPSDECK_BIN" snapshot --screen alerts --format "$1" --width 120 --height 30 --timeout 10s \
		>"$T/alerts.$1" 2>"$T/alerts.$1.err"
}

t0=$(date +%s%N)
check "the HighErrorRatio rule fires and reaches the Alertmanager" wait_for 60 am_has HighErrorRatio
echo "# HighErrorRatio in the Alertmanager $(( ($(date +%s%N) - t0) / 1000000 )) ms after the stack was up"

# An alert injected by hand, as another Prometheus or a script would send it.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ends=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
curl -sf -X POST -H 'Content-Type: application/json' "$ALERTMANAGER_URL/api/v2/alerts" \
	-d '[{"labels":{"alertname":"BackupFailed","service":"inventory","severity":"warning","team":"db"},
	      "annotations":{"summary":"nightly backup of inventory failed"},
	      "startsAt":"'"$now"'","endsAt":"'"$ends"'"}]' >/dev/null
check "the injected alert is held by the Alertmanager" wait_for 10 am_has BackupFailed

check "snapshot --screen alerts (json) exits 0" snap json
A='input | .screens.alerts'
check "the rule's alert on orders is one row from both sources, critical, on orders, firing" \
	jqt "$A | [.alerts[] | select(.name == \"HighErrorRatio\" and .service == \"orders\")] | length == 1 and
	     (.[0] | .source == \"both\" and .state == \"firing\" and .severity == \"critical\" and
	      .service == \"orders\" and (.summary | test(\"of requests fail\")) and
	      .labels.severity == \"critical\" and (.since | test(\"Z$\")))" "$T/alerts.json"
check "the injected alert comes from the Alertmanager alone, with its labels" \
	jqt "$A | .alerts[] | select(.name == \"BackupFailed\") | .source == \"alertmanager\" and
	     .state == \"firing\" and .service == \"inventory\" and .labels.team == \"db\" and
	     .summary == \"nightly backup of inventory failed\" and .since == \"${now%Z}.000Z\"" "$T/alerts.json"
check "the critical alert is listed first, the counts and sources are given" \
	jqt "$A | .alerts[0].name == \"HighErrorRatio\" and .firing >= 2 and .error == null and
	     .sources.prometheus == true and .sources.alertmanager == \"$ALERTMANAGER_URL\"" "$T/alerts.json"

check "snapshot --screen alerts (markdown)" snap markdown
check "markdown: a pipe table with both alerts" bash -c "grep -q '^| STATE | SEVERITY | ALERT | SERVICE | SINCE | SUMMARY |' '$T/alerts.markdown' &&
	grep -q '^|---' '$T/alerts.markdown' && grep -q '| FIRING | critical | HighErrorRatio | orders |' '$T/alerts.markdown' &&
	grep -q '| FIRING | warning | BackupFailed | inventory |' '$T/alerts.markdown'"
check "snapshot --screen alerts (text)" snap text
check "text: the screen's title, columns and rows" bash -c "grep -q 'Alerts' '$T/alerts.text' &&
	grep -q 'STATE  *SEVERITY  *ALERT  *SERVICE  *SINCE  *SUMMARY' '$T/alerts.text' &&
	grep -Eq '^FIRING +critical +HighErrorRatio +orders' '$T/alerts.text'"

# A silence made with the Alertmanager's own API: the row turns SILENCED with its end.
until_ts=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:00Z)
id=$(curl -sf -X POST -H 'Content-Type: application/json' "$ALERTMANAGER_URL/api/v2/silences" \
	-d '{"matchers":[{"name":"alertname","value":"BackupFailed","isRegex":false,"isEqual":true}],
	     "startsAt":"'"$now"'","endsAt":"'"$until_ts"'","createdBy":"test","comment":"known"}' | jq -r .silenceID)
silenced() {
	snap json && jq -en --arg id "$id" 'input | .screens.alerts.alerts[] | select(.name == "BackupFailed") |
		.state == "silenced" and .silenced_by == [$id]' "$T/alerts.json" >/dev/null
}
check "a silence in the Alertmanager shows the alert silenced, by that silence" wait_for 10 silenced
check "... with the silence's end" \
	jqt "$A | .alerts[] | select(.name == \"BackupFailed\") | .silence_ends == \"${until_ts%Z}.000Z\"" "$T/alerts.json"
check "... listed after the firing ones, the counts say so" \
	jqt "$A | (.alerts | last | .name) == \"BackupFailed\" and .silenced == 1" "$T/alerts.json"
snap text
check "text: SILENCED until its end (HH:MM)" grep -Eq "^SILENCED until ${until_ts:11:5} +warning +BackupFailed" "$T/alerts.text"

# The Alertmanager is down: Prometheus' alerts still show, the failure is named, exit 2.
dead=$(free_port)
OPSDECK_ALERTMANAGER_URL=http://127.0.0.1:$dead "$OPSDECK_BIN" snapshot --screen alerts --format json \
	--timeout 10s >"$T/dead.json" 2>/dev/null
rc=$?
check "a dead Alertmanager: exit 2 (got $rc)" test "$rc" = 2
check "... the error names the Alertmanager, Prometheus' alert is still listed" \
	jqt "input | .screens.alerts | (.error | test(\"alertmanager\")) and
	     ([.alerts[] | select(.name == \"HighErrorRatio\" and .service == \"orders\" and .source == \"prometheus\")] | length == 1)" "$T/dead.json"
OPSDECK_ALERTMANAGER_URL=http://127.0.0.1:$dead "$OPSDECK_BIN" snapshot --screen alerts --width 120 \
	--height 30 --timeout 10s >"$T/dead.txt" 2>/dev/null
check "... and the text screen says Alertmanager is failing" grep -q "Alertmanager failing" "$T/dead.txt"

# No source at all: a usage error that says what to set.
env -u OPSDECK_PROMETHEUS_URL -u OPSDECK_ALERTMANAGER_URL "$OPSDECK_BIN" snapshot --screen alerts \
	>/dev/null 2>"$T/none.err"
rc=$?
check "no alert source: refused (exit $rc) naming [alertmanager] url" \
	bash -c "[ $rc -ne 0 ] && [ $rc -ne 2 ] && grep -q 'alertmanager' '$T/none.err'"
finish
