#include "poller.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

/* Metrics whose history feeds the Overview sparklines. */
static const enum prom_metric spark_metrics[] = { PROM_RPS, PROM_ERRORS };
#define NSPARK (sizeof spark_metrics / sizeof spark_metrics[0])

struct req;

struct poller {
	struct http *http;
	struct model *model;
	struct poll_settings s;
	double next_due;       /* monotonic seconds */
	double round_started;  /* monotonic */
	int inflight;          /* requests of this round not yet answered */
	bool round_failed;     /* some request of this round failed */
	struct err round_err;  /* the first failure of the round */
	long round_latency_ms; /* slowest request of the round */
	unsigned long rounds;
	unsigned long round_id;
	struct req
		*outstanding; /* requests handed to http, freed by poller_free if never answered */
};

enum req_kind { REQ_INSTANT, REQ_RANGE };

struct req {
	struct req *prev, *next; /* the poller's list of requests in flight */
	struct poller *p;
	enum req_kind kind;
	enum prom_metric metric;
	unsigned long round_id;
};

double
poller_mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
poller_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
display(const struct poller *p, const char *label_value)
{
	const char *d;

	if (label_value == NULL || p->s.display_name == NULL)
		return label_value;
	d = p->s.display_name(p->s.ud, label_value);
	return d != NULL ? d : label_value;
}

/* prometheus metric -> model metric (the same order by construction). */
static enum metric
model_metric(enum prom_metric m)
{
	return (enum metric)m;
}

struct poller *
poller_new(struct http *http, struct model *model, const struct poll_settings *s)
{
	struct poller *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->model = model;
	p->s = *s;
	if (p->s.refresh_ms < 100)
		p->s.refresh_ms = 100;
	p->next_due = 0;
	if (p->s.prometheus)
		model_backend(model, "prometheus");
	return p;
}

static void
unlink_req(struct req *rq)
{
	if (rq->prev != NULL)
		rq->prev->next = rq->next;
	else
		rq->p->outstanding = rq->next;
	if (rq->next != NULL)
		rq->next->prev = rq->prev;
}

void
poller_free(struct poller *p)
{
	struct req *rq, *next;

	if (p == NULL)
		return;
	for (rq = p->outstanding; rq != NULL; rq = next) {
		next = rq->next;
		free(rq);
	}
	free(p);
}

static void
finish_round(struct poller *p)
{
	double now = poller_wall_now();

	if (p->round_failed)
		model_backend_fail(p->model, "prometheus", &p->round_err, now);
	else
		model_backend_ok(p->model, "prometheus", p->round_latency_ms, now);
	p->rounds++;
}

static void
apply_instant(struct poller *p, enum prom_metric metric, const struct prom_result *r, double now)
{
	const char **names = xcalloc(r->nseries + 1, sizeof *names);
	double *values = xcalloc(r->nseries + 1, sizeof *values);
	size_t i, n = 0;

	for (i = 0; i < r->nseries; i++) {
		const struct prom_series *s = &r->series[i];
		const char *name =
			display(p, prom_label_get(s->labels, s->nlabels, p->s.service_label));

		if (name == NULL || *name == '\0' || s->nsamples == 0)
			continue;
		names[n] = name;
		values[n] = s->samples[s->nsamples - 1].v;
		n++;
	}
	model_apply_metric(p->model, model_metric(metric), names, values, n, now);
	free(names);
	free(values);
}

static void
apply_range(struct poller *p, enum prom_metric metric, const struct prom_result *r)
{
	size_t i, j;

	for (i = 0; i < r->nseries; i++) {
		const struct prom_series *s = &r->series[i];
		const char *name =
			display(p, prom_label_get(s->labels, s->nlabels, p->s.service_label));
		struct service *svc;

		if (name == NULL || *name == '\0')
			continue;
		svc = model_service(p->model, name, true);
		if (svc == NULL)
			continue;
		for (j = 0; j < s->nsamples; j++)
			model_append_point(p->model, svc, model_metric(metric), s->samples[j].t,
					   s->samples[j].v);
	}
}

static void
on_done(void *ud, const struct http_response *resp)
{
	struct req *rq = ud;
	struct poller *p = rq->p;
	struct prom_result res;
	struct err e;

	err_clear(&e);
	unlink_req(rq);
	if (rq->round_id != p->round_id) {
		free(rq);
		return;
	}
	if (resp->latency_ms > p->round_latency_ms)
		p->round_latency_ms = resp->latency_ms;
	if (resp->err.code != ERR_OK) {
		e = resp->err;
	} else if (prometheus_parse_query(resp->status, resp->body, resp->len, &res, &e) == 0) {
		if (rq->kind == REQ_INSTANT)
			apply_instant(p, rq->metric, &res, poller_wall_now());
		else
			apply_range(p, rq->metric, &res);
		prometheus_result_done(&res);
	} else {
		err_prefix(&e, "%s query", prometheus_metric_name(rq->metric));
	}
	if (e.code != ERR_OK && !p->round_failed) {
		p->round_failed = true;
		p->round_err = e;
	}
	if (--p->inflight == 0)
		finish_round(p);
	free(rq);
}

static void
submit(struct poller *p, enum req_kind kind, enum prom_metric metric, char *path)
{
	struct req *rq = xcalloc(1, sizeof *rq);
	struct err e;

	rq->p = p;
	rq->kind = kind;
	rq->metric = metric;
	rq->round_id = p->round_id;
	if (http_submit(p->http, &p->s.prom_ep, HTTP_GET, path, NULL, true, on_done, rq, &e) < 0) {
		free(rq);
		if (!p->round_failed) {
			p->round_failed = true;
			p->round_err = e;
		}
	} else {
		p->inflight++;
		rq->next = p->outstanding;
		if (rq->next != NULL)
			rq->next->prev = rq;
		p->outstanding = rq;
	}
	free(path);
}

bool
poller_tick(struct poller *p, double mono)
{
	double wall, step, end, start, have;
	size_t i;
	int m;

	if (!p->s.prometheus || p->inflight > 0 || mono < p->next_due)
		return false;
	p->round_id++;
	p->round_started = mono;
	p->next_due = mono + (double)p->s.refresh_ms / 1000.0;
	p->round_failed = false;
	err_clear(&p->round_err);
	p->round_latency_ms = 0;
	wall = poller_wall_now();

	for (m = 0; m < PROM_METRIC_COUNT; m++)
		if (p->s.prom_query[m] != NULL && p->s.prom_query[m][0] != '\0')
			submit(p, REQ_INSTANT, (enum prom_metric)m,
			       prometheus_query_path(p->s.prom_query[m], wall));

	/* Sparklines: only the points not held yet, aligned to the step. */
	step = fmax(1.0, (double)p->s.refresh_ms / 1000.0);
	end = floor(wall / step) * step;
	for (i = 0; i < NSPARK; i++) {
		enum prom_metric sm = spark_metrics[i];

		if (p->s.prom_query[sm] == NULL || p->s.prom_query[sm][0] == '\0')
			continue;
		start = end - (double)(p->s.history - 1) * step;
		have = model_history_end(p->model, model_metric(sm));
		if (have + step > start)
			start = have + step;
		if (start > end)
			continue;
		submit(p, REQ_RANGE, sm,
		       prometheus_range_path(p->s.prom_query[sm], start, end, step));
	}
	if (p->inflight == 0)
		finish_round(p); /* nothing could be submitted: the failure is the round */
	return true;
}

void
poller_refresh_now(struct poller *p)
{
	p->next_due = 0;
}

long
poller_next_due_ms(const struct poller *p, double mono)
{
	double d;

	if (!p->s.prometheus)
		return 60000;
	if (p->inflight > 0)
		return (long)p->s.refresh_ms;
	d = (p->next_due - mono) * 1000.0;
	return d <= 0 ? 0 : (long)ceil(d);
}

unsigned long
poller_rounds(const struct poller *p)
{
	return p->rounds;
}

int
poller_inflight(const struct poller *p)
{
	return p->inflight;
}
