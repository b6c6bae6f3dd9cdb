/*
 * k8s_internal.h - what the files of the Kubernetes backend share and
 * nothing outside them may use: the RFC 3339 reader, the JSON envelope and
 * small jansson getters.  Not part of the API (k8s.h is).
 */
#ifndef OPSDECK_BACKENDS_K8S_INTERNAL_H
#define OPSDECK_BACKENDS_K8S_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/*
 * Unix seconds of an RFC 3339 time as the API server writes it
 * ("2026-11-22T10:00:00Z", MicroTime "...:00.123456Z", an offset
 * "+02:00"); 0 for NULL, "" or anything else.
 */
double k8s_time(const char *s);

/*
 * A 2xx answer's JSON object (new), or NULL with e filled: a non-2xx
 * status through k8s_parse_status_error, a body that is not a JSON object,
 * a 2xx Status object with "status":"Failure".  what names the request
 * in messages ("deployments").
 */
json_t *k8s_load(long status, const char *body, size_t len, const char *what, struct err *e);

/* borrowed: root.k1.k2... (NULL-terminated key list); NULL when any step is missing. */
json_t *k8s_get(const json_t *root, ...);

/* new: the string j, or "" */
char *k8s_str(const json_t *j);
/* A JSON number as long (a real in range truncated), else dflt. */
long k8s_num(const json_t *j, long dflt);
long long k8s_num_ll(const json_t *j);
/* k8s_time of a JSON string, 0 for anything else. */
double k8s_time_of(const json_t *j);

/*
 * The items array of a list answer (borrowed from root, or *one), or NULL
 * with e filled.  "items": null is an empty list; a single object of kind
 * (GET of one object) is a list of one, held in *one (new; the caller
 * json_decrefs it, NULL-safe).  what names the request in messages.
 */
json_t *k8s_items_of(json_t *root, const char *kind, const char *what, json_t **one, struct err *e);
/* new: metadata.continue, "" on the last page. */
char *k8s_continue_of(const json_t *root);
/* The item's metadata.name (borrowed), or NULL with e naming what and the index. */
const char *k8s_item_name(const json_t *j, const char *what, size_t i, struct err *e);
/* metadata.annotations[key] / metadata.labels[key] (borrowed), NULL when absent. */
const char *k8s_annotation(const json_t *j, const char *key);
const char *k8s_label(const json_t *j, const char *key);
/* The ownerReference with controller: true (borrowed), else NULL. */
json_t *k8s_controller_of(const json_t *j);

#endif
