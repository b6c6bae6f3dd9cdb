/*
 * topology.h - the service dependency graph laid out in layers, left to
 * right by call depth (Sugiyama style), for the Topology screen.  Pure.
 *
 * Layers: a service's layer is the length of the longest call chain that
 * reaches it from a service nobody calls; cycles are broken by reversing
 * the edges that close them (found by depth-first search from the sources,
 * in name order), and reversed edges are flagged so they can be drawn
 * going back.  Order within a layer: barycentre sweeps, down and up, until
 * the number of edge crossings stops falling (at most 24 sweeps), the
 * order with the fewest crossings kept; ties keep their previous order
 * (at first: real nodes by name, then virtual nodes by edge), so the
 * layout is the same for the same input in any order.  Long edges (across
 * more than one layer) pass through virtual nodes that take part in the
 * ordering, so they route around real nodes.
 */
#ifndef OPSDECK_BACKENDS_TOPOLOGY_H
#define OPSDECK_BACKENDS_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "zipkin.h"

struct topo_node {
	char *name;    /* service; NULL for a virtual node */
	int layer;     /* 0 = callers nobody calls */
	int pos;       /* order within its layer, 0 first */
	long long calls_in, calls_out, errors_in, errors_out;
};

struct topo_edge {
	int from, to;     /* node indexes of the real services (caller, callee) */
	long long calls, errors;
	bool reversed;    /* closes a cycle: drawn right to left */
	int *path;        /* node indexes from `from` to `to`, virtual nodes between */
	int npath;
};

struct topo_layout {
	struct topo_node *nodes; /* real nodes first (sorted by name), then virtual */
	size_t nnodes, nreal;
	struct topo_edge *edges;
	size_t nedges;
	int nlayers;
	int *layer_size; /* nodes per layer */
	size_t crossings; /* edge crossings of the final order */
};

/* Lay out the links (borrowed).  Self-calls are counted on the node, not drawn.  NULL on OOM. */
struct topo_layout *topology_layout(const struct zk_link *links, size_t n);
void topology_free(struct topo_layout *t); /* NULL-safe */

/* The node index of service name, or -1. */
int topology_find(const struct topo_layout *t, const char *name);

/* Count the crossings of the current order (for tests and the bench). */
size_t topology_crossings(const struct topo_layout *t);

#endif
