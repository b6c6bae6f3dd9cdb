/*
 * ecs_detail.h - the Service detail's requests for one Amazon ECS service
 * and what their answers become: the service itself (counts, deployments,
 * events, target groups), its tasks running and stopped, and its task
 * definition's revisions with their images.
 *
 * A round starts with three calls at once: DescribeServices of the
 * service, ListTasks of its running tasks and ListTasks of its stopped
 * ones (desiredStatus STOPPED: ECS keeps them an hour or so, and they say
 * why a deployment fails).  Each list's answer asks DescribeTasks (one
 * batch of at most 100: a list page holds 100); the service's answer
 * asks ListTaskDefinitions of its family (ACTIVE, newest first, one
 * page), whose answer asks DescribeTaskDefinition of the few revisions
 * whose images are shown.  Bounded: at most 3 + 2 + 1 + ECS_DETAIL_IMAGES
 * calls per round.  Two caches spare calls: a task described as STOPPED
 * never changes again, nor does a task definition revision, so neither
 * is asked twice while it is still listed.
 *
 * Call order per round: ecs_detail_begin(); ecs_detail_next() until it
 * says false, sending each call; ecs_detail_take() (or _failed()) of each
 * answer, then ecs_detail_next() again (answers ask for more); when every
 * answer is in, ecs_detail_fill() (or ecs_detail_begin() to drop a failed
 * round).  No I/O here: tui/detail_poll_ecs.c sends.
 */
#ifndef OPSDECK_TUI_ECS_DETAIL_H
#define OPSDECK_TUI_ECS_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "detail_data.h"
#include "ecs.h"
#include "err.h"

#define ECS_DETAIL_MAX_STOPPED 10 /* stopped tasks listed, failures first */
#define ECS_DETAIL_RECENT 3600.0  /* seconds a stopped task stays listed */
#define ECS_DETAIL_MAX_EVENTS 50  /* the newest service events kept */
#define ECS_DETAIL_MAX_REVS 10    /* revisions listed */
#define ECS_DETAIL_IMAGES 5       /* revisions whose images are asked (and calls per round) */

enum ecs_detail_req {
	ECS_DETAIL_SERVICE,   /* DescribeServices */
	ECS_DETAIL_RUNNING,   /* ListTasks */
	ECS_DETAIL_STOPPED,   /* ListTasks, desiredStatus STOPPED */
	ECS_DETAIL_TASKS,     /* DescribeTasks of one list's tasks */
	ECS_DETAIL_REVISIONS, /* ListTaskDefinitions */
	ECS_DETAIL_TASKDEF,   /* DescribeTaskDefinition of one revision */
	ECS_DETAIL_NREQ
};

/* One call to send. */
struct ecs_detail_call {
	enum ecs_detail_req req;
	int tag;               /* hand it back to ecs_detail_take / _failed */
	const char *operation; /* static: "DescribeServices" */
	char *body;            /* new: the JSON body */
};

struct ecs_detail; /* opaque */

/* new, for service (its name or ARN) in cluster (a name or ARN; "" the default), copied. */
struct ecs_detail *ecs_detail_new(const char *cluster, const char *service);
void ecs_detail_free(struct ecs_detail *k); /* NULL-safe */

/* Drop the answers of the round before (the caches stay): a new round starts. */
void ecs_detail_begin(struct ecs_detail *k);
/* The next call this round asks for, into c (c->body new).  False: none now. */
bool ecs_detail_next(struct ecs_detail *k, struct ecs_detail_call *c);
/*
 * Take the answer of call (req, tag) as http gave it.  Returns 0, or -1
 * with e filled: the round has failed (the revisions' failure is not the
 * round's: it is kept for the revisions section and 0 returned).
 */
int ecs_detail_take(struct ecs_detail *k, enum ecs_detail_req req, int tag, long status,
		    const char *body, size_t len, struct err *e);
/*
 * Call (req, tag) got no answer (e: why).  Returns true when that fails
 * the round: every call but the revisions' and their images'.
 */
bool ecs_detail_failed(struct ecs_detail *k, enum ecs_detail_req req, int tag, const struct err *e);
/* Whether an answer this round said ECS throttles us (the poller backs off). */
bool ecs_detail_throttled(const struct ecs_detail *k);
/*
 * Every answer of the round is in and none failed: make them d's ecs part
 * and its rollout (update_state and _message in Swarm's words, image and
 * tag of the current revision, the rollback target's as prev_image and
 * prev_tag, the newest failed task of the last hour as task_error).
 * Revisions that failed this round keep the previous list with revs_err
 * set.  now: wall clock.  The answers are dropped.
 */
void ecs_detail_fill(struct ecs_detail *k, struct detail_data *d, double now);

/*
 * The pure part, for tests: out (detail_data_ecs_done first if it held
 * anything) from a service, its tasks (running and stopped, any order,
 * duplicates by ARN once; more: a list had another page), the ARNs of its
 * family's ACTIVE revisions (any order, other families skipped) and the
 * task definitions known (images, registration).  Tasks with a problem
 * first (starting, unhealthy, stopping), then those stopped by a failure,
 * newest first, then the running ones, then the other stopped ones; at
 * most ECS_DETAIL_MAX_STOPPED stopped, of the last ECS_DETAIL_RECENT
 * seconds before now.  Revisions newest first, the current one and the
 * one a rollback goes to marked, at most ECS_DETAIL_MAX_REVS (and those
 * two).  Events newest first, at most ECS_DETAIL_MAX_EVENTS, type
 * "Warning" when ecs_detail_event_is_warning.
 */
void ecs_detail_build(const struct ecs_service *s, const struct ecs_task *tasks, size_t ntasks,
		      bool more, char *const *revs, size_t nrevs,
		      const struct ecs_task_definition *defs, size_t ndefs, double now,
		      struct detail_ecs *out);

/*
 * new: why the newest task stopped by a failure within ECS_DETAIL_RECENT
 * seconds before now ("exit 137 (payments): Essential container in task
 * exited: OutOfMemoryError: ..."), its stop time in *at; NULL when none.
 */
char *ecs_detail_newest_failure(const struct ecs_task *t, size_t n, double now, double *at);
/* Whether a task stopped by a failure (failed to start, an essential container exited, ...). */
bool ecs_detail_task_failed(const struct ecs_task *t);
/* Whether a service event says something went wrong ("unable to place a task", "unhealthy"). */
bool ecs_detail_event_is_warning(const char *message);

#endif
