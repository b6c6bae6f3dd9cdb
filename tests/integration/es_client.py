#!/usr/bin/python3
"""es_client.py URL - prove tests/stack/esserver.py's wire format with the real
Elasticsearch Python client (Debian's python3-elasticsearch, 7.17.x; also
works with 8.x).  Run with /usr/bin/python3: the python3 on PATH may not see
Debian's packages.  Prints one "ok - ..." / "not ok - ..." line per check;
exits 77 when the client is not installed.
"""

import datetime
import sys
import warnings

try:
    import elasticsearch
    from elasticsearch import Elasticsearch, helpers
except ImportError:
    print("python3-elasticsearch not installed for %s (tests/stack/install.sh)" % sys.executable)
    sys.exit(77)

warnings.simplefilter("ignore")     # the 7.17 client warns about security and body parameters
URL = sys.argv[1]
INDEX = "logs-client"
failed = 0


def report(good, what):
    global failed
    print(("ok - " if good else "not ok - ") + what, flush=True)
    if not good:
        failed += 1


def check(what, fn):
    try:
        good, detail = fn()
    except Exception as e:      # a client exception is a failed check, not a crash
        good, detail = False, "%s: %s" % (type(e).__name__, e)
    report(good, what + (" (%s)" % detail if detail else ""))


VERSION = elasticsearch.__versionstr__
MAJOR = int(VERSION.split(".")[0])
es = Elasticsearch(URL, request_timeout=30) if MAJOR >= 8 else Elasticsearch(URL, timeout=30)
BadRequest = getattr(elasticsearch, "BadRequestError", None) or elasticsearch.RequestError
NotFound = elasticsearch.NotFoundError


def err_type(e):
    """The Elasticsearch error type of a client exception (7.x: .error / .info, 8.x: .body)."""
    body = getattr(e, "body", None) or getattr(e, "info", None)
    if isinstance(body, dict):
        return body.get("error", {}).get("type"), body
    return getattr(e, "error", None), body


def status_of(e):
    s = getattr(e, "status_code", None)
    if s is None and getattr(e, "meta", None) is not None:
        s = e.meta.status
    return s


# ---- the product check and info --------------------------------------------------------
check("client %s: info() passes the product check" % VERSION,
      lambda: ((lambda i: (i["version"]["number"].split(".")[0] in ("7", "8"), i["version"]["number"]))(es.info())))

# ---- index --------------------------------------------------------------------------
T0 = datetime.datetime(2026, 11, 22, 10, 0, 0, tzinfo=datetime.timezone.utc)
SERVICES = ["gateway", "orders", "payments", "inventory", "users"]
N = 1000


def doc(i):
    svc = SERVICES[i % len(SERVICES)]
    err = (i // 5) % 10 == 0                  # 10%, spread over every service
    ts = T0 + datetime.timedelta(milliseconds=250 * (i // 2))    # two documents per timestamp: ties
    return {
        "@timestamp": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "message": ("payment declined: card expired" if err and svc == "payments" else
                    "upstream timeout after 2000ms" if err else "GET /orders/%d 200 %dms" % (i, 5 + i % 90)),
        "log": {"level": "error" if err else "info"},
        "service.name": svc,                  # a flat dotted key
        "trace": {"id": "%032x" % (0xabc000 + i)},
        "event": {"sequence": i},
    }


def create_index():
    body = {"mappings": {"properties": {
        "@timestamp": {"type": "date"}, "message": {"type": "text"},
        "log": {"properties": {"level": {"type": "keyword"}}},
        "service": {"properties": {"name": {"type": "keyword"}}},
        "trace": {"properties": {"id": {"type": "keyword"}}},
        "event": {"properties": {"sequence": {"type": "long"}}}}}}
    if MAJOR >= 8:
        r = es.indices.create(index=INDEX, mappings=body["mappings"])
    else:
        r = es.indices.create(index=INDEX, body=body)
    return r.get("acknowledged") is True, None


check("indices.create with a mapping", create_index)
DOCS = [doc(i) for i in range(N + 1)]


def expect(pred):
    return sum(1 for d in DOCS if pred(d))


ERRORS = expect(lambda d: d["log"]["level"] == "error")
PATTERN = "logs-cl*,-logs-cli-none"            # a wildcard and an exclusion


def index_one():
    r = es.index(index=INDEX, id="single", document=doc(N)) if MAJOR >= 8 else es.index(index=INDEX, id="single", body=doc(N))
    return r["result"] == "created" and r["_id"] == "single", r["result"]


check("index() one document", index_one)


def bulk():
    actions = ({"_index": INDEX, "_source": doc(i)} for i in range(N))
    n, errors = helpers.bulk(es, actions, chunk_size=300)
    return n == N and not errors, "%d indexed" % n


check("helpers.bulk %d documents in chunks of 300" % N, bulk)


def bulk_errors():
    actions = [{"_index": INDEX, "_id": "single", "_op_type": "create", "_source": doc(0)},
               {"_index": INDEX, "_source": {"@timestamp": "not a date", "message": "x"}}]
    n, errors = helpers.bulk(es, actions, raise_on_error=False)
    kinds = sorted(list(e.values())[0]["error"]["type"] for e in errors)
    return kinds == ["mapper_parsing_exception", "version_conflict_engine_exception"], ", ".join(kinds)


check("helpers.bulk reports per-item errors (409 create, 400 bad date)", bulk_errors)
check("indices.refresh", lambda: (es.indices.refresh(index=INDEX)["_shards"]["failed"] == 0, None))
check("count() all", lambda: ((lambda c: (c == N + 1, c))(es.count(index=INDEX)["count"])))
check("count() with a query", lambda: ((lambda c: (c == ERRORS, c))(
    es.count(index=INDEX, body={"query": {"term": {"log.level": "error"}}})["count"])))

# ---- search -------------------------------------------------------------------------
SORT = [{"@timestamp": {"order": "desc"}}, {"event.sequence": {"order": "desc"}}]


def qs(q, **kw):
    return es.search(index=PATTERN, query={"query_string": {"query": q}}, **kw)


def total(r):
    t = r["hits"]["total"]
    return t["value"] if isinstance(t, dict) else t


def count_check(what, q, pred):
    want = expect(pred)
    check("%s: %s" % (what, q), lambda: ((lambda n: (n == want, "%d, want %d" % (n, want)))(total(qs(q, track_total_hits=True)))))


count_check("query_string bare term", "declined", lambda d: "declined" in d["message"])
count_check("query_string field:value AND NOT", "log.level:error AND NOT service.name:payments",
            lambda d: d["log"]["level"] == "error" and d["service.name"] != "payments")
count_check("query_string phrase", '"card expired"', lambda d: "card expired" in d["message"])
# Lucene's classic parser: "a OR b AND c" is "a? +b +c" (AND binds both neighbours, no precedence)
count_check("query_string wildcards, Lucene's OR/AND", "decl* OR service.name:gate?ay AND log.level:error",
            lambda d: d["service.name"] == "gateway" and d["log"]["level"] == "error")
count_check("query_string wildcards, grouped", "decl* OR (service.name:gate?ay AND log.level:error)",
            lambda d: "declined" in d["message"] or (d["service.name"] == "gateway" and d["log"]["level"] == "error"))
count_check("query_string grouping", "(service.name:orders OR service.name:users) AND -log.level:info",
            lambda d: d["service.name"] in ("orders", "users") and d["log"]["level"] != "info")
count_check("query_string range on a long", "event.sequence:[10 TO 19}", lambda d: 10 <= d["event"]["sequence"] < 19)
count_check("query_string field:>=x", "event.sequence:>=990", lambda d: d["event"]["sequence"] >= 990)
count_check("query_string analysed text, case-insensitive", "message:TIMEOUT", lambda d: "timeout" in d["message"])
check("query_string trace id", lambda: ((lambda r: (total(r) == 1 and r["hits"]["hits"][0]["_source"]["event"]["sequence"] == 42,
                                                      total(r)))(qs("trace.id:%032x" % (0xabc000 + 42)))))
check("range on @timestamp (epoch_millis)", lambda: ((lambda n: (n == 8, n))(total(es.search(
    index=INDEX, query={"range": {"@timestamp": {"gte": int(T0.timestamp() * 1000), "lt": int(T0.timestamp() * 1000) + 1000,
                                                 "format": "epoch_millis"}}})))))


def sort_values():
    r = es.search(index=INDEX, query={"match_all": {}}, sort=SORT, size=3)
    s = [h["sort"] for h in r["hits"]["hits"]]
    good = all(isinstance(x[0], int) for x in s) and s == sorted(s, reverse=True) and s[0][1] == N
    return good, str(s)


check("sort values: epoch millis and the tiebreaker", sort_values)


def paging():
    seen, pages, after, order = [], 0, None, []
    for _ in range(200):                          # bounded
        kw = {"search_after": after} if after else {}
        r = es.search(index=PATTERN, query={"query_string": {"query": "*"}}, sort=SORT, size=77,
                      track_total_hits=False, **kw)
        hits = r["hits"]["hits"]
        if not hits:
            break
        pages += 1
        seen.extend(h["_id"] for h in hits)
        order.extend(tuple(h["sort"]) for h in hits)
        after = hits[-1]["sort"]
    dupes = len(seen) - len(set(seen))
    good = len(seen) == N + 1 and dupes == 0 and order == sorted(order, reverse=True) and \
        all(a != b for a, b in zip(order, order[1:]))
    return good, "%d pages, %d hits, %d duplicates" % (pages, len(seen), dupes)


check("search_after pages: every hit once, in order, no gaps", paging)


def tracked():
    a = es.search(index=INDEX, size=0, track_total_hits=100)["hits"]["total"]
    b = es.search(index=INDEX, size=0, track_total_hits=True)["hits"]["total"]
    return a == {"value": 100, "relation": "gte"} and b == {"value": N + 1, "relation": "eq"}, "%s %s" % (a, b)


check("track_total_hits number and true", tracked)


def source_filter():
    r = es.search(index=INDEX, size=1, _source=["message", "log.*"], sort=SORT)
    src = r["hits"]["hits"][0]["_source"]
    return set(src) == {"message", "log"}, str(sorted(src))


check("_source filtering", source_filter)

# ---- aggregations ---------------------------------------------------------------------


def terms():
    r = es.search(index=INDEX, size=0, query={"term": {"log.level": "error"}},
                  aggs={"svc": {"terms": {"field": "service.name", "size": 3}}})
    a = r["aggregations"]["svc"]
    counts = [(b["key"], b["doc_count"]) for b in a["buckets"]]
    want = {}
    for d in DOCS:
        if d["log"]["level"] == "error":
            want[d["service.name"]] = want.get(d["service.name"], 0) + 1
    want = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))
    good = counts == want[:3] and a["sum_other_doc_count"] == sum(c for _, c in want[3:]) and \
        a["doc_count_error_upper_bound"] == 0
    return good, str(counts)


check("terms aggregation (size, sum_other_doc_count)", terms)


def histogram():
    lo = int(T0.timestamp() * 1000)
    r = es.search(index=INDEX, size=0, query={"range": {"@timestamp": {"gte": lo - 60000, "lte": lo + 300000, "format": "epoch_millis"}}},
                  aggs={"h": {"date_histogram": {"field": "@timestamp", "fixed_interval": "30s",
                                                 "extended_bounds": {"min": lo - 60000, "max": lo + 300000}, "min_doc_count": 0},
                              "aggs": {"errors": {"filter": {"terms": {"log.level": ["error", "ERROR"]}}}}}})
    b = r["aggregations"]["h"]["buckets"]
    counts = [x["doc_count"] for x in b]
    good = (len(b) == 13 and b[0]["key"] == lo - 60000 and b[0]["key_as_string"] == "2026-11-22T09:59:00.000Z"
            and counts[:2] == [0, 0] and counts[2] == 240 and sum(counts) == N + 1
            and sum(x["errors"]["doc_count"] for x in b) == ERRORS)
    return good, "%d buckets %s" % (len(b), counts)


check("date_histogram with extended_bounds and a filter sub-aggregation", histogram)

# ---- errors -----------------------------------------------------------------------------


def bad_query():
    try:
        qs("foo AND (bar")
    except BadRequest as e:
        t, body = err_type(e)
        root = body["error"]["root_cause"][0] if isinstance(body, dict) else {}
        good = status_of(e) == 400 and t in ("search_phase_execution_exception", "parsing_exception") and \
            root.get("type") == "query_shard_exception" and "Failed to parse query" in root.get("reason", "")
        return good, "%s / %s: %s" % (t, root.get("type"), root.get("reason"))
    return False, "no error"


check("malformed query_string -> %s" % BadRequest.__name__, bad_query)


def unknown_query():
    try:
        es.search(index=INDEX, query={"bogus": {}})
    except BadRequest as e:
        t, _ = err_type(e)
        return t == "parsing_exception", t
    return False, "no error"


check("unknown query type -> parsing_exception", unknown_query)


def missing_index():
    try:
        es.search(index="no-such-index", query={"match_all": {}})
    except NotFound as e:
        t, _ = err_type(e)
        return t == "index_not_found_exception", t
    return False, "no error"


check("missing index -> NotFoundError index_not_found_exception", missing_index)
check("wildcard matching nothing -> no hits, no error",
      lambda: ((lambda r: (total(r) == 0 and r["_shards"]["total"] == 0, None))(es.search(index="nothing-*"))))


def window():
    try:
        es.search(index=INDEX, size=10001)
    except BadRequest as e:
        _, body = err_type(e)
        return "Result window is too large" in str(body), None
    return False, "no error"


check("size 10001 -> result window too large", window)


def fielddata():
    try:
        es.search(index=INDEX, size=0, aggs={"m": {"terms": {"field": "message"}}})
    except BadRequest as e:
        return "Fielddata is disabled" in str(err_type(e)[1]), None
    return False, "no error"


check("terms on a text field -> Fielddata is disabled", fielddata)
sys.exit(1 if failed else 0)
