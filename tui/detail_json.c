#include "detail_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
count(long n)
{
	return n >= 0 ? json_integer(n) : json_null();
}

/* RFC 3339 UTC, or null for 0 (unknown). */
static json_t *
when(double t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	if (t <= 0)
		return json_null();
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(s);
}

/* "" (none) as null. */
static json_t *
str(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
runtime_obj(const struct runtime_state *rt)
{
	json_t *j;

	if (!rt->present)
		return json_null();
	j = json_object();
	json_object_set_new(j, "kind", str(rt->kind));
	json_object_set_new(j, "context", str(rt->context));
	json_object_set_new(j, "name", str(rt->runtime_name));
	json_object_set_new(j, "running", count(rt->running));
	json_object_set_new(j, "desired", count(rt->desired));
	json_object_set_new(j, "version", str(rt->version));
	json_object_set_new(j, "deployed_at", when(rt->deployed_at));
	json_object_set_new(j, "restarts", count(rt->restarts));
	json_object_set_new(j, "crash_looping", json_boolean(rt->crash_looping));
	return j;
}

static json_t *
instance_obj(const struct detail_instance *in)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(in->id));
	json_object_set_new(j, "container_id", str(in->container_id));
	json_object_set_new(j, "name", str(in->name));
	json_object_set_new(j, "slot", in->slot > 0 ? json_integer(in->slot) : json_null());
	json_object_set_new(j, "state", json_string(in->state));
	json_object_set_new(j, "desired_state", str(in->desired));
	json_object_set_new(j, "health", str(in->health));
	json_object_set_new(j, "node", str(in->node));
	json_object_set_new(j, "version", str(in->version));
	json_object_set_new(j, "created_at", when(in->created));
	json_object_set_new(j, "restarts", count(in->restarts));
	json_object_set_new(j, "cpu_percent", num(in->cpu_pct));
	json_object_set_new(j, "memory_bytes",
			    isfinite(in->mem_used) ? json_integer((json_int_t)llround(in->mem_used))
						   : json_null());
	json_object_set_new(j, "memory_limit_bytes",
			    isfinite(in->mem_limit) && in->mem_limit > 0
				    ? json_integer((json_int_t)llround(in->mem_limit))
				    : json_null());
	json_object_set_new(j, "error", str(in->error));
	return j;
}

static json_t *
points(const struct detail_series *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < s->n; i++)
		json_array_append_new(a, json_pack("[fo]", s->t[i], num(s->v[i])));
	return a;
}

static json_t *
backends_obj(const struct model *m)
{
	json_t *j = json_object();
	size_t i;

	for (i = 0; i < model_nbackends(m); i++) {
		const struct backend_state *b = model_backend_at(m, i);
		json_t *jb = json_object();

		json_object_set_new(jb, "ok", json_boolean(b->ok));
		json_object_set_new(jb, "error",
				    b->ok ? json_null()
					  : json_string(b->err.msg[0] ? b->err.msg : "no answer"));
		json_object_set_new(j, b->name, jb);
	}
	return j;
}

/* A Kubernetes workload's part: its pods, revisions and events (empty before an answer). */
static void
set_k8s(json_t *root, const struct detail_data *dd)
{
	const struct detail_k8s *k =
		dd != NULL && dd->have_runtime && dd->k8s.present ? &dd->k8s : NULL;
	json_t *pods = json_array(), *revs = json_array(), *evs = json_array();
	size_t i;

	json_object_set_new(
		root, "workload",
		k == NULL ? json_null()
			  : json_pack("{s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:b,s:b}", "kind", k->kind,
				      "namespace", k->ns, "revision", str(k->revision),
				      "update_revision", str(k->update_revision), "replicas",
				      (json_int_t)k->replicas, "ready", (json_int_t)k->ready,
				      "updated", (json_int_t)k->updated, "available",
				      (json_int_t)k->available, "paused", k->paused, "more_pods",
				      k->more_pods));
	for (i = 0; k != NULL && i < k->npods; i++) {
		const struct detail_pod *p = &k->pods[i];

		json_array_append_new(
			pods, json_pack("{s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o}", "name",
					p->name, "phase", p->phase, "ready", (json_int_t)p->ready,
					"containers", (json_int_t)p->containers, "restarts",
					(json_int_t)p->restarts, "node", str(p->node), "started_at",
					when(p->started), "reason", str(p->reason), "last_exit",
					str(p->last_exit), "revision", str(p->revision)));
	}
	for (i = 0; k != NULL && i < k->nrevs; i++) {
		const struct detail_revision *r = &k->revs[i];

		json_array_append_new(revs, json_pack("{s:o,s:s,s:s,s:o,s:o,s:o,s:b,s:b}",
						      "revision", str(r->revision), "name", r->name,
						      "images", r->images, "replicas",
						      count(r->replicas), "ready", count(r->ready),
						      "created_at", when(r->created), "current",
						      r->current, "rollback_target", r->rollback));
	}
	for (i = 0; k != NULL && i < k->nevents; i++) {
		const struct detail_event *e = &k->events[i];

		json_array_append_new(
			evs, json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "type", e->type, "reason",
				       e->reason, "object", e->object, "message", e->message,
				       "count", (json_int_t)e->count, "last_seen", when(e->last)));
	}
	json_object_set_new(root, "pods", pods);
	json_object_set_new(root, "revisions", revs);
	json_object_set_new(root, "events", evs);
	json_object_set_new(root, "events_error",
			    k != NULL && k->events_err.code != ERR_OK
				    ? json_string(k->events_err.msg)
				    : json_null());
}

/*
 * A string from the runtime as JSON: jansson refuses invalid UTF-8 (a
 * parser never hands us any, but records can be built by hand), so such
 * text goes out as the screen shows it.  "" as null unless keep_empty.
 */
static json_t *
text(const char *s, bool keep_empty)
{
	json_t *j;
	char clean[1024];

	if (s == NULL || (s[0] == '\0' && !keep_empty))
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	text_sanitize(s, clean, sizeof clean);
	return json_string(clean);
}

/* An ECS service's part: tasks, deployments, revisions, target groups, events. */
static void
set_ecs(json_t *root, const struct detail_data *dd)
{
	const struct detail_ecs *e =
		dd != NULL && dd->have_runtime && dd->ecs.present ? &dd->ecs : NULL;
	json_t *tasks = json_array(), *deps = json_array(), *revs = json_array(),
	       *tgs = json_array(), *evs = json_array();
	size_t i;

	json_object_set_new(
		root, "ecs_service",
		e == NULL ? json_null()
			  : json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:o,s:b}",
				      "cluster", text(e->cluster, true), "region",
				      text(e->region, false), "status", text(e->status, false),
				      "task_definition", text(e->family_revision, false),
				      "launch_type", text(e->launch_type, false), "desired",
				      (json_int_t)e->desired, "running", (json_int_t)e->running,
				      "pending", (json_int_t)e->pending, "deployed_at",
				      when(e->deployed), "rollout_state",
				      text(e->rollout_state, false), "rollout_reason",
				      text(e->rollout_reason, false), "more_tasks", e->more_tasks));
	for (i = 0; e != NULL && i < e->ntasks; i++) {
		const struct detail_ecs_task *t = &e->tasks[i];

		json_array_append_new(
			tasks,
			json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o}", "id",
				  text(t->id, true), "last_status", text(t->last_status, true),
				  "desired_status", text(t->desired, false), "health",
				  text(t->health, false), "revision", text(t->revision, false),
				  "availability_zone", text(t->az, false), "exit_codes",
				  text(t->exits, false), "stopped_reason", text(t->reason, false),
				  "failed", t->failed, "created_at", when(t->created), "started_at",
				  when(t->started), "stopped_at", when(t->stopped)));
	}
	for (i = 0; e != NULL && i < e->ndeps; i++) {
		const struct detail_ecs_deployment *d = &e->deps[i];

		json_array_append_new(
			deps,
			json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "status",
				  text(d->status, true), "task_definition",
				  text(d->task_definition, true), "desired", (json_int_t)d->desired,
				  "running", (json_int_t)d->running, "pending",
				  (json_int_t)d->pending, "failed", (json_int_t)d->failed,
				  "rollout_state", text(d->rollout_state, false), "rollout_reason",
				  text(d->rollout_reason, false), "created_at", when(d->created),
				  "updated_at", when(d->updated)));
	}
	for (i = 0; e != NULL && i < e->nrevs; i++) {
		const struct detail_revision *r = &e->revs[i];

		json_array_append_new(revs, json_pack("{s:o,s:o,s:o,s:o,s:b,s:b}", "revision",
						      text(r->revision, false), "task_definition",
						      text(r->name, true), "images",
						      text(r->images, false), "registered_at",
						      when(r->created), "current", r->current,
						      "rollback_target", r->rollback));
	}
	for (i = 0; e != NULL && i < e->ntarget_groups; i++) {
		char name[256];

		detail_data_target_group_name(e->target_groups[i], name, sizeof name);
		json_array_append_new(tgs, json_pack("{s:o,s:o}", "name", text(name, true), "arn",
						     text(e->target_groups[i], true)));
	}
	for (i = 0; e != NULL && i < e->nevents; i++) {
		const struct detail_event *ev = &e->events[i];

		json_array_append_new(evs, json_pack("{s:o,s:o,s:b}", "created_at", when(ev->last),
						     "message", text(ev->message, true), "warning",
						     strcmp(ev->type, "Warning") == 0));
	}
	json_object_set_new(root, "tasks", tasks);
	json_object_set_new(root, "deployments", deps);
	json_object_set_new(root, "revisions", revs);
	json_object_set_new(root, "target_groups", tgs);
	json_object_set_new(root, "events", evs);
	json_object_set_new(root, "revisions_error",
			    e != NULL && e->revs_err.code != ERR_OK ? json_string(e->revs_err.msg)
								    : json_null());
}

static void
set_detail(json_t *root, const struct service *svc, const struct detail_data *dd)
{
	json_t *dep, *cur, *prev, *insts, *charts;
	size_t i;

	if (dd == NULL || !dd->have_runtime) {
		json_object_set_new(root, "rollout",
				    svc->rt.rollout_state
					    ? json_pack("{s:s,s:o}", "state", svc->rt.rollout_state,
							"message", str(svc->rt.message))
					    : json_null());
		json_object_set_new(root, "failed_task", json_null());
		json_object_set_new(root, "deployment", json_null());
		json_object_set_new(root, "instances", json_array());
	} else {
		json_object_set_new(root, "rollout",
				    dd->update_state[0]
					    ? json_pack("{s:s,s:o,s:o,s:o}", "state",
							dd->update_state, "message",
							str(dd->update_message), "started_at",
							when(dd->update_started), "completed_at",
							when(dd->update_completed))
					    : json_null());
		json_object_set_new(root, "failed_task",
				    dd->task_error[0]
					    ? json_pack("{s:s,s:o}", "error", dd->task_error, "at",
							when(dd->task_error_at))
					    : json_null());
		dep = json_object();
		cur = json_pack("{s:o,s:o}", "image", str(dd->image), "version", str(dd->tag));
		prev = dd->prev_image[0] ? json_pack("{s:s,s:o}", "image", dd->prev_image,
						     "version", str(dd->prev_tag))
					 : json_null();
		json_object_set_new(dep, "current", cur);
		json_object_set_new(dep, "previous", prev);
		json_object_set_new(root, "deployment", dep);
		insts = json_array();
		for (i = 0; i < dd->ninst; i++)
			json_array_append_new(insts, instance_obj(&dd->inst[i]));
		json_object_set_new(root, "instances", insts);
	}
	if (svc->rt.present && svc->rt.kind != NULL && strcmp(svc->rt.kind, "k8s") == 0)
		set_k8s(root, dd);
	if (svc->rt.present && svc->rt.kind != NULL && strcmp(svc->rt.kind, "ecs") == 0)
		set_ecs(root, dd);
	if (dd != NULL && dd->runtime_err.code != ERR_OK)
		json_object_set_new(root, "runtime_error", json_string(dd->runtime_err.msg));
	charts = json_object();
	json_object_set_new(charts, "range_seconds", json_real(dd ? dd->range_s : 3600.0));
	json_object_set_new(charts, "step_seconds", dd ? json_real(dd->step_s) : json_null());
	json_object_set_new(charts, "start", dd ? when(dd->t0) : json_null());
	json_object_set_new(charts, "end", dd ? when(dd->t1) : json_null());
	json_object_set_new(charts, "error",
			    dd && dd->metrics_err.code != ERR_OK ? json_string(dd->metrics_err.msg)
								 : json_null());
	json_object_set_new(charts, "rps", dd ? points(&dd->series[DETAIL_RPS]) : json_array());
	json_object_set_new(charts, "error_ratio",
			    dd ? points(&dd->series[DETAIL_ERRORS]) : json_array());
	json_object_set_new(charts, "p99_seconds",
			    dd ? points(&dd->series[DETAIL_P99]) : json_array());
	json_object_set_new(root, "charts", charts);
}

void
detail_json_write(const struct view_ctx *v, const char *service, const struct detail_data *dd,
		  struct buf *out)
{
	const struct service *svc = model_service((struct model *)v->model, service, false);
	json_t *root = json_object(), *vals;
	char *text;

	json_object_set_new(root, "generated_at", when(v->now));
	json_object_set_new(root, "name", json_string(service));
	if (svc == NULL) {
		json_object_set_new(root, "status", json_null());
	} else {
		json_object_set_new(root, "status",
				    json_string(status_name(model_service_status(svc, v->th, v->now,
										 v->stale_after))));
		vals = json_object();
		json_object_set_new(vals, "rps", num(svc->value[METRIC_RPS]));
		json_object_set_new(vals, "error_ratio", num(svc->value[METRIC_ERRORS]));
		json_object_set_new(vals, "p99_seconds", num(svc->value[METRIC_P99]));
		json_object_set_new(vals, "cpu_cores", num(svc->value[METRIC_CPU]));
		json_object_set_new(vals, "memory_bytes", num(svc->value[METRIC_MEMORY]));
		json_object_set_new(root, "values", vals);
		json_object_set_new(root, "runtime", runtime_obj(&svc->rt));
		set_detail(root, svc, dd);
	}
	json_object_set_new(root, "backends", backends_obj(v->model));
	text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
	buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
	json_decref(root);
}
