#!/usr/bin/env bash
# tests/stack/ecs.sh - the Amazon ECS + STS test server (tests/stack/ecsserver.py)
# with its keys and AWS CLI files, for tests.
#
#   tests/stack/ecs.sh start DIR [--shop] [--sts-duration S] [--throttle-every N] [--timeout S] [-- SERVER_ARGS...]
#   tests/stack/ecs.sh stop DIR
#
# start: makes three access keys under DIR/keys (AKID in NAME.id, secret in
# NAME.secret, mode 600): static (IAM user opsdeck), process (user
# opsdeck-process, handed out by the credential_process below) and readonly
# (user opsdeck-readonly: UpdateService and task definition writes are
# AccessDeniedException); starts the server on a free port of 127.0.0.1
# (output DIR/ecs.log, pid DIR/ecs.pid, one "OPERATION STATUS" line per
# request in DIR/ecs-requests.log), ECS and STS on the same port; writes
#   DIR/cred-process.sh  a credential_process: prints Version 1 JSON with the
#                        process key and an Expiration an hour ahead; counts
#                        its calls in DIR/cred-process.calls
#   DIR/aws/credentials  [default] and [static]: the static key; [readonly]
#   DIR/aws/config       region us-east-1 and output json everywhere;
#                        [default]; [profile static]; [profile process]
#                        (credential_process = DIR/cred-process.sh);
#                        [profile assume] (role_arn
#                        arn:aws:iam::123456789012:role/opsdeck-operator,
#                        source_profile static, role_session_name
#                        opsdeck-test); [profile readonly].  Each profile
#                        also says endpoint_url = ECS_URL and services =
#                        opsdeck-test, whose [services opsdeck-test] section
#                        gives ecs and sts that endpoint_url: the AWS CLI
#                        reads those from 2.13 on; 2.9 (Debian 12) ignores
#                        them, so pass it --endpoint-url, and for the
#                        AssumeRole of profile assume set AWS_DATA_PATH (next)
#   DIR/aws/data         botocore endpoint rule sets for ecs and sts that
#                        resolve to ECS_URL (--endpoint-url still wins):
#                        AWS_DATA_PATH=DIR/aws/data sends every ecs and sts
#                        call of the AWS CLI here, the credential providers'
#                        own AssumeRole included
#   DIR/env              ECS_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
#                        AWS_REGION ECS_CLUSTER (shop) ECS_READONLY_KEY_ID
#                        ECS_READONLY_SECRET ECS_PROCESS_KEY_ID ECS_ROLE_ARN
#                        ECS_LOG (the request log) ECS_AWS_CONFIG_FILE
#                        ECS_AWS_CREDENTIALS_FILE ECS_AWS_DATA_PATH ECS_DIR
#                        (source it; nothing is exported)
# then waits until ListClusters answers (signed with botocore) and returns.
# On failure it stops what it started.
#   --shop             seed the clusters shop and batch (see ecsserver.py)
#   --sts-duration S   AssumeRole credentials live S seconds (default: as asked)
#   --throttle-every N every N-th ECS request is ThrottlingException
#   --timeout S        deadline of each wait (default 30)
#   -- ARGS            more arguments for ecsserver.py (--start-delay 0.5, ...)
# The server runs on /usr/bin/python3 (ECS_PYTHON overrides): Debian's, which
# has python3-botocore.  Exits 77 when it has no botocore.
#
# stop: TERM to the server by its PID (while its command line names DIR),
# KILL after STOP_TIMEOUT (default 15) s; removes the pid file and env.
# Keys, AWS files and logs stay.  Idempotent.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"

usage() {
	sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//' >&2
	exit 1
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
SERVER_OPTS=()
TIMEOUT=30
SERVER_ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--shop) SERVER_OPTS+=(--shop) ;;
	--sts-duration) SERVER_OPTS+=(--sts-duration "${2:?}"); shift ;;
	--throttle-every) SERVER_OPTS+=(--throttle-every "${2:?}"); shift ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	--) shift; SERVER_ARGS=("$@"); break ;;
	*) echo "ecs.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
PYTHON=${ECS_PYTHON:-/usr/bin/python3}
REGION=us-east-1
ROLE_ARN=arn:aws:iam::123456789012:role/opsdeck-operator

# ours PID : alive, not a zombie, and started for DIR.
ours() {
	[ -r "/proc/$1/stat" ] || return 1
	grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null && return 1
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR/"
}

do_stop() {
	local pid deadline
	pid=
	[ -f "$DIR/ecs.pid" ] && pid=$(tr -dc '0-9' <"$DIR/ecs.pid")
	if [ -n "$pid" ] && ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		deadline=$(( $(date +%s) + ${STOP_TIMEOUT:-15} ))
		while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		if ours "$pid"; then
			echo "ecs.sh: ecsserver (pid $pid) ignored TERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null
			deadline=$(( $(date +%s) + 5 ))
			while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		fi
	fi
	rm -f "$DIR/ecs.pid" "$DIR/env"
	if [ -n "$pid" ] && ours "$pid"; then
		echo "ecs.sh: ecsserver (pid $pid) still running" >&2
		return 1
	fi
	return 0
}

if [ "$CMD" = stop ]; then
	[ -d "$DIR" ] || exit 0
	DIR=$(cd "$DIR" && pwd)
	do_stop
	exit $?
fi
[ "$CMD" = start ] || usage

# ---- start ----------------------------------------------------------------

for c in "$PYTHON" setsid; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "ecs.sh: $c not found (run tests/stack/install.sh)" >&2
		exit 77
	}
done
"$PYTHON" -c 'import botocore.auth' 2>/dev/null || {
	echo "ecs.sh: $PYTHON has no botocore (apt-get install python3-botocore; tests/stack/install.sh)" >&2
	exit 77
}
mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
if [ -f "$DIR/ecs.pid" ] && ours "$(tr -dc '0-9' <"$DIR/ecs.pid")"; then
	echo "ecs.sh: an ecsserver is already running in $DIR (ecs.sh stop $DIR)" >&2
	exit 1
fi
rm -f "$DIR/env" "$DIR/ecs.pid"
t_start=$(date +%s%N)
elapsed() { awk -v ns="$(( $(date +%s%N) - t_start ))" 'BEGIN { printf "%.1f", ns / 1e9 }'; }

fail() {
	echo "ecs.sh: $1" >&2
	if [ -f "$DIR/ecs.log" ]; then
		echo "--- $DIR/ecs.log (last lines)" >&2
		tail -n 15 "$DIR/ecs.log" >&2
	fi
	do_stop >&2
	exit 1
}

# ---- keys: AKIA + 16 of [A-Z2-7] as AWS's, 40-character secrets
{ mkdir -p "$DIR/keys" && chmod 700 "$DIR/keys"; } || fail "cannot make $DIR/keys"
(
	umask 077
	cd "$DIR/keys" || exit 1
	"$PYTHON" - <<'EOF'
import secrets, string
for name in ("static", "process", "readonly"):
    akid = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    secret = "".join(secrets.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))
    with open(name + ".id", "w") as f:
        f.write(akid + "\n")
    with open(name + ".secret", "w") as f:
        f.write(secret + "\n")
EOF
) || fail "could not make the test keys in $DIR/keys"
key_id() { cat "$DIR/keys/$1.id"; }
key_secret() { cat "$DIR/keys/$1.secret"; }

# ---- the server (port 0: it prints the one it got)
: >"$DIR/ecs.log"
setsid "$PYTHON" "$HERE/ecsserver.py" --listen 127.0.0.1:0 --region "$REGION" \
	--key "opsdeck=$(key_id static):@$DIR/keys/static.secret" \
	--key "opsdeck-process=$(key_id process):@$DIR/keys/process.secret" \
	--readonly-key "opsdeck-readonly=$(key_id readonly):@$DIR/keys/readonly.secret" \
	--log "$DIR/ecs-requests.log" --pid-file "$DIR/ecs.pid" \
	"${SERVER_OPTS[@]}" "${SERVER_ARGS[@]}" >>"$DIR/ecs.log" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$DIR/ecs.pid"
listening() { grep -q '^listening on 127.0.0.1:[0-9]' "$DIR/ecs.log"; }
deadline=$(( $(date +%s) + TIMEOUT ))
# alive PID : running, not a zombie (before the exec the child's command
# line is this script's, so ours would not do)
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null; }
until listening; do
	alive "$PID" || fail "ecsserver exited at start"
	[ "$(date +%s)" -ge "$deadline" ] && fail "ecsserver did not listen within ${TIMEOUT}s"
	sleep 0.1
done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/ecs.log" | head -n 1)
URL=http://127.0.0.1:$PORT

# ---- the credential_process
cat >"$DIR/cred-process.sh" <<EOF
#!/bin/sh
# A credential_process (Version 1), written by tests/stack/ecs.sh: the key
# of IAM user opsdeck-process with an Expiration an hour ahead; counts its
# calls in $DIR/cred-process.calls.
set -e
echo call >>"$DIR/cred-process.calls"
exp=\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "Expiration": "%s"}\n' \\
	"\$(cat "$DIR/keys/process.id")" "\$(cat "$DIR/keys/process.secret")" "\$exp"
EOF
chmod 755 "$DIR/cred-process.sh"

# ---- the AWS CLI's files
mkdir -p "$DIR/aws" || fail "cannot make $DIR/aws"
(
	umask 077
	cat >"$DIR/aws/credentials.tmp" <<EOF
# written by tests/stack/ecs.sh for the ecsserver on $URL
[default]
aws_access_key_id = $(key_id static)
aws_secret_access_key = $(key_secret static)

[static]
aws_access_key_id = $(key_id static)
aws_secret_access_key = $(key_secret static)

[readonly]
aws_access_key_id = $(key_id readonly)
aws_secret_access_key = $(key_secret readonly)
EOF
	mv "$DIR/aws/credentials.tmp" "$DIR/aws/credentials"
) || fail "cannot write $DIR/aws/credentials"
common="region = $REGION
output = json
endpoint_url = $URL
services = opsdeck-test"
cat >"$DIR/aws/config.tmp" <<EOF
# written by tests/stack/ecs.sh for the ecsserver on $URL
# endpoint_url and services are read by the AWS CLI from 2.13 on; 2.9 needs
# --endpoint-url (and AWS_DATA_PATH=$DIR/aws/data for profile assume)
[default]
$common

[profile static]
$common

[profile process]
$common
credential_process = $DIR/cred-process.sh

[profile assume]
$common
role_arn = $ROLE_ARN
source_profile = static
role_session_name = opsdeck-test

[profile readonly]
$common

[services opsdeck-test]
ecs =
  endpoint_url = $URL
sts =
  endpoint_url = $URL
EOF
mv "$DIR/aws/config.tmp" "$DIR/aws/config"

# endpoint rule sets (botocore's endpoint-rule-set-1 format): an explicit
# endpoint (--endpoint-url) first, else this server
ruleset() {
	mkdir -p "$DIR/aws/data/$1/$2" &&
	cat >"$DIR/aws/data/$1/$2/endpoint-rule-set-1.json" <<EOF
{
  "version": "1.0",
  "parameters": {
    "Region": {"builtIn": "AWS::Region", "required": false, "documentation": "The region", "type": "String"},
    "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "documentation": "An explicit endpoint", "type": "String"}
  },
  "rules": [
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}],
     "endpoint": {"url": {"ref": "Endpoint"}, "properties": {}, "headers": {}}, "type": "endpoint"},
    {"conditions": [],
     "endpoint": {"url": "$URL", "properties": {}, "headers": {}}, "type": "endpoint"}
  ]
}
EOF
}
{ ruleset ecs 2014-11-13 && ruleset sts 2011-06-15; } || fail "cannot write $DIR/aws/data"

# ---- wait for the API: ListClusters signed with botocore
api_ready() {
	AWS_ACCESS_KEY_ID=$(key_id static) AWS_SECRET_ACCESS_KEY=$(key_secret static) \
	"$PYTHON" - "$URL" "$REGION" <<'EOF'
import os, sys
import botocore.session
from botocore.config import Config
s = botocore.session.get_session()
c = s.create_client("ecs", endpoint_url=sys.argv[1], region_name=sys.argv[2],
                    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                    config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5))
c.list_clusters()
EOF
}
wait_for "$TIMEOUT" api_ready >/dev/null 2>&1 || fail "$URL did not answer ListClusters within ${TIMEOUT}s"

cat >"$DIR/env.tmp" <<EOF
ECS_URL=$URL
AWS_ACCESS_KEY_ID=$(key_id static)
AWS_SECRET_ACCESS_KEY=$(key_secret static)
AWS_REGION=$REGION
ECS_CLUSTER=shop
ECS_READONLY_KEY_ID=$(key_id readonly)
ECS_READONLY_SECRET=$(key_secret readonly)
ECS_PROCESS_KEY_ID=$(key_id process)
ECS_ROLE_ARN=$ROLE_ARN
ECS_LOG=$DIR/ecs-requests.log
ECS_AWS_CONFIG_FILE=$DIR/aws/config
ECS_AWS_CREDENTIALS_FILE=$DIR/aws/credentials
ECS_AWS_DATA_PATH=$DIR/aws/data
ECS_DIR=$DIR
EOF
chmod 600 "$DIR/env.tmp"
mv "$DIR/env.tmp" "$DIR/env"
echo "ecsserver up in $(elapsed)s on $URL (ECS and STS, $REGION)"
