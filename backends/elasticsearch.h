/*
 * elasticsearch.h - the Elasticsearch / OpenSearch search API for logs:
 * request builders and pure response parsers.
 *
 * Works against Elasticsearch 7.x and 8.x and OpenSearch 2.x: hits.total
 * may be an object {"value": n, "relation": "eq"|"gte"} or a plain number.
 * Builders return a path (index pattern percent-encoded) and a JSON body
 * for POST; every request they build is a read (see elasticsearch_is_read).
 * Parsers are pure functions of (status, body, len).  An Elasticsearch
 * error body {"error": {"type": "parsing_exception", "reason": "..."},
 * "status": 400} is reported verbatim: "elasticsearch: parsing_exception:
 * ...".  429 gives ERR_BACKEND with the Retry-After advice when present.
 *
 * Paging is by search_after on (timestamp, tiebreaker), never deep
 * from/size: the 100th page costs what the first does.
 */
#ifndef OPSDECK_BACKENDS_ELASTICSEARCH_H
#define OPSDECK_BACKENDS_ELASTICSEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"

/* Field names of the log documents (ECS defaults). Plain record, borrowed strings. */
struct es_fields {
	const char *timestamp; /* "@timestamp" */
	const char *message;   /* "message" */
	const char *level;     /* "log.level" */
	const char *service;   /* "service.name" */
	const char *trace_id;  /* "trace.id" */
};

/* The ECS defaults, static. */
const struct es_fields *elasticsearch_default_fields(void);

/* A position in the sort order (timestamp desc, tiebreaker desc): for search_after. */
struct es_cursor {
	bool set;         /* false: from the newest */
	double t;         /* sort value of the timestamp, epoch milliseconds */
	char tiebreak[128]; /* the second sort value as JSON text (a number or a string) */
};

/* A search for hits. Plain record; borrowed strings. */
struct es_search {
	const char *query;      /* query_string (Lucene syntax); NULL or "" = everything */
	double from, to;        /* time range, unix seconds (to <= 0: now) */
	size_t size;            /* hits per page (1..10000) */
	struct es_cursor after; /* older than this (paging), if set */
	struct es_cursor newer; /* tail: only hits newer than this, if set (ascending order then) */
	bool track_total;       /* exact total up to 10,000 ("track_total_hits": 10000) */
};

/* One hit. Owned strings (never NULL; "" when absent). */
struct es_hit {
	char *index;    /* _index */
	char *id;       /* _id */
	double t;       /* timestamp, unix seconds (from the sort value or the field) */
	char *level;    /* log level as written ("ERROR", "warn") */
	char *service;
	char *message;  /* cut to max_message bytes (at a UTF-8 boundary) */
	bool cut;       /* message was longer than max_message */
	char *trace_id;
	char *source;   /* the whole _source as compact JSON, for the detail view */
	struct es_cursor cursor; /* this hit's sort values */
};

struct es_hits {
	struct es_hit *hits; /* owned, in the order returned */
	size_t n;
	long long total;     /* hits.total value; -1 unknown */
	bool total_is_lower_bound; /* relation "gte" ("≥10,000") */
	long took_ms;
};

/* A date histogram of hits, with the error-level part of each bucket. */
struct es_bucket {
	double t;          /* bucket start, unix seconds */
	long long count;   /* all hits */
	long long errors;  /* hits whose level is error-like (error, fatal, critical...) */
};

struct es_histogram {
	struct es_bucket *buckets; /* owned, oldest first */
	size_t n;
	double interval;           /* seconds per bucket */
	long long total;           /* hits in range; -1 unknown */
	bool total_is_lower_bound;
};

/* Errors per service (terms aggregation) for the Overview's errors/min. */
struct es_service_count {
	char *service;     /* owned */
	long long count;   /* error-level hits in the window */
};

/* ---- builders (path and body are new; POST both) ---------------------- */

/* POST {index}/_search for hits.  fields borrowed. */
int elasticsearch_search_request(const char *index, const struct es_fields *f,
				 const struct es_search *s, char **path, char **body, struct err *e);
/*
 * POST {index}/_search, size 0, a date_histogram over [from, to] with
 * `buckets` buckets (interval rounded to a whole second, at least 1 s) and
 * a filter sub-aggregation of error-level hits.
 */
int elasticsearch_histogram_request(const char *index, const struct es_fields *f,
				    const char *query, double from, double to, size_t buckets,
				    char **path, char **body, struct err *e);
/*
 * POST {index}/_search, size 0: error-level hits per service (terms on the
 * service field, up to max_services) over the last window_s seconds.
 */
int elasticsearch_errors_request(const char *index, const struct es_fields *f, double window_s,
				 size_t max_services, char **path, char **body, struct err *e);

/* ---- parsers ------------------------------------------------------------ */

/* Hits of a search.  max_message: bytes kept per message.  out new (es_hits_done). */
int elasticsearch_parse_hits(long status, const char *body, size_t len, const struct es_fields *f,
			     size_t max_message, struct es_hits *out, struct err *e);
void es_hits_done(struct es_hits *h);

int elasticsearch_parse_histogram(long status, const char *body, size_t len,
				  struct es_histogram *out, struct err *e);
void es_histogram_done(struct es_histogram *h);

int elasticsearch_parse_errors(long status, const char *body, size_t len,
			       struct es_service_count **out, size_t *n, struct err *e);
void es_service_counts_free(struct es_service_count *c, size_t n);

/* Fill e from an Elasticsearch error body (any non-2xx).  Returns -1. */
int elasticsearch_parse_error(long status, const char *body, size_t len, struct err *e);

/* ---- helpers ------------------------------------------------------------ */

/* Is level ("ERROR", "error", "fatal", "CRITICAL", "emerg", "alert") error-like? */
bool elasticsearch_level_is_error(const char *level);

/*
 * The read-only allow-list: GET or POST of _search, _count, _msearch,
 * _field_caps, GET of _cat/..., _mapping, /, _cluster/health; point in time
 * (POST _pit / DELETE _pit, OpenSearch _search/point_in_time) open and
 * close.  Everything else (_bulk, _doc, _update, _delete_by_query,
 * index creation) is a write.
 */
bool elasticsearch_is_read(enum http_method m, const char *path);

/*
 * The terms of a query_string to highlight in hits (new array of new
 * strings, *n of them): bare words and phrases, field:value values,
 * without operators (AND OR NOT), wildcards kept as written.  Free with
 * elasticsearch_terms_free.
 */
char **elasticsearch_query_terms(const char *query, size_t *n);
void elasticsearch_terms_free(char **terms, size_t n);

#endif
