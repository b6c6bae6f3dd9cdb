/*
 * detail_stats.h - what the Service detail knows of each container across
 * stats rounds: the previous stats sample (CPU % needs two of our own: the
 * one-shot answer carries no usable previous sample), memory, health,
 * restart count and exit status.  Pure bookkeeping, no I/O.
 */
#ifndef OPSDECK_TUI_DETAIL_STATS_H
#define OPSDECK_TUI_DETAIL_STATS_H

#include <stddef.h>

#include "detail_data.h"
#include "docker.h"

struct detail_stats; /* opaque */

struct detail_stats *detail_stats_new(void);
void detail_stats_free(struct detail_stats *s); /* NULL-safe */
/* Forget every container. */
void detail_stats_clear(struct detail_stats *s);
/* Record an inspect answer (health, restart count, exit status) for container id. */
void detail_stats_inspect(struct detail_stats *s, const char *id,
			  const struct docker_container_detail *d);
/* Record a stats sample for id; from the second one on, CPU % is known. */
void detail_stats_sample(struct detail_stats *s, const char *id, const struct docker_stats *st);
/*
 * Copy what is known into the instances (CPU and memory for running ones,
 * health, restarts where the runtime did not tell, exit status), then
 * forget containers that are no longer instances, so the memory stays
 * bounded by the instance list.
 */
void detail_stats_apply(struct detail_stats *s, struct detail_instance *in, size_t n);

#endif
