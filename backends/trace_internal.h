/*
 * trace_internal.h - what trace.c and trace_critical.c share; private to them.
 */
#ifndef OPSDECK_BACKENDS_TRACE_INTERNAL_H
#define OPSDECK_BACKENDS_TRACE_INTERNAL_H

#include "trace.h"

/*
 * The trace as allocated: the public record first (so a struct trace * is
 * a struct trace_priv *), then what the accessors need and the header does
 * not show.
 */
struct trace_priv {
	struct trace pub;
	int *svc; /* per node: index into pub.services, -1 for none (owned) */
};

/*
 * Merge the spans reported more than once (same id, kind and local
 * service) in place: the first report keeps its place and takes the
 * others' tags, annotations, earliest timestamp and longest duration;
 * the others are cleared and removed.  merged (n entries, false on entry)
 * tells which survivors took others.  Returns the new count.
 */
size_t trace_merge_duplicates(struct zk_span *spans, size_t n, bool *merged);

/*
 * Fill self_us of every node: its duration minus the union of its
 * children's intervals clipped to it.  Nodes must be complete (order,
 * links, times).
 */
void trace_self_compute(struct trace *t);

/*
 * Fill crit_us and on_critical of every node by the critical-path walk
 * from node 0 (see trace_critical.c for how children past their parent's
 * ends are counted).
 */
void trace_critical_compute(struct trace *t);

#endif
