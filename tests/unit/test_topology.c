/*
 * test_topology.c - the layered layout of backends/topology.c on graphs
 * with known answers: a chain, a diamond, a cycle (its closing edge
 * reversed), a long edge through virtual nodes, a graph whose crossing
 * the barycentre sweeps remove, self-calls and repeated links, and the
 * same layout for the same links in any order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "topology.h"

/* Links from "a>b" words: calls 10, errors 1 each. */
static struct zk_link *
links_of(const char *const *words, size_t n)
{
	struct zk_link *l = calloc(n + 1, sizeof *l);
	size_t i;

	assert_non_null(l);
	for (i = 0; i < n; i++) {
		const char *gt = strchr(words[i], '>');

		assert_non_null(gt);
		l[i].parent = strndup(words[i], (size_t)(gt - words[i]));
		l[i].child = strdup(gt + 1);
		l[i].calls = 10;
		l[i].errors = 1;
	}
	return l;
}

static void
links_free(struct zk_link *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].parent);
		free(l[i].child);
	}
	free(l);
}

static struct topo_layout *
lay(const char *const *words, size_t n)
{
	struct zk_link *l = links_of(words, n);
	struct topo_layout *t = topology_layout(l, n);

	links_free(l, n);
	assert_non_null(t);
	return t;
}

static const struct topo_node *
node(const struct topo_layout *t, const char *name)
{
	int i = topology_find(t, name);

	if (i < 0)
		fail_msg("no node %s", name);
	return &t->nodes[i];
}

static const struct topo_edge *
edge(const struct topo_layout *t, const char *from, const char *to)
{
	int a = topology_find(t, from), b = topology_find(t, to);
	size_t i;

	for (i = 0; i < t->nedges; i++)
		if (t->edges[i].from == a && t->edges[i].to == b)
			return &t->edges[i];
	fail_msg("no edge %s>%s", from, to);
	return NULL;
}

/* Positions in every layer are 0..size-1, each once; every path steps one layer at a time. */
static void
assert_consistent(const struct topo_layout *t)
{
	int l;
	size_t i, total = 0;

	for (l = 0; l < t->nlayers; l++) {
		int p, sz = t->layer_size[l];

		total += (size_t)sz;
		for (p = 0; p < sz; p++) {
			int hits = 0;

			for (i = 0; i < t->nnodes; i++)
				hits += t->nodes[i].layer == l && t->nodes[i].pos == p;
			assert_int_equal(hits, 1);
		}
	}
	assert_int_equal(total, t->nnodes);
	for (i = 0; i < t->nedges; i++) {
		const struct topo_edge *e = &t->edges[i];
		int k, dir = e->reversed ? -1 : 1;

		assert_int_equal(e->path[0], e->from);
		assert_int_equal(e->path[e->npath - 1], e->to);
		for (k = 0; k + 1 < e->npath; k++)
			assert_int_equal(t->nodes[e->path[k + 1]].layer,
					 t->nodes[e->path[k]].layer + dir);
		for (k = 1; k + 1 < e->npath; k++)
			assert_null(t->nodes[e->path[k]].name);
	}
	assert_int_equal(t->crossings, topology_crossings(t));
}

static void
test_chain(void **state)
{
	static const char *const w[] = { "c>d", "a>b", "b>c" };
	struct topo_layout *t = lay(w, 3);

	(void)state;
	assert_int_equal(t->nreal, 4);
	assert_int_equal(t->nnodes, 4);
	assert_int_equal(t->nlayers, 4);
	assert_string_equal(t->nodes[0].name, "a"); /* sorted by name */
	assert_string_equal(t->nodes[3].name, "d");
	assert_int_equal(node(t, "a")->layer, 0);
	assert_int_equal(node(t, "b")->layer, 1);
	assert_int_equal(node(t, "c")->layer, 2);
	assert_int_equal(node(t, "d")->layer, 3);
	assert_int_equal(t->nedges, 3);
	assert_int_equal(edge(t, "b", "c")->npath, 2);
	assert_false(edge(t, "b", "c")->reversed);
	assert_int_equal(node(t, "b")->calls_in, 10);
	assert_int_equal(node(t, "b")->calls_out, 10);
	assert_int_equal(node(t, "a")->calls_in, 0);
	assert_int_equal(node(t, "d")->errors_in, 1);
	assert_int_equal(t->crossings, 0);
	assert_int_equal(topology_find(t, "zz"), -1);
	assert_consistent(t);
	topology_free(t);
}

static void
test_diamond(void **state)
{
	static const char *const w[] = { "a>b", "a>c", "b>d", "c>d" };
	struct topo_layout *t = lay(w, 4);

	(void)state;
	assert_int_equal(t->nlayers, 3);
	assert_int_equal(t->nnodes, 4);
	assert_int_equal(node(t, "a")->layer, 0);
	assert_int_equal(node(t, "b")->layer, 1);
	assert_int_equal(node(t, "c")->layer, 1);
	assert_int_equal(node(t, "d")->layer, 2);
	assert_int_equal(t->layer_size[1], 2);
	assert_int_equal(node(t, "b")->pos, 0);
	assert_int_equal(node(t, "c")->pos, 1);
	assert_int_equal(node(t, "d")->calls_in, 20);
	assert_int_equal(t->crossings, 0);
	assert_consistent(t);
	topology_free(t);
}

/* a -> b -> c -> a: the search from a reverses c -> a; it goes back through a virtual node. */
static void
test_cycle(void **state)
{
	static const char *const w[] = { "b>c", "c>a", "a>b" };
	struct topo_layout *t = lay(w, 3);
	const struct topo_edge *back;
	size_t i, nrev = 0;

	(void)state;
	assert_int_equal(node(t, "a")->layer, 0);
	assert_int_equal(node(t, "b")->layer, 1);
	assert_int_equal(node(t, "c")->layer, 2);
	back = edge(t, "c", "a");
	assert_true(back->reversed);
	for (i = 0; i < t->nedges; i++)
		nrev += t->edges[i].reversed;
	assert_int_equal(nrev, 1);
	assert_int_equal(back->npath, 3);
	assert_int_equal(back->path[0], topology_find(t, "c"));
	assert_int_equal(back->path[2], topology_find(t, "a"));
	assert_int_equal(t->nodes[back->path[1]].layer, 1);
	assert_int_equal(t->nnodes, 4);
	assert_consistent(t);
	topology_free(t);
}

/* A cycle reached from a source: the search starts at the source, not at the cycle's first name. */
static void
test_cycle_from_source(void **state)
{
	static const char *const w[] = { "z>b", "b>a", "a>b" };
	struct topo_layout *t = lay(w, 3);

	(void)state;
	assert_true(edge(t, "a", "b")->reversed);
	assert_false(edge(t, "b", "a")->reversed);
	assert_int_equal(node(t, "z")->layer, 0);
	assert_int_equal(node(t, "b")->layer, 1);
	assert_int_equal(node(t, "a")->layer, 2);
	assert_consistent(t);
	topology_free(t);
}

/* a -> d skips two layers: two virtual nodes, in layers 1 and 2. */
static void
test_long_edge(void **state)
{
	static const char *const w[] = { "a>b", "b>c", "c>d", "a>d" };
	struct topo_layout *t = lay(w, 4);
	const struct topo_edge *e;

	(void)state;
	assert_int_equal(t->nreal, 4);
	assert_int_equal(t->nnodes, 6);
	e = edge(t, "a", "d");
	assert_int_equal(e->npath, 4);
	assert_true(e->path[1] >= 4 && e->path[2] >= 4);
	assert_null(t->nodes[e->path[1]].name);
	assert_int_equal(t->nodes[e->path[1]].layer, 1);
	assert_int_equal(t->nodes[e->path[2]].layer, 2);
	assert_int_equal(t->layer_size[1], 2);
	assert_int_equal(t->layer_size[2], 2);
	assert_int_equal(t->crossings, 0);
	assert_consistent(t);
	topology_free(t);
}

/*
 * In name order a -> d and b -> c cross: layer 0 is (a, b), layer 1 is
 * (c, d).  The downward sweep puts d before c and the crossing is gone.
 */
static void
test_barycentre_removes_crossing(void **state)
{
	static const char *const w[] = { "a>d", "b>c", "d>f", "c>e" };
	struct topo_layout *t = lay(w, 4);

	(void)state;
	assert_int_equal(t->nlayers, 3);
	assert_int_equal(t->crossings, 0);
	assert_int_equal(topology_crossings(t), 0);
	assert_int_equal(node(t, "a")->pos, 0);
	assert_int_equal(node(t, "d")->pos, 0);
	assert_int_equal(node(t, "c")->pos, 1);
	assert_int_equal(node(t, "f")->pos, 0);
	assert_int_equal(node(t, "e")->pos, 1);
	assert_consistent(t);
	topology_free(t);
}

/* Set the positions of names (one layer) to 0, 1, 2 in the order given. */
static void
place(struct topo_layout *t, const char *p0, const char *p1, const char *p2)
{
	t->nodes[topology_find(t, p0)].pos = 0;
	t->nodes[topology_find(t, p1)].pos = 1;
	t->nodes[topology_find(t, p2)].pos = 2;
}

/*
 * A 6-cycle across two layers: no order draws it with fewer than two
 * crossings (checked by trying all 36 orders), and the sweeps find such
 * an order.  The count follows the order it is given.
 */
static void
test_crossings_counted(void **state)
{
	static const char *const w[] = { "a>x", "a>y", "b>x", "b>z", "c>y", "c>z" };
	struct topo_layout *t = lay(w, 6);

	(void)state;
	assert_consistent(t);
	assert_int_equal(t->crossings, 2);
	place(t, "a", "b", "c");
	place(t, "x", "y", "z");
	assert_int_equal(topology_crossings(t), 2);
	place(t, "x", "z", "y");
	assert_int_equal(topology_crossings(t), 3);
	topology_free(t);
}

static void
test_self_calls_and_repeats(void **state)
{
	static const char *const w[] = { "a>a", "a>b", "a>b" };
	struct topo_layout *t = lay(w, 3);

	(void)state;
	assert_int_equal(t->nedges, 1); /* the self-call is not drawn, the repeat merged */
	assert_int_equal(edge(t, "a", "b")->calls, 20);
	assert_int_equal(edge(t, "a", "b")->errors, 2);
	assert_int_equal(node(t, "a")->calls_out, 30);
	assert_int_equal(node(t, "a")->calls_in, 10);
	assert_int_equal(node(t, "b")->calls_in, 20);
	assert_consistent(t);
	topology_free(t);

	t = topology_layout(NULL, 0);
	assert_non_null(t);
	assert_int_equal(t->nnodes, 0);
	assert_int_equal(t->nlayers, 0);
	assert_int_equal(topology_find(t, "a"), -1);
	topology_free(t);
	topology_free(NULL);
}

/* The same links in another order (and with repeats split differently): the same layout. */
static void
test_deterministic(void **state)
{
	static const char *const w[] = { "gateway>orders",   "gateway>users",    "orders>payments",
					 "orders>inventory", "inventory>notify", "payments>notify",
					 "users>notify",     "gateway>notify",   "notify>gateway",
					 "orders>users",     "search>inventory", "gateway>search" };
	const size_t n = sizeof w / sizeof w[0];
	const char *shuffled[sizeof w / sizeof w[0]];
	struct topo_layout *a, *b;
	unsigned seed = 12345;
	size_t i, j, round;

	(void)state;
	a = lay(w, n);
	assert_consistent(a);
	for (round = 0; round < 20; round++) {
		memcpy(shuffled, w, sizeof w);
		for (i = n - 1; i > 0; i--) {
			const char *x;

			seed = seed * 1103515245u + 12345u;
			j = (seed >> 16) % (i + 1);
			x = shuffled[i];
			shuffled[i] = shuffled[j];
			shuffled[j] = x;
		}
		b = lay(shuffled, n);
		assert_int_equal(b->nnodes, a->nnodes);
		assert_int_equal(b->nedges, a->nedges);
		assert_int_equal(b->crossings, a->crossings);
		for (i = 0; i < a->nnodes; i++) {
			if (a->nodes[i].name != NULL)
				assert_string_equal(b->nodes[i].name, a->nodes[i].name);
			assert_int_equal(b->nodes[i].layer, a->nodes[i].layer);
			assert_int_equal(b->nodes[i].pos, a->nodes[i].pos);
		}
		for (i = 0; i < a->nedges; i++) {
			assert_int_equal(b->edges[i].npath, a->edges[i].npath);
			assert_int_equal(b->edges[i].reversed, a->edges[i].reversed);
			assert_memory_equal(b->edges[i].path, a->edges[i].path,
					    (size_t)a->edges[i].npath * sizeof(int));
		}
		topology_free(b);
	}
	topology_free(a);
}

/* Random graphs with cycles, self-calls and repeats: a consistent layout every time. */
static void
test_random_graphs(void **state)
{
	unsigned seed = 99;
	int round;

	(void)state;
	for (round = 0; round < 200; round++) {
		size_t n = (size_t)(seed >> 16) % 60, i;
		struct zk_link *l = calloc(n + 1, sizeof *l);
		struct topo_layout *t;
		int nsvc = 2 + round % 25;

		assert_non_null(l);
		for (i = 0; i < n; i++) {
			char a[16], b[16];

			seed = seed * 1103515245u + 12345u;
			snprintf(a, sizeof a, "s%u", (seed >> 16) % (unsigned)nsvc);
			seed = seed * 1103515245u + 12345u;
			snprintf(b, sizeof b, "s%u", (seed >> 16) % (unsigned)nsvc);
			l[i].parent = strdup(a);
			l[i].child = strdup(b);
			l[i].calls = 1;
		}
		seed = seed * 1103515245u + 12345u;
		t = topology_layout(l, n);
		assert_non_null(t);
		assert_consistent(t);
		for (i = 0; i < t->nreal; i++)
			assert_int_equal(topology_find(t, t->nodes[i].name), (int)i);
		for (i = 0; i < t->nedges; i++) /* a reversed edge goes back, others forward */
			assert_true((t->nodes[t->edges[i].to].layer >
				     t->nodes[t->edges[i].from].layer) == !t->edges[i].reversed);
		topology_free(t);
		links_free(l, n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_diamond),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_cycle_from_source),
		cmocka_unit_test(test_long_edge),
		cmocka_unit_test(test_barycentre_removes_crossing),
		cmocka_unit_test(test_crossings_counted),
		cmocka_unit_test(test_self_calls_and_repeats),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_random_graphs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
