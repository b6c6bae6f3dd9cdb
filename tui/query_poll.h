/*
 * query_poll.h - the Query screen's requests: one ad-hoc PromQL
 * expression, asked as an instant query (/api/v1/query at now) or a range
 * query (/api/v1/query_range over the last range_s with a step that gives
 * about as many points as the chart has dots across), again every refresh
 * while the screen is open and never when it is closed.
 *
 * At most one request is in flight: a change of the expression, mode or
 * range while one runs makes its answer void (it is dropped when it
 * arrives) and the new request goes out as soon as it has.  Each answer
 * is sorted (highest value first) and bounded (QUERY_MAX_SERIES series,
 * QUERY_MAX_POINTS points each); the body is bounded by [prometheus]
 * max_body as every Prometheus request.
 *
 * Call order: query_poll_new(); query_poll_set() and query_poll_open()
 * when the screen opens; in the loop query_poll_tick() and
 * query_poll_next_due_ms(); query_poll_close() when it closes.  Answers
 * arrive through http_perform().  query_poll_free() before http_free():
 * a request still in flight is then cancelled by http_free without its
 * callback.
 */
#ifndef OPSDECK_TUI_QUERY_POLL_H
#define OPSDECK_TUI_QUERY_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "prometheus.h"

#define QUERY_MAX_SERIES 1000 /* series kept of an answer (the highest first) */
#define QUERY_MAX_POINTS 4000 /* points kept of each range series (the newest) */
#define QUERY_MAX_EXPR 4096   /* bytes of an expression */

enum query_mode {
	QUERY_INSTANT, /* the value now: a table */
	QUERY_RANGE,   /* over the range: a chart */
};

/* What the screen draws.  Borrowed from the poller until its next call. */
struct query_data {
	const char *expr;          /* the expression; "" when none yet */
	enum query_mode mode;      /* what was asked */
	double range_s;            /* range mode: the window, seconds */
	bool configured;           /* a Prometheus URL is configured */
	bool loading;              /* asked, no answer for this expression and mode yet */
	bool have_result;          /* result answers this expression and mode */
	struct prom_result result; /* sorted and capped; empty unless have_result */
	size_t total_series;       /* series in that answer before the cap */
	double t0, t1;             /* the answer's range [t0, t1]; instant: t0 = t1 = the time */
	double step_s;             /* range: its step */
	long latency_ms;           /* of the last answer */
	/*
	 * The last answer's error (ERR_OK when it worked): the server's
	 * message verbatim for a bad expression, or what failed on the way.
	 * A failed refresh keeps the previous result (have_result).
	 */
	struct err err;
};

struct query_poll; /* opaque */

/*
 * new.  http is borrowed for the poller's lifetime; ep is copied (its
 * strings are borrowed: keep them alive); configured false when no
 * Prometheus URL is set (nothing is ever asked).  refresh_ms: how often
 * an open screen asks again.
 */
struct query_poll *query_poll_new(struct http *http, const struct http_endpoint *ep,
				  bool configured, long long refresh_ms);
void query_poll_free(struct query_poll *qp); /* NULL-safe */

/*
 * The expression (copied; newlines become spaces, cut at QUERY_MAX_EXPR),
 * mode and range.  A change drops the result and makes a request due now;
 * the same three again change nothing.
 */
void query_poll_set(struct query_poll *qp, const char *expr, enum query_mode mode, double range_s);
/* The chart's width in points (dots across): the range step is range / points. */
void query_poll_set_points(struct query_poll *qp, int points);

/* Start asking (due now), or stop: no request goes out, an answer in flight is dropped. */
void query_poll_open(struct query_poll *qp);
void query_poll_close(struct query_poll *qp);
bool query_poll_is_open(const struct query_poll *qp);
/* Ask again now (r). */
void query_poll_refresh_now(struct query_poll *qp);

/*
 * Submit the request when one is due (open, nothing in flight, an
 * expression set).  wall is the clock the query is evaluated at.
 * Returns true when an answer arrived since the last call (redraw).
 */
bool query_poll_tick(struct query_poll *qp, double mono, double wall);
/* Milliseconds until a request is due; a large number when none will be. */
long query_poll_next_due_ms(const struct query_poll *qp, double mono);

/* borrowed until the next call on qp. */
const struct query_data *query_poll_data(const struct query_poll *qp);
/* Requests submitted since new (for tests). */
unsigned long query_poll_requests(const struct query_poll *qp);

/* The step for range_s at about points points: whole seconds, at least 1. */
double query_poll_step(double range_s, int points);

#endif
