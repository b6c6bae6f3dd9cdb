/*
 * prometheus.h - the Prometheus HTTP API: request paths and response parsers.
 *
 * Works against Prometheus and compatible servers (Thanos, Mimir,
 * VictoriaMetrics).  Builders return the path+query to pass to
 * http_submit(); parsers are pure functions of (status, body) so tests and
 * fuzzers call them directly.  A Prometheus error body
 * {"status":"error","errorType":"bad_data","error":"..."} is reported
 * verbatim: "prometheus: bad_data: parse error at char 5: ..." (ERR_BACKEND;
 * ERR_TIMEOUT for errorType "timeout").  Bodies that are not the API's JSON
 * give ERR_PARSE naming the HTTP status and the body's first bytes (ERR_AUTH
 * for 401/403).
 */
#ifndef OPSDECK_BACKENDS_PROMETHEUS_H
#define OPSDECK_BACKENDS_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

enum prom_type { PROM_VECTOR, PROM_MATRIX, PROM_SCALAR, PROM_STRING };

struct prom_label {
	char *name;  /* owned */
	char *value; /* owned */
};

struct prom_sample {
	double t; /* unix seconds */
	double v; /* NAN for "NaN", +-INFINITY for "+Inf"/"-Inf" */
};

struct prom_series {
	struct prom_label *labels; /* owned, sorted by name */
	size_t nlabels;
	struct prom_sample *samples; /* owned; 1 for vector/scalar, n for matrix */
	size_t nsamples;
	char *string; /* owned; only for PROM_STRING results */
};

struct prom_result {
	enum prom_type type;
	struct prom_series *series; /* owned; 1 series for scalar/string */
	size_t nseries;
	char **warnings; /* owned; server warnings, if any */
	size_t nwarnings;
};

enum prom_alert_state { PROM_ALERT_INACTIVE, PROM_ALERT_PENDING, PROM_ALERT_FIRING };

struct prom_alert {
	struct prom_label *labels; /* owned, sorted; includes alertname */
	size_t nlabels;
	struct prom_label *annotations; /* owned, sorted */
	size_t nannotations;
	enum prom_alert_state state;
	double active_at; /* unix seconds; 0 unknown */
	double value;     /* NAN unknown */
};

struct prom_target {
	char *job;                  /* owned */
	char *instance;             /* owned */
	char *scrape_url;           /* owned */
	char *health;               /* owned: "up", "down", "unknown" */
	char *last_error;           /* owned; "" when none */
	double last_scrape;         /* unix seconds */
	double last_scrape_seconds; /* duration */
};

/*
 * Builders (all new).  t/start/end are unix seconds; step in seconds.  The
 * PromQL is percent-encoded; times are written with millisecond precision
 * independent of LC_NUMERIC.  t <= 0 omits time= (the server's now).
 */
char *prometheus_query_path(const char *promql, double t);
char *prometheus_range_path(const char *promql, double start, double end, double step);
char *prometheus_alerts_path(void);
char *prometheus_targets_path(void);

/*
 * Parse a /api/v1/query or /query_range response.  status is the HTTP
 * status (Prometheus answers 400/422/503 with an error body).  On success out
 * is filled (caller frees with prometheus_result_done); on failure out is
 * empty and e names the error.
 */
int prometheus_parse_query(long status, const char *body, size_t len, struct prom_result *out,
			   struct err *e);
void prometheus_result_done(struct prom_result *r);

/* Parse /api/v1/alerts.  *out new (free with prometheus_alerts_free). */
int prometheus_parse_alerts(long status, const char *body, size_t len, struct prom_alert **out,
			    size_t *n, struct err *e);
void prometheus_alerts_free(struct prom_alert *a, size_t n);

/*
 * RFC 3339 ("2026-11-22T23:38:42.644818081Z", "...+02:00") to unix seconds,
 * as Prometheus and Alertmanager write times.  Go's zero time and anything
 * before 1970 give 0 (unknown).  Returns 0, or -1 for text of another shape.
 */
int prometheus_parse_time(const char *s, double *out);

/* Parse /api/v1/targets (active targets).  *out new. */
int prometheus_parse_targets(long status, const char *body, size_t len, struct prom_target **out,
			     size_t *n, struct err *e);
void prometheus_targets_free(struct prom_target *t, size_t n);

/*
 * The read-only allow-list: GET or POST of the query endpoints
 * (/api/v1/query, /query_range, /series, /labels, /label/NAME/values,
 * /query_exemplars), GET of /api/v1/alerts, /rules, /targets, /metadata,
 * /status/..., /-/ready and /-/healthy.  Everything else (admin APIs,
 * /-/reload, /-/quit) is a write.
 */
bool prometheus_is_read(enum http_method m, const char *path);

/* borrowed: the value of label name, or NULL. */
const char *prom_label_get(const struct prom_label *l, size_t n, const char *name);

/*
 * Metric query presets.  Templates use ${label} for the service label and
 * ${window} for the rate window; prometheus_expand() substitutes them.
 */
enum prom_metric { PROM_RPS, PROM_ERRORS, PROM_P99, PROM_CPU, PROM_MEMORY, PROM_METRIC_COUNT };

struct prom_preset {
	const char *name;                     /* "http", "micrometer" */
	const char *service_label;            /* default label for this preset */
	const char *query[PROM_METRIC_COUNT]; /* PromQL templates */
};

/* borrowed (static): the preset named name, or NULL. */
const struct prom_preset *prometheus_preset(const char *name);
/* Comma-separated preset names, for error messages ("http, micrometer"). */
const char *prometheus_preset_names(void);
/* new: template with ${label} and ${window} replaced. */
char *prometheus_expand(const char *tmpl, const char *label, const char *window);
/* "rps", "errors", "p99", "cpu", "memory". */
const char *prometheus_metric_name(enum prom_metric m);

/*
 * Check that label is a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), so
 * a configured service label cannot change the meaning of a preset query.
 * Returns 0, or -1 with e filled (ERR_CONFIG).
 */
int prometheus_check_label(const char *label, struct err *e);

#endif
