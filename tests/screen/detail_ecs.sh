#!/usr/bin/env bash
# The Service detail of Amazon ECS services in tmux, against the ECS test
# server with the shop: Enter on orders shows its TASKS, DEPLOYMENTS,
# REVISIONS (the current one and where a rollback goes), TARGET GROUPS and
# EVENTS; after a deployment of a broken image the detail shows the
# stopped tasks with their exit codes, why they stopped and the failure
# events (the circuit breaker without rollback: the failure stays), also
# at 80x24; the detail's calls (ListTasks, DescribeTasks,
# DescribeTaskDefinition) go out only while it is open, as the server's
# request log shows; a snapshot of the service as JSON carries the tasks,
# deployments, revisions, target groups and events.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -x "$ROOT/tests/stack/ecs.sh" ] || { echo "no ECS test server"; exit 77; }

T=$(mktemp -d)
ECS=$T/ecs
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
export SOCK=opsdeck-ecsdetail-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	"$ROOT/tests/stack/ecs.sh" stop "$ECS" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

"$ROOT/tests/stack/ecs.sh" start "$ECS" --shop -- --start-delay 0.5 --stop-delay 0.5 \
	--health-delay 0.5 >"$T/ecs.log" 2>&1
rc=$?
[ "$rc" -eq 77 ] && { cat "$T/ecs.log"; exit 77; }
if [ "$rc" -ne 0 ]; then
	cat "$T/ecs.log"; not_ok "the ECS test server starts"; finish
fi
. "$ECS/env"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION ECS_URL ECS_LOG
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
mkdir -p "$XDG_CONFIG_HOME/opsdeck"
printf '[ecs]\ncluster = %s\nendpoint_url = %s\n' "$ECS_CLUSTER" "$ECS_URL" \
	>"$XDG_CONFIG_HOME/opsdeck/config.ini"

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
# Calls of one operation the server has seen so far ("ListTasks 200" lines).
seen() { grep -c "^$1 " "$ECS_LOG"; }
# From the Overview: filter to NAME, then Enter on it.
open_detail() {
	keys / C-u; keys -l "^$1\$"; keys Enter
	wait_for 10 bash -c "$(declare -f screen has lacks); has '$1' && lacks 'gateway'" || return 1
	keys Enter
}
# ECS's own client (botocore, as the server verifies): deploy orders with a broken image.
break_orders() {
	"${ECS_PYTHON:-/usr/bin/python3}" - <<'EOF'
import os
import botocore.session

c = botocore.session.get_session().create_client(
    "ecs", region_name=os.environ["AWS_REGION"], endpoint_url=os.environ["ECS_URL"],
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])
td = c.describe_task_definition(taskDefinition="orders")["taskDefinition"]
cds = td["containerDefinitions"]
cds[0]["image"] = cds[0]["image"].rsplit(":", 1)[0] + ":broken"
kw = {k: td[k] for k in ("cpu", "memory", "networkMode", "requiresCompatibilities") if k in td}
new = c.register_task_definition(family="orders", containerDefinitions=cds, **kw)
# The circuit breaker without its rollback: the failed deployment stays to be seen.
c.update_service(cluster="shop", service="orders",
                 taskDefinition=new["taskDefinition"]["taskDefinitionArn"],
                 deploymentConfiguration={"deploymentCircuitBreaker":
                                          {"enable": True, "rollback": False}})
EOF
}

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --refresh 1s; echo \"EXITED \$?\"; sleep 600"

check "the Overview lists the shop's services" wait_for 20 bash -c "$(declare -f screen has); has orders && has gateway"
check "the detail sent no call before it opened" bash -c "$(declare -f seen); [ \$(seen ListTasks) -eq 0 ] && [ \$(seen DescribeTasks) -eq 0 ] && [ \$(seen DescribeTaskDefinition) -eq 0 ]"

open_detail orders
check "Enter on orders opens its detail, in its cluster and region" wait_for 10 has "ecs @ $ECS_CLUSTER/$AWS_REGION"
check "orders shows its TASKS, running" wait_for 10 bash -c "$(declare -f screen); screen | grep -Eq 'TASKS 2 . 2 running' && screen | grep -E '^ [0-9a-f]{12} +RUNNING' | grep -q HEALTHY"
check "DEPLOYMENTS: the PRIMARY, completed" wait_for 10 bash -c "$(declare -f screen); screen | grep -E '^ PRIMARY +orders:41' | grep -q COMPLETED"
check "REVISIONS: 41 current, 40 where a rollback (B) goes, with its image" wait_for 10 bash -c "$(declare -f screen); screen | grep -E '^ +41 current' && screen | grep -E '^ +40 rollback \\(B\\)' | grep -q 'orders:1.7.2'"
check "TARGET GROUPS names the service's" has 'TARGET GROUPS 1'
check "EVENTS: the steady state" has 'has reached a steady state'
screen | sed -n '1,32p' | sed 's/^/# /'
check "the detail lists the running and the stopped tasks" wait_for 10 bash -c "[ \$(grep -c '^ListTasks ' '$ECS_LOG') -ge 2 ]"
check "and describes the revisions it shows" wait_for 10 bash -c "[ \$(grep -c '^DescribeTaskDefinition ' '$ECS_LOG') -ge 2 ]"

check "a broken image is deployed to orders" break_orders
check "its stopped tasks show with exit code 1 and why" wait_for 30 bash -c "$(declare -f screen); screen | grep -E '^ [0-9a-f]{12} +STOPPED' | grep -q 'orders=1 *Essential container in task exi'"
check "the deployment failed: the circuit breaker says why, in the header and DEPLOYMENTS" wait_for 30 bash -c "$(declare -f screen has); has 'rollout failed: ECS deployment circuit breaker: tasks failed to start' && screen | grep -E '^ PRIMARY +orders:42' | grep -q FAILED && screen | grep -Eq '^ ACTIVE +orders:41 +2/2'"
check "the failure events" wait_for 10 has 'deployment failed: tasks failed to start'
check "the broken revision is the newest" bash -c "$(declare -f screen); screen | grep -Eq '^ +42 .*orders:broken'"
screen | sed 's/^/# /'
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "at 80x24 the stopped tasks and their exit codes still show" wait_for 10 bash -c "$(declare -f screen has); has 'TASKS' && has 'orders=1' && has 'EVENTS' && [ \$(screen | wc -L) -le 80 ]"
screen | sed 's/^/# /'

keys Escape
check "Esc goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'DEPLOYMENTS'"
lists=$(seen ListTasks)
describes=$(seen DescribeTasks)
services=$(seen ListServices)
check "the Overview keeps polling" wait_for 10 bash -c "[ \$(grep -c '^ListServices ' '$ECS_LOG') -ge $((services + 2)) ]"
check "no detail call once it is closed" bash -c "$(declare -f seen); [ \$(seen ListTasks) -eq $lists ] && [ \$(seen DescribeTasks) -eq $describes ]"
keys q
check "q quits with status 0" wait_for 10 has 'EXITED 0'

OUT=$T/snap.json
"$OPSDECK_BIN" snapshot --screen service:orders --format json >"$OUT" 2>"$T/snap.err"
check "a snapshot of orders as JSON" [ -s "$OUT" ]
check "it carries the tasks, deployments, revisions, target groups and events" python3 - "$OUT" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["screens"]["service:orders"]
assert d["ecs_service"]["cluster"] == "shop", d.get("ecs_service")
assert d["ecs_service"]["launch_type"] == "FARGATE", d["ecs_service"]
assert any(t["last_status"] == "RUNNING" for t in d["tasks"]), d["tasks"]
assert any(t["last_status"] == "STOPPED" and t["failed"] and t["exit_codes"] == "orders=1"
           for t in d["tasks"]), d["tasks"]
assert d["deployments"] and d["deployments"][0]["status"] == "PRIMARY", d["deployments"]
assert any(r["current"] for r in d["revisions"]), d["revisions"]
assert any(r["rollback_target"] for r in d["revisions"]), d["revisions"]
assert len(d["target_groups"]) == 1 and d["target_groups"][0]["arn"].startswith("arn:aws:elasticloadbalancing:"), d["target_groups"]
assert any(e["warning"] and "deployment failed" in e["message"] for e in d["events"]), d["events"]
assert d["rollout"]["state"] == "failed" and "circuit breaker" in d["rollout"]["message"], d["rollout"]
assert d["failed_task"]["error"].startswith("exit 1 (orders): Essential container"), d["failed_task"]
EOF
finish
