/*
 * fuzz_elasticsearch.c - libFuzzer harness for the Elasticsearch parsers,
 * the query_string tokenizer and the allow-list.
 *
 * Every input is fed to the hits, histogram, errors-per-service and error
 * parsers under the statuses Elasticsearch and proxies answer with, and
 * the results are checked for the parsers' promises: empty output and a
 * message naming the backend on failure; on success every string present,
 * valid UTF-8 and within max_message (cut on a character boundary), every
 * cursor accepted back by the search builder, buckets and counts sane.
 * Parsed hits then go through a small logbuf at both ends.  The input is
 * also a query_string for the tokenizer and a path for the allow-list.
 * The corpus holds the fixtures verbatim, so the replay driver re-checks
 * them on every `make test`.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elasticsearch.h"
#include "logbuf.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static bool
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t k, need = *p < 0x80    ? 1
				 : *p >= 0xf0 ? 4
				 : *p >= 0xe0 ? 3
				 : *p >= 0xc2 ? 2
					      : 0;

		if (need == 0 || *p > 0xf4)
			return false;
		for (k = 1; k < need; k++)
			if ((p[k] & 0xc0) != 0x80)
				return false;
		p += need;
	}
	return true;
}

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
	CHECK(strncmp(e->msg, "elasticsearch: ", 15) == 0);
}

static void
check_string(const char *s, size_t max)
{
	CHECK(s != NULL);
	CHECK(valid_utf8(s));
	if (max > 0)
		CHECK(strlen(s) <= max);
}

static void
check_cursor(const struct es_cursor *c)
{
	struct es_search s;
	char *path, *body;
	struct err e;

	if (!c->set)
		return;
	CHECK(memchr(c->tiebreak, '\0', sizeof c->tiebreak) != NULL);
	CHECK(c->tiebreak[0] != '\0');
	memset(&s, 0, sizeof s);
	s.size = 10;
	s.after = *c;
	/* what the parser gives as a cursor, the builder takes back */
	CHECK(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e) == 0);
	free(path);
	free(body);
}

static void
hits(long status, const char *body, size_t len, const struct es_fields *f, size_t max,
     struct logbuf *lb, bool newer)
{
	struct es_hits h;
	struct err e;
	size_t i;

	err_clear(&e);
	if (elasticsearch_parse_hits(status, body, len, f, max, &h, &e) < 0) {
		check_err(&e);
		CHECK(h.hits == NULL && h.n == 0);
		return;
	}
	CHECK(status >= 200 && status <= 299);
	CHECK(h.n == 0 || h.hits != NULL);
	CHECK(h.total >= -1);
	for (i = 0; i < h.n; i++) {
		const struct es_hit *x = &h.hits[i];

		check_string(x->index, 0);
		check_string(x->id, 0);
		check_string(x->level, max);
		check_string(x->service, max);
		check_string(x->message, max);
		check_string(x->trace_id, max);
		check_string(x->source, 0);
		CHECK(isfinite(x->t));
		if (x->cut)
			CHECK(max > 0);
		check_cursor(&x->cursor);
	}
	if (newer)
		logbuf_add_newer(lb, &h);
	else
		logbuf_add_older(lb, &h);
	CHECK(h.hits == NULL && h.n == 0);
	CHECK(logbuf_len(lb) <= 8);
	for (i = 0; i < logbuf_len(lb); i++)
		CHECK(logbuf_at(lb, i) != NULL && logbuf_at(lb, i)->hit.source != NULL);
	es_hits_done(&h);
}

static void
histogram(long status, const char *body, size_t len)
{
	struct es_histogram h;
	struct err e;
	size_t i;

	err_clear(&e);
	if (elasticsearch_parse_histogram(status, body, len, &h, &e) < 0) {
		check_err(&e);
		CHECK(h.buckets == NULL && h.n == 0);
		return;
	}
	CHECK(h.n == 0 || h.buckets != NULL);
	CHECK(h.interval >= 0 && isfinite(h.interval));
	for (i = 0; i < h.n; i++) {
		CHECK(isfinite(h.buckets[i].t));
		CHECK(h.buckets[i].count >= 0 && h.buckets[i].errors >= 0);
	}
	es_histogram_done(&h);
}

static void
errors(long status, const char *body, size_t len)
{
	struct es_service_count *c;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (elasticsearch_parse_errors(status, body, len, &c, &n, &e) < 0) {
		check_err(&e);
		CHECK(c == NULL && n == 0);
		return;
	}
	CHECK((n == 0) == (c == NULL));
	for (i = 0; i < n; i++) {
		check_string(c[i].service, 0);
		CHECK(c[i].count >= 0);
	}
	es_service_counts_free(c, n);
}

static void
terms(const char *q)
{
	size_t n, i;
	char **t = elasticsearch_query_terms(q, &n);

	CHECK((n == 0) == (t == NULL));
	for (i = 0; i < n; i++) {
		CHECK(t[i] != NULL && t[i][0] != '\0');
		CHECK(strlen(t[i]) <= strlen(q));
	}
	elasticsearch_terms_free(t, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 401, 404, 429, 502 };
	static const enum http_method methods[] = { HTTP_GET, HTTP_POST, HTTP_DELETE };
	struct es_fields custom = { "ts", "msg", "a.b.c", "kubernetes.pod.name", "t", "seq" };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1);
	struct logbuf *lb = logbuf_new(8, 64 * 1024);
	struct err e;
	size_t i;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		hits(statuses[i], body, size, NULL, i == 0 ? 0 : 16, lb, i % 2 == 0);
		histogram(statuses[i], body, size);
		errors(statuses[i], body, size);
		err_clear(&e);
		CHECK(elasticsearch_parse_error(statuses[i], body, size, &e) == -1);
		check_err(&e);
	}
	hits(200, body, size, &custom, 5, lb, false);
	hits(200, body, size, &custom, 65536, lb, true);
	terms(str);
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		(void)elasticsearch_is_read(methods[i], str);
	(void)elasticsearch_level_is_error(str);
	logbuf_free(lb);
	free(str);
	free(body);
	return 0;
}
