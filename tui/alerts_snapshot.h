/*
 * alerts_snapshot.h - `opsdeck snapshot --screen alerts`: one round of
 * Prometheus' and Alertmanager's alerts (tui/alerts_poll.h), printed as the
 * Alerts screen (text, ansi), a Markdown table, or JSON:
 *   {"firing", "pending", "silenced",
 *    "sources": {"prometheus": bool, "alertmanager": URL or null},
 *    "error": null or the failing sources' messages joined by "; ",
 *    "alerts": [{"name", "state" ("firing", "pending", "silenced"),
 *                "severity", "service", "since" (RFC 3339 UTC), "summary",
 *                "source" ("prometheus", "alertmanager", "both"),
 *                "labels": {}, "fingerprint", "silenced_by": [ids],
 *                "silence_ends" (RFC 3339 UTC or null)}]}
 * worst first (firing, pending, silenced; then severity, then age).
 *
 * The printers take an already polled model, so the snapshot module can
 * print the alerts of its own round (--screen all): poll with
 * alerts_poll_new(http, model, &setup->alerts), tick it until
 * !alerts_poll_busy(), then pass alerts_poll_status() (or NULL when the
 * sources' health is unknown).
 */
#ifndef OPSDECK_TUI_ALERTS_SNAPSHOT_H
#define OPSDECK_TUI_ALERTS_SNAPSHOT_H

#include <jansson.h>
#include <stdbool.h>

#include "alerts_poll.h"
#include "buf.h"
#include "canvas.h"
#include "err.h"
#include "model.h"
#include "snapshot.h"
#include "view.h"

/* Whether screen is "alerts". */
bool alerts_snapshot_screen(const char *screen);

/*
 * Poll once and print in o->format.  Returns 0, 2 when a source failed or
 * did not answer in time (the output names it), or -1 with e when no
 * alert source is configured.
 */
int alerts_snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e);

/* new: the JSON object above for the model's alerts; st may be NULL. */
json_t *alerts_snapshot_json_object(const struct model *m, const struct alerts_status *st);
/* The same object appended to out as indented JSON and a newline. */
void alerts_snapshot_json(const struct model *m, const struct alerts_status *st, struct buf *out);
/* "## Alerts", the counts, the failing sources, then the screen's table (Markdown). */
void alerts_snapshot_markdown(const struct view_ctx *v, const struct alerts_status *st, bool utc,
			      struct buf *out);
/* The whole Alerts screen (title bar, table, status line) into c, as the console draws it. */
void alerts_snapshot_draw(struct canvas *c, const struct view_ctx *v,
			  const struct alerts_status *st, bool utc);

#endif
