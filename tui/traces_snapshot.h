/*
 * traces_snapshot.h - `opsdeck snapshot --screen traces | trace:ID |
 * topology`: one Zipkin answer printed as the screen (text, ansi), a
 * Markdown table, or JSON:
 *   traces:   {"search", "lookback_seconds", "error", "traces": [{"trace_id",
 *              "start", "duration_ms", "spans", "root_service", "root_span",
 *              "services", "errors"}]}
 *   trace:ID: {"trace_id", "start", "duration_ms", "spans_total", "orphans",
 *              "skew_corrected", "critical_service", "error", "spans": [{"id",
 *              "parent_id", "depth", "service", "name", "kind", "start_ms",
 *              "duration_ms", "self_ms", "critical_ms", "error", "orphan",
 *              "skew_ms", "exceeds_parent"}]}
 *   topology: {"range_seconds", "error", "links": [{"parent", "child",
 *              "calls", "errors"}], "crossings"}
 * Times in RFC 3339 UTC.  The Trace screen is printed with its critical
 * path shown; the Topology with the services' health when Prometheus is
 * configured (one round).
 */
#ifndef OPSDECK_TUI_TRACES_SNAPSHOT_H
#define OPSDECK_TUI_TRACES_SNAPSHOT_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"
#include "snapshot.h"

/* Whether screen is one of these (then traces_snapshot_run prints it). */
bool traces_snapshot_screen(const char *screen);

/*
 * Poll and render.  Returns 0, 2 when Zipkin failed or did not answer in
 * time (the output names the failure), or -1 with e for a usage error (no
 * Zipkin configured, a bad search, --since or trace id).
 */
int traces_snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e);

#endif
