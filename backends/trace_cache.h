/*
 * trace_cache.h - the traces opened, kept for going back: least recently
 * used first out, bounded in count and in bytes (struct trace.bytes).
 * A trace bigger than the byte bound on its own is not kept.
 */
#ifndef OPSDECK_BACKENDS_TRACE_CACHE_H
#define OPSDECK_BACKENDS_TRACE_CACHE_H

#include <stddef.h>

#include "trace.h"

struct trace_cache; /* opaque */

/* max_traces 0 = 200, max_bytes 0 = 64 MiB. */
struct trace_cache *trace_cache_new(size_t max_traces, size_t max_bytes);
void trace_cache_free(struct trace_cache *c); /* NULL-safe; frees the traces held */

/* The trace of id (borrowed until the next put), made most recent; NULL if absent. */
const struct trace *trace_cache_get(struct trace_cache *c, const char *trace_id);
/* Take t (replacing one of the same id), evicting the least recent to fit.  Returns
 * t, or NULL when t alone exceeds max_bytes (t is freed then). */
const struct trace *trace_cache_put(struct trace_cache *c, struct trace *t);

size_t trace_cache_count(const struct trace_cache *c);
size_t trace_cache_bytes(const struct trace_cache *c);

#endif
