#!/usr/bin/env bash
# tests/stack/dockerd.sh - a private Docker Engine with Swarm, for tests.
#
#   tests/stack/dockerd.sh start DIR [--services] [--timeout SECONDS]
#   tests/stack/dockerd.sh stop DIR
#
# start: runs Debian's dockerd with everything under DIR (socket
# DIR/docker.sock, DIR/data, DIR/exec, DIR/dockerd.pid, DIR/dockerd.log, an
# empty DIR/daemon.json instead of the host's /etc/docker/daemon.json),
# vfs storage and no iptables, bridge or forwarding, so it touches nothing
# of the host's network; waits for /_ping; makes the node a Swarm manager
# listening on 127.0.0.1 and a free port; imports the images local/busybox:1
# and local/busybox:2 from busybox-static (no registry needed); writes
# DIR/docker.env (DOCKER_HOST=unix://DIR/docker.sock, DOCKER_SWARM_ADDR,
# DOCKER_DIR; source it) and returns.
#   --services  also create, and wait for, Swarm services named like the
#               shop (gateway 2, orders 2, payments 2, inventory 1, users
#               global) with fast update/rollback settings and --init; a
#               compose-labelled group (project shop, service notifications,
#               2 containers) and one bare container (adhoc-debug).
# Exits 77 when dockerd cannot run here for want of privileges (not root),
# 1 on any other failure (after stopping what it started).
#
# stop: TERM to dockerd by its PID (its containers die with it, ~3 s), KILL
# after STOP_TIMEOUT (default 15) s, then removes DIR's data, exec root,
# socket and env; logs stay.  Only processes whose command line names DIR
# are signalled.  Idempotent.
#
# Uses /usr/bin/docker (Debian's 20.10 client, matching the daemon) with -H.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"

usage() {
	sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//' >&2
	exit 1
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
SERVICES=0
TIMEOUT=60
while [ $# -gt 0 ]; do
	case $1 in
	--services) SERVICES=1 ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	*) echo "dockerd.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done

DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Fast Swarm settings: the defaults make an update take ~40 s.
FAST=(--init --stop-grace-period 1s --update-parallelism 0 --update-delay 0s
	--update-monitor 1s --rollback-parallelism 0 --rollback-delay 0s
	--rollback-monitor 1s --no-resolve-image)

# ours PID : alive, not a zombie, and started for DIR.
ours() {
	[ -r "/proc/$1/stat" ] || return 1
	grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null && return 1
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR/"
}

# procs_of_dir : PIDs of live processes whose command line names DIR
# (dockerd, containerd, containerd-shim-runc-v2).
procs_of_dir() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] && continue
		ours "$p" && echo "$p"
	done
}

# The init PIDs of DIR's containers, from runc's state files: killing a PID
# namespace's init kills the whole container, even if its shim is gone.
container_inits() {
	local f
	for f in "$DIR"/exec/runtime-runc/moby/*/state.json "$DIR"/exec/containerd/*/runc/moby/*/state.json; do
		# grep -o, not sed: state.json has no final newline
		[ -f "$f" ] && grep -o '"init_process_pid":[0-9]*' "$f" | cut -d: -f2
	done 2>/dev/null
}

do_stop() {
	local pid deadline p left=()
	[ -d "$DIR" ] || return 0
	pid=
	[ -f "$DIR/dockerd.pid" ] && pid=$(tr -dc '0-9' <"$DIR/dockerd.pid")
	if [ -n "$pid" ] && ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		deadline=$(( $(date +%s) + ${STOP_TIMEOUT:-15} ))
		while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		if ours "$pid"; then
			echo "dockerd.sh: dockerd (pid $pid) ignored TERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	# Leftovers after a crash or a KILL: containers, shims, containerd.
	for p in $(container_inits); do
		[ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null
	done
	mapfile -t left < <(procs_of_dir)
	if [ ${#left[@]} -gt 0 ]; then
		kill -TERM "${left[@]}" 2>/dev/null
		deadline=$(( $(date +%s) + 5 ))
		while [ -n "$(procs_of_dir)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		mapfile -t left < <(procs_of_dir)
		[ ${#left[@]} -gt 0 ] && kill -KILL "${left[@]}" 2>/dev/null
	fi
	# Mounts left under DIR (netns files, shm), deepest first.
	awk -v d="$DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$DIR/data" "$DIR/exec" "$DIR/rootfs" "$DIR/cli" "$DIR/docker.sock" "$DIR/dockerd.pid" \
		"$DIR/docker.env" "$DIR/daemon.json"
	mapfile -t left < <(procs_of_dir)
	if [ ${#left[@]} -gt 0 ]; then
		echo "dockerd.sh: still running under $DIR: ${left[*]}" >&2
		return 1
	fi
	return 0
}

if [ "$CMD" = stop ]; then
	[ -d "$DIR" ] || exit 0
	DIR=$(cd "$DIR" && pwd)
	do_stop
	exit $?
fi
[ "$CMD" = start ] || usage

# ---- start ----------------------------------------------------------------

if [ "$(id -u)" -ne 0 ]; then
	echo "dockerd.sh: dockerd needs root here (rootless dockerd needs rootlesskit, not installed); running as uid $(id -u)" >&2
	exit 77
fi
for c in "$DOCKERD" "$DOCKER_CLI" "$BUSYBOX" curl; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "dockerd.sh: $c not found (run tests/stack/install.sh: docker.io busybox-static)" >&2
		exit 1
	}
done
mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
# containerd's socket is DIR/exec/containerd/containerd.sock.debug; sun_path holds 107 bytes.
if [ ${#DIR} -gt 70 ]; then
	echo "dockerd.sh: $DIR is too long for unix socket paths under it; use a short directory (mktemp -d)" >&2
	exit 1
fi
if [ -f "$DIR/dockerd.pid" ] && ours "$(tr -dc '0-9' <"$DIR/dockerd.pid")"; then
	echo "dockerd.sh: a dockerd is already running in $DIR (dockerd.sh stop $DIR)" >&2
	exit 1
fi
SOCK=$DIR/docker.sock
DK=("$DOCKER_CLI" -H "unix://$SOCK")
export DOCKER_CONFIG=$DIR/cli   # keep the client away from ~/.docker
t_start=$(date +%s%N)
elapsed() { awk -v ns="$(( $(date +%s%N) - t_start ))" 'BEGIN { printf "%.1f", ns / 1e9 }'; }

fail() {
	local rc=${2:-1}
	echo "dockerd.sh: $1" >&2
	if [ -f "$DIR/dockerd.log" ]; then
		echo "--- $DIR/dockerd.log (last lines)" >&2
		tail -n 15 "$DIR/dockerd.log" >&2
	fi
	do_stop >&2
	exit "$rc"
}

ping_ok() { curl -sf -o /dev/null --max-time 2 --unix-socket "$SOCK" http://localhost/_ping; }

rm -f "$DIR/docker.env" "$SOCK"
# An empty configuration of our own: a host's /etc/docker/daemon.json must not
# conflict with the flags below or leak into the tests.
echo '{}' >"$DIR/daemon.json"
setsid "$DOCKERD" --config-file "$DIR/daemon.json" --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
	--ip-forward=false --ip-masq=false --host "unix://$SOCK" --data-root "$DIR/data" \
	--exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" >>"$DIR/dockerd.log" 2>&1 </dev/null &
DPID=$!
deadline=$(( $(date +%s) + TIMEOUT ))
until ping_ok; do
	if ! [ -d "/proc/$DPID" ] || grep -q '^[0-9]* (.*) [ZX] ' "/proc/$DPID/stat" 2>/dev/null; then
		if grep -qiE 'operation not permitted|permission denied|must be run as root' "$DIR/dockerd.log"; then
			fail "dockerd cannot run here: $(grep -iE 'operation not permitted|permission denied|must be run as root' "$DIR/dockerd.log" | tail -1)" 77
		fi
		fail "dockerd exited during start-up"
	fi
	[ "$(date +%s)" -ge "$deadline" ] && fail "dockerd did not answer /_ping within ${TIMEOUT}s"
	sleep 0.1
done
t_ping=$(elapsed)

# Swarm on loopback; retry with another port if the free one was taken meanwhile.
SWARM_PORT=
for attempt in 1 2 3; do
	port=$(free_port)
	if "${DK[@]}" swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$port" \
		--data-path-addr 127.0.0.1 >"$DIR/swarm-init.log" 2>&1; then
		SWARM_PORT=$port
		break
	fi
	echo "dockerd.sh: swarm init on port $port failed (attempt $attempt): $(tail -1 "$DIR/swarm-init.log")" >&2
done
[ -n "$SWARM_PORT" ] || fail "docker swarm init failed: $(cat "$DIR/swarm-init.log")"

# Images without a registry: a busybox root file system, one applet link each.
# Version 2 differs by one file, so the two have different image IDs.
make_image() {
	local tag=$1 rootfs=$DIR/rootfs a
	rm -rf "$rootfs"
	mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
	cp "$BUSYBOX" "$rootfs/bin/busybox" || return 1
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
	done
	echo "$tag" >"$rootfs/etc/opsdeck-image-version"
	tar -C "$rootfs" -c . | "${DK[@]}" import -c 'CMD ["/bin/sh"]' - "local/busybox:$tag" >/dev/null
	local rc=$?
	rm -rf "$rootfs"
	return $rc
}
make_image 1 || fail "docker import local/busybox:1 failed"
make_image 2 || fail "docker import local/busybox:2 failed"

# all_converged : every service runs as many tasks as it wants.
all_converged() {
	"${DK[@]}" service ls --format '{{.Replicas}}' >"$DIR/replicas.out" 2>/dev/null || return 1
	[ -s "$DIR/replicas.out" ] && ! awk -F/ '{ sub(/ .*/, "", $2) } $1 != $2 { bad = 1 } END { exit !bad }' "$DIR/replicas.out"
}

if [ "$SERVICES" = 1 ]; then
	for s in gateway:2 orders:2 payments:2 inventory:1; do
		"${DK[@]}" service create -d --name "${s%%:*}" --replicas "${s#*:}" "${FAST[@]}" \
			local/busybox:1 sleep 100000 >/dev/null || fail "service create ${s%%:*} failed"
	done
	"${DK[@]}" service create -d --name users --mode global "${FAST[@]}" \
		local/busybox:1 sleep 100000 >/dev/null || fail "service create users failed"
	for i in 1 2; do
		"${DK[@]}" run -d --network none --init --name "shop-notifications-$i" \
			--label com.docker.compose.project=shop \
			--label com.docker.compose.service=notifications \
			--label "com.docker.compose.container-number=$i" \
			local/busybox:1 sleep 100000 >/dev/null || fail "docker run shop-notifications-$i failed"
	done
	"${DK[@]}" run -d --network none --init --name adhoc-debug local/busybox:1 sleep 100000 \
		>/dev/null || fail "docker run adhoc-debug failed"
	wait_for "$TIMEOUT" all_converged || fail "services did not converge within ${TIMEOUT}s: $(tr '\n' ' ' <"$DIR/replicas.out")"
	rm -f "$DIR/replicas.out"
fi

cat >"$DIR/docker.env.tmp" <<EOF
DOCKER_HOST=unix://$SOCK
DOCKER_SWARM_ADDR=127.0.0.1:$SWARM_PORT
DOCKER_DIR=$DIR
EOF
mv "$DIR/docker.env.tmp" "$DIR/docker.env"
what="swarm manager on 127.0.0.1:$SWARM_PORT"
[ "$SERVICES" = 1 ] && what="$what, 5 services, 3 plain containers"
echo "dockerd up in $(elapsed)s (_ping at ${t_ping}s; $what)"
echo "  DOCKER_HOST=unix://$SOCK"
