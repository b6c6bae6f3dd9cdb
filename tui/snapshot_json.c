/*
 * snapshot_json.c - the snapshot's JSON: one envelope of a documented,
 * versioned schema (man/opsdeck.1, SNAPSHOT JSON)
 *   {"schema": 1, "generated_at", "env", "backends": {NAME: {"ok",
 *    "latency_ms", "last_ok", "error"}}, "screens": {KEY: {...}}}
 * with one object per screen, keyed by the --screen value that prints it.
 * Within schema 1 fields are added, never renamed or removed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts_snapshot.h"
#include "detail_json.h"
#include "k8s_poll.h"
#include "logs_snapshot.h"
#include "snapshot_internal.h"
#include "traces_snapshot.h"

void
snapshot_rfc3339(double t, bool ms, char *out, size_t n)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms) {
		int m = (int)floor((t - floor(t)) * 1000.0 + 0.5);

		snprintf(out, n, "%s.%03dZ", s, m > 999 ? 999 : m);
	} else {
		snprintf(out, n, "%sZ", s);
	}
}

json_t *
snapshot_json_str(const char *s)
{
	json_t *j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

static json_t *
when_or_null(double t)
{
	char s[40];

	if (t <= 0)
		return json_null();
	snapshot_rfc3339(t, false, s, sizeof s);
	return json_string(s);
}

static json_t *
num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
count_or_null(long n)
{
	return n >= 0 ? json_integer(n) : json_null();
}

void
snapshot_json_dump(const json_t *root, struct buf *out)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));

	buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
}

json_t *
snapshot_json_envelope(const struct snap_data *d)
{
	const struct model *m = d->v->model;
	json_t *root = json_object(), *backends = json_object();
	size_t i;

	json_object_set_new(root, "schema", json_integer(SNAPSHOT_SCHEMA));
	json_object_set_new(root, "generated_at", when_or_null(d->v->now));
	json_object_set_new(root, "env", snapshot_json_str(d->v->env_name));
	for (i = 0; i < model_nbackends(m); i++) {
		const struct backend_state *b = model_backend_at(m, i);
		json_t *jb = json_object();

		json_object_set_new(jb, "ok", json_boolean(b->ok));
		json_object_set_new(jb, "latency_ms",
				    b->ok ? json_integer(b->latency_ms) : json_null());
		json_object_set_new(jb, "last_ok", when_or_null(b->last_ok));
		json_object_set_new(
			jb, "error",
			b->ok ? json_null()
			      : snapshot_json_str(b->err.msg[0] ? b->err.msg : "no answer"));
		json_object_set_new(backends, b->name, jb);
	}
	json_object_set_new(root, "backends", backends);
	json_object_set_new(root, "screens", json_object());
	return root;
}

/* What a Kubernetes row adds: its kind, namespace and revision. */
static void
k8s_json(json_t *jr, const struct runtime_state *rt)
{
	char ns[256], name[256];
	bool sts = false;

	if (k8s_row_id_parse(rt->id, ns, sizeof ns, &sts, name, sizeof name)) {
		json_object_set_new(jr, "namespace", snapshot_json_str(ns));
		json_object_set_new(jr, "workload",
				    json_string(sts ? "StatefulSet" : "Deployment"));
	}
	json_object_set_new(jr, "revision", snapshot_json_str(rt->revision));
}

/* What an ECS row adds: its cluster, launch type, pending tasks and rollback target. */
static void
ecs_json(json_t *jr, const struct runtime_state *rt)
{
	json_object_set_new(jr, "cluster", snapshot_json_str(rt->context ? rt->context : ""));
	json_object_set_new(jr, "arn", snapshot_json_str(rt->id ? rt->id : ""));
	json_object_set_new(jr, "launch_type", snapshot_json_str(rt->platform));
	json_object_set_new(jr, "pending", json_integer(rt->pending));
	json_object_set_new(jr, "previous", snapshot_json_str(rt->previous));
	json_object_set_new(jr, "problem",
			    rt->problem != STATUS_OK ? json_string(status_name(rt->problem))
						     : json_null());
}

static json_t *
runtime_json(const struct runtime_state *rt)
{
	json_t *jr = json_object();

	json_object_set_new(jr, "kind", snapshot_json_str(rt->kind ? rt->kind : ""));
	json_object_set_new(jr, "context", snapshot_json_str(rt->context ? rt->context : ""));
	json_object_set_new(jr, "name",
			    snapshot_json_str(rt->runtime_name ? rt->runtime_name : ""));
	json_object_set_new(jr, "running", count_or_null(rt->running));
	json_object_set_new(jr, "desired", count_or_null(rt->desired));
	json_object_set_new(jr, "version", snapshot_json_str(rt->version));
	json_object_set_new(jr, "restarts", count_or_null(rt->restarts));
	json_object_set_new(jr, "rollout_state", snapshot_json_str(rt->rollout_state));
	json_object_set_new(jr, "message", snapshot_json_str(rt->message));
	if (rt->kind != NULL && strcmp(rt->kind, "k8s") == 0)
		k8s_json(jr, rt);
	else if (rt->kind != NULL && strcmp(rt->kind, "ecs") == 0)
		ecs_json(jr, rt);
	json_object_set_new(jr, "deployed_at", when_or_null(rt->deployed_at));
	return jr;
}

/* The Overview: {"services": [{name, status, rps, error_ratio, ..., runtime}]}. */
static json_t *
overview_json(const struct view_ctx *v)
{
	json_t *root = json_object(), *services = json_array();
	size_t i;

	for (i = 0; i < model_nservices(v->model); i++) {
		const struct service *s = model_service_at(v->model, i);
		json_t *js = json_object();

		json_object_set_new(js, "name", snapshot_json_str(s->name));
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
		json_object_set_new(js, "alerts_firing", json_integer(s->alerts_firing));
		json_object_set_new(js, "runtime",
				    s->rt.present ? runtime_json(&s->rt) : json_null());
		json_array_append_new(services, js);
	}
	json_object_set_new(root, "services", services);
	json_object_set_new(root, "dropped_services",
			    json_integer((json_int_t)model_dropped_services(v->model)));
	return root;
}

/*
 * The Service detail: detail_json_write's object without its own
 * generated_at and backends (the envelope has them).
 */
static json_t *
detail_obj(const struct snap_data *d)
{
	struct buf b;
	json_t *j;

	buf_init(&b);
	detail_json_write(d->v, d->service, d->detail, &b);
	j = json_loadb(b.data, b.len, 0, NULL);
	buf_done(&b);
	if (j == NULL)
		return json_pack("{s:o,s:n}", "name", snapshot_json_str(d->service), "status");
	json_object_del(j, "generated_at");
	json_object_del(j, "backends");
	return j;
}

json_t *
snapshot_json_screen(enum snap_screen w, const struct snap_data *d)
{
	switch (w) {
	case SNAP_SCREEN_SERVICE:
		return detail_obj(d);
	case SNAP_SCREEN_LOGS:
		return d->logs != NULL ? logs_snapshot_json(d->logs) : json_object();
	case SNAP_SCREEN_TRACES:
		return d->traces != NULL ? traces_snapshot_list_json(d->traces) : json_object();
	case SNAP_SCREEN_TRACE:
		return d->trace != NULL ? traces_snapshot_trace_json(d->trace) : json_object();
	case SNAP_SCREEN_TOPOLOGY:
		return d->topology != NULL ? traces_snapshot_topology_json(d->topology)
					   : json_object();
	case SNAP_SCREEN_ALERTS:
		return alerts_snapshot_json_object(d->v->model, d->alerts);
	default:
		return overview_json(d->v);
	}
}
