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
# jqt FILTER FILE... : the filter holds for the input (jq 1.6 -e alone passes on empty input)
jqt() { local f=$1; shift; jq -en "input | ($f)" "$@" >/dev/null; }
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
check "_bulk with NDJSON" sh -c "curl -sf -H '$N' --data-binary @'$T/bulk.ndjson' '$MAIN/_bulk' | jq -en 'input | .errors == false and (.items | length) == 40 and .items[0].index.status == 201' >/dev/null"
check "_bulk without a final newline is refused" sh -c "printf '{\"index\":{\"_index\":\"x\"}}\n{}' | curl -s -H '$N' --data-binary @- '$MAIN/_bulk' | jq -en 'input | .status == 400 and .error.type == \"illegal_argument_exception\"' >/dev/null"
curl -s "$MAIN/_cat/indices?format=json" >"$T/cat.json"
check "_cat/indices?format=json lists logs-curl with docs.count 40: $(jq -c '[.[] | {index, "docs.count"}]' "$T/cat.json")" \
	jqt 'any(.[]; .index == "logs-curl" and .["docs.count"] == "40" and .health != null and .status == "open")' "$T/cat.json"
check "_cat/indices/PATTERN?v is a text table" sh -c "curl -sf '$MAIN/_cat/indices/logs-c*?v' | head -1 | grep -q '^health status index'"
check "_count with a query_string" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_count' -d '{\"query\":{\"query_string\":{\"query\":\"log.level:error\"}}}' | jq -en 'input | .count == 10' >/dev/null"
check "GET _count?q=" sh -c "curl -sf '$MAIN/logs-curl/_count?q=service.name:svc1' | jq -en 'input | .count == 13' >/dev/null"
check "X-Elastic-Product header" sh -c "curl -sfi '$MAIN/' | tr -d '\r' | grep -qi '^X-elastic-product: Elasticsearch$'"
check "a body without Content-Type is refused (406)" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$MAIN/logs-curl/_search' -d '{}')\" = 406 ]"
check "gzip response when asked" sh -c "curl -sf --compressed -H '$J' '$MAIN/logs-curl/_search?size=40' -d '{}' | jq -en 'input | .hits.hits | length == 40' >/dev/null"
check "index names: upper case refused" sh -c "curl -s -XPUT '$MAIN/Logs' | jq -en 'input | .error.type == \"invalid_index_name_exception\"' >/dev/null"
check "PUT an existing index: resource_already_exists_exception" sh -c "curl -s -XPUT '$MAIN/logs-curl' | jq -en 'input | .error.type == \"resource_already_exists_exception\" and .status == 400' >/dev/null"
check "bad JSON: 400 parsing_exception" sh -c "curl -s -H '$J' '$MAIN/logs-curl/_search' -d '{\"query\":' | jq -en 'input | .status == 400 and .error.type == \"parsing_exception\"' >/dev/null"
check "unbalanced quote: query_shard_exception with reason" sh -c "curl -s -H '$J' '$MAIN/logs-curl/_search' -d '{\"query\":{\"query_string\":{\"query\":\"\\\"abc\"}}}' | jq -en 'input | .status == 400 and .error.root_cause[0].type == \"query_shard_exception\" and (.error.failed_shards[0].reason.caused_by.reason | test(\"Cannot parse\"))' >/dev/null"
check "percent-encoded index pattern" sh -c "curl -sf -H '$J' '$MAIN/logs-cu%2A/_search' -d '{\"size\":0}' | jq -en 'input | .hits.total.value == 40' >/dev/null"
check "empty query_string matches nothing (as Elasticsearch)" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_search' -d '{\"query\":{\"query_string\":{\"query\":\"\"}}}' | jq -en 'input | .hits.total.value == 0' >/dev/null"
check "filter_path" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_search?filter_path=hits.total' -d '{}' | jq -en 'input | . == {\"hits\":{\"total\":{\"value\":40,\"relation\":\"eq\"}}}' >/dev/null"
check "search_after with a tail query: newer than a cursor, ascending" sh -c "curl -sf -H '$J' '$MAIN/logs-curl/_search' -d '{\"size\":5,\"sort\":[{\"@timestamp\":\"asc\"},{\"event.sequence\":\"asc\"}],\"search_after\":[0,0],\"query\":{\"range\":{\"event.sequence\":{\"gte\":37}}}}' | jq -en 'input | [.hits.hits[]._source[\"event.sequence\"]] == [37,38,39]' >/dev/null"

# point in time with _shard_doc
pit=$(curl -sf -XPOST "$MAIN/logs-curl/_pit?keep_alive=1m" | jq -r .id)
check "POST _pit opens a point in time" test -n "$pit" -a "$pit" != null
check "_shard_doc without a point in time is refused" sh -c "curl -s -H '$J' '$MAIN/logs-curl/_search' -d '{\"sort\":[\"_shard_doc\"]}' | jq -en 'input | .status == 400' >/dev/null"
curl -sf -H "$N" --data-binary @"$T/bulk.ndjson" "$MAIN/_bulk" >/dev/null
check "search with pit sees the snapshot (40 of 80)" sh -c "curl -sf -H '$J' '$MAIN/_search' -d '{\"size\":1,\"pit\":{\"id\":\"$pit\",\"keep_alive\":\"1m\"},\"sort\":[{\"@timestamp\":\"desc\"},{\"_shard_doc\":\"desc\"}],\"track_total_hits\":true}' | jq -en 'input | .hits.total.value == 40 and .pit_id == \"$pit\" and (.hits.hits[0].sort | length) == 2' >/dev/null"
check "DELETE _pit" sh -c "curl -sf -XDELETE -H '$J' '$MAIN/_pit' -d '{\"id\":\"$pit\"}' | jq -en 'input | .succeeded and .num_freed == 1' >/dev/null"

# bounded memory: --max-docs drops the oldest
es_start small --refresh-interval 0 --max-docs 25 || not_ok "esserver --max-docs starts"
check "--max-docs 25: only the newest 25 of 40 kept" sh -c "curl -sf -H '$N' --data-binary @'$T/bulk.ndjson' '$URL/_bulk' >/dev/null && curl -sf '$URL/logs-curl/_search?size=100&sort=event.sequence:asc' | jq -en 'input | .hits.total.value == 25 and .hits.hits[0]._source[\"event.sequence\"] == 15' >/dev/null"

# refresh: new documents are searchable after the refresh interval, at once with ?refresh=true
es_start refresh --refresh-interval 3 || not_ok "esserver --refresh-interval starts"
R=$URL
count_is() { curl -sf "$1/logs-r/_count" | jq -en --argjson n "$2" 'input | .count == $n' >/dev/null; }
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
check "--version 7.17.0: version.number and _type in hits" sh -c "curl -sf '$URL/' | jq -en 'input | .version.number == \"7.17.0\"' >/dev/null && curl -sf '$URL/logs-curl/_search?size=1' | jq -en 'input | .hits.hits[0]._type == \"_doc\"' >/dev/null"
check "--total-as-number: hits.total is a number" sh -c "curl -sf '$URL/logs-curl/_search?size=0' | jq -en 'input | .hits.total == 40' >/dev/null"
check "rest_total_hits_as_int=true on an 8.x server" sh -c "curl -sf '$MAIN/logs-curl/_search?size=0&rest_total_hits_as_int=true' | jq -en 'input | .hits.total == 80' >/dev/null"

# authentication
es_start auth --refresh-interval 0 --basic elastic:secret --api-key myid:mykey --bearer tok123 || not_ok "esserver with auth starts"
A=$URL
code() { curl -s -o "$T/body.json" -D "$T/headers" -w '%{http_code}' "$@"; }
check "no credentials: 401" test "$(code "$A/_search")" = 401
check "401 body: security_exception, missing credentials" jqt '.status == 401 and .error.type == "security_exception" and (.error.reason | test("missing authentication credentials"))' "$T/body.json"
check "401 has WWW-Authenticate" grep -qi '^WWW-Authenticate: Basic realm="security"' "$T/headers"
check "wrong password: 401 naming the user" sh -c "[ \"\$(curl -s -o '$T/b2.json' -w '%{http_code}' -u elastic:nope '$A/_search')\" = 401 ] && jq -en 'input | .error.reason | test(\"unable to authenticate user \\\\[elastic\\\\]\")' '$T/b2.json' >/dev/null"
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

# ---- shopsim writes its logs here ------------------------------------------------
# Steady rates and orders' incident from the start: each service's share of
# ERROR lines is fixed and must match its 5xx ratio in /truth.
es_start shop --refresh-interval 0 || not_ok "esserver for shopsim starts"
S_ES=$URL
SIM_PORT=$(free_port)
SIM=http://127.0.0.1:$SIM_PORT
python3 tests/shopsim/shopsim.py --listen "127.0.0.1:$SIM_PORT" --steady --seed 3 --incident orders-errors \
	--history 120 --elasticsearch "$S_ES" --log-index logs-shop --log-sample 1 --log-history 120 \
	>"$T/shopsim.log" 2>&1 </dev/null &
SIM_PID=$!
PIDS+=("$SIM_PID")
history_done() { curl -sf "$SIM/logs" | jq -en 'input | .history_done and .queued == 0 and .sent > 10000' >/dev/null; }
check "shopsim --elasticsearch: 120 s of history logs written" wait_for 60 history_done
echo "# shopsim /logs: $(curl -sf "$SIM/logs" | jq -c '{sent, errors, by_level}')"
curl -sf "$SIM/truth" >"$T/truth.json"
python3 - "$S_ES" "$T/truth.json" >"$T/shoplogs.out" <<'EOF2'
import json, sys, urllib.request
es, truth = sys.argv[1], json.load(open(sys.argv[2]))["services"]
def post(path, body):
    r = urllib.request.Request(es + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=30) as f:
        return json.load(f)
def report(good, what):
    print(("ok - " if good else "not ok - ") + what)
def get(src, dotted):
    if dotted in src:
        return src[dotted]
    head, _, rest = dotted.partition(".")
    return get(src[head], rest) if rest and isinstance(src.get(head), dict) else None

r = post("/logs-shop/_search", {"size": 500, "sort": [{"@timestamp": "desc"}, {"event.sequence": "desc"}]})
hits = [h["_source"] for h in r["hits"]["hits"]]
fields = ["@timestamp", "message", "log.level", "service.name", "trace.id", "http.response.status_code",
          "event.duration", "event.sequence"]
missing = sorted({f for s in hits for f in fields if get(s, f) is None})
report(len(hits) == 500 and not missing, "every document has the ECS fields (missing: %s)" % missing)
report(all(get(s, "log.level") in ("info", "warn", "error") for s in hits), "levels are info, warn, error")
report(all(len(get(s, "trace.id")) == 32 and int(get(s, "trace.id"), 16) >= 0 for s in hits), "trace ids are 32 hex digits")
report(all(s["@timestamp"].endswith("Z") and len(s["@timestamp"]) == 24 for s in hits), "timestamps are ISO with milliseconds")
errs = [s for s in hits if get(s, "log.level") == "error"]
report(errs and all(get(s, "http.response.status_code") >= 500 and " - " in s["message"] for s in errs),
       "ERROR lines are the 5xx requests and say why (%s)" % (errs[0]["message"] if errs else "none"))

# the share of ERROR lines per service against the 5xx ratio of the metrics model
r = post("/logs-shop/_search", {"size": 0, "aggs": {"svc": {"terms": {"field": "service.name", "size": 20},
                                  "aggs": {"err": {"filter": {"term": {"log.level": "error"}}}}}}})
for b in r["aggregations"]["svc"]["buckets"]:
    want = truth[b["key"]]["error_ratio"]
    got = b["err"]["doc_count"] / b["doc_count"]
    tol = max(0.006, 4 * (want * (1 - want) / b["doc_count"]) ** 0.5)
    report(abs(got - want) <= tol, "%s: ERROR share %.4f vs 5xx ratio %.4f (+-%.4f, %d lines)" % (b["key"], got, want, tol, b["doc_count"]))
n5 = post("/logs-shop/_count", {"query": {"query_string": {"query": "http.response.status_code:>=500"}}})["count"]
ne = post("/logs-shop/_count", {"query": {"query_string": {"query": "log.level:error"}}})["count"]
report(n5 == ne and ne > 0, "count of 5xx lines = count of ERROR lines (%d, %d)" % (n5, ne))

# one trace id for every service a request touched
r = post("/logs-shop/_search", {"size": 0, "aggs": {"t": {"terms": {"field": "trace.id", "size": 1}}}})
tid = r["aggregations"]["t"]["buckets"][0]["key"]
r = post("/logs-shop/_search", {"size": 50, "query": {"term": {"trace.id": tid}}})
spans = [h["_source"] for h in r["hits"]["hits"]]
svcs = {get(s, "service.name") for s in spans}
ids = {get(s, "span.id") for s in spans}
roots = [s for s in spans if get(s, "parent.id") is None]
report(len(svcs) >= 3 and len(roots) == 1 and all(get(s, "parent.id") in ids for s in spans if s not in roots),
       "trace %s: %d lines from %s, one root, parents linked" % (tid, len(spans), sorted(svcs)))
if any(get(s, "log.level") == "error" for s in spans):
    pass
# an error of orders carries its request's trace id, shared with the gateway line
r = post("/logs-shop/_search", {"size": 20, "query": {"bool": {"filter": [{"term": {"service.name": "orders"}},
         {"term": {"log.level": "error"}}]}}})
shared = 0
for h in r["hits"]["hits"]:
    t = get(h["_source"], "trace.id")
    c = post("/logs-shop/_count", {"query": {"bool": {"filter": [{"term": {"trace.id": t}}, {"term": {"service.name": "gateway"}}]}}})
    shared += c["count"] > 0
report(shared > 0, "orders' ERROR lines share their trace id with the gateway line of the request (%d of %d)" % (shared, len(r["hits"]["hits"])))

# event.sequence follows time: unique, and increasing with the timestamp
r = post("/logs-shop/_search", {"size": 5000, "sort": [{"event.sequence": "asc"}], "_source": ["@timestamp", "event.sequence"]})
seqs = [h["sort"][0] for h in r["hits"]["hits"]]
ts = [h["_source"]["@timestamp"] for h in r["hits"]["hits"]]
report(len(set(seqs)) == len(seqs) == 5000 and ts == sorted(ts), "event.sequence is unique and increases with @timestamp (5000 lines)")
EOF2
cat "$T/shoplogs.out"
TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/shoplogs.out")))
check "shop log checks ran" grep -q 'event.sequence is unique' "$T/shoplogs.out"

# live: new lines keep coming, and follow an incident started at run time
n0=$(curl -sf "$S_ES/logs-shop/_count" | jq .count)
more_than() { curl -sf "$S_ES/logs-shop/_count" | jq -en --argjson n "$1" 'input | .count > $n' >/dev/null; }
check "live lines are written (more than $n0)" wait_for 10 more_than "$((n0 + 100))"
curl -sf -X POST "$SIM/incident/payments-latency" -o /dev/null
slow_lines() { curl -sf -H "$J" "$S_ES/logs-shop/_count" -d '{"query":{"query_string":{"query":"service.name:payments AND log.level:warn AND message:\"slow request\""}}}' | jq -en 'input | .count > 5' >/dev/null; }
check "payments-latency at run time: WARN \"slow request\" lines from payments" wait_for 15 slow_lines

# a second shop with the default sampling: moderate volume
es_start auto --refresh-interval 0 || not_ok "esserver for the auto-sampled shop starts"
A_ES=$URL
A_PORT=$(free_port)
python3 tests/shopsim/shopsim.py --listen "127.0.0.1:$A_PORT" --seed 4 --elasticsearch "$A_ES" \
	>"$T/shopsim-auto.log" 2>&1 </dev/null &
A_SIM_PID=$!
PIDS+=("$A_SIM_PID")
first_sent() { curl -sf "$A_ES/logs-shop/_count" | jq -en 'input | .count > 0' >/dev/null; }
wait_for 20 first_sent
c0=$(curl -sf "$A_ES/logs-shop/_count" | jq .count); t0=$(date +%s%N)
clock_past() { [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 4000 ]; }
wait_for 10 clock_past
c1=$(curl -sf "$A_ES/logs-shop/_count" | jq .count); t1=$(date +%s%N)
rate=$(awk -v n=$((c1 - c0)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')
check "default sampling: $rate lines/s (between 20 and 65)" awk -v r="$rate" 'BEGIN { exit !(r >= 20 && r <= 65) }'

# Elasticsearch gone: the exporter carries on, errors are counted and logged
kill "$LAST_PID"
had_errors() { curl -sf "http://127.0.0.1:$A_PORT/logs" | jq -en 'input | .errors > 0 and .last_error != null' >/dev/null; }
check "Elasticsearch stopped: shopsim counts the errors" wait_for 15 had_errors
check "... and /metrics still answers at once" curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$A_PORT/metrics"
check "... and says so on stderr" wait_for 15 grep -q '^shopsim: logs: ' "$T/shopsim-auto.log"
check "bad --log-sample exits 2" sh -c "python3 tests/shopsim/shopsim.py --log-sample 2 2>/dev/null; [ \$? -eq 2 ]"

# loopback only, and TERM ends it
check "listens on 127.0.0.1 by default" sh -c "grep -q '^listening on 127.0.0.1:' '$T/main.log'"
kill "$MAIN_PID"
check "esserver exits on TERM" wait_for 10 sh -c "! kill -0 $MAIN_PID 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$MAIN_PID/stat"
check "no Python traceback in any server log" sh -c "! grep -l Traceback '$T'/*.log"
finish
