#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions called through trap and check
# shopsim on its own: exposition format, counters against /truth, incidents,
# history for backfill.  Needs python3, curl, jq; promtool when present.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
for c in python3 curl jq; do
	command -v "$c" >/dev/null || { echo "$c not installed (tests/stack/install.sh)"; exit 77; }
done

T=$(mktemp -d)
SIM_PID=
cleanup() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
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

kill "$SIM_PID" 2>/dev/null
check "shopsim exits on TERM" wait_for 10 sh -c "! kill -0 $SIM_PID 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$SIM_PID/stat"
wait "$SIM_PID" 2>/dev/null
SIM_PID=
finish
