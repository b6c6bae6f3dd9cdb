/*
 * snapshot.c - `opsdeck snapshot`: which screen, one poll round for it
 * (tui/snapshot_round.c), the output (snapshot_render.c, snapshot_json.c,
 * snapshot_all.c) and the exit status (snapshot_check.c under --check).
 */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot_internal.h"
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

/* The screen's backend is configured; else a usage error naming the setting. */
static int
configured(const struct snapshot_options *o, enum snap_screen w, struct err *e)
{
	const struct setup *s = o->setup;

	if (w == SNAP_SCREEN_LOGS && !s->logs.enabled)
		return err_set(e, ERR_USAGE,
			       "--screen logs needs Elasticsearch: set [elasticsearch] url, "
			       "OPSDECK_ELASTICSEARCH_URL or --elasticsearch URL");
	if ((w == SNAP_SCREEN_TRACES || w == SNAP_SCREEN_TRACE || w == SNAP_SCREEN_TOPOLOGY) &&
	    !s->traces.enabled)
		return err_set(e, ERR_USAGE,
			       "--screen %s needs Zipkin: set [zipkin] url, OPSDECK_ZIPKIN_URL or "
			       "--zipkin URL",
			       o->screen);
	if (w == SNAP_SCREEN_ALERTS && !s->alerts.prometheus && !s->alerts.alertmanager)
		return err_set(e, ERR_USAGE,
			       "--screen alerts needs an alert source: set [prometheus] url "
			       "(--prometheus URL) or [alertmanager] url (--alertmanager URL)");
	return 0;
}

/* What one screen asks of the round; --check adds the fleet the verdict reads. */
static unsigned
wants(const struct snapshot_options *o, enum snap_screen w)
{
	unsigned want = o->check ? ROUND_METRICS | ROUND_RUNTIMES | ROUND_ALERTS : 0;

	switch (w) {
	case SNAP_SCREEN_LOGS:
		return want | ROUND_LOGS;
	case SNAP_SCREEN_TRACES:
		return want | ROUND_TRACES;
	case SNAP_SCREEN_TRACE:
		return want | ROUND_TRACE;
	case SNAP_SCREEN_TOPOLOGY:
		/* The Topology shows each service's health: one Prometheus round. */
		return want | ROUND_TOPOLOGY | ROUND_METRICS;
	case SNAP_SCREEN_ALERTS:
		return want | ROUND_ALERTS;
	case SNAP_SCREEN_ALL:
		return ROUND_METRICS | ROUND_RUNTIMES | ROUND_LOGS | ROUND_TRACES | ROUND_TOPOLOGY |
		       ROUND_ALERTS | ROUND_BRIEF;
	default:
		return want | ROUND_METRICS | ROUND_RUNTIMES;
	}
}

static void
out_of(const struct snapshot_options *o, struct snap_out *so)
{
	so->format = o->format;
	so->width = o->width;
	so->height = o->height;
	so->color = o->color;
	so->ascii = o->ascii;
	so->theme = o->setup->theme;
}

/* The round's data for screen w into d (v borrowed). */
static void
data_of(const struct snap_round *r, const struct view_ctx *v, struct snap_data *d)
{
	memset(d, 0, sizeof *d);
	d->v = v;
	d->query = r->o->query;
	if (r->logs != NULL)
		d->logs = logs_poll_data(r->logs);
	if (r->traces != NULL) {
		d->traces = traces_poll_list(r->traces);
		d->trace = traces_poll_trace(r->traces);
		d->topology = traces_poll_topology(r->traces);
	}
	if (r->alerts != NULL)
		d->alerts = alerts_poll_status(r->alerts);
	d->utc = strcmp(config_str(r->o->setup->cfg, CFG_GENERAL_TIMEZONE), "UTC") == 0;
}

/* The verdict under --check, its lines into problems; else the status as it was. */
static int
verdict(const struct snapshot_options *o, const struct snap_data *d, int status,
	struct buf *problems)
{
	struct buf lines;
	int v;

	if (!o->check)
		return status;
	buf_init(&lines);
	v = snapshot_check(d, &lines);
	if (problems != NULL)
		buf_append(problems, lines.data, lines.len);
	buf_done(&lines);
	return v;
}

static int
run_all(const struct snapshot_options *o, struct buf *out, struct buf *problems, struct err *e)
{
	const struct setup *s = o->setup;
	struct snap_round r;
	struct snap_out so;
	struct view_ctx v;
	struct snap_data base;
	struct snap_part parts[6 + SNAPSHOT_ALL_DETAILS];
	struct detail_poll *dps[SNAPSHOT_ALL_DETAILS];
	const char *names[SNAPSHOT_ALL_DETAILS];
	char note[200];
	size_t np = 0, nd = 0, all, i;
	int status;

	if (snap_round_open(&r, o, wants(o, SNAP_SCREEN_ALL), NULL, e) < 0)
		return -1;
	out_of(o, &so);
	status = snap_round_wait(&r);
	snap_round_view(&r, &v);
	data_of(&r, &v, &base);
	all = snapshot_not_ok(&v, names, SNAPSHOT_ALL_DETAILS, &nd);
	for (i = 0; i < nd; i++) {
		dps[i] = NULL;
		if (snap_round_detail(&r, &so, names[i], &dps[i]) != 0)
			status = 2;
	}
	snap_round_view(&r, &v);
	memset(parts, 0, sizeof parts);
	parts[np].w = SNAP_SCREEN_OVERVIEW;
	parts[np++].d = base;
	parts[np].w = SNAP_SCREEN_ALERTS;
	parts[np].d = base;
	if (!s->alerts.prometheus && !s->alerts.alertmanager)
		parts[np].skipped =
			"no alert source configured ([prometheus] url, [alertmanager] url)";
	np++;
	parts[np].w = SNAP_SCREEN_LOGS;
	parts[np].d = base;
	if (!s->logs.enabled)
		parts[np].skipped = "no Elasticsearch configured ([elasticsearch] url)";
	np++;
	parts[np].w = SNAP_SCREEN_TRACES;
	parts[np].d = base;
	if (!s->traces.enabled)
		parts[np].skipped = "no Zipkin configured ([zipkin] url)";
	np++;
	parts[np].w = SNAP_SCREEN_TOPOLOGY;
	parts[np].d = base;
	if (!s->traces.enabled)
		parts[np].skipped = "no Zipkin configured ([zipkin] url)";
	np++;
	for (i = 0; i < nd; i++) {
		parts[np].w = SNAP_SCREEN_SERVICE;
		parts[np].d = base;
		parts[np].d.service = names[i];
		parts[np].d.detail = detail_poll_data(dps[i]);
		np++;
	}
	note[0] = '\0';
	if (all > nd)
		snprintf(note, sizeof note,
			 "%zu services are not OK: the Service detail of the %d worst is shown.",
			 all, SNAPSHOT_ALL_DETAILS);
	snapshot_render_all(&so, parts, np, &base, note[0] ? note : NULL, out);
	status = verdict(o, &base, status, problems);
	snap_round_close(&r);
	for (i = 0; i < nd; i++)
		detail_poll_free(
			dps[i]); /* after http: they own the records of requests in flight */
	return status;
}

int
snapshot_run(const struct snapshot_options *o, struct buf *out, struct buf *problems, struct err *e)
{
	struct snap_round r;
	struct snap_out so;
	struct detail_poll *dp = NULL;
	struct view_ctx v;
	struct snap_data d;
	enum snap_screen w;
	int status;

	if (o->setup->k8s_note[0] != '\0')
		fprintf(stderr, "opsdeck: %s\n", o->setup->k8s_note);
	if (snapshot_screen_parse(o->screen, &w, e) < 0 || configured(o, w, e) < 0)
		return -1;
	if (w == SNAP_SCREEN_ALL)
		return run_all(o, out, problems, e);
	if (snap_round_open(&r, o, wants(o, w), w == SNAP_SCREEN_TRACE ? o->screen + 6 : NULL, e) <
	    0)
		return -1;
	out_of(o, &so);
	status = snap_round_wait(&r);
	snap_round_view(&r, &v);
	data_of(&r, &v, &d);
	if (w == SNAP_SCREEN_SERVICE) {
		d.service = o->screen + 8;
		if (model_service(r.model, d.service, false) == NULL) {
			status = err_set(e, ERR_USAGE,
					 "no service named '%s' answered (--screen overview lists "
					 "them)",
					 d.service);
			goto done;
		}
		if (snap_round_detail(&r, &so, d.service, &dp) != 0)
			status = 2;
		snap_round_view(&r, &v);
		d.detail = detail_poll_data(dp);
	}
	snapshot_render(&so, w, &d, out);
	status = verdict(o, &d, status, problems);
done:
	snap_round_close(&r);
	detail_poll_free(dp); /* after http: it owns the records of requests in flight */
	return status;
}
