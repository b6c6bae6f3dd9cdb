/*
 * graph.h - the Topology screen: the dependency graph laid out by
 * backends/topology.h, drawn left to right by call depth.  Each node is a
 * box with the service name and its health from the joined model (status
 * colour, requests/s, error %); edges are lines with their call and error
 * counts, error-heavy edges (error share over the warn / crit thresholds
 * of the error ratio) in WARN / CRIT; cycle edges drawn back.  The
 * selected node's callers and callees are highlighted and listed in a side
 * panel with per-edge calls and errors; a node absent from the model is
 * drawn with "no metrics".  The graph scrolls to keep the selected node in
 * view when it does not fit.
 */
#ifndef OPSDECK_TUI_SCREENS_GRAPH_H
#define OPSDECK_TUI_SCREENS_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "traces_poll.h"
#include "view.h"

#define GRAPH_MIN_W 40
#define GRAPH_MIN_H 8

struct graph; /* opaque */

struct graph *graph_new(void);
void graph_free(struct graph *g); /* NULL-safe */

/* Draw into body.  d may be NULL. */
void graph_draw(struct graph *g, struct canvas *c, struct rect body, const struct view_ctx *v,
		const struct topology_data *d);

/* Up/down within a layer, left/right across layers; returns enum handled flags. */
int graph_handle(struct graph *g, enum action a, const struct topology_data *d);

/* Select service (a Zipkin name); false when not in the graph (the selection stays). */
bool graph_select(struct graph *g, const struct topology_data *d, const char *service);
/* The selected service's Zipkin name (borrowed), or NULL. */
const char *graph_selected(const struct graph *g, const struct topology_data *d);

/* The graph as Markdown: one table row per edge (caller, callee, calls, errors, error %). */
void graph_markdown(struct graph *g, const struct view_ctx *v, const struct topology_data *d,
		    struct buf *out);

#endif
