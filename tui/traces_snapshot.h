/*
 * traces_snapshot.h - the Traces, Trace and Topology screens' objects in
 * the snapshot's JSON (screens.traces, screens["trace:ID"],
 * screens.topology):
 *   traces:   {"search", "lookback_seconds", "error", "traces": [{"trace_id",
 *              "start", "duration_ms", "spans", "root_service", "root_span",
 *              "services", "errors", "too_big"}]}
 *   trace:ID: {"trace_id", "start", "duration_ms", "spans_total", "orphans",
 *              "skew_corrected", "critical_service", "critical_service_ms",
 *              "error", "spans": [{"id", "parent_id", "depth", "service",
 *              "name", "kind", "start_ms", "duration_ms", "self_ms",
 *              "critical_ms", "error", "orphan", "skew_ms", "exceeds_parent"}]}
 *   topology: {"range_seconds", "error", "links": [{"parent", "child",
 *              "calls", "errors"}], "crossings"}
 * Times in RFC 3339 UTC with milliseconds.
 */
#ifndef OPSDECK_TUI_TRACES_SNAPSHOT_H
#define OPSDECK_TUI_TRACES_SNAPSHOT_H

#include <jansson.h>

#include "traces_poll.h"

/* new: each screen's object (text jansson refuses, invalid UTF-8, as null). */
json_t *traces_snapshot_list_json(const struct traces_list *l);
json_t *traces_snapshot_trace_json(const struct trace_data *d);
json_t *traces_snapshot_topology_json(const struct topology_data *d);

#endif
