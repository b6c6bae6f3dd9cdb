#!/usr/bin/env bash
# ssh://user@host[:port] against a private sshd on 127.0.0.1 and a private
# dockerd (tests/stack/dockerd.sh start --services): opsdeck starts
# `ssh -L LOCAL.sock:REMOTE.sock`, reads the Swarm services through it, and
# stops it on exit.  The sshd runs as root with a config, host key and
# authorized key of its own in a temporary directory; [docker] ssh_socket
# points ssh at the private dockerd's socket and [docker] ssh_options (or
# OPSDECK_DOCKER_SSH_OPTIONS) gives ssh the throwaway key and known_hosts.
#
# Checks: the services appear in a snapshot; a wrong key is reported with
# ssh's exit status and its "Permission denied"; a missing remote socket is
# reported with ssh's complaint; the console in tmux shows the services,
# and after SIGTERM and after SIGKILL to opsdeck no ssh is left and the
# socket directory is gone.  Exits 77 when sshd or dockerd cannot run here.
# shellcheck disable=SC2317  # functions called through trap and wait_for
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

for c in /usr/sbin/sshd ssh ssh-keygen /usr/sbin/dockerd /usr/bin/docker jq; do
	[ -x "$c" ] || command -v "$c" >/dev/null 2>&1 || {
		echo "$c not installed (run tests/stack/install.sh: openssh-server openssh-client docker.io)"; exit 77; }
done
if [ "$(id -u)" -ne 0 ]; then
	echo "sshd and dockerd need root here (uid $(id -u)); skipping the ssh:// tests"
	exit 77
fi
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-dkssh.XXXXXX)
D=$T/d
export TM=opsdeck-dkssh-$$
SSHD_PID=
cleanup() {
	tmux -L "$TM" kill-server 2>/dev/null
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	tests/stack/dockerd.sh stop "$D" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# ---- sshd -----------------------------------------------------------------------
mkdir -p "$T/home" "$T/tmp"
chmod 700 "$T/home"
ssh-keygen -q -t ed25519 -N '' -C host -f "$T/host_key" || { not_ok "host key"; finish; }
ssh-keygen -q -t ed25519 -N '' -C client -f "$T/client_key" || { not_ok "client key"; finish; }
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$T/wrong_key" || { not_ok "wrong key"; finish; }
cp "$T/client_key.pub" "$T/authorized_keys"
PORT=$(free_port)
cat >"$T/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/host_key
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowStreamLocalForwarding yes
LogLevel VERBOSE
EOF
# Debian's sshd insists on its privilege separation directory.
[ -d /run/sshd ] || mkdir -m 755 /run/sshd
/usr/sbin/sshd -t -f "$T/sshd_config" >"$T/sshd-t.log" 2>&1 || {
	echo "sshd cannot run here: $(tail -1 "$T/sshd-t.log")"; exit 77; }
/usr/sbin/sshd -D -f "$T/sshd_config" -E "$T/sshd.log" &
SSHD_PID=$!
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
if ! wait_for 10 port_open; then
	echo "sshd cannot run here: $(tail -1 "$T/sshd.log" 2>/dev/null)"; exit 77
fi
ok "private sshd listens on 127.0.0.1:$PORT"

SSH_OPTS="-F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$T/known_hosts -o StrictHostKeyChecking=accept-new -o ConnectTimeout=10"
# shellcheck disable=SC2086  # the options split into words, as opsdeck splits them
check "ssh with the throwaway key logs in" \
	ssh -n -o BatchMode=yes $SSH_OPTS -i "$T/client_key" -p "$PORT" root@127.0.0.1 true

# ---- dockerd --------------------------------------------------------------------
tests/stack/dockerd.sh start "$D" --services --timeout 90 >"$T/start.out" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
	echo "dockerd cannot run here: $(tail -1 "$T/start.out")"; exit 77
elif [ "$rc" -ne 0 ]; then
	not_ok "dockerd.sh start"; sed 's/^/  | /' "$T/start.out"; finish
fi
ok "dockerd.sh start: $(head -1 "$T/start.out")"

cat >"$T/config.ini" <<EOF
[docker]
ssh_socket = $D/docker.sock
ssh_options = $SSH_OPTS -i $T/client_key
EOF
URL=ssh://root@127.0.0.1:$PORT
# run OUT [ENV...] -- ARGS... : a snapshot with a private HOME and TMPDIR
run() {
	local out=$1; shift
	env -u DOCKER_HOST -u DOCKER_CONTEXT -u OPSDECK_DOCKER_SSH_OPTIONS HOME="$T/home" \
		TMPDIR="$T/tmp" "$@" >"$out" 2>"$out.err"
}
no_ssh_left() { ! pgrep -f "$T/tmp/opsdeck-ssh" >/dev/null; }
no_dir_left() { [ -z "$(ls -A "$T/tmp")" ]; }

# ---- a snapshot through the tunnel ----------------------------------------------
t0=$(date +%s%N)
run "$T/snap.json" "$OPSDECK_BIN" --config "$T/config.ini" snapshot --docker "$URL" \
	--format json --timeout 30s
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "snapshot through ssh exits 0 (was $rc; $(head -c 300 "$T/snap.json.err"))" [ "$rc" -eq 0 ]
if [ "$(jq -r '.backends.docker.ok' "$T/snap.json")" = true ]; then
	ok "docker backend ok through the tunnel"
else
	not_ok "docker backend ok through the tunnel"
	echo "# docker error: $(jq -r '.backends.docker.error' "$T/snap.json" 2>&1 | head -c 600)"
	echo "# stderr: $(head -c 600 "$T/snap.json.err")"
	tail -5 "$T/sshd.log" | sed 's/^/# sshd: /'
fi
names=$(jq -r '[.screens.overview.services[].name] | sort | join(" ")' "$T/snap.json")
for s in gateway orders payments inventory users; do
	check "Swarm service $s arrives through ssh" grep -qw "$s" <<<"$names"
done
check "the swarm runtime is reported" grep -q '"swarm"' "$T/snap.json"
echo "# snapshot through ssh took ${ms} ms"
check "no ssh left after the snapshot" wait_for 5 no_ssh_left
check "the socket directory is removed" no_dir_left
check "sshd saw the key of [docker] ssh_options" grep -q "Accepted publickey for root" "$T/sshd.log"

# ---- a wrong key (OPSDECK_DOCKER_SSH_OPTIONS wins over the file) ----------------
run "$T/wrong.json" env OPSDECK_DOCKER_SSH_OPTIONS="$SSH_OPTS -i $T/wrong_key" \
	"$OPSDECK_BIN" --config "$T/config.ini" snapshot --docker "$URL" --format json --timeout 30s
rc=$?
err=$(jq -r '.backends.docker.error' "$T/wrong.json")
echo "# wrong key: $err"
check "wrong key: exit status 2 (was $rc)" [ "$rc" -eq 2 ]
check "wrong key: ssh's exit status is named" grep -q "docker: ssh to root@127.0.0.1 exited (255)" <<<"$err"
check "wrong key: ssh's own reason is shown" grep -q "Permission denied (publickey" <<<"$err"
check "no ssh left after the failure" wait_for 5 no_ssh_left
check "no socket directory left after the failure" no_dir_left

# ---- the remote socket is not there ---------------------------------------------
sed "s|^ssh_socket = .*|ssh_socket = $T/nowhere.sock|" "$T/config.ini" >"$T/nowhere.ini"
run "$T/nowhere.json" "$OPSDECK_BIN" --config "$T/nowhere.ini" snapshot --docker "$URL" \
	--format json --timeout 30s
rc=$?
err=$(jq -r '.backends.docker.error' "$T/nowhere.json")
echo "# missing remote socket: $err"
check "missing remote socket: exit status 2 (was $rc)" [ "$rc" -eq 2 ]
# shellcheck disable=SC2016  # expanded by the inner bash
check "missing remote socket: ssh's complaint and the key to fix are named" \
	bash -c '[[ $1 == "docker: ssh to root@127.0.0.1: "*"ssh_socket"* ]]' _ "$err"
check "no ssh left" wait_for 5 no_ssh_left

# ---- the console: services on screen, ssh gone after SIGTERM and SIGKILL ---------
if command -v tmux >/dev/null 2>&1; then
	export TMUX_TMPDIR=$T
	screen() { tmux -L "$TM" capture-pane -p -t t; }
	console() {
		tmux -L "$TM" -f /dev/null new-session -d -s t -x 140 -y 40 \
			"env HOME='$T/home' TMPDIR='$T/tmp' TERM=tmux-256color LANG=C.UTF-8 '$OPSDECK_BIN' --config '$T/config.ini' --docker '$URL' --refresh 1s; echo EXITED \$?; sleep 600"
	}
	# The console itself: the pane's shell's child (pgrep -f would also match
	# the tmux and shell command lines that carry the same arguments).
	opsdeck_pid() {
		local pp
		pp=$(tmux -L "$TM" list-panes -t t -F '#{pane_pid}' 2>/dev/null | head -1)
		# the pane's child, else (the shell exec'd it) the newest opsdeck
		{ [ -n "$pp" ] && pgrep -P "$pp" -x opsdeck; pgrep -n -x opsdeck; } | head -1
	}
	server_gone() { ! tmux -L "$TM" has-session 2>/dev/null; }
	ssh_running() { pgrep -f "$T/tmp/opsdeck-ssh" >/dev/null; }
	for how in TERM KILL; do
		console
		check "console ($how): services on screen through ssh" \
			wait_for 40 bash -c "$(declare -f screen); screen | grep -q payments && screen | grep -q inventory"
		check "console ($how): ssh runs" ssh_running
		wait_for 10 opsdeck_pid >/dev/null
		pid=$(opsdeck_pid)
		check "console ($how): found its process" test -n "$pid"
		[ -n "$pid" ] && kill -"$how" "$pid"
		gone() { ! kill -0 "$pid" 2>/dev/null; }
		check "console ($how): opsdeck ended" wait_for 10 gone
		check "console ($how): no ssh left" wait_for 10 no_ssh_left
		[ "$how" = TERM ] && check "console (TERM): socket directory removed" no_dir_left
		tmux -L "$TM" kill-server 2>/dev/null
		wait_for 10 server_gone >/dev/null # a new server under the same name races the old one's exit
		rm -rf "${T:?}/tmp/"*
	done
fi

finish
