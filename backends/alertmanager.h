/*
 * alertmanager.h - the Alertmanager v2 HTTP API: request paths, pure
 * response parsers, the silence request body, and the merge of
 * Prometheus' and Alertmanager's alerts into the model's rows.
 *
 * Reads are GETs of /api/v2/alerts and /api/v2/silences; the only write
 * is POST /api/v2/silences (alertmanager_is_read says so, for the
 * read-only guard in http.c).  Parsers are pure functions of (status,
 * body, len): a non-2xx status, a body that is not the documented JSON or
 * a member of the wrong type fills e with a message naming what failed
 * ("alertmanager: /api/v2/silences: HTTP 400 Bad Request: parsing silence
 * body ...") and returns -1 without keeping anything.  Unknown members are
 * ignored.  Text from the server is kept as it came: it is sanitised when
 * drawn (widgets/text).
 */
#ifndef OPSDECK_BACKENDS_ALERTMANAGER_H
#define OPSDECK_BACKENDS_ALERTMANAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "model.h"
#include "prometheus.h"

/* An alert's status.state. */
enum am_state {
	AM_ACTIVE,      /* firing, notified */
	AM_SUPPRESSED,  /* silenced or inhibited */
	AM_UNPROCESSED, /* just received, not yet routed */
};

struct am_alert {
	struct prom_label *labels; /* owned, sorted by name; includes alertname */
	size_t nlabels;
	struct prom_label *annotations; /* owned, sorted by name */
	size_t nannotations;
	char *fingerprint; /* owned; "" when absent */
	enum am_state state;
	char **silenced_by; /* owned: silence ids */
	size_t nsilenced_by;
	size_t ninhibited_by;
	double starts_at; /* unix seconds; 0 unknown */
	double ends_at;
};

struct am_matcher {
	char *name;  /* owned */
	char *value; /* owned */
	bool is_regex;
	bool is_equal; /* false: != or !~ */
};

enum am_silence_state { AM_SILENCE_ACTIVE, AM_SILENCE_PENDING, AM_SILENCE_EXPIRED };

struct am_silence {
	char *id; /* owned */
	enum am_silence_state state;
	double starts_at, ends_at;   /* unix seconds */
	char *created_by;            /* owned; "" when absent */
	char *comment;               /* owned; "" when absent */
	struct am_matcher *matchers; /* owned */
	size_t nmatchers;
};

/* The paths (static strings). */
const char *alertmanager_alerts_path(void);   /* GET: every alert, silenced ones too */
const char *alertmanager_silences_path(void); /* GET: the silences; POST: a new one */

/* Parse GET /api/v2/alerts.  *out new (free with alertmanager_alerts_free). */
int alertmanager_parse_alerts(long status, const char *body, size_t len, struct am_alert **out,
			      size_t *n, struct err *e);
void alertmanager_alerts_free(struct am_alert *a, size_t n);

/* Parse GET /api/v2/silences.  *out new (free with alertmanager_silences_free). */
int alertmanager_parse_silences(long status, const char *body, size_t len, struct am_silence **out,
				size_t *n, struct err *e);
void alertmanager_silences_free(struct am_silence *s, size_t n);

/*
 * The body of POST /api/v2/silences (new JSON text): matchers as given,
 * startsAt and endsAt in RFC 3339 UTC with milliseconds, createdBy and
 * comment.  Strings that are not valid UTF-8 have the bad bytes replaced
 * by U+FFFD (jansson refuses them otherwise).
 */
char *alertmanager_silence_body(const struct am_matcher *m, size_t n, double starts_at,
				double ends_at, const char *created_by, const char *comment);

/*
 * Parse the answer to the POST: {"silenceID": "..."} into id (n bytes,
 * always NUL-terminated).  An error answer gives -1 with the server's
 * message ("alertmanager: /api/v2/silences: HTTP 400 Bad Request: ...").
 */
int alertmanager_parse_silence_id(long status, const char *body, size_t len, char *id, size_t n,
				  struct err *e);

/*
 * The read-only allow-list: GET (or HEAD-like) of /api/v2/alerts,
 * /api/v2/alerts/groups, /api/v2/silences, /api/v2/silence/ID,
 * /api/v2/status, /api/v2/receivers, /-/ready and /-/healthy.
 * Everything else - POST /api/v2/silences and /api/v2/alerts, DELETE
 * /api/v2/silence/ID - is a write.
 */
bool alertmanager_is_read(enum http_method m, const char *path);

/* ---- merge (alertmanager_merge.c) --------------------------------------- */

struct alerts_merge_opts {
	/* Label names naming the service, tried in order ("service", "job"). */
	const char *const *service_labels;
	size_t nservice_labels;
	/* The displayed name for a label value (aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *label_value);
	void *ud;
};

/*
 * One row per alert (new array of *n, for model_set_alerts): Prometheus'
 * firing and pending alerts (inactive ones left out) and Alertmanager's
 * alerts, merged by their label set - an alert in both is one row of
 * source "both" with Alertmanager's state and the earlier start.  An
 * Alertmanager alert suppressed by silences is ALERT_SILENCED with
 * silenced_by the ids and silence_ends the latest end among those in
 * silences; one only inhibited is ALERT_SILENCED without an end.  The
 * service is the first of o->service_labels present; the summary the
 * "summary" annotation, else "description".  Either side may be empty.
 */
struct alert *alertmanager_merge(const struct prom_alert *pa, size_t npa, const struct am_alert *aa,
				 size_t naa, const struct am_silence *sil, size_t nsil,
				 const struct alerts_merge_opts *o, size_t *n);

/*
 * The silence ending last among ids (comma-separated, as struct alert's
 * silenced_by) that is active in sil: its end, or 0 when none is known.
 */
double alertmanager_silence_end(const char *ids, const struct am_silence *sil, size_t nsil);

#endif
