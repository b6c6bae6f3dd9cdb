/*
 * query_poll.c - one ad-hoc PromQL expression asked every refresh.
 *
 * One request at a time: the answer carries the generation it was asked
 * in, and a change (or a close) moves the generation on, so an answer to
 * an expression that is no longer shown is dropped, never drawn.  That
 * keeps a single record (the poller itself) as the callback's argument:
 * with nothing else in flight, no per-request record can be lost when
 * http_free() cancels the request.
 */
#include "query_poll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prometheus_query.h"
#include "xalloc.h"

struct query_poll {
	struct http *http;       /* borrowed */
	struct http_endpoint ep; /* copy; strings borrowed */
	long long refresh_ms;
	char *expr; /* owned; "" none */
	struct query_data d;
	int points;            /* the chart's dots across */
	bool open;             /* the screen is open: ask */
	bool inflight;         /* a request is out */
	unsigned gen;          /* moves on at each change and close */
	unsigned inflight_gen; /* the generation the request in flight was asked in */
	double inflight_t0, inflight_t1, inflight_step;
	double due;   /* monotonic time the next request is due; 0 = now */
	bool changed; /* an answer arrived since the last tick */
	unsigned long requests;
};

struct query_poll *
query_poll_new(struct http *http, const struct http_endpoint *ep, bool configured,
	       long long refresh_ms)
{
	struct query_poll *qp = xcalloc(1, sizeof *qp);

	qp->http = http;
	if (ep != NULL)
		qp->ep = *ep;
	qp->refresh_ms = refresh_ms > 0 ? refresh_ms : 5000;
	qp->expr = xstrdup("");
	qp->d.expr = qp->expr;
	qp->d.configured = configured;
	qp->d.range_s = 3600;
	qp->points = 120;
	return qp;
}

void
query_poll_free(struct query_poll *qp)
{
	if (qp == NULL)
		return;
	prometheus_result_done(&qp->d.result);
	free(qp->expr);
	free(qp);
}

/* Forget the answer: the expression, mode or range changed. */
static void
drop_result(struct query_poll *qp)
{
	prometheus_result_done(&qp->d.result);
	qp->d.have_result = false;
	qp->d.total_series = 0;
	err_clear(&qp->d.err);
	qp->d.loading = qp->expr[0] != '\0';
	qp->gen++;
	qp->due = 0;
}

void
query_poll_set(struct query_poll *qp, const char *expr, enum query_mode mode, double range_s)
{
	char *e = xstrndup(expr != NULL ? expr : "", QUERY_MAX_EXPR), *c;

	for (c = e; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	if (range_s < 1)
		range_s = 1;
	if (strcmp(e, qp->expr) == 0 && mode == qp->d.mode &&
	    (mode == QUERY_INSTANT || range_s == qp->d.range_s)) {
		qp->d.range_s = range_s;
		free(e);
		return;
	}
	free(qp->expr);
	qp->expr = e;
	qp->d.expr = e;
	qp->d.mode = mode;
	qp->d.range_s = range_s;
	drop_result(qp);
}

void
query_poll_set_points(struct query_poll *qp, int points)
{
	qp->points = points >= 10 ? points : 10;
}

void
query_poll_open(struct query_poll *qp)
{
	qp->open = true;
	qp->due = 0;
	qp->d.loading = qp->expr[0] != '\0' && !qp->d.have_result && qp->d.err.code == ERR_OK;
}

void
query_poll_close(struct query_poll *qp)
{
	qp->open = false;
	qp->gen++; /* an answer in flight is dropped */
	qp->d.loading = false;
}

bool
query_poll_is_open(const struct query_poll *qp)
{
	return qp->open;
}

void
query_poll_refresh_now(struct query_poll *qp)
{
	qp->due = 0;
}

double
query_poll_step(double range_s, int points)
{
	/* Steps that divide minutes and hours, so refreshes line up. */
	static const double nice[] = { 1,   2,   5,   10,   15,   20,   30,   60,    120,
				       300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600 };
	double raw = range_s / (points > 0 ? points : 1);
	size_t i;

	for (i = 0; i < sizeof nice / sizeof nice[0]; i++)
		if (nice[i] >= raw)
			return nice[i];
	return ceil(raw / 3600.0) * 3600.0;
}

static void
on_done(void *ud, const struct http_response *r)
{
	struct query_poll *qp = ud;
	struct query_data *d = &qp->d;
	struct prom_result res;
	struct err e;

	qp->inflight = false;
	if (qp->inflight_gen != qp->gen)
		return; /* the expression changed or the screen closed meanwhile */
	qp->changed = true;
	d->loading = false;
	d->latency_ms = r->latency_ms;
	if (r->err.code != ERR_OK) {
		d->err = r->err; /* the transfer failed: keep the last result */
		return;
	}
	err_clear(&e);
	if (prometheus_parse_query(r->status, r->body, r->len, &res, &e) < 0) {
		d->err = e;
		if (e.code == ERR_BACKEND) {
			/* The server refused the expression: the old answer is not its answer. */
			prometheus_result_done(&d->result);
			d->have_result = false;
			d->total_series = 0;
		}
		return;
	}
	err_clear(&d->err);
	prometheus_result_sort(&res);
	d->total_series = prometheus_result_cap(&res, QUERY_MAX_SERIES, QUERY_MAX_POINTS);
	prometheus_result_done(&d->result);
	d->result = res;
	d->have_result = true;
	d->t0 = qp->inflight_t0;
	d->t1 = qp->inflight_t1;
	d->step_s = qp->inflight_step;
}

static void
submit(struct query_poll *qp, double wall)
{
	struct err e;
	char *path;

	if (qp->d.mode == QUERY_RANGE) {
		qp->inflight_step = query_poll_step(qp->d.range_s, qp->points);
		qp->inflight_t1 = floor(wall);
		qp->inflight_t0 = qp->inflight_t1 - qp->d.range_s;
		path = prometheus_range_path(qp->expr, qp->inflight_t0, qp->inflight_t1,
					     qp->inflight_step);
	} else {
		qp->inflight_step = 0;
		qp->inflight_t0 = qp->inflight_t1 = floor(wall * 1000.0) / 1000.0;
		path = prometheus_query_path(qp->expr, qp->inflight_t1);
	}
	err_clear(&e);
	qp->requests++;
	if (http_submit(qp->http, &qp->ep, HTTP_GET, path, NULL, true, on_done, qp, &e) < 0) {
		qp->d.err = e;
		qp->d.loading = false;
		qp->changed = true;
	} else {
		qp->inflight = true;
		qp->inflight_gen = qp->gen;
	}
	free(path);
}

bool
query_poll_tick(struct query_poll *qp, double mono, double wall)
{
	bool changed = qp->changed;

	qp->changed = false;
	if (!qp->open || qp->inflight || !qp->d.configured || qp->expr[0] == '\0')
		return changed;
	if (qp->due > mono)
		return changed;
	qp->due = mono + (double)qp->refresh_ms / 1000.0;
	submit(qp, wall);
	return changed || qp->changed;
}

long
query_poll_next_due_ms(const struct query_poll *qp, double mono)
{
	double ms;

	if (!qp->open || qp->inflight || !qp->d.configured || qp->expr[0] == '\0')
		return 3600L * 1000;
	if (qp->due <= mono)
		return 0;
	ms = ceil((qp->due - mono) * 1000.0);
	return ms > 3600.0 * 1000 ? 3600L * 1000 : (long)ms;
}

const struct query_data *
query_poll_data(const struct query_poll *qp)
{
	return &qp->d;
}

unsigned long
query_poll_requests(const struct query_poll *qp)
{
	return qp->requests;
}
