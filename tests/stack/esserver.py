#!/usr/bin/env python3
"""esserver - an API-faithful Elasticsearch test server for opsdeck's tests.

Python 3 standard library only; state in memory, bounded (at most
--max-docs documents per index, oldest dropped first).  It answers like
Elasticsearch 8.x (or 7.x with --version 7.17.0), on 127.0.0.1:

    GET|HEAD /                          cluster info, X-Elastic-Product header
    GET  /_cluster/health
    PUT  /{index}                       create, with "mappings" and "settings"
    GET|HEAD|DELETE /{index}
    GET  /{index}/_mapping
    POST /_bulk, /{index}/_bulk         NDJSON index / create / delete actions
    POST|PUT /{index}/_doc[/{id}], PUT /{index}/_create/{id}, GET /{index}/_doc/{id}
    POST /{index}/_refresh, /_refresh
    GET  /_cat/indices[/{pattern}]      ?format=json, ?v, ?h=
    GET|POST /{index}/_count
    GET|POST /{index}/_search, /_search  (index: a comma list with wildcards)
    GET|POST /_msearch, /{index}/_msearch
    POST /{index}/_pit, DELETE /_pit    point in time (search with "pit")

Search: query DSL match_all, match_none, bool (must / filter / should /
must_not / minimum_should_match), query_string (the Lucene classic syntax:
field:value, bare terms over all fields, AND OR NOT && || ! + -, groups,
phrases, wildcards * ?, /regexp/, fuzzy~, ranges [a TO b] {a TO b} and
field:>=x, _exists_), simple term, terms, match, match_phrase, range (date
math, format epoch_millis / epoch_second / ISO, time_zone), exists, prefix,
wildcard, ids; sort by fields, _doc, _score, _shard_doc (with a point in time)
with sort values (dates as epoch milliseconds), search_after, from, size
(from + size <= 10,000), track_total_hits (default 10,000), _source
filtering, filter_path; aggregations terms, date_histogram (fixed_interval,
calendar_interval, extended_bounds, hard_bounds, min_doc_count, offset,
time_zone), histogram, filter, filters, min, max, avg, sum, value_count,
cardinality, stats, with sub-aggregations.

Fields are typed by a mapping, explicit (PUT /{index}) or dynamic as
Elasticsearch does it (a string becomes text with a .keyword sub-field, a
date-looking string a date, numbers long or float): text fields are
analysed (lower-cased words), keyword fields match whole values, and
sorting or aggregating on a text field fails with Elasticsearch's
"Fielddata is disabled" error.  Dotted names (log.level) resolve in nested
objects and in flat dotted keys alike.  Documents become searchable at the
next refresh (--refresh-interval, default 1 s as in Elasticsearch; 0 =
at once), or on _refresh / ?refresh=true|wait_for.

Errors have Elasticsearch's own shape: parsing_exception (bad JSON, unknown
query), search_phase_execution_exception with query_shard_exception root
causes (a malformed query_string), index_not_found_exception (404, for a
missing concrete index; wildcards matching nothing are empty results),
security_exception (401, with --basic / --api-key / --bearer),
es_rejected_execution_exception (429 with Retry-After, --fail-429-every N).
"""

import argparse
import base64
import datetime
import fnmatch
import gzip
import heapq
import json
import math
import os
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

LONG_MAX = 9223372036854775807
LONG_MIN = -9223372036854775808
MAX_RESULT_WINDOW = 10000
MAX_BUCKETS = 65536
DEFAULT_TRACK = 10000
NODE_ID = "esserverNode0000000001"
CLUSTER_UUID = "esserverCluster0000001"


# ---- errors -----------------------------------------------------------------

class ESError(Exception):
    """An error answered in Elasticsearch's shape."""

    def __init__(self, status, type_, reason, headers=None, body=None, **fields):
        super().__init__(reason)
        self.status = status
        self.type = type_
        self.reason = reason
        self.headers = headers or {}
        self.fields = fields
        self._body = body

    def cause(self):
        d = {"type": self.type, "reason": self.reason}
        d.update(self.fields)
        return d

    def body(self):
        if self._body is not None:
            return self._body
        err = self.cause()
        root = dict(err)
        root.pop("caused_by", None)
        err = dict(err)
        err["root_cause"] = [root]
        # root_cause first, as Elasticsearch writes it
        err = {"root_cause": err.pop("root_cause"), **err}
        return {"error": err, "status": self.status}


class ShardError(Exception):
    """A failure while running a search on one index (shard)."""

    def __init__(self, type_, reason, caused_by=None):
        super().__init__(reason)
        self.type = type_
        self.reason = reason
        self.caused_by = caused_by


def parsing_error(reason, line=1, col=1, caused_by=None):
    f = {"line": line, "col": col}
    if caused_by:
        f["caused_by"] = caused_by
    return ESError(400, "parsing_exception", reason, **f)


def illegal(reason):
    return ESError(400, "illegal_argument_exception", reason)


def validation(reason):
    return ESError(400, "action_request_validation_exception", "Validation Failed: 1: %s;" % reason)


def shard_failure_body(failures):
    """search_phase_execution_exception for shard failures [(index, ShardError)]."""
    roots, shards = [], []
    for i, (idx, e) in enumerate(failures):
        reason = {"type": e.type, "reason": e.reason}
        if e.type in ("query_shard_exception",):
            reason.update({"index_uuid": idx.uuid, "index": idx.name})
        if e.caused_by:
            reason["caused_by"] = e.caused_by
        root = {k: v for k, v in reason.items() if k != "caused_by"}
        if root not in roots:
            roots.append(root)
        shards.append({"shard": 0, "index": idx.name, "node": NODE_ID, "reason": reason})
    err = {"root_cause": roots, "type": "search_phase_execution_exception", "reason": "all shards failed",
           "phase": "query", "grouped": True, "failed_shards": shards[:1]}
    first = failures[0][1]
    if first.type != "query_shard_exception":
        cb = {"type": first.type, "reason": first.reason}
        if first.caused_by:
            cb["caused_by"] = first.caused_by
        err["caused_by"] = cb
    return {"error": err, "status": 400}


def index_not_found(name):
    return ESError(404, "index_not_found_exception", "no such index [%s]" % name,
                   **{"resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_", "index": name})


# ---- dates --------------------------------------------------------------------

ISO_RE = re.compile(
    r"^([+-]?\d{4,9})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?)?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$")
UNIT_MS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "H": 3600000, "d": 86400000, "w": 7 * 86400000}


def tz_offset_ms(tz, at_ms):
    """Offset of time zone tz (None, "UTC", "+01:00", "Europe/Paris") at at_ms, in ms."""
    if not tz or tz in ("Z", "UTC", "utc", "GMT", "Etc/UTC"):
        return 0
    m = re.match(r"^([+-])(\d{1,2})(?::?(\d{2}))?$", tz)
    if m:
        off = (int(m.group(2)) * 60 + int(m.group(3) or 0)) * 60000
        return -off if m.group(1) == "-" else off
    try:
        import zoneinfo
        z = zoneinfo.ZoneInfo(tz)
    except Exception:
        raise illegal("Unknown time-zone ID: %s" % tz)
    dt = datetime.datetime.fromtimestamp(at_ms / 1000.0, datetime.timezone.utc).astimezone(z)
    return int(dt.utcoffset().total_seconds() * 1000)


def _days_in_month(y, m):
    if m == 12:
        return 31
    return (datetime.date(y, m + 1, 1) - datetime.date(y, m, 1)).days


def parse_iso(s, round_up=False, tz=None):
    """ISO-8601 date (strict_date_optional_time) to epoch ms, or None."""
    m = ISO_RE.match(s.strip())
    if not m:
        return None
    y, mo, d, h, mi, se, frac, zone = m.groups()
    try:
        y = int(y)
        parts = [mo, d, h, mi, se]
        if round_up:
            mo_i = int(mo) if mo else 12
            d_i = int(d) if d else _days_in_month(y, mo_i)
            h_i = int(h) if h else 23
            mi_i = int(mi) if mi else 59
            se_i = int(se) if se else 59
            ms = int((frac + "000")[:3]) if frac else 999
        else:
            mo_i, d_i = int(mo or 1), int(d or 1)
            h_i, mi_i, se_i = int(h or 0), int(mi or 0), int(se or 0)
            ms = int((frac + "000")[:3]) if frac else 0
        del parts
        dt = datetime.datetime(y, mo_i, d_i, h_i, mi_i, se_i, tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    t = int(dt.timestamp() * 1000) + ms
    if zone:
        t -= tz_offset_ms(zone if zone != "Z" else None, t)
    elif tz:
        t -= tz_offset_ms(tz, t)
    return t


def format_date(ms, tz=None):
    """strict_date_optional_time with millis, as Elasticsearch prints dates."""
    off = tz_offset_ms(tz, ms) if tz else 0
    dt = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=ms + off)
    s = dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%03d" % (int(ms + off) % 1000)
    if not tz or off == 0 and tz in ("UTC", "Z", "utc", "GMT", "Etc/UTC"):
        return s + "Z"
    sign = "-" if off < 0 else "+"
    a = abs(off) // 60000
    return s + "%s%02d:%02d" % (sign, a // 60, a % 60)


def _round_unit(ms, unit, up, tz=None):
    off = tz_offset_ms(tz, ms) if tz else 0
    local = ms + off
    dt = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=local)
    if unit == "y":
        start = dt.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1)
    elif unit == "M":
        start = dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
    elif unit == "w":
        start = (dt - datetime.timedelta(days=dt.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + datetime.timedelta(days=7)
    else:
        u = UNIT_MS[unit]
        s = (local // u) * u
        return (s + u - 1 if up else s) - off
    s_ms = int(start.timestamp() * 1000)
    e_ms = int(end.timestamp() * 1000)
    return (e_ms - 1 if up else s_ms) - off


def _add_unit(ms, n, unit):
    if unit in ("y", "M"):
        dt = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=ms)
        months = n * (12 if unit == "y" else 1)
        y, m = divmod(dt.month - 1 + months, 12)
        y += dt.year
        d = min(dt.day, _days_in_month(y, m + 1))
        return int(dt.replace(year=y, month=m + 1, day=d).timestamp() * 1000) + ms % 1000
    return ms + n * UNIT_MS[unit]


MATH_RE = re.compile(r"([+-])(\d*)([yMwdhHms])|/([yMwdhHms])")


def parse_date(v, fmt=None, round_up=False, tz=None, now_ms=None):
    """A date value as Elasticsearch accepts it (string, number, date math) -> epoch ms."""
    fmts = (fmt or "strict_date_optional_time||epoch_millis").split("||")
    if isinstance(v, bool):
        raise ValueError("bad date %r" % v)
    if isinstance(v, (int, float)):
        if "epoch_second" in fmts and "epoch_millis" not in fmts:
            return int(v * 1000)
        return int(v)
    if not isinstance(v, str):
        raise ValueError("bad date %r" % (v,))
    s = v.strip()
    base, rest = s, ""
    if s.startswith("now"):
        base, rest = "now", s[3:]
    elif "||" in s:
        base, rest = s.split("||", 1)
    if base == "now":
        t = int(time.time() * 1000) if now_ms is None else now_ms
    else:
        t = None
        for f in fmts:
            f = f.strip()
            if f in ("epoch_millis", "epoch_second"):
                if re.match(r"^-?\d+(\.\d+)?$", base):
                    t = int(float(base) * (1000 if f == "epoch_second" else 1))
                    break
            elif f in ("strict_date_optional_time", "date_optional_time", "strict_date_time", "date_time",
                       "strict_date_optional_time_nanos", "iso8601", "strict_date", "date"):
                t = parse_iso(base, round_up=round_up and not rest, tz=tz)
                if t is not None:
                    break
            elif f in ("yyyy-MM-dd HH:mm:ss",):
                t = parse_iso(base.replace(" ", "T"), round_up=round_up and not rest, tz=tz)
                if t is not None:
                    break
        if t is None:
            raise ValueError("failed to parse date field [%s] with format [%s]" % (v, fmt or "strict_date_optional_time||epoch_millis"))
    pos = 0
    while pos < len(rest):
        m = MATH_RE.match(rest, pos)
        if not m:
            raise ValueError("operator not supported for date math [%s]" % rest)
        if m.group(4):
            t = _round_unit(t, m.group(4), round_up, tz)
        else:
            n = int(m.group(2) or 1)
            t = _add_unit(t, n if m.group(1) == "+" else -n, m.group(3))
        pos = m.end()
    return t


# ---- analysis -------------------------------------------------------------------

WORD_RE = re.compile(r"[^\W_]+(?:['’._][^\W_]+)*|_+", re.UNICODE)
HAN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def analyze(text):
    """Approximates the standard analyzer: words (Unicode), lower-cased; CJK ideographs one each."""
    out = []
    for w in WORD_RE.findall(text):
        w = w.lower()
        if w.strip("_") == "":
            continue
        if "." in w and not re.match(r"^[\d.]+$", w) and not re.match(r"^(\w\.)+\w$", w):
            out.extend(p for p in w.split(".") if p)
            continue
        if HAN_RE.search(w):
            buf = ""
            for ch in w:
                if HAN_RE.match(ch):
                    if buf:
                        out.append(buf)
                        buf = ""
                    out.append(ch)
                else:
                    buf += ch
            if buf:
                out.append(buf)
            continue
        out.append(w)
    return out


def wildcard_re(pat, lower=False):
    """Lucene wildcard (* ?, backslash escapes) -> compiled full-match regex."""
    out, i = [], 0
    while i < len(pat):
        c = pat[i]
        if c == "\\" and i + 1 < len(pat):
            out.append(re.escape(pat[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c.lower() if lower else c))
        i += 1
    return re.compile("".join(out), re.S)


def token_wildcard_re(pat, lower=False):
    """A wildcard matching one whole token inside an analysed " tok tok " string."""
    out, i = [], 0
    while i < len(pat):
        c = pat[i]
        if c == "\\" and i + 1 < len(pat):
            out.append(re.escape(pat[i + 1].lower() if lower else pat[i + 1]))
            i += 2
            continue
        out.append("[^ ]*" if c == "*" else "[^ ]" if c == "?" else re.escape(c.lower() if lower else c))
        i += 1
    return re.compile("(?<= )" + "".join(out) + "(?= )")


def lucene_regexp(pat):
    try:
        return re.compile(pat, re.S)
    except re.error as e:
        raise ShardError("query_shard_exception", "failed to create query: %s" % e)


def levenshtein_le(a, b, k):
    if abs(len(a) - len(b)) > k:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > k:
            return False
        prev = cur
    return prev[-1] <= k


# ---- documents, mappings, indices --------------------------------------------------

NUMERIC = {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
INTEGRAL = {"long", "integer", "short", "byte", "unsigned_long"}
DYN_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")


def flatten(src, prefix="", out=None):
    """Leaf values by dotted path: nested objects and flat dotted keys alike; arrays flattened."""
    if out is None:
        out = {}

    def put(path, v):
        if isinstance(v, dict):
            for k, x in v.items():
                put(path + "." + k if path else k, x)
        elif isinstance(v, list):
            for x in v:
                put(path, x)
        elif v is not None:
            out.setdefault(path, []).append(v)
    put(prefix, src)
    return out


class Doc:
    """A stored document: _source as its JSON bytes, and doc values per field slot
    (None, one value, or a tuple), computed once when indexed."""
    __slots__ = ("seq", "id", "raw", "vals", "index", "t", "version", "deleted")

    def __init__(self, seq, id_, raw, vals, index, t, version=1):
        self.seq = seq
        self.id = id_
        self.raw = raw
        self.vals = vals
        self.index = index
        self.t = t
        self.version = version
        self.deleted = False

    @property
    def source(self):
        return json.loads(self.raw)


class Field:
    """A mapped field: type, the source path its values come from, options."""
    __slots__ = ("name", "type", "path", "ignore_above", "fielddata", "format", "sub", "slot")

    def __init__(self, name, type_, path=None, ignore_above=None, fielddata=False, fmt=None, sub=False):
        self.name = name
        self.type = type_
        self.path = path or name
        self.ignore_above = ignore_above
        self.fielddata = fielddata
        self.format = fmt
        self.sub = sub
        self.slot = -1


class Index:
    def __init__(self, name, max_docs, settings=None):
        self.name = name
        self.uuid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")[:22]
        self.docs = []          # in indexing order; docs[head:] are live
        self.head = 0
        self.ids = {}
        self.fields = {}        # name -> Field (leaves and multi-fields)
        self.slotted = []       # Field by slot
        self.objects = set()    # object paths
        self.max_docs = max_docs
        self.settings = settings or {}
        self.refreshed_seq = 0  # explicit refreshes
        self.deleted = 0
        self.created = time.time()
        self.bytes = 0

    # mappings
    def put_mapping(self, props, prefix=""):
        if not isinstance(props, dict):
            raise parsing_error("Expected map for property [properties]")
        for k, spec in props.items():
            name = prefix + k
            if not isinstance(spec, dict):
                raise ESError(400, "mapper_parsing_exception", "Expected map for property [fields] on field [%s] but got a class java.lang.String" % name)
            if "properties" in spec or spec.get("type") in ("object", "nested"):
                self.objects.add(name)
                self.put_mapping(spec.get("properties", {}), name + ".")
                continue
            t = spec.get("type", "object")
            if t in ("match_only_text", "wildcard", "constant_keyword", "flattened", "version", "ip"):
                t = {"match_only_text": "text"}.get(t, "keyword")
            if t not in NUMERIC | {"text", "keyword", "date", "date_nanos", "boolean"}:
                raise ESError(400, "mapper_parsing_exception", "No handler for type [%s] declared on field [%s]" % (t, name))
            if t == "date_nanos":
                t = "date"
            self.add_field(Field(name, t, ignore_above=spec.get("ignore_above"),
                                 fielddata=bool(spec.get("fielddata")), fmt=spec.get("format")))
            for sk, ss in (spec.get("fields") or {}).items():
                st = ss.get("type", "keyword")
                if st == "match_only_text":
                    st = "text"
                self.add_field(Field(name + "." + sk, st, path=name, ignore_above=ss.get("ignore_above"), sub=True))

    def add_field(self, f):
        old = self.fields.get(f.name)
        if old is not None:
            if old.type != f.type:
                raise illegal("mapper [%s] cannot be changed from type [%s] to [%s]" % (f.name, old.type, f.type))
            return
        f.slot = len(self.slotted)
        self.slotted.append(f)
        self.fields[f.name] = f

    def doc_values(self, flat):
        """Typed values per slot of a (checked) document: analysed text as one
        " token token " string, keywords interned, dates as epoch ms."""
        vals = []
        intern = sys.intern
        for f in self.slotted:
            raw = flat.get(f.path)
            if not raw:
                vals.append(None)
                continue
            out = []
            t = f.type
            for v in raw:
                if t == "keyword":
                    x = v if isinstance(v, str) else json.dumps(v) if isinstance(v, bool) else str(v)
                    if f.ignore_above and len(x) > f.ignore_above:
                        continue
                    out.append(intern(x) if len(x) <= 64 else x)
                elif t == "text":
                    out.append(" " + " ".join(analyze(v if isinstance(v, str) else str(v))) + " ")
                elif t == "date":
                    try:
                        out.append(parse_date(v, f.format))
                    except ValueError:
                        pass
                elif t in NUMERIC:
                    try:
                        x = float(v)
                        out.append(int(x) if t in INTEGRAL else x)
                    except (TypeError, ValueError):
                        pass
                elif t == "boolean":
                    out.append(v is True or v == "true")
            vals.append(None if not out else out[0] if len(out) == 1 else tuple(out))
        return vals

    def mapping_json(self):
        root = {}
        for name, f in sorted(self.fields.items()):
            if f.sub:
                continue
            node = root
            parts = name.split(".")
            for p in parts[:-1]:
                node = node.setdefault(p, {}).setdefault("properties", {})
            d = {"type": f.type}
            if f.format:
                d["format"] = f.format
            if f.ignore_above:
                d["ignore_above"] = f.ignore_above
            subs = {n[len(name) + 1:]: s for n, s in self.fields.items() if s.sub and s.path == name}
            if subs:
                d["fields"] = {k: dict({"type": s.type}, **({"ignore_above": s.ignore_above} if s.ignore_above else {}))
                               for k, s in subs.items()}
            node.setdefault(parts[-1], {}).update(d)
        return {"properties": root} if root else {}

    def _dynamic(self, path, v):
        """Add a mapping for a new field as dynamic mapping does."""
        if path in self.objects:
            return
        if isinstance(v, bool):
            self.add_field(Field(path, "boolean"))
        elif isinstance(v, int):
            self.add_field(Field(path, "long"))
        elif isinstance(v, float):
            self.add_field(Field(path, "float"))
        elif isinstance(v, str):
            if DYN_DATE_RE.match(v) and parse_iso(v) is not None:
                self.add_field(Field(path, "date"))
            else:
                self.add_field(Field(path, "text"))
                self.add_field(Field(path + ".keyword", "keyword", path=path, ignore_above=256, sub=True))
        parts = path.split(".")
        for i in range(1, len(parts)):
            self.objects.add(".".join(parts[:i]))

    def check_doc(self, doc_id, flat):
        """Dynamic mapping and value checks: mapper_parsing_exception when a value does not fit."""
        for path, vals in flat.items():
            if path not in self.fields:
                if self.settings.get("dynamic") == "strict":
                    raise ESError(400, "strict_dynamic_mapping_exception",
                                  "[1:1] mapping set to strict, dynamic introduction of [%s] within [_doc] is not allowed" % path)
                self._dynamic(path, vals[0])
            f = self.fields.get(path)
            if f is None:
                continue
            for v in vals:
                ok = True
                if f.type == "date":
                    try:
                        parse_date(v, f.format)
                    except ValueError:
                        ok = False
                elif f.type in NUMERIC:
                    if isinstance(v, bool):
                        ok = False
                    elif isinstance(v, str):
                        try:
                            float(v)
                        except ValueError:
                            ok = False
                elif f.type == "boolean":
                    ok = v in (True, False, "true", "false", "")
                if not ok:
                    preview = v if isinstance(v, str) else json.dumps(v)
                    raise ESError(400, "mapper_parsing_exception",
                                  "failed to parse field [%s] of type [%s] in document with id '%s'. Preview of field's value: '%s'"
                                  % (path, f.type, doc_id, preview),
                                  caused_by={"type": "illegal_argument_exception",
                                             "reason": "failed to parse [%s]" % preview})

    # documents
    def live(self):
        return len(self.ids) if self.ids is not None else 0

    def add(self, doc):
        old = self.ids.get(doc.id)
        if old is not None:
            old.deleted = True
            self.deleted += 1
        self.docs.append(doc)
        self.ids[doc.id] = doc
        self.bytes += len(doc.raw)
        while len(self.docs) - self.head > self.max_docs:
            d = self.docs[self.head]
            self.docs[self.head] = None
            self.head += 1
            if not d.deleted:
                del self.ids[d.id]
            else:
                self.deleted -= 1
            self.bytes -= len(d.raw)
        if self.head > 4096 and self.head * 2 > len(self.docs):
            self.docs = self.docs[self.head:]
            self.head = 0

    def remove(self, doc_id):
        d = self.ids.pop(doc_id, None)
        if d is not None:
            d.deleted = True
            self.deleted += 1
        return d

    def visible(self, cutoff_t, pit=None):
        """Live documents a search sees: those refreshed by now."""
        docs = self.docs
        end = len(docs)
        while end > self.head:
            d = docs[end - 1]
            if d.seq <= self.refreshed_seq or d.t <= cutoff_t:
                break
            end -= 1
        return [d for d in docs[self.head:end] if not d.deleted]

    # typed values of a field in a document
    def values(self, doc, fname):
        f = self.fields.get(fname)
        if f is None:
            return None, ()
        vals = doc.vals
        v = vals[f.slot] if f.slot < len(vals) else None
        if v is None:
            return f, ()
        return f, v if type(v) is tuple else (v,)


# ---- query_string (Lucene classic syntax) ---------------------------------------------

class QSParseError(Exception):
    pass


SPECIAL_END = set(" \t\n\r\u3000()[]{}:^\"~/!")


def qs_lex(s):
    toks = []   # (kind, value, pos)
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in " \t\n\r\u3000":
            i += 1
            continue
        if c in "()":
            toks.append((c, c, i))
            i += 1
        elif s.startswith("&&", i):
            toks.append(("AND", "&&", i))
            i += 2
        elif s.startswith("||", i):
            toks.append(("OR", "||", i))
            i += 2
        elif c == "!":
            toks.append(("NOT", "!", i))
            i += 1
        elif c in "+-":
            toks.append(("MOD", c, i))
            i += 1
        elif c == ":":
            toks.append((":", c, i))
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n and s[j] != '"':
                if s[j] == "\\" and j + 1 < n:
                    buf.append(s[j + 1])
                    j += 2
                    continue
                buf.append(s[j])
                j += 1
            if j >= n:
                raise QSParseError("Lexical error at line 1, column %d.  Encountered: <EOF> after : \"%s\"" % (n + 1, s[i:]))
            toks.append(("PHRASE", "".join(buf), i))
            i = j + 1
        elif c == "/":
            j, buf = i + 1, []
            while j < n and s[j] != "/":
                if s[j] == "\\" and j + 1 < n:
                    buf.append(s[j:j + 2] if s[j + 1] != "/" else "/")
                    j += 2
                    continue
                buf.append(s[j])
                j += 1
            if j >= n:
                raise QSParseError("Lexical error at line 1, column %d.  Encountered: <EOF> after : \"%s\"" % (n + 1, s[i:]))
            toks.append(("REGEX", "".join(buf), i))
            i = j + 1
        elif c in "[{":
            j = i + 1
            while j < n and s[j] not in "]}":
                if s[j] == '"':
                    k = s.find('"', j + 1)
                    j = n if k < 0 else k + 1
                    continue
                j += 1
            if j >= n:
                raise QSParseError("Encountered \"<EOF>\" at line 1, column %d.\nWas expecting one of:\n    \"TO\" ...\n    <RANGE_QUOTED> ...\n    <RANGE_GOOP> ..." % n)
            body = s[i + 1:j]
            parts = re.findall(r'"(?:[^"\\]|\\.)*"|\S+', body)
            if len(parts) != 3 or parts[1] != "TO":
                raise QSParseError("Encountered \" <RANGE_GOOP> \"%s \"\" at line 1, column %d.\nWas expecting:\n    \"TO\" ..." % (body, i + 1))
            lo, hi = [p[1:-1] if p.startswith('"') else p for p in (parts[0], parts[2])]
            toks.append(("RANGE", (lo, hi, c == "[", s[j] == "]"), i))
            i = j + 1
        elif c == "^":
            m = re.match(r"\^(\d+(\.\d+)?)?", s[i:])
            if not m.group(1):
                raise QSParseError("Encountered \" \"^\" \"^ \"\" at line 1, column %d." % i)
            toks.append(("BOOST", float(m.group(1)), i))
            i += m.end()
        elif c == "~":
            m = re.match(r"~(\d+(\.\d+)?)?", s[i:])
            toks.append(("TILDE", float(m.group(1)) if m.group(1) else None, i))
            i += m.end()
        elif c in ")]}":
            toks.append((c, c, i))
            i += 1
        else:
            j, buf = i, []
            while j < n and s[j] not in SPECIAL_END:
                if s[j] == "\\":
                    if j + 1 >= n:
                        raise QSParseError("Lexical error at line 1, column %d.  Encountered: <EOF> after : \"\"" % (n + 1))
                    buf.append(s[j:j + 2])
                    j += 2
                    continue
                buf.append(s[j])
                j += 1
            word = "".join(buf)
            if word in ("AND", "OR", "NOT"):
                toks.append((word, word, i))
            else:
                toks.append(("TERM", word, i))
            i = j
    return toks


def unescape(w):
    return re.sub(r"\\(.)", r"\1", w)


def has_wild(w):
    return bool(re.search(r"(?<!\\)[*?]", w))


class QSParser:
    def __init__(self, text):
        self.text = text
        self.toks = qs_lex(text)
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("EOF", None, len(self.text))

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def fail(self, tok=None):
        tok = tok or self.peek()
        if tok[0] == "EOF":
            raise QSParseError("Encountered \"<EOF>\" at line 1, column %d.\nWas expecting one of:\n    <NOT> ...\n    \"+\" ...\n    \"-\" ...\n    <BAREOPER> ...\n    \"(\" ...\n    \"*\" ...\n    <QUOTED> ...\n    <TERM> ...\n    <PREFIXTERM> ...\n    <WILDTERM> ...\n    <REGEXPTERM> ...\n    \"[\" ...\n    \"{\" ...\n    <NUMBER> ...\n    " % len(self.text))
        raise QSParseError("Encountered \" \"%s\" \"%s \"\" at line 1, column %d." % (tok[1], tok[1], tok[2]))

    def parse(self):
        q = self.query(None)
        if self.peek()[0] != "EOF":
            self.fail()
        return q

    def query(self, field):
        """Query ::= Modifiers Clause (Conjunction? Modifiers Clause)*"""
        clauses = []
        first = True
        while True:
            k = self.peek()[0]
            if k in ("EOF", ")"):
                break
            conj = None
            if k in ("AND", "OR"):
                if first:
                    self.fail()
                conj = self.take()[0]
            mods = None
            t = self.peek()
            if t[0] == "MOD":
                self.take()
                mods = "REQ" if t[1] == "+" else "NOT"
            elif t[0] == "NOT":
                self.take()
                mods = "NOT"
            if self.peek()[0] in ("EOF", ")", "AND", "OR"):
                self.fail()
            q = self.clause(field)
            self.add_clause(clauses, conj, mods, q)
            first = False
        if not clauses:
            return None
        if len(clauses) == 1 and clauses[0][0] in ("MUST", "SHOULD"):
            return clauses[0][1]
        return ("bool", clauses)

    def add_clause(self, clauses, conj, mods, q):
        # Lucene's QueryParserBase.addClause with operator OR (the AND default
        # operator is applied by the caller rewriting SHOULD into MUST).
        op_and = self.default_and
        if clauses and conj == "AND":
            c = clauses[-1]
            if c[0] != "MUST_NOT":
                clauses[-1] = ("MUST", c[1])
        if clauses and op_and and conj == "OR":
            c = clauses[-1]
            if c[0] != "MUST_NOT":
                clauses[-1] = ("SHOULD", c[1])
        if q is None:
            return
        if not op_and:
            prohibited = mods == "NOT"
            required = mods == "REQ"
            if conj == "AND" and not prohibited:
                required = True
        else:
            prohibited = mods == "NOT"
            required = not prohibited and conj != "OR"
        clauses.append(("MUST_NOT" if prohibited else "MUST" if required else "SHOULD", q))

    default_and = False

    def clause(self, field):
        t = self.peek()
        if t[0] == "TERM" and self.peek(1)[0] == ":":
            self.take()
            self.take()
            field = unescape(t[1])
            t = self.peek()
        if t[0] == "(":
            self.take()
            q = self.query(field)
            if self.take()[0] != ")":
                self.fail(self.toks[self.i - 1] if self.i - 1 < len(self.toks) else None)
            self._boost()
            return q
        if t[0] == "TERM":
            self.take()
            w = t[1]
            fuzzy = None
            if self.peek()[0] == "TILDE":
                f = self.take()[1]
                fuzzy = 2 if f is None else int(f)
            self._boost()
            if w in ("*",) and field is None:
                return ("all",)
            if field == "_exists_":
                return ("exists", unescape(w))
            if fuzzy is not None:
                return ("fuzzy", field, unescape(w), fuzzy)
            if has_wild(w):
                if w == "*":
                    return ("exists", field)
                return ("wild", field, w)
            return ("term", field, unescape(w))
        if t[0] == "PHRASE":
            self.take()
            slop = 0
            if self.peek()[0] == "TILDE":
                f = self.take()[1]
                slop = int(f or 0)
            self._boost()
            return ("phrase", field, t[1], slop)
        if t[0] == "RANGE":
            self.take()
            self._boost()
            lo, hi, ilo, ihi = t[1]
            return ("range", field, None if lo == "*" else unescape(lo), None if hi == "*" else unescape(hi), ilo, ihi)
        if t[0] == "REGEX":
            self.take()
            self._boost()
            return ("regex", field, t[1])
        self.fail(t)

    def _boost(self):
        if self.peek()[0] == "BOOST":
            self.take()


def parse_query_string(text, default_and):
    p = QSParser(text)
    p.default_and = default_and
    return p.parse()


# ---- query DSL --------------------------------------------------------------------

def _one_field(body, qtype):
    if not isinstance(body, dict):
        raise parsing_error("[%s] query malformed, no start_object after query name" % qtype)
    keys = [k for k in body if k not in ("boost", "_name")]
    if len(keys) != 1:
        raise parsing_error("[%s] query doesn't support multiple fields, found [%s] and [%s]" % (qtype, keys[0], keys[1])
                            if len(keys) > 1 else "[%s] query malformed, no field" % qtype)
    return keys[0], body[keys[0]]


QUERY_TYPES = ("match_all", "match_none", "bool", "query_string", "term", "terms", "match", "match_phrase",
               "range", "exists", "prefix", "wildcard", "ids", "simple_query_string", "constant_score", "regexp")


def parse_dsl(q):
    """Query DSL JSON -> a structure (validated; query_string text not yet parsed)."""
    if not isinstance(q, dict) or len(q) != 1:
        if isinstance(q, dict) and not q:
            raise parsing_error("query malformed, empty clause found")
        raise parsing_error("[_na] query malformed, must start with start_object" if not isinstance(q, dict)
                            else "[%s] malformed query, expected [END_OBJECT] but found [FIELD_NAME]" % list(q)[0])
    (qt, body), = q.items()
    if qt not in QUERY_TYPES:
        raise parsing_error("unknown query [%s]" % qt,
                            caused_by={"type": "named_object_not_found_exception", "reason": "[1:%d] unknown field [%s]" % (len(qt) + 12, qt)})
    if qt == "match_all":
        return ("all",)
    if qt == "match_none":
        return ("none",)
    if qt == "constant_score":
        return parse_dsl(body.get("filter", {"match_all": {}}))
    if qt == "bool":
        if not isinstance(body, dict):
            raise parsing_error("[bool] query malformed, no start_object after query name")
        out = {}
        for k in ("must", "filter", "should", "must_not"):
            v = body.get(k, [])
            if isinstance(v, dict):
                v = [v]
            out[k] = [parse_dsl(x) for x in v]
        for k in body:
            if k not in ("must", "filter", "should", "must_not", "minimum_should_match", "boost", "_name", "adjust_pure_negative"):
                raise parsing_error("[bool] query does not support [%s]" % k)
        msm = body.get("minimum_should_match")
        return ("dsl_bool", out, msm)
    if qt in ("query_string", "simple_query_string"):
        if not isinstance(body, dict) or "query" not in body:
            raise parsing_error("[%s] must be provided with a [query]" % qt)
        op = str(body.get("default_operator", "or")).lower()
        if op not in ("or", "and"):
            raise illegal("operator needs to be either [or, and], but not [%s]" % op)
        fields = body.get("fields")
        if fields is None and body.get("default_field") is not None:
            fields = [body["default_field"]]
        return ("qs", str(body["query"]), fields, op == "and", bool(body.get("lenient", False)), qt == "simple_query_string")
    if qt in ("term", "prefix", "wildcard", "regexp"):
        f, v = _one_field(body, qt)
        ci = False
        if isinstance(v, dict):
            ci = bool(v.get("case_insensitive", False))
            v = v.get("value", v.get("wildcard"))
        if v is None or isinstance(v, (dict, list)):
            raise parsing_error("[%s] query does not support array of values" % qt if isinstance(v, list) else "[%s] query malformed" % qt)
        return ("dsl_" + qt, f, v, ci)
    if qt == "terms":
        keys = [k for k in body if k not in ("boost", "_name")]
        if len(keys) != 1 or not isinstance(body[keys[0]], list):
            raise parsing_error("[terms] query does not support [%s]" % (keys[0] if keys else ""))
        return ("dsl_terms", keys[0], body[keys[0]])
    if qt in ("match", "match_phrase"):
        f, v = _one_field(body, qt)
        op = "or"
        if isinstance(v, dict):
            op = str(v.get("operator", "or")).lower()
            v = v.get("query")
        return ("dsl_" + qt, f, v, op == "and")
    if qt == "range":
        f, v = _one_field(body, qt)
        if not isinstance(v, dict):
            raise parsing_error("[range] query malformed, after field missing start object")
        for k in v:
            if k not in ("gte", "gt", "lte", "lt", "from", "to", "include_lower", "include_upper", "format", "time_zone", "boost", "relation"):
                raise parsing_error("[range] query does not support [%s]" % k)
        lo, hi, ilo, ihi = v.get("from"), v.get("to"), v.get("include_lower", True), v.get("include_upper", True)
        if "gte" in v:
            lo, ilo = v["gte"], True
        if "gt" in v:
            lo, ilo = v["gt"], False
        if "lte" in v:
            hi, ihi = v["lte"], True
        if "lt" in v:
            hi, ihi = v["lt"], False
        return ("dsl_range", f, lo, hi, ilo, ihi, v.get("format"), v.get("time_zone"))
    if qt == "exists":
        if not isinstance(body, dict) or "field" not in body:
            raise parsing_error("[exists] must be provided with a [field]")
        return ("exists", body["field"])
    if qt == "ids":
        return ("ids", set(body.get("values", [])))
    raise parsing_error("unknown query [%s]" % qt)


class Compiler:
    """Compiles a parsed query against one index into a predicate doc -> bool."""

    def __init__(self, idx, now_ms):
        self.idx = idx
        self.now = now_ms

    def fields_for(self, pattern):
        idx = self.idx
        if pattern is None or pattern == "*":
            return [f for f in idx.fields.values()]
        if "*" in pattern:
            rx = wildcard_re(pattern)
            return [f for n, f in idx.fields.items() if rx.fullmatch(n)]
        f = idx.fields.get(pattern)
        return [f] if f else []

    def compile(self, q):
        k = q[0]
        idx = self.idx
        if k == "all":
            return lambda d: True
        if k == "none":
            return lambda d: False
        if k == "dsl_bool":
            _, parts, msm = q
            must = [self.compile(x) for x in parts["must"] + parts["filter"]]
            should = [self.compile(x) for x in parts["should"]]
            must_not = [self.compile(x) for x in parts["must_not"]]
            need = 0
            if should:
                if msm is not None:
                    need = self._msm(msm, len(should))
                elif not must:
                    need = 1
            return self._bool(must, should, must_not, need)
        if k == "qs":
            return self.compile_qs(q)
        if k == "exists":
            fs = self.fields_for(q[1])
            names = [f.name for f in fs]
            if not names:
                # object field: any leaf under it
                pre = q[1] + "."
                names = [n for n in idx.fields if n.startswith(pre)]
            return lambda d: any(idx.values(d, n)[1] for n in names)
        if k == "ids":
            ids = q[1]
            return lambda d: d.id in ids
        if k == "dsl_term":
            return self.term_pred(q[1], q[2], strict=True, ci=q[3])
        if k == "dsl_terms":
            preds = [self.term_pred(q[1], v, strict=True) for v in q[2]]
            return lambda d: any(p(d) for p in preds)
        if k in ("dsl_prefix", "dsl_wildcard"):
            pat = (re.sub(r"([*?\\])", r"\\\1", str(q[2])) + "*") if k == "dsl_prefix" else str(q[2])
            return self.wild_pred(q[1], pat, normalize=False, ci=q[3])
        if k == "dsl_regexp":
            return self.regex_pred(q[1], str(q[2]))
        if k in ("dsl_match", "dsl_match_phrase"):
            _, f, text, conj_and = q
            fs = self.fields_for(f)
            if not fs:
                return lambda d: False
            fl = fs[0]
            if k == "dsl_match_phrase" and fl.type == "text":
                return self.phrase_pred(fl, str(text), 0)
            if fl.type == "text":
                toks = analyze(str(text))
                preds = [self.token_pred(fl, t) for t in toks]
                if not preds:
                    return lambda d: False
                if conj_and:
                    return lambda d: all(p(d) for p in preds)
                return lambda d: any(p(d) for p in preds)
            return self.term_pred(f, text, strict=True)
        if k == "dsl_range":
            _, f, lo, hi, ilo, ihi, fmt, tz = q
            return self.range_pred(f, lo, hi, ilo, ihi, fmt, tz, strict=True)
        raise ShardError("query_shard_exception", "unsupported query [%s]" % k)

    @staticmethod
    def _msm(msm, n):
        if isinstance(msm, int):
            return msm if msm >= 0 else max(0, n + msm)
        s = str(msm).strip()
        if s.endswith("%"):
            p = int(s[:-1])
            return int(n * p / 100) if p >= 0 else n - int(n * -p / 100)
        v = int(s)
        return v if v >= 0 else max(0, n + v)

    @staticmethod
    def _bool(must, should, must_not, need):
        def pred(d):
            for p in must:
                if not p(d):
                    return False
            for p in must_not:
                if p(d):
                    return False
            if need:
                c = 0
                for p in should:
                    if p(d):
                        c += 1
                        if c >= need:
                            return True
                return False
            return True
        return pred

    # ---- leaf predicates, per field type
    def token_pred(self, f, tok):
        idx, n = self.idx, f.name
        pad = " %s " % tok
        return lambda d: any(pad in toks for toks in idx.values(d, n)[1])

    def phrase_pred(self, f, text, slop):
        idx, n = self.idx, f.name
        if f.type != "text":
            return lambda d: text in idx.values(d, n)[1]
        want = analyze(text)
        if not want:
            return lambda d: False
        pad = " %s " % " ".join(want)

        def pred(d):
            for s in idx.values(d, n)[1]:
                if pad in s:
                    return True
                if slop:
                    toks = s.split()
                    pos = [i for i, t in enumerate(toks) if t == want[0]]
                    for p in pos:
                        j, ok = p, True
                        for w in want[1:]:
                            nxt = [x for x in range(j + 1, min(len(toks), j + 2 + slop)) if toks[x] == w]
                            if not nxt:
                                ok = False
                                break
                            j = nxt[0]
                        if ok:
                            return True
            return False
        return pred

    def value_pred(self, f, text, lenient, strict=False, ci=False, default_and=False):
        """field:value against one concrete field."""
        idx, n = self.idx, f.name
        t = f.type
        if t == "text":
            if strict:
                s = " %s " % text
                return lambda d: any(s in toks for toks in idx.values(d, n)[1])
            toks = analyze(str(text))
            preds = [self.token_pred(f, x) for x in toks]
            if not preds:
                return None
            if len(preds) == 1:
                return preds[0]
            if default_and:
                return lambda d: all(p(d) for p in preds)
            return lambda d: any(p(d) for p in preds)
        if t == "keyword":
            s = text if isinstance(text, str) else json.dumps(text) if isinstance(text, bool) else str(text)
            if ci:
                s = s.lower()
                return lambda d: any(v.lower() == s for v in idx.values(d, n)[1])
            return lambda d: s in idx.values(d, n)[1]
        if t == "date":
            try:
                lo = parse_date(text, f.format, now_ms=self.now)
                hi = parse_date(text, f.format, round_up=True, now_ms=self.now)
            except ValueError as e:
                if lenient:
                    return None
                raise ShardError("query_shard_exception", "failed to create query: %s" % e)
            return lambda d: any(lo <= v <= hi for v in idx.values(d, n)[1])
        if t in NUMERIC:
            try:
                x = float(text) if not isinstance(text, bool) else None
                if x is None:
                    raise ValueError
            except (TypeError, ValueError):
                if lenient:
                    return None
                raise ShardError("query_shard_exception", "failed to create query: For input string: \"%s\"" % text,
                                 caused_by={"type": "number_format_exception", "reason": "For input string: \"%s\"" % text})
            return lambda d: x in idx.values(d, n)[1]
        if t == "boolean":
            s = str(text).lower()
            if s not in ("true", "false"):
                if lenient:
                    return None
                raise ShardError("query_shard_exception", "failed to create query: Can't parse boolean value [%s], expected [true] or [false]" % text)
            b = s == "true"
            return lambda d: b in idx.values(d, n)[1]
        return None

    def term_pred(self, fname, value, strict=False, ci=False):
        fs = self.fields_for(fname)
        preds = [p for p in (self.value_pred(f, value, False, strict=strict, ci=ci) for f in fs) if p]
        if not preds:
            return lambda d: False
        return preds[0] if len(preds) == 1 else (lambda d: any(p(d) for p in preds))

    def wild_pred(self, fname, pat, normalize=True, ci=False, fields=None):
        idx = self.idx
        preds = []
        for f in fields if fields is not None else self.fields_for(fname):
            n = f.name
            if f.type == "text":
                rx = token_wildcard_re(pat, lower=normalize or ci)
                preds.append(lambda d, n=n, rx=rx: any(rx.search(toks) for toks in idx.values(d, n)[1]))
            elif f.type == "keyword":
                rx = wildcard_re(pat.lower() if ci else pat)
                if ci:
                    preds.append(lambda d, n=n, rx=rx: any(rx.fullmatch(v.lower()) for v in idx.values(d, n)[1]))
                else:
                    preds.append(lambda d, n=n, rx=rx: any(rx.fullmatch(v) for v in idx.values(d, n)[1]))
            elif fields is None and fname is not None and "*" not in fname:
                raise ShardError("query_shard_exception",
                                 "Can only use wildcard queries on keyword and text fields - not on [%s] which is of type [%s]" % (n, f.type))
        if not preds:
            return lambda d: False
        return lambda d: any(p(d) for p in preds)

    def regex_pred(self, fname, pat, fields=None):
        idx = self.idx
        rx = lucene_regexp(pat)
        preds = []
        for f in fields if fields is not None else self.fields_for(fname):
            n = f.name
            if f.type == "text":
                preds.append(lambda d, n=n: any(rx.fullmatch(t) for toks in idx.values(d, n)[1] for t in toks.split()))
            elif f.type == "keyword":
                preds.append(lambda d, n=n: any(rx.fullmatch(v) for v in idx.values(d, n)[1]))
        if not preds:
            return lambda d: False
        return lambda d: any(p(d) for p in preds)

    def range_pred(self, fname, lo, hi, ilo, ihi, fmt=None, tz=None, strict=False, fields=None, lenient=False):
        idx = self.idx
        preds = []
        for f in fields if fields is not None else self.fields_for(fname):
            n, t = f.name, f.type
            try:
                if t == "date":
                    a = None if lo is None else parse_date(lo, fmt or f.format, round_up=not ilo, tz=tz, now_ms=self.now)
                    b = None if hi is None else parse_date(hi, fmt or f.format, round_up=ihi, tz=tz, now_ms=self.now)
                elif t in NUMERIC:
                    a = None if lo is None else float(lo)
                    b = None if hi is None else float(hi)
                elif t in ("keyword", "text"):
                    a = None if lo is None else (str(lo).lower() if t == "text" else str(lo))
                    b = None if hi is None else (str(hi).lower() if t == "text" else str(hi))
                else:
                    continue
            except (TypeError, ValueError) as e:
                if lenient:
                    continue
                if t == "date":
                    raise ShardError("parse_exception", str(e),
                                     caused_by={"type": "illegal_argument_exception", "reason": str(e)})
                raise ShardError("query_shard_exception", "failed to create query: For input string: \"%s\"" % (lo if lo is not None else hi))

            def inside(v, a=a, b=b):
                if a is not None and (v < a or (v == a and not ilo)):
                    return False
                if b is not None and (v > b or (v == b and not ihi)):
                    return False
                return True
            if t == "text":
                preds.append(lambda d, n=n, inside=inside: any(inside(x) for toks in idx.values(d, n)[1] for x in toks.split()))
            else:
                preds.append(lambda d, n=n, inside=inside: any(inside(v) for v in idx.values(d, n)[1]))
        if not preds:
            return lambda d: False
        return preds[0] if len(preds) == 1 else (lambda d: any(p(d) for p in preds))

    # ---- query_string
    def compile_qs(self, q):
        _, text, fields, default_and, lenient, simple = q
        if not text.strip():
            return lambda d: False      # Elasticsearch: no terms, no documents
        try:
            ast = parse_query_string(text, default_and)
        except QSParseError as e:
            if simple:      # simple_query_string never fails: the text as plain words
                ast = parse_query_string(" ".join(re.sub(r"[^\w\s]", " ", text).split()) or "x", default_and)
                self.qs_fields, self.qs_and, self.qs_lenient = fields, default_and, True
                return self.qs_node(ast)
            raise ShardError("query_shard_exception", "Failed to parse query [%s]" % text,
                             caused_by={"type": "parse_exception",
                                        "reason": "Cannot parse '%s': %s" % (text, e),
                                        "caused_by": {"type": "parse_exception" if "Encountered" in str(e) else "token_mgr_error",
                                                      "reason": str(e)}})
        if ast is None:
            return lambda d: False
        self.qs_fields = fields
        self.qs_and = default_and
        self.qs_lenient = lenient
        return self.qs_node(ast)

    def qs_targets(self, field):
        """Concrete fields for a query_string field (None: the default fields) and whether lenient."""
        if field is None:
            pats = self.qs_fields or ["*"]
            out = []
            for p in pats:
                p = p.split("^")[0]
                out.extend(self.fields_for(p))
            allmode = any("*" in p for p in pats)
            return out, self.qs_lenient or allmode
        fs = self.fields_for(field)
        return fs, self.qs_lenient or "*" in field

    def qs_node(self, node):
        k = node[0]
        if k == "bool":
            clauses = node[1]
            must = [self.qs_node(q) for o, q in clauses if o == "MUST"]
            should = [self.qs_node(q) for o, q in clauses if o == "SHOULD"]
            must_not = [self.qs_node(q) for o, q in clauses if o == "MUST_NOT"]
            if not must and not should:      # purely negative: Elasticsearch adds match_all
                must = [lambda d: True]
            return self._bool(must, should, must_not, 0 if must else 1)
        if k == "all":
            return lambda d: True
        if k == "exists":
            return self.compile(("exists", node[1]))
        field = node[1]
        fs, lenient = self.qs_targets(field)
        if k == "term":
            text = node[2]
            if field is not None and not fs:
                return lambda d: False
            m = re.match(r"^(>=|<=|>|<)(.+)$", text)
            if m:
                op, v = m.groups()
                lo = v if op[0] == ">" else None
                hi = v if op[0] == "<" else None
                return self.range_pred(None, lo, hi, op == ">=", op == "<=", fields=fs, lenient=lenient)
            preds = [p for p in (self.value_pred(f, text, lenient, default_and=self.qs_and) for f in fs) if p]
        elif k == "phrase":
            preds = []
            for f in fs:
                if f.type == "text":
                    preds.append(self.phrase_pred(f, node[2], node[3]))
                else:
                    p = self.value_pred(f, node[2], lenient)
                    if p:
                        preds.append(p)
        elif k == "wild":
            return self.wild_pred(field, node[2], fields=[f for f in fs if f.type in ("text", "keyword")]
                                  if lenient else fs)
        elif k == "regex":
            return self.regex_pred(field, node[2], fields=fs)
        elif k == "fuzzy":
            word, dist = node[2], min(node[3], 2)
            idx = self.idx
            preds = []
            for f in fs:
                n = f.name
                if f.type == "text":
                    w = word.lower()
                    preds.append(lambda d, n=n, w=w: any(levenshtein_le(t, w, dist) for toks in idx.values(d, n)[1] for t in toks.split()))
                elif f.type == "keyword":
                    preds.append(lambda d, n=n: any(levenshtein_le(v, word, dist) for v in idx.values(d, n)[1]))
        elif k == "range":
            _, _, lo, hi, ilo, ihi = node
            return self.range_pred(None, lo, hi, ilo, ihi, fields=fs, lenient=lenient)
        else:
            raise ShardError("query_shard_exception", "unsupported query_string node [%s]" % k)
        if not preds:
            return lambda d: False
        return preds[0] if len(preds) == 1 else (lambda d: any(p(d) for p in preds))


# ---- sorting ----------------------------------------------------------------------

class Rev:
    """Reverses the order of a value (descending sort on strings)."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __lt__(self, o):
        return self.v > o.v

    def __gt__(self, o):
        return self.v < o.v

    def __eq__(self, o):
        return self.v == o.v


def parse_sort(spec):
    """[(field, desc, options)] from the sort JSON (or the ?sort= parameter)."""
    if spec is None:
        return None
    if isinstance(spec, (str, dict)):
        spec = [spec]
    out = []
    for s in spec:
        if isinstance(s, str):
            out.append((s, s == "_score", {}))
        elif isinstance(s, dict) and len(s) == 1:
            (f, o), = s.items()
            if isinstance(o, str):
                order, opts = o, {}
            elif isinstance(o, dict):
                order, opts = o.get("order", "desc" if f == "_score" else "asc"), o
            else:
                raise parsing_error("[sort] unexpected token for field [%s]" % f)
            if str(order).lower() not in ("asc", "desc"):
                raise illegal("Unknown SortOrder [%s]" % order)
            out.append((f, str(order).lower() == "desc", opts))
        else:
            raise parsing_error("[sort] malformed, expected a field name or an object with one field")
    return out


def sort_entry(idx, doc, fname, desc, opts, pit):
    """(output sort value, comparable key) of one document for one sort field."""
    if fname == "_doc" or fname == "_shard_doc":
        v = doc.seq
        return v, -v if desc else v
    if fname == "_score":
        return 1.0, -1.0 if desc else 1.0
    f, vals = idx.values(doc, fname)
    if f is None:
        ut = opts.get("unmapped_type")
        f_type = ut if ut else "long"
        vals = ()
    else:
        f_type = f.type
    missing = opts.get("missing", "_last")
    if f_type in NUMERIC or f_type in ("date", "boolean"):
        nums = [int(v) if isinstance(v, bool) else v for v in vals]
        if nums:
            v = max(nums) if desc else min(nums)
            if f_type in INTEGRAL or f_type in ("date", "boolean"):
                v = int(v)
        else:
            if missing == "_first":
                v = LONG_MAX if desc else LONG_MIN
            elif missing == "_last":
                v = LONG_MIN if desc else LONG_MAX
            else:
                v = float(missing)
            if f_type not in INTEGRAL and f_type not in ("date", "boolean"):
                v = float("-inf") if v == LONG_MIN else float("inf") if v == LONG_MAX else v
        return v, -v if desc else v
    # keyword
    if vals:
        v = max(vals) if desc else min(vals)
        return v, (0, Rev(v) if desc else v)
    first = missing == "_first"
    return None, ((-1 if first else 1), Rev("") if desc else "")


def after_key(sorts, after, idx_types):
    """Comparable key of search_after values."""
    key = []
    for (fname, desc, opts), v in zip(sorts, after):
        t = idx_types.get(fname)
        if fname in ("_doc", "_shard_doc", "_score") or t in NUMERIC or t in ("date", "boolean"):
            if v is None:
                raise illegal("search_after value [null] is not a number")
            if t == "date" and isinstance(v, str) and not re.match(r"^-?\d+$", v):
                v = parse_date(v)
            try:
                x = float(v) if not isinstance(v, (int, float)) else v
                if isinstance(x, float) and x.is_integer() and (t in INTEGRAL or t in ("date",) or fname in ("_doc", "_shard_doc")):
                    x = int(x)
            except ValueError:
                raise illegal("Failed to parse search_after value for field [%s]." % fname)
            key.append(-x if desc else x)
        else:
            if v is None:
                key.append((1, Rev("") if desc else ""))
            else:
                key.append((0, Rev(str(v)) if desc else str(v)))
    return tuple(key)


# ---- aggregations -----------------------------------------------------------------

AGG_TYPES = ("terms", "date_histogram", "histogram", "filter", "filters", "min", "max", "avg", "sum",
             "value_count", "cardinality", "stats")


def parse_aggs(spec, path=""):
    if not isinstance(spec, dict):
        raise parsing_error("Expected [START_OBJECT] under [aggs], but got a [%s] in [%s]" % (type(spec).__name__, path))
    out = []
    for name, body in spec.items():
        if not isinstance(body, dict):
            raise parsing_error("Expected [START_OBJECT] under [%s], but got a [VALUE_STRING] in [%s]" % (name, name))
        subs = body.get("aggs", body.get("aggregations"))
        kinds = [k for k in body if k not in ("aggs", "aggregations", "meta")]
        if not kinds:
            raise parsing_error("Missing definition for aggregation [%s]" % name)
        if len(kinds) > 1:
            raise parsing_error("Found two aggregation type definitions in [%s]: [%s] and [%s]" % (name, kinds[0], kinds[1]))
        kind = kinds[0]
        if kind not in AGG_TYPES:
            raise parsing_error("Unknown aggregation type [%s] did you mean [terms]?" % kind,
                                caused_by={"type": "named_object_not_found_exception",
                                           "reason": "[1:1] unknown field [%s]" % kind})
        params = body[kind]
        if kind == "filter":
            params = parse_dsl(params)
        elif kind == "filters":
            fs = params.get("filters") if isinstance(params, dict) else None
            if isinstance(fs, dict):
                params = dict(params, _parsed=[(k, parse_dsl(v)) for k, v in fs.items()], _keyed=True)
            elif isinstance(fs, list):
                params = dict(params, _parsed=[(str(i), parse_dsl(v)) for i, v in enumerate(fs)], _keyed=False)
            else:
                raise parsing_error("[filters] cannot be empty.")
        elif not isinstance(params, dict):
            raise parsing_error("[%s] expected an object" % kind)
        elif kind in ("terms", "date_histogram", "histogram", "min", "max", "avg", "sum", "value_count",
                      "cardinality", "stats") and "field" not in params:
            if kind in ("terms", "date_histogram", "histogram"):
                raise illegal("Required one of fields [field, script], but none were specified. ")
        out.append((name, kind, params, parse_aggs(subs, name) if subs else []))
    return out


def parse_interval(s, calendar):
    cal = {"minute": "m", "1m": "m", "hour": "h", "1h": "h", "day": "d", "1d": "d", "week": "w", "1w": "w",
           "month": "M", "1M": "M", "quarter": "q", "1q": "q", "year": "y", "1y": "y", "second": "s", "1s": "s"}
    if calendar:
        if s not in cal:
            raise illegal("The supplied interval [%s] could not be parsed as a calendar interval." % s)
        return cal[s]
    m = re.match(r"^(\d+)(ms|s|m|h|d)$", str(s))
    if not m or int(m.group(1)) <= 0:
        raise illegal("failed to parse setting [date_histogram.fixedInterval] with value [%s] as a time value: "
                      "unit is missing or unrecognized" % s)
    return int(m.group(1)) * UNIT_MS[m.group(2)]


class Aggregator:
    def __init__(self, search_ctx):
        self.ctx = search_ctx     # Search

    def field_type(self, fname):
        for idx in self.ctx.indices:
            f = idx.fields.get(fname)
            if f:
                return f
        return None

    def check(self, aggs, idx):
        """Per-index validation (the shard-level errors)."""
        for name, kind, params, subs in aggs:
            if kind in ("terms", "date_histogram", "histogram", "min", "max", "avg", "sum", "stats", "cardinality"):
                f = idx.fields.get(params.get("field", ""))
                if f and f.type == "text" and not f.fielddata:
                    raise ShardError("illegal_argument_exception", fielddata_msg(f.name, idx.name))
                if f and kind in ("date_histogram",) and f.type not in ("date",) and f.type not in NUMERIC:
                    raise ShardError("illegal_argument_exception",
                                     "Field [%s] of type [%s] is not supported for aggregation [date_histogram]" % (f.name, f.type))
            if kind == "filter":
                Compiler(idx, self.ctx.now).compile(params)
            if kind == "filters":
                for _, q in params["_parsed"]:
                    Compiler(idx, self.ctx.now).compile(q)
            self.check(subs, idx)

    def run(self, aggs, docs):
        out = {}
        for name, kind, params, subs in aggs:
            out[name] = getattr(self, "agg_" + kind)(params, subs, docs)
        return out

    def _values(self, doc, fname):
        return doc.index.values(doc, fname)

    def _bucket(self, d, subs, docs):
        if subs:
            d.update(self.run(subs, docs))
        return d

    def _pred(self, q):
        cache = {}

        def pred(d):
            p = cache.get(d.index.name)
            if p is None:
                p = cache[d.index.name] = Compiler(d.index, self.ctx.now).compile(q)
            return p(d)
        return pred

    def agg_filter(self, q, subs, docs):
        p = self._pred(q)
        sel = [d for d in docs if p(d)]
        return self._bucket({"doc_count": len(sel)}, subs, sel)

    def agg_filters(self, params, subs, docs):
        buckets = []
        for key, q in params["_parsed"]:
            p = self._pred(q)
            sel = [d for d in docs if p(d)]
            b = self._bucket({"doc_count": len(sel)}, subs, sel)
            buckets.append((key, b))
        if params.get("other_bucket") or params.get("other_bucket_key"):
            preds = [self._pred(q) for _, q in params["_parsed"]]
            sel = [d for d in docs if not any(p(d) for p in preds)]
            buckets.append((params.get("other_bucket_key", "_other_"), self._bucket({"doc_count": len(sel)}, subs, sel)))
        if params["_keyed"]:
            return {"buckets": {k: b for k, b in buckets}}
        return {"buckets": [b for _, b in buckets]}

    def agg_terms(self, params, subs, docs):
        fname = params.get("field")
        size = int(params.get("size", 10))
        if size < 1:
            raise illegal("[size] must be greater than 0. Found [%d] in [terms]" % size)
        mdc = int(params.get("min_doc_count", 1))
        f = self.field_type(fname)
        groups = {}
        missing = params.get("missing")
        for d in docs:
            _, vals = self._values(d, fname)
            if not vals and missing is not None:
                vals = (missing,)
            for v in set(vals):
                groups.setdefault(v, []).append(d)
        order = params.get("order", [{"_count": "desc"}, {"_key": "asc"}])
        if isinstance(order, dict):
            order = [order]
        items = list(groups.items())
        for o in reversed(order + ([{"_key": "asc"}] if not any("_key" in x for x in order) else [])):
            (k, direction), = o.items()
            rev = str(direction).lower() == "desc"
            if k in ("_count",):
                items.sort(key=lambda kv: len(kv[1]), reverse=rev)
            elif k in ("_key", "_term"):
                items.sort(key=lambda kv: kv[0], reverse=rev)
            else:
                raise ESError(400, "aggregation_execution_exception", "Invalid aggregation order path [%s]" % k)
        items = [kv for kv in items if len(kv[1]) >= mdc]
        shown, rest = items[:size], items[size:]
        buckets = []
        for k, ds in shown:
            b = {"key": k, "doc_count": len(ds)}
            if f is not None and f.type == "date":
                b["key_as_string"] = format_date(k)
            elif f is not None and f.type == "boolean":
                b = {"key": 1 if k else 0, "key_as_string": "true" if k else "false", "doc_count": len(ds)}
            buckets.append(self._bucket(b, subs, ds))
        return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": sum(len(ds) for _, ds in rest),
                "buckets": buckets}

    def agg_histogram(self, params, subs, docs):
        fname = params["field"]
        iv = float(params.get("interval", 0))
        if iv <= 0:
            raise illegal("[interval] must be >0 for histogram aggregation [histogram]")
        off = float(params.get("offset", 0))
        groups = {}
        for d in docs:
            for v in set(self._values(d, fname)[1]):
                k = math.floor((v - off) / iv) * iv + off
                groups.setdefault(k, []).append(d)
        mdc = int(params.get("min_doc_count", 0))
        keys = sorted(groups)
        if mdc == 0 and keys:
            eb = params.get("extended_bounds") or {}
            lo = min(keys[0], math.floor((float(eb["min"]) - off) / iv) * iv + off) if "min" in eb else keys[0]
            hi = max(keys[-1], math.floor((float(eb["max"]) - off) / iv) * iv + off) if "max" in eb else keys[-1]
            if (hi - lo) / iv > MAX_BUCKETS:
                raise too_many_buckets(int((hi - lo) / iv))
            keys = [lo + i * iv for i in range(int(round((hi - lo) / iv)) + 1)]
        buckets = []
        for k in keys:
            ds = groups.get(k, [])
            if len(ds) >= mdc:
                buckets.append(self._bucket({"key": float(k), "doc_count": len(ds)}, subs, ds))
        return {"buckets": buckets}

    def agg_date_histogram(self, params, subs, docs):
        fname = params["field"]
        tz = params.get("time_zone")
        v7 = self.ctx.server.major < 8
        if "fixed_interval" in params:
            step, cal = parse_interval(params["fixed_interval"], False), None
        elif "calendar_interval" in params:
            cal = parse_interval(params["calendar_interval"], True)
            step = UNIT_MS.get(cal)
            if cal in ("m", "h", "d", "s") and not tz:
                step, cal = UNIT_MS[cal], None
        elif "interval" in params and v7:
            iv = params["interval"]
            try:
                cal, step = parse_interval(iv, True), None
                if cal in ("m", "h", "d", "s") and not tz:
                    step, cal = UNIT_MS[cal], None
            except ESError:
                step, cal = parse_interval(iv, False), None
        elif "interval" in params:
            raise ESError(400, "x_content_parse_exception", "[1:1] [date_histogram] unknown field [interval]")
        else:
            raise illegal("Invalid interval specified, must be non-null and non-empty")
        offset = 0
        if params.get("offset"):
            o = str(params["offset"])
            m = re.match(r"^([+-]?)(\d+)(ms|s|m|h|d)$", o)
            if not m:
                raise illegal("failed to parse setting [date_histogram.offset] with value [%s]" % o)
            offset = int(m.group(2)) * UNIT_MS[m.group(3)] * (-1 if m.group(1) == "-" else 1)

        def key_of(ms):
            if cal is None:
                off = tz_offset_ms(tz, ms) if tz else 0
                return ((ms + off - offset) // step) * step + offset - off
            if cal == "q":
                k = _round_unit(ms - offset, "M", False, tz)
                dt = datetime.datetime.fromtimestamp(k / 1000, datetime.timezone.utc)
                return _add_unit(k, -((dt.month - 1) % 3), "M") + offset
            return _round_unit(ms - offset, cal, False, tz) + offset

        def next_key(k):
            if cal is None:
                return k + step
            if cal == "q":
                return key_of(_add_unit(k, 3, "M"))
            return key_of(_add_unit(k, 1, cal) if cal in ("y", "M") else k + UNIT_MS[cal] + 3600000 * 2 if cal in ("d", "w") else k + UNIT_MS[cal])

        fmt = params.get("format")
        groups = {}
        hb = params.get("hard_bounds")
        hb_lo = hb_hi = None
        if hb:
            hb_lo = parse_date(hb["min"], fmt, now_ms=self.ctx.now) if "min" in hb else None
            hb_hi = parse_date(hb["max"], fmt, now_ms=self.ctx.now) if "max" in hb else None
        for d in docs:
            for v in set(self._values(d, fname)[1]):
                if hb_lo is not None and v < hb_lo or hb_hi is not None and v > hb_hi:
                    continue
                groups.setdefault(key_of(int(v)), []).append(d)
        mdc = int(params.get("min_doc_count", 0))
        keys = sorted(groups)
        if mdc == 0:
            eb = params.get("extended_bounds")
            lo = keys[0] if keys else None
            hi = keys[-1] if keys else None
            if eb:
                try:
                    if "min" in eb:
                        x = key_of(parse_date(eb["min"], fmt, now_ms=self.ctx.now))
                        lo = x if lo is None else min(lo, x)
                    if "max" in eb:
                        x = key_of(parse_date(eb["max"], fmt, now_ms=self.ctx.now))
                        hi = x if hi is None else max(hi, x)
                except ValueError as e:
                    raise ESError(400, "parse_exception", str(e))
            if hb_lo is not None and lo is not None:
                lo = max(lo, key_of(hb_lo))
            if hb_hi is not None and hi is not None:
                hi = min(hi, key_of(hb_hi))
            if lo is not None and hi is not None:
                if cal is None and (hi - lo) // step + 1 > MAX_BUCKETS:
                    raise too_many_buckets((hi - lo) // step + 1)
                keys, k = [], lo
                while k <= hi:
                    keys.append(k)
                    if len(keys) > MAX_BUCKETS:
                        raise too_many_buckets(len(keys))
                    k = next_key(k)
            if params.get("extended_bounds") and not docs and not keys:
                keys = []
        buckets = []
        for k in keys:
            ds = groups.get(k, [])
            if len(ds) < mdc:
                continue
            ks = str(int(k)) if fmt == "epoch_millis" else str(int(k) // 1000) if fmt == "epoch_second" else format_date(k, tz)
            buckets.append(self._bucket({"key_as_string": ks, "key": int(k), "doc_count": len(ds)}, subs, ds))
        if params.get("keyed"):
            return {"buckets": {b["key_as_string"]: b for b in buckets}}
        return {"buckets": buckets}

    def _nums(self, params, docs):
        fname = params.get("field")
        out = []
        for d in docs:
            out.extend(float(v) if not isinstance(v, str) else len(v.split()) for v in self._values(d, fname)[1])
        if not out and params.get("missing") is not None:
            out = [float(params["missing"])] * len(docs)
        return out

    def _metric(self, params, value):
        f = self.field_type(params.get("field"))
        d = {"value": value}
        if f is not None and f.type == "date" and value is not None:
            d["value_as_string"] = format_date(int(value))
        return d

    def agg_min(self, params, subs, docs):
        v = self._nums(params, docs)
        return self._metric(params, min(v) if v else None)

    def agg_max(self, params, subs, docs):
        v = self._nums(params, docs)
        return self._metric(params, max(v) if v else None)

    def agg_avg(self, params, subs, docs):
        v = self._nums(params, docs)
        return {"value": sum(v) / len(v) if v else None}

    def agg_sum(self, params, subs, docs):
        return {"value": float(sum(self._nums(params, docs)))}

    def agg_value_count(self, params, subs, docs):
        return {"value": sum(len(self._values(d, params.get("field"))[1]) for d in docs)}

    def agg_cardinality(self, params, subs, docs):
        s = set()
        for d in docs:
            for v in self._values(d, params.get("field"))[1]:
                s.add(v)
        return {"value": len(s)}

    def agg_stats(self, params, subs, docs):
        v = self._nums(params, docs)
        if not v:
            return {"count": 0, "min": None, "max": None, "avg": None, "sum": 0.0}
        return {"count": len(v), "min": min(v), "max": max(v), "avg": sum(v) / len(v), "sum": float(sum(v))}


def fielddata_msg(field, index):
    return ("Fielddata is disabled on [%s] in [%s]. Text fields are not optimised for operations that require "
            "per-document field data like aggregations and sorting, so these operations are disabled by default. "
            "Please use a keyword field instead. Alternatively, set fielddata=true on [%s] in order to load field "
            "data by uninverting the inverted index. Note that this can use significant memory." % (field, index, field))


def too_many_buckets(n):
    return ESError(400, "too_many_buckets_exception",
                   "Trying to create too many buckets. Must be less than or equal to: [%d] but this number of buckets "
                   "was [%d]. This limit can be set by changing the [search.max_buckets] cluster level setting."
                   % (MAX_BUCKETS, n), max_buckets=MAX_BUCKETS)


# ---- _source filtering, filter_path -------------------------------------------------

def source_filter(src, spec):
    if spec is None or spec is True:
        return src
    if spec is False:
        return None
    if isinstance(spec, str):
        inc, exc = [spec], []
    elif isinstance(spec, list):
        inc, exc = spec, []
    elif isinstance(spec, dict):
        inc = spec.get("includes", spec.get("include", []))
        exc = spec.get("excludes", spec.get("exclude", []))
        inc = [inc] if isinstance(inc, str) else inc
        exc = [exc] if isinstance(exc, str) else exc
    else:
        return src
    inc_rx = [wildcard_re(p) for p in inc]
    exc_rx = [wildcard_re(p) for p in exc]

    def keep(path, is_obj):
        if any(r.fullmatch(path) for r in exc_rx):
            return False
        if not inc_rx:
            return True
        if any(r.fullmatch(path) for r in inc_rx):
            return True
        if is_obj:
            return any(p.startswith(path + ".") or p.startswith("*") for p in inc) and "partial"
        # included through a parent pattern
        parts = path.split(".")
        return any(r.fullmatch(".".join(parts[:i])) for r in inc_rx for i in range(1, len(parts)))

    def walk(obj, prefix):
        out = {}
        for k, v in obj.items():
            p = prefix + k
            if isinstance(v, dict):
                kp = keep(p, True)
                if kp is True:
                    sub = walk(v, p + ".") if exc_rx else v
                    out[k] = sub
                elif kp:
                    sub = walk(v, p + ".")
                    if sub:
                        out[k] = sub
            elif keep(p, False):
                out[k] = v
        return out
    return walk(src, "")


def filter_path(obj, spec):
    pats = [p.strip() for p in spec.split(",") if p.strip()]
    inc = [p.split(".") for p in pats if not p.startswith("-")]
    exc = [p[1:].split(".") for p in pats if p.startswith("-")]

    def match(seg, pat):
        return pat == "**" or fnmatch.fnmatchcase(seg, pat)

    def walk(o, incs, excs):
        if isinstance(o, list):
            out = [walk(x, incs, excs) for x in o]
            return [x for x in out if x is not _DROP]
        if not isinstance(o, dict):
            return o if any(len(p) == 0 for p in incs) or not incs else _DROP
        out = {}
        for k, v in o.items():
            ni = []
            full = False
            for p in incs:
                if not p:
                    full = True
                elif match(k, p[0]):
                    ni.append(p[1:])
                    if p[0] == "**":
                        ni.append(p)
                elif p[0] == "**" and len(p) > 1 and match(k, p[1]):
                    ni.append(p[2:])
            ne = []
            dropped = False
            for p in excs:
                if p and match(k, p[0]):
                    if len(p) == 1:
                        dropped = True
                    ne.append(p[1:])
            if dropped:
                continue
            if full or (incs and any(len(p) == 0 for p in ni)) or not incs:
                r = v if not ne else walk(v, [], [p for p in ne if p])
                out[k] = r
            elif ni:
                r = walk(v, ni, [p for p in ne if p])
                if r is not _DROP and r != {} and r != []:
                    out[k] = r
        return out if out or not incs else _DROP
    r = walk(obj, inc, exc)
    return {} if r is _DROP else r


_DROP = object()


# ---- the server state ---------------------------------------------------------------

class Search:
    """One search request, run over the resolved indices."""

    def __init__(self, server, indices, now):
        self.server = server
        self.indices = indices
        self.now = now


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.indices = {}
        self.seq = 0
        self.max_docs = args.max_docs
        self.version = args.version
        self.major = int(args.version.split(".")[0])
        self.total_as_number = args.total_as_number
        self.refresh_interval = args.refresh_interval
        self.fail_429_every = args.fail_429_every
        self.searches = 0
        self.pits = {}

    # index names and patterns
    @staticmethod
    def check_name(name):
        if (not name or name != name.lower() or name.startswith(("_", "-", "+")) or name in (".", "..")
                or any(c in name for c in '\\/*?"<>| ,#:') or len(name.encode()) > 255):
            reason = ("Invalid index name [%s], must be lowercase" % name if name != name.lower()
                      else "Invalid index name [%s], must not start with '_', '-', or '+'" % name
                      if name.startswith(("_", "-", "+"))
                      else "Invalid index name [%s], must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]" % name)
            raise ESError(400, "invalid_index_name_exception", reason, index_uuid="_na_", index=name)

    def get_or_create(self, name, auto=True):
        idx = self.indices.get(name)
        if idx is None:
            if not auto:
                raise index_not_found(name)
            self.check_name(name)
            idx = self.indices[name] = Index(name, self.max_docs)
        return idx

    def resolve(self, expr, params, allow_empty=True):
        """Indices named by a comma list with wildcards and -exclusions."""
        ignore_unavailable = params.get("ignore_unavailable") == "true"
        allow_no = params.get("allow_no_indices", "true") != "false"
        if expr is None or expr in ("", "_all", "*"):
            out = [i for n, i in sorted(self.indices.items()) if not n.startswith(".")]
            if not out and not allow_no and expr:
                raise index_not_found(expr)
            return out
        chosen = []
        for part in expr.split(","):
            part = part.strip()
            if not part:
                continue
            if part.startswith("-") and chosen:
                rx = wildcard_re(part[1:])
                chosen = [i for i in chosen if not rx.fullmatch(i.name)]
                continue
            if "*" in part:
                rx = wildcard_re(part)
                hits = [i for n, i in sorted(self.indices.items())
                        if rx.fullmatch(n) and (not n.startswith(".") or part.startswith("."))]
                if not hits and not allow_no:
                    raise index_not_found(part)
                for i in hits:
                    if i not in chosen:
                        chosen.append(i)
            else:
                i = self.indices.get(part)
                if i is None:
                    if ignore_unavailable:
                        continue
                    raise index_not_found(part)
                if i not in chosen:
                    chosen.append(i)
        return chosen

    def cutoff(self):
        """Documents indexed at or before this time are searchable (the last periodic refresh)."""
        if self.refresh_interval <= 0:
            return float("inf")
        now = time.time()
        return math.floor(now / self.refresh_interval) * self.refresh_interval

    def refresh(self, indices):
        for i in indices:
            i.refreshed_seq = self.seq

    # indexing
    def index_doc(self, idx_name, doc_id, source, op="index", raw=None):
        """Returns (status, result item) for one document."""
        idx = self.get_or_create(idx_name)
        if not isinstance(source, dict):
            raise ESError(400, "mapper_parsing_exception", "failed to parse, document is empty" if source is None
                          else "failed to parse", caused_by={"type": "not_x_content_exception",
                                                               "reason": "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes"})
        if doc_id is None:
            doc_id = base64.urlsafe_b64encode(uuid.uuid4().bytes[:15]).decode()
            op_result = "created"
        doc_id = str(doc_id)
        if len(doc_id.encode()) > 512:
            raise validation("id [%s] is too long, must be no longer than 512 bytes but was: %d" % (doc_id[:20], len(doc_id.encode())))
        old = idx.ids.get(doc_id)
        if old is not None and op == "create":
            raise ESError(409, "version_conflict_engine_exception",
                          "[%s]: version conflict, document already exists (current version [%d])" % (doc_id, old.version),
                          index_uuid=idx.uuid, shard="0", index=idx.name)
        flat = flatten(source)
        idx.check_doc(doc_id, flat)
        self.seq += 1
        version = old.version + 1 if old is not None else 1
        if raw is None:
            raw = json.dumps(source, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        doc = Doc(self.seq, doc_id, bytes(raw).strip(), idx.doc_values(flat), idx, time.time(), version)
        idx.add(doc)
        op_result = "updated" if old is not None else "created"
        return (200 if old is not None else 201), {
            "_index": idx.name, "_id": doc_id, "_version": version, "result": op_result,
            "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": self.seq - 1, "_primary_term": 1}

    # search
    def search(self, expr, body, params, pit_docs=None):
        t0 = time.time()
        body = body or {}
        if not isinstance(body, dict):
            raise parsing_error("Unknown key for a VALUE_STRING in [query].")
        allowed = {"query", "size", "from", "sort", "search_after", "track_total_hits", "_source", "aggs",
                   "aggregations", "pit", "timeout", "track_scores", "version", "seq_no_primary_term",
                   "stored_fields", "docvalue_fields", "fields", "highlight", "explain", "min_score",
                   "post_filter", "runtime_mappings", "terminate_after", "profile", "collapse", "indices_boost"}
        for k in body:
            if k not in allowed:
                raise parsing_error("Unknown key for a %s in [%s]." % ("START_OBJECT" if isinstance(body[k], dict)
                                                                       else "VALUE_STRING", k))
        q = body.get("query")
        if "q" in params:
            qs = ("qs", params["q"], [params["df"]] if "df" in params else None,
                  params.get("default_operator", "OR").lower() == "and", params.get("lenient") == "true", False)
        else:
            qs = None
        query = parse_dsl(q) if q is not None else (qs or ("all",))
        post = parse_dsl(body["post_filter"]) if body.get("post_filter") is not None else None

        def intparam(name, default):
            v = body.get(name, params.get(name, default))
            try:
                return int(v)
            except (TypeError, ValueError):
                raise parsing_error("[%s] failed to parse field [%s]" % (name, name))
        size = intparam("size", 10)
        from_ = intparam("from", 0)
        if size < 0:
            raise illegal("[size] parameter cannot be negative, found [%d]" % size)
        if from_ < 0:
            raise illegal("[from] parameter cannot be negative, found [%d]" % from_)
        sorts = parse_sort(body.get("sort"))
        if sorts is None and "sort" in params:
            sorts = []
            for s in params["sort"].split(","):
                f, _, o = s.partition(":")
                sorts.append((f, (o or ("desc" if f == "_score" else "asc")) == "desc", {}))
        after = body.get("search_after")
        if after is not None:
            if not isinstance(after, list):
                raise parsing_error("[search_after] expected an array")
            if from_ not in (0, -1):
                raise validation("`from` parameter must be set to 0 when `search_after` is used")
            if not sorts:
                raise validation("[search_after] requires sort to be set")
            if len(after) != len(sorts):
                raise illegal("search_after has %d value(s) but sort has %d." % (len(after), len(sorts)))
        tth = body.get("track_total_hits", params.get("track_total_hits", DEFAULT_TRACK))
        if isinstance(tth, str):
            tth = True if tth == "true" else False if tth == "false" else int(tth)
        if tth is True:
            tth = LONG_MAX
        elif tth is False:
            tth = -1
        rest_int = params.get("rest_total_hits_as_int") == "true" or self.total_as_number
        if rest_int and tth not in (LONG_MAX, -1):
            tth = LONG_MAX      # as Elasticsearch does with rest_total_hits_as_int
        aggs = parse_aggs(body.get("aggs", body.get("aggregations"))) if (body.get("aggs") or body.get("aggregations")) else []
        if sorts:
            for f, _, _ in sorts:
                if f == "_shard_doc" and pit_docs is None:
                    raise validation("[_shard_doc] sort field cannot be used without [point in time]")

        if pit_docs is not None:
            indices = sorted({d.index for d in pit_docs}, key=lambda i: i.name)
        else:
            indices = self.resolve(expr, params)
        if from_ + size > MAX_RESULT_WINDOW and indices:
            failures = [(i, ShardError("illegal_argument_exception",
                                       "Result window is too large, from + size must be less than or equal to: [%d] "
                                       "but was [%d]. See the scroll api for a more efficient way to request large data "
                                       "sets. This limit can be set by changing the [index.max_result_window] index "
                                       "level setting." % (MAX_RESULT_WINDOW, from_ + size))) for i in indices]
            raise ESError(400, "search_phase_execution_exception", "all shards failed", body=shard_failure_body(failures))
        now_ms = int(time.time() * 1000)
        ctx = Search(self, indices, now_ms)
        agg = Aggregator(ctx)
        cutoff = self.cutoff()
        matched, failures, ok_indices = [], [], []
        for idx in indices:
            try:
                pred = Compiler(idx, now_ms).compile(query)
                ppred = Compiler(idx, now_ms).compile(post) if post else None
                for f, _, opts in sorts or []:
                    if f in ("_doc", "_score", "_shard_doc"):
                        continue
                    fl = idx.fields.get(f)
                    if fl is None and not opts.get("unmapped_type"):
                        raise ShardError("query_shard_exception", "No mapping found for [%s] in order to sort on" % f)
                    if fl is not None and fl.type == "text" and not fl.fielddata:
                        raise ShardError("illegal_argument_exception", fielddata_msg(f, idx.name))
                agg.check(aggs, idx)
            except ShardError as e:
                failures.append((idx, e))
                continue
            ok_indices.append(idx)
            docs = [d for d in pit_docs if d.index is idx] if pit_docs is not None else idx.visible(cutoff)
            for d in docs:
                if pred(d):
                    matched.append((d, ppred))
        if failures and not ok_indices:
            raise ESError(400, "search_phase_execution_exception", "all shards failed", body=shard_failure_body(failures))
        all_docs = [d for d, _ in matched]
        hits_pool = [d for d, p in matched if p is None or p(d)]
        total = len(hits_pool)

        # order and page
        types = {}
        for f, _, _ in sorts or []:
            for i in ok_indices:
                if f in i.fields:
                    types[f] = i.fields[f].type
                    break
            else:
                for _, _, o in [s for s in sorts if s[0] == f]:
                    if o.get("unmapped_type"):
                        types[f] = o["unmapped_type"]
        if sorts:
            def key(d):
                return tuple(sort_entry(d.index, d, f, desc, o, pit_docs is not None)[1] for f, desc, o in sorts) + (d.seq,)
            pool = hits_pool
            if after is not None:
                ak = after_key(sorts, after, types)
                pool = [d for d in pool if key(d)[:-1] > ak]
            n = from_ + size
            page = heapq.nsmallest(n, pool, key=key)[from_:] if n < len(pool) // 4 else sorted(pool, key=key)[from_:from_ + size]
        else:
            page = hits_pool[from_:from_ + size]
        hits = []
        src_spec = body.get("_source", params.get("_source"))
        if isinstance(src_spec, str) and src_spec in ("true", "false"):
            src_spec = src_spec == "true"
        elif isinstance(src_spec, str):
            src_spec = src_spec.split(",")
        score_null = bool(sorts) and not body.get("track_scores") and not any(f == "_score" for f, _, _ in sorts)
        for d in page:
            h = {"_index": d.index.name}
            if self.major < 8:
                h["_type"] = "_doc"
            h["_id"] = d.id
            h["_score"] = None if score_null else 1.0
            src = source_filter(d.source, src_spec)
            if src is not None:
                h["_source"] = src
            if sorts:
                h["sort"] = [sort_entry(d.index, d, f, desc, o, pit_docs is not None)[0] for f, desc, o in sorts]
            hits.append(h)
        hits_obj = {}
        if tth != -1:
            if rest_int:
                hits_obj["total"] = total
            elif total > tth:
                hits_obj["total"] = {"value": tth, "relation": "gte"}
            else:
                hits_obj["total"] = {"value": total, "relation": "eq"}
        elif rest_int:
            hits_obj["total"] = -1
        hits_obj["max_score"] = None if score_null or not hits else 1.0
        hits_obj["hits"] = hits
        resp = {"took": 0, "timed_out": False,
                "_shards": {"total": len(indices), "successful": len(ok_indices), "skipped": 0, "failed": len(failures)},
                "hits": hits_obj}
        if failures:
            resp["_shards"]["failures"] = [{"shard": 0, "index": i.name, "node": NODE_ID,
                                            "reason": {"type": e.type, "reason": e.reason}} for i, e in failures]
        if aggs:
            resp["aggregations"] = agg.run(aggs, all_docs)
        resp["took"] = int((time.time() - t0) * 1000)
        return resp

    def count(self, expr, body, params):
        body = body or {}
        for k in body:
            if k not in ("query",):
                raise parsing_error("request does not support [%s]" % k)
        b = {"query": body["query"]} if "query" in body else {}
        r = self.search(expr, dict(b, size=0, track_total_hits=True), {k: v for k, v in params.items() if k != "rest_total_hits_as_int"})
        t = r["hits"]["total"]
        return {"count": t["value"] if isinstance(t, dict) else t,
                "_shards": {k: v for k, v in r["_shards"].items() if k != "failures"}}


# ---- HTTP ---------------------------------------------------------------------------

def auth_header_list():
    return ['Basic realm="security" charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]


class Handler(BaseHTTPRequestHandler):
    server_version = "esserver"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt_, *args):
        if self.server.verbose:
            sys.stderr.write("esserver: %s\n" % (fmt_ % args))

    # plumbing
    def send_json(self, status, obj, headers=None):
        u = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        if "filter_path" in params and isinstance(obj, (dict, list)) and status < 400:
            obj = filter_path(obj, params["filter_path"])
        pretty = "pretty" in params and params["pretty"] != "false"
        data = (json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None,
                           separators=None if pretty else (",", ":")) + ("\n" if pretty else "")).encode("utf-8")
        accept = self.headers.get("Accept", "")
        ctype = "application/json"
        m = re.search(r"compatible-with=(\d+)", accept)
        if "vnd.elasticsearch" in accept and m:
            ctype = "application/vnd.elasticsearch+json;compatible-with=%s" % m.group(1)
        self.send_response(status)
        self.send_header("X-elastic-product", "Elasticsearch")
        self.send_header("content-type", ctype + ("" if "compatible" in ctype else "; charset=UTF-8"))
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(data) > 64 and self.command != "HEAD":
            data = gzip.compress(data)
            self.send_header("content-encoding", "gzip")
        for k, v in (headers or {}).items():
            for x in (v if isinstance(v, list) else [v]):
                self.send_header(k, x)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_text(self, status, text):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("X-elastic-product", "Elasticsearch")
        self.send_header("content-type", "text/plain; charset=UTF-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        limit = self.server.max_body
        if "chunked" in te.lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > limit:
                    raise ESError(413, "content_too_long", "request too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
            raw = b"".join(chunks)
        else:
            n = int(self.headers.get("Content-Length") or 0)
            if n > limit:
                self.close_connection = True
                raise ESError(413, "content_too_long", "request too large")
            raw = self.rfile.read(n) if n else b""
        if raw and self.headers.get("Content-Encoding", "").lower() == "gzip":
            raw = gzip.decompress(raw)
        if raw:
            ct = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ct not in ("application/json", "application/x-ndjson", "application/vnd.elasticsearch+json",
                          "application/vnd.elasticsearch+x-ndjson", "text/plain"):
                raise ESError(406, None, None, body={"error": "Content-Type header [%s] is not supported"
                                                     % (self.headers.get("Content-Type") or ""), "status": 406})
        return raw

    def json_body(self, raw):
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise parsing_error("Invalid UTF-8 start byte")
        except json.JSONDecodeError as e:
            raise parsing_error("[%d:%d] %s" % (e.lineno, e.colno, "Unexpected end-of-input: expected close marker for Object"
                                                if e.pos >= len(raw.strip()) else "Unexpected character: %s" % e.msg),
                                line=e.lineno, col=e.colno)

    def check_auth(self, path):
        srv = self.server
        if not (srv.basic or srv.api_key or srv.bearer):
            return
        h = self.headers.get("Authorization")
        www = {"WWW-Authenticate": auth_header_list()}
        if not h:
            raise ESError(401, "security_exception", "missing authentication credentials for REST request [%s]" % path,
                          headers=www, header={"WWW-Authenticate": auth_header_list()})
        scheme, _, cred = h.partition(" ")
        cred = cred.strip()
        scheme = scheme.lower()
        if scheme == "basic" and srv.basic:
            try:
                got = base64.b64decode(cred, validate=True).decode()
            except Exception:
                got = ""
            if got == srv.basic:
                return
            raise ESError(401, "security_exception", "unable to authenticate user [%s] for REST request [%s]"
                          % (got.split(":")[0], path), headers=www, header={"WWW-Authenticate": auth_header_list()})
        if scheme == "apikey" and srv.api_key and cred in srv.api_key:
            return
        if scheme == "bearer" and srv.bearer and cred == srv.bearer:
            return
        raise ESError(401, "security_exception",
                      "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
                      headers=www, header={"WWW-Authenticate": auth_header_list()},
                      **{"additional_unsuccessful_credentials": "API key: invalid credentials" if scheme == "apikey" else
                         "bearer token: invalid token" if scheme == "bearer" else "basic: invalid credentials"})

    def handle_any(self):
        st = self.server.state
        u = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        segs = [unquote(s) for s in u.path.split("/") if s != ""]
        try:
            self.check_auth(u.path)
            raw = self.read_body() if self.command in ("POST", "PUT", "DELETE", "GET") else b""
            status, obj, headers = self.route(st, self.command, segs, params, raw)
            if isinstance(obj, str):
                self.send_text(status, obj)
            elif obj is None:
                self.send_response(status)
                self.send_header("X-elastic-product", "Elasticsearch")
                self.send_header("content-type", "application/json")
                self.send_header("content-length", "0")
                self.end_headers()
            else:
                self.send_json(status, obj, headers)
        except ESError as e:
            self.send_json(e.status, e.body(), e.headers)
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True
        except Exception as e:     # a bug here: say so in ES's shape, keep serving
            import traceback
            traceback.print_exc()
            self.send_json(500, ESError(500, "exception", "esserver: %s: %s" % (type(e).__name__, e)).body())

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    def bad_method(self, segs):
        raise ESError(405, None, None, body={"error": "Incorrect HTTP method for uri [/%s] and method [%s], allowed: [GET, POST]"
                                             % ("/".join(segs), self.command), "status": 405})

    def route(self, st, m, segs, params, raw):
        with st.lock:
            return self._route(st, m, segs, params, raw)

    def _route(self, st, m, segs, params, raw):
        n = len(segs)
        if n == 0:
            if m in ("GET", "HEAD"):
                return 200, self.info(st), None
            self.bad_method(segs)
        first = segs[0]
        if first == "_cluster" and n >= 2 and segs[1] == "health":
            return 200, {"cluster_name": "esserver", "status": "green", "timed_out": False, "number_of_nodes": 1,
                         "number_of_data_nodes": 1, "active_primary_shards": len(st.indices),
                         "active_shards": len(st.indices), "relocating_shards": 0, "initializing_shards": 0,
                         "unassigned_shards": 0, "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
                         "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
                         "active_shards_percent_as_number": 100.0}, None
        if first == "_cat":
            if n >= 2 and segs[1] == "indices":
                return self.cat_indices(st, segs[2] if n > 2 else None, params)
            raise ESError(400, "illegal_argument_exception", "request [/%s] contains unrecognized url" % "/".join(segs))
        if first == "_bulk":
            return self.bulk(st, None, params, raw)
        if first == "_search" and n == 1:
            return self.do_search(st, None, params, raw)
        if first == "_msearch":
            return self.msearch(st, None, params, raw)
        if first == "_count":
            return 200, st.count(None, self.json_body(raw), params), None
        if first == "_refresh":
            st.refresh(st.indices.values())
            return 200, {"_shards": {"total": len(st.indices), "successful": len(st.indices), "failed": 0}}, None
        if first == "_pit" and m == "DELETE":
            body = self.json_body(raw) or {}
            ids = body.get("id")
            ids = ids if isinstance(ids, list) else [ids]
            freed = sum(1 for i in ids if st.pits.pop(i, None) is not None)
            return (200 if freed else 404), {"succeeded": True, "num_freed": freed}, None
        if first.startswith("_") and first not in ("_all",):
            raise ESError(400, None, None, body={"error": "no handler found for uri [/%s] and method [%s]"
                                                 % ("/".join(segs), m), "status": 400})
        expr = first
        if n == 1:
            if m == "PUT":
                return self.create_index(st, expr, raw)
            if m in ("GET", "HEAD"):
                idxs = st.resolve(expr, params)
                if m == "HEAD":
                    return (200 if idxs or "*" in expr else 404), None, None
                return 200, {i.name: {"aliases": {}, "mappings": i.mapping_json(),
                                      "settings": {"index": {"number_of_shards": "1", "number_of_replicas": "1",
                                                             "uuid": i.uuid, "provided_name": i.name,
                                                             "creation_date": str(int(i.created * 1000)),
                                                             "version": {"created": "8110099"}}}} for i in idxs}, None
            if m == "DELETE":
                for i in st.resolve(expr, params):
                    del st.indices[i.name]
                return 200, {"acknowledged": True}, None
            if m == "POST":
                self.bad_method(segs)
        api = segs[1]
        if api == "_search" and n == 2:
            return self.do_search(st, expr, params, raw)
        if api == "_msearch":
            return self.msearch(st, expr, params, raw)
        if api == "_count":
            return 200, st.count(expr, self.json_body(raw), params), None
        if api == "_bulk":
            return self.bulk(st, expr, params, raw)
        if api == "_refresh":
            idxs = st.resolve(expr, params)
            st.refresh(idxs)
            return 200, {"_shards": {"total": 2 * len(idxs), "successful": len(idxs), "failed": 0}}, None
        if api == "_mapping":
            if m == "PUT":
                body = self.json_body(raw) or {}
                for i in st.resolve(expr, params):
                    i.put_mapping(body.get("properties", {}))
                return 200, {"acknowledged": True}, None
            return 200, {i.name: {"mappings": i.mapping_json()} for i in st.resolve(expr, params)}, None
        if api == "_pit" and m == "POST":
            if "keep_alive" not in params:
                raise validation("[keep_alive] is not specified")
            idxs = st.resolve(expr, params)
            cutoff = st.cutoff()
            docs = [d for i in idxs for d in i.visible(cutoff)]
            pid = base64.urlsafe_b64encode(os.urandom(24)).decode()
            st.pits[pid] = (docs, time.time())
            while len(st.pits) > 64:
                st.pits.pop(next(iter(st.pits)))
            return 200, {"id": pid}, None
        if api in ("_doc", "_create"):
            if m == "GET" and n == 3:
                i = st.get_or_create(expr, auto=False)
                d = i.ids.get(segs[2])
                if d is None:
                    return 404, {"_index": i.name, "_id": segs[2], "found": False}, None
                return 200, {"_index": i.name, "_id": d.id, "_version": d.version, "_seq_no": d.seq - 1,
                             "_primary_term": 1, "found": True, "_source": d.source}, None
            if m == "DELETE" and n == 3:
                i = st.get_or_create(expr, auto=False)
                d = i.remove(segs[2])
                return (200 if d else 404), {"_index": i.name, "_id": segs[2], "_version": (d.version + 1) if d else 1,
                                             "result": "deleted" if d else "not_found",
                                             "_shards": {"total": 2, "successful": 1, "failed": 0}}, None
            if m in ("POST", "PUT"):
                if m == "PUT" and n < 3:
                    self.bad_method(segs)
                body = self.json_body(raw)
                op = "create" if api == "_create" or params.get("op_type") == "create" else "index"
                status, item = st.index_doc(expr, segs[2] if n > 2 else None, body, op, raw=raw)
                self.after_write(st, [expr], params)
                return status, item, None
        raise ESError(400, "illegal_argument_exception", "request [/%s] contains unrecognized url" % "/".join(segs))

    @staticmethod
    def info(st):
        v = st.version
        d = {"name": "esserver-node", "cluster_name": "esserver", "cluster_uuid": CLUSTER_UUID,
             "version": {"number": v, "build_flavor": "default", "build_type": "tar",
                         "build_hash": "0000000000000000000000000000000000000000",
                         "build_date": "2023-11-04T10:04:57.184859352Z", "build_snapshot": False,
                         "lucene_version": "9.8.0" if st.major >= 8 else "8.11.1",
                         "minimum_wire_compatibility_version": "7.17.0" if st.major >= 8 else "6.8.0",
                         "minimum_index_compatibility_version": "7.0.0" if st.major >= 8 else "6.0.0-beta1"},
             "tagline": "You Know, for Search"}
        return d

    def create_index(self, st, name, raw):
        st.check_name(name)
        if name in st.indices:
            i = st.indices[name]
            raise ESError(400, "resource_already_exists_exception", "index [%s/%s] already exists" % (name, i.uuid),
                          index_uuid=i.uuid, index=name)
        body = self.json_body(raw) or {}
        idx = Index(name, st.max_docs, settings={})
        maps = body.get("mappings", {})
        if maps.get("dynamic") in ("strict", False, "false"):
            idx.settings["dynamic"] = "strict" if maps.get("dynamic") == "strict" else "false"
        idx.put_mapping(maps.get("properties", {}))
        st.indices[name] = idx
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}, None

    def after_write(self, st, names, params):
        r = params.get("refresh")
        if r in ("", "true"):
            st.refresh([st.indices[n] for n in names if n in st.indices])
        elif r == "wait_for" and st.refresh_interval > 0:
            nxt = st.cutoff() + st.refresh_interval
            st.lock.release()
            try:
                time.sleep(max(0.0, nxt - time.time() + 0.001))
            finally:
                st.lock.acquire()

    def bulk(self, st, default_index, params, raw):
        t0 = time.time()
        if raw and not raw.endswith(b"\n"):
            raise illegal("The bulk request must be terminated by a newline [\\n]")
        lines = raw.split(b"\n")
        items, errors, touched = [], False, set()
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            i += 1
            if not line:
                continue
            try:
                action = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                raise illegal("Malformed action/metadata line [%d], expected START_OBJECT but found [VALUE_STRING]" % i)
            if not isinstance(action, dict) or len(action) != 1:
                raise illegal("Malformed action/metadata line [%d], expected START_OBJECT or END_OBJECT but found [%s]"
                              % (i, "START_ARRAY" if isinstance(action, list) else "FIELD_NAME"))
            (op, meta), = action.items()
            if op not in ("index", "create", "delete", "update"):
                raise illegal("Malformed action/metadata line [%d], expected field [create], [delete], [index] or [update] but found [%s]" % (i, op))
            meta = meta or {}
            idx_name = meta.get("_index", default_index)
            doc_id = meta.get("_id")
            source = None
            if op != "delete":
                if i >= len(lines) or not lines[i].strip():
                    raise validation("no requests added" if not items else "source is missing")
                try:
                    source = json.loads(lines[i])
                except (ValueError, UnicodeDecodeError) as e:
                    source = e
                i += 1
            if idx_name is None:
                raise validation("index is missing")
            try:
                if op == "update":
                    raise illegal("esserver: the update action is not supported by this test server")
                if op == "delete":
                    idx = st.get_or_create(idx_name, auto=False) if idx_name in st.indices else None
                    d = idx.remove(str(doc_id)) if idx else None
                    item = {"_index": idx_name, "_id": str(doc_id), "_version": (d.version + 1) if d else 1,
                            "result": "deleted" if d else "not_found",
                            "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": st.seq, "_primary_term": 1,
                            "status": 200 if d else 404}
                    items.append({op: item})
                    continue
                if isinstance(source, Exception):
                    raise ESError(400, "mapper_parsing_exception", "failed to parse",
                                  caused_by={"type": "json_parse_exception", "reason": str(source)})
                status, item = st.index_doc(idx_name, doc_id, source, op, raw=lines[i - 1])
                item["status"] = status
                touched.add(idx_name)
                items.append({op: item})
            except ESError as e:
                errors = True
                err = {"type": e.type, "reason": e.reason}
                err.update(e.fields)
                items.append({op: {"_index": idx_name, "_id": doc_id, "status": e.status, "error": err}})
        self.after_write(st, sorted(touched), params)
        return 200, {"errors": errors, "took": int((time.time() - t0) * 1000), "items": items}, None

    def count_search(self, st):
        st.searches += 1
        if st.fail_429_every and st.searches % st.fail_429_every == 0:
            reason = ("rejected execution of TimedRunnable{original=ActionRunnable#wrap[org.elasticsearch.search.SearchService$$Lambda] "
                      "on TaskExecutionTimeTrackingEsThreadPoolExecutor[name = esserver-node/search, queue capacity = 1000, "
                      "task execution EWMA = 1ms, total task execution time = 1s]")
            raise ESError(429, "es_rejected_execution_exception", reason, headers={"Retry-After": "1"})

    def do_search(self, st, expr, params, raw):
        body = self.json_body(raw)
        if isinstance(body, dict) and body.get("pit") is not None:
            if expr is not None:
                raise validation("[indices] cannot be used with point in time. Do not specify any index with point in time.")
            pid = body["pit"].get("id") if isinstance(body["pit"], dict) else None
            pit = st.pits.get(pid)
            if pit is None:
                raise ESError(404, "search_context_missing_exception", "No search context found for id [%s]" % pid)
            self.count_search(st)
            body = dict(body)
            body.pop("pit")
            r = st.search(None, body, params, pit_docs=pit[0])
            r = {"pit_id": pid, **r}
            return 200, r, None
        self.count_search(st)
        return 200, st.search(expr, body, params), None

    def msearch(self, st, expr, params, raw):
        t0 = time.time()
        lines = [x for x in raw.split(b"\n") if x.strip()]
        if len(lines) % 2:
            raise illegal("The msearch request must be terminated by a newline [\\n]")
        out = []
        for i in range(0, len(lines), 2):
            try:
                head = json.loads(lines[i]) or {}
                body = json.loads(lines[i + 1])
            except ValueError:
                raise ESError(400, "parsing_exception", "Failed to parse msearch line %d" % (i + 1))
            idx = head.get("index", expr)
            if isinstance(idx, list):
                idx = ",".join(idx)
            try:
                self.count_search(st)
                r = st.search(idx, body, params)
                r["status"] = 200
            except ESError as e:
                r = e.body()
            out.append(r)
        return 200, {"took": int((time.time() - t0) * 1000), "responses": out}, None

    def cat_indices(self, st, pattern, params):
        idxs = st.resolve(pattern, params) if pattern else sorted(st.indices.values(), key=lambda i: i.name)

        def human(b):
            for unit in ("b", "kb", "mb", "gb"):
                if b < 1024 or unit == "gb":
                    return ("%d%s" % (b, unit)) if unit == "b" else ("%.1f%s" % (b, unit))
                b /= 1024.0
        rows = []
        for i in idxs:
            size = human(i.bytes) if params.get("bytes") != "b" else str(i.bytes)
            rows.append({"health": "yellow", "status": "open", "index": i.name, "uuid": i.uuid, "pri": "1", "rep": "1",
                         "docs.count": str(len(i.ids)), "docs.deleted": str(i.deleted),
                         "store.size": size, "pri.store.size": size, "dataset.size": size})
        if st.major < 8:
            for r in rows:
                r.pop("dataset.size")
        if params.get("h"):
            cols = params["h"].split(",")
            rows = [{c: r.get(c) for c in cols} for r in rows]
        if params.get("s"):
            col, _, order = params["s"].partition(":")
            rows.sort(key=lambda r: r.get(col) or "", reverse=order == "desc")
        if params.get("format") == "json":
            return 200, rows, None
        cols = list(rows[0]) if rows else (params["h"].split(",") if params.get("h") else
                                            ["health", "status", "index", "uuid", "pri", "rep", "docs.count",
                                             "docs.deleted", "store.size", "pri.store.size"])
        table = [cols] if "v" in params else []
        table += [[str(r.get(c, "")) for c in cols] for r in rows]
        widths = [max(len(t[j]) for t in table) for j in range(len(cols))] if table else []
        text = "".join(" ".join(t[j].ljust(widths[j]) for j in range(len(cols))).rstrip() + "\n" for t in table)
        return 200, text, None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that went away mid-request (reset, broken pipe) is not a
        # server bug: say nothing.  Anything else still prints its traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="An API-faithful Elasticsearch test server (in memory).")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (default 127.0.0.1:0, a free port)")
    ap.add_argument("--port", type=int, help="shorthand for --listen 127.0.0.1:PORT")
    ap.add_argument("--version", default="8.11.0", help="version.number to report (7.x: _type in hits)")
    ap.add_argument("--total-as-number", action="store_true",
                    help='hits.total as a plain number (as with rest_total_hits_as_int, old servers, OpenSearch 1)')
    ap.add_argument("--max-docs", type=int, default=200000, help="documents kept per index, oldest dropped first")
    ap.add_argument("--refresh-interval", type=float, default=1.0, metavar="SECONDS",
                    help="new documents become searchable at the next multiple of this (0: at once)")
    ap.add_argument("--basic", metavar="USER:PASS", help="require HTTP basic authentication")
    ap.add_argument("--api-key", metavar="KEY", help="require Authorization: ApiKey (KEY is id:key or its base64)")
    ap.add_argument("--bearer", metavar="TOKEN", help="require Authorization: Bearer TOKEN")
    ap.add_argument("--fail-429-every", type=int, default=0, metavar="N", help="answer every Nth search with 429")
    ap.add_argument("--max-body", type=int, default=100 * 1024 * 1024, help="largest request body (bytes)")
    ap.add_argument("--pid-file")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    if not re.match(r"^\d+\.\d+\.\d+", args.version):
        ap.error("--version must look like 8.11.0")

    host, port = "127.0.0.1", 0
    if args.port is not None:
        port = args.port
    else:
        h, _, p = args.listen.rpartition(":")
        host, port = h or "127.0.0.1", int(p)
    srv = Server((host, port), Handler)
    srv.state = State(args)
    srv.verbose = args.verbose
    srv.max_body = args.max_body
    srv.basic = args.basic
    srv.bearer = args.bearer
    srv.api_key = None
    if args.api_key:
        k = args.api_key
        forms = {k}
        if ":" in k:
            forms.add(base64.b64encode(k.encode()).decode())
        srv.api_key = forms
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(signum, frame):
        # In-memory state only: leave at once, so no request thread is torn
        # down half-way at interpreter exit (that printed stray tracebacks).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    h, p = srv.server_address[:2]
    print("listening on %s:%d (Elasticsearch %s)" % (h, p, args.version), flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
