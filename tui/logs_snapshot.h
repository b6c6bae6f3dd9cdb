/*
 * logs_snapshot.h - `opsdeck snapshot --screen logs`: one histogram and
 * the newest page of hits for --query over --since, printed as the Logs
 * screen (text, ansi), a Markdown table, or JSON:
 *   {"query", "range", "total", "total_is_lower_bound",
 *    "hits": [{"time", "level", "service", "message", "trace_id"}]}
 * with times in RFC 3339 UTC.
 */
#ifndef OPSDECK_TUI_LOGS_SNAPSHOT_H
#define OPSDECK_TUI_LOGS_SNAPSHOT_H

#include "buf.h"
#include "err.h"
#include "snapshot.h"

/*
 * Poll and render the logs for o (o->query and o->since; NULL = everything,
 * the configured range).  Returns 0, 2 when Elasticsearch failed or did
 * not answer in time (the output names the failure), or -1 with e for a
 * usage error (no Elasticsearch configured, a bad --since).
 */
int logs_snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e);

#endif
