#!/usr/bin/env bash
# Environments in the console: the real binary in tmux, one config file
# with [env "staging"] and a protected [env "prod"], each with its own
# Kubernetes API test server (tests/stack/k8s.sh --shop; prod's payments
# scaled to 4 beforehand, so the two are told apart on screen) and the
# same real Prometheus under two URLs (127.0.0.1 for staging, localhost for
# prod).  --env staging: the title bar shows [staging] in the accent
# colour, the rows are staging's; :env lists the environments; :env with
# an unknown name is refused on the spot; :env prod switches: [prod] in
# reversed red, prod's rows, the requests go to prod's servers only; S on
# payments asks for its name to be typed (y alone confirms nothing), the
# typed name scales prod's payments (kubectl: 5 at prod, still 2 at
# staging); an environment that cannot be set up leaves the console on
# prod with the error; [prod] stays in the title bar at 80 columns;
# :env default goes back to the top level; q quits with status 0.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }
command -v kubectl >/dev/null || { echo "kubectl is not installed"; exit 77; }
command -v prometheus >/dev/null || { echo "prometheus is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-env.XXXXXX)
export TMUX_TMPDIR=$T HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
unset OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_CONFIG OPSDECK_READ_ONLY \
	OPSDECK_REFRESH OPSDECK_ENV NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT
mkdir -p "$HOME" "$XDG_CONFIG_HOME/opsdeck"
AUDIT=$XDG_STATE_HOME/opsdeck/audit.jsonl
export SOCK=opsdeck-env-$$
PROM_PID=
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	bash "$ROOT/tests/stack/k8s.sh" stop "$T/staging" >/dev/null 2>&1
	bash "$ROOT/tests/stack/k8s.sh" stop "$T/prod" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

for e in staging prod; do
	bash "$ROOT/tests/stack/k8s.sh" start "$T/$e" --shop -- --ready-delay 0.3 --grace 0.3 \
		>"$T/k8s-$e.log" 2>&1
	rc=$?
	if [ "$rc" -eq 77 ]; then
		tail -1 "$T/k8s-$e.log"
		exit 77
	elif [ "$rc" -ne 0 ]; then
		cat "$T/k8s-$e.log"
		not_ok "the $e Kubernetes test server starts"
		finish
	fi
done
kc() { # kc ENV ARGS...
	local e=$1
	shift
	kubectl --kubeconfig "$T/$e/kubeconfig" --context token --request-timeout=10s -n shop "$@"
}
replicas() { kc "$1" get deploy payments -o jsonpath='{.spec.replicas}'; }
kc prod scale deploy/payments --replicas=4 >/dev/null
kc prod rollout status deploy/payments --timeout=30s >/dev/null 2>&1

# One real Prometheus; a recording rule gives payments a request rate.
PROM_PORT=$(free_port)
mkdir -p "$T/prom"
cat >"$T/prom/rules.yml" <<'EOF'
groups:
  - name: shop
    interval: 1s
    rules:
      - record: http_requests_total
        expr: vector(time() * 10)
        labels: {service: payments, code: "200"}
EOF
cat >"$T/prom/prometheus.yml" <<EOF
global:
  evaluation_interval: 1s
rule_files: ['$T/prom/rules.yml']
EOF
prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$T/prom/log" 2>&1 &
PROM_PID=$!
wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$PROM_PORT/-/ready" ||
	{ cat "$T/prom/log"; not_ok "Prometheus starts"; finish; }

STAGING_K8S=$(. "$T/staging/env"; echo "$K8S_URL")
PROD_K8S=$(. "$T/prod/env"; echo "$K8S_URL")
cat >"$XDG_CONFIG_HOME/opsdeck/config.ini" <<EOF
[docker]
host =

[kubernetes]
kubeconfig = ""

[env "staging"]
prometheus.url = http://127.0.0.1:$PROM_PORT
kubernetes.kubeconfig = $T/staging/kubeconfig
kubernetes.context = token

[env "prod"]
protected = true
prometheus.url = http://localhost:$PROM_PORT
kubernetes.kubeconfig = $T/prod/kubeconfig
kubernetes.context = token

[env "broken"]
kubernetes.kubeconfig = $T/no-such-kubeconfig
kubernetes.context = token
EOF

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
title() { screen | head -1; }
# The title bar with its colours.
title_e() { tmux -L "$SOCK" capture-pane -p -e -t t | head -1; }
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
# title_style NAME COLOURS : [NAME] in the title bar is drawn in one of the
# foreground COLOURS (e.g. '31|91') and still reversed: the SGR changes
# tmux emits between "opsdeck " and "[NAME]" set that colour and, when
# they reset the style, set reverse (7) again.
title_style() {
	local seg
	seg=$(title_e | sed -n "s/^.* opsdeck \(.*\)\[$1\].*\$/\1/p")
	[[ $seg =~ (\[|;)($2)(;|m) ]] || return 1
	if [[ $seg =~ \[0(;|m) ]]; then [[ $seg =~ (\[|;)7(;|m) ]] || return 1; fi
}

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --env staging --refresh 1s --debug-log '$T/debug.log'; echo \"EXITED \$?\"; sleep 600"

# ---- staging --------------------------------------------------------------------------------
check "--env staging: the title bar shows [staging] right after the name" \
	wait_for 20 bash -c "$(declare -f screen title); title | grep -q '^ opsdeck \[staging\] · Overview'"
check "staging's rows: payments 2/2 from staging's Kubernetes" wait_for 60 hasE '^payments +OK +2/2 .* k8s'
check "Prometheus ok (staging's URL)" \
	wait_for 30 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'prometheus ok [0-9]+ms'"
check "[staging] is drawn reversed in the accent colour (cyan), not red" \
	bash -c "$(declare -f title_e title_style); title_style staging '36|96' && ! title_style staging '31|91'"

keys : env Enter
check ":env lists the environments, the current one starred" \
	wait_for 10 status_has "environments: default, \*staging, prod, broken"
keys : "env qa" Enter
check ":env qa is refused on the spot, listing the environments" \
	wait_for 10 status_has "env: no environment named 'qa' (environments: default, \*staging"
check "... and the console stays on staging" bash -c "$(declare -f screen title); title | grep -q '\[staging\]'"

# ---- :env prod ----------------------------------------------------------------------------------
keys : "env prod" Enter
check ":env prod: the title bar shows [prod]" \
	wait_for 20 bash -c "$(declare -f screen title); title | grep -q '^ opsdeck \[prod\] · Overview'"
check "the status line says prod is protected" \
	wait_for 10 status_has "environment prod (protected: type the service's name"
check "[prod] is drawn reversed in the CRIT colour (red)" \
	bash -c "$(declare -f title_e title_style); title_style prod '31|91' && ! title_style prod '36|96'"
check "prod's rows: payments 4/4 from prod's Kubernetes" wait_for 60 hasE '^payments +OK +4/4 .* k8s'
check "Prometheus ok (prod's URL)" \
	wait_for 30 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'prometheus ok [0-9]+ms'"
check "staging's requests went to staging's servers (127.0.0.1 Prometheus, staging's Kubernetes)" \
	bash -c "grep -q ' GET http://127.0.0.1:$PROM_PORT/' '$T/debug.log' && grep -q ' GET $STAGING_K8S/' '$T/debug.log'"
# From prod's first request on (staging's console logs nothing once it has
# quit), every request goes to prod's servers.
prod_only() {
	local s
	s=$(sed -n "\#localhost:$PROM_PORT/\|$PROD_K8S/#,\$p" "$T/debug.log")
	grep -q " GET http://localhost:$PROM_PORT/" <<<"$s" && grep -q " GET $PROD_K8S/" <<<"$s" &&
		! grep -q "127.0.0.1:$PROM_PORT/\|$STAGING_K8S/" <<<"$s"
}
check "after the switch every request goes to prod's servers (localhost Prometheus, prod's Kubernetes)" prod_only

# ---- protected: the name must be typed ----------------------------------------------------------
filter_to payments
keys S
wait_for 20 has "Scale payments to how many replicas?"
keys 5 Enter
check "S 5 Enter: the dialog asks for the service's name" \
	wait_for 20 bash -c "$(declare -f screen has); has 'payments — k8s @ token — replicas 4 → 5' && has 'type the service name to confirm:'"
keys y
check "y alone confirms nothing: the dialog stays, 'not the name yet'" wait_for 10 has "not the name yet"
keys Enter
check "... nor does Enter on 'y': prod still has 4 replicas" \
	bash -c "$(declare -f screen has); has 'type the service name to confirm:' && [ \"\$(kubectl --kubeconfig '$T/prod/kubeconfig' --context token -n shop get deploy payments -o jsonpath='{.spec.replicas}')\" = 4 ]"
keys C-u payments
check "the typed name matches: Enter confirms" wait_for 10 has "Enter confirms"
keys Enter
check "the scale completes on prod" wait_for 60 status_has "payments: scale done"
check "kubectl: prod's payments has 5 replicas" test "$(replicas prod)" = 5
check "kubectl: staging's payments still has 2" test "$(replicas staging)" = 2
check "the row shows 5/5" wait_for 30 col_is payments 3 5/5
check "audit: one scale, succeeded, 4 -> 5" \
	test "$(jq -r -c '[.service, .action, .result, .before, .after] | join(" ")' "$AUDIT" | tr '\n' ';')" = "payments scale succeeded 4 5;"
check "audit: the line names the environment the action hit (prod)" \
	test "$(jq -r '.env' "$AUDIT")" = "prod"

# ---- an environment that cannot be set up ---------------------------------------------------------
keys : "env broken" Enter
check ":env broken fails to set up: the error names it and the console stays on prod" \
	wait_for 20 bash -c "$(declare -f screen); screen | tail -2 | grep -q 'still on prod: env broken: .*no-such-kubeconfig'"
check "... the title bar still shows [prod], the rows are prod's" \
	wait_for 20 bash -c "$(declare -f screen title hasE); title | grep -q '\[prod\]' && hasE '^payments +OK +5/5 '"

# ---- 80 columns ------------------------------------------------------------------------------------
tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "at 80x24 the title bar still shows [prod]" \
	wait_for 10 bash -c "$(declare -f screen title); title | grep -q '^ opsdeck \[prod\] · '"
tmux -L "$SOCK" resize-window -t t -x 120 -y 40

# ---- back to the top level ----------------------------------------------------------------------
keys : "env default" Enter
check ":env default: the title bar shows [default], no Kubernetes rows" \
	wait_for 20 bash -c "$(declare -f screen title lacks); title | grep -q '^ opsdeck \[default\] · ' && lacks ' k8s'"

keys q
check "q quits with status 0" wait_for 20 has "EXITED 0"
finish
