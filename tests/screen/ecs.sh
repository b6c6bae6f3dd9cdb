#!/usr/bin/env bash
# Amazon ECS actions end to end: the real binary in tmux against the ECS
# test server (tests/stack/ecs.sh --shop), the AWS CLI as the referee.  The
# Overview lists the shop's services as ecs rows; S scales orders 2 -> 3
# through the count prompt and the confirmation; R forces a new deployment
# (the CLI sees one new PRIMARY deployment, COMPLETED, and every task
# replaced); B rolls orders back from orders:41 to orders:40, the dialog
# naming both; the audit log has one line per action and no secret; each
# action prints a "# timing:" line (from the confirming key to "done" on
# screen).
# shellcheck disable=SC2317  # functions called through check and trap
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x /usr/bin/aws ] || { echo "the AWS CLI (/usr/bin/aws) is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/ecs.sh" ] || { echo "tests/stack/ecs.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-ecsscr.XXXXXX)
E=$T/ecs
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT AWS_PROFILE AWS_SESSION_TOKEN
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
# No Docker, no Kubernetes: the rows are ECS's alone.
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n[ecs]\ncluster = shop\n' \
	>"$XDG_CONFIG_HOME/opsdeck/config.ini"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-ecs-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/ecs.sh" stop "$E" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

bash "$ROOT/tests/stack/ecs.sh" start "$E" --shop -- --start-delay 0.5 --stop-delay 0.3 >"$T/ecs.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	tail -1 "$T/ecs.log"
	exit 77
elif [ "$rc" -ne 0 ]; then
	cat "$T/ecs.log"
	not_ok "the ECS test server starts"
	finish
fi
set -a
# shellcheck source=/dev/null
. "$E/env"
set +a
export AWS_CONFIG_FILE=$ECS_AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE=$ECS_AWS_CREDENTIALS_FILE

awsecs() { /usr/bin/aws ecs --endpoint-url "$ECS_URL" --output json "$@"; }
svc() { awsecs describe-services --cluster shop --services orders | jq -r ".services[0] | $1"; }
task_ids() { awsecs list-tasks --cluster shop --service-name orders | jq -r '.taskArns[]' | sort; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
hasE() { screen | grep -Eq -- "$1"; }
status_has() { screen | tail -1 | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
col() { screen | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'; }
col_is() { [ "$(col "$1" "$2")" = "$3" ]; }
last_audit_is() { # ACTION RESULT BEFORE AFTER
	tail -n 1 "$AUDIT" 2>/dev/null | jq -e --arg a "$1" --arg r "$2" --arg b "$3" --arg f "$4" \
		'.service == "orders" and .action == $a and .result == $r and .runtime == "ecs" and .context == "shop" and .before == $b and .after == $f' >/dev/null
}
timing() { # timing WHAT T0_MS
	echo "# timing: $1: $(($(now_ms) - $2)) ms from the confirming key to 'done' on screen ($(screen | tail -1 | grep -o 'done in [^ ]*'))"
}
steady() { # the CLI's view: one PRIMARY deployment, COMPLETED, running = desired = $1
	[ "$(svc '"\(.desiredCount) \(.runningCount) \(.deployments | length) \(.deployments[0].status) \(.deployments[0].rolloutState)"')" = "$1 $1 1 PRIMARY COMPLETED" ]
}

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 140 -y 40 \
	"'$OPSDECK_BIN' --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

check "the Overview lists the shop's six services as ecs rows, 2/2, with their task definitions" \
	wait_for 60 bash -c "$(declare -f screen); s=\$(screen);
	for r in 'gateway +OK +2/2 .* gateway:18 ' 'orders +OK +2/2 .* orders:41 ' 'payments +OK +2/2 .* payments:14 ' \
		'inventory +OK +2/2 .* inventory:8 ' 'notifications +OK +2/2 ' 'users +OK +2/2 .* users:6 '; do
		grep -Eq \"^\$r.* ecs\" <<<\"\$s\" || exit 1; done"
check "the status line says ecs shop ok" \
	wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'ecs shop ok [0-9]+ms'"

keys / C-u orders Enter
wait_for 20 hasE "1 of [0-9]+ services /orders/" >/dev/null

# ---- S: scale orders 2 -> 3 -----------------------------------------------------------------
keys S
wait_for 20 has "Scale orders to how many replicas?" >/dev/null
keys 3 Enter
check "S 3 Enter opens the dialog with the exact change" \
	wait_for 20 has "orders — ecs @ shop — replicas 2 → 3"
t0=$(now_ms)
keys y
if wait_for 60 status_has "orders: scale done"; then
	ok "y scales orders: the status line says scale done"
	timing "scale orders 2→3" "$t0"
else
	not_ok "y scales orders: the status line says scale done"
	screen | tail -3
fi
check "aws ecs describe-services: desiredCount 3, runningCount 3, one COMPLETED PRIMARY" steady 3
check "the row shows 3/3" wait_for 20 col_is orders 3 3/3
check "audit: scale succeeded, 2 -> 3" last_audit_is scale succeeded 2 3

# ---- R: a new deployment ------------------------------------------------------------------------
tasks_before=$(task_ids)
dep_before=$(svc '.deployments[0].id')
keys R
check "R opens the dialog: a rolling restart of 3 instances" \
	wait_for 20 has "orders — ecs @ shop — rolling restart of 3 instances"
t0=$(now_ms)
keys y
busy=0
wait_for 20 hasE '^orders +BUSY ' && busy=1
if wait_for 90 status_has "orders: restart done"; then
	ok "R y restarts orders: the status line says restart done"
	timing "restart orders (3 tasks)" "$t0"
else
	not_ok "R y restarts orders: the status line says restart done"
	screen | tail -3
fi
check "the row showed BUSY during the restart" test "$busy" = 1
check "aws ecs describe-services: a new PRIMARY deployment ($dep_before -> $(svc '.deployments[0].id')), COMPLETED, 3 of 3" \
	bash -c "$(declare -f awsecs svc steady); steady 3 && [ \"\$(svc '.deployments[0].id')\" != '$dep_before' ]"
check "aws ecs describe-services: still orders:41" \
	test "$(svc '.taskDefinition')" = "arn:aws:ecs:us-east-1:123456789012:task-definition/orders:41"
tasks_after=$(task_ids)
check "aws ecs list-tasks: every task was replaced" \
	bash -c "[ -z \"\$(comm -12 <(echo '$tasks_before') <(echo '$tasks_after'))\" ] && [ \$(echo '$tasks_after' | grep -c .) = 3 ]"
check "audit: restart succeeded" last_audit_is restart succeeded orders:41 orders:41

# ---- B: back to orders:40 -------------------------------------------------------------------------
keys B
check "B opens the dialog: task definition orders:41 → orders:40" \
	wait_for 20 has "orders — ecs @ shop — task definition orders:41 → orders:40"
t0=$(now_ms)
keys y
if wait_for 90 status_has "orders: rollback done"; then
	ok "B y rolls orders back: the status line says rollback done"
	timing "rollback orders:41→orders:40" "$t0"
else
	not_ok "B y rolls orders back: the status line says rollback done"
	screen | tail -3
fi
check "aws ecs describe-services: orders:40, one COMPLETED PRIMARY, 3 of 3" \
	bash -c "$(declare -f awsecs svc steady); steady 3 && [ \"\$(svc '.taskDefinition')\" = arn:aws:ecs:us-east-1:123456789012:task-definition/orders:40 ]"
check "the row shows orders:40" wait_for 20 hasE '^orders .* orders:40 '
check "audit: rollback succeeded, orders:41 -> orders:40" last_audit_is rollback succeeded orders:41 orders:40

keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"

# ---- what left the process ------------------------------------------------------------------------
check "the audit log: one valid JSON line per action (scale, restart, rollback)" \
	test "$(jq -r -c '[.service, .action, .result] | join(" ")' "$AUDIT" | tr '\n' ';')" \
	= "orders scale succeeded;orders restart succeeded;orders rollback succeeded;"
check "the server saw three UpdateService calls, all answered 200" \
	test "$(grep -c '^UpdateService 200$' "$ECS_LOG"):$(grep -c '^UpdateService' "$ECS_LOG")" = "3:3"
check "no secret key in the audit log, the debug log or on screen" \
	bash -c "! grep -qF '$AWS_SECRET_ACCESS_KEY' '$AUDIT' '$T/debug.log' && ! tmux -L '$SOCK' capture-pane -p -t t | grep -qF '$AWS_SECRET_ACCESS_KEY'"
finish
