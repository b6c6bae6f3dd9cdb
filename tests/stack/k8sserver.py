#!/usr/bin/env python3
"""k8sserver - an API-faithful Kubernetes API test server for opsdeck's tests.

Python 3 standard library only; state in memory, bounded.  It answers like
kube-apiserver 1.32 with the deployment, replicaset and statefulset
controllers and a kubelet behind it, over HTTPS on 127.0.0.1 (kubectl sends
no credentials over plain http, and neither should anything else):

    GET  /version /healthz /livez /readyz
    GET  /api /api/v1 /apis /apis/apps /apis/apps/v1     discovery (legacy,
         not aggregated: a client asking for apidiscovery.k8s.io/v2 gets
         application/json and falls back, as from an older server)
    v1:      namespaces, pods, events, nodes
    apps/v1: deployments (+ /scale, /status), statefulsets (+ /scale,
             /status), replicasets (+ /scale, /status)

    per resource: list (all namespaces or one; limit/continue paging,
    labelSelector, fieldSelector), watch (?watch=true, or the old
    /watch/ paths), get, create (POST), update (PUT, resourceVersion
    preconditions), patch (json-patch, merge-patch, strategic-merge-patch),
    delete (pods terminate gracefully; owners' dependents are collected in
    the background; propagationPolicy=Orphan keeps them).
    POST /apis/authentication.k8s.io/v1/selfsubjectreviews   who am I (kubectl
    auth whoami): the user name and groups the credentials map to.
    Anything else: 404 Status, "the server could not find the requested
    resource" (/openapi/v2, /openapi/v3, other groups).

What it does as Kubernetes does:

* Objects: uid, resourceVersion (one counter, as etcd's revision),
  generation bumped when the spec changes, creationTimestamp, defaults
  filled on create (strategy 25%/25%, revisionHistoryLimit 10,
  progressDeadlineSeconds 600, imagePullPolicy, restartPolicy, ...).  Lists
  are in etcd's key order ("NS/NAME" compared as strings) and their items
  carry no kind/apiVersion; watch events and single objects do.  Answers
  are JSON whatever the Accept (protobuf asked alongside JSON, as client-go
  asks, gets JSON).
* Tables: a GET that accepts application/json;as=Table;g=meta.k8s.io gets a
  meta.k8s.io/v1 Table with the columns and cells of the API server's
  printers (kubectl get prints those: READY 2/2, UP-TO-DATE, STATUS, AGE
  ...), rows carrying PartialObjectMetadata (includeObject=Object/None too).
* Paging: limit=N answers N items and metadata.continue (an opaque token:
  base64 of the list's resourceVersion and the last key); a continued list
  is the consistent snapshot at the first page's resourceVersion
  (reconstructed from the change history).  remainingItemCount when no
  selector is used.  A token whose resourceVersion has been compacted away
  is 410 Expired with a fresh inconsistent token in metadata.continue, as
  the API server does; a malformed one 400.
* Watch: a chunked stream of {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR",
  "object":{...}} lines.  resourceVersion="" or "0" starts with ADDED for
  every existing object, N with the changes after N; an N older than the
  kept history is an ERROR event 410 Expired "too old resource version".
  Selectors apply to changes as to lists (an object leaving a selector is
  DELETED to that watcher).  sendInitialEvents=true (watch-list) ends the
  initial ADDED events with a BOOKMARK annotated
  k8s.io/initial-events-end=true (no other bookmarks are sent).
  timeoutSeconds ends the stream; without it a watch ends after 30 to 60
  minutes (--min-request-timeout=1800).
  History: the last --history changes, and compaction every
  --compact-interval seconds (etcd's 5 minutes), whichever drops first.
* Errors: Status objects as the API server shapes them (NotFound,
  AlreadyExists, Conflict, Invalid with causes, BadRequest, Forbidden,
  Unauthorized, Expired, MethodNotAllowed, UnsupportedMediaType,
  RequestEntityTooLarge, InternalError), e.g. 404
  'deployments.apps "nope" not found', 409 'Operation cannot be fulfilled
  on deployments.apps "payments": the object has been modified; please
  apply your changes to the latest version and try again', 403
  'deployments.apps "payments" is forbidden: User "viewer" cannot patch
  resource "deployments/scale" in API group "apps" in the namespace
  "shop"', 401 'Unauthorized'.
* Authentication: a client certificate signed by --client-ca (the user is
  its CN, its O are groups) or a bearer token (--token NAME=TOKEN,
  --read-only-token; TOKEN may be @FILE); anything else (no credentials,
  an unknown token, basic auth) is 401.  A read-only user (its token given
  by --read-only-token, its certificate CN by --read-only-user) may get,
  list and watch; any other verb is 403.
* Scale: GET/PUT/PATCH .../scale speaks autoscaling/v1 Scale (status.selector
  the label selector), as kubectl scale and HPAs use it.
* The deployment controller: the new ReplicaSet is the one whose template
  equals the Deployment's (ignoring pod-template-hash), else a new one named
  NAME-HASH (pod-template-hash: FNV-32a of the template, encoded as
  rand.SafeEncodeString) with revision = highest + 1; an existing one (a
  rollback) gets the next revision and deployment.kubernetes.io/
  revision-history.  Rolling updates honour maxSurge / maxUnavailable
  (rounded up / down, as intstr does), old ReplicaSets are cleaned of
  unhealthy pods first; Recreate scales the old ones to 0 first; paused
  Deployments only scale.  Status: observedGeneration, replicas,
  updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas,
  conditions Available (MinimumReplicasAvailable / Unavailable) and
  Progressing (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated,
  NewReplicaSetAvailable, ProgressDeadlineExceeded after
  progressDeadlineSeconds without progress, DeploymentPaused).  Old
  ReplicaSets beyond revisionHistoryLimit are deleted.  Events
  ScalingReplicaSet ("Scaled up replica set payments-7d4b9c8f5 to 3 from
  2").  Annotations copied to ReplicaSets as the controller copies them
  (so kubectl rollout history shows kubernetes.io/change-cause).
* The replicaset controller creates and deletes pods (not-ready and newest
  first), events SuccessfulCreate / SuccessfulDelete.  The statefulset
  controller: pods NAME-0..N-1, OrderedReady (one at a time, in order;
  scale down from the highest ordinal) or Parallel, rolling updates from
  the highest ordinal down honouring partition, controller-revision-hash
  labels, currentRevision / updateRevision, currentReplicas /
  updatedReplicas.
* The kubelet: a pod is Pending (ContainerCreating) and becomes Running and
  Ready after --ready-delay seconds, with the conditions, containerStatuses,
  podIP, hostIP and events (Scheduled, Pulled, Created, Started) a kubelet
  reports.  Images decide failures: tag "broken" (or "missing") is
  ErrImagePull then ImagePullBackOff (pod Pending, events Pulling, Failed,
  BackOff); tag "crash" runs, exits 1 (Error) and goes to CrashLoopBackOff
  with restartCount climbing and lastState.terminated; tag "oom" the same
  with OOMKilled (exit 137).  Back-offs double from --backoff seconds up to
  8 times that.  Deleted pods are Terminating for min(grace period,
  --grace) seconds.
* Events: deduplicated as the kubelet's correlator does (count,
  firstTimestamp, lastTimestamp), at most --max-events (oldest dropped),
  dropped after --event-ttl seconds (1 h, as the API server).

Always: namespaces default and kube-system, nodes node-1..3 (Ready, the
pods' nodeName).  Seeds: --shop: namespaces shop and ops; in shop the Deployments gateway, orders, payments, inventory, notifications
and users (2 replicas each, images registry.local/shop/NAME:VERSION, two
ReplicaSets: revision 1 with the previous version at 0 replicas, revision 2
current) and the StatefulSet ledger (3 replicas); in ops the Deployment
collector (1 replica).  All Available, as a cluster that has been running.
--fail-pods adds to shop the Deployments search (image tag broken:
ImagePullBackOff), recommendations (crash: CrashLoopBackOff) and reports
(oom: OOMKilled then CrashLoopBackOff), each past its progress deadline.
--seed FILE creates the objects of a JSON file (a List, or an array) as
POSTs would, in order.

Bounded: at most --max-pods pods (replica sets stop creating past it), the
event and history bounds above, request bodies up to 3 MiB (413 past it, as
the API server), watch streams that fall behind the history are ended with
410 Expired.

For tests: --log FILE writes one line per request, "METHOD PATH STATUS" (PATH
with its query), so a test can prove that no write arrived.  --pid-file.

Not implemented: protobuf request bodies (415: kubectl create deployment
sends one; kubectl create -f with --validate=false sends JSON and works),
server-side apply (application/apply-patch+yaml is 415), deletecollection, other resources and groups (services,
configmaps, controllerrevisions - so rollout history/undo of a StatefulSet
do not work -, daemonsets, jobs, events.k8s.io), aggregated discovery,
OpenAPI, subresources log/exec/attach/portforward/eviction, field
managers and managedFields, admission, RBAC beyond read-only users, finalizers,
minReadySeconds (available = ready), HTTP/2.
"""

import argparse
import base64
import calendar
import collections
import json
import os
import random
import re
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

K8S_VERSION = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335", "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:03:06Z", "goVersion": "go1.23.6", "compiler": "gc",
    "platform": "linux/amd64",
}
MAX_BODY = 3 * 1024 * 1024          # the API server's request size limit
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"   # k8s.io/apimachinery/pkg/util/rand
HASH_LABEL = "pod-template-hash"
REV_ANN = "deployment.kubernetes.io/revision"
REV_HISTORY_ANN = "deployment.kubernetes.io/revision-history"
DESIRED_ANN = "deployment.kubernetes.io/desired-replicas"
MAX_ANN = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED_ANN = "kubectl.kubernetes.io/last-applied-configuration"
# Deployment annotations the controller does not copy to its ReplicaSets
# (deploymentutil.skipCopyAnnotation).
SKIP_COPY_ANN = {LAST_APPLIED_ANN, REV_ANN, REV_HISTORY_ANN, DESIRED_ANN, MAX_ANN,
                 "deprecated.deployment.rollback.to"}
NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some "
            "resources may allow a client to request the generation of an appropriate name automatically. "
            "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
            "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is "
           "not guaranteed to be set in happens-before order across separate operations. Clients may not set "
           "this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. "
           "Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/"
           "api-conventions.md#metadata")


# ---- errors: Status objects ---------------------------------------------------------

class ApiError(Exception):
    """An error answered as a Status object (kind Status, apiVersion v1)."""

    def __init__(self, code, reason, message, details=None, extra_meta=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.extra_meta = extra_meta or {}

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": dict(self.extra_meta), "status": "Failure",
             "message": self.message}
        if self.reason:
            s["reason"] = self.reason
        if self.details is not None:
            s["details"] = self.details
        s["code"] = self.code
        return s


def qualified(res):
    """deployments.apps, pods: how the API server names a resource in messages."""
    return res.name + "." + res.group if res.group else res.name


def details(res, name=None, uid=None):
    d = {}
    if name is not None:
        d["name"] = name
    if res.group:
        d["group"] = res.group
    d["kind"] = res.name
    if uid:
        d["uid"] = uid
    return d


def not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified(res), name), details(res, name))


def page_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(res, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (qualified(res), name), details(res, name))


def conflict(res, name):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    'please apply your changes to the latest version and try again' % (qualified(res), name),
                    details(res, name))


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def invalid(res, name, causes):
    """422 Invalid: causes is a list of (field, reason, message) as field.ErrorList prints them."""
    msgs = ["%s: %s" % (f, m) for f, _, m in causes]
    text = "; ".join(msgs) if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"
    d = details(res, name)
    d["kind"] = res.kind
    d["causes"] = [{"reason": r, "message": m, "field": f} for f, r, m in causes]
    return ApiError(422, "Invalid", '%s.%s "%s" is invalid: %s' % (res.kind, res.group, name, text)
                    if res.group else '%s "%s" is invalid: %s' % (res.kind, name, text), d)


def expired(message, cont=None):
    return ApiError(410, "Expired", message, None, {"continue": cont} if cont else None)


def method_not_allowed(verb, res):
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                    {})


# ---- small helpers ------------------------------------------------------------------

def now():
    return time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_time(s):
    if not s:
        return 0.0
    try:
        base = s[:19]
        t = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
        m = re.match(r"\.(\d+)", s[19:])
        if m:
            t += float("0." + m.group(1))
        return float(t)
    except ValueError:
        return 0.0


def human_duration(d):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration, as AGE columns show it."""
    seconds = int(d)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return "%dm" % minutes if s == 0 else "%dm%ds" % (minutes, s)
    if minutes < 60 * 3:
        return "%dm" % minutes
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return "%dh" % hours if m == 0 else "%dh%dm" % (hours, m)
    if hours < 48:
        return "%dh" % hours
    if hours < 24 * 8:
        h = hours % 24
        return "%dd" % (hours // 24) if h == 0 else "%dd%dh" % (hours // 24, h)
    if hours < 24 * 365 * 2:
        return "%dd" % (hours // 24)
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return "%dy" % (hours // 24 // 365) if dy == 0 else "%dy%dd" % (hours // 24 // 365, dy)
    return "%dy" % (hours // 24 // 365)


def since(ts, t_now):
    if not ts:
        return "<unknown>"
    return human_duration(t_now - parse_time(ts))


def clone(o):
    return json.loads(json.dumps(o))


def dumps(o):
    return json.dumps(o, separators=(",", ":"))


def fnv32a(data):
    h = 0x811c9dc5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xffffffff
    return h


def safe_encode(s):
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in s)


def template_hash(template, collision=0):
    """pod-template-hash / controller-revision-hash: FNV-32a, rand.SafeEncodeString of its decimal."""
    t = clone(template)
    (t.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    data = json.dumps(t, sort_keys=True, separators=(",", ":")).encode()
    if collision:
        data += str(collision).encode()
    return safe_encode(str(fnv32a(data)))


def rand_suffix(n=5):
    return "".join(random.choice(ALPHANUMS) for _ in range(n))


def meta(o):
    return o.setdefault("metadata", {})


def labels_of(o):
    return (o.get("metadata") or {}).get("labels") or {}


def annotations_of(o):
    return (o.get("metadata") or {}).get("annotations") or {}


def controller_uid(o):
    for r in (o.get("metadata") or {}).get("ownerReferences") or []:
        if r.get("controller"):
            return r.get("uid")
    return None


def image_tag(image):
    """The tag of an image reference ("" none); a digest is no tag."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def int_or_percent(v, total, round_up):
    """intstr.GetScaledValueFromIntOrPercent."""
    if v is None:
        return 0
    if isinstance(v, int):
        return v
    s = str(v)
    if s.endswith("%"):
        try:
            p = int(s[:-1])
        except ValueError:
            return 0
        x = p * total / 100.0
        return int(-(-x // 1)) if round_up else int(x // 1)
    try:
        return int(s)
    except ValueError:
        return 0


def spec_replicas(o, default=1):
    r = (o.get("spec") or {}).get("replicas")
    return default if r is None else r


# ---- selectors ----------------------------------------------------------------------

LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                       r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def split_terms(s):
    """Split a selector on commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    out.append(cur)
    return out


def parse_label_selector(s):
    """labels.Parse: a list of (key, op, values); raises ApiError 400."""
    reqs = []
    if s is None or not s.strip():
        return reqs
    for term in split_terms(s):
        t = term.strip()
        if not t:
            raise bad_request("unable to parse requirement: found '', expected: identifier")
        m = re.match(r"^(\S+)\s+(in|notin)\s*\((.*)\)$", t)
        if m:
            vals = [v.strip() for v in m.group(3).split(",")]
            key, op = m.group(1), m.group(2)
        elif t.startswith("!"):
            key, op, vals = t[1:].strip(), "!", []
        else:
            m = re.match(r"^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$", t)
            if m:
                key, op, vals = m.group(1), {"==": "=", "=": "=", "!=": "!="}[m.group(2)], [m.group(3)]
            elif re.match(r"^[^=!<>\s()]+$", t):
                key, op, vals = t, "exists", []
            else:
                raise bad_request("unable to parse requirement: found '%s', expected: identifier" % t)
        if not LABEL_KEY.match(key) or len(key.split("/")[-1]) > 63:
            raise bad_request("unable to parse requirement: values[0][%s]: Invalid value: \"%s\": name part must "
                              "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                              "alphanumeric character" % (key, key))
        for v in vals:
            if not LABEL_VALUE.match(v) or len(v) > 63:
                raise bad_request("unable to parse requirement: values[0][%s]: Invalid value: \"%s\": a valid label "
                                  "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                                  "and must start and end with an alphanumeric character" % (key, v))
        reqs.append((key, op, vals))
    return reqs


def label_match(reqs, labels):
    for key, op, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and not (has and v == vals[0]):
            return False
        if op == "!=" and has and v == vals[0]:
            return False
        if op == "in" and not (has and v in vals):
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
    return True


def selector_string(sel):
    """metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key."""
    if not sel:
        return ""
    reqs = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append((k, "%s=%s" % (k, v)))
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e.get("key", ""), e.get("operator", ""), sorted(e.get("values") or [])
        if op == "In":
            reqs.append((k, "%s in (%s)" % (k, ",".join(vals))))
        elif op == "NotIn":
            reqs.append((k, "%s notin (%s)" % (k, ",".join(vals))))
        elif op == "Exists":
            reqs.append((k, k))
        elif op == "DoesNotExist":
            reqs.append((k, "!" + k))
    reqs.sort(key=lambda r: r[0])
    return ",".join(r[1] for r in reqs)


def selector_matches(sel, labels):
    if sel is None:
        return False
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def field_value(obj, path):
    cur = obj
    for p in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(p)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(s, res):
    reqs = []
    if s is None or not s.strip():
        return reqs
    for term in s.split(","):
        t = term.strip()
        m = re.match(r"^([^=!]+?)\s*(==|=|!=)\s*(.*)$", t)
        if not m:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (s, t))
        key, op, val = m.group(1).strip(), m.group(2), m.group(3).strip()
        if key not in ("metadata.name", "metadata.namespace") and key not in res.fields:
            raise bad_request("field label not supported: %s" % key)
        reqs.append((key, "!=" if op == "!=" else "=", val))
    return reqs


def field_match(reqs, obj):
    for key, op, val in reqs:
        v = field_value(obj, key)
        if key == "source":
            v = field_value(obj, "source.component")
        if (v == val) != (op == "="):
            return False
    return True


# ---- patches ------------------------------------------------------------------------

class PatchError(Exception):
    pass


def merge_patch(target, patch):
    """RFC 7386."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = clone(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# Lists merged by key in strategic merge patches (the patchMergeKey tags of
# k8s.io/api); every other list is replaced.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
    "ports": "containerPort", "conditions": "type", "ownerReferences": "uid", "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey", "resourceClaims": "name", "readinessGates": None,
}


def strategic_merge(target, patch):
    """Enough of strategic merge patch: maps merged, null deletes, known lists merged by key,
    $patch replace/delete/merge, $setElementOrder (order), $retainKeys, $deleteFromPrimitiveList."""
    if not isinstance(patch, dict):
        return clone(patch)
    if patch.get("$patch") == "replace":
        p = {k: v for k, v in patch.items() if k != "$patch"}
        return clone(p)
    if patch.get("$patch") == "delete":
        return None
    out = clone(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith("$setElementOrder/"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(out.get(field), list):
                out[field] = [x for x in out[field] if x not in (v or [])]
            continue
        if v is None:
            out.pop(k, None)
            continue
        if isinstance(v, list) and MERGE_KEYS.get(k) and isinstance(out.get(k), list):
            out[k] = merge_list(out[k], v, MERGE_KEYS[k], patch.get("$setElementOrder/" + k))
        elif isinstance(v, dict):
            r = strategic_merge(out.get(k), v)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        else:
            out[k] = clone(v)
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def merge_list(cur, patch, key, order):
    out = [clone(x) for x in cur]
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError("unable to find merge key %s in %s" % (key, json.dumps(item)))
        if item.get("$patch") == "replace":
            return [clone(x) for x in patch if not (isinstance(x, dict) and x.get("$patch"))]
        kv = item.get(key)
        idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == kv), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append(strategic_merge({}, item))
        else:
            out[idx] = strategic_merge(out[idx], item)
    if isinstance(order, list):
        keys = [o.get(key) for o in order if isinstance(o, dict)]
        ranked = [x for k in keys for x in out if x.get(key) == k]
        out = ranked + [x for x in out if x.get(key) not in keys]
    return out


def pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("unable to parse path %q" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc, ops):
    """RFC 6902: add, remove, replace, move, copy, test."""
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = clone(doc)

    def parent(d, parts, create=False):
        cur = d
        for p in parts[:-1]:
            if isinstance(cur, dict):
                if p not in cur:
                    raise PatchError("doc is missing path: %s" % "/" + "/".join(parts))
                cur = cur[p]
            elif isinstance(cur, list):
                try:
                    cur = cur[int(p)]
                except (ValueError, IndexError):
                    raise PatchError("doc is missing path: /%s" % "/".join(parts))
            else:
                raise PatchError("doc is missing path: /%s" % "/".join(parts))
        return cur

    def get(d, parts):
        if not parts:
            return d
        c = parent(d, parts)
        last = parts[-1]
        if isinstance(c, dict):
            if last not in c:
                raise PatchError("doc is missing key: /%s" % "/".join(parts))
            return c[last]
        try:
            return c[int(last)]
        except (ValueError, IndexError):
            raise PatchError("doc is missing key: /%s" % "/".join(parts))

    def remove(d, parts, op):
        c = parent(d, parts)
        last = parts[-1]
        if isinstance(c, dict):
            if last not in c:
                raise PatchError("%s operation does not apply: doc is missing key: /%s" % (op, "/".join(parts)))
            return c.pop(last)
        try:
            return c.pop(int(last))
        except (ValueError, IndexError):
            raise PatchError("%s operation does not apply: doc is missing key: /%s" % (op, "/".join(parts)))

    def add(d, parts, value, op="add"):
        if not parts:
            return value
        c = parent(d, parts)
        last = parts[-1]
        if isinstance(c, dict):
            c[last] = value
        elif isinstance(c, list):
            if last == "-":
                c.append(value)
            else:
                try:
                    i = int(last)
                except ValueError:
                    raise PatchError("%s operation does not apply: doc is missing path" % op)
                if i < 0 or i > len(c):
                    raise PatchError("%s operation does not apply: index out of bounds" % op)
                c.insert(i, value)
        else:
            raise PatchError("%s operation does not apply: doc is missing path" % op)
        return d

    for o in ops:
        if not isinstance(o, dict) or "op" not in o:
            raise PatchError("Unexpected kind: unknown")
        op = o["op"]
        parts = pointer(o.get("path", ""))
        if op == "add":
            doc = add(doc, parts, clone(o.get("value")))
        elif op == "remove":
            remove(doc, parts, "remove")
        elif op == "replace":
            if not parts:
                doc = clone(o.get("value"))
                continue
            c = parent(doc, parts)
            last = parts[-1]
            if isinstance(c, dict):
                if last not in c:
                    raise PatchError("replace operation does not apply: doc is missing key: %s" % o["path"])
                c[last] = clone(o.get("value"))
            else:
                try:
                    c[int(last)] = clone(o.get("value"))
                except (ValueError, IndexError):
                    raise PatchError("replace operation does not apply: doc is missing key: %s" % o["path"])
        elif op == "move":
            v = remove(doc, pointer(o.get("from", "")), "move")
            doc = add(doc, parts, v, "move")
        elif op == "copy":
            doc = add(doc, parts, clone(get(doc, pointer(o.get("from", "")))), "copy")
        elif op == "test":
            if get(doc, parts) != o.get("value"):
                raise PatchError("testing value %s failed" % o["path"])
        else:
            raise PatchError("Unexpected kind: %s" % op)
    return doc


# ---- resources ----------------------------------------------------------------------

class Resource:
    def __init__(self, group, name, kind, namespaced, short, verbs, subs=(), fields=(), categories=()):
        self.group = group
        self.version = "v1"
        self.name = name
        self.kind = kind
        self.namespaced = namespaced
        self.short = list(short)
        self.verbs = list(verbs)
        self.subs = subs            # (subresource, kind, group, version, verbs)
        self.fields = set(fields)
        self.categories = list(categories)

    @property
    def api_version(self):
        return self.group + "/v1" if self.group else "v1"

    @property
    def singular(self):
        return self.kind.lower()


RW = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_SCALE = ("scale", "Scale", "autoscaling", "v1", ["get", "patch", "update"])
POD_FIELDS = ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
              "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName")
EVENT_FIELDS = ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type")
RESOURCES = [
    Resource("", "namespaces", "Namespace", False, ["ns"], ["create", "delete", "get", "list", "patch", "update",
                                                            "watch"],
             subs=(("finalize", "Namespace", None, None, ["update"]),
                   ("status", "Namespace", None, None, ["get", "patch", "update"])), fields=("status.phase",)),
    Resource("", "nodes", "Node", False, ["no"], RW,
             subs=(("proxy", "NodeProxyOptions", None, None, ["create", "delete", "get", "patch", "update"]),
                   ("status", "Node", None, None, ["get", "patch", "update"])), fields=("spec.unschedulable",)),
    Resource("", "pods", "Pod", True, ["po"], RW,
             subs=(("status", "Pod", None, None, ["get", "patch", "update"]),), fields=POD_FIELDS,
             categories=["all"]),
    Resource("", "events", "Event", True, ["ev"], RW, fields=EVENT_FIELDS),
    Resource("apps", "deployments", "Deployment", True, ["deploy"], RW,
             subs=(SUB_SCALE, ("status", "Deployment", None, None, ["get", "patch", "update"])),
             categories=["all"]),
    Resource("apps", "replicasets", "ReplicaSet", True, ["rs"], RW,
             subs=(SUB_SCALE, ("status", "ReplicaSet", None, None, ["get", "patch", "update"])),
             fields=("status.replicas",), categories=["all"]),
    Resource("apps", "statefulsets", "StatefulSet", True, ["sts"], RW,
             subs=(SUB_SCALE, ("status", "StatefulSet", None, None, ["get", "patch", "update"])),
             categories=["all"]),
]
BY_PATH = {(r.group, r.name): r for r in RESOURCES}
BY_KIND = {r.kind: r for r in RESOURCES}
RES = {r.name: r for r in RESOURCES}


def resource_list(group):
    out = []
    for r in RESOURCES:
        if r.group != group:
            continue
        d = {"name": r.name, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
             "verbs": r.verbs}
        if r.short:
            d["shortNames"] = r.short
        if r.categories:
            d["categories"] = r.categories
        out.append(d)
        for sub, kind, g, v, verbs in r.subs:
            s = {"name": r.name + "/" + sub, "singularName": "", "namespaced": r.namespaced}
            if g:
                s["group"] = g
                s["version"] = v
            s["kind"] = kind
            s["verbs"] = verbs
            out.append(s)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group + "/v1" if group else "v1",
            "resources": out}


APPS_GROUP = {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
              "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}
AUTHN = "authentication.k8s.io"
AUTHN_GROUP = {"name": AUTHN, "versions": [{"groupVersion": AUTHN + "/v1", "version": "v1"}],
               "preferredVersion": {"groupVersion": AUTHN + "/v1", "version": "v1"}}
AUTHN_RESOURCES = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": AUTHN + "/v1", "resources": [
    {"name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": False,
     "kind": "SelfSubjectReview", "verbs": ["create"]}]}


# ---- the store ----------------------------------------------------------------------

Change = collections.namedtuple("Change", "rv res type obj old")


class Store:
    """All objects, one resourceVersion counter, and the recent changes (for watch and continue).

    Stored objects are never modified in place: a writer stores a new dict,
    so readers and the history may hold references without copying.
    """

    def __init__(self, history):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.rv = 1000
        self.objs = {r.name: {} for r in RESOURCES}
        self.history = collections.deque()
        self.history_max = history
        self.dropped = self.rv          # changes at or below this rv are gone (compacted)
        self.compact_mark = self.rv
        self.closed = False

    def key(self, obj):
        m = obj["metadata"]
        return (m.get("namespace") or "", m["name"])

    def get(self, res, ns, name):
        return self.objs[res].get((ns or "", name))

    def list(self, res, ns=None):
        items = self.objs[res]
        keys = sorted((k for k in items if ns is None or k[0] == ns), key=key_str)
        return [items[k] for k in keys]

    def _record(self, res, typ, obj, old):
        self.history.append(Change(self.rv, res, typ, obj, old))
        while len(self.history) > self.history_max:
            self.dropped = self.history.popleft().rv
        self.cond.notify_all()

    def put(self, res, obj):
        """Create or replace; sets resourceVersion. Returns the stored object (a new dict)."""
        with self.lock:
            k = self.key(obj)
            old = self.objs[res].get(k)
            self.rv += 1
            obj = dict(obj)
            obj["metadata"] = dict(obj["metadata"], resourceVersion=str(self.rv))
            self.objs[res][k] = obj
            self._record(res, "MODIFIED" if old is not None else "ADDED", obj, old)
            return obj

    def remove(self, res, ns, name):
        with self.lock:
            old = self.objs[res].pop((ns or "", name), None)
            if old is None:
                return None
            self.rv += 1
            gone = dict(old)
            gone["metadata"] = dict(old["metadata"], resourceVersion=str(self.rv))
            self._record(res, "DELETED", gone, old)
            return gone

    def compact(self):
        """etcd-style compaction: forget the changes from before the previous compaction."""
        with self.lock:
            mark = self.compact_mark
            self.compact_mark = self.rv
            while self.history and self.history[0].rv <= mark:
                self.dropped = self.history.popleft().rv
            self.dropped = max(self.dropped, mark)

    def snapshot(self, res, rv):
        """The objects of res as they were at rv (None when rv is compacted away)."""
        with self.lock:
            if rv < self.dropped:
                return None
            cur = dict(self.objs[res])
            for c in reversed(self.history):
                if c.rv <= rv:
                    break
                if c.res != res:
                    continue
                k = self.key(c.obj)
                if c.type == "ADDED":
                    cur.pop(k, None)
                else:
                    cur[k] = c.old
            return cur

    def changes_after(self, res, rv):
        """Changes of res after rv, or None when some are compacted away."""
        with self.lock:
            if rv < self.dropped:
                return None
            return [c for c in self.history if c.rv > rv and c.res == res]


# ---- defaults and validation -----------------------------------------------------------

def default_pod_spec(spec):
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if not isinstance(c, dict):
            continue
        tag = image_tag(c.get("image") or "")
        c.setdefault("resources", {})
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("imagePullPolicy", "Always" if tag in ("", "latest") and "@" not in (c.get("image") or "")
                     else "IfNotPresent")
        for p in c.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")


def apply_defaults(res, obj):
    kind = res.kind
    spec = obj.get("spec")
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        if kind != "ReplicaSet":
            spec.setdefault("revisionHistoryLimit", 10)
        t = spec.setdefault("template", {})
        tm = t.setdefault("metadata", {})
        tm.setdefault("creationTimestamp", None)
        default_pod_spec(t.setdefault("spec", {}))
        if kind == "Deployment":
            st = spec.setdefault("strategy", {})
            st.setdefault("type", "RollingUpdate")
            if st["type"] == "RollingUpdate":
                ru = st.setdefault("rollingUpdate", {})
                ru.setdefault("maxUnavailable", "25%")
                ru.setdefault("maxSurge", "25%")
            spec.setdefault("progressDeadlineSeconds", 600)
        if kind == "StatefulSet":
            spec.setdefault("podManagementPolicy", "OrderedReady")
            us = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
            if us.get("type") == "RollingUpdate":
                us.setdefault("rollingUpdate", {"partition": 0})
            spec.setdefault("persistentVolumeClaimRetentionPolicy",
                            {"whenDeleted": "Retain", "whenScaled": "Retain"})
    elif kind == "Pod":
        default_pod_spec(obj.setdefault("spec", {}))
    elif kind == "Namespace":
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        lb = meta(obj).setdefault("labels", {})
        lb.setdefault("kubernetes.io/metadata.name", obj["metadata"]["name"])
    elif kind == "Event":
        obj.setdefault("count", 1)
    return spec


DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def validate(res, obj, old=None):
    name = obj["metadata"].get("name", "")
    causes = []
    if not DNS1123.match(name) or len(name) > 253:
        causes.append(("metadata.name", "FieldValueInvalid",
                       'Invalid value: "%s": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
                       "characters, '-' or '.', and must start and end with an alphanumeric character" % name))
    if res.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        spec = obj.get("spec") or {}
        r = spec.get("replicas")
        if not isinstance(r, int) or isinstance(r, bool):
            causes.append(("spec.replicas", "FieldValueInvalid", "Invalid value: %s: must be an integer"
                           % json.dumps(r)))
        elif r < 0:
            causes.append(("spec.replicas", "FieldValueInvalid",
                           "Invalid value: %d: must be greater than or equal to 0" % r))
        sel = spec.get("selector")
        tl = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not sel or not ((sel.get("matchLabels") or sel.get("matchExpressions"))):
            causes.append(("spec.selector", "FieldValueRequired", "Required value"))
        elif not selector_matches(sel, tl):
            causes.append(("spec.template.metadata.labels", "FieldValueInvalid",
                           "Invalid value: %s: `selector` does not match template `labels`" % go_map(tl)))
        if old is not None and (old.get("spec") or {}).get("selector") != sel:
            causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: %s: field is immutable"
                           % go_selector(sel)))
        cs = ((spec.get("template") or {}).get("spec") or {}).get("containers")
        if not cs:
            causes.append(("spec.template.spec.containers", "FieldValueRequired", "Required value"))
        else:
            for i, c in enumerate(cs):
                if not isinstance(c, dict) or not c.get("image"):
                    causes.append(("spec.template.spec.containers[%d].image" % i, "FieldValueRequired",
                                   "Required value"))
                if not isinstance(c, dict) or not c.get("name"):
                    causes.append(("spec.template.spec.containers[%d].name" % i, "FieldValueRequired",
                                   "Required value"))
        pds = spec.get("progressDeadlineSeconds")
        if res.kind == "Deployment" and pds is not None and (not isinstance(pds, int) or pds <= 0):
            causes.append(("spec.progressDeadlineSeconds", "FieldValueInvalid",
                           "Invalid value: %s: must be greater than minReadySeconds" % json.dumps(pds)))
    if res.kind == "Pod" and not (obj.get("spec") or {}).get("containers"):
        causes.append(("spec.containers", "FieldValueRequired", "Required value"))
    if causes:
        raise invalid(res, name, causes)


def go_map(m):
    return "map[string]string{%s}" % ", ".join('"%s":"%s"' % (k, v) for k, v in sorted(m.items()))


def go_selector(sel):
    return "v1.LabelSelector{MatchLabels:%s, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}" % go_map(
        (sel or {}).get("matchLabels") or {})


# ---- tables (the API server's printers) -------------------------------------------------

def col(name, typ="string", fmt=None, priority=0, desc=""):
    c = {"name": name, "type": typ, "format": fmt or "", "description": desc, "priority": priority}
    return c


def containers_cells(spec):
    cs = (spec or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def pod_row(p, t):
    spec, st = p.get("spec") or {}, p.get("status") or {}
    restarts, ready, total = 0, 0, len(spec.get("containers") or [])
    reason = st.get("reason") or st.get("phase") or ""
    last_restart = 0.0
    has_running = False
    for cs in reversed(st.get("containerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        term = (cs.get("lastState") or {}).get("terminated")
        if term:
            last_restart = max(last_restart, parse_time(term.get("finishedAt")))
        state = cs.get("state") or {}
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif state.get("terminated", {}).get("reason"):
            reason = state["terminated"]["reason"]
        elif "terminated" in state:
            reason = "ExitCode:%d" % state["terminated"].get("exitCode", 0)
        elif cs.get("ready") and "running" in state:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        reason = "Running"
    if p["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    rs = str(restarts)
    if restarts and last_restart:
        rs = "%d (%s ago)" % (restarts, human_duration(t - last_restart))
    ip = (st.get("podIPs") or [{}])[0].get("ip") or "<none>"
    return [p["metadata"]["name"], "%d/%d" % (ready, total), reason, rs,
            since(p["metadata"].get("creationTimestamp"), t), ip, spec.get("nodeName") or "<none>", st.get("nominatedNodeName") or "<none>", "<none>"]


def deployment_row(d, t):
    spec, st = d.get("spec") or {}, d.get("status") or {}
    c, i = containers_cells((spec.get("template") or {}).get("spec"))
    return [d["metadata"]["name"], "%d/%d" % (st.get("readyReplicas", 0), spec_replicas(d)),
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0),
            since(d["metadata"].get("creationTimestamp"), t), c, i, selector_string(spec.get("selector"))]


def replicaset_row(r, t):
    spec, st = r.get("spec") or {}, r.get("status") or {}
    c, i = containers_cells((spec.get("template") or {}).get("spec"))
    return [r["metadata"]["name"], spec_replicas(r), st.get("replicas", 0), st.get("readyReplicas", 0),
            since(r["metadata"].get("creationTimestamp"), t), c, i, selector_string(spec.get("selector"))]


def statefulset_row(s, t):
    spec, st = s.get("spec") or {}, s.get("status") or {}
    c, i = containers_cells((spec.get("template") or {}).get("spec"))
    return [s["metadata"]["name"], "%d/%d" % (st.get("readyReplicas", 0), spec_replicas(s)),
            since(s["metadata"].get("creationTimestamp"), t), c, i]


def namespace_row(n, t):
    return [n["metadata"]["name"], (n.get("status") or {}).get("phase", ""),
            since(n["metadata"].get("creationTimestamp"), t)]


def node_row(n, t):
    st = n.get("status") or {}
    ready = "Unknown"
    for c in st.get("conditions") or []:
        if c.get("type") == "Ready":
            ready = "Ready" if c.get("status") == "True" else "NotReady"
    roles = sorted(k.split("/", 1)[1] for k in labels_of(n) if k.startswith("node-role.kubernetes.io/"))
    addr = {a.get("type"): a.get("address") for a in st.get("addresses") or []}
    info = st.get("nodeInfo") or {}
    return [n["metadata"]["name"], ready, ",".join(roles) or "<none>", since(n["metadata"].get("creationTimestamp"), t),
            info.get("kubeletVersion", ""), addr.get("InternalIP", "<none>"), addr.get("ExternalIP", "<none>"),
            info.get("osImage", "<unknown>"), info.get("kernelVersion", "<unknown>"),
            info.get("containerRuntimeVersion", "<unknown>")]


def event_row(e, t):
    first = since(e.get("firstTimestamp"), t) if e.get("firstTimestamp") else since(e.get("eventTime"), t)
    last = since(e.get("lastTimestamp"), t) if e.get("lastTimestamp") else first
    io = e.get("involvedObject") or {}
    target = "%s/%s" % (io.get("kind", "").lower(), io["name"]) if io.get("name") else io.get("kind", "").lower()
    src = e.get("source") or {}
    source = src.get("component", "")
    if src.get("host"):
        source += ", " + src["host"]
    return [last, e.get("type", ""), e.get("reason", ""), target, io.get("fieldPath", ""), source,
            (e.get("message") or "").strip(), first, e.get("count") or 1, e["metadata"]["name"]]


CONTAINERS_COLS = [col("Containers", priority=1, desc="Names of each container in the template."),
                   col("Images", priority=1, desc="Images referenced by each container in the template.")]
TABLES = {
    "pods": ([col("Name", fmt="name", desc=NAME_DOC),
              col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
              col("Status", desc="The aggregate status of the containers in this pod."),
              col("Restarts", desc="The number of times the containers in this pod have been restarted and when "
                                   "the last container in this pod has restarted."),
              col("Age", desc=AGE_DOC),
              col("IP", priority=1, desc="podIP address allocated to the pod. Routable at least within the "
                                         "cluster. Empty if not yet allocated."),
              col("Node", priority=1, desc="NodeName indicates in which node this pod is scheduled."),
              col("Nominated Node", priority=1, desc="nominatedNodeName is set only when this pod preempts other "
                                                     "pods on the node."),
              col("Readiness Gates", priority=1, desc="If specified, all readiness gates will be evaluated for pod "
                                                      "readiness.")], pod_row),
    "deployments": ([col("Name", fmt="name", desc=NAME_DOC),
                     col("Ready", desc="Number of the pod with ready state"),
                     col("Up-to-date", desc="Total number of non-terminating pods targeted by this deployment that "
                                            "have the desired template spec."),
                     col("Available", desc="Total number of available non-terminating pods (ready for at least "
                                           "minReadySeconds) targeted by this deployment."),
                     col("Age", desc=AGE_DOC)] + CONTAINERS_COLS +
                    [col("Selector", priority=1, desc="Label selector for pods. Existing ReplicaSets whose pods "
                                                      "are selected by this will be the ones affected by this "
                                                      "deployment.")],
                    deployment_row),
    "replicasets": ([col("Name", fmt="name", desc=NAME_DOC),
                     col("Desired", "integer", desc="Replicas is the number of desired pods."),
                     col("Current", "integer", desc="Replicas is the most recently observed number of non-terminating "
                                                    "pods."),
                     col("Ready", "integer", desc="The number of non-terminating pods targeted by this ReplicaSet "
                                                  "with a Ready Condition."),
                     col("Age", desc=AGE_DOC)] + CONTAINERS_COLS +
                    [col("Selector", priority=1, desc="Selector is a label query over pods that should match the "
                                                      "replica count.")], replicaset_row),
    "statefulsets": ([col("Name", fmt="name", desc=NAME_DOC), col("Ready", desc="Number of the pod with ready state"),
                      col("Age", desc=AGE_DOC)] + CONTAINERS_COLS, statefulset_row),
    "namespaces": ([col("Name", fmt="name", desc=NAME_DOC), col("Status", desc="The status of the namespace"),
                    col("Age", desc=AGE_DOC)], namespace_row),
    "nodes": ([col("Name", fmt="name", desc=NAME_DOC), col("Status", desc="The status of the node"),
               col("Roles", desc="The roles of the node"), col("Age", desc=AGE_DOC),
               col("Version", desc="Kubelet Version reported by the node."),
               col("Internal-IP", priority=1, desc="List of addresses reachable to the node."),
               col("External-IP", priority=1, desc="List of addresses reachable to the node."),
               col("OS-Image", priority=1, desc="OS Image reported by the node from /etc/os-release."),
               col("Kernel-Version", priority=1, desc="Kernel Version reported by the node."),
               col("Container-Runtime", priority=1, desc="ContainerRuntime Version reported by the node.")],
              node_row),
    "events": ([col("Last Seen", desc="The time at which the most recent occurrence of this event was recorded."),
                col("Type", desc="Type of this event (Normal, Warning), new types could be added in the future"),
                col("Reason", desc="This should be a short, machine understandable string that gives the reason "
                                   "for the transition into the object's current status."),
                col("Object", desc="The object that this event is about."),
                col("Subobject", priority=1, desc="If referring to a piece of an object instead of an entire object, "
                                                  "this string should contain a valid JSON/Go field access statement."),
                col("Source", priority=1, desc="The component reporting this event."),
                col("Message", desc="A human-readable description of the status of this operation."),
                col("First Seen", priority=1, desc="The time at which the event was first recorded."),
                col("Count", priority=1, desc="The number of times this event has occurred."),
                col("Name", priority=1, fmt="name", desc=NAME_DOC)], event_row),
}


def wants_table(accept):
    for part in (accept or "").split(","):
        params = [p.strip() for p in part.split(";")]
        if "as=Table" in params and "g=meta.k8s.io" in params:
            return "meta.k8s.io/" + next((p[2:] for p in params if p.startswith("v=")), "v1")
    return None


def with_type(res, obj):
    o = {"kind": res.kind, "apiVersion": res.api_version}
    o.update(obj)
    return o


def to_table(res, objs, list_meta, include, api_version, t):
    cols, row = TABLES[res.name]
    rows = []
    for o in objs:
        r = {"cells": row(o, t)}
        if include == "Object":
            r["object"] = with_type(res, o)
        elif include != "None":
            r["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                           "metadata": o["metadata"]}
        rows.append(r)
    return {"kind": "Table", "apiVersion": api_version, "metadata": list_meta, "columnDefinitions": cols,
            "rows": rows}


# ---- the cluster: controllers and the kubelet ---------------------------------------------

class PodSim:
    """What the kubelet knows of a pod that the pod's status does not say."""
    __slots__ = ("mode", "next_at", "stage", "backoff", "gone_at", "ip")

    def __init__(self, mode, next_at, stage="creating", ip=None):
        self.ip = ip
        self.mode = mode        # ok, pull, crash, oom
        self.next_at = next_at
        self.stage = stage      # creating, running, failing, backoff, terminating
        self.backoff = 0
        self.gone_at = 0.0


def failure_mode(template_spec):
    for c in (template_spec or {}).get("containers") or []:
        tag = image_tag(c.get("image") or "")
        if tag in ("broken", "missing"):
            return "pull"
        if tag == "crash":
            return "crash"
        if tag == "oom":
            return "oom"
    return "ok"


class Cluster:
    def __init__(self, store, opts):
        self.store = store
        self.opts = opts
        self.sims = {}          # pod uid -> PodSim
        self.pod_ip = 10
        self.event_keys = {}    # (uid, type, reason, message) -> (ns, name)
        self.nodes = ["node-1", "node-2", "node-3"]
        self.next_node = 0
        self.progress = {}      # deployment uid -> last status counts (for progress detection)
        self.sts_templates = {}  # (ns, statefulset) -> {revision: pod template}, for pods of the current revision
        self.last_trim = 0.0
        self.event_seq = 0

    # -- objects
    def new_meta(self, name, ns, t, labels=None, annotations=None, owner=None):
        m = {"name": name}
        if ns:
            m["namespace"] = ns
        m["uid"] = str(uuid.uuid4())
        m["resourceVersion"] = "0"
        m["creationTimestamp"] = iso(t)
        if labels:
            m["labels"] = dict(labels)
        if annotations:
            m["annotations"] = dict(annotations)
        if owner is not None:
            m["ownerReferences"] = [{"apiVersion": BY_KIND[owner["_kind"]].api_version, "kind": owner["_kind"],
                                     "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                                     "controller": True, "blockOwnerDeletion": True}]
        return m

    def event(self, involved, res, typ, reason, message, component, t=None, host=None):
        """Record an event about involved (an object of res), deduplicated as the kubelet's correlator does."""
        t = t or now()
        m = involved["metadata"]
        ns = m.get("namespace") or "default"
        key = (m["uid"], typ, reason, message)
        st = self.store
        with st.lock:
            if key in self.event_keys:
                ens, ename = self.event_keys[key]
                ev = st.get("events", ens, ename)
                if ev is not None:
                    ev = dict(ev, count=(ev.get("count") or 1) + 1, lastTimestamp=iso(t))
                    ev["metadata"] = dict(ev["metadata"])
                    st.put("events", ev)
                    return
            self.event_seq += 1     # names in the order recorded, as the nanosecond clock makes them
            name = "%s.%x" % (m["name"], int(t * 1e9) + self.event_seq % 1000)
            io = {"kind": BY_KIND[res].kind if res in BY_KIND else res, "namespace": ns, "name": m["name"],
                  "uid": m["uid"], "apiVersion": BY_KIND[res].api_version, "resourceVersion": m.get("resourceVersion")}
            if res == "Pod":
                cs = ((involved.get("spec") or {}).get("containers") or [{}])[0]
                if reason not in ("Scheduled",):
                    io["fieldPath"] = "spec.containers{%s}" % cs.get("name", "")
            src = {"component": component}
            if host:
                src["host"] = host
            ev = {"metadata": {"name": name, "namespace": ns, "uid": str(uuid.uuid4()), "resourceVersion": "0",
                               "creationTimestamp": iso(t)},
                  "involvedObject": io, "reason": reason, "message": message, "source": src,
                  "firstTimestamp": iso(t), "lastTimestamp": iso(t), "count": 1, "type": typ,
                  "eventTime": None, "reportingComponent": component, "reportingInstance": host or ""}
            st.put("events", ev)
            self.event_keys[key] = (ns, name)
            if len(st.objs["events"]) > self.opts.max_events:
                self.trim_events(t)

    def trim_events(self, t):
        st = self.store
        evs = st.objs["events"]
        if len(evs) <= self.opts.max_events and not self.opts.event_ttl:
            return
        ttl_cut = t - self.opts.event_ttl if self.opts.event_ttl else None
        order = sorted(evs.values(), key=lambda e: e.get("lastTimestamp") or "")
        excess = len(order) - self.opts.max_events
        for e in order:
            old = ttl_cut is not None and parse_time(e.get("lastTimestamp")) < ttl_cut
            if excess > 0 or old:
                io = e.get("involvedObject") or {}
                self.event_keys.pop((io.get("uid"), e.get("type"), e.get("reason"), e.get("message")), None)
                st.remove("events", e["metadata"]["namespace"], e["metadata"]["name"])
                excess -= 1
            else:
                break
        # forget the correlation keys of events no longer kept
        self.event_keys = {k: v for k, v in self.event_keys.items() if v in evs}

    # -- pods
    def make_pod(self, owner, template, name, t, ready_at=None, extra_labels=None, hostname=None):
        tm = template.get("metadata") or {}
        labels = dict(tm.get("labels") or {})
        labels.update(extra_labels or {})
        m = self.new_meta(name, owner["metadata"]["namespace"], t, labels, tm.get("annotations"), owner)
        if hostname is None:
            m["generateName"] = owner["metadata"]["name"] + "-"
        spec = clone(template.get("spec") or {})
        default_pod_spec(spec)
        spec["nodeName"] = self.nodes[self.next_node % len(self.nodes)]
        self.next_node += 1
        if hostname:
            spec["hostname"] = hostname
            spec.setdefault("subdomain", owner["metadata"]["name"])
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("serviceAccount", "default")
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        spec.setdefault("priority", 0)
        spec.setdefault("tolerations", [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}])
        pod = {"metadata": m, "spec": spec, "status": {"phase": "Pending", "qosClass": "BestEffort"}}
        self.pod_ip += 1
        node_i = self.nodes.index(spec["nodeName"]) + 1
        pod["status"]["hostIP"] = "10.0.0.%d" % (10 + node_i)
        pod["status"]["hostIPs"] = [{"ip": pod["status"]["hostIP"]}]
        sim = PodSim(failure_mode(spec), (ready_at if ready_at is not None else t + self.opts.ready_delay),
                     ip="10.244.%d.%d" % (node_i, self.pod_ip % 250 + 2))
        self.sims[m["uid"]] = sim
        self.set_pod_creating(pod, t)
        return pod, sim

    def cond(self, typ, status, t, reason=None, message=None):
        c = {"type": typ, "status": status, "lastProbeTime": None, "lastTransitionTime": iso(t)}
        if reason:
            c["reason"] = reason
        if message:
            c["message"] = message
        return c

    def set_pod_creating(self, pod, t):
        st = pod["status"]
        names = [c["name"] for c in pod["spec"]["containers"]]
        st["conditions"] = [self.cond("PodReadyToStartContainers", "False", t), self.cond("Initialized", "True", t),
                            self.cond("Ready", "False", t, "ContainersNotReady",
                                      "containers with unready status: [%s]" % " ".join(names)),
                            self.cond("ContainersReady", "False", t, "ContainersNotReady",
                                      "containers with unready status: [%s]" % " ".join(names)),
                            self.cond("PodScheduled", "True", t)]
        st["startTime"] = iso(t)
        st["containerStatuses"] = [{"name": c["name"], "state": {"waiting": {"reason": "ContainerCreating"}},
                                    "lastState": {}, "ready": False, "restartCount": 0, "image": c["image"],
                                    "imageID": "", "started": False} for c in pod["spec"]["containers"]]

    def image_id(self, image):
        ref = image.split("@", 1)[0]
        repo = ref.rsplit(":", 1)[0] if ":" in ref.rsplit("/", 1)[-1] else ref
        return "%s@sha256:%064x" % (repo, fnv32a(image.encode()) * 0x9e3779b97f4a7c15 % (1 << 256))

    def set_pod_running(self, pod, t, ready):
        st = pod["status"]
        sim = self.sims.get(pod["metadata"]["uid"])
        ip = st.get("podIP") or (sim.ip if sim else None) or "10.244.9.9"
        st["phase"] = "Running"
        st["podIP"] = ip
        st["podIPs"] = [{"ip": ip}]
        names = [c["name"] for c in pod["spec"]["containers"]]
        ready_s = "True" if ready else "False"
        conds = [self.cond("PodReadyToStartContainers", "True", t), self.cond("Initialized", "True", t)]
        if ready:
            conds += [self.cond("Ready", "True", t), self.cond("ContainersReady", "True", t)]
        else:
            msg = "containers with unready status: [%s]" % " ".join(names)
            conds += [self.cond("Ready", "False", t, "ContainersNotReady", msg),
                      self.cond("ContainersReady", "False", t, "ContainersNotReady", msg)]
        conds.append(self.cond("PodScheduled", "True", parse_time(pod["metadata"]["creationTimestamp"])))
        old = {c["type"]: c for c in st.get("conditions") or []}
        for c in conds:     # a condition keeps its transition time while its status stays
            o = old.get(c["type"])
            if o and o.get("status") == c["status"]:
                c["lastTransitionTime"] = o["lastTransitionTime"]
        st["conditions"] = conds
        prev = {c["name"]: c for c in st.get("containerStatuses") or []}
        css = []
        for c in pod["spec"]["containers"]:
            p = prev.get(c["name"]) or {}
            css.append({"name": c["name"], "state": {"running": {"startedAt": iso(t)}},
                        "lastState": p.get("lastState") or {}, "ready": ready, "restartCount": p.get("restartCount", 0),
                        "image": c["image"], "imageID": self.image_id(c["image"]),
                        "containerID": "containerd://%064x" % random.getrandbits(256), "started": True})
        st["containerStatuses"] = css

    def pod_ready(self, pod):
        if pod["metadata"].get("deletionTimestamp"):
            return False
        for c in (pod.get("status") or {}).get("conditions") or []:
            if c.get("type") == "Ready":
                return c.get("status") == "True"
        return False

    def kubelet(self, t):
        """Advance every pod's life: creating -> running (ready) or its failure loop; terminating -> gone."""
        st = self.store
        for pod in list(st.objs["pods"].values()):
            m = pod["metadata"]
            sim = self.sims.get(m["uid"])
            if sim is None:
                sim = self.sims[m["uid"]] = PodSim(failure_mode(pod.get("spec")), t + self.opts.ready_delay)
            if m.get("deletionTimestamp"):
                if sim.stage != "terminating":
                    sim.stage = "terminating"
                    grace = m.get("deletionGracePeriodSeconds", 30)
                    sim.gone_at = t + min(grace, self.opts.grace)
                if t >= sim.gone_at:
                    st.remove("pods", m["namespace"], m["name"])
                    self.sims.pop(m["uid"], None)
                continue
            if t < sim.next_at:
                continue
            p = clone(pod)
            node = p["spec"].get("nodeName")
            c0 = p["spec"]["containers"][0]
            if sim.stage == "creating":
                self.event(p, "Pod", "Normal", "Scheduled", "Successfully assigned %s/%s to %s"
                           % (m["namespace"], m["name"], node), "default-scheduler", t)
            if sim.mode == "ok":
                if sim.stage == "creating":
                    self.event(p, "Pod", "Normal", "Pulled", 'Container image "%s" already present on machine'
                               % c0["image"], "kubelet", t, node)
                    self.event(p, "Pod", "Normal", "Created", "Created container: %s" % c0["name"], "kubelet", t, node)
                    self.event(p, "Pod", "Normal", "Started", "Started container %s" % c0["name"], "kubelet", t, node)
                    self.set_pod_running(p, t, True)
                    sim.stage = "running"
                sim.next_at = float("inf")
            elif sim.mode == "pull":
                self.pull_failure(p, sim, t, node, c0)
            else:
                self.crash_loop(p, sim, t, node, c0)
            st.put("pods", p)

    def backoff_delay(self, sim):
        return min(self.opts.backoff * (2 ** sim.backoff), self.opts.backoff * 8)

    def pull_failure(self, p, sim, t, node, c0):
        st = p["status"]
        cs = st["containerStatuses"][0]
        image = c0["image"]
        if sim.stage in ("creating", "backoff"):
            self.event(p, "Pod", "Normal", "Pulling", 'Pulling image "%s"' % image, "kubelet", t, node)
            msg = ('failed to pull and unpack image "%s": failed to resolve reference "%s": %s: not found'
                   % (image, image, image))
            self.event(p, "Pod", "Warning", "Failed", 'Failed to pull image "%s": rpc error: code = NotFound '
                       "desc = %s" % (image, msg), "kubelet", t, node)
            self.event(p, "Pod", "Warning", "Failed", "Error: ErrImagePull", "kubelet", t, node)
            cs["state"] = {"waiting": {"reason": "ErrImagePull", "message": "rpc error: code = NotFound desc = " + msg}}
            sim.stage = "failing"
            sim.next_at = t + self.opts.backoff
        else:
            self.event(p, "Pod", "Normal", "BackOff", 'Back-off pulling image "%s"' % image, "kubelet", t, node)
            self.event(p, "Pod", "Warning", "Failed", "Error: ImagePullBackOff", "kubelet", t, node)
            cs["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "%s"' % image}}
            sim.stage = "backoff"
            sim.next_at = t + self.backoff_delay(sim)
            sim.backoff += 1
        if not st.get("podIP"):
            st["podIP"] = sim.ip
            st["podIPs"] = [{"ip": sim.ip}]

    def crash_loop(self, p, sim, t, node, c0):
        st = p["status"]
        m = p["metadata"]
        if sim.stage in ("creating", "backoff"):
            if sim.stage == "creating":
                self.event(p, "Pod", "Normal", "Pulled", 'Container image "%s" already present on machine'
                           % c0["image"], "kubelet", t, node)
            self.event(p, "Pod", "Normal", "Created", "Created container: %s" % c0["name"], "kubelet", t, node)
            self.event(p, "Pod", "Normal", "Started", "Started container %s" % c0["name"], "kubelet", t, node)
            self.set_pod_running(p, t, False)
            sim.stage = "running"
            sim.next_at = t + self.opts.backoff
        elif sim.stage == "running":
            cs = st["containerStatuses"][0]
            oom = sim.mode == "oom"
            started = (cs["state"].get("running") or {}).get("startedAt") or iso(t)
            term = {"exitCode": 137 if oom else 1, "reason": "OOMKilled" if oom else "Error",
                    "startedAt": started, "finishedAt": iso(t),
                    "containerID": cs.get("containerID", "")}
            cs["state"] = {"terminated": term}
            cs["ready"] = False
            cs["started"] = False
            sim.stage = "failing"
            sim.next_at = t + min(self.opts.backoff / 2.0, 1.0)
        else:   # failing -> back-off
            cs = st["containerStatuses"][0]
            term = cs["state"].get("terminated") or {}
            cs["lastState"] = {"terminated": term}
            cs["restartCount"] = cs.get("restartCount", 0) + 1
            delay = self.backoff_delay(sim)
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off %ds restarting failed "
                                       "container=%s pod=%s_%s(%s)" % (max(1, int(delay * 10)), c0["name"], m["name"],
                                                                        m["namespace"], m["uid"])}}
            self.event(p, "Pod", "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)"
                       % (c0["name"], m["name"], m["namespace"], m["uid"]), "kubelet", t, node)
            sim.stage = "backoff"
            sim.next_at = t + delay
            sim.backoff += 1

    # -- replica sets
    def owned(self, res, owner):
        uid = owner["metadata"]["uid"]
        ns = owner["metadata"].get("namespace")
        return [o for o in self.store.list(res, ns) if controller_uid(o) == uid]

    def replicaset_sync(self, rs, t):
        st = self.store
        pods = [p for p in self.owned("pods", rs)]
        active = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        want = spec_replicas(rs)
        if len(active) < want:
            room = self.opts.max_pods - len(st.objs["pods"])
            for _ in range(min(want - len(active), max(0, room))):
                tmpl = (rs.get("spec") or {}).get("template") or {}
                name = "%s-%s" % (rs["metadata"]["name"], rand_suffix())
                owner = dict(rs, _kind="ReplicaSet")
                pod, _ = self.make_pod(owner, tmpl, name, t)
                st.put("pods", pod)
                self.event(rs, "ReplicaSet", "Normal", "SuccessfulCreate", "Created pod: %s" % name,
                           "replicaset-controller", t)
        elif len(active) > want:
            # not ready before ready, newest first (controller.ActivePods ranking, simplified)
            active.sort(key=lambda p: (self.pod_ready(p), -parse_time(p["metadata"]["creationTimestamp"]),
                                       p["metadata"]["name"]))
            for p in active[:len(active) - want]:
                self.delete_pod(p, t)
                self.event(rs, "ReplicaSet", "Normal", "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                           "replicaset-controller", t)
        self.replicaset_status(rs)

    def delete_pod(self, p, t, grace=None):
        if p["metadata"].get("deletionTimestamp"):
            return p
        q = dict(p)
        g = grace if grace is not None else (p.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
        q["metadata"] = dict(p["metadata"], deletionTimestamp=iso(t + g), deletionGracePeriodSeconds=g)
        return self.store.put("pods", q)

    def replicaset_status(self, rs):
        rs = self.store.get("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"]) or rs
        pods = [p for p in self.owned("pods", rs) if not p["metadata"].get("deletionTimestamp")]
        ready = sum(1 for p in pods if self.pod_ready(p))
        sel = (rs.get("spec") or {}).get("selector")
        status = {"replicas": len(pods)}
        labeled = sum(1 for p in pods if selector_matches(sel, labels_of(p)))
        if labeled:
            status["fullyLabeledReplicas"] = labeled
        if ready:
            status["readyReplicas"] = ready
            status["availableReplicas"] = ready
        status["observedGeneration"] = rs["metadata"].get("generation", 1)
        old = rs.get("status") or {}
        keep_conds = old.get("conditions")
        if keep_conds:
            status["conditions"] = keep_conds
        if status != old:
            self.store.put("replicasets", dict(rs, status=status))

    def set_rs_replicas(self, rs, n, d, t):
        """scaleReplicaSet: new spec.replicas and the controller's annotations; the event on the Deployment."""
        old = spec_replicas(rs)
        ann = dict(annotations_of(rs))
        ann[DESIRED_ANN] = str(spec_replicas(d))
        ann[MAX_ANN] = str(spec_replicas(d) + self.max_surge(d))
        if old == n and ann == annotations_of(rs):
            return rs
        r = dict(rs, spec=dict(rs["spec"], replicas=n))
        r["metadata"] = dict(rs["metadata"], annotations=ann)
        if old != n:
            r["metadata"]["generation"] = rs["metadata"].get("generation", 1) + 1
        r = self.store.put("replicasets", r)
        if old != n:
            msg = "Scaled %s replica set %s to %d from %d" % ("up" if n > old else "down", rs["metadata"]["name"],
                                                               n, old)
            self.event(d, "Deployment", "Normal", "ScalingReplicaSet", msg, "deployment-controller", t)
        return r

    # -- deployments
    def max_surge(self, d):
        spec = d.get("spec") or {}
        if (spec.get("strategy") or {}).get("type") != "RollingUpdate":
            return 0
        ru = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        n = spec_replicas(d)
        surge = int_or_percent(ru.get("maxSurge", "25%"), n, True)
        unavail = int_or_percent(ru.get("maxUnavailable", "25%"), n, False)
        if surge == 0 and unavail == 0:
            return 0
        return surge

    def max_unavailable(self, d):
        spec = d.get("spec") or {}
        if (spec.get("strategy") or {}).get("type") != "RollingUpdate" or spec_replicas(d) == 0:
            return 0
        ru = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        n = spec_replicas(d)
        surge = int_or_percent(ru.get("maxSurge", "25%"), n, True)
        unavail = int_or_percent(ru.get("maxUnavailable", "25%"), n, False)
        if surge == 0 and unavail == 0:
            unavail = 1
        return min(unavail, n)

    def rs_template_equal(self, rs, d):
        a = clone((rs.get("spec") or {}).get("template") or {})
        b = clone((d.get("spec") or {}).get("template") or {})
        for x in (a, b):
            ((x.get("metadata") or {}).get("labels") or {}).pop(HASH_LABEL, None)
            norm_empty(x)
        return a == b

    def revision(self, o):
        try:
            return int(annotations_of(o).get(REV_ANN, "0"))
        except ValueError:
            return 0

    def deployment_sync(self, d, t):
        st = self.store
        ns, name = d["metadata"]["namespace"], d["metadata"]["name"]
        spec = d.get("spec") or {}
        rss = self.owned("replicasets", d)
        # adopt matching orphans (as the controller adopts by selector)
        new_rs = next((r for r in sorted(rss, key=lambda r: r["metadata"]["creationTimestamp"])
                       if self.rs_template_equal(r, d)), None)
        old_rss = [r for r in rss if r is not new_rs]
        max_old_rev = max([self.revision(r) for r in old_rss] or [0])
        paused = bool(spec.get("paused"))
        progress_reason = None
        if new_rs is None and not paused:
            tmpl = clone(spec.get("template") or {})
            collision = (d.get("status") or {}).get("collisionCount", 0)
            h = template_hash(tmpl, collision)
            tm = tmpl.setdefault("metadata", {})
            tm["labels"] = dict(tm.get("labels") or {}, **{HASH_LABEL: h})
            sel = clone(spec.get("selector") or {})
            sel["matchLabels"] = dict(sel.get("matchLabels") or {}, **{HASH_LABEL: h})
            ann = {k: v for k, v in annotations_of(d).items() if k not in SKIP_COPY_ANN}
            ann[DESIRED_ANN] = str(spec_replicas(d))
            ann[MAX_ANN] = str(spec_replicas(d) + self.max_surge(d))
            ann[REV_ANN] = str(max_old_rev + 1)
            owner = dict(d, _kind="Deployment")
            rs_name = "%s-%s" % (name, h)
            if st.get("replicasets", ns, rs_name) is not None:
                return self.bump_collision(d)
            meta_ = self.new_meta(rs_name, ns, t, tm["labels"], ann, owner)
            meta_["generation"] = 1
            if old_rss and (spec.get("strategy") or {}).get("type") == "RollingUpdate":
                start = self.new_rs_replicas(d, rss, None)
            elif old_rss:
                start = 0
            else:
                start = spec_replicas(d)
            new_rs = {"metadata": meta_,
                      "spec": {"replicas": start, "minReadySeconds": spec.get("minReadySeconds", 0),
                               "selector": sel, "template": tmpl},
                      "status": {"replicas": 0}}
            new_rs = st.put("replicasets", new_rs)
            if start > 0:
                self.event(d, "Deployment", "Normal", "ScalingReplicaSet",
                           "Scaled up replica set %s to %d" % (rs_name, start), "deployment-controller", t)
            progress_reason = ("NewReplicaSetCreated", 'Created new replica set "%s"' % rs_name)
        elif new_rs is not None and self.revision(new_rs) <= max_old_rev and not paused:
            # a rollback (or a template back to an older one): the old ReplicaSet is the new one again
            ann = dict(annotations_of(new_rs))
            hist = [x for x in ann.get(REV_HISTORY_ANN, "").split(",") if x]
            if ann.get(REV_ANN):
                hist.append(ann[REV_ANN])
            ann[REV_HISTORY_ANN] = ",".join(hist)
            ann[REV_ANN] = str(max_old_rev + 1)
            for k, v in annotations_of(d).items():
                if k not in SKIP_COPY_ANN:
                    ann[k] = v
            r = dict(new_rs)
            r["metadata"] = dict(new_rs["metadata"], annotations=ann)
            new_rs = st.put("replicasets", r)
            progress_reason = ("FoundNewReplicaSet", 'Found new replica set "%s"' % new_rs["metadata"]["name"])
        elif new_rs is not None:
            ann = dict(annotations_of(new_rs))
            for k, v in annotations_of(d).items():
                if k not in SKIP_COPY_ANN:
                    ann[k] = v
            if ann != annotations_of(new_rs):
                r = dict(new_rs)
                r["metadata"] = dict(new_rs["metadata"], annotations=ann)
                new_rs = st.put("replicasets", r)
        rss = [new_rs] + old_rss if new_rs is not None else old_rss
        # the deployment's revision annotation follows its new ReplicaSet
        if new_rs is not None and annotations_of(d).get(REV_ANN) != annotations_of(new_rs).get(REV_ANN):
            d2 = dict(d)
            d2["metadata"] = dict(d["metadata"], annotations=dict(annotations_of(d),
                                                                   **{REV_ANN: annotations_of(new_rs)[REV_ANN]}))
            d = st.put("deployments", d2)
        for r in rss:
            self.replicaset_status(r)
        rss = [st.get("replicasets", ns, r["metadata"]["name"]) for r in rss]
        new_rs = rss[0] if new_rs is not None else None
        old_rss = rss[1:] if new_rs is not None else rss
        if paused or new_rs is None:
            active = [r for r in rss if spec_replicas(r) > 0]
            target = active[0] if len(active) == 1 else (new_rs or max(old_rss, key=self.revision, default=None))
            if target is not None and len(active) <= 1:
                self.set_rs_replicas(target, spec_replicas(d), d, t)
        elif (spec.get("strategy") or {}).get("type") == "Recreate":
            active_old = [r for r in old_rss if spec_replicas(r) > 0 or (r.get("status") or {}).get("replicas")]
            if active_old:
                for r in old_rss:
                    if spec_replicas(r) > 0:
                        self.set_rs_replicas(r, 0, d, t)
            else:
                self.set_rs_replicas(new_rs, spec_replicas(d), d, t)
        else:
            self.rolling(d, new_rs, old_rss, t)
        for r in self.owned("replicasets", d):
            self.replicaset_sync(r, t)
        self.cleanup_history(d)
        self.deployment_status(st.get("deployments", ns, name), t, progress_reason)

    def bump_collision(self, d):
        d2 = dict(d)
        s = dict(d.get("status") or {})
        s["collisionCount"] = s.get("collisionCount", 0) + 1
        d2["status"] = s
        self.store.put("deployments", d2)

    def new_rs_replicas(self, d, rss, new_rs):
        want = spec_replicas(d)
        cur_new = spec_replicas(new_rs) if new_rs is not None else 0
        if cur_new >= want:
            return want
        max_total = want + self.max_surge(d)
        current = sum(spec_replicas(r) for r in rss)
        if current >= max_total:
            return cur_new
        return cur_new + min(max_total - current, want - cur_new)

    def rolling(self, d, new_rs, old_rss, t):
        want = spec_replicas(d)
        all_rss = [new_rs] + old_rss
        # scale up the new replica set (reconcileNewReplicaSet)
        if spec_replicas(new_rs) > want:
            new_rs = self.set_rs_replicas(new_rs, want, d, t)
        elif spec_replicas(new_rs) < want:
            n = self.new_rs_replicas(d, all_rss, new_rs)
            if n != spec_replicas(new_rs):
                new_rs = self.set_rs_replicas(new_rs, n, d, t)
        all_rss = [new_rs] + old_rss
        # scale down the old ones (reconcileOldReplicaSets)
        old_count = sum(spec_replicas(r) for r in old_rss)
        if old_count == 0:
            return
        all_count = sum(spec_replicas(r) for r in all_rss)
        min_available = want - self.max_unavailable(d)
        new_unavail = spec_replicas(new_rs) - (new_rs.get("status") or {}).get("availableReplicas", 0)
        max_scaled_down = all_count - min_available - new_unavail
        if max_scaled_down <= 0:
            return
        old_rss = sorted(old_rss, key=lambda r: (r["metadata"]["creationTimestamp"], r["metadata"]["name"]))
        cleaned = 0
        updated = []
        for r in old_rss:     # cleanupUnhealthyReplicas
            avail = (r.get("status") or {}).get("availableReplicas", 0)
            n = spec_replicas(r)
            if cleaned >= max_scaled_down or n == avail:
                updated.append(r)
                continue
            down = min(max_scaled_down - cleaned, n - avail)
            r = self.set_rs_replicas(r, n - down, d, t)
            cleaned += down
            updated.append(r)
        old_rss = updated
        all_rss = [new_rs] + old_rss
        available = sum((r.get("status") or {}).get("availableReplicas", 0) for r in all_rss)
        if available <= min_available:
            return
        total_down = available - min_available
        for r in old_rss:     # scaleDownOldReplicaSetsForRollingUpdate
            if total_down <= 0:
                break
            n = spec_replicas(r)
            if n == 0:
                continue
            down = min(n, total_down)
            self.set_rs_replicas(r, n - down, d, t)
            total_down -= down

    def cleanup_history(self, d):
        limit = (d.get("spec") or {}).get("revisionHistoryLimit", 10)
        new_rev = annotations_of(d).get(REV_ANN)
        olds = [r for r in self.owned("replicasets", d)
                if annotations_of(r).get(REV_ANN) != new_rev and spec_replicas(r) == 0
                and not (r.get("status") or {}).get("replicas")]
        if limit is None or len(olds) <= limit:
            return
        olds.sort(key=self.revision)
        for r in olds[:len(olds) - limit]:
            self.store.remove("replicasets", r["metadata"]["namespace"], r["metadata"]["name"])

    def deployment_status(self, d, t, progress_reason):
        if d is None:
            return
        spec = d.get("spec") or {}
        rss = self.owned("replicasets", d)
        rev = annotations_of(d).get(REV_ANN)
        new_rs = next((r for r in rss if self.rs_template_equal(r, d)), None)
        sts = [r.get("status") or {} for r in rss]
        replicas = sum(s.get("replicas", 0) for s in sts)
        updated = (new_rs.get("status") or {}).get("replicas", 0) if new_rs else 0
        ready = sum(s.get("readyReplicas", 0) for s in sts)
        available = sum(s.get("availableReplicas", 0) for s in sts)
        total = sum(spec_replicas(r) for r in rss)
        unavailable = max(0, total - available)
        want = spec_replicas(d)
        old = d.get("status") or {}
        status = {"observedGeneration": d["metadata"].get("generation", 1)}
        for k, v in (("replicas", replicas), ("updatedReplicas", updated), ("readyReplicas", ready),
                     ("availableReplicas", available), ("unavailableReplicas", unavailable)):
            if v:
                status[k] = v
        if old.get("collisionCount"):
            status["collisionCount"] = old["collisionCount"]
        conds = {c["type"]: c for c in old.get("conditions") or []}
        min_avail = want - self.max_unavailable(d)
        if available >= min_avail:
            set_cond(conds, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", t)
        else:
            set_cond(conds, "Available", "False", "MinimumReplicasUnavailable",
                     "Deployment does not have minimum availability.", t)
        rs_name = new_rs["metadata"]["name"] if new_rs else ""
        complete = (new_rs is not None and updated == want and replicas == want and available == want
                    and status["observedGeneration"] >= d["metadata"].get("generation", 1))
        prev = self.progress.get(d["metadata"]["uid"])
        counts = (updated, ready, available, replicas, spec_replicas(new_rs) if new_rs else -1, rs_name)
        self.progress[d["metadata"]["uid"]] = counts
        moved = prev is not None and (any(a > b for a, b in zip(counts[:3], prev[:3])) or counts[3] < prev[3]
                                      or counts[4] != prev[4] or counts[5] != prev[5])
        deadline = spec.get("progressDeadlineSeconds")
        if spec.get("paused"):
            set_cond(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", t)
        elif progress_reason:
            set_cond(conds, "Progressing", "True", progress_reason[0], progress_reason[1], t, update=True)
        elif complete:
            c = conds.get("Progressing")
            if not c or c.get("reason") != "NewReplicaSetAvailable":
                set_cond(conds, "Progressing", "True", "NewReplicaSetAvailable",
                         'ReplicaSet "%s" has successfully progressed.' % rs_name, t, update=True)
        elif moved or conds.get("Progressing", {}).get("reason") in (None, "DeploymentPaused", "DeploymentResumed",
                                                                     "NewReplicaSetAvailable"):
            set_cond(conds, "Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "%s" is progressing.' % rs_name,
                     t, update=True)
        else:
            c = conds.get("Progressing")
            if (c and c.get("reason") != "ProgressDeadlineExceeded" and deadline is not None
                    and parse_time(c.get("lastUpdateTime")) + deadline < t):
                set_cond(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                         'ReplicaSet "%s" has timed out progressing.' % rs_name, t, update=True)
        order = ["Available", "Progressing", "ReplicaFailure"]
        status["conditions"] = [conds[k] for k in order if k in conds]
        if status != old:
            self.store.put("deployments", dict(d, status=status))

    # -- stateful sets
    def statefulset_sync(self, s, t):
        st = self.store
        ns, name = s["metadata"]["namespace"], s["metadata"]["name"]
        spec = s.get("spec") or {}
        want = spec_replicas(s)
        tmpl = spec.get("template") or {}
        update_rev = "%s-%s" % (name, template_hash(tmpl, (s.get("status") or {}).get("collisionCount", 0)))
        old_status = s.get("status") or {}
        current_rev = old_status.get("currentRevision") or update_rev
        parallel = spec.get("podManagementPolicy") == "Parallel"
        us = spec.get("updateStrategy") or {}
        partition = ((us.get("rollingUpdate") or {}).get("partition") or 0) if us.get("type") != "OnDelete" else None
        pods = {p["metadata"]["name"]: p for p in self.owned("pods", s)}
        owner = dict(s, _kind="StatefulSet")

        def ordinal(p):
            try:
                return int(p["metadata"]["name"].rsplit("-", 1)[1])
            except (ValueError, IndexError):
                return -1
        blocked = False
        for i in range(want):
            pn = "%s-%d" % (name, i)
            p = pods.get(pn)
            if p is None:
                if blocked or len(st.objs["pods"]) >= self.opts.max_pods:
                    break
                rev = current_rev if partition is not None and i < partition else update_rev
                t_ = clone(tmpl) if rev == update_rev else self.revision_template(s, rev, tmpl)
                pod, _ = self.make_pod(owner, t_, pn, t, hostname=pn,
                                       extra_labels={"controller-revision-hash": rev,
                                                     "statefulset.kubernetes.io/pod-name": pn,
                                                     "apps.kubernetes.io/pod-index": str(i)})
                st.put("pods", pod)
                revs = self.sts_templates.setdefault((ns, name), {})
                revs[rev] = clone(t_)
                while len(revs) > 10:
                    del revs[next(iter(revs))]
                self.event(s, "StatefulSet", "Normal", "SuccessfulCreate", "create Pod %s in StatefulSet %s successful"
                           % (pn, name), "statefulset-controller", t)
                if not parallel:
                    blocked = True
            elif not parallel and not self.pod_ready(p):
                blocked = True
        # scale down: highest ordinal first, one at a time unless Parallel
        extra = sorted((p for p in pods.values() if ordinal(p) >= want), key=ordinal, reverse=True)
        if extra and not (not parallel and any(p["metadata"].get("deletionTimestamp") for p in extra)):
            for p in extra if parallel else extra[:1]:
                if not p["metadata"].get("deletionTimestamp"):
                    self.delete_pod(p, t)
                    self.event(s, "StatefulSet", "Normal", "SuccessfulDelete",
                               "delete Pod %s in StatefulSet %s successful" % (p["metadata"]["name"], name),
                               "statefulset-controller", t)
        # rolling update: highest ordinal first, when every pod is running and ready
        pods = {p["metadata"]["name"]: p for p in self.owned("pods", s)}
        live = [p for p in pods.values() if 0 <= ordinal(p) < want]
        if partition is not None and len(live) == want and all(self.pod_ready(p) for p in live):
            stale = sorted((p for p in live if labels_of(p).get("controller-revision-hash") != update_rev
                            and ordinal(p) >= partition), key=ordinal, reverse=True)
            if stale:
                p = stale[0]
                self.delete_pod(p, t, grace=0)
                self.event(s, "StatefulSet", "Normal", "SuccessfulDelete",
                           "delete Pod %s in StatefulSet %s successful" % (p["metadata"]["name"], name),
                           "statefulset-controller", t)
        # status
        pods = [p for p in self.owned("pods", s)]
        counted = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        ready = sum(1 for p in counted if self.pod_ready(p))
        updated = sum(1 for p in counted if labels_of(p).get("controller-revision-hash") == update_rev)
        current = sum(1 for p in counted if labels_of(p).get("controller-revision-hash") == current_rev)
        if updated == want and len(counted) == want and ready == want:
            current_rev, current = update_rev, updated
        status = {"observedGeneration": s["metadata"].get("generation", 1), "replicas": len(counted)}
        if ready:
            status["readyReplicas"] = ready
        if current:
            status["currentReplicas"] = current
        if updated:
            status["updatedReplicas"] = updated
        status["currentRevision"] = current_rev
        status["updateRevision"] = update_rev
        status["collisionCount"] = old_status.get("collisionCount", 0)
        status["availableReplicas"] = ready
        if status != old_status:
            cur = st.get("statefulsets", ns, name)
            if cur is not None:
                st.put("statefulsets", dict(cur, status=status))

    def revision_template(self, s, rev, fallback):
        return clone(self.sts_templates.get((s["metadata"]["namespace"], s["metadata"]["name"]), {})
                     .get(rev, fallback))

    # -- garbage collection and namespaces
    def collect(self, t):
        st = self.store
        uids = {}
        for res in ("deployments", "replicasets", "statefulsets"):
            for o in st.objs[res].values():
                uids[o["metadata"]["uid"]] = o
        for res in ("replicasets", "pods"):
            for o in list(st.objs[res].values()):
                refs = o["metadata"].get("ownerReferences") or []
                if refs and all(r.get("uid") not in uids for r in refs):
                    if res == "pods":
                        self.delete_pod(o, t)
                    else:
                        st.remove(res, o["metadata"]["namespace"], o["metadata"]["name"])
        for n in list(st.objs["namespaces"].values()):
            if not n["metadata"].get("deletionTimestamp"):
                continue
            name = n["metadata"]["name"]
            left = 0
            for res in ("deployments", "statefulsets", "replicasets", "pods", "events"):
                for o in st.list(res, name):
                    left += 1
                    if res == "pods":
                        self.delete_pod(o, t)
                    else:
                        st.remove(res, name, o["metadata"]["name"])
            if left == 0:
                st.remove("namespaces", "", name)

    def tick(self):
        t = now()
        st = self.store
        with st.lock:
            for s in list(st.objs["statefulsets"].values()):
                self.statefulset_sync(s, t)
            for d in list(st.objs["deployments"].values()):
                self.deployment_sync(d, t)
            for rs in list(st.objs["replicasets"].values()):
                if controller_uid(rs) is None:
                    self.replicaset_sync(rs, t)
            self.kubelet(t)
            self.collect(t)
            if t - self.last_trim > 5:
                self.trim_events(t)
                self.last_trim = t
                uids = {d["metadata"]["uid"] for d in st.objs["deployments"].values()}
                self.progress = {u: v for u, v in self.progress.items() if u in uids}
                names = {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in st.objs["statefulsets"].values()}
                self.sts_templates = {k: v for k, v in self.sts_templates.items() if k in names}
            live = {p["metadata"]["uid"] for p in st.objs["pods"].values()}
            for uid in [u for u in self.sims if u not in live]:
                del self.sims[uid]

    def run(self, interval):
        last_compact = now()
        while not self.store.closed:
            try:
                self.tick()
            except Exception:
                traceback.print_exc()
            if self.opts.compact_interval and now() - last_compact >= self.opts.compact_interval:
                self.store.compact()
                last_compact = now()
            time.sleep(interval)


def set_cond(conds, typ, status, reason, message, t, update=False):
    c = conds.get(typ)
    if c and c.get("status") == status and c.get("reason") == reason and c.get("message") == message and not update:
        return
    if c and c.get("status") == status and c.get("reason") == reason and c.get("message") == message and update:
        conds[typ] = dict(c, lastUpdateTime=iso(t))
        return
    trans = c["lastTransitionTime"] if c and c.get("status") == status else iso(t)
    conds[typ] = {"type": typ, "status": status, "lastUpdateTime": iso(t), "lastTransitionTime": trans,
                  "reason": reason, "message": message}


def norm_empty(o):
    """Drop empty maps, lists and null values, as Go's semantic equality treats them as absent."""
    if isinstance(o, dict):
        for k in list(o):
            norm_empty(o[k])
            if o[k] in (None, {}, []):
                del o[k]
    elif isinstance(o, list):
        for x in o:
            norm_empty(x)
    return o




# ---- seeding ----------------------------------------------------------------------------

SHOP = [("gateway", "2.3.0", "2.3.1"), ("orders", "3.0.4", "3.1.0"), ("payments", "1.4.1", "1.4.2"),
        ("inventory", "0.9.7", "0.9.8"), ("notifications", "1.1.0", "1.2.0"), ("users", "2.0.1", "2.0.2")]
FAILING = [("search", "broken"), ("recommendations", "crash"), ("reports", "oom")]


def workload(kind, ns, name, image, replicas, extra_labels=None, port=8080):
    labels = {"app": name}
    labels.update(extra_labels or {})
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": name, "image": image,
                                                  "ports": [{"name": "http", "containerPort": port}],
                                                  "env": [{"name": "SERVICE_NAME", "value": name}]}]}}}
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"kind": kind, "apiVersion": "apps/v1",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name, "app.kubernetes.io/part-of": ns}},
            "spec": spec}


class Seeder:
    """Builds a cluster that has been running: objects as the controllers would have left them."""

    def __init__(self, cluster, t):
        self.c = cluster
        self.st = cluster.store
        self.t = t

    def namespace(self, name, age):
        n = {"metadata": self.c.new_meta(name, None, self.t - age), "status": {"phase": "Active"}}
        apply_defaults(RES["namespaces"], n)
        self.st.put("namespaces", n)

    def node(self, i, age):
        name = "node-%d" % i
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                  "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}
        if i == 1:
            labels["node-role.kubernetes.io/control-plane"] = ""
        created = self.t - age
        n = {"metadata": self.c.new_meta(name, None, created, labels),
             "spec": {"podCIDR": "10.244.%d.0/24" % i, "podCIDRs": ["10.244.%d.0/24" % i]},
             "status": {"capacity": {"cpu": "4", "memory": "16331712Ki", "pods": "110"},
                        "allocatable": {"cpu": "4", "memory": "16229312Ki", "pods": "110"},
                        "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": iso(self.t),
                                        "lastTransitionTime": iso(created), "reason": "KubeletReady",
                                        "message": "kubelet is posting ready status"}],
                        "addresses": [{"type": "InternalIP", "address": "10.0.0.%d" % (10 + i)},
                                      {"type": "Hostname", "address": name}],
                        "nodeInfo": {"kubeletVersion": K8S_VERSION["gitVersion"], "osImage": "Debian GNU/Linux 12 "
                                     "(bookworm)", "kernelVersion": "6.1.0-28-amd64",
                                     "containerRuntimeVersion": "containerd://1.7.24", "operatingSystem": "linux",
                                     "architecture": "amd64"}}}
        self.st.put("nodes", n)

    def deployment(self, ns, name, images, replicas, age, fail=False, deadline=None):
        c = self.c
        created = self.t - age
        d = workload("Deployment", ns, name, images[0], replicas)
        d["metadata"] = c.new_meta(name, ns, created, d["metadata"]["labels"])
        d["metadata"]["generation"] = len(images)
        apply_defaults(RES["deployments"], d)
        if deadline is not None:
            d["spec"]["progressDeadlineSeconds"] = deadline
        d.pop("kind")
        d.pop("apiVersion")
        owner = dict(d, _kind="Deployment")
        rss = []
        step = age / (len(images) + 1)
        for rev, image in enumerate(images, 1):
            d["spec"]["template"]["spec"]["containers"][0]["image"] = image
            tmpl = clone(d["spec"]["template"])
            h = template_hash(tmpl)
            tmpl["metadata"]["labels"][HASH_LABEL] = h
            sel = {"matchLabels": {"app": name, HASH_LABEL: h}}
            rs_created = created + step * (rev - 1)
            last = rev == len(images)
            n = replicas if last else 0
            ann = {DESIRED_ANN: str(replicas), MAX_ANN: str(replicas + c.max_surge(d)), REV_ANN: str(rev)}
            rs = {"metadata": c.new_meta("%s-%s" % (name, h), ns, rs_created, tmpl["metadata"]["labels"], ann, owner),
                  "spec": {"replicas": n, "minReadySeconds": 0, "selector": sel, "template": tmpl},
                  "status": {"replicas": 0}}
            rs["metadata"]["generation"] = 2 if not last else 1
            rss.append(rs)
        d["metadata"]["annotations"] = {REV_ANN: str(len(images))}
        new = rss[-1]
        pods = []
        started = parse_time(new["metadata"]["creationTimestamp"]) + 3
        for i in range(replicas):
            pod, sim = c.make_pod(dict(new, _kind="ReplicaSet"), new["spec"]["template"],
                                  "%s-%s" % (new["metadata"]["name"], rand_suffix()), started + i * 2, ready_at=0)
            pods.append((pod, sim))
        for rs in rss:
            self.st.put("replicasets", rs)
        for pod, sim in pods:
            self.settle_pod(pod, sim, fail)
        ready = 0 if fail else replicas
        status = {"observedGeneration": d["metadata"]["generation"], "replicas": replicas, "updatedReplicas": replicas}
        if ready:
            status["readyReplicas"] = ready
            status["availableReplicas"] = ready
        else:
            status["unavailableReplicas"] = replicas
        rs_name = new["metadata"]["name"]
        t_rs = iso(started + 2 * replicas)
        if fail:
            status["conditions"] = [
                {"type": "Available", "status": "False", "lastUpdateTime": new["metadata"]["creationTimestamp"],
                 "lastTransitionTime": new["metadata"]["creationTimestamp"], "reason": "MinimumReplicasUnavailable",
                 "message": "Deployment does not have minimum availability."},
                {"type": "Progressing", "status": "False", "lastUpdateTime": iso(self.t - age / 2),
                 "lastTransitionTime": iso(self.t - age / 2), "reason": "ProgressDeadlineExceeded",
                 "message": 'ReplicaSet "%s" has timed out progressing.' % rs_name}]
        else:
            status["conditions"] = [
                {"type": "Available", "status": "True", "lastUpdateTime": t_rs, "lastTransitionTime": t_rs,
                 "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "lastUpdateTime": t_rs,
                 "lastTransitionTime": d["metadata"]["creationTimestamp"], "reason": "NewReplicaSetAvailable",
                 "message": 'ReplicaSet "%s" has successfully progressed.' % rs_name}]
        d["status"] = status
        self.st.put("deployments", d)
        for rs in rss:
            c.replicaset_status(rs)

    def settle_pod(self, pod, sim, fail):
        c = self.c
        t = parse_time(pod["metadata"]["creationTimestamp"]) + 2
        if sim.mode == "ok" and not fail:
            c.set_pod_running(pod, t, True)
            sim.stage = "running"
            sim.next_at = float("inf")
        elif sim.mode == "pull":
            cs = pod["status"]["containerStatuses"][0]
            cs["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                       "message": 'Back-off pulling image "%s"' % cs["image"]}}
            pod["status"]["podIP"] = sim.ip
            pod["status"]["podIPs"] = [{"ip": pod["status"]["podIP"]}]
            sim.stage = "backoff"
            sim.backoff = 3
            sim.next_at = self.t + c.opts.backoff * random.random()
        else:
            c.set_pod_running(pod, t, False)
            cs = pod["status"]["containerStatuses"][0]
            oom = sim.mode == "oom"
            restarts = random.randint(5, 9)
            cs["restartCount"] = restarts
            cs["lastState"] = {"terminated": {"exitCode": 137 if oom else 1, "reason": "OOMKilled" if oom else "Error",
                                              "startedAt": iso(self.t - 90), "finishedAt": iso(self.t - 60),
                                              "containerID": cs["containerID"]}}
            cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed "
                                       "container=%s pod=%s_%s(%s)" % (cs["name"], pod["metadata"]["name"],
                                                                        pod["metadata"]["namespace"],
                                                                        pod["metadata"]["uid"])}}
            cs["ready"] = False
            cs["started"] = False
            sim.stage = "backoff"
            sim.backoff = 3
            sim.next_at = self.t + c.opts.backoff * random.random()
        self.st.put("pods", pod)

    def statefulset(self, ns, name, image, replicas, age):
        c = self.c
        created = self.t - age
        s = workload("StatefulSet", ns, name, image, replicas, port=5432)
        s["metadata"] = c.new_meta(name, ns, created, s["metadata"]["labels"])
        s["metadata"]["generation"] = 1
        apply_defaults(RES["statefulsets"], s)
        s.pop("kind")
        s.pop("apiVersion")
        rev = "%s-%s" % (name, template_hash(s["spec"]["template"]))
        owner = dict(s, _kind="StatefulSet")
        for i in range(replicas):
            pn = "%s-%d" % (name, i)
            pod, sim = c.make_pod(owner, s["spec"]["template"], pn, created + 5 + 10 * i, ready_at=0, hostname=pn,
                                  extra_labels={"controller-revision-hash": rev,
                                                "statefulset.kubernetes.io/pod-name": pn,
                                                "apps.kubernetes.io/pod-index": str(i)})
            self.settle_pod(pod, sim, False)
        c.sts_templates.setdefault((ns, name), {})[rev] = clone(s["spec"]["template"])
        s["status"] = {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                       "currentReplicas": replicas, "updatedReplicas": replicas, "currentRevision": rev,
                       "updateRevision": rev, "collisionCount": 0, "availableReplicas": replicas}
        self.st.put("statefulsets", s)

    def shop(self, deadline):
        day = 86400
        for ns, age in (("default", 40 * day), ("kube-system", 40 * day), ("shop", 30 * day), ("ops", 20 * day)):
            self.namespace(ns, age)
        for n, (name, v1, v2) in enumerate(SHOP):
            self.deployment("shop", name, ["registry.local/shop/%s:%s" % (name, v1),
                                           "registry.local/shop/%s:%s" % (name, v2)], 2, 30 * day - n * 3600,
                            deadline=deadline)
        self.statefulset("shop", "ledger", "registry.local/shop/ledger:5.2.0", 3, 30 * day)
        self.deployment("ops", "collector", ["registry.local/ops/collector:0.9.1"], 1, 20 * day, deadline=deadline)

    def failing(self, deadline):
        if self.st.get("namespaces", "", "shop") is None:
            self.namespace("shop", 30 * 86400)
        for name, tag in FAILING:
            self.deployment("shop", name, ["registry.local/shop/%s:%s" % (name, tag)], 2, 1200, fail=True,
                            deadline=deadline)


# ---- HTTP ---------------------------------------------------------------------------------

class User:
    def __init__(self, name, read_only, groups=()):
        self.name = name
        self.read_only = read_only
        self.groups = list(groups) + ["system:authenticated"]


READ_VERBS = ("get", "list", "watch")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 300

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_response(self, code, message=None):
        # as Go's net/http: a Date header, no Server header
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
        self.code_sent = code
        self.write_log()

    def answer(self, code, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else (dumps(body) + "\n").encode()
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        if self.server.hsts:
            self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("X-Kubernetes-Pf-Flowschema-Uid", self.server.fs_uid)
        self.send_header("X-Kubernetes-Pf-Prioritylevel-Uid", self.server.pl_uid)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def write_log(self):
        lg = self.server.request_log
        if lg is None:
            return
        line = "%s %s %s\n" % (self.command, self.path, getattr(self, "code_sent", 0))
        with self.server.log_lock:
            lg.write(line)
            lg.flush()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY:
                    self.close_connection = True
                    raise ApiError(413, "RequestEntityTooLarge", "the request is too large", None)
            return data
        if n > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, "RequestEntityTooLarge", "the request is too large", None)
        return self.rfile.read(n) if n > 0 else b""

    def authenticate(self):
        srv = self.server
        conn = self.connection
        cert = None
        try:
            cert = conn.getpeercert() if isinstance(conn, ssl.SSLSocket) else None
        except (ValueError, ssl.SSLError):
            cert = None
        if cert:
            cn, orgs = None, []
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
                    elif k == "organizationName":
                        orgs.append(v)
            if cn:
                return User(cn, cn in srv.read_only_users, orgs)
        auth = self.headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            tok = auth[7:].strip()
            u = srv.tokens.get(tok)
            if u is not None:
                return u
        raise ApiError(401, "Unauthorized", "Unauthorized")

    def handle_any(self):
        self.code_sent = 0
        try:
            try:
                body = self.read_body()
                user = self.authenticate()
                self.route(user, body)
            except ApiError as e:
                self.answer(e.code, e.status())
            except (ConnectionError, BrokenPipeError, socket.timeout, ssl.SSLError):
                self.close_connection = True
            except Exception as e:     # a bug here: answer as the API server would (500), keep serving
                traceback.print_exc()
                self.answer(500, ApiError(500, "InternalError", "Internal error occurred: %s: %s"
                                          % (type(e).__name__, e), {"causes": [{"message": str(e)}]}).status())
        except (ConnectionError, BrokenPipeError, socket.timeout, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    # -- routing
    def route(self, user, body):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        path = u.path.rstrip("/") or "/"
        m = self.command
        if m == "HEAD":
            m = "GET"
        disc = {"/version": lambda: K8S_VERSION,
                "/api": lambda: {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": "%s:%d" % self.server.server_address[:2]}]},
                "/apis": lambda: {"kind": "APIGroupList", "apiVersion": "v1", "groups": [APPS_GROUP, AUTHN_GROUP]},
                "/apis/" + AUTHN: lambda: dict({"kind": "APIGroup", "apiVersion": "v1"}, **AUTHN_GROUP),
                "/apis/%s/v1" % AUTHN: lambda: AUTHN_RESOURCES,
                "/api/v1": lambda: resource_list(""),
                "/apis/apps": lambda: dict({"kind": "APIGroup", "apiVersion": "v1"}, **APPS_GROUP),
                "/apis/apps/v1": lambda: resource_list("apps")}
        if path in disc:
            if m != "GET":
                raise method_not_allowed(m, None)
            return self.answer(200, disc[path]())
        if path in ("/healthz", "/livez", "/readyz"):
            return self.answer(200, b"ok", "text/plain; charset=utf-8")
        if path == "/apis/%s/v1/selfsubjectreviews" % AUTHN:
            # kubectl auth whoami: who the server takes the caller for
            if m != "POST":
                raise method_not_allowed(m, None)
            return self.answer(201, {"kind": "SelfSubjectReview", "apiVersion": AUTHN + "/v1",
                                     "metadata": {"creationTimestamp": None},
                                     "status": {"userInfo": {"username": user.name, "groups": user.groups}}})
        parsed = parse_resource_path(path)
        if parsed is None:
            raise page_not_found()
        res, ns, name, sub, watch_path = parsed
        if m == "GET":
            verb = "watch" if watch_path or q.get("watch") in ("true", "1") else ("get" if name else "list")
        else:
            verb = {"POST": "create", "PUT": "update", "PATCH": "patch",
                    "DELETE": "delete" if name else "deletecollection"}.get(m)
            if verb is None or (verb == "create" and name) or (verb in ("update", "patch") and not name):
                raise method_not_allowed(m, res)
        self.authorize(user, verb, res, ns, name, sub)
        api = self.server.api
        if verb == "list":
            return self.do_list(res, ns, q)
        if verb == "watch":
            return self.do_watch(res, ns, name, q)
        if verb == "get":
            obj = api.get(res, ns, name, sub)
            if sub is None:
                return self.send_obj(res, obj, q)
            return self.answer(200, obj)
        dry = q.get("dryRun") == "All"
        if verb == "create":
            return self.answer(201, api.create(res, ns, self.json_body(body), dry))
        if verb == "update":
            obj = api.update(res, ns, name, sub, self.json_body(body), dry)
            return self.answer(200, obj)
        if verb == "patch":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            obj = api.patch(res, ns, name, sub, ctype, body, dry)
            return self.answer(200, obj)
        if verb == "delete":
            opts = self.json_body(body) if body.strip() else {}
            if q.get("propagationPolicy"):
                opts["propagationPolicy"] = q["propagationPolicy"]
            if q.get("gracePeriodSeconds"):
                opts["gracePeriodSeconds"] = int(q["gracePeriodSeconds"])
            code, obj = api.delete(res, ns, name, opts, dry)
            return self.answer(code, obj)
        raise method_not_allowed(m, res)

    def authorize(self, user, verb, res, ns, name, sub):
        if not user.read_only or verb in READ_VERBS:
            return
        rname = res.name + ("/" + sub if sub else "")
        scope = 'in the namespace "%s"' % ns if ns else "at the cluster scope"
        what = '%s "%s"' % (qualified(res), name) if name else qualified(res)
        raise ApiError(403, "Forbidden", '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s'
                       % (what, user.name, verb, rname, res.group, scope), details(res, name))

    def json_body(self, body):
        ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
        if "protobuf" in ctype or "yaml" in ctype:
            raise ApiError(415, "UnsupportedMediaType", 'the body of the request was in an unknown format - accepted '
                           'media types include: application/json', None)
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request("the object provided is unrecognized or malformed: %s" % e)

    def send_obj(self, res, obj, q):
        tv = wants_table(self.headers.get("Accept"))
        if tv:
            return self.answer(200, to_table(res, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]},
                                             q.get("includeObject", "Metadata"), tv, now()),
                               "application/json")
        return self.answer(200, with_type(res, obj))

    def do_list(self, res, ns, q):
        items, lmeta = self.server.api.list(res, ns, q)
        tv = wants_table(self.headers.get("Accept"))
        if tv:
            return self.answer(200, to_table(res, items, lmeta, q.get("includeObject", "Metadata"), tv, now()))
        return self.answer(200, {"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": lmeta,
                                 "items": items})

    def do_watch(self, res, ns, name, q):
        api = self.server.api
        st = api.store
        lsel = parse_label_selector(q.get("labelSelector"))
        fsel = parse_field_selector(q.get("fieldSelector"), res)
        if name:
            fsel.append(("metadata.name", "=", name))
        rv_param = q.get("resourceVersion", "")
        timeout = None
        if q.get("timeoutSeconds"):
            try:
                timeout = now() + max(0, int(q["timeoutSeconds"]))
            except ValueError:
                raise bad_request('invalid value for timeoutSeconds: "%s"' % q["timeoutSeconds"])
        if timeout is None:     # as --min-request-timeout=1800: a watch ends after 30 to 60 minutes
            timeout = now() + 1800 * (1 + random.random())
        bookmarks = q.get("allowWatchBookmarks") in ("true", "1")
        initial = q.get("sendInitialEvents") in ("true", "1")
        table = wants_table(self.headers.get("Accept"))

        def visible(o):
            return (o is not None and (ns is None or o["metadata"].get("namespace") == ns)
                    and label_match(lsel, labels_of(o)) and field_match(fsel, o))
        with st.lock:
            if rv_param in ("", "0") or initial:
                start = st.rv
                first = [("ADDED", o) for o in st.list(res.name, ns) if visible(o)]
            else:
                try:
                    start = int(rv_param)
                except ValueError:
                    raise bad_request('invalid resource version "%s"' % rv_param)
                first = []
                if st.changes_after(res.name, start) is None:
                    first = None
        self.send_response(200)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        count = [0]

        def emit(typ, obj):
            if table and typ in ("ADDED", "MODIFIED", "DELETED"):
                o = to_table(res, [obj], {"resourceVersion": obj["metadata"]["resourceVersion"]},
                             q.get("includeObject", "Metadata"), table, now())
                if count[0]:
                    o["columnDefinitions"] = []
            else:
                o = with_type(res, obj) if typ != "ERROR" and typ != "BOOKMARK" else obj
            count[0] += 1
            data = (dumps({"type": typ, "object": o}) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        if first is None:
            emit("ERROR", expired("too old resource version: %s (%d)" % (rv_param, st.dropped + 1)).status())
            self.wfile.write(b"0\r\n\r\n")
            return
        for typ, o in first:
            emit(typ, o)
        if initial and bookmarks:
            emit("BOOKMARK", {"kind": res.kind, "apiVersion": res.api_version, "metadata": {
                "resourceVersion": str(start), "annotations": {"k8s.io/initial-events-end": "true"}}})
        last = start
        while True:
            with st.lock:
                changes = st.changes_after(res.name, last)
                while changes is not None and not changes and not st.closed:
                    wait = 1.0 if timeout is None else min(1.0, timeout - now())
                    if wait <= 0:
                        break
                    st.cond.wait(wait)
                    changes = st.changes_after(res.name, last)
                    if self.server.api.stopping:
                        break
            if changes is None:
                emit("ERROR", expired("too old resource version: %d (%d)" % (last, st.dropped + 1)).status())
                break
            for c in changes:
                last = c.rv
                was, now_ = visible(c.old) if c.type != "ADDED" else False, visible(c.obj) if c.type != "DELETED" \
                    else False
                if c.type == "DELETED":
                    if visible(c.old):
                        emit("DELETED", c.obj)
                elif now_ and not was:
                    emit("ADDED", c.obj)
                elif now_ and was:
                    emit("MODIFIED", c.obj)
                elif was and not now_:
                    emit("DELETED", c.obj)
            if (timeout is not None and now() >= timeout) or st.closed:
                break
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def parse_resource_path(path):
    """(resource, namespace, name, subresource, watch) for an API path, or None."""
    parts = [unquote(p) for p in path.strip("/").split("/")]
    if len(parts) >= 2 and parts[0] == "api" and parts[1] == "v1":
        group, rest = "", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis" and parts[1] == "apps" and parts[2] == "v1":
        group, rest = "apps", parts[3:]
    else:
        return None
    watch = False
    if rest and rest[0] == "watch":
        watch, rest = True, rest[1:]
    if not rest:
        return None
    ns = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        r = BY_PATH.get((group, rest[2]))
        if r is not None and r.namespaced:
            ns, rest = rest[1], rest[2:]
    res = BY_PATH.get((group, rest[0]))
    if res is None or len(rest) > 3:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if res.namespaced and ns is None and name is not None:
        return None
    if sub is not None and sub not in [s[0] for s in res.subs]:
        return None
    return res, ns, name, sub, watch


# ---- the API: verbs on the store ---------------------------------------------------------------

class Api:
    def __init__(self, store, cluster):
        self.store = store
        self.cluster = cluster
        self.stopping = False

    def current(self, res, ns, name):
        o = self.store.get(res.name, ns, name)
        if o is None:
            raise not_found(res, name)
        return o

    def get(self, res, ns, name, sub):
        with self.store.lock:
            o = self.current(res, ns, name)
            if sub == "scale":
                return self.scale_of(res, o)
            if sub == "status" or sub is None:
                return o if sub is None else with_type(res, o)
            raise page_not_found()

    def scale_of(self, res, o):
        m = o["metadata"]
        sel = selector_string((o.get("spec") or {}).get("selector"))
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                             "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
                "spec": {"replicas": spec_replicas(o)},
                "status": {"replicas": (o.get("status") or {}).get("replicas", 0), "selector": sel}}

    def list(self, res, ns, q):
        st = self.store
        lsel = parse_label_selector(q.get("labelSelector"))
        fsel = parse_field_selector(q.get("fieldSelector"), res)
        limit = 0
        if q.get("limit"):
            try:
                limit = int(q["limit"])
            except ValueError:
                raise bad_request('invalid value for limit: "%s"' % q["limit"])
        cont = q.get("continue") or ""
        with st.lock:
            if cont:
                rv, start = decode_continue(cont)
                snap = st.snapshot(res.name, rv)
                if snap is None:
                    fresh = encode_continue(st.rv, start)
                    raise expired("The provided continue parameter is too old to display a consistent list result. "
                                  "You can start a new list without the continue parameter, or use the continue "
                                  "token in this response to retrieve the remainder of the results. Continuing with "
                                  "the provided token results in an inconsistent list - objects that were created, "
                                  "modified, or deleted between the time the first chunk was returned and now may "
                                  "show up in the list.", fresh)
                keys = sorted((k for k in snap if (ns is None or k[0] == ns) and key_str(k) >= start), key=key_str)
                objs = [snap[k] for k in keys]
            else:
                rv = st.rv
                objs = st.list(res.name, ns)
                start = ""
            matched = [o for o in objs if label_match(lsel, labels_of(o)) and field_match(fsel, o)]
        lmeta = {"resourceVersion": str(rv)}
        if limit > 0 and len(matched) > limit:
            page = matched[:limit]
            last = page[-1]["metadata"]
            lmeta["continue"] = encode_continue(rv, key_str((last.get("namespace") or "", last["name"])) + "\x00")
            if not lsel and not fsel:
                lmeta["remainingItemCount"] = len(matched) - limit
            matched = page
        return matched, lmeta

    # -- writes
    def namespace_must_exist(self, res, ns):
        if res.namespaced and self.store.get("namespaces", "", ns) is None:
            raise not_found(RES["namespaces"], ns)

    def create(self, res, ns, obj, dry):
        if not isinstance(obj, dict):
            raise bad_request("the object provided is unrecognized or malformed")
        if obj.get("kind") not in (None, res.kind):
            raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                              % (obj.get("apiVersion"), res.api_version) if obj.get("apiVersion") != res.api_version
                              else 'the kind in the data (%s) does not match the expected kind (%s)'
                              % (obj.get("kind"), res.kind))
        obj = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
        m = obj.setdefault("metadata", {})
        if ns and m.get("namespace") not in (None, "", ns):
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        if not m.get("name"):
            if m.get("generateName"):
                m["name"] = m["generateName"] + rand_suffix()
            else:
                raise invalid(res, "", [("metadata.name", "FieldValueRequired", "Required value: name or "
                                         "generateName is required")])
        t = now()
        with self.store.lock:
            self.namespace_must_exist(res, ns)
            if self.store.get(res.name, ns, m["name"]) is not None:
                raise already_exists(res, m["name"])
            if ns:
                m["namespace"] = ns
            else:
                m.pop("namespace", None)
            m["uid"] = str(uuid.uuid4())
            m["creationTimestamp"] = iso(t)
            for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
                      "managedFields"):
                m.pop(k, None)
            if res.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
                m["generation"] = 1
            apply_defaults(res, obj)
            validate(res, obj)
            if res.kind == "Namespace":
                obj["status"] = {"phase": "Active"}
            elif res.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
                obj["status"] = {} if res.kind == "Deployment" else {"replicas": 0}
            elif res.kind == "Pod":
                obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
            obj = order_keys(obj)
            if dry:
                m["resourceVersion"] = ""
                return with_type(res, obj)
            return with_type(res, self.store.put(res.name, obj))

    def update(self, res, ns, name, sub, obj, dry):
        if not isinstance(obj, dict):
            raise bad_request("the object provided is unrecognized or malformed")
        with self.store.lock:
            cur = self.current(res, ns, name)
            if sub == "scale":
                return self.set_scale(res, cur, obj, dry)
            return self.replace(res, cur, obj, sub, dry)

    def replace(self, res, cur, obj, sub, dry):
        obj = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
        m = obj.setdefault("metadata", {})
        if not isinstance(m, dict):
            raise bad_request("metadata must be an object")
        cm = cur["metadata"]
        if m.get("name") not in (None, cm["name"]):
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (m.get("name"), cm["name"]))
        rv = m.get("resourceVersion")
        if rv not in (None, "") and rv != cm["resourceVersion"]:
            raise conflict(res, cm["name"])
        for k in ("name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp",
                  "deletionGracePeriodSeconds"):
            if k in cm:
                m[k] = cm[k]
            else:
                m.pop(k, None)
        m.pop("managedFields", None)
        m.pop("selfLink", None)
        if sub == "status":
            new = dict(cur, status=obj.get("status", cur.get("status")))
            new["metadata"] = dict(cm)
        else:
            new = dict(obj)
            if "status" in cur:
                new["status"] = cur["status"]
            apply_defaults(res, new)
            validate(res, new, cur)
            if res.kind in ("Deployment", "StatefulSet", "ReplicaSet") and norm_empty(clone(new.get("spec"))) != \
                    norm_empty(clone(cur.get("spec"))):
                m["generation"] = cm.get("generation", 1) + 1
            if res.kind == "Deployment" and (cur.get("spec") or {}).get("paused") and not new["spec"].get("paused"):
                self.cluster.progress.pop(cm["uid"], None)
        new = order_keys(new)
        if dry:
            new["metadata"] = dict(new["metadata"], resourceVersion=cm["resourceVersion"])
            return with_type(res, new)
        return with_type(res, self.store.put(res.name, new))

    def set_scale(self, res, cur, scale, dry):
        if scale.get("kind") not in (None, "Scale"):
            raise bad_request("the kind in the data (%s) does not match the expected kind (Scale)" % scale.get("kind"))
        m = scale.get("metadata") or {}
        rv = m.get("resourceVersion")
        if rv not in (None, "") and rv != cur["metadata"]["resourceVersion"]:
            raise conflict(res, cur["metadata"]["name"])
        n = (scale.get("spec") or {}).get("replicas")
        if n is None:
            n = 0
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ApiError(422, "Invalid", 'Scale.autoscaling "%s" is invalid: spec.replicas: Invalid value: %s: must '
                           'be greater than or equal to 0' % (cur["metadata"]["name"], json.dumps(n)),
                           {"name": cur["metadata"]["name"], "group": "autoscaling", "kind": "Scale", "causes": [
                               {"reason": "FieldValueInvalid", "message": "Invalid value: %s: must be greater than or "
                                "equal to 0" % json.dumps(n), "field": "spec.replicas"}]})
        new = dict(cur, spec=dict(cur.get("spec") or {}, replicas=n))
        new["metadata"] = dict(cur["metadata"])
        if n != spec_replicas(cur):
            new["metadata"]["generation"] = cur["metadata"].get("generation", 1) + 1
        if dry:
            return self.scale_of(res, new)
        return self.scale_of(res, self.store.put(res.name, new))

    def patch(self, res, ns, name, sub, ctype, body, dry):
        kinds = ("application/json-patch+json", "application/merge-patch+json",
                 "application/strategic-merge-patch+json")
        if ctype not in kinds:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted "
                           "media types include: application/json-patch+json, application/merge-patch+json, "
                           "application/apply-patch+yaml", None)
        try:
            p = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request("error decoding patch: %s" % e)
        with self.store.lock:
            cur = self.current(res, ns, name)
            base = self.scale_of(res, cur) if sub == "scale" else with_type(res, cur)
            try:
                if ctype == "application/json-patch+json":
                    out = json_patch(base, p)
                elif ctype == "application/merge-patch+json":
                    out = merge_patch(base, p)
                else:
                    if not isinstance(p, dict):
                        raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}")
                    out = strategic_merge(base, p)
            except PatchError as e:
                raise ApiError(422, "Invalid", str(e), details(res, name))
            if not isinstance(out, dict):
                raise bad_request("the patch did not result in an object")
            if sub == "scale":
                return self.set_scale(res, cur, out, dry)
            return self.replace(res, cur, out, sub, dry)

    def delete(self, res, ns, name, opts, dry):
        t = now()
        with self.store.lock:
            cur = self.current(res, ns, name)
            pre = (opts or {}).get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != cur["metadata"]["uid"]:
                raise conflict(res, name)
            if pre.get("resourceVersion") and pre["resourceVersion"] != cur["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            if dry:
                return 200, with_type(res, cur)
            if res.name == "pods":
                grace = opts.get("gracePeriodSeconds")
                if grace is None:
                    grace = (cur.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
                return 200, with_type(res, self.cluster.delete_pod(cur, t, grace))
            if res.name == "namespaces":
                if cur["metadata"].get("deletionTimestamp"):
                    return 200, with_type(res, cur)
                n = dict(cur, status={"phase": "Terminating"})
                n["metadata"] = dict(cur["metadata"], deletionTimestamp=iso(t))
                return 200, with_type(res, self.store.put(res.name, n))
            if opts.get("propagationPolicy") == "Orphan":
                uid = cur["metadata"]["uid"]
                for dep in ("replicasets", "pods"):
                    for o in list(self.store.objs[dep].values()):
                        refs = o["metadata"].get("ownerReferences") or []
                        if any(r.get("uid") == uid for r in refs):
                            o2 = dict(o)
                            o2["metadata"] = dict(o["metadata"])
                            keep = [r for r in refs if r.get("uid") != uid]
                            if keep:
                                o2["metadata"]["ownerReferences"] = keep
                            else:
                                o2["metadata"].pop("ownerReferences", None)
                            self.store.put(dep, o2)
            self.store.remove(res.name, ns, name)
            return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                         "details": details(res, name, cur["metadata"]["uid"])}


def key_str(k):
    """The object's key as etcd orders it (under the resource's prefix): NS/NAME, or NAME."""
    return "%s/%s" % k if k[0] else k[1]


def encode_continue(rv, start):
    return base64.urlsafe_b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start},
                                               separators=(",", ":")).encode()).decode().rstrip("=")


def decode_continue(tok):
    try:
        pad = "=" * (-len(tok) % 4)
        d = json.loads(base64.urlsafe_b64decode(tok + pad).decode())
        if d.get("v") != "meta.k8s.io/v1" or not isinstance(d.get("rv"), int) or not isinstance(d.get("start"), str):
            raise ValueError("bad token")
        return d["rv"], d["start"]
    except (ValueError, UnicodeDecodeError, TypeError):
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion (version "
                          "meta.k8s.io/v1)")


KEY_ORDER = ("metadata", "spec", "status")


def order_keys(o):
    out = {}
    for k in KEY_ORDER:
        if k in o:
            out[k] = o[k]
    for k, v in o.items():
        if k not in out:
            out[k] = v
    return out


# ---- the server ---------------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, in the connection's thread, so a slow
        # client cannot hold up accept().
        request.settimeout(15)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            conn.settimeout(Handler.timeout)
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def shutdown_request(self, request):
        try:
            request.close()
        except OSError:
            pass

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="An API-faithful Kubernetes API test server (in memory, HTTPS).")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (default 127.0.0.1:0, a free port)")
    ap.add_argument("--cert", required=True, help="server certificate (PEM)")
    ap.add_argument("--key", required=True, help="its private key (PEM)")
    ap.add_argument("--client-ca", help="CA whose client certificates are accepted (the user is the CN)")
    ap.add_argument("--token", action="append", default=[], metavar="NAME=TOKEN",
                    help="a bearer token of user NAME (repeatable; TOKEN @FILE: the file's first line)")
    ap.add_argument("--read-only-token", action="append", default=[], metavar="[NAME=]TOKEN",
                    help="a bearer token that may only get, list and watch (user NAME, default viewer)")
    ap.add_argument("--read-only-user", action="append", default=[], metavar="NAME",
                    help="a client certificate CN that may only get, list and watch")
    ap.add_argument("--shop", action="store_true", help="seed the shop (see the top of this file)")
    ap.add_argument("--fail-pods", action="store_true",
                    help="seed the failing Deployments search, recommendations and reports in shop")
    ap.add_argument("--seed", action="append", default=[], metavar="FILE",
                    help="create the objects of a JSON file (a List or an array)")
    ap.add_argument("--progress-deadline", type=int, default=600, metavar="SECONDS",
                    help="progressDeadlineSeconds of the seeded Deployments (default 600)")
    ap.add_argument("--tick", type=float, default=0.25, help="controller loop period, seconds (default 0.25)")
    ap.add_argument("--ready-delay", type=float, default=1.0,
                    help="seconds from a pod's creation to Running and Ready (default 1)")
    ap.add_argument("--backoff", type=float, default=2.0,
                    help="first back-off of failing pods, seconds; doubled up to 8x (default 2)")
    ap.add_argument("--grace", type=float, default=1.0,
                    help="longest time a deleted pod stays Terminating, seconds (default 1)")
    ap.add_argument("--max-pods", type=int, default=2000, help="pods kept at most (default 2000)")
    ap.add_argument("--max-events", type=int, default=2000, help="events kept at most (default 2000)")
    ap.add_argument("--event-ttl", type=float, default=3600, help="seconds an event is kept (default 3600)")
    ap.add_argument("--history", type=int, default=5000, help="changes kept for watch and continue (default 5000)")
    ap.add_argument("--compact-interval", type=float, default=300,
                    help="seconds between compactions (default 300, as kube-apiserver's etcd; 0 never)")
    ap.add_argument("--log", help="append one line per request: METHOD PATH STATUS")
    ap.add_argument("--pid-file")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)

    def token_value(tok):
        # @FILE: the token is the file's first line (keeps it out of ps)
        if tok.startswith("@"):
            try:
                with open(tok[1:]) as f:
                    return f.readline().strip()
            except OSError as e:
                ap.error("token file %s: %s" % (tok[1:], e.strerror))
        return tok
    tokens = {}
    for spec in args.token:
        name, sep, tok = spec.partition("=")
        tok = token_value(tok)
        if not sep or not name or not tok:
            ap.error("--token wants NAME=TOKEN or NAME=@FILE")
        tokens[tok] = User(name, False)
    for spec in args.read_only_token:
        name, sep, tok = spec.partition("=")
        if not sep:
            name, tok = "viewer", spec
        tok = token_value(tok)
        if not tok:
            ap.error("--read-only-token wants [NAME=]TOKEN or [NAME=]@FILE")
        tokens[tok] = User(name, True)
    if not tokens and not args.client_ca:
        ap.error("no credentials: give --token, --read-only-token or --client-ca")

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    tls.load_cert_chain(args.cert, args.key)
    tls.set_alpn_protocols(["http/1.1"])
    if args.client_ca:
        tls.load_verify_locations(args.client_ca)
        tls.verify_mode = ssl.CERT_OPTIONAL

    store = Store(args.history)
    cluster = Cluster(store, args)
    api = Api(store, cluster)
    t = now()
    seeder = Seeder(cluster, t)
    if args.shop:
        seeder.shop(args.progress_deadline)
    if args.fail_pods:
        seeder.failing(args.progress_deadline)
    for path in args.seed:
        with open(path) as f:
            doc = json.load(f)
        items = doc.get("items", []) if isinstance(doc, dict) else doc
        for o in items:
            res = BY_KIND.get(o.get("kind"))
            if res is None:
                ap.error("%s: kind %r is not served" % (path, o.get("kind")))
            ns = (o.get("metadata") or {}).get("namespace") or ("default" if res.namespaced else None)
            try:
                api.create(res, ns, o, False)
            except ApiError as e:
                ap.error("%s: %s" % (path, e.message))
    for ns in ("default", "kube-system"):
        if store.get("namespaces", "", ns) is None:
            seeder.namespace(ns, 40 * 86400 if args.shop else 0)
    if not store.objs["nodes"]:
        for i in (1, 2, 3):
            seeder.node(i, 40 * 86400 if args.shop else 0)
    store.compact_mark = store.rv

    h, _, p = args.listen.rpartition(":")
    srv = Server((h or "127.0.0.1", int(p)), Handler)
    srv.tls = tls
    srv.api = api
    srv.tokens = tokens
    srv.read_only_users = set(args.read_only_user)
    srv.verbose = args.verbose
    srv.hsts = False
    srv.fs_uid = str(uuid.uuid4())
    srv.pl_uid = str(uuid.uuid4())
    srv.log_lock = threading.Lock()
    srv.request_log = open(args.log, "a") if args.log else None
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(signum, frame):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=cluster.run, args=(args.tick,), daemon=True).start()
    host, port = srv.server_address[:2]
    print("listening on %s:%d (Kubernetes %s API, HTTPS, in memory)" % (host, port, K8S_VERSION["gitVersion"]),
          flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
