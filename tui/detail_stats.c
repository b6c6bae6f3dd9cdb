#include "detail_stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct ctr {
	char id[80];
	struct docker_stats prev; /* the last sample */
	bool have_prev;
	double cpu_pct, mem_used, mem_limit;
	char health[24];
	long restarts;
	char exit_text[64]; /* "exit 137, OOM killed" */
	bool keep;          /* still an instance (detail_stats_apply) */
};

struct detail_stats {
	struct ctr *c;
	size_t n;
};

struct detail_stats *
detail_stats_new(void)
{
	return xcalloc(1, sizeof(struct detail_stats));
}

void
detail_stats_clear(struct detail_stats *s)
{
	free(s->c);
	s->c = NULL;
	s->n = 0;
}

void
detail_stats_free(struct detail_stats *s)
{
	if (s == NULL)
		return;
	detail_stats_clear(s);
	free(s);
}

static struct ctr *
get(struct detail_stats *s, const char *id, bool create)
{
	struct ctr *c;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->c[i].id, id) == 0)
			return &s->c[i];
	if (!create)
		return NULL;
	s->c = xrealloc(s->c, (s->n + 1) * sizeof *s->c);
	c = &s->c[s->n++];
	memset(c, 0, sizeof *c);
	snprintf(c->id, sizeof c->id, "%s", id);
	c->cpu_pct = c->mem_used = c->mem_limit = NAN;
	c->restarts = -1;
	return c;
}

void
detail_stats_inspect(struct detail_stats *s, const char *id,
		     const struct docker_container_detail *d)
{
	struct ctr *c = get(s, id, true);

	snprintf(c->health, sizeof c->health, "%s", d->health);
	c->restarts = d->restart_count;
	if (strcmp(d->state, "running") != 0 && (d->exit_code != 0 || d->oom_killed))
		snprintf(c->exit_text, sizeof c->exit_text, "exit %ld%s", d->exit_code,
			 d->oom_killed ? ", OOM killed" : "");
	else
		c->exit_text[0] = '\0';
}

void
detail_stats_sample(struct detail_stats *s, const char *id, const struct docker_stats *st)
{
	struct ctr *c = get(s, id, true);

	if (c->have_prev) {
		double pct = docker_cpu_percent(&c->prev, st);

		if (!isnan(pct))
			c->cpu_pct = pct;
	}
	c->prev = *st;
	c->have_prev = true;
	c->mem_used = st->mem_used;
	c->mem_limit = st->mem_limit;
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = xstrdup(s);
}

void
detail_stats_apply(struct detail_stats *s, struct detail_instance *inst, size_t n)
{
	size_t i, k;

	for (k = 0; k < s->n; k++)
		s->c[k].keep = false;
	for (i = 0; i < n; i++) {
		struct detail_instance *in = &inst[i];
		struct ctr *c;

		if (in->container_id[0] == '\0')
			continue;
		c = get(s, in->container_id, false);
		if (c == NULL)
			continue;
		c->keep = true;
		if (strcmp(in->state, "running") == 0) {
			in->cpu_pct = c->cpu_pct;
			in->mem_used = c->mem_used;
			in->mem_limit = c->mem_limit;
		}
		set_str(&in->health, c->health);
		if (in->restarts < 0)
			in->restarts = c->restarts;
		if (in->error[0] == '\0' && c->exit_text[0] != '\0' &&
		    strcmp(in->state, "running") != 0)
			set_str(&in->error, c->exit_text);
	}
	for (i = k = 0; k < s->n; k++)
		if (s->c[k].keep)
			s->c[i++] = s->c[k];
	s->n = i;
}
