#!/usr/bin/env python3
"""shopsim - a simulated shop of microservices for opsdeck's tests and demo.

One model of the shop, Python 3 standard library only.  It is served as a
Prometheus exporter (text exposition format) on 127.0.0.1:

    GET    /metrics            http_requests_total{service,code},
                               http_request_duration_seconds{service} histogram,
                               process_cpu_seconds_total{service},
                               process_resident_memory_bytes{service}
    GET    /truth              JSON: the current true per-service request rate,
                               5xx ratio, p99 latency, CPU and memory
    GET    /incidents          JSON: known and active incidents
    POST   /incident/NAME      start an incident (effective at the next tick)
    DELETE /incident/NAME      end it
    GET    /history            OpenMetrics text of the --history window, for
                               `promtool tsdb create-blocks-from openmetrics`;
                               ?job=J&instance=I adds the labels Prometheus's
                               scrapes will carry, so history and live join
    GET    /debug/traces?n=N   N sampled request trees from the same model
    GET    /logs               JSON: the log writer's state (sent, dropped, errors)
    GET    /spans-stats        JSON: the span writer's state (sent, dropped, errors)
    GET    /healthz            "ok"

With --elasticsearch URL it also writes logs of its simulated requests to
that Elasticsearch (tests/stack/esserver.py in the stack) through _bulk:
one ECS JSON document per request per service touched, drawn from the same
model as the metrics (so the share of ERROR lines of a service is its 5xx
ratio), sampled (--log-sample) to about 50 documents a second, batched every
--log-interval seconds from a thread that never blocks the exporter.

With --zipkin URL it reports Zipkin v2 spans of the same sampled requests
(tests/stack/zipkinserver.py in the stack) through POST /api/v2/spans, as
Brave-instrumented services would: a SERVER span at the request's entry
service; per call a CLIENT span in the caller and a SERVER span in the
callee sharing its span id ("shared": true); the same trace ids and span ids
as the log documents, so a span pivots to its logs by trace.id (and span.id).
Either sink works without the other.

Structure
---------
* ``Shop.traffic(t, incidents)`` is the request-simulation core: it pushes
  the entry traffic of every service through the call graph (gateway calls
  orders and users, orders calls payments, inventory and notifications) and
  returns, per service, the expected request flow at time t: rate, the split
  of outcomes by status code (own failures plus failures propagated from
  callees) and the latency distribution (a mixture of log-normals; slow
  callees make their callers slow).
* ``Accumulator`` integrates those flows over a fixed time grid (TICK
  seconds, anchored at the origin) into counters and histogram buckets.  A
  scrape reads the committed grid plus the partial tick up to "now", so the
  values are a function of time only, never of when or how often anyone
  scrapes, and counters never go backwards.
* ``Shop.sample_trace()`` draws individual requests (span trees) from the
  same per-service parameters, for logs and traces built on this model.
* ``RequestSampler`` samples request trees over time (roots drawn at each
  entry service's rate) and details every node (ids, route, message);
  ``Exporter`` feeds each tree to the sinks: ``LogWriter`` turns every node
  into a log document for Elasticsearch, ``SpanWriter`` into Zipkin spans.
  Each sink ships from its own thread.

Time variation (unless --steady): a compressed "day" (sine, period 30 min),
smooth value noise per service, and random error bursts; all of it derived
from --seed by hashing, so two runs with the same seed and origin agree.
"""

import argparse
import functools
import hashlib
import heapq
import json
import math
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TICK = 0.5                  # integration grid, seconds
DAY = 1800.0                # period of the compressed day, seconds
NOISE_KNOT = 10.0           # value-noise knot spacing, seconds
BURST_WINDOW = 300.0        # at most one error burst per service per window
PROPAGATE = 0.5             # share of callee 5xx that the caller turns into 503
CODES = ("200", "404", "500", "503")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# name: entry rps (traffic not from another shop service), latency median (s),
# log-normal sigma, own 5xx ratio, 404 ratio, CPU seconds per request,
# idle CPU cores, base RSS bytes
SPECS = {
    "gateway":       dict(entry=40.0, median=0.045, sigma=0.5, err=0.002, nf=0.020, cpu=0.004, idle=0.02, rss=96e6),
    "orders":        dict(entry=0.0, median=0.030, sigma=0.5, err=0.002, nf=0.005, cpu=0.012, idle=0.03, rss=310e6),
    "payments":      dict(entry=0.0, median=0.080, sigma=0.45, err=0.002, nf=0.0, cpu=0.015, idle=0.02, rss=240e6),
    "inventory":     dict(entry=3.0, median=0.012, sigma=0.4, err=0.002, nf=0.005, cpu=0.006, idle=0.01, rss=180e6),
    "users":         dict(entry=5.0, median=0.010, sigma=0.4, err=0.002, nf=0.010, cpu=0.005, idle=0.01, rss=150e6),
    "notifications": dict(entry=2.0, median=0.020, sigma=0.6, err=0.002, nf=0.0, cpu=0.008, idle=0.01, rss=120e6),
}
EXTRA_SPEC = dict(entry=3.0, median=0.020, sigma=0.5, err=0.002, nf=0.0, cpu=0.006, idle=0.01, rss=100e6)

# caller: [(callee, probability that one caller request makes the call)]
CALLS = {
    "gateway": [("orders", 0.35), ("users", 0.6)],
    "orders": [("payments", 0.7), ("inventory", 1.0), ("notifications", 0.5)],
}

# Incidents: per service, own 5xx ratio added, and a slow latency component
# (share of requests, median seconds, sigma).  Slowness and failures then
# propagate to callers through the call graph.
INCIDENTS = {
    "payments-latency": {"payments": dict(slow=0.3, slow_median=2.5, slow_sigma=0.3)},
    "orders-errors": {"orders": dict(err=0.2)},
}


@functools.lru_cache(maxsize=1 << 16)
def urand(*key):
    """Deterministic uniform [0, 1) from a key (independent of PYTHONHASHSEED)."""
    h = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0 ** 64


class Flow:
    """Expected traffic of one service at one instant."""
    __slots__ = ("rps", "ratios", "mix", "own_err", "nf", "cpu_cores", "rss", "_buckets", "_mean", "_pre")

    def __init__(self, rps, ratios, mix, own_err, nf):
        self.rps = rps              # requests per second
        self.ratios = ratios        # code -> share of requests
        self.mix = mix              # [(weight, median, sigma)] latency mixture
        self.own_err = own_err      # chance a request fails in this service itself
        self.nf = nf                # chance of a 404 when nothing failed
        self.cpu_cores = 0.0
        self.rss = 0.0
        self._buckets = None
        self._mean = None
        self._pre = [(w * 0.5, math.log(m), 1.0 / (sg * math.sqrt(2.0))) for w, m, sg in mix]

    def cdf(self, x):
        if x <= 0:
            return 0.0
        lx = math.log(x)
        erf = math.erf
        return sum(h * (1.0 + erf((lx - lm) * k)) for h, lm, k in self._pre)

    def mean(self):
        if self._mean is None:
            self._mean = sum(w * m * math.exp(s * s / 2.0) for w, m, s in self.mix)
        return self._mean

    def buckets(self):
        """Cumulative share of requests at or under each bucket bound."""
        if self._buckets is None:
            self._buckets = [self.cdf(le) for le in BUCKETS]
        return self._buckets

    def quantile(self, q):
        lo, hi = math.log(1e-5), math.log(600.0)
        for _ in range(60):
            mid = (lo + hi) / 2.0
            if self.cdf(math.exp(mid)) < q:
                lo = mid
            else:
                hi = mid
        return math.exp((lo + hi) / 2.0)

    def error_ratio(self):
        return self.ratios["500"] + self.ratios["503"]


class Shop:
    def __init__(self, seed=1, steady=False, extra=()):
        self.seed = seed
        self.steady = steady
        self.specs = {k: dict(v) for k, v in SPECS.items()}
        self.calls = {k: list(v) for k, v in CALLS.items()}
        for name in extra:
            if name in self.specs:
                continue
            self.specs[name] = dict(EXTRA_SPEC)
            self.calls["gateway"].append((name, 0.1))
        self.services = list(self.specs)
        self.order = self._topo_order()
        self._cache = {}
        self._phase = 2.0 * math.pi * urand(seed, "phase")

    def _topo_order(self):
        """Services ordered callers first."""
        seen, out = set(), []

        def visit(s):
            if s in seen:
                return
            seen.add(s)
            for caller, callees in self.calls.items():
                if any(c == s for c, _ in callees):
                    visit(caller)
            out.append(s)
        for s in self.services:
            visit(s)
        return out

    # ---- time variation -------------------------------------------------
    def _noise(self, svc, t):
        k = math.floor(t / NOISE_KNOT)
        f = t / NOISE_KNOT - k
        f = (1.0 - math.cos(math.pi * f)) / 2.0
        a = urand(self.seed, "noise", svc, k) * 2.0 - 1.0
        b = urand(self.seed, "noise", svc, k + 1) * 2.0 - 1.0
        return a + (b - a) * f

    def load(self, svc, t):
        """Multiplier of a service's entry traffic at time t."""
        if self.steady:
            return 1.0
        day = 0.3 * math.sin(2.0 * math.pi * t / DAY + self._phase)
        return max(0.1, 1.0 + day + 0.08 * self._noise(svc, t))

    def burst(self, svc, t):
        """Extra own 5xx ratio of a random error burst at time t, or 0."""
        if self.steady:
            return 0.0
        w = math.floor(t / BURST_WINDOW)
        if urand(self.seed, "burst", svc, w) >= 0.2:
            return 0.0
        start = w * BURST_WINDOW + urand(self.seed, "burst-start", svc, w) * (BURST_WINDOW - 60.0)
        length = 20.0 + 40.0 * urand(self.seed, "burst-len", svc, w)
        if start <= t < start + length:
            return 0.05 + 0.2 * urand(self.seed, "burst-size", svc, w)
        return 0.0

    # ---- the request-simulation core -------------------------------------
    def traffic(self, t, incidents):
        """Per-service expected flows at time t with the given incidents."""
        if self.steady:
            key = frozenset(incidents)
            if key in self._cache:
                return self._cache[key]
        effects = {}
        for name in incidents:
            for svc, eff in INCIDENTS.get(name, {}).items():
                effects.setdefault(svc, []).append(eff)

        # rates: entry traffic plus calls from callers (callers first)
        rate = {s: self.specs[s]["entry"] * self.load(s, t) for s in self.services}
        for s in self.order:
            for callee, p in self.calls.get(s, []):
                rate[callee] += rate[s] * p

        # outcomes and latency: callees first
        flows = {}
        slow = {}
        busy = 1.0 + 0.15 * (self.load("gateway", t) - 1.0)   # slower under load
        for s in reversed(self.order):
            spec = self.specs[s]
            own_err = spec["err"] + self.burst(s, t)
            own_slow, slow_med, slow_sig = 0.0, 2.5, 0.3
            for eff in effects.get(s, []):
                own_err += eff.get("err", 0.0)
                if eff.get("slow"):
                    own_slow += eff["slow"]
                    slow_med, slow_sig = eff["slow_median"], eff["slow_sigma"]
            own_err = min(own_err, 0.95)
            ok_downstream = 1.0
            slow_frac = own_slow
            for callee, p in self.calls.get(s, []):
                ok_downstream *= 1.0 - p * flows[callee].error_ratio() * PROPAGATE
                slow_frac += p * slow[callee][0]
                if slow[callee][0] > 0:
                    slow_med, slow_sig = slow[callee][1], slow[callee][2]
            slow_frac = min(slow_frac, 1.0)
            slow[s] = (slow_frac, slow_med, slow_sig)
            # own failure first, then failure propagated from a callee, then 404
            prop = (1.0 - own_err) * (1.0 - ok_downstream)
            ratios = {
                "500": own_err * 0.7,
                "503": own_err * 0.3 + prop,
                "404": spec["nf"] * (1.0 - own_err) * ok_downstream,
            }
            ratios["200"] = max(0.0, 1.0 - ratios["500"] - ratios["503"] - ratios["404"])
            mix = [(1.0 - slow_frac, spec["median"] * busy, spec["sigma"])]
            if slow_frac > 0:
                mix.append((slow_frac, slow_med, slow_sig))
            fl = Flow(rate[s], ratios, mix, own_err, spec["nf"])
            fl.cpu_cores = spec["idle"] + spec["cpu"] * rate[s]
            inflight = rate[s] * fl.mean()          # Little's law
            drift = 0.0 if self.steady else 0.04 * math.sin(2.0 * math.pi * t / (DAY * 0.7) + urand(self.seed, "rss", s) * 6.28)
            fl.rss = spec["rss"] * (1.0 + drift) + 0.5e6 * rate[s] + 2e6 * inflight
            flows[s] = fl
        if self.steady:
            self._cache[frozenset(incidents)] = flows
        return flows

    def sample_trace(self, t, incidents, rng, root="gateway", flows=None):
        """One request tree from the same model (span durations in seconds).

        A span's "cause" says why it failed: "own", or the callee whose
        failure it passed on; None when it did not fail.
        """
        if flows is None:
            flows = self.traffic(t, incidents)

        def visit(s, start):
            fl = flows[s]
            r = rng.random() * sum(w for w, _, _ in fl.mix)
            for w, m, sg in fl.mix:
                r -= w
                if r <= 0:
                    break
            dur = m * math.exp(rng.gauss(0.0, sg))
            children, cursor, failed = [], start + 0.0005, None
            for callee, p in self.calls.get(s, []):
                if rng.random() < p:
                    child = visit(callee, cursor)
                    cursor = child["start"] + child["duration"]
                    children.append(child)
                    if child["code"] in ("500", "503") and rng.random() < PROPAGATE and failed is None:
                        failed = callee
            dur = max(dur, cursor - start + 0.0005)
            u = rng.random()
            cause = None
            if u < fl.own_err * 0.7:
                code, cause = "500", "own"
            elif u < fl.own_err:
                code, cause = "503", "own"
            elif failed:
                code, cause = "503", failed
            elif rng.random() < fl.nf:
                code = "404"
            else:
                code = "200"
            return {"service": s, "start": start, "duration": dur, "code": code, "cause": cause, "children": children}
        return visit(root, t)


class Accumulator:
    """Counters integrated from the model on a fixed grid anchored at origin."""

    def __init__(self, shop, origin, incidents, record_every=0.0, record_until=0.0):
        self.shop = shop
        self.origin = origin
        self.t = origin                    # committed up to here (a grid point)
        # incident timeline: [(effective grid time, frozenset of active)]
        self.timeline = [(origin, frozenset(incidents))]
        self.counters = {s: self._zero() for s in shop.services}
        self.record_every = record_every
        self.record_until = record_until
        self.records = []                  # [(t, snapshot)]
        self._step_flows = None
        self._step_t = None
        self.lock = threading.Lock()

    @staticmethod
    def _zero():
        return {"codes": {c: 0.0 for c in CODES}, "buckets": [0.0] * len(BUCKETS),
                "sum": 0.0, "count": 0.0, "cpu": 0.0}

    def incidents_at(self, t):
        active = self.timeline[0][1]
        for when, inc in self.timeline:
            if when <= t:
                active = inc
        return active

    def set_incident(self, name, on, now):
        """Start or end an incident at the first grid point after now."""
        with self.lock:
            self._advance(now)
            eff = self.origin + math.ceil((now - self.origin) / TICK + 1e-9) * TICK
            cur = set(self.timeline[-1][1])
            if on:
                cur.add(name)
            else:
                cur.discard(name)
            self.timeline.append((eff, frozenset(cur)))

    def _flows_for_step(self, g):
        if self._step_t != g:
            self._step_flows = self.shop.traffic(g + TICK / 2.0, self.incidents_at(g))
            self._step_t = g
        return self._step_flows

    @staticmethod
    def _add(dst, fl, dt):
        n = fl.rps * dt
        for c in CODES:
            dst["codes"][c] += n * fl.ratios[c]
        b = dst["buckets"]
        for i, f in enumerate(fl.buckets()):
            b[i] += n * f
        dst["count"] += n
        dst["sum"] += n * fl.mean()
        dst["cpu"] += fl.cpu_cores * dt

    def _advance(self, now):
        while self.t + TICK <= now + 1e-9:
            flows = self._flows_for_step(self.t)
            for s, fl in flows.items():
                self._add(self.counters[s], fl, TICK)
            self.t += TICK
            if (self.record_every and self.t <= self.record_until + 1e-9 and
                    abs(math.remainder(self.t - self.origin, self.record_every)) < 1e-6):
                self.records.append((self.t, self._snapshot(self.counters, flows)))

    @staticmethod
    def _snapshot(counters, flows):
        out = {}
        for s, c in counters.items():
            out[s] = {"codes": dict(c["codes"]), "buckets": list(c["buckets"]),
                      "sum": c["sum"], "count": c["count"], "cpu": c["cpu"],
                      "rss": flows[s].rss}
        return out

    def read(self, now):
        """Counter values at time now (committed grid plus partial tick)."""
        with self.lock:
            self._advance(now)
            flows = self._flows_for_step(self.t)
            partial = max(0.0, min(now - self.t, TICK))
            out = {}
            for s, c in self.counters.items():
                d = {"codes": dict(c["codes"]), "buckets": list(c["buckets"]),
                     "sum": c["sum"], "count": c["count"], "cpu": c["cpu"]}
                self._add(d, flows[s], partial)
                d["rss"] = flows[s].rss
                out[s] = d
            return out


# ---- exposition ------------------------------------------------------------

def esc(v):
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def fmt(v):
    if v == math.inf:
        return "+Inf"
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def series(snap):
    """[(metric, labels, value)] of one snapshot, grouped by metric family."""
    out = []
    for s, d in snap.items():
        for c in CODES:
            out.append(("http_requests_total", 'service="%s",code="%s"' % (esc(s), c), d["codes"][c]))
    for s, d in snap.items():
        for le, v in zip(BUCKETS, d["buckets"]):
            out.append(("http_request_duration_seconds_bucket", 'service="%s",le="%s"' % (esc(s), "%g" % le), v))
        out.append(("http_request_duration_seconds_bucket", 'service="%s",le="+Inf"' % esc(s), d["count"]))
        out.append(("http_request_duration_seconds_sum", 'service="%s"' % esc(s), d["sum"]))
        out.append(("http_request_duration_seconds_count", 'service="%s"' % esc(s), d["count"]))
    for s, d in snap.items():
        out.append(("process_cpu_seconds_total", 'service="%s"' % esc(s), d["cpu"]))
    for s, d in snap.items():
        out.append(("process_resident_memory_bytes", 'service="%s"' % esc(s), d["rss"]))
    return out


HELP = [
    ("http_requests_total", "counter", "Requests handled, by service and status code."),
    ("http_request_duration_seconds", "histogram", "Request latency, by service."),
    ("process_cpu_seconds_total", "counter", "CPU time used, by service."),
    ("process_resident_memory_bytes", "gauge", "Resident memory, by service."),
]


def exposition(snap, now):
    # the comment gives tests the exact simulated time of this scrape
    lines, done = ["# shopsim clock %.6f" % now], set()
    for name, labels, v in series(snap):
        fam = name
        for base, _, _ in HELP:
            if name == base or (name.startswith(base + "_") and base == "http_request_duration_seconds"):
                fam = base
        if fam not in done:
            done.add(fam)
            for base, typ, text in HELP:
                if base == fam:
                    lines.append("# HELP %s %s" % (base, text))
                    lines.append("# TYPE %s %s" % (base, typ))
        lines.append("%s{%s} %s" % (name, labels, fmt(v)))
    return "\n".join(lines) + "\n"


def openmetrics_history(records, target_labels=()):
    """OpenMetrics text of recorded snapshots, series by series (no TYPE lines).

    target_labels (e.g. job and instance) are added to every series so that
    the backfilled series are the very series Prometheus's scrapes continue.
    """
    if not records:
        return "# EOF\n"
    extra = "".join(',%s="%s"' % (k, esc(v)) for k, v in target_labels)
    keys = [(n, l) for n, l, _ in series(records[0][1])]
    rows = {k: [] for k in keys}
    for t, snap in records:
        for n, l, v in series(snap):
            rows[(n, l)].append("%s{%s%s} %s %s" % (n, l, extra, fmt(v), "%.3f" % t))
    out = []
    for k in keys:
        out.extend(rows[k])
    out.append("# EOF")
    return "\n".join(out) + "\n"


def truth(shop, acc, now):
    # incidents as configured, including one that starts at the next tick
    inc = acc.timeline[-1][1]
    flows = shop.traffic(now, inc)
    svc = {}
    for s in shop.services:
        fl = flows[s]
        svc[s] = {
            "rps": fl.rps,
            "error_ratio": fl.error_ratio(),
            "not_found_ratio": fl.ratios["404"],
            "p50_seconds": fl.quantile(0.5),
            "p99_seconds": fl.quantile(0.99),
            "mean_seconds": fl.mean(),
            "cpu_cores": fl.cpu_cores,
            "memory_bytes": fl.rss,
            "calls": [c for c, _ in shop.calls.get(s, [])],
        }
    return {"time": now, "steady": shop.steady, "seed": shop.seed,
            "incidents": sorted(inc), "services": svc}


# ---- logs ------------------------------------------------------------------

# What each service logs: (method, path template) of its requests, and what
# its own failures say.  {n} is a number, {sku} a product code.
ROUTES = {
    "gateway": [("GET", "/api/orders/{n}"), ("POST", "/api/checkout"), ("GET", "/api/products/{sku}"), ("GET", "/api/cart")],
    "orders": [("GET", "/orders/{n}"), ("POST", "/orders")],
    "payments": [("POST", "/payments/charge"), ("POST", "/payments/authorize")],
    "inventory": [("GET", "/inventory/{sku}"), ("POST", "/inventory/reserve")],
    "users": [("GET", "/users/{n}"), ("POST", "/users/session")],
    "notifications": [("POST", "/notify/email"), ("POST", "/notify/sms")],
}
FAILURES = {
    "gateway": ["upstream connect error or disconnect/reset before headers", "no healthy upstream"],
    "orders": ["failed to persist order {n}: deadlock detected", "java.lang.NullPointerException at OrderService.place(OrderService.java:212)"],
    "payments": ["payment provider error: connection reset by peer", "charge failed: card processor returned 502"],
    "inventory": ["stock reservation failed: redis timeout after 500ms", "inventory db pool exhausted (max 20)"],
    "users": ["session store unavailable: dial tcp 10.0.3.7:6379: i/o timeout"],
    "notifications": ["smtp send failed: 421 4.7.0 too many connections"],
}
DECLINES = ["payment declined: card expired", "payment declined: insufficient funds", "payment declined: do not honor"]
LOG_MAPPING = {"properties": {
    "@timestamp": {"type": "date"},
    "message": {"type": "text"},
    "log": {"properties": {"level": {"type": "keyword"}, "logger": {"type": "keyword"}}},
    "service": {"properties": {"name": {"type": "keyword"}, "environment": {"type": "keyword"}}},
    "trace": {"properties": {"id": {"type": "keyword"}}},
    "span": {"properties": {"id": {"type": "keyword"}}},
    "transaction": {"properties": {"id": {"type": "keyword"}}},
    "http": {"properties": {"request": {"properties": {"method": {"type": "keyword"}}},
                            "response": {"properties": {"status_code": {"type": "long"}}}}},
    "url": {"properties": {"path": {"type": "keyword"}}},
    "event": {"properties": {"duration": {"type": "long"}, "sequence": {"type": "long"},
                             "outcome": {"type": "keyword"}, "dataset": {"type": "keyword"}}},
    "host": {"properties": {"name": {"type": "keyword"}}},
    "ecs": {"properties": {"version": {"type": "keyword"}}},
}}


def iso_ms(t):
    ms = int(round(t * 1000.0))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def poisson(rng, lam):
    """A Poisson draw (Knuth for small means, normal approximation above)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class RequestSampler:
    """Draws sampled simulated requests over time: one tree feeds logs and spans.

    Requests are drawn per grid step with the accumulator's flows, so they
    follow the same incidents and bursts as the metrics; roots come at each
    entry service's rate times the sample fraction (--log-sample, or auto:
    about max_rate services touched a second).  Every node of a tree gets
    what a log line and a span of it need (span id, parent id, route, path,
    level, message), drawn from one generator in one order, so a seed gives
    the same requests whichever sinks are on.
    """

    def __init__(self, shop, acc, sample=None, max_rate=50.0, seed=1):
        self.shop, self.acc = shop, acc
        self.sample = sample          # fraction of requests sampled; None = auto (max_rate per second)
        self.max_rate = max_rate
        self.rng = random.Random("logs-%d" % seed)
        self._flows_t = None
        self._flows = None

    def _step_flows(self, t):
        g = self.acc.origin + math.floor((t - self.acc.origin) / TICK) * TICK
        if self._flows_t != g:
            self._flows = self.shop.traffic(g + TICK / 2.0, self.acc.incidents_at(g))
            self._flows_t = g
        return self._flows, self.acc.incidents_at(g)

    def sample_fraction(self, flows):
        if self.sample is not None:
            return self.sample
        total = sum(fl.rps for fl in flows.values())
        return min(1.0, self.max_rate / total) if total > 0 else 1.0

    def generate(self, t0, t1):
        """The sampled requests that start in [t0, t1): [(trace id, tree)]."""
        rng = self.rng
        out = []
        t = t0
        while t < t1 - 1e-9:
            step_end = min(t1, self.acc.origin + (math.floor((t - self.acc.origin) / TICK + 1e-9) + 1) * TICK)
            flows, incidents = self._step_flows(t)
            frac = self.sample_fraction(flows)
            for svc in self.shop.services:
                entry = self.shop.specs[svc]["entry"] * self.shop.load(svc, t)
                for _ in range(poisson(rng, entry * frac * (step_end - t))):
                    start = t + rng.random() * (step_end - t)
                    tree = self.shop.sample_trace(start, incidents, rng, root=svc, flows=flows)
                    trace_id = "%032x" % rng.getrandbits(128)
                    self._detail(tree, None)
                    out.append((trace_id, tree))
            t = step_end
        return out

    def _detail(self, span, parent):
        """Give a node (and its children, depth first) its ids, route, path, level and message."""
        rng = self.rng
        svc, code = span["service"], span["code"]
        span["span_id"] = "%016x" % rng.getrandbits(64)
        span["parent_id"] = parent
        method, route = rng.choice(ROUTES.get(svc, [("GET", "/%s/items/{n}" % svc)]))
        path = route.format(n=rng.randint(1000, 99999), sku="sku-%05d" % rng.randint(1, 9999))
        ms = span["duration"] * 1000.0
        line = "%s %s %s %dms" % (method, path, code, int(round(ms)))
        level = "info"
        if code in ("500", "503"):
            level = "error"
            if span["cause"] == "own":
                why = rng.choice(FAILURES.get(svc, ["internal error"])).format(n=rng.randint(1000, 99999))
            else:
                why = "upstream %s failed" % span["cause"]
            msg = "%s - %s" % (line, why)
        elif ms >= 1000.0:
            level = "warn"
            msg = "slow request: %s" % line
        elif svc == "payments" and code == "200" and rng.random() < 0.04:
            level = "warn"
            msg = "%s (%s)" % (rng.choice(DECLINES), line)
        else:
            msg = line
        span.update(method=method, route=route, path=path, level=level, message=msg)
        for child in span["children"]:
            self._detail(child, span["span_id"])


class Sink(threading.Thread):
    """Ships items of sampled requests somewhere, from its own thread.

    The sampler adds items with the time they become true (a log line or a
    span is written when its request ends); each interval the sink moves
    those whose time has come to its queue, in time order, and ships them.
    The queue is bounded (oldest dropped); a failed shipment stays queued
    for the next try; errors are counted and logged, never fatal.  Nothing
    here ever blocks the HTTP server.
    """

    what = "items"

    def __init__(self, name, url, interval=0.5, max_queue=50000, batch=5000, timeout=10.0, history=False):
        super().__init__(name=name, daemon=True)
        self.url = url.rstrip("/")
        self.interval = interval
        self.max_queue = max_queue
        self.batch = batch
        self.timeout = timeout
        self.pending = []             # heap of (time, tiebreak, item)
        self.queue = []               # items ready to ship, time order (touched by this thread only)
        self.tie = 0
        self.failing = False          # the last shipment failed
        self.history_fed = not history
        self.stats = {"generated": 0, "sent": 0, "dropped": 0, "rejected": 0, "errors": 0,
                      "last_error": None, "history_done": not history}
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self._last_err_log = 0.0

    # -- fed by the sampler's thread
    def add_request(self, trace_id, tree):
        with self.lock:
            for when, item in self.items(trace_id, tree):
                self.tie += 1
                heapq.heappush(self.pending, (when, self.tie, item))
                self.stats["generated"] += 1

    def items(self, trace_id, tree):
        """[(time, item)] of one sampled request."""
        raise NotImplementedError

    def mark_history_fed(self):
        with self.lock:
            self.history_fed = True

    def has_room(self):
        """Whether the sampler may feed more history now (the queue is half empty, or shipping fails)."""
        with self.lock:
            return self.failing or len(self.queue) + len(self.pending) <= self.max_queue // 2

    # -- this thread
    def on_release(self, item):
        """Called for each item entering the queue (under the lock)."""

    def release(self, now):
        while self.pending and self.pending[0][0] <= now:
            _, _, item = heapq.heappop(self.pending)
            self.on_release(item)
            self.queue.append(item)
        if len(self.queue) > self.max_queue:
            n = len(self.queue) - self.max_queue
            del self.queue[:n]
            self.stats["dropped"] += n

    def _error(self, what):
        self.stats["errors"] += 1
        self.stats["last_error"] = what
        now = time.time()
        if now - self._last_err_log >= 10.0:          # log, but not every half second
            self._last_err_log = now
            sys.stderr.write("shopsim: %s: %s\n" % (self.what, what))
            sys.stderr.flush()

    def _request(self, method, path, body, ctype="application/json"):
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Content-Type": ctype, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                raw = r.read()
                return r.status, raw
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def ship(self):
        raise NotImplementedError

    def snapshot(self):
        with self.lock:
            d = dict(self.stats)
            d.update({"url": self.url, "queued": len(self.queue), "pending": len(self.pending)})
            return d

    def run(self):
        while not self.stop_event.is_set():
            now = time.time()
            with self.lock:
                self.release(now)
                fed = self.history_fed
            self.ship()
            if fed and not self.stats["history_done"]:
                self.stats["history_done"] = True     # everything of the past was shipped once
            self.stop_event.wait(max(0.05, self.interval - (time.time() - now)))


class LogWriter(Sink):
    """Writes one ECS log document per service a sampled request touched to Elasticsearch (_bulk)."""

    what = "logs"

    def __init__(self, url, index, **kw):
        super().__init__("log-writer", url, **kw)
        self.index = index
        self.seq = 0
        self.stats.update({"index_ready": False, "by_level": {}, "by_service": {}})

    def items(self, trace_id, tree):
        out = []

        def walk(span):
            svc, code = span["service"], span["code"]
            end = span["start"] + span["duration"]
            doc = {
                "@timestamp": iso_ms(end),
                "log.level": span["level"],               # flat dotted key, as ECS loggers write it
                "message": span["message"],
                "log": {"logger": "%s.http" % svc},
                "service": {"name": svc, "environment": "demo"},
                "trace": {"id": trace_id},
                "span": {"id": span["span_id"]},
                "http": {"request": {"method": span["method"]}, "response": {"status_code": int(code)}},
                "url": {"path": span["path"]},
                "event": {"duration": int(span["duration"] * 1e9),
                          "outcome": "failure" if span["level"] == "error" else "success", "dataset": "shop.access"},
                "host": {"name": "%s-1" % svc},
                "ecs": {"version": "8.11.0"},
            }
            if span["parent_id"]:
                doc["parent"] = {"id": span["parent_id"]}
            out.append((end, doc))
            for child in span["children"]:
                walk(child)
        walk(tree)
        return out

    def on_release(self, doc):
        self.seq += 1
        doc["event"]["sequence"] = self.seq
        lv, sv = self.stats["by_level"], self.stats["by_service"]
        lv[doc["log.level"]] = lv.get(doc["log.level"], 0) + 1
        sv[doc["service"]["name"]] = sv.get(doc["service"]["name"], 0) + 1

    def _json_request(self, method, path, body, ctype="application/json"):
        st, raw = self._request(method, path, body, ctype)
        try:
            return st, json.loads(raw or b"null")
        except ValueError:
            return st, None

    def ensure_index(self):
        if self.stats["index_ready"]:
            return True
        try:
            st, body = self._json_request("PUT", "/" + self.index, json.dumps({"mappings": LOG_MAPPING}).encode())
        except (OSError, ValueError) as e:
            self._error("cannot reach %s: %s" % (self.url, e))
            self.failing = True
            return False
        if st == 200 or (st == 400 and isinstance(body, dict) and
                         body.get("error", {}).get("type") == "resource_already_exists_exception"):
            self.stats["index_ready"] = True
            return True
        self._error("creating index %s: HTTP %s %s" % (self.index, st, json.dumps(body)[:300]))
        self.failing = True
        return False

    def ship(self):
        """Send queued documents in _bulk batches; keep them for the next try on failure."""
        if not self.ensure_index():
            return
        while self.queue and not self.stop_event.is_set():
            batch = self.queue[:self.batch]
            lines = []
            for d in batch:
                lines.append('{"create":{}}')
                lines.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
            body = ("\n".join(lines) + "\n").encode("utf-8")
            try:
                st, resp = self._json_request("POST", "/%s/_bulk" % self.index, body, "application/x-ndjson")
            except (OSError, ValueError) as e:
                self._error("bulk to %s: %s" % (self.url, e))
                self.stats["index_ready"] = False     # a restarted server: create the index again first
                self.failing = True
                return
            if st == 429 or st >= 500:
                self._error("bulk: HTTP %d" % st)
                self.failing = True
                return
            self.failing = False
            with self.lock:
                del self.queue[:len(batch)]
            if st != 200:
                self.stats["rejected"] += len(batch)
                self._error("bulk: HTTP %d %s" % (st, json.dumps(resp)[:300]))
                continue
            bad = [it for it in resp.get("items", []) if list(it.values())[0].get("status", 500) >= 300]
            self.stats["sent"] += len(batch) - len(bad)
            if bad:
                self.stats["rejected"] += len(bad)
                self._error("bulk: %d of %d rejected, first: %s" % (len(bad), len(batch), json.dumps(list(bad[0].values())[0].get("error"))[:300]))

    def snapshot(self):
        d = super().snapshot()
        with self.lock:
            d["by_level"] = dict(d["by_level"])
            d["by_service"] = dict(d["by_service"])
            d.update({"index": self.index, "sequence": self.seq})
        return d


NET = 0.0002        # seconds on the wire each way between a client span and its server span


class SpanWriter(Sink):
    """Reports Zipkin v2 spans of the sampled requests to POST /api/v2/spans, as Brave would.

    The root of a request is a SERVER span of its entry service.  Each call
    is a CLIENT span in the caller (remoteEndpoint: the callee) and a SERVER
    span in the callee sharing the client's span id ("shared": true, Brave's
    default); the server span's id is the callee's log line's span.id, its
    parentId the caller's, and the trace id is the logs' trace.id.  Tags:
    http.method, http.path, http.status_code, and error (the status code) on
    a 5xx.  A span is reported when it ends.
    """

    what = "spans"

    def __init__(self, url, services, **kw):
        kw.setdefault("max_queue", 100000)
        kw.setdefault("batch", 1000)
        super().__init__("span-writer", url, **kw)
        self.ips = {s: "10.0.1.%d" % (10 + i) for i, s in enumerate(services)}
        self.stats.update({"posts": 0, "by_kind": {}, "by_service": {}})

    def _endpoint(self, svc, with_name=True):
        ep = {"serviceName": svc} if with_name else {}
        ep["ipv4"] = self.ips.get(svc, "10.0.1.250")
        ep["port"] = 8080
        return ep

    @staticmethod
    def _tags(node):
        tags = {"http.method": node["method"], "http.path": node["path"], "http.status_code": node["code"]}
        if node["code"] in ("500", "503"):
            tags["error"] = node["code"]
        return tags

    def items(self, trace_id, tree):
        out = []

        def us(t):
            return int(round(t * 1e6))

        def server(node, caller):
            span = {"traceId": trace_id}
            if caller is not None:
                span["parentId"] = caller["span_id"]
            span.update({"id": node["span_id"], "kind": "SERVER",
                         "name": "%s %s" % (node["method"].lower(), node["route"]),
                         "timestamp": us(node["start"]), "duration": max(1, us(node["duration"])),
                         "localEndpoint": self._endpoint(node["service"])})
            if caller is not None:      # the caller's address, as a server sees it
                span["remoteEndpoint"] = {"ipv4": self.ips.get(caller["service"], "10.0.1.250")}
            span["tags"] = self._tags(node)
            if caller is not None:
                span["shared"] = True
            out.append((node["start"] + node["duration"], span))
            for child in node["children"]:
                start = child["start"] - NET
                out.append((start + child["duration"] + 2 * NET, {
                    "traceId": trace_id, "parentId": node["span_id"], "id": child["span_id"], "kind": "CLIENT",
                    "name": child["method"].lower(), "timestamp": us(start),
                    "duration": max(1, us(child["duration"] + 2 * NET)),
                    "localEndpoint": self._endpoint(node["service"]),
                    "remoteEndpoint": self._endpoint(child["service"]), "tags": self._tags(child)}))
                server(child, node)
        server(tree, None)
        return out

    def on_release(self, span):
        k, s = self.stats["by_kind"], self.stats["by_service"]
        k[span["kind"]] = k.get(span["kind"], 0) + 1
        svc = span["localEndpoint"]["serviceName"]
        s[svc] = s.get(svc, 0) + 1

    def ship(self):
        """POST queued spans in batches; keep them for the next try when Zipkin is away or failing."""
        while self.queue and not self.stop_event.is_set():
            batch = self.queue[:self.batch]
            body = json.dumps(batch, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            try:
                st, resp = self._request("POST", "/api/v2/spans", body)
            except (OSError, ValueError) as e:
                self._error("POST %s/api/v2/spans: %s" % (self.url, e))
                self.failing = True
                return
            self.stats["posts"] += 1
            if st == 429 or st >= 500:
                self._error("POST /api/v2/spans: HTTP %d %s" % (st, resp[:200].decode("utf-8", "replace")))
                self.failing = True
                return
            self.failing = False
            with self.lock:
                del self.queue[:len(batch)]
            if st // 100 != 2:
                self.stats["rejected"] += len(batch)
                self._error("POST /api/v2/spans: HTTP %d %s" % (st, resp[:300].decode("utf-8", "replace")))
                continue
            self.stats["sent"] += len(batch)

    def snapshot(self):
        d = super().snapshot()
        with self.lock:
            d["by_kind"] = dict(d["by_kind"])
            d["by_service"] = dict(d["by_service"])
        d["enabled"] = True
        return d


class Exporter(threading.Thread):
    """Feeds the sinks from one sampler: the history first, then the present, every interval."""

    def __init__(self, sampler, sinks, interval=0.5, history=0.0):
        super().__init__(name="request-sampler", daemon=True)
        self.sampler = sampler
        self.sinks = sinks
        self.interval = interval
        self.history = history
        self.stop_event = threading.Event()

    def feed(self, t0, t1):
        for trace_id, tree in self.sampler.generate(t0, t1):
            for s in self.sinks:
                s.add_request(trace_id, tree)

    def start(self):
        for s in self.sinks:
            s.start()
        super().start()

    def run(self):
        now = time.time()
        last = now
        if self.history > 0:
            # the past first, in slices, each only once the sinks have room for it
            t = now - self.history
            while t < now and not self.stop_event.is_set():
                t1 = min(now, t + 60.0)
                self.feed(t, t1)
                t = t1
                deadline = time.time() + 60.0
                while (not all(s.has_room() for s in self.sinks) and time.time() < deadline
                       and not self.stop_event.is_set()):
                    self.stop_event.wait(0.05)
        for s in self.sinks:
            s.mark_history_fed()
        while not self.stop_event.is_set():
            now = time.time()
            if now - last > 60.0:         # a stall (suspend): don't draw a burst of the past
                last = now - 60.0
            self.feed(last, now)
            last = now
            self.stop_event.wait(max(0.05, self.interval - (time.time() - now)))


# ---- HTTP ------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = "shopsim/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt_, *args):
        if self.server.verbose:
            sys.stderr.write("shopsim: %s %s\n" % (self.address_string(), fmt_ % args))

    def _send(self, code, body, ctype="application/json"):
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, code, obj):
        self._send(code, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")

    def do_GET(self):
        srv = self.server
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        now = time.time()
        if u.path == "/metrics":
            self._send(200, exposition(srv.acc.read(now), now), "text/plain; version=0.0.4; charset=utf-8")
        elif u.path == "/truth":
            self._json(200, truth(srv.shop, srv.acc, now))
        elif u.path == "/incidents":
            self._json(200, {"known": sorted(INCIDENTS), "active": sorted(srv.acc.incidents_at(now))})
        elif u.path == "/history":
            with srv.acc.lock:
                recs = list(srv.acc.records)
            labels = [(k, q[k][0]) for k in ("job", "instance") if k in q]
            self._send(200, openmetrics_history(recs, labels), "application/openmetrics-text; version=1.0.0; charset=utf-8")
        elif u.path == "/debug/traces":
            n = max(1, min(int(q.get("n", ["5"])[0]), 1000))
            rng = random.Random(q.get("seed", [str(now)])[0])
            inc = srv.acc.incidents_at(now)
            self._json(200, [srv.shop.sample_trace(now, inc, rng) for _ in range(n)])
        elif u.path == "/logs":
            w = srv.log_writer
            self._json(200, dict(w.snapshot(), **srv.sampling) if w else {"enabled": False})
        elif u.path == "/spans-stats":
            w = srv.span_writer
            self._json(200, dict(w.snapshot(), **srv.sampling) if w else {"enabled": False})
        elif u.path == "/healthz":
            self._send(200, "ok\n", "text/plain")
        else:
            self._json(404, {"error": "not found", "path": u.path})

    do_HEAD = do_GET

    def _incident(self, on):
        srv = self.server
        u = urlsplit(self.path)
        if not u.path.startswith("/incident/"):
            self._json(404, {"error": "not found", "path": u.path})
            return
        name = u.path[len("/incident/"):]
        if name not in INCIDENTS:
            self._json(404, {"error": "unknown incident", "known": sorted(INCIDENTS)})
            return
        now = time.time()
        srv.acc.set_incident(name, on, now)
        self._json(200, {"incident": name, "on": on,
                         "active": sorted(srv.acc.timeline[-1][1])})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self._incident(True)

    def do_PUT(self):
        self.do_POST()

    def do_DELETE(self):
        self._incident(False)


def parse_listen(s):
    host, _, port = s.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Simulated shop of microservices, as a Prometheus exporter.")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (default 127.0.0.1:0 = any free port)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steady", action="store_true", help="constant rates: no day cycle, noise or error bursts")
    ap.add_argument("--incident", action="append", default=[], choices=sorted(INCIDENTS),
                    help="incident active from the start (repeatable)")
    ap.add_argument("--extra-service", action="append", default=[], metavar="NAME",
                    help="add a service (called by gateway), e.g. a UTF-8 name")
    ap.add_argument("--history", type=float, default=0.0, metavar="SECONDS",
                    help="simulate this much past before now; GET /history serves it")
    ap.add_argument("--history-step", type=float, default=5.0, metavar="SECONDS")
    ap.add_argument("--elasticsearch", metavar="URL", help="write logs of the simulated requests here (_bulk)")
    ap.add_argument("--log-index", default="logs-shop", metavar="NAME", help="index for the logs (default logs-shop)")
    ap.add_argument("--log-sample", default="auto", metavar="F",
                    help="fraction of requests logged, 0 < F <= 1 (default auto: about --log-rate documents a second)")
    ap.add_argument("--log-rate", type=float, default=50.0, metavar="N", help="documents a second for --log-sample auto (default 50)")
    ap.add_argument("--log-interval", type=float, default=0.5, metavar="SECONDS", help="how often logs are shipped (default 0.5)")
    ap.add_argument("--log-history", type=float, default=0.0, metavar="SECONDS",
                    help="also write logs (and spans) for this much past at start (at most --history)")
    ap.add_argument("--zipkin", metavar="URL",
                    help="report Zipkin v2 spans of the sampled requests here (POST /api/v2/spans)")
    ap.add_argument("--pid-file", help="write the process id here")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    ap.add_argument("--print-truth", action="store_true", help="print /truth once and exit")
    args = ap.parse_args(argv)
    sample = None
    if args.log_sample != "auto":
        try:
            sample = float(args.log_sample)
        except ValueError:
            sample = -1.0
        if not 0.0 < sample <= 1.0:
            ap.error("--log-sample must be 'auto' or a fraction in (0, 1]")
    if args.log_interval <= 0 or args.log_rate <= 0:
        ap.error("--log-interval and --log-rate must be positive")

    step = max(TICK, round(args.history_step / TICK) * TICK)
    shop = Shop(seed=args.seed, steady=args.steady, extra=args.extra_service)
    start = time.time()
    origin = math.floor(start) - math.ceil(max(0.0, args.history) / step) * step
    acc = Accumulator(shop, origin, args.incident, record_every=step if args.history > 0 else 0.0,
                      record_until=start)
    if args.print_truth:
        print(json.dumps(truth(shop, acc, start), ensure_ascii=False, indent=1))
        return 0
    acc.read(start)     # simulate the history now, before serving

    srv = ThreadingHTTPServer(parse_listen(args.listen), Handler)
    srv.daemon_threads = True
    srv.shop, srv.acc, srv.verbose = shop, acc, args.verbose
    # one sampler feeds both sinks: a span and the log line of the same
    # request share its trace id and span id
    history = min(max(0.0, args.log_history), start - origin)
    srv.log_writer = srv.span_writer = None
    sinks = []
    if args.elasticsearch:
        srv.log_writer = LogWriter(args.elasticsearch, args.log_index, interval=args.log_interval,
                                   history=history > 0)
        sinks.append(srv.log_writer)
    if args.zipkin:
        srv.span_writer = SpanWriter(args.zipkin, shop.services, interval=args.log_interval, history=history > 0)
        sinks.append(srv.span_writer)
    srv.sampling = {"sample": sample if sample is not None else "auto", "max_rate": args.log_rate}
    exporter = None
    if sinks:
        sampler = RequestSampler(shop, acc, sample=sample, max_rate=args.log_rate, seed=args.seed)
        exporter = Exporter(sampler, sinks, interval=args.log_interval, history=history)
    if args.pid_file:
        import os
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if exporter:
        exporter.start()
    host, port = srv.server_address[:2]
    print("shopsim listening on http://%s:%d (%d services, history %gs in %.2fs)"
          % (host, port, len(shop.services), start - origin, time.time() - start), flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
