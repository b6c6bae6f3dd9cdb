#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2016  # functions called through check and wait_for; jq's $vars
# tests/stack/ecsserver.py, the Amazon ECS + STS test server, proven with the
# real AWS CLI (/usr/bin/aws, Debian's 2.9) against tests/stack/ecs.sh:
# list-clusters, list-services (one page of 10, --page-size 2 in three
# requests, --max-items / --starting-token), describe-services (failures for
# unknown ones), list-task-definitions (--family-prefix, --status, --sort),
# describe-task-definition, list-tasks + describe-tasks, update-service
# --desired-count (no new deployment; converges and completes),
# --force-new-deployment (new PRIMARY, the old one ACTIVE, drained, every
# task replaced "Scaling activity initiated by (deployment ...)"),
# --task-definition orders:40 (the rollback of an image), register-task-
# definition with a broken image and the circuit breaker (with rollback: the
# failed deployment's events, tasks "Essential container in task exited"
# exit 1, back to orders:40; without: a FAILED PRIMARY that launches no
# more); errors as the CLI prints them (ServiceNotFoundException,
# ClusterNotFoundException, ClientException, InvalidSignatureException,
# UnrecognizedClientException, AccessDeniedException for the read-only key
# with no write accepted, ExpiredTokenException, STS AccessDenied and
# SignatureDoesNotMatch); ThrottlingException, which the CLI retries
# (standard mode, 3 attempts) so a paged listing still succeeds, and shows
# with AWS_MAX_ATTEMPTS=1; the profiles static, process, assume (STS
# AssumeRole through AWS_DATA_PATH) and readonly by `aws sts
# get-caller-identity` and `aws ecs list-services`; the error body on the
# wire; curl --aws-sigv4 (libcurl's signer, what opsdeck uses) with keys and
# with a session token.  Waits poll DescribeServices with curl (a CLI run
# costs ~1 s of Python start-up).  Skipped (77) without /usr/bin/aws, botocore
# in /usr/bin/python3, curl or jq.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
AWS=/usr/bin/aws
[ -x "$AWS" ] || { echo "/usr/bin/aws not installed (awscli; tests/stack/install.sh)"; exit 77; }
/usr/bin/python3 -c 'import botocore.auth' 2>/dev/null || { echo "python3-botocore not installed"; exit 77; }
for c in curl jq setsid; do
	command -v "$c" >/dev/null || { echo "$c not installed (tests/stack/install.sh)"; exit 77; }
done

T=$(mktemp -d)
cleanup() {
	tests/stack/ecs.sh stop "$T/ecs" >/dev/null 2>&1
	tests/stack/ecs.sh stop "$T/thr" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
t0=$(date +%s%N)

# Nothing of the caller's AWS setup may leak in: a home of our own (the CLI
# caches assumed-role credentials under ~/.aws/cli/cache), no profile, no
# config files until the profile checks set them.
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HOME=$T/home AWS_CONFIG_FILE=$T/no-config AWS_SHARED_CREDENTIALS_FILE=$T/no-credentials AWS_PAGER=
mkdir -p "$HOME"

tests/stack/ecs.sh start "$T/ecs" --shop --sts-duration 6 >"$T/start.out" 2>&1 &
p1=$!
tests/stack/ecs.sh start "$T/thr" --shop --throttle-every 2 >"$T/start2.out" 2>&1 &
p2=$!
wait $p1; rc1=$?
wait $p2; rc2=$?
if [ $rc1 = 0 ]; then ok "ecs.sh start --shop: $(cat "$T/start.out")"; else cat "$T/start.out"; not_ok "ecs.sh start --shop"; finish; fi
if [ $rc2 = 0 ]; then ok "a second server with --throttle-every 2"; else cat "$T/start2.out"; not_ok "a second server with --throttle-every 2"; fi
# shellcheck disable=SC1091
. "$T/ecs/env"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
E=(--endpoint-url "$ECS_URL")
A_ARN=arn:aws:ecs:us-east-1:123456789012
TD=$A_ARN:task-definition

# ---- helpers -----------------------------------------------------------------------------------
# A NAME [VAR=VALUE...] ARGS... : the AWS CLI against the server, in the
# background, with those variables: stdout $T/NAME.out, stderr $T/NAME.err,
# status $T/NAME.rc; Await waits for all
A() {
	local name=$1 vars=()
	shift
	while [[ $1 =~ ^[A-Z_]+= ]]; do vars+=("$1"); shift; done
	( env "${vars[@]}" "$AWS" "${E[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err"; echo $? >"$T/$name.rc" ) &
}
Await() { wait; }
rc() { cat "$T/$1.rc"; }
# jqt FILTER FILE [jq args...] : the filter holds (jq 1.6 -e alone passes on empty input)
jqt() { local f=$1 file=$2; shift 2; jq -en "$@" "input | ($f)" "$file" >/dev/null 2>&1; }
# okrun NAME FILTER [jq args] : the CLI run NAME exited 0 and its JSON passes FILTER
okrun() { local n=$1; shift; [ "$(rc "$n")" = 0 ] && jqt "$1" "$T/$n.out" "${@:2}"; }
# errrun NAME CODE OPERATION MESSAGE : the CLI's error line, exit status 254
errrun() {
	[ "$(rc "$1")" = 254 ] &&
		grep -qxF "An error occurred ($2) when calling the $3 operation: $4" "$T/$1.err"
}
show() { head -c 300 "$T/$1.err" | tr '\n' ' '; }
log_count() { grep -cE "$1" "$ECS_LOG"; }
# api OP JSON [KEYID SECRET [TOKEN]] : ECS through curl --aws-sigv4; body $T/api.json, status printed
api() {
	local hdr=()
	[ -n "${5:-}" ] && hdr=(-H "X-Amz-Security-Token: $5")
	curl -s --max-time 5 --aws-sigv4 "aws:amz:us-east-1:ecs" --user "${3:-$AWS_ACCESS_KEY_ID}:${4:-$AWS_SECRET_ACCESS_KEY}" \
		-H "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$1" -H 'Content-Type: application/x-amz-json-1.1' \
		"${hdr[@]}" -d "$2" -o "$T/api.json" -D "$T/api.hdr" -w '%{http_code}' "$ECS_URL/"
}
# svc SERVICE FILTER : DescribeServices (curl) and the filter on .services[0]
svc() { api DescribeServices "{\"cluster\":\"shop\",\"services\":[\"$1\"]}" >/dev/null && jqt ".services[0] | $2" "$T/api.json"; }

# ---- reads -------------------------------------------------------------------------------------------
before_ls=$(log_count '^ListServices 200$')
A clusters ecs list-clusters
A services ecs list-services --cluster shop
A paged ecs list-services --cluster shop --page-size 2
A items ecs list-services --cluster shop --max-items 4
A describe ecs describe-services --cluster shop --services orders payments nope
A tds ecs list-task-definitions --family-prefix orders
A tds_inactive ecs list-task-definitions --family-prefix orders --status INACTIVE
A tds_desc ecs list-task-definitions --family-prefix orders --sort DESC
A td40 ecs describe-task-definition --task-definition orders:40
A td_family ecs describe-task-definition --task-definition orders
A tasks ecs list-tasks --cluster shop --service-name orders
A ptasks ecs list-tasks --cluster shop --service-name payments
Await
check "aws ecs list-clusters: shop and batch" okrun clusters \
	'.clusterArns == [$a + ":cluster/shop", $a + ":cluster/batch"]' --arg a "$A_ARN"
SIX='[$a + ":service/shop/gateway", $a + ":service/shop/orders", $a + ":service/shop/payments", $a + ":service/shop/inventory", $a + ":service/shop/notifications", $a + ":service/shop/users"]'
check "aws ecs list-services --cluster shop: the six services" okrun services ".serviceArns == $SIX" --arg a "$A_ARN"
check "... --page-size 2: the same six" okrun paged ".serviceArns == $SIX" --arg a "$A_ARN"
check "... ListServices requests: 1 (a page of 10 by default) + 3 (pages of 2 and nextToken) + 1 (--max-items)" \
	test $(( $(log_count '^ListServices 200$') - before_ls )) = 5
check "... --max-items 4: four and a NextToken" okrun items \
	'(.serviceArns | length) == 4 and (.NextToken | length) > 0'
A rest ecs list-services --cluster shop --max-items 4 --starting-token "$(jq -r .NextToken "$T/items.out")"
Await
check "... --starting-token: the last two" okrun rest \
	'.serviceArns == [$a + ":service/shop/notifications", $a + ":service/shop/users"]' --arg a "$A_ARN"
check "aws ecs describe-services orders payments nope: two services, nope in failures as MISSING" okrun describe \
	'[.services[].serviceName] == ["orders", "payments"] and .failures == [{"arn": ($a + ":service/shop/nope"), "reason": "MISSING"}]' \
	--arg a "$A_ARN"
check "... orders: desired 2, running 2, FARGATE, orders:41, one PRIMARY COMPLETED deployment, steady" okrun describe \
	'.services[0] | .desiredCount == 2 and .runningCount == 2 and .pendingCount == 0 and .launchType == "FARGATE"
	 and .taskDefinition == ($td + "/orders:41") and (.deployments | length) == 1
	 and .deployments[0].status == "PRIMARY" and .deployments[0].rolloutState == "COMPLETED"
	 and (.deployments[0].id | test("^ecs-svc/[0-9]{19}$"))
	 and .events[0].message == "(service orders) has reached a steady state."' --arg td "$TD"
check "... a target group and the circuit breaker with rollback" okrun describe \
	'.services[0] | (.loadBalancers[0].targetGroupArn | startswith("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"))
	 and .deploymentConfiguration.deploymentCircuitBreaker == {"enable": true, "rollback": true}'
check "aws ecs list-task-definitions --family-prefix orders: the ACTIVE orders:40 and orders:41" okrun tds \
	'.taskDefinitionArns == [$td + "/orders:40", $td + "/orders:41"]' --arg td "$TD"
check "... --status INACTIVE: orders:39" okrun tds_inactive '.taskDefinitionArns == [$td + "/orders:39"]' --arg td "$TD"
check "... --sort DESC: 41 first" okrun tds_desc '.taskDefinitionArns == [$td + "/orders:41", $td + "/orders:40"]' --arg td "$TD"
check "aws ecs describe-task-definition orders:40: image 1.7.2, ACTIVE, FARGATE, awsvpc" okrun td40 \
	'.taskDefinition | .revision == 40 and .family == "orders" and .status == "ACTIVE"
	 and .containerDefinitions[0].image == "registry.local/shop/orders:1.7.2"
	 and .requiresCompatibilities == ["FARGATE"] and .networkMode == "awsvpc"'
check "... the family alone: its newest ACTIVE revision, 41" okrun td_family '.taskDefinition.revision == 41'
check "aws ecs list-tasks --service-name orders: two tasks" okrun tasks \
	'(.taskArns | length) == 2 and all(.taskArns[]; startswith($a + ":task/shop/"))' --arg a "$A_ARN"
mapfile -t ORDERS_TASKS < <(jq -r '.taskArns[]' "$T/tasks.out")
mapfile -t PAY_OLD < <(jq -r '.taskArns[]' "$T/ptasks.out")
# alone: its credentials live 6 s (--sts-duration 6) and curl uses them at once
A assumed sts assume-role --role-arn "$ECS_ROLE_ARN" --role-session-name expiry-test
Await
check "aws sts assume-role: temporary credentials (ASIA..., a session token, Expiration)" okrun assumed \
	'(.Credentials.AccessKeyId | test("^ASIA[A-Z2-7]{16}$")) and (.Credentials.SessionToken | length) > 100
	 and (.Credentials.Expiration | length) > 0
	 and .AssumedRoleUser.Arn == "arn:aws:sts::123456789012:assumed-role/opsdeck-operator/expiry-test"'
TMP_ID=$(jq -r .Credentials.AccessKeyId "$T/assumed.out")
TMP_SECRET=$(jq -r .Credentials.SecretAccessKey "$T/assumed.out")
TMP_TOKEN=$(jq -r .Credentials.SessionToken "$T/assumed.out")
code=$(api ListClusters '{}' "$TMP_ID" "$TMP_SECRET" "$TMP_TOKEN")
check "curl --aws-sigv4 with the session token (X-Amz-Security-Token): ListClusters $code" \
	sh -c "[ $code = 200 ] && jq -e '.clusterArns | length == 2' '$T/api.json' >/dev/null"
A dtasks ecs describe-tasks --cluster shop --tasks "${ORDERS_TASKS[@]}" nope
Await
check "aws ecs describe-tasks: RUNNING, HEALTHY, orders:41, in us-east-1a/b/c, started by the deployment" okrun dtasks \
	'(.tasks | length) == 2 and all(.tasks[]; .lastStatus == "RUNNING" and .desiredStatus == "RUNNING"
	 and .healthStatus == "HEALTHY" and .taskDefinitionArn == ($td + "/orders:41")
	 and (.availabilityZone | test("^us-east-1[abc]$")) and .group == "service:orders"
	 and (.startedBy | startswith("ecs-svc/")) and .launchType == "FARGATE"
	 and .containers[0].image == "registry.local/shop/orders:1.8.0" and .containers[0].lastStatus == "RUNNING")
	 and .failures == [{"arn": ($a + ":task/shop/nope"), "reason": "MISSING"}]' --arg td "$TD" --arg a "$A_ARN"

# ---- update-service: scale, restart, rollback ---------------------------------------------------------
svc payments '.deployments[0].id' && PAY_DEP=$(jq -r '.services[0].deployments[0].id' "$T/api.json")
svc orders 'true' && ORD_DEP=$(jq -r '.services[0].deployments[0].id' "$T/api.json")
A scale ecs update-service --cluster shop --service gateway --desired-count 3
A force ecs update-service --cluster shop --service payments --force-new-deployment
A rollback ecs update-service --cluster shop --service orders --task-definition orders:40
# broken images for the circuit breaker below (the tag "broken" exits 1)
CD='[{"name":"NAME","image":"registry.local/shop/NAME:broken","essential":true,"portMappings":[{"containerPort":8080}]}]'
A reg_orders ecs register-task-definition --family orders --requires-compatibilities FARGATE --network-mode awsvpc \
	--cpu 256 --memory 512 --container-definitions "${CD//NAME/orders}"
A reg_users ecs register-task-definition --family users --requires-compatibilities FARGATE --network-mode awsvpc \
	--cpu 256 --memory 512 --container-definitions "${CD//NAME/users}"
Await
check "aws ecs register-task-definition: orders:42 with the broken image" okrun reg_orders \
	'.taskDefinition.taskDefinitionArn == ($td + "/orders:42") and .taskDefinition.status == "ACTIVE"' --arg td "$TD"
check "... users:7" okrun reg_users '.taskDefinition.revision == 7'
check "update-service --desired-count 3: desired 3, the same single deployment" okrun scale \
	'.service | .desiredCount == 3 and (.deployments | length) == 1 and .deployments[0].desiredCount == 3'
check "update-service --force-new-deployment: a new PRIMARY IN_PROGRESS, the old one ACTIVE" okrun force \
	'.service.deployments | length == 2 and .[0].status == "PRIMARY" and .[0].rolloutState == "IN_PROGRESS"
	 and .[0].id != $old and .[0].rolloutStateReason == ("ECS deployment " + .[0].id + " in progress.")
	 and .[1].id == $old and .[1].status == "ACTIVE"' --arg old "$PAY_DEP"
check "update-service --task-definition orders:40: taskDefinition back to orders:40, a new deployment" okrun rollback \
	'.service.taskDefinition == ($td + "/orders:40") and .service.deployments[0].taskDefinition == ($td + "/orders:40")
	 and .service.deployments[1].id == $old' --arg td "$TD" --arg old "$ORD_DEP"
settled() { svc "$1" "(.deployments | length) == 1 and .deployments[0].rolloutState == \"COMPLETED\"
	and .runningCount == .desiredCount and .pendingCount == 0 $2"; }
check "gateway converges: running 3, COMPLETED" wait_for 20 settled gateway 'and .runningCount == 3'
check "payments converges: one deployment, the new one, COMPLETED" wait_for 20 settled payments "and .deployments[0].id != \"$PAY_DEP\""
check "orders converges on orders:40" wait_for 20 settled orders "and .taskDefinition == \"$TD/orders:40\""
A after ecs describe-services --cluster shop --services gateway payments orders
A ptasks2 ecs list-tasks --cluster shop --service-name payments
A otasks2 ecs list-tasks --cluster shop --service-name orders
A pold ecs describe-tasks --cluster shop --tasks "${PAY_OLD[@]}"
# users onto its broken image with the circuit breaker but no rollback (checked below)
A broken_users ecs update-service --cluster shop --service users --task-definition users:7 \
	--deployment-configuration 'deploymentCircuitBreaker={enable=true,rollback=false},maximumPercent=200,minimumHealthyPercent=100'
Await
check "aws ecs describe-services: gateway running 3 of 3, COMPLETED, started 1 task, then steady" okrun after \
	'.services[0] | .desiredCount == 3 and .runningCount == 3 and .deployments[0].rolloutState == "COMPLETED"
	 and .events[0].message == "(service gateway) has reached a steady state."
	 and any(.events[]; .message | test("^\\(service gateway\\) has started 1 tasks: \\(task [0-9a-f]{32}\\)\\.$"))'
check "... payments: the old deployment gone, its deployment completed, targets deregistered" okrun after \
	'.services[1] | (.deployments | length) == 1 and .deployments[0].id != $old
	 and any(.events[]; .message == ("(service payments) (deployment " + $new + ") deployment completed."))
	 and any(.events[]; .message | startswith("(service payments) deregistered 2 targets in (target-group arn:aws:elasticloadbalancing:"))
	 and any(.events[]; .message | test("^\\(service payments\\) has stopped 2 running tasks: "))' \
	--arg old "$PAY_DEP" --arg new "$(jq -r '.services[1].deployments[0].id' "$T/after.out")"
check "... every payments task replaced" okrun ptasks2 \
	'(.taskArns | length) == 2 and ([.taskArns[]] - $old | length) == 2' --argjson old "$(jq .taskArns "$T/ptasks.out")"
check "... the old ones STOPPED: Scaling activity initiated by (deployment $PAY_DEP), exit 0" okrun pold \
	'(.tasks | length) == 2 and all(.tasks[]; .lastStatus == "STOPPED" and .desiredStatus == "STOPPED"
	 and .stoppedReason == ("Scaling activity initiated by (deployment " + $old + ")")
	 and .stopCode == "ServiceSchedulerInitiated" and .containers[0].exitCode == 0 and (.stoppedAt | length) > 0)' \
	--arg old "$PAY_DEP"
mapfile -t ORDERS_NOW < <(jq -r '.taskArns[]' "$T/otasks2.out")
A otasks3 ecs describe-tasks --cluster shop --tasks "${ORDERS_NOW[@]}"
# orders onto its broken image, the circuit breaker with rollback (checked below)
svc orders 'true' && ORD40_DEP=$(jq -r '.services[0].deployments[0].id' "$T/api.json")
A broken_orders ecs update-service --cluster shop --service orders --task-definition orders:42
Await
check "... orders' tasks run orders:40 (image 1.7.2)" okrun otasks3 \
	'(.tasks | length) == 2 and all(.tasks[]; .taskDefinitionArn == ($td + "/orders:40")
	 and .containers[0].image == "registry.local/shop/orders:1.7.2" and .lastStatus == "RUNNING")' --arg td "$TD"

# ---- the circuit breaker -----------------------------------------------------------------------------
check "update-service orders:42 and users:7 (circuit breaker without rollback) accepted" sh -c \
	"[ $(rc broken_orders) = 0 ] && [ $(rc broken_users) = 0 ]"
rolled_back() {
	svc orders "(.deployments | length) == 1 and .taskDefinition == \"$TD/orders:40\"
		and .deployments[0].rolloutState == \"COMPLETED\" and .runningCount == 2
		and (.deployments[0].id as \$id | any(.events[]; .message == \"(service orders) (deployment \" + \$id + \") deployment completed.\"))"
}
check "orders: the circuit breaker rolls back to orders:40, which completes" wait_for 30 rolled_back
users_failed() {
	svc users '.deployments[0].status == "PRIMARY" and .deployments[0].rolloutState == "FAILED" and .deployments[0].failedTasks >= 3 and .deployments[0].failedTasks <= 4
		and .deployments[0].rolloutStateReason == "ECS deployment circuit breaker: tasks failed to start."
		and .deployments[0].runningCount == 0 and .deployments[0].pendingCount == 0'
}
check "users (no rollback): a FAILED PRIMARY deployment at the threshold of 3 failed tasks (two fail at a time)" wait_for 30 users_failed
A cb ecs describe-services --cluster shop --services orders users
A stopped ecs list-tasks --cluster shop --service-name orders --desired-status STOPPED
Await
check "aws ecs describe-services orders: deployment failed: tasks failed to start, rolling back to orders:40's deployment" okrun cb \
	'.services[0] | .taskDefinition == ($td + "/orders:40")
	 and any(.events[]; .message | test("^\\(service orders\\) \\(deployment ecs-svc/[0-9]+\\) deployment failed: tasks failed to start\\.$"))
	 and any(.events[]; .message == "(service orders) rolling back to deployment " + $back + ".")' --arg back "$ORD40_DEP" --arg td "$TD"
check "... users: still FAILED, its old deployment's 2 tasks still serve, no more launches" okrun cb \
	'.services[1] | .deployments[0].rolloutState == "FAILED" and .deployments[0].taskDefinition == ($td + "/users:7")
	 and .deployments[1].status == "ACTIVE" and .deployments[1].runningCount == 2 and .runningCount == 2' --arg td "$TD"
mapfile -t STOPPED < <(jq -r '.taskArns[]' "$T/stopped.out" | tail -n 60)
A stopped_d ecs describe-tasks --cluster shop --tasks "${STOPPED[@]}"
Await
check "... orders' broken tasks: STOPPED, Essential container in task exited, exit code 1" okrun stopped_d \
	'[.tasks[] | select(.taskDefinitionArn == ($td + "/orders:42"))] | length >= 3 and all(.[];
	 .lastStatus == "STOPPED" and .stoppedReason == "Essential container in task exited"
	 and .stopCode == "EssentialContainerExited" and .containers[0].exitCode == 1 and .healthStatus != "HEALTHY")' --arg td "$TD"

# ---- errors as the CLI prints them -------------------------------------------------------------------------
before_upd=$(log_count '^UpdateService 200$')
A e_svc ecs update-service --cluster shop --service nope --desired-count 1
A e_cluster ecs list-services --cluster nope
A e_td ecs describe-task-definition --task-definition nope:1
A e_ro_upd AWS_ACCESS_KEY_ID="$ECS_READONLY_KEY_ID" AWS_SECRET_ACCESS_KEY="$ECS_READONLY_SECRET" \
	ecs update-service --cluster shop --service inventory --desired-count 5
A e_ro_read AWS_ACCESS_KEY_ID="$ECS_READONLY_KEY_ID" AWS_SECRET_ACCESS_KEY="$ECS_READONLY_SECRET" \
	ecs describe-services --cluster shop --services inventory
A e_sig AWS_SECRET_ACCESS_KEY=wrong-secret ecs list-clusters
A e_key AWS_ACCESS_KEY_ID=AKIAAAAAAAAAAAAAAAAA ecs list-clusters
A e_sts_role sts assume-role --role-arn arn:aws:iam::999999999999:role/elsewhere --role-session-name elsewhere
A e_sts_sig AWS_SECRET_ACCESS_KEY=wrong-secret sts get-caller-identity
Await
check "unknown service: $(show e_svc)" errrun e_svc ServiceNotFoundException UpdateService "Service not found."
check "unknown cluster: $(show e_cluster)" errrun e_cluster ClusterNotFoundException ListServices "Cluster not found."
check "unknown task definition: $(show e_td)" errrun e_td ClientException DescribeTaskDefinition \
	"Unable to describe task definition."
check "read-only key, update-service: $(show e_ro_upd)" errrun e_ro_upd AccessDeniedException UpdateService \
	"User: arn:aws:iam::123456789012:user/opsdeck-readonly is not authorized to perform: ecs:UpdateService on resource: $A_ARN:service/shop/inventory because no identity-based policy allows the ecs:UpdateService action"
check "... no UpdateService was accepted meanwhile; the refused one is logged as 400" sh -c \
	"[ $(log_count '^UpdateService 200$') = $before_upd ] && grep -qx 'UpdateService 400' '$ECS_LOG'"
check "... and the read-only key may read: inventory still desired 2" okrun e_ro_read '.services[0].desiredCount == 2'
check "a wrong secret: InvalidSignatureException" sh -c "[ $(rc e_sig) = 254 ] && grep -qxF 'An error occurred (InvalidSignatureException) when calling the ListClusters operation: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' '$T/e_sig.err'"
check "... with the canonical request AWS would have wanted" grep -qx 'x-amz-target:AmazonEC2ContainerServiceV20141113.ListClusters' "$T/e_sig.err"
check "an unknown key: $(show e_key)" errrun e_key UnrecognizedClientException ListClusters \
	"The security token included in the request is invalid."
check "STS, a role of another account: $(show e_sts_role)" errrun e_sts_role AccessDenied AssumeRole \
	"User: arn:aws:iam::123456789012:user/opsdeck is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::999999999999:role/elsewhere"
check "STS, a wrong secret: SignatureDoesNotMatch" sh -c "[ $(rc e_sts_sig) = 254 ] && grep -q '^An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated' '$T/e_sts_sig.err'"

code=$(api UpdateService '{"cluster":"shop","service":"nope"}')
check "on the wire: 400, application/x-amz-json-1.1, {__type, message} ($code $(cat "$T/api.json"))" sh -c \
	"[ $code = 400 ] && grep -qi '^content-type: application/x-amz-json-1.1' '$T/api.hdr' &&
	 jq -e '. == {\"__type\": \"ServiceNotFoundException\", \"message\": \"Service not found.\"}' '$T/api.json' >/dev/null"
code=$(curl -s -o "$T/api.json" -w '%{http_code}' -H 'X-Amz-Target: AmazonEC2ContainerServiceV20141113.ListClusters' \
	-H 'Content-Type: application/x-amz-json-1.1' -d '{}' "$ECS_URL/")
check "unsigned: 400 MissingAuthenticationTokenException ($code)" sh -c \
	"[ $code = 400 ] && jq -e '.__type == \"MissingAuthenticationTokenException\"' '$T/api.json' >/dev/null"

# the temporary key of assume-role above lives 6 s (--sts-duration 6)
expired() { [ "$(api ListClusters '{}' "$TMP_ID" "$TMP_SECRET" "$TMP_TOKEN")" = 400 ] && jqt '.__type == "ExpiredTokenException"' "$T/api.json"; }
check "the assumed role's credentials expire" wait_for 15 expired
A e_exp AWS_ACCESS_KEY_ID="$TMP_ID" AWS_SECRET_ACCESS_KEY="$TMP_SECRET" AWS_SESSION_TOKEN="$TMP_TOKEN" \
	ecs list-clusters
Await
check "... aws then: $(show e_exp)" errrun e_exp ExpiredTokenException ListClusters \
	"The security token included in the request is expired"

# ---- throttling (the second server answers every 2nd ECS request with ThrottlingException) -----------------
THR_URL=$(sed -n 's/^ECS_URL=//p' "$T/thr/env")
THR_LOG=$T/thr/ecs-requests.log
# its own keys
AWS_ACCESS_KEY_ID=$(sed -n 's/^AWS_ACCESS_KEY_ID=//p' "$T/thr/env")
AWS_SECRET_ACCESS_KEY=$(sed -n 's/^AWS_SECRET_ACCESS_KEY=//p' "$T/thr/env")
"$AWS" --endpoint-url "$THR_URL" ecs list-services --cluster shop --page-size 2 >"$T/thr.out" 2>"$T/thr.err"
thr_rc=$?
check "throttled: list-services --page-size 2 still lists all six (the CLI retries ThrottlingException)" sh -c \
	"[ $thr_rc = 0 ] && jq -e '.serviceArns | length == 6' '$T/thr.out' >/dev/null"
check "... the server refused some pages and the CLI asked again: $(grep -c '^ListServices 400$' "$THR_LOG") x 400, $(grep -c '^ListServices 200$' "$THR_LOG") x 200" sh -c \
	"[ \$(grep -c '^ListServices 400$' '$THR_LOG') -ge 1 ] && [ \$(grep -c '^ListServices 200$' '$THR_LOG') = 3 ]"
for i in 1 2; do
	AWS_MAX_ATTEMPTS=1 "$AWS" --endpoint-url "$THR_URL" ecs list-clusters >"$T/thr$i.out" 2>"$T/thr$i.err"
	echo $? >"$T/thr$i.rc"
done
thr_rcs=$(cat "$T/thr1.rc" "$T/thr2.rc" | sort | tr '\n' ' ')
check "... AWS_MAX_ATTEMPTS=1: one of two list-clusters fails as the CLI prints it (exit codes $thr_rcs)" sh -c "
	cat '$T/thr1.err' '$T/thr2.err' | grep -qxF 'An error occurred (ThrottlingException) when calling the ListClusters operation (reached max retries: 0): Rate exceeded' &&
	[ '$thr_rcs' = '0 254 ' ]"

# ---- profiles ---------------------------------------------------------------------------------------------------
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE=$ECS_AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$ECS_AWS_CREDENTIALS_FILE
calls0=$( (wc -l <"$T/ecs/cred-process.calls") 2>/dev/null || echo 0)
assume0=$(log_count '^AssumeRole 200$')
for p in static process readonly; do
	A "id_$p" --profile "$p" sts get-caller-identity
	A "ls_$p" --profile "$p" ecs list-services --cluster shop
done
# the AWS CLI 2.9 ignores endpoint_url in profiles: the rule sets under
# AWS_DATA_PATH send ecs and sts (its own AssumeRole too) to the server
( export AWS_DATA_PATH=$ECS_AWS_DATA_PATH
  "$AWS" --profile assume sts get-caller-identity >"$T/id_assume.out" 2>"$T/id_assume.err"; echo $? >"$T/id_assume.rc"
  "$AWS" --profile assume ecs list-services --cluster shop >"$T/ls_assume.out" 2>"$T/ls_assume.err"; echo $? >"$T/ls_assume.rc" ) &
Await
for pu in static:user/opsdeck process:user/opsdeck-process readonly:user/opsdeck-readonly \
	assume:assumed-role/opsdeck-operator/opsdeck-test; do
	p=${pu%%:*} u=${pu#*:}
	check "--profile $p: sts get-caller-identity is $u" okrun "id_$p" \
		'.Arn == ("arn:" + (if $u | startswith("user/") then "aws:iam" else "aws:sts" end) + "::123456789012:" + $u) and .Account == "123456789012"' --arg u "$u"
	check "... ecs list-services: the six" okrun "ls_$p" ".serviceArns == $SIX" --arg a "$A_ARN"
done
check "... process ran the credential_process" test "$( (wc -l <"$T/ecs/cred-process.calls") 2>/dev/null || echo 0)" -gt "$calls0"
check "... assume called STS AssumeRole here (per run: the 6 s credentials are always near expiry)" \
	test "$(log_count '^AssumeRole 200$')" -ge $((assume0 + 2))

# ---- the end --------------------------------------------------------------------------------------------------------
pid=$(cat "$T/ecs/ecs.pid")
tests/stack/ecs.sh stop "$T/ecs" >/dev/null 2>&1
check "ecs.sh stop ends the server and removes env" sh -c \
	"{ ! kill -0 $pid 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$pid/stat; } && [ ! -e '$T/ecs/env' ]"
check "ecs.sh stop again: idempotent" tests/stack/ecs.sh stop "$T/ecs"
check "no Python traceback in the server logs" sh -c "! grep -l Traceback '$T/ecs/ecs.log' '$T/thr/ecs.log'"
echo "# ecsserver.sh took $(awk -v ns="$(( $(date +%s%N) - t0 ))" 'BEGIN { printf "%.1f", ns / 1e9 }') s"
finish
