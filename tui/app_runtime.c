/*
 * app_runtime.c - the console's Kubernetes contexts and ECS clusters: one
 * poller each, ticked, refreshed and waited for with the others; and the
 * runtime a confirmed action goes to (a "k8s" row's own context, an "ecs"
 * row's cluster, else Docker's endpoint).
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

	if (s->necs > 0)
		a->ecs = xcalloc(s->necs, sizeof *a->ecs);
	for (i = 0; i < s->necs; i++) {
		struct ecs_poll_settings es = s->ecs_poll;

		es.ep = s->ecs[i];
		a->ecs[i] = ecs_poll_new(a->http, a->model, &es);
	}
	a->necs = s->necs;
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
	for (i = 0; i < a->necs; i++)
		ecs_poll_free(a->ecs[i]);
	free(a->ecs);
	a->ecs = NULL;
	a->necs = 0;
}

bool
app_runtime_tick(struct app *a, double mono)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < a->nk8s; i++)
		if (k8s_poll_tick(a->k8s[i], mono))
			changed = true;
	for (i = 0; i < a->necs; i++)
		if (ecs_poll_tick(a->ecs[i], mono))
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
	for (i = 0; i < a->necs; i++) {
		long d = ecs_poll_next_due_ms(a->ecs[i], mono);

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
	for (i = 0; i < a->necs; i++)
		ecs_poll_refresh_now(a->ecs[i]);
}

int
app_runtime_execute(struct app *a, struct err *e)
{
	const struct setup *s = a->o->setup;

	if (strcmp(a->plan.kind, "k8s") == 0)
		return actions_execute_k8s(a->actions, &a->plan, a->http,
					   k8s_endpoint_of(s, a->plan.context), e);
	if (strcmp(a->plan.kind, "ecs") == 0)
		return actions_execute_ecs(a->actions, &a->plan, a->http,
					   ecs_endpoint_of(s, a->plan.context), e);
	return actions_execute(a->actions, &a->plan, a->http, &s->docker_poll.ep, e);
}
