#!/usr/bin/env bash
# tests/stack/podman.sh - a private rootful Podman service (its
# Docker-compatible API), for tests.
#
#   tests/stack/podman.sh start DIR [--containers] [--timeout SECONDS]
#   tests/stack/podman.sh stop DIR
#
# start: writes DIR/storage.conf (vfs, graph root DIR/storage, run root
# DIR/run) and DIR/containers.conf (cgroupfs, file events in DIR/events.log,
# libpod's tmp dir DIR/tmp, network config DIR/networks, default ulimits,
# an init binary), so nothing of the host's /var/lib/containers or /run is
# used; runs `podman system service --time=0 unix://DIR/podman.sock`
# (pid in DIR/podman.pid, log DIR/podman.log); waits for /_ping; imports
# the images local/busybox:1 and local/busybox:2 from busybox-static (no
# registry; podman names them localhost/local/busybox:N); writes
# DIR/podman.env (DOCKER_HOST=unix://DIR/podman.sock, PODMAN_DIR,
# CONTAINERS_CONF, CONTAINERS_STORAGE_CONF: source it, and `podman` then
# talks to the same storage) and returns.
#   --containers  also run, with --init and no network, a compose-labelled
#                 group (project shop, service mail: shop-mail-1 and
#                 shop-mail-2 on local/busybox:1) and one bare container
#                 (adhoc on local/busybox:2), all `sleep 100000`.
# Podman has no Swarm: /services and /tasks answer 404.
# Exits 77 when podman cannot run here (not installed, not root, the kernel
# or sandbox refuses), 1 on any other failure (after stopping what it
# started).
#
# stop: `podman rm -f -a -t 0` (conmon and the containers outlive the
# service otherwise), TERM to the service by its PID, KILL after
# STOP_TIMEOUT (default 15) s, then any process whose command line names
# DIR; removes DIR's storage, run and tmp dirs, socket, configs and env;
# logs stay.  Idempotent.
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
CONTAINERS=0
TIMEOUT=60
while [ $# -gt 0 ]; do
	case $1 in
	--containers) CONTAINERS=1 ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	*) echo "podman.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done

PODMAN=${PODMAN:-/usr/bin/podman}
BUSYBOX=${BUSYBOX:-/bin/busybox}
RUNC_ROOT=/run/runc

# ours PID : alive, not a zombie, and started for DIR.
ours() {
	[ -r "/proc/$1/stat" ] || return 1
	grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null && return 1
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR/"
}

# procs_of_dir : PIDs of live processes whose command line names DIR
# (the service, conmon).
procs_of_dir() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] && continue
		ours "$p" && echo "$p"
	done
}

# The IDs of DIR's containers (their run dirs).
container_ids() {
	local d
	for d in "$DIR"/run/vfs-containers/*/; do
		d=${d%/}
		d=${d##*/}
		[[ $d =~ ^[0-9a-f]{64}$ ]] && echo "$d"
	done 2>/dev/null
}

# The init PIDs of DIR's containers, from runc's state files (a rootful
# podman keeps runc's root at /run/runc, shared): killing a PID namespace's
# init kills the container.
container_inits() {
	local id f
	for id in $(container_ids); do
		f=$RUNC_ROOT/$id/state.json
		# grep -o, not sed: state.json has no final newline
		[ -f "$f" ] && grep -o '"init_process_pid":[0-9]*' "$f" | cut -d: -f2
	done 2>/dev/null
}


do_stop() {
	local pid deadline p id left=()
	[ -d "$DIR" ] || return 0
	# Containers first, through the storage itself (works with or without
	# the service): conmon and the containers would outlive the service.
	if [ -f "$DIR/containers.conf" ] && [ -f "$DIR/storage.conf" ] && [ -x "$PODMAN" ]; then
		timeout 30 env CONTAINERS_CONF="$DIR/containers.conf" CONTAINERS_STORAGE_CONF="$DIR/storage.conf" \
			"$PODMAN" rm -f -a -t 0 >>"$DIR/podman-stop.log" 2>&1
	fi
	pid=
	[ -f "$DIR/podman.pid" ] && pid=$(tr -dc '0-9' <"$DIR/podman.pid")
	if [ -n "$pid" ] && ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		deadline=$(( $(date +%s) + ${STOP_TIMEOUT:-15} ))
		while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		if ours "$pid"; then
			echo "podman.sh: podman service (pid $pid) ignored TERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	# Leftovers after a crash or a KILL: containers, conmon.
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
	# runc's state of our containers, when `rm` could not delete it.
	for id in $(container_ids); do
		[ -d "$RUNC_ROOT/$id" ] && rm -rf "${RUNC_ROOT:?}/$id"
	done
	# Mounts left under DIR (shm, netns), deepest first.
	awk -v d="$DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$DIR/storage" "$DIR/run" "$DIR/tmp" "$DIR/networks" "$DIR/rootfs" "$DIR/podman.sock" \
		"$DIR/podman.pid" "$DIR/podman.env" "$DIR/storage.conf" "$DIR/containers.conf" \
		"$DIR/events.log" "$DIR/events.log.lock"
	mapfile -t left < <(procs_of_dir)
	if [ ${#left[@]} -gt 0 ]; then
		echo "podman.sh: still running under $DIR: ${left[*]}" >&2
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

if ! [ -x "$PODMAN" ]; then
	echo "podman.sh: podman is not installed ($PODMAN; tests/stack/install.sh installs Debian's podman)" >&2
	exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "podman.sh: this private Podman service runs rootful (rootless needs newuidmap and a user session); running as uid $(id -u)" >&2
	exit 77
fi
for c in "$BUSYBOX" curl; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "podman.sh: $c not found (run tests/stack/install.sh: busybox-static curl)" >&2
		exit 1
	}
done
mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
# DIR/podman.sock must fit in sun_path (107 bytes).
if [ ${#DIR} -gt 90 ]; then
	echo "podman.sh: $DIR is too long for unix socket paths under it; use a short directory (mktemp -d)" >&2
	exit 1
fi
if [ -f "$DIR/podman.pid" ] && ours "$(tr -dc '0-9' <"$DIR/podman.pid")"; then
	echo "podman.sh: a podman service is already running in $DIR (podman.sh stop $DIR)" >&2
	exit 1
fi
SOCK=$DIR/podman.sock
t_start=$(date +%s%N)
elapsed() { awk -v ns="$(( $(date +%s%N) - t_start ))" 'BEGIN { printf "%.1f", ns / 1e9 }'; }

fail() {
	local rc=${2:-1}
	echo "podman.sh: $1" >&2
	if [ -f "$DIR/podman.log" ]; then
		echo "--- $DIR/podman.log (last lines)" >&2
		tail -n 15 "$DIR/podman.log" >&2
	fi
	do_stop >&2
	exit "$rc"
}
# refused TEXT : TEXT says the kernel or sandbox refused (-> exit 77).
refused() { grep -qiE 'operation not permitted|permission denied|not supported|read-only file system' <<<"$1"; }

# --init needs an init binary: Podman's catatonit (only recommended by the
# package) or tini (docker.io brings docker-init, a static tini).
INIT_PATH=
for f in /usr/libexec/podman/catatonit /usr/bin/catatonit /usr/bin/docker-init /usr/bin/tini-static /usr/bin/tini; do
	[ -x "$f" ] && { INIT_PATH=$f; break; }
done

rm -f "$DIR/podman.env" "$SOCK"
mkdir -p "$DIR/storage" "$DIR/run" "$DIR/tmp" "$DIR/networks"
cat >"$DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$DIR/storage"
runroot = "$DIR/run"
EOF
# Without default_ulimits every run fails here: "error setting rlimit type 7:
# operation not permitted".
cat >"$DIR/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
${INIT_PATH:+init_path = \"$INIT_PATH\"}

[network]
network_config_dir = "$DIR/networks"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events.log"
tmp_dir = "$DIR/tmp"
static_dir = "$DIR/storage/libpod"
volume_path = "$DIR/storage/volumes"
EOF
export CONTAINERS_CONF=$DIR/containers.conf CONTAINERS_STORAGE_CONF=$DIR/storage.conf

ping_ok() { curl -sf -o /dev/null --max-time 2 --unix-socket "$SOCK" http://localhost/_ping; }

setsid "$PODMAN" system service --time=0 "unix://$SOCK" >>"$DIR/podman.log" 2>&1 </dev/null &
PPID_SVC=$!
echo "$PPID_SVC" >"$DIR/podman.pid"
deadline=$(( $(date +%s) + TIMEOUT ))
until ping_ok; do
	if ! [ -d "/proc/$PPID_SVC" ] || grep -q '^[0-9]* (.*) [ZX] ' "/proc/$PPID_SVC/stat" 2>/dev/null; then
		last=$(tail -n 3 "$DIR/podman.log" | tr '\n' ' ')
		refused "$last" && fail "podman cannot run here: $last" 77
		fail "podman system service exited during start-up"
	fi
	[ "$(date +%s)" -ge "$deadline" ] && fail "podman did not answer /_ping within ${TIMEOUT}s"
	sleep 0.1
done
t_ping=$(elapsed)

# Images without a registry: a busybox root file system, one applet link each.
# Version 2 differs by one file, so the two have different image IDs.
make_image() {
	local tag=$1 rootfs=$DIR/rootfs a out
	rm -rf "$rootfs"
	mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
	cp "$BUSYBOX" "$rootfs/bin/busybox" || return 1
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
	done
	echo "$tag" >"$rootfs/etc/opsdeck-image-version"
	out=$(tar -C "$rootfs" -c . | "$PODMAN" import -q -c 'CMD ["/bin/sh"]' - "local/busybox:$tag" 2>&1)
	local rc=$?
	rm -rf "$rootfs"
	[ $rc -eq 0 ] || echo "$out" >>"$DIR/podman.log"
	return $rc
}
make_image 1 || fail "podman import local/busybox:1 failed"
make_image 2 || fail "podman import local/busybox:2 failed"

# run NAME IMAGE [OPTIONS...] : a container sleeping for good.
run() {
	local name=$1 image=$2 out
	shift 2
	out=$("$PODMAN" run -d --pull=never --network none ${INIT_PATH:+--init} --name "$name" "$@" \
		"$image" sleep 100000 2>&1) && return 0
	echo "$out" >>"$DIR/podman.log"
	refused "$out" && fail "podman cannot run containers here: podman run $name: $out" 77
	fail "podman run $name failed: $out"
}
# all_running N : N containers run.
all_running() { [ "$("$PODMAN" ps -q --filter status=running | grep -c .)" = "$1" ]; }

if [ "$CONTAINERS" = 1 ]; then
	for i in 1 2; do
		run "shop-mail-$i" localhost/local/busybox:1 \
			--label com.docker.compose.project=shop \
			--label com.docker.compose.service=mail \
			--label "com.docker.compose.container-number=$i"
	done
	run adhoc localhost/local/busybox:2
	wait_for "$TIMEOUT" all_running 3 || fail "the 3 containers did not all run within ${TIMEOUT}s: $("$PODMAN" ps -a --format '{{.Names}} {{.Status}}' | tr '\n' ';')"
fi

cat >"$DIR/podman.env.tmp" <<EOF
DOCKER_HOST=unix://$SOCK
PODMAN_DIR=$DIR
CONTAINERS_CONF=$DIR/containers.conf
CONTAINERS_STORAGE_CONF=$DIR/storage.conf
EOF
mv "$DIR/podman.env.tmp" "$DIR/podman.env"
what="podman $("$PODMAN" --version | awk '{ print $NF }')"
[ "$CONTAINERS" = 1 ] && what="$what, compose group shop/mail (2) and adhoc${INIT_PATH:+, init $INIT_PATH}"
echo "podman up in $(elapsed)s (_ping at ${t_ping}s; $what)"
echo "  DOCKER_HOST=unix://$SOCK"
