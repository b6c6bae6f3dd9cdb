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
 * ...".  429 gives ERR_BACKEND advising to wait for the server's
 * Retry-After (parsers see only the body: honouring the header's value is
 * the poller's job).
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

/*
 * Field names of the log documents (ECS defaults).  Plain record, borrowed
 * strings; a NULL or "" member means its default.  Names are dotted paths:
 * "log.level" finds {"log": {"level": ..}} as well as {"log.level": ..}.
 */
struct es_fields {
	const char *timestamp; /* "@timestamp" */
	const char *message;   /* "message" */
	const char *level;     /* "log.level" */
	const char *service;   /* "service.name" */
	const char *trace_id;  /* "trace.id" */
	/*
	 * The second sort key, for search_after: "_doc".  _doc is the Lucene
	 * document number inside a shard, which every ES 7/8 and OpenSearch
	 * index has and which costs nothing to sort on; but without a point
	 * in time it is neither unique across shards nor stable across
	 * refreshes and merges, so hits sharing a timestamp exactly can be
	 * skipped or repeated at a page boundary (repeats are dropped by
	 * logbuf, which dedupes on _index and _id).  A field with one unique
	 * value per document and doc_values (a sequence number, a keyword
	 * copy of the id) makes paging exact.
	 */
	const char *tiebreak;
};

/* The ECS defaults (tiebreak "_doc"), static. */
const struct es_fields *elasticsearch_default_fields(void);

/*
 * A position in the sort order (timestamp desc, tiebreaker desc): for
 * search_after.  A hit whose sort values are missing, or whose second one
 * is longer than 127 bytes as JSON, has an unset cursor.
 */
struct es_cursor {
	bool set;           /* false: from the newest */
	double t;           /* sort value of the timestamp, epoch milliseconds */
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
	char *index; /* _index */
	char *id;    /* _id */
	double t;    /* timestamp, unix seconds (from the sort value or the field) */
	char *level; /* log level as written ("ERROR", "warn") */
	char *service;
	char *message; /* cut to max_message bytes (at a UTF-8 boundary) */
	bool cut;      /* message was longer than max_message */
	char *trace_id;
	char *source;            /* the whole _source as compact JSON, for the detail view */
	struct es_cursor cursor; /* this hit's sort values */
};

struct es_hits {
	struct es_hit *hits; /* owned, in the order returned */
	size_t n;
	long long total;           /* hits.total value; -1 unknown */
	bool total_is_lower_bound; /* relation "gte" ("≥10,000") */
	long took_ms;
};

/* A date histogram of hits, with the error-level part of each bucket. */
struct es_bucket {
	double t;         /* bucket start, unix seconds */
	long long count;  /* all hits */
	long long errors; /* hits whose level is error-like (error, fatal, critical...) */
};

struct es_histogram {
	struct es_bucket *buckets; /* owned, oldest first */
	size_t n;
	double interval; /* seconds per bucket */
	long long total; /* hits in range; -1 unknown */
	bool total_is_lower_bound;
};

/* Errors per service (terms aggregation) for the Overview's errors/min. */
struct es_service_count {
	char *service;   /* owned */
	long long count; /* error-level hits in the window */
};

/* ---- builders (path and body are new; POST both) ---------------------- */

/*
 * The bodies are compact JSON in the shape Kibana Discover sends:
 *
 *   query  {"bool":{"filter":[{"range":{TS:{"gte":MS,"lte":MS,"format":"epoch_millis"}}},
 *           {"query_string":{"query":Q,"default_operator":"OR","analyze_wildcard":true}}]}}
 *
 * The query_string clause is left out for an empty query; "lte" for
 * to <= 0 (no upper bound: lines a skewed clock stamped in the future still
 * show).  default_operator is spelled out as OR, Elasticsearch's own
 * default, so "timeout orders" means either word as in Kibana.  Filters,
 * not scoring clauses: hits are sorted by time, scores are never computed.
 * On failure (a size or range out of bounds) path and body are NULL and e
 * is ERR_USAGE.  index is percent-encoded except for '*', ',' and ':'
 * (patterns, lists, cross-cluster names); NULL or "" is "logs-*".
 */

/*
 * POST {index}/_search for hits.  fields borrowed.  The sort is
 *   [{TS:{"order":"desc","unmapped_type":"date","numeric_type":"date"}},
 *    {TIEBREAK:{"order":"desc"}}]
 * with "search_after":[after.t, after.tiebreak] when after is set.  No sort
 * "format": the timestamp's sort value stays a number of epoch
 * milliseconds (numeric_type "date" makes date_nanos fields answer in
 * milliseconds too), which search_after takes back as is on every
 * version.  unmapped_type lets the pattern cover indices without the
 * field.  A tail (newer set) sorts ascending with search_after = newer,
 * so the oldest new hits come first and a burst larger than size is read
 * in order over several polls; after and newer together are ERR_USAGE.
 * "track_total_hits" is 10000 when track_total, else false; "_source" true.
 */
int elasticsearch_search_request(const char *index, const struct es_fields *f,
				 const struct es_search *s, char **path, char **body,
				 struct err *e);
/*
 * POST {index}/_search, size 0, a date_histogram over [from, to] (to <= 0:
 * now) with `buckets` buckets: "fixed_interval" a whole number of seconds
 * ("30s", the span divided by buckets rounded up, at least 1 s),
 * "min_doc_count" 0 and "extended_bounds" {min, max} in epoch milliseconds
 * so empty stretches are buckets of 0, "meta" {"interval_s": N} so the
 * answer names its interval.  Sub-aggregation "errors": a filter with a
 * terms query on the level field listing the error-like levels in lower,
 * upper and capitalised case (terms is exact on keyword fields, where
 * query_string would depend on the mapping; on a text field the analysed
 * lowercase value matches the lowercase entry).  "track_total_hits" true:
 * the histogram visits every hit anyway, so the total is exact for free.
 */
int elasticsearch_histogram_request(const char *index, const struct es_fields *f, const char *query,
				    double from, double to, size_t buckets, char **path,
				    char **body, struct err *e);
/*
 * POST {index}/_search, size 0: error-level hits per service over the last
 * window_s seconds (range "gte":"now-Ns", the same terms filter as the
 * histogram), aggregation "services": terms on the service field (a
 * keyword field) with "size" max_services (1..10000).
 */
int elasticsearch_errors_request(const char *index, const struct es_fields *f, double window_s,
				 size_t max_services, char **path, char **body, struct err *e);

/* ---- parsers ------------------------------------------------------------ */

/*
 * All parsers: a non-2xx status goes to elasticsearch_parse_error; a body
 * that is not JSON (an HTML page from a proxy, an empty body) is ERR_PARSE
 * naming the status and the body's first bytes (ERR_AUTH for 401/403);
 * JSON that is not a search answer is ERR_PARSE.  Invalid UTF-8 in a body
 * is replaced by U+FFFD and NUL characters ("\u0000") likewise, so one bad
 * byte in one log line does not lose the page; everything else (escape
 * sequences, bidi controls) is kept verbatim for widgets/text to make
 * visible.  Integers beyond 64 bits in _source are read as reals rather
 * than failing the page.  On failure out is empty.
 */

/*
 * Hits of a search.  Fields are looked up by dotted path in _source
 * (nested objects and flat dotted keys, mixed); a value that is not a
 * string is written as compact JSON, an array of one value as that value.
 * t: the first sort value (epoch milliseconds) when it is a number, else
 * the timestamp field (ISO 8601 with fractions and Z / +hh:mm / +hhmm
 * offsets, no offset = UTC; or epoch milliseconds as a number or digits);
 * 0 when neither.  max_message: bytes kept per message, cut on a UTF-8
 * character boundary with cut set (0 = keep all); in source, string
 * values longer than max_message are cut the same way and end in "…", so
 * source stays JSON and a 1 MB message costs max_message twice, not 1 MB.
 * total: hits.total as {"value","relation"} or a number; -1 when absent
 * (track_total_hits false).  out new (es_hits_done).
 */
int elasticsearch_parse_hits(long status, const char *body, size_t len, const struct es_fields *f,
			     size_t max_message, struct es_hits *out, struct err *e);
void es_hits_done(struct es_hits *h); /* NULL-safe; leaves h empty */

/*
 * The answer to elasticsearch_histogram_request: buckets of aggregation
 * "hist" (also under typed_keys, "date_histogram#hist"), key in epoch
 * milliseconds, with the "errors" sub-count.  interval from the echoed
 * meta, else the distance between the first two keys, else 0.  out new.
 */
int elasticsearch_parse_histogram(long status, const char *body, size_t len,
				  struct es_histogram *out, struct err *e);
void es_histogram_done(struct es_histogram *h); /* NULL-safe */

/*
 * The answer to elasticsearch_errors_request: the buckets of aggregation
 * "services" in the server's order (most errors first).  A numeric key is
 * written as its number.  *out new (NULL when *n is 0).
 */
int elasticsearch_parse_errors(long status, const char *body, size_t len,
			       struct es_service_count **out, size_t *n, struct err *e);
void es_service_counts_free(struct es_service_count *c, size_t n); /* NULL-safe */

/*
 * Fill e from an Elasticsearch error body (any non-2xx).  Returns -1.
 * "elasticsearch: TYPE: REASON", then the root cause's and the innermost
 * caused_by's "TYPE: REASON" when they say something else (a
 * search_phase_execution_exception "all shards failed" names the
 * query_shard_exception and the parse_exception under it), then advice:
 * 401 ERR_AUTH "set [elasticsearch] token_file, username + password_file,
 * or api_key_file"; 403 ERR_AUTH naming the index privilege; 404
 * index_not_found_exception "check [elasticsearch] index"; 429 ERR_BACKEND
 * "overloaded ... retry after the server's Retry-After" (the header itself
 * is not seen here); 408/504 and timeouts ERR_TIMEOUT; else ERR_BACKEND.
 * Each reason is kept to 160 bytes (cut on a UTF-8 boundary) so the advice
 * always fits.  Old-style {"error": "text"} bodies are read too.
 */
int elasticsearch_parse_error(long status, const char *body, size_t len, struct err *e);

/* ---- helpers ------------------------------------------------------------ */

/*
 * Is level error-like?  Case-insensitively one of error, err, fatal,
 * critical, crit, emerg, emergency, alert, panic, severe: the syslog
 * levels 0-3, log4j/logback/zap/Python names, and Java's SEVERE.
 */
bool elasticsearch_level_is_error(const char *level);

/*
 * The read-only allow-list: GET or POST of _search, _count, _msearch,
 * _field_caps, GET of _cat/..., _mapping, /, _cluster/health; point in time
 * (POST _pit / DELETE _pit, OpenSearch _search/point_in_time) open and
 * close.  Everything else (_bulk, _doc, _update, _delete_by_query,
 * index creation) is a write.
 *
 * Exactly: the path (a query string is ignored) is "/", or an optional
 * index segment (not starting with '_', except _all) followed by one of
 * _search | _count | _msearch | _field_caps (GET, POST), _mapping or
 * _mapping/field/NAME (GET), _pit (POST, with an index); or /_cat/...
 * (GET), /_cluster/health[/INDEX] (GET), /_pit (DELETE),
 * /INDEX/_search/point_in_time (POST), /_search/point_in_time (DELETE),
 * /_search/point_in_time/_all (GET, DELETE).  Empty, "." and ".."
 * segments (also percent-encoded), backslashes and fragments make any
 * path a write, as do more segments than these forms have
 * (/INDEX/_doc/_search).
 */
bool elasticsearch_is_read(enum http_method m, const char *path);

/*
 * The terms of a query_string to highlight in hits (new array of new
 * strings, *n of them; NULL when none): bare words and phrases (a quoted
 * phrase is one term), field:value values, without operators (AND OR NOT
 * && || TO), field names, boosts (^2), fuzziness and proximity (~1),
 * ranges ([a TO b], >=5), regular expressions (/re/), a lone "*", and
 * negated terms or groups (-x, !x, NOT x), which hits cannot contain.
 * Backslash escapes are undone; wildcards kept as written; duplicates
 * dropped.  Free with elasticsearch_terms_free.
 */
char **elasticsearch_query_terms(const char *query, size_t *n);
void elasticsearch_terms_free(char **terms, size_t n);

#endif
