#!/usr/bin/env python3
"""zipkinserver - an API-faithful Zipkin v2 test server for opsdeck's tests.

Python 3 standard library only; state in memory, bounded (at most
--max-spans spans, the oldest traces dropped first, as Zipkin's in-memory
storage does).  It answers like a Zipkin server (2.x/3.x) with its default
in-memory storage, on 127.0.0.1:

    POST /api/v2/spans                  a JSON list of v2 spans (Content-Encoding:
                                        gzip too): 202, empty body
    GET  /api/v2/services               local service names, sorted
    GET  /api/v2/spans?serviceName=     span names of a service, sorted
    GET  /api/v2/remoteServices?serviceName=   remote service names, sorted
    GET  /api/v2/traces                 trace search: serviceName, remoteServiceName,
                                        spanName, annotationQuery, minDuration,
                                        maxDuration, endTs, lookback, limit
    GET  /api/v2/trace/{traceId}        one trace's spans; 404 when unknown
    GET  /api/v2/traceMany?traceIds=a,b several traces (at least two ids)
    GET  /api/v2/dependencies?endTs=&lookback=   links between services
    GET  /api/v2/autocompleteKeys, /api/v2/autocompleteValues?key=
    GET  /health                        {"status":"UP", ...}
    GET  /info                          {"zipkin":{"version":...}}

What it does as Zipkin does (zipkin2.internal.V2SpanReader, zipkin2.Span,
zipkin2.storage.InMemoryStorage, QueryRequest, DependencyLinker):

* Intake: ids must be lower-hex (upper case is refused, as Zipkin refuses
  it); shorter ids are left-padded with 0 to 16 (trace ids to 16 or 32)
  digits; a 32-digit trace id whose upper half is zero is the 64-bit id;
  empty and all-zero ids are refused, an all-zero parentId is no parent;
  span names and service names are lower-cased; a parentId equal to the id
  is dropped, "shared" on a CLIENT span is dropped, negative timestamps and
  durations are absent, an empty endpoint is none; tags are kept sorted by
  key, annotations by timestamp; a number where a string is expected is
  taken as its text.  An empty body or [] is accepted and stores nothing.
  Errors are 400 with Zipkin's plain-text message, e.g. "Malformed reading
  List<Span> from json", "Missing : traceId reading List<Span> from json".
  A batch with one bad span stores nothing.
* Storage keeps spans as reported: a span reported again with the same
  (traceId, id, kind, localEndpoint) is NOT merged into one - GET
  /api/v2/trace returns both pieces, as Zipkin's API does (its UI merges
  them); only an exact duplicate is stored once.  Merging (Zipkin's
  Trace.merge) happens where Zipkin does it: when the dependency links are
  computed.
* Trace search (QueryRequest.test): a trace's time is its root span's
  timestamp (else its earliest); it must lie in [endTs - lookback, endTs]
  (milliseconds; endTs defaults to now, lookback to 86400000).  When
  serviceName is given every other condition must be met by spans of that
  service, each condition possibly by a different span; annotationQuery
  terms are joined by " and ": "k=v" matches a tag exactly, a bare "k" a tag
  key or an annotation value; minDuration / maxDuration (microseconds) need
  one such span with duration in range.  Newest traces first, at most limit
  (default 10).  Bad parameters are 400 with the message Zipkin gives
  ("limit <= 0", "maxDuration is only valid with minDuration", 'For input
  string: "x"', "Mandatory parameter/header is missing: endTs").
* Dependencies: Zipkin's DependencyLinker over the traces in the window:
  the server span of a call names the callee, its nearest remote ancestor
  the caller; a CLIENT span without children counts for an uninstrumented
  callee (its remoteEndpoint).  errorCount counts calls whose span has an
  "error" tag, and is left out when 0.

Not implemented: protobuf and v1 (thrift, JSON) intake, the UI.

Options for tests: --fail-every N answers every Nth GET under /api/v2/ with
500 and a plain-text message; --delay-ms N delays those answers.
"""

import argparse
import functools
import gzip
import heapq
import ipaddress
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

VERSION = "2.24.3"
DEFAULT_LOOKBACK_MS = 86400000
KINDS = ("CLIENT", "SERVER", "PRODUCER", "CONSUMER")
HEX = frozenset("0123456789abcdef")
CACHE_NAMES_OVER = 3            # Zipkin sends Cache-Control on names once there are more services
GZIP_MIN_BYTES = 2048           # Armeria's default minimum response size for compression


# ---- errors ---------------------------------------------------------------------

class ZipkinError(Exception):
    """An error answered as Zipkin does: a status and a plain-text message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message):
    return ZipkinError(400, message)


class ReadError(Exception):
    """A span that cannot be read; the message is Zipkin's, before "reading List<Span> from json"."""


# ---- spans ------------------------------------------------------------------------

class Endpoint(tuple):
    """(serviceName, ipv4, ipv6, port) - None for what is absent."""
    __slots__ = ()

    def __new__(cls, service, ipv4, ipv6, port):
        return tuple.__new__(cls, (service, ipv4, ipv6, port))

    service = property(lambda self: self[0])
    ipv4 = property(lambda self: self[1])
    ipv6 = property(lambda self: self[2])
    port = property(lambda self: self[3])

    def json(self):
        d = {}
        if self[0] is not None:
            d["serviceName"] = self[0]
        if self[1] is not None:
            d["ipv4"] = self[1]
        if self[2] is not None:
            d["ipv6"] = self[2]
        if self[3] is not None:
            d["port"] = self[3]
        return d

    def merged(self, other):
        """Endpoint.Builder.merge: fill what this one lacks from other."""
        return Endpoint(*(a if a is not None else b for a, b in zip(self, other)))


class Interner:
    """Shares equal small values (service names, tag keys, endpoints) between spans.

    Bounded: past max entries new values are simply not shared, so names
    from a misbehaving client cannot grow it without end.
    """

    def __init__(self, max_entries=20000):
        self.table = {}
        self.max = max_entries

    def __call__(self, v):
        if v is None:
            return None
        got = self.table.get(v)
        if got is not None:
            return got
        if len(self.table) < self.max:
            self.table[v] = v
        return v


class Span:
    """One stored v2 span, normalised as zipkin2.Span.Builder leaves it."""
    __slots__ = ("trace_id", "parent_id", "id", "kind", "name", "timestamp", "duration",
                 "local", "remote", "annotations", "tags", "debug", "shared", "_hash")

    def __init__(self, trace_id, id_, parent_id=None, kind=None, name=None, timestamp=0, duration=0,
                 local=None, remote=None, annotations=(), tags=(), debug=False, shared=False):
        self.trace_id = trace_id
        self.id = id_
        self.parent_id = parent_id
        self.kind = kind                # one of KINDS or None
        self.name = name                # lower case or None
        self.timestamp = timestamp      # epoch microseconds, 0 = absent
        self.duration = duration        # microseconds, 0 = absent
        self.local = local              # Endpoint or None
        self.remote = remote
        self.annotations = annotations  # ((timestamp, value), ...) sorted
        self.tags = tags                # ((key, value), ...) sorted by key
        self.debug = debug
        self.shared = shared
        self._hash = None

    def _key(self):
        return (self.trace_id, self.parent_id, self.id, self.kind, self.name, self.timestamp, self.duration,
                self.local, self.remote, self.annotations, self.tags, self.debug, self.shared)

    def __eq__(self, other):
        return isinstance(other, Span) and self._key() == other._key()

    def __hash__(self):
        if self._hash is None:
            self._hash = hash(self._key())
        return self._hash

    @property
    def local_service(self):
        return self.local[0] if self.local is not None else None

    @property
    def remote_service(self):
        return self.remote[0] if self.remote is not None else None

    def tag(self, key):
        for k, v in self.tags:
            if k == key:
                return v
        return None

    def has_tag(self, key):
        return any(k == key for k, _ in self.tags)

    def json(self):
        """The span as Zipkin's V2SpanWriter writes it (same member order, absent members left out)."""
        d = {"traceId": self.trace_id}
        if self.parent_id is not None:
            d["parentId"] = self.parent_id
        d["id"] = self.id
        if self.kind is not None:
            d["kind"] = self.kind
        if self.name is not None:
            d["name"] = self.name
        if self.timestamp:
            d["timestamp"] = self.timestamp
        if self.duration:
            d["duration"] = self.duration
        if self.local is not None:
            d["localEndpoint"] = self.local.json()
        if self.remote is not None:
            d["remoteEndpoint"] = self.remote.json()
        if self.annotations:
            d["annotations"] = [{"timestamp": t, "value": v} for t, v in self.annotations]
        if self.tags:
            d["tags"] = dict(self.tags)
        if self.debug:
            d["debug"] = True
        if self.shared:
            d["shared"] = True
        return d

    def copy(self):
        return Span(self.trace_id, self.id, self.parent_id, self.kind, self.name, self.timestamp, self.duration,
                    self.local, self.remote, self.annotations, self.tags, self.debug, self.shared)

    def merge(self, src):
        """Span.Builder.merge: fill what this copy lacks from src, union tags and annotations."""
        self.parent_id = self.parent_id or src.parent_id
        self.kind = self.kind or src.kind
        self.name = self.name or src.name
        self.timestamp = self.timestamp or src.timestamp
        self.duration = self.duration or src.duration
        for attr in ("local", "remote"):
            a, b = getattr(self, attr), getattr(src, attr)
            setattr(self, attr, b if a is None else a.merged(b) if b is not None else a)
        if src.annotations:
            self.annotations = tuple(sorted(set(self.annotations) | set(src.annotations)))
        if src.tags:
            tags = dict(self.tags)
            tags.update(src.tags)
            self.tags = tuple(sorted(tags.items()))
        self.debug = self.debug or src.debug
        self.shared = self.shared or src.shared
        self._hash = None


# ---- reading spans (zipkin2.internal.V2SpanReader) --------------------------------------

def json_type(v):
    """Moshi's name for the JSON token a value starts with, as Zipkin's messages say it."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "BOOLEAN"
    if isinstance(v, (int, float)):
        return "NUMBER"
    if isinstance(v, str):
        return "STRING"
    if isinstance(v, list):
        return "BEGIN_ARRAY"
    return "BEGIN_OBJECT"


def read_string(v, path):
    """JsonReader.nextString: a string, or a number as its text."""
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return repr(v) if isinstance(v, float) else str(v)
    raise ReadError("Expected a string but was %s at path %s" % (json_type(v), path))


def read_long(v, path):
    """JsonReader.nextLong: an integral number (or a string holding one)."""
    if isinstance(v, bool) or v is None:
        raise ReadError("Expected a long but was %s at path %s" % (json_type(v), path))
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            pass
    raise ReadError("Expected a long but was %s at path %s" % (json_type(v), path))


def read_bool(v, path):
    if not isinstance(v, bool):
        raise ReadError("Expected a boolean but was %s at path %s" % (json_type(v), path))
    return v


def zero_prefix(s):
    """Span.validateHexAndReturnZeroPrefix: refuse what is not lower-hex; count the leading zeros."""
    if not all(c in HEX for c in s):
        raise ReadError("%s should be lower-hex encoded with no prefix" % s)
    return len(s) - len(s.lstrip("0"))


def normalize_trace_id(s):
    """Span.normalizeTraceId: lower-hex, left-padded to 16 or 32 digits; a
    32-digit id whose upper half is zero is the 64-bit id of its lower half."""
    if not s:
        raise ReadError("traceId is empty")
    if len(s) > 32:
        raise ReadError("traceId.length > 32")
    zeros = zero_prefix(s)
    if zeros == len(s):
        raise ReadError("traceId is all zeros")
    if len(s) == 32 and zeros >= 16:
        return s[16:]
    if len(s) in (16, 32):
        return s
    return s.rjust(16 if len(s) < 16 else 32, "0")


def normalize_id(s):
    """Span.Builder.id: 1 to 16 lower-hex digits, left-padded to 16, not 16 zeros."""
    if not s:
        raise ReadError("id is empty")
    if len(s) > 16:
        raise ReadError("id.length > 16")
    if zero_prefix(s) == 16:
        raise ReadError("id is all zeros")
    return s.rjust(16, "0")


def normalize_parent_id(s):
    """Span.Builder.parentId: as an id, but all zeros means no parent."""
    if not s:
        raise ReadError("parentId is empty")
    if len(s) > 16:
        raise ReadError("parentId.length > 16")
    if zero_prefix(s) == len(s):
        return None
    return s.rjust(16, "0")


def read_endpoint(v, path, intern):
    if not isinstance(v, dict):
        raise ReadError("Malformed")
    service = ipv4 = ipv6 = port = None
    read_field = False
    for k, x in v.items():
        if x is None:
            continue
        if k == "serviceName":
            s = read_string(x, path + ".serviceName")
            service = s.lower() if s else None
            read_field = True
        elif k in ("ipv4", "ipv6"):
            s = read_string(x, path + "." + k)
            read_field = True
            try:                              # Endpoint.parseIp: an address that does not parse is left out
                ip = ipaddress.ip_address(s)
            except ValueError:
                continue
            if ip.version == 6 and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if ip.version == 4:
                ipv4 = str(ip)
            else:
                ipv6 = str(ip)
        elif k == "port":
            p = read_long(x, path + ".port")
            if p > 0xffff:
                raise ReadError("invalid port %d" % p)
            port = p if p > 0 else None
            read_field = True
    if not read_field or (service, ipv4, ipv6, port) == (None, None, None, None):
        return None                 # an empty endpoint is no endpoint
    return intern(Endpoint(intern(service), ipv4, ipv6, port))


def read_span(v, path, intern):
    if not isinstance(v, dict):
        raise ReadError("Malformed")
    trace_id = span_id = parent_id = kind = name = None
    timestamp = duration = 0
    local = remote = None
    annotations, tags = [], {}
    debug = shared = False
    for k, x in v.items():
        p = "%s.%s" % (path, k)
        if k == "traceId":
            trace_id = normalize_trace_id(read_string(x, p))
            continue
        if k == "id":
            span_id = normalize_id(read_string(x, p))
            continue
        if x is None:
            continue
        if k == "parentId":
            parent_id = normalize_parent_id(read_string(x, p))
        elif k == "kind":
            s = read_string(x, p)
            if s not in KINDS:
                raise ReadError("No enum constant zipkin2.Span.Kind.%s" % s)
            kind = s
        elif k == "name":
            s = read_string(x, p)
            name = intern(s.lower()) if s else None
        elif k == "timestamp":
            timestamp = max(0, read_long(x, p))
        elif k == "duration":
            duration = max(0, read_long(x, p))
        elif k == "localEndpoint":
            local = read_endpoint(x, p, intern)
        elif k == "remoteEndpoint":
            remote = read_endpoint(x, p, intern)
        elif k == "annotations":
            if not isinstance(x, list):
                raise ReadError("Expected BEGIN_ARRAY but was %s at path %s" % (json_type(x), p))
            for i, a in enumerate(x):
                ap = "%s[%d]" % (p, i)
                if not isinstance(a, dict):
                    raise ReadError("Malformed")
                ts, val = a.get("timestamp"), a.get("value")
                if ts is None or val is None:
                    raise ReadError("Incomplete annotation at %s" % ap)
                annotations.append((read_long(ts, ap + ".timestamp"), read_string(val, ap + ".value")))
        elif k == "tags":
            if not isinstance(x, dict):
                raise ReadError("Malformed")
            for tk, tv in x.items():
                if tv is None:
                    raise ReadError("No value at %s.%s" % (p, tk))
                tags[intern(tk)] = read_string(tv, "%s.%s" % (p, tk))
        elif k == "debug":
            debug = read_bool(x, p)
        elif k == "shared":
            shared = read_bool(x, p)
    missing = ("" if trace_id is not None else " traceId") + ("" if span_id is not None else " id")
    if missing:
        raise ReadError("Missing :" + missing)
    if parent_id == span_id:
        parent_id = None
    if shared and kind == "CLIENT":
        shared = False
    # short tag values ("GET", "200") come again and again: share their pairs
    pairs = tuple(intern((k, v)) if len(v) <= 8 else (k, v) for k, v in sorted(tags.items()))
    return Span(trace_id, span_id, parent_id, kind, name, timestamp, duration, local, remote,
                tuple(sorted(set(annotations))), pairs, debug, shared)


def decode_spans(raw, intern):
    """The spans of a POST /api/v2/spans body; ZipkinError 400 as Zipkin words it."""
    if not raw.strip():
        return []
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_request("Malformed reading List<Span> from json")
    if not isinstance(doc, list):
        raise bad_request("Expected BEGIN_ARRAY but was %s at path $ reading List<Span> from json" % json_type(doc))
    try:
        return [read_span(s, "$[%d]" % i, intern) for i, s in enumerate(doc)]
    except ReadError as e:
        raise bad_request("%s reading List<Span> from json" % e)


# ---- storage (zipkin2.storage.InMemoryStorage) ------------------------------------------

class Trace:
    """The spans stored under one trace id, in the order received (exact duplicates once)."""
    __slots__ = ("trace_id", "spans", "version", "links", "links_version", "ts_ms")

    def __init__(self, trace_id):
        self.trace_id = trace_id
        self.spans = {}             # Span -> None: an ordered set
        self.version = 0            # bumped by every new span
        self.links = None           # cached dependency links of this trace
        self.links_version = -1
        self.ts_ms = set()          # span timestamps in ms, what the in-memory index is keyed by

    def min_ts(self):
        return min(self.ts_ms) if self.ts_ms else 0


def low_id(trace_id):
    return trace_id[16:] if len(trace_id) == 32 else trace_id


class Store:
    """Spans in memory with the indexes Zipkin's in-memory storage keeps.

    Every method takes the lock: the HTTP server is threaded.
    """

    def __init__(self, max_spans, autocomplete_keys=()):
        self.lock = threading.Lock()
        self.max_spans = max_spans
        self.traces = {}            # trace id -> Trace, in the order first seen
        self.span_count = 0
        self.accepted = 0
        self.evicted_traces = 0
        self.oldest = []            # heap of (min span timestamp ms, trace id); stale entries skipped
        self.service_traces = {}    # service -> set of trace ids
        self.service_spans = {}     # service -> set of span names
        self.service_remotes = {}   # service -> set of remote service names
        self.autocomplete_keys = frozenset(autocomplete_keys)
        self.autocomplete = {}      # key -> set of values
        self.intern = Interner()

    # -- intake
    def accept(self, spans):
        with self.lock:
            self.accepted += len(spans)
            self._evict(self.span_count + len(spans) - self.max_spans)
            for s in spans:
                self._put(s)

    def _put(self, s):
        tr = self.traces.get(s.trace_id)
        if tr is None:
            tr = self.traces[s.trace_id] = Trace(s.trace_id)
        if s in tr.spans:
            return                  # an exact duplicate: stored once (a LinkedHashSet in Zipkin)
        s.trace_id = tr.trace_id    # one string per trace, not per span
        tr.spans[s] = None
        tr.version += 1
        self.span_count += 1
        ms = s.timestamp // 1000
        old_min = tr.min_ts() if tr.ts_ms else None
        tr.ts_ms.add(ms)
        if old_min is None or ms < old_min:
            heapq.heappush(self.oldest, (ms, s.trace_id))
        svc = s.local_service
        if svc is not None:
            self.service_traces.setdefault(svc, set()).add(s.trace_id)
            if s.remote_service is not None:
                self.service_remotes.setdefault(svc, set()).add(s.remote_service)
            if s.name is not None:
                self.service_spans.setdefault(svc, set()).add(s.name)
        for k, v in s.tags:
            if k in self.autocomplete_keys:
                self.autocomplete.setdefault(k, set()).add(v)

    def _evict(self, to_recover):
        """Drop the oldest traces (by their earliest span timestamp) until to_recover spans are gone."""
        while to_recover > 0 and self.oldest:
            ms, tid = heapq.heappop(self.oldest)
            tr = self.traces.get(tid)
            if tr is None or tr.min_ts() != ms:
                continue            # stale heap entry
            del self.traces[tid]
            n = len(tr.spans)
            self.span_count -= n
            to_recover -= n
            self.evicted_traces += 1
            for s in tr.spans:
                svc = s.local_service
                ids = self.service_traces.get(svc)
                if ids is not None:
                    ids.discard(tid)
                    if not ids:     # an orphaned service goes with its names
                        del self.service_traces[svc]
                        self.service_spans.pop(svc, None)
                        self.service_remotes.pop(svc, None)
        if len(self.oldest) > 4 * max(16, len(self.traces)):
            self.oldest = [(t.min_ts(), tid) for tid, t in self.traces.items() if t.ts_ms]
            heapq.heapify(self.oldest)

    # -- names
    def services(self):
        with self.lock:
            return sorted(self.service_traces)

    def span_names(self, service):
        with self.lock:
            return sorted(self.service_spans.get(service.lower(), ())) if service else []

    def remote_services(self, service):
        with self.lock:
            return sorted(self.service_remotes.get(service.lower(), ())) if service else []

    def autocomplete_values(self, key):
        with self.lock:
            return sorted(self.autocomplete.get(key, ()))

    # -- traces
    def trace(self, trace_id):
        with self.lock:
            tr = self.traces.get(trace_id)
            return list(tr.spans) if tr else []

    def traces_by_ids(self, ids):
        with self.lock:
            return [list(self.traces[t].spans) for t in ids if t in self.traces]

    def search(self, q):
        """Traces matching a QueryRequest, newest first, at most q.limit."""
        begin, end = q.end_ts - q.lookback, q.end_ts
        with self.lock:
            if q.service is not None:
                ids = self.service_traces.get(q.service, ())
            else:
                ids = self.traces.keys()
            # Zipkin walks its (trace, timestamp) index newest first: a trace's
            # place is its newest span timestamp inside the window.
            ranked = []
            for tid in ids:
                tr = self.traces[tid]
                newest = max((ms for ms in tr.ts_ms if begin <= ms <= end), default=None)
                if newest is not None:
                    ranked.append((newest, low_id(tid), tid))
            ranked.sort(reverse=True)
            out = []
            for _, _, tid in ranked:
                if len(out) >= q.limit:
                    break
                spans = list(self.traces[tid].spans)
                if q.test(spans):
                    out.append(spans)
            return out

    def dependencies(self, end_ts, lookback):
        """DependencyLinker over the traces with a span timestamp in [end_ts - lookback, end_ts]."""
        begin = end_ts - lookback
        with self.lock:
            groups = {}             # by the lower 64 bits, as Zipkin does for links
            for tid, tr in self.traces.items():
                if any(begin <= ms <= end_ts for ms in tr.ts_ms):
                    groups.setdefault(low_id(tid), []).append(tr)
            calls, errors = {}, {}
            for trs in groups.values():
                if len(trs) == 1:
                    tr = trs[0]
                    if tr.links_version != tr.version:
                        tr.links = trace_links(list(tr.spans))
                        tr.links_version = tr.version
                    links = tr.links
                else:
                    links = trace_links([s for tr in trs for s in tr.spans])
                for parent, child, is_error in links:
                    calls[(parent, child)] = calls.get((parent, child), 0) + 1
                    if is_error:
                        errors[(parent, child)] = errors.get((parent, child), 0) + 1
        out = []
        for (parent, child), n in calls.items():
            link = {"parent": parent, "child": child, "callCount": n}
            if errors.get((parent, child)):
                link["errorCount"] = errors[(parent, child)]
            out.append(link)
        return out

    def stats(self):
        with self.lock:
            return {"spans": self.span_count, "traces": len(self.traces), "accepted": self.accepted,
                    "evicted_traces": self.evicted_traces, "max_spans": self.max_spans}


# ---- trace search (zipkin2.storage.QueryRequest) ------------------------------------------

def parse_long(params, name):
    """An optional long query parameter; Armeria's NumberFormatException message when bad."""
    v = params.get(name)
    if v is None:
        return None
    if not re.fullmatch(r"[+-]?[0-9]+", v) or not -2 ** 63 <= int(v) < 2 ** 63:
        raise bad_request('For input string: "%s"' % v)
    return int(v)


def required(params, name):
    v = params.get(name)
    if v is None:
        raise bad_request("Mandatory parameter/header is missing: %s" % name)
    return v


def parse_annotation_query(s):
    """QueryRequest.Builder.parseAnnotationQuery: {key: value}, "" for a bare key."""
    out = {}
    if not s:
        return out
    for term in s.split(" and ")[:100]:
        if "=" not in term:
            term = term.strip()
            out.setdefault(term, "")
        else:
            k, _, v = term.partition("=")
            out[k.strip()] = v.strip()
    out.pop("", None)
    return out


class QueryRequest:
    def __init__(self, params, default_lookback, now_ms):
        def name(p):
            v = params.get(p)
            v = v.lower() if v is not None else None
            return v or None
        self.service = name("serviceName")
        self.remote_service = name("remoteServiceName")
        self.span_name = name("spanName")
        if self.span_name == "all":
            self.span_name = None
        self.annotation_query = parse_annotation_query(params.get("annotationQuery"))
        self.min_duration = parse_long(params, "minDuration")
        self.max_duration = parse_long(params, "maxDuration")
        end = parse_long(params, "endTs")
        self.end_ts = end if end is not None else now_ms
        lb = parse_long(params, "lookback")
        self.lookback = lb if lb is not None else default_lookback
        lim = parse_long(params, "limit")
        self.limit = lim if lim is not None else 10
        if not -2 ** 31 <= self.limit < 2 ** 31:
            raise bad_request('For input string: "%s"' % params.get("limit"))
        if self.end_ts <= 0:
            raise bad_request("endTs <= 0")
        if self.limit <= 0:
            raise bad_request("limit <= 0")
        if self.lookback <= 0:
            raise bad_request("lookback <= 0")
        if self.min_duration is not None:
            if self.min_duration <= 0:
                raise bad_request("minDuration <= 0")
            if self.max_duration is not None and self.max_duration < self.min_duration:
                raise bad_request("maxDuration < minDuration")
        elif self.max_duration is not None:
            raise bad_request("maxDuration is only valid with minDuration")

    def test(self, spans):
        # the trace's time: its root span's timestamp, else the earliest
        ts = 0
        for s in spans:
            if not s.timestamp:
                continue
            if s.parent_id is None:
                ts = s.timestamp
                break
            if ts == 0 or ts > s.timestamp:
                ts = s.timestamp
        if ts == 0 or ts < (self.end_ts - self.lookback) * 1000 or ts > self.end_ts * 1000:
            return False
        tested_duration = self.min_duration is None and self.max_duration is None
        service_found = self.service is None
        remote_left, name_left = self.remote_service, self.span_name
        remaining = dict(self.annotation_query)
        for s in spans:
            if self.service is not None and self.service != s.local_service:
                continue
            service_found = True
            for _, value in s.annotations:
                if remaining.get(value) == "":
                    del remaining[value]
            for k, v in s.tags:
                want = remaining.get(k)
                if want is not None and (want == "" or want == v):
                    del remaining[k]
            if remote_left is not None and remote_left == s.remote_service:
                remote_left = None
            if name_left is not None and name_left == s.name:
                name_left = None
            if not tested_duration:
                if self.max_duration is not None:
                    tested_duration = self.min_duration <= s.duration <= self.max_duration
                else:
                    tested_duration = s.duration >= self.min_duration
        return service_found and remote_left is None and name_left is None and not remaining and tested_duration


# ---- dependency links (Trace.merge, SpanNode, DependencyLinker) ---------------------------

def _cmp_none_last(a, b):
    if a is None:
        return 0 if b is None else 1
    if b is None:
        return -1
    return (a > b) - (a < b)


def _cleanup_cmp(left, right):
    """Trace.CLEANUP_COMPARATOR: by id, clients before shared servers, null endpoints first."""
    if left == right:
        return 0
    if left.id != right.id:
        return -1 if left.id < right.id else 1
    ls, rs = bool(left.shared), bool(right.shared)
    if ls and rs:
        c = 0
    elif ls:
        c = 1
    elif rs:
        c = -1
    else:
        lc, rc = left.kind == "CLIENT", right.kind == "CLIENT"
        c = 0 if lc == rc else (-1 if lc else 1)
    if c:
        return c
    le, re_ = left.local, right.local
    if le is None:
        return 0 if re_ is None else -1
    if re_ is None:
        return 1
    for a, b in ((le.service, re_.service), (le.ipv4, re_.ipv4), (le.ipv6, re_.ipv6)):
        c = _cmp_none_last(a, b)
        if c:
            return c
    return 0


class _EndpointTracker:
    def __init__(self):
        self.service = self.ipv4 = self.ipv6 = None
        self.port = 0

    def try_merge(self, ep):
        if ep is None:
            return True
        for mine, theirs in ((self.service, ep.service), (self.ipv4, ep.ipv4), (self.ipv6, ep.ipv6)):
            if mine is not None and theirs is not None and mine != theirs:
                return False
        if self.port and ep.port and self.port != ep.port:
            return False
        self.service = self.service or ep.service
        self.ipv4 = self.ipv4 or ep.ipv4
        self.ipv6 = self.ipv6 or ep.ipv6
        self.port = self.port or (ep.port or 0)
        return True


def merge_trace(spans):
    """Trace.merge: join pieces of one span reported apart; mark a SERVER span sharing its CLIENT's id."""
    if len(spans) <= 1:
        return list(spans)
    result = sorted(spans, key=functools.cmp_to_key(_cleanup_cmp))
    trace_id = result[0].trace_id
    for s in result[1:]:
        if len(trace_id) != 32:
            trace_id = s.trace_id
    i, last = 0, None
    while i < len(result):
        span = result[i]
        shared = bool(span.shared)
        repl = None
        if len(span.trace_id) != len(trace_id):
            repl = span.copy()
            repl.trace_id = trace_id
        tracker = None
        while i + 1 < len(result):
            nxt = result[i + 1]
            if nxt.id != span.id:
                break
            if tracker is None:
                tracker = _EndpointTracker()
                tracker.try_merge(span.local)
            if shared == bool(nxt.shared) and tracker.try_merge(nxt.local):
                repl = repl or span.copy()
                repl.merge(nxt)
                del result[i + 1]
                continue
            break
        if last is not None and last.id == span.id:
            if last.kind == "CLIENT" and span.kind == "SERVER" and not shared:
                shared = True
                repl = repl or span.copy()
                repl.shared = True
            if shared and span.parent_id is None and last.parent_id is not None:
                repl = repl or span.copy()
                repl.parent_id = last.parent_id
        if repl is not None:
            result[i] = span = repl
        last = span
        i += 1
    return result


class _Node:
    __slots__ = ("span", "parent", "children")

    def __init__(self, span):
        self.span = span
        self.parent = None
        self.children = []


def _key(span_id, shared, endpoint):
    return ("shared", span_id, endpoint) if shared else span_id


def build_tree(spans):
    """SpanNode.Builder.build: the trace tree; a synthetic root (span None) when there is no root."""
    cleaned = merge_trace(spans)
    key_to_node, span_to_parent = {}, {}
    for s in cleaned:
        if s.shared:
            span_to_parent[_key(s.id, True, s.local)] = s.id
        else:
            span_to_parent[s.id] = s.parent_id
    root = None
    for s in cleaned:
        shared = bool(s.shared)
        key = _key(s.id, shared, s.local)
        no_ep_key = _key(s.id, shared, None) if s.local is not None else key
        parent = None
        if shared:
            parent = s.id
        elif s.parent_id is not None:
            parent = _key(s.parent_id, True, s.local)
            if parent in span_to_parent:
                span_to_parent[no_ep_key] = parent
            else:
                parent = s.parent_id
        node = _Node(s)
        if parent is None and root is None:
            root = node
            span_to_parent.pop(no_ep_key, None)
        elif shared:
            key_to_node[key] = node
            key_to_node[no_ep_key] = node
        else:
            key_to_node[no_ep_key] = node
    if root is None:
        root = _Node(None)
    for child_key, parent_key in span_to_parent.items():
        child = key_to_node.get(child_key)
        if child is None:
            continue
        parent = key_to_node.get(parent_key) if parent_key is not None else None
        if parent is None or parent is child:
            parent = root
        parent.children.append(child)
        child.parent = parent
    return root


def _breadth_first(root):
    queue = list(root.children) if root.span is None else [root]
    seen = set()
    while queue:
        node = queue.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        queue.extend(node.children)


def trace_links(spans):
    """DependencyLinker.putTrace: [(parent, child, is_error)] for one trace's spans."""
    if not spans:
        return []
    root = build_tree(spans)
    out = []
    for node in _breadth_first(root):
        span = node.span
        kind = span.kind
        if kind == "CLIENT" and node.children:
            continue                # the server side names the callee
        service, remote = span.local_service, span.remote_service
        if kind is None:
            if service is not None and remote is not None:
                kind = "CLIENT"
            else:
                continue
        if kind in ("SERVER", "CONSUMER"):
            child, parent = service, remote
            if node is root and parent is None:
                continue
        else:
            parent, child = service, remote
        is_error = span.has_tag("error")
        if kind in ("PRODUCER", "CONSUMER"):
            if parent is not None and child is not None:
                out.append((parent, child, is_error))
            continue
        ancestor = node.parent
        while ancestor is not None and (ancestor.span is None or ancestor.span.kind is None):
            ancestor = ancestor.parent
        remote_ancestor = ancestor.span if ancestor is not None else None
        if remote_ancestor is not None and remote_ancestor.local_service is not None:
            ra_name = remote_ancestor.local_service
            if kind == "CLIENT" and service is not None and ra_name != service:
                out.append((ra_name, service, False))
            if kind == "SERVER" or parent is None:
                parent = ra_name
            if (not is_error and remote_ancestor.kind == "CLIENT" and span.parent_id is not None
                    and span.parent_id == remote_ancestor.id):
                is_error = remote_ancestor.has_tag("error")
        if parent is None or child is None:
            continue
        out.append((parent, child, is_error))
    return out


# ---- HTTP ---------------------------------------------------------------------------------

def parse_trace_id_param(s):
    s = s.strip()
    try:
        return normalize_trace_id(s)
    except ReadError as e:
        raise bad_request(str(e))


class Handler(BaseHTTPRequestHandler):
    server_version = "zipkinserver"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt_, *args):
        if self.server.verbose:
            sys.stderr.write("zipkinserver: %s\n" % (fmt_ % args))

    # -- plumbing
    def send(self, status, body=b"", ctype=None, headers=None):
        if ctype and len(body) >= GZIP_MIN_BYTES and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers = dict(headers or {}, **{"Content-Encoding": "gzip"})
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, obj, headers=None):
        data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send(200, data, "application/json", headers)

    def send_text(self, status, text):
        self.send(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def send_names(self, names):
        """A list of names, with Cache-Control once more than 3 services are known (as Zipkin)."""
        hdr = {"Cache-Control": "max-age=300, must-revalidate"} if self.server.service_count > CACHE_NAMES_OVER else None
        self.send_json(names, hdr)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > self.server.max_body:
                    self.close_connection = True
                    raise ZipkinError(413, "Request Entity Too Large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
            raw = b"".join(chunks)
        else:
            if n > self.server.max_body:
                self.close_connection = True
                raise ZipkinError(413, "Request Entity Too Large")
            raw = self.rfile.read(n) if n else b""
        if raw and "gzip" in self.headers.get("Content-Encoding", "").lower():
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError):
                raise bad_request("Cannot gunzip spans")
        return raw

    # -- dispatch
    def handle_any(self):
        u = urlsplit(self.path)
        params = {}
        for k, v in parse_qs(u.query, keep_blank_values=True).items():
            params[k] = v[0]
        path = u.path.rstrip("/") or "/"
        try:
            raw = self.read_body() if self.command in ("POST", "PUT") else b""
            if self.command == "GET" and path.startswith("/api/v2/"):
                self.maybe_fail()
            self.route(path, params, raw)
        except ZipkinError as e:
            self.send_text(e.status, e.message)
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True
        except Exception as e:      # a bug here: say so as Zipkin does (500, the message), keep serving
            import traceback
            traceback.print_exc()
            self.send_text(500, "%s: %s" % (type(e).__name__, e))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    def maybe_fail(self):
        srv = self.server
        if srv.delay_ms > 0:
            time.sleep(srv.delay_ms / 1000.0)
        if srv.fail_every > 0:
            with srv.count_lock:
                srv.api_gets += 1
                n = srv.api_gets
            if n % srv.fail_every == 0:
                raise ZipkinError(500, "zipkinserver: injected failure: query %d of every %d fails (--fail-every)"
                                  % (n, srv.fail_every))

    def route(self, path, params, raw):
        st = self.server.store
        m = self.command
        if path == "/api/v2/spans" and m == "POST":
            return self.post_spans(raw)
        if m not in ("GET", "HEAD"):
            if path.startswith("/api/v2/") or path in ("/health", "/info"):
                raise ZipkinError(405, "Status: 405\nDescription: Method Not Allowed")
            raise ZipkinError(404, "Status: 404\nDescription: Not Found")
        if path == "/api/v2/services":
            names = st.services()
            self.server.service_count = len(names)
            return self.send_names(names)
        if path == "/api/v2/spans":
            return self.send_names(st.span_names(required(params, "serviceName")))
        if path == "/api/v2/remoteServices":
            return self.send_names(st.remote_services(required(params, "serviceName")))
        if path == "/api/v2/traces":
            q = QueryRequest(params, self.server.default_lookback, int(time.time() * 1000))
            return self.send_json([[s.json() for s in t] for t in st.search(q)])
        if path.startswith("/api/v2/trace/"):
            tid = parse_trace_id_param(unquote(path[len("/api/v2/trace/"):]))
            spans = st.trace(tid)
            if not spans:
                raise ZipkinError(404, "%s not found" % tid)
            return self.send_json([s.json() for s in spans])
        if path == "/api/v2/traceMany":
            return self.trace_many(required(params, "traceIds"))
        if path == "/api/v2/dependencies":
            end = parse_long({"endTs": required(params, "endTs")}, "endTs")
            lb = parse_long(params, "lookback")
            lb = lb if lb is not None else self.server.default_lookback
            if end <= 0:
                raise bad_request("endTs <= 0")
            if lb <= 0:
                raise bad_request("lookback <= 0")
            return self.send_json(st.dependencies(end, lb))
        if path == "/api/v2/autocompleteKeys":
            return self.send_json(sorted(self.server.store.autocomplete_keys))
        if path == "/api/v2/autocompleteValues":
            key = required(params, "key")
            if not key:
                raise bad_request("key was empty")
            return self.send_json(st.autocomplete_values(key))
        if path == "/health":
            return self.send_json({"status": "UP", "zipkin": {"status": "UP", "details": {
                "InMemoryStorage{}": {"status": "UP"}}}})
        if path == "/info":
            return self.send_json({"zipkin": {"version": VERSION}})
        if path == "/stats":                # ours, not Zipkin's: what the store holds
            return self.send_json(st.stats())
        raise ZipkinError(404, "Status: 404\nDescription: Not Found")

    def post_spans(self, raw):
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
        if ctype in ("application/x-protobuf", "application/protobuf"):
            raise bad_request("zipkinserver: protobuf spans are not supported by this test server; send JSON")
        spans = decode_spans(raw, self.server.store.intern)
        if spans:
            self.server.store.accept(spans)
        self.send(202)

    def trace_many(self, ids):
        if not ids:
            raise bad_request("traceIds parameter is empty")
        normalized = []
        for t in ids.split(",")[:1000]:
            n = parse_trace_id_param(t)
            if n in normalized:
                raise bad_request("redundant traceId: %s" % t)
            normalized.append(n)
        if len(normalized) == 1:
            raise bad_request("Use /api/v2/trace/{traceId} endpoint to retrieve a single trace")
        self.send_json([[s.json() for s in t] for t in self.server.store.traces_by_ids(normalized)])


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that went away mid-request is not a server bug: say nothing.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="An API-faithful Zipkin v2 test server (in memory).")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (default 127.0.0.1:0, a free port)")
    ap.add_argument("--port", type=int, help="shorthand for --listen 127.0.0.1:PORT")
    ap.add_argument("--max-spans", type=int, default=500000,
                    help="spans kept; the oldest traces are dropped first (default 500000, as Zipkin)")
    ap.add_argument("--lookback", type=int, default=DEFAULT_LOOKBACK_MS, metavar="MS",
                    help="default lookback of searches and links (zipkin.query.lookback, default 86400000)")
    ap.add_argument("--autocomplete-keys", default="", metavar="K1,K2",
                    help="tag keys offered by /api/v2/autocompleteKeys (zipkin.storage.autocomplete-keys)")
    ap.add_argument("--fail-every", type=int, default=0, metavar="N",
                    help="answer every Nth GET under /api/v2/ with 500 (default 0: never)")
    ap.add_argument("--delay-ms", type=int, default=0, metavar="MS", help="delay every GET under /api/v2/")
    ap.add_argument("--max-body", type=int, default=50 * 1024 * 1024, help="largest request body (bytes)")
    ap.add_argument("--pid-file")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)
    if args.max_spans <= 0:
        ap.error("--max-spans must be positive")
    if args.fail_every < 0 or args.delay_ms < 0 or args.lookback <= 0:
        ap.error("--fail-every and --delay-ms must not be negative, --lookback must be positive")

    host, port = "127.0.0.1", 0
    if args.port is not None:
        port = args.port
    else:
        h, _, p = args.listen.rpartition(":")
        host, port = h or "127.0.0.1", int(p)
    srv = Server((host, port), Handler)
    keys = [k.strip() for k in args.autocomplete_keys.split(",") if k.strip()]
    srv.store = Store(args.max_spans, keys)
    srv.verbose = args.verbose
    srv.max_body = args.max_body
    srv.default_lookback = args.lookback
    srv.fail_every = args.fail_every
    srv.delay_ms = args.delay_ms
    srv.count_lock = threading.Lock()
    srv.api_gets = 0
    srv.service_count = 0
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(signum, frame):
        # In-memory state only: leave at once, no request thread torn down half-way.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    h, p = srv.server_address[:2]
    print("listening on %s:%d (Zipkin %s API v2, in memory, at most %d spans)" % (h, p, VERSION, args.max_spans),
          flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
