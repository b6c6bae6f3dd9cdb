#!/usr/bin/python3
"""ecsserver - an API-faithful Amazon ECS test server (with STS) for opsdeck's tests.

Run it with Debian's /usr/bin/python3: SigV4 is verified with python3-botocore
(botocore.auth.SigV4Auth).  State in memory, bounded.  Plain HTTP on
127.0.0.1 (clients take it as endpoint_url http://127.0.0.1:PORT); it prints
"listening on 127.0.0.1:PORT".

One port serves both services.  A request is routed by what it is:

    POST / with X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>
         (JSON 1.1: Content-Type application/x-amz-json-1.1)    -> ECS
    POST / with a form body (application/x-www-form-urlencoded)
         Action=<Op>&Version=2011-06-15 (query protocol)        -> STS

and the SigV4 credential scope must then name that service ("ecs" or
"sts"), as each AWS endpoint insists ("Credential should be scoped to
correct service: 'ecs'. ").

ECS operations: ListClusters, DescribeClusters, ListServices,
DescribeServices, UpdateService, ListTasks, DescribeTasks,
ListTaskDefinitions, DescribeTaskDefinition, RegisterTaskDefinition,
DeregisterTaskDefinition.  Answers are application/x-amz-json-1.1 with the
members of the service model (botocore's ecs/2014-11-13/service-2.json),
times as epoch seconds with fractions, ARNs in the long format
(arn:aws:ecs:REGION:123456789012:service/CLUSTER/NAME).

* Paging as ECS: maxResults 1..100 (default 10 for ListServices, 100 for the
  others), nextToken opaque (base64); a forged token is
  InvalidParameterException.  ListTaskDefinitions: familyPrefix (the full
  family name, as the API reference says), status (default ACTIVE), sort
  (ASC default: by family, then revision).  ListTasks: serviceName, family,
  startedBy, launchType, desiredStatus (default RUNNING; STOPPED lists the
  stopped and stopping ones).
* DescribeServices up to 10, DescribeTasks up to 100, DescribeClusters up to
  100; unknown ones in failures[] with reason MISSING.
* RegisterTaskDefinition (family, containerDefinitions with name and image,
  cpu, memory, networkMode, requiresCompatibilities, roles) adds the next
  revision; DeregisterTaskDefinition makes one INACTIVE.
* UpdateService: desiredCount scales the PRIMARY deployment; a new
  taskDefinition (family, family:revision or ARN) or forceNewDeployment
  starts a new PRIMARY deployment (rolloutState IN_PROGRESS, "ECS deployment
  ecs-svc/N in progress."), the former becomes ACTIVE and drains as the new
  tasks turn healthy (minimumHealthyPercent 100, maximumPercent 200), then
  goes away.  deploymentConfiguration (circuit breaker, percents) may be
  changed too.  Readonly keys get AccessDeniedException in IAM's words.
* The scheduler (a thread, every --tick s) moves tasks PROVISIONING ->
  PENDING -> RUNNING over --start-delay s, health UNKNOWN -> HEALTHY
  --health-delay s later (task definitions with a healthCheck), and stopping
  ones DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED over
  --stop-delay s.  A task serves (counts toward a rollout, is registered
  in the target group) once HEALTHY, or --health-delay s after RUNNING when
  its task definition has no health check.  Tasks are spread over
  REGIONa/b/c.  Images decide failures: tag "broken" runs and its
  essential container exits 1 half a --start-delay later ("Essential
  container in task exited", stopCode EssentialContainerExited); "oom" exits
  137 (OutOfMemoryError: Container killed due to memory usage); "missing"
  never starts (CannotPullContainerError, stopCode TaskFailedToStart, no
  exit code); none of them ever serves.  A deployment whose tasks fail is
  retried a --start-delay after each failure.  Stopped by the scheduler:
  "Scaling activity initiated by (deployment ecs-svc/N)", stopCode
  ServiceSchedulerInitiated, exit code 0.  Stopped tasks are kept
  --stopped-ttl s (at most 500 per cluster).
* Service events, newest first, at most 100, in ECS's words:
  "(service orders) has started 2 tasks: (task ID) (task ID).",
  "(service orders) has stopped 1 running tasks: (task ID).",
  "(service orders) registered 1 targets in (target-group ARN)",
  "(service orders) deregistered 1 targets in (target-group ARN)",
  "(service orders) has begun draining connections on 1 tasks.",
  "(service orders) (deployment ecs-svc/N) deployment completed.",
  "(service orders) has reached a steady state.",
  "(service orders) (deployment ecs-svc/N) deployment failed: tasks failed to start.",
  "(service orders) rolling back to deployment ecs-svc/N.",
  "(service orders) was unable to place a task. Reason: You've reached the
  limit on the number of tasks you can run concurrently. ..." (--max-tasks).
* Deployment circuit breaker (seeded services: enable + rollback): a PRIMARY
  deployment with failedTasks >= min(200, max(3, ceil(desired / 2))) is
  FAILED ("ECS deployment circuit breaker: tasks failed to start."); with
  rollback a new PRIMARY deployment of the last COMPLETED deployment's task
  definition starts ("ECS deployment circuit breaker: rolling back to
  deploymentId ecs-svc/N."), the failed one drains; without rollback it stays
  PRIMARY and launches no more tasks.
* Errors as ECS writes them: HTTP 400 {"__type": "ServiceNotFoundException",
  "message": "Service not found."} (--qualified-errors: "__type":
  "com.amazonaws.ecs#ServiceNotFoundException", as the newer front end
  sends); ClusterNotFoundException "Cluster not found.",
  InvalidParameterException, ClientException "Unable to describe task
  definition.", AccessDeniedException, ThrottlingException "Rate exceeded"
  (every --throttle-every N-th ECS request), SerializationException,
  UnknownOperationException.

STS operations: AssumeRole (RoleArn of account 123456789012, RoleSessionName,
DurationSeconds 900..43200, ExternalId accepted) answers the XML
AssumeRoleResponse with temporary credentials (AccessKeyId ASIA...,
SecretAccessKey, SessionToken, Expiration): the Expiration is the asked
DurationSeconds (default 3600) cut to --sts-duration when given, so a test
can watch credentials expire and be renewed.  A role whose name contains
"readonly" (any case) is read-only.  GetCallerIdentity answers the caller's
Arn, UserId and Account.  Errors are <ErrorResponse><Error><Type>Sender
<Code>...: AccessDenied, ValidationError, InvalidAction, and the
authentication errors below in STS's names.

Authentication (every request): SigV4 only, in the Authorization header.  The
signature is recomputed with botocore.auth.SigV4Auth from the method, path,
the SignedHeaders as received and the body, with the secret of the access
key; the timestamp is X-Amz-Date (15 minutes of skew allowed).  Keys:
--key [USER=]AKID:SECRET (SECRET may be @FILE; repeatable) and --readonly-key
(the same, read-only: UpdateService, RegisterTaskDefinition and
DeregisterTaskDefinition are AccessDeniedException), plus the temporary keys
its STS issued (X-Amz-Security-Token required and compared).
                              ECS (400)                        STS
  no Authorization            MissingAuthenticationTokenException  MissingAuthenticationToken 403
  malformed                   IncompleteSignatureException     IncompleteSignature 400
  unknown key / bad token     UnrecognizedClientException      InvalidClientTokenId 403
  expired temporary key       ExpiredTokenException            ExpiredToken 400
  wrong signature, scope, or  InvalidSignatureException        SignatureDoesNotMatch 403
  time
ECS answers these with 400 as the real endpoint does (clients report
"status code: 400" for InvalidSignatureException and
UnrecognizedClientException from ECS); the signature message carries the
canonical request and string to sign, as AWS's does.

Seed (--shop): cluster shop with the services gateway, orders, payments,
inventory, notifications and users (FARGATE, desired 2, one target group
each, circuit breaker with rollback), each with 2-3 ACTIVE task definition
revisions (orders:40 1.7.2, orders:41 1.8.0 current; orders:39 INACTIVE),
images registry.local/shop/NAME:VERSION; cluster batch with the service
reports-worker (desired 1, no load balancer).  All steady, as a cluster
that has been running for weeks.

For tests: --log FILE appends "OPERATION STATUS" per request (AssumeRole,
ListServices, ...; "-" when no operation could be read), so a test can prove
that no UpdateService arrived.  --pid-file FILE.

Not implemented: other ECS operations (CreateService, DeleteService,
RunTask, StopTask, task sets, container instances, capacity providers,
tags, ...: UnknownOperationException), EC2 launch type placement, service
discovery, Service Connect, ECS Exec, query-string (presigned) SigV4, SigV4A,
STS operations other than AssumeRole and GetCallerIdentity, IAM policies
beyond read-only keys, HTTPS.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import itertools
import json
import math
import os
import random
import re
import signal
import string
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape as xml_escape

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.compat import HTTPHeaders
    from botocore.credentials import Credentials
except ImportError:  # pragma: no cover - told at start
    sys.stderr.write("ecsserver: botocore is missing: run it with /usr/bin/python3 "
                     "(apt-get install python3-botocore)\n")
    sys.exit(77)

ACCOUNT = "123456789012"
ECS_TARGET = "AmazonEC2ContainerServiceV20141113."
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
MAX_BODY = 1024 * 1024
MAX_EVENTS = 100                  # ECS keeps the newest 100 service events
SKEW = 15 * 60                    # SigV4: 15 minutes either way
SIG_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
               "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
TOKEN_INVALID = "The security token included in the request is invalid."
TOKEN_EXPIRED = "The security token included in the request is expired"
PLACE_LIMIT = ("You've reached the limit on the number of tasks you can run concurrently. For more information, "
               "see the Troubleshooting section of the Amazon ECS Developer Guide.")
WRITES = {"UpdateService", "RegisterTaskDefinition", "DeregisterTaskDefinition"}


def now():
    return time.time()


def epoch(t):
    return None if t is None else round(t, 3)


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rand_str(alphabet, n):
    return "".join(random.choice(alphabet) for _ in range(n))


# ---- errors -----------------------------------------------------------------------------

class AwsError(Exception):
    """An error answer.  code/status for ECS; sts_code/sts_status when STS names it otherwise."""

    def __init__(self, code, message, status=400, sts_code=None, sts_status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sts_code = sts_code or code
        self.sts_status = sts_status or status


def auth_error(kind, message):
    # the same failure in ECS's and STS's names (see the table at the top)
    table = {
        "missing": ("MissingAuthenticationTokenException", 400, "MissingAuthenticationToken", 403),
        "incomplete": ("IncompleteSignatureException", 400, "IncompleteSignature", 400),
        "unknown": ("UnrecognizedClientException", 400, "InvalidClientTokenId", 403),
        "expired": ("ExpiredTokenException", 400, "ExpiredToken", 400),
        "signature": ("InvalidSignatureException", 400, "SignatureDoesNotMatch", 403),
    }
    code, status, sts_code, sts_status = table[kind]
    return AwsError(code, message, status, sts_code, sts_status)


def invalid(message):
    return AwsError("InvalidParameterException", message)


# ---- credentials and SigV4 ------------------------------------------------------------------

class Identity:
    """A key pair and who it is: an IAM user (static key) or an assumed role (temporary)."""

    def __init__(self, akid, secret, arn, user_id, readonly, token=None, expires=None):
        self.akid = akid
        self.secret = secret
        self.arn = arn
        self.user_id = user_id
        self.readonly = readonly
        self.token = token
        self.expires = expires


class Keyring:
    MAX_TEMPORARY = 2000

    def __init__(self):
        self.lock = threading.Lock()
        self.keys = {}
        self.temporary = []

    def add_static(self, user, akid, secret, readonly):
        uid = "AIDA" + hashlib.sha256(user.encode()).hexdigest()[:17].upper()
        self.keys[akid] = Identity(akid, secret, "arn:aws:iam::%s:user/%s" % (ACCOUNT, user), uid, readonly)

    def issue(self, role_arn, role_name, session, duration, readonly):
        akid = "ASIA" + rand_str(string.ascii_uppercase + "234567", 16)
        secret = rand_str(string.ascii_letters + string.digits + "+/", 40)
        token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(os.urandom(180)).decode()
        role_id = "AROA" + hashlib.sha256(role_arn.encode()).hexdigest()[:17].upper()
        ident = Identity(akid, secret, "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role_name, session),
                         "%s:%s" % (role_id, session), readonly, token, now() + duration)
        ident.role_id = role_id
        with self.lock:
            self.keys[akid] = ident
            self.temporary.append(akid)
            while len(self.temporary) > self.MAX_TEMPORARY:
                self.keys.pop(self.temporary.pop(0), None)
        return ident

    def get(self, akid):
        with self.lock:
            return self.keys.get(akid)


class ExactSigV4(SigV4Auth):
    """SigV4Auth over exactly the headers the client signed, with their values as received."""

    def __init__(self, credentials, service, region, signed):
        super().__init__(credentials, service, region)
        self.signed = signed

    def headers_to_sign(self, request):
        hm = HTTPHeaders()
        for name, value in self.signed:
            hm[name] = value
        return hm


AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)


def verify_sigv4(keyring, region, service, method, path, headers, body):
    """The Identity of a request signed for service, or AwsError (auth_error)."""
    auth = headers.get("Authorization")
    if not auth:
        raise auth_error("missing", "Missing Authentication Token" if service == "ecs"
                         else "Request is missing Authentication Token")
    m = AUTH_RE.match(auth.strip())
    if not m:
        raise auth_error("incomplete", "Unsupported AWS 'algorithm': '%s'" % auth.split(" ")[0])
    parts = {}
    for item in m.group(1).split(","):
        k, sep, v = item.strip().partition("=")
        if sep:
            parts[k] = v.strip()
    amz_date = headers.get("X-Amz-Date")
    problems = ["Authorization header requires '%s' parameter." % p
                for p in ("Credential", "Signature", "SignedHeaders") if p not in parts]
    if not amz_date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise auth_error("incomplete", " ".join(problems) + " Authorization=" + auth)
    scope = parts["Credential"].split("/")
    if len(scope) != 5:
        raise auth_error("incomplete", "Credential should be scoped to a valid region, not ''. ")
    akid, day, sregion, sservice, term = scope
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise auth_error("incomplete", "Date must be in ISO-8601 'basic format'. Got '%s'. See "
                         "http://en.wikipedia.org/wiki/ISO_8601" % amz_date)
    if term != "aws4_request":
        raise auth_error("signature", "Credential should be scoped with a valid terminator: 'aws4_request', "
                         "not '%s'. " % term)
    if sregion != region:
        raise auth_error("signature", "Credential should be scoped to a valid region, not '%s'. " % sregion)
    if sservice != service:
        raise auth_error("signature", "Credential should be scoped to correct service: '%s'. " % service)
    if day != amz_date[:8]:
        raise auth_error("signature", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                         "of date from HTTP: '%s' != '%s', from '%s'." % (day, amz_date[:8], amz_date))
    t = now()
    ts = when.timestamp()
    fmt = "%Y%m%dT%H%M%SZ"
    utc = datetime.timezone.utc
    if ts < t - SKEW:
        lim = datetime.datetime.fromtimestamp(t - SKEW, utc).strftime(fmt)
        raise auth_error("signature", "Signature expired: %s is now earlier than %s (%s - 15 min.)"
                         % (amz_date, lim, datetime.datetime.fromtimestamp(t, utc).strftime(fmt)))
    if ts > t + SKEW:
        lim = datetime.datetime.fromtimestamp(t + SKEW, utc).strftime(fmt)
        raise auth_error("signature", "Signature not yet current: %s is still later than %s (%s + 15 min.)"
                         % (amz_date, lim, datetime.datetime.fromtimestamp(t, utc).strftime(fmt)))
    ident = keyring.get(akid)
    if ident is None:
        raise auth_error("unknown", TOKEN_INVALID)
    sent_token = headers.get("X-Amz-Security-Token")
    if ident.token is not None:
        if sent_token is None or not hmac.compare_digest(sent_token.encode(), ident.token.encode()):
            raise auth_error("unknown", TOKEN_INVALID)
        if t >= ident.expires:
            raise auth_error("expired", TOKEN_EXPIRED)
    elif sent_token is not None:
        raise auth_error("unknown", TOKEN_INVALID)
    signed_names = [n.strip().lower() for n in parts["SignedHeaders"].split(";") if n.strip()]
    if "host" not in signed_names:
        raise auth_error("signature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    signed = []
    for n in signed_names:
        for v in headers.get_all(n) or []:
            signed.append((n, v))
    req = AWSRequest(method=method, url="http://%s%s" % (headers.get("Host", ""), path), data=body)
    for n, v in signed:
        if n == "x-amz-content-sha256":
            req.headers["X-Amz-Content-SHA256"] = v
    req.context["timestamp"] = amz_date
    signer = ExactSigV4(Credentials(akid, ident.secret), service, region, signed)
    canonical = signer.canonical_request(req)
    sts = signer.string_to_sign(req, canonical)
    want = signer.signature(sts, req)
    if "X-Amz-Content-SHA256" in req.headers and req.headers["X-Amz-Content-SHA256"] != hashlib.sha256(body).hexdigest():
        want = ""   # a payload hash that is not the body's never matches
    if not hmac.compare_digest(want.encode(), parts["Signature"].encode()):
        raise auth_error("signature", "%s\n\nThe Canonical String for this request should have been\n'%s'\n\n"
                         "The String-to-Sign should have been\n'%s'\n" % (SIG_MESSAGE, canonical, sts))
    return ident


# ---- the ECS model ---------------------------------------------------------------------------

SEQ = itertools.count(1)


class TaskDef:
    def __init__(self, m, family, revision, containers, cpu="256", memory="512", registered=None,
                 status="ACTIVE"):
        self.m = m
        self.seq = next(SEQ)
        self.family = family
        self.revision = revision
        self.containers = containers
        self.cpu = cpu
        self.memory = memory
        self.status = status
        self.registered = registered if registered is not None else now()
        self.deregistered = None
        self.task_role = None
        self.exec_role = "arn:aws:iam::%s:role/ecsTaskExecutionRole" % ACCOUNT
        self.network_mode = "awsvpc"
        self.requires = ["FARGATE"]

    @property
    def arn(self):
        return "arn:aws:ecs:%s:%s:task-definition/%s:%d" % (self.m.region, ACCOUNT, self.family, self.revision)

    def behaviour(self):
        """None, "broken" (exits 1), "oom" (exits 137) or "missing" (never pulled): the essential image's tag."""
        for c in self.containers:
            if c.get("essential", True):
                tag = c.get("image", "").rpartition(":")[2]
                if tag in ("broken", "oom", "missing"):
                    return tag
        return None

    def has_health_check(self):
        return any(c.get("healthCheck") for c in self.containers)

    def json(self):
        d = {
            "taskDefinitionArn": self.arn, "containerDefinitions": self.containers, "family": self.family,
            "executionRoleArn": self.exec_role, "networkMode": self.network_mode, "revision": self.revision,
            "volumes": [], "status": self.status,
            "requiresAttributes": [
                {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
                {"name": "ecs.capability.execution-role-awslogs"},
                {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.19"},
                {"name": "ecs.capability.container-health-check"},
                {"name": "ecs.capability.task-eni"}],
            "placementConstraints": [], "compatibilities": ["EC2", "FARGATE"],
            "requiresCompatibilities": self.requires, "cpu": self.cpu, "memory": self.memory,
            "registeredAt": epoch(self.registered),
            "registeredBy": "arn:aws:iam::%s:user/deployer" % ACCOUNT,
        }
        if self.task_role:
            d["taskRoleArn"] = self.task_role
        if self.deregistered is not None:
            d["deregisteredAt"] = epoch(self.deregistered)
        return d


def container_def(name, image, port=8080, health=True):
    c = {
        "name": name, "image": image, "cpu": 0,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}] if port else [],
        "essential": True, "environment": [], "mountPoints": [], "volumesFrom": [],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/%s" % name, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}},
    }
    if health and port:
        c["healthCheck"] = {"command": ["CMD-SHELL", "curl -fs http://localhost:%d/health || exit 1" % port],
                            "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 10}
    return c


class Deployment:
    def __init__(self, svc, td, t, reason=None):
        self.id = "ecs-svc/%d" % random.randrange(10 ** 18, 10 ** 19)
        self.status = "PRIMARY"
        self.td = td
        self.desired = svc.desired
        self.created = t
        self.updated = t
        self.failed = 0
        self.rollout = "IN_PROGRESS"
        self.reason = reason or "ECS deployment %s in progress." % self.id
        self.running = 0
        self.pending = 0
        self.last_failure = 0.0
        self.svc = svc

    def json(self):
        return {
            "id": self.id, "status": self.status, "taskDefinition": self.td.arn,
            "desiredCount": self.desired, "pendingCount": self.pending, "runningCount": self.running,
            "failedTasks": self.failed, "createdAt": epoch(self.created), "updatedAt": epoch(self.updated),
            "launchType": "FARGATE", "platformVersion": "1.4.0", "platformFamily": "Linux",
            "networkConfiguration": self.svc.network(), "rolloutState": self.rollout,
            "rolloutStateReason": self.reason,
        }


AZ_SUBNETS = {"a": "subnet-0a1e6f0c2b3d4a5e1", "b": "subnet-0b2f7a1d3c4e5b6f2", "c": "subnet-0c3a8b2e4d5f6c7a3"}


class Task:
    def __init__(self, m, cluster, svc, dep, t, az):
        self.m = m
        self.seq = next(SEQ)
        self.id = uuid.uuid4().hex
        self.cluster = cluster
        self.svc = svc
        self.dep = dep
        self.td = dep.td
        self.az = az
        self.ip = "10.0.%d.%d" % ({"a": 1, "b": 2, "c": 3}[az[-1]], random.randrange(10, 250))
        self.eni = "eni-0%s" % uuid.uuid4().hex[:16]
        self.mac = ":".join("%02x" % random.randrange(256) for _ in range(6))
        self.attachment = str(uuid.uuid4())
        self.container_ids = [str(uuid.uuid4()) for _ in self.td.containers]
        self.created = t
        self.last = "PROVISIONING"
        self.desired = "RUNNING"
        self.health = "UNKNOWN"
        self.connectivity_at = None
        self.pull_started = self.pull_stopped = self.started = None
        self.stopping = self.exec_stopped = self.stopped = None
        self.stop_reason = self.stop_code = None
        self.exit_code = None
        self.container_reason = None
        self.version = 1
        self.registered = False      # a target in the service's target group
        self.failure = self.td.behaviour()

    @property
    def arn(self):
        return "arn:aws:ecs:%s:%s:task/%s/%s" % (self.m.region, ACCOUNT, self.cluster.name, self.id)

    def live(self):
        return self.desired == "RUNNING"

    def set_last(self, status):
        if self.last != status:
            self.last = status
            self.version += 1

    def stop(self, t, reason, code):
        if self.desired == "STOPPED":
            return
        self.desired = "STOPPED"
        self.stopping = t
        self.stop_reason = reason
        self.stop_code = code
        self.version += 1
        if self.last in ("PROVISIONING", "PENDING"):
            self.set_last("DEPROVISIONING")
        else:
            self.set_last("DEACTIVATING" if self.svc and self.svc.lb else "STOPPING")

    def advance(self, t, a):
        """Move along the lifecycle; returns "failed" when the task just failed."""
        if self.desired == "STOPPED":
            if self.last == "STOPPED":
                return None
            if self.exec_stopped is None and self.last in ("DEACTIVATING", "STOPPING"):
                if t >= self.stopping + a.stop_delay / 3:
                    self.set_last("STOPPING")
                if t >= self.stopping + 2 * a.stop_delay / 3:
                    self.exec_stopped = t
                    if self.exit_code is None and self.started is not None:
                        self.exit_code = 0
                    self.set_last("DEPROVISIONING")
            if t >= self.stopping + a.stop_delay:
                if self.exec_stopped is None:
                    self.exec_stopped = t
                    if self.exit_code is None and self.started is not None:
                        self.exit_code = 0
                self.stopped = t
                self.set_last("STOPPED")
            return None
        sd = a.start_delay
        if self.last == "PROVISIONING" and t >= self.created + 0.4 * sd:
            self.connectivity_at = t
            self.pull_started = t
            self.set_last("PENDING")
        if self.last == "PENDING" and self.failure == "missing" and t >= self.created + 0.8 * sd:
            image = self.td.containers[0]["image"]
            reason = ("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve "
                      "ref %s: %s: not found" % (image, image))
            self.container_reason = reason
            self.stop(t, reason, "TaskFailedToStart")
            return "failed"
        if self.last == "PENDING" and t >= self.created + sd:
            self.pull_stopped = self.created + 0.8 * sd
            self.started = t
            self.set_last("RUNNING")
        if self.last == "RUNNING":
            if self.failure in ("broken", "oom") and t >= self.started + 0.5 * sd:
                if self.failure == "oom":
                    self.exit_code = 137
                    self.container_reason = "OutOfMemoryError: Container killed due to memory usage"
                else:
                    self.exit_code = 1
                self.stop(t, "Essential container in task exited", "EssentialContainerExited")
                self.exec_stopped = t
                self.set_last("STOPPING")
                return "failed"
            if self.health == "UNKNOWN" and self.td.has_health_check() and self.failure is None \
                    and t >= self.started + a.health_delay:
                self.health = "HEALTHY"
                self.version += 1
        return None

    def serving(self, t, a):
        """RUNNING and HEALTHY (with a health check), else RUNNING for --health-delay s (the target group's
        check); a container that is failing never passes either."""
        if not (self.live() and self.last == "RUNNING") or self.failure is not None:
            return False
        if self.td.has_health_check():
            return self.health == "HEALTHY"
        return t >= self.started + a.health_delay

    def json(self):
        m = self.m
        conts = []
        for c, cid in zip(self.td.containers, self.container_ids):
            if self.exec_stopped is not None or self.last in ("DEPROVISIONING", "STOPPED"):
                last = "STOPPED"
            elif self.started is not None:
                last = "RUNNING"
            else:
                last = "PENDING"
            cj = {
                "containerArn": "arn:aws:ecs:%s:%s:container/%s/%s/%s" % (m.region, ACCOUNT, self.cluster.name,
                                                                          self.id, cid),
                "taskArn": self.arn, "name": c["name"], "image": c["image"], "lastStatus": last,
                "networkBindings": [],
                "networkInterfaces": [{"attachmentId": self.attachment, "privateIpv4Address": self.ip}],
                "healthStatus": self.health if c.get("healthCheck") else "UNKNOWN",
                "cpu": str(c.get("cpu", 0)),
            }
            if self.started is not None:
                cj["runtimeId"] = "%s-%010d" % (self.id, int(hashlib.sha256(cid.encode()).hexdigest()[:8], 16))
                cj["imageDigest"] = "sha256:" + hashlib.sha256(c["image"].encode()).hexdigest()
            if self.exit_code is not None and last == "STOPPED" and c.get("essential", True):
                cj["exitCode"] = self.exit_code
            if self.container_reason and c.get("essential", True):
                cj["reason"] = self.container_reason
            conts.append(cj)
        eni_status = {"PROVISIONING": "PRECREATED", "STOPPED": "DELETED", "DEPROVISIONING": "DELETED"}
        d = {
            "attachments": [{
                "id": self.attachment, "type": "ElasticNetworkInterface",
                "status": eni_status.get(self.last, "ATTACHED"),
                "details": [
                    {"name": "subnetId", "value": AZ_SUBNETS[self.az[-1]]},
                    {"name": "networkInterfaceId", "value": self.eni},
                    {"name": "macAddress", "value": self.mac},
                    {"name": "privateDnsName", "value": "ip-%s.ec2.internal" % self.ip.replace(".", "-")},
                    {"name": "privateIPv4Address", "value": self.ip}]}],
            "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
            "availabilityZone": self.az, "clusterArn": self.cluster.arn, "connectivity": "CONNECTED",
            "containers": conts, "cpu": self.td.cpu, "createdAt": epoch(self.created),
            "desiredStatus": self.desired, "enableExecuteCommand": False,
            "group": "service:%s" % self.svc.name if self.svc else "family:%s" % self.td.family,
            "healthStatus": self.health, "lastStatus": self.last, "launchType": "FARGATE",
            "memory": self.td.memory,
            "overrides": {"containerOverrides": [{"name": c["name"]} for c in self.td.containers],
                          "inferenceAcceleratorOverrides": []},
            "platformVersion": "1.4.0", "platformFamily": "Linux",
            "startedBy": self.dep.id if self.dep else "", "tags": [], "taskArn": self.arn,
            "taskDefinitionArn": self.td.arn, "version": self.version,
            "ephemeralStorage": {"sizeInGiB": 20},
        }
        for key, val in (("connectivityAt", self.connectivity_at), ("pullStartedAt", self.pull_started),
                         ("pullStoppedAt", self.pull_stopped), ("startedAt", self.started),
                         ("stoppingAt", self.stopping), ("executionStoppedAt", self.exec_stopped),
                         ("stoppedAt", self.stopped)):
            if val is not None:
                d[key] = epoch(val)
        if self.stop_code:
            d["stopCode"] = self.stop_code
            d["stoppedReason"] = self.stop_reason
        return d


class Service:
    def __init__(self, m, cluster, name, td, desired, t, lb=True, port=8080):
        self.m = m
        self.seq = next(SEQ)
        self.cluster = cluster
        self.name = name
        self.td = td
        self.desired = desired
        self.created = t
        self.lb = None
        if lb:
            self.lb = {"targetGroupArn": "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s-%s/%s" % (
                m.region, ACCOUNT, cluster.name, name, hashlib.sha256(name.encode()).hexdigest()[:16]),
                "containerName": name, "containerPort": port}
        self.cb_enable = True
        self.cb_rollback = True
        self.max_percent = 200
        self.min_percent = 100
        self.deployments = []
        self.events = []
        self.last_completed = None     # the last COMPLETED deployment (rollback target)
        self.steady = False
        self.place_blocked = False
        self.security_group = "sg-0%s" % hashlib.sha256(("sg" + name).encode()).hexdigest()[:16]

    @property
    def arn(self):
        return "arn:aws:ecs:%s:%s:service/%s/%s" % (self.m.region, ACCOUNT, self.cluster.name, self.name)

    def network(self):
        return {"awsvpcConfiguration": {"subnets": list(AZ_SUBNETS.values()),
                                        "securityGroups": [self.security_group], "assignPublicIp": "DISABLED"}}

    def event(self, t, message):
        self.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": epoch(t), "message": message})
        del self.events[MAX_EVENTS:]

    def tasks(self):
        return [k for k in self.cluster.tasks.values() if k.svc is self]

    def running_count(self):
        return sum(1 for k in self.tasks() if k.live() and k.last == "RUNNING")

    def pending_count(self):
        return sum(1 for k in self.tasks() if k.live() and k.last in ("PROVISIONING", "PENDING", "ACTIVATING"))

    def json(self, include_tags=False):
        d = {
            "serviceArn": self.arn, "serviceName": self.name, "clusterArn": self.cluster.arn,
            "loadBalancers": [self.lb] if self.lb else [], "serviceRegistries": [], "status": "ACTIVE",
            "desiredCount": self.desired, "runningCount": self.running_count(),
            "pendingCount": self.pending_count(), "launchType": "FARGATE", "platformVersion": "LATEST",
            "platformFamily": "Linux", "taskDefinition": self.td.arn,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": self.cb_enable, "rollback": self.cb_rollback},
                "maximumPercent": self.max_percent, "minimumHealthyPercent": self.min_percent},
            "deployments": [dep.json() for dep in self.deployments],
            "roleArn": "arn:aws:iam::%s:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS" % ACCOUNT,
            "events": list(self.events), "createdAt": epoch(self.created), "placementConstraints": [],
            "placementStrategy": [], "networkConfiguration": self.network(),
            "schedulingStrategy": "REPLICA", "deploymentController": {"type": "ECS"},
            "createdBy": "arn:aws:iam::%s:role/deployer" % ACCOUNT, "enableECSManagedTags": True,
            "propagateTags": "NONE", "enableExecuteCommand": False,
        }
        if self.lb:
            d["healthCheckGracePeriodSeconds"] = 60
        if include_tags:
            d["tags"] = [{"key": "team", "value": self.cluster.name}]
        return d


class Cluster:
    def __init__(self, m, name, t):
        self.m = m
        self.seq = next(SEQ)
        self.name = name
        self.created = t
        self.services = {}
        self.tasks = {}

    @property
    def arn(self):
        return "arn:aws:ecs:%s:%s:cluster/%s" % (self.m.region, ACCOUNT, self.name)

    def json(self):
        live = [k for k in self.tasks.values() if k.live()]
        return {
            "clusterArn": self.arn, "clusterName": self.name, "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": sum(1 for k in live if k.last == "RUNNING"),
            "pendingTasksCount": sum(1 for k in live if k.last in ("PROVISIONING", "PENDING")),
            "activeServicesCount": len(self.services), "statistics": [], "tags": [], "settings": [
                {"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"], "defaultCapacityProviderStrategy": [],
        }


class Model:
    """All state, under one lock; the scheduler thread and the request handlers take it."""

    def __init__(self, args):
        self.args = args
        self.region = args.region
        self.lock = threading.RLock()
        self.clusters = {}
        self.tds = {}          # family -> {revision: TaskDef}
        self.az_turn = itertools.cycle("abc")

    # ---- lookups (names or ARNs, as ECS takes them)
    def cluster(self, ref):
        name = (ref or "default").rpartition("/")[2] if (ref or "").startswith("arn:") else (ref or "default")
        c = self.clusters.get(name)
        if c is None:
            raise AwsError("ClusterNotFoundException", "Cluster not found.")
        return c

    def service(self, cluster, ref):
        name = ref.rpartition("/")[2] if ref.startswith("arn:") else ref
        s = cluster.services.get(name)
        if s is None:
            raise AwsError("ServiceNotFoundException", "Service not found.")
        return s

    def task_def(self, ref):
        """family (newest ACTIVE), family:revision or an ARN; None when there is none."""
        if ref.startswith("arn:"):
            ref = ref.partition("task-definition/")[2]
        family, _, rev = ref.partition(":")
        revs = self.tds.get(family, {})
        if rev:
            return revs.get(int(rev)) if rev.isdigit() else None
        active = [td for td in revs.values() if td.status == "ACTIVE"]
        return max(active, key=lambda td: td.revision) if active else None

    def register(self, family, containers, t, **kw):
        revs = self.tds.setdefault(family, {})
        td = TaskDef(self, family, max(revs, default=0) + 1, containers, registered=t, **kw)
        revs[td.revision] = td
        return td

    # ---- the scheduler
    def run(self):
        while True:
            time.sleep(self.args.tick)
            with self.lock:
                t = now()
                for c in self.clusters.values():
                    for s in c.services.values():
                        self.schedule(s, t)
                    self.forget_stopped(c, t)

    def forget_stopped(self, c, t):
        # ECS shows stopped tasks for at least an hour; keep --stopped-ttl seconds and at most 500 per cluster
        stopped = sorted((k for k in c.tasks.values() if k.last == "STOPPED"), key=lambda k: k.stopped)
        drop = [k for k in stopped if t - k.stopped > self.args.stopped_ttl]
        drop += stopped[len(drop):max(len(drop), len(stopped) - 500)]
        for k in drop:
            c.tasks.pop(k.id, None)

    def launch(self, s, dep, n, t):
        args = self.args
        started = []
        live_all = sum(1 for c in self.clusters.values() for k in c.tasks.values() if k.last != "STOPPED")
        for _ in range(n):
            if args.max_tasks and live_all >= args.max_tasks:
                if not s.place_blocked:
                    s.event(t, "(service %s) was unable to place a task. Reason: %s" % (s.name, PLACE_LIMIT))
                    s.place_blocked = True
                break
            k = Task(self, s.cluster, s, dep, t, "%s%s" % (self.region, next(self.az_turn)))
            s.cluster.tasks[k.id] = k
            started.append(k)
            live_all += 1
        if started:
            s.place_blocked = False
            s.event(t, "(service %s) has started %d tasks: %s." % (
                s.name, len(started), " ".join("(task %s)" % k.id for k in started)))
        return started

    def stop_tasks(self, s, tasks, t):
        if not tasks:
            return
        dereg = [k for k in tasks if k.registered]
        for k in tasks:
            k.stop(t, "Scaling activity initiated by (deployment %s)" % k.dep.id, "ServiceSchedulerInitiated")
            k.registered = False
        if dereg and s.lb:
            s.event(t, "(service %s) has begun draining connections on %d tasks." % (s.name, len(dereg)))
            s.event(t, "(service %s) deregistered %d targets in (target-group %s)" % (
                s.name, len(dereg), s.lb["targetGroupArn"]))
        s.event(t, "(service %s) has stopped %d running tasks: %s." % (
            s.name, len(tasks), " ".join("(task %s)" % k.id for k in tasks)))

    @staticmethod
    def victims(tasks, n):
        # not yet running first, then the newest
        order = sorted(tasks, key=lambda k: (k.last == "RUNNING", -k.created))
        return order[:max(0, n)]

    def schedule(self, s, t):
        args = self.args
        tasks = s.tasks()
        for k in tasks:
            if k.advance(t, args) == "failed":
                k.dep.failed += 1
                k.dep.last_failure = t
                k.dep.updated = t
        newly = [k for k in tasks if k.serving(t, args) and not k.registered]
        if newly and s.lb:
            s.event(t, "(service %s) registered %d targets in (target-group %s)" % (
                s.name, len(newly), s.lb["targetGroupArn"]))
        for k in newly:
            k.registered = True
        primary = s.deployments[0]

        # the circuit breaker
        threshold = min(200, max(3, math.ceil(primary.desired * 0.5)))
        if primary.rollout == "IN_PROGRESS" and s.cb_enable and primary.failed >= threshold:
            primary.rollout = "FAILED"
            primary.reason = "ECS deployment circuit breaker: tasks failed to start."
            primary.updated = t
            s.event(t, "(service %s) (deployment %s) deployment failed: tasks failed to start." % (s.name, primary.id))
            back = s.last_completed
            if s.cb_rollback and back is not None and back.td is not primary.td:
                primary.status = "ACTIVE"
                for d in s.deployments[1:]:
                    d.status = "ACTIVE"
                nd = Deployment(s, back.td, t, "ECS deployment circuit breaker: rolling back to deploymentId %s."
                                % back.id)
                s.deployments.insert(0, nd)
                s.td = back.td
                s.event(t, "(service %s) rolling back to deployment %s." % (s.name, back.id))
                primary = nd

        # the PRIMARY deployment toward its desired count
        mine = [k for k in tasks if k.dep is primary and k.live()]
        others_live = [k for k in tasks if k.dep is not primary and k.live()]
        room = math.floor(s.desired * s.max_percent / 100) - len(mine) - len(others_live)
        want = primary.desired - len(mine)
        retry_wait = primary.failed and t - primary.last_failure < args.start_delay
        if want > 0 and primary.rollout != "FAILED" and not retry_wait:
            n = min(want, max(room, 0)) if s.max_percent else want
            if n <= 0 and not others_live:
                n = want
            self.launch(s, primary, n, t)
        elif want < 0:
            self.stop_tasks(s, self.victims(mine, -want), t)

        # the others drain as the PRIMARY's tasks serve
        serving = sum(1 for k in tasks if k.dep is primary and k.serving(t, args))
        keep = max(0, math.ceil(s.desired * s.min_percent / 100) - serving)
        if primary.rollout == "FAILED" and primary is s.deployments[0]:
            keep = len(others_live)     # a failed deployment without rollback leaves the old tasks be
        if len(others_live) > keep:
            self.stop_tasks(s, self.victims(others_live, len(others_live) - keep), t)
        for d in s.deployments[1:]:
            d_live = [k for k in tasks if k.dep is d and k.live()]
            if d.desired != len(d_live):
                d.desired = len(d_live)
                d.updated = t
        s.deployments = [d for d in s.deployments if d is primary or
                         any(k.dep is d and k.last != "STOPPED" for k in tasks)]

        for d in s.deployments:
            run = sum(1 for k in tasks if k.dep is d and k.live() and k.last == "RUNNING")
            pend = sum(1 for k in tasks if k.dep is d and k.live() and k.last in ("PROVISIONING", "PENDING"))
            if (run, pend) != (d.running, d.pending):
                d.running, d.pending = run, pend
                d.updated = t

        # steady state
        settled = (len(s.deployments) == 1 and primary.running == primary.desired and primary.pending == 0
                   and all(k.serving(t, args) for k in tasks if k.live())
                   and all(k.last == "STOPPED" for k in tasks if not k.live()))
        if settled and primary.rollout == "IN_PROGRESS":
            primary.rollout = "COMPLETED"
            primary.reason = "ECS deployment %s completed." % primary.id
            primary.updated = t
            s.last_completed = primary
            s.event(t, "(service %s) (deployment %s) deployment completed." % (s.name, primary.id))
        if settled and not s.steady:
            s.event(t, "(service %s) has reached a steady state." % s.name)
        s.steady = settled

    # ---- the seed
    def seed_shop(self):
        t = now()
        weeks = 21 * 86400
        shop = Cluster(self, "shop", t - 60 * 86400)
        batch = Cluster(self, "batch", t - 50 * 86400)
        self.clusters = {"shop": shop, "batch": batch}
        spec = [("gateway", [(17, "2.3.0"), (18, "2.3.1")]),
                ("orders", [(40, "1.7.2"), (41, "1.8.0")]),
                ("payments", [(12, "2.0.0"), (13, "2.0.1"), (14, "2.1.0")]),
                ("inventory", [(7, "0.9.4"), (8, "1.0.0")]),
                ("notifications", [(21, "3.1.0"), (22, "3.1.1"), (23, "3.2.0")]),
                ("users", [(5, "1.4.2"), (6, "1.5.0")])]
        inactive = TaskDef(self, "orders", 39, [container_def("orders", "registry.local/shop/orders:1.7.1")],
                           registered=t - 90 * 86400, status="INACTIVE")
        inactive.deregistered = t - 40 * 86400
        self.tds["orders"] = {39: inactive}
        for i, (name, revs) in enumerate(spec):
            fam = self.tds.setdefault(name, {})
            for j, (rev, ver) in enumerate(revs):
                fam[rev] = TaskDef(self, name, rev, [container_def(name, "registry.local/shop/%s:%s" % (name, ver))],
                                   registered=t - weeks + j * 7 * 86400 + i * 600)
            self.seed_service(shop, name, fam[revs[-1][0]], 2, t - 50 * 86400 + i * 3600,
                              t - 7 * 86400 + i * 1800, True)
        fam = self.tds.setdefault("reports-worker", {})
        for j, (rev, ver) in enumerate([(3, "0.4.0"), (4, "0.5.0")]):
            fam[rev] = TaskDef(self, "reports-worker", rev,
                               [container_def("reports-worker", "registry.local/batch/reports-worker:%s" % ver,
                                              port=0, health=False)],
                               cpu="512", memory="1024", registered=t - weeks + j * 7 * 86400)
        self.seed_service(batch, "reports-worker", fam[4], 1, t - 45 * 86400, t - 6 * 86400, False)

    def seed_service(self, cluster, name, td, desired, created, deployed, lb):
        s = Service(self, cluster, name, td, desired, created, lb=lb)
        cluster.services[name] = s
        d = Deployment(s, td, deployed)
        d.rollout = "COMPLETED"
        d.reason = "ECS deployment %s completed." % d.id
        d.updated = deployed + 120
        s.deployments = [d]
        s.last_completed = d
        ids = []
        for i in range(desired):
            k = Task(self, cluster, s, d, deployed + 2, "%s%s" % (self.region, next(self.az_turn)))
            k.connectivity_at = k.pull_started = deployed + 12
            k.pull_stopped = deployed + 25
            k.started = deployed + 30
            k.last = "RUNNING"
            k.health = "HEALTHY" if td.has_health_check() else "UNKNOWN"
            k.registered = True
            k.version = 4
            cluster.tasks[k.id] = k
            ids.append(k.id)
        d.running = desired
        s.event(deployed + 2, "(service %s) has started %d tasks: %s." % (
            name, desired, " ".join("(task %s)" % i for i in ids)))
        if lb:
            s.event(deployed + 60, "(service %s) registered %d targets in (target-group %s)" % (
                name, desired, s.lb["targetGroupArn"]))
        s.event(deployed + 120, "(service %s) (deployment %s) deployment completed." % (name, d.id))
        s.event(deployed + 120, "(service %s) has reached a steady state." % name)
        s.steady = True


# ---- paging ----------------------------------------------------------------------------------------

def page(items, key, body, op, default_max):
    """items in order, each with key(item) a JSON-able sort key; (page, nextToken or None)."""
    mr = body.get("maxResults")
    if mr is not None:
        if not isinstance(mr, int) or isinstance(mr, bool):
            raise AwsError("SerializationException", "NUMBER_VALUE can not be converted to an Integer")
        if mr < 1 or mr > 100:
            raise invalid("maxResults must be between 1 and 100.")
    n = mr or default_max
    start = 0
    tok = body.get("nextToken")
    if tok:
        try:
            d = json.loads(base64.urlsafe_b64decode(tok.encode() + b"==").decode())
            if d["op"] != op:
                raise ValueError(op)
            last = d["after"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise invalid("Invalid NextToken.")
        keys = [key(x) for x in items]
        start = len(keys)
        for i, k in enumerate(keys):
            if k == last:
                start = i + 1
                break
        else:
            # the last item is gone: the first one after it in this order
            try:
                for i, k in enumerate(keys):
                    if (k > last) if d.get("asc", True) else (k < last):
                        start = i
                        break
            except TypeError:
                raise invalid("Invalid NextToken.")
    chunk = items[start:start + n]
    nxt = None
    if start + n < len(items):
        nxt = base64.urlsafe_b64encode(json.dumps({"op": op, "after": key(chunk[-1]),
                                                   "asc": body.get("sort", "ASC") != "DESC"}).encode()
                                       ).decode().rstrip("=")
    return chunk, nxt


# ---- ECS operations -------------------------------------------------------------------------------

def want_str(body, name, required=False):
    v = body.get(name)
    if v is None:
        if required:
            raise invalid("%s can not be null." % name) if name != "service" else \
                AwsError("InvalidParameterException", "Service can not be blank.")
        return None
    if not isinstance(v, str):
        raise AwsError("SerializationException", "Unexpected value type for %s: expected a string" % name)
    return v


def want_list(body, name):
    v = body.get(name)
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise AwsError("SerializationException", "Unexpected value type for %s: expected a list of strings" % name)
    return v


class Ecs:
    def __init__(self, m):
        self.m = m

    def ListClusters(self, body, ident):
        cs = sorted(self.m.clusters.values(), key=lambda c: c.seq)
        chunk, nxt = page(cs, lambda c: c.seq, body, "ListClusters", 100)
        r = {"clusterArns": [c.arn for c in chunk]}
        if nxt:
            r["nextToken"] = nxt
        return r

    def DescribeClusters(self, body, ident):
        refs = want_list(body, "clusters") or ["default"]
        if len(refs) > 100:
            raise invalid("clusters can have at most 100 items.")
        out, failures = [], []
        for ref in refs:
            try:
                out.append(self.m.cluster(ref).json())
            except AwsError:
                name = ref.rpartition("/")[2]
                failures.append({"arn": "arn:aws:ecs:%s:%s:cluster/%s" % (self.m.region, ACCOUNT, name),
                                 "reason": "MISSING"})
        return {"clusters": out, "failures": failures}

    def ListServices(self, body, ident):
        c = self.m.cluster(want_str(body, "cluster"))
        ss = sorted(c.services.values(), key=lambda s: s.seq)
        lt = want_str(body, "launchType")
        if lt and lt != "FARGATE":
            ss = []
        chunk, nxt = page(ss, lambda s: s.seq, body, "ListServices", 10)
        r = {"serviceArns": [s.arn for s in chunk]}
        if nxt:
            r["nextToken"] = nxt
        return r

    def DescribeServices(self, body, ident):
        c = self.m.cluster(want_str(body, "cluster"))
        refs = want_list(body, "services")
        if not refs:
            raise invalid("Services cannot be empty.")
        if len(refs) > 10:
            raise invalid("services can have at most 10 items.")
        tags = "TAGS" in want_list(body, "include")
        out, failures = [], []
        for ref in refs:
            name = ref.rpartition("/")[2] if ref.startswith("arn:") else ref
            s = c.services.get(name)
            if s is None:
                failures.append({"arn": "arn:aws:ecs:%s:%s:service/%s/%s" % (self.m.region, ACCOUNT, c.name, name),
                                 "reason": "MISSING"})
            else:
                out.append(s.json(tags))
        return {"services": out, "failures": failures}

    def ListTasks(self, body, ident):
        c = self.m.cluster(want_str(body, "cluster"))
        ks = sorted(c.tasks.values(), key=lambda k: k.seq)
        svc = want_str(body, "serviceName")
        if svc:
            s = self.m.service(c, svc)
            ks = [k for k in ks if k.svc is s]
        fam = want_str(body, "family")
        if fam:
            ks = [k for k in ks if k.td.family == fam]
        sb = want_str(body, "startedBy")
        if sb:
            ks = [k for k in ks if k.dep and k.dep.id == sb]
        lt = want_str(body, "launchType")
        if lt and lt != "FARGATE":
            ks = []
        ds = want_str(body, "desiredStatus") or "RUNNING"
        if ds not in ("RUNNING", "PENDING", "STOPPED"):
            raise AwsError("SerializationException", "Invalid desiredStatus: %s" % ds)
        ks = [k for k in ks if k.desired == ds]
        chunk, nxt = page(ks, lambda k: k.seq, body, "ListTasks", 100)
        r = {"taskArns": [k.arn for k in chunk]}
        if nxt:
            r["nextToken"] = nxt
        return r

    def DescribeTasks(self, body, ident):
        c = self.m.cluster(want_str(body, "cluster"))
        refs = want_list(body, "tasks")
        if not refs:
            raise invalid("Tasks cannot be empty.")
        if len(refs) > 100:
            raise invalid("tasks can have at most 100 items.")
        out, failures = [], []
        for ref in refs:
            tid = ref.rpartition("/")[2]
            k = c.tasks.get(tid)
            if k is None:
                failures.append({"arn": ref if ref.startswith("arn:") else "arn:aws:ecs:%s:%s:task/%s/%s" % (
                    self.m.region, ACCOUNT, c.name, tid), "reason": "MISSING"})
            else:
                out.append(k.json())
        return {"tasks": out, "failures": failures}

    def ListTaskDefinitions(self, body, ident):
        fam = want_str(body, "familyPrefix")
        status = want_str(body, "status") or "ACTIVE"
        sort = want_str(body, "sort") or "ASC"
        if status not in ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"):
            raise AwsError("SerializationException", "Invalid status: %s" % status)
        if sort not in ("ASC", "DESC"):
            raise AwsError("SerializationException", "Invalid sort: %s" % sort)
        tds = [td for f, revs in self.m.tds.items() if fam is None or f == fam for td in revs.values()
               if td.status == status]
        tds.sort(key=lambda td: (td.family, td.revision), reverse=(sort == "DESC"))
        chunk, nxt = page(tds, lambda td: [td.family, td.revision], body, "ListTaskDefinitions", 100)
        r = {"taskDefinitionArns": [td.arn for td in chunk]}
        if nxt:
            r["nextToken"] = nxt
        return r

    def DescribeTaskDefinition(self, body, ident):
        ref = want_str(body, "taskDefinition", True)
        td = self.m.task_def(ref)
        if td is None:
            raise AwsError("ClientException", "Unable to describe task definition.")
        r = {"taskDefinition": td.json()}
        if "TAGS" in want_list(body, "include"):
            r["tags"] = []
        return r

    def RegisterTaskDefinition(self, body, ident):
        fam = want_str(body, "family", True)
        if not re.match(r"^[A-Za-z0-9_-]{1,255}$", fam):
            raise AwsError("ClientException", "Family contains invalid characters.")
        cds = body.get("containerDefinitions")
        if not isinstance(cds, list) or not cds:
            raise AwsError("ClientException", "Container list cannot be empty.")
        conts = []
        for cd in cds:
            if not isinstance(cd, dict) or not cd.get("name") or not cd.get("image"):
                raise AwsError("ClientException", "Container.name should not be null or empty.")
            c = {"name": cd["name"], "image": cd["image"], "cpu": cd.get("cpu", 0),
                 "portMappings": cd.get("portMappings", []), "essential": cd.get("essential", True),
                 "environment": cd.get("environment", []), "mountPoints": [], "volumesFrom": []}
            for extra in ("memory", "memoryReservation", "healthCheck", "logConfiguration", "command"):
                if extra in cd:
                    c[extra] = cd[extra]
            conts.append(c)
        td = self.m.register(fam, conts, now(), cpu=str(body.get("cpu") or "256"),
                             memory=str(body.get("memory") or "512"))
        td.network_mode = body.get("networkMode") or "awsvpc"
        td.requires = body.get("requiresCompatibilities") or ["FARGATE"]
        td.task_role = body.get("taskRoleArn")
        td.exec_role = body.get("executionRoleArn") or td.exec_role
        return {"taskDefinition": td.json(), "tags": body.get("tags") or []}

    def DeregisterTaskDefinition(self, body, ident):
        ref = want_str(body, "taskDefinition", True)
        name = ref.partition("task-definition/")[2] if ref.startswith("arn:") else ref
        if ":" not in name:
            raise AwsError("ClientException", "Revision must be specified for task definition deregistration.")
        td = self.m.task_def(name)
        if td is None:
            raise AwsError("ClientException", "The specified task definition does not exist.")
        if td.status == "ACTIVE":
            td.status = "INACTIVE"
            td.deregistered = now()
        return {"taskDefinition": td.json()}

    def UpdateService(self, body, ident):
        m = self.m
        c = m.cluster(want_str(body, "cluster"))
        s = m.service(c, want_str(body, "service", True))
        desired = body.get("desiredCount")
        if desired is not None and (not isinstance(desired, int) or isinstance(desired, bool)):
            raise AwsError("SerializationException", "NUMBER_VALUE can not be converted to an Integer")
        if desired is not None and desired < 0:
            raise invalid("Invalid value for desiredCount: %d. desiredCount must be greater than or equal to 0."
                          % desired)
        td = None
        ref = want_str(body, "taskDefinition")
        if ref:
            td = m.task_def(ref)
            if td is None:
                raise invalid("TaskDefinition not found.")
            if td.status != "ACTIVE":
                raise invalid("TaskDefinition is inactive")
        force = body.get("forceNewDeployment") is True
        dc = body.get("deploymentConfiguration")
        t = now()
        if isinstance(dc, dict):
            cb = dc.get("deploymentCircuitBreaker")
            if isinstance(cb, dict):
                s.cb_enable = bool(cb.get("enable"))
                s.cb_rollback = bool(cb.get("rollback"))
            if isinstance(dc.get("maximumPercent"), int):
                s.max_percent = dc["maximumPercent"]
            if isinstance(dc.get("minimumHealthyPercent"), int):
                s.min_percent = dc["minimumHealthyPercent"]
        if desired is not None:
            s.desired = desired
            for d in s.deployments:
                if d.status == "PRIMARY":
                    d.desired = desired
                    d.updated = t
        if force or (td is not None and td is not s.td):
            nd = Deployment(s, td or s.td, t)
            for d in s.deployments:
                d.status = "ACTIVE"
            s.deployments.insert(0, nd)
            s.td = nd.td
            s.steady = False
        return {"service": s.json()}


# ---- STS ---------------------------------------------------------------------------------------------

def sts_xml(action, result):
    return ('<%sResponse xmlns="%s">\n  <%sResult>\n%s  </%sResult>\n  <ResponseMetadata>\n'
            '    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</%sResponse>\n'
            % (action, STS_NS, action, result, action, uuid.uuid4(), action))


def sts_error_xml(code, message):
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>Sender</Type>\n    <Code>%s</Code>\n'
            '    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (STS_NS, xml_escape(code), xml_escape(message), uuid.uuid4()))


class Sts:
    def __init__(self, keyring, args):
        self.keyring = keyring
        self.args = args

    def GetCallerIdentity(self, form, ident):
        return sts_xml("GetCallerIdentity", "    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n    <Account>%s</Account>\n"
                       % (xml_escape(ident.arn), xml_escape(ident.user_id), ACCOUNT))

    def AssumeRole(self, form, ident):
        role_arn = form.get("RoleArn")
        session = form.get("RoleSessionName")
        errs = []
        if not role_arn:
            errs.append("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
        if not session:
            errs.append("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
        elif not re.match(r"^[\w+=,.@-]{2,64}$", session):
            errs.append("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular "
                        "expression pattern: [\\w+=,.@-]*" % session)
        duration = 3600
        if form.get("DurationSeconds") is not None:
            try:
                duration = int(form["DurationSeconds"])
            except ValueError:
                duration = -1
            if duration < 900:
                errs.append("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value "
                            "greater than or equal to 900" % form["DurationSeconds"])
            elif duration > 43200:
                errs.append("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value "
                            "less than or equal to 43200" % form["DurationSeconds"])
        if errs:
            raise AwsError("ValidationError", "%d validation error%s detected: %s" % (
                len(errs), "s" if len(errs) > 1 else "", "; ".join(errs)))
        m = re.match(r"^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$", role_arn)
        if not m:
            raise AwsError("ValidationError", "%s is invalid" % role_arn)
        if m.group(1) != ACCOUNT:
            raise AwsError("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                           % (ident.arn, role_arn), 403)
        if self.args.sts_duration:
            duration = min(duration, self.args.sts_duration)
        role = m.group(2)
        new = self.keyring.issue(role_arn, role, session, duration, "readonly" in role.lower())
        return sts_xml("AssumeRole", (
            "    <AssumedRoleUser>\n      <AssumedRoleId>%s</AssumedRoleId>\n      <Arn>%s</Arn>\n"
            "    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>%s</AccessKeyId>\n"
            "      <SecretAccessKey>%s</SecretAccessKey>\n      <SessionToken>%s</SessionToken>\n"
            "      <Expiration>%s</Expiration>\n    </Credentials>\n")
            % (xml_escape(new.user_id), xml_escape(new.arn), new.akid, new.secret, new.token, iso(new.expires)))


# ---- HTTP ----------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    server_version = "Server"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_response(self, code, message=None):
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def answer(self, op, code, data, ctype):
        srv = self.server
        if srv.request_log is not None:
            with srv.log_lock:
                srv.request_log.write("%s %d\n" % (op or "-", code))
                srv.request_log.flush()
        self.send_response(code)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def ecs_answer(self, op, code, obj):
        self.answer(op, code, json.dumps(obj, separators=(",", ":")).encode(), "application/x-amz-json-1.1")

    def ecs_error(self, op, e):
        t = ("com.amazonaws.ecs#" + e.code) if self.server.qualified else e.code
        body = {"__type": t, "message": e.message}
        self.ecs_answer(op, e.status, body)

    def sts_error(self, op, e):
        self.answer(op, e.sts_status, sts_error_xml(e.sts_code, e.message).encode(), "text/xml")

    def do_GET(self):
        self.close_connection = True
        self.ecs_error(None, AwsError("UnknownOperationException", "", 404))

    do_PUT = do_DELETE = do_PATCH = do_GET

    def do_POST(self):
        srv = self.server
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True
            self.ecs_error(None, AwsError("SerializationException", "Request entity too large", 413))
            return
        body = self.rfile.read(n) if n > 0 else b""
        target = self.headers.get("X-Amz-Target")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if target is None and ctype == "application/x-www-form-urlencoded":
            self.sts(body)
            return
        op = target[len(ECS_TARGET):] if target and target.startswith(ECS_TARGET) else None
        try:
            ident = verify_sigv4(srv.keyring, srv.region, "ecs", "POST", self.path, self.headers, body)
            fn = getattr(srv.ecs, op, None) if op and op[:1].isupper() else None
            if fn is None or self.path.split("?")[0] != "/":
                raise AwsError("UnknownOperationException", "")
            if ctype not in ("application/x-amz-json-1.1", "application/x-amz-json-1.0"):
                raise AwsError("SerializationException", "Unsupported Content-Type: %s" % ctype)
            try:
                req = json.loads(body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise AwsError("SerializationException", "Start of structure or map found where not expected.")
            if not isinstance(req, dict):
                raise AwsError("SerializationException", "Start of structure or map found where not expected.")
            with srv.count_lock:
                srv.ecs_count += 1
                throttle = srv.throttle_every and srv.ecs_count % srv.throttle_every == 0
            if throttle:
                raise AwsError("ThrottlingException", "Rate exceeded")
            if op in WRITES and ident.readonly:
                res = ""
                if op == "UpdateService":
                    res = "arn:aws:ecs:%s:%s:service/%s/%s" % (srv.region, ACCOUNT, (req.get("cluster") or "default")
                                                               .rpartition("/")[2], str(req.get("service", ""))
                                                               .rpartition("/")[2])
                elif op == "RegisterTaskDefinition":
                    res = "arn:aws:ecs:%s:%s:task-definition/%s:*" % (srv.region, ACCOUNT, req.get("family", ""))
                else:
                    res = "arn:aws:ecs:%s:%s:task-definition/%s" % (srv.region, ACCOUNT, req.get("taskDefinition", ""))
                raise AwsError("AccessDeniedException",
                               "User: %s is not authorized to perform: ecs:%s on resource: %s because no "
                               "identity-based policy allows the ecs:%s action" % (ident.arn, op, res, op))
            with srv.model.lock:
                # encoded under the lock: the scheduler changes what the answer refers to
                data = json.dumps(fn(req, ident), separators=(",", ":")).encode()
        except AwsError as e:
            self.ecs_error(op, e)
            return
        self.answer(op, 200, data, "application/x-amz-json-1.1")

    def sts(self, body):
        srv = self.server
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            form = {}
        op = form.get("Action")
        try:
            ident = verify_sigv4(srv.keyring, srv.region, "sts", "POST", self.path, self.headers, body)
            fn = getattr(srv.sts_api, op, None) if op in ("AssumeRole", "GetCallerIdentity") else None
            if fn is None:
                raise AwsError("InvalidAction", "Could not find operation %s for version %s" % (
                    op, form.get("Version", "NO_VERSION_SPECIFIED")))
            if form.get("Version") != "2011-06-15":
                raise AwsError("InvalidAction", "Could not find operation %s for version %s" % (
                    op, form.get("Version", "NO_VERSION_SPECIFIED")))
            xml = fn(form, ident)
        except AwsError as e:
            self.sts_error(op, e)
            return
        self.answer(op, 200, xml.encode(), "text/xml")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="An API-faithful Amazon ECS (+ STS) test server (in memory, HTTP).")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (default 127.0.0.1:0, a free port)")
    ap.add_argument("--region", default="us-east-1", help="the region requests must be signed for (us-east-1)")
    ap.add_argument("--key", action="append", default=[], metavar="[USER=]AKID:SECRET",
                    help="an access key of IAM user USER (default opsdeck); SECRET may be @FILE (repeatable)")
    ap.add_argument("--readonly-key", action="append", default=[], metavar="[USER=]AKID:SECRET",
                    help="a key that may only read (default user opsdeck-readonly)")
    ap.add_argument("--shop", action="store_true", help="seed the clusters shop and batch (see the top)")
    ap.add_argument("--tick", type=float, default=0.3, help="scheduler period, seconds (default 0.3)")
    ap.add_argument("--start-delay", type=float, default=1.0,
                    help="seconds from a task's creation to RUNNING (default 1)")
    ap.add_argument("--health-delay", type=float, default=0.5,
                    help="seconds from RUNNING to HEALTHY (default 0.5)")
    ap.add_argument("--stop-delay", type=float, default=0.6,
                    help="seconds from a stop to STOPPED (default 0.6)")
    ap.add_argument("--stopped-ttl", type=float, default=3600, help="seconds a stopped task is kept (default 3600)")
    ap.add_argument("--max-tasks", type=int, default=0,
                    help="tasks that may run at once (0: no limit); past it \"was unable to place a task\"")
    ap.add_argument("--throttle-every", type=int, default=0, metavar="N",
                    help="answer every N-th ECS request with ThrottlingException")
    ap.add_argument("--qualified-errors", action="store_true",
                    help="__type as com.amazonaws.ecs#NAME instead of NAME")
    ap.add_argument("--sts-duration", type=int, default=0, metavar="SECONDS",
                    help="cut the lifetime of AssumeRole credentials to SECONDS (default: as asked, 3600)")
    ap.add_argument("--log", help="append one line per request: OPERATION STATUS")
    ap.add_argument("--pid-file")
    ap.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)

    keyring = Keyring()

    def add(spec, readonly, default_user):
        user, sep, rest = spec.partition("=")
        if not sep:
            user, rest = default_user, spec
        akid, sep, secret = rest.partition(":")
        if secret.startswith("@"):
            try:
                with open(secret[1:]) as f:
                    secret = f.readline().strip()
            except OSError as e:
                ap.error("secret file %s: %s" % (secret[1:], e.strerror))
        if not sep or not akid or not secret:
            ap.error("a key is [USER=]AKID:SECRET or [USER=]AKID:@FILE")
        keyring.add_static(user, akid, secret, readonly)
    for spec in args.key:
        add(spec, False, "opsdeck")
    for spec in args.readonly_key:
        add(spec, True, "opsdeck-readonly")
    if not keyring.keys:
        ap.error("no keys: give --key (and --readonly-key)")

    model = Model(args)
    if args.shop:
        model.seed_shop()

    h, _, p = args.listen.rpartition(":")
    srv = Server((h or "127.0.0.1", int(p)), Handler)
    srv.keyring = keyring
    srv.region = args.region
    srv.model = model
    srv.ecs = Ecs(model)
    srv.sts_api = Sts(keyring, args)
    srv.qualified = args.qualified_errors
    srv.verbose = args.verbose
    srv.throttle_every = args.throttle_every
    srv.ecs_count = 0
    srv.count_lock = threading.Lock()
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
    threading.Thread(target=model.run, daemon=True).start()
    host, port = srv.server_address[:2]
    print("listening on %s:%d (Amazon ECS and STS, %s, HTTP, in memory)" % (host, port, args.region), flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
