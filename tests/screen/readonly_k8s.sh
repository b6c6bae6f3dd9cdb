#!/usr/bin/env bash
# --read-only against the Kubernetes API test server (tests/stack/k8s.sh
# --shop, all namespaces): every screen loads (Overview, a Deployment's and
# the StatefulSet's detail, help; logs, traces and topology say what they
# need); every action
# key (S, R, B) and every mutating ":" command answers "read-only: actions
# are disabled", is audited as refused and opens no prompt or dialog;
# nothing changes at the server (kubectl: replicas, generation and
# revision of every workload) and the server's request log holds no
# PATCH, PUT, POST or DELETE from the whole session; the debug log only
# GETs.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v kubectl >/dev/null || { echo "kubectl is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/k8s.sh" ] || { echo "tests/stack/k8s.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-rok8s.XXXXXX)
K=$T/k8s
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
printf '[docker]\nhost =\n' >"$XDG_CONFIG_HOME/opsdeck/config.ini"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-readonly-k8s-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/k8s.sh" stop "$K" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

bash "$ROOT/tests/stack/k8s.sh" start "$K" --shop >"$T/k8s.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	tail -1 "$T/k8s.log"
	exit 77
elif [ "$rc" -ne 0 ]; then
	cat "$T/k8s.log"
	not_ok "the Kubernetes test server starts"
	finish
fi
set -a
. "$K/env"
set +a

# Every workload's replicas, generation and revision, one line each.
state() {
	kubectl --request-timeout=10s get deploy,sts -A -o json |
		jq -r '.items[] | "\(.kind) \(.metadata.namespace)/\(.metadata.name) \(.spec.replicas) \(.metadata.generation) \(.metadata.annotations["deployment.kubernetes.io/revision"] // .status.updateRevision) \(.spec.template.metadata.annotations // {} | tostring)"' | sort
}
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
audit_count() { if [ -f "$AUDIT" ]; then grep -c . "$AUDIT"; else echo 0; fi; }
refused_after() {
	screen | tail -1 | grep -q "read-only: actions are disabled" && [ "$(audit_count)" = "$1" ]
}
no_dialog() { lacks "y confirm" && lacks "how many replicas" && lacks "type the service name"; }
title_has() { screen | head -1 | grep -q -- "$1"; }
jq_ok() { jq "$@" >/dev/null; }

before=$(state)
: >"$K8S_REQUEST_LOG"
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 140 -y 40 \
	"'$OPSDECK_BIN' --read-only -A --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

check "read-only: the workloads load (the shop, ledger, collector in ops)" \
	wait_for 60 bash -c "$(declare -f screen); s=\$(screen);
	for r in 'gateway +OK +2/2 ' 'payments +OK +2/2 ' 'users +OK +2/2 ' 'ledger +OK +3/3 ' 'collector +OK +1/1 '; do
		grep -Eq \"^\$r.* k8s\" <<<\"\$s\" || exit 1; done"
check "read-only: the status line says kubernetes token ok" \
	wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'kubernetes token ok [0-9]+ms'"

# Every screen loads.
keys / C-u payments Enter
wait_for 20 hasE "1 of [0-9]+ services /payments/" >/dev/null
keys Enter
check "read-only: the Service detail of payments opens" wait_for 20 title_has "Overview › payments"
keys Escape
keys / C-u ledger Enter
wait_for 20 hasE "1 of [0-9]+ services /ledger/" >/dev/null
keys Enter
check "read-only: the Service detail of ledger opens" wait_for 20 title_has "Overview › ledger"
keys Escape
check "read-only: back on the Overview" wait_for 20 title_has "Overview"
keys '?'
check "read-only: the help opens" wait_for 20 has "opsdeck keys"
keys Escape
# Logs, traces and topology need Elasticsearch and Zipkin, which this
# session lacks: each key says so and the Overview stays.
for k in L:Elasticsearch t:Zipkin T:Zipkin; do
	keys "${k%%:*}"
	check "read-only: '${k%%:*}' says no ${k#*:} is configured, the Overview stays" \
		wait_for 20 bash -c "$(declare -f screen title_has); screen | tail -1 | grep -q 'no ${k#*:} configured' && title_has 'Overview'"
done
keys / C-u payments Enter
wait_for 20 hasE "1 of [0-9]+ services /payments/" >/dev/null
n=0
for k in S R B; do
	keys r
	wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -q refreshing" >/dev/null
	keys "$k"
	n=$((n + 1))
	check "read-only: $k answers \"read-only: actions are disabled\" (and is audited)" \
		wait_for 20 refused_after "$n"
	check "read-only: $k opens no prompt or dialog" no_dialog
done
for c in "scale payments 5" "restart payments" "rollback payments" "scale ledger 1" "restart ledger" "rollback collector"; do
	keys r
	wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -q refreshing" >/dev/null
	keys : "$c" Enter
	n=$((n + 1))
	check "read-only: :$c answers \"read-only: actions are disabled\" (and is audited)" \
		wait_for 20 refused_after "$n"
done
check "read-only: no dialog opened for any command" no_dialog
# a few more rounds: the refusals are not retried behind the screen
rounds=$(grep -c 'deployments?limit=500' "$K8S_REQUEST_LOG")
wait_for 20 bash -c "[ \$(grep -c 'deployments?limit=500' '$K8S_REQUEST_LOG') -ge $((rounds + 2)) ]" >/dev/null

keys q
check "read-only: q quits with status 0" wait_for 20 has "EXITED 0"

check "read-only: kubectl sees every workload unchanged (replicas, generation, revision, template)" \
	test "$(state)" = "$before" -a "$(echo "$before" | grep -c .)" -ge 8
check "read-only: the server logged requests, and not one PATCH, PUT, POST or DELETE" \
	bash -c "grep -q '^GET ' '$K8S_REQUEST_LOG' && ! grep -Eq '^(PATCH|PUT|POST|DELETE) ' '$K8S_REQUEST_LOG'"
check "read-only: the debug log has requests, and every one is a GET" \
	bash -c "grep -q ' GET https://' '$T/debug.log' && ! grep -v '^[^ ]* GET ' '$T/debug.log' | grep -q ."
check "read-only: the audit log has one JSON line per refusal ($n), all refused with the read-only reason" \
	jq_ok -e -R -s --argjson n "$n" 'split("\n") | map(select(length > 0) | fromjson) | length == $n and
	all(.result == "refused" and .error == "read-only: actions are disabled")' "$AUDIT"
check "read-only: the refusals name what was asked" \
	test "$(jq -r -c '[.service, .action] | join(" ")' "$AUDIT" | tr '\n' ';')" \
	= "payments scale;payments restart;payments rollback;payments scale;payments restart;payments rollback;ledger scale;ledger restart;collector rollback;"
finish
