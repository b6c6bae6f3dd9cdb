/*
 * logs_hit.h - one log hit opened on the Logs screen: every field of its
 * _source as a sorted flat list ("kubernetes.pod.name: value"), nested
 * objects flattened with dots, arrays of scalars as compact JSON, long
 * values wrapped by display width under their own column.
 */
#ifndef OPSDECK_TUI_SCREENS_LOGS_HIT_H
#define OPSDECK_TUI_SCREENS_LOGS_HIT_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "elasticsearch.h"

/* One field: owned strings. */
struct logs_field {
	char *key;
	char *value;
};

/*
 * new: the fields of source (a JSON object as text), sorted by key, *n of
 * them.  Not JSON or not an object: one field "_source" with the text.
 */
struct logs_field *logs_hit_fields(const char *source, size_t *n);
void logs_hit_fields_free(struct logs_field *f, size_t n);

/*
 * Draw hit into r: a title row (time, index, id), a trace hint when it
 * has a trace id, then the fields from field `scroll` on.  Returns the
 * number of fields (for scrolling bounds).
 */
size_t logs_hit_draw(struct canvas *c, struct rect r, const struct es_hit *hit, bool utc,
		     size_t scroll);

#endif
