/*
 * ecs_poll.h - polls one Amazon ECS cluster and feeds the model's runtime
 * state: its services become rows of kind "ecs" with running/desired (and
 * pending), the task definition's family:revision, the launch type, when
 * the PRIMARY deployment was created, the rollout's state in Swarm's words
 * (ecs_rollout_state) and what a rollback would go to.
 *
 * A round is ListServices to its last page (nextToken, 100 a page), then
 * DescribeServices in batches of 10 (a few at once), then - for services
 * whose task definition is new to the poller, at most ECS_TD_LOOKUPS a
 * round - ListTaskDefinitions of the family's ACTIVE revisions, whose
 * answer names the rollback target (ecs_previous_task_definition; kept
 * until the service's task definition changes, or for ECS_TD_KEEP_S).  The
 * model is updated once the round is complete: a row never mixes two
 * rounds; a failing round marks the cluster's backend ("ecs CLUSTER")
 * failed and keeps the last good state.
 *
 * Throttling (ThrottlingException): the request waits and is sent again,
 * the wait doubling from 1 s up to ECS_BACKOFF_MAX_S while AWS keeps
 * refusing, one request at a time until one passes (then 1 s again for
 * the next refusal); the backend shows "throttled ... next try in 4s"
 * meanwhile.  An answer saying the
 * credentials expired renews them (ecs_endpoint_expired) and sends that
 * request once more.
 *
 * Rows are named by the service's name (through [service] ecs aliases); a
 * name another runtime context already shows gets "@CLUSTER" appended.
 * Their id is the service's ARN (see ecs_endpoint.h).
 */
#ifndef OPSDECK_TUI_ECS_POLL_H
#define OPSDECK_TUI_ECS_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "ecs_endpoint.h"
#include "http.h"
#include "model.h"

#define ECS_DESCRIBE_BATCH 10  /* DescribeServices takes at most 10 services */
#define ECS_CONCURRENCY 4      /* requests of a round in flight at once */
#define ECS_TD_LOOKUPS 10      /* ListTaskDefinitions a round at most */
#define ECS_TD_KEEP_S 300.0    /* a rollback target is looked up again after this */
#define ECS_BACKOFF_MAX_S 64.0 /* the longest wait after throttling */

struct ecs_poll_settings {
	struct ecs_endpoint *ep; /* borrowed: the cluster */
	long long refresh_ms;
	/* Display name for an ECS service name (aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *service);
	void *ud;
};

struct ecs_poll; /* opaque */

/* new; http, model and s->ep borrowed for its lifetime. */
struct ecs_poll *ecs_poll_new(struct http *http, struct model *model,
			      const struct ecs_poll_settings *s);
void ecs_poll_free(struct ecs_poll *p); /* NULL-safe; call before http_free */
/*
 * Start a round if one is due (mono: monotonic seconds), send requests
 * that waited (credentials, throttling, the concurrency limit) and drive
 * the cluster's credential_process.  True when something changed.
 */
bool ecs_poll_tick(struct ecs_poll *p, double mono);
void ecs_poll_refresh_now(struct ecs_poll *p);
long ecs_poll_next_due_ms(const struct ecs_poll *p, double mono);
/* Rounds completed, successful or not. */
unsigned long ecs_poll_rounds(const struct ecs_poll *p);
/* Requests sent so far (retries too): for tests of the request budget. */
unsigned long ecs_poll_requests(const struct ecs_poll *p);
/* The wait after the last throttled answer, in seconds; 0 once AWS took a request again. */
double ecs_poll_backoff_s(const struct ecs_poll *p);
/* borrowed: the cluster polled. */
struct ecs_endpoint *ecs_poll_endpoint(const struct ecs_poll *p);

#endif
