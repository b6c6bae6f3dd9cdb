/*
 * ecs_internal.h - what the files of the ECS backend share and nothing
 * outside them may use: the envelope of an answer and small jansson
 * readers.  Not part of the API (ecs.h is).
 */
#ifndef OPSDECK_BACKENDS_ECS_INTERNAL_H
#define OPSDECK_BACKENDS_ECS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

/*
 * A 2xx answer's JSON object (new), or NULL with e filled: a non-2xx status
 * through ecs_parse_error (which sets *throttled), a body that is not a
 * JSON object.  what names the operation in messages ("DescribeServices").
 */
json_t *ecs_load(long status, const char *body, size_t len, const char *what, bool *throttled,
		 struct err *e);

/*
 * failures[] of a Describe* answer as a warning in e (ERR_BACKEND): how
 * many, and the first's ARN, reason and detail.  e untouched when none.
 */
void ecs_failures_warn(const json_t *root, const char *what, struct err *e);

/* new: o[key] when a string, else "" */
char *ecs_str(const json_t *o, const char *key);
/* o[key] as long (a real in range truncated), else dflt. */
long ecs_num(const json_t *o, const char *key, long dflt);
/* o[key] as unix seconds: a number as ECS sends them, an ISO 8601 string; else 0. */
double ecs_when(const json_t *o, const char *key);
/* new: the part of an ARN after its last '/' ("" for NULL). */
char *ecs_arn_tail(const char *arn);

#endif
