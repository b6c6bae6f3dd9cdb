#!/usr/bin/env bash
# shellcheck disable=SC2016  # jq programs in single quotes
# Environments on the command line, against a real Prometheus reached
# under two URLs (staging: 127.0.0.1, prod: localhost): `opsdeck config`
# applies the selected [env] and marks it; --env beats OPSDECK_ENV; the
# environment variables and flags beat the section; unknown names and bad
# keys are errors naming where they came from (file:line, did you mean);
# a secret in a section is refused without being echoed; `opsdeck
# snapshot --env NAME` polls that environment's Prometheus only, says so in
# the JSON envelope ("env") and in the title bar ([prod] in red).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

[ -x "$OPSDECK_BIN" ] || { echo "no opsdeck binary at $OPSDECK_BIN (run make)"; exit 77; }
command -v prometheus >/dev/null || { echo "prometheus is not installed"; exit 77; }
command -v jq >/dev/null || { echo "jq is not installed"; exit 77; }

T=$(mktemp -d /tmp/opsdeck-envcli.XXXXXX)
PROM_PID=
cleanup() {
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/config XDG_STATE_HOME=$T/state LANG=C.UTF-8 TZ=UTC
unset OPSDECK_CONFIG OPSDECK_ENV OPSDECK_PROMETHEUS_URL OPSDECK_PROMETHEUS_TOKEN OPSDECK_REFRESH \
	OPSDECK_READ_ONLY NO_COLOR KUBECONFIG DOCKER_HOST DOCKER_CONTEXT
mkdir -p "$HOME"

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
printf "global:\n  evaluation_interval: 1s\nrule_files: ['%s']\n" "$T/prom/rules.yml" >"$T/prom/prometheus.yml"
prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$T/prom/log" 2>&1 &
PROM_PID=$!
wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$PROM_PORT/-/ready" ||
	{ cat "$T/prom/log"; not_ok "Prometheus starts"; finish; }
# payments' series exists (the snapshot then has a row to show)
wait_for 30 bash -c "curl -sf 'http://127.0.0.1:$PROM_PORT/api/v1/query?query=http_requests_total' | grep -q payments"

C=$T/config.ini
cat >"$C" <<EOF
[docker]
host =

[kubernetes]
kubeconfig = ""

[prometheus]
url = http://127.0.0.1:1
timeout = 3s

[env "staging"]
prometheus.url = http://127.0.0.1:$PROM_PORT

[env "prod"]
protected = true
prometheus.url = http://localhost:$PROM_PORT
general.read_only = true
EOF
od() { "$OPSDECK_BIN" -c "$C" "$@"; }
jqe() { jq -e "$@" >/dev/null; }

# ---- opsdeck config ---------------------------------------------------------------------------
out=$(od config --env prod)
check "config --env prod: the section's url, its origin the section's line" \
	grep -Eq "^url = http://localhost:$PROM_PORT +; $C:16\$" <<<"$out"
check "config --env prod: read_only from the section; timeout still the top level's" \
	bash -c "grep -Eq '^read_only = true +; $C:17\$' <<<'$out' && grep -Eq '^timeout = 3s +; $C:9\$' <<<'$out'"
check "config --env prod: both sections listed, prod marked selected, staging not" \
	bash -c "grep -Eq '^\[env \"prod\"\] +; selected' <<<'$out' && grep -qx '\[env \"staging\"\]' <<<'$out' && grep -Eq '^protected = true +; $C:15\$' <<<'$out'"
out=$(od config)
check "config without --env: the top-level url" grep -Eq "^url = http://127.0.0.1:1 +; $C:8\$" <<<"$out"
check "config without --env: no section marked selected" bash -c "! grep -q selected <<<'$out'"
check "OPSDECK_ENV=prod selects prod" \
	bash -c "OPSDECK_ENV=prod '$OPSDECK_BIN' -c '$C' config | grep -q '^url = http://localhost:$PROM_PORT '"
check "--env staging beats OPSDECK_ENV=prod" \
	bash -c "OPSDECK_ENV=prod '$OPSDECK_BIN' -c '$C' config --env staging | grep -q '^url = http://127.0.0.1:$PROM_PORT '"
check "OPSDECK_PROMETHEUS_URL beats the section" \
	bash -c "OPSDECK_PROMETHEUS_URL=http://var:9 '$OPSDECK_BIN' -c '$C' config --env prod | grep -Eq '^url = http://var:9 +; env OPSDECK_PROMETHEUS_URL\$'"
check "--prometheus beats both" \
	bash -c "OPSDECK_PROMETHEUS_URL=http://var:9 '$OPSDECK_BIN' -c '$C' config --env prod --prometheus http://flag:9 | grep -Eq '^url = http://flag:9 +; flag --prometheus\$'"
check "--env default: the top-level settings" \
	bash -c "'$OPSDECK_BIN' -c '$C' config --env default | grep -q '^url = http://127.0.0.1:1 '"

# ---- errors -----------------------------------------------------------------------------------
err=$(od config --env qa 2>&1 >/dev/null); rc=$?
check "--env qa: exit 1, the message lists the environments" \
	test "$rc:$err" = "1:opsdeck: --env qa: no environment named 'qa' (environments: staging, prod; default = the top-level settings)"
err=$(OPSDECK_ENV=qa "$OPSDECK_BIN" -c "$C" config 2>&1 >/dev/null); rc=$?
check "OPSDECK_ENV=qa: exit 1, the message names the variable" \
	test "$rc:${err%%:*}:$(cut -d: -f2 <<<"$err")" = "1:opsdeck: OPSDECK_ENV=qa"
printf '[env "prod"]\nprotected = true\nprometheus.ulr = http://x:1\n' >"$T/typo.ini"
err=$("$OPSDECK_BIN" -c "$T/typo.ini" config 2>&1 >/dev/null); rc=$?
check "a misspelt key: exit 1, file:line and did you mean" \
	test "$rc:$err" = "1:opsdeck: $T/typo.ini:3: unknown key 'prometheus.ulr' in [env \"prod\"] (did you mean 'prometheus.url'?)"
printf '[env "prod"]\nprometheus.token = hunter2-env-secret\n' >"$T/secret.ini"
err=$("$OPSDECK_BIN" -c "$T/secret.ini" config 2>&1 >/dev/null); rc=$?
check "a secret in a section: refused (exit 1), pointing at token_file, never echoed" \
	bash -c "[ $rc = 1 ] && grep -q 'prometheus.token_file = /path/to/file in \[env \"prod\"\]' <<<\"\$1\" && ! grep -q hunter2 <<<\"\$1\"" _ "$err"

# ---- snapshot ---------------------------------------------------------------------------------
od snapshot --env prod --format json --timeout 10s --debug-log "$T/prod.log" >"$T/prod.json"; rc=$?
check "snapshot --env prod: exit 0, prometheus ok" \
	bash -c "[ $rc = 0 ] && jq -e '.backends.prometheus.ok == true' '$T/prod.json' >/dev/null"
check "snapshot --env prod: the envelope says env prod" jqe '.env == "prod"' "$T/prod.json"
check "snapshot --env prod: every request went to prod's URL (localhost)" \
	bash -c "grep -q ' GET http://localhost:$PROM_PORT/' '$T/prod.log' && ! grep -q '127.0.0.1' '$T/prod.log'"
od snapshot --env staging --format json --timeout 10s --debug-log "$T/staging.log" >"$T/staging.json"
check "snapshot --env staging: env staging, requests to 127.0.0.1 only" \
	bash -c "jq -e '.env == \"staging\"' '$T/staging.json' >/dev/null && grep -q ' GET http://127.0.0.1:$PROM_PORT/' '$T/staging.log' && ! grep -q localhost '$T/staging.log'"
od snapshot --format json --timeout 5s >"$T/none.json" 2>/dev/null
check "snapshot without --env: env null" jqe '.env == null' "$T/none.json"
title=$(od snapshot --env prod --format ansi --width 100 --timeout 10s | head -1)
check "snapshot --env prod --format ansi: [prod] in the title bar, reversed and red" \
	bash -c "grep -q \$'\\e\\[[0-9;]*7;[0-9;]*31m\\[prod\\]\\|\\e\\[[0-9;]*31;[0-9;]*7m\\[prod\\]' <<<\"\$1\"" _ "$title"
title=$(od snapshot --env staging --format text --width 80 --timeout 10s | head -1)
check "snapshot --env staging --format text at 80 columns: ' opsdeck [staging] · Overview'" \
	bash -c "grep -q '^ opsdeck \[staging\] · Overview' <<<\"\$1\"" _ "$title"
finish
