/*
 * detail_poll_internal.h - private to tui/detail_poll*.c; no other file
 * includes it.
 *
 * detail_poll.c holds the poller's life (open, close, free), the request
 * records and their round ids, the answer dispatch, the scheduling and the
 * metrics round; detail_poll_docker.c the runtime and stats rounds of a
 * Docker service (Swarm tasks, compose groups, containers);
 * detail_poll_k8s.c the runtime round of a Kubernetes workload (the
 * requests themselves and their answers are tui/k8s_detail.c's);
 * detail_poll_ecs.c the runtime round of an ECS service (tui/ecs_detail.c's
 * calls and answers).
 */
#ifndef OPSDECK_TUI_DETAIL_POLL_INTERNAL_H
#define OPSDECK_TUI_DETAIL_POLL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "detail_poll.h"
#include "detail_stats.h"
#include "docker.h"
#include "ecs_detail.h"
#include "http.h"
#include "k8s_detail.h"

#define DP_MAX_VISIBLE 24    /* instances sampled per stats round at most */
#define DP_SECOND_SAMPLE 1.0 /* seconds until a new container's second stats sample */

enum dp_round { R_RUNTIME, R_STATS, R_METRICS, R_COUNT };

/* What a request asks; the endpoint follows from it (detail_poll_submit). */
enum dp_kind {
	K_TASKS,      /* Docker: a Swarm service's tasks */
	K_SERVICE,    /* Docker: the Swarm service */
	K_CONTAINERS, /* Docker: containers by label */
	K_INSPECT,    /* Docker: one container */
	K_STATS,      /* Docker: one container's stats */
	K_METRIC,     /* Prometheus: one chart's range query */
	K_K8S,        /* Kubernetes: one of enum k8s_detail_req */
	K_ECS,        /* ECS: one of enum ecs_detail_req */
};

/* One request in flight; owned by the poller's outstanding list until its answer. */
struct dp_req {
	struct dp_req *prev, *next;
	struct detail_poll *p;
	enum dp_round round;
	enum dp_kind kind;
	unsigned long round_id;
	int chart;    /* K_METRIC: the chart */
	int k8s_req;  /* K_K8S: enum k8s_detail_req */
	unsigned gen; /* K_K8S, K_ECS: the credentials' generation it was sent with */
	int ecs_req;  /* K_ECS: enum ecs_detail_req */
	int ecs_tag;  /* K_ECS: its tag */
	char cid[80];
};

struct dp_round_state {
	unsigned long id;   /* bumped per round, and on open/close */
	unsigned long done; /* completed rounds since open */
	int inflight;
	double next_due; /* monotonic */
	bool failed;
	struct err err;
};

struct detail_poll {
	struct http *http;
	bool open;
	/* settings, copied */
	struct detail_poll_settings s;
	char *service, *label_value, *kind, *runtime_name, *runtime_id, *context;
	char *query[DETAIL_NCHARTS];
	int range;
	struct dp_round_state r[R_COUNT];
	struct dp_req *outstanding;
	struct detail_data d;
	size_t vis_from, vis_to;
	/* this Docker runtime round's answers */
	struct docker_task *tasks;
	size_t ntasks;
	bool have_tasks;
	struct docker_service *svc;
	size_t nsvc;
	struct docker_container *ctrs;
	size_t nctrs;
	/* metric answers of this metrics round */
	struct detail_series pending[DETAIL_NCHARTS];
	struct detail_stats *stats; /* per container, across stats rounds */
	/* Kubernetes */
	struct k8s_detail *k8s;               /* the workload's requests and answers; NULL none */
	const struct http_endpoint *k8s_http; /* where K_K8S goes, set before each submit */
	unsigned k8s_gen;                     /* the credentials' generation of k8s_http */
	bool k8s_retry;   /* a 401 this round that renewed credentials may cure */
	bool k8s_retried; /* this round is that retry: another 401 is an error */
	/* ECS */
	struct ecs_detail *ecs; /* the service's calls and answers; NULL none */
	bool ecs_retry;         /* an "expired" answer this round that new credentials may cure */
	bool ecs_retried;       /* this round is that retry */
	double ecs_backoff;     /* seconds added while ECS throttles; 0 none */
};

/* new: s, or "" for NULL. */
char *detail_poll_dupe(const char *s);
/* Replace *dst by a copy of s (NULL as ""). */
void detail_poll_set_str(char **dst, const char *s);
/* Record e as round r's failure unless one is recorded already. */
void detail_poll_fail_round(struct dp_round_state *r, const struct err *e);
/*
 * Submit a GET of path (owned, freed here) for round; the endpoint follows
 * from kind.  Returns the request record (to fill its chart or cid) or NULL when it could not start: then the round has failed.
 */
struct dp_req *detail_poll_submit(struct detail_poll *p, enum dp_round round, enum dp_kind kind,
				  char *path);
/* The same with the endpoint, method and body (borrowed) given, declared a read. */
struct dp_req *detail_poll_submit_to(struct detail_poll *p, enum dp_round round, enum dp_kind kind,
				     const struct http_endpoint *ep, enum http_method method,
				     const char *path, const char *body);
/* Whether the service is a Swarm service; a Kubernetes workload; an ECS service. */
bool detail_poll_is_swarm(const struct detail_poll *p);
bool detail_poll_is_k8s(const struct detail_poll *p);
bool detail_poll_is_ecs(const struct detail_poll *p);

/* ---- detail_poll_docker.c ---- */

/* Drop this round's Docker answers. */
void detail_poll_docker_drop(struct detail_poll *p);
/* Submit the runtime round's requests. */
void detail_poll_docker_start_runtime(struct detail_poll *p);
/* Submit the stats round's requests for the visible instances. */
void detail_poll_docker_start_stats(struct detail_poll *p);
/* Take one answer of a Docker kind; returns 0 or -1 with e filled (the round fails). */
int detail_poll_docker_answer(struct detail_poll *p, const struct dp_req *rq,
			      const struct http_response *resp, struct err *e);
/* The runtime round is complete: make its answers the data (now: wall clock). */
void detail_poll_docker_finish_runtime(struct detail_poll *p, double now);
/* The stats round is complete (mono: monotonic clock). */
void detail_poll_docker_finish_stats(struct detail_poll *p, double mono);

/* ---- detail_poll_k8s.c ---- */

/* Set up p->k8s for the workload opened (settings copied already); drop it with NULL. */
void detail_poll_k8s_open(struct detail_poll *p);
void detail_poll_k8s_close(struct detail_poll *p);
/*
 * Submit the runtime round's first requests: the workload and the events.
 * Returns false when nothing could be sent yet (the credentials are on
 * their way: ask again shortly); then the round has not started.
 */
bool detail_poll_k8s_start_runtime(struct detail_poll *p, double wall);
/*
 * Take one answer (transport errors too); submits the pods and ReplicaSets
 * once the workload's answer gives their selector.  Returns 0 or -1 with e
 * filled (the round fails).
 */
int detail_poll_k8s_answer(struct detail_poll *p, const struct dp_req *rq,
			   const struct http_response *resp, struct err *e);
/*
 * The runtime round is complete: make its answers the data, or record its
 * failure.  Returns false when the round does not count: it is asked
 * again at once with renewed credentials.
 */
bool detail_poll_k8s_finish_runtime(struct detail_poll *p);

/* ---- detail_poll_ecs.c ---- */

/* Set up p->ecs for the service opened (settings copied already); drop it with NULL. */
void detail_poll_ecs_open(struct detail_poll *p);
void detail_poll_ecs_close(struct detail_poll *p);
/*
 * Submit the runtime round's first calls.  Returns false when nothing
 * could be sent yet (credentials are on their way: ask again shortly).
 */
bool detail_poll_ecs_start_runtime(struct detail_poll *p, double wall);
/* Take one answer (transport errors too) and send what it asks for next; -1 fails the round. */
int detail_poll_ecs_answer(struct detail_poll *p, const struct dp_req *rq,
			   const struct http_response *resp, struct err *e);
/*
 * The runtime round is complete: make its answers the data, or record its
 * failure; while ECS throttles, the next round waits longer.  Returns
 * false when the round does not count: it is asked again at once with
 * renewed credentials.
 */
bool detail_poll_ecs_finish_runtime(struct detail_poll *p, double mono);

#endif
