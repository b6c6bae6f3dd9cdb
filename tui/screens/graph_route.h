/*
 * graph_route.h - where the Topology screen puts things: the rows and
 * columns of every node box and every edge line, in graph coordinates
 * (0,0 the top left of the whole graph, before scrolling).  Pure: no
 * canvas, no model.
 *
 * Call order: graph_route_vertical (from the layout alone: box heights,
 * rows, ports, the order of the vertical channels in each gap), then
 * graph_route_horizontal (given each box's width and each edge's label
 * width: columns), then graph_route_done.  Navigation needs only the
 * vertical part, which does not depend on the model.
 *
 * Every edge is cut into segments, one per gap between adjacent layers
 * (long edges pass through their virtual nodes).  The segments leaving a
 * node's right side form a trunk: one port row, one vertical channel in
 * the gap that branches to each far end's own port row on its left side.
 * A cycle edge arriving at its callee's right side has a trunk of its
 * own; a trunk of one straight segment takes no channel.  Left ports and
 * channels are never shared, so edges of different trunks meet only
 * where they cross.  The label and arrowhead sit on the segment that
 * reaches the callee: the label just before the right end's port.
 */
#ifndef OPSDECK_TUI_SCREENS_GRAPH_ROUTE_H
#define OPSDECK_TUI_SCREENS_GRAPH_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "topology.h"

#define GRAPH_ROUTE_MARGIN 1 /* blank columns left of the first layer */

/* One edge's piece between two adjacent layers. */
struct graph_seg {
	int left, right;  /* node indexes: right's layer is left's + 1 */
	int edge;         /* index into the layout's edges */
	int ly, ry;       /* port rows on the left node's right side, the right node's left side */
	int trunk;        /* segments with the same trunk share ly and chan */
	int chan;         /* channel order in its gap, -1 none (one straight segment) */
	int cx;           /* the channel's column (the first channel's when none) */
	int x0, x1;       /* the gap's first and last column */
	bool label;       /* carries the edge's label (the piece next to the callee) */
	bool arrow_left;  /* an arrowhead at x0 (a cycle edge into its callee) */
	bool arrow_right; /* an arrowhead at x1 (into the callee) */
};

struct graph_geo {
	size_t nnodes;
	int *x, *y, *w, *h;     /* per node, owned; a virtual node is one row high */
	int *center;            /* per node: its middle row, owned */
	struct graph_seg *segs; /* owned */
	size_t nsegs;
	int nlayers;
	int *layer_x, *layer_w; /* per layer, owned (after horizontal) */
	int width, height;      /* of the whole graph */
};

/*
 * Fill g (overwritten; free with graph_route_done) with the vertical
 * placement of t (borrowed): heights, rows, port rows, channel order.
 * Segments whose ends are not in adjacent layers are left out.
 */
void graph_route_vertical(struct graph_geo *g, const struct topo_layout *t);

/*
 * Columns: box_w[i] for each real node i (< t->nreal), label_w[e] for each
 * edge e (both borrowed, read only here).  Boxes of a layer share its
 * widest width.  Changes only columns, so one vertical placement can be
 * given new widths at every draw.
 */
void graph_route_horizontal(struct graph_geo *g, const struct topo_layout *t, const int *box_w,
			    const int *label_w);

/* Free what g holds (g itself is the caller's).  NULL-safe. */
void graph_route_done(struct graph_geo *g);

#endif
