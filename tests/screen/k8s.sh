#!/usr/bin/env bash
# Kubernetes actions end to end: the real binary in tmux against the
# Kubernetes API test server (tests/stack/k8s.sh --shop), kubectl as the
# referee.  The Overview lists the shop's workloads as k8s rows; S scales
# payments 2 -> 3 through the count prompt and the confirmation; R
# restarts it (kubectl sees the restartedAt annotation and a new
# revision); after an image update done with kubectl, B rolls it back to
# the previous revision's template (kubectl rollout undo's result); B on
# the StatefulSet ledger is refused before any dialog; the audit log has
# one line per attempt and no token; each action prints a "# timing:"
# line (from the confirming key to "done" on screen).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v kubectl >/dev/null || { echo "kubectl is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/k8s.sh" ] || { echo "tests/stack/k8s.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-k8sscr.XXXXXX)
K=$T/k8s
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
# No Docker: the rows are Kubernetes' alone.
printf '[docker]\nhost =\n' >"$XDG_CONFIG_HOME/opsdeck/config.ini"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-k8s-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/k8s.sh" stop "$K" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

bash "$ROOT/tests/stack/k8s.sh" start "$K" --shop -- --ready-delay 0.3 --grace 0.3 >"$T/k8s.log" 2>&1
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

kc() { kubectl --request-timeout=10s -n shop "$@"; }
dep() { kc get deploy payments -o json | jq -r "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
status_has() { screen | tail -1 | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
filter_to() {
	keys / C-u "$1" Enter
	wait_for 20 hasE "1 of [0-9]+ services /$1/" && wait_for 10 hasE "^$1 "
}
col() { screen | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'; }
col_is() { [ "$(col "$1" "$2")" = "$3" ]; }
last_audit_is() { # SERVICE ACTION RESULT
	tail -n 1 "$AUDIT" 2>/dev/null | jq -e --arg s "$1" --arg a "$2" --arg r "$3" \
		'.service == $s and .action == $a and .result == $r and .runtime == "k8s" and .context == "token"' >/dev/null
}
timing() { # timing WHAT T0_MS
	echo "# timing: $1: $(($(now_ms) - $2)) ms from the confirming key to 'done' on screen ($(screen | tail -1 | grep -o 'done in [^ ]*'))"
}

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 140 -y 40 \
	"'$OPSDECK_BIN' --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

check "the Overview lists the shop's workloads as k8s rows (six Deployments 2/2, ledger 3/3)" \
	wait_for 60 bash -c "$(declare -f screen); s=\$(screen);
	for r in 'gateway +OK +2/2 ' 'orders +OK +2/2 ' 'payments +OK +2/2 ' 'inventory +OK +2/2 ' \
		'notifications +OK +2/2 ' 'users +OK +2/2 ' 'ledger +OK +3/3 '; do
		grep -Eq \"^\$r.* k8s\" <<<\"\$s\" || exit 1; done"
check "the status line says kubernetes token ok" \
	wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'kubernetes token ok [0-9]+ms'"
check "payments shows its version 1.4.2" hasE '^payments .* 1\.4\.2 '

# ---- S: scale payments 2 -> 3 --------------------------------------------------------------
filter_to payments
keys S
wait_for 20 has "Scale payments to how many replicas?"
keys 3 Enter
check "S 3 Enter opens the dialog with the exact change" \
	wait_for 20 has "payments — k8s @ token — replicas 2 → 3"
t0=$(now_ms)
keys y
if wait_for 60 status_has "payments: scale done"; then
	ok "y scales payments: the status line says scale done"
	timing "scale payments 2→3" "$t0"
else
	not_ok "y scales payments: the status line says scale done"
	screen | tail -3
fi
check "kubectl: spec.replicas 3, 3 ready" \
	test "$(dep '"\(.spec.replicas) \(.status.readyReplicas)"')" = "3 3"
check "the row shows 3/3" wait_for 20 col_is payments 3 3/3
check "audit: scale succeeded, 2 -> 3" bash -c "$(declare -f last_audit_is); last_audit_is payments scale succeeded && tail -1 '$AUDIT' | jq -e '.before == \"2\" and .after == \"3\"' >/dev/null"

# ---- R: restart payments ----------------------------------------------------------------------
pods_before=$(kc get pods -l app=payments -o name | sort)
rev0=$(dep '.metadata.annotations["deployment.kubernetes.io/revision"]')
keys R
check "R opens the dialog: a rolling restart of 3 instances" \
	wait_for 20 has "payments — k8s @ token — rolling restart of 3 instances"
t0=$(now_ms)
keys y
busy=0
wait_for 20 hasE '^payments +BUSY ' && busy=1
if wait_for 90 status_has "payments: restart done"; then
	ok "R y restarts payments: the status line says restart done"
	timing "restart payments (3 pods)" "$t0"
else
	not_ok "R y restarts payments: the status line says restart done"
	screen | tail -3
fi
check "the row showed BUSY during the restart" test "$busy" = 1
restarted_at=$(dep '.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]')
check "kubectl: the pod template has kubectl.kubernetes.io/restartedAt ($restarted_at)" \
	bash -c "[[ '$restarted_at' =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z$ ]]"
check "kubectl: a new revision ($rev0 -> $((rev0 + 1)))" \
	test "$(dep '.metadata.annotations["deployment.kubernetes.io/revision"]')" = $((rev0 + 1))
check "kubectl: the rollout is complete (3 updated, 3 available)" \
	test "$(dep '"\(.status.updatedReplicas) \(.status.availableReplicas) \(.status.observedGeneration == .metadata.generation)"')" = "3 3 true"
pods_after=$(kc get pods -l app=payments -o name | sort)
check "kubectl: every pod was replaced" \
	test -z "$(comm -12 <(echo "$pods_before") <(echo "$pods_after"))" -a "$(echo "$pods_after" | grep -c .)" = 3
check "audit: restart succeeded" last_audit_is payments restart succeeded

# ---- B: an image update with kubectl, rolled back -----------------------------------------------
kc set image deploy/payments payments=registry.local/shop/payments:1.5.0 >"$T/set-image.log" 2>&1 || cat "$T/set-image.log"
kc rollout status deploy/payments --timeout=60s >/dev/null 2>&1
check "the outside update shows as version 1.5.0" wait_for 30 hasE '^payments .* 1\.5\.0 '
rev1=$(dep '.metadata.annotations["deployment.kubernetes.io/revision"]')
keys B
check "B opens the dialog: version 1.5.0 (revision $rev1) → previous" \
	wait_for 20 has "payments — k8s @ token — version 1.5.0 (revision $rev1) → previous"
t0=$(now_ms)
keys y
if wait_for 90 status_has "payments: rollback done"; then
	ok "B y rolls payments back: the status line says rollback done"
	timing "rollback payments" "$t0"
else
	not_ok "B y rolls payments back: the status line says rollback done"
	screen | tail -3
fi
check "kubectl: the image is back to 1.4.2" \
	test "$(dep '.spec.template.spec.containers[0].image')" = registry.local/shop/payments:1.4.2
check "kubectl: the template is the restarted one again (its restartedAt)" \
	test "$(dep '.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]')" = "$restarted_at"
check "kubectl: the revision moved on ($rev1 -> $((rev1 + 1))), as kubectl rollout undo makes it" \
	test "$(dep '.metadata.annotations["deployment.kubernetes.io/revision"]')" = $((rev1 + 1))
check "kubectl: the rollout is complete" \
	test "$(dep '"\(.status.updatedReplicas) \(.status.availableReplicas)"')" = "3 3"
check "the row shows version 1.4.2 again" wait_for 30 hasE '^payments .* 1\.4\.2 '
check "audit: rollback succeeded" last_audit_is payments rollback succeeded

# ---- B on a StatefulSet: refused before any dialog -------------------------------------------------
filter_to ledger
keys B
check "B on ledger is refused, naming kubectl rollout undo statefulset/ledger" \
	wait_for 20 status_has "kubectl rollout undo statefulset/ledger"
check "no dialog opened for ledger" lacks "y confirm"
check "audit: the ledger rollback refused" \
	bash -c "tail -1 '$AUDIT' | jq -e '.service == \"ledger\" and .action == \"rollback\" and .result == \"refused\"' >/dev/null"

keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"

# ---- what left the process ------------------------------------------------------------------------
check "the audit log: one valid JSON line per attempt (scale, restart, rollback, refused rollback)" \
	test "$(jq -r -c '[.service, .action, .result] | join(" ")' "$AUDIT" | tr '\n' ';')" \
	= "payments scale succeeded;payments restart succeeded;payments rollback succeeded;ledger rollback refused;"
check "opsdeck sent three PATCHes: the scale subresource, then the Deployment twice" \
	test "$(grep -o ' PATCH [^ ]*' "$T/debug.log" | sed 's|https://[^/]*||' | tr '\n' ';')" \
	= " PATCH /apis/apps/v1/namespaces/shop/deployments/payments/scale; PATCH /apis/apps/v1/namespaces/shop/deployments/payments; PATCH /apis/apps/v1/namespaces/shop/deployments/payments;"
check "no token in the audit log, the debug log or on screen" \
	bash -c "! grep -qF '$K8S_TOKEN' '$AUDIT' '$T/debug.log' && ! tmux -L '$SOCK' capture-pane -p -t t | grep -qF '$K8S_TOKEN'"
finish
