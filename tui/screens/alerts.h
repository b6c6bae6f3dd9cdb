/*
 * alerts.h - the Alerts screen: every firing, pending and silenced alert
 * from Prometheus and Alertmanager, worst first (the model's order):
 * STATE (FIRING in CRIT, PENDING in WARN, SILENCED dim with the silence's
 * end "until 14:05"), SEVERITY, ALERT, SERVICE, SINCE (age), SUMMARY.  A
 * source that is failing is named in a line above the table and its rows
 * are drawn stale.  With no alerts the body says where alerts come from
 * and what is configured.
 *
 * The state (cursor, scroll, filter) is opaque; the alerts come from the
 * model at each draw.  The cursor stays on its alert (by fingerprint) when the
 * list is refreshed.
 */
#ifndef OPSDECK_TUI_SCREENS_ALERTS_H
#define OPSDECK_TUI_SCREENS_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "alerts_poll.h"
#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "view.h"

struct alerts_screen; /* opaque */

struct alerts_screen *alerts_screen_new(void);
void alerts_screen_free(struct alerts_screen *s); /* NULL-safe */

/*
 * Draw into body: the model's alerts (v->model), st for the sources'
 * health and the empty text (may be NULL: nothing configured is said).
 * utc: times in UTC, else local.
 */
void alerts_screen_draw(struct alerts_screen *s, struct canvas *c, struct rect body,
			const struct view_ctx *v, const struct alerts_status *st, bool utc);

/*
 * Keep only the alerts whose name, service, severity or summary matches
 * pattern (PCRE2); NULL or "" shows every alert.  -1 with e for a bad
 * pattern (the previous filter stays).
 */
int alerts_screen_set_filter(struct alerts_screen *s, const char *pattern, struct err *e);
/* The filter's pattern (borrowed), "" when none. */
const char *alerts_screen_filter(const struct alerts_screen *s);

/* Navigation (j/k, PgUp/PgDn, g/G) in the rows the filter keeps; returns enum handled flags. */
int alerts_screen_handle(struct alerts_screen *s, enum action a, const struct view_ctx *v);

/* The selected alert (borrowed from the model until it changes), or NULL. */
const struct alert *alerts_screen_selected(struct alerts_screen *s, const struct view_ctx *v);
/*
 * Mouse: is screen row y one of the rows drawn at the last draw?  Then
 * *delta is how many rows it is below the cursor.
 */
bool alerts_screen_row_at(const struct alerts_screen *s, int y, long *delta);

/* "3 firing · 1 pending · 2 silenced" into out (n bytes). */
void alerts_screen_summary(const struct view_ctx *v, char *out, size_t n);

/* The alerts as a Markdown pipe table (the screen's columns, every row). */
void alerts_screen_markdown(const struct view_ctx *v, bool utc, struct buf *out);

/* "14:05" (today, within 24 h) or "11-24 14:05": when a silence ends, into out. */
void alerts_screen_clock(double t, double now, bool utc, char *out, size_t n);

#endif
