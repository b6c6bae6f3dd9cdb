#!/usr/bin/env bash
# shellcheck disable=SC2016  # jq programs in single quotes
# `opsdeck snapshot` of every screen in every format against the real local
# stack (shopsim, Prometheus with its rules, Alertmanager, Elasticsearch,
# Zipkin).  Live data varies, so this checks structure (the golden files of
# tests/unit/test_snapshot.c check the exact output):
#   - json: one envelope {schema: 1, generated_at, env, backends, screens}
#     with the screen under its --screen name and that screen's fields;
#   - text and ansi: the screen's title bar, the status line, the size
#     asked for, colours only in ansi;
#   - markdown: a heading and pipe tables (| a | b | rows under |---|);
#   - --screen all: every screen under its heading in order, one JSON
#     envelope, each backend asked once in the round (--debug-log), the
#     Service detail of a service that is not OK, screens without their
#     backend skipped with why;
#   - --env NAME: the environment's backends, "env" in the JSON.
# shellcheck disable=SC2317  # functions called through trap and check
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/stack/helpers.sh
. tests/stack/helpers.sh

if [ ! -x "$OPSDECK_BIN" ]; then
	echo "no opsdeck binary at $OPSDECK_BIN (run make)"; exit 77
fi
stack_need

T=$(mktemp -d)
S=$T/stack
trap 'tests/stack/stop.sh "$S" >/dev/null 2>&1; rm -rf "$T"' EXIT
mkdir -p "$T/home/.config"

if tests/stack/start.sh "$S" --steady --incident orders-errors >"$T/start.out" 2>&1; then
	ok "stack: $(head -1 "$T/start.out")"
else
	not_ok "stack did not start"; sed 's/^/  | /' "$T/start.out"; finish
fi
# shellcheck source=/dev/null
. "$S/env"
ALL=(--prometheus "$PROMETHEUS_URL" --alertmanager "$ALERTMANAGER_URL"
	--elasticsearch "$ELASTICSEARCH_URL" --zipkin "$ZIPKIN_URL")

# snap OUT [ARGS...] : opsdeck snapshot with a clean home; RC, stdout in OUT, stderr in OUT.err
snap() {
	local out=$1; shift
	env -u OPSDECK_ENV HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" \
		timeout 90 "$OPSDECK_BIN" snapshot "$@" >"$out" 2>"$out.err"
	RC=$?
}
# jqt [--arg N V]... FILTER FILE : true only for a real answer (jq -e alone exits 0 on empty input)
jqt() {
	local args=()
	while [ "$1" = --arg ]; do args+=("$1" "$2" "$3"); shift 3; done
	jq -en "${args[@]}" "input | ($1)" "$2" >/dev/null
}
# pipe_tables FILE : every |-line ends in |, a |---| rule follows each header row with as
# many cells, every row has that many cells; at least one table
pipe_tables() {
	awk '
		function cells(s,   t) { t = s; gsub(/\\\|/, "", t); return gsub(/\|/, "", t) }
		/^\|/ {
			if ($0 !~ /\|$/) bad = 1
			n = cells($0)
			if (!intable) { intable = 1; want = n; row = 0; next }
			row++
			if (row == 1) { if ($0 !~ /^\|(:?-+:?\|)+$/ || n != want) bad = 1; tables++; next }
			if (n != want) bad = 1
			next
		}
		{ intable = 0 }
		END { exit (bad || tables < 1) }
	' "$1"
}
# size_ok FILE W H : H lines, none wider than W columns
size_ok() {
	[ "$(wc -l <"$1")" -eq "$3" ] &&
		[ "$(python3 -c 'import sys,unicodedata as u
print(max(sum(2 if u.east_asian_width(c) in "WF" else 0 if u.combining(c) else 1 for c in l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$1")" -le "$2" ]
}

# The screens and what each one's JSON must hold.
TRACE=$(curl -sf "$ZIPKIN_URL/api/v2/traces?serviceName=gateway&limit=1" | jq -r '.[0][0].traceId')
check "a trace id from Zipkin ($TRACE)" test -n "$TRACE" -a "$TRACE" != null
declare -A FIELDS=(
	[overview]='.services | length >= 6 and all(.[]; (.name | type) == "string" and (.status | IN("OK","WARN","CRIT","STALE","UNKNOWN")))'
	[service:orders]='.name == "orders" and .status == "CRIT" and (.charts.rps | length) > 0'
	[logs]='(.hits | length) > 0 and (.total | type) == "number" and (.hits[0].time | test("Z$"))'
	[traces]='(.traces | length) > 0 and (.traces[0].trace_id | test("^[0-9a-f]+$"))'
	["trace:$TRACE"]='.error == null and (.spans | length) > 0 and .spans[0].depth == 0'
	[topology]='(.links | length) > 0 and any(.links[]; .parent == "gateway")'
	[alerts]='(.alerts | type) == "array" and .sources.prometheus == true'
)
SCREENS=(overview service:orders logs traces "trace:$TRACE" topology alerts)
declare -A TITLE=([overview]='Overview' [service:orders]='orders' [logs]='Logs' [traces]='Traces'
	["trace:$TRACE"]="Trace ${TRACE:0:16}" [topology]='Topology' [alerts]='Alerts')

for s in "${SCREENS[@]}"; do
	n=${s%%:*}
	snap "$T/$n.json" "${ALL[@]}" --screen "$s" --format json --timeout 30s
	check "$s json: exit 0 or 2 (was $RC)" test "$RC" -eq 0 -o "$RC" -eq 2
	check "$s json: schema 1, generated_at, env null, backends" jqt '.schema == 1 and (.generated_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and .env == null and (.backends | length) > 0 and all(.backends[]; has("ok") and has("latency_ms") and has("last_ok") and has("error"))' "$T/$n.json"
	check "$s json: exactly screens[\"$s\"]" jqt --arg s "$s" '(.screens | keys) == [$s]' "$T/$n.json"
	check "$s json: its fields" jqt --arg s "$s" ".screens[\$s] | ${FIELDS[$s]}" "$T/$n.json"

	snap "$T/$n.txt" "${ALL[@]}" --screen "$s" --format text --width 100 --height 30 --timeout 30s
	check "$s text: exit 0 or 2, 30 lines of at most 100 columns" bash -c "[ $RC -le 2 ] && [ $RC -ne 1 ] && $(declare -f size_ok); size_ok '$T/$n.txt' 100 30"
	check "$s text: the title bar names it" bash -c "head -1 '$T/$n.txt' | grep -q 'opsdeck' && head -1 '$T/$n.txt' | grep -qF '${TITLE[$s]}'"
	check "$s text: no escape sequence" bash -c "! grep -q $'\\x1b' '$T/$n.txt'"
	check "$s text: the status line names a backend ($(tail -1 "$T/$n.txt" | cut -c1-60))" \
		bash -c "tail -1 '$T/$n.txt' | grep -Eq '(prometheus|elasticsearch|zipkin|alertmanager) '"

	snap "$T/$n.ansi" "${ALL[@]}" --screen "$s" --format ansi --width 100 --height 30 --timeout 30s
	check "$s ansi: SGR colour sequences" grep -qE $'\x1b\\[[0-9;]*m' "$T/$n.ansi"
	sed -E 's/\x1b\[[0-9;]*m//g' "$T/$n.ansi" >"$T/$n.plain"
	check "$s ansi: without the sequences, 30 lines under the same title" \
		bash -c "$(declare -f size_ok); size_ok '$T/$n.plain' 100 30 && head -1 '$T/$n.plain' | grep -qF '${TITLE[$s]}'"

	snap "$T/$n.md" "${ALL[@]}" --screen "$s" --format markdown --timeout 30s
	check "$s markdown: a ## heading" grep -q '^## ' "$T/$n.md"
	if [ "$n" != service ] || grep -q '^|' "$T/$n.md"; then
		check "$s markdown: pipe tables (| a | b | under |---|)" pipe_tables "$T/$n.md"
	fi
done
check "overview json: orders CRIT in the orders-errors incident" jqt '.screens.overview.services | any(.name == "orders" and .status == "CRIT")' "$T/overview.json"

# --- --screen all ----------------------------------------------------------------------
rm -f "$T/debug.log"
snap "$T/all.json" "${ALL[@]}" --screen all --format json --timeout 30s --debug-log "$T/debug.log"
check "all json: exit 0 (was $RC)" test "$RC" -eq 0
check "all json: one envelope, schema 1" jqt '.schema == 1 and (.skipped | length) == 0' "$T/all.json"
check "all json: overview, alerts, logs, traces, topology and service:orders" \
	jqt '(.screens | keys) as $k | all(["overview","alerts","logs","traces","topology","service:orders"][]; . as $s | $k | index($s) != null)' "$T/all.json"
check "all json: the details are of services not OK, 1 to 5 of them" \
	jqt '(.screens.overview.services | map({key: .name, value: .status}) | from_entries) as $st
		| [.screens | keys[] | select(startswith("service:")) | ltrimstr("service:")]
		| length >= 1 and length <= 5 and all(.[]; $st[.] != "OK")' "$T/all.json"
count() { grep -c " $1 [^ ]*$2" "$T/debug.log"; }
check "one round: Zipkin's traces asked once ($(count GET /api/v2/traces))" test "$(count GET /api/v2/traces)" -eq 1
check "one round: Zipkin's dependencies asked once ($(count GET /api/v2/dependencies))" test "$(count GET /api/v2/dependencies)" -eq 1
check "one round: Prometheus' alerts asked once ($(count GET /api/v1/alerts))" test "$(count GET /api/v1/alerts)" -eq 1
check "one round: Alertmanager's alerts asked once ($(count GET /api/v2/alerts))" test "$(count GET /api/v2/alerts)" -eq 1
check "one round: 3 Elasticsearch searches (histogram, page, errors per minute): $(count POST _search)" test "$(count POST _search)" -eq 3
check "one round: 5 instant queries for the Overview ($(count GET /api/v1/query))" test "$(count GET '/api/v1/query?')" -eq 5

snap "$T/all.txt" "${ALL[@]}" --screen all --width 100 --height 24 --timeout 30s
check "all text: exit 0" test "$RC" -eq 0
check "all text: the headings in order" bash -c "grep -o '^== [A-Za-z]*' '$T/all.txt' | tr '\n' ' ' | grep -q '^== Overview == Alerts == Logs == Traces == Topology == Service '"
check "all text: each heading a full-width rule" bash -c "grep '^== ' '$T/all.txt' | awk 'length(\$0) != 100 { exit 1 }'"
snap "$T/all.md" "${ALL[@]}" --screen all --format markdown --timeout 30s
check "all markdown: ## headings in order" bash -c "grep '^## ' '$T/all.md' | head -5 | tr '\n' '|' | grep -q '^## Overview|## Alerts|## Logs|## Traces|## Topology|$'"
check "all markdown: the screens' own headings one level down" grep -q '^### opsdeck overview' "$T/all.md"
check "all markdown: pipe tables" pipe_tables "$T/all.md"
check "all markdown: the Logs' newest 30 hits, not a whole page" \
	bash -c "n=\$(sed -n '/^## Logs/,/^## Traces/p' '$T/all.md' | grep -c '^| [0-9][0-9]:[0-9][0-9]:'); [ \$n -ge 1 ] && [ \$n -le 30 ]"
snap "$T/all.ansi" "${ALL[@]}" --screen all --format ansi --width 100 --height 24 --timeout 30s
check "all ansi: exit 0 and colours" bash -c "[ $RC -eq 0 ] && grep -qE $'\\x1b\\\\[[0-9;]*m' '$T/all.ansi'"
# --theme reaches the ansi output: high-contrast's title bar and rows are not default's.
snap "$T/hc.ansi" "${ALL[@]}" --screen overview --format ansi --width 100 --height 12 --theme high-contrast --timeout 30s
snap "$T/def.ansi" "${ALL[@]}" --screen overview --format ansi --width 100 --height 12 --theme default --timeout 30s
sgr_set() { grep -oE $'\x1b\\[[0-9;]*m' "$1" | sort -u; }
check "ansi honours --theme: high-contrast's colours differ from default's (bold, bright)" \
	bash -c "$(declare -f sgr_set); ! diff -q <(sgr_set '$T/hc.ansi') <(sgr_set '$T/def.ansi') >/dev/null && sgr_set '$T/hc.ansi' | grep -q '1;9[0-7]'"

snap "$T/some.json" --prometheus "$PROMETHEUS_URL" --screen all --format json --timeout 30s
check "without Elasticsearch and Zipkin: logs, traces, topology skipped with why" \
	jqt '[.skipped[].screen] == ["logs","traces","topology"] and all(.skipped[]; .reason | test("configured"))' "$T/some.json"
snap "$T/some.txt" --prometheus "$PROMETHEUS_URL" --screen all --width 100 --height 10 --timeout 30s
check "text: 'skipped: no Elasticsearch configured' under its heading" \
	bash -c "grep -A1 '^== Logs ' '$T/some.txt' | grep -q 'skipped: no Elasticsearch configured'"

# --- --env --------------------------------------------------------------------------------
mkdir -p "$T/home/.config/opsdeck"
printf '[prometheus]\nurl = http://127.0.0.1:9\n\n[env "staging"]\nprometheus.url = %s\n' \
	"$PROMETHEUS_URL" >"$T/home/.config/opsdeck/config.ini"
snap "$T/env.json" --env staging --format json --timeout 30s
check "--env staging: exit 0 (its Prometheus, not the top level's)" test "$RC" -eq 0
check "--env staging: \"env\": \"staging\" and prometheus ok" jqt '.env == "staging" and .backends.prometheus.ok == true' "$T/env.json"
snap "$T/noenv.json" --format json --timeout 5s
check "no --env: the top level's dead Prometheus, env null, exit 2" bash -c "[ $RC -eq 2 ] && jq -e '.env == null and .backends.prometheus.ok == false' '$T/noenv.json' >/dev/null"
rm "$T/home/.config/opsdeck/config.ini"
finish
