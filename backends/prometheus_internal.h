/*
 * prometheus_internal.h - helpers shared by prometheus*.c; private to them.
 */
#ifndef OPSDECK_BACKENDS_PROMETHEUS_INTERNAL_H
#define OPSDECK_BACKENDS_PROMETHEUS_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"
#include "prometheus.h"

/*
 * The API envelope of an answer: the parsed root (new) when the status is
 * "success" with a 2xx HTTP status, else NULL with e naming the server's
 * errorType and error verbatim, or what arrived instead of the API's JSON.
 */
json_t *prometheus_load_envelope(long status, const char *body, size_t len, struct err *e);
/* {"name": "value", ...} -> labels sorted by name (*out new); a NULL object is none. */
int prometheus_parse_labels(const json_t *obj, const char *what, struct prom_label **out, size_t *n,
			    struct err *e);
void prometheus_labels_free(struct prom_label *l, size_t n);
/* A sample value string ("1.5", "NaN", "+Inf") in the C locale.  0 or -1. */
int prometheus_parse_value(const char *s, double *out);

#endif
