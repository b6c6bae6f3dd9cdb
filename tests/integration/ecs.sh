#!/usr/bin/env bash
# shellcheck disable=SC2016  # jq programs in single quotes
# `opsdeck snapshot` (and the console, where time matters) against the
# Amazon ECS test server (tests/stack/ecs.sh: ECS JSON 1.1 and STS, SigV4
# verified by botocore, the shop seeded):
#   - the shop's six services as ecs rows: running/desired 2/2,
#     family:revision, launch type FARGATE, the rollback target; the second
#     cluster batch beside it; a [service] ecs alias;
#   - a round's requests: one ListServices page, one DescribeServices
#     batch, one ListTaskDefinitions per task definition, and none of them
#     again for the rollback targets in the console's next rounds (the
#     paging itself: test_ecs_poll, which serves pages of 10);
#   - every credential source: environment keys, environment keys with a
#     session token, [ecs] profile (static keys), AWS_PROFILE with a
#     credential_process, AWS_PROFILE with role_arn (STS AssumeRole);
#     short-lived AssumeRole keys renewed before they expire, and a
#     credential_process whose keys the server holds expired while it says
#     otherwise: ExpiredTokenException, the process runs again, the request
#     is sent again and the backend stays ok;
#   - errors: a wrong secret and an unknown key exit 2 with AWS's reason and
#     no secret; no region and an unknown profile exit 1; an unknown
#     cluster exits 2 with ClusterNotFoundException;
#   - throttling: a server that refuses every other request still gives a
#     complete snapshot; one that refuses all of them is asked less and
#     less often (1 s, 2 s, 4 s ...), the status line saying so;
#   - no secret in any output, error, debug log or audit log.
# shellcheck disable=SC2317  # functions called through trap and check
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

[ -x "$OPSDECK_BIN" ] || { echo "no opsdeck binary at $OPSDECK_BIN (run make)"; exit 77; }
[ -f tests/stack/ecs.sh ] || { echo "tests/stack/ecs.sh is missing"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x /usr/bin/aws ] || { echo "the AWS CLI (/usr/bin/aws) is not installed"; exit 77; }
B=$(cd "$(dirname "$OPSDECK_BIN")" && pwd)/$(basename "$OPSDECK_BIN")

T=$(mktemp -d /tmp/opsdeck-ecs.XXXXXX)
TSOCK=opsdeck-ecs-$$
cleanup() {
	tmux -L "$TSOCK" kill-server 2>/dev/null
	for d in "$T/a" "$T/b" "$T/c"; do bash tests/stack/ecs.sh stop "$d" >/dev/null 2>&1; done
	[ -n "${D_PID:-}" ] && kill "$D_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/state LANG=C.UTF-8 TZ=UTC
export TMUX_TMPDIR=$T TERM=tmux-256color
unset OPSDECK_CONFIG OPSDECK_PROMETHEUS_URL OPSDECK_READ_ONLY OPSDECK_REFRESH KUBECONFIG NO_COLOR \
	DOCKER_HOST DOCKER_CONTEXT AWS_PROFILE AWS_DEFAULT_REGION AWS_SESSION_TOKEN \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_ECS AWS_ENDPOINT_URL_STS
mkdir -p "$HOME/.config/opsdeck"
# No Docker, no Kubernetes: the rows are ECS's alone.
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n' >"$HOME/.config/opsdeck/config.ini"

# start NAME ARGS...: a test server in $T/NAME; its env file read into E_* names.
start() {
	local d=$T/$1 rc; shift
	bash tests/stack/ecs.sh start "$d" --shop "$@" >"$d.out" 2>&1
	rc=$?
	if [ $rc -eq 77 ]; then cat "$d.out"; exit 77; fi
	if [ $rc -ne 0 ]; then
		not_ok "the ECS test server starts ($*)"; sed 's/^/  | /' "$d.out"; finish
	fi
}
t0=$(date +%s%N)
start a
ok "test server: $(tail -1 "$T/a.out")"
set -a
# shellcheck source=/dev/null
. "$T/a/env"
set +a
export AWS_CONFIG_FILE=$ECS_AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$ECS_AWS_CREDENTIALS_FILE
LOG=$ECS_LOG
SECRETS=("$AWS_SECRET_ACCESS_KEY" "$ECS_READONLY_SECRET" "$(cat "$T/a/keys/process.secret")")

# snap OUT [ARGS...]: a snapshot; RC its status, stdout in OUT, stderr in OUT.err.
snap() {
	local out=$1; shift
	timeout 60 "$B" snapshot --timeout 20s --debug-log "$T/debug.log" "$@" >"$out" 2>"$out.err"
	RC=$?
}
# ops FROM: the operations of the request log from line FROM on, "OP STATUS" counted.
ops() { tail -n +"$1" "$LOG" | sort | uniq -c | awk '{ printf "%s %s %s;", $2, $3, $1 }'; }
lines() { wc -l <"$LOG"; }
rows() { jq -r -c '[.screens.overview.services[] | select(.runtime.kind == "ecs") | [.name, .status, .runtime.running, .runtime.desired, .runtime.version, .runtime.launch_type, .runtime.previous, .runtime.context] | join(" ")] | join(";")' "$1"; }
SHOP="gateway OK 2 2 gateway:18 FARGATE gateway:17 shop;orders OK 2 2 orders:41 FARGATE orders:40 shop;payments OK 2 2 payments:14 FARGATE payments:13 shop;inventory OK 2 2 inventory:8 FARGATE inventory:7 shop;notifications OK 2 2 notifications:23 FARGATE notifications:22 shop;users OK 2 2 users:6 FARGATE users:5 shop"
backend_ok() { jq -e --arg b "$2" '.backends[$b].ok == true' "$1" >/dev/null; }
jqe() { jq -e "$2" "$1" >/dev/null; }

# ---- the environment's keys ------------------------------------------------------------
n=$(($(lines) + 1))
snap "$T/env.json" --ecs-cluster shop --format json
check "environment keys: the snapshot exits 0 (rc $RC)" test "$RC" = 0
check "the six services: 2/2, family:revision, FARGATE, the rollback target, cluster shop" \
	test "$(rows "$T/env.json")" = "$SHOP"
check "the backend ecs shop is ok" backend_ok "$T/env.json" "ecs shop"
check "the JSON row carries the service's ARN and 0 pending" \
	jqe "$T/env.json" '.screens.overview.services[1].runtime | .arn == "arn:aws:ecs:us-east-1:123456789012:service/shop/orders" and .pending == 0 and .rollout_state == "completed" and .problem == null'
check "one round: 1 ListServices page, 1 DescribeServices batch, 6 ListTaskDefinitions ($(ops "$n"))" \
	test "$(ops "$n")" = "DescribeServices 200 1;ListServices 200 1;ListTaskDefinitions 200 6;"
snap "$T/env.txt" --ecs-cluster shop --width 140 --height 12
check "the text Overview shows orders 2/2 orders:41 ecs" grep -Eq '^orders +OK +2/2 .* orders:41 .* ecs' "$T/env.txt"
check "the status line says ecs shop ok" grep -Eq 'ecs shop ok [0-9]+ms' "$T/env.txt"

# ---- two clusters, an alias ------------------------------------------------------------------
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[service "Orders API"]\necs = orders\n' >"$T/alias.ini"
snap "$T/two.json" -c "$T/alias.ini" --ecs-cluster shop --ecs-cluster batch --format json
check "--ecs-cluster twice: two runtimes, both ok (rc $RC)" \
	bash -c "[ $RC = 0 ] && jq -e '.backends[\"ecs shop\"].ok and .backends[\"ecs batch\"].ok' '$T/two.json' >/dev/null"
check "batch's reports-worker in context batch" \
	jqe "$T/two.json" '.screens.overview.services[] | select(.name == "reports-worker") | .runtime.context == "batch" and .runtime.desired == 1'
check "[service \"Orders API\"] ecs = orders names the row" \
	jqe "$T/two.json" '[.screens.overview.services[] | select(.name == "Orders API") | .runtime.name] == ["orders"]'
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[ecs]\ncluster = shop, batch\n' >"$T/list.ini"
snap "$T/list.json" -c "$T/list.ini" --format json
check "[ecs] cluster = shop, batch: the same two runtimes (rc $RC)" \
	bash -c "[ $RC = 0 ] && jq -e '.backends | keys == [\"ecs batch\", \"ecs shop\"]' '$T/list.json' >/dev/null"

# ---- profiles --------------------------------------------------------------------------------
noenv() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$@"; }
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[ecs]\ncluster = shop\nprofile = static\n' >"$T/static.ini"
RC=; noenv timeout 60 "$B" snapshot -c "$T/static.ini" --format json >"$T/static.json" 2>"$T/static.err"; RC=$?
check "[ecs] profile = static (keys of the credentials file): ok (rc $RC)" \
	bash -c "[ $RC = 0 ] && [ \"\$(jq -r '.screens.overview.services | length' '$T/static.json')\" = 6 ]"

calls() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
calls0=$(calls "$T/a/cred-process.calls")
AWS_PROFILE=process noenv timeout 60 "$B" snapshot --ecs-cluster shop --format json >"$T/proc.json" 2>"$T/proc.err"; RC=$?
check "AWS_PROFILE=process: the credential_process's keys work (rc $RC)" \
	bash -c "[ $RC = 0 ] && [ \"\$(jq -r '.screens.overview.services | length' '$T/proc.json')\" = 6 ]"
check "the credential_process ran once" test "$(($(calls "$T/a/cred-process.calls") - calls0))" = 1

n=$(($(lines) + 1))
AWS_PROFILE=assume noenv timeout 60 "$B" snapshot --ecs-cluster shop --format json >"$T/assume.json" 2>"$T/assume.err"; RC=$?
check "AWS_PROFILE=assume: the role's temporary keys work (rc $RC)" \
	bash -c "[ $RC = 0 ] && [ \"\$(jq -r '.screens.overview.services | length' '$T/assume.json')\" = 6 ]"
check "one AssumeRole before the ECS calls ($(ops "$n"))" \
	bash -c "[ \"\$(sed -n '${n}p' '$LOG')\" = 'AssumeRole 200' ] && [ \"\$(tail -n +$n '$LOG' | grep -c AssumeRole)\" = 1 ]"

creds=$(/usr/bin/aws sts assume-role --endpoint-url "$ECS_URL" --role-arn "$ECS_ROLE_ARN" \
	--role-session-name opsdeck-env --output json 2>"$T/sts.err")
SESSION_TOKEN=$(jq -r '.Credentials.SessionToken' <<<"$creds")
SECRETS+=("$(jq -r '.Credentials.SecretAccessKey' <<<"$creds")" "$SESSION_TOKEN")
AWS_ACCESS_KEY_ID=$(jq -r '.Credentials.AccessKeyId' <<<"$creds") \
	AWS_SECRET_ACCESS_KEY=$(jq -r '.Credentials.SecretAccessKey' <<<"$creds") \
	AWS_SESSION_TOKEN=$SESSION_TOKEN \
	timeout 60 "$B" snapshot --ecs-cluster shop --format json >"$T/token.json" 2>"$T/token.err"; RC=$?
check "environment keys with AWS_SESSION_TOKEN (from aws sts assume-role): ok (rc $RC)" \
	bash -c "[ $RC = 0 ] && [ \"\$(jq -r '.screens.overview.services | length' '$T/token.json')\" = 6 ]"

AWS_ACCESS_KEY_ID=$ECS_READONLY_KEY_ID AWS_SECRET_ACCESS_KEY=$ECS_READONLY_SECRET \
	timeout 60 "$B" snapshot --ecs-cluster shop --format json >"$T/ro.json" 2>"$T/ro.err"; RC=$?
check "the read-only key reads everything (rc $RC)" \
	bash -c "[ $RC = 0 ] && [ \"\$(jq -r '.screens.overview.services | length' '$T/ro.json')\" = 6 ]"

# ---- errors ------------------------------------------------------------------------------------
WRONG=wR0ngS3cretWR0ngS3cretWR0ngS3cretWR0ngS3
AWS_SECRET_ACCESS_KEY=$WRONG timeout 60 "$B" snapshot --ecs-cluster shop --format json >"$T/bad.json" 2>"$T/bad.err"; RC=$?
check "a wrong secret: exit 2 (rc $RC)" test "$RC" = 2
check "... with AWS's InvalidSignatureException and what to check" \
	jqe "$T/bad.json" '.backends["ecs shop"].error | test("^ecs shop: InvalidSignatureException: The request signature we calculated does not match") and test("secret key does not match")'
check "... and the wrong secret nowhere in the output" bash -c "! grep -qF '$WRONG' '$T/bad.json' '$T/bad.err'"
AWS_ACCESS_KEY_ID=AKIANOBODYKNOWSTHIS1 timeout 60 "$B" snapshot --ecs-cluster shop --width 200 --height 8 >"$T/unknown.txt" 2>&1; RC=$?
check "an unknown access key: exit 2, UnrecognizedClientException on the status line (rc $RC)" \
	bash -c "[ $RC = 2 ] && grep -q 'ecs shop, no data yet: UnrecognizedClientException' '$T/unknown.txt'"
snap "$T/nocluster.json" --ecs-cluster nosuch --format json
check "an unknown cluster: exit 2, ClusterNotFoundException naming [ecs] cluster (rc $RC)" \
	bash -c "[ $RC = 2 ] && jq -e '.backends[\"ecs nosuch\"].error | test(\"ClusterNotFoundException\")' '$T/nocluster.json' >/dev/null"
env -u AWS_REGION AWS_CONFIG_FILE=/nonexistent "$B" snapshot --ecs-cluster shop >"$T/noregion.out" 2>&1; RC=$?
check "no region anywhere: exit 1, 'no AWS region' naming [ecs] region (rc $RC)" \
	bash -c "[ $RC = 1 ] && grep -q \"no AWS region for cluster 'shop'\" '$T/noregion.out' && grep -qF '[ecs] region' '$T/noregion.out'"
AWS_PROFILE=nosuch noenv "$B" snapshot --ecs-cluster shop >"$T/noprofile.out" 2>&1; RC=$?
check "an unknown profile: exit 1 naming it (rc $RC)" \
	bash -c "[ $RC = 1 ] && grep -q 'nosuch' '$T/noprofile.out'"
printf '[ecs]\ncluster = shop,,x y\n' >"$T/badcluster.ini"
"$B" snapshot -c "$T/badcluster.ini" >"$T/badcluster.out" 2>&1; RC=$?
check "a malformed [ecs] cluster: exit 1 with file:line (rc $RC)" \
	bash -c "[ $RC = 1 ] && grep -q 'badcluster.ini:2: invalid ECS cluster' '$T/badcluster.out'"
echo "# timing: server a: $((($(date +%s%N) - t0) / 1000000)) ms"

# ---- short-lived credentials in the console ----------------------------------------------------
screen() { tmux -L "$TSOCK" capture-pane -p -t t 2>/dev/null; }
status_has() { screen | tail -1 | grep -q -- "$1"; }
NCONSOLE=0
console() { # console ARGS...: opsdeck in tmux, 160x20 (a tmux server of its own each time)
	tmux -L "$TSOCK" kill-server 2>/dev/null
	NCONSOLE=$((NCONSOLE + 1))
	TSOCK=opsdeck-ecs-$$-$NCONSOLE
	tmux -L "$TSOCK" -f /dev/null new-session -d -s t -x 160 -y 20 \
		"$(printf '%q ' env "$@"); echo EXITED; sleep 600"
}
t1=$(date +%s%N)
start b --sts-duration 3
# shellcheck disable=SC2046
eval $(sed -n 's/^\(ECS_LOG\|ECS_URL\|ECS_AWS_CONFIG_FILE\|ECS_AWS_CREDENTIALS_FILE\)=/B_\1=/p' "$T/b/env")
B_STATIC_ID=$(cat "$T/b/keys/static.id")
B_STATIC_SECRET=$(cat "$T/b/keys/static.secret")
SECRETS+=("$B_STATIC_SECRET")
console -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=assume \
	AWS_CONFIG_FILE="$B_ECS_AWS_CONFIG_FILE" AWS_SHARED_CREDENTIALS_FILE="$B_ECS_AWS_CREDENTIALS_FILE" \
	"$B" --ecs-cluster shop --refresh 500ms
check "role keys good for 3 s: renewed before they expire (3 AssumeRoles)" \
	wait_for 30 bash -c "[ \$(grep -c '^AssumeRole 200' '$B_ECS_LOG') -ge 3 ]"
check "... with no ECS request refused meanwhile" bash -c "! grep -v ' 200$' '$B_ECS_LOG'"
check "... and the status line saying ecs shop ok" status_has "ecs shop ok"

# A credential_process that hands out role keys (3 s) saying they last an hour.
cat >"$T/liar.sh" <<EOF
#!/bin/sh
echo call >>"$T/liar.calls"
env -u AWS_PROFILE AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \\
	AWS_ACCESS_KEY_ID=$B_STATIC_ID AWS_SECRET_ACCESS_KEY=$B_STATIC_SECRET AWS_REGION=us-east-1 \\
	/usr/bin/aws sts assume-role --endpoint-url $B_ECS_URL --role-arn $ECS_ROLE_ARN \\
	--role-session-name liar --output json |
	jq -c '.Credentials | {Version: 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration: "2099-01-01T00:00:00Z"}'
EOF
chmod 755 "$T/liar.sh"
printf '[profile liar]\nregion = us-east-1\nendpoint_url = %s\ncredential_process = %s\n' \
	"$B_ECS_URL" "$T/liar.sh" >"$T/liar.config"
: >"$B_ECS_LOG"
console -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=liar \
	AWS_CONFIG_FILE="$T/liar.config" AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
	"$B" --ecs-cluster shop --refresh 1s
check "keys that expired early: ExpiredTokenException, the process runs again" \
	wait_for 40 bash -c "[ \$(wc -l <'$T/liar.calls') -ge 2 ] && grep -q ' 400$' '$B_ECS_LOG'"
check "... the refused request sent again and answered" \
	wait_for 20 bash -c "[ \"\$(grep -A1 ' 400$' '$B_ECS_LOG' | tail -1 | cut -d' ' -f2)\" = 200 ]"
check "... and the backend never shown failed: the status line says ecs shop ok" \
	wait_for 10 status_has "ecs shop ok"
echo "# timing: credentials in the console: $((($(date +%s%N) - t1) / 1000000)) ms"

# ---- throttling --------------------------------------------------------------------------------
t2=$(date +%s%N)
start c --throttle-every 2
# shellcheck disable=SC2046
eval $(sed -n 's/^\(ECS_LOG\|ECS_AWS_CONFIG_FILE\|ECS_AWS_CREDENTIALS_FILE\|AWS_ACCESS_KEY_ID\|AWS_SECRET_ACCESS_KEY\)=/C_\1=/p' "$T/c/env")
SECRETS+=("$C_AWS_SECRET_ACCESS_KEY")
s0=$(date +%s%N)
AWS_CONFIG_FILE=$C_ECS_AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$C_ECS_AWS_CREDENTIALS_FILE \
	AWS_ACCESS_KEY_ID=$C_AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$C_AWS_SECRET_ACCESS_KEY \
	timeout 60 "$B" snapshot --timeout 30s --ecs-cluster shop --format json >"$T/thr.json" 2>&1; RC=$?
took=$((($(date +%s%N) - s0) / 1000000))
check "every other request throttled: the snapshot still completes (rc $RC, ${took} ms)" \
	bash -c "[ $RC = 0 ] && [ \"\$(jq -r '.screens.overview.services | length' '$T/thr.json')\" = 6 ]"
check "... each refused request sent again once the wait was over ($(grep -c ' 400$' "$C_ECS_LOG") refused, $(wc -l <"$C_ECS_LOG") in all)" \
	bash -c "[ \$(grep -c ' 400$' '$C_ECS_LOG') -ge 3 ] && [ \$(wc -l <'$C_ECS_LOG') -le 20 ]"

# A server that refuses everything (ecs.sh waits for one answer: started by hand).
mkdir -p "$T/d"
D_LOG=$T/d/requests.log
/usr/bin/python3 tests/stack/ecsserver.py --listen 127.0.0.1:0 --shop --throttle-every 1 \
	--key "opsdeck=AKIATHROTTLEDTHROTTL:throttled-secret-of-forty-characters-x1" \
	--log "$D_LOG" --pid-file "$T/d/ecs.pid" >"$T/d/ecs.log" 2>&1 &
D_PID=$!
SECRETS+=(throttled-secret-of-forty-characters-x1)
wait_for 20 grep -q '^listening on 127.0.0.1:[0-9]' "$T/d/ecs.log" >/dev/null
D_URL=http://$(sed -n 's/^listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$T/d/ecs.log" | head -1)
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[ecs]\ncluster = shop\nendpoint_url = %s\nregion = us-east-1\n' \
	"$D_URL" >"$T/d.ini"
console AWS_ACCESS_KEY_ID=AKIATHROTTLEDTHROTTL AWS_SECRET_ACCESS_KEY=throttled-secret-of-forty-characters-x1 \
	"$B" -c "$T/d.ini" --refresh 200ms
c0=$(date +%s%N)
check "every request throttled: the status line says so and when the next try is" \
	wait_for 20 status_has "ecs shop, no data yet: throttled by AWS (ThrottlingException: Rate exceeded) — backing off, next try in"
check "... the wait doubles: 'next try in 4s' follows" wait_for 20 status_has "next try in 4s"
wait_for 30 status_has "next try in 8s" >/dev/null
sent=$(wc -l <"$D_LOG")
secs=$((($(date +%s%N) - c0) / 1000000000))
check "... never hammered: $sent requests in ${secs}+ s with a refresh of 200ms (1 s, 2 s, 4 s apart)" \
	bash -c "[ $sent -ge 4 ] && [ $sent -le 6 ]"
echo "# timing: throttling: $((($(date +%s%N) - t2) / 1000000)) ms"
tmux -L "$TSOCK" kill-server 2>/dev/null
kill "$D_PID" 2>/dev/null
wait "$D_PID" 2>/dev/null

# ---- what left the process -------------------------------------------------------------------
leaked=
for s in "${SECRETS[@]}"; do
	[ -n "$s" ] || continue
	if grep -rqF -- "$s" "$T"/*.json "$T"/*.err "$T"/*.txt "$T"/*.out "$T/debug.log" 2>/dev/null ||
		screen | grep -qF -- "$s"; then
		leaked="$leaked ${s:0:4}..."
	fi
done
check "no secret key or session token in any output, error, debug log or screen${leaked:+ (leaked:$leaked)}" test -z "$leaked"
check "the debug log names the ECS calls by URL only" \
	bash -c "grep -q ' POST http://127.0.0.1:[0-9]*/ 200 ' '$T/debug.log' && ! grep -qi 'authorization\\|x-amz-security-token' '$T/debug.log'"
finish
