/*
 * http_test_server.h - shared by test_http*.c (test_http.c,
 * test_http_errors.c): a small HTTP server forked by the test (TCP on
 * 127.0.0.1:0 and a unix socket), and the client helpers that drive
 * tui/http against it.  The server forks one process per connection and
 * answers by path:
 *
 *   /ok        200 "hello" (text/plain)
 *   /echo      200, the request head and body as the response body
 *   /401       401 "unauthorized"
 *   /429       429 with Retry-After: 7
 *   /hang      reads until the client hangs up, never answers
 *   /big       200 with Content-Length 3 MiB
 *   /bigchunk  200, 3 MiB without Content-Length
 *   /barrier   answers "met" once two /barrier requests are in flight at
 *              the same time (proves concurrency without timing)
 *   TLS hello  a plain-text 400, as a plain HTTP server would
 *
 * start_server/stop_server are the group setup and teardown.  Tests wait
 * on conditions with deadlines, never on fixed sleeps.  Include after
 * <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_HTTP_TEST_SERVER_H
#define OPSDECK_TESTS_HTTP_TEST_SERVER_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "http.h"

#define BIG (3u << 20)

static pid_t server_pid;
static int server_port;
static char sock_dir[64];
static char sock_path[96];
static char base_url[64];
static char unix_url[160];
static int *barrier; /* shared with the server's processes */

/* ---- the server -------------------------------------------------------- */

static void
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		c += w;
		n -= (size_t)w;
	}
}

static void
respond(int fd, const char *status, const char *ctype, const char *body, size_t len)
{
	char head[256];

	snprintf(head, sizeof head,
		 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: "
		 "close\r\n\r\n",
		 status, ctype, len);
	write_all(fd, head, strlen(head));
	write_all(fd, body, len);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
handle(int fd)
{
	static char req[65536];
	size_t len = 0, need = 0;
	char *end = NULL, *cl, path[256] = "";
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		n = read(fd, req + len, sizeof req - 1 - len);
		if (n <= 0)
			_exit(0);
		len += (size_t)n;
		req[len] = '\0';
		if ((unsigned char)req[0] == 0x16) { /* a TLS ClientHello */
			write_all(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
			_exit(0);
		}
		if (end == NULL && (end = strstr(req, "\r\n\r\n")) != NULL) {
			cl = strstr(req, "\r\nContent-Length:");
			need = (size_t)(end + 4 - req) +
			       (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (end != NULL && len >= need)
			break;
		if (len == sizeof req - 1)
			_exit(0);
	}
	sscanf(req, "%*s %255s", path);
	path[strcspn(path, "?")] = '\0';
	if (strcmp(path, "/ok") == 0) {
		respond(fd, "200 OK", "text/plain", "hello", 5);
	} else if (strcmp(path, "/echo") == 0) {
		respond(fd, "200 OK", "text/plain", req, len);
	} else if (strcmp(path, "/429") == 0) {
		static const char busy[] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
					   "Content-Type: application/json\r\nContent-Length: 2\r\n"
					   "Connection: close\r\n\r\n{}";

		write_all(fd, busy, sizeof busy - 1);
	} else if (strcmp(path, "/401") == 0) {
		respond(fd, "401 Unauthorized", "text/plain", "unauthorized", 12);
	} else if (strcmp(path, "/hang") == 0) {
		char c;

		while (read(fd, &c, 1) > 0)
			;
	} else if (strcmp(path, "/big") == 0 || strcmp(path, "/bigchunk") == 0) {
		static char chunk[65536];
		char head[160];
		size_t sent;

		memset(chunk, 'x', sizeof chunk);
		if (strcmp(path, "/big") == 0)
			snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
				 BIG);
		else
			snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
		write_all(fd, head, strlen(head));
		for (sent = 0; sent < BIG; sent += sizeof chunk)
			write_all(fd, chunk, sizeof chunk);
	} else if (strcmp(path, "/barrier") == 0) {
		long deadline = now_ms() + 5000;
		struct timespec ts = { 0, 1000000 };

		__atomic_add_fetch(barrier, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(barrier, __ATOMIC_SEQ_CST) < 2 && now_ms() < deadline)
			nanosleep(&ts, NULL);
		if (__atomic_load_n(barrier, __ATOMIC_SEQ_CST) >= 2)
			respond(fd, "200 OK", "text/plain", "met", 3);
		else
			respond(fd, "500 Internal Server Error", "text/plain", "alone", 5);
	} else {
		respond(fd, "404 Not Found", "text/plain", "404 page not found\n", 19);
	}
	_exit(0);
}

static void
serve(int tcp, int unx)
{
	struct pollfd p[2] = { { tcp, POLLIN, 0 }, { unx, POLLIN, 0 } };
	int i;

	signal(SIGCHLD, SIG_IGN);         /* connection processes reap themselves */
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a killed test */
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		for (i = 0; i < 2; i++) {
			int c;

			if (!(p[i].revents & POLLIN))
				continue;
			c = accept(p[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			if (fork() == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				close(tcp);
				close(unx);
				handle(c);
			}
			close(c);
		}
	}
}

static int
start_server(void **state)
{
	struct sockaddr_in a;
	struct sockaddr_un u;
	socklen_t alen = sizeof a;
	int tcp, unx;

	(void)state;
	barrier = mmap(NULL, sizeof *barrier, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (barrier == MAP_FAILED)
		return -1;
	*barrier = 0;
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(tcp, (struct sockaddr *)&a, sizeof a) < 0 || listen(tcp, 64) < 0 ||
	    getsockname(tcp, (struct sockaddr *)&a, &alen) < 0)
		return -1;
	server_port = ntohs(a.sin_port);
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", server_port);

	strcpy(sock_dir, "/tmp/opsdeck-http-XXXXXX");
	if (mkdtemp(sock_dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof sock_path, "%s/s.sock", sock_dir);
	snprintf(unix_url, sizeof unix_url, "unix://%s", sock_path);
	unx = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&u, 0, sizeof u);
	u.sun_family = AF_UNIX;
	snprintf(u.sun_path, sizeof u.sun_path, "%s", sock_path);
	if (bind(unx, (struct sockaddr *)&u, sizeof u) < 0 || listen(unx, 64) < 0)
		return -1;

	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0)
		serve(tcp, unx);
	close(tcp);
	close(unx);
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
	unlink(sock_path);
	rmdir(sock_dir);
	munmap(barrier, sizeof *barrier);
	return 0;
}

/* ---- client helpers ---------------------------------------------------- */

struct result {
	int done;
	long status;
	struct err err;
	char *body;
	size_t len;
	char ctype[64];
	long latency_ms;
	struct err status_err; /* http_status_error for non-2xx */
	const char *hint;      /* auth hint for status_err */
	const char *base;
	long retry_after_s; /* the response's Retry-After */
};

static void
on_done(void *ud, const struct http_response *r)
{
	struct result *res = ud;

	res->done++;
	res->status = r->status;
	res->err = r->err;
	assert_non_null(r->body);
	assert_int_equal(r->body[r->len], '\0');
	res->body = malloc(r->len + 1);
	memcpy(res->body, r->body, r->len + 1);
	res->len = r->len;
	snprintf(res->ctype, sizeof res->ctype, "%s", r->content_type ? r->content_type : "");
	res->latency_ms = r->latency_ms;
	res->retry_after_s = r->retry_after_s;
	assert_string_equal(r->backend, "prometheus");
	err_clear(&res->status_err);
	if (r->status >= 300)
		http_status_error(r, res->base ? res->base : base_url, res->hint, &res->status_err);
}

static void
result_done(struct result *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

static struct http_endpoint
endpoint(const char *url)
{
	struct http_endpoint ep;

	memset(&ep, 0, sizeof ep);
	ep.name = "prometheus";
	ep.url = url;
	ep.timeout_ms = 5000;
	return ep;
}

/* Drive the client until every result has finished, or fail after deadline_ms. */
static void
run_until(struct http *h, struct result **rs, size_t n, long deadline_ms)
{
	long end = now_ms() + deadline_ms;
	struct err e;
	size_t i, done;

	for (;;) {
		for (i = 0, done = 0; i < n; i++)
			done += rs[i]->done > 0;
		if (done == n)
			break;
		if (now_ms() > end)
			fail_msg("requests not finished within %ld ms", deadline_ms);
		assert_int_equal(http_wait(h, NULL, 0, 100, &e), 0);
		http_perform(h);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(rs[i]->done, 1);
}

/* One request, run to completion. */
static void
fetch(struct http *h, const struct http_endpoint *ep, enum http_method m, const char *path,
      const char *body, bool is_read, struct result *r)
{
	struct err e;
	struct result *rs[1] = { r };

	if (http_submit(h, ep, m, path, body, is_read, on_done, r, &e) != 0)
		fail_msg("submit failed: %s", e.msg);
	run_until(h, rs, 1, 20000);
}

#endif /* OPSDECK_TESTS_HTTP_TEST_SERVER_H */
