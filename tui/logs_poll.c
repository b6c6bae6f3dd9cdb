#include "logs_poll.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "poller.h"
#include "xalloc.h"

#define ERRORS_WINDOW 60.0   /* seconds: errors per minute */
#define ERRORS_SERVICES 1000 /* services in the terms aggregation at most */
#define BACKOFF_MIN 2.0      /* seconds after a 429 without Retry-After */
#define BACKOFF_MAX 60.0
#define DEFAULT_BUCKETS 60

enum lp_kind { K_HIST, K_FIRST, K_OLDER, K_TAIL, K_ERRORS, K_COUNT };

struct lp_req {
	struct lp_req *prev, *next;
	struct logs_poll *p;
	enum lp_kind kind;
	unsigned long gen; /* the query generation (K_ERRORS: its own round) */
	unsigned long seq; /* the request of its kind */
};

struct logs_poll {
	struct http *http;
	struct model *model;
	struct logs_settings s;
	bool open;
	char *query;
	struct logs_range range;
	unsigned long gen;
	unsigned long seq[K_COUNT];
	bool inflight[K_COUNT];
	unsigned long done[K_COUNT];
	bool need_hist, need_first, want_older;
	double hist_due, tail_due, errors_due; /* monotonic */
	double backoff;                        /* seconds of the last 429 back-off */
	int width;
	struct logbuf *buf;
	long long *counts, *errors;
	size_t added, dropped;
	struct logs_data d;
	struct lp_req *outstanding;
};

static double
refresh_s(const struct logs_poll *p)
{
	double r = (double)p->s.refresh_ms / 1000.0;

	return r < 0.1 ? 0.1 : r;
}

static void
drop_hist(struct logs_poll *p)
{
	free(p->counts);
	free(p->errors);
	p->counts = p->errors = NULL;
	p->d.counts = p->d.errors = NULL;
	p->d.nbuckets = 0;
	p->d.have_hist = false;
}

/* Forget the lines and the histogram; answers in flight become stale. */
static void
reset(struct logs_poll *p)
{
	int k;

	p->gen++;
	for (k = 0; k < K_COUNT; k++)
		if (k != K_ERRORS)
			p->inflight[k] = false;
	logbuf_clear(p->buf);
	drop_hist(p);
	p->d.total = -1;
	p->d.total_lower_bound = false;
	p->d.have_hits = false;
	p->d.loading_older = false;
	p->d.at_end = false;
	err_clear(&p->d.err);
	p->need_hist = p->need_first = p->open;
	p->want_older = false;
	p->added = p->dropped = 0;
	p->tail_due = 0;
}

struct logs_poll *
logs_poll_new(struct http *http, struct model *model, const struct logs_settings *s)
{
	struct logs_poll *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->model = model;
	p->s = *s;
	p->buf = logbuf_new(s->max_lines > 0 ? s->max_lines : 10000,
			    s->max_bytes > 0 ? s->max_bytes : 16u << 20);
	p->query = xstrdup("");
	p->d.lines = p->buf;
	p->d.query = p->query;
	p->d.utc = s->utc;
	p->d.total = -1;
	p->range.since_s = s->default_range_s > 0 ? s->default_range_s : 900;
	p->d.range = p->range;
	p->width = DEFAULT_BUCKETS;
	if (s->enabled && model != NULL)
		model_backend(model, "elasticsearch");
	return p;
}

void
logs_poll_free(struct logs_poll *p)
{
	struct lp_req *rq, *next;

	if (p == NULL)
		return;
	for (rq = p->outstanding; rq != NULL; rq = next) {
		next = rq->next;
		free(rq);
	}
	drop_hist(p);
	logbuf_free(p->buf);
	free(p->query);
	free(p);
}

void
logs_poll_open(struct logs_poll *p, const char *query, const struct logs_range *range)
{
	free(p->query);
	p->query = xstrdup(query != NULL ? query : "");
	p->d.query = p->query;
	if (range != NULL)
		p->range = *range;
	p->d.range = p->range;
	p->open = true;
	if (p->range.since_s <= 0)
		p->d.tail = false; /* an absolute range does not move */
	reset(p);
}

void
logs_poll_close(struct logs_poll *p)
{
	p->open = false;
	p->d.tail = false;
	reset(p);
}

bool
logs_poll_is_open(const struct logs_poll *p)
{
	return p != NULL && p->open;
}

void
logs_poll_reload(struct logs_poll *p)
{
	if (p->open)
		reset(p);
}

const struct logs_data *
logs_poll_data(const struct logs_poll *p)
{
	return &p->d;
}

void
logs_poll_set_width(struct logs_poll *p, int columns)
{
	if (columns < 1 || columns == p->width)
		return;
	p->width = columns;
	p->need_hist = p->open;
}

bool
logs_poll_set_tail(struct logs_poll *p, bool on)
{
	if (on && p->range.since_s <= 0)
		return false;
	p->d.tail = on;
	p->tail_due = 0;
	return true;
}

void
logs_poll_want_older(struct logs_poll *p)
{
	p->want_older = true;
}

void
logs_poll_take_moves(struct logs_poll *p, size_t *added, size_t *dropped)
{
	*added = p->added;
	*dropped = p->dropped;
	p->added = p->dropped = 0;
}

/* ---- requests ------------------------------------------------------------ */

static void
unlink_req(struct logs_poll *p, struct lp_req *rq)
{
	if (rq->prev != NULL)
		rq->prev->next = rq->next;
	else
		p->outstanding = rq->next;
	if (rq->next != NULL)
		rq->next->prev = rq->prev;
}

static void on_done(void *ud, const struct http_response *resp);

static void
screen_fail(struct logs_poll *p, const struct err *e)
{
	p->d.err = *e;
}

/* Submit path and body (both owned, freed here) as kind.  Returns 0 or -1 (e filled). */
static int
submit(struct logs_poll *p, enum lp_kind kind, char *path, char *body, struct err *e)
{
	struct lp_req *rq = xcalloc(1, sizeof *rq);
	int rc;

	rq->p = p;
	rq->kind = kind;
	rq->gen = p->gen;
	rq->seq = ++p->seq[kind];
	rc = http_submit(p->http, &p->s.ep, HTTP_POST, path, body, true, on_done, rq, e);
	if (rc < 0) {
		free(rq);
	} else {
		p->inflight[kind] = true;
		rq->next = p->outstanding;
		if (rq->next != NULL)
			rq->next->prev = rq;
		p->outstanding = rq;
	}
	free(path);
	free(body);
	return rc;
}

static void
bounds(const struct logs_poll *p, double *from, double *to)
{
	logs_range_bounds(&p->range, poller_wall_now(), from, to);
	if (p->range.since_s > 0)
		*to = 0; /* open-ended: lines a skewed clock stamped ahead still show */
}

static void
start_search(struct logs_poll *p, enum lp_kind kind)
{
	struct es_search q;
	char *path = NULL, *body = NULL;
	struct err e;

	memset(&q, 0, sizeof q);
	q.query = p->query;
	bounds(p, &q.from, &q.to);
	q.size = p->s.page > 0 ? p->s.page : 200;
	q.track_total = kind == K_FIRST;
	if (kind == K_OLDER)
		q.after = logbuf_oldest(p->buf);
	else if (kind == K_TAIL)
		q.newer = logbuf_newest(p->buf);
	if (elasticsearch_search_request(p->s.index, &p->s.fields, &q, &path, &body, &e) < 0 ||
	    submit(p, kind, path, body, &e) < 0)
		screen_fail(p, &e);
	else if (kind == K_OLDER)
		p->d.loading_older = true;
}

static void
start_hist(struct logs_poll *p)
{
	double from, to;
	char *path = NULL, *body = NULL;
	struct err e;

	logs_range_bounds(&p->range, poller_wall_now(), &from, &to);
	if (elasticsearch_histogram_request(p->s.index, &p->s.fields, p->query, from, to,
					    (size_t)p->width, &path, &body, &e) < 0 ||
	    submit(p, K_HIST, path, body, &e) < 0) {
		screen_fail(p, &e);
		return;
	}
	p->d.hist_t0 = from;
	p->d.hist_t1 = to;
}

static void
start_errors(struct logs_poll *p)
{
	char *path = NULL, *body = NULL;
	struct err e;

	if (elasticsearch_errors_request(p->s.index, &p->s.fields, ERRORS_WINDOW, ERRORS_SERVICES,
					 &path, &body, &e) < 0 ||
	    submit(p, K_ERRORS, path, body, &e) < 0)
		model_backend_fail(p->model, "elasticsearch", &e, poller_wall_now());
}

/* ---- answers ------------------------------------------------------------- */

/* Seconds a 429 asks to wait: a number after "retry" in the message, else doubling. */
static double
backoff_of(struct logs_poll *p, const char *msg)
{
	const char *c = strstr(msg, "etry");
	double s = 0;

	while (c != NULL && *c != '\0' && !isdigit((unsigned char)*c))
		c++;
	if (c != NULL && *c != '\0')
		s = strtod(c, NULL);
	if (!(s > 0)) {
		s = p->backoff > 0 ? p->backoff * 2 : BACKOFF_MIN;
		if (s > BACKOFF_MAX)
			s = BACKOFF_MAX;
	}
	p->backoff = s;
	return s;
}

static void
apply_hits(struct logs_poll *p, enum lp_kind kind, struct es_hits *h)
{
	size_t page = p->s.page > 0 ? p->s.page : 200, n = h->n, before = logbuf_len(p->buf);

	if (kind == K_FIRST) {
		p->d.total = h->total;
		p->d.total_lower_bound = h->total_is_lower_bound;
		p->d.have_hits = true;
		p->d.at_end = n < page;
		/* The first lines: nothing was on screen to hold still. */
		logbuf_add_newer(p->buf, h);
	} else if (kind == K_OLDER) {
		size_t added = logbuf_add_older(p->buf, h);

		/* Bounds exceeded: the newest lines went to make room. */
		if (before + added > logbuf_len(p->buf))
			p->dropped += before + added - logbuf_len(p->buf);
		p->d.at_end = n < page;
		p->d.loading_older = false;
	} else {
		p->added += logbuf_add_newer(p->buf, h);
		if (n >= page)
			p->tail_due = 0; /* a burst: read on at once */
	}
}

static void
apply_errors(struct logs_poll *p, struct es_service_count *c, size_t n)
{
	const char **names = xcalloc(n + 1, sizeof *names);
	double *counts = xcalloc(n + 1, sizeof *counts);
	size_t i;

	for (i = 0; i < n; i++) {
		names[i] = c[i].service;
		if (p->s.display_name != NULL && p->s.display_name(p->s.ud, c[i].service) != NULL)
			names[i] = p->s.display_name(p->s.ud, c[i].service); /* [service] aliases */
		counts[i] = (double)c[i].count * 60.0 / ERRORS_WINDOW;
	}
	model_apply_log_errors(p->model, names, counts, n, poller_wall_now());
	free(names);
	free(counts);
}

static int
parse(struct logs_poll *p, struct lp_req *rq, const struct http_response *resp, struct err *e)
{
	int rc = 0;

	switch (rq->kind) {
	case K_HIST: {
		struct es_histogram h;
		size_t i;

		rc = elasticsearch_parse_histogram(resp->status, resp->body, resp->len, &h, e);
		if (rc < 0)
			break;
		drop_hist(p);
		p->counts = xcalloc(h.n + 1, sizeof *p->counts);
		p->errors = xcalloc(h.n + 1, sizeof *p->errors);
		for (i = 0; i < h.n; i++) {
			p->counts[i] = h.buckets[i].count;
			p->errors[i] = h.buckets[i].errors;
		}
		p->d.counts = p->counts;
		p->d.errors = p->errors;
		p->d.nbuckets = h.n;
		p->d.have_hist = true;
		if (h.total >= 0) {
			p->d.total = h.total;
			p->d.total_lower_bound = h.total_is_lower_bound;
		}
		es_histogram_done(&h);
		break;
	}
	case K_FIRST:
	case K_OLDER:
	case K_TAIL: {
		struct es_hits h;

		rc = elasticsearch_parse_hits(resp->status, resp->body, resp->len, &p->s.fields,
					      p->s.max_message, &h, e);
		if (rc < 0)
			break;
		apply_hits(p, rq->kind, &h);
		es_hits_done(&h);
		break;
	}
	case K_ERRORS: {
		struct es_service_count *c = NULL;
		size_t n = 0;

		rc = elasticsearch_parse_errors(resp->status, resp->body, resp->len, &c, &n, e);
		if (rc == 0 && p->model != NULL)
			apply_errors(p, c, n);
		es_service_counts_free(c, n);
		break;
	}
	default:
		break;
	}
	return rc;
}

static void
on_done(void *ud, const struct http_response *resp)
{
	struct lp_req *rq = ud;
	struct logs_poll *p = rq->p;
	bool current = rq->seq == p->seq[rq->kind] && (rq->kind == K_ERRORS || rq->gen == p->gen);
	struct err e;
	int rc;

	unlink_req(p, rq);
	if (!current || (rq->kind != K_ERRORS && !p->open)) {
		free(rq); /* an earlier query's or a closed screen's answer */
		return;
	}
	p->inflight[rq->kind] = false;
	err_clear(&e);
	if (resp->err.code != ERR_OK) {
		e = resp->err;
		rc = -1;
	} else {
		rc = parse(p, rq, resp, &e);
	}
	if (rc == 0) {
		p->backoff = 0;
		p->done[rq->kind]++;
		if (rq->kind != K_ERRORS)
			err_clear(&p->d.err);
		if (p->model != NULL)
			model_backend_ok(p->model, "elasticsearch", resp->latency_ms,
					 poller_wall_now());
	} else {
		if (resp->status == 429) {
			/* The server's Retry-After when it sent one, else a doubling back-off. */
			p->d.retry_at = poller_mono_now() + (resp->retry_after_s > 0
								     ? (double)resp->retry_after_s
								     : backoff_of(p, e.msg));
			if (rq->kind == K_HIST)
				p->need_hist = true;
			else if (rq->kind == K_FIRST)
				p->need_first = true;
		}
		if (rq->kind == K_OLDER)
			p->d.loading_older = false;
		if (rq->kind == K_ERRORS || (resp->status != 400 && p->model != NULL))
			model_backend_fail(p->model, "elasticsearch", &e, poller_wall_now());
		if (rq->kind != K_ERRORS)
			screen_fail(p, &e);
	}
	free(rq);
}

/* ---- scheduling ---------------------------------------------------------- */

bool
logs_poll_tick(struct logs_poll *p, double mono)
{
	double r = refresh_s(p);
	bool any = false;

	if (!p->s.enabled || (p->d.retry_at > 0 && mono < p->d.retry_at))
		return false;
	p->d.retry_at = 0;
	if (p->model != NULL && !p->inflight[K_ERRORS] && mono >= p->errors_due) {
		p->errors_due = mono + r;
		start_errors(p);
		any = true;
	}
	if (!p->open)
		return any;
	if (p->range.since_s > 0 && mono >= p->hist_due)
		p->need_hist = true; /* a moving range: the histogram moves too */
	if (p->need_hist && !p->inflight[K_HIST]) {
		p->need_hist = false;
		p->hist_due = mono + r;
		start_hist(p);
		any = true;
	}
	if (p->need_first && !p->inflight[K_FIRST]) {
		p->need_first = false;
		start_search(p, K_FIRST);
		any = true;
	}
	if (p->want_older && p->d.have_hits && !p->d.at_end && !p->inflight[K_OLDER] &&
	    !p->inflight[K_FIRST]) {
		p->want_older = false;
		start_search(p, K_OLDER);
		any = true;
	}
	if (p->d.tail && p->d.have_hits && !p->inflight[K_TAIL] && !p->inflight[K_FIRST] &&
	    mono >= p->tail_due) {
		p->tail_due = mono + r;
		if (logbuf_len(p->buf) == 0) {
			p->need_first = false;
			start_search(p, K_FIRST); /* nothing held yet: ask for the newest again */
		} else {
			start_search(p, K_TAIL);
		}
		any = true;
	}
	return any;
}

void
logs_poll_refresh_now(struct logs_poll *p)
{
	p->errors_due = p->hist_due = p->tail_due = 0;
	if (p->open && !p->d.have_hits)
		p->need_first = true;
}

long
logs_poll_next_due_ms(const struct logs_poll *p, double mono)
{
	double best = 60.0, d;

	if (!p->s.enabled)
		return 60000;
	if (p->d.retry_at > 0)
		return p->d.retry_at <= mono ? 0 : (long)ceil((p->d.retry_at - mono) * 1000.0);
	if (p->model != NULL && !p->inflight[K_ERRORS] && p->errors_due - mono < best)
		best = p->errors_due - mono;
	if (p->open) {
		if ((p->need_hist && !p->inflight[K_HIST]) ||
		    (p->need_first && !p->inflight[K_FIRST]) ||
		    (p->want_older && p->d.have_hits && !p->d.at_end && !p->inflight[K_OLDER]))
			return 0;
		if (p->range.since_s > 0 && !p->inflight[K_HIST] && p->hist_due - mono < best)
			best = p->hist_due - mono;
		if (p->d.tail && !p->inflight[K_TAIL] && p->d.have_hits &&
		    (d = p->tail_due - mono) < best)
			best = d;
	}
	return best <= 0 ? 0 : (long)ceil(best * 1000.0);
}

void
logs_poll_rounds(const struct logs_poll *p, unsigned long *hist, unsigned long *hits,
		 unsigned long *errors)
{
	*hist = p->done[K_HIST];
	*hits = p->done[K_FIRST];
	*errors = p->done[K_ERRORS];
}

int
logs_poll_inflight(const struct logs_poll *p)
{
	int k, n = 0;

	for (k = 0; k < K_COUNT; k++)
		n += p->inflight[k];
	return n;
}
