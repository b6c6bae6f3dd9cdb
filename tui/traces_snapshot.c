#include "traces_snapshot.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace.h"
#include "zipkin.h"

static void
rfc3339_us(int64_t us, char *out, size_t n)
{
	time_t tt = (time_t)(us / 1000000);
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", s, (int)((us % 1000000) / 1000));
}

/* A JSON string, or null for text jansson refuses (invalid UTF-8 from the backend). */
static json_t *
str_or_null(const char *s)
{
	json_t *j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

static json_t *
err_json(const struct err *e)
{
	return e->code != ERR_OK ? json_string(e->msg) : json_null();
}

json_t *
traces_snapshot_list_json(const struct traces_list *l)
{
	json_t *root = json_object(), *arr = json_array();
	char when[48];
	size_t i, j;

	json_object_set_new(root, "search", json_string(l->search));
	json_object_set_new(root, "lookback_seconds", json_real(l->lookback_s));
	json_object_set_new(root, "error", err_json(&l->err));
	for (i = 0; i < l->n; i++) {
		const struct zk_trace_summary *t = &l->items[i];
		json_t *o = json_object(), *svcs = json_array();

		rfc3339_us(t->start_us, when, sizeof when);
		json_object_set_new(o, "trace_id", json_string(t->trace_id));
		json_object_set_new(o, "start", json_string(when));
		json_object_set_new(o, "duration_ms", json_real((double)t->duration_us / 1000.0));
		json_object_set_new(o, "spans", json_integer((json_int_t)t->nspans));
		json_object_set_new(o, "root_service", str_or_null(t->root_service));
		json_object_set_new(o, "root_span", str_or_null(t->root_name));
		for (j = 0; j < t->nservices; j++)
			json_array_append_new(svcs, str_or_null(t->services[j]));
		json_object_set_new(o, "services", svcs);
		json_object_set_new(o, "errors", json_integer((json_int_t)t->nerrors));
		json_object_set_new(o, "too_big", json_boolean(t->too_big));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "traces", arr);
	return root;
}

json_t *
traces_snapshot_trace_json(const struct trace_data *d)
{
	json_t *root = json_object(), *arr = json_array();
	const struct trace *t = d->trace;
	char when[48];
	size_t i;

	json_object_set_new(root, "trace_id", json_string(d->trace_id));
	json_object_set_new(root, "error", err_json(&d->err));
	if (t != NULL) {
		int64_t us = 0;
		const char *cs = trace_critical_service(t, &us);

		rfc3339_us(t->start_us, when, sizeof when);
		json_object_set_new(root, "start", json_string(when));
		json_object_set_new(root, "duration_ms",
				    json_real((double)t->duration_us / 1000.0));
		json_object_set_new(root, "spans_total", json_integer((json_int_t)t->nspans));
		json_object_set_new(root, "orphans", json_integer((json_int_t)t->norphans));
		json_object_set_new(root, "skew_corrected", json_integer((json_int_t)t->nskewed));
		json_object_set_new(root, "critical_service", str_or_null(cs));
		json_object_set_new(root, "critical_service_ms", json_real((double)us / 1000.0));
		for (i = 0; i < t->nnodes; i++) {
			const struct trace_node *nd = &t->nodes[i];
			const struct zk_span *sp = trace_span(t, (int)i);
			json_t *o = json_object();

			json_object_set_new(o, "id",
					    sp != NULL ? json_string(sp->id) : json_null());
			json_object_set_new(o, "parent_id",
					    sp != NULL && sp->parent_id[0]
						    ? json_string(sp->parent_id)
						    : json_null());
			json_object_set_new(o, "depth", json_integer(nd->depth));
			json_object_set_new(o, "service", str_or_null(nd->service));
			json_object_set_new(o, "name",
					    sp != NULL ? str_or_null(sp->name)
						       : json_string("(missing parent)"));
			json_object_set_new(
				o, "kind",
				json_string(sp != NULL ? zipkin_kind_name(sp->kind) : ""));
			json_object_set_new(o, "start_ms",
					    json_real((double)nd->start_us / 1000.0));
			json_object_set_new(o, "duration_ms",
					    json_real((double)nd->dur_us / 1000.0));
			json_object_set_new(o, "self_ms", json_real((double)nd->self_us / 1000.0));
			json_object_set_new(o, "critical_ms",
					    json_real((double)nd->crit_us / 1000.0));
			json_object_set_new(o, "error", json_boolean(nd->error));
			json_object_set_new(o, "orphan", json_boolean(nd->orphan));
			json_object_set_new(o, "skew_ms", json_real((double)nd->skew_us / 1000.0));
			json_object_set_new(o, "exceeds_parent", json_boolean(nd->exceeds_parent));
			json_array_append_new(arr, o);
		}
	}
	json_object_set_new(root, "spans", arr);
	return root;
}

json_t *
traces_snapshot_topology_json(const struct topology_data *d)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(root, "range_seconds", json_real(d->lookback_s));
	json_object_set_new(root, "error", err_json(&d->err));
	for (i = 0; i < d->nlinks; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "parent", str_or_null(d->links[i].parent));
		json_object_set_new(o, "child", str_or_null(d->links[i].child));
		json_object_set_new(o, "calls", json_integer(d->links[i].calls));
		json_object_set_new(o, "errors", json_integer(d->links[i].errors));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "links", arr);
	json_object_set_new(root, "crossings",
			    d->layout != NULL ? json_integer((json_int_t)d->layout->crossings)
					      : json_null());
	return root;
}
