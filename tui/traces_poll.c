#include "traces_poll.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller.h"
#include "trace_cache.h"
#include "xalloc.h"

enum tp_kind { K_SEARCH, K_TRACE, K_DEPS, K_COUNT };

/* One request in flight; freed by its callback, or by traces_poll_free. */
struct tp_req {
	struct traces_poll *p;
	enum tp_kind kind;
	unsigned gen;
	struct tp_req *prev, *next;
};

struct traces_poll {
	struct http *http;
	struct model *model;
	struct traces_settings s;
	struct trace_cache *cache;
	struct tp_req *outstanding;
	unsigned gen[K_COUNT];
	bool inflight[K_COUNT];
	bool changed;
	/* the search */
	char *line, *service, *service_z;
	char store[1024];
	struct zk_query q;
	bool searching, live;
	double search_due; /* monotonic; 0 = now */
	struct zk_trace_summary *items;
	size_t nitems;
	struct traces_list list;
	/* the trace */
	char trace_id[33];
	bool want_trace;
	struct trace_data td;
	/* the dependency links */
	bool topo;
	double deps_lookback, deps_due;
	struct zk_link *links;
	size_t nlinks;
	struct topo_layout *layout;
	struct topology_data tg;
};

static double
refresh_s(const struct traces_poll *p)
{
	return p->s.refresh_ms > 0 ? (double)p->s.refresh_ms / 1000.0 : 5.0;
}

struct traces_poll *
traces_poll_new(struct http *http, struct model *model, const struct traces_settings *s)
{
	struct traces_poll *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->model = model;
	p->s = *s;
	if (p->s.lookback_s <= 0)
		p->s.lookback_s = 3600;
	if (p->s.limit <= 0)
		p->s.limit = 20;
	if (p->s.deps_lookback_s <= 0)
		p->s.deps_lookback_s = 3600;
	p->cache = trace_cache_new(s->cache_traces, s->cache_bytes);
	p->line = xstrdup("");
	p->service = xstrdup("");
	p->list.search = p->line;
	p->list.service = p->service;
	p->list.utc = s->utc;
	p->list.lookback_s = p->s.lookback_s;
	p->list.limit = p->s.limit;
	p->td.trace_id = p->trace_id;
	p->td.utc = s->utc;
	p->deps_lookback = p->s.deps_lookback_s;
	p->tg.lookback_s = p->deps_lookback;
	/*
	 * Zipkin is asked only while a traces screen is open: it joins the
	 * status line at its first answer, not as "connecting..." forever.
	 */
	return p;
}

void
traces_poll_free(struct traces_poll *p)
{
	struct tp_req *rq, *next;

	if (p == NULL)
		return;
	for (rq = p->outstanding; rq != NULL; rq = next) {
		next = rq->next;
		free(rq);
	}
	zipkin_summaries_free(p->items, p->nitems);
	zipkin_links_free(p->links, p->nlinks);
	topology_free(p->layout);
	trace_cache_free(p->cache);
	free(p->line);
	free(p->service);
	free(p->service_z);
	free(p);
}

/* ---- requests ------------------------------------------------------------- */

static void on_done(void *ud, const struct http_response *resp);

static void
unlink_req(struct traces_poll *p, struct tp_req *rq)
{
	if (rq->prev != NULL)
		rq->prev->next = rq->next;
	else
		p->outstanding = rq->next;
	if (rq->next != NULL)
		rq->next->prev = rq->prev;
}

static struct err *
err_of(struct traces_poll *p, enum tp_kind k)
{
	return k == K_SEARCH ? &p->list.err : k == K_TRACE ? &p->td.err : &p->tg.err;
}

static void
set_loading(struct traces_poll *p, enum tp_kind k, bool on)
{
	p->inflight[k] = on;
	if (k == K_SEARCH)
		p->list.loading = on;
	else if (k == K_TRACE)
		p->td.loading = on;
	else
		p->tg.loading = on;
}

static void
submit(struct traces_poll *p, enum tp_kind k, char *path)
{
	struct tp_req *rq = xcalloc(1, sizeof *rq);
	struct err e;

	rq->p = p;
	rq->kind = k;
	rq->gen = p->gen[k];
	if (http_submit(p->http, &p->s.ep, HTTP_GET, path, NULL, true, on_done, rq, &e) < 0) {
		free(rq);
		*err_of(p, k) = e;
		set_loading(p, k, false);
		if (p->model != NULL)
			model_backend_fail(p->model, "zipkin", &e, poller_wall_now());
	} else {
		rq->next = p->outstanding;
		if (p->outstanding != NULL)
			p->outstanding->prev = rq;
		p->outstanding = rq;
		set_loading(p, k, true);
	}
	free(path);
	p->changed = true;
}

static void
start_search(struct traces_poll *p)
{
	p->gen[K_SEARCH]++;
	submit(p, K_SEARCH, zipkin_traces_path(&p->q));
}

static void
start_trace(struct traces_poll *p)
{
	p->gen[K_TRACE]++;
	submit(p, K_TRACE, zipkin_trace_path(p->trace_id));
}

static void
start_deps(struct traces_poll *p)
{
	p->gen[K_DEPS]++;
	submit(p, K_DEPS, zipkin_dependencies_path(0, p->deps_lookback, poller_wall_now()));
}

/* ---- answers -------------------------------------------------------------- */

/* The links with the console's names for Zipkin's (aliases), for the model's health. */
static void
rename_links(struct traces_poll *p, struct zk_link *l, size_t n)
{
	size_t i;

	if (p->s.display_name == NULL)
		return;
	for (i = 0; i < n; i++) {
		const char *d = p->s.display_name(p->s.ud, l[i].parent);

		if (d != NULL && strcmp(d, l[i].parent) != 0) {
			free(l[i].parent);
			l[i].parent = xstrdup(d);
		}
		d = p->s.display_name(p->s.ud, l[i].child);
		if (d != NULL && strcmp(d, l[i].child) != 0) {
			free(l[i].child);
			l[i].child = xstrdup(d);
		}
	}
}

static int
take_search(struct traces_poll *p, const struct http_response *r, struct err *e)
{
	struct zk_limits lim = { p->s.max_spans };
	struct zk_trace_summary *items;
	size_t n;

	if (zipkin_parse_traces(r->status, r->body, r->len, &lim, &items, &n, e) < 0)
		return -1;
	zipkin_summaries_free(p->items, p->nitems);
	p->items = items;
	p->nitems = n;
	p->list.items = items;
	p->list.n = n;
	p->list.have = true;
	p->list.fetched_at = poller_wall_now();
	return 0;
}

static int
take_trace(struct traces_poll *p, const struct http_response *r, struct err *e)
{
	struct zk_limits lim = { p->s.max_spans };
	struct zk_span *spans;
	struct trace *t;
	size_t n;

	if (zipkin_parse_trace(r->status, r->body, r->len, &lim, &spans, &n, e) < 0)
		return -1;
	t = trace_build(spans, n, e);
	if (t == NULL)
		return -1;
	n = t->nspans;
	{
		size_t bytes = t->bytes;

		p->td.trace = trace_cache_put(p->cache, t);
		if (p->td.trace == NULL)
			return err_set(e, ERR_TOOBIG,
				       "zipkin: trace %s has %zu spans taking %.1f MiB, more than "
				       "[traces] max_bytes allows; raise it to open this trace",
				       p->trace_id, n, (double)bytes / (1024.0 * 1024.0));
	}
	return 0;
}

static int
take_deps(struct traces_poll *p, const struct http_response *r, struct err *e)
{
	struct zk_link *links;
	size_t n;

	if (zipkin_parse_dependencies(r->status, r->body, r->len, &links, &n, e) < 0)
		return -1;
	rename_links(p, links, n);
	topology_free(p->layout);
	zipkin_links_free(p->links, p->nlinks);
	p->links = links;
	p->nlinks = n;
	p->layout = topology_layout(links, n);
	p->tg.layout = p->layout;
	p->tg.links = links;
	p->tg.nlinks = n;
	p->tg.have = true;
	p->tg.fetched_at = poller_wall_now();
	p->tg.lookback_s = p->deps_lookback;
	return 0;
}

static void
on_done(void *ud, const struct http_response *resp)
{
	struct tp_req *rq = ud;
	struct traces_poll *p = rq->p;
	enum tp_kind k = rq->kind;
	bool current = rq->gen == p->gen[k];
	struct err e;
	int rc;

	unlink_req(p, rq);
	free(rq);
	if (!current)
		return; /* an earlier search's, trace's or range's answer */
	set_loading(p, k, false);
	p->changed = true;
	err_clear(&e);
	if (resp->err.code != ERR_OK) {
		e = resp->err;
		rc = -1;
	} else {
		rc = k == K_SEARCH  ? take_search(p, resp, &e)
		     : k == K_TRACE ? take_trace(p, resp, &e)
				    : take_deps(p, resp, &e);
	}
	if (rc == 0) {
		err_clear(err_of(p, k));
		if (p->model != NULL)
			model_backend_ok(p->model, "zipkin", resp->latency_ms, poller_wall_now());
		return;
	}
	*err_of(p, k) = e;
	/* A trace not found or too big is the screen's, not the backend's health. */
	if (p->model != NULL && (resp->status == 0 || resp->status >= 500))
		model_backend_fail(p->model, "zipkin", &e, poller_wall_now());
	else if (p->model != NULL)
		model_backend_ok(p->model, "zipkin", resp->latency_ms, poller_wall_now());
}

/* ---- what the screens ask -------------------------------------------------- */

static bool
enabled(struct traces_poll *p, enum tp_kind k)
{
	if (p->s.enabled)
		return true;
	err_set(err_of(p, k), ERR_CONFIG,
		"zipkin: no Zipkin configured — set [zipkin] url, OPSDECK_ZIPKIN_URL or --zipkin");
	p->changed = true;
	return false;
}

static void
lowercase(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

int
traces_poll_search(struct traces_poll *p, const char *service, const char *line, struct err *e)
{
	struct zk_query q;
	char store[sizeof p->store];

	memset(&q, 0, sizeof q);
	if (zipkin_query_parse(line != NULL ? line : "", &q, store, sizeof store, e) < 0)
		return -1;
	free(p->line);
	p->line = xstrdup(line != NULL ? line : "");
	free(p->service);
	free(p->service_z);
	p->service_z = NULL;
	p->service = xstrdup(service != NULL ? service : "");
	memcpy(p->store, store, sizeof store);
	/* q's strings point into store: move them to p->store */
#define REBASE(f)                                                      \
	if (q.f != NULL && q.f >= store && q.f < store + sizeof store) \
		q.f = p->store + (q.f - store);
	REBASE(service)
	REBASE(span_name)
	REBASE(annotation_query)
#undef REBASE
	if ((q.service == NULL || *q.service == '\0') && *p->service != '\0') {
		const char *z = p->s.zipkin_name != NULL ? p->s.zipkin_name(p->s.ud, p->service)
							 : p->service;

		p->service_z = xstrdup(z != NULL ? z : p->service);
		lowercase(p->service_z);
		q.service = p->service_z;
	} else if (q.service != NULL && *q.service != '\0') {
		free(p->service);
		p->service = xstrdup(q.service);
	}
	if (q.lookback_s <= 0)
		q.lookback_s = p->s.lookback_s;
	if (q.limit <= 0)
		q.limit = p->s.limit;
	p->q = q;
	p->list.search = p->line;
	p->list.service = p->service;
	p->list.lookback_s = q.lookback_s;
	p->list.limit = q.limit;
	p->list.have = false;
	err_clear(&p->list.err);
	p->searching = true;
	if (enabled(p, K_SEARCH))
		start_search(p);
	p->search_due = poller_mono_now() + refresh_s(p);
	return 0;
}

void
traces_poll_set_live(struct traces_poll *p, bool on)
{
	p->live = on;
}

int
traces_poll_open(struct traces_poll *p, const char *id, struct err *e)
{
	char norm[33];
	const struct trace *t;

	if (id == NULL || !zipkin_trace_id_norm(id, norm))
		return err_set(e, ERR_USAGE,
			       "'%s' is not a trace id: write 16 or 32 hex digits, e.g. "
			       "4bf92f3577b34da6a3ce929d0e0e4736",
			       id != NULL ? id : "");
	memcpy(p->trace_id, norm, sizeof norm);
	p->gen[K_TRACE]++; /* whatever was on its way is stale now */
	set_loading(p, K_TRACE, false);
	err_clear(&p->td.err);
	p->changed = true;
	t = trace_cache_get(p->cache, norm);
	p->td.trace = t;
	if (t != NULL)
		return 0;
	if (enabled(p, K_TRACE))
		start_trace(p);
	return 0;
}

void
traces_poll_set_topology(struct traces_poll *p, bool on, double lookback_s)
{
	double lb = lookback_s > 0 ? lookback_s : p->s.deps_lookback_s;

	if (on && (!p->topo || lb != p->deps_lookback)) {
		p->deps_lookback = lb;
		p->tg.lookback_s = lb;
		p->deps_due = 0;
		p->gen[K_DEPS]++;
		set_loading(p, K_DEPS, false);
	}
	p->topo = on;
	if (!on) {
		p->gen[K_DEPS]++;
		set_loading(p, K_DEPS, false);
	}
	p->changed = true;
}

void
traces_poll_refresh_now(struct traces_poll *p)
{
	p->search_due = p->deps_due = 0;
	if (p->searching && !p->live && !p->inflight[K_SEARCH] && p->s.enabled)
		start_search(p);
	if (p->trace_id[0] != '\0' && p->td.trace == NULL && !p->inflight[K_TRACE] && p->s.enabled)
		start_trace(p);
}

void
traces_poll_timed_out(struct traces_poll *p, const struct err *e)
{
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (p->inflight[k]) {
			p->gen[k]++; /* a late answer is dropped */
			set_loading(p, (enum tp_kind)k, false);
			*err_of(p, (enum tp_kind)k) = *e;
		}
	p->changed = true;
}

bool
traces_poll_tick(struct traces_poll *p, double mono)
{
	bool changed;

	if (p->s.enabled) {
		if (p->live && p->searching && !p->inflight[K_SEARCH] && mono >= p->search_due) {
			start_search(p);
			p->search_due = mono + refresh_s(p);
		}
		if (p->topo && !p->inflight[K_DEPS] && mono >= p->deps_due) {
			start_deps(p);
			p->deps_due = mono + refresh_s(p);
		}
	} else if (p->topo && !p->tg.have && p->tg.err.code == ERR_OK) {
		enabled(p, K_DEPS);
	}
	changed = p->changed;
	p->changed = false;
	return changed;
}

long
traces_poll_next_due_ms(const struct traces_poll *p, double mono)
{
	double due = -1;

	if (!p->s.enabled)
		return 60000;
	if (p->live && p->searching && !p->inflight[K_SEARCH])
		due = p->search_due;
	if (p->topo && !p->inflight[K_DEPS] && (due < 0 || p->deps_due < due))
		due = p->deps_due;
	if (due < 0)
		return 60000;
	return due <= mono ? 0 : (long)((due - mono) * 1000.0) + 1;
}

const struct traces_list *
traces_poll_list(const struct traces_poll *p)
{
	return &p->list;
}

const struct trace_data *
traces_poll_trace(const struct traces_poll *p)
{
	return &p->td;
}

const struct topology_data *
traces_poll_topology(const struct traces_poll *p)
{
	return &p->tg;
}

const struct traces_settings *
traces_poll_settings(const struct traces_poll *p)
{
	return &p->s;
}

size_t
traces_poll_cached(const struct traces_poll *p, size_t *bytes)
{
	if (bytes != NULL)
		*bytes = trace_cache_bytes(p->cache);
	return trace_cache_count(p->cache);
}
