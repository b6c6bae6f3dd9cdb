/*
 * The Topology screen rendered into fixed-size canvases: golden renders
 * of the shop's dependency graph (tests/golden/topology_*.txt), and its
 * behaviour: moving the selection along layers, the panel's callers and
 * callees, the error-heavy edge in CRIT, a cycle, scrolling a large
 * graph, hostile names, the states without a graph.  The layout comes
 * from backends/topology.c, the data are built by hand as the poller
 * would hand them over.  UPDATE_GOLDEN=1 rewrites the golden files.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "golden.h"

#include "buf.h"
#include "canvas.h"
#include "frame.h"
#include "keys.h"
#include "model.h"
#include "screens/graph.h"
#include "topology.h"
#include "traces_poll.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795000000.0 /* 2026-11-18T07:46:40Z */

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct graph *g;
	struct view_ctx v;
	struct zk_link *links;
	size_t nlinks;
	struct topo_layout *layout;
	struct topology_data d;
	struct canvas *c; /* the last render */
};

/* The shop: gateway calls orders and users; orders calls payments (errors), inventory, notifications. */
static const struct zk_link shop_links[] = {
	{ "gateway", "orders", 480, 3 },      { "gateway", "users", 210, 0 },
	{ "orders", "payments", 300, 45 },    { "orders", "inventory", 120, 0 },
	{ "orders", "notifications", 60, 0 },
};

static struct model *
shop_model(void)
{
	/* notifications is absent: the model knows nothing of it ("no metrics"). */
	static const struct {
		const char *name;
		double rps, errors;
	} svcs[] = {
		{ "gateway", 120.5, 0.002 }, { "orders", 48.2, 0.021 },  { "users", 30.0, 0.0 },
		{ "payments", 12.0, 0.15 },  { "inventory", 33.3, 0.0 },
	};
	struct model *m = model_new(30, 100);
	const char *names[8];
	double rps[8], errs[8];
	size_t i, n = sizeof svcs / sizeof svcs[0];

	for (i = 0; i < n; i++) {
		names[i] = svcs[i].name;
		rps[i] = svcs[i].rps;
		errs[i] = svcs[i].errors;
	}
	model_apply_metric(m, METRIC_RPS, names, rps, n, NOW);
	model_apply_metric(m, METRIC_ERRORS, names, errs, n, NOW);
	model_backend_ok(m, "prometheus", 12, NOW);
	model_backend_ok(m, "zipkin", 8, NOW);
	return m;
}

/* Lay out links (copied into the fixture, as the poller keeps its own). */
static void
set_links(struct fixture *f, const struct zk_link *links, size_t n)
{
	size_t i;

	topology_free(f->layout);
	zipkin_links_free(f->links, f->nlinks);
	f->links = xcalloc(n + 1, sizeof *f->links);
	for (i = 0; i < n; i++) {
		f->links[i].parent = xstrdup(links[i].parent);
		f->links[i].child = xstrdup(links[i].child);
		f->links[i].calls = links[i].calls;
		f->links[i].errors = links[i].errors;
	}
	f->nlinks = n;
	f->layout = topology_layout(f->links, n);
	assert_non_null(f->layout);
	f->d.layout = f->layout;
	f->d.links = f->links;
	f->d.nlinks = n;
	f->d.have = true;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = shop_model();
	f->g = graph_new();
	f->v.model = f->m;
	f->v.th = &th;
	f->v.now = NOW;
	f->v.stale_after = 60;
	f->v.prometheus = true;
	f->d.lookback_s = 3600;
	f->d.fetched_at = NOW - 5;
	set_links(f, shop_links, sizeof shop_links / sizeof shop_links[0]);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	canvas_free(f->c);
	graph_free(f->g);
	topology_free(f->layout);
	zipkin_links_free(f->links, f->nlinks);
	model_free(f->m);
	free(f);
	return 0;
}

/* The whole screen as the console shows it: title, the Topology's body, status line. */
static char *
render_data(struct fixture *f, int w, int h, bool ascii, const struct topology_data *d)
{
	struct buf out;

	canvas_free(f->c);
	f->c = canvas_new(w, h);
	f->c->ascii = ascii;
	f->v.ascii = ascii;
	frame_draw_title(f->c, 0, "Topology", NULL, &f->v);
	graph_draw(f->g, f->c, frame_body(f->c), &f->v, d);
	frame_draw_status(f->c, h - 1, &f->v, NULL, ROLE_NORMAL);
	buf_init(&out);
	canvas_write_text(f->c, &out);
	return buf_steal(&out);
}

static char *
render(struct fixture *f, int w, int h, bool ascii)
{
	return render_data(f, w, h, ascii, &f->d);
}

/* Find s (UTF-8, one cell per character) in the last render; false when absent. */
static bool
find_cells(const struct canvas *c, const char *s, int *fx, int *fy)
{
	int x, y;

	for (y = 0; y < c->h; y++)
		for (x = 0; x < c->w; x++) {
			const char *p = s;
			int k = x;

			while (*p != '\0' && k < c->w) {
				const struct cell *cl = &c->cells[y * c->w + k];
				size_t n = strlen(cl->ch);

				if (n == 0 || strncmp(p, cl->ch, n) != 0)
					break;
				p += n;
				k++;
			}
			if (*p == '\0') {
				*fx = x;
				*fy = y;
				return true;
			}
		}
	return false;
}

static int
node_of(const struct fixture *f, const char *name)
{
	int i = topology_find(f->layout, name);

	assert_true(i >= 0);
	return i;
}

static void
test_golden_80x24(void **state)
{
	char *s = render(*state, 80, 24, false);

	golden("topology_80x24", s);
	free(s);
}

static void
test_golden_160x40(void **state)
{
	struct fixture *f = *state;
	char *s;

	assert_true(graph_select(f->g, &f->d, "orders"));
	s = render(f, 160, 40, false);
	golden("topology_160x40", s);
	free(s);
}

static void
test_golden_ascii(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 80, 24, true);
	const unsigned char *p;

	golden("topology_ascii_80x24", s);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p >= 0x80)
			fail_msg("non-ASCII byte 0x%02x at offset %td", *p, (const char *)p - s);
	free(s);
}

/* Left and right cross layers toward linked services; up and down stay in the layer. */
static void
test_navigation(void **state)
{
	struct fixture *f = *state;
	const struct topo_node *n;
	int flags, i;

	assert_string_equal(graph_selected(f->g, &f->d), "gateway");
	flags = graph_handle(f->g, ACT_TOPO_LEFT, &f->d); /* nothing left of layer 0 */
	assert_true(flags & H_HANDLED);
	assert_string_equal(graph_selected(f->g, &f->d), "gateway");
	graph_handle(f->g, ACT_TOPO_RIGHT, &f->d);
	n = &f->layout->nodes[node_of(f, graph_selected(f->g, &f->d))];
	assert_int_equal(n->layer, 1);
	/* Down then up: the next in the layer's order, then back. */
	graph_select(f->g, &f->d, "orders");
	i = node_of(f, "orders");
	graph_handle(f->g, f->layout->nodes[i].pos == 0 ? ACT_DOWN : ACT_UP, &f->d);
	assert_string_equal(graph_selected(f->g, &f->d), "users");
	graph_handle(f->g, f->layout->nodes[i].pos == 0 ? ACT_UP : ACT_DOWN, &f->d);
	assert_string_equal(graph_selected(f->g, &f->d), "orders");
	/* Right of orders: one of its callees; from there left is orders again, then gateway. */
	graph_handle(f->g, ACT_TOPO_RIGHT, &f->d);
	n = &f->layout->nodes[node_of(f, graph_selected(f->g, &f->d))];
	assert_int_equal(n->layer, 2);
	graph_handle(f->g, ACT_BOTTOM, &f->d);
	n = &f->layout->nodes[node_of(f, graph_selected(f->g, &f->d))];
	assert_int_equal(n->pos, f->layout->layer_size[2] - 1);
	graph_handle(f->g, ACT_TOP, &f->d);
	n = &f->layout->nodes[node_of(f, graph_selected(f->g, &f->d))];
	assert_int_equal(n->pos, 0);
	graph_handle(f->g, ACT_TOPO_LEFT, &f->d);
	assert_string_equal(graph_selected(f->g, &f->d), "orders");
	graph_handle(f->g, ACT_TOPO_LEFT, &f->d);
	assert_string_equal(graph_selected(f->g, &f->d), "gateway");
	assert_int_equal(graph_handle(f->g, ACT_SORT_NEXT, &f->d), H_NONE);
}

/* Right goes to a callee even when a service it does not call sits nearer. */
static void
test_navigation_prefers_callees(void **state)
{
	static const struct zk_link l[] = {
		{ "root", "a", 1, 0 },  { "root", "d1", 1, 0 }, { "root", "d2", 1, 0 },
		{ "root", "d3", 1, 0 }, { "root", "r2", 1, 0 }, { "d1", "z", 1, 0 },
		{ "d2", "z", 1, 0 },    { "d3", "z", 1, 0 },    { "a", "z", 1, 0 },
		{ "r2", "p", 1, 0 },    { "r2", "p2", 1, 0 },   { "r2", "p3", 1, 0 },
	};
	struct fixture *f = *state;

	set_links(f, l, sizeof l / sizeof l[0]);
	/* d3 sits level with p, which r2 calls; d3's callee z is higher up. */
	assert_true(graph_select(f->g, &f->d, "d3"));
	graph_handle(f->g, ACT_TOPO_RIGHT, &f->d);
	assert_string_equal(graph_selected(f->g, &f->d), "z");
	/* Left of p: its caller r2, not d3 level with it. */
	assert_true(graph_select(f->g, &f->d, "p"));
	graph_handle(f->g, ACT_TOPO_LEFT, &f->d);
	assert_string_equal(graph_selected(f->g, &f->d), "r2");
}

/* graph_select finds a service; the panel lists its callers and callees with their counts. */
static void
test_select_and_panel(void **state)
{
	struct fixture *f = *state;
	char *s;
	int x, y;

	assert_false(graph_select(f->g, &f->d, "no-such-service"));
	assert_string_equal(graph_selected(f->g, &f->d), "gateway");
	assert_true(graph_select(f->g, &f->d, "ORDERS")); /* case as the metrics spell it */
	assert_string_equal(graph_selected(f->g, &f->d), "orders");
	s = render(f, 160, 40, false);
	assert_true(find_cells(f->c, "CALLERS (1)", &x, &y));
	assert_true(x > 160 - 60); /* the side panel */
	assert_non_null(strstr(s, "gateway                              480     3   0.6%"));
	assert_non_null(strstr(s, "CALLEES (3)"));
	assert_non_null(strstr(s, "payments                             300    45  15.0%"));
	assert_non_null(strstr(s, "inventory                            120     0   0.0%"));
	assert_non_null(strstr(s, "notifications                         60     0   0.0%"));
	assert_non_null(strstr(s, "WARN 48.2 req/s, 2.10% errors"));
	free(s);
	/* At 80 columns the lists sit under the graph. */
	assert_true(graph_select(f->g, &f->d, "payments"));
	s = render(f, 80, 24, false);
	assert_true(find_cells(f->c, "CALLERS (1)", &x, &y));
	assert_true(y > 12);
	assert_non_null(strstr(s, "CALLEES (0)"));
	assert_non_null(strstr(s, "orders                300    45  15.0%"));
	assert_non_null(strstr(s, "none: calls no traced service"));
	free(s);
}

/* The error-heavy edge orders -> payments is CRIT: its label and its line. */
static void
test_error_edge_is_crit(void **state)
{
	struct fixture *f = *state;
	int x, y;
	char *s = render(f, 160, 40, false);

	free(s);
	assert_true(find_cells(f->c, "300 !45", &x, &y));
	assert_int_equal(canvas_at(f->c, x, y)->role, ROLE_CRIT);
	assert_int_equal(canvas_at(f->c, x - 1, y)->role, ROLE_CRIT); /* the line before it */
	assert_string_equal(canvas_at(f->c, x - 1, y)->ch, "\xe2\x94\x80");
	/* An edge without errors is not. */
	assert_true(find_cells(f->c, "120", &x, &y));
	assert_int_not_equal(canvas_at(f->c, x, y)->role, ROLE_CRIT);
	/* Selected, the edge keeps its CRIT role (bold); its neighbours are accented. */
	graph_select(f->g, &f->d, "payments");
	s = render(f, 160, 40, false);
	free(s);
	assert_true(find_cells(f->c, "300 !45", &x, &y));
	assert_int_equal(canvas_at(f->c, x, y)->role, ROLE_CRIT);
	assert_true(canvas_at(f->c, x, y)->attr & ATTR_BOLD);
	assert_true(find_cells(f->c, "480 !3", &x, &y));
	assert_int_equal(canvas_at(f->c, x, y)->role, ROLE_DIM);
}

/* A cycle: a -> b -> c -> a; the edge closing it is drawn back, with its arrowhead left. */
static void
test_cycle(void **state)
{
	static const struct zk_link cyc[] = {
		{ "alpha", "beta", 10, 0 },
		{ "beta", "gamma", 20, 0 },
		{ "gamma", "alpha", 7, 1 },
		{ "alpha", "gamma", 5, 0 },
	};
	struct fixture *f = *state;
	size_t e;
	int x, y, rev = -1;
	char *s;

	set_links(f, cyc, 4);
	for (e = 0; e < f->layout->nedges; e++)
		if (f->layout->edges[e].reversed)
			rev = (int)e;
	assert_true(rev >= 0);
	s = render(f, 100, 24, false);
	golden("topology_cycle_100x24", s);
	assert_non_null(strstr(s, "7 !1"));
	assert_non_null(strstr(s, "\xe2\x97\x80")); /* ◀ into alpha */
	assert_non_null(strstr(s, "\xe2\x96\xb6")); /* ▶ */
	assert_true(find_cells(f->c, "10", &x, &y));
	assert_true(find_cells(f->c, "20", &x, &y));
	assert_true(find_cells(f->c, "5", &x, &y));
	free(s);
	s = render(f, 100, 24, true);
	assert_non_null(strstr(s, "|<-"));
	assert_non_null(strstr(s, "7 !1"));
	free(s);
}

/* 40 services at 80x24: the view follows the selection down and right. */
static void
test_large_graph_scrolls(void **state)
{
	struct fixture *f = *state;
	struct zk_link l[40];
	char names[40][16];
	int i, x, y;
	char *s;

	/* A chain c00 -> ... -> c09, and c00 fanning out to f00 .. f29. */
	for (i = 0; i < 10; i++)
		snprintf(names[i], sizeof names[i], "c%02d", i);
	for (i = 0; i < 30; i++)
		snprintf(names[10 + i], sizeof names[i], "f%02d", i);
	for (i = 0; i < 9; i++)
		l[i] = (struct zk_link){ names[i], names[i + 1], 100 + i, 0 };
	for (i = 0; i < 30; i++)
		l[9 + i] = (struct zk_link){ names[0], names[10 + i], 10 + i, 0 };
	set_links(f, l, 39);
	assert_int_equal(f->layout->nreal, 40);
	s = render(f, 80, 24, false);
	assert_true(find_cells(f->c, "c00", &x, &y));
	assert_false(find_cells(f->c, "c09", &x, &y));
	assert_non_null(strstr(s, "more:"));
	free(s);
	/* Far right: the chain's end shows, its start has scrolled away. */
	assert_true(graph_select(f->g, &f->d, "c09"));
	s = render(f, 80, 24, false);
	assert_true(find_cells(f->c, "c09", &x, &y));
	assert_true(y > 0 && y < 23);
	assert_false(find_cells(f->c, "c00 ", &x, &y));
	free(s);
	/* Each of the fan-out, one by one down its layer: always on screen. */
	assert_true(graph_select(f->g, &f->d, "f00"));
	for (i = 0; i < 30; i++) {
		const char *sel = graph_selected(f->g, &f->d);
		int bx, by;

		s = render(f, 80, 24, false);
		assert_true(find_cells(f->c, sel, &bx, &by));
		/* The selected name is drawn in the SELECTED role, inside the graph's view. */
		assert_int_equal(canvas_at(f->c, bx, by)->role, ROLE_SELECTED);
		assert_true(by >= 1 && by < 24 - 1 - 3);
		free(s);
		graph_handle(f->g, ACT_DOWN, &f->d);
	}
	assert_false(find_cells(f->c, "f00", &x, &y));
}

/* Escapes and control characters are shown, not obeyed; long names are cut. */
static void
test_hostile_names(void **state)
{
	static char long_name[] = "a-very-long-service-name-that-goes-on-and-on-and-on-"
				  "and-on-until-it-cannot-possibly-fit";
	const struct zk_link l[] = {
		{ "evil\x1b[31mred", "tab\tand\x7f", 3, 0 },
		{ "evil\x1b[31mred", long_name, 4, 0 },
		{ "\xe2\x80\xaertl", "evil\x1b[31mred", 5, 0 },
	};
	struct fixture *f = *state;
	char *s;
	int x, y;

	set_links(f, l, 3);
	assert_true(graph_select(f->g, &f->d, "evil\x1b[31mred"));
	s = render(f, 160, 40, false);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x7f'));
	assert_null(strchr(s, '\t'));
	assert_non_null(strstr(s, "evil^[[31mred"));
	assert_non_null(strstr(s, "^?"));
	assert_non_null(strstr(s, "<U+202E>rtl"));
	/* The box shows at most 24 columns of a name, the last an ellipsis; so does the panel. */
	assert_true(find_cells(f->c, "a-very-long-service-nam\xe2\x80\xa6 \xe2\x94\x82", &x, &y));
	assert_true(find_cells(f->c, "a-very-long-service-name-that-g\xe2\x80\xa6", &x, &y));
	assert_null(strstr(s, long_name));
	free(s);
}

static void
test_too_small(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 39, 12, false);

	assert_non_null(strstr(s, "terminal too small for the topology"));
	free(s);
	s = render(f, 60, 9, false);
	assert_non_null(strstr(s, "terminal too small"));
	free(s);
	s = render(f, 60, 10, false);
	assert_null(strstr(s, "terminal too small"));
	free(s);
}

/* Without a graph the screen says what happens and what to do. */
static void
test_states(void **state)
{
	struct fixture *f = *state;
	struct topology_data d;
	char *s;

	s = render_data(f, 80, 24, false, NULL);
	assert_non_null(strstr(s, "waiting for the dependency links from Zipkin"));
	free(s);
	memset(&d, 0, sizeof d);
	d.lookback_s = 6 * 3600;
	d.loading = true;
	s = render_data(f, 80, 24, false, &d);
	assert_non_null(strstr(s, "loading the dependency links of the last 6h from Zipkin"));
	free(s);
	d.loading = false;
	err_set(&d.err, ERR_CONNECT, "zipkin: connection refused at http://zipkin:9411");
	s = render_data(f, 80, 24, false, &d);
	assert_non_null(strstr(s, "zipkin: connection refused"));
	assert_non_null(strstr(s, "r asks now"));
	free(s);
	err_clear(&d.err);
	d.have = true;
	d.lookback_s = 3600;
	s = render_data(f, 80, 24, false, &d);
	assert_non_null(strstr(s, "no dependency links in the last 1h"));
	assert_non_null(strstr(s, "widen with +"));
	assert_null(graph_selected(f->g, &d));
	assert_int_equal(graph_handle(f->g, ACT_DOWN, &d), H_HANDLED);
	free(s);
	/* A failed refresh keeps the graph and says how old it is. */
	err_set(&f->d.err, ERR_TIMEOUT, "zipkin: timed out after 10s");
	f->d.fetched_at = NOW - 120;
	s = render(f, 80, 24, false);
	assert_non_null(strstr(s, "zipkin: timed out after 10s (the links shown are 2m00s old)"));
	assert_non_null(strstr(s, "gateway"));
	free(s);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	buf_init(&out);
	graph_select(f->g, &f->d, "orders");
	graph_markdown(f->g, &f->v, &f->d, &out);
	assert_non_null(strstr(out.data, "## Topology, last 1h"));
	assert_non_null(strstr(out.data, "6 services, 5 links; selected: orders"));
	assert_non_null(strstr(out.data, "| caller | callee | calls | errors | error % |"));
	assert_non_null(strstr(out.data, "| orders | payments | 300 | 45 | 15.0% |"));
	assert_non_null(strstr(out.data, "| gateway | orders | 480 | 3 | 0.6% |"));
	assert_true(strstr(out.data, "| gateway | orders") <
		    strstr(out.data, "| orders | inventory"));
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_ascii, setup, teardown),
		cmocka_unit_test_setup_teardown(test_navigation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_navigation_prefers_callees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_and_panel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_edge_is_crit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_graph_scrolls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
