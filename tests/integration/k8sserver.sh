#!/usr/bin/env bash
# shellcheck disable=SC2317,SC2016  # functions called through check and wait_for; jq's $vars
# tests/stack/k8sserver.py, the Kubernetes API test server, proven with the
# real kubectl (KUBECONFIG from tests/stack/k8s.sh): discovery and tables
# (get deploy / pods, -A), scale (deployment and statefulset, the state read
# back with kubectl -o json and with curl), rollout restart / status / undo
# (--to-revision too) / history with the revisions and templates the
# controller keeps, 404 and 409 as kubectl prints them, paging with
# --chunk-size, every kubeconfig user (token, tokenFile, client certificate
# file and data, exec plugin, read-only token) by `kubectl auth whoami`, 401
# for a wrong token, 403 for the read-only token on scale with no write
# accepted, watch and continue tokens that expire (410), and the failing pods
# of --fail-pods.  Skipped (77) without kubectl, openssl, curl or jq.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
for c in kubectl openssl curl jq python3 setsid; do
	command -v "$c" >/dev/null || { echo "$c not installed (tests/stack/install.sh)"; exit 77; }
done

T=$(mktemp -d)
cleanup() {
	tests/stack/k8s.sh stop "$T/k8s" >/dev/null 2>&1
	tests/stack/k8s.sh stop "$T/k8s2" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
t0=$(date +%s%N)

# ---- helpers -----------------------------------------------------------------------
# K ARGS... : kubectl, stdout in $T/out, stderr in $T/err, status in KRC
K() { kubectl "$@" >"$T/out" 2>"$T/err"; KRC=$?; return $KRC; }
# jqt FILTER FILE [jq args...] : the filter holds for the input (jq 1.6 -e alone passes on empty input)
jqt() { local f=$1 file=$2; shift 2; jq -en "$@" "input | ($f)" "$file" >/dev/null; }
# api [curl args...] PATH : as curl with the admin token; body in $T/body, status in $T/code
api() {
	local path=${*: -1}
	curl -s --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" -o "$T/body" -w '%{http_code}' \
		"${@:1:$#-1}" "$K8S_URL$path" >"$T/code"
}
code_is() { [ "$(cat "$T/code")" = "$1" ]; }
show() { echo "$(cat "$T/code") $(head -c 300 "$T/body")"; }
err_has() { grep -qF -- "$1" "$T/err"; }
out_has() { grep -qF -- "$1" "$T/out"; }
# dep NAME FILTER : the filter holds for kubectl get deploy NAME -o json
dep() { kubectl get deploy "$1" -o json >"$T/dep.json" 2>/dev/null && jqt "$2" "$T/dep.json" "${@:3}"; }
# log_count REGEX : request log lines matching
log_count() { grep -cE -- "$1" "$K8S_REQUEST_LOG"; }
# rs_json : the payments ReplicaSets as a JSON list
rs_json() { kubectl get rs -l app=payments -o json | jq '.items'; }

# ---- start -------------------------------------------------------------------------
if ! tests/stack/k8s.sh start "$T/k8s" --shop -- --ready-delay 0.4 --grace 0.3 >"$T/start.out" 2>&1; then
	cat "$T/start.out"
	not_ok "k8s.sh start --shop"
	finish
fi
ok "k8s.sh start --shop: $(tail -n 1 "$T/start.out")"
# shellcheck disable=SC1091
. "$T/k8s/env"
export KUBECONFIG
export KUBECACHEDIR=$T/kube-cache     # kubectl's discovery cache: ours, not ~/.kube's
check "DIR/env names K8S_URL KUBECONFIG K8S_TOKEN K8S_NAMESPACE" sh -c \
	"grep -q '^K8S_URL=https://127.0.0.1:[0-9]*$' '$T/k8s/env' && grep -q '^KUBECONFIG=$T/k8s/kubeconfig$' '$T/k8s/env' &&
	 grep -q '^K8S_TOKEN=[0-9a-f]\{48\}$' '$T/k8s/env' && grep -q '^K8S_NAMESPACE=shop$' '$T/k8s/env'"
K config get-contexts -o name
check "kubeconfig contexts: $(tr '\n' ' ' <"$T/out")" test "$(sort "$T/out" | tr '\n' ' ')" = "cert cert-data exec exec-v1beta1 token token-file viewer "
K config current-context
check "current-context is token" test "$(cat "$T/out")" = token
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $K8S_TOKEN" "http://${K8S_URL#https://}/api")
check "plain http gets no answer: the port speaks TLS only (curl: $code)" test "$code" = 000

# ---- discovery and tables ----------------------------------------------------------
K get deploy -n shop
cp "$T/out" "$T/deploy.txt"
check "kubectl get deploy -n shop: the header kubectl prints from the server's Table" \
	test "$(head -n 1 "$T/deploy.txt" | tr -s ' ')" = "NAME READY UP-TO-DATE AVAILABLE AGE"
check "... the six Deployments, each READY 2/2: $(awk 'NR > 1 { printf "%s %s, ", $1, $2 }' "$T/deploy.txt")" \
	test "$(awk 'NR > 1 && $2 == "2/2" && $3 == 2 && $4 == 2 { print $1 }' "$T/deploy.txt" | tr '\n' ' ')" = \
	"gateway inventory notifications orders payments users "
check "kubectl fell back from aggregated discovery to /api, /apis, /api/v1, /apis/apps/v1" sh -c \
	"grep -q '^GET /api?timeout=32s 200' '$K8S_REQUEST_LOG' && grep -q '^GET /apis/apps/v1?timeout=32s 200' '$K8S_REQUEST_LOG'"
K get deploy -A
check "kubectl get deploy -A: NAMESPACE column, shop's six and ops/collector" sh -c "
	head -n 1 '$T/out' | grep -q '^NAMESPACE *NAME *READY' &&
	[ \"\$(awk 'NR > 1 { print \$1 \"/\" \$2 }' '$T/out' | tr '\n' ' ')\" = 'ops/collector shop/gateway shop/inventory shop/notifications shop/orders shop/payments shop/users ' ]"
K get pods -n shop
check "kubectl get pods -n shop: 15 pods (6 x 2 and ledger-0..2), all 1/1 Running" sh -c "
	[ \"\$(awk 'NR > 1 && \$2 == \"1/1\" && \$3 == \"Running\"' '$T/out' | wc -l)\" = 15 ] &&
	[ \"\$(awk 'NR > 1' '$T/out' | wc -l)\" = 15 ] && grep -q '^ledger-2 ' '$T/out'"
K get deploy payments -o wide
check "-o wide: containers, images, selector ($(tail -n 1 "$T/out" | tr -s ' '))" \
	grep -q '^payments .* payments *registry.local/shop/payments:1.4.2 *app=payments$' "$T/out"

# ---- scale -------------------------------------------------------------------------
K scale deploy/payments --replicas=3
check "kubectl scale deploy/payments --replicas=3: $(cat "$T/out" "$T/err")" out_has "deployment.apps/payments scaled"
check "... it went through the scale subresource (PATCH .../deployments/payments/scale)" \
	test "$(log_count '^PATCH /apis/apps/v1/namespaces/shop/deployments/payments/scale(\?[^ ]*)? 200$')" = 1
check "... kubectl get -o json: 3 wanted, 3 ready, available, up to date" wait_for 20 dep payments \
	'.spec.replicas == 3 and .status.readyReplicas == 3 and .status.availableReplicas == 3 and .status.updatedReplicas == 3
	 and .status.replicas == 3 and .status.observedGeneration == .metadata.generation'
api /apis/apps/v1/namespaces/shop/deployments/payments/scale
check "... curl .../scale: autoscaling/v1 Scale, spec 3, status 3, selector app=payments ($(show))" jqt \
	'.kind == "Scale" and .apiVersion == "autoscaling/v1" and .spec.replicas == 3 and .status.replicas == 3 and .status.selector == "app=payments"' "$T/body"
api '/api/v1/namespaces/shop/pods?labelSelector=app%3Dpayments'
check "... curl pods?labelSelector=app=payments: 3 Running and Ready" jqt \
	'[.items[] | select(.status.phase == "Running" and any(.status.conditions[]; .type == "Ready" and .status == "True"))] | length == 3' "$T/body"
K get events -n shop --field-selector involvedObject.name=payments
check "... an event: ScalingReplicaSet Scaled up replica set payments-... to 3 from 2" \
	grep -qE 'ScalingReplicaSet +deployment/payments +Scaled up replica set payments-[a-z0-9]+ to 3 from 2' "$T/out"

# ---- rollout restart, status, history ------------------------------------------------
rs_json >"$T/rs0.json"
check "before: revisions 1 (1.4.1, 0 replicas) and 2 (1.4.2, 3 replicas); the Deployment at revision 2" sh -c "
	jq -en 'input | (map({r: .metadata.annotations[\"deployment.kubernetes.io/revision\"], i: .spec.template.spec.containers[0].image, n: .spec.replicas}) | sort_by(.r))
		== [{r: \"1\", i: \"registry.local/shop/payments:1.4.1\", n: 0}, {r: \"2\", i: \"registry.local/shop/payments:1.4.2\", n: 3}]' '$T/rs0.json' >/dev/null &&
	kubectl get deploy payments -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}' | grep -qx 2"
K rollout restart deploy/payments
check "kubectl rollout restart deploy/payments: $(cat "$T/out" "$T/err")" out_has "deployment.apps/payments restarted"
check "... a strategic merge patch arrived" \
	test "$(log_count '^PATCH /apis/apps/v1/namespaces/shop/deployments/payments\?fieldManager=kubectl-rollout 200$')" = 1
check "... the template has kubectl.kubernetes.io/restartedAt (RFC 3339) and the generation went up" dep payments \
	'(.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9:]+)$"))
	 and .metadata.generation > 2'
K rollout status deploy/payments --timeout=60s
check "kubectl rollout status deploy/payments --timeout=60s (rc $KRC): $(tail -n 1 "$T/out")" sh -c \
	"[ $KRC = 0 ] && tail -n 1 '$T/out' | grep -qx 'deployment \"payments\" successfully rolled out'"
check "... it watched the one Deployment (watch=true, fieldSelector=metadata.name=payments)" sh -c \
	"grep -E '^GET /apis/apps/v1/namespaces/shop/deployments\?[^ ]*watch=true[^ ]* 200$' '$K8S_REQUEST_LOG' | grep -q 'fieldSelector=metadata.name%3Dpayments'"
rs_json >"$T/rs1.json"
check "... a new ReplicaSet at revision 3, with a new pod-template-hash, has the 3 replicas; 1 and 2 are at 0" jqt '
	(map(select(.metadata.annotations["deployment.kubernetes.io/revision"] == "3")) | length == 1
	   and .[0].spec.replicas == 3 and .[0].status.readyReplicas == 3
	   and (.[0].metadata.labels["pod-template-hash"] as $h | .[0].metadata.name == "payments-" + $h)
	   and .[0].spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] != null)
	and (map(select(.metadata.annotations["deployment.kubernetes.io/revision"] != "3") | .spec.replicas) == [0, 0])
	and (map(.metadata.labels["pod-template-hash"]) | unique | length == 3)' "$T/rs1.json"
check "... the Deployment is at revision 3, Available and Progressing NewReplicaSetAvailable" dep payments '
	.metadata.annotations["deployment.kubernetes.io/revision"] == "3"
	and any(.status.conditions[]; .type == "Available" and .status == "True" and .reason == "MinimumReplicasAvailable")
	and any(.status.conditions[]; .type == "Progressing" and .status == "True" and .reason == "NewReplicaSetAvailable")'
api '/api/v1/namespaces/shop/pods?labelSelector=app%3Dpayments'
new_hash=$(jq -r 'map(select(.metadata.annotations["deployment.kubernetes.io/revision"] == "3"))[0].metadata.labels["pod-template-hash"]' "$T/rs1.json")
check "... the payments pods all carry the new hash $new_hash" jqt \
	'[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.labels["pod-template-hash"]] | . == [$h, $h, $h]' \
	"$T/body" --arg h "$new_hash"
K rollout history deploy/payments
check "kubectl rollout history deploy/payments: revisions 1 2 3" sh -c \
	"[ \"\$(awk '\$1 ~ /^[0-9]+\$/ { print \$1 }' '$T/out' | tr '\n' ' ')\" = '1 2 3 ' ] && grep -q '^REVISION *CHANGE-CAUSE' '$T/out'"

# ---- rollout undo ----------------------------------------------------------------------
K rollout undo deploy/payments
check "kubectl rollout undo deploy/payments: $(cat "$T/out" "$T/err")" out_has "deployment.apps/payments rolled back"
check "... as a JSON patch of /spec/template and /metadata/annotations" \
	test "$(log_count '^PATCH /apis/apps/v1/namespaces/shop/deployments/payments(\?[^ ]*)? 200$')" = 2
K rollout status deploy/payments --timeout=60s
check "... rollout status: successfully rolled out (rc $KRC)" sh -c "[ $KRC = 0 ] && grep -q 'successfully rolled out' '$T/out'"
check "... back to revision 2's template: image 1.4.2, no restartedAt; revision annotation 4" dep payments '
	.spec.template.spec.containers[0].image == "registry.local/shop/payments:1.4.2"
	and (.spec.template.metadata.annotations // {} | has("kubectl.kubernetes.io/restartedAt") | not)
	and .metadata.annotations["deployment.kubernetes.io/revision"] == "4"'
rs_json >"$T/rs2.json"
old2=$(jq -r 'map(select(.metadata.annotations["deployment.kubernetes.io/revision"] == "2"))[0].metadata.name' "$T/rs0.json")
check "... the ReplicaSet of revision 2 ($old2) is reused: revision 4, revision-history 2, 3 replicas" jqt '
	map(select(.metadata.name == $n))[0] | .metadata.annotations["deployment.kubernetes.io/revision"] == "4"
	and .metadata.annotations["deployment.kubernetes.io/revision-history"] == "2" and .spec.replicas == 3' \
	"$T/rs2.json" --arg n "$old2"
K rollout history deploy/payments
check "... history: 1 3 4" test "$(awk '$1 ~ /^[0-9]+$/ { print $1 }' "$T/out" | tr '\n' ' ')" = "1 3 4 "
K rollout undo deploy/payments --to-revision=1
check "kubectl rollout undo --to-revision=1: $(cat "$T/out" "$T/err")" out_has "rolled back"
K rollout status deploy/payments --timeout=60s
check "... rolled out: image 1.4.1, revision 5" sh -c "[ $KRC = 0 ] &&
	kubectl get deploy payments -o json | jq -en 'input | .spec.template.spec.containers[0].image == \"registry.local/shop/payments:1.4.1\"
		and .metadata.annotations[\"deployment.kubernetes.io/revision\"] == \"5\" and .status.readyReplicas == 3' >/dev/null"
K rollout undo deploy/payments --to-revision=9
check "undo to a revision that does not exist fails as kubectl says: $(cat "$T/err")" sh -c \
	"[ $KRC != 0 ] && grep -q 'unable to find specified revision 9 in history' '$T/err'"

# ---- statefulset -------------------------------------------------------------------------
K scale statefulset/ledger --replicas=2
check "kubectl scale statefulset/ledger --replicas=2: $(cat "$T/out" "$T/err")" out_has "statefulset.apps/ledger scaled"
ledger_two() {
	kubectl get pods -l app=ledger -o json | jq -en 'input | [.items[].metadata.name] == ["ledger-0", "ledger-1"]' >/dev/null &&
		kubectl get sts ledger -o json | jq -en 'input | .status.replicas == 2 and .status.readyReplicas == 2
			and .status.currentRevision == .status.updateRevision' >/dev/null
}
check "... ledger-2 goes (the highest ordinal), ledger-0 and ledger-1 stay; status 2 ready" wait_for 20 ledger_two
K get sts ledger
check "... kubectl get sts: READY 2/2" grep -q '^ledger *2/2 ' "$T/out"

# ---- errors as kubectl prints them ----------------------------------------------------------
K get deploy nope
check "unknown deployment: rc 1, $(cat "$T/err")" sh -c \
	"[ $KRC = 1 ] && grep -qx 'Error from server (NotFound): deployments.apps \"nope\" not found' '$T/err'"
api /apis/apps/v1/namespaces/shop/deployments/nope
check "... the Status object ($(show))" jqt '. == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
	"message": "deployments.apps \"nope\" not found", "reason": "NotFound",
	"details": {"name": "nope", "group": "apps", "kind": "deployments"}, "code": 404}' "$T/body"
kubectl get deploy users -o json >"$T/users.json"
K scale deploy/users --replicas=3
K replace --validate=false -f "$T/users.json"
check "replace with a stale resourceVersion: 409 ($(cat "$T/err"))" sh -c "[ $KRC = 1 ] &&
	grep -q 'Error from server (Conflict): .*Operation cannot be fulfilled on deployments.apps \"users\": the object has been modified; please apply your changes to the latest version and try again' '$T/err'"
api /openapi/v2
check "/openapi/v2: 404 Status (kubectl validation falls back)" sh -c "[ \"\$(cat '$T/code')\" = 404 ] && jq -en 'input | .reason == \"NotFound\"' '$T/body' >/dev/null"

# ---- paging ------------------------------------------------------------------------------------
K get pods -A --no-headers
sort "$T/out" | awk '{ print $1, $2 }' >"$T/all.txt"
PAGE='^GET /api/v1/pods\?(continue=[A-Za-z0-9_-]+&)?limit=2 200$'
before=$(log_count "$PAGE")
K get pods -A --chunk-size=2 --no-headers
sort "$T/out" | awk '{ print $1, $2 }' >"$T/chunked.txt"
pages=$(( $(log_count "$PAGE") - before ))
check "kubectl get pods -A --chunk-size=2: the same $(wc -l <"$T/all.txt") pods as without paging, in $pages pages" sh -c \
	"[ -s '$T/all.txt' ] && cmp -s '$T/all.txt' '$T/chunked.txt' && [ $pages -ge 7 ] && [ $pages -eq \$(( (\$(wc -l <'$T/all.txt') + 1) / 2 )) ]"
check "... the pages after the first carried continue tokens" sh -c \
	"[ \$(grep -cE '^GET /api/v1/pods\?continue=[A-Za-z0-9_-]+&limit=2 200$' '$K8S_REQUEST_LOG') -ge 6 ]"
api '/api/v1/pods?limit=1'
check "limit=1: one item, a continue token, remainingItemCount" jqt \
	'(.items | length) == 1 and (.metadata.continue | length) > 10 and .metadata.remainingItemCount >= 10' "$T/body"
api '/api/v1/pods?limit=1&continue=bm90IGEgdG9rZW4'
check "a forged continue token: 400 BadRequest ($(show))" sh -c \
	"[ \"\$(cat '$T/code')\" = 400 ] && jq -en 'input | .reason == \"BadRequest\" and (.message | startswith(\"continue key is not valid\"))' '$T/body' >/dev/null"

# ---- every kubeconfig user ------------------------------------------------------------------------
# whoami CONTEXT USER : kubectl --context CONTEXT reaches the server as USER
whoami_is() { [ "$(kubectl --context "$1" auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)" = "$2" ]; }
# kubectl learnt `auth whoami` in 1.26 and client.authentication.k8s.io/v1 in
# 1.22; Debian's kubernetes-client is 1.20
minor=$(kubectl version --client -o json 2>/dev/null | jq -r '.clientVersion.minor' | tr -dc 0-9)
have_whoami=0 have_exec_v1=0
[ "${minor:-0}" -ge 26 ] && have_whoami=1
[ "${minor:-0}" -ge 22 ] && have_exec_v1=1
[ $have_whoami = 1 ] || echo "# kubectl 1.$minor has no auth whoami: users proven by access only"
for ctx in token:opsdeck-admin token-file:opsdeck-admin cert:opsdeck-admin cert-data:opsdeck-admin exec:opsdeck-exec \
	exec-v1beta1:opsdeck-exec viewer:opsdeck-viewer; do
	c=${ctx%%:*} u=${ctx#*:}
	if [ "$c" = exec ] && [ $have_exec_v1 = 0 ]; then
		echo "# kubectl 1.$minor knows no client.authentication.k8s.io/v1: context exec not tried"
		continue
	fi
	calls0=$( (wc -l <"$T/k8s/exec-plugin.calls") 2>/dev/null || echo 0)
	K --context "$c" get ns -o name
	check "kubectl --context $c get ns (rc $KRC)" sh -c "[ $KRC = 0 ] && grep -qx namespace/shop '$T/out' && grep -qx namespace/ops '$T/out'"
	if [ $have_whoami = 1 ]; then
		check "... kubectl --context $c auth whoami: $u" whoami_is "$c" "$u"
	fi
	case $c in exec*)
		ver=v1
		[ "$c" = exec-v1beta1 ] && ver=v1beta1
		check "... the exec plugin ran, asked for $ver" sh -c \
			"[ \$(wc -l <'$T/k8s/exec-plugin.calls') -gt $calls0 ] && tail -n 1 '$T/k8s/exec-plugin.calls' | grep -qx $ver" ;;
	esac
done
kubectl --context cert auth whoami -o json >"$T/who.json" 2>/dev/null
[ $have_whoami = 1 ] && check "the client certificate's O is a group (system:masters)" jqt \
	'.status.userInfo.groups == ["system:masters", "system:authenticated"]' "$T/who.json"

# ---- 401 and 403 -------------------------------------------------------------------------------------
K --token=wrong get deploy
check "a wrong token: rc 1, $(cat "$T/err")" sh -c "[ $KRC = 1 ] && grep -q 'error: You must be logged in to the server (Unauthorized)' '$T/err'"
code=$(curl -s --cacert "$K8S_CA" -o "$T/body" -w '%{http_code}' "$K8S_URL/api/v1/namespaces")
check "no credentials: 401 Status ($code $(cat "$T/body"))" sh -c "[ $code = 401 ] &&
	jq -en 'input | . == {\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}' '$T/body' >/dev/null"
code=$(curl -s --cacert "$K8S_CA" -u admin:admin -o /dev/null -w '%{http_code}' "$K8S_URL/api/v1/namespaces")
check "basic auth is not a credential here: $code" test "$code" = 401
code=$(curl -s --cacert "$K8S_CA" --cert "$T/k8s/server.crt" --key "$T/k8s/server.key" -o /dev/null -w '%{http_code}' "$K8S_URL/api/v1/namespaces")
check "a certificate without clientAuth is refused in the handshake or 401 (got ${code})" test "$code" != 200
writes_before=$(log_count '^(POST|PUT|PATCH|DELETE) ')
replicas=$(kubectl get deploy payments -o jsonpath='{.spec.replicas}')
K --context viewer scale deploy/payments --replicas=5
check "read-only token, kubectl scale: rc 1, $(cat "$T/err")" sh -c "[ $KRC = 1 ] && grep -qx 'Error from server (Forbidden): deployments.apps \"payments\" is forbidden: User \"opsdeck-viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop\"' '$T/err'"
check "... the one write that arrived was refused: PATCH .../scale 403" sh -c "
	[ \$(( \$(grep -cE '^(POST|PUT|PATCH|DELETE) ' '$K8S_REQUEST_LOG') - $writes_before )) = 1 ] &&
	tail -n 20 '$K8S_REQUEST_LOG' | grep -qE '^PATCH /apis/apps/v1/namespaces/shop/deployments/payments/scale(\?[^ ]*)? 403$'"
check "... and nothing changed (spec.replicas still $replicas)" dep payments '.spec.replicas == ($r | tonumber)' --arg r "$replicas"
K --context viewer rollout restart deploy/payments
check "read-only token, rollout restart: 403 ($(cat "$T/err"))" sh -c "[ $KRC = 1 ] && grep -q 'cannot patch resource \"deployments\" in API group \"apps\"' '$T/err'"
K --context viewer get deploy payments
check "... the read-only token may read" sh -c "[ $KRC = 0 ] && grep -q '^payments ' '$T/out'"

# ---- watch and expiry, on a second server (compaction every second) --------------------------------------
if tests/stack/k8s.sh start "$T/k8s2" --fail-pods -- --compact-interval 1 --ready-delay 0.3 --backoff 0.5 >"$T/start2.out" 2>&1; then
	ok "a second server with --fail-pods --compact-interval 1"
else
	cat "$T/start2.out"
	not_ok "a second server with --fail-pods --compact-interval 1"
fi
# shellcheck disable=SC1091
. "$T/k8s2/env"
api '/api/v1/namespaces?limit=1'
tok=$(jq -r '.metadata.continue' "$T/body")
api -X POST -H 'Content-Type: application/json' -d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"later"}}' /api/v1/namespaces
check "POST a Namespace: 201 ($(show))" sh -c "[ \"\$(cat '$T/code')\" = 201 ] && jq -en 'input | .kind == \"Namespace\" and .status.phase == \"Active\"' '$T/body' >/dev/null"
expired_410() {
	api "/api/v1/namespaces?limit=1&continue=$tok"
	code_is 410 && jqt '.reason == "Expired" and .code == 410 and (.message | startswith("The provided continue parameter is too old"))
		and (.metadata.continue | length) > 10' "$T/body"
}
wait_for 10 expired_410 >/dev/null
check "the continue token expires once compacted: 410 Expired ($(show))" expired_410
curl -s --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" --max-time 5 \
	"$K8S_URL/api/v1/namespaces?watch=true&resourceVersion=1" >"$T/watch.txt"
check "a watch from a compacted resourceVersion: an ERROR event, 410 Expired ($(head -c 200 "$T/watch.txt"))" jqt \
	'.type == "ERROR" and .object.kind == "Status" and .object.code == 410 and .object.reason == "Expired"
	 and (.object.message | startswith("too old resource version: 1 "))' "$T/watch.txt"
curl -s --cacert "$K8S_CA" -H "Authorization: Bearer $K8S_TOKEN" --max-time 10 \
	"$K8S_URL/api/v1/namespaces?watch=1&timeoutSeconds=2" >"$T/watch.txt"
check "watch with resourceVersion unset: ADDED for each namespace, ended by timeoutSeconds" sh -c \
	"jq -sc 'map(.type + \" \" + .object.metadata.name)' '$T/watch.txt' | grep -qx '\[\"ADDED default\",\"ADDED kube-system\",\"ADDED later\",\"ADDED shop\"\]'"
# the failing pods, as kubectl shows them
pod_states() { kubectl --context token get pods -n shop --no-headers | awk '{ print $3 }' | sort -u | tr '\n' ' '; }
seen_all() {
	local s
	s=$(pod_states)
	SEEN="$SEEN $s"
	case $SEEN in *ImagePullBackOff*) ;; *) return 1 ;; esac
	case $SEEN in *CrashLoopBackOff*) ;; *) return 1 ;; esac
	case $SEEN in *OOMKilled*) ;; *) return 1 ;; esac
}
SEEN=
check "--fail-pods: ImagePullBackOff, CrashLoopBackOff and OOMKilled pods" wait_for 20 seen_all
K get pods -n shop -l app=recommendations -o json
check "... a crash-looping pod: restartCount and lastState.terminated Error exit 1" jqt \
	'all(.items[]; .status.containerStatuses[0].restartCount >= 1 and .status.containerStatuses[0].lastState.terminated.reason == "Error"
	 and .status.containerStatuses[0].lastState.terminated.exitCode == 1)' "$T/out"
K rollout status deploy/search --timeout=20s
check "kubectl rollout status deploy/search: exceeded its progress deadline ($(cat "$T/err"))" sh -c \
	"[ $KRC = 1 ] && grep -q 'deployment \"search\" exceeded its progress deadline' '$T/err'"
K get events -n shop --field-selector involvedObject.kind=Pod,reason=BackOff
check "BackOff events for the failing pods" sh -c "grep -q 'Back-off restarting failed container' '$T/out' && grep -q 'Back-off pulling image' '$T/out'"

# ---- the end -------------------------------------------------------------------------------------------------
pid=$(cat "$T/k8s/k8s.pid")
tests/stack/k8s.sh stop "$T/k8s" >/dev/null 2>&1
check "k8s.sh stop ends the server and removes env" sh -c \
	"{ ! kill -0 $pid 2>/dev/null || grep -q '^[0-9]* (.*) Z ' /proc/$pid/stat; } && [ ! -e '$T/k8s/env' ]"
check "k8s.sh stop again: idempotent" tests/stack/k8s.sh stop "$T/k8s"
check "no Python traceback in the server logs" sh -c "! grep -l Traceback '$T/k8s/k8s.log' '$T/k8s2/k8s.log'"
echo "# k8sserver.sh took $(awk -v ns="$(( $(date +%s%N) - t0 ))" 'BEGIN { printf "%.1f", ns / 1e9 }') s"
finish
