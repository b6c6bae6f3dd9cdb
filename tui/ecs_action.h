/*
 * ecs_action.h - one mutating request to an Amazon ECS service, as the AWS
 * CLI makes it:
 *
 *   scale     UpdateService {desiredCount: N}   (aws ecs update-service
 *                                                --desired-count N)
 *   restart   UpdateService {forceNewDeployment: true}: every task
 *             replaced by the scheduler (--force-new-deployment)
 *   rollback  DescribeServices (its task definition now), then
 *             ListTaskDefinitions of the family's ACTIVE revisions, newest
 *             first, page by page until one below the current shows
 *             (ecs_previous_task_definition), then UpdateService
 *             {taskDefinition: that ARN}
 *
 * A rollback checks what the confirmation showed: the service must still
 * run expect_from ("orders:41") and the target must be expect_to
 * ("orders:40"), or nothing is sent and the error says what changed.  A
 * request waits while the cluster's credentials are being fetched; an
 * answer saying they expired renews them and sends that request once
 * more.  An UpdateService that times out is never retried: its outcome is
 * unknown and the caller must say so.
 *
 * The result and callback are docker_action's (docker_action.h), so that
 * tui/actions handles every runtime alike.
 */
#ifndef OPSDECK_TUI_ECS_ACTION_H
#define OPSDECK_TUI_ECS_ACTION_H

#include <stdbool.h>

#include "docker_action.h"
#include "ecs_endpoint.h"
#include "http.h"

struct ecs_action; /* opaque; frees itself after the callback */

/*
 * Start op on the ECS service named service in cluster x (borrowed: it
 * must outlive the action); replicas for OP_SCALE; expect_from and
 * expect_to for OP_ROLLBACK ("family:revision"; NULL, "" or any other
 * text = not checked).  Returns the handle, or NULL with e filled (nothing
 * was sent, the callback is not called).
 */
struct ecs_action *ecs_action_start(struct http *http, struct ecs_endpoint *x, const char *service,
				    enum op_kind op, long replicas, const char *expect_from,
				    const char *expect_to, docker_action_done_fn done, void *ud,
				    struct err *e);
/*
 * Send a request that waited for credentials.  Call from the loop while
 * the action lives; returns true when it sent or ended something.
 */
bool ecs_action_tick(struct ecs_action *a);
/* Forget it: its callback is not called (a request already sent still lands). */
void ecs_action_cancel(struct ecs_action *a);
/* Free a handle whose request will never answer (after http_free()).  NULL-safe. */
void ecs_action_abandon(struct ecs_action *a);

#endif
