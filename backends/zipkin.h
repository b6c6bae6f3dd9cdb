/*
 * zipkin.h - the Zipkin v2 HTTP API: request builders and pure response
 * parsers for spans, trace searches, one trace, services and the
 * dependency links.
 *
 * Every request is a GET and a read (zipkin_is_read).  Parsers are pure
 * functions of (status, body, len): a non-2xx status, a body that is not
 * the documented JSON, or a member of the wrong type fills e with a
 * message naming what failed ("zipkin: /api/v2/trace: span 3: \"id\" is
 * not a string") and returns -1 without keeping anything.  Unknown members
 * are ignored.  Span and trace ids are kept as lowercase hex, as Zipkin
 * writes them; a 128-bit trace id keeps its 32 digits.  Text from the
 * server (names, tags, annotations) is kept as it came: it is sanitised
 * when drawn (widgets/text).
 */
#ifndef OPSDECK_BACKENDS_ZIPKIN_H
#define OPSDECK_BACKENDS_ZIPKIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "http.h"

/* Zipkin's span kinds; ZK_KIND_NONE when the span has none (a local span). */
enum zk_kind { ZK_KIND_NONE, ZK_KIND_CLIENT, ZK_KIND_SERVER, ZK_KIND_PRODUCER, ZK_KIND_CONSUMER };

/* "CLIENT", "SERVER", .. or "" for ZK_KIND_NONE (static). */
const char *zipkin_kind_name(enum zk_kind k);

/* An endpoint.  Owned strings, NULL when absent; port 0 when absent. */
struct zk_endpoint {
	char *service; /* serviceName, lowercase as Zipkin stores it */
	char *ipv4;
	char *ipv6;
	int port;
};

struct zk_tag {
	char *key;
	char *value;
};

struct zk_annotation {
	int64_t ts_us; /* epoch microseconds */
	char *value;
};

/* One span as Zipkin v2 JSON has it.  Owned members. */
struct zk_span {
	char trace_id[33];  /* 16 or 32 lowercase hex digits */
	char id[17];        /* 16 lowercase hex digits (shorter ids are left-padded with 0) */
	char parent_id[17]; /* "" for a root span */
	char *name;         /* NULL when absent */
	enum zk_kind kind;
	int64_t ts_us;  /* epoch microseconds; 0 when absent */
	int64_t dur_us; /* microseconds; 0 when absent (has_dur false) */
	bool has_ts, has_dur;
	bool shared; /* "shared": true — a server span sharing its client's id */
	bool debug;
	struct zk_endpoint local, remote;
	struct zk_tag *tags; /* in the order received */
	size_t ntags;
	struct zk_annotation *annotations;
	size_t nannotations;
};

/* The value of tag key, or NULL (borrowed). */
const char *zk_span_tag(const struct zk_span *s, const char *key);
/* Whether the span carries an "error" tag (Zipkin's error marker). */
bool zk_span_error(const struct zk_span *s);
/* Bytes the span holds, struct included: for the trace cache's bound. */
size_t zk_span_bytes(const struct zk_span *s);
void zk_span_clear(struct zk_span *s);       /* free the members, zero the struct */
void zk_spans_free(struct zk_span *s, size_t n); /* clear each, free the array; NULL-safe */

/* A trace search (GET /api/v2/traces).  Plain record; borrowed strings. */
struct zk_query {
	const char *service;          /* serviceName; NULL or "" = any */
	const char *span_name;        /* spanName; NULL or "" = any */
	const char *annotation_query; /* "http.status_code=500 and error"; NULL or "" = none */
	int64_t min_duration_us;      /* 0 = none */
	int64_t max_duration_us;      /* 0 = none */
	double end_ts;                /* unix seconds; <= 0 = now (the parameter is left out) */
	double lookback_s;            /* seconds before end_ts; <= 0 = Zipkin's default */
	int limit;                    /* traces; <= 0 = 10 */
};

/* Limits of what a parser keeps. */
struct zk_limits {
	size_t max_spans; /* per trace; a trace with more is refused, its count named; 0 = 50,000 */
};

/*
 * The request paths (new strings), query parameters percent-encoded.  A
 * maxDuration alone goes out with minDuration=1 (Zipkin refuses it
 * alone).  zipkin_trace_path sends the id normalised, and returns NULL
 * when trace_id is not a trace id (zipkin_trace_id_norm).
 */
char *zipkin_traces_path(const struct zk_query *q);
char *zipkin_trace_path(const char *trace_id);
/* endTs and lookback in milliseconds as Zipkin wants them; end_ts <= 0 = now. */
char *zipkin_dependencies_path(double end_ts, double lookback_s, double now);
char *zipkin_services_path(void);
/* spanNames of a service: GET /api/v2/spans?serviceName= */
char *zipkin_span_names_path(const char *service);

/* Zipkin's read allow-list for struct http_endpoint.is_read: GETs under /api/v2/, /health. */
bool zipkin_is_read(enum http_method method, const char *path);

/*
 * Whether id is a trace id Zipkin accepts (1 to 32 hex digits, not all
 * zero), and its normal form (lowercase, left-padded with 0 to 16 or 32
 * digits; 32 digits whose upper 16 are zero become the lower 16, as
 * Zipkin normalises them) into out ("" when not).
 */
bool zipkin_trace_id_norm(const char *id, char out[33]);

/* ["gateway","orders",..] (also /spans and /remoteServices): new strings. */
int zipkin_parse_names(long status, const char *body, size_t len, char ***names, size_t *n,
		       struct err *e);
void zipkin_names_free(char **names, size_t n);

/*
 * GET /api/v2/trace/{id}: the trace's spans, in the order received.
 * A 404 (or an empty list) is ERR_BACKEND "zipkin: trace ID not found — it may have
 * expired ...".  More than lim->max_spans spans is ERR_TOOBIG naming the count and the
 * limit.
 */
int zipkin_parse_trace(long status, const char *body, size_t len, const struct zk_limits *lim,
		       struct zk_span **spans, size_t *n, struct err *e);

/*
 * GET /api/v2/traces: a list of traces, each a list of spans.  Each trace
 * is summarised as the list shows it, in the order received; the spans
 * are not kept.  An empty trace is left out; no traces is 0 with *out NULL.
 */
struct zk_trace_summary {
	char trace_id[33];
	int64_t start_us;     /* earliest span timestamp */
	int64_t duration_us;  /* latest end minus earliest start */
	size_t nspans;
	char *root_service;   /* the root span's local service; else the earliest span's; "" if none */
	char *root_name;      /* and its span name; "" if none */
	char **services;      /* local services of its spans, sorted, distinct */
	size_t nservices;
	size_t nerrors;       /* spans with an error tag */
	bool too_big;         /* more than max_spans: listed, not openable */
};
int zipkin_parse_traces(long status, const char *body, size_t len, const struct zk_limits *lim,
			struct zk_trace_summary **out, size_t *n, struct err *e);
void zipkin_summaries_free(struct zk_trace_summary *s, size_t n);

/* GET /api/v2/dependencies: [{"parent","child","callCount","errorCount"}]. */
struct zk_link {
	char *parent;
	char *child;
	long long calls;
	long long errors;
};
int zipkin_parse_dependencies(long status, const char *body, size_t len, struct zk_link **links,
			      size_t *n, struct err *e);
void zipkin_links_free(struct zk_link *l, size_t n);

/*
 * The search line of the Traces screen, parsed into q (strings point into
 * store, which must outlive q; store is overwritten).  Words:
 *   service=NAME | span=NAME            serviceName, spanName
 *   >DUR | min=DUR    <DUR | max=DUR    minDuration, maxDuration ("250ms", "1.5s", "800us")
 *   since=DUR | lookback=DUR            lookback ("15m", "2h", "1d")
 *   limit=N                             limit (1..1000)
 *   KEY=VALUE | KEY                     an annotationQuery term (http.status_code=500, error)
 * Terms of the annotation query are joined with " and ".  A bare word that
 * is a known service is NOT guessed: it is an annotation key, as Zipkin
 * would read it.  Returns 0, or -1 with e naming the bad word.
 */
int zipkin_query_parse(const char *line, struct zk_query *q, char *store, size_t store_len,
		       struct err *e);
/* Parse "250ms" / "1.5s" / "800us" / "2m" into microseconds; -1 when bad. */
int64_t zipkin_duration_us(const char *s);

#endif
