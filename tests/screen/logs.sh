#!/usr/bin/env bash
# The Logs screen in tmux against the local stack's Elasticsearch test
# server: L opens every service's logs, a typed query narrows them, the
# histogram and the hits appear, F tails and picks up new lines at the top,
# a scrolled-up view holds still and counts "N new", the / filter hides
# and highlights, Enter shows the fields, Esc goes back, q quits.  The
# lines it checks are the ones it indexes itself through _bulk.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
[ -x "$OPSDECK_BIN" ] || { echo "no binary at $OPSDECK_BIN"; exit 77; }

T=$(mktemp -d)
STACK=$T/stack
export TMUX_TMPDIR=$T HOME=$T XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=tmux-256color
export SOCK=opsdeck-logs-$$
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -z "${OPSDECK_TEST_ES_URL:-}" ] && "$ROOT/tests/stack/stop.sh" "$STACK" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# OPSDECK_TEST_ES_URL: an Elasticsearch already running (no stack started).
if [ -n "${OPSDECK_TEST_ES_URL:-}" ]; then
	ELASTICSEARCH_URL=$OPSDECK_TEST_ES_URL
else
	if ! "$ROOT/tests/stack/start.sh" "$STACK" --steady >"$T/stack.log" 2>&1; then
		cat "$T/stack.log"; not_ok "local stack starts"; finish
	fi
	. "$STACK/env"
	if [ -z "${ELASTICSEARCH_URL:-}" ]; then
		echo "tests/stack/start.sh does not start Elasticsearch yet (no ELASTICSEARCH_URL in $STACK/env)"
		exit 77
	fi
fi

# index N PREFIX SERVICE LEVEL: N lines "PREFIX-i ..." stamped now, visible at once.
index() {
	python3 - "$ELASTICSEARCH_URL" "$$" "$@" <<'EOF'
import json, sys, time, urllib.request
url, run, n, prefix, service, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
now = time.time()
out = []
for i in range(n):
    t = now - (n - 1 - i) * 0.01
    doc = {"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000),
           "message": "%s-%d checkout step done" % (prefix, i), "log": {"level": level},
           "service": {"name": service}, "kubernetes": {"pod": {"name": service + "-7d9f"}}}
    if level == "ERROR":
        doc["trace"] = {"id": "%032x" % (i + 1)}
    out.append(json.dumps({"index": {"_index": "logs-screen-" + run}}))
    out.append(json.dumps(doc))
req = urllib.request.Request(url + "/_bulk?refresh=true", data=("\n".join(out) + "\n").encode(),
                             headers={"Content-Type": "application/x-ndjson"})
body = json.loads(urllib.request.urlopen(req).read())
sys.exit(1 if body.get("errors") else 0)
EOF
}

# The index as ECS templates make it: service, level and trace id are keywords.
mapping() {
	python3 - "$ELASTICSEARCH_URL" "$$" <<'EOF'
import json, sys, urllib.request
m = {"mappings": {"properties": {"@timestamp": {"type": "date"}, "message": {"type": "text"},
     "log": {"properties": {"level": {"type": "keyword"}}},
     "service": {"properties": {"name": {"type": "keyword"}}},
     "trace": {"properties": {"id": {"type": "keyword"}}}}}}
req = urllib.request.Request(sys.argv[1] + "/logs-screen-" + sys.argv[2], data=json.dumps(m).encode(), method="PUT",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
EOF
}
# Service names of this run only: shopsim's own lines never get in the way.
O=orders-t$$ P=payments-t$$
check "creates the index with ECS keyword fields" mapping
check "indexes the test lines" index 30 base "$O" INFO
check "indexes error lines of another service" index 5 fail "$P" ERROR

screen() { tmux -L "$SOCK" capture-pane -p -t t; }
has() { screen | grep -q -- "$1"; }
lacks() { ! screen | grep -q -- "$1"; }
keys() { tmux -L "$SOCK" send-keys -t t "$@"; }
row() { screen | sed -n "${1}p"; }

tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 \
	"'$OPSDECK_BIN' --elasticsearch '$ELASTICSEARCH_URL' --refresh 1s; echo \"EXITED \$?\"; sleep 600"

check "status line shows elasticsearch ok" wait_for 20 bash -c "$(declare -f screen); screen | tail -1 | grep -Eq 'elasticsearch ok [0-9]+ms'"
keys L
check "L opens the logs of every service" wait_for 10 bash -c "$(declare -f screen has); has 'Logs' && has 'query \\*'"
check "the histogram has a scale and time labels" wait_for 10 bash -c "$(declare -f screen); screen | sed -n 3p | grep -Eq '^ +[0-9]+ ' && screen | grep -Eq '^ +[0-9]{2}:[0-9]{2} '"
check "the header names the range with its time zone" has 'last 15m (local)'

keys e C-u
keys -l "service.name:$O OR service.name:$P"
keys Enter
check "a typed query shows its hits, newest first" wait_for 15 bash -c "$(declare -f screen has row); row 9 | grep -q 'fail-4 checkout' && has 'base-29 checkout' && has '35 hits'"
check "error lines carry their level" has "ERROR $P"
keys e C-u
keys -l "service.name:\"$O\" AND checkout"
keys Enter
check "a narrower query narrows the hits" wait_for 10 bash -c "$(declare -f screen has lacks); has 'query service.name:\"$O\" AND checkout' && lacks 'fail-4' && has '30 hits'"
check "the hits of the query are shown" wait_for 10 has 'base-29 checkout'

keys F
check "F turns the tail on, following" wait_for 10 has 'following'
index 2 tailnew "$O" WARN
check "the tail picks up new lines at the top" wait_for 10 bash -c "$(declare -f screen row); row 9 | grep -q 'tailnew-1 checkout'"

keys j j j
sleep 0.3
before=$(row 9)
index 3 later "$O" INFO
check "a scrolled-up view counts N new" wait_for 10 has '3 new'
check "a scrolled-up view holds still" bash -c "[ \"\$(tmux -L $SOCK capture-pane -p -t t | sed -n 9p)\" = '$before' ]"
keys g
check "g goes back to the newest and follows" wait_for 10 bash -c "$(declare -f screen has row); has 'following' && row 9 | grep -q 'later-2'"

keys / t a i l n e w
check "the / filter hides the other lines" wait_for 10 bash -c "$(declare -f screen has lacks); has 'tailnew-0' && lacks 'base-29' && has '2 shown'"
check "the filter's matches are highlighted" bash -c "tmux -L $SOCK capture-pane -p -e -t t | grep -q \$'\\e\\[7m\\(\\e\\[[0-9;]*m\\)*tailnew'"
keys Enter
keys Enter
check "Enter shows every field of the line" wait_for 10 bash -c "$(declare -f screen has); has 'kubernetes.pod.name: $O-7d9f' && has 'service.name:'"
keys Escape
check "Esc goes back to the list" wait_for 10 bash -c "$(declare -f screen has lacks); lacks 'kubernetes.pod.name' && has 'tailnew-0'"

tmux -L "$SOCK" resize-window -t t -x 80 -y 24
check "the logs relayout at 80x24" wait_for 10 bash -c "$(declare -f screen has); has 'tailnew-0' && [ \$(screen | wc -L) -le 80 ]"
keys q
check "q goes back to the Overview" wait_for 10 bash -c "$(declare -f screen has lacks); has 'Overview' && lacks 'TIME  '"
keys q
check "q quits with status 0" wait_for 10 has 'EXITED 0'
check "the query is kept in the history" grep -qx "service.name:\"$O\" AND checkout" "$T/state/opsdeck/history"
finish
