#!/usr/bin/python3
"""zipkin_client.py URL OUT.json - report spans to tests/stack/zipkinserver.py
with the real Zipkin client library (Debian's python3-py-zipkin, 0.15),
encoding V2_JSON, posted to URL/api/v2/spans.  Run with /usr/bin/python3:
the python3 on PATH may not see Debian's packages.

Three traces, as instrumented services would report them (each server side
joins its caller's trace with the caller's span id, so py_zipkin marks it
"shared", as Brave does):

  checkout  Gateway (mixed case: Zipkin lower-cases it) SERVER "GET /Checkout"
              local "render"
              CLIENT "charge" -> payments SERVER (shared id), http.status_code
                500, error, a local "db.query" of 1.2 s with annotation
                "cache.miss"; payments CLIENT "post /ledger" -> ledger (not
                instrumented: no server side)
  browse    gateway SERVER "GET /products" -> CLIENT -> inventory SERVER (shared)
  users128  users SERVER "GET /users/me" with a 128-bit trace id, a numeric tag

Writes the trace ids and what was sent to OUT.json; prints "ok - ..." /
"not ok - ..." lines for the transport; exits 77 when py_zipkin is missing.
"""

import importlib.util
import json
import sys
import time
import urllib.error
import urllib.request

if importlib.util.find_spec("py_zipkin") is None:
    print("python3-py-zipkin not installed for %s (tests/stack/install.sh)" % sys.executable)
    sys.exit(77)
from py_zipkin import Encoding, Kind  # noqa: E402
from py_zipkin.storage import SpanStorage, Stack  # noqa: E402
from py_zipkin.transport import BaseTransportHandler  # noqa: E402
from py_zipkin.zipkin import ZipkinAttrs, zipkin_span  # noqa: E402

URL, OUT = sys.argv[1], sys.argv[2]
failed = 0


def report(good, what):
    global failed
    print(("ok - " if good else "not ok - ") + what, flush=True)
    failed += not good


class HttpTransport(BaseTransportHandler):
    """POSTs each encoded batch to /api/v2/spans; remembers every answer."""

    def __init__(self):
        self.answers = []
        self.spans = 0

    def get_max_payload_bytes(self):
        return None

    def send(self, payload):
        self.spans += len(json.loads(payload))
        req = urllib.request.Request(URL + "/api/v2/spans", data=payload.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                self.answers.append((r.status, r.read()))
        except urllib.error.HTTPError as e:
            self.answers.append((e.code, e.read()))


transport = HttpTransport()


def root(service, name, **kw):
    """A span that starts a new trace in this process."""
    return zipkin_span(service_name=service, span_name=name, transport_handler=transport, sample_rate=100.0,
                       encoding=Encoding.V2_JSON, kind=Kind.SERVER, **kw)


def remote_server(service, name, client, **kw):
    """The callee's SERVER span, as another process: it joins the client's span id."""
    a = client.zipkin_attrs
    attrs = ZipkinAttrs(trace_id=a.trace_id, span_id=a.span_id, parent_span_id=a.parent_span_id,
                        flags=a.flags, is_sampled=True)
    stack, storage = Stack([]), SpanStorage()
    span = zipkin_span(service_name=service, span_name=name, zipkin_attrs=attrs, transport_handler=transport,
                       encoding=Encoding.V2_JSON, kind=Kind.SERVER, context_stack=stack, span_storage=storage, **kw)
    return span, stack, storage


ids = {}

# checkout: gateway -> payments (fails) -> ledger (uninstrumented)
with root("Gateway", "GET /Checkout", binary_annotations={"http.method": "GET", "http.path": "/checkout",
                                                          "http.status_code": "500", "error": "500"}) as gw:
    ids["checkout"] = gw.zipkin_attrs.trace_id
    ids["checkout_root"] = gw.zipkin_attrs.span_id
    with zipkin_span(service_name="gateway", span_name="render"):
        pass
    with zipkin_span(service_name="gateway", span_name="charge", kind=Kind.CLIENT,
                     binary_annotations={"http.method": "POST", "http.path": "/payments/charge",
                                         "http.status_code": "500", "error": "500"}) as call:
        call.add_sa_binary_annotation(service_name="payments", host="10.0.0.7", port=8080)
        ids["charge"] = call.zipkin_attrs.span_id
        srv, stack, storage = remote_server("payments", "post /payments/charge", call, binary_annotations={
            "http.method": "POST", "http.path": "/payments/charge", "http.status_code": "500",
            "error": "card processor returned 502"})
        with srv:
            with zipkin_span(service_name="payments", span_name="db.query", duration=1.2,
                             annotations={"cache.miss": time.time()},
                             context_stack=stack, span_storage=storage):
                pass
            with zipkin_span(service_name="payments", span_name="post /ledger", kind=Kind.CLIENT,
                             context_stack=stack, span_storage=storage,
                             binary_annotations={"http.method": "POST", "http.status_code": "201"}) as led:
                led.add_sa_binary_annotation(service_name="ledger", host="10.0.0.9", port=80)

# browse: gateway -> inventory, no errors
with root("gateway", "GET /products", binary_annotations={"http.method": "GET", "http.path": "/products",
                                                          "http.status_code": "200"}) as gw:
    ids["browse"] = gw.zipkin_attrs.trace_id
    with zipkin_span(service_name="gateway", span_name="get", kind=Kind.CLIENT,
                     binary_annotations={"http.method": "GET", "http.status_code": "200"}) as call:
        call.add_sa_binary_annotation(service_name="inventory", host="10.0.0.8", port=8080)
        srv, stack, storage = remote_server("inventory", "get /inventory/{sku}", call,
                                            binary_annotations={"http.status_code": "200"})
        with srv:
            pass

# users128: a 128-bit trace id and a tag given as a number
with root("users", "GET /users/me", use_128bit_trace_id=True,
          binary_annotations={"http.status_code": 404, "http.method": "GET"}) as u:
    ids["users128"] = u.zipkin_attrs.trace_id

codes = sorted({c for c, _ in transport.answers})
report(transport.answers and codes == [202],
       "py_zipkin %d batches (%d spans) posted to /api/v2/spans, answers %s" % (len(transport.answers), transport.spans, codes))
report(all(body == b"" for _, body in transport.answers), "202 answers have an empty body")
report(len(ids["checkout"]) == 16 and len(ids["users128"]) == 32, "trace ids: 64-bit %s, 128-bit %s" % (ids["checkout"], ids["users128"]))
ids["spans_sent"] = transport.spans
with open(OUT, "w") as f:
    json.dump(ids, f)
sys.exit(1 if failed else 0)
