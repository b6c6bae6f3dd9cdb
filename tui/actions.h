/*
 * actions.h - the guarded path from a key to a change in a runtime.
 *
 * key -> actions_prepare() (refusals: read-only, one already in flight, no
 * runtime, not supported) -> confirmation dialog (tui/app) ->
 * actions_execute() (the runtime request) -> in flight, shown on the row
 * and in the status line -> actions_tick() decides convergence, failure or
 * timeout from the model's runtime state.  Every attempt ends in exactly one
 * audit line: cancelled, refused, failed, unknown (request timed out) or
 * succeeded.  A second key press while an action is in flight, or a second
 * confirmation, is refused: nothing fires twice.
 */
#ifndef OPSDECK_TUI_ACTIONS_H
#define OPSDECK_TUI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h"
#include "docker_action.h"
#include "ecs_endpoint.h"
#include "http.h"
#include "k8s_endpoint.h"
#include "model.h"

struct actions_settings {
	bool read_only;         /* refuse every action */
	long long timeout_ms;   /* convergence deadline */
	const char *audit_path; /* NULL = the default path */
	const char *mode;       /* "console" */
	bool confirm_name;      /* the user must type the service name */
	const char *env;        /* the environment named in the audit lines; NULL = none */
};

/* Everything the confirmation dialog shows, and what execute needs. */
struct action_plan {
	enum op_kind op;
	char service[256];      /* display name */
	char runtime_name[256]; /* name in the runtime */
	char kind[16];          /* "swarm", "k8s", "ecs" */
	char context[256];      /* "local", a kubeconfig context, an ECS cluster */
	char before[64];        /* "2", an image tag */
	char after[64];         /* "4", "previous", "orders:40" (ECS) */
	long replicas;          /* scale target */
	char title[320];        /* "Scale payments?" */
	char runtime_id[320];   /* the runtime's id of the row ("shop/mail" for compose) */
	char ids[32][80]; /* containers to restart (compose/container rows); set by the caller */
	size_t nids;
	char change[640]; /* "payments — swarm @ local — replicas 2 → 4" */
};

struct actions; /* opaque */

/* new.  Nothing is opened until the first action. */
struct actions *actions_new(const struct actions_settings *s);
/* Frees; actions still in flight are forgotten (their requests may still land). */
void actions_free(struct actions *a);
/* Call after http_free(): requests that will never answer. */
void actions_abandon_requests(struct actions *a);

/*
 * Plan op on svc (replicas: the scale target; ignored otherwise).  On a
 * refusal returns -1 with the reason in e (and audits it as refused): in
 * read-only mode "read-only: actions are disabled".
 */
int actions_prepare(struct actions *a, const struct service *svc, enum op_kind op, long replicas,
		    struct action_plan *out, struct err *e);
/* The user cancelled the dialog: audited. */
void actions_cancelled(struct actions *a, const struct action_plan *p);
/*
 * Send it.  Returns 0 when the request left (the action is in flight), or
 * -1 with e (audited as failed).
 */
int actions_execute(struct actions *a, const struct action_plan *p, struct http *http,
		    const struct http_endpoint *ep, struct err *e);
/*
 * actions_execute() for a plan of kind "k8s": the request goes to context k
 * (k8s_endpoint_of(setup, p->context); borrowed, it must outlive the
 * action).  actions_execute() refuses such a plan.  A StatefulSet's
 * rollback is refused by actions_prepare() already.
 */
int actions_execute_k8s(struct actions *a, const struct action_plan *p, struct http *http,
			struct k8s_endpoint *k, struct err *e);
/*
 * actions_execute() for a plan of kind "ecs": the request goes to cluster
 * x (ecs_endpoint_of(setup, p->context); borrowed, it must outlive the
 * action).  A rollback sends what the dialog showed: p->before and
 * p->after ("orders:41", "orders:40") are checked against ECS first.
 */
int actions_execute_ecs(struct actions *a, const struct action_plan *p, struct http *http,
			struct ecs_endpoint *x, struct err *e);
/*
 * Check every action in flight against the model (mono: monotonic seconds).
 * Returns true when something changed (redraw).
 */
bool actions_tick(struct actions *a, const struct model *m, double mono);
/* borrowed: "scale 2 → 4: 3/4 running" for the service in flight, or NULL. */
const char *actions_progress(const struct actions *a, const char *service);
/*
 * True once after a runtime accepted a request: the caller refreshes the
 * runtime at once so convergence is seen without waiting a full interval.
 */
bool actions_take_accepted(struct actions *a);

/*
 * "payments: scale 2/4 running, updating" for the newest action in flight
 * (into out), for the status line; false when none is in flight.
 */
bool actions_status(const struct actions *a, char *out, size_t n);

/* Number of actions in flight. */
size_t actions_inflight(const struct actions *a);
/*
 * The newest outcome message ("payments: scale 2 → 4 done in 3.1s") and its
 * role (enum role), once; returns false when there is none.
 */
bool actions_take_message(struct actions *a, char *out, size_t n, int *role);

#endif
