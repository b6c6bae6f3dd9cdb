/*
 * elasticsearch_internal.h - private to backends/elasticsearch*.c; no other
 * file includes it.
 *
 * elasticsearch.c builds requests and holds the allow-list;
 * elasticsearch_error.c makes bodies safe for jansson, loads the JSON
 * envelope and reports error bodies; elasticsearch_parse.c parses hits
 * and aggregations; elasticsearch_terms.c tokenizes query_string for
 * highlighting.
 */
#ifndef OPSDECK_BACKENDS_ELASTICSEARCH_INTERNAL_H
#define OPSDECK_BACKENDS_ELASTICSEARCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define ES_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define ES_ELLIPSIS "\xe2\x80\xa6"    /* … */

/*
 * The root object of a 2xx search answer (new), or NULL with e filled:
 * the server's error verbatim for other statuses (elasticsearch_parse_error),
 * else what arrived instead of a JSON object.  Invalid UTF-8 in body is
 * replaced by U+FFFD first; integers beyond 64 bits become reals.
 */
json_t *elasticsearch_load(long status, const char *body, size_t len, struct err *e);

/*
 * How many bytes of s[0..len) to keep so that at most max are kept and the
 * cut falls on a UTF-8 character boundary (len when it fits).
 */
size_t elasticsearch_utf8_cut(const char *s, size_t len, size_t max);

/*
 * new: len bytes of a jansson string with NUL characters as U+FFFD, cut
 * to max bytes on a character boundary (0: all); *cut (may be NULL) says
 * whether anything was cut.
 */
char *elasticsearch_str_copy(const char *s, size_t len, size_t max, bool *cut);

/* borrowed: obj[key] when it is a string, else NULL. */
const char *elasticsearch_get_str(const json_t *obj, const char *key);

#endif
