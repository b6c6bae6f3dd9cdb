/*
 * docker_poll.h - polls a Docker Engine (with or without Swarm) and feeds
 * the model's runtime state: Swarm services, compose groups and plain
 * containers become service rows with replicas, version, restarts and the
 * state of their last rollout.
 *
 * A round is four concurrent GETs whatever the fleet size: /info,
 * /services?status=true, /tasks (for restarts) and /containers/json?all=1.
 * A node that is not a Swarm manager answers /services with 503: that is
 * not a failure, the node simply has no services.  The model is updated
 * once all four have answered; a failing round marks the "docker" backend
 * failed and keeps the last good runtime state.
 */
#ifndef OPSDECK_TUI_DOCKER_POLL_H
#define OPSDECK_TUI_DOCKER_POLL_H

#include <stdbool.h>

#include "docker.h"
#include "http.h"
#include "model.h"

struct docker_poll_settings {
	struct http_endpoint ep; /* borrowed strings */
	const char *context;     /* context name shown to users ("local") */
	long long refresh_ms;
	/* Display name for a runtime name (aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *runtime_name);
	void *ud;
	/*
	 * A round that failed to connect (ERR_CONNECT) is shown with the
	 * message explain(explain_ud, &err) leaves: the ssh tunnel says it is
	 * still starting, or why ssh exited.  NULL: the HTTP error as it is.
	 */
	void (*explain)(void *ud, struct err *e);
	void *explain_ud;
};

struct docker_poll; /* opaque */

/* new; http and model borrowed for its lifetime. */
struct docker_poll *docker_poll_new(struct http *http, struct model *model,
				    const struct docker_poll_settings *s);
void docker_poll_free(struct docker_poll *p); /* NULL-safe */
/* Submit a round if one is due (mono: monotonic seconds). */
bool docker_poll_tick(struct docker_poll *p, double mono);
void docker_poll_refresh_now(struct docker_poll *p);
long docker_poll_next_due_ms(const struct docker_poll *p, double mono);
unsigned long docker_poll_rounds(const struct docker_poll *p);
/* Whether the last /info said this node is a Swarm manager. */
bool docker_poll_swarm_manager(const struct docker_poll *p);
/* borrowed: the Swarm service named runtime_name from the last round, or NULL. */
const struct docker_service *docker_poll_service(const struct docker_poll *p,
						 const char *runtime_name);

/*
 * The ids of the containers behind a compose or container row of the last
 * round, newest first, at most max: kind "compose" with id "PROJECT/SERVICE",
 * kind "container" with the container's name.  Writes ids (borrowed until
 * the next round) and returns how many.
 */
size_t docker_poll_container_ids(const struct docker_poll *p, const char *kind, const char *id,
				 const char **ids, size_t max);

#endif
