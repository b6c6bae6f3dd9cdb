#!/usr/bin/env bash
# tests/stack/k8s.sh - the Kubernetes API test server (tests/stack/k8sserver.py)
# with its TLS material and a kubeconfig, for tests.
#
#   tests/stack/k8s.sh start DIR [--shop] [--fail-pods] [--timeout SECONDS] [-- SERVER_ARGS...]
#   tests/stack/k8s.sh stop DIR
#
# start: generates with openssl, under DIR, a CA (ca.crt, ca.key), a server
# certificate for 127.0.0.1 and localhost (server.crt, server.key), a client
# certificate with CN=opsdeck-admin (client.crt, client.key), an admin token
# (DIR/token), a read-only token (user opsdeck-viewer) and a token for the
# exec plugin (DIR/exec-token, user opsdeck-exec); starts the server on a
# free port of 127.0.0.1 (log DIR/k8s.log, pid DIR/k8s.pid, one line per
# request in DIR/k8s-requests.log); writes
#   DIR/exec-plugin.sh  an exec credential plugin: prints an ExecCredential of
#                       client.authentication.k8s.io/$1 (v1 or v1beta1) with
#                       the token of $OPSDECK_EXEC_TOKEN_FILE and an
#                       expirationTimestamp an hour ahead; counts its calls in
#                       DIR/exec-plugin.calls
#   DIR/kubeconfig      clusters opsdeck-test (certificate-authority: a path)
#                       and opsdeck-test-data (certificate-authority-data);
#                       users token, token-file (tokenFile: "token", relative
#                       to the kubeconfig), cert (client-certificate and
#                       client-key paths), cert-data (the -data forms), exec
#                       (the plugin above, apiVersion v1, args [v1], its token
#                       file given in its env), exec-v1beta1 (the same with
#                       v1beta1, which kubectl 1.20 also speaks), viewer (the
#                       read-only token); one context per user,
#                       named as the user (cert-data on opsdeck-test-data, the
#                       rest on opsdeck-test), each in namespace shop;
#                       current-context token
#   DIR/env             K8S_URL KUBECONFIG K8S_TOKEN K8S_NAMESPACE K8S_CA
#                       K8S_CLIENT_CERT K8S_CLIENT_KEY K8S_READONLY_TOKEN
#                       K8S_REQUEST_LOG K8S_DIR (source it)
# then waits until /readyz answers and, with --shop, until the shop's six
# Deployments are Available, and returns.  On failure it stops what it
# started.
#   --shop        seed the shop (Deployments gateway, orders, payments,
#                 inventory, notifications, users, StatefulSet ledger in shop;
#                 Deployment collector in ops)
#   --fail-pods   also the failing Deployments search, recommendations and
#                 reports in shop (ImagePullBackOff, CrashLoopBackOff, OOMKilled)
#   --timeout S   deadline of each wait (default 30)
#   -- ARGS       more arguments for k8sserver.py (--ready-delay 0.5, ...)
# Exits 77 when python3, openssl or curl is missing.
#
# stop: TERM to the server by its PID (while its command line names DIR),
# KILL after STOP_TIMEOUT (default 15) s; removes the pid file and env.
# Keys, certificates, kubeconfig and logs stay.  Idempotent.
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
SEED=()
TIMEOUT=30
SERVER_ARGS=()
SHOP=0
while [ $# -gt 0 ]; do
	case $1 in
	--shop) SEED+=(--shop); SHOP=1 ;;
	--fail-pods) SEED+=(--fail-pods) ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	--) shift; SERVER_ARGS=("$@"); break ;;
	*) echo "k8s.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
PYTHON=${PYTHON:-python3}

# ours PID : alive, not a zombie, and started for DIR.
ours() {
	[ -r "/proc/$1/stat" ] || return 1
	grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null && return 1
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$DIR/"
}

do_stop() {
	local pid deadline
	pid=
	[ -f "$DIR/k8s.pid" ] && pid=$(tr -dc '0-9' <"$DIR/k8s.pid")
	if [ -n "$pid" ] && ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		deadline=$(( $(date +%s) + ${STOP_TIMEOUT:-15} ))
		while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		if ours "$pid"; then
			echo "k8s.sh: k8sserver (pid $pid) ignored TERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null
			deadline=$(( $(date +%s) + 5 ))
			while ours "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
		fi
	fi
	rm -f "$DIR/k8s.pid" "$DIR/env"
	if [ -n "$pid" ] && ours "$pid"; then
		echo "k8s.sh: k8sserver (pid $pid) still running" >&2
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

for c in "$PYTHON" openssl curl setsid; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "k8s.sh: $c not found (run tests/stack/install.sh)" >&2
		exit 77
	}
done
mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
if [ -f "$DIR/k8s.pid" ] && ours "$(tr -dc '0-9' <"$DIR/k8s.pid")"; then
	echo "k8s.sh: a k8sserver is already running in $DIR (k8s.sh stop $DIR)" >&2
	exit 1
fi
rm -f "$DIR/env" "$DIR/k8s.pid"
t_start=$(date +%s%N)
elapsed() { awk -v ns="$(( $(date +%s%N) - t_start ))" 'BEGIN { printf "%.1f", ns / 1e9 }'; }

fail() {
	echo "k8s.sh: $1" >&2
	if [ -f "$DIR/k8s.log" ]; then
		echo "--- $DIR/k8s.log (last lines)" >&2
		tail -n 15 "$DIR/k8s.log" >&2
	fi
	do_stop >&2
	exit 1
}

# ---- TLS material and tokens (ECDSA P-256: instant to generate, and Go takes it)
(
	set -e
	umask 077
	cd "$DIR"
	key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
	key ca.key
	openssl req -x509 -new -key ca.key -sha256 -days 7 -subj "/CN=opsdeck-test-ca" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out ca.crt 2>/dev/null
	key server.key
	openssl req -new -key server.key -subj "/CN=127.0.0.1" -out server.csr 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 7 \
		-extfile server.ext -out server.crt 2>/dev/null
	key client.key
	openssl req -new -key client.key -subj "/O=system:masters/CN=opsdeck-admin" -out client.csr 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n' >client.ext
	openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 7 \
		-extfile client.ext -out client.crt 2>/dev/null
	rm -f server.csr client.csr server.ext client.ext ca.srl
	openssl rand -hex 24 >token
	openssl rand -hex 24 >readonly-token
	openssl rand -hex 24 >exec-token
	chmod 644 ca.crt server.crt client.crt
) || fail "openssl could not make the test certificates in $DIR"
TOKEN=$(cat "$DIR/token")
RO_TOKEN=$(cat "$DIR/readonly-token")

cat >"$DIR/exec-plugin.sh" <<'EOF'
#!/bin/sh
# An exec credential plugin (client.authentication.k8s.io/$1: v1 or
# v1beta1), written by tests/stack/k8s.sh: prints the token in
# $OPSDECK_EXEC_TOKEN_FILE with an expiry an hour ahead, and counts its calls.
set -e
version=${1:-v1}
tok=$(cat "${OPSDECK_EXEC_TOKEN_FILE:?OPSDECK_EXEC_TOKEN_FILE not set}")
echo "$version" >>"$(dirname "$0")/exec-plugin.calls"
exp=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"client.authentication.k8s.io/%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$version" "$tok" "$exp"
EOF
chmod 755 "$DIR/exec-plugin.sh"

# ---- the server (port 0: it prints the one it got)
: >"$DIR/k8s.log"
setsid "$PYTHON" "$HERE/k8sserver.py" --listen 127.0.0.1:0 --cert "$DIR/server.crt" --key "$DIR/server.key" \
	--client-ca "$DIR/ca.crt" --token "opsdeck-admin=@$DIR/token" --token "opsdeck-exec=@$DIR/exec-token" \
	--read-only-token "opsdeck-viewer=@$DIR/readonly-token" --log "$DIR/k8s-requests.log" --pid-file "$DIR/k8s.pid" \
	"${SEED[@]}" "${SERVER_ARGS[@]}" >>"$DIR/k8s.log" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$DIR/k8s.pid"
listening() { grep -q '^listening on 127.0.0.1:[0-9]' "$DIR/k8s.log"; }
deadline=$(( $(date +%s) + TIMEOUT ))
# alive PID : running, not a zombie (ours would not do: before the exec the
# child's command line is this script's)
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null; }
until listening; do
	alive "$PID" || fail "k8sserver exited at start"
	[ "$(date +%s)" -ge "$deadline" ] && fail "k8sserver did not listen within ${TIMEOUT}s"
	sleep 0.1
done
PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/k8s.log" | head -n 1)
URL=https://127.0.0.1:$PORT

b64() { base64 -w0 <"$1"; }
cat >"$DIR/kubeconfig.tmp" <<EOF
# written by tests/stack/k8s.sh for the k8sserver on $URL
apiVersion: v1
kind: Config
preferences: {}
current-context: token
clusters:
- name: opsdeck-test
  cluster:
    server: $URL
    certificate-authority: $DIR/ca.crt
- name: opsdeck-test-data
  cluster:
    server: $URL
    certificate-authority-data: $(b64 "$DIR/ca.crt")
users:
- name: token
  user:
    token: $TOKEN
- name: token-file
  user:
    tokenFile: token
- name: cert
  user:
    client-certificate: $DIR/client.crt
    client-key: $DIR/client.key
- name: cert-data
  user:
    client-certificate-data: $(b64 "$DIR/client.crt")
    client-key-data: $(b64 "$DIR/client.key")
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $DIR/exec-plugin.sh
      args: [v1]
      env:
      - name: OPSDECK_EXEC_TOKEN_FILE
        value: $DIR/exec-token
      interactiveMode: Never
      provideClusterInfo: false
- name: exec-v1beta1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $DIR/exec-plugin.sh
      args: [v1beta1]
      env:
      - name: OPSDECK_EXEC_TOKEN_FILE
        value: $DIR/exec-token
      interactiveMode: Never
- name: viewer
  user:
    token: $RO_TOKEN
contexts:
- name: token
  context: {cluster: opsdeck-test, user: token, namespace: shop}
- name: token-file
  context: {cluster: opsdeck-test, user: token-file, namespace: shop}
- name: cert
  context: {cluster: opsdeck-test, user: cert, namespace: shop}
- name: cert-data
  context: {cluster: opsdeck-test-data, user: cert-data, namespace: shop}
- name: exec
  context: {cluster: opsdeck-test, user: exec, namespace: shop}
- name: exec-v1beta1
  context: {cluster: opsdeck-test, user: exec-v1beta1, namespace: shop}
- name: viewer
  context: {cluster: opsdeck-test, user: viewer, namespace: shop}
EOF
chmod 600 "$DIR/kubeconfig.tmp"
mv "$DIR/kubeconfig.tmp" "$DIR/kubeconfig"

# ---- wait for the API, then for the shop
api() { curl -sf --max-time 5 --cacert "$DIR/ca.crt" -H "Authorization: Bearer $TOKEN" "$URL$1"; }
ready() { [ "$(api /readyz)" = ok ]; }
wait_for "$TIMEOUT" ready >/dev/null || fail "$URL/readyz did not answer ok within ${TIMEOUT}s"
# shop_available : the six Deployments of shop report Available=True
shop_available() {
	api /apis/apps/v1/namespaces/shop/deployments | "$PYTHON" -c '
import json, sys
want = {"gateway", "orders", "payments", "inventory", "notifications", "users"}
items = json.load(sys.stdin)["items"]
ok = {d["metadata"]["name"] for d in items
      if any(c["type"] == "Available" and c["status"] == "True" for c in d.get("status", {}).get("conditions", []))}
sys.exit(0 if want <= ok else 1)'
}
if [ "$SHOP" = 1 ]; then
	wait_for "$TIMEOUT" shop_available >/dev/null || fail "the shop's Deployments were not Available within ${TIMEOUT}s"
fi

cat >"$DIR/env.tmp" <<EOF
K8S_URL=$URL
KUBECONFIG=$DIR/kubeconfig
K8S_TOKEN=$TOKEN
K8S_NAMESPACE=shop
K8S_CA=$DIR/ca.crt
K8S_CLIENT_CERT=$DIR/client.crt
K8S_CLIENT_KEY=$DIR/client.key
K8S_READONLY_TOKEN=$RO_TOKEN
K8S_REQUEST_LOG=$DIR/k8s-requests.log
K8S_DIR=$DIR
EOF
mv "$DIR/env.tmp" "$DIR/env"
echo "k8sserver up in $(elapsed)s on $URL (KUBECONFIG=$DIR/kubeconfig)"
