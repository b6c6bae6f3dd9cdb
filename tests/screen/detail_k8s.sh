#!/usr/bin/env bash
# The Service detail of Kubernetes workloads in tmux, against the
# Kubernetes API test server with the shop and its failing Deployments:
# Enter on payments shows its PODS, REVISIONS (the current one and the one
# a rollback goes to) and EVENTS; recommendations, past its progress
# deadline, shows its pods in CrashLoopBackOff, the failed rollout and
# the BackOff Warnings, also at 80x24; the detail's requests (events,
# replicasets, the workload) go out only while it is open; a snapshot of
# the service as JSON carries the pods, revisions and events.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -x "$ROOT/tests/stack/k8s.sh" ] || { echo "no Kubernetes test server"; exit 77; }

T=$(mktemp -d)
K8S=$T/k8s
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
export SOCK=opsdeck-k8sdetail-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/k8s.sh" stop "$K8S" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

"$ROOT/tests/stack/k8s.sh" start "$K8S" --shop --fail-pods >"$T/k8s.log" 2>&1
rc=$?
[ "$rc" -eq 77 ] && { cat "$T/k8s.log"; exit 77; }
if [ "$rc" -ne 0 ]; then
	cat "$T/k8s.log"; not_ok "the Kubernetes test server starts"; finish
fi
. "$K8S/env"
export KUBECONFIG

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# Requests of one kind the server has seen so far.
seen() { grep -c -- "$1" "$K8S_REQUEST_LOG"; }
# From the Overview: filter to NAME, then Enter on it.
open_detail() {
	keys / C-u; keys -l "^$1\$"; keys Enter
	wait_for 10 bash -c "$(declare -f screen has lacks); has '$1' && lacks 'gateway'" || return 1
	keys Enter
}

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --refresh 1s; echo \"EXITED \$?\"; sleep 600"

check "the Overview lists the shop's Deployments" wait_for 20 bash -c "$(declare -f screen has); has payments && has reports"
check "the detail sent no request before it opened" [ "$(seen /events)" -eq 0 ]

open_detail payments
check "Enter on payments opens its detail, in its namespace" wait_for 10 has 'k8s @ .*/shop'
check "payments shows its PODS" wait_for 10 bash -c "$(declare -f screen); screen | grep -Eq 'PODS [0-9]'"
check "its pods are listed by name, Running" wait_for 10 bash -c "$(declare -f screen); screen | grep -E '^ payments-[0-9a-z]+-[0-9a-z]{5} ' | grep -q Running"
check "REVISIONS: the current one and where a rollback (B) goes" wait_for 10 bash -c "$(declare -f screen has); has 'REVISIONS' && has 'current' && has 'rollback (B)'"
check "EVENTS" has 'EVENTS'
check "no other workload's pods" lacks '^ recommendations-'
screen | sed -n '1,20p' | sed 's/^/# /'
check "the detail asks for the namespace's events" wait_for 10 bash -c "[ \$(grep -c /events '$K8S_REQUEST_LOG') -ge 1 ]"
check "the pods by the workload's selector" grep -q 'pods?.*labelSelector=app%3Dpayments' "$K8S_REQUEST_LOG"

keys Escape
check "Esc goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'PODS'"
open_detail recommendations
check "recommendations' pods are in CrashLoopBackOff" wait_for 10 bash -c "$(declare -f screen); screen | grep -E '^ recommendations-' | grep -q CrashLoopBackOff"
check "its rollout failed past the deadline, and why" wait_for 10 bash -c "$(declare -f screen has); has 'rollout failed:' && has 'timed out progressing'"
check "its EVENTS have the BackOff Warnings" wait_for 10 bash -c "$(declare -f screen); screen | grep -E 'Warning +BackOff' | grep -q 'Back-off restarting'"
screen | sed -n '1,24p' | sed 's/^/# /'
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "at 80x24 the pods and the reason still show" wait_for 10 bash -c "$(declare -f screen has); has 'PODS' && has 'CrashLoopBackOff' && has 'EVENTS' && [ \$(screen | wc -L) -le 80 ]"
screen | sed 's/^/# /'

keys Escape
check "Esc goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'PODS'"
before=$(seen /events)
pods=$(seen 'GET /api/v1/namespaces/shop/pods?')
check "the Overview keeps polling" wait_for 10 bash -c "[ \$(grep -c 'GET /api/v1/namespaces/shop/pods?' '$K8S_REQUEST_LOG') -ge $((pods + 2)) ]"
check "no detail request once it is closed" [ "$(seen /events)" -eq "$before" ]
keys q
check "q quits with status 0" wait_for 10 has 'EXITED 0'

OUT=$T/snap.json
"$OPSDECK_BIN" snapshot --screen service:recommendations --format json >"$OUT" 2>"$T/snap.err"
check "a snapshot of recommendations as JSON" [ -s "$OUT" ]
check "it carries the pods, revisions and events" python3 - "$OUT" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["screens"]["service:recommendations"]
assert d["workload"]["kind"] == "Deployment", d.get("workload")
assert any(p["reason"] == "CrashLoopBackOff" for p in d["pods"]), d["pods"]
assert any(r["current"] for r in d["revisions"]), d["revisions"]
assert any(e["type"] == "Warning" and e["reason"] == "BackOff" for e in d["events"]), d["events"]
assert d["rollout"]["state"] == "failed", d["rollout"]
EOF
finish
