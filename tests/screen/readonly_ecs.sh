#!/usr/bin/env bash
# --read-only against the Amazon ECS test server (tests/stack/ecs.sh --shop,
# the clusters shop and batch): every screen loads (Overview, the detail of
# an ECS service, help; logs, traces and topology say what they need);
# every action key (S, R, B) and every mutating ":" command answers
# "read-only: actions are disabled", is audited as refused and opens no
# prompt or dialog; nothing changes at the server (the AWS CLI: desired
# count, task definition and deployments of every service) and the
# server's request log holds no UpdateService - only List* and Describe*
# calls - from the whole session.
# shellcheck disable=SC2317,SC2016  # functions called through check and trap; jq in single quotes
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
[ -x /usr/bin/aws ] || { echo "the AWS CLI (/usr/bin/aws) is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }
[ -f "$ROOT/tests/stack/ecs.sh" ] || { echo "tests/stack/ecs.sh is missing"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-roecs.XXXXXX)
E=$T/ecs
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT AWS_PROFILE AWS_SESSION_TOKEN
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
printf '[docker]\nhost =\n[kubernetes]\nkubeconfig =\n' >"$XDG_CONFIG_HOME/opsdeck/config.ini"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-readonly-ecs-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	bash "$ROOT/tests/stack/ecs.sh" stop "$E" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

bash "$ROOT/tests/stack/ecs.sh" start "$E" --shop >"$T/ecs.log" 2>&1
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

# Every service's desired count, task definition and deployments, one line each.
state() {
	local c
	for c in shop batch; do
		/usr/bin/aws ecs --endpoint-url "$ECS_URL" --output json list-services --cluster "$c" |
			jq -r '.serviceArns[]' | xargs /usr/bin/aws ecs --endpoint-url "$ECS_URL" --output json \
			describe-services --cluster "$c" --services |
			jq -r '.services[] | "\(.serviceName) \(.desiredCount) \(.taskDefinition) \([.deployments[] | .id + ":" + .status] | join(","))"'
	done | sort
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
: >"$ECS_LOG"
tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 140 -y 40 \
	"'$OPSDECK_BIN' --read-only --ecs-cluster shop,batch --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

check "read-only: the services of both clusters load (the shop's six, batch's reports-worker)" \
	wait_for 60 bash -c "$(declare -f screen); s=\$(screen);
	for r in 'gateway +OK +2/2 ' 'orders +OK +2/2 ' 'payments +OK +2/2 ' 'inventory +OK +2/2 ' \
		'notifications +OK +2/2 ' 'users +OK +2/2 ' 'reports-worker +OK +1/1 '; do
		grep -Eq \"^\$r.* ecs\" <<<\"\$s\" || exit 1; done"
check "read-only: the status line says ecs shop ok and ecs batch ok" \
	wait_for 20 bash -c "$(declare -f screen); s=\$(screen | tail -1); grep -Eq 'ecs shop ok [0-9]+ms' <<<\"\$s\" && grep -Eq 'ecs batch ok [0-9]+ms' <<<\"\$s\""

# Every screen loads.
keys / C-u orders Enter
wait_for 20 hasE "1 of [0-9]+ services /orders/" >/dev/null
keys Enter
check "read-only: the Service detail of orders opens" wait_for 20 title_has "Overview › orders"
keys Escape
keys / C-u reports Enter
wait_for 20 hasE "1 of [0-9]+ services /reports/" >/dev/null
keys Enter
check "read-only: the Service detail of reports-worker opens" wait_for 20 title_has "Overview › reports-worker"
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
keys / C-u orders Enter
wait_for 20 hasE "1 of [0-9]+ services /orders/" >/dev/null
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
for c in "scale orders 5" "restart orders" "rollback orders" "scale reports-worker 0" "rollback payments"; do
	keys r
	wait_for 10 bash -c "$(declare -f screen); screen | tail -1 | grep -q refreshing" >/dev/null
	keys : "$c" Enter
	n=$((n + 1))
	check "read-only: :$c answers \"read-only: actions are disabled\" (and is audited)" \
		wait_for 20 refused_after "$n"
done
check "read-only: no dialog opened for any command" no_dialog
# a few more rounds: the refusals are not retried behind the screen
rounds=$(grep -c '^ListServices ' "$ECS_LOG")
wait_for 20 bash -c "[ \$(grep -c '^ListServices ' '$ECS_LOG') -ge $((rounds + 4)) ]" >/dev/null

keys q
check "read-only: q quits with status 0" wait_for 20 has "EXITED 0"

check "read-only: the AWS CLI sees every service unchanged (desired count, task definition, deployments)" \
	test "$(state)" = "$before" -a "$(echo "$before" | grep -c .)" = 7
check "read-only: the server logged requests, and not one UpdateService: only List* and Describe* ($(cut -d' ' -f1 "$ECS_LOG" | sort -u | tr '\n' ' '))" \
	bash -c "grep -q '^DescribeServices 200' '$ECS_LOG' && ! grep -q '^UpdateService' '$ECS_LOG' && ! grep -Ev '^(List|Describe)[A-Za-z]* ' '$ECS_LOG' | grep -q ."
check "read-only: every request of the debug log is a POST to the ECS endpoint" \
	bash -c "grep -q ' POST $ECS_URL/ ' '$T/debug.log' && ! grep -v ' POST $ECS_URL/ ' '$T/debug.log' | grep -q ."
check "read-only: the audit log has one JSON line per refusal ($n), all refused with the read-only reason" \
	jq_ok -e -R -s --argjson n "$n" 'split("\n") | map(select(length > 0) | fromjson) | length == $n and
	all(.result == "refused" and .error == "read-only: actions are disabled" and .runtime == "ecs")' "$AUDIT"
check "read-only: the refusals name what was asked" \
	test "$(jq -r -c '[.service, .action, .context] | join(" ")' "$AUDIT" | tr '\n' ';')" \
	= "orders scale shop;orders restart shop;orders rollback shop;orders scale shop;orders restart shop;orders rollback shop;reports-worker scale batch;payments rollback shop;"
finish
