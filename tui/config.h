/*
 * config.h - the effective configuration and where each value came from.
 *
 * Sources, in increasing precedence: default < file < environment < flag.
 * Every source keeps its own value, so the load order does not matter and
 * `opsdeck config` can say which source won.  All keys, their types,
 * defaults, environment variables, flags and help come from CONFIG_KEYS
 * below (the keys of [service "NAME"] sections from CONFIG_SERVICE_KEYS):
 * the listing, the man page and unknown-key detection use them alone.
 *
 * Call order:
 *   cfg = config_new();
 *   path = config_default_path(flag_path, getenv, &explicit);
 *   config_load_file(cfg, path, explicit, &e);   (if path != NULL)
 *   config_load_env(cfg, getenv, &e);
 *   config_set_flag(cfg, "--refresh", "5s", &e); (for each option)
 *   config_finalize(cfg, &e);                    (then read with accessors)
 *   config_free(cfg);
 * Every failure is an ERR_CONFIG error (ERR_USAGE for an unknown flag) whose
 * message names the file and line, variable or flag; main exits 1.
 *
 * Secrets (token, password, api_key) are accepted from the environment
 * only, or read by config_finalize() from token_file / password_file /
 * api_key_file; they never appear in config_print() output or in error
 * messages.
 */
#ifndef OPSDECK_TUI_CONFIG_H
#define OPSDECK_TUI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

enum config_type {
	CFG_T_STRING,   /* any text */
	CFG_T_LABEL,    /* a Prometheus label name [a-zA-Z_][a-zA-Z0-9_]* */
	CFG_T_URL,      /* http://, https:// or unix:///; no user:pass@ */
	CFG_T_PATH,     /* a file name; "~/" means $HOME */
	CFG_T_DURATION, /* parse_duration_ms, > 0; read with config_ms */
	CFG_T_WINDOW,   /* a PromQL range ("1m"), kept as text; config_str/ms */
	CFG_T_INT,      /* domain "lo..hi"; read with config_int */
	CFG_T_BOOL,     /* read with config_bool */
	CFG_T_ENUM,     /* domain "a, b"; NULL domain: a prometheus preset name */
	CFG_T_PERCENT,  /* "1%" or 0.01, at most 100%; read with config_ratio */
	CFG_T_SIZE,     /* "32MiB"; read with config_size */
	CFG_T_LIST,     /* may repeat in the file; read with config_list */
	CFG_T_TEMPLATE, /* PromQL using only ${label} and ${window} */
	CFG_T_SECRET,   /* environment only; read with config_secret */
	CFG_T_ENDPOINT, /* unix:///path, tcp://host[:port], ssh://[user@]host[:port] */
	CFG_T_CONTEXT,  /* a Docker context name [a-zA-Z0-9][a-zA-Z0-9_.+-]* */
	CFG_T_NAME,     /* not empty, valid UTF-8, no control characters */
	CFG_T_INDEX,    /* Elasticsearch index pattern(s): "logs-*", "a-*,b-*" */
	CFG_T_FIELD,    /* Elasticsearch field name: "log.level", "@timestamp" */
};

/*
 * X(id, section, key, type, default, domain, env, flag, help)
 * default: text as in the file, NULL when unset by default.
 * domain: INT "lo..hi", ENUM "a, b"; "preset" on a LABEL/TEMPLATE means
 *   the default comes from the chosen [prometheus] preset (an empty value
 *   in any source means "use it").
 *   LIST: NULL for "Name: value" headers; "contexts" for kubeconfig
 *   context names, "clusters" for ECS cluster names or ARNs, each item a
 *   comma list of them.
 */
#define CONFIG_KEYS(X)                                                                             \
	X(GENERAL_REFRESH, "general", "refresh", DURATION, "2s", NULL, "OPSDECK_REFRESH",          \
	  "--refresh", "how often every backend is polled")                                        \
	X(GENERAL_THEME, "general", "theme", ENUM, "default", "default, light, high-contrast, mono", \
	  "OPSDECK_THEME", "--theme",                                                              \
	  "colour theme: default (dark), light, high-contrast, or mono (attributes only)")         \
	X(GENERAL_MOUSE, "general", "mouse", BOOL, "true", NULL, NULL, NULL,                       \
	  "click rows and tabs, wheel scrolls (Shift+drag still selects text; --no-mouse)")        \
	X(GENERAL_HISTORY, "general", "history", INT, "60", "2..1000", NULL, NULL,                 \
	  "points kept per series (the sparkline length)")                                         \
	X(GENERAL_MAX_SERVICES, "general", "max_services", INT, "10000", "1..1000000", NULL, NULL, \
	  "services tracked at most")                                                              \
	X(GENERAL_CONFIRM, "general", "confirm", ENUM, "yes", "yes, name", NULL, NULL,             \
	  "how an action is confirmed: yes = press y; name = type the service's name")             \
	X(GENERAL_AUDIT_LOG, "general", "audit_log", PATH, NULL, NULL, NULL, NULL,                 \
	  "JSON-lines log of every action; unset = $XDG_STATE_HOME/opsdeck/audit.jsonl")           \
	X(GENERAL_READ_ONLY, "general", "read_only", BOOL, "false", NULL, "OPSDECK_READ_ONLY",     \
	  "--read-only", "refuse every action (scale, restart, roll back)")                        \
	X(GENERAL_ACTION_TIMEOUT, "general", "action_timeout", DURATION, "2m", NULL, NULL, NULL,   \
	  "how long an action may take to converge before it is reported as timed out")            \
	X(GENERAL_TIMEZONE, "general", "timezone", ENUM, "local", "local, UTC", NULL, NULL,        \
	  "time zone of the times shown (log lines, ranges): local or UTC")                        \
	X(PROMETHEUS_URL, "prometheus", "url", URL, NULL, NULL, "OPSDECK_PROMETHEUS_URL",          \
	  "--prometheus", "base URL: http://, https:// or unix:///path; unset = no Prometheus")    \
	X(PROMETHEUS_TOKEN_FILE, "prometheus", "token_file", PATH, NULL, NULL, NULL, NULL,         \
	  "file holding the bearer token")                                                         \
	X(PROMETHEUS_TOKEN, "prometheus", "token", SECRET, NULL, NULL, "OPSDECK_PROMETHEUS_TOKEN", \
	  NULL, "bearer token (environment only; else token_file)")                                \
	X(PROMETHEUS_USERNAME, "prometheus", "username", STRING, NULL, NULL, NULL, NULL,           \
	  "basic-auth user name")                                                                  \
	X(PROMETHEUS_PASSWORD_FILE, "prometheus", "password_file", PATH, NULL, NULL, NULL, NULL,   \
	  "file holding the basic-auth password")                                                  \
	X(PROMETHEUS_PASSWORD, "prometheus", "password", SECRET, NULL, NULL,                       \
	  "OPSDECK_PROMETHEUS_PASSWORD", NULL,                                                     \
	  "basic-auth password (environment only; else password_file)")                            \
	X(PROMETHEUS_CA_FILE, "prometheus", "ca_file", PATH, NULL, NULL, NULL, NULL,               \
	  "CA bundle (PEM) that verifies the server")                                              \
	X(PROMETHEUS_INSECURE, "prometheus", "insecure", BOOL, "false", NULL, NULL, NULL,          \
	  "skip TLS certificate verification (testing only)")                                      \
	X(PROMETHEUS_PRESET, "prometheus", "preset", ENUM, "http", NULL, NULL, NULL,               \
	  "metric query preset")                                                                   \
	X(PROMETHEUS_SERVICE_LABEL, "prometheus", "service_label", LABEL, NULL, "preset", NULL,    \
	  NULL, "label naming the service (${label}); default from the preset")                    \
	X(PROMETHEUS_RATE_WINDOW, "prometheus", "rate_window", WINDOW, "1m", NULL, NULL, NULL,     \
	  "range of rate() in the templates (${window})")                                          \
	X(PROMETHEUS_TIMEOUT, "prometheus", "timeout", DURATION, "5s", NULL, NULL, NULL,           \
	  "deadline of each request")                                                              \
	X(PROMETHEUS_MAX_BODY, "prometheus", "max_body", SIZE, "32MiB", NULL, NULL, NULL,          \
	  "largest response body accepted")                                                        \
	X(PROMETHEUS_HEADER, "prometheus", "header", LIST, NULL, NULL, NULL, NULL,                 \
	  "extra request header 'Name: value'; may repeat")                                        \
	X(METRICS_RPS, "metrics", "rps", TEMPLATE, NULL, "preset", NULL, NULL,                     \
	  "PromQL: requests per second by service")                                                \
	X(METRICS_ERRORS, "metrics", "errors", TEMPLATE, NULL, "preset", NULL, NULL,               \
	  "PromQL: error ratio by service")                                                        \
	X(METRICS_P99, "metrics", "p99", TEMPLATE, NULL, "preset", NULL, NULL,                     \
	  "PromQL: 99th percentile latency in seconds by service")                                 \
	X(METRICS_CPU, "metrics", "cpu", TEMPLATE, NULL, "preset", NULL, NULL,                     \
	  "PromQL: CPU cores used by service")                                                     \
	X(METRICS_MEMORY, "metrics", "memory", TEMPLATE, NULL, "preset", NULL, NULL,               \
	  "PromQL: memory bytes used by service")                                                  \
	X(THRESHOLDS_ERROR_WARN, "thresholds", "error_warn", PERCENT, "1%", NULL, NULL, NULL,      \
	  "error ratio shown as a warning")                                                        \
	X(THRESHOLDS_ERROR_CRIT, "thresholds", "error_crit", PERCENT, "5%", NULL, NULL, NULL,      \
	  "error ratio shown as critical")                                                         \
	X(THRESHOLDS_P99_WARN, "thresholds", "p99_warn", DURATION, "500ms", NULL, NULL, NULL,      \
	  "p99 latency shown as a warning")                                                        \
	X(THRESHOLDS_P99_CRIT, "thresholds", "p99_crit", DURATION, "2s", NULL, NULL, NULL,         \
	  "p99 latency shown as critical")                                                         \
	X(DOCKER_HOST, "docker", "host", ENDPOINT, NULL, NULL, "DOCKER_HOST", "--docker",          \
	  "Docker endpoint: unix:///path, tcp://host:port or ssh://user@host[:port]; unset: the "  \
	  "context, else the default socket if it answers; empty: no Docker")                      \
	X(DOCKER_CONTEXT, "docker", "context", CONTEXT, NULL, NULL, "DOCKER_CONTEXT", NULL,        \
	  "Docker context to use instead of the current one (~/.docker/config.json)")              \
	X(DOCKER_CERT_PATH, "docker", "cert_path", PATH, NULL, NULL, "DOCKER_CERT_PATH", NULL,     \
	  "directory holding ca.pem, cert.pem and key.pem for tcp:// with TLS")                    \
	X(DOCKER_TLS_VERIFY, "docker", "tls_verify", BOOL, "false", NULL, "DOCKER_TLS_VERIFY",     \
	  NULL,                                                                                    \
	  "use TLS and verify the daemon (as in Docker, any non-empty DOCKER_TLS_VERIFY "          \
	  "means true)")                                                                           \
	X(DOCKER_SSH_SOCKET, "docker", "ssh_socket", STRING, "/var/run/docker.sock", NULL, NULL,   \
	  NULL, "the Docker socket on the remote host of an ssh:// endpoint (an absolute path)")   \
	X(DOCKER_SSH_OPTIONS, "docker", "ssh_options", STRING, NULL, NULL,                         \
	  "OPSDECK_DOCKER_SSH_OPTIONS", NULL,                                                      \
	  "extra ssh arguments for an ssh:// endpoint, separated by blanks, no quoting or ~ "      \
	  "(e.g. -i /etc/opsdeck/deploy_key -o ConnectTimeout=5)")                                 \
	X(DOCKER_TIMEOUT, "docker", "timeout", DURATION, "5s", NULL, NULL, NULL,                   \
	  "deadline of each request")                                                              \
	X(DOCKER_MAX_BODY, "docker", "max_body", SIZE, "32MiB", NULL, NULL, NULL,                  \
	  "largest response body accepted")                                                        \
	X(DOCKER_NAME, "docker", "name", NAME, "local", NULL, NULL, NULL,                          \
	  "the context's name in confirmation dialogs and the audit log")                          \
	X(KUBERNETES_KUBECONFIG, "kubernetes", "kubeconfig", STRING, NULL, NULL, "KUBECONFIG",     \
	  NULL,                                                                                    \
	  "kubeconfig file(s), ':'-separated and merged as kubectl merges them; unset: "           \
	  "~/.kube/config when it exists; empty: no Kubernetes")                                   \
	X(KUBERNETES_CONTEXT, "kubernetes", "context", LIST, NULL, "contexts", NULL, "--context",  \
	  "kubeconfig context to watch, a runtime of its own; may repeat or be a comma list; "     \
	  "unset: the current-context")                                                            \
	X(KUBERNETES_NAMESPACE, "kubernetes", "namespace", STRING, NULL, NULL, NULL,               \
	  "--namespace",                                                                           \
	  "namespace listed and acted in; unset or empty: the context's (else default); * = all "  \
	  "namespaces (-A)")                                                                       \
	X(KUBERNETES_TIMEOUT, "kubernetes", "timeout", DURATION, "5s", NULL, NULL, NULL,           \
	  "deadline of each request")                                                              \
	X(KUBERNETES_MAX_BODY, "kubernetes", "max_body", SIZE, "32MiB", NULL, NULL, NULL,          \
	  "largest response body accepted (one page of a list: 500 items)")                        \
	X(ECS_CLUSTER, "ecs", "cluster", LIST, NULL, "clusters", NULL, "--ecs-cluster",            \
	  "Amazon ECS cluster (name or ARN) to watch, a runtime of its own; may repeat or be a "   \
	  "comma list; unset: no ECS")                                                             \
	X(ECS_PROFILE, "ecs", "profile", STRING, NULL, NULL, NULL, NULL,                           \
	  "AWS profile of ~/.aws/config and ~/.aws/credentials; unset: AWS_PROFILE, else "         \
	  "default (then the AWS_ACCESS_KEY_ID environment comes first, as in the AWS CLI)")       \
	X(ECS_REGION, "ecs", "region", STRING, NULL, NULL, NULL, NULL,                             \
	  "AWS region (eu-west-1); unset: AWS_REGION, AWS_DEFAULT_REGION, the profile's region")   \
	X(ECS_ENDPOINT_URL, "ecs", "endpoint_url", URL, NULL, NULL, NULL, NULL,                    \
	  "ECS API endpoint; unset: the profile's endpoint_url, else "                             \
	  "https://ecs.REGION.amazonaws.com")                                                      \
	X(ECS_TIMEOUT, "ecs", "timeout", DURATION, "5s", NULL, NULL, NULL,                         \
	  "deadline of each request")                                                              \
	X(ECS_MAX_BODY, "ecs", "max_body", SIZE, "32MiB", NULL, NULL, NULL,                        \
	  "largest response body accepted")                                                        \
	X(ELASTICSEARCH_URL, "elasticsearch", "url", URL, NULL, NULL, "OPSDECK_ELASTICSEARCH_URL", \
	  "--elasticsearch",                                                                       \
	  "base URL: http://, https:// or unix:///path; unset = no Elasticsearch")                 \
	X(ELASTICSEARCH_INDEX, "elasticsearch", "index", INDEX, "logs-*", NULL, NULL, NULL,        \
	  "index pattern searched for logs (comma-separated patterns, wildcards)")                 \
	X(ELASTICSEARCH_TOKEN_FILE, "elasticsearch", "token_file", PATH, NULL, NULL, NULL, NULL,   \
	  "file holding the bearer token")                                                         \
	X(ELASTICSEARCH_TOKEN, "elasticsearch", "token", SECRET, NULL, NULL,                       \
	  "OPSDECK_ELASTICSEARCH_TOKEN", NULL, "bearer token (environment only; else token_file)") \
	X(ELASTICSEARCH_USERNAME, "elasticsearch", "username", STRING, NULL, NULL, NULL, NULL,     \
	  "basic-auth user name")                                                                  \
	X(ELASTICSEARCH_PASSWORD_FILE, "elasticsearch", "password_file", PATH, NULL, NULL, NULL,   \
	  NULL, "file holding the basic-auth password")                                            \
	X(ELASTICSEARCH_PASSWORD, "elasticsearch", "password", SECRET, NULL, NULL,                 \
	  "OPSDECK_ELASTICSEARCH_PASSWORD", NULL,                                                  \
	  "basic-auth password (environment only; else password_file)")                            \
	X(ELASTICSEARCH_API_KEY_FILE, "elasticsearch", "api_key_file", PATH, NULL, NULL, NULL,     \
	  NULL,                                                                                    \
	  "file holding the API key as Elasticsearch returns it (the base64 \"encoded\" value), "  \
	  "sent as 'Authorization: ApiKey ...'")                                                   \
	X(ELASTICSEARCH_API_KEY, "elasticsearch", "api_key", SECRET, NULL, NULL,                   \
	  "OPSDECK_ELASTICSEARCH_API_KEY", NULL,                                                   \
	  "API key, the base64 \"encoded\" value (environment only; else api_key_file)")           \
	X(ELASTICSEARCH_CA_FILE, "elasticsearch", "ca_file", PATH, NULL, NULL, NULL, NULL,         \
	  "CA bundle (PEM) that verifies the server")                                              \
	X(ELASTICSEARCH_INSECURE, "elasticsearch", "insecure", BOOL, "false", NULL, NULL, NULL,    \
	  "skip TLS certificate verification (testing only)")                                      \
	X(ELASTICSEARCH_TIMEOUT, "elasticsearch", "timeout", DURATION, "5s", NULL, NULL, NULL,     \
	  "deadline of each request")                                                              \
	X(ELASTICSEARCH_MAX_BODY, "elasticsearch", "max_body", SIZE, "32MiB", NULL, NULL, NULL,    \
	  "largest response body accepted")                                                        \
	X(ELASTICSEARCH_HEADER, "elasticsearch", "header", LIST, NULL, NULL, NULL, NULL,           \
	  "extra request header 'Name: value'; may repeat")                                        \
	X(ELASTICSEARCH_TIMESTAMP_FIELD, "elasticsearch", "timestamp_field", FIELD, "@timestamp",  \
	  NULL, NULL, NULL, "field holding each line's time (sorted and ranged on)")               \
	X(ELASTICSEARCH_MESSAGE_FIELD, "elasticsearch", "message_field", FIELD, "message", NULL,   \
	  NULL, NULL, "field holding the log message")                                             \
	X(ELASTICSEARCH_LEVEL_FIELD, "elasticsearch", "level_field", FIELD, "log.level", NULL,     \
	  NULL, NULL, "field holding the log level (ERROR, warn...)")                              \
	X(ELASTICSEARCH_SERVICE_FIELD, "elasticsearch", "service_field", FIELD, "service.name",    \
	  NULL, NULL, NULL, "field naming the service")                                            \
	X(ELASTICSEARCH_TRACE_FIELD, "elasticsearch", "trace_field", FIELD, "trace.id", NULL,      \
	  NULL, NULL, "field holding the trace id")                                                \
	X(ELASTICSEARCH_TIEBREAK_FIELD, "elasticsearch", "tiebreak_field", FIELD, "_doc", NULL,    \
	  NULL, NULL,                                                                              \
	  "second sort field that orders lines of the same time (paging and tail); _doc or a "     \
	  "unique keyword field")                                                                  \
	X(LOGS_MAX_LINES, "logs", "max_lines", INT, "10000", "100..1000000", NULL, NULL,           \
	  "log lines held at most; older ones are dropped and fetched again on demand")            \
	X(LOGS_MAX_BYTES, "logs", "max_bytes", SIZE, "16MiB", NULL, NULL, NULL,                    \
	  "bytes of log lines held at most")                                                       \
	X(LOGS_MAX_MESSAGE, "logs", "max_message", SIZE, "64KiB", NULL, NULL, NULL,                \
	  "bytes kept of a single message; the rest is marked as cut")                             \
	X(LOGS_PAGE, "logs", "page", INT, "200", "10..10000", NULL, NULL,                          \
	  "log lines fetched per request")                                                         \
	X(LOGS_RANGE, "logs", "range", DURATION, "15m", NULL, NULL, NULL,                          \
	  "time range of the Logs screen when it opens (back from now)")                           \
	X(ZIPKIN_URL, "zipkin", "url", URL, NULL, NULL, "OPSDECK_ZIPKIN_URL", "--zipkin",          \
	  "base URL: http://, https:// or unix:///path; unset = no traces")                        \
	X(ZIPKIN_TOKEN_FILE, "zipkin", "token_file", PATH, NULL, NULL, NULL, NULL,                 \
	  "file holding the bearer token")                                                         \
	X(ZIPKIN_TOKEN, "zipkin", "token", SECRET, NULL, NULL, "OPSDECK_ZIPKIN_TOKEN", NULL,       \
	  "bearer token (environment only; else token_file)")                                      \
	X(ZIPKIN_USERNAME, "zipkin", "username", STRING, NULL, NULL, NULL, NULL,                   \
	  "basic-auth user name")                                                                  \
	X(ZIPKIN_PASSWORD_FILE, "zipkin", "password_file", PATH, NULL, NULL, NULL, NULL,           \
	  "file holding the basic-auth password")                                                  \
	X(ZIPKIN_PASSWORD, "zipkin", "password", SECRET, NULL, NULL, "OPSDECK_ZIPKIN_PASSWORD",    \
	  NULL, "basic-auth password (environment only; else password_file)")                      \
	X(ZIPKIN_CA_FILE, "zipkin", "ca_file", PATH, NULL, NULL, NULL, NULL,                       \
	  "CA bundle (PEM) that verifies the server")                                              \
	X(ZIPKIN_INSECURE, "zipkin", "insecure", BOOL, "false", NULL, NULL, NULL,                  \
	  "skip TLS certificate verification (testing only)")                                      \
	X(ZIPKIN_TIMEOUT, "zipkin", "timeout", DURATION, "5s", NULL, NULL, NULL,                   \
	  "deadline of each request")                                                              \
	X(ZIPKIN_MAX_BODY, "zipkin", "max_body", SIZE, "64MiB", NULL, NULL, NULL,                  \
	  "largest response body accepted (a bigger trace is refused with its size)")              \
	X(ZIPKIN_HEADER, "zipkin", "header", LIST, NULL, NULL, NULL, NULL,                         \
	  "extra request header 'Name: value'; may repeat")                                        \
	X(TRACES_CACHE, "traces", "cache", INT, "200", "1..100000", NULL, NULL,                    \
	  "traces kept for going back (least recently used out first)")                            \
	X(TRACES_MAX_BYTES, "traces", "max_bytes", SIZE, "64MiB", NULL, NULL, NULL,                \
	  "bytes of traces kept at most")                                                          \
	X(TRACES_MAX_SPANS, "traces", "max_spans", INT, "50000", "10..10000000", NULL, NULL,       \
	  "spans of one trace at most; a bigger trace is refused with its size")                   \
	X(TRACES_LOOKBACK, "traces", "lookback", DURATION, "1h", NULL, NULL, NULL,                 \
	  "how far back a trace search looks unless it says since=")                               \
	X(TRACES_LIMIT, "traces", "limit", INT, "20", "1..1000", NULL, NULL,                       \
	  "traces listed per search unless it says limit=")                                        \
	X(ALERTMANAGER_URL, "alertmanager", "url", URL, NULL, NULL, "OPSDECK_ALERTMANAGER_URL",    \
	  "--alertmanager", "Alertmanager base URL (alerts, silences); unset = none")             \
	X(ALERTMANAGER_TOKEN_FILE, "alertmanager", "token_file", PATH, NULL, NULL, NULL, NULL,     \
	  "file holding the bearer token")                                                         \
	X(ALERTMANAGER_TOKEN, "alertmanager", "token", SECRET, NULL, NULL,                         \
	  "OPSDECK_ALERTMANAGER_TOKEN", NULL, "bearer token (environment only; else token_file)") \
	X(ALERTMANAGER_USERNAME, "alertmanager", "username", STRING, NULL, NULL, NULL, NULL,       \
	  "basic-auth user name")                                                                  \
	X(ALERTMANAGER_PASSWORD_FILE, "alertmanager", "password_file", PATH, NULL, NULL, NULL,     \
	  NULL, "file holding the basic-auth password")                                            \
	X(ALERTMANAGER_PASSWORD, "alertmanager", "password", SECRET, NULL, NULL,                   \
	  "OPSDECK_ALERTMANAGER_PASSWORD", NULL,                                                   \
	  "basic-auth password (environment only; else password_file)")                            \
	X(ALERTMANAGER_CA_FILE, "alertmanager", "ca_file", PATH, NULL, NULL, NULL, NULL,           \
	  "CA bundle (PEM) that verifies the server")                                              \
	X(ALERTMANAGER_INSECURE, "alertmanager", "insecure", BOOL, "false", NULL, NULL, NULL,      \
	  "skip TLS certificate verification (testing only)")                                      \
	X(ALERTMANAGER_TIMEOUT, "alertmanager", "timeout", DURATION, "5s", NULL, NULL, NULL,       \
	  "deadline of each request")                                                              \
	X(ALERTMANAGER_MAX_BODY, "alertmanager", "max_body", SIZE, "16MiB", NULL, NULL, NULL,      \
	  "largest response body accepted")                                                        \
	X(ALERTS_SERVICE_LABEL, "alerts", "service_label", LABEL, NULL, NULL, NULL, NULL,          \
	  "alert label naming the service; unset = [prometheus] service_label, then service, job") \
	X(ALERTS_SILENCE_DURATION, "alerts", "silence_duration", DURATION, "2h", NULL, NULL, NULL, \
	  "the duration a silence (s on an alert) offers first")                                   \
	X(WALL_SCREENS, "wall", "screens", STRING, "overview, alerts, topology", NULL, NULL, NULL, \
	  "screens the wall rotates through, in order: overview, alerts, topology, traces, logs")  \
	X(WALL_ROTATE, "wall", "rotate", DURATION, "20s", NULL, NULL, NULL,                        \
	  "how long the wall shows each screen")                                                   \
	X(WALL_DENSITY, "wall", "density", ENUM, "compact", "compact, large", NULL, NULL,          \
	  "large: a taller header and banner, fewer columns, for a TV across the room")            \
	X(TRACES_DEPENDENCIES, "traces", "dependencies", DURATION, "1h", NULL, NULL, NULL,         \
	  "time range of the Topology's dependency links when it opens")

#define CONFIG_KEY_ENUM(id, sec, key, type, def, dom, env, flag, help) CFG_##id,
enum config_key { CONFIG_KEYS(CONFIG_KEY_ENUM) CFG_KEY_COUNT };
#undef CONFIG_KEY_ENUM

/*
 * Per-service sections, [service "NAME"]: NAME is the service's name in the
 * console (any UTF-8 without control characters).  Each key names the
 * service in one external source; an unset key means the source uses NAME
 * itself.  A NAME may have one section per file; a later file's section
 * replaces the earlier one's values key by key.
 * X(id, key, help); id doubles as the alias source of that key.
 */
#define CONFIG_SERVICE_KEYS(X)                                                                    \
	X(RUNTIME, "runtime_name",                                                                \
	  "the service's name in the container runtime (Swarm or compose service); default NAME") \
	X(PROMETHEUS, "prometheus", "its value of the Prometheus service label; default NAME")    \
	X(ELASTICSEARCH, "elasticsearch",                                                         \
	  "its value of the service field in the logs; default NAME")                             \
	X(ZIPKIN, "zipkin", "its service name in Zipkin's spans (lowercase); default NAME")       \
	X(KUBERNETES, "kubernetes",                                                               \
	  "its workload's name in Kubernetes (Deployment or StatefulSet); default NAME")          \
	X(ECS, "ecs", "its service's name in Amazon ECS; default NAME")

#define CONFIG_ALIAS_ENUM(id, key, help) CFG_ALIAS_##id,
enum config_alias_source { CONFIG_SERVICE_KEYS(CONFIG_ALIAS_ENUM) CFG_ALIAS_COUNT };
#undef CONFIG_ALIAS_ENUM

/* One [service "NAME"] section (a plain record; every string borrowed from cfg). */
struct config_service {
	const char *name;          /* NAME: the display name, never NULL */
	const char *runtime_name;  /* runtime_name, or NULL when unset (= name) */
	const char *prometheus;    /* prometheus, or NULL when unset (= name) */
	const char *elasticsearch; /* elasticsearch, or NULL when unset (= name) */
	const char *zipkin;        /* zipkin, or NULL when unset (= name) */
	const char *kubernetes;    /* kubernetes, or NULL when unset (= name) */
	const char *ecs;           /* ecs, or NULL when unset (= name) */
};

/* Where a value came from, in increasing precedence. */
enum config_source { CFG_SRC_DEFAULT, CFG_SRC_FILE, CFG_SRC_ENV, CFG_SRC_FLAG, CFG_SRC_COUNT };

/* One row of CONFIG_KEYS, as a plain record (all strings static). */
struct config_key_info {
	const char *section; /* "prometheus" */
	const char *name;    /* "token_file" */
	enum config_type type;
	const char *def;    /* default text, or NULL */
	const char *domain; /* see CONFIG_KEYS, or NULL */
	const char *env;    /* environment variable, or NULL */
	const char *flag;   /* long option with its dashes ("--refresh"), or NULL */
	const char *help;   /* one line */
};

struct config;

/* new: a configuration holding the defaults only.  Free with config_free. */
struct config *config_new(void);
/* Frees cfg and wipes the secrets it holds.  NULL-safe. */
void config_free(struct config *cfg);

/*
 * Environments (config_env.c): [env "NAME"] sections.  Their keys are any
 * other section's keys written "section.key" (prometheus.url = ...), plus
 * protected = true|false; secrets are refused as at top level.
 * config_select_env() applies NAME's keys as file values, replacing the
 * top-level ones key by key (a list as a whole); call it once, after the
 * files, before config_load_env.  NULL, "" and "default" select none (the
 * top-level settings).  An unknown NAME is an ERR_CONFIG error listing the
 * environments.
 */
int config_select_env(struct config *cfg, const char *name, struct err *e);
/* The number of [env] sections, and the i-th one's NAME (borrowed; NULL past the end). */
size_t config_env_count(const struct config *cfg);
const char *config_env_name(const struct config *cfg, size_t i);
const char *config_env_selected(const struct config *cfg); /* NULL = none selected */
bool config_env_protected(const struct config *cfg);        /* the selected one's */

/*
 * Key bindings (config_keymap.c): the [keys] section, "action = key, key"
 * in the order loaded; action names and key names are checked by tui/keys.c
 * (keys_apply_config) when the console starts.
 */
size_t config_keymap_count(const struct config *cfg);
void config_keymap_at(const struct config *cfg, size_t i, const char **action, const char **keys,
		      const char **where, int *line);

/* borrowed (static): the table row of key. */
const struct config_key_info *config_key_info(enum config_key key);
/* The key whose flag is flag ("--refresh"), or -1. */
int config_key_by_flag(const char *flag);
/* The type name used in listings and messages ("duration"). */
const char *config_type_name(enum config_type type);

/*
 * new: the config file to read, or NULL when no location is known.
 * flag_path (--config FILE) wins, then $OPSDECK_CONFIG, both explicit
 * (*is_explicit = true: the file must exist); else
 * $XDG_CONFIG_HOME/opsdeck/config.ini, else $HOME/.config/opsdeck/config.ini
 * (*is_explicit = false).  getenv_fn is getenv outside tests.
 */
char *config_default_path(const char *flag_path, char *(*getenv_fn)(const char *),
			  bool *is_explicit);

/*
 * Read the whole file at path and load it as config_load_buffer() does.
 * A missing file is no error unless must_exist.  Messages name the path.
 */
int config_load_file(struct config *cfg, const char *path, bool must_exist, struct err *e);

/*
 * Load len bytes of INI text; name labels messages and origins
 * ("/home/me/.config/opsdeck/config.ini:12").  Stops at the first error
 * (values loaded before it stay).  Loading a second file replaces the
 * first file's values key by key; a key set twice in one file is an error.
 */
int config_load_buffer(struct config *cfg, const char *text, size_t len, const char *name,
		       struct err *e);

/*
 * Load every key that has an environment variable, looked up with
 * getenv_fn (getenv outside tests); an empty variable counts as unset.
 */
int config_load_env(struct config *cfg, char *(*getenv_fn)(const char *), struct err *e);

/*
 * Set the key bound to flag ("--prometheus", with its dashes) to value
 * (borrowed; copied).  ERR_USAGE when no key has that flag.  A boolean
 * key's flag takes no argument on the command line ("--read-only"): pass
 * value NULL or "true" for it ("false" and the other boolean words work
 * too).  value NULL for any other key is an ERR_USAGE error.
 */
int config_set_flag(struct config *cfg, const char *flag, const char *value, struct err *e);

/*
 * Check rules across keys (warn <= crit, one kind of credentials per
 * backend, a readable ca_file, a base64 Elasticsearch API key, [logs]
 * max_message <= max_bytes and page <= max_lines, a readable [docker]
 * cert_path when tls_verify is on, each runtime name and Prometheus label
 * value aliased by at most one [service]), read token_file /
 * password_file / api_key_file (trailing newline trimmed; kept in memory
 * only, wiped by config_free) unless the environment gave the secret, and
 * fill defaults that come from the preset.  Call once, after all sources.
 */
int config_finalize(struct config *cfg, struct err *e);

/*
 * Typed accessors of the effective value.  Each asserts that key has a
 * fitting type.  Unset keys give NULL / 0 / false.
 * config_str: borrowed, valid until the next config_* call that changes
 *   cfg or config_free; NULL for secrets and lists (see below).
 * config_ms: DURATION and WINDOW.  config_int: INT.  config_ratio: PERCENT.
 */
const char *config_str(const struct config *cfg, enum config_key key);
long long config_ms(const struct config *cfg, enum config_key key);
double config_ratio(const struct config *cfg, enum config_key key);
unsigned long long config_size(const struct config *cfg, enum config_key key);
long config_int(const struct config *cfg, enum config_key key);
bool config_bool(const struct config *cfg, enum config_key key);
/* borrowed: the items of a LIST key ("Name: value" for header), *n of them. */
const char *const *config_list(const struct config *cfg, enum config_key key, size_t *n);
/* Whether key has a value from any source (a default counts). */
bool config_isset(const struct config *cfg, enum config_key key);
/* The source of the effective value; CFG_SRC_COUNT when unset. */
enum config_source config_source(const struct config *cfg, enum config_key key);
/*
 * borrowed: a SECRET key's value (environment, else the content of its
 * *_file read by config_finalize), or NULL.  Never log or print it.
 */
const char *config_secret(const struct config *cfg, enum config_key key);

/* Whether [prometheus] url is set and not empty. */
bool config_prometheus_configured(const struct config *cfg);
/* Whether [elasticsearch] url is set and not empty. */
bool config_elasticsearch_configured(const struct config *cfg);
/* Whether [zipkin] url is set and not empty. */
bool config_zipkin_configured(const struct config *cfg);

/*
 * new: the audit log's file name: [general] audit_log, else
 * $XDG_STATE_HOME/opsdeck/audit.jsonl (when absolute), else
 * $HOME/.local/state/opsdeck/audit.jsonl; NULL when none is known.
 * getenv_fn is getenv outside tests.  Creates nothing.
 */
char *config_audit_path(const struct config *cfg, char *(*getenv_fn)(const char *));

/* The number of [service "NAME"] sections, in the order first loaded. */
size_t config_nservices(const struct config *cfg);
/*
 * borrowed (valid until the next config_load_* or config_free): the i-th
 * service section, i < config_nservices(cfg).
 */
const struct config_service *config_service_at(const struct config *cfg, size_t i);
/*
 * borrowed: the display name of the service that src calls external, that
 * is the NAME of the [service] whose key for src equals external; else
 * external itself (a service no section aliases keeps its own name).
 * config_finalize() guarantees that at most one section matches.
 * Lifetime: external, or as config_service_at().
 */
const char *config_service_display_name(const struct config *cfg, enum config_alias_source src,
					const char *external);
/*
 * borrowed: the reverse of config_service_display_name(): what src calls
 * the service shown as display (its alias for src, else display itself).
 */
const char *config_service_external_name(const struct config *cfg, enum config_alias_source src,
					 const char *display);

/*
 * Append the effective configuration to out in INI form, by section, each
 * line followed by its origin in an aligned comment column ("; default",
 * "; env OPSDECK_REFRESH", "; flag --refresh", "; /path/config.ini:12",
 * "; preset http").  Unset keys and secrets appear as comment lines
 * ("; url = (unset)", "; token = <redacted>"); credential headers
 * (Authorization, names containing token/key/secret/pass/cookie) as
 * "Name: <redacted>".  The [service "NAME"] sections follow the others,
 * their header's origin being the file and line of the header.
 * Since the parser has no inline comments, paste back
 * the output of config_write(), which is these lines without the column.
 */
void config_print(const struct config *cfg, struct buf *out);

/* config_print() without the origin column: INI text that loads back. */
void config_write(const struct config *cfg, struct buf *out);

/* Append a reference listing of every key (for README and the man page). */
void config_print_keys(struct buf *out);

#endif
