/*
 * graph_paint.h - the Topology screen's graph drawn into a canvas: node
 * boxes with each service's health, edge lines (box-drawing, or ASCII)
 * along the routes of graph_route.h, their labels and arrowheads, the
 * selected node and its edges highlighted.  Also the texts both the graph
 * and the side panel show: a service's health, an edge's label and role.
 */
#ifndef OPSDECK_TUI_SCREENS_GRAPH_PAINT_H
#define OPSDECK_TUI_SCREENS_GRAPH_PAINT_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "graph_route.h"
#include "topology.h"
#include "view.h"

#define GRAPH_NAME_MAX_W 24 /* a box shows at most this many columns of a name */

/* A service's health as the graph shows it. */
struct graph_health {
	char word[16]; /* "OK", "CRIT", ...; "" when the model lacks the service */
	char rest
		[64]; /* "48.2/s 2.1%" (box) or "48.2 req/s, 2.10% errors" (wide); or "no metrics" */
	enum role role; /* of word */
	bool none;      /* no metrics: rest is drawn DIM */
};

/* Fill h for the Zipkin service name (looked up in v->model, exactly, then ignoring case). */
void graph_paint_health(const struct view_ctx *v, const char *name, bool wide,
			struct graph_health *h);
/* Columns of "word rest". */
int graph_paint_health_width(const struct graph_health *h);
/* Draw "word rest" at (x, y) in at most maxw columns; returns the columns used. */
int graph_paint_health_draw(struct canvas *c, int x, int y, int maxw, const struct graph_health *h,
			    unsigned attr);

/* An edge's label: "480", or "480 !31" with errors.  Counts past 99999 as "1.2M". */
void graph_paint_label(const struct topo_edge *e, char *out, size_t n);
/* "1.2k" style count, as in labels and the panel. */
void graph_paint_count(long long n, char *out, size_t size);

/*
 * The edge's role by its error share: CRIT / WARN over the model's error
 * ratio thresholds (v->th), or 5 % / 1 % when there are none; else NORMAL.
 */
enum role graph_paint_edge_role(const struct view_ctx *v, const struct topo_edge *e);

/* What graph_paint draws (all borrowed for the call). */
struct graph_picture {
	const struct topo_layout *t;
	const struct graph_geo *geo;       /* vertical and horizontal done */
	const struct graph_health *health; /* per real node (box form) */
	const char (*labels)[32];          /* per edge */
	int selected;                      /* node index, or -1 */
	int sx, sy;                        /* the graph position at view's top left */
};

/* Draw the part of the graph that falls in view (clipped to it) into c. */
void graph_paint(struct canvas *c, struct rect view, const struct view_ctx *v,
		 const struct graph_picture *p);

#endif
