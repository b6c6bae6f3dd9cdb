/*
 * snapshot_internal.h - the parts of `opsdeck snapshot` and how they meet.
 *
 *   snapshot.c         which screen, one poll round, render, the status
 *   snapshot_round.c   the poll round: every poller a screen needs on one
 *                      http handle and one model, waited for together
 *   snapshot_render.c  one screen as text, ansi or Markdown from plain data
 *   snapshot_json.c    the versioned JSON envelope and each screen's object
 *   snapshot_all.c     --screen all: every screen, in order, with headings
 *   snapshot_check.c   --check: the health verdict and its problem lines
 *
 * Rendering, JSON and the verdict read only a struct snap_data (the model,
 * a clock, the screens' data): tests fill one by hand and call them.
 */
#ifndef OPSDECK_TUI_SNAPSHOT_INTERNAL_H
#define OPSDECK_TUI_SNAPSHOT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "alerts_poll.h"
#include "buf.h"
#include "detail_poll.h"
#include "docker_poll.h"
#include "ecs_poll.h"
#include "err.h"
#include "http.h"
#include "k8s_poll.h"
#include "logs_poll.h"
#include "model.h"
#include "poller.h"
#include "snapshot.h"
#include "traces_poll.h"
#include "view.h"

/* The JSON envelope's schema number: fields are added, never renamed or removed within it. */
#define SNAPSHOT_SCHEMA 1
/* --screen all: at most this many Service details (the services not OK, worst first). */
#define SNAPSHOT_ALL_DETAILS 5
/* --screen all: the Logs' newest hits shown (the screen alone shows a page). */
#define SNAPSHOT_ALL_HITS 30

enum snap_screen {
	SNAP_SCREEN_OVERVIEW,
	SNAP_SCREEN_SERVICE,
	SNAP_SCREEN_LOGS,
	SNAP_SCREEN_TRACES,
	SNAP_SCREEN_TRACE,
	SNAP_SCREEN_TOPOLOGY,
	SNAP_SCREEN_ALERTS,
	SNAP_SCREEN_ALL,
};

/*
 * Everything a screen's rendering reads: a plain record of borrowed
 * pointers, valid for the call.  Unset screens' data are NULL.  The
 * alerts are the model's (model_alerts).
 */
struct snap_data {
	const struct view_ctx *v;             /* model, clock, thresholds; v->env_name */
	const char *service;                  /* SERVICE: the service's name */
	const struct detail_data *detail;     /* SERVICE: its data; may be NULL */
	const char *query;                    /* LOGS: the query, for highlighting; may be NULL */
	const struct logs_data *logs;         /* LOGS */
	const struct traces_list *traces;     /* TRACES */
	const struct trace_data *trace;       /* TRACE */
	const struct topology_data *topology; /* TOPOLOGY */
	const struct alerts_status *alerts;   /* ALERTS: the sources' state; NULL unknown */
	bool utc;                             /* times in UTC ([general] timezone), else local */
};

/* How to print: a plain record. */
struct snap_out {
	enum snapshot_format format;
	int width, height; /* text and ansi */
	bool color;        /* ansi: colours, else attributes only */
	bool ascii;        /* ASCII glyphs */
	const struct theme_entry *theme; /* ansi: [general] theme's table; NULL = default */
};

/* The screen a --screen value names; -1 with e for an unknown one. */
int snapshot_screen_parse(const char *name, enum snap_screen *out, struct err *e);
/* The --screen value of a screen (SERVICE: "service:" + d->service; TRACE: "trace:" + id). */
void snapshot_screen_key(enum snap_screen w, const struct snap_data *d, char *out, size_t n);
/* Its heading: "Overview", "Service payments", "Trace 4bf92f35...". */
void snapshot_screen_title(enum snap_screen w, const struct snap_data *d, char *out, size_t n);

/* ---- snapshot_render.c ---- */

/* Append screen w (not ALL) as text, ansi (o->width x o->height) or Markdown to out. */
void snapshot_render(const struct snap_out *o, enum snap_screen w, const struct snap_data *d,
		     struct buf *out);

/* ---- snapshot_json.c ---- */

/*
 * new: the envelope {"schema", "generated_at", "env", "backends",
 * "screens": {}} with the backends of d->v->model.
 */
json_t *snapshot_json_envelope(const struct snap_data *d);
/* new: screen w's object (not ALL); never NULL. */
json_t *snapshot_json_screen(enum snap_screen w, const struct snap_data *d);
/* Append root as indented JSON with a final newline. */
void snapshot_json_dump(const json_t *root, struct buf *out);
/* A JSON string, or null for NULL or text jansson refuses (invalid UTF-8). new. */
json_t *snapshot_json_str(const char *s);
/* RFC 3339 UTC with milliseconds when ms, of unix seconds t. */
void snapshot_rfc3339(double t, bool ms, char *out, size_t n);

/* ---- snapshot_all.c ---- */

/* One screen of --screen all: what it shows, or why it was left out. */
struct snap_part {
	enum snap_screen w;
	struct snap_data d;  /* its data (v shared) */
	const char *skipped; /* NULL: shown; else why not ("no Elasticsearch configured") */
};

/*
 * Append every part in order: text/ansi each screen under a heading line
 * and a rule, Markdown under "## Title" (the screen's own headings one
 * level down), JSON one envelope with every shown screen and a "skipped"
 * list.  note (may be NULL) is said once under the first heading.
 */
/*
 * The services not OK (WARN, CRIT, STALE, UNKNOWN), worst first and in the
 * model's order among equals: at most max names (borrowed from the model)
 * into names, their number into *n.  Returns how many are not OK in all.
 */
size_t snapshot_not_ok(const struct view_ctx *v, const char **names, size_t max, size_t *n);

void snapshot_render_all(const struct snap_out *o, const struct snap_part *parts, size_t n,
			 const struct snap_data *base, const char *note, struct buf *out);

/* ---- snapshot_check.c ---- */

enum snap_verdict { VERDICT_OK = 0, VERDICT_WARN = 1, VERDICT_CRIT = 2, VERDICT_UNKNOWN = 3 };

/*
 * The health verdict of d->v's model: every service's status (as the
 * Overview: WARN 1, CRIT 2, STALE or UNKNOWN data 3), every firing alert
 * (critical 2, warning 1, other severities 1), every configured backend
 * that failed (3).  The worst by CRIT > UNKNOWN > WARN > OK: critical data
 * wins over an unreachable backend.  One line per problem appended to
 * lines ("CRIT payments: error ratio 7.1% >= 5%").  Returns the exit status.
 */
int snapshot_check(const struct snap_data *d, struct buf *lines);

/* ---- snapshot_round.c ---- */

enum {
	ROUND_METRICS = 1 << 0,  /* the Prometheus round of the Overview */
	ROUND_RUNTIMES = 1 << 1, /* Docker, Kubernetes, ECS */
	ROUND_LOGS = 1 << 2,     /* the Logs screen: a histogram and the newest page */
	ROUND_TRACES = 1 << 3,   /* a Zipkin search */
	ROUND_TRACE = 1 << 4,    /* one trace */
	ROUND_TOPOLOGY = 1 << 5, /* the dependency links */
	ROUND_ALERTS = 1 << 6,   /* Prometheus' and Alertmanager's alerts into the model */
	ROUND_BRIEF = 1 << 7,    /* --screen all: the Logs' newest SNAPSHOT_ALL_HITS hits only */
};

/* One poll round: every poller on one http handle and one model. */
struct snap_round {
	const struct snapshot_options *o; /* borrowed */
	unsigned want;                    /* ROUND_* */
	struct http *http;
	struct model *model;
	struct poller *poller;      /* ROUND_METRICS with Prometheus, else NULL */
	struct docker_poll *docker; /* ROUND_RUNTIMES with Docker, else NULL */
	struct k8s_poll **k8s;      /* ROUND_RUNTIMES: nk8s of them */
	size_t nk8s;
	struct ecs_poll **ecs;
	size_t necs;
	struct logs_poll *logs;      /* ROUND_LOGS */
	struct logs_settings logs_s; /* its settings (ROUND_BRIEF: a shorter page) */
	struct traces_poll *traces;  /* ROUND_TRACES, TRACE or TOPOLOGY */
	struct alerts_poll *alerts;  /* ROUND_ALERTS with an alert source */
	const char *trace_id;        /* ROUND_TRACE: borrowed */
};

/*
 * Open the pollers want asks for (those whose backend is not configured
 * are left out) and ask for the screens' data.  -1 with e for a usage
 * error (a bad --since, search or trace id): nothing to close then.
 */
int snap_round_open(struct snap_round *r, const struct snapshot_options *o, unsigned want,
		    const char *trace_id, struct err *e);
/*
 * Wait until every poller has answered or o->timeout_ms passed; a backend
 * without an answer is marked failed with why.  Returns 2 when a backend
 * or a screen's request failed, else 0.
 */
int snap_round_wait(struct snap_round *r);
/* The view of the round's model at the wall clock now. */
void snap_round_view(const struct snap_round *r, struct view_ctx *v);
/* Free everything (http first: pollers own the records of requests in flight). */
void snap_round_close(struct snap_round *r);
/*
 * The Service detail's own requests after the round, for a service the
 * model holds (runtime, metrics, stats for the instances out shows).  *dp
 * new: free it after snap_round_close.  Returns 2 when a request failed or
 * the time ran out, else 0.
 */
int snap_round_detail(struct snap_round *r, const struct snap_out *out, const char *service,
		      struct detail_poll **dp);

#endif
