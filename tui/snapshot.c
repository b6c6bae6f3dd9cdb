#include "snapshot.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "canvas.h"
#include "detail_json.h"
#include "detail_poll.h"
#include "docker_poll.h"
#include "ecs_poll.h"
#include "frame.h"
#include "http.h"
#include "k8s_poll.h"
#include "logs_snapshot.h"
#include "traces_snapshot.h"
#include "model.h"
#include "poller.h"
#include "render.h"
#include "screens/detail.h"
#include "screens/overview.h"
#include "signals.h"
#include "text.h"
#include "parse.h"
#include "xalloc.h"

int
snapshot_parse_format(const char *s, enum snapshot_format *out, struct err *e)
{
	if (strcmp(s, "text") == 0)
		*out = SNAP_TEXT;
	else if (strcmp(s, "ansi") == 0)
		*out = SNAP_ANSI;
	else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
		*out = SNAP_MARKDOWN;
	else if (strcmp(s, "json") == 0)
		*out = SNAP_JSON;
	else
		return err_set(e, ERR_USAGE,
			       "unknown --format '%s' (use text, ansi, markdown or json)", s);
	return 0;
}

static void
rfc3339(double t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* What a Kubernetes row adds: its kind, namespace and revision. */
static void
k8s_json(json_t *jr, const struct runtime_state *rt)
{
	char ns[256], name[256];
	bool sts = false;

	if (k8s_row_id_parse(rt->id, ns, sizeof ns, &sts, name, sizeof name)) {
		json_object_set_new(jr, "namespace", json_string(ns));
		json_object_set_new(jr, "workload",
				    json_string(sts ? "StatefulSet" : "Deployment"));
	}
	json_object_set_new(jr, "revision", rt->revision ? json_string(rt->revision) : json_null());
}

/* What an ECS row adds: its cluster, launch type, pending tasks and rollback target. */
static void
ecs_json(json_t *jr, const struct runtime_state *rt)
{
	json_object_set_new(jr, "cluster", json_string(rt->context ? rt->context : ""));
	json_object_set_new(jr, "arn", json_string(rt->id ? rt->id : ""));
	json_object_set_new(jr, "launch_type",
			    rt->platform ? json_string(rt->platform) : json_null());
	json_object_set_new(jr, "pending", json_integer(rt->pending));
	json_object_set_new(jr, "previous", rt->previous ? json_string(rt->previous) : json_null());
	json_object_set_new(jr, "problem",
			    rt->problem != STATUS_OK ? json_string(status_name(rt->problem))
						     : json_null());
}

static void
write_json(const struct model *m, const struct view_ctx *v, struct buf *out)
{
	json_t *root = json_object(), *backends = json_object(), *services = json_array();
	char when[32], *text;
	size_t i;

	rfc3339(v->now, when, sizeof when);
	json_object_set_new(root, "generated_at", json_string(when));
	for (i = 0; i < model_nbackends(m); i++) {
		const struct backend_state *b = model_backend_at(m, i);
		json_t *jb = json_object();

		json_object_set_new(jb, "ok", json_boolean(b->ok));
		json_object_set_new(jb, "latency_ms",
				    b->ok ? json_integer(b->latency_ms) : json_null());
		json_object_set_new(jb, "error",
				    b->ok ? json_null()
					  : json_string(b->err.msg[0] ? b->err.msg : "no answer"));
		if (b->last_ok > 0) {
			rfc3339(b->last_ok, when, sizeof when);
			json_object_set_new(jb, "last_ok", json_string(when));
		} else {
			json_object_set_new(jb, "last_ok", json_null());
		}
		json_object_set_new(backends, b->name, jb);
	}
	json_object_set_new(root, "backends", backends);
	for (i = 0; i < model_nservices(m); i++) {
		const struct service *s = model_service_at(m, i);
		json_t *js = json_object();

		json_object_set_new(js, "name", json_string(s->name));
		json_object_set_new(js, "status",
				    json_string(status_name(model_service_status(s, v->th, v->now,
										 v->stale_after))));
		json_object_set_new(js, "rps", num_or_null(s->value[METRIC_RPS]));
		json_object_set_new(js, "error_ratio", num_or_null(s->value[METRIC_ERRORS]));
		json_object_set_new(js, "p99_seconds", num_or_null(s->value[METRIC_P99]));
		json_object_set_new(js, "cpu_cores", num_or_null(s->value[METRIC_CPU]));
		json_object_set_new(
			js, "memory_bytes",
			isfinite(s->value[METRIC_MEMORY])
				? json_integer((json_int_t)llround(s->value[METRIC_MEMORY]))
				: json_null());
		if (s->rt.present) {
			json_t *jr = json_object();

			json_object_set_new(jr, "kind", json_string(s->rt.kind ? s->rt.kind : ""));
			json_object_set_new(jr, "context",
					    json_string(s->rt.context ? s->rt.context : ""));
			json_object_set_new(
				jr, "name",
				json_string(s->rt.runtime_name ? s->rt.runtime_name : ""));
			json_object_set_new(jr, "running",
					    s->rt.running >= 0 ? json_integer(s->rt.running)
							       : json_null());
			json_object_set_new(jr, "desired",
					    s->rt.desired >= 0 ? json_integer(s->rt.desired)
							       : json_null());
			json_object_set_new(jr, "version",
					    s->rt.version ? json_string(s->rt.version)
							  : json_null());
			json_object_set_new(jr, "restarts",
					    s->rt.restarts >= 0 ? json_integer(s->rt.restarts)
								: json_null());
			json_object_set_new(jr, "rollout_state",
					    s->rt.rollout_state ? json_string(s->rt.rollout_state)
								: json_null());
			json_object_set_new(jr, "message",
					    s->rt.message ? json_string(s->rt.message)
							  : json_null());
			if (s->rt.kind != NULL && strcmp(s->rt.kind, "k8s") == 0)
				k8s_json(jr, &s->rt);
			else if (s->rt.kind != NULL && strcmp(s->rt.kind, "ecs") == 0)
				ecs_json(jr, &s->rt);
			if (s->rt.deployed_at > 0) {
				rfc3339(s->rt.deployed_at, when, sizeof when);
				json_object_set_new(jr, "deployed_at", json_string(when));
			} else {
				json_object_set_new(jr, "deployed_at", json_null());
			}
			json_object_set_new(js, "runtime", jr);
		} else {
			json_object_set_new(js, "runtime", json_null());
		}
		json_array_append_new(services, js);
	}
	json_object_set_new(root, "services", services);
	text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
	buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
	json_decref(root);
}

static void
write_markdown(struct overview *ov, const struct view_ctx *v, struct buf *out)
{
	char when[32], line[ERR_MSG_MAX + 128];
	size_t i;

	rfc3339(v->now, when, sizeof when);
	buf_printf(out, "## opsdeck overview\n\nGenerated %s.\n\n", when);
	for (i = 0; i < model_nbackends(v->model); i++) {
		const struct backend_state *b = model_backend_at(v->model, i);
		char clean[sizeof line];

		frame_backend_text(b, v->now, line, sizeof line);
		text_sanitize(line, clean, sizeof clean);
		buf_printf(out, "- %s %s\n", b->ok ? "ok:" : "**failed:**", clean);
	}
	if (!v->prometheus && !v->docker)
		buf_puts(out,
			 "- no backend configured (set [prometheus] url or --prometheus URL)\n");
	buf_putc(out, '\n');
	overview_markdown(ov, v, out);
}

/* Whether a Kubernetes poller has not completed a round yet. */
static bool
k8s_waiting(struct k8s_poll *const *k8s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (k8s_poll_rounds(k8s[i]) == 0)
			return true;
	return false;
}

/* Whether an ECS poller has not completed a round yet. */
static bool
ecs_waiting(struct ecs_poll *const *ecs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ecs_poll_rounds(ecs[i]) == 0)
			return true;
	return false;
}

/*
 * The ECS clusters' first rounds: ticked with the rest of the snapshot's
 * wait; *due lowered to when one wants its next tick.
 */
static void
ecs_tick(struct ecs_poll *const *ecs, size_t n, double now, long *due)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ecs_poll_rounds(ecs[i]) == 0)
			ecs_poll_tick(ecs[i], now);
		if (ecs_poll_rounds(ecs[i]) == 0 && ecs_poll_next_due_ms(ecs[i], now) < *due)
			*due = ecs_poll_next_due_ms(ecs[i], now);
	}
}

/*
 * A cluster without a complete round by the deadline: failed with that,
 * unless it already says why (throttled, credentials).
 */
static void
ecs_timeouts(const struct snapshot_options *o, struct model *model, struct ecs_poll *const *ecs,
	     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct ecs_endpoint *x = ecs_poll_endpoint(ecs[i]);
		struct backend_state *b = model_backend(model, ecs_endpoint_backend(x));
		struct err te;
		char dur[32];

		if (ecs_poll_rounds(ecs[i]) > 0)
			continue;
		format_duration_ms(o->timeout_ms, dur, sizeof dur);
		if (b->err.code != ERR_OK)
			err_set(&te, b->err.code, "%.400s (no complete answer within %s)",
				b->err.msg, dur);
		else
			err_set(&te, ERR_TIMEOUT,
				"%s: no complete answer within %s from %s (raise --timeout or "
				"check "
				"[ecs] endpoint_url and the credentials)",
				ecs_endpoint_backend(x), dur, ecs_endpoint_url(x));
		model_backend_fail(model, ecs_endpoint_backend(x), &te, poller_wall_now());
	}
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
 * The Service detail's own requests, after the Overview's poll: runtime and
 * metrics first, then container stats for the instances the output shows
 * (the rows that fit the canvas for text and ansi, all for json and
 * markdown), sampled twice for CPU %.  Returns 2 when a detail request
 * failed or the deadline passed, else 0.
 */
static int
poll_detail(const struct snapshot_options *o, struct http *http, struct detail_poll *dp,
	    const struct detail_poll_settings *ds, struct detail *dt, const struct view_ctx *v,
	    double deadline, struct err *e)
{
	const struct detail_data *dd = detail_poll_data(dp);
	bool want_stats = false;
	int phase;

	for (phase = 0; phase < 2; phase++) {
		while (!detail_ready(dp, ds, want_stats) && !sig_quit) {
			struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
			double now = poller_mono_now();
			long left = (long)((deadline - now) * 1000.0), due;

			if (left <= 0)
				return 2;
			detail_poll_tick(dp, now);
			due = detail_poll_next_due_ms(dp, now);
			if (due < left)
				left = due;
			if (http_wait(http, &fd, 1, left > 200 ? 200 : (int)(left < 1 ? 1 : left),
				      e) < 0)
				return 2;
			http_perform(http);
		}
		if (phase == 1 || !ds->docker)
			break;
		if (o->format == SNAP_TEXT || o->format == SNAP_ANSI) {
			struct canvas *c = canvas_new(o->width, o->height);
			struct render_state rs;
			size_t from, to;

			memset(&rs, 0, sizeof rs);
			rs.detail = dt;
			rs.detail_data = dd;
			render_screen(c, v, &rs);
			canvas_free(c);
			detail_visible(dt, &from, &to);
			detail_poll_set_visible(dp, from, to);
			want_stats = to > from;
		} else {
			detail_poll_set_visible(dp, 0, dd->ninst);
			want_stats = dd->ninst > 0;
		}
	}
	return dd->runtime_err.code != ERR_OK || dd->metrics_err.code != ERR_OK ? 2 : 0;
}

int
snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e)
{
	const struct setup *s = o->setup;
	struct http *http;
	struct model *model;
	struct poller *poller;
	struct docker_poll *docker = NULL;
	struct k8s_poll **k8s = NULL;
	struct ecs_poll **ecs = NULL;
	struct overview *ov;
	struct view_ctx v;
	double start, deadline;
	int status = 0;
	size_t i;

	if (s->k8s_note[0] != '\0')
		fprintf(stderr, "opsdeck: %s\n", s->k8s_note);

	const char *detail_name = NULL;
	struct detail_poll *dp = NULL;
	struct detail *dt = NULL;
	struct detail_poll_settings ds;

	if (strcmp(o->screen, "logs") == 0)
		return logs_snapshot_run(o, out, e);
	if (traces_snapshot_screen(o->screen))
		return traces_snapshot_run(o, out, e);
	if (strncmp(o->screen, "service:", 8) == 0 && o->screen[8] != '\0')
		detail_name = o->screen + 8;
	else if (strcmp(o->screen, "overview") != 0)
		return err_set(e, ERR_USAGE,
			       "unknown --screen '%s' (available: overview, service:NAME, logs, "
			       "traces, trace:ID, topology)",
			       o->screen);
	http = http_new(e);
	if (http == NULL)
		return -1;
	http_set_debug_log(http, o->debug_log);
	model = model_new(s->poll.history, s->max_services);
	poller = poller_new(http, model, &s->poll);
	if (s->docker)
		docker = docker_poll_new(http, model, &s->docker_poll);
	if (s->nk8s > 0)
		k8s = xcalloc(s->nk8s, sizeof *k8s);
	for (i = 0; i < s->nk8s; i++) {
		struct k8s_poll_settings ks = s->k8s_poll;

		ks.ep = s->k8s[i];
		k8s[i] = k8s_poll_new(http, model, &ks);
	}
	if (s->necs > 0)
		ecs = xcalloc(s->necs, sizeof *ecs);
	for (i = 0; i < s->necs; i++) {
		struct ecs_poll_settings es = s->ecs_poll;

		es.ep = s->ecs[i];
		ecs[i] = ecs_poll_new(http, model, &es);
	}
	ov = overview_new();
	signals_install(0, NULL);

	start = poller_mono_now();
	deadline = start + (double)o->timeout_ms / 1000.0;
	/* Through ssh: the first round only once the tunnel is up (or ssh gave up). */
	if (docker != NULL && s->docker_tunnel != NULL)
		ssh_tunnel_wait(s->docker_tunnel, o->timeout_ms, sig_pipe_fd[0]);
	poller_tick(poller, start);
	if (docker != NULL)
		docker_poll_tick(docker, start);
	while (((s->poll.prometheus && poller_rounds(poller) == 0) ||
		(docker != NULL && docker_poll_rounds(docker) == 0) || k8s_waiting(k8s, s->nk8s) ||
		ecs_waiting(ecs, s->necs)) &&
	       !sig_quit) {
		struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
		double now = poller_mono_now();
		long left = (long)((deadline - now) * 1000.0), due = 200;

		if (left <= 0)
			break;
		/* Kubernetes: pages follow pages, and an exec plugin may run first. */
		for (i = 0; i < s->nk8s; i++) {
			if (k8s_poll_rounds(k8s[i]) == 0)
				k8s_poll_tick(k8s[i], now);
			if (k8s_poll_rounds(k8s[i]) == 0 && k8s_poll_next_due_ms(k8s[i], now) < due)
				due = k8s_poll_next_due_ms(k8s[i], now);
		}
		ecs_tick(ecs, s->necs, now, &due);
		if (due < left)
			left = due;
		if (http_wait(http, &fd, 1, left < 1 ? 1 : (int)left, e) < 0)
			break;
		http_perform(http);
	}
	if (s->poll.prometheus && poller_rounds(poller) == 0) {
		struct err te;
		char dur[32];

		format_duration_ms(o->timeout_ms, dur, sizeof dur);
		err_set(&te, ERR_TIMEOUT,
			"prometheus: no complete answer within %s from %s (raise --timeout or "
			"check [prometheus] url)",
			dur, s->poll.prom_ep.url);
		model_backend_fail(model, "prometheus", &te, poller_wall_now());
	}
	if (docker != NULL && docker_poll_rounds(docker) == 0) {
		struct err te;
		char dur[32];

		format_duration_ms(o->timeout_ms, dur, sizeof dur);
		err_set(&te, ERR_TIMEOUT,
			"docker: no complete answer within %s from %s (raise --timeout or check "
			"[docker] host)",
			dur, s->docker_poll.ep.url);
		model_backend_fail(model, "docker", &te, poller_wall_now());
	}
	for (i = 0; i < s->nk8s; i++) {
		struct err te;
		char dur[32];

		if (k8s_poll_rounds(k8s[i]) > 0)
			continue;
		format_duration_ms(o->timeout_ms, dur, sizeof dur);
		err_set(&te, ERR_TIMEOUT,
			"%s: no complete answer within %s from %s (raise --timeout or check the "
			"context in the kubeconfig)",
			k8s_endpoint_backend(s->k8s[i]), dur, k8s_endpoint_server(s->k8s[i]));
		model_backend_fail(model, k8s_endpoint_backend(s->k8s[i]), &te, poller_wall_now());
	}
	ecs_timeouts(o, model, ecs, s->necs);
	for (i = 0; i < model_nbackends(model); i++)
		if (!model_backend_at(model, i)->ok)
			status = 2;

	memset(&v, 0, sizeof v);
	v.model = model;
	v.th = &s->th;
	v.now = poller_wall_now();
	v.stale_after = 3.0 * (double)s->poll.refresh_ms / 1000.0;
	v.ascii = o->ascii;
	v.prometheus = s->poll.prometheus;
	v.docker = s->docker || s->nk8s > 0 || s->necs > 0; /* a container runtime */
	v.config_path = s->config_path;

	if (detail_name != NULL) {
		struct service *svc = model_service(model, detail_name, false);

		if (svc == NULL) {
			status = err_set(e, ERR_USAGE,
					 "no service named '%s' answered (--screen overview lists "
					 "them)",
					 detail_name);
			goto done;
		}
		dp = detail_poll_new(http);
		detail_poll_settings_from(&ds, s, svc);
		detail_poll_open(dp, &ds);
		dt = detail_new(svc->name);
		/* Its own deadline: the Overview's poll may have used the first one. */
		if (poll_detail(o, http, dp, &ds, dt, &v,
				poller_mono_now() + (double)o->timeout_ms / 1000.0, e) != 0)
			status = 2;
		v.now = poller_wall_now();
	}

	switch (o->format) {
	case SNAP_TEXT:
	case SNAP_ANSI: {
		struct canvas *c = canvas_new(o->width, o->height);
		struct render_state rs;

		memset(&rs, 0, sizeof rs);
		rs.overview = ov;
		rs.detail = dt;
		rs.detail_data = dp != NULL ? detail_poll_data(dp) : NULL;
		c->ascii = o->ascii;
		render_screen(c, &v, &rs);
		if (o->format == SNAP_TEXT)
			canvas_write_text(c, out);
		else
			canvas_write_ansi(c, out, o->color);
		canvas_free(c);
		break;
	}
	case SNAP_MARKDOWN:
		if (dt != NULL)
			detail_markdown(dt, &v, detail_poll_data(dp), out);
		else
			write_markdown(ov, &v, out);
		break;
	case SNAP_JSON:
		if (dt != NULL)
			detail_json_write(&v, detail_service(dt), detail_poll_data(dp), out);
		else
			write_json(model, &v, out);
		break;
	}
done:
	detail_free(dt);
	overview_free(ov);
	docker_poll_free(docker);
	for (i = 0; i < s->nk8s; i++)
		k8s_poll_free(k8s[i]);
	free(k8s);
	for (i = 0; i < s->necs; i++)
		ecs_poll_free(ecs[i]);
	free(ecs);
	poller_free(poller);
	http_free(http);
	detail_poll_free(dp); /* after http: it owns the records of requests in flight */
	model_free(model);
	return status;
}
