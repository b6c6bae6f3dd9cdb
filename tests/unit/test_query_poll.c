/*
 * test_query_poll.c - the Query screen's requests (tui/query_poll.c)
 * through the real HTTP client against a small server forked by the test
 * that answers like Prometheus with captured answers
 * (tests/fixtures/prometheus): /api/v1/query with the vector, query=bad
 * with the "unclosed left parenthesis" error, /api/v1/query_range with
 * the matrix; it records each request's path in shared memory.
 *
 * Proves: nothing is asked before open, without a Prometheus URL or
 * without an expression; an instant query goes to /api/v1/query with the
 * expression encoded and time=, its answer is kept sorted; a range query
 * asks /api/v1/query_range over range_s with a step from the chart's
 * width; the refresh asks again, and not before it is due; an answer that
 * arrives after a close or a change is dropped, and nothing more is asked
 * after a close; a refused expression drops the result and keeps the
 * server's words, a connection failure keeps the last result; the steps.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "http.h"
#include "prometheus.h"
#include "query_poll.h"
#include "xalloc.h"

#define FIX TESTS_DIR "/fixtures/prometheus/"
#define MAX_REQ 64

struct shared {
	int n;                   /* requests answered */
	char path[MAX_REQ][512]; /* their paths, in order */
};

static struct shared *seen;
static pid_t server_pid;
static char base_url[64];

static char *
slurp(const char *name, size_t *len)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof path, FIX "%s", name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
handle(int fd)
{
	char req[8192], head[256], path[512] = "";
	const char *file = "vector.json", *status = "200 OK";
	size_t len = 0, blen;
	ssize_t n;
	char *body;

	while (len < sizeof req - 1 && (n = read(fd, req + len, sizeof req - 1 - len)) > 0) {
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[len] = '\0';
	sscanf(req, "%*s %511s", path);
	if (strncmp(path, "/api/v1/query_range?", 20) == 0)
		file = "matrix.json";
	if (strstr(path, "query=bad") != NULL) {
		file = "error_unclosed.json";
		status = "400 Bad Request";
	}
	if (seen->n < MAX_REQ)
		snprintf(seen->path[seen->n], sizeof seen->path[0], "%s", path);
	__atomic_add_fetch(&seen->n, 1, __ATOMIC_SEQ_CST);
	body = slurp(file, &blen);
	if (body == NULL)
		_exit(1);
	snprintf(head, sizeof head,
		 "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 status, blen);
	write_all(fd, head, strlen(head));
	write_all(fd, body, blen);
	free(body);
}

static int
start_server(void **state)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int s;

	(void)state;
	seen = mmap(NULL, sizeof *seen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seen == MAP_FAILED)
		return -1;
	memset(seen, 0, sizeof *seen);
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) < 0)
		return -1;
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			int c = accept(s, NULL, NULL);

			if (c < 0)
				continue;
			handle(c); /* one at a time: the poller never has two out */
			close(c);
		}
	}
	close(s);
	return 0;
}

static int
stop_server(void **state)
{
	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	munmap(seen, sizeof *seen);
	return 0;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct fixture {
	struct http *h;
	struct http_endpoint ep;
	struct query_poll *qp;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct err e;

	seen->n = 0;
	f->h = http_new(&e);
	assert_non_null(f->h);
	f->ep.name = "prometheus";
	f->ep.url = base_url;
	f->ep.timeout_ms = 5000;
	f->ep.is_read = prometheus_is_read;
	f->qp = query_poll_new(f->h, &f->ep, true, 200);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	query_poll_free(f->qp);
	http_free(f->h);
	free(f);
	return 0;
}

/* Tick and drive the client until the server has answered want requests and they are in. */
static void
run_until_answers(struct fixture *f, int want)
{
	double end = mono() + 10;
	struct err e;

	while (mono() < end) {
		query_poll_tick(f->qp, mono(), 1795390960.0);
		if (__atomic_load_n(&seen->n, __ATOMIC_SEQ_CST) >= want && http_pending(f->h) == 0)
			return;
		http_wait(f->h, NULL, 0, 20, &e);
		http_perform(f->h);
	}
	fail_msg("only %d of %d requests answered", seen->n, want);
}

/* Drive the client until nothing is in flight (no tick: nothing new goes out). */
static void
drain(struct fixture *f)
{
	double end = mono() + 10;
	struct err e;

	while (http_pending(f->h) > 0 && mono() < end) {
		http_wait(f->h, NULL, 0, 20, &e);
		http_perform(f->h);
	}
	assert_int_equal(http_pending(f->h), 0);
}

static void
test_nothing_before_open(void **state)
{
	struct fixture *f = *state;
	struct query_poll *none;

	query_poll_set(f->qp, "up", QUERY_INSTANT, 3600);
	assert_false(query_poll_tick(f->qp, mono(), 1795390960.0));
	assert_int_equal(query_poll_requests(f->qp), 0);
	assert_true(query_poll_next_due_ms(f->qp, mono()) >= 3600L * 1000);
	/* open without an expression: nothing either */
	query_poll_set(f->qp, "", QUERY_INSTANT, 3600);
	query_poll_open(f->qp);
	query_poll_tick(f->qp, mono(), 1795390960.0);
	assert_int_equal(query_poll_requests(f->qp), 0);
	assert_false(query_poll_data(f->qp)->loading);
	/* no Prometheus URL: nothing ever */
	none = query_poll_new(f->h, &f->ep, false, 200);
	query_poll_set(none, "up", QUERY_INSTANT, 3600);
	query_poll_open(none);
	query_poll_tick(none, mono(), 1795390960.0);
	assert_int_equal(query_poll_requests(none), 0);
	assert_false(query_poll_data(none)->configured);
	query_poll_free(none);
	assert_int_equal(http_pending(f->h), 0);
}

static void
test_instant(void **state)
{
	struct fixture *f = *state;
	const struct query_data *d = query_poll_data(f->qp);

	query_poll_set(f->qp, "sum by (service, code) (http_requests_total)", QUERY_INSTANT, 3600);
	query_poll_open(f->qp);
	assert_true(d->loading);
	assert_int_equal(query_poll_next_due_ms(f->qp, mono()), 0);
	run_until_answers(f, 1);
	assert_int_equal(seen->n, 1);
	assert_string_equal(seen->path[0], "/api/v1/query?query=sum%20by%20%28service%2C%20code%29%"
					   "20%28http_requests_total%29&time=1795390960");
	assert_true(d->have_result);
	assert_false(d->loading);
	assert_int_equal(d->err.code, ERR_OK);
	assert_int_equal(d->result.type, PROM_VECTOR);
	assert_int_equal(d->total_series, 5);
	/* sorted: orders' 200 first */
	assert_string_equal(
		prom_label_get(d->result.series[0].labels, d->result.series[0].nlabels, "service"),
		"orders");
	assert_true(d->t0 == 1795390960.0 && d->t1 == d->t0);
	/* the next one only when due: 200 ms later */
	assert_true(query_poll_next_due_ms(f->qp, mono()) > 0);
	run_until_answers(f, 2);
	assert_int_equal(seen->n, 2);
	assert_string_equal(seen->path[1], seen->path[0]);
}

static void
test_range(void **state)
{
	struct fixture *f = *state;
	const struct query_data *d = query_poll_data(f->qp);
	char want[256];

	query_poll_set_points(f->qp, 222); /* an 80-column chart: 3600 / 222 = 16.2 -> 20 s */
	query_poll_set(f->qp, "up", QUERY_RANGE, 3600);
	query_poll_open(f->qp);
	run_until_answers(f, 1);
	snprintf(want, sizeof want, "/api/v1/query_range?query=up&start=%d&end=%d&step=20",
		 1795390960 - 3600, 1795390960);
	assert_string_equal(seen->path[0], want);
	assert_true(d->have_result);
	assert_int_equal(d->result.type, PROM_MATRIX);
	assert_true(d->t1 - d->t0 == 3600 && d->step_s == 20);
	/* the same again changes nothing; another range drops the answer and asks now */
	query_poll_set(f->qp, "up", QUERY_RANGE, 3600);
	assert_true(d->have_result);
	query_poll_set(f->qp, "up", QUERY_RANGE, 900);
	assert_false(d->have_result);
	assert_true(d->loading);
	run_until_answers(f, 2);
	assert_non_null(strstr(seen->path[1], "&step=5"));
}

static void
test_close_drops_and_stops(void **state)
{
	struct fixture *f = *state;
	const struct query_data *d = query_poll_data(f->qp);
	double until;

	query_poll_set(f->qp, "up", QUERY_INSTANT, 3600);
	query_poll_open(f->qp);
	query_poll_tick(f->qp, mono(), 1795390960.0); /* out, not yet answered */
	assert_int_equal(http_pending(f->h), 1);
	query_poll_close(f->qp);
	drain(f);
	assert_false(d->have_result); /* the answer came after the close: dropped */
	assert_false(d->loading);
	/* nothing more goes out, however long the loop runs */
	until = mono() + 0.6;
	while (mono() < until) {
		struct err e;

		query_poll_tick(f->qp, mono(), 1795390960.0);
		http_wait(f->h, NULL, 0, 20, &e);
		http_perform(f->h);
	}
	assert_int_equal(query_poll_requests(f->qp), 1);
	assert_int_equal(seen->n, 1);
	assert_false(query_poll_is_open(f->qp));
}

static void
test_change_in_flight(void **state)
{
	struct fixture *f = *state;
	const struct query_data *d = query_poll_data(f->qp);

	query_poll_set(f->qp, "bad", QUERY_INSTANT, 3600);
	query_poll_open(f->qp);
	query_poll_tick(f->qp, mono(), 1795390960.0);
	assert_int_equal(http_pending(f->h), 1);
	query_poll_set(f->qp, "up", QUERY_INSTANT, 3600); /* the "bad" answer is now void */
	run_until_answers(f, 2);
	assert_non_null(strstr(seen->path[1], "query=up&"));
	assert_int_equal(d->err.code, ERR_OK); /* the error of "bad" was never shown */
	assert_true(d->have_result);
	assert_string_equal(d->expr, "up");
}

static void
test_refused_then_unreachable(void **state)
{
	struct fixture *f = *state;
	const struct query_data *d = query_poll_data(f->qp);
	struct http_endpoint dead = f->ep;
	struct query_poll *qp;

	query_poll_set(f->qp, "bad", QUERY_INSTANT, 3600);
	query_poll_open(f->qp);
	run_until_answers(f, 1);
	assert_int_equal(d->err.code, ERR_BACKEND);
	assert_non_null(strstr(d->err.msg, "1:16: parse error: unclosed left parenthesis"));
	assert_false(d->have_result);
	/* a server that stops answering: the last good answer stays */
	dead.url = "http://127.0.0.1:9"; /* discard: nothing listens */
	qp = query_poll_new(f->h, &dead, true, 100);
	query_poll_set(qp, "up", QUERY_INSTANT, 3600);
	query_poll_open(qp);
	{
		struct query_data *w = (struct query_data *)query_poll_data(qp);
		double end = mono() + 10;
		struct err e;

		/* as if an earlier answer had come: a failed transfer must keep it */
		w->have_result = true;
		while (w->err.code == ERR_OK && mono() < end) {
			query_poll_tick(qp, mono(), 1795390960.0);
			http_wait(f->h, NULL, 0, 20, &e);
			http_perform(f->h);
		}
		assert_int_equal(w->err.code, ERR_CONNECT);
		assert_true(w->have_result);
		w->have_result = false;
	}
	query_poll_free(qp);
}

static void
test_steps(void **state)
{
	(void)state;
	assert_true(query_poll_step(900, 222) == 5);
	assert_true(query_poll_step(3600, 222) == 20);
	assert_true(query_poll_step(6 * 3600, 222) == 120);
	assert_true(query_poll_step(86400, 222) == 600);
	assert_true(query_poll_step(7 * 86400, 222) == 3600);
	assert_true(query_poll_step(7 * 86400, 10) == 61200); /* past the list: whole hours */
	assert_true(query_poll_step(60, 1000) == 1);          /* at least 1 s */
	/* never more points than asked for */
	assert_true(900 / query_poll_step(900, 150) <= 150);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_before_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_drops_and_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_unreachable, setup, teardown),
		cmocka_unit_test(test_steps),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
