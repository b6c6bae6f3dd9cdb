/*
 * docker_action.h - one mutating request to a Swarm service, done the safe
 * way: read the service, build the update from what was read (its
 * Version.Index included), send it; on "update out of sequence" read again
 * and retry exactly once.  A request that times out is never retried: its
 * outcome is unknown, and the caller must say so.
 *
 * The request runs on the event loop like every other (http_submit); the
 * callback fires once with the result.
 */
#ifndef OPSDECK_TUI_DOCKER_ACTION_H
#define OPSDECK_TUI_DOCKER_ACTION_H

#include <stdbool.h>

#include "docker.h"
#include "http.h"

enum op_kind { OP_SCALE, OP_RESTART, OP_ROLLBACK, OP_KIND_COUNT };

/* "scale", "restart", "rollback". */
const char *op_kind_name(enum op_kind k);

struct docker_action_result {
	bool ok;               /* the daemon accepted the update */
	bool unknown;          /* no answer in time: it may or may not have happened */
	enum docker_fail fail; /* the daemon's refusal, classified */
	struct err err;        /* its message verbatim when !ok */
	const char *warnings;  /* borrowed until the callback returns; NULL none */
	int attempts;          /* updates sent (2 after an out-of-sequence retry) */
};

typedef void (*docker_action_done_fn)(void *ud, const struct docker_action_result *r);

struct docker_action; /* opaque; frees itself after the callback */

/*
 * Start op on the Swarm service runtime_name (replicas for OP_SCALE).  ep is
 * copied.  Returns the handle, or NULL with e filled (nothing was sent, the
 * callback is not called).  docker_action_cancel() forgets a running one
 * (its callback is not called; the request itself cannot be taken back).
 */
struct docker_action *docker_action_start(struct http *http, const struct http_endpoint *ep,
					  const char *runtime_name, enum op_kind op, long replicas,
					  docker_action_done_fn done, void *ud, struct err *e);
/*
 * Restart plain containers (a compose service's, or one container) one at a
 * time, in order: each POST /containers/{id}/restart returns once that
 * container runs again, so the next starts only then.  Stops at the first
 * failure.  ids are copied.  The request deadline is raised to cover the
 * stop timeout.
 */
struct docker_action *docker_action_restart_containers(struct http *http,
						       const struct http_endpoint *ep,
						       const char *const *ids, size_t n,
						       docker_action_done_fn done, void *ud,
						       struct err *e);
void docker_action_cancel(struct docker_action *a);
/* Free a handle whose request will never answer (after http_free()).  NULL-safe. */
void docker_action_abandon(struct docker_action *a);

#endif
