#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through trap and check
# tests/stack/esserver.py, the Elasticsearch test server: its wire format
# proven with the real Python client (Debian's python3-elasticsearch, run by
# /usr/bin/python3 in es_client.py), then with curl: _cat/indices, refresh
# visibility, the 7.x and number-total shapes, 401 with each kind of
# credentials, 429 with Retry-After, Content-Type, gzip, point in time.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
for c in python3 curl jq; do
	command -v "$c" >/dev/null || { echo "$c not installed (tests/stack/install.sh)"; exit 77; }
done

T=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# es_start NAME ARGS... : start a server, set URL (and LAST_PID)
es_start() {
	local name=$1 port attempt
	shift
	for attempt in 1 2 3; do
		port=$(free_port)
		python3 tests/stack/esserver.py --listen "127.0.0.1:$port" --pid-file "$T/$name.pid" "$@" \
			>"$T/$name.log" 2>&1 </dev/null &
		LAST_PID=$!
		PIDS+=("$LAST_PID")
		URL=http://127.0.0.1:$port
		if wait_for 15 grep -q "^listening on 127.0.0.1:$port" "$T/$name.log"; then return 0; fi
		echo "esserver $name did not start (attempt $attempt):"; cat "$T/$name.log"
	done
	return 1
}

es_start main --refresh-interval 0 || { not_ok "esserver starts"; finish; }
ok "esserver prints 'listening on 127.0.0.1:PORT'"
check "pid file names the process" test "$(cat "$T/main.pid")" = "$LAST_PID"
MAIN=$URL
MAIN_PID=$LAST_PID

# ---- the real client ---------------------------------------------------------
if /usr/bin/python3 -c 'import elasticsearch' 2>/dev/null; then
	/usr/bin/python3 tests/integration/es_client.py "$MAIN" >"$T/client.out" 2>&1
	rc=$?
	cat "$T/client.out"
	TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/client.out")))
	check "es_client.py ran to the end (rc $rc)" sh -c "[ $rc -eq 0 ] || grep -q '^not ok' '$T/client.out'"
else
	ok "# SKIP /usr/bin/python3 has no elasticsearch module (tests/stack/install.sh installs python3-elasticsearch)"
fi

# ---- curl ------------------------------------------------------------------------
jqt() { jq -e "$@" >/dev/null; }
J='Content-Type: application/json'
N='Content-Type: application/x-ndjson'
bulk_lines() { # INDEX N : N documents, one second apart, newest now
	python3 - "$@" <<'EOF'
import json, sys, time
idx, n = sys.argv[1], int(sys.argv[2])
now = int(time.time() * 1000)
for i in range(n):
    print(json.dumps({"index": {"_index": idx}}))
    print(json.dumps({"@timestamp": now - (n - i) * 1000, "message": "line %d" % i, "log.level": "error" if i % 4 == 0 else "info",
                      "service.name": "svc%d" % (i % 3), "event.sequence": i}))
EOF
}
bulk_lines logs-curl 40 >"$T/bulk.ndjson"
check "_bulk with NDJSON" sh -c "curl -sf -H '$N' --data-binary @'$T/bulk.ndjson' '$MAIN/_bulk' | jq -e '.errors == false and (.items | length) == 40 and .items[0].index.status == 201' >/dev/null"
check "_bulk without a final newline is refused" sh -c "printf '{\"index\":{\"_index\":\"x\"}}\n{}' | curl -s -H '$N' --data-binary @- '$MAIN/_bulk' | jq -e '.status == 400 and .error.type == \"illegal_argument_exception\"' >/dev/null"
curl -s "$MAIN/_cat/indices?format=json" >"$T/cat.json"
check "_cat/indices?format=json lists logs-curl with docs.count 40: $(jq -c '[.[] | {index, "docs.count"}]' "$T/cat.json")" \
	jqt 'any(.[]; .index == "logs-curl" and .["docs.count"] == "40" and .health != null and .status == "open")' "$T/cat.json"
check "_cat/indices/PATTERN?v is a text table" sh -c "curl -sf '$MAIN/_cat/indices/logs-c*?v' | head -1 | grep -q '^health status index'"
check "_count with a query_string" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_count' -d '{\"query\":{\"query_string\":{\"query\":\"log.level:error\"}}}' | jq -e '.count == 10' >/dev/null"
check "GET _count?q=" sh -c "curl -sf '$MAIN/logs-curl/_count?q=service.name:svc1' | jq -e '.count == 13' >/dev/null"
check "X-Elastic-Product header" sh -c "curl -sfi '$MAIN/' | tr -d '\r' | grep -qi '^X-elastic-product: Elasticsearch$'"
check "a body without Content-Type is refused (406)" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$MAIN/logs-curl/_search' -d '{}')\" = 406 ]"
check "gzip response when asked" sh -c "curl -sf --compressed -H '$J' '$MAIN/logs-curl/_search?size=40' -d '{}' | jq -e '.hits.hits | length == 40' >/dev/null"
check "index names: upper case refused" sh -c "curl -s -XPUT '$MAIN/Logs' | jq -e '.error.type == \"invalid_index_name_exception\"' >/dev/null"
check "PUT an existing index: resource_already_exists_exception" sh -c "curl -s -XPUT '$MAIN/logs-curl' | jq -e '.error.type == \"resource_already_exists_exception\" and .status == 400' >/dev/null"
check "bad JSON: 400 parsing_exception" sh -c "curl -s -H '$J' '$MAIN/logs-curl/_search' -d '{\"query\":' | jq -e '.status == 400 and .error.type == \"parsing_exception\"' >/dev/null"
check "unbalanced quote: query_shard_exception with reason" sh -c "curl -s -H '$J' '$MAIN/logs-curl/_search' -d '{\"query\":{\"query_string\":{\"query\":\"\\\"abc\"}}}' | jq -e '.status == 400 and .error.root_cause[0].type == \"query_shard_exception\" and (.error.failed_shards[0].reason.caused_by.reason | test(\"Cannot parse\"))' >/dev/null"
check "percent-encoded index pattern" sh -c "curl -sf -H '$J' '$MAIN/logs-cu%2A/_search' -d '{\"size\":0}' | jq -e '.hits.total.value == 40' >/dev/null"
check "empty query_string matches nothing (as Elasticsearch)" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_search' -d '{\"query\":{\"query_string\":{\"query\":\"\"}}}' | jq -e '.hits.total.value == 0' >/dev/null"
check "filter_path" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_search?filter_path=hits.total' -d '{}' | jq -e '. == {\"hits\":{\"total\":{\"value\":40,\"relation\":\"eq\"}}}' >/dev/null"
check "search_after with a tail query: newer than a cursor, ascending" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_search' -d '{\"size\":5,\"sort\":[{\"@timestamp\":\"asc\"},{\"event.sequence\":\"asc\"}],\"search_after\":[0,0],\"query\":{\"range\":{\"event.sequence\":{\"gte\":37}}}}' | jq -e '[.hits.hits[]._source[\"event.sequence\"]] == [37,38,39]' >/dev/null"

# point in time with _shard_doc
pit=$(curl -sf -XPOST "$MAIN/logs-curl/_pit?keep_alive=1m" | jq -r .id)
check "POST _pit opens a point in time" test -n "$pit" -a "$pit" != null
check "_shard_doc without a point in time is refused" sh -c "curl -s -H '$J' '$MAIN/logs-curl/_search' -d '{\"sort\":[\"_shard_doc\"]}' | jq -e '.status == 400' >/dev/null"
curl -sf -H "$N" --data-binary @"$T/bulk.ndjson" "$MAIN/_bulk" >/dev/null
check "search with pit sees the snapshot (40 of 80)" sh -c "curl -sf -H '$J' '$MAIN/_search' -d '{\"size\":1,\"pit\":{\"id\":\"$pit\",\"keep_alive\":\"1m\"},\"sort\":[{\"@timestamp\":\"desc\"},{\"_shard_doc\":\"desc\"}],\"track_total_hits\":true}' | jq -e '.hits.total.value == 40 and .pit_id == \"$pit\" and (.hits.hits[0].sort | length) == 2' >/dev/null"
check "DELETE _pit" sh -c "curl -sf -XDELETE -H '$J' '$MAIN/_pit' -d '{\"id\":\"$pit\"}' | jq -e '.succeeded and .num_freed == 1' >/dev/null"

# bounded memory: --max-docs drops the oldest
es_start small --refresh-interval 0 --max-docs 25 || not_ok "esserver --max-docs starts"
check "--max-docs 25: only the newest 25 of 40 kept" sh -c "curl -sf -H '$N' --data-binary @'$T/bulk.ndjson' '$URL/_bulk' >/dev/null && curl -sf '$URL/logs-curl/_search?size=100&sort=event.sequence:asc' | jq -e '.hits.total.value == 25 and .hits.hits[0]._source[\"event.sequence\"] == 15' >/dev/null"

# refresh: new documents are searchable after the refresh interval, at once with ?refresh=true
es_start refresh --refresh-interval 3 || not_ok "esserver --refresh-interval starts"
R=$URL
count_is() { curl -sf "$1/logs-r/_count" | jq -e --argjson n "$2" '.count == $n' >/dev/null; }
# early_in_tick : the clock is in the first half of a 3 s refresh period
early_in_tick() { python3 -c 'import sys, time; sys.exit(0 if 0.05 < time.time() % 3 < 1.0 else 1)'; }
wait_for 5 early_in_tick
printf '{"index":{"_index":"logs-r"}}\n{"@timestamp":"2026-11-22T10:00:00Z","message":"late"}\n' | curl -sf -H "$N" --data-binary @- "$R/_bulk" >/dev/null
check "a new document is not searchable before the next refresh" count_is "$R" 0
check "it is searchable after the refresh (3 s)" wait_for 8 count_is "$R" 1
printf '{"index":{"_index":"logs-r"}}\n{"@timestamp":"2026-11-22T10:00:01Z","message":"now"}\n' | curl -sf -H "$N" --data-binary @- "$R/_bulk?refresh=true" >/dev/null
check "?refresh=true makes it searchable at once" count_is "$R" 2

# 7.x shape and total as a number
es_start v7 --refresh-interval 0 --version 7.17.0 --total-as-number || not_ok "esserver --version 7.17.0 starts"
curl -sf -H "$N" --data-binary @"$T/bulk.ndjson" "$URL/_bulk" >/dev/null
check "--version 7.17.0: version.number and _type in hits" sh -c "curl -sf '$URL/' | jq -e '.version.number == \"7.17.0\"' >/dev/null && curl -sf '$URL/logs-curl/_search?size=1' | jq -e '.hits.hits[0]._type == \"_doc\"' >/dev/null"
check "--total-as-number: hits.total is a number" sh -c "curl -sf '$URL/logs-curl/_search?size=0' | jq -e '.hits.total == 40' >/dev/null"
check "rest_total_hits_as_int=true on an 8.x server" sh -c "curl -sf '$MAIN/logs-curl/_search?size=0&rest_total_hits_as_int=true' | jq -e '.hits.total == 80' >/dev/null"

# authentication
es_start auth --refresh-interval 0 --basic elastic:secret --api-key myid:mykey --bearer tok123 || not_ok "esserver with auth starts"
A=$URL
code() { curl -s -o "$T/body.json" -D "$T/headers" -w '%{http_code}' "$@"; }
check "no credentials: 401" test "$(code "$A/_search")" = 401
check "401 body: security_exception, missing credentials" jqt '.status == 401 and .error.type == "security_exception" and (.error.reason | test("missing authentication credentials"))' "$T/body.json"
check "401 has WWW-Authenticate" grep -qi '^WWW-Authenticate: Basic realm="security"' "$T/headers"
check "wrong password: 401 naming the user" sh -c "[ \"\$(curl -s -o '$T/b2.json' -w '%{http_code}' -u elastic:nope '$A/_search')\" = 401 ] && jq -e '.error.reason | test(\"unable to authenticate user \\\\[elastic\\\\]\")' '$T/b2.json' >/dev/null"
check "basic auth: 200" test "$(code -u elastic:secret "$A/_search")" = 200
check "ApiKey base64(id:key): 200" test "$(code -H "Authorization: ApiKey $(printf myid:mykey | base64)" "$A/_search")" = 200
check "wrong ApiKey: 401" test "$(code -H "Authorization: ApiKey bm9wZQ==" "$A/_search")" = 401
check "Bearer token: 200" test "$(code -H "Authorization: Bearer tok123" "$A/_search")" = 200
check "wrong Bearer token: 401" test "$(code -H "Authorization: Bearer nope" "$A/_search")" = 401

# 429 every Nth search
es_start busy --refresh-interval 0 --fail-429-every 3 || not_ok "esserver --fail-429-every starts"
B=$URL
codes=""
for i in 1 2 3 4 5 6; do codes="$codes $(code "$B/_search")"; [ "$i" = 3 ] && cp "$T/headers" "$T/h429" && cp "$T/body.json" "$T/b429"; done
check "every 3rd search is 429:$codes" test "$codes" = " 200 200 429 200 200 429"
check "429 has Retry-After: 1" grep -qi '^Retry-After: 1' "$T/h429"
check "429 body: es_rejected_execution_exception" jqt '.status == 429 and .error.type == "es_rejected_execution_exception"' "$T/b429"
check "_count and _cat are not searches (never 429)" sh -c "for i in 1 2 3 4; do curl -sf -o /dev/null '$B/_count' || exit 1; done"

# loopback only, and TERM ends it
check "listens on 127.0.0.1 by default" sh -c "grep -q '^listening on 127.0.0.1:' '$T/main.log'"
kill "$MAIN_PID"
check "esserver exits on TERM" wait_for 10 sh -c "! kill -0 $MAIN_PID 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$MAIN_PID/stat"
check "no Python traceback in any server log" sh -c "! grep -l Traceback '$T'/*.log"
finish
