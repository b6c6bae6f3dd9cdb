/*
 * model.c - services joined by name, their latest values and bounded
 * histories, and per-backend health.
 *
 * Services live in an array of pointers in insertion order (pointers stay
 * valid for the model's life; only the array moves) plus an open-addressing
 * hash of indices for lookup by name, so applying a 5,000-series result is
 * linear.  A ring's t and v arrays are one allocation (t first) made on the
 * first appended sample: services that never get history cost no ring
 * memory.  Names refused because max_services was reached are remembered
 * as 64-bit hashes in a bounded set so the same name polled every few
 * seconds is counted once.
 */
#include "model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

#define NO_INDEX SIZE_MAX

struct model {
	size_t points;        /* ring capacity */
	size_t max_services;  /* bound on nsvc */
	struct service **svc; /* owned, insertion order */
	size_t nsvc, svc_cap;
	size_t *index;      /* owned hash table of svc indices; NO_INDEX = empty */
	size_t index_cap;   /* power of two, >= 2 * nsvc */
	uint64_t *dropped;  /* owned set of refused name hashes; 0 = empty */
	size_t dropped_cap; /* power of two */
	size_t ndropped;    /* distinct refused names (approximate once the set is full) */
	size_t ring_bytes;  /* bytes held by ring arrays */
	size_t name_bytes;  /* bytes held by service names */
	double hist_end[METRIC_COUNT]; /* newest appended t per metric */
	struct backend_state **be;     /* owned */
	size_t nbe;
	struct alert *alerts; /* owned, worst first */
	size_t nalerts;
};

/* FNV-1a, 64 bit. */
static uint64_t
hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}

struct model *
model_new(size_t points, size_t max_services)
{
	struct model *m = xcalloc(1, sizeof *m);
	size_t i;

	m->points = points >= 2 ? points : 2;
	m->max_services = max_services >= 1 ? max_services : 1;
	m->index_cap = 64;
	m->index = xmalloc(m->index_cap * sizeof *m->index);
	for (i = 0; i < m->index_cap; i++)
		m->index[i] = NO_INDEX;
	return m;
}

static void
service_free(struct service *s)
{
	int k;

	for (k = 0; k < METRIC_COUNT; k++)
		free(s->hist[k].t); /* v lives in the same block */
	model_runtime_clear(&s->rt);
	free(s->name);
	free(s);
}

void
model_free(struct model *m)
{
	size_t i;

	if (m == NULL)
		return;
	model_set_alerts(m, NULL, 0); /* before the services: it resets their counts */
	for (i = 0; i < m->nsvc; i++)
		service_free(m->svc[i]);
	free(m->svc);
	free(m->index);
	free(m->dropped);
	for (i = 0; i < m->nbe; i++) {
		free(m->be[i]->name);
		free(m->be[i]);
	}
	free(m->be);
	free(m);
}

size_t
model_nservices(const struct model *m)
{
	return m->nsvc;
}

struct service *
model_service_at(const struct model *m, size_t i)
{
	return i < m->nsvc ? m->svc[i] : NULL;
}

size_t
model_dropped_services(const struct model *m)
{
	return m->ndropped;
}

/* Index of the service named name, or NO_INDEX; *slot gets its hash slot. */
static size_t
find(const struct model *m, const char *name, uint64_t h, size_t *slot)
{
	size_t mask = m->index_cap - 1, i = (size_t)h & mask;

	while (m->index[i] != NO_INDEX) {
		if (strcmp(m->svc[m->index[i]]->name, name) == 0) {
			*slot = i;
			return m->index[i];
		}
		i = (i + 1) & mask;
	}
	*slot = i;
	return NO_INDEX;
}

static void
rehash(struct model *m)
{
	size_t i, cap = m->index_cap * 2, mask = cap - 1;

	free(m->index);
	m->index = xmalloc(cap * sizeof *m->index);
	m->index_cap = cap;
	for (i = 0; i < cap; i++)
		m->index[i] = NO_INDEX;
	for (i = 0; i < m->nsvc; i++) {
		size_t j = (size_t)hash_name(m->svc[i]->name) & mask;

		while (m->index[j] != NO_INDEX)
			j = (j + 1) & mask;
		m->index[j] = i;
	}
}

/* Count a refused name once. */
static void
note_dropped(struct model *m, uint64_t h)
{
	size_t i, mask, bound = m->max_services > 1024 ? m->max_services : 1024;

	if (m->dropped == NULL) {
		m->dropped_cap = 16;
		while (m->dropped_cap < 2 * bound)
			m->dropped_cap *= 2;
		m->dropped = xcalloc(m->dropped_cap, sizeof *m->dropped);
	}
	mask = m->dropped_cap - 1;
	for (i = (size_t)h & mask; m->dropped[i] != 0; i = (i + 1) & mask)
		if (m->dropped[i] == h)
			return;
	if (m->ndropped < bound)
		m->dropped[i] = h;
	m->ndropped++;
}

/* The service named name (created if create), and its index in *idx. */
static struct service *
lookup(struct model *m, const char *name, bool create, size_t *idx)
{
	uint64_t h;
	size_t slot, i;
	struct service *s;
	int k;

	if (name == NULL)
		return NULL;
	h = hash_name(name);
	i = find(m, name, h, &slot);
	if (i != NO_INDEX) {
		*idx = i;
		return m->svc[i];
	}
	if (!create)
		return NULL;
	if (m->nsvc >= m->max_services) {
		note_dropped(m, h);
		return NULL;
	}
	if (m->nsvc == m->svc_cap) {
		m->svc_cap = m->svc_cap ? m->svc_cap * 2 : 16;
		m->svc = xrealloc(m->svc, m->svc_cap * sizeof *m->svc);
	}
	s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	m->name_bytes += strlen(name) + 1;
	for (k = 0; k < METRIC_COUNT; k++) {
		s->value[k] = NAN;
		s->hist[k].cap = m->points;
	}
	s->errors_per_min = NAN;
	m->svc[m->nsvc] = s;
	m->index[slot] = m->nsvc;
	*idx = m->nsvc++;
	if (m->nsvc * 2 > m->index_cap)
		rehash(m);
	return s;
}

struct service *
model_service(struct model *m, const char *name, bool create)
{
	size_t idx;

	return lookup(m, name, create, &idx);
}

void
model_apply_metric(struct model *m, enum metric metric, const char *const *names,
		   const double *values, size_t n, double now)
{
	bool *seen;
	size_t i, idx;
	struct service *s;

	if ((int)metric < 0 || metric >= METRIC_COUNT)
		return;
	for (i = 0; i < n; i++) {
		s = lookup(m, names[i], true, &idx);
		if (s == NULL)
			continue;
		s->value[metric] = values[i];
		s->updated[metric] = now;
		if (s->first_seen == 0)
			s->first_seen = now;
	}
	/* second pass: who was absent?  (services may have been created above) */
	seen = xcalloc(m->nsvc ? m->nsvc : 1, sizeof *seen);
	for (i = 0; i < n; i++)
		if (lookup(m, names[i], false, &idx) != NULL)
			seen[idx] = true;
	for (i = 0; i < m->nsvc; i++) {
		if (seen[i])
			continue;
		s = m->svc[i];
		s->value[metric] = NAN;
		if (s->updated[metric] != 0)
			s->updated[metric] = now;
	}
	free(seen);
}

void
model_apply_log_errors(struct model *m, const char *const *names, const double *counts, size_t n,
		       double now)
{
	size_t i, idx;

	for (i = 0; i < m->nsvc; i++) {
		m->svc[i]->errors_per_min = 0;
		m->svc[i]->errors_per_min_updated = now;
	}
	for (i = 0; i < n; i++) {
		struct service *s = lookup(m, names[i], false, &idx);

		if (s != NULL && isfinite(counts[i]))
			s->errors_per_min += counts[i]; /* two aliases of one service add up */
	}
}

/* ---- rings ------------------------------------------------------------- */

int
ring_get(const struct ring *r, size_t i, double *t, double *v)
{
	size_t j;

	if (r == NULL || i >= r->len || r->t == NULL)
		return -1;
	j = (r->head + i) % r->cap;
	if (t != NULL)
		*t = r->t[j];
	if (v != NULL)
		*v = r->v[j];
	return 0;
}

double
ring_newest_t(const struct ring *r)
{
	if (r == NULL || r->len == 0 || r->t == NULL)
		return 0;
	return r->t[(r->head + r->len - 1) % r->cap];
}

void
model_append_point(struct model *m, struct service *s, enum metric metric, double t, double v)
{
	struct ring *r;

	if (s == NULL || (int)metric < 0 || metric >= METRIC_COUNT || !isfinite(t))
		return;
	r = &s->hist[metric];
	if (r->len > 0 && t <= ring_newest_t(r))
		return;
	if (r->t == NULL) {
		r->cap = m->points;
		r->t = xmalloc(2 * r->cap * sizeof *r->t);
		r->v = r->t + r->cap;
		m->ring_bytes += 2 * r->cap * sizeof *r->t;
	}
	if (r->len < r->cap) {
		size_t j = (r->head + r->len) % r->cap;

		r->t[j] = t;
		r->v[j] = v;
		r->len++;
	} else {
		r->t[r->head] = t;
		r->v[r->head] = v;
		r->head = (r->head + 1) % r->cap;
	}
	if (t > m->hist_end[metric])
		m->hist_end[metric] = t;
}

double
model_history_end(const struct model *m, enum metric metric)
{
	if ((int)metric < 0 || metric >= METRIC_COUNT)
		return 0;
	return m->hist_end[metric];
}

size_t
model_history(const struct service *s, enum metric metric, double *out, size_t n)
{
	const struct ring *r;
	size_t i, k, skip;

	if (s == NULL || (int)metric < 0 || metric >= METRIC_COUNT)
		return 0;
	r = &s->hist[metric];
	k = r->len < n ? r->len : n;
	skip = r->len - k;
	for (i = 0; i < k; i++)
		ring_get(r, skip + i, NULL, &out[i]);
	return k;
}

/* ---- backends ---------------------------------------------------------- */

struct backend_state *
model_backend(struct model *m, const char *name)
{
	struct backend_state *b;
	size_t i;

	for (i = 0; i < m->nbe; i++)
		if (strcmp(m->be[i]->name, name) == 0)
			return m->be[i];
	m->be = xrealloc(m->be, (m->nbe + 1) * sizeof *m->be);
	b = xcalloc(1, sizeof *b);
	b->name = xstrdup(name);
	err_clear(&b->err);
	m->be[m->nbe++] = b;
	return b;
}

size_t
model_nbackends(const struct model *m)
{
	return m->nbe;
}

struct backend_state *
model_backend_at(const struct model *m, size_t i)
{
	return i < m->nbe ? m->be[i] : NULL;
}

void
model_backend_ok(struct model *m, const char *name, long latency_ms, double now)
{
	struct backend_state *b = model_backend(m, name);

	b->ok = true;
	b->ever_ok = true;
	b->latency_ms = latency_ms;
	b->last_ok = now;
	b->last_attempt = now;
	b->polls++;
	err_clear(&b->err);
}

void
model_backend_fail(struct model *m, const char *name, const struct err *e, double now)
{
	struct backend_state *b = model_backend(m, name);

	b->ok = false;
	b->last_attempt = now;
	b->polls++;
	if (e != NULL && e->code != ERR_OK) {
		b->err = *e;
	} else {
		b->err.code = ERR_BACKEND;
		strcpy(b->err.msg, "failed");
	}
}

/* ---- status ------------------------------------------------------------ */

/* A threshold applies when it is a positive number. */
static enum status
against(double v, double warn, double crit)
{
	if (isnan(v))
		return STATUS_OK;
	if (crit > 0 && v >= crit)
		return STATUS_CRIT;
	if (warn > 0 && v >= warn)
		return STATUS_WARN;
	return STATUS_OK;
}

static enum status
worse(enum status a, enum status b)
{
	return b > a ? b : a;
}

enum status
model_service_status(const struct service *s, const struct thresholds *t, double now,
		     double stale_after)
{
	double newest = 0;
	bool any = false;
	enum status st = STATUS_OK;
	int k;

	if (s == NULL)
		return STATUS_UNKNOWN;
	for (k = 0; k < METRIC_COUNT; k++) {
		if (isnan(s->value[k]))
			continue;
		any = true;
		if (s->updated[k] > newest)
			newest = s->updated[k];
	}
	if (s->rt.present) {
		any = true;
		if (s->rt.updated > newest)
			newest = s->rt.updated;
	}
	if (!any)
		return STATUS_UNKNOWN;
	if (stale_after > 0 && now - newest > stale_after)
		return STATUS_STALE;
	if (t != NULL) {
		st = worse(st, against(s->value[METRIC_ERRORS], t->error_warn, t->error_crit));
		st = worse(st, against(s->value[METRIC_P99], t->p99_warn, t->p99_crit));
	}
	if (s->rt.present) {
		/* Fewer running than wanted is a warning; none of some is critical. */
		if (s->rt.desired >= 1 && s->rt.running == 0)
			st = worse(st, STATUS_CRIT);
		else if (s->rt.desired >= 0 && s->rt.running >= 0 && s->rt.running < s->rt.desired)
			st = worse(st, STATUS_WARN);
		if (s->rt.crash_looping)
			st = worse(st, STATUS_CRIT);
		if (s->rt.problem == STATUS_WARN || s->rt.problem == STATUS_CRIT)
			st = worse(st, s->rt.problem);
	}
	return st;
}

const char *
status_name(enum status s)
{
	static const char *const names[STATUS_COUNT] = { "OK", "WARN", "CRIT", "STALE", "UNKNOWN" };

	if ((int)s < 0 || s >= STATUS_COUNT)
		return "?";
	return names[s];
}

const char *
metric_name(enum metric m)
{
	static const char *const names[METRIC_COUNT] = { "rps", "errors", "p99", "cpu", "memory" };

	if ((int)m < 0 || m >= METRIC_COUNT)
		return "?";
	return names[m];
}

size_t
model_bytes(const struct model *m)
{
	size_t n = sizeof *m, i;

	n += m->svc_cap * sizeof *m->svc;
	n += m->index_cap * sizeof *m->index;
	n += m->dropped_cap * sizeof *m->dropped;
	n += m->nsvc * sizeof(struct service);
	n += m->name_bytes + m->ring_bytes;
	n += m->nbe * sizeof *m->be;
	for (i = 0; i < m->nbe; i++)
		n += sizeof *m->be[i] + strlen(m->be[i]->name) + 1;
	return n;
}

/* ---- alerts ------------------------------------------------------------ */

int
alert_severity_rank(const char *severity)
{
	static const char *const crit[] = { "critical", "crit",  "page",
					    "error",    "fatal", "emergency" };
	size_t i;

	if (severity == NULL)
		return 1;
	for (i = 0; i < sizeof crit / sizeof crit[0]; i++)
		if (strcasecmp(severity, crit[i]) == 0)
			return 3;
	if (strcasecmp(severity, "warning") == 0 || strcasecmp(severity, "warn") == 0)
		return 2;
	return 1;
}

void
model_alert_clear(struct alert *a)
{
	size_t i;

	free(a->name);
	free(a->service);
	free(a->severity);
	free(a->summary);
	free(a->source);
	free(a->fingerprint);
	for (i = 0; i < 2 * a->nlabels; i++)
		free(a->labels[i]);
	free(a->labels);
	free(a->silenced_by);
	memset(a, 0, sizeof *a);
}

static int
alert_cmp(const void *pa, const void *pb)
{
	const struct alert *a = pa, *b = pb;
	int ra = alert_severity_rank(a->severity), rb = alert_severity_rank(b->severity);

	if (a->state != b->state)
		return (int)a->state - (int)b->state;
	if (ra != rb)
		return rb - ra;
	if (a->since != b->since)
		return a->since < b->since ? -1 : 1;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

void
model_set_alerts(struct model *m, struct alert *a, size_t n)
{
	size_t i;

	for (i = 0; i < m->nalerts; i++)
		model_alert_clear(&m->alerts[i]);
	free(m->alerts);
	m->alerts = n > 0 ? a : NULL;
	m->nalerts = n;
	if (n == 0)
		free(a);
	else
		qsort(m->alerts, n, sizeof *m->alerts, alert_cmp);
	for (i = 0; i < m->nsvc; i++) {
		m->svc[i]->alerts_firing = 0;
		m->svc[i]->alert_rank = 0;
	}
	for (i = 0; i < n; i++) {
		struct service *s;
		int r;

		if (m->alerts[i].state != ALERT_FIRING || m->alerts[i].service == NULL)
			continue;
		s = model_service(m, m->alerts[i].service, false);
		if (s == NULL)
			continue;
		s->alerts_firing++;
		r = alert_severity_rank(m->alerts[i].severity);
		if (r > s->alert_rank)
			s->alert_rank = r;
	}
}

const struct alert *
model_alerts(const struct model *m, size_t *n)
{
	*n = m->nalerts;
	return m->alerts;
}

size_t
model_firing_alerts(const struct model *m, int *worst)
{
	size_t i, count = 0;
	int w = 0;

	for (i = 0; i < m->nalerts; i++) {
		if (m->alerts[i].state != ALERT_FIRING)
			continue;
		count++;
		if (alert_severity_rank(m->alerts[i].severity) > w)
			w = alert_severity_rank(m->alerts[i].severity);
	}
	if (worst != NULL)
		*worst = w;
	return count;
}
