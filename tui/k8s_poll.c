/*
 * k8s_poll.c - one Kubernetes context's rounds: three paged lists into
 * runtime rows; see k8s_poll.h.
 *
 * Each list is a chain of pages: a page's answer carries the continue
 * token of the next, so a chain has one request in flight at a time and
 * the three chains run side by side.  Pages of a round are kept until the
 * round is complete, then turned into rows at once: a row never mixes two
 * rounds.
 */
#include "k8s_poll.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller.h"
#include "xalloc.h"

enum chain { CH_DEPLOY, CH_STS, CH_PODS, CH_COUNT };

struct page_ctx {
	struct page_ctx *next;
	struct k8s_poll *p;
	enum chain ch;
	unsigned long round_id;
	char *cont; /* owned: the continue token this page asks for ("" = the first) */
	unsigned gen;
	bool retried; /* a 401 was answered with a retry already */
};

struct k8s_poll {
	struct http *http;
	struct model *model;
	struct k8s_poll_settings s;
	double next_due;
	int inflight; /* chains of this round not finished */
	unsigned long round_id, rounds, requests;
	double round_wall; /* when the round's first requests left */
	bool failed;
	struct err err;
	long latency_ms;
	struct page_ctx *outstanding; /* sent, not answered */
	struct page_ctx *deferred;    /* answered 401, waiting for renewed credentials */
	struct k8s_workload *wl;      /* this round's Deployments and StatefulSets */
	size_t nwl;
	struct k8s_pod *pods; /* this round's pods */
	size_t npods;
};

struct k8s_poll *
k8s_poll_new(struct http *http, struct model *model, const struct k8s_poll_settings *s)
{
	struct k8s_poll *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->model = model;
	p->s = *s;
	if (p->s.refresh_ms < 100)
		p->s.refresh_ms = 100;
	if (p->s.page <= 0)
		p->s.page = K8S_PAGE;
	model_backend(model, k8s_endpoint_backend(s->ep));
	return p;
}

static void
ctx_free(struct page_ctx *c)
{
	free(c->cont);
	free(c);
}

static void
drop_round(struct k8s_poll *p)
{
	k8s_workloads_free(p->wl, p->nwl);
	p->wl = NULL;
	p->nwl = 0;
	k8s_pods_free(p->pods, p->npods);
	p->pods = NULL;
	p->npods = 0;
}

void
k8s_poll_free(struct k8s_poll *p)
{
	struct page_ctx *c, *next;

	if (p == NULL)
		return;
	/* Called before http_free(), which cancels the requests without their callbacks. */
	for (c = p->outstanding; c != NULL; c = next) {
		next = c->next;
		ctx_free(c);
	}
	for (c = p->deferred; c != NULL; c = next) {
		next = c->next;
		ctx_free(c);
	}
	drop_round(p);
	free(p);
}

static const char *
display(const struct k8s_poll *p, const char *name)
{
	const char *d = p->s.display_name ? p->s.display_name(p->s.ud, name) : NULL;

	return d != NULL ? d : name;
}

/* ---- rows ----------------------------------------------------------------- */

/* new: the row's name: aliased, qualified by namespace or context when ambiguous. */
static char *
row_name(struct k8s_poll *p, const struct k8s_workload *w, bool dup)
{
	const char *ctx = k8s_endpoint_context(p->s.ep);
	char *name = dup ? xasprintf("%s/%s", w->ns, w->name) : xstrdup(display(p, w->name));
	struct service *s = model_service(p->model, name, false);

	if (s != NULL && s->rt.present && s->rt.context != NULL &&
	    strcmp(s->rt.context, ctx) != 0) {
		/* Another runtime context shows a service of that name: keep both. */
		char *q = xasprintf("%s@%s", name, ctx);

		free(name);
		name = q;
	}
	return name;
}

/* The revision shown: a Deployment's number, a StatefulSet's revision hash. */
static const char *
revision_of(const struct k8s_workload *w)
{
	const char *r = w->revision;

	if (r[0] == '\0' && w->kind == K8S_STATEFULSET && w->update_revision[0] != '\0') {
		const char *dash = strrchr(w->update_revision, '-');

		r = dash != NULL ? dash + 1 : w->update_revision;
	}
	return r[0] != '\0' ? r : NULL;
}

static void
apply(struct k8s_poll *p)
{
	size_t n = p->nwl, i;
	struct runtime_row *rows = xcalloc(n + 1, sizeof *rows);
	struct k8s_pods_of *of = xcalloc(n + 1, sizeof *of);
	bool *dup = xcalloc(n + 1, sizeof *dup);
	char **names = xcalloc(n + 1, sizeof *names), **ids = xcalloc(n + 1, sizeof *ids);
	char **msgs = xcalloc(n + 1, sizeof *msgs);

	k8s_match_pods(p->wl, n, p->pods, p->npods, of);
	k8s_duplicate_names(p->wl, n, dup);
	for (i = 0; i < n; i++) {
		const struct k8s_workload *w = &p->wl[i];
		struct runtime_row *r = &rows[i];
		const char *rmsg = NULL;

		names[i] = row_name(p, w, dup[i]);
		ids[i] = k8s_row_id(w->ns, w->kind == K8S_STATEFULSET, w->name);
		r->name = names[i];
		r->kind = "k8s";
		r->id = ids[i];
		r->runtime_name = w->name;
		r->running = w->ready;
		r->desired = w->replicas;
		r->version = w->version[0] != '\0' ? w->version : NULL;
		r->revision = revision_of(w);
		r->deployed_at = w->rolled_out;
		r->restarts = of[i].restarts;
		r->rollout_state = k8s_rollout_state(w, &rmsg);
		r->problem = of[i].problem;
		if (rmsg != NULL && rmsg[0] == '\0')
			rmsg = NULL;
		if (r->rollout_state != NULL && strcmp(r->rollout_state, "failed") == 0) {
			/* Past its progress deadline: the rollout is stuck. */
			r->problem = STATUS_CRIT;
			if (rmsg == NULL)
				rmsg = "rollout failed (progress deadline exceeded)";
		}
		if (of[i].problem != STATUS_OK) {
			/* The pods' trouble first: it says what to fix. */
			char more[32] = "";

			if (of[i].with_reason > 1)
				snprintf(more, sizeof more, " and %ld more", of[i].with_reason - 1);
			msgs[i] = xasprintf("%s: pod %s%s%s%s", of[i].reason, of[i].pod, more,
					    rmsg ? " \xe2\x80\x94 " : "", rmsg ? rmsg : "");
			r->message = msgs[i];
		} else {
			r->message = rmsg;
		}
	}
	/*
	 * Stamped with the time the round's requests left: an action accepted
	 * meanwhile must not take this round's answers for news about itself.
	 */
	model_runtime_apply(p->model, k8s_endpoint_context(p->s.ep), rows, n, p->round_wall);
	for (i = 0; i < n; i++) {
		free(names[i]);
		free(ids[i]);
		free(msgs[i]);
	}
	free(names);
	free(ids);
	free(msgs);
	free(dup);
	free(of);
	free(rows);
}

/* ---- the round ------------------------------------------------------------- */

/* The backend's name in front of a message that starts "kubernetes: ". */
static void
name_error(const struct k8s_poll *p, struct err *e)
{
	const char *b = k8s_endpoint_backend(p->s.ep);
	char msg[ERR_MSG_MAX];

	if (strncmp(e->msg, b, strlen(b)) == 0)
		return;
	snprintf(msg, sizeof msg, "%s", e->msg);
	if (strncmp(msg, "kubernetes: ", 12) == 0)
		err_set(e, e->code, "%s: %s", b, msg + 12);
	else
		err_set(e, e->code, "%s: %s", b, msg);
}

static void
finish_round(struct k8s_poll *p)
{
	double now = poller_wall_now();
	const char *b = k8s_endpoint_backend(p->s.ep);

	if (p->failed) {
		name_error(p, &p->err);
		model_backend_fail(p->model, b, &p->err, now);
	} else {
		apply(p);
		model_backend_ok(p->model, b, p->latency_ms, now);
	}
	drop_round(p);
	p->rounds++;
}

static void
chain_failed(struct k8s_poll *p, const struct err *e)
{
	if (!p->failed) {
		p->failed = true;
		p->err = *e;
	}
	if (--p->inflight == 0)
		finish_round(p);
}

static void
unlink_ctx(struct page_ctx **head, struct page_ctx *c)
{
	struct page_ctx **pp;

	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

static void on_done(void *ud, const struct http_response *r);

/* new: the path of c's page. */
static char *
page_path(const struct k8s_poll *p, const struct page_ctx *c)
{
	const char *ns = k8s_endpoint_namespace(p->s.ep);

	switch (c->ch) {
	case CH_DEPLOY:
		return k8s_list_path("apps/v1", "deployments", ns, p->s.page, c->cont, NULL);
	case CH_STS:
		return k8s_list_path("apps/v1", "statefulsets", ns, p->s.page, c->cont, NULL);
	default:
		return k8s_list_path("v1", "pods", ns, p->s.page, c->cont, NULL);
	}
}

/* Send c's page; on a local refusal its chain fails. */
static void
send_page(struct k8s_poll *p, struct page_ctx *c)
{
	char *path = page_path(p, c);
	struct err e;

	c->gen = k8s_endpoint_generation(p->s.ep);
	if (http_submit(p->http, k8s_endpoint_http(p->s.ep), HTTP_GET, path, NULL, true, on_done, c,
			&e) < 0) {
		free(path);
		ctx_free(c);
		chain_failed(p, &e);
		return;
	}
	free(path);
	p->requests++;
	c->next = p->outstanding;
	p->outstanding = c;
}

static struct page_ctx *
new_page(struct k8s_poll *p, enum chain ch, const char *cont)
{
	struct page_ctx *c = xcalloc(1, sizeof *c);

	c->p = p;
	c->ch = ch;
	c->round_id = p->round_id;
	c->cont = xstrdup(cont != NULL ? cont : "");
	return c;
}

/* Append a page's items to the round's (the page's array is taken apart). */
static void
take_workloads(struct k8s_poll *p, struct k8s_workload *w, size_t n)
{
	if (n > 0) {
		p->wl = xrealloc(p->wl, (p->nwl + n) * sizeof *p->wl);
		memcpy(p->wl + p->nwl, w, n * sizeof *w);
		p->nwl += n;
	}
	free(w);
}

static void
take_pods(struct k8s_poll *p, struct k8s_pod *pods, size_t n)
{
	if (n > 0) {
		p->pods = xrealloc(p->pods, (p->npods + n) * sizeof *p->pods);
		memcpy(p->pods + p->npods, pods, n * sizeof *pods);
		p->npods += n;
	}
	free(pods);
}

static void
on_done(void *ud, const struct http_response *r)
{
	struct page_ctx *c = ud;
	struct k8s_poll *p = c->p;
	struct err e;
	char *cont = NULL;
	int rc;

	unlink_ctx(&p->outstanding, c);
	if (c->round_id != p->round_id) {
		ctx_free(c);
		return;
	}
	if (r->latency_ms > p->latency_ms)
		p->latency_ms = r->latency_ms;
	err_clear(&e);
	if (r->err.code != ERR_OK) {
		e = r->err;
		ctx_free(c);
		chain_failed(p, &e);
		return;
	}
	if (r->status == 401 && !c->retried && k8s_endpoint_unauthorized(p->s.ep, c->gen)) {
		/* Renewed credentials, then this page once more (k8s_poll_tick). */
		c->retried = true;
		c->next = p->deferred;
		p->deferred = c;
		return;
	}
	if (c->ch == CH_PODS) {
		struct k8s_pod *pods = NULL;
		size_t n = 0;

		rc = k8s_parse_pods(r->status, r->body, r->len, &pods, &n, &cont, &e);
		if (rc == 0)
			take_pods(p, pods, n);
	} else {
		struct k8s_workload *w = NULL;
		size_t n = 0;

		rc = k8s_parse_workloads(r->status, r->body, r->len,
					 c->ch == CH_DEPLOY ? K8S_DEPLOYMENT : K8S_STATEFULSET, &w,
					 &n, &cont, &e);
		if (rc == 0)
			take_workloads(p, w, n);
	}
	if (rc < 0) {
		free(cont);
		ctx_free(c);
		chain_failed(p, &e);
		return;
	}
	if (cont != NULL && cont[0] != '\0' && !p->failed) {
		/* The next page of this list. */
		struct page_ctx *next = new_page(p, c->ch, cont);

		free(cont);
		ctx_free(c);
		send_page(p, next);
		return;
	}
	free(cont);
	ctx_free(c);
	if (--p->inflight == 0)
		finish_round(p);
}

/* Pages that waited for credentials: send them, or fail their chains. */
static bool
retry_deferred(struct k8s_poll *p)
{
	struct page_ctx *c, *next;
	enum k8s_cred st;
	struct err e;

	if (p->deferred == NULL)
		return false;
	err_clear(&e);
	st = k8s_endpoint_credentials(p->s.ep, poller_wall_now(), &e);
	if (st == K8S_CRED_PENDING)
		return false;
	c = p->deferred;
	p->deferred = NULL;
	for (; c != NULL; c = next) {
		next = c->next;
		if (c->round_id != p->round_id) {
			ctx_free(c);
		} else if (st == K8S_CRED_READY) {
			send_page(p, c);
		} else {
			ctx_free(c);
			chain_failed(p, &e);
		}
	}
	return true;
}

bool
k8s_poll_tick(struct k8s_poll *p, double mono)
{
	bool changed = k8s_endpoint_tick(p->s.ep);
	enum k8s_cred st;
	struct err e;
	int ch;

	if (retry_deferred(p))
		changed = true;
	if (p->inflight > 0 || mono < p->next_due)
		return changed;
	err_clear(&e);
	st = k8s_endpoint_credentials(p->s.ep, poller_wall_now(), &e);
	if (st == K8S_CRED_PENDING)
		return changed; /* the exec plugin runs: the round starts once it answered */
	p->round_id++;
	p->round_wall = poller_wall_now();
	p->next_due = mono + (double)p->s.refresh_ms / 1000.0;
	p->failed = false;
	err_clear(&p->err);
	p->latency_ms = 0;
	drop_round(p);
	if (st == K8S_CRED_FAILED) {
		p->failed = true;
		p->err = e;
		finish_round(p);
		return true;
	}
	p->inflight = CH_COUNT;
	for (ch = 0; ch < CH_COUNT; ch++)
		if (p->inflight > 0) /* a local refusal may have ended the round already */
			send_page(p, new_page(p, (enum chain)ch, NULL));
	return true;
}

void
k8s_poll_refresh_now(struct k8s_poll *p)
{
	p->next_due = 0;
}

long
k8s_poll_next_due_ms(const struct k8s_poll *p, double mono)
{
	long plugin = k8s_endpoint_next_due_ms(p->s.ep);
	double d;

	if (p->deferred != NULL || (p->inflight == 0 && mono >= p->next_due && plugin >= 0))
		return plugin >= 0 ? plugin : 20; /* waiting for credentials */
	if (p->inflight > 0)
		return plugin >= 0 ? plugin : (long)p->s.refresh_ms;
	d = (p->next_due - mono) * 1000.0;
	if (plugin >= 0 && plugin < d)
		return plugin;
	return d <= 0 ? 0 : (long)ceil(d);
}

unsigned long
k8s_poll_rounds(const struct k8s_poll *p)
{
	return p->rounds;
}

unsigned long
k8s_poll_requests(const struct k8s_poll *p)
{
	return p->requests;
}

struct k8s_endpoint *
k8s_poll_endpoint(const struct k8s_poll *p)
{
	return p->s.ep;
}
