/*
 * detail_json.h - the Service detail as a JSON object, for
 * `opsdeck snapshot --screen service:NAME --format json`.
 */
#ifndef OPSDECK_TUI_DETAIL_JSON_H
#define OPSDECK_TUI_DETAIL_JSON_H

#include "buf.h"
#include "detail_poll.h"
#include "view.h"

/*
 * Append the detail object of the service named service (model from v,
 * the rest from dd; dd may be NULL) to out, indented, with a final newline:
 *   { "generated_at", "name", "status", "values": {rps, error_ratio, ...},
 *     "runtime": {...} | null, "rollout": {state, message, ...} | null,
 *     "failed_task": {error, at} | null,
 *     "deployment": {"current": {image, version}, "previous": ... | null},
 *     "instances": [...], "charts": {range_seconds, step_seconds, start, end,
 *     "rps": [[t, v], ...], "error_ratio": [...], "p99_seconds": [...]},
 *     "backends": {...} }
 * and for a Kubernetes workload "workload": {kind, namespace, revision,
 * ...} | null, "pods": [...], "revisions": [...], "events": [...],
 * "events_error".
 * A service the model does not know gives {"name": ..., "status": null}.
 */
void detail_json_write(const struct view_ctx *v, const char *service, const struct detail_data *dd,
		       struct buf *out);

#endif
