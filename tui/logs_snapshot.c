#include "logs_snapshot.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logs_range.h"

static void
rfc3339_ms(double t, char *out, size_t n)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	char s[32];
	int ms = (int)floor((t - floor(t)) * 1000.0 + 0.5);

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", s, ms > 999 ? 999 : ms);
}

/* A JSON string, or null for text jansson refuses (invalid UTF-8 from the backend). */
static json_t *
str_or_null(const char *s)
{
	json_t *j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

json_t *
logs_snapshot_json(const struct logs_data *d)
{
	json_t *root = json_object(), *hits = json_array();
	char when[48], range[96];
	size_t i;

	logs_range_describe(&d->range, d->utc, range, sizeof range);
	json_object_set_new(root, "query", str_or_null(d->query));
	json_object_set_new(root, "range", json_string(range));
	json_object_set_new(root, "total", d->total >= 0 ? json_integer(d->total) : json_null());
	json_object_set_new(root, "total_is_lower_bound", json_boolean(d->total_lower_bound));
	json_object_set_new(root, "error",
			    d->err.code != ERR_OK ? json_string(d->err.msg) : json_null());
	for (i = 0; d->lines != NULL && i < logbuf_len(d->lines); i++) {
		const struct es_hit *h = &logbuf_at(d->lines, i)->hit;
		json_t *jh = json_object();

		rfc3339_ms(h->t, when, sizeof when);
		json_object_set_new(jh, "time", json_string(when));
		json_object_set_new(jh, "level", str_or_null(h->level));
		json_object_set_new(jh, "service", str_or_null(h->service));
		json_object_set_new(jh, "message", str_or_null(h->message));
		json_object_set_new(jh, "trace_id",
				    h->trace_id[0] ? json_string(h->trace_id) : json_null());
		json_array_append_new(hits, jh);
	}
	json_object_set_new(root, "hits", hits);
	return root;
}
