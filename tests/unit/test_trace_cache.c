/*
 * test_trace_cache.c - the cache of opened traces: least recently used
 * first out, bounded by count and by bytes, a trace too big on its own
 * refused, a trace of the same id replaced.  Traces are built as the
 * console builds them: zipkin_parse_trace on a small answer, trace_build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace.h"
#include "trace_cache.h"
#include "zipkin.h"

/*
 * new: a trace of id with nspans spans (a root and its children), each
 * named with pad bytes of text so traces can be made bigger at will.
 */
static struct trace *
make(const char *id, int nspans, size_t pad)
{
	char *name = malloc(pad + 1), span[512];
	struct zk_span *spans;
	struct trace *t;
	struct err e;
	size_t n, cap = 64 + (size_t)nspans * (sizeof span + pad);
	char *body = malloc(cap);
	int i;

	assert_non_null(name);
	assert_non_null(body);
	memset(name, 'x', pad);
	name[pad] = '\0';
	strcpy(body, "[");
	for (i = 0; i < nspans; i++) {
		snprintf(span, sizeof span,
			 "%s{\"traceId\":\"%s\",\"id\":\"%x\",%s%s%s\"timestamp\":%d,\"duration\":%"
			 "d,"
			 "\"localEndpoint\":{\"serviceName\":\"svc\"},\"name\":\"",
			 i > 0 ? "," : "", id, i + 1, i > 0 ? "\"parentId\":\"" : "",
			 i > 0 ? "1" : "", i > 0 ? "\"," : "", 1000 + i, 100 - i);
		strcat(body, span);
		strcat(body, name);
		strcat(body, "\"}");
	}
	strcat(body, "]");
	err_clear(&e);
	if (zipkin_parse_trace(200, body, strlen(body), NULL, &spans, &n, &e) != 0)
		fail_msg("%s", e.msg);
	t = trace_build(spans, n, &e);
	if (t == NULL)
		fail_msg("%s", e.msg);
	assert_true(t->bytes > pad * (size_t)nspans);
	free(body);
	free(name);
	return t;
}

static void
test_lru_by_count(void **state)
{
	struct trace_cache *c = trace_cache_new(3, 0);
	struct trace *a = make("a", 2, 10), *b = make("b", 2, 10), *d = make("d", 2, 10);
	struct trace *x = make("e", 2, 10);
	size_t ab;

	(void)state;
	assert_ptr_equal(trace_cache_put(c, a), a);
	assert_ptr_equal(trace_cache_put(c, b), b);
	assert_ptr_equal(trace_cache_put(c, d), d);
	assert_int_equal(trace_cache_count(c), 3);
	ab = a->bytes + b->bytes + d->bytes;
	assert_int_equal(trace_cache_bytes(c), ab);
	/* going back to a makes b the least recent */
	assert_ptr_equal(trace_cache_get(c, "a"), a);
	assert_ptr_equal(trace_cache_put(c, x), x);
	assert_int_equal(trace_cache_count(c), 3);
	assert_null(trace_cache_get(c, "b"));
	assert_non_null(trace_cache_get(c, "a"));
	assert_non_null(trace_cache_get(c, "d"));
	assert_non_null(trace_cache_get(c, "e"));
	assert_int_equal(trace_cache_bytes(c), a->bytes + d->bytes + x->bytes);
	/* ids as the user types them: any case, unpadded */
	assert_ptr_equal(trace_cache_get(c, "000000000000000A"), a);
	assert_ptr_equal(trace_cache_get(c, "E"), x);
	assert_null(trace_cache_get(c, "f"));
	assert_null(trace_cache_get(c, "not hex"));
	assert_null(trace_cache_get(c, NULL));
	trace_cache_free(c);
}

static void
test_lru_by_bytes(void **state)
{
	struct trace *a = make("a", 3, 2000), *b = make("b", 3, 2000), *d = make("d", 3, 2000);
	struct trace *small = make("5", 1, 1);
	size_t bound = a->bytes + b->bytes + d->bytes / 2; /* room for two and a half */
	struct trace_cache *c = trace_cache_new(100, bound);

	(void)state;
	assert_ptr_equal(trace_cache_put(c, a), a);
	assert_ptr_equal(trace_cache_put(c, b), b);
	assert_ptr_equal(trace_cache_get(c, "a"), a); /* a recent again, b the oldest */
	assert_ptr_equal(trace_cache_put(c, d), d);
	assert_int_equal(trace_cache_count(c), 2);
	assert_null(trace_cache_get(c, "b"));
	assert_true(trace_cache_bytes(c) <= bound);
	assert_int_equal(trace_cache_bytes(c), a->bytes + d->bytes);
	/* a small one fits beside them without evicting */
	assert_ptr_equal(trace_cache_put(c, small), small);
	assert_int_equal(trace_cache_count(c), 3);
	assert_true(trace_cache_bytes(c) <= bound);
	trace_cache_free(c);
}

static void
test_too_big_alone(void **state)
{
	struct trace *a = make("a", 1, 10), *big = make("b", 10, 4000);
	struct trace_cache *c = trace_cache_new(10, big->bytes - 1);

	(void)state;
	assert_ptr_equal(trace_cache_put(c, a), a);
	/* refused (and freed: ASan would see a leak otherwise); what was held stays */
	assert_null(trace_cache_put(c, big));
	assert_int_equal(trace_cache_count(c), 1);
	assert_ptr_equal(trace_cache_get(c, "a"), a);
	assert_null(trace_cache_get(c, "b"));
	assert_int_equal(trace_cache_bytes(c), a->bytes);
	trace_cache_free(c);
	/* exactly the bound fits */
	big = make("b", 10, 4000);
	c = trace_cache_new(10, big->bytes);
	assert_ptr_equal(trace_cache_put(c, big), big);
	assert_int_equal(trace_cache_bytes(c), big->bytes);
	trace_cache_free(c);
}

static void
test_replace_same_id(void **state)
{
	struct trace_cache *c = trace_cache_new(0, 0);
	struct trace *old = make("abc", 2, 10), *fresh = make("ABC", 5, 10), *b = make("b", 1, 1);

	(void)state;
	assert_ptr_equal(trace_cache_put(c, old), old);
	assert_ptr_equal(trace_cache_put(c, b), b);
	assert_ptr_equal(trace_cache_put(c, fresh), fresh); /* old is freed */
	assert_int_equal(trace_cache_count(c), 2);
	assert_ptr_equal(trace_cache_get(c, "abc"), fresh);
	assert_int_equal(trace_cache_get(c, "abc")->nspans, 5);
	assert_int_equal(trace_cache_bytes(c), fresh->bytes + b->bytes);
	/* the same trace put again: kept once */
	assert_ptr_equal(trace_cache_put(c, b), b);
	assert_int_equal(trace_cache_count(c), 2);
	assert_int_equal(trace_cache_bytes(c), fresh->bytes + b->bytes);
	assert_null(trace_cache_put(c, NULL));
	trace_cache_free(c);
	trace_cache_free(NULL);
	assert_int_equal(trace_cache_count(NULL), 0);
}

/* Many traces through a small cache: the bounds hold at every step. */
static void
test_churn(void **state)
{
	struct trace_cache *c = trace_cache_new(7, 40000);
	char id[17];
	int i;

	(void)state;
	for (i = 1; i <= 300; i++) {
		struct trace *t;

		snprintf(id, sizeof id, "%x", i);
		t = make(id, 1 + i % 4, (size_t)(i % 5) * 900);
		trace_cache_put(c, t);
		assert_true(trace_cache_count(c) <= 7);
		assert_true(trace_cache_bytes(c) <= 40000);
		if (i % 3 == 0)
			assert_non_null(trace_cache_get(c, id));
	}
	assert_non_null(trace_cache_get(c, "12c")); /* the last put */
	assert_null(trace_cache_get(c, "1"));
	trace_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lru_by_count),  cmocka_unit_test(test_lru_by_bytes),
		cmocka_unit_test(test_too_big_alone), cmocka_unit_test(test_replace_same_id),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
