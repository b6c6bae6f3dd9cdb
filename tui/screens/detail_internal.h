/*
 * detail_internal.h - private to tui/screens/detail*.c; no other file
 * includes it.
 *
 * detail.c holds the screen's state, its layout, the instances table, the
 * charts, keys and Markdown; detail_header.c the header block above them.
 */
#ifndef OPSDECK_TUI_SCREENS_DETAIL_INTERNAL_H
#define OPSDECK_TUI_SCREENS_DETAIL_INTERNAL_H

#include <stddef.h>

#include "canvas.h"
#include "detail.h"
#include "detail_data.h"
#include "model.h"
#include "view.h"

#define DETAIL_CELL 64             /* bytes of one formatted cell */
#define DETAIL_RECENT_ERROR 3600.0 /* seconds a failed task stays in the header */

/* The separator between header segments: a middle dot, "|" in ASCII (static). */
const char *detail_dot(const struct view_ctx *v);
/* The age of t at now ("2h00m"), "-" for t unknown (0), into out. */
void detail_age(double now, double t, char *out, size_t n);

/*
 * Draw the header block of svc into r (at most r.h rows): the model's
 * runtime line, what is in flight, why a rollout is stuck or a task
 * failed, the runtime's error and the deployment history from dd (may be
 * NULL).  Returns the rows used.
 */
int detail_header_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		       const struct service *svc, const struct detail_data *dd);

#endif
