#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2016  # functions called through trap and check; jq's $vars
# tests/stack/zipkinserver.py, the Zipkin test server: its intake proven with
# spans from the real Python client (Debian's python3-py-zipkin, run by
# /usr/bin/python3 in zipkin_client.py), then read back with curl as a user
# of the API would: services and span names, trace search by service, span
# name, annotation query and duration, one trace and many, dependency links
# with call and error counts, Zipkin's 400 and 404 answers, gzip, the span
# bound and injected failures.  Skipped (77) without py_zipkin.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
for c in python3 curl jq gzip; do
	command -v "$c" >/dev/null || { echo "$c not installed (tests/stack/install.sh)"; exit 77; }
done
if ! /usr/bin/python3 -c 'import py_zipkin' 2>/dev/null; then
	echo "/usr/bin/python3 has no py_zipkin module (tests/stack/install.sh installs python3-py-zipkin)"
	exit 77
fi

T=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# zk_start NAME ARGS... : start a server, set URL (and LAST_PID)
zk_start() {
	local name=$1 port attempt
	shift
	for attempt in 1 2 3; do
		port=$(free_port)
		python3 tests/stack/zipkinserver.py --listen "127.0.0.1:$port" --pid-file "$T/$name.pid" "$@" \
			>"$T/$name.log" 2>&1 </dev/null &
		LAST_PID=$!
		PIDS+=("$LAST_PID")
		URL=http://127.0.0.1:$port
		if wait_for 15 grep -q "^listening on 127.0.0.1:$port" "$T/$name.log"; then return 0; fi
		echo "zipkinserver $name did not start (attempt $attempt):"; cat "$T/$name.log"
	done
	return 1
}

# jqt FILTER FILE [jq args...] : the filter holds for the input (jq 1.6 -e alone passes on empty input)
jqt() { local f=$1 file=$2; shift 2; jq -en "$@" "input | ($f)" "$file" >/dev/null; }
# get PATH_AND_QUERY : GET into $T/body, the status into $T/code
get() { curl -s -o "$T/body" -w '%{http_code}' "$Z$1" >"$T/code"; }
# post BODY [curl args...] : POST a body to /api/v2/spans
post() { local b=$1; shift; curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' "$@" --data-binary "$b" "$Z/api/v2/spans" >"$T/code"; }
code_is() { [ "$(cat "$T/code")" = "$1" ]; }
body_is() { [ "$(cat "$T/body")" = "$1" ]; }
# answer_is CODE TEXT : the last answer had this status and this plain-text body
answer_is() { code_is "$1" && body_is "$2"; }
show() { echo "$(cat "$T/code") $(head -c 300 "$T/body")"; }

zk_start main || { not_ok "zipkinserver starts"; finish; }
ok "zipkinserver prints 'listening on 127.0.0.1:PORT'"
check "pid file names the process" test "$(cat "$T/main.pid")" = "$LAST_PID"
Z=$URL
MAIN_PID=$LAST_PID
get /health
check "GET /health: UP" jqt '.status == "UP"' "$T/body"
get /api/v2/services
check "no services before any span: []" jqt '. == []' "$T/body"

# ---- the real client -------------------------------------------------------------------
/usr/bin/python3 tests/integration/zipkin_client.py "$Z" "$T/ids.json" >"$T/client.out" 2>&1
rc=$?
cat "$T/client.out"
TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/client.out")))
check "zipkin_client.py ran to the end (rc $rc)" test "$rc" -eq 0 -a -s "$T/ids.json"
id() { jq -r --arg k "$1" '.[$k]' "$T/ids.json"; }
CHECKOUT=$(id checkout) BROWSE=$(id browse) USERS=$(id users128) CHARGE=$(id charge) ROOT=$(id checkout_root)

# names: lower-cased ("Gateway" was reported), sorted; ledger is only ever a remote service
get /api/v2/services
check "services: $(cat "$T/body")" jqt '. == ["gateway","inventory","payments","users"]' "$T/body"
get '/api/v2/spans?serviceName=gateway'
check "span names of gateway, lower-cased and sorted: $(cat "$T/body")" \
	jqt '. == ["charge","get","get /checkout","get /products","render"]' "$T/body"
get '/api/v2/spans?serviceName=GATEWAY'
check "serviceName is matched lower-cased" jqt 'length == 5' "$T/body"
get '/api/v2/remoteServices?serviceName=gateway'
check "remote services of gateway: $(cat "$T/body")" jqt '. == ["inventory","payments"]' "$T/body"
get '/api/v2/remoteServices?serviceName=payments'
check "remote services of payments: the uninstrumented ledger" jqt '. == ["ledger"]' "$T/body"
get '/api/v2/spans'
check "span names without serviceName: 400 naming the parameter" answer_is 400 "Mandatory parameter/header is missing: serviceName"

# one trace
get "/api/v2/trace/$CHECKOUT"
cp "$T/body" "$T/checkout.json"
check "GET /api/v2/trace/$CHECKOUT: 6 spans" jqt 'length == 6 and all(.[]; .traceId == $t)' "$T/checkout.json" --arg t "$CHECKOUT"
check "the payments SERVER span shares the gateway CLIENT span's id (shared: true)" jqt '
	[.[] | select(.id == $c)] | length == 2
	and any(.[]; .kind == "CLIENT" and .localEndpoint.serviceName == "gateway" and .remoteEndpoint.serviceName == "payments" and .shared == null)
	and any(.[]; .kind == "SERVER" and .localEndpoint.serviceName == "payments" and .shared == true and .parentId == $r)' \
	"$T/checkout.json" --arg c "$CHARGE" --arg r "$ROOT"
check "binary annotations are tags; the root has no parentId" jqt '
	any(.[]; .parentId == null and .name == "get /checkout" and .tags["http.status_code"] == "500" and .tags.error == "500")' "$T/checkout.json"
check "annotations keep timestamp and value" jqt 'any(.[]; .annotations == [{"timestamp": .annotations[0].timestamp, "value": "cache.miss"}] and (.annotations[0].timestamp | type) == "number")' "$T/checkout.json"
get "/api/v2/trace/$USERS"
check "128-bit trace id kept whole; a numeric tag becomes a string" \
	jqt '.[0].traceId == $u and (.[0].traceId | length) == 32 and .[0].tags["http.status_code"] == "404"' "$T/body" --arg u "$USERS"
get "/api/v2/trace/${USERS:16}"
check "its lower 64 bits alone are another trace: 404" code_is 404
get /api/v2/trace/0123456789abcdef
check "unknown trace id: 404 \"0123456789abcdef not found\"" answer_is 404 "0123456789abcdef not found"
get /api/v2/trace/ABCDEF
check "upper-case trace id: 400 as Zipkin ($(show))" answer_is 400 "ABCDEF should be lower-hex encoded with no prefix"

# many traces
get "/api/v2/traceMany?traceIds=$CHECKOUT,$BROWSE,0123456789abcdef"
check "traceMany: the two known of three" jqt 'length == 2 and ([.[][0].traceId] | sort) == ([$a, $b] | sort)' "$T/body" --arg a "$CHECKOUT" --arg b "$BROWSE"
get "/api/v2/traceMany?traceIds=$CHECKOUT"
check "traceMany with one id: 400" answer_is 400 "Use /api/v2/trace/{traceId} endpoint to retrieve a single trace"
get "/api/v2/traceMany?traceIds=$CHECKOUT,$CHECKOUT"
check "traceMany with an id twice: 400" answer_is 400 "redundant traceId: $CHECKOUT"

# ---- trace search ------------------------------------------------------------------------
# traces QUERY EXPECTED_IDS... : /api/v2/traces?QUERY answers exactly these traces, in this order
traces() {
	local q=$1 want
	shift
	want=$(printf '%s\n' "$@" | jq -Rsc 'split("\n") | map(select(. != ""))')
	get "/api/v2/traces?$q" && code_is 200 && jqt '[.[][0].traceId] == $w' "$T/body" --argjson w "$want"
}
check "serviceName=gateway: browse then checkout (newest first)" traces 'serviceName=gateway' "$BROWSE" "$CHECKOUT"
check "no criteria: all three" sh -c "curl -sf '$Z/api/v2/traces' | jq -en 'input | length == 3' >/dev/null"
check "limit=1: only the newest" traces 'limit=1' "$USERS"
check "spanName=render (a local span of gateway)" traces 'serviceName=gateway&spanName=render' "$CHECKOUT"
check "spanName is matched lower-cased (GET%20/Products)" traces 'spanName=GET%20/Products' "$BROWSE"
check "spanName of another service: nothing" traces 'serviceName=inventory&spanName=render'
check "annotationQuery=http.status_code=500 and error" traces 'annotationQuery=http.status_code%3D500%20and%20error' "$CHECKOUT"
check "annotationQuery with serviceName=inventory: its spans only, nothing" traces 'serviceName=inventory&annotationQuery=error'
check "annotationQuery=error with serviceName=payments" traces 'serviceName=payments&annotationQuery=error' "$CHECKOUT"
check "a bare term matches an annotation value (cache.miss)" traces 'annotationQuery=cache.miss' "$CHECKOUT"
check "k=v is an exact match (http.status_code=50: nothing)" traces 'annotationQuery=http.status_code%3D50'
check "http.status_code=404 (a tag sent as a number)" traces 'annotationQuery=http.status_code%3D404' "$USERS"
check "minDuration=1000000 (the 1.2 s db.query)" traces 'minDuration=1000000' "$CHECKOUT"
check "minDuration with serviceName=gateway: its spans are short, nothing" traces 'serviceName=gateway&minDuration=1000000'
check "minDuration=1000000&maxDuration=1100000: nothing" traces 'minDuration=1000000&maxDuration=1100000'
check "remoteServiceName=ledger with serviceName=payments" traces 'serviceName=payments&remoteServiceName=ledger' "$CHECKOUT"
t0=$(jq -r --arg r "$ROOT" '.[] | select(.id == $r) | .timestamp / 1000 | floor' "$T/checkout.json")
check "endTs before the first trace: nothing" traces "endTs=$((t0 - 1))"
# the time window, with roots one, two and three hours ago (the third has a child now)
H=3600000000 NOW_US=$(( $(date +%s%N) / 1000 ))
post '[{"traceId":"f1","id":"1","timestamp":'$((NOW_US - H))',"localEndpoint":{"serviceName":"window"}},
	{"traceId":"f2","id":"1","timestamp":'$((NOW_US - 2 * H))',"localEndpoint":{"serviceName":"window"}},
	{"traceId":"f3","id":"1","timestamp":'$((NOW_US - 3 * H))',"localEndpoint":{"serviceName":"window"}},
	{"traceId":"f3","id":"2","parentId":"1","timestamp":'$NOW_US',"localEndpoint":{"serviceName":"window"}}]'
check "window traces posted" code_is 202
check "serviceName=window: newest span first (f3 has one now), then f1, f2" traces 'serviceName=window' 00000000000000f3 00000000000000f1 00000000000000f2
check "lookback 90 min: f1 only (f3's root is older: a trace's time is its root's)" traces 'serviceName=window&lookback=5400000' 00000000000000f1
check "endTs 90 min ago: f2, then f3 (its root, 3 h ago, is in the day before)" \
	traces "serviceName=window&endTs=$(( (NOW_US - H * 3 / 2) / 1000 ))" 00000000000000f2 00000000000000f3
check "endTs 90 min ago, lookback 1 h: f2 only" \
	traces "serviceName=window&endTs=$(( (NOW_US - H * 3 / 2) / 1000 ))&lookback=3600000" 00000000000000f2
get '/api/v2/traces?limit=abc'
check "limit=abc: 400 ($(show))" answer_is 400 'For input string: "abc"'
get '/api/v2/traces?limit=0'
check "limit=0: 400 limit <= 0" answer_is 400 "limit <= 0"
get '/api/v2/traces?maxDuration=5'
check "maxDuration alone: 400" answer_is 400 "maxDuration is only valid with minDuration"
get '/api/v2/traces?minDuration=10&maxDuration=5'
check "maxDuration < minDuration: 400" answer_is 400 "maxDuration < minDuration"

# ---- dependencies --------------------------------------------------------------------------
now_ms=$(( $(date +%s%N) / 1000000 + 1000 ))
get "/api/v2/dependencies?endTs=$now_ms"
check "dependencies: $(cat "$T/body")" jqt '
	length == 3
	and any(.[]; . == {"parent": "gateway", "child": "payments", "callCount": 1, "errorCount": 1})
	and any(.[]; . == {"parent": "payments", "child": "ledger", "callCount": 1})
	and any(.[]; . == {"parent": "gateway", "child": "inventory", "callCount": 1})' "$T/body"
get "/api/v2/dependencies?endTs=$((t0 - 1))"
check "dependencies before any span: []" jqt '. == []' "$T/body"
get /api/v2/dependencies
check "dependencies without endTs: 400" answer_is 400 "Mandatory parameter/header is missing: endTs"

# ---- intake with curl: what Zipkin refuses, normalises, and keeps ----------------------------
NOW_US=$(( $(date +%s%N) / 1000 ))
post '{"traceId":'
check "malformed JSON: 400 ($(show))" answer_is 400 "Malformed reading List<Span> from json"
post '{"traceId":"a","id":"b"}'
check "an object instead of a list: 400" answer_is 400 'Expected BEGIN_ARRAY but was BEGIN_OBJECT at path $ reading List<Span> from json'
post '[{"id":"b","name":"x"}]'
check "a span without traceId: 400 ($(show))" answer_is 400 "Missing : traceId reading List<Span> from json"
post '[{"traceId":"a"}]'
check "a span without id: 400" answer_is 400 "Missing : id reading List<Span> from json"
post '[{"traceId":"a","id":"b","kind":"SERVERLESS"}]'
check "an unknown kind: 400" answer_is 400 "No enum constant zipkin2.Span.Kind.SERVERLESS reading List<Span> from json"
post '[{"traceId":"a","id":"b","tags":{"k":null}}]'
check "a null tag value: 400" answer_is 400 'No value at $[0].tags.k reading List<Span> from json'
post '[{"traceId":"a","id":"b","annotations":[{"value":"x"}]}]'
check "an annotation without timestamp: 400" answer_is 400 'Incomplete annotation at $[0].annotations[0] reading List<Span> from json'
post '[{"traceId":"a","id":"0000000000000000"}]'
check "an id of 16 zeros: 400" answer_is 400 "id is all zeros reading List<Span> from json"
post '[{"traceId":"000","id":"b"}]'
check "a trace id of zeros: 400" answer_is 400 "traceId is all zeros reading List<Span> from json"
get /api/v2/trace/000000000000000a
check "nothing of a refused batch is stored" code_is 404
post '[{"traceId":"0000000000000000000000000000f00d","id":"c","parentId":"0000000000000000","timestamp":'$NOW_US',"localEndpoint":{"serviceName":"","ipv4":"not an address"}}]'
get /api/v2/trace/000000000000f00d
check "a 128-bit id with a zero upper half is the 64-bit id; a zero parentId is none; an empty endpoint none: $(cat "$T/body")" \
	jqt '. == [{"traceId":"000000000000f00d","id":"000000000000000c","timestamp":$ts}]' "$T/body" --argjson ts "$NOW_US"
get /api/v2/trace/0000000000000000000000000000f00d
check "... and is found by its 32 digits too" code_is 200
post ''
check "an empty body: 202" code_is 202
post '[]'
check "an empty list: 202" code_is 202
span='{"traceId":"abc","id":"1","name":"Tick","kind":"SERVER","timestamp":'$NOW_US',"duration":5,"localEndpoint":{"serviceName":"Cron"}}'
post "[$span,$span]"
check "short ids accepted: 202" code_is 202
get /api/v2/trace/abc
check "ids left-padded, names lower-cased, an exact duplicate stored once: $(cat "$T/body")" \
	jqt '. == [{"traceId":"0000000000000abc","id":"0000000000000001","kind":"SERVER","name":"tick","timestamp":$ts,"duration":5,"localEndpoint":{"serviceName":"cron"}}]' \
	"$T/body" --argjson ts "$NOW_US"
post '[{"traceId":"abc","id":"1","kind":"SERVER","localEndpoint":{"serviceName":"cron"},"tags":{"late":"yes"}}]'
get /api/v2/trace/0000000000000abc
check "a span reported again in pieces: both pieces returned, as Zipkin's API does" jqt 'length == 2 and (map(.id) | unique) == ["0000000000000001"]' "$T/body"
printf '[{"traceId":"beef","id":"2","timestamp":%s,"localEndpoint":{"serviceName":"zipped"}}]' "$NOW_US" | gzip -c >"$T/spans.gz"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/spans.gz" "$Z/api/v2/spans")
check "Content-Encoding: gzip accepted ($code)" sh -c "[ $code = 202 ] && curl -sf '$Z/api/v2/trace/beef' | jq -en 'input | .[0].localEndpoint.serviceName == \"zipped\"' >/dev/null"
code=$(printf 'not gzip' | curl -s -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @- "$Z/api/v2/spans")
check "a body that is not gzip: 400 Cannot gunzip spans" sh -c "[ $code = 400 ] && [ \"\$(cat '$T/body')\" = 'Cannot gunzip spans' ]"

# ---- HTTP details ------------------------------------------------------------------------
curl -s -D "$T/h" -o /dev/null "$Z/api/v2/services"
check "names carry Cache-Control once more than 3 services are known" grep -qi '^Cache-Control: max-age=300, must-revalidate' "$T/h"
curl -s -D "$T/h" -o "$T/gz" -H 'Accept-Encoding: gzip' "$Z/api/v2/traces"
check "a large answer is gzipped when asked" sh -c "grep -qi '^Content-Encoding: gzip' '$T/h' && gzip -dc '$T/gz' | jq -en 'input | length >= 3' >/dev/null"
curl -s -D "$T/h" -o /dev/null "$Z/api/v2/trace/0123456789abcdef"
check "errors are text/plain" grep -qi '^Content-Type: text/plain' "$T/h"
check "an unknown path: 404" test "$(curl -s -o /dev/null -w '%{http_code}' "$Z/api/v3/nothing")" = 404

# ---- bounded memory: the oldest traces go first ----------------------------------------------
zk_start small --max-spans 4 || not_ok "zipkinserver --max-spans starts"
for i in 1 2 3; do
	ts=$((NOW_US - (4 - i) * 1000000))
	curl -sf -o /dev/null -H 'Content-Type: application/json' "$URL/api/v2/spans" --data-binary \
		'[{"traceId":"'$i'","id":"1","timestamp":'$ts',"localEndpoint":{"serviceName":"svc'$i'"}},{"traceId":"'$i'","id":"2","parentId":"1","timestamp":'$ts',"localEndpoint":{"serviceName":"svc'$i'"}}]'
done
check "--max-spans 4: trace 1 (oldest) dropped, 2 and 3 kept" sh -c "
	[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/api/v2/trace/1')\" = 404 ] &&
	curl -sf '$URL/api/v2/trace/3' | jq -en 'input | length == 2' >/dev/null &&
	curl -sf '$URL/api/v2/services' | jq -en 'input | . == [\"svc2\",\"svc3\"]' >/dev/null"

# ---- injected failures ---------------------------------------------------------------------
zk_start flaky --fail-every 3 || not_ok "zipkinserver --fail-every starts"
codes=""
for i in 1 2 3 4 5 6; do
	codes="$codes $(curl -s -o "$T/fail$i" -w '%{http_code}' "$URL/api/v2/services")"
done
check "--fail-every 3: every third query is 500:$codes" test "$codes" = " 200 200 500 200 200 500"
check "... with a plain-text message: $(cat "$T/fail3")" grep -q 'injected failure' "$T/fail3"
check "... /health is not a query (never fails)" sh -c "for i in 1 2 3 4; do curl -sf -o /dev/null '$URL/health' || exit 1; done"
zk_start slow --delay-ms 400 || not_ok "zipkinserver --delay-ms starts"
took=$(curl -s -o /dev/null -w '%{time_total}' "$URL/api/v2/services")
check "--delay-ms 400: a query takes ${took}s" awk -v t="$took" 'BEGIN { exit !(t >= 0.4) }'
took=$(curl -s -o /dev/null -w '%{time_total}' "$URL/health")
check "... /health answers at once (${took}s)" awk -v t="$took" 'BEGIN { exit !(t < 0.4) }'

# loopback only, and TERM ends it
check "listens on 127.0.0.1 by default" grep -q '^listening on 127.0.0.1:' "$T/main.log"
kill "$MAIN_PID"
check "zipkinserver exits on TERM" wait_for 10 sh -c "! kill -0 $MAIN_PID 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$MAIN_PID/stat"
check "no Python traceback in any server log" sh -c "! grep -l Traceback '$T'/*.log"
finish
