#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through trap and check
# shopsim on its own: exposition format, counters against /truth, incidents,
# history for backfill; its Zipkin spans (with the Zipkin and Elasticsearch
# test servers): the logs' trace and span ids, Brave's span shapes, the
# dependency links, slow payments spans in the payments-latency incident.
# Needs python3, curl, jq; promtool when present.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
for c in python3 curl jq; do
	command -v "$c" >/dev/null || { echo "$c not installed (tests/stack/install.sh)"; exit 77; }
done

T=$(mktemp -d)
SIM_PID=
MORE_PIDS=()
cleanup() {
	local p
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	for p in "${MORE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${MORE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
python3 tests/shopsim/shopsim.py --listen "127.0.0.1:$PORT" --steady --seed 7 \
	--extra-service "주문" --history 120 >"$T/shopsim.log" 2>&1 </dev/null &
SIM_PID=$!
check "shopsim answers /healthz" wait_for 30 curl -sf "$URL/healthz"

scrape() { curl -sf --max-time 10 "$URL/metrics" -o "$1"; }
clock() { sed -n 's/^# shopsim clock //p' "$1"; }
# later_than T : shopsim's clock has passed T seconds
later_than() { curl -sf --max-time 5 "$URL/truth" | jq -e --argjson t "$1" '.time > $t' >/dev/null; }

check "GET /metrics" scrape "$T/m1"
if command -v promtool >/dev/null; then
	promtool check metrics <"$T/m1" >"$T/promtool.out" 2>&1
	rc=$?
	check "promtool check metrics is clean (rc $rc: $(head -c 300 "$T/promtool.out"))" \
		test "$rc" -eq 0 -a ! -s "$T/promtool.out"
else
	ok "# SKIP promtool not installed"
fi
for s in gateway orders payments inventory users notifications 주문; do
	check "service $s exposed" grep -q "^http_requests_total{service=\"$s\",code=\"200\"} " "$T/m1"
done
check "HELP and TYPE lines" grep -q '^# TYPE http_request_duration_seconds histogram' "$T/m1"

wait_for 10 later_than "$(awk -v c="$(clock "$T/m1")" 'BEGIN { printf "%.6f", c + 0.4 }')"
check "second scrape" scrape "$T/m2"
check "GET /truth" sh -c "curl -sf '$URL/truth' >'$T/truth.json'"

# compare M1 M2 TRUTH [only SERVICE] : counter deltas against the truth
compare() {
	python3 - "$@" <<'EOF'
import json, re, sys
def parse(path):
    vals, clock = {}, None
    for line in open(path, encoding="utf-8"):
        if line.startswith("# shopsim clock "):
            clock = float(line.split()[-1])
        elif line and not line.startswith("#"):
            m = re.match(r'^(\w+)\{(.*)\} (\S+)$', line.strip())
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            vals[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return vals, clock
(a, ta), (b, tb) = parse(sys.argv[1]), parse(sys.argv[2])
truth = json.load(open(sys.argv[3], encoding="utf-8"))["services"]
only = sys.argv[4] if len(sys.argv) > 4 else None
dt = tb - ta
def get(v, name, **lab):
    return v[(name, tuple(sorted(lab.items())))]
def report(good, what):
    print(("ok - " if good else "not ok - ") + what)
report(all(b[k] >= a[k] for k in a if k[0].endswith("_total") or k[0].endswith(("_bucket", "_count", "_sum"))),
       "counters never decrease (dt %.3fs)" % dt)
for s, t in truth.items():
    if only and s != only:
        continue
    d = {c: get(b, "http_requests_total", service=s, code=c) - get(a, "http_requests_total", service=s, code=c)
         for c in ("200", "404", "500", "503")}
    n = sum(d.values())
    rps = n / dt
    report(abs(rps - t["rps"]) <= 0.02 * t["rps"], "%s: rate from counters %.3f/s vs truth %.3f/s" % (s, rps, t["rps"]))
    er = (d["500"] + d["503"]) / n
    report(abs(er - t["error_ratio"]) <= 0.002 + 0.02 * t["error_ratio"],
           "%s: 5xx ratio %.4f vs truth %.4f" % (s, er, t["error_ratio"]))
    cnt = get(b, "http_request_duration_seconds_count", service=s) - get(a, "http_request_duration_seconds_count", service=s)
    report(abs(cnt - n) <= 1e-6 * max(n, 1), "%s: histogram count follows requests" % s)
    bk = [(float(dict(k[1])["le"]), v) for k, v in b.items()
          if k[0] == "http_request_duration_seconds_bucket" and dict(k[1])["service"] == s]
    bk.sort()
    report(all(x[1] <= y[1] + 1e-9 for x, y in zip(bk, bk[1:])) and bk[-1][1] == get(b, "http_request_duration_seconds_count", service=s),
           "%s: buckets cumulative, +Inf equals count" % s)
    # share of requests slower than 1 s, against the truth's p99
    over1 = 1 - (get(b, "http_request_duration_seconds_bucket", service=s, le="1") -
                 get(a, "http_request_duration_seconds_bucket", service=s, le="1")) / cnt
    report((over1 > 0.01) == (t["p99_seconds"] > 1.0),
           "%s: share over 1s %.4f consistent with p99 %.3fs" % (s, over1, t["p99_seconds"]))
EOF
}
compare "$T/m1" "$T/m2" "$T/truth.json" | tee "$T/cmp.out"
TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/cmp.out")))
check "comparison ran" grep -q '^ok - orders: rate' "$T/cmp.out"

# incidents at run time
check "unknown incident is 404" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/incident/bogus")" = 404
check "POST /incident/orders-errors" curl -sf -X POST "$URL/incident/orders-errors" -o /dev/null
check "truth: orders 5xx ~20%" sh -c "curl -sf '$URL/truth' | jq -e >/dev/null '.services.orders.error_ratio > 0.19 and .services.orders.error_ratio < 0.23 and .incidents == [\"orders-errors\"]'"
# the incident takes effect at the next tick: compare from a later scrape
wait_for 10 later_than "$(curl -sf "$URL/truth" | jq -r '.time + 0.6 | tostring')"
scrape "$T/m3"
wait_for 10 later_than "$(awk -v c="$(clock "$T/m3")" 'BEGIN { printf "%.6f", c + 0.5 }')"
scrape "$T/m4"
curl -sf "$URL/truth" >"$T/truth2.json"
compare "$T/m3" "$T/m4" "$T/truth2.json" orders | tee "$T/cmp2.out"
TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/cmp2.out")))
check "gateway suffers from orders' errors" sh -c "jq -e >/dev/null '.services.gateway.error_ratio > 0.02' '$T/truth2.json'"
check "DELETE /incident/orders-errors" curl -sf -X DELETE "$URL/incident/orders-errors" -o /dev/null
check "truth: orders back to normal" sh -c "curl -sf '$URL/truth' | jq -e >/dev/null '.services.orders.error_ratio < 0.01 and .incidents == []'"
check "POST /incident/payments-latency" curl -sf -X POST "$URL/incident/payments-latency" -o /dev/null
check "truth: payments p99 of seconds" sh -c "curl -sf '$URL/truth' | jq -e >/dev/null '.services.payments.p99_seconds > 2 and .services.inventory.p99_seconds < 0.5'"
check "truth: orders slowed by payments" sh -c "curl -sf '$URL/truth' | jq -e >/dev/null '.services.orders.p99_seconds > 1'"
wait_for 10 later_than "$(curl -sf "$URL/truth" | jq -r '.time + 0.6 | tostring')"
scrape "$T/m5"
wait_for 10 later_than "$(awk -v c="$(clock "$T/m5")" 'BEGIN { printf "%.6f", c + 0.5 }')"
scrape "$T/m6"
curl -sf "$URL/truth" >"$T/truth3.json"
compare "$T/m5" "$T/m6" "$T/truth3.json" payments | tee "$T/cmp3.out"
TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/cmp3.out")))

# sampled requests come from the same call graph
check "GET /debug/traces" sh -c "curl -sf '$URL/debug/traces?n=20&seed=1' | jq -e >/dev/null 'length == 20 and all(.[]; .service == \"gateway\")'"

# history for backfill
check "GET /history is OpenMetrics" sh -c "curl -sf '$URL/history' -o '$T/h.om' && tail -1 '$T/h.om' | grep -qx '# EOF' && grep -q '^http_requests_total{service=\"orders\",code=\"200\"} [0-9.e+]* [0-9.]*$' '$T/h.om'"
if command -v promtool >/dev/null; then
	check "promtool backfills the history" sh -c "promtool tsdb create-blocks-from openmetrics '$T/h.om' '$T/tsdb' >'$T/backfill.out' 2>&1"
fi

# start-up options
check "--incident at start (payments p99 > 2s)" sh -c \
	"python3 tests/shopsim/shopsim.py --steady --incident payments-latency --print-truth | jq -e >/dev/null '.services.payments.p99_seconds > 2'"
check "non-steady rates vary with time and seed" sh -c \
	"a=\$(python3 tests/shopsim/shopsim.py --seed 1 --print-truth | jq .services.gateway.rps); b=\$(python3 tests/shopsim/shopsim.py --seed 2 --print-truth | jq .services.gateway.rps); [ \"\$a\" != \"\$b\" ]"
check "bad option exits 2" sh -c "python3 tests/shopsim/shopsim.py --bogus 2>/dev/null; [ \$? -eq 2 ]"

# ---- Zipkin spans ------------------------------------------------------------------
# serve NAME READY CMD... : start a server on a free port (@PORT@ in CMD); set SURL and
# LAST_PID once http://127.0.0.1:PORT/READY answers; another port if it does not
serve() {
	local name=$1 ready=$2 port attempt arg cmd
	shift 2
	for attempt in 1 2 3; do
		port=$(free_port)
		cmd=()
		for arg in "$@"; do cmd+=("${arg//@PORT@/$port}"); done
		"${cmd[@]}" >"$T/$name.log" 2>&1 </dev/null &
		LAST_PID=$!
		MORE_PIDS+=("$LAST_PID")
		SURL=http://127.0.0.1:$port
		if wait_for 30 curl -sf -o /dev/null "$SURL/$ready"; then return 0; fi
		echo "# $name did not start (attempt $attempt): $(tail -3 "$T/$name.log")"
		kill "$LAST_PID" 2>/dev/null
	done
	return 1
}
# A: logs and spans of the same requests, orders-errors from the start; B: spans only,
# payments-latency from the start
serve zipkin-a health python3 tests/stack/zipkinserver.py --listen 127.0.0.1:@PORT@ || not_ok "zipkinserver A starts"
ZA=$SURL ZA_PID=$LAST_PID
serve es-a "" python3 tests/stack/esserver.py --listen 127.0.0.1:@PORT@ --refresh-interval 0 || not_ok "esserver A starts"
EA=$SURL
# requests that began 5 s before a shop starts are in its history, complete when it is shipped
past_ms() { echo $(( $(date +%s%N) / 1000000 - 5000 )); }
END_A=$(past_ms)
serve shop-a healthz python3 tests/shopsim/shopsim.py --listen 127.0.0.1:@PORT@ --steady --seed 5 --history 60 \
	--log-history 60 --log-sample 0.3 --incident orders-errors --elasticsearch "$EA" --zipkin "$ZA" ||
	not_ok "shopsim A starts"
SA=$SURL
serve zipkin-b health python3 tests/stack/zipkinserver.py --listen 127.0.0.1:@PORT@ || not_ok "zipkinserver B starts"
ZB=$SURL
END_B=$(past_ms)
serve shop-b healthz python3 tests/shopsim/shopsim.py --listen 127.0.0.1:@PORT@ --steady --seed 5 --history 60 \
	--log-history 60 --log-sample 0.5 --incident payments-latency --zipkin "$ZB" || not_ok "shopsim B starts"
SB=$SURL
# history_shipped URL : the sink's 60 s of history are out, nothing queued, no error
history_shipped() { curl -sf "$1" | jq -en 'input | .history_done and .queued == 0 and .sent > 500 and .errors == 0' >/dev/null; }
check "--zipkin: 60 s of history spans reported" wait_for 60 history_shipped "$SA/spans-stats"
check "... and the logs of the same requests written" wait_for 60 history_shipped "$SA/logs"
check "--zipkin without --elasticsearch: spans reported" wait_for 60 history_shipped "$SB/spans-stats"
check "... and no log writer" sh -c "curl -sf '$SB/logs' | jq -en 'input | .enabled == false' >/dev/null"
echo "# shopsim A /spans-stats: $(curl -sf "$SA/spans-stats" | jq -c '{sent, posts, by_kind}')"
check "Zipkin lists the six services" sh -c "curl -sf '$ZA/api/v2/services' | jq -en 'input | . == [\"gateway\",\"inventory\",\"notifications\",\"orders\",\"payments\",\"users\"]' >/dev/null"
curl -sf "$SA/truth" >"$T/truth-a.json"
curl -sf "$SA/metrics" >"$T/metrics-a"
curl -sf "$SB/metrics" >"$T/metrics-b"
python3 - "$ZA" "$EA" "$T/truth-a.json" "$ZB" "$T/metrics-a" "$T/metrics-b" "$END_A" "$END_B" >"$T/spans.out" <<'EOF'
import json, sys, time, urllib.request
za, ea, truth, zb = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))["services"], sys.argv[4]
metrics = sys.argv[5:7]
end_a, end_b = int(sys.argv[7]), int(sys.argv[8])
def report(good, what):
    print(("ok - " if good else "not ok - ") + what)
def get(url):
    with urllib.request.urlopen(url, timeout=30) as f:
        return json.load(f)
def search(query):
    r = urllib.request.Request(ea + "/logs-shop/_search", data=json.dumps(query).encode(),
                               headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=30) as f:
        return [h["_source"] for h in json.load(f)["hits"]["hits"]]

# traces of A's history: all their spans and log lines are out
traces = get(za + "/api/v2/traces?limit=200&endTs=%d" % end_a)
report(len(traces) == 200, "200 traces of shopsim A from Zipkin")
same = shapes = errs = 0
bad = []
for spans in traces:
    tid = spans[0]["traceId"]
    logs = search({"size": 100, "query": {"term": {"trace.id": tid}}})
    servers = {s["id"]: s for s in spans if s.get("kind") == "SERVER"}
    clients = {s["id"]: s for s in spans if s.get("kind") == "CLIENT"}
    by_span = {d["span"]["id"]: d for d in logs}
    # one log line per SERVER span: the same span id, service, parent and status
    ok = len(tid) == 32 and set(by_span) == set(servers) and all(
        d["service"]["name"] == servers[i]["localEndpoint"]["serviceName"]
        and d.get("parent", {}).get("id") == servers[i].get("parentId")
        and str(d["http"]["response"]["status_code"]) == servers[i]["tags"]["http.status_code"]
        for i, d in by_span.items())
    same += ok
    # Brave's shape: one SERVER root; per call a CLIENT span and a shared SERVER span with its id, inside it
    roots = [s for s in spans if "parentId" not in s]
    shape = (len(roots) == 1 and roots[0]["kind"] == "SERVER" and not roots[0].get("shared")
             and len(spans) == 2 * len(servers) - 1 and set(clients) == set(servers) - {roots[0]["id"]}
             and all(servers[i].get("shared") is True and servers[i]["parentId"] == c["parentId"]
                     and c["remoteEndpoint"]["serviceName"] == servers[i]["localEndpoint"]["serviceName"]
                     and c["timestamp"] <= servers[i]["timestamp"]
                     and c["timestamp"] + c["duration"] >= servers[i]["timestamp"] + servers[i]["duration"]
                     for i, c in clients.items()))
    shapes += shape
    # the error tag is exactly on the spans of the ERROR lines (the 5xx)
    errs += all(("error" in servers[i]["tags"]) == (d["log.level"] == "error") for i, d in by_span.items())
    if not (ok and shape) and len(bad) < 2:
        bad.append(tid)
report(same == len(traces), "every SERVER span has the trace id and span id of its log line (%d of %d traces; not: %s)"
       % (same, len(traces), bad))
report(shapes == len(traces), "a SERVER root; per call a CLIENT span and a shared-id SERVER span inside it (%d of %d)"
       % (shapes, len(traces)))
report(errs == len(traces), "the error tag is on exactly the spans of ERROR lines (%d of %d)" % (errs, len(traces)))
docs = search({"size": 20, "sort": [{"@timestamp": "asc"}], "query": {"range": {"@timestamp": {"lte": end_a}}}})
found = 0
for d in docs:
    found += any(s["id"] == d["span"]["id"] for s in get(za + "/api/v2/trace/" + d["trace"]["id"]))
report(len(docs) == 20 and found == 20, "log lines pivot to their Zipkin trace by trace.id (%d of %d)" % (found, len(docs)))

links = get(za + "/api/v2/dependencies?endTs=%d" % int(time.time() * 1000))
got = sorted((l["parent"], l["child"]) for l in links)
want = sorted((s, c) for s, t in truth.items() for c in t["calls"])
report(got == want, "dependency links are the shop's call graph: %s" % got)
report(all(l["callCount"] > 0 for l in links), "links count calls: %s" % [(l["parent"], l["child"], l["callCount"]) for l in links])
go = [l for l in links if (l["parent"], l["child"]) == ("gateway", "orders")]
want, n = truth["orders"]["error_ratio"], go[0]["callCount"] if go else 0
share = go[0].get("errorCount", 0) / n if n else -1
tol = 4 * (want * (1 - want) / max(1, n)) ** 0.5
report(n > 100 and abs(share - want) <= tol,
       "gateway -> orders: errorCount/callCount %.3f of %d calls; orders' 5xx ratio is %.3f (+-%.3f)" % (share, n, want, tol))

# payments-latency: payments' SERVER spans are as slow as its metrics say
def over_1s(metrics_file):
    b1 = cnt = None
    for line in open(metrics_file):
        if line.startswith('http_request_duration_seconds_bucket{service="payments",le="1"}'):
            b1 = float(line.split()[-1])
        elif line.startswith('http_request_duration_seconds_count{service="payments"}'):
            cnt = float(line.split()[-1])
    return 1.0 - b1 / cnt
def payments(z, end):
    out = []
    for spans in get(z + "/api/v2/traces?serviceName=payments&limit=100000&endTs=%d" % end):
        out += [s["duration"] for s in spans if s.get("kind") == "SERVER" and s["localEndpoint"]["serviceName"] == "payments"]
    return out
for name, z, mf, end in (("no incident", za, metrics[0], end_a), ("payments-latency", zb, metrics[1], end_b)):
    d = payments(z, end)
    want = over_1s(mf)
    got = sum(x >= 1000000 for x in d) / max(1, len(d))
    tol = max(0.01, 4 * (want * (1 - want) / max(1, len(d))) ** 0.5)
    report(len(d) > 100 and abs(got - want) <= tol,
           "%s: %.3f of %d payments spans take 1 s or more; the metrics say %.3f (+-%.3f)" % (name, got, len(d), want, tol))
slow_a = get(za + "/api/v2/traces?serviceName=payments&minDuration=1000000&limit=1000")
slow_b = get(zb + "/api/v2/traces?serviceName=payments&minDuration=1000000&limit=1000")
report(len(slow_a) == 0 and len(slow_b) >= 20,
       "minDuration=1s&serviceName=payments: %d traces without the incident, %d with it" % (len(slow_a), len(slow_b)))
EOF
cat "$T/spans.out"
TESTS_FAILED=$((TESTS_FAILED + $(grep -c '^not ok' "$T/spans.out")))
check "span checks ran" grep -q 'minDuration=1s' "$T/spans.out"

# Zipkin gone: shopsim carries on, counts the errors and says so
kill "$ZA_PID"
span_errors() { curl -sf "$SA/spans-stats" | jq -en 'input | .errors > 0 and .last_error != null' >/dev/null; }
check "Zipkin stopped: shopsim counts the errors" wait_for 15 span_errors
check "... /metrics still answers at once" curl -sf --max-time 2 -o /dev/null "$SA/metrics"
check "... the logs still flow" sh -c "curl -sf '$SA/logs' | jq -en 'input | .errors == 0' >/dev/null"
check "... and it says so on stderr" wait_for 15 grep -q '^shopsim: spans: ' "$T/shop-a.log"
check "no Python traceback from shopsim or the test servers" sh -c "! grep -l Traceback '$T'/*.log"

kill "$SIM_PID" 2>/dev/null
check "shopsim exits on TERM" wait_for 10 sh -c "! kill -0 $SIM_PID 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$SIM_PID/stat"
wait "$SIM_PID" 2>/dev/null
SIM_PID=
finish
