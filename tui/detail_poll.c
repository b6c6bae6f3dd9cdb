#include "detail_poll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "detail_poll_internal.h"
#include "ecs_endpoint.h"
#include "k8s_endpoint.h"
#include "poller.h"
#include "prometheus.h"
#include "xalloc.h"

#define CHART_POINTS 300     /* samples per chart and range */
#define MIN_STEP 5.0         /* seconds */
#define CREDENTIALS_WAIT 0.1 /* seconds between asks while Kubernetes or AWS credentials are made */

static const double ranges[DETAIL_NRANGES] = { DETAIL_RANGES };

char *
detail_poll_dupe(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

void
detail_poll_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = detail_poll_dupe(s);
}

static double
step_of(double range_s)
{
	return fmax(MIN_STEP, ceil(range_s / CHART_POINTS));
}

void
detail_poll_settings_from(struct detail_poll_settings *s, const struct setup *setup,
			  const struct service *svc)
{
	memset(s, 0, sizeof *s);
	s->service = svc->name;
	s->prometheus = setup->poll.prometheus;
	s->prom_ep = setup->poll.prom_ep;
	s->query[DETAIL_RPS] = setup->poll.prom_query[PROM_RPS];
	s->query[DETAIL_ERRORS] = setup->poll.prom_query[PROM_ERRORS];
	s->query[DETAIL_P99] = setup->poll.prom_query[PROM_P99];
	s->label = setup->poll.service_label;
	s->label_value =
		setup->cfg != NULL
			? config_service_external_name(setup->cfg, CFG_ALIAS_PROMETHEUS, svc->name)
			: svc->name;
	s->docker = setup->docker && svc->rt.present;
	s->docker_ep = setup->docker_poll.ep;
	s->kind = svc->rt.kind;
	if (svc->rt.present && svc->rt.kind != NULL && strcmp(svc->rt.kind, "k8s") == 0) {
		s->k8s = k8s_endpoint_of(setup, svc->rt.context);
		s->docker = s->k8s != NULL;
	}
	if (svc->rt.present && svc->rt.kind != NULL && strcmp(svc->rt.kind, "ecs") == 0) {
		s->ecs = ecs_endpoint_of(setup, svc->rt.context);
		s->docker = s->ecs != NULL;
	}
	s->runtime_name = svc->rt.runtime_name;
	s->runtime_id = svc->rt.id;
	s->context = svc->rt.context;
	s->refresh_ms = setup->poll.refresh_ms;
	s->range = DETAIL_DEFAULT_RANGE;
}

struct detail_poll *
detail_poll_new(struct http *http)
{
	struct detail_poll *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->stats = detail_stats_new();
	detail_data_init(&p->d, ranges[DETAIL_DEFAULT_RANGE],
			 step_of(ranges[DETAIL_DEFAULT_RANGE]));
	return p;
}

static void
drop_pending_series(struct detail_poll *p)
{
	int k;

	for (k = 0; k < DETAIL_NCHARTS; k++)
		detail_data_series_done(&p->pending[k]);
}

static void
free_settings(struct detail_poll *p)
{
	int k;

	free(p->service);
	free(p->label_value);
	free(p->kind);
	free(p->runtime_name);
	free(p->runtime_id);
	free(p->context);
	for (k = 0; k < DETAIL_NCHARTS; k++)
		free(p->query[k]);
	p->service = p->label_value = p->kind = p->runtime_name = p->runtime_id = p->context = NULL;
	memset(p->query, 0, sizeof p->query);
}

void
detail_poll_close(struct detail_poll *p)
{
	int k;

	if (p == NULL)
		return;
	p->open = false;
	for (k = 0; k < R_COUNT; k++) {
		unsigned long id = p->r[k].id + 1;

		memset(&p->r[k], 0, sizeof p->r[k]);
		p->r[k].id = id; /* answers of earlier rounds are ignored */
	}
	detail_poll_docker_drop(p);
	detail_poll_k8s_close(p);
	detail_poll_ecs_close(p);
	drop_pending_series(p);
	detail_data_done(&p->d);
	detail_data_init(&p->d, ranges[DETAIL_DEFAULT_RANGE],
			 step_of(ranges[DETAIL_DEFAULT_RANGE]));
	detail_stats_clear(p->stats);
	free_settings(p);
	p->vis_from = p->vis_to = 0;
}

void
detail_poll_free(struct detail_poll *p)
{
	struct dp_req *rq, *next;

	if (p == NULL)
		return;
	detail_poll_close(p);
	for (rq = p->outstanding; rq != NULL; rq = next) {
		next = rq->next;
		free(rq);
	}
	detail_data_done(&p->d);
	detail_stats_free(p->stats);
	free(p);
}

void
detail_poll_open(struct detail_poll *p, const struct detail_poll_settings *s)
{
	int k;

	detail_poll_close(p);
	p->s = *s;
	p->service = detail_poll_dupe(s->service);
	p->label_value = detail_poll_dupe(s->label_value ? s->label_value : s->service);
	p->kind = detail_poll_dupe(s->kind);
	p->runtime_name = detail_poll_dupe(s->runtime_name ? s->runtime_name : s->service);
	p->runtime_id = detail_poll_dupe(s->runtime_id);
	p->context = detail_poll_dupe(s->context);
	for (k = 0; k < DETAIL_NCHARTS; k++)
		p->query[k] =
			s->query[k] != NULL && s->query[k][0] != '\0'
				? detail_poll_wrap_query(s->query[k], s->label, p->label_value)
				: NULL;
	if (p->s.refresh_ms < 100)
		p->s.refresh_ms = 100;
	p->range = s->range >= 0 && s->range < DETAIL_NRANGES ? s->range : DETAIL_DEFAULT_RANGE;
	detail_data_done(&p->d);
	detail_data_init(&p->d, ranges[p->range], step_of(ranges[p->range]));
	detail_poll_k8s_open(p);
	detail_poll_ecs_open(p);
	p->open = true;
}

bool
detail_poll_is_open(const struct detail_poll *p)
{
	return p != NULL && p->open;
}

const struct detail_data *
detail_poll_data(const struct detail_poll *p)
{
	return &p->d;
}

const char *
detail_poll_service(const struct detail_poll *p)
{
	return p->open ? p->service : "";
}

/*
 * Why wrap rather than filter the answer: the configured templates are
 * "sum by (label) (...)" over every service, so a range query of the bare
 * template returns every service's series - at a large fleet and 300
 * points each, megabytes per refresh for one chart.  Injecting a matcher
 * into the template's selectors would mean parsing user PromQL.  Instead
 * the whole expression is intersected with a one-series vector that
 * carries only label="value":
 *     (TEMPLATE) and on(label) label_replace(vector(1), "label", "value", "", "")
 * label_replace with an empty source label and an empty regex always
 * matches, so the right side is {label="value"} 1; "and on(label)" keeps
 * the left side's series with that label value, whatever else they carry.
 * Plain PromQL, so Thanos, Mimir and VictoriaMetrics run it too.  The
 * answer is still filtered by the label on our side (cheap), in case a
 * server ignores the matching.  In the replacement string "$" expands
 * groups, so it is doubled; '"' and '\' are escaped for the string.
 */
char *
detail_poll_wrap_query(const char *q, const char *label, const char *value)
{
	struct buf b;
	const char *c;
	char *out;

	buf_init(&b);
	buf_printf(&b, "(%s) and on(%s) label_replace(vector(1), \"%s\", \"", q, label, label);
	for (c = value; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			buf_putc(&b, '\\');
		if (*c == '$')
			buf_putc(&b, '$');
		buf_putc(&b, *c);
	}
	buf_puts(&b, "\", \"\", \"\")");
	out = buf_steal(&b);
	buf_done(&b);
	return out;
}

/* ---- requests ------------------------------------------------------------ */

static void
unlink_req(struct detail_poll *p, struct dp_req *rq)
{
	if (rq->prev != NULL)
		rq->prev->next = rq->next;
	else
		p->outstanding = rq->next;
	if (rq->next != NULL)
		rq->next->prev = rq->prev;
}

static void on_done(void *ud, const struct http_response *resp);

void
detail_poll_fail_round(struct dp_round_state *r, const struct err *e)
{
	if (!r->failed) {
		r->failed = true;
		r->err = *e;
	}
}

struct dp_req *
detail_poll_submit(struct detail_poll *p, enum dp_round round, enum dp_kind kind, char *path)
{
	const struct http_endpoint *ep = kind == K_METRIC ? &p->s.prom_ep
					 : kind == K_K8S  ? p->k8s_http
							  : &p->s.docker_ep;
	struct dp_req *rq = detail_poll_submit_to(p, round, kind, ep, HTTP_GET, path, NULL);

	free(path);
	return rq;
}

struct dp_req *
detail_poll_submit_to(struct detail_poll *p, enum dp_round round, enum dp_kind kind,
		      const struct http_endpoint *ep, enum http_method method, const char *path,
		      const char *body)
{
	struct dp_req *rq = xcalloc(1, sizeof *rq);
	struct err e;

	rq->p = p;
	rq->round = round;
	rq->kind = kind;
	rq->round_id = p->r[round].id;
	if (http_submit(p->http, ep, method, path, body, true, on_done, rq, &e) < 0) {
		detail_poll_fail_round(&p->r[round], &e);
		free(rq);
		rq = NULL;
	} else {
		p->r[round].inflight++;
		rq->next = p->outstanding;
		if (rq->next != NULL)
			rq->next->prev = rq;
		p->outstanding = rq;
	}
	return rq;
}

static void
start_metrics(struct detail_poll *p, double wall)
{
	struct detail_data *d = &p->d;
	double end, start;
	int k;

	drop_pending_series(p);
	d->range_s = ranges[p->range];
	d->step_s = step_of(d->range_s);
	end = floor(wall / d->step_s) * d->step_s;
	start = end - d->range_s;
	for (k = 0; k < DETAIL_NCHARTS; k++) {
		struct dp_req *rq;

		if (p->query[k] == NULL)
			continue;
		rq = detail_poll_submit(p, R_METRICS, K_METRIC,
					prometheus_range_path(p->query[k], start, end, d->step_s));
		if (rq != NULL)
			rq->chart = k;
	}
	d->t0 = start;
	d->t1 = end;
}

/* ---- answers ------------------------------------------------------------- */

static void
finish_metrics(struct detail_poll *p)
{
	int k;

	p->r[R_METRICS].done++;
	if (p->r[R_METRICS].failed) {
		p->d.metrics_err = p->r[R_METRICS].err;
		drop_pending_series(p);
		return;
	}
	err_clear(&p->d.metrics_err);
	for (k = 0; k < DETAIL_NCHARTS; k++) {
		detail_data_series_done(&p->d.series[k]);
		p->d.series[k] = p->pending[k];
		memset(&p->pending[k], 0, sizeof p->pending[k]);
	}
	p->d.have_metrics = true;
}

static void
apply_metric(struct detail_poll *p, int chart, const struct prom_result *r)
{
	size_t i, j;

	for (i = 0; i < r->nseries; i++) {
		const struct prom_series *s = &r->series[i];
		const char *v = prom_label_get(s->labels, s->nlabels, p->s.label);
		struct detail_series *out = &p->pending[chart];

		if (v == NULL || strcmp(v, p->label_value) != 0 || out->n > 0)
			continue;
		out->t = xcalloc(s->nsamples + 1, sizeof *out->t);
		out->v = xcalloc(s->nsamples + 1, sizeof *out->v);
		for (j = 0; j < s->nsamples; j++) {
			out->t[j] = s->samples[j].t;
			out->v[j] = s->samples[j].v;
		}
		out->n = s->nsamples;
	}
}

/* The runtime round is complete. */
static void
finish_runtime(struct detail_poll *p, double now)
{
	if (detail_poll_is_k8s(p)) {
		if (detail_poll_k8s_finish_runtime(p))
			p->r[R_RUNTIME].done++;
		return;
	}
	if (detail_poll_is_ecs(p)) {
		if (detail_poll_ecs_finish_runtime(p, poller_mono_now()))
			p->r[R_RUNTIME].done++;
		return;
	}
	p->r[R_RUNTIME].done++;
	detail_poll_docker_finish_runtime(p, now);
}

static void
on_done(void *ud, const struct http_response *resp)
{
	struct dp_req *rq = ud;
	struct detail_poll *p = rq->p;
	struct dp_round_state *r = &p->r[rq->round];
	struct err e;
	int rc = 0;

	unlink_req(p, rq);
	if (rq->round_id != r->id || !p->open) {
		free(rq);
		return;
	}
	err_clear(&e);
	if (rq->kind == K_K8S) {
		rc = detail_poll_k8s_answer(p, rq, resp, &e); /* transport errors too */
	} else if (rq->kind == K_ECS) {
		rc = detail_poll_ecs_answer(p, rq, resp, &e); /* transport errors too */
	} else if (resp->err.code != ERR_OK) {
		e = resp->err;
		rc = -1;
	} else if (rq->kind == K_METRIC) {
		struct prom_result res;

		rc = prometheus_parse_query(resp->status, resp->body, resp->len, &res, &e);
		if (rc == 0) {
			apply_metric(p, rq->chart, &res);
			prometheus_result_done(&res);
		}
	} else {
		rc = detail_poll_docker_answer(p, rq, resp, &e);
	}
	if (rc < 0)
		detail_poll_fail_round(r, &e);
	if (--r->inflight == 0) {
		if (rq->round == R_RUNTIME) {
			finish_runtime(p, poller_wall_now());
		} else if (rq->round == R_STATS) {
			p->r[R_STATS].done++;
			detail_poll_docker_finish_stats(p, poller_mono_now());
		} else {
			finish_metrics(p);
		}
	}
	free(rq);
}

/* ---- scheduling ---------------------------------------------------------- */

static bool
begin(struct detail_poll *p, enum dp_round k, double mono, double interval)
{
	struct dp_round_state *r = &p->r[k];

	if (r->inflight > 0 || mono < r->next_due)
		return false;
	r->id++;
	r->next_due = mono + interval;
	r->failed = false;
	err_clear(&r->err);
	return true;
}

bool
detail_poll_tick(struct detail_poll *p, double mono)
{
	double refresh = (double)p->s.refresh_ms / 1000.0;
	bool any = false;

	if (!p->open)
		return false;
	if (p->s.docker && begin(p, R_RUNTIME, mono, refresh)) {
		bool started = true;

		if (detail_poll_is_k8s(p))
			started = detail_poll_k8s_start_runtime(p, poller_wall_now());
		else if (detail_poll_is_ecs(p))
			started = detail_poll_ecs_start_runtime(p, poller_wall_now());
		else
			detail_poll_docker_start_runtime(p);
		if (!started)
			p->r[R_RUNTIME].next_due = mono + CREDENTIALS_WAIT; /* ask again shortly */
		else if (p->r[R_RUNTIME].inflight == 0)
			finish_runtime(p, poller_wall_now());
		any = started;
	}
	if (p->s.docker && !detail_poll_is_k8s(p) && !detail_poll_is_ecs(p) && p->d.have_runtime &&
	    p->vis_to > p->vis_from && begin(p, R_STATS, mono, refresh)) {
		detail_poll_docker_start_stats(p);
		if (p->r[R_STATS].inflight == 0)
			p->r[R_STATS].done++;
		any = true;
	}
	if (p->s.prometheus && begin(p, R_METRICS, mono, fmax(refresh, p->d.step_s))) {
		start_metrics(p, poller_wall_now());
		if (p->r[R_METRICS].inflight == 0)
			finish_metrics(p);
		any = true;
	}
	return any;
}

void
detail_poll_refresh_now(struct detail_poll *p)
{
	int k;

	for (k = 0; k < R_COUNT; k++)
		p->r[k].next_due = 0;
}

long
detail_poll_next_due_ms(const struct detail_poll *p, double mono)
{
	double best = 60.0;
	int k;

	if (!p->open)
		return 60000;
	for (k = 0; k < R_COUNT; k++) {
		double d;

		if (p->r[k].inflight > 0)
			continue;
		if (k != R_METRICS && !p->s.docker)
			continue;
		if (k == R_METRICS && !p->s.prometheus)
			continue;
		if (k == R_STATS && (!p->d.have_runtime || p->vis_to <= p->vis_from ||
				     detail_poll_is_k8s(p) || detail_poll_is_ecs(p)))
			continue;
		d = p->r[k].next_due - mono;
		if (d < best)
			best = d;
	}
	return best <= 0 ? 0 : (long)ceil(best * 1000.0);
}

void
detail_poll_set_visible(struct detail_poll *p, size_t from, size_t to)
{
	if (from == p->vis_from && to == p->vis_to)
		return;
	p->vis_from = from;
	p->vis_to = to;
	p->r[R_STATS].next_due = 0;
}

bool
detail_poll_step_range(struct detail_poll *p, int dir)
{
	int next = p->range + (dir > 0 ? 1 : -1);

	if (next < 0 || next >= DETAIL_NRANGES)
		return false;
	p->range = next;
	p->d.range_s = ranges[next];
	p->d.step_s = step_of(p->d.range_s);
	/* A new range: the answers of the old one are dropped, a query goes now. */
	p->r[R_METRICS].id++;
	p->r[R_METRICS].inflight = 0;
	p->r[R_METRICS].next_due = 0;
	p->d.have_metrics = false;
	drop_pending_series(p);
	return true;
}

void
detail_poll_rounds(const struct detail_poll *p, unsigned long *runtime, unsigned long *stats,
		   unsigned long *metrics)
{
	*runtime = p->r[R_RUNTIME].done;
	*stats = p->r[R_STATS].done;
	*metrics = p->r[R_METRICS].done;
}

int
detail_poll_inflight(const struct detail_poll *p)
{
	return p->r[R_RUNTIME].inflight + p->r[R_STATS].inflight + p->r[R_METRICS].inflight;
}
