/*
 * graph_panel.h - the Topology screen's panel about the selected service:
 * its health, its callers and its callees with calls, errors and error %
 * per edge (most calls first), the links' range and counts, a failed
 * refresh and the keys.  Beside the graph on a wide body, else under it.
 */
#ifndef OPSDECK_TUI_SCREENS_GRAPH_PANEL_H
#define OPSDECK_TUI_SCREENS_GRAPH_PANEL_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "topology.h"
#include "traces_poll.h"
#include "view.h"

/* A caller or callee of the selection. */
struct graph_nb {
	int node;                  /* the other end (node index) */
	const struct topo_edge *e; /* the edge between them (borrowed from the layout) */
};

/* What the panel shows; all borrowed for the call. */
struct graph_panel {
	const struct topology_data *d; /* with a layout */
	int sel;                       /* the selected node */
	const struct graph_nb *in;     /* its callers */
	size_t nin;
	const struct graph_nb *out; /* its callees */
	size_t nout;
	const char *more; /* " · more: → ↓" when the view hides part of the graph, else "" */
};

/* sel's callers (callers) or callees into out (t->nedges entries), most calls first. */
size_t graph_panel_neighbours(const struct topo_layout *t, int sel, bool callers,
			      struct graph_nb *out);

/* Rows the bottom panel takes under the graph in a body of h rows. */
int graph_panel_bottom_height(int h, size_t nin, size_t nout);

/* Draw the panel into r: a column right of the graph (side), or rows under it (bottom). */
void graph_panel_side(struct canvas *c, struct rect r, const struct view_ctx *v,
		      const struct graph_panel *p);
void graph_panel_bottom(struct canvas *c, struct rect r, const struct view_ctx *v,
			const struct graph_panel *p);

/* "1h", "15m", "7d" for a range in seconds (<= 0: 1h). */
void graph_panel_range(double s, char *out, size_t n);
/* "15.0%", or "-" without calls. */
void graph_panel_error_pct(const struct topo_edge *e, char *out, size_t n);

#endif
