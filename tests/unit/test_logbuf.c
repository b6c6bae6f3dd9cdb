/*
 * test_logbuf.c - the held log lines: order, dedupe, the bounds in lines
 * and bytes with their drop policy, the dropped flags and cursors, and
 * 10,000 realistic lines within 16 MiB of heap.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logbuf.h"

static char *
dup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

/* A hit at t_ms with tiebreak tb (JSON text); msg NULL = a short one. */
static void
set_hit(struct es_hit *h, const char *index, const char *id, double t_ms, long tb, const char *msg)
{
	char buf[64];

	memset(h, 0, sizeof *h);
	h->index = dup(index);
	h->id = dup(id);
	h->t = t_ms / 1000.0;
	h->level = dup("info");
	h->service = dup("orders");
	h->message = dup(msg != NULL ? msg : "GET /api/orders 200");
	h->trace_id = dup("");
	h->source = dup("{}");
	h->cursor.set = true;
	h->cursor.t = t_ms;
	snprintf(buf, sizeof buf, "%ld", tb);
	strcpy(h->cursor.tiebreak, buf);
}

/* A batch of n hits "p<k>" at t = base + k seconds, k = first..first+n-1, ascending. */
static void
batch(struct es_hits *hs, const char *index, long first, size_t n)
{
	size_t i;
	char id[32];

	memset(hs, 0, sizeof *hs);
	hs->hits = calloc(n ? n : 1, sizeof *hs->hits);
	assert_non_null(hs->hits);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "p%ld", first + (long)i);
		set_hit(&hs->hits[i], index, id, 1e12 + (double)(first + (long)i) * 1000.0,
			first + (long)i, NULL);
	}
	hs->n = n;
	hs->total = -1;
}

static void
reverse(struct es_hits *hs)
{
	size_t i;

	for (i = 0; i < hs->n / 2; i++) {
		struct es_hit t = hs->hits[i];

		hs->hits[i] = hs->hits[hs->n - 1 - i];
		hs->hits[hs->n - 1 - i] = t;
	}
}

/* The ids held, newest first, "p3 p2 p1". */
static void
ids(const struct logbuf *b, char *out, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < logbuf_len(b); i++) {
		if (i > 0)
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, logbuf_at(b, i)->hit.id, n - strlen(out) - 1);
	}
}

static void
test_order(void **state)
{
	struct logbuf *b = logbuf_new(100, 1 << 20);
	struct es_hits hs;
	char got[256];

	(void)state;
	assert_int_equal(logbuf_len(b), 0);
	assert_null(logbuf_at(b, 0));
	assert_false(logbuf_newest(b).set);
	assert_false(logbuf_oldest(b).set);
	/* first page: newest first as the server sorts it */
	batch(&hs, "i", 1, 3);
	reverse(&hs);
	assert_int_equal(logbuf_add_newer(b, &hs), 3);
	assert_null(hs.hits);
	assert_int_equal(hs.n, 0);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p3 p2 p1");
	/* a tail answer comes ascending */
	batch(&hs, "i", 4, 3);
	assert_int_equal(logbuf_add_newer(b, &hs), 3);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p6 p5 p4 p3 p2 p1");
	/* the next page comes descending, older than all */
	batch(&hs, "i", -2, 3);
	reverse(&hs);
	assert_int_equal(logbuf_add_older(b, &hs), 3);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p6 p5 p4 p3 p2 p1 p0 p-1 p-2");
	assert_true(logbuf_newest(b).set);
	assert_string_equal(logbuf_newest(b).tiebreak, "6");
	assert_string_equal(logbuf_oldest(b).tiebreak, "-2");
	assert_null(logbuf_at(b, 9));
	assert_false(logbuf_dropped_newer(b));
	assert_false(logbuf_dropped_older(b));
	logbuf_clear(b);
	assert_int_equal(logbuf_len(b), 0);
	assert_false(logbuf_newest(b).set);
	logbuf_free(b);
	logbuf_free(NULL);
}

static void
test_same_time_tiebreak(void **state)
{
	struct logbuf *b = logbuf_new(100, 1 << 20);
	struct es_hits hs;
	char got[256];

	(void)state;
	/* same millisecond: the tiebreak orders, numerically ("10" after "9") */
	batch(&hs, "i", 0, 3);
	hs.hits[0].cursor.t = hs.hits[1].cursor.t = hs.hits[2].cursor.t = 5e12;
	strcpy(hs.hits[0].cursor.tiebreak, "9");
	strcpy(hs.hits[1].cursor.tiebreak, "10");
	strcpy(hs.hits[2].cursor.tiebreak, "-1");
	assert_int_equal(logbuf_add_newer(b, &hs), 3);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p1 p0 p2");
	/* no cursor: ordered by time */
	batch(&hs, "j", 0, 2);
	hs.hits[0].cursor.set = hs.hits[1].cursor.set = false;
	hs.hits[0].t = 6e9;
	hs.hits[1].t = 7e9;
	assert_int_equal(logbuf_add_newer(b, &hs), 2);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p1 p0 p1 p0 p2");
	assert_string_equal(logbuf_at(b, 0)->hit.index, "j");
	logbuf_free(b);
}

static void
test_dedupe(void **state)
{
	struct logbuf *b = logbuf_new(100, 1 << 20);
	struct es_hits hs;
	char got[256];

	(void)state;
	batch(&hs, "i", 1, 3);
	assert_int_equal(logbuf_add_newer(b, &hs), 3);
	/* a tail that overlaps what is held (search_after with _doc repeats ties) */
	batch(&hs, "i", 3, 3);
	assert_int_equal(logbuf_add_newer(b, &hs), 2);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p5 p4 p3 p2 p1");
	/* the same _id in another index is another document */
	batch(&hs, "other", 5, 1);
	assert_int_equal(logbuf_add_newer(b, &hs), 1);
	/* a page that overlaps at the old end */
	batch(&hs, "i", 0, 2);
	assert_int_equal(logbuf_add_older(b, &hs), 1);
	assert_int_equal(logbuf_len(b), 7);
	/* duplicates inside one batch */
	batch(&hs, "i", 9, 2);
	free(hs.hits[1].id);
	hs.hits[1].id = dup("p9");
	assert_int_equal(logbuf_add_newer(b, &hs), 1);
	/* hits without an _id are never taken for one another */
	batch(&hs, "i", 20, 2);
	hs.hits[0].id[0] = hs.hits[1].id[0] = '\0';
	assert_int_equal(logbuf_add_newer(b, &hs), 2);
	assert_int_equal(logbuf_len(b), 10);
	logbuf_free(b);
}

static void
test_bound_lines_tail(void **state)
{
	struct logbuf *b = logbuf_new(5, 1 << 20);
	struct es_hits hs;
	char got[256];

	(void)state;
	batch(&hs, "i", 1, 4);
	assert_int_equal(logbuf_add_newer(b, &hs), 4);
	/* the tail grows the newest end: the oldest go */
	batch(&hs, "i", 5, 3);
	assert_int_equal(logbuf_add_newer(b, &hs), 3);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p7 p6 p5 p4 p3");
	assert_true(logbuf_dropped_older(b));
	assert_false(logbuf_dropped_newer(b));
	/* paging down fetches p2 back: still p1 missing */
	batch(&hs, "i", 2, 1);
	assert_int_equal(logbuf_add_older(b, &hs), 1);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p6 p5 p4 p3 p2");
	assert_true(logbuf_dropped_older(b));
	assert_true(logbuf_dropped_newer(b)); /* p7 went for it */
	batch(&hs, "i", 1, 1);
	assert_int_equal(logbuf_add_older(b, &hs), 1);
	assert_false(logbuf_dropped_older(b));
	/* going up again brings the newest back */
	batch(&hs, "i", 6, 2);
	assert_int_equal(logbuf_add_newer(b, &hs), 2);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p7 p6 p5 p4 p3");
	assert_false(logbuf_dropped_newer(b));
	assert_true(logbuf_dropped_older(b));
	logbuf_free(b);
}

static void
test_bound_lines_paging(void **state)
{
	struct logbuf *b = logbuf_new(4, 1 << 20);
	struct es_hits hs;
	char got[256];

	(void)state;
	batch(&hs, "i", 10, 3);
	logbuf_add_newer(b, &hs);
	/* a page larger than the bound: the newest go, the page's oldest stay */
	batch(&hs, "i", 0, 6);
	reverse(&hs);
	assert_int_equal(logbuf_add_older(b, &hs), 6);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p3 p2 p1 p0");
	assert_true(logbuf_dropped_newer(b));
	assert_false(logbuf_dropped_older(b));
	assert_string_equal(logbuf_newest(b).tiebreak, "3");
	assert_string_equal(logbuf_oldest(b).tiebreak, "0");
	/* a tail batch larger than the bound keeps its newest */
	logbuf_clear(b);
	assert_false(logbuf_dropped_newer(b));
	batch(&hs, "i", 0, 10);
	assert_int_equal(logbuf_add_newer(b, &hs), 10);
	ids(b, got, sizeof got);
	assert_string_equal(got, "p9 p8 p7 p6");
	assert_true(logbuf_dropped_older(b));
	logbuf_free(b);
}

static void
test_bound_bytes(void **state)
{
	struct logbuf *b = logbuf_new(1000, 64 * 1024);
	struct es_hits hs;
	char *big = malloc(10000);
	size_t i, held;

	(void)state;
	memset(big, 'x', 9999);
	big[9999] = '\0';
	batch(&hs, "i", 0, 20);
	for (i = 0; i < hs.n; i++) {
		free(hs.hits[i].message);
		hs.hits[i].message = dup(big);
	}
	assert_int_equal(logbuf_add_newer(b, &hs), 20);
	held = logbuf_len(b);
	assert_true(held >= 3 && held < 7);
	assert_true(logbuf_bytes(b) <= 64 * 1024);
	assert_true(logbuf_at(b, 0)->bytes > 10000);
	assert_string_equal(logbuf_at(b, 0)->hit.id, "p19");
	assert_true(logbuf_dropped_older(b));
	/* a single line larger than the bound is still held, alone */
	logbuf_clear(b);
	batch(&hs, "i", 100, 2);
	free(hs.hits[1].message);
	hs.hits[1].message = malloc(100000);
	memset(hs.hits[1].message, 'y', 99999);
	hs.hits[1].message[99999] = '\0';
	assert_int_equal(logbuf_add_newer(b, &hs), 2);
	assert_int_equal(logbuf_len(b), 1);
	assert_string_equal(logbuf_at(b, 0)->hit.id, "p101");
	assert_true(logbuf_bytes(b) > 64 * 1024);
	logbuf_free(b);
	free(big);
}

/* Many adds and drops at both ends against a plain model of what is held. */
static void
test_churn(void **state)
{
	struct logbuf *b = logbuf_new(50, 1 << 22);
	struct es_hits hs;
	size_t round, i, j;
	unsigned seed = 12345;

	(void)state;
	batch(&hs, "i", 1000, 1);
	logbuf_add_newer(b, &hs);
	for (round = 0; round < 2000; round++) {
		size_t n;
		bool newer;
		long first, overlap;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 30;
		newer = (seed >> 8) & 1;
		overlap = (long)((seed >> 20) & 1);
		/* adjacent to either end, sometimes repeating the line held there */
		if (newer)
			first = atol(logbuf_at(b, 0)->hit.id + 1) + 1 - overlap;
		else
			first = atol(logbuf_at(b, logbuf_len(b) - 1)->hit.id + 1) - (long)n +
				overlap;
		batch(&hs, "i", first, n);
		if (newer)
			logbuf_add_newer(b, &hs);
		else
			logbuf_add_older(b, &hs);
		assert_true(logbuf_len(b) >= 1 && logbuf_len(b) <= 50);
		/* strictly newest first, no duplicates */
		for (i = 1; i < logbuf_len(b); i++)
			assert_true(logbuf_at(b, i - 1)->hit.cursor.t >
				    logbuf_at(b, i)->hit.cursor.t);
		/* what is held is found by the dedupe, what is not is added */
		if (round % 97 == 0) {
			for (j = 0; j < logbuf_len(b); j++) {
				const struct log_line *l = logbuf_at(b, j);
				long k = atol(l->hit.id + 1);

				batch(&hs, "i", k, 1);
				assert_int_equal(logbuf_add_older(b, &hs), 0);
			}
		}
	}
	logbuf_free(b);
}

/*
 * 10,000 lines of realistic size (a 120-400 byte message, a 1 KiB source)
 * bounded at 16 MiB: the buffer's own count and the heap agree that it
 * stays within the bound.
 */
static void
test_ten_thousand_lines(void **state)
{
	const size_t max_bytes = 16u << 20;
	struct logbuf *b;
	struct es_hits hs;
	struct mallinfo2 before, after;
	char msg[512], src[1400];
	size_t page, i, total_added = 0, grew;

	(void)state;
	malloc_trim(0);
	before = mallinfo2();
	b = logbuf_new(10000, max_bytes);
	for (page = 0; page < 40; page++) {
		batch(&hs, ".ds-logs-shop-default-2026.11.22-000001", (long)(page * 500), 500);
		for (i = 0; i < hs.n; i++) {
			struct es_hit *h = &hs.hits[i];
			size_t ml = 120 + (i * 37) % 280;

			memset(msg, 'm', ml);
			memcpy(msg, "payment 주문 declined ", 24);
			msg[ml] = '\0';
			snprintf(src, sizeof src,
				 "{\"@timestamp\":\"2026-11-22T10:00:00.000Z\",\"message\":\"%s\","
				 "\"log\":{\"level\":\"info\"},\"service\":{\"name\":\"orders\"},"
				 "\"trace\":{\"id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"},\"host\":"
				 "{\"name\":\"shop-7d9f8\"}}",
				 msg);
			free(h->message);
			h->message = dup(msg);
			free(h->source);
			h->source = dup(src);
			free(h->trace_id);
			h->trace_id = dup("4bf92f3577b34da6a3ce929d0e0e4736");
		}
		total_added += logbuf_add_newer(b, &hs);
	}
	assert_int_equal(total_added, 20000);
	assert_true(logbuf_len(b) > 5000);
	assert_true(logbuf_len(b) <= 10000);
	assert_true(logbuf_bytes(b) <= max_bytes);
	after = mallinfo2();
	grew = (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
	print_message("%zu lines, %zu bytes counted, heap grew %zu bytes\n", logbuf_len(b),
		      logbuf_bytes(b), grew);
	/* the count is honest: the heap holds no more than it says, give or take 5% */
	assert_true(grew <= logbuf_bytes(b) + logbuf_bytes(b) / 20);
	assert_true(grew <= max_bytes);
	logbuf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_same_time_tiebreak),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_bound_lines_tail),
		cmocka_unit_test(test_bound_lines_paging),
		cmocka_unit_test(test_bound_bytes),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_ten_thousand_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
