/*
 * model.h - all fetched state, joined per service, with bounded memory.
 *
 * Backends' parsers produce plain structs; the poller (tui/poller.c) hands
 * them to the model; screens read the model.  Nothing here knows HTTP or
 * the screen.  Memory is bounded by the limits given to model_new(): each
 * series is a fixed ring of `points` samples, and at most `max_services`
 * services are kept (further names are counted in `dropped_services`).
 *
 * Times are unix seconds as double.  Unknown values are NAN.
 */
#ifndef OPSDECK_BACKENDS_MODEL_H
#define OPSDECK_BACKENDS_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum metric { METRIC_RPS, METRIC_ERRORS, METRIC_P99, METRIC_CPU, METRIC_MEMORY, METRIC_COUNT };

enum status { STATUS_OK, STATUS_WARN, STATUS_CRIT, STATUS_STALE, STATUS_UNKNOWN, STATUS_COUNT };

/* A fixed ring of (t, v) samples, oldest first when read with ring_get. */
struct ring {
	double *t;   /* owned, cap entries */
	double *v;   /* owned, cap entries */
	size_t cap;  /* fixed at creation */
	size_t len;  /* valid entries, <= cap */
	size_t head; /* index of the oldest entry */
};

/*
 * Entry i (0 = oldest) of r into *t and *v (either may be NULL).  Returns 0,
 * or -1 when i >= len.  The arrays are allocated on the first appended
 * sample: t and v are NULL while len is 0.
 */
int ring_get(const struct ring *r, size_t i, double *t, double *v);
/* Time of the newest entry; 0 when empty. */
double ring_newest_t(const struct ring *r);

/*
 * What a container runtime (Swarm, Docker, Kubernetes, ECS) says
 * about a service.  Owned strings; -1 / 0 / NULL when the runtime does not
 * tell.  Filled by model_runtime_apply() (backends/model_runtime.c).
 */
struct runtime_state {
	bool present;        /* a runtime reported this service at its last refresh */
	char *kind;          /* "swarm", "compose", "container", "k8s", "ecs" */
	char *context;       /* the runtime's context name ("local") */
	char *id;            /* the runtime's id for it (Swarm service id, ...) */
	char *runtime_name;  /* its name in the runtime */
	long running;        /* instances running; -1 unknown */
	long desired;        /* instances wanted; -1 unknown */
	bool fixed_count;    /* the count follows the nodes (Swarm global mode): not scalable */
	char *version;       /* image tag */
	double deployed_at;  /* last deployment (unix seconds); 0 unknown */
	long restarts;       /* restarts so far; -1 unknown */
	long restarts_prev;  /* restarts at the refresh before; -1 unknown */
	bool crash_looping;  /* restarts grew between the last two refreshes */
	char *rollout_state; /* e.g. Swarm UpdateStatus.State; NULL none */
	char *message;       /* why a rollout is stuck or an instance failed; NULL none */
	double updated;      /* when last reported */
	char *revision;      /* the rollout's revision (Kubernetes "3"); NULL none */
	/*
	 * The runtime's own verdict beyond the counts: WARN or CRIT for an
	 * instance in a bad state (a Kubernetes pod in CrashLoopBackOff,
	 * ImagePullBackOff, OOMKilled) or a rollout past its deadline;
	 * STATUS_OK when it has none.  message says why.
	 */
	enum status problem;
	long pending;   /* instances starting (ECS pendingCount); 0 none or unknown */
	char *platform; /* where it runs (ECS launch type "FARGATE", "EC2"); NULL none */
	char *previous; /* what a rollback goes to (ECS "orders:40"); NULL unknown */
};

struct service {
	char *name;                     /* owned; the join key */
	double value[METRIC_COUNT];     /* latest value; NAN unknown */
	double updated[METRIC_COUNT];   /* when value was set; 0 never */
	struct ring hist[METRIC_COUNT]; /* history for sparklines/charts */
	double first_seen;              /* unix seconds */
	struct runtime_state rt;        /* from the container runtime, if any */
	double errors_per_min;          /* error-level log lines in the last minute; NAN unknown */
	double errors_per_min_updated;  /* when errors_per_min was set; 0 never */
	int alerts_firing;              /* firing, unsilenced alerts naming it (model_set_alerts) */
	int alert_rank;                 /* the worst of them: alert_severity_rank(); 0 none */
};

/* One service as a runtime reports it: a plain record of borrowed strings. */
struct runtime_row {
	const char *name; /* display name (aliases already applied) */
	const char *kind; /* "swarm", "compose", "container", "k8s", "ecs" */
	const char *id;
	const char *runtime_name;
	long running, desired;     /* -1 unknown */
	bool fixed_count;          /* not scalable (Swarm global mode) */
	const char *version;       /* may be NULL */
	double deployed_at;        /* 0 unknown */
	long restarts;             /* -1 unknown */
	const char *rollout_state; /* may be NULL */
	const char *message;       /* may be NULL */
	const char *revision;      /* may be NULL */
	enum status problem;       /* STATUS_OK, STATUS_WARN or STATUS_CRIT; see runtime_state */
	long pending;              /* 0 none or unknown */
	const char *platform;      /* may be NULL */
	const char *previous;      /* may be NULL */
};

struct backend_state {
	char *name;          /* owned: "prometheus" */
	bool ok;             /* last attempt succeeded */
	bool ever_ok;        /* some attempt succeeded */
	long latency_ms;     /* of the last success */
	double last_ok;      /* time of last success; 0 never */
	double last_attempt; /* time the last attempt finished; 0 never */
	unsigned long polls; /* completed attempts */
	struct err err;      /* last failure (ERR_OK when ok) */
};

struct thresholds {
	double error_warn; /* ratio: 0.01 = 1 % */
	double error_crit;
	double p99_warn; /* seconds */
	double p99_crit;
};

struct model; /* opaque */

/* new.  points >= 2, max_services >= 1. */
struct model *model_new(size_t points, size_t max_services);
void model_free(struct model *m); /* NULL-safe */

size_t model_nservices(const struct model *m);
/* borrowed until the next model_* call that adds services: i < nservices, insertion order. */
struct service *model_service_at(const struct model *m, size_t i);
/* borrowed: the service named name, created if create (NULL when full or absent). */
struct service *model_service(struct model *m, const char *name, bool create);
/* Services not stored because max_services was reached. */
size_t model_dropped_services(const struct model *m);

/*
 * Apply one instant query's result for metric: every name in names[] gets
 * its value (services created as needed); services absent from the result
 * get NAN for that metric (the metric is gone, not old).
 */
void model_apply_metric(struct model *m, enum metric metric, const char *const *names,
			const double *values, size_t n, double now);

/*
 * Append a sample to a service's history of metric; samples not newer than
 * the newest one already held are ignored (so overlapping range queries
 * are harmless).
 */
void model_append_point(struct model *m, struct service *s, enum metric metric, double t, double v);
/* Newest sample time in any service's history of metric; 0 if none. */
double model_history_end(const struct model *m, enum metric metric);

/* Copy the newest up-to-n values of s's history of metric into out (oldest first). Returns count. */
size_t model_history(const struct service *s, enum metric metric, double *out, size_t n);

/* borrowed: the backend's state, created on first use. */
struct backend_state *model_backend(struct model *m, const char *name);
size_t model_nbackends(const struct model *m);
struct backend_state *model_backend_at(const struct model *m, size_t i);
void model_backend_ok(struct model *m, const char *name, long latency_ms, double now);
void model_backend_fail(struct model *m, const char *name, const struct err *e, double now);

/*
 * The service's status: the worst signal present, measured against t.
 * STALE when its newest value is older than stale_after seconds; UNKNOWN
 * when it has no value at all.  A missing metric never raises the status.
 */
enum status model_service_status(const struct service *s, const struct thresholds *t, double now,
				 double stale_after);

const char *status_name(enum status s); /* "OK", "WARN", "CRIT", "STALE", "UNKNOWN" */
const char *metric_name(enum metric m); /* "rps", "errors", ... */

/*
 * Apply one refresh of a runtime context: every row's service gets its
 * runtime state (created as needed); services this context reported before
 * but not now lose it (present = false).  A restart count that grew since
 * the previous refresh marks the service crash_looping.
 */
void model_runtime_apply(struct model *m, const char *context, const struct runtime_row *rows,
			 size_t n, double now);
/*
 * model_runtime_apply() for a runtime whose rows are all of kind ("ecs"):
 * services of another kind under the same context name (a kubeconfig
 * context named like an ECS cluster) keep their state.
 */
void model_runtime_apply_kind(struct model *m, const char *context, const char *kind,
			      const struct runtime_row *rows, size_t n, double now);
/* Free the strings of a runtime state and reset it (present = false). */
void model_runtime_clear(struct runtime_state *rt);

/*
 * Apply one count of error-level log lines per service over the last
 * minute (from a terms aggregation): every known service named in names[]
 * gets counts[i]; known services absent from the answer get 0, since the
 * aggregation lists only services that logged an error.  Names the model
 * does not hold are ignored: logs alone do not make a service appear.
 */
void model_apply_log_errors(struct model *m, const char *const *names, const double *counts,
			    size_t n, double now);

/* ---- alerts ---- */

enum alert_state {
	ALERT_FIRING,
	ALERT_PENDING,  /* Prometheus: the condition holds, not for long enough yet */
	ALERT_SILENCED, /* firing, but suppressed by an Alertmanager silence or inhibition */
};

struct alert {
	char *name;     /* owned: the alertname label */
	char *service;  /* owned: the service label's value; NULL when none */
	char *severity; /* owned: the severity label; NULL when none */
	enum alert_state state;
	double since;        /* activeAt / startsAt, unix seconds; 0 unknown */
	double silence_ends; /* ALERT_SILENCED: when the silence ends; 0 unknown */
	char *summary;       /* owned: annotation summary, else description; NULL */
	char *source;        /* owned: "prometheus", "alertmanager" or "both" */
	char *fingerprint;   /* owned: Alertmanager's fingerprint, else a hash of the labels */
	char **labels;       /* owned: 2 * nlabels strings, name then value, sorted by name */
	size_t nlabels;
	char *silenced_by; /* owned: silence ids, comma-separated; NULL */
};

/* The rank of a severity label: 3 critical (also page, error, fatal), 2 warning, 1 any other. */
int alert_severity_rank(const char *severity);
/* Free the strings of one alert (not the alert itself). */
void model_alert_clear(struct alert *a);
/*
 * Replace every alert: the array and its strings are taken over (n == 0:
 * a may be NULL).  Sorted worst first (firing before pending before
 * silenced, then severity, then oldest), and each service's
 * alerts_firing and alert_rank recomputed from the firing ones.
 */
void model_set_alerts(struct model *m, struct alert *a, size_t n);
/* The alerts, worst first (borrowed until the next model_set_alerts). */
const struct alert *model_alerts(const struct model *m, size_t *n);
/* Firing (unsilenced) alerts, and the worst rank among them (*worst may be NULL). */
size_t model_firing_alerts(const struct model *m, int *worst);

/* Bytes held by the model's heap objects (for the bench and the memory bound). */
size_t model_bytes(const struct model *m);

#endif
