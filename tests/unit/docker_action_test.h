/*
 * docker_action_test.h - shared by test_docker_action*.c
 * (test_docker_action.c, test_docker_action_fail.c): a scripted Docker
 * daemon for tui/docker_action, and the client helpers that drive an
 * action against it.
 *
 * The daemon is a small HTTP server forked by each test on a unix socket,
 * answering the requests in order with bodies captured from a real dockerd
 * 20.10 (tests/fixtures/docker) and the daemon's headers.  The server
 * reports every request it receives (method, path, content type, body) to
 * the test through a pipe, so each case checks what reached the "daemon",
 * not only what the callback says.  One daemon per test (dmn), stopped by
 * daemon_teardown.
 *
 * The client is driven with http_wait/http_perform until a condition holds
 * or a deadline passes; no test sleeps.  Helpers not every program uses
 * are marked __attribute__((unused)).  Include after <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_DOCKER_ACTION_TEST_H
#define OPSDECK_TESTS_DOCKER_ACTION_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <jansson.h>

#include "docker.h"
#include "docker_action.h"
#include "http.h"

#define FIX TESTS_DIR "/fixtures/docker/"
#define SERVICE_ID "2x8fo6kbo1pvvqu90817eti14" /* service_plain: "inventory", version 20 */
#define MAX_STEPS 8
#define MAX_RECORDS 16

/* ---- fixtures ------------------------------------------------------------ */

/* new: the bytes of tests/fixtures/docker/NAME.json; *status from NAME.status. */
static char *
fixture(const char *name, int *status)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	snprintf(path, sizeof path, FIX "%s.status", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", status), 1);
	fclose(f);
	return buf;
}

/*
 * new: service_plain as the daemon answers it after someone else updated
 * it: Version.Index 23, 2 replicas, a label added.  Shows that a retry
 * builds its update from the second read, not from the first.
 */
static char *
service_updated_elsewhere(void)
{
	int status;
	char *plain = fixture("service_plain", &status), *out;
	json_t *root = json_loads(plain, 0, NULL), *spec;

	assert_non_null(root);
	json_object_set_new(json_object_get(root, "Version"), "Index", json_integer(23));
	json_object_set_new(root, "UpdatedAt", json_string("2026-11-23T00:13:02.118207301Z"));
	spec = json_object_get(root, "Spec");
	json_object_set_new(json_object_get(json_object_get(spec, "Mode"), "Replicated"),
			    "Replicas", json_integer(2));
	json_object_set_new(json_object_get(spec, "Labels"), "owner", json_string("team-b"));
	out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	free(plain);
	return out;
}

/* ---- the scripted daemon ------------------------------------------------- */

enum reply {
	REPLY_ANSWER, /* answer at once */
	REPLY_HOLD,   /* answer once the test writes a byte to the go pipe */
	REPLY_HANG    /* never answer: read until the client hangs up */
};

/* The server's answer to the i-th request it receives. */
struct step {
	enum reply reply;
	int status;
	char *body; /* owned */
};

/* One request as the server saw it. */
struct record {
	char method[16];
	char path[256];
	char ctype[64]; /* "" none */
	char *body;     /* owned; "" none */
};

struct daemon {
	pid_t pid;
	char dir[64];
	char sock[96];
	char url[128];
	struct step steps[MAX_STEPS];
	size_t nsteps;
	int rec_fd; /* read end: the server's request records */
	int go_fd;  /* write end: releases a REPLY_HOLD */
	char *buf;  /* unparsed record bytes */
	size_t len;
	bool eof;
	struct record rec[MAX_RECORDS];
	size_t nrec;
};

static struct daemon dmn; /* one per test; stopped by the teardown */

static void
daemon_add(struct daemon *d, enum reply reply, int status, char *body)
{
	assert_true(d->nsteps < MAX_STEPS);
	d->steps[d->nsteps].reply = reply;
	d->steps[d->nsteps].status = status;
	d->steps[d->nsteps].body = body;
	d->nsteps++;
}

/* Add a step answering with fixture NAME (its body and its status). */
static void
daemon_add_fixture(struct daemon *d, const char *name)
{
	int status;
	char *body = fixture(name, &status);

	daemon_add(d, REPLY_ANSWER, status, body);
}

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

static const char *
reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

/* An answer with the headers dockerd 20.10 sends. */
static void
respond(int fd, int status, const char *body)
{
	char head[512];
	size_t len = strlen(body);

	snprintf(head, sizeof head,
		 "HTTP/1.1 %d %s\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
		 "Docker-Experimental: false\r\nOstype: linux\r\n"
		 "Server: Docker/20.10.24+dfsg1 (linux)\r\nDate: Mon, 23 Nov 2026 00:13:05 GMT\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 status, reason(status), len);
	write_all(fd, head, strlen(head));
	write_all(fd, body, len);
}

/* The value of header NAME in head (case-insensitive), copied to out. */
static void
header(const char *head, const char *name, char *out, size_t n)
{
	const char *p = head;
	size_t nl = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			snprintf(out, n, "%.*s", (int)strcspn(p, "\r\n"), p);
			return;
		}
	}
}

/*
 * Serve one connection: read the request, report it to the test, answer
 * with the next step.  Requests beyond the script get a 500 the test sees.
 */
static void
serve_one(struct daemon *d, int fd, int rec_w, int go_r, size_t i)
{
	static char req[1 << 18];
	size_t len = 0, need = 0;
	char *end = NULL, method[16] = "", path[256] = "", ctype[64], cl[32], rec[512], c;
	const struct step *st;
	ssize_t n;

	for (;;) {
		n = read(fd, req + len, sizeof req - 1 - len);
		if (n <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if (end == NULL && (end = strstr(req, "\r\n\r\n")) != NULL) {
			*end = '\0';
			header(req, "Content-Length", cl, sizeof cl);
			need = (size_t)(end + 4 - req) + strtoul(cl, NULL, 10);
		}
		if (end != NULL && len >= need)
			break;
		if (len == sizeof req - 1)
			return;
	}
	sscanf(req, "%15s %255s", method, path);
	header(req, "Content-Type", ctype, sizeof ctype);
	snprintf(rec, sizeof rec, "%s %s %s %zu\n", method, path, ctype[0] ? ctype : "-",
		 len - (size_t)(end + 4 - req));
	write_all(rec_w, rec, strlen(rec));
	write_all(rec_w, end + 4, len - (size_t)(end + 4 - req));

	if (i >= d->nsteps) {
		respond(fd, 500, "{\"message\":\"test daemon: request beyond the script\"}\n");
		return;
	}
	st = &d->steps[i];
	if (st->reply == REPLY_HANG) {
		while (read(fd, &c, 1) > 0)
			;
		return;
	}
	if (st->reply == REPLY_HOLD && read(go_r, &c, 1) != 1)
		return;
	respond(fd, st->status, st->body);
}

static void
serve(struct daemon *d, int lfd, int rec_w, int go_r)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a killed test */
	/* One connection at a time, in order: the action's requests are sequential. */
	for (i = 0;; i++) {
		int c = accept(lfd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			_exit(1);
		}
		serve_one(d, c, rec_w, go_r, i);
		close(c);
	}
}

/* Start the server with the steps added so far. */
static void
daemon_start(struct daemon *d)
{
	struct sockaddr_un u;
	int lfd, rec[2], go[2];

	strcpy(d->dir, "/tmp/opsdeck-da-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->sock, sizeof d->sock, "%s/docker.sock", d->dir);
	snprintf(d->url, sizeof d->url, "unix://%s", d->sock);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	memset(&u, 0, sizeof u);
	u.sun_family = AF_UNIX;
	snprintf(u.sun_path, sizeof u.sun_path, "%s", d->sock);
	assert_int_equal(bind(lfd, (struct sockaddr *)&u, sizeof u), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(pipe(rec), 0);
	assert_int_equal(pipe(go), 0);
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0) {
		close(rec[0]);
		close(go[1]);
		serve(d, lfd, rec[1], go[0]);
	}
	close(lfd);
	close(rec[1]);
	close(go[0]);
	d->rec_fd = rec[0];
	d->go_fd = go[1];
	assert_int_equal(fcntl(d->rec_fd, F_SETFL, O_NONBLOCK), 0);
}

/* Parse the complete records in d->buf. */
static void
parse_records(struct daemon *d)
{
	for (;;) {
		char *nl = d->len > 0 ? memchr(d->buf, '\n', d->len) : NULL;
		struct record *r;
		size_t blen, hlen;

		if (nl == NULL)
			return;
		*nl = '\0';
		blen = strtoul(strrchr(d->buf, ' ') + 1, NULL, 10);
		hlen = (size_t)(nl + 1 - d->buf);
		if (d->len < hlen + blen) {
			*nl = '\n';
			return;
		}
		assert_true(d->nrec < MAX_RECORDS);
		r = &d->rec[d->nrec++];
		assert_int_equal(sscanf(d->buf, "%15s %255s %63s", r->method, r->path, r->ctype),
				 3);
		if (strcmp(r->ctype, "-") == 0)
			r->ctype[0] = '\0';
		r->body = malloc(blen + 1);
		memcpy(r->body, nl + 1, blen);
		r->body[blen] = '\0';
		memmove(d->buf, d->buf + hlen + blen, d->len - hlen - blen);
		d->len -= hlen + blen;
	}
}

/* Read what the server has reported so far (never blocks). */
static void
daemon_drain(struct daemon *d)
{
	char chunk[4096];
	ssize_t n;

	while (!d->eof) {
		n = read(d->rec_fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			d->eof = true;
			break;
		}
		d->buf = realloc(d->buf, d->len + (size_t)n);
		memcpy(d->buf + d->len, chunk, (size_t)n);
		d->len += (size_t)n;
	}
	parse_records(d);
}

/* Release a REPLY_HOLD. */
static __attribute__((unused)) void
daemon_go(struct daemon *d)
{
	assert_int_equal(write(d->go_fd, "g", 1), 1);
}

/* Stop the server and collect every record it wrote. */
static void
daemon_stop(struct daemon *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
	fcntl(d->rec_fd, F_SETFL, 0);
	daemon_drain(d);
}

static int
daemon_teardown(void **state)
{
	size_t i;

	(void)state;
	daemon_stop(&dmn);
	if (dmn.rec_fd > 0)
		close(dmn.rec_fd);
	if (dmn.go_fd > 0)
		close(dmn.go_fd);
	if (dmn.sock[0] != '\0')
		unlink(dmn.sock);
	if (dmn.dir[0] != '\0')
		rmdir(dmn.dir);
	for (i = 0; i < dmn.nsteps; i++)
		free(dmn.steps[i].body);
	for (i = 0; i < dmn.nrec; i++)
		free(dmn.rec[i].body);
	free(dmn.buf);
	memset(&dmn, 0, sizeof dmn);
	return 0;
}

/* Requests with method m the server has seen. */
static int
count(const struct daemon *d, const char *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < d->nrec; i++)
		n += strcmp(d->rec[i].method, m) == 0;
	return n;
}

/* ---- the client side ------------------------------------------------------- */

struct outcome {
	int calls;
	struct docker_action_result r; /* r.warnings not kept: see warnings */
	char warnings[1024];
	bool had_warnings;
};

static void
on_done(void *ud, const struct docker_action_result *r)
{
	struct outcome *o = ud;

	o->calls++;
	o->r = *r;
	o->r.warnings = NULL;
	o->had_warnings = r->warnings != NULL;
	snprintf(o->warnings, sizeof o->warnings, "%s", r->warnings ? r->warnings : "");
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static struct http_endpoint
endpoint(const struct daemon *d)
{
	struct http_endpoint ep;

	memset(&ep, 0, sizeof ep);
	ep.name = "docker";
	ep.url = d->url;
	ep.timeout_ms = 10000;
	ep.is_read = docker_is_read;
	return ep;
}

typedef bool (*cond_fn)(void *arg);

/* Drive the client, reading the server's records, until cond holds. */
static void
drive(struct http *h, struct daemon *d, cond_fn cond, void *arg, long deadline_ms)
{
	long end = now_ms() + deadline_ms;
	struct http_waitfd fd;
	struct err e;

	for (;;) {
		daemon_drain(d);
		if (cond(arg))
			return;
		if (now_ms() > end)
			fail_msg("condition not met within %ld ms", deadline_ms);
		fd.fd = d->rec_fd;
		fd.events = POLLIN;
		fd.revents = 0;
		assert_int_equal(http_wait(h, &fd, d->eof ? 0 : 1, 100, &e), 0);
		http_perform(h);
	}
}

static bool
called(void *arg)
{
	return ((struct outcome *)arg)->calls > 0;
}

static __attribute__((unused)) bool
idle(void *arg)
{
	return http_pending(arg) == 0;
}

static __attribute__((unused)) bool
saw_post(void *arg)
{
	return count(arg, "POST") > 0;
}

static __attribute__((unused)) bool
saw_get(void *arg)
{
	return count(arg, "GET") > 0;
}

/* Start op and drive it until the callback fires. */
static void
run_action(struct http *h, const struct http_endpoint *ep, const char *name, enum op_kind op,
	   long replicas, struct outcome *o)
{
	struct err e;
	struct docker_action *a;

	memset(o, 0, sizeof *o);
	a = docker_action_start(h, ep, name, op, replicas, on_done, o, &e);
	if (a == NULL)
		fail_msg("docker_action_start: %s", e.msg);
	drive(h, &dmn, called, o, 20000);
	assert_int_equal(o->calls, 1);
	/* Nothing left in flight: no retry was started after the callback. */
	assert_int_equal(http_pending(h), 0);
}

/* Assert the update: POST path, JSON content type, body = the read's Spec edited by edit. */
static void
assert_update(const struct record *r, const char *get_body, const char *query,
	      void (*edit)(json_t *spec))
{
	json_t *got, *want, *root;
	char path[256];

	assert_string_equal(r->method, "POST");
	snprintf(path, sizeof path, "/v1.41/services/" SERVICE_ID "/update?%s", query);
	assert_string_equal(r->path, path);
	assert_string_equal(r->ctype, "application/json");
	root = json_loads(get_body, 0, NULL);
	assert_non_null(root);
	want = json_deep_copy(json_object_get(root, "Spec"));
	json_decref(root);
	if (edit != NULL)
		edit(want);
	got = json_loads(r->body, 0, NULL);
	if (got == NULL)
		fail_msg("the update's body is not JSON: %s", r->body);
	if (!json_equal(got, want)) {
		char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);

		fail_msg(
			"the update's body is not the Spec read with the change:\n got %s\nwant %s",
			r->body, w);
	}
	json_decref(got);
	json_decref(want);
}

static void
assert_get(const struct record *r, const char *name)
{
	char path[256];

	assert_string_equal(r->method, "GET");
	snprintf(path, sizeof path, "/v1.41/services/%s", name);
	assert_string_equal(r->path, path);
	assert_string_equal(r->body, "");
}

static void
replicas_3(json_t *spec)
{
	json_object_set_new(json_object_get(json_object_get(spec, "Mode"), "Replicated"),
			    "Replicas", json_integer(3));
}

static __attribute__((unused)) void
force_update_1(json_t *spec)
{
	json_object_set_new(json_object_get(spec, "TaskTemplate"), "ForceUpdate", json_integer(1));
}

#endif /* OPSDECK_TESTS_DOCKER_ACTION_TEST_H */
