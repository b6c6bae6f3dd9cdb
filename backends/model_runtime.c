/*
 * model_runtime.c - the container runtime's view of each service, joined
 * into the model by display name.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "xalloc.h"

void
model_runtime_clear(struct runtime_state *rt)
{
	free(rt->kind);
	free(rt->context);
	free(rt->id);
	free(rt->runtime_name);
	free(rt->version);
	free(rt->rollout_state);
	free(rt->message);
	free(rt->revision);
	free(rt->platform);
	free(rt->previous);
	memset(rt, 0, sizeof *rt);
	rt->running = rt->desired = rt->restarts = rt->restarts_prev = -1;
}

static void
set_str(char **dst, const char *src)
{
	if (*dst != NULL && src != NULL && strcmp(*dst, src) == 0)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

static void
apply_row(struct runtime_state *rt, const char *context, const struct runtime_row *r, double now)
{
	long before = rt->present ? rt->restarts : -1;

	set_str(&rt->kind, r->kind);
	set_str(&rt->context, context);
	set_str(&rt->id, r->id);
	set_str(&rt->runtime_name, r->runtime_name);
	set_str(&rt->version, r->version);
	set_str(&rt->rollout_state, r->rollout_state);
	set_str(&rt->message, r->message);
	set_str(&rt->revision, r->revision);
	set_str(&rt->platform, r->platform);
	set_str(&rt->previous, r->previous);
	rt->pending = r->pending;
	rt->problem =
		r->problem == STATUS_WARN || r->problem == STATUS_CRIT ? r->problem : STATUS_OK;
	rt->running = r->running;
	rt->desired = r->desired;
	rt->fixed_count = r->fixed_count;
	rt->deployed_at = r->deployed_at;
	rt->restarts_prev = before;
	rt->restarts = r->restarts;
	/* A crash loop: restarts climbing between two refreshes. */
	rt->crash_looping = before >= 0 && r->restarts > before;
	rt->present = true;
	rt->updated = now;
}

void
model_runtime_apply(struct model *m, const char *context, const struct runtime_row *rows, size_t n,
		    double now)
{
	model_runtime_apply_kind(m, context, NULL, rows, n, now);
}

void
model_runtime_apply_kind(struct model *m, const char *context, const char *kind,
			 const struct runtime_row *rows, size_t n, double now)
{
	size_t i, ns;

	for (i = 0; i < n; i++) {
		struct service *s = model_service(m, rows[i].name, true);

		if (s != NULL) /* NULL over max_services: counted by the model */
			apply_row(&s->rt, context, &rows[i], now);
	}
	/*
	 * Services of this context not reported this time lose their runtime
	 * state: every reported one was stamped with this very `now`.
	 */
	ns = model_nservices(m);
	for (i = 0; i < ns; i++) {
		struct service *s = model_service_at(m, i);

		if (s->rt.present && s->rt.updated != now && s->rt.context != NULL &&
		    strcmp(s->rt.context, context) == 0 &&
		    (kind == NULL || (s->rt.kind != NULL && strcmp(s->rt.kind, kind) == 0)))
			model_runtime_clear(&s->rt);
	}
}
