/*
 * app_runtime.c - the console's Kubernetes contexts: one poller per
 * context, ticked, refreshed and waited for with the others; and the
 * runtime a confirmed action goes to (a "k8s" row's own context, else
 * Docker's endpoint).
 */
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "xalloc.h"

void
app_runtime_start(struct app *a)
{
	const struct setup *s = a->o->setup;
	size_t i;

	if (s->nk8s == 0)
		return;
	a->k8s = xcalloc(s->nk8s, sizeof *a->k8s);
	for (i = 0; i < s->nk8s; i++) {
		struct k8s_poll_settings ks = s->k8s_poll;

		ks.ep = s->k8s[i];
		a->k8s[i] = k8s_poll_new(a->http, a->model, &ks);
	}
	a->nk8s = s->nk8s;
}

void
app_runtime_stop(struct app *a)
{
	size_t i;

	for (i = 0; i < a->nk8s; i++)
		k8s_poll_free(a->k8s[i]);
	free(a->k8s);
	a->k8s = NULL;
	a->nk8s = 0;
}

bool
app_runtime_tick(struct app *a, double mono)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < a->nk8s; i++)
		if (k8s_poll_tick(a->k8s[i], mono))
			changed = true;
	return changed;
}

long
app_runtime_next_due_ms(const struct app *a, double mono, long t)
{
	size_t i;

	for (i = 0; i < a->nk8s; i++) {
		long d = k8s_poll_next_due_ms(a->k8s[i], mono);

		if (d < t)
			t = d;
	}
	return t;
}

void
app_runtime_refresh_now(struct app *a)
{
	size_t i;

	if (a->docker != NULL)
		docker_poll_refresh_now(a->docker);
	for (i = 0; i < a->nk8s; i++)
		k8s_poll_refresh_now(a->k8s[i]);
}

int
app_runtime_execute(struct app *a, struct err *e)
{
	const struct setup *s = a->o->setup;

	if (strcmp(a->plan.kind, "k8s") == 0)
		return actions_execute_k8s(a->actions, &a->plan, a->http,
					   k8s_endpoint_of(s, a->plan.context), e);
	return actions_execute(a->actions, &a->plan, a->http, &s->docker_poll.ep, e);
}
