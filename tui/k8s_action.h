/*
 * k8s_action.h - one mutating request to a Kubernetes workload, as kubectl
 * makes it:
 *
 *   scale     PATCH .../NAME/scale, application/merge-patch+json
 *             {"spec":{"replicas":N}}                     (kubectl scale)
 *   restart   PATCH .../NAME, application/strategic-merge-patch+json, the
 *             pod template's kubectl.kubernetes.io/restartedAt annotation
 *             set to now                           (kubectl rollout restart)
 *   rollback  a Deployment only: GET it and its ReplicaSets (its selector),
 *             then PATCH .../NAME, application/json-patch+json, with the
 *             previous revision's pod template (k8s_rollback_body)
 *                                                     (kubectl rollout undo)
 *
 * A StatefulSet's rollback is refused with what to run instead.  A request
 * waits while the context's exec plugin fetches a token; a 401 renews the
 * credentials and sends that request once more.  A PATCH that times out is
 * never retried: its outcome is unknown and the caller must say so.
 *
 * The result and callback are docker_action's (docker_action.h), so that
 * tui/actions handles both runtimes alike.
 */
#ifndef OPSDECK_TUI_K8S_ACTION_H
#define OPSDECK_TUI_K8S_ACTION_H

#include <stdbool.h>

#include "docker_action.h"
#include "http.h"
#include "k8s_endpoint.h"

struct k8s_action; /* opaque; frees itself after the callback */

/*
 * Start op on the workload whose row id is id ("NAMESPACE/deployment/NAME",
 * k8s_row_id) in context k (borrowed: it must outlive the action).
 * Returns the handle, or NULL with e filled (nothing was sent, the callback
 * is not called): a malformed id, a StatefulSet's rollback.
 */
struct k8s_action *k8s_action_start(struct http *http, struct k8s_endpoint *k, const char *id,
				    enum op_kind op, long replicas, docker_action_done_fn done,
				    void *ud, struct err *e);
/*
 * Send a request that waited for credentials (the exec plugin answered).
 * Call from the loop while the action lives; returns true when it sent or
 * ended something.
 */
bool k8s_action_tick(struct k8s_action *a);
/* Forget it: its callback is not called (a request already sent still lands). */
void k8s_action_cancel(struct k8s_action *a);
/* Free a handle whose request will never answer (after http_free()).  NULL-safe. */
void k8s_action_abandon(struct k8s_action *a);

/* The refusal of a StatefulSet's rollback, into e (ERR_USAGE); returns -1. */
int k8s_action_refuse_rollback(const char *name, struct err *e);

#endif
