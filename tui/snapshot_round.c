/*
 * snapshot_round.c - one poll round for `opsdeck snapshot`: the pollers a
 * screen (or every screen) needs, on one http handle and one model, ticked
 * and waited for together, so a round costs the slowest backend and every
 * backend is asked once.
 */
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "logs_range.h"
#include "parse.h"
#include "render.h"
#include "screens/detail.h"
#include "signals.h"
#include "snapshot_internal.h"
#include "ssh_tunnel.h"
#include "xalloc.h"

/* Ask for the screens' data: -1 with e for a bad --since, search or trace id. */
static int
ask(struct snap_round *r, struct err *e)
{
	const struct snapshot_options *o = r->o;
	struct logs_range range;

	memset(&range, 0, sizeof range);
	if (r->logs != NULL) {
		range.since_s =
			o->setup->logs.default_range_s > 0 ? o->setup->logs.default_range_s : 900;
		if (o->since != NULL && logs_range_parse_since(o->since, &range, e) < 0)
			return -1;
		logs_poll_open(r->logs, o->query, &range);
		logs_poll_set_width(r->logs, o->width > 30 ? o->width - 8 : 60);
	}
	if (r->traces == NULL)
		return 0;
	memset(&range, 0, sizeof range);
	if (o->since != NULL && logs_range_parse_since(o->since, &range, e) < 0)
		return -1;
	if (r->want & ROUND_TRACES) {
		/* With the Logs too (--screen all), --query is the logs' (Lucene, not a search). */
		const char *q = r->logs == NULL && o->query != NULL ? o->query : "";
		char *line = o->since != NULL
				     ? xasprintf("%s%ssince=%s", q, q[0] ? " " : "", o->since)
				     : xstrdup(q);
		int rc = traces_poll_search(r->traces, NULL, line, e);

		free(line);
		if (rc < 0)
			return -1;
	}
	if ((r->want & ROUND_TRACE) && traces_poll_open(r->traces, r->trace_id, e) < 0)
		return -1;
	if (r->want & ROUND_TOPOLOGY)
		traces_poll_set_topology(r->traces, true, range.since_s);
	return 0;
}

int
snap_round_open(struct snap_round *r, const struct snapshot_options *o, unsigned want,
		const char *trace_id, struct err *e)
{
	const struct setup *s = o->setup;
	size_t i;

	memset(r, 0, sizeof *r);
	r->o = o;
	r->want = want;
	r->trace_id = trace_id;
	if (!s->logs.enabled)
		r->want &= ~(unsigned)ROUND_LOGS;
	if (!s->traces.enabled)
		r->want &= ~(unsigned)(ROUND_TRACES | ROUND_TRACE | ROUND_TOPOLOGY);
	if (!s->alerts.prometheus && !s->alerts.alertmanager)
		r->want &= ~(unsigned)ROUND_ALERTS;
	r->http = http_new(e);
	if (r->http == NULL)
		return -1;
	http_set_debug_log(r->http, o->debug_log);
	r->model = model_new(s->poll.history, s->max_services);
	if ((r->want & ROUND_METRICS) && s->poll.prometheus)
		r->poller = poller_new(r->http, r->model, &s->poll);
	if (r->want & ROUND_RUNTIMES) {
		if (s->docker)
			r->docker = docker_poll_new(r->http, r->model, &s->docker_poll);
		r->nk8s = s->nk8s;
		r->k8s = r->nk8s > 0 ? xcalloc(r->nk8s, sizeof *r->k8s) : NULL;
		for (i = 0; i < r->nk8s; i++) {
			struct k8s_poll_settings ks = s->k8s_poll;

			ks.ep = s->k8s[i];
			r->k8s[i] = k8s_poll_new(r->http, r->model, &ks);
		}
		r->necs = s->necs;
		r->ecs = r->necs > 0 ? xcalloc(r->necs, sizeof *r->ecs) : NULL;
		for (i = 0; i < r->necs; i++) {
			struct ecs_poll_settings es = s->ecs_poll;

			es.ep = s->ecs[i];
			r->ecs[i] = ecs_poll_new(r->http, r->model, &es);
		}
	}
	/*
	 * With the Overview, the model too: its errors per minute (one terms
	 * aggregation, after the services are known).  Else the Logs
	 * screen's requests only.
	 */
	if (r->want & ROUND_LOGS) {
		/* In a report of every screen, the newest lines only: the Logs screen has them all. */
		r->logs_s = s->logs;
		if ((r->want & ROUND_BRIEF) && r->logs_s.page > SNAPSHOT_ALL_HITS)
			r->logs_s.page = SNAPSHOT_ALL_HITS;
		r->logs = logs_poll_new(r->http, r->poller != NULL ? r->model : NULL, &r->logs_s);
	}
	if (r->want & (ROUND_TRACES | ROUND_TRACE | ROUND_TOPOLOGY))
		r->traces = traces_poll_new(r->http, r->model, &s->traces);
	if (r->want & ROUND_ALERTS)
		r->alerts = alerts_poll_new(r->http, r->model, &s->alerts);
	if (ask(r, e) < 0) {
		snap_round_close(r);
		return -1;
	}
	return 0;
}

static bool
logs_done(struct snap_round *r)
{
	const struct logs_data *d = logs_poll_data(r->logs);
	unsigned long hist, hits, errs;

	logs_poll_rounds(r->logs, &hist, &hits, &errs);
	if (d->err.code != ERR_OK && logs_poll_inflight(r->logs) == 0)
		return true;
	if (hist == 0 || hits == 0 || r->poller == NULL || errs > 0)
		return hist > 0 && hits > 0;
	/* The errors per minute: answered, or failed (the backend says why). */
	return logs_poll_inflight(r->logs) == 0 && poller_rounds(r->poller) > 0 &&
	       !model_backend(r->model, "elasticsearch")->ok;
}

static bool
traces_done(const struct snap_round *r)
{
	const struct traces_list *l = traces_poll_list(r->traces);
	const struct trace_data *t = traces_poll_trace(r->traces);
	const struct topology_data *g = traces_poll_topology(r->traces);

	if ((r->want & ROUND_TRACES) && !(l->have || (l->err.code != ERR_OK && !l->loading)))
		return false;
	if ((r->want & ROUND_TRACE) &&
	    !(t->trace != NULL || (t->err.code != ERR_OK && !t->loading)))
		return false;
	if ((r->want & ROUND_TOPOLOGY) && !(g->have || (g->err.code != ERR_OK && !g->loading)))
		return false;
	return true;
}

/* Whether some poller has not answered yet. */
static bool
waiting(struct snap_round *r)
{
	size_t i;

	if (r->poller != NULL && poller_rounds(r->poller) == 0)
		return true;
	if (r->docker != NULL && docker_poll_rounds(r->docker) == 0)
		return true;
	for (i = 0; i < r->nk8s; i++)
		if (k8s_poll_rounds(r->k8s[i]) == 0)
			return true;
	for (i = 0; i < r->necs; i++)
		if (ecs_poll_rounds(r->ecs[i]) == 0)
			return true;
	if (r->logs != NULL && !logs_done(r))
		return true;
	if (r->alerts != NULL && alerts_poll_busy(r->alerts))
		return true;
	return r->traces != NULL && !traces_done(r);
}

/* Tick what ticks in the loop; *due lowered to when one wants its next tick. */
static void
tick(struct snap_round *r, double now, long *due)
{
	size_t i;

	for (i = 0; i < r->nk8s; i++) {
		if (k8s_poll_rounds(r->k8s[i]) == 0)
			k8s_poll_tick(r->k8s[i], now);
		if (k8s_poll_rounds(r->k8s[i]) == 0 && k8s_poll_next_due_ms(r->k8s[i], now) < *due)
			*due = k8s_poll_next_due_ms(r->k8s[i], now);
	}
	for (i = 0; i < r->necs; i++) {
		if (ecs_poll_rounds(r->ecs[i]) == 0)
			ecs_poll_tick(r->ecs[i], now);
		if (ecs_poll_rounds(r->ecs[i]) == 0 && ecs_poll_next_due_ms(r->ecs[i], now) < *due)
			*due = ecs_poll_next_due_ms(r->ecs[i], now);
	}
	/* The errors per minute count only for services the model holds: after Prometheus. */
	if (r->logs != NULL && !logs_done(r) && (r->poller == NULL || poller_rounds(r->poller) > 0))
		logs_poll_tick(r->logs, now);
	/* Each until it has its answer: later ticks would ask again every refresh. */
	if (r->traces != NULL && !traces_done(r))
		traces_poll_tick(r->traces, now);
	if (r->alerts != NULL && alerts_poll_busy(r->alerts))
		alerts_poll_tick(r->alerts, now);
}

/* A backend without an answer by the deadline: failed with that (keeping a reason it has). */
static void
timed_out(struct snap_round *r, const char *backend, const char *url, const char *hint)
{
	struct backend_state *b = model_backend(r->model, backend);
	struct err te;
	char dur[32];

	format_duration_ms(r->o->timeout_ms, dur, sizeof dur);
	if (b->err.code != ERR_OK)
		err_set(&te, b->err.code, "%.400s (no complete answer within %s)", b->err.msg, dur);
	else
		err_set(&te, ERR_TIMEOUT,
			"%s: no complete answer within %s from %s (raise --timeout%s)", backend,
			dur, url, hint);
	model_backend_fail(r->model, backend, &te, poller_wall_now());
}

/* Mark every backend that did not answer; returns 2 when any failed. */
static int
settle(struct snap_round *r)
{
	const struct setup *s = r->o->setup;
	int status = 0;
	size_t i;

	if (r->poller != NULL && poller_rounds(r->poller) == 0)
		timed_out(r, "prometheus", s->poll.prom_ep.url, " or check [prometheus] url");
	if (r->docker != NULL && docker_poll_rounds(r->docker) == 0)
		timed_out(r, "docker", s->docker_poll.ep.url, " or check [docker] host");
	for (i = 0; i < r->nk8s; i++)
		if (k8s_poll_rounds(r->k8s[i]) == 0)
			timed_out(r, k8s_endpoint_backend(s->k8s[i]),
				  k8s_endpoint_server(s->k8s[i]),
				  " or check the context in the kubeconfig");
	for (i = 0; i < r->necs; i++) {
		struct ecs_endpoint *x = ecs_poll_endpoint(r->ecs[i]);

		if (ecs_poll_rounds(r->ecs[i]) == 0)
			timed_out(r, ecs_endpoint_backend(x), ecs_endpoint_url(x),
				  " or check [ecs] endpoint_url and the credentials");
	}
	if (r->logs != NULL) {
		const struct logs_data *d = logs_poll_data(r->logs);

		if (d->err.code != ERR_OK) {
			model_backend_fail(r->model, "elasticsearch", &d->err, poller_wall_now());
		} else if (!logs_done(r)) {
			struct err te;

			err_set(&te, ERR_TIMEOUT,
				"elasticsearch: no complete answer in time from %s (raise "
				"--timeout)",
				s->logs.ep.url);
			model_backend_fail(r->model, "elasticsearch", &te, poller_wall_now());
		} else if (r->poller == NULL) {
			/* (with the model the poller keeps the backend's state itself) */
			model_backend_ok(r->model, "elasticsearch", 0, poller_wall_now());
		}
	}
	if (r->traces != NULL) {
		if (!traces_done(r)) {
			struct err te;

			err_set(&te, ERR_TIMEOUT,
				"zipkin: no answer in time from %s (raise --timeout)",
				s->traces.ep.url);
			model_backend_fail(r->model, "zipkin", &te, poller_wall_now());
			traces_poll_timed_out(r->traces, &te);
		}
		if (((r->want & ROUND_TRACES) && traces_poll_list(r->traces)->err.code != ERR_OK) ||
		    ((r->want & ROUND_TRACE) && traces_poll_trace(r->traces)->err.code != ERR_OK) ||
		    ((r->want & ROUND_TOPOLOGY) &&
		     traces_poll_topology(r->traces)->err.code != ERR_OK))
			status = 2;
	}
	if (r->alerts != NULL) {
		const struct alerts_status *st = alerts_poll_status(r->alerts);

		if (alerts_poll_busy(r->alerts)) {
			struct err te;
			char dur[32];

			format_duration_ms(r->o->timeout_ms, dur, sizeof dur);
			err_set(&te, ERR_TIMEOUT,
				"alerts: no complete answer within %s (raise --timeout)", dur);
			alerts_poll_timed_out(r->alerts, &te);
			status = 2;
		} else if (st->am_err.code != ERR_OK || st->prom_err.code != ERR_OK) {
			status = 2;
		}
	}
	for (i = 0; i < model_nbackends(r->model); i++)
		if (!model_backend_at(r->model, i)->ok)
			status = 2;
	return status;
}

int
snap_round_wait(struct snap_round *r)
{
	const struct setup *s = r->o->setup;
	double start = poller_mono_now(), deadline = start + (double)r->o->timeout_ms / 1000.0;
	struct err e;

	/* Through ssh: the first round only once the tunnel is up (or ssh gave up). */
	if (r->docker != NULL && s->docker_tunnel != NULL)
		ssh_tunnel_wait(s->docker_tunnel, r->o->timeout_ms, sig_pipe_fd[0]);
	if (r->poller != NULL)
		poller_tick(r->poller, start);
	if (r->docker != NULL)
		docker_poll_tick(r->docker, start);
	while (waiting(r) && !sig_quit) {
		struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
		double now = poller_mono_now();
		long left = (long)((deadline - now) * 1000.0), due = 200;

		if (left <= 0)
			break;
		tick(r, now, &due);
		if (due < left)
			left = due;
		if (http_wait(r->http, &fd, 1, left < 1 ? 1 : (int)left, &e) < 0)
			break;
		http_perform(r->http);
	}
	return settle(r);
}

void
snap_round_view(const struct snap_round *r, struct view_ctx *v)
{
	const struct setup *s = r->o->setup;

	memset(v, 0, sizeof *v);
	v->model = r->model;
	v->th = &s->th;
	v->now = poller_wall_now();
	v->stale_after = 3.0 * (double)s->poll.refresh_ms / 1000.0;
	v->ascii = r->o->ascii;
	v->prometheus = s->poll.prometheus && (r->want & ROUND_METRICS);
	v->docker = (r->want & ROUND_RUNTIMES) && (s->docker || s->nk8s > 0 || s->necs > 0);
	v->elasticsearch = r->logs != NULL;
	v->zipkin = r->traces != NULL;
	v->config_path = s->config_path;
	v->env_name = r->o->env;
	v->env_protected = s->env_protected; /* the title bar's [NAME] in CRIT */
}

void
snap_round_close(struct snap_round *r)
{
	size_t i;

	docker_poll_free(r->docker);
	for (i = 0; i < r->nk8s; i++)
		k8s_poll_free(r->k8s[i]);
	free(r->k8s);
	for (i = 0; i < r->necs; i++)
		ecs_poll_free(r->ecs[i]);
	free(r->ecs);
	poller_free(r->poller);
	http_free(r->http);
	/* after http: they own the records of requests in flight */
	logs_poll_free(r->logs);
	traces_poll_free(r->traces);
	alerts_poll_free(r->alerts);
	model_free(r->model);
	memset(r, 0, sizeof *r);
}

/* Whether the detail poller has what the snapshot shows; stats need two samples for CPU %. */
static bool
detail_ready(const struct detail_poll *dp, const struct detail_poll_settings *ds, bool want_stats)
{
	unsigned long rt, st, mt;

	detail_poll_rounds(dp, &rt, &st, &mt);
	if ((ds->docker && rt == 0) || (ds->prometheus && mt == 0))
		return false;
	return !want_stats || st >= 2;
}

/*
 * Runtime and metrics first, then container stats for the instances the
 * output shows (the rows that fit the canvas for text and ansi, all for
 * json and markdown), sampled twice for CPU %.
 */
int
snap_round_detail(struct snap_round *r, const struct snap_out *out, const char *service,
		  struct detail_poll **dpp)
{
	struct service *svc = model_service(r->model, service, false);
	struct detail_poll_settings ds;
	struct detail_poll *dp;
	const struct detail_data *dd;
	/* Its own deadline: the Overview's poll may have used the first one. */
	double deadline = poller_mono_now() + (double)r->o->timeout_ms / 1000.0;
	bool want_stats = false;
	struct detail *dt = detail_new(svc->name);
	struct err e;
	int phase, status;

	dp = *dpp = detail_poll_new(r->http);
	detail_poll_settings_from(&ds, r->o->setup, svc);
	detail_poll_open(dp, &ds);
	dd = detail_poll_data(dp);
	for (phase = 0; phase < 2; phase++) {
		while (!detail_ready(dp, &ds, want_stats) && !sig_quit) {
			struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
			double now = poller_mono_now();
			long left = (long)((deadline - now) * 1000.0), due;

			if (left <= 0)
				goto out;
			detail_poll_tick(dp, now);
			due = detail_poll_next_due_ms(dp, now);
			if (due < left)
				left = due;
			if (http_wait(r->http, &fd, 1,
				      left > 200 ? 200 : (int)(left < 1 ? 1 : left), &e) < 0)
				goto out;
			http_perform(r->http);
		}
		if (phase == 1 || !ds.docker)
			break;
		if (out->format == SNAP_TEXT || out->format == SNAP_ANSI) {
			struct canvas *c = canvas_new(out->width, out->height);
			struct render_state rs;
			struct view_ctx v;
			size_t from, to;

			snap_round_view(r, &v);
			memset(&rs, 0, sizeof rs);
			rs.detail = dt;
			rs.detail_data = dd;
			render_screen(c, &v, &rs);
			canvas_free(c);
			detail_visible(dt, &from, &to);
			detail_poll_set_visible(dp, from, to);
			want_stats = to > from;
		} else {
			detail_poll_set_visible(dp, 0, dd->ninst);
			want_stats = dd->ninst > 0;
		}
	}
	status = dd->runtime_err.code != ERR_OK || dd->metrics_err.code != ERR_OK ? 2 : 0;
	detail_free(dt);
	return status;
out:
	detail_free(dt);
	return 2;
}
