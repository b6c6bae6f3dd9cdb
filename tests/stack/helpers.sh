# tests/stack/helpers.sh - helpers for tests that use the local stack (sourced
# after tests/lib.sh).
# shellcheck shell=bash disable=SC2317

# stack_need : exit 77 (skip) unless the stack's programs are installed.
stack_need() {
	local c
	for c in python3 prometheus prometheus-node-exporter curl jq setsid; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c not installed (run tests/stack/install.sh)"; exit 77; }
	done
}

# prom_query URL QUERY : print the JSON result vector of an instant query.
prom_query() {
	curl -sfG --max-time 10 "$1/api/v1/query" --data-urlencode "query=$2" | jq -c '.data.result'
}

# stack_pids DIR : the PIDs listed in DIR/*.pid, one per line.
stack_pids() {
	local f
	for f in "$1"/*.pid; do [ -f "$f" ] && tr -dc '0-9\n' <"$f"; done
}

# procs_under DIR : live (non-zombie) processes whose command line names DIR.
procs_under() {
	local p
	for p in /proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		grep -q '^[0-9]* (.*) [ZX] ' "$p/stat" 2>/dev/null && continue
		if tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF "$1"; then
			echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" | cut -c1-120)"
		fi
	done
}

# pid_alive PID : running and not a zombie.
pid_alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null
}

# listening_addresses PID... : "ADDR:PORT" of every TCP socket these
# processes listen on (from /proc/net/tcp and tcp6).
listening_addresses() {
	python3 - "$@" <<'EOF'
import os, socket, struct, sys
inodes = set()
for pid in sys.argv[1:]:
    try:
        for fd in os.listdir("/proc/%s/fd" % pid):
            try:
                t = os.readlink("/proc/%s/fd/%s" % (pid, fd))
            except OSError:
                continue
            if t.startswith("socket:["):
                inodes.add(t[8:-1])
    except OSError:
        pass
for name, fam in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
    try:
        lines = open("/proc/net/" + name).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        f = line.split()
        if f[3] != "0A" or f[9] not in inodes:
            continue
        addr, port = f[1].split(":")
        raw = bytes.fromhex(addr)
        raw = b"".join(struct.pack("<I", struct.unpack(">I", raw[i:i + 4])[0]) for i in range(0, len(raw), 4))
        print("%s:%d" % (socket.inet_ntop(fam, raw), int(port, 16)))
EOF
}
