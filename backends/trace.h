/*
 * trace.h - one trace made readable: the span tree, repaired as the Zipkin
 * UI repairs it, timed on one axis, with its critical path.  Pure: built
 * from spans (backends/zipkin.h), no I/O.
 *
 * Repairs, in order:
 *  - shared span ids: a CLIENT span and a SERVER span with the same id
 *    (the server's marked "shared", or both present) are one RPC.  The
 *    server half becomes a child node of the client half, as the Zipkin UI
 *    draws it; spans whose parent is that id hang under the server half.
 *  - duplicates: spans with the same id, kind and local service (a span
 *    reported twice) are merged into one: tags and annotations united,
 *    the earliest timestamp and the longest duration kept.
 *  - orphans: a span whose parent id is not in the trace hangs under a
 *    synthetic root ("missing parent") along with every other root when
 *    the trace has more than one root or none; such nodes are flagged.
 *  - clock skew: a child (other service) that starts before its parent or
 *    ends after it, by more than the parent's own slack allows, is shifted
 *    by the smallest amount that puts it inside the parent (a SERVER half
 *    is centred within its CLIENT half, as Zipkin's skew correction does);
 *    the shift is kept in skew_us and its subtree moves with it.  A child
 *    of the same service that exceeds its parent is not shifted (one clock)
 *    but flagged exceeds_parent.
 *  - spans with no timestamp take their parent's start; with no duration,
 *    the span of their annotations, else 0 (drawn as a tick).
 *
 * Nodes are in depth-first order (children by start time, then by id), so
 * rows of the waterfall are node indexes.  Times are microseconds relative
 * to the trace's start (start_us).
 *
 * Critical path (Jaeger's): from the root, walk back from the end of the
 * span: the child that finished last before the current point is on the
 * path, its time counts for it, recurse into it; the gaps between children
 * are the parent's own (self) time on the path.  crit_us of a node is the
 * time it contributes to the path; the crit_us of all nodes sum to the
 * trace's duration (with a synthetic root, to the root's extent).  Where
 * Jaeger cuts a child at its parent's end, here the time a child runs
 * past its parent's end still counts, for the child: a node's window on
 * the path is its span widened to cover its descendants.
 */
#ifndef OPSDECK_BACKENDS_TRACE_H
#define OPSDECK_BACKENDS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "zipkin.h"

struct trace_node {
	int span;           /* index into trace.spans; -1 for the synthetic root */
	int parent;         /* node index; -1 for the top */
	int first_child;    /* node index; -1 none */
	int next_sibling;   /* node index; -1 none */
	int depth;          /* 0 for the top */
	int nchildren;
	int subtree;        /* nodes in the subtree, itself included */
	int64_t start_us;   /* relative to trace.start_us, after skew correction */
	int64_t dur_us;
	int64_t self_us;    /* duration not covered by any child */
	int64_t skew_us;    /* the shift this node's own correction applied (0 none); its
			       subtree moved with it, and nodes moved only so have 0 */
	int64_t crit_us;    /* time this node contributes to the critical path */
	bool on_critical;   /* crit_us > 0 */
	bool error;         /* the span has an error tag */
	bool orphan;        /* its parent id was not in the trace (or closed a cycle of ids) */
	bool exceeds_parent;/* starts before or ends after its parent (after correction) */
	bool merged;        /* the span was merged from duplicates */
	const char *service;/* the local service (borrowed from spans; "" when absent) */
};

struct trace {
	char trace_id[33];
	struct zk_span *spans; /* owned, after merging */
	size_t nspans;
	struct trace_node *nodes; /* depth-first */
	size_t nnodes;
	bool synthetic_root;   /* node 0 is "missing parent" */
	int64_t start_us;      /* epoch microseconds of the earliest span */
	int64_t duration_us;   /* of the whole trace */
	size_t norphans;       /* spans hung under the synthetic root for a missing parent */
	size_t nskewed;        /* nodes shifted for clock skew */
	size_t nerrors;        /* spans with an error tag */
	char **services;       /* distinct local services, by first appearance in nodes (the
				  array owned, the strings borrowed from spans; "" not listed) */
	size_t nservices;
	size_t bytes;          /* memory held, for the cache's bound */
};

/*
 * Build from spans (taken: the array and its members belong to the trace
 * afterwards, also on failure).  An empty list is an error ("zipkin: the
 * trace has no spans").  Returns NULL with e filled.
 */
struct trace *trace_build(struct zk_span *spans, size_t n, struct err *e);
void trace_free(struct trace *t); /* NULL-safe */

/* The span of node i, or NULL for the synthetic root. */
const struct zk_span *trace_span(const struct trace *t, int i);
/* The node's service index into t->services (colour); -1 for the synthetic root
 * or a span with no local service. */
int trace_service_index(const struct trace *t, int i);

/*
 * The rows shown, given which nodes are collapsed (collapsed[i]: node i's
 * subtree is hidden; NULL = none): node indexes, in order, into rows
 * (at most max).  Returns the number of rows.  rows may be NULL: then
 * max is ignored and the count of visible rows is returned.
 */
size_t trace_rows(const struct trace *t, const bool *collapsed, int *rows, size_t max);

/*
 * The columns [x0, x1) of node i's bar on an axis of width cells that
 * spans the whole trace; x1 > x0 always (a zero-length span is one cell).
 */
void trace_bar(const struct trace *t, int i, int width, int *x0, int *x1);

/*
 * The service that contributes the most time to the critical path
 * (borrowed), for the pivot to its detail; NULL for an empty trace.
 */
const char *trace_critical_service(const struct trace *t, int64_t *us);

#endif
