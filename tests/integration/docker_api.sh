#!/usr/bin/env bash
# The Docker backend against a real dockerd in Swarm mode
# (tests/stack/dockerd.sh start --services): the parsers read the daemon's
# answers, and the requests the builders make (scale, restart, image update,
# rollback) are sent with curl --unix-socket and must converge, checked with
# Debian's docker client.  The error answers are the daemon's own: stale
# version, rollback without a previous spec, unknown service, not a manager.
#
# backends/docker.c is driven through tests/integration/docker_api_driver.c,
# compiled here with the Makefile's flags (no curses, no tui).  Prints how long
# each action took to converge.  Exits 77 when dockerd cannot run here (not
# root, docker.io not installed).
# shellcheck disable=SC2317  # functions called through trap and wait_for
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

for c in /usr/sbin/dockerd /usr/bin/docker /bin/busybox curl jq pkg-config; do
	[ -x "$c" ] || command -v "$c" >/dev/null 2>&1 || {
		echo "$c not installed (run tests/stack/install.sh: docker.io busybox-static)"; exit 77; }
done
if [ "$(id -u)" -ne 0 ]; then
	echo "dockerd needs root here (uid $(id -u)); skipping the real Docker tests"
	exit 77
fi

T=$(mktemp -d /tmp/opsdeck-dkapi.XXXXXX)
D=$T/d
trap 'tests/stack/dockerd.sh stop "$D" >/dev/null 2>&1; rm -rf "$T"' EXIT

# ---- the driver, built as the Makefile builds (no curses) -------------------
SAN=()
# shellcheck disable=SC2054  # one flag with a comma-separated list
[ "${ASAN:-0}" = 1 ] && SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
DRV=$T/driver
# shellcheck disable=SC2046
if ! ${CC:-cc} -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers \
	-Werror -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DOPSDECK_VERSION='"test"' -O1 -g "${SAN[@]}" -Ilib -Ibackends \
	$(pkg-config --cflags libcurl jansson) -o "$DRV" tests/integration/docker_api_driver.c \
	backends/docker.c backends/docker_spec.c backends/http.c backends/http_text.c lib/*.c \
	$(pkg-config --libs libcurl jansson) -lm 2>"$T/cc.log"; then
	not_ok "driver compiles"; sed 's/^/  | /' "$T/cc.log"; finish
fi
ok "driver compiles with -Werror"

# ---- the daemon --------------------------------------------------------------
tests/stack/dockerd.sh start "$D" --services --timeout 60 >"$T/start.out" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "dockerd cannot run here: $(tail -1 "$T/start.out")"; exit 77
elif [ "$rc" -ne 0 ]; then
	not_ok "dockerd.sh start"; sed 's/^/  | /' "$T/start.out"; finish
fi
ok "dockerd.sh start: $(head -1 "$T/start.out")"
SOCK=$D/docker.sock
DK=(/usr/bin/docker -H "unix://$SOCK")
export DOCKER_CONFIG=$T/cli
API=http://localhost

# get NAME PATH : GET into $T/NAME.json, status in $T/NAME.status
get() {
	curl -s --unix-socket "$SOCK" --max-time 10 -o "$T/$1.json" -w '%{http_code}' "$API$2" >"$T/$1.status"
}
# send NAME REQFILE : send a request the driver built (line 1 "POST path", line 2 body)
send() {
	local method path
	read -r method path <"$2"
	check "builder path is not a read: $path" sh -c "! '$DRV' is-read $method '$path'"
	sed -n 2p "$2" >"$T/$1.body"
	curl -s --unix-socket "$SOCK" --max-time 20 -X "$method" -H 'Content-Type: application/json' \
		--data-binary @"$T/$1.body" -o "$T/$1.json" -w '%{http_code}' "$API$path" >"$T/$1.status"
}
st() { cat "$T/$1.status"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v ms="$(( $(now_ms) - $1 ))" 'BEGIN { printf "%.1f", ms / 1000 }'; }
inspect() { "${DK[@]}" service inspect "$1" --format "$2" 2>/dev/null; }
# read_service NAME : GET /services/NAME into $T/svc_NAME.json
read_service() { get "svc_$1" "/v1.41/services/$1" && [ "$(st "svc_$1")" = 200 ]; }
# svc_line NAME : the driver's line for one service from /services?status=true
svc_line() {
	get services '/v1.41/services?status=true' || return 1
	"$DRV" services "$(st services)" "$T/services.json" | awk -v n="$1" '$1 == n'
}
# field NAME COL : one column of svc_line (2 version, 3 tag, 5 replicas, 6 running,
# 7 desired, 8 force_update, 9 update_state, 10 previous_tag)
field() { svc_line "$1" | awk -v c="$2" '{ print $c }'; }
running_tasks() {
	get tasks "/v1.41/tasks?filters=$(jq -rn --arg s "$1" '{service: [$s], "desired-state": ["running"]} | tojson | @uri')"
	"$DRV" tasks "$(st tasks)" "$T/tasks.json" | awk '$4 == "running" { print $1, $5 }' | sort
}

# ---- reads -------------------------------------------------------------------
get info /v1.41/info
check "info: a Swarm manager" test "$("$DRV" info "$(st info)" "$T/info.json")" = manager
check "the read paths are reads" "$DRV" is-read GET '/v1.41/services?status=true'
get services '/v1.41/services?status=true'
"$DRV" services "$(st services)" "$T/services.json" >"$T/services.txt"
check "services: five, parsed ($(awk '{ printf "%s ", $1 }' "$T/services.txt"))" test "$(wc -l <"$T/services.txt")" -eq 5
check "orders: replicated 2, 2 of 2 running, tag 1" test "$(awk '$1 == "orders" { print $3, $4, $5, $6, $7 }' "$T/services.txt")" = "1 replicated 2 2 2"
check "users: global, 1 of 1" test "$(awk '$1 == "users" { print $4, $5, $6, $7 }' "$T/services.txt")" = "global -1 1 1"
get containers '/v1.41/containers/json?all=1'
"$DRV" groups "$(st containers)" "$T/containers.json" >"$T/groups.txt"
check "compose group: shop/notifications, 2 containers running" grep -qx 'compose notifications shop 2 2 1' "$T/groups.txt"
check "bare container: adhoc-debug" grep -qx 'container adhoc-debug - 1 1 1' "$T/groups.txt"
check "task containers are not rows of their own on a manager" test "$(wc -l <"$T/groups.txt")" -eq 2

# stats: two one-shot samples of one container, CPU % from them
cid=$(jq -r '.[] | select(.Names[0] == "/adhoc-debug") | .Id' "$T/containers.json")
get stats1 "/v1.41/containers/$cid/stats?stream=false&one-shot=true"
stats_moved() {
	get stats2 "/v1.41/containers/$cid/stats?stream=false&one-shot=true" &&
		[ "$(jq .cpu_stats.system_cpu_usage "$T/stats2.json")" -gt "$(jq .cpu_stats.system_cpu_usage "$T/stats1.json")" ]
}
wait_for 10 stats_moved
out=$("$DRV" cpu "$T/stats1.json" "$T/stats2.json")
check "CPU % of an idle container from two samples: $out" awk -v p="${out% *}" 'BEGIN { exit !(p >= 0 && p < 20) }'

# ---- scale orders 2 -> 3 -------------------------------------------------------
read_service orders
cp "$T/svc_orders.json" "$T/svc_orders_stale.json"
"$DRV" scale 3 "$T/svc_orders.json" >"$T/req" || { not_ok "scale builder"; cat "$T/req"; }
t0=$(now_ms)
send scale "$T/req"
check "scale: 200 from the daemon ($(st scale) $(cat "$T/scale.json"))" test "$(st scale)" = 200
out=$("$DRV" update "$(st scale)" "$T/scale.json")
check "scale: the answer parses ($out)" test "$out" = updated
scaled() { [ "$(inspect orders '{{.Spec.Mode.Replicated.Replicas}}')" = 3 ] && [ "$(field orders 6)" = 3 ]; }
if wait_for 30 scaled; then
	ok "scale orders 2 -> 3 converged in $(secs "$t0")s (docker service inspect: 3 replicas, 3 running)"
else
	not_ok "scale orders 2 -> 3 did not converge: $(svc_line orders)"
fi

# a stale version: the first read of orders, before the scale
"$DRV" scale 4 "$T/svc_orders_stale.json" >"$T/req"
send stale "$T/req"
out=$("$DRV" update "$(st stale)" "$T/stale.json")
check "stale version: 500 update out of sequence ($out)" test "$(st stale)" = 500 -a "${out#error out of sequence: }" != "$out"
check "stale version: the message is the daemon's, verbatim" grep -qF 'update out of sequence' <<<"$out"
check "stale version: orders still at 3 replicas" test "$(inspect orders '{{.Spec.Mode.Replicated.Replicas}}')" = 3
# the caller's retry: read again, build again, succeed
read_service orders && "$DRV" scale 2 "$T/svc_orders.json" >"$T/req" && send rescale "$T/req"
check "after a fresh read the same change goes through ($(st rescale))" test "$(st rescale)" = 200
scaled_back() { [ "$(field orders 6)" = 2 ] && [ "$(inspect orders '{{.Spec.Mode.Replicated.Replicas}}')" = 2 ]; }
wait_for 30 scaled_back
check "orders back to 2 running" test "$(field orders 6)" = 2

# ---- restart payments (ForceUpdate + 1) ----------------------------------------
before=$(running_tasks payments)
read_service payments
"$DRV" restart "$T/svc_payments.json" >"$T/req"
t0=$(now_ms)
send restart "$T/req"
check "restart: 200 ($(st restart))" test "$(st restart)" = 200
restarted() {
	local now
	[ "$(inspect payments '{{.Spec.TaskTemplate.ForceUpdate}}')" = 1 ] || return 1
	[ "$(field payments 9)" = completed ] || return 1
	now=$(running_tasks payments)
	[ "$(wc -l <<<"$now")" -eq 2 ] && [ -z "$(comm -12 <(echo "$before") <(echo "$now"))" ]
}
if wait_for 30 restarted; then
	ok "restart payments converged in $(secs "$t0")s (ForceUpdate 0 -> 1, both tasks replaced, UpdateStatus completed)"
else
	not_ok "restart payments did not converge: $(svc_line payments); tasks before: $before; now: $(running_tasks payments)"
fi

# ---- image update gateway 1 -> 2, then roll back --------------------------------
read_service gateway
"$DRV" image local/busybox:2 "$T/svc_gateway.json" >"$T/req"
t0=$(now_ms)
send image "$T/req"
check "image update: 200 ($(st image))" test "$(st image)" = 200
updated() {
	[ "$(field gateway 9)" = completed ] && [ "$(field gateway 3)" = 2 ] &&
		[ "$(running_tasks gateway | awk '$2 == "local/busybox:2"' | wc -l)" -eq 2 ]
}
if wait_for 30 updated; then
	ok "image update gateway 1 -> 2 converged in $(secs "$t0")s (UpdateStatus completed, 2 tasks on :2)"
else
	not_ok "image update gateway did not converge: $(svc_line gateway)"
fi
check "gateway: previous tag 1" test "$(field gateway 10)" = 1

read_service gateway
"$DRV" rollback "$T/svc_gateway.json" >"$T/req"
check "rollback path: ?version=N&rollback=previous" grep -q "/services/[a-z0-9]*/update?version=[0-9]*&rollback=previous" "$T/req"
t0=$(now_ms)
send rollback "$T/req"
check "rollback: 200 ($(st rollback))" test "$(st rollback)" = 200
rolled_back() {
	[ "$(field gateway 9)" = rollback_completed ] &&
		[ "$(inspect gateway '{{.Spec.TaskTemplate.ContainerSpec.Image}}')" = local/busybox:1 ] &&
		[ "$(running_tasks gateway | awk '$2 == "local/busybox:1"' | wc -l)" -eq 2 ]
}
if wait_for 30 rolled_back; then
	ok "rollback gateway 2 -> 1 converged in $(secs "$t0")s (UpdateStatus rollback_completed, 2 tasks on :1)"
else
	not_ok "rollback gateway did not converge: $(svc_line gateway)"
fi

# ---- the daemon's refusals -----------------------------------------------------
read_service inventory
"$DRV" rollback "$T/svc_inventory.json" >"$T/req"
send noprev "$T/req"
out=$("$DRV" update "$(st noprev)" "$T/noprev.json")
noprev_ok() { [ "$(st noprev)" -ge 400 ] && grep -q '^error no previous spec: docker: .*does not have a previous spec' <<<"$out"; }
check "rollback without a previous spec: $(st noprev) $out" noprev_ok

get missing /v1.41/services/no-such-service
out=$("$DRV" services "$(st missing)" "$T/missing.json")
check "unknown service: 404 ($out)" test "$(st missing)" = 404 -a "$out" = "error not found: docker: service no-such-service not found"
jq '.ID = "no-such-service"' "$T/svc_inventory.json" >"$T/svc_missing.json"
"$DRV" scale 1 "$T/svc_missing.json" >"$T/req"
send missing_update "$T/req"
out=$("$DRV" update "$(st missing_update)" "$T/missing_update.json")
check "update of an unknown service: 404 ($out)" test "$(st missing_update)" = 404 -a "${out#error not found: }" != "$out"

"${DK[@]}" swarm leave --force >/dev/null 2>&1
get info /v1.41/info
check "after leaving the swarm: not a manager" test "$("$DRV" info "$(st info)" "$T/info.json")" = not-manager
get services '/v1.41/services?status=true'
out=$("$DRV" services "$(st services)" "$T/services.json")
check "services on a non-manager: 503 ($out)" test "$(st services)" = 503 -a "${out#error not a manager: docker: This node is not a swarm manager}" != "$out"

# ---- stop --------------------------------------------------------------------
t0=$(now_ms)
tests/stack/dockerd.sh stop "$D" >"$T/stop.out" 2>&1
check "dockerd.sh stop in $(secs "$t0")s" test $? -eq 0
left=$(for p in /proc/[0-9]*; do { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -F "$D/" && echo; done)
check "nothing of the private dockerd left running" test -z "$left"
check "no mounts left under the directory" sh -c "! grep -qF '$D/' /proc/mounts"
check "stop again is harmless" tests/stack/dockerd.sh stop "$D"
finish
