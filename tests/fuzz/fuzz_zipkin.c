/*
 * fuzz_zipkin.c - libFuzzer harness for the Zipkin parsers, the search
 * line, trace ids and the allow-list.
 *
 * Every input is fed to the trace, traces, dependencies and names parsers
 * under the statuses Zipkin and proxies answer with, and the results are
 * checked for the parsers' promises: empty output and a message naming
 * zipkin on failure; on success ids in Zipkin's normal form, times and
 * counts sane, no trace over max_spans, summaries' services sorted and
 * distinct.  A parsed trace is built (backends/trace.h) and kept in a
 * small cache.  The input is also a search line (whose query must build a
 * path the allow-list reads), a duration, a trace id and a path.  The
 * corpus holds the fixtures verbatim, so `make test` re-checks them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_cache.h"
#include "zipkin.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
	CHECK(strncmp(e->msg, "zipkin: ", 8) == 0);
}

static bool
lower_hex(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void
check_trace_id(const char *id)
{
	char again[33];

	CHECK(lower_hex(id, 16) || lower_hex(id, 32));
	CHECK(zipkin_trace_id_norm(id, again) && strcmp(again, id) == 0);
}

static void
check_span(const struct zk_span *s)
{
	size_t i;

	check_trace_id(s->trace_id);
	CHECK(lower_hex(s->id, 16));
	CHECK(s->parent_id[0] == '\0' || lower_hex(s->parent_id, 16));
	CHECK(strcmp(s->parent_id, s->id) != 0);
	CHECK(s->name == NULL || s->name[0] != '\0');
	CHECK(s->ts_us >= 0 && s->dur_us >= 0);
	CHECK(s->has_ts == (s->ts_us > 0) && s->has_dur == (s->dur_us > 0));
	CHECK(s->kind >= ZK_KIND_NONE && s->kind <= ZK_KIND_CONSUMER);
	CHECK(s->local.port >= 0 && s->local.port <= 65535);
	CHECK(s->ntags == 0 || s->tags != NULL);
	for (i = 0; i < s->ntags; i++)
		CHECK(s->tags[i].key != NULL && s->tags[i].value != NULL);
	for (i = 0; i < s->nannotations; i++)
		CHECK(s->annotations[i].value != NULL && s->annotations[i].ts_us >= 0);
	CHECK(zk_span_bytes(s) >= sizeof *s);
	CHECK(zk_span_error(s) == (zk_span_tag(s, "error") != NULL));
}

static void
trace(long status, const char *body, size_t len, size_t max, struct trace_cache *c)
{
	struct zk_limits lim = { max };
	struct zk_span *s;
	struct trace *t;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (zipkin_parse_trace(status, body, len, &lim, &s, &n, &e) < 0) {
		check_err(&e);
		CHECK(s == NULL && n == 0);
		return;
	}
	CHECK(status >= 200 && status <= 299);
	CHECK(n > 0 && s != NULL);
	CHECK(n <= (max > 0 ? max : 50000));
	for (i = 0; i < n; i++)
		check_span(&s[i]);
	t = trace_build(s, n, &e); /* takes s */
	if (t == NULL) {
		CHECK(e.code != ERR_OK);
		return;
	}
	CHECK(t->nnodes >= 1 && t->duration_us >= 0);
	(void)trace_cache_put(c, t);
	CHECK(trace_cache_bytes(c) <= 256 * 1024 && trace_cache_count(c) <= 4);
}

static void
traces(long status, const char *body, size_t len, size_t max)
{
	struct zk_limits lim = { max };
	struct zk_trace_summary *t;
	struct err e;
	size_t n, i, k;

	err_clear(&e);
	if (zipkin_parse_traces(status, body, len, &lim, &t, &n, &e) < 0) {
		check_err(&e);
		CHECK(t == NULL && n == 0);
		return;
	}
	CHECK((n == 0) == (t == NULL));
	for (i = 0; i < n; i++) {
		check_trace_id(t[i].trace_id);
		CHECK(t[i].nspans > 0);
		CHECK(t[i].too_big == (t[i].nspans > (max > 0 ? max : 50000)));
		CHECK(t[i].root_service != NULL && t[i].root_name != NULL);
		CHECK(t[i].start_us >= 0 && t[i].duration_us >= 0);
		CHECK(t[i].nerrors <= t[i].nspans);
		CHECK(t[i].nservices <= t[i].nspans);
		for (k = 1; k < t[i].nservices; k++)
			CHECK(strcmp(t[i].services[k - 1], t[i].services[k]) < 0);
	}
	zipkin_summaries_free(t, n);
}

static void
links(long status, const char *body, size_t len)
{
	struct zk_link *l;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (zipkin_parse_dependencies(status, body, len, &l, &n, &e) < 0) {
		check_err(&e);
		CHECK(l == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++) {
		CHECK(l[i].parent != NULL && l[i].child != NULL);
		CHECK(l[i].calls >= 0 && l[i].errors >= 0);
	}
	zipkin_links_free(l, n);
}

static void
names(long status, const char *body, size_t len)
{
	struct err e;
	char **v;
	size_t n, i;

	err_clear(&e);
	if (zipkin_parse_names(status, body, len, &v, &n, &e) < 0) {
		check_err(&e);
		CHECK(v == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++)
		CHECK(v[i] != NULL);
	zipkin_names_free(v, n);
}

static void
search(const char *line)
{
	struct zk_query q;
	char store[256];
	struct err e;
	char *p;

	err_clear(&e);
	if (zipkin_query_parse(line, &q, store, sizeof store, &e) < 0) {
		check_err(&e);
		CHECK(q.service == NULL && q.annotation_query == NULL);
		return;
	}
	CHECK(q.min_duration_us >= 0 && q.max_duration_us >= 0);
	CHECK(q.min_duration_us == 0 || q.max_duration_us == 0 ||
	      q.min_duration_us <= q.max_duration_us);
	CHECK(q.limit >= 0 && q.limit <= 1000);
	CHECK(q.service == NULL || (q.service >= store && q.service < store + sizeof store));
	p = zipkin_traces_path(&q);
	CHECK(zipkin_is_read(HTTP_GET, p));
	CHECK(!zipkin_is_read(HTTP_POST, p));
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 401, 404, 429, 502 };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1);
	struct trace_cache *c = trace_cache_new(4, 256 * 1024);
	char id[33], *p;
	size_t i;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		trace(statuses[i], body, size, i == 0 ? 0 : 3, c);
		traces(statuses[i], body, size, i == 0 ? 0 : 2);
		links(statuses[i], body, size);
		names(statuses[i], body, size);
	}
	search(str);
	(void)zipkin_duration_us(str);
	if (zipkin_trace_id_norm(str, id)) {
		check_trace_id(id);
		p = zipkin_trace_path(str);
		CHECK(p != NULL && zipkin_is_read(HTTP_GET, p));
		free(p);
	} else {
		CHECK(zipkin_trace_path(str) == NULL);
	}
	(void)zipkin_is_read(HTTP_GET, str);
	CHECK(!zipkin_is_read(HTTP_POST, str));
	trace_cache_free(c);
	free(str);
	free(body);
	return 0;
}
