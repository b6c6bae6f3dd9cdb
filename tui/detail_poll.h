/*
 * detail_poll.h - the requests of the Service detail screen, for one
 * service, only while the screen is open.
 *
 * Three kinds of rounds, each on the one event loop through http_submit,
 * each never overlapping itself:
 *  - runtime, every refresh: for a Swarm service GET /tasks filtered by the
 *    service (with the history Swarm keeps, for failed tasks and restarts
 *    per slot), GET /services/{name} (UpdateStatus, PreviousSpec) and GET
 *    /containers/json filtered by the service's label (container names;
 *    the instances themselves when the node is not a manager); for compose
 *    groups and plain containers GET /containers/json?all=1 only; for a
 *    Kubernetes workload (kind "k8s") the workload, its pods and
 *    ReplicaSets by its selector and the namespace's events
 *    (tui/k8s_detail.h); for an ECS service (kind "ecs") the service, its
 *    running and stopped tasks and its task definition's revisions
 *    (tui/ecs_detail.h), later rounds waiting longer while ECS throttles;
 *  - stats, every refresh (Docker only): GET /containers/{id}/json (health, restart
 *    count) and a one-shot GET /containers/{id}/stats for the instances on
 *    screen only (detail_poll_set_visible).  CPU % needs two samples: the
 *    previous one is kept per container, and a container seen for the first
 *    time is sampled again after a second;
 *  - metrics: three Prometheus range queries (requests/s, error ratio, p99)
 *    over the chosen range, again when a step has passed or the range
 *    changes.
 *
 * Results land in a plain struct detail_data the screen draws from.  A
 * failing round keeps the previous round's data and records its error.
 *
 * Call order: detail_poll_new() once; detail_poll_open() when the screen
 * opens; in the loop detail_poll_tick(mono), and detail_poll_next_due_ms()
 * bounds the wait; after each draw detail_poll_set_visible();
 * detail_poll_close() when the screen closes.  The poller outlives the
 * screen because http has no way to cancel one request: answers still in
 * flight after a close land in request records the poller still owns and
 * are dropped by their round id.  detail_poll_free() after http_free().
 */
#ifndef OPSDECK_TUI_DETAIL_POLL_H
#define OPSDECK_TUI_DETAIL_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "detail_data.h"
#include "err.h"
#include "http.h"
#include "model.h"
#include "setup.h"

/* The ranges +/- step through, in seconds. */
#define DETAIL_RANGES 15 * 60.0, 3600.0, 6 * 3600.0, 24 * 3600.0
#define DETAIL_NRANGES 4
#define DETAIL_DEFAULT_RANGE 1 /* 1h */

struct k8s_endpoint;
struct ecs_endpoint;

/* What to poll: a plain record; detail_poll_new copies the strings. */
struct detail_poll_settings {
	const char *service; /* display name */
	bool prometheus;
	struct http_endpoint prom_ep;      /* borrowed strings */
	const char *query[DETAIL_NCHARTS]; /* expanded PromQL: rps, errors, p99 */
	const char *label;                 /* the service label's name */
	const char *label_value;           /* what Prometheus calls the service */
	bool docker;                       /* a runtime to ask (Docker or Kubernetes) */
	struct http_endpoint docker_ep;    /* borrowed strings */
	const char *kind;                  /* "swarm", "compose", "container", "k8s", "ecs" */
	const char *runtime_name;          /* the service's name in the runtime */
	const char *runtime_id;            /* "project/name" for compose, "ns/kind/name" for k8s,
					      the service ARN for ecs */
	const char *context;               /* "local"; the kubeconfig context; the ECS cluster */
	struct k8s_endpoint *k8s;          /* borrowed: kind "k8s": its context's connection */
	struct ecs_endpoint *ecs;          /* borrowed: kind "ecs": its cluster's connection */
	long long refresh_ms;
	int range; /* index into DETAIL_RANGES */
};

/*
 * Fill s for svc from the console's setup (both borrowed, and they must
 * outlive the poller's creation).  Aliases: the Prometheus label value is
 * config_service_external_name(cfg, CFG_ALIAS_PROMETHEUS, name).
 */
void detail_poll_settings_from(struct detail_poll_settings *s, const struct setup *setup,
			       const struct service *svc);

struct detail_poll; /* opaque */

/* new, closed; http borrowed for its lifetime. */
struct detail_poll *detail_poll_new(struct http *http);
/* Free, with the records of requests still in flight: call after http_free(). NULL-safe. */
void detail_poll_free(struct detail_poll *p);
/* Start polling for s's service (strings copied); data starts empty. */
void detail_poll_open(struct detail_poll *p, const struct detail_poll_settings *s);
/* Stop polling; the data is dropped, answers in flight are ignored. */
void detail_poll_close(struct detail_poll *p);
/* Whether a service is open. */
bool detail_poll_is_open(const struct detail_poll *p);

/* borrowed until the next tick or http_perform: what the screen draws. */
const struct detail_data *detail_poll_data(const struct detail_poll *p);
/* The service this poller is for (borrowed); "" when closed. */
const char *detail_poll_service(const struct detail_poll *p);

/* Submit due rounds.  Returns true when something was submitted. */
bool detail_poll_tick(struct detail_poll *p, double mono);
/* Make every round due now. */
void detail_poll_refresh_now(struct detail_poll *p);
/* Milliseconds until something is due. */
long detail_poll_next_due_ms(const struct detail_poll *p, double mono);
/*
 * The instances on screen: indexes [from, to) of detail_data's inst.  When
 * the set changes, a stats round is made due now.
 */
void detail_poll_set_visible(struct detail_poll *p, size_t from, size_t to);
/* Step the chart range: dir > 0 wider, < 0 narrower.  Returns false at the end. */
bool detail_poll_step_range(struct detail_poll *p, int dir);
/* Completed rounds: runtime, stats, metrics (for snapshot's wait). */
void detail_poll_rounds(const struct detail_poll *p, unsigned long *runtime, unsigned long *stats,
			unsigned long *metrics);
/* Requests in flight. */
int detail_poll_inflight(const struct detail_poll *p);

/*
 * new: q wrapped so Prometheus returns only the series whose label equals
 * value (see the comment in detail_poll.c).
 */
char *detail_poll_wrap_query(const char *q, const char *label, const char *value);

#endif
