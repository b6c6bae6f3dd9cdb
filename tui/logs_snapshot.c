#include "logs_snapshot.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canvas.h"
#include "http.h"
#include "logs_poll.h"
#include "model.h"
#include "poller.h"
#include "render.h"
#include "screens/logs.h"
#include "signals.h"

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
	json_t *j = json_string(s);

	return j != NULL ? j : json_null();
}

static void
write_json(const struct logs_data *d, struct buf *out)
{
	json_t *root = json_object(), *hits = json_array();
	char when[48], range[96], *text;
	size_t i;

	logs_range_describe(&d->range, d->utc, range, sizeof range);
	json_object_set_new(root, "query", json_string(d->query));
	json_object_set_new(root, "range", json_string(range));
	json_object_set_new(root, "total", d->total >= 0 ? json_integer(d->total) : json_null());
	json_object_set_new(root, "total_is_lower_bound", json_boolean(d->total_lower_bound));
	json_object_set_new(root, "error",
			    d->err.code != ERR_OK ? json_string(d->err.msg) : json_null());
	for (i = 0; i < logbuf_len(d->lines); i++) {
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
	text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
	json_decref(root);
}

int
logs_snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e)
{
	const struct setup *s = o->setup;
	struct logs_range range;
	struct http *http;
	struct model *model;
	struct logs_poll *lp;
	struct logs *screen;
	const struct logs_data *d;
	struct view_ctx v;
	double deadline;
	unsigned long hist = 0, hits = 0, errs = 0;
	int status = 0;

	if (!s->logs.enabled)
		return err_set(e, ERR_USAGE,
			       "--screen logs needs Elasticsearch: set [elasticsearch] url, "
			       "OPSDECK_ELASTICSEARCH_URL or --elasticsearch URL");
	memset(&range, 0, sizeof range);
	range.since_s = s->logs.default_range_s > 0 ? s->logs.default_range_s : 900;
	if (o->since != NULL && logs_range_parse_since(o->since, &range, e) < 0)
		return -1;
	http = http_new(e);
	if (http == NULL)
		return -1;
	http_set_debug_log(http, o->debug_log);
	model = model_new(2, 1);
	lp = logs_poll_new(http, NULL, &s->logs);
	screen = logs_new();
	signals_install(0, NULL);
	logs_poll_open(lp, o->query, &range);
	logs_poll_set_width(lp, o->width > 30 ? o->width - 8 : 60);
	logs_set_query(screen, o->query);
	deadline = poller_mono_now() + (double)o->timeout_ms / 1000.0;
	while ((hist == 0 || hits == 0) && !sig_quit) {
		struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
		double now = poller_mono_now();
		long left = (long)((deadline - now) * 1000.0);

		d = logs_poll_data(lp);
		if (left <= 0 || (d->err.code != ERR_OK && logs_poll_inflight(lp) == 0))
			break;
		logs_poll_tick(lp, now);
		if (http_wait(http, &fd, 1, left > 200 ? 200 : (int)left, e) < 0)
			break;
		http_perform(http);
		logs_poll_rounds(lp, &hist, &hits, &errs);
	}
	d = logs_poll_data(lp);
	if (hist == 0 || hits == 0 || d->err.code != ERR_OK) {
		status = 2;
		if (d->err.code == ERR_OK) {
			struct err te;

			err_set(&te, ERR_TIMEOUT,
				"elasticsearch: no complete answer in time from %s (raise "
				"--timeout)",
				s->logs.ep.url);
			model_backend_fail(model, "elasticsearch", &te, poller_wall_now());
		} else {
			model_backend_fail(model, "elasticsearch", &d->err, poller_wall_now());
		}
	} else {
		model_backend_ok(model, "elasticsearch", 0, poller_wall_now());
	}
	memset(&v, 0, sizeof v);
	v.model = model;
	v.th = &s->th;
	v.now = poller_wall_now();
	v.ascii = o->ascii;
	v.elasticsearch = true;
	switch (o->format) {
	case SNAP_TEXT:
	case SNAP_ANSI: {
		struct canvas *c = canvas_new(o->width, o->height);
		struct render_state rs;

		memset(&rs, 0, sizeof rs);
		rs.logs = screen;
		rs.logs_data = d;
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
		logs_markdown(screen, &v, d, out);
		break;
	case SNAP_JSON:
		write_json(d, out);
		break;
	}
	logs_free(screen);
	http_free(http);
	logs_poll_free(lp); /* after http: it owns the records of requests in flight */
	model_free(model);
	return status;
}
