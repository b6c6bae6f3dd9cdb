#!/usr/bin/env bash
# tests/stack/install.sh - install what building, testing and the demo need.
#
# Debian/Ubuntu only (apt-get; through sudo when not root).  Checks each
# package with dpkg-query first: when everything is present it does nothing
# and takes well under a second; `apt-get update` runs only when something is
# missing.  Installing the prometheus packages starts no daemon here, and the
# stack never uses a system instance: tests/stack/start.sh runs its own on
# free loopback ports.
set -u
PACKAGES=(
	build-essential pkg-config                 # make, cc
	libncurses-dev libcurl4-openssl-dev libjansson-dev libpcre2-dev libyaml-dev libxml2-dev
	libcmocka-dev                              # unit tests
	clang libclang-rt-dev                      # make fuzz (libFuzzer runtime is only recommended)
	prometheus prometheus-node-exporter        # the local stack (prometheus has promtool)
	prometheus-alertmanager                    # alerts and silences (tests/stack/start.sh)
	python3                                    # tests/shopsim
	curl jq                                    # integration tests
	tmux ncurses-base                          # screen tests (tmux-256color terminfo)
	man-db                                     # man page check
	procps                                     # ps, used when a test reports leftovers
	util-linux                                 # setsid
	docker.io busybox-static                   # tests/stack/dockerd.sh: private dockerd + Swarm, images without a registry
	podman                                     # tests/stack/podman.sh: private Podman service (Docker-compatible API)
	openssh-server openssh-client openssl      # ssh:// Docker endpoint against a private sshd; TLS test certificates
	python3-elasticsearch                      # the real client that proves tests/stack/esserver.py (run by /usr/bin/python3)
	python3-py-zipkin                          # the real client that proves tests/stack/zipkinserver.py (run by /usr/bin/python3)
	awscli python3-botocore                    # tests/stack/ecsserver.py checks SigV4 with botocore (run by /usr/bin/python3); the real AWS CLI (/usr/bin/aws) proves it
)
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)  # kubectl proves tests/stack/k8sserver.py; Debian's clashes with an installed kubectl, so only without one

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install.sh: all ${#PACKAGES[@]} packages present"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install.sh: missing ${missing[*]}, and no apt-get here: install them by hand" >&2
	exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		echo "install.sh: missing ${missing[*]}; not root and no sudo" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "install.sh: installing ${missing[*]}"
t0=$(date +%s)
# Keep package scripts from starting system daemons (a system Prometheus on
# :9090 would be of no use to us) while we install: policy-rc.d exit 101.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\n# temporary, from opsdeck tests/stack/install.sh\nexit 101\n' |
		"${SUDO[@]}" tee "$POLICY" >/dev/null && "${SUDO[@]}" chmod 755 "$POLICY" &&
		trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || exit 1
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" || exit 1
echo "install.sh: done in $(( $(date +%s) - t0 ))s"
