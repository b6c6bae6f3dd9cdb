/*
 * detail.h - the Service detail screen: one service's header (status,
 * runtime, replicas, version, rollout state and why it is stuck), its
 * instances with CPU and memory, its deployment history and charts of its
 * requests/s, error ratio and p99 over a chosen range.
 *
 * The state (the service, the instance cursor) is opaque; the data comes
 * from the view_ctx (the model) and a struct detail_data (tui/detail_poll.h)
 * at each draw.  Screens never change either.
 */
#ifndef OPSDECK_TUI_SCREENS_DETAIL_H
#define OPSDECK_TUI_SCREENS_DETAIL_H

#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "detail_poll.h"
#include "keys.h"
#include "view.h"

/* Below this body size the screen shows "terminal too small" instead. */
#define DETAIL_MIN_W 60
#define DETAIL_MIN_H 14

struct detail; /* opaque */

/* new, for the service named service (copied). */
struct detail *detail_new(const char *service);
void detail_free(struct detail *d); /* NULL-safe */

/* borrowed: the service shown. */
const char *detail_service(const struct detail *d);
/*
 * The minute under the charts' cursor (unix seconds, its start), or NAN when
 * the cursor is off: the pivot to that minute's logs.
 */
double detail_cursor(const struct detail *d);

/* Draw into body.  data may be NULL (nothing fetched yet). */
void detail_draw(struct detail *d, struct canvas *c, struct rect body, const struct view_ctx *v,
		 const struct detail_data *data);

/* "3 instances · range 1h" for the title bar (into out). */
void detail_summary(const struct detail *d, const struct view_ctx *v,
		    const struct detail_data *data, char *out, size_t n);

/* Handle a navigation action; returns enum handled flags. */
int detail_handle(struct detail *d, enum action a, const struct detail_data *data);

/* The instances on screen at the last draw: indexes [*from, *to) of data->inst. */
void detail_visible(const struct detail *d, size_t *from, size_t *to);

/* Append the service's detail as Markdown (header, instances, deployment, metrics). */
void detail_markdown(struct detail *d, const struct view_ctx *v, const struct detail_data *data,
		     struct buf *out);

#endif
