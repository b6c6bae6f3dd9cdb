/*
 * logs_snapshot.h - the Logs screen's object in the snapshot's JSON
 * (screens.logs): one histogram's total and the newest page of hits for
 * --query over --since:
 *   {"query", "range", "total", "total_is_lower_bound", "error",
 *    "hits": [{"time", "level", "service", "message", "trace_id"}]}
 * with times in RFC 3339 UTC with milliseconds.
 */
#ifndef OPSDECK_TUI_LOGS_SNAPSHOT_H
#define OPSDECK_TUI_LOGS_SNAPSHOT_H

#include <jansson.h>

#include "logs_poll.h"

/* new: the object of d (text jansson refuses, invalid UTF-8, as null). */
json_t *logs_snapshot_json(const struct logs_data *d);

#endif
