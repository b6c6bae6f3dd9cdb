#!/usr/bin/env bash
# shellcheck disable=SC2016  # jq programs in single quotes
# `opsdeck snapshot` against the Kubernetes API test server
# (tests/stack/k8s.sh, HTTPS, the shop seeded, failing pods, a 3 s progress
# deadline, 520 more Deployments in namespace bulk):
#   - the shop's workloads as k8s rows: replicas, image tag, revision,
#     namespace, StatefulSet; the failing ones CRIT with their pods'
#     reasons and, past the deadline, the rollout's failure;
#   - lists in pages of 500: the 520 Deployments take two pages, never a
#     request per workload;
#   - namespaces: the context's, --namespace, -A;
#   - every credential kind of the kubeconfig: token, tokenFile, client
#     certificate and key (paths and data), CA (path and data), the exec
#     plugin (run with its env; a 401 on its first token runs it again,
#     once), insecure-skip-tls-verify (shown as TLS unverified), KUBECONFIG
#     as a list merged as kubectl merges it, several contexts;
#   - the exec plugin's token kept until it expires, then renewed (the
#     console in tmux, refreshing every 300 ms, a token good for 2 s);
#   - a dead API server: exit 2 and a message naming the address; a wrong
#     CA: exit 2; credentials over http://: refused before anything is
#     sent; no token in any output, error or log.
# shellcheck disable=SC2317  # functions called through trap and check
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

[ -x "$OPSDECK_BIN" ] || { echo "no opsdeck binary at $OPSDECK_BIN (run make)"; exit 77; }
[ -x tests/stack/k8s.sh ] || [ -f tests/stack/k8s.sh ] || { echo "tests/stack/k8s.sh is missing"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
B=$(cd "$(dirname "$OPSDECK_BIN")" && pwd)/$(basename "$OPSDECK_BIN")

T=$(mktemp -d /tmp/opsdeck-k8s.XXXXXX)
K=$T/k8s
TSOCK=
cleanup() {
	[ -n "$TSOCK" ] && tmux -L "$TSOCK" kill-server 2>/dev/null
	bash tests/stack/k8s.sh stop "$K" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/state LANG=C.UTF-8 TZ=UTC
unset OPSDECK_CONFIG OPSDECK_PROMETHEUS_URL OPSDECK_READ_ONLY OPSDECK_REFRESH KUBECONFIG NO_COLOR
mkdir -p "$HOME"

# 520 more Deployments (no pods: replicas 0), so that a list takes two pages of 500.
python3 - "$T/bulk.json" <<'EOF'
import json, sys
items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bulk"}}]
for i in range(520):
    n = "bulk-%03d" % i
    items.append({"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": n, "namespace": "bulk"},
                  "spec": {"replicas": 0, "selector": {"matchLabels": {"app": n}},
                           "template": {"metadata": {"labels": {"app": n}},
                                        "spec": {"containers": [{"name": "c", "image": "bulk/%s:1.0" % n}]}}}})
json.dump({"kind": "List", "items": items}, open(sys.argv[1], "w"))
EOF

t0=$(date +%s%N)
bash tests/stack/k8s.sh start "$K" --shop --fail-pods -- --progress-deadline 3 --seed "$T/bulk.json" >"$T/start.out" 2>&1
rc=$?
if [ $rc -eq 77 ]; then cat "$T/start.out"; exit 77; fi
if [ $rc -ne 0 ]; then
	not_ok "the Kubernetes test server starts"; sed 's/^/  | /' "$T/start.out"; finish
fi
ok "test server: $(head -1 "$T/start.out")"
set -a
# shellcheck source=/dev/null
. "$K/env"
set +a
LOG=$K8S_REQUEST_LOG
SECRETS=("$K8S_TOKEN" "$K8S_READONLY_TOKEN" "$(cat "$K/exec-token" 2>/dev/null)")

# snap OUT [ARGS...]: a snapshot; RC its status, stdout in OUT, stderr in OUT.err.
snap() {
	local out=$1; shift
	timeout 60 "$B" snapshot --timeout 15s "$@" >"$out" 2>"$out.err"
	RC=$?
}
check_rc() {
	if [ "$RC" -eq "$1" ]; then ok "$3"; else
		not_ok "$3 (exit $RC)"
		echo "  | stdout: $(head -c 600 "$2")"; echo "  | stderr: $(head -c 600 "$2.err")"
	fi
}
jqt() { jq -e "$1" "$2" >/dev/null 2>&1; }
no_secret() {
	local f s
	for f in "$@"; do
		for s in "${SECRETS[@]}"; do
			[ -n "$s" ] && grep -qF -- "$s" "$f" && return 1
		done
	done
	return 0
}

# ---- the shop, through the default context (token) ---------------------------
: >"$LOG"
snap "$T/shop.json" --format json
check_rc 0 "$T/shop.json" "snapshot of the current-context (token) exits 0"
check "payments: k8s, shop, 2/2, version 1.4.2, revision 2" jqt '.screens.overview.services[] | select(.name=="payments") | .runtime | .kind=="k8s" and .context=="token" and .namespace=="shop" and .workload=="Deployment" and .running==2 and .desired==2 and .version=="1.4.2" and .revision=="2" and .restarts==0 and .rollout_state=="completed" and (.deployed_at|type)=="string"' "$T/shop.json"
check "ledger: a StatefulSet, 3/3" jqt '.screens.overview.services[] | select(.name=="ledger") | .runtime | .workload=="StatefulSet" and .running==3 and .desired==3' "$T/shop.json"
check "the six Deployments and ledger are OK" jqt '[.screens.overview.services[] | select(.status=="OK") | .name] | contains(["gateway","orders","payments","inventory","notifications","users","ledger"])' "$T/shop.json"
check "backend: kubernetes token ok" jqt '.backends["kubernetes token"].ok == true' "$T/shop.json"
check "one request per list: deployments, statefulsets, pods with limit=500" \
	bash -c "[ \$(grep -c 'limit=500' '$LOG') -eq 3 ] && grep -q '^GET /apis/apps/v1/namespaces/shop/deployments?limit=500 200' '$LOG'"
check "no request per workload" bash -c "! grep -q 'deployments/' '$LOG'"

# The failing pods: CRIT with their reasons; past the 3 s deadline, failed rollouts.
wait_for 30 bash -c "'$B' snapshot --format json 2>/dev/null | jq -e '[.screens.overview.services[] | select(.runtime.rollout_state==\"failed\")] | length == 3' >/dev/null"
snap "$T/fail.json" --format json
check "search: CRIT, ImagePullBackOff named" jqt '.screens.overview.services[] | select(.name=="search") | .status=="CRIT" and (.runtime.message|test("^(ImagePullBackOff|ErrImagePull): pod search-"))' "$T/fail.json"
# A crash-looping pod is between back-offs most of the time, but restarts
# for a moment in each: ask again until a snapshot catches it waiting.
crashloop_seen() {
	snap "$T/crash.json" --format json
	jqt '.screens.overview.services[] | select(.name=="recommendations") | .status=="CRIT" and (.runtime.message|test("CrashLoopBackOff")) and .runtime.restarts > 0' "$T/crash.json"
}
check "recommendations: CRIT, CrashLoopBackOff, restarts counted" wait_for 30 crashloop_seen
check "reports: CRIT, OOMKilled or its crash loop named" jqt '.screens.overview.services[] | select(.name=="reports") | .status=="CRIT" and (.runtime.message|test("OOMKilled|CrashLoopBackOff"))' "$T/fail.json"
check "past the progress deadline: rollout_state failed with the condition's message" jqt '.screens.overview.services[] | select(.name=="search") | .runtime.rollout_state=="failed" and (.runtime.message|test("timed out progressing"))' "$T/fail.json"
snap "$T/fail.txt" --width 160 --height 30
check "text: the failing rows CRIT with replicas 0/2" bash -c "grep -E '^search +CRIT +0/2' '$T/fail.txt' >/dev/null"

# ---- namespaces and paging ---------------------------------------------------------
: >"$LOG"
snap "$T/all.json" -A --format json
check_rc 0 "$T/all.json" "-A exits 0"
check "-A: collector in ops, 520 bulk Deployments, the shop" jqt '([.screens.overview.services[] | select(.runtime.namespace=="ops")] | length == 1) and ([.screens.overview.services[] | select(.runtime.namespace=="bulk")] | length == 520) and ([.screens.overview.services[] | select(.name=="payments")] | length == 1)' "$T/all.json"
check "-A: Deployments in two pages of 500 (limit, then continue)" \
	bash -c "[ \$(grep -c '^GET /apis/apps/v1/deployments?limit=500' '$LOG') -eq 2 ] && grep -q '^GET /apis/apps/v1/deployments?limit=500&continue=' '$LOG'"
check "-A: 5 requests in all (deployments x2, statefulsets, pods x1 or 2)" bash -c "[ \$(wc -l <'$LOG') -le 6 ]"
snap "$T/ops.json" --namespace ops --format json
check "--namespace ops: only collector" jqt '[.screens.overview.services[].name] == ["collector"]' "$T/ops.json"

# ---- credentials ---------------------------------------------------------------------
for c in token-file cert cert-data viewer; do
	snap "$T/c-$c.json" --context "$c" --format json
	check_rc 0 "$T/c-$c.json" "context $c: exit 0"
	check "context $c: payments 2/2" jqt '.screens.overview.services[] | select(.name=="payments") | .runtime.running==2' "$T/c-$c.json"
done
rm -f "$K/exec-plugin.calls"
snap "$T/c-exec.json" --context exec --format json
check_rc 0 "$T/c-exec.json" "context exec (the stack's plugin): exit 0"
check "the exec plugin ran once" bash -c "[ \$(wc -l <'$K/exec-plugin.calls') -eq 1 ]"

# An exec plugin whose first token is wrong: 401, run again, once.
cat >"$T/plugin.sh" <<EOF
#!/bin/sh
n=\$(( \$(cat "$T/plugin.runs" 2>/dev/null || echo 0) + 1 ))
echo \$n >"$T/plugin.runs"
printf '%s\n' "\$KUBERNETES_EXEC_INFO" >"$T/plugin.info"
if [ \$n -eq 1 ]; then tok=not-the-token; else tok=\$(cat "\$TOKEN_FILE"); fi
exp=\$(date -u -d "+\${TTL:-3600} seconds" +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "\$tok" "\$exp"
EOF
chmod +x "$T/plugin.sh"
plugin_kubeconfig() { # TTL
	cat >"$T/exec.yaml" <<EOF
apiVersion: v1
kind: Config
current-context: mine
clusters:
- name: c
  cluster: {server: "$K8S_URL", certificate-authority: "$K8S_CA"}
users:
- name: p
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $T/plugin.sh
      args: [--ignored]
      env:
      - {name: TOKEN_FILE, value: "$K/exec-token"}
      - {name: TTL, value: "$1"}
contexts:
- name: mine
  context: {cluster: c, user: p, namespace: shop}
EOF
}
plugin_kubeconfig 3600
rm -f "$T/plugin.runs"
: >"$LOG"
KUBECONFIG=$T/exec.yaml snap "$T/p401.json" --format json
check_rc 0 "$T/p401.json" "exec plugin, first token refused: exit 0"
check "exec plugin: ran twice (once more after the 401)" bash -c "[ \$(cat '$T/plugin.runs') -eq 2 ]"
check "exec plugin: 401s, then the pages again" bash -c "grep -q ' 401\$' '$LOG' && [ \$(grep -c 'limit=500 200\$' '$LOG') -eq 3 ]"
check "exec plugin: KUBERNETES_EXEC_INFO names its apiVersion, not interactive" \
	grep -q '"apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}' "$T/plugin.info"

# KUBECONFIG as a list: the first file's current-context, contexts of both.
cat >"$T/first.yaml" <<EOF
apiVersion: v1
kind: Config
current-context: cert
contexts:
- name: token
  context: {cluster: nowhere, user: nobody}
EOF
KUBECONFIG="$T/first.yaml:$K/kubeconfig" snap "$T/merged.json" --format json
check_rc 0 "$T/merged.json" "KUBECONFIG=a:b: exit 0"
check "KUBECONFIG=a:b: the first file's current-context (cert)" jqt '.backends | has("kubernetes cert")' "$T/merged.json"
KUBECONFIG="$T/first.yaml:$K/kubeconfig" snap "$T/merged2.json" --context token --format json
check "KUBECONFIG=a:b: the first file's context of a name wins (token -> nowhere)" \
	bash -c "[ $RC -ne 0 ] && grep -q nowhere '$T/merged2.json.err'"

snap "$T/two.json" --context token --context cert-data --format json
check_rc 0 "$T/two.json" "two contexts: exit 0"
# The context that answers first keeps the plain name; the other's is qualified with @CONTEXT.
check "two contexts: two backends, payments and payments@ the other context" jqt '(.backends|keys) == ["kubernetes cert-data","kubernetes token"] and ([.screens.overview.services[].name | select(startswith("payments"))] | sort | . == ["payments","payments@cert-data"] or . == ["payments","payments@token"])' "$T/two.json"

# insecure-skip-tls-verify: no CA, still connects, and says so
sed -e 's|certificate-authority: .*|insecure-skip-tls-verify: true|' "$K/kubeconfig" | grep -v 'certificate-authority-data' >"$T/insecure.yaml"
KUBECONFIG=$T/insecure.yaml snap "$T/ins.txt" --width 200 --height 12
check_rc 0 "$T/ins.txt" "insecure-skip-tls-verify: exit 0"
check "insecure-skip-tls-verify: 'TLS unverified' on the status line" bash -c "tail -1 '$T/ins.txt' | grep -q 'kubernetes token (TLS unverified) ok'"

# a CA that is not the server's: TLS fails, exit 2
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" -out "$T/other.crt" -days 1 -subj /CN=other >/dev/null 2>&1
sed -e "s|certificate-authority: .*|certificate-authority: $T/other.crt|" "$K/kubeconfig" >"$T/wrongca.yaml"
KUBECONFIG=$T/wrongca.yaml snap "$T/wrongca.json" --format json
check_rc 2 "$T/wrongca.json" "a CA that did not sign the server: exit 2"
check "a CA that did not sign the server: a TLS error" jqt '.backends["kubernetes token"].error | test("TLS|certificate|SSL"; "i")' "$T/wrongca.json"

# ---- failures --------------------------------------------------------------------------
DEAD=$(free_port)
sed -e "s|$K8S_URL|https://127.0.0.1:$DEAD|" "$K/kubeconfig" >"$T/dead.yaml"
KUBECONFIG=$T/dead.yaml snap "$T/dead.json" --format json
check_rc 2 "$T/dead.json" "a dead API server: exit 2"
check "a dead API server: the message names the address and the context" jqt '.backends["kubernetes token"].error | test("cannot connect to https://127.0.0.1:[0-9]+ .*context .token.")' "$T/dead.json"
KUBECONFIG=$T/dead.yaml snap "$T/dead.txt" --width 200 --height 10
check "a dead API server: the text status line says so" bash -c "tail -1 '$T/dead.txt' | grep -q 'kubernetes token, no data yet: cannot connect'"

HTTPPORT=$(free_port)
sed -e "s|$K8S_URL|http://127.0.0.1:$HTTPPORT|" "$K/kubeconfig" >"$T/http.yaml"
python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); s.settimeout(20)
try:
    c, _ = s.accept(); open(sys.argv[2], "w").write("connected")
except Exception: pass' "$HTTPPORT" "$T/http.hit" &
LPID=$!
KUBECONFIG=$T/http.yaml snap "$T/http.json" --format json
check_rc 1 "$T/http.json" "a token over plain http://: refused, exit 1"
check "a token over plain http://: the message says why" grep -q 'plain http://' "$T/http.json.err"
kill $LPID 2>/dev/null; wait $LPID 2>/dev/null
check "a token over plain http://: nothing connected" test ! -e "$T/http.hit"

KUBECONFIG=$K/kubeconfig snap "$T/nope.json" --context nope
check_rc 1 "$T/nope.json" "an unknown context: exit 1"
check "an unknown context: the known ones are listed" grep -q '"cert-data"' "$T/nope.json.err"

check "no token in any output or error" no_secret "$T"/*.json "$T"/*.err "$T"/*.txt

# ---- the exec plugin's expiry, in the console ---------------------------------------
if command -v tmux >/dev/null; then
	plugin_kubeconfig 2
	echo 1 >"$T/plugin.runs" # the first token is the good one
	TSOCK=opsdeck-k8s-int-$$
	export TMUX_TMPDIR=$T
	tmux -L "$TSOCK" new-session -d -s t -x 160 -y 20 \
		"KUBECONFIG=$T/exec.yaml '$B' --refresh 300ms --debug-log '$T/debug.log'; sleep 30"
	wait_for 20 bash -c "tmux -L '$TSOCK' capture-pane -p -t t | tail -1 | grep -q 'kubernetes mine ok'"
	s0=$(date +%s)
	check "expiry: the plugin runs again once its token expired" wait_for 20 bash -c "[ \$(cat '$T/plugin.runs') -ge 5 ]"
	runs=$(($(cat "$T/plugin.runs") - 1))
	secs=$(($(date +%s) - s0 + 2))
	# a token good for 1-2 s, rounds every 300 ms: once per expiry, not once per round
	check "expiry: $runs runs in ${secs}s of 300 ms rounds (kept until it expires)" [ "$runs" -le "$secs" ]
	check "expiry: still ok" bash -c "tmux -L '$TSOCK' capture-pane -p -t t | tail -1 | grep -q 'kubernetes mine ok'"
	tmux -L "$TSOCK" send-keys -t t q
	check "expiry: no token in the debug log" no_secret "$T/debug.log"
else
	echo "# tmux missing: the expiry check in the console is skipped"
fi
echo "# timing: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
finish
