/*
 * zipkin_internal.h - private to backends/zipkin*.c; no other file
 * includes it.
 *
 * zipkin.c holds the span helpers, request builders, ids and the
 * allow-list; zipkin_parse.c the answer envelope (statuses, JSON), the
 * span decoder and the trace parser; zipkin_lists.c the summaries of a
 * trace search, names and dependency links; zipkin_query.c the search
 * line.
 */
#ifndef OPSDECK_BACKENDS_ZIPKIN_INTERNAL_H
#define OPSDECK_BACKENDS_ZIPKIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "zipkin.h"

#define ZK_DEFAULT_MAX_SPANS 50000

/*
 * The root array of a 2xx answer of the endpoint what ("/api/v2/traces")
 * (new), or NULL with e filled: a message for the status (naming it and
 * what to do; a 404 of /api/v2/trace is "trace ID not found"), else what
 * arrived instead of a JSON array.
 */
json_t *zipkin_load(long status, const char *body, size_t len, const char *what, struct err *e);

/*
 * Decode the span object o into s (zeroed first).  ctx names it in
 * messages ("/api/v2/trace: span 3").  Returns 0, or -1 with e filled
 * and s cleared.
 */
int zipkin_span_decode(const json_t *o, const char *ctx, struct zk_span *s, struct err *e);

/* new: a jansson string with NUL characters as U+FFFD. */
char *zipkin_str_copy(const json_t *v);

/*
 * Members of o, absent and null alike: -1 wrong type, 0 absent, 1 read.
 * An integer member takes an integral real too; *out 0 when not read.  A
 * string member is borrowed from o.
 */
int zipkin_get_int(const json_t *o, const char *key, int64_t *out);
int zipkin_get_str(const json_t *o, const char *key, const json_t **out);

/* "zipkin: CTX: \"MEMBER\" is not WANT" as ERR_PARSE.  Returns -1. */
int zipkin_wrong_type(struct err *e, const char *ctx, const char *member, const char *want);

/* The span id rules: 1 to 16 hex digits, lowercased, left-padded to 16. */
bool zipkin_span_id_norm(const char *id, char out[17]);

/* lim->max_spans, or the default when lim is NULL or says 0. */
size_t zipkin_max_spans(const struct zk_limits *lim);

#endif
